//! Go resolver tests.
