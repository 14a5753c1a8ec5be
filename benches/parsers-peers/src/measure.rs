//! Timing: each contender runs once per round, rounds interleave the contenders so a
//! burst of load hits all of them alike, and the table reports the best and the
//! median of both the thread's CPU time and wall time.

use std::time::Instant;

/// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`, exact to the
/// nanosecond; time spent waiting for a core is not counted). The scheduler statistics
/// in `/proc` only advance at ticks, too coarse for the fast baselines.
pub fn thread_cpu_seconds() -> f64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
}

pub fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

/// One timed run.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub cpu: f64,
    pub wall: f64,
}

pub fn time<T>(work: impl FnOnce() -> T) -> (T, Sample) {
    let cpu = thread_cpu_seconds();
    let wall = Instant::now();
    let out = std::hint::black_box(work());
    let sample = Sample {
        cpu: thread_cpu_seconds() - cpu,
        wall: wall.elapsed().as_secs_f64(),
    };
    (out, sample)
}

/// Best and median of a list of seconds.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub best: f64,
    pub median: f64,
}

pub fn stats(values: &[f64]) -> Stats {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    };
    Stats {
        best: sorted.first().copied().unwrap_or(f64::NAN),
        median,
    }
}
