//! `agora run`: all replicates of one scenario, in parallel, written as CSV.

use std::path::{Path, PathBuf};

use anyhow::Result;
use rayon::prelude::*;

use crate::engine::{run_replicate_with, Replicate};
use crate::export::{csv_table, write_atomic, write_csv};
use crate::memory::{replicate_bytes, Budget};
use crate::metrics::Summary;
use crate::scenario::Scenario;

/// The default results folder of a scenario: `results/<name>/`.
pub fn default_out_dir(s: &Scenario) -> PathBuf {
    Path::new("results").join(s.name())
}

/// Runs every replicate of `s`, in parallel when memory allows, in replicate order.
pub fn run_all(s: &Scenario, budget: &Budget, on_day: &(dyn Fn() + Sync)) -> Vec<Replicate> {
    let threads = rayon::current_num_threads();
    let replicates = s.replicates() as usize;
    let at_once = budget.concurrent_runs(replicate_bytes(s), threads.min(replicates));
    let fits_in_parallel = at_once >= threads.min(replicates);
    // With replicates enough to keep every thread busy, each steps its days on one thread;
    // one replicate per task, so uneven replicates do not leave a thread idle.
    let inner_parallel = !fits_in_parallel || replicates < 2 * threads;
    let one = |r: u32| run_replicate_with(s, r, inner_parallel, &mut |_| on_day());
    if fits_in_parallel {
        (0..s.replicates())
            .into_par_iter()
            .with_max_len(1)
            .map(one)
            .collect()
    } else {
        (0..s.replicates()).map(one).collect()
    }
}

/// Writes `timeseries.csv`, `summary.csv` and `scenario.toml` to `dir`.
pub fn write_outputs(s: &Scenario, runs: &[Replicate], dir: &Path) -> Result<()> {
    write_csv(
        &dir.join("timeseries.csv"),
        runs.iter().flat_map(|r| &r.series),
    )?;
    let rows = runs
        .iter()
        .map(|r| (r.summary.replicate, r.summary.seed, &r.summary.metrics));
    write_atomic(
        &dir.join("summary.csv"),
        &csv_table(&Summary::header(), rows)?,
    )?;
    write_atomic(&dir.join("scenario.toml"), s.to_toml().as_bytes())
}

/// A few lines of human summary for one replicate.
pub fn describe(summary: &Summary, days: u32) -> String {
    let s = &summary.metrics;
    let pct = |x: Option<f64>| match x {
        Some(x) => format!("{:.0}%", 100.0 * x),
        None => "n/a".to_string(),
    };
    format!(
        "replicate {}: {} members after {} days (peak {} on day {}), {}\n  \
         30-day retention {}, never posted {}, top 1% wrote {} of posts (Gini {})\n  \
         revenue {:.2}, cost {:.2}, ROI {}",
        summary.replicate,
        s.final_members,
        days,
        s.peak_members,
        s.peak_day,
        if s.alive == 1 { "alive" } else { "dead" },
        pct(s.retention_30d),
        pct(s.never_posted_share),
        pct(s.top1_post_share),
        s.post_gini.map_or("n/a".to_string(), |g| format!("{g:.2}")),
        s.total_revenue,
        s.total_cost,
        match s.roi {
            Some(roi) => format!("{roi:.2}"),
            None => "n/a (no cost)".to_string(),
        },
    )
}
