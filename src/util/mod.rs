//! Small helpers shared by every stage.

pub mod atomic;
pub mod glob;
pub mod redact;
pub mod time;
