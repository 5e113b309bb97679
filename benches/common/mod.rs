//! The measuring harness the plain-harness benchmarks share (`mod common;` in each).

use std::time::{Duration, Instant};

/// CPU time of this thread (user + system), from /proc on Linux: on a shared machine the wall clock also
/// counts the time other processes held the core.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux configuration in use.
    Some(Duration::from_millis(ticks * 10))
}

/// Runs `f` once to warm up, then for at least two seconds (and once at least), and prints the time per
/// run, items per second (what `f` returns), and, when `bytes` is not 0, MB/s, in wall and CPU time.
pub fn measure<F: FnMut() -> usize>(label: &str, bytes: usize, mut f: F) {
    let mut items = f();
    let start = Instant::now();
    let cpu_start = cpu_time();
    let mut runs = 0u32;
    while start.elapsed() < Duration::from_secs(2) || runs == 0 {
        items = f();
        runs += 1;
    }
    let secs = (start.elapsed() / runs).as_secs_f64();
    let mb =
        |s: f64| if bytes == 0 { String::new() } else { format!(" = {:.1} MB/s", bytes as f64 / s / 1e6) };
    let cpu = match (cpu_start, cpu_time()) {
        (Some(a), Some(b)) if b > a => {
            let per = (b - a).as_secs_f64() / runs as f64;
            format!(", CPU time {:.3} ms/run{}", per * 1e3, mb(per))
        }
        _ => String::new(),
    };
    println!(
        "{label}: {runs} runs, {items} items, {:.0} items/s, wall {:.3} ms/run{}{cpu}",
        items as f64 / secs,
        secs * 1e3,
        mb(secs)
    );
}
