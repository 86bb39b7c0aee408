//! Progress of long work: a bar on a terminal; without one (a log, CI, a cluster job), plain
//! lines: the first after a second, then every 5 seconds, and the last. A plan long enough to
//! matter is announced at once with `announce`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Progress over `total` units (runs, replicate-days, points checked).
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    state: Mutex<State>,
    what: String,
}

struct State {
    done: u64,
    start: Instant,
    last: Instant,
    printed: bool,
}

impl Progress {
    pub fn new(total: u64, what: &str) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{{bar:40}} {{pos}}/{{len}} {what} ({{per_sec}}, eta {{eta}})"
                ))
                .expect("a valid template"),
            );
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            total,
            state: Mutex::new(State {
                done: 0,
                start: now,
                last: now,
                printed: false,
            }),
            what: what.to_string(),
        }
    }

    /// Says at once that the work has started (plain lines only; a bar shows itself).
    pub fn announce(&self) {
        if self.bar.is_none() {
            let mut s = self.state.lock().expect("progress");
            s.printed = true;
            s.last = Instant::now();
            eprintln!("{}/{} {}", s.done, self.total, self.what);
        }
    }

    /// Counts `n` units found already done (on resume).
    pub fn skip(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
            bar.reset_eta();
        }
        self.state.lock().expect("progress").done += n;
    }

    /// Counts one unit done.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        let mut s = self.state.lock().expect("progress");
        s.done += 1;
        let due = if s.printed {
            s.last.elapsed() >= Duration::from_secs(5) || s.done == self.total
        } else {
            s.start.elapsed() >= Duration::from_secs(1)
        };
        if due {
            s.printed = true;
            s.last = Instant::now();
            let rate = s.done as f64 / s.start.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "{}/{} {} ({:.0}%), {rate:.1}/s",
                s.done,
                self.total,
                self.what,
                100.0 * s.done as f64 / self.total.max(1) as f64,
            );
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
