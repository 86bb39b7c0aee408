//! Many runs of many scenarios, in parallel, without losing any: the engine room of `sweep` and
//! `compare`.
//!
//! Every finished run is appended, as one CSV record, to `DIR/.partial/runs.csv` and synced to
//! disk before the next is reported; with timeseries, its days go to their own file first. A
//! manifest records what the batch is (its scenarios and layout), so that `--resume` after Ctrl-C
//! or `kill -9` runs only the (scenario, replicate) pairs that are missing, and refuses to mix in
//! the leftovers of a different batch. The final files are written atomically in (scenario,
//! replicate) order, so an interrupted-then-resumed batch gives the same files, row for row, as an
//! uninterrupted one.

pub mod file;
pub mod manifest;
pub mod tasks;

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use crate::engine::run_replicate_with;
use crate::export::{csv_rows, csv_table, write_atomic};
use crate::memory::Budget;
use crate::metrics::{DayRecord, Metrics};
pub use crate::progress::Progress;
use crate::scenario::Scenario;

/// How a batch runs, as the command line asks.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Finish an interrupted batch instead of starting anew.
    pub resume: bool,
    /// Also write every run's daily series to `timeseries.csv`.
    pub timeseries: bool,
    /// Say at once that the runs have started (the plan is long).
    pub announce: bool,
    /// How much memory the runs may take together.
    pub budget: Budget,
}

impl Options {
    /// What `agora merge` needs of a batch: nothing runs, so only the layout of its outputs.
    pub fn for_merge(timeseries: bool) -> Options {
        Options {
            resume: true,
            timeseries,
            announce: false,
            budget: Budget::new(None),
        }
    }
}

/// One run of a batch: scenario (point or policy) `item`, replicate `replicate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunKey {
    pub item: usize,
    pub replicate: u32,
}

/// A finished run: its key, seed and metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub key: RunKey,
    pub seed: u64,
    pub metrics: Metrics,
}

/// A batch of runs sharing an output folder.
pub struct Batch<'a> {
    /// The results folder (held), where `.partial` records the runs done.
    pub dir: PathBuf,
    /// Where the final files are written before they are published.
    pub staging: PathBuf,
    /// The scenario of each item, built when it runs.
    pub scenario: &'a (dyn Fn(usize) -> Result<Scenario> + Sync),
    /// Memory of the largest replicate of any item.
    pub max_bytes: u64,
    /// The first column of each item's rows: the point number or policy name.
    pub lead: Vec<String>,
    /// Header of the first column (`point` or `policy`).
    pub lead_header: &'static str,
    /// Columns after `seed` for each item (e.g. the point's axis values), or none.
    pub extra: Vec<Vec<String>>,
    /// Headers of those columns.
    pub extra_header: Vec<String>,
    /// What the batch is; a resumed batch must have the same.
    pub manifest: String,
    pub keep_timeseries: bool,
    /// How many of the item's first `extra` columns also lead its daily series (a robust
    /// comparison's `draw`: a policy's series differ by draw); 0 or 1.
    pub timeseries_extra: usize,
    /// How much memory the runs may take together.
    pub budget: Budget,
    /// The task this process runs, when the batch is split into tasks (its records go to
    /// `DIR/.tasks/<part>`); None for a batch run whole (`DIR/.partial`).
    pub part: Option<String>,
    /// Where each run's daily series is, when a merge gathers them from the tasks' parts; None
    /// when they are in this batch's own records.
    pub timeseries_from: Option<BTreeMap<RunKey, PathBuf>>,
}

