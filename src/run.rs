//! `agora run`: all replicates of one scenario, in parallel, written as CSV.

use std::path::{Path, PathBuf};

use anyhow::Result;
use rayon::prelude::*;

use crate::engine::{run_replicate_with, Replicate};
use crate::export::{csv_table, write_atomic, write_csv};
use crate::memory::{replicate_bytes, Budget};
use crate::metrics::{
    tally, CohortRow, FunnelRow, GroupRow, NewcomerRow, PosterCohortRow, PosterRow, SegmentRow,
    Summary, WeekRow,
};
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

/// Writes the files of [`RUN_FILES`](crate::folder::RUN_FILES) to `dir`.
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
    write_table(
        &dir.join("funnel.csv"),
        FunnelRow::COLUMNS,
        runs.iter().map(|r| &r.tables.funnel),
    )?;
    write_table(
        &dir.join("groups.csv"),
        GroupRow::COLUMNS,
        runs.iter().flat_map(|r| &r.tables.groups),
    )?;
    write_table(
        &dir.join("cohorts.csv"),
        CohortRow::COLUMNS,
        runs.iter().flat_map(|r| &r.tables.cohorts),
    )?;
    write_table(
        &dir.join("segments.csv"),
        SegmentRow::COLUMNS,
        runs.iter().flat_map(|r| &r.tables.segments),
    )?;
    write_table(
        &dir.join("weekly.csv"),
        WeekRow::COLUMNS,
        runs.iter().flat_map(|r| &r.tables.life.weekly),
    )?;
    write_table(
        &dir.join("posters.csv"),
        PosterRow::COLUMNS,
        runs.iter().flat_map(|r| &r.tables.life.posters),
    )?;
    write_table(
        &dir.join("newcomers.csv"),
        NewcomerRow::COLUMNS,
        runs.iter().flat_map(|r| &r.tables.life.newcomers),
    )?;
    write_table(
        &dir.join("poster_cohorts.csv"),
        PosterCohortRow::COLUMNS,
        runs.iter().flat_map(|r| &r.tables.life.poster_cohorts),
    )?;
    write_atomic(&dir.join("scenario.toml"), s.to_toml().as_bytes())
}

/// Rows under their declared header (written even when there are no rows).
fn write_table<'a, T: serde::Serialize + 'a>(
    path: &Path,
    columns: &[&str],
    rows: impl IntoIterator<Item = &'a T>,
) -> Result<()> {
    write_atomic(path, &csv_table(columns, rows)?)
}

/// A few lines of human summary for one replicate.
pub fn describe(run: &Replicate, days: u32) -> String {
    let s = &run.summary.metrics;
    let f = &run.tables.funnel;
    let pct = |x: Option<f64>| match x {
        Some(x) => format!("{:.0}%", 100.0 * x),
        None => "n/a".to_string(),
    };
    // Muted members are said only where there are some to speak of.
    let muted = match s.muted_share {
        Some(m) if m >= 0.005 => format!(", {} muted", pct(Some(m))),
        _ => String::new(),
    };
    let headline = format!(
        "replicate {}: {} members after {days} days (peak {} on day {}; {} dormant{muted}), {}",
        run.summary.replicate,
        s.final_members,
        s.peak_members,
        s.peak_day,
        pct(s.dormant_share),
        s.health,
    );
    let posting = format!(
        "30-day retention {}, never posted {}, {} of posters posted again, top 1% wrote {} of \
         posts (Gini {})",
        pct(s.retention_30d),
        pct(s.never_posted_share),
        pct(s.posted_again_share),
        pct(s.top1_post_share),
        s.post_gini.map_or("n/a".to_string(), |g| format!("{g:.2}")),
    );
    let funnel = format!(
        "funnel: {} exposed, {} joined, {} visited in their first week, {} posted, {} of {} \
         still in after 30 days",
        f.exposed, f.joined, f.activated, f.first_post, f.retained_30, f.eligible_30
    );
    let groups = format!(
        "groups: {} opened; at the end {}",
        s.groups_opened,
        tally(run.tables.groups.iter().map(|g| g.health.as_str()))
    );
    let money = format!(
        "revenue {:.2}, cost {:.2}, ROI {}",
        s.total_revenue,
        s.total_cost,
        s.roi
            .map_or("n/a (no cost)".to_string(), |roi| format!("{roi:.2}")),
    );
    let mut lines = vec![headline, posting, funnel, groups, money];
    if s.team_overtime > 0.0 {
        lines.push(format!(
            "team: {:.0} minutes of overtime, {} days away burnt out",
            s.team_overtime, s.team_days_away
        ));
    }
    lines.join("\n  ")
}
