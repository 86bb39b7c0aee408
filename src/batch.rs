//! Many runs of many scenarios, in parallel, without losing any: the engine room of `sweep` and
//! `compare`.
//!
//! Every finished run is appended, as one CSV line, to `DIR/.partial/runs.csv` and synced to
//! disk before the next is reported; with timeseries, its days go to their own file first. A
//! manifest records what the batch is (its scenarios and layout), so that `--resume` after Ctrl-C
//! or `kill -9` runs only the (scenario, replicate) pairs that are missing, and refuses to mix in
//! the leftovers of a different batch. The final files are written atomically in (scenario,
//! replicate) order, so an interrupted-then-resumed batch gives the same files, row for row, as an
//! uninterrupted one.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use crate::engine::run_replicate_with;
use crate::export::{csv_bytes, write_atomic};
use crate::metrics::Summary;
use crate::scenario::Scenario;

/// One run of a batch: scenario (point or policy) `item`, replicate `replicate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunKey {
    pub item: usize,
    pub replicate: u32,
}

/// A finished run: its key, its summary fields as written, and its metric values.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub key: RunKey,
    /// The full CSV line (without newline) as it appears in `runs.csv`.
    pub line: String,
    pub metrics: [f64; 12],
}

/// A batch of runs sharing an output folder.
pub struct Batch<'a> {
    pub dir: PathBuf,
    /// One scenario per item.
    pub scenarios: &'a [Scenario],
    /// The first column of each item's rows (one CSV field: the point number or policy name).
    pub lead: Vec<String>,
    /// Header of the first column (`point` or `policy`).
    pub lead_header: &'static str,
    /// Columns after `seed` for each item (CSV text, e.g. the point's axis values), or empty.
    pub extra: Vec<String>,
    /// Header of those columns (CSV text), or empty.
    pub extra_header: String,
    /// What the batch is; a resumed batch must have the same.
    pub manifest: String,
    pub keep_timeseries: bool,
}

fn partial_dir(dir: &Path) -> PathBuf {
    dir.join(".partial")
}

impl Batch<'_> {
    /// The header of `runs.csv`.
    pub fn header(&self) -> String {
        let mut h = format!("{},replicate,seed", self.lead_header);
        if !self.extra_header.is_empty() {
            h.push(',');
            h.push_str(&self.extra_header);
        }
        for m in Summary::METRICS {
            h.push(',');
            h.push_str(m);
        }
        h
    }

    /// Prepares the folder: a fresh start, or (with `resume`) the runs already done.
    pub fn open(&self, resume: bool) -> Result<BTreeMap<RunKey, RunRow>> {
        let partial = partial_dir(&self.dir);
        let manifest = partial.join("manifest.txt");
        if partial.exists() {
            let previous = fs::read_to_string(&manifest).unwrap_or_default();
            if !resume {
                bail!(
                    "{} holds an interrupted batch; run again with --resume to finish it, or \
                     remove {} to start over",
                    self.dir.display(),
                    partial.display()
                );
            }
            if previous != self.manifest {
                bail!(
                    "the interrupted batch in {} was a different sweep or comparison (its scenarios \
                     or layout changed); remove {} to start over",
                    self.dir.display(),
                    partial.display()
                );
            }
            return self.read_done();
        }
        fs::create_dir_all(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        write_atomic(&manifest, self.manifest.as_bytes())?;
        Ok(BTreeMap::new())
    }

    /// Runs already recorded; a torn last line (from a kill mid-write) is dropped.
    fn read_done(&self) -> Result<BTreeMap<RunKey, RunRow>> {
        let path = partial_dir(&self.dir).join("runs.csv");
        let text = fs::read_to_string(&path).unwrap_or_default();
        let mut done = BTreeMap::new();
        // Recorded lines are `item,` followed by the row as it goes in runs.csv.
        let expected_fields = 1 + csv_fields(&self.header());
        for line in text.split_inclusive('\n') {
            let Some(line) = line.strip_suffix('\n') else {
                break; // torn write
            };
            if let Some(row) = parse_row(line, expected_fields) {
                let ts = self.timeseries_part(row.key);
                if !self.keep_timeseries || ts.exists() {
                    done.insert(row.key, row);
                }
            }
        }
        Ok(done)
    }

    fn timeseries_part(&self, key: RunKey) -> PathBuf {
        partial_dir(&self.dir).join(format!("ts-{}-{}.csv", key.item, key.replicate))
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
        progress.skip(keys.len() - todo.len());
        let path = partial_dir(&self.dir).join("runs.csv");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        // Appends are serialised; each run's sync to disk is not, so workers do not queue on it.
        let append = Mutex::new(());
        // With enough runs to keep every thread busy, each run steps on one thread: nesting
        // parallel days inside parallel runs only adds overhead.
        let inner_parallel = todo.len() < 2 * rayon::current_num_threads();
        // One run per task: runs differ in cost (a lively point has many more members), and a
        // task holding many runs cannot be shared once started, leaving a thread idle at the end.
        let rows: Vec<Result<RunRow>> = todo
            .par_iter()
            .with_max_len(1)
            .map(|&key| {
                let s = &self.scenarios[key.item];
                let rep = run_replicate_with(s, key.replicate, inner_parallel, &mut |_| {});
                if self.keep_timeseries {
                    let mut bytes = csv_bytes(&rep.series)?;
                    // Prefix every line with the item column; the header is written once later.
                    let text = String::from_utf8(std::mem::take(&mut bytes))?;
                    let lead = &self.lead[key.item];
                    let body: String = text
                        .lines()
                        .skip(1)
                        .map(|l| format!("{lead},{l}\n"))
                        .collect();
                    write_atomic(&self.timeseries_part(key), body.as_bytes())?;
                }
                let row = self.row(key, s.seed, &rep.summary);
                let line = format!("{},{}\n", key.item, row.line);
                {
                    let _turn = append.lock().expect("no panics while appending");
                    (&file).write_all(line.as_bytes())?;
                }
                file.sync_data()?;
                progress.tick();
                Ok(row)
            })
            .collect();
        for row in rows {
            let row = row?;
            done.insert(row.key, row);
        }
        Ok(())
    }

    fn row(&self, key: RunKey, seed: u64, summary: &Summary) -> RunRow {
        let mut line = format!("{},{},{}", self.lead[key.item], key.replicate, seed);
        let extra = &self.extra[key.item];
        if !extra.is_empty() {
            line.push(',');
            line.push_str(extra);
        }
        for f in summary.fields() {
            line.push(',');
            line.push_str(&f);
        }
        RunRow {
            key,
            line,
            metrics: summary.values(),
        }
    }

    /// Writes `runs.csv` (and `timeseries.csv`) in key order, then removes the partial state.
    pub fn finish(&self, done: &BTreeMap<RunKey, RunRow>) -> Result<()> {
        let mut runs = self.header();
        runs.push('\n');
        for row in done.values() {
            runs.push_str(&row.line);
            runs.push('\n');
        }
        write_atomic(&self.dir.join("runs.csv"), runs.as_bytes())?;
        if self.keep_timeseries {
            let header =
                csv_bytes::<crate::metrics::DayRecord>(&[crate::metrics::DayRecord::default()])?;
            let header = String::from_utf8(header)?;
            let mut ts = format!(
                "{},{}\n",
                self.lead_header,
                header.lines().next().unwrap_or("")
            );
            for key in done.keys() {
                ts.push_str(&fs::read_to_string(self.timeseries_part(*key))?);
            }
            write_atomic(&self.dir.join("timeseries.csv"), ts.as_bytes())?;
        }
        Ok(())
    }

    /// Removes the partial state once every final file is written.
    pub fn clean(&self) -> Result<()> {
        let partial = partial_dir(&self.dir);
        fs::remove_dir_all(&partial).with_context(|| format!("cannot remove {}", partial.display()))
    }
}