impl Batch<'_> {
    /// The header of `runs.csv`.
    pub fn header(&self) -> Vec<String> {
        let mut h = vec![
            self.lead_header.to_string(),
            "replicate".into(),
            "seed".into(),
        ];
        h.extend(self.extra_header.iter().cloned());
        h.extend(Metrics::NAMES.iter().map(|m| m.to_string()));
        h
    }

    /// Prepares the folder: a fresh start, or (with `resume`) the runs already done. A batch
    /// whose largest run does not fit in memory is refused first, leaving nothing behind.
    pub fn open(&self, resume: bool) -> Result<BTreeMap<RunKey, RunRow>> {
        self.budget
            .check_bytes(self.max_bytes)
            .map_err(|m| anyhow::anyhow!("the largest run of this batch would {m}"))?;
        let partial = self.partial();
        let manifest = partial.join("manifest.toml");
        // A part created by a task killed before it wrote anything starts afresh.
        let empty = !manifest.exists() && !partial.join("runs.csv").exists();
        if partial.exists() && !empty {
            if !resume {
                bail!(
                    "{} holds an interrupted batch; run again with --resume to finish it, or \
                     remove {} to start over",
                    self.dir.display(),
                    partial.display()
                );
            }
            let previous = fs::read_to_string(&manifest).unwrap_or_default();
            let changed = manifest::changes(&previous, &self.manifest, 5);
            if !changed.is_empty() {
                bail!(
                    "the interrupted batch in {} was not this one, so --resume cannot finish it: \
                     {}. Run it as it was, or remove {} to start over",
                    self.dir.display(),
                    changed.join("; "),
                    partial.display()
                );
            }
            cut_torn_record(&partial.join("runs.csv"))?;
            return self.read_done();
        }
        if resume && self.part.is_none() && crate::folder::holds_results(&self.dir) {
            bail!(
                "{} holds finished results and no interrupted batch: nothing to resume. Run \
                 without --resume to run the batch again (its results will replace these)",
                self.dir.display()
            );
        }
        fs::create_dir_all(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        write_atomic(&manifest, self.manifest.as_bytes())?;
        Ok(BTreeMap::new())
    }

    /// Where this process records its runs: `.partial`, or its task's part.
    pub fn partial(&self) -> PathBuf {
        match &self.part {
            Some(part) => tasks::part_dir(&self.dir, part),
            None => self.dir.join(".partial"),
        }
    }

    /// Runs already recorded; a torn last record (from a kill mid-write) is dropped.
    fn read_done(&self) -> Result<BTreeMap<RunKey, RunRow>> {
        let mut done = read_records(&self.partial());
        // A record of an item this batch does not have was not written by it (the manifest
        // matched): it is dropped, like a torn one.
        done.retain(|key, _| key.item < self.lead.len());
        if self.keep_timeseries {
            done.retain(|key, _| self.timeseries_part(*key).exists());
        }
        Ok(done)
    }

    fn timeseries_part(&self, key: RunKey) -> PathBuf {
        timeseries_file(&self.partial(), key)
    }

    /// How many runs may go at once: as many as the threads, unless memory says fewer.
    fn concurrency(&self) -> usize {
        self.budget
            .concurrent_runs(self.max_bytes, rayon::current_num_threads())
    }

    /// Runs every key not yet in `done`, in parallel, recording each as it finishes.
    pub fn run(
        &self,
        keys: &[RunKey],
        done: &mut BTreeMap<RunKey, RunRow>,
        progress: &Progress,
    ) -> Result<()> {
        let todo: Vec<RunKey> = keys
            .iter()
            .copied()
            .filter(|k| !done.contains_key(k))
            .collect();
        progress.skip((keys.len() - todo.len()) as u64);
        let path = self.partial().join("runs.csv");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        // Appends are serialised; each run's sync to disk is not, so workers do not queue on it.
        let append = Mutex::new(());
        let at_once = self.concurrency();
        // With enough runs to keep every thread busy, each run steps on one thread: nesting
        // parallel days inside parallel runs only adds overhead.
        let inner_parallel =
            todo.len() < 2 * rayon::current_num_threads() || at_once < rayon::current_num_threads();
        for wave in todo.chunks(if at_once >= todo.len() {
            todo.len().max(1)
        } else {
            at_once
        }) {
            // One run per task: runs differ in cost (a lively point has many more members), and
            // a task holding many runs cannot be shared once started, leaving a thread idle.
            let rows: Vec<Result<RunRow>> = wave
                .par_iter()
                .with_max_len(1)
                .map(|&key| self.run_one(key, inner_parallel, &file, &append, progress))
                .collect();
            for row in rows {
                let row = row?;
                done.insert(row.key, row);
            }
        }
        Ok(())
    }

    /// Runs one (item, replicate) and records it durably.
    fn run_one(
        &self,
        key: RunKey,
        inner_parallel: bool,
        file: &fs::File,
        append: &Mutex<()>,
        progress: &Progress,
    ) -> Result<RunRow> {
        let s = (self.scenario)(key.item)?;
        let rep = run_replicate_with(&s, key.replicate, inner_parallel, &mut |_| {});
        if self.keep_timeseries {
            let lead = &self.lead[key.item];
            let bytes = match self.extra[key.item].get(..self.timeseries_extra) {
                Some([draw]) => csv_rows(rep.series.iter().map(|day| (lead, draw, day)))?,
                _ => csv_rows(rep.series.iter().map(|day| (lead, day)))?,
            };
            write_atomic(&self.timeseries_part(key), &bytes)?;
        }
        let row = RunRow {
            key,
            seed: s.seed(),
            metrics: rep.summary.metrics,
        };
        let record = csv_rows([(key.item, key.replicate, row.seed, &row.metrics)])?;
        {
            let _turn = append.lock().expect("no panics while appending");
            let mut f = file;
            f.write_all(&record)?;
        }
        file.sync_data()?;
        progress.tick();
        Ok(row)
    }

    /// Writes `runs.csv` (and `timeseries.csv`) in key order.
    pub fn finish(&self, done: &BTreeMap<RunKey, RunRow>) -> Result<()> {
        let rows = done.values().map(|r| {
            (
                &self.lead[r.key.item],
                r.key.replicate,
                r.seed,
                &self.extra[r.key.item],
                &r.metrics,
            )
        });
        write_atomic(
            &self.staging.join("runs.csv"),
            &csv_table(&self.header(), rows)?,
        )?;
        if self.keep_timeseries {
            let mut header = vec![self.lead_header];
            header.extend(
                self.extra_header[..self.timeseries_extra]
                    .iter()
                    .map(String::as_str),
            );
            header.extend_from_slice(DayRecord::COLUMNS);
            let mut ts = csv_table(&header, std::iter::empty::<()>())?;
            for key in done.keys() {
                let path = match &self.timeseries_from {
                    Some(parts) => parts[key].clone(),
                    None => self.timeseries_part(*key),
                };
                ts.extend(fs::read(path)?);
            }
            write_atomic(&self.staging.join("timeseries.csv"), &ts)?;
        }
        Ok(())
    }
}

