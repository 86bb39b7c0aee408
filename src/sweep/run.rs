//! Running a sweep's batch and writing its outputs: `runs.csv`, `points.csv` and, for a
//! sensitivity design, `sensitivity.csv`.

use std::path::Path;

use super::{analysis, display_value, Checked, Sweep};

impl Sweep {
    /// The batch of this sweep's runs, recording in `.partial` or in task `part`'s own part.
    pub(crate) fn batch<'a>(
        &'a self,
        dir: &Path,
        staging: &Path,
        scenario: &'a (dyn Fn(usize) -> anyhow::Result<crate::scenario::Scenario> + Sync),
        options: &crate::batch::Options,
        checked: &Checked,
        part: Option<String>,
    ) -> crate::batch::Batch<'a> {
        crate::batch::Batch {
            dir: dir.to_path_buf(),
            staging: staging.to_path_buf(),
            scenario,
            max_bytes: checked.max_bytes,
            lead: (0..self.points.len()).map(|p| p.to_string()).collect(),
            lead_header: "point",
            extra: self
                .points
                .iter()
                .enumerate()
                .map(|(p, vals)| {
                    let mut row: Vec<String> = vals.iter().map(|v| display_value(v)).collect();
                    row.extend(self.placement_cells(p));
                    row
                })
                .collect(),
            extra_header: self
                .axes
                .iter()
                .map(|a| a.key.clone())
                .chain(self.placement_header().iter().map(|h| h.to_string()))
                .collect(),
            manifest: self.manifest(options.timeseries),
            keep_timeseries: options.timeseries,
            timeseries_extra: 0,
            budget: options.budget,
            part,
            timeseries_from: None,
        }
    }

    /// Every (point, replicate) of the sweep, in key order.
    pub(crate) fn keys(&self) -> Vec<crate::batch::RunKey> {
        (0..self.points.len())
            .flat_map(|item| {
                (0..self.replicates).map(move |replicate| crate::batch::RunKey { item, replicate })
            })
            .collect()
    }

    /// Runs every (point, replicate) not yet done, and writes `runs.csv`, `points.csv` (and
    /// `timeseries.csv`) to `dir`; for a sensitivity design, `sensitivity.csv` too, and returns
    /// the ranking of axes by influence on each metric.
    pub fn run(
        &self,
        folder: &crate::folder::ResultsFolder,
        options: crate::batch::Options,
        checked: &Checked,
    ) -> anyhow::Result<Option<String>> {
        let scenario = |p: usize| self.scenario(p).map_err(anyhow::Error::from);
        let batch = self.batch(
            folder.dir(),
            folder.staging(),
            &scenario,
            &options,
            checked,
            None,
        );
        let mut done = batch.open(options.resume)?;
        let keys = self.keys();
        let progress = crate::batch::Progress::new(keys.len() as u64, "runs");
        if options.announce {
            progress.announce();
        }
        batch.run(&keys, &mut done, &progress)?;
        progress.finish();
        // Only this sweep's replicates, whatever else a damaged record claimed.
        done.retain(|k, _| k.replicate < self.replicates);
        self.finish(&batch, &done, folder.staging())
    }

    /// Writes the outputs of a complete set of runs into `staging`.
    pub(crate) fn finish(
        &self,
        batch: &crate::batch::Batch,
        done: &std::collections::BTreeMap<crate::batch::RunKey, crate::batch::RunRow>,
        staging: &Path,
    ) -> anyhow::Result<Option<String>> {
        batch.finish(done)?;
        write_points(staging, &batch.extra_header, &batch.extra, done)?;
        let Some(placement) = &self.placement else {
            return Ok(None);
        };
        let per_point = |i: usize| -> Vec<Vec<f64>> {
            (0..self.points.len())
                .map(|p| crate::batch::metric_values(done, p, i))
                .collect()
        };
        let table = analysis::analyse(self, placement, &per_point);
        crate::export::write_atomic(
            &staging.join("sensitivity.csv"),
            &analysis::csv(self, &table)?,
        )?;
        Ok(Some(analysis::ranking(self, &table)))
    }
}

/// `points.csv`: per point, its columns, then per metric the mean, sd and 95% interval over its
/// replicates.
fn write_points(
    staging: &Path,
    extra_header: &[String],
    extra: &[Vec<String>],
    done: &std::collections::BTreeMap<crate::batch::RunKey, crate::batch::RunRow>,
) -> anyhow::Result<()> {
    use crate::metrics::Metrics;
    let mut header = vec!["point".to_string()];
    header.extend(extra_header.iter().cloned());
    for m in Metrics::NAMES {
        for stat in ["mean", "sd", "ci_low", "ci_high"] {
            header.push(format!("{m}_{stat}"));
        }
    }
    let rows = extra.iter().enumerate().map(|(p, extra)| {
        let mut row = vec![p.to_string()];
        row.extend(extra.iter().cloned());
        for i in 0..Metrics::NAMES.len() {
            let e = crate::stats::estimate(&crate::batch::metric_values(done, p, i));
            row.extend([e.mean, e.sd, e.ci_low, e.ci_high].map(crate::export::cell));
        }
        row
    });
    crate::export::write_atomic(
        &staging.join("points.csv"),
        &crate::export::csv_table(&header, rows)?,
    )
}
