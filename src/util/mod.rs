//! Small helpers shared by every stage.

pub mod atomic;
pub mod redact;
pub mod time;
