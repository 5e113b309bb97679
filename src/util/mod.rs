//! Small helpers shared by every stage.

pub mod atomic;
pub mod glob;
pub mod redact;
pub mod time;

/// How many threads a parallel stage may use: `SOVEREIGN_THREADS` when set to a positive number (1 gives
/// a sequential run, which the determinism tests compare with a parallel one), else the available cores.
pub fn threads() -> usize {
    std::env::var("SOVEREIGN_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}
