//! What the benchmarks share.

use std::time::Instant;

/// The fastest of `runs` runs of `f`, in seconds (the least disturbed by the rest of the machine).
pub fn best_of<F: FnMut()>(runs: usize, mut f: F) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}