/// The values of summary metric `m` (an index into `Summary::METRICS`) over the recorded runs of
/// item `item`, in replicate order.
pub fn metric_values(done: &BTreeMap<RunKey, RunRow>, item: usize, m: usize) -> Vec<f64> {
    let from = RunKey { item, replicate: 0 };
    let to = RunKey {
        item,
        replicate: u32::MAX,
    };
    done.range(from..=to).map(|(_, r)| r.metrics[m]).collect()
}

/// Number of fields of a CSV line.
pub fn csv_fields(line: &str) -> usize {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map_or(0, |r| r.len())
}

/// One value as a CSV field (quoted when it must be).
pub fn csv_field(value: &str) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record([value]).expect("in memory");
    String::from_utf8(w.into_inner().expect("in memory"))
        .expect("utf-8")
        .trim_end()
        .to_string()
}

/// Reads a recorded line back: `item,` then the runs.csv row (lead, replicate, seed, ...,
/// metrics); the metrics are its last 12 fields.
fn parse_row(recorded: &str, expected_fields: usize) -> Option<RunRow> {
    let (item, line) = recorded.split_once(',')?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(recorded.as_bytes());
    let record = reader.records().next()?.ok()?;
    if record.len() != expected_fields {
        return None;
    }
    let key = RunKey {
        item: item.parse().ok()?,
        replicate: record.get(2)?.parse().ok()?,
    };
    let mut metrics = [0.0; 12];
    let first = record.len() - 12;
    for (i, m) in metrics.iter_mut().enumerate() {
        *m = record.get(first + i)?.parse().ok()?;
    }
    Some(RunRow {
        key,
        line: line.to_string(),
        metrics,
    })
}

/// Progress of a batch: a bar on a terminal, a plain line every few seconds otherwise.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    done: Mutex<(u64, Instant, Instant)>,
    what: String,
}

impl Progress {
    pub fn new(total: u64, what: &str) -> Progress {
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| crate::run::progress_bar(total, what));
        let now = Instant::now();
        Progress {
            bar,
            total,
            done: Mutex::new((0, now, now)),
            what: what.to_string(),
        }
    }

    /// Counts runs found already done (on resume).
    fn skip(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
            bar.reset_eta();
        }
        self.done.lock().expect("progress").0 += n as u64;
    }

    fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        let mut d = self.done.lock().expect("progress");
        d.0 += 1;
        let (done, start, last) = *d;
        if last.elapsed() >= Duration::from_secs(5) || done == self.total {
            d.2 = Instant::now();
            let rate = done as f64 / start.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "{done}/{} {} ({:.0}%), {:.1}/s",
                self.total,
                self.what,
                100.0 * done as f64 / self.total.max(1) as f64,
                rate
            );
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
