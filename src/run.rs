//! `agora run`: all replicates of one scenario, in parallel, written as CSV.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::engine::{run_replicate_with, Replicate};
use crate::export::{write_atomic, write_csv};
use crate::metrics::Summary;
use crate::population::estimated_bytes;
use crate::scenario::{resolved_toml, Scenario};

/// The default results folder of a scenario: `results/<name>/`.
pub fn default_out_dir(s: &Scenario) -> PathBuf {
    Path::new("results").join(&s.name)
}

/// A progress bar over `total` units on a terminal; a hidden one otherwise.
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} ({{per_sec}}, eta {{eta}})"
        ))
        .expect("valid template"),
    );
    bar
}

/// Runs every replicate of `s`, in parallel when memory allows, in replicate order.
pub fn run_all(s: &Scenario, bar: &ProgressBar) -> Vec<Replicate> {
    let threads = rayon::current_num_threads() as u64;
    let concurrent = threads.min(s.replicates as u64).max(1);
    let fits_in_parallel = crate::scenario::available_memory()
        .is_none_or(|avail| estimated_bytes(s).saturating_mul(concurrent) <= avail / 2);
    // With replicates enough to keep every thread busy, each steps its days on one thread;
    // one replicate per task, so uneven replicates do not leave a thread idle.
    let inner_parallel = !fits_in_parallel || (s.replicates as u64) < 2 * threads;
    let one = |r: u32| run_replicate_with(s, r, inner_parallel, &mut |_| bar.inc(1));
    if fits_in_parallel {
        (0..s.replicates)
            .into_par_iter()
            .with_max_len(1)
            .map(one)
            .collect()
    } else {
        (0..s.replicates).map(one).collect()
    }
}

/// Writes `timeseries.csv`, `summary.csv` and `scenario.toml` to `dir`.
pub fn write_outputs(s: &Scenario, runs: &[Replicate], dir: &Path) -> Result<()> {
    write_csv(
        &dir.join("timeseries.csv"),
        runs.iter().flat_map(|r| &r.series),
    )?;
    write_csv(&dir.join("summary.csv"), runs.iter().map(|r| &r.summary))?;
    write_atomic(&dir.join("scenario.toml"), resolved_toml(s).as_bytes())
}

/// A few lines of human summary for one replicate.
pub fn describe(s: &Summary, days: u32) -> String {
    let pct = |x: f64| {
        if x.is_nan() {
            "n/a".to_string()
        } else {
            format!("{:.0}%", 100.0 * x)
        }
    };
    format!(
        "replicate {}: {} members after {} days (peak {} on day {}), {}\n  \
         30-day retention {}, never posted {}, top 1% wrote {} of posts (Gini {:.2})\n  \
         revenue {:.2}, cost {:.2}, ROI {}",
        s.replicate,
        s.final_members,
        days,
        s.peak_members,
        s.peak_day,
        if s.alive == 1 { "alive" } else { "dead" },
        pct(s.retention_30d),
        pct(s.never_posted_share),
        pct(s.top1_post_share),
        s.post_gini,
        s.total_revenue,
        s.total_cost,
        if s.roi.is_nan() {
            "n/a (no cost)".to_string()
        } else {
            format!("{:.2}", s.roi)
        },
    )
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in bytes, if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
