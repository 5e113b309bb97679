//! The verdict as pretty JSON (the serde form of [`Verdict`]), with a trailing newline.

use crate::policy::Verdict;

pub fn render(verdict: &Verdict) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(verdict).unwrap_or_default();
    out.push(b'\n');
    out
}