/// The file of one run's daily series among the records in `partial`.
pub fn timeseries_file(partial: &Path, key: RunKey) -> PathBuf {
    partial.join(format!("ts-{}-{}.csv", key.item, key.replicate))
}

/// Cuts a record torn by a kill mid-write off the end of `runs`, so that the next record starts
/// on a line of its own.
pub(crate) fn cut_torn_record(runs: &Path) -> Result<()> {
    let Ok(bytes) = fs::read(runs) else {
        return Ok(());
    };
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if whole < bytes.len() {
        let f = OpenOptions::new().write(true).open(runs)?;
        f.set_len(whole as u64)?;
        f.sync_data()?;
    }
    Ok(())
}

/// The runs recorded in `partial/runs.csv`; a torn last record (from a kill mid-write) is dropped.
pub fn read_records(partial: &Path) -> BTreeMap<RunKey, RunRow> {
    let text = fs::read_to_string(partial.join("runs.csv")).unwrap_or_default();
    // Only whole lines: a kill mid-write leaves the last one without its line end.
    let whole = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(whole.as_bytes());
    let mut done = BTreeMap::new();
    for record in reader.deserialize::<(usize, u32, u64, Metrics)>() {
        let Ok((item, replicate, seed, metrics)) = record else {
            continue;
        };
        let key = RunKey { item, replicate };
        done.insert(key, RunRow { key, seed, metrics });
    }
    done
}

/// The values of summary metric `m` (an index into `Metrics::NAMES`) over the recorded runs of
/// item `item`, in replicate order.
pub fn metric_values(done: &BTreeMap<RunKey, RunRow>, item: usize, m: usize) -> Vec<f64> {
    let from = RunKey { item, replicate: 0 };
    let to = RunKey {
        item,
        replicate: u32::MAX,
    };
    done.range(from..=to)
        .map(|(_, r)| r.metrics.values()[m])
        .collect()
}
