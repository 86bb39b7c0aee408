//! A sweep split into the tasks of a job array, and the tasks merged into the files a single
//! machine would have written.

use std::path::Path;

use anyhow::Result;

use super::{Checked, Sweep};
use crate::batch::tasks::{self, Plan, TaskOutcome, TaskSpec};
use crate::batch::Options;

impl Sweep {
    /// Runs task `spec` of this sweep (read from `file`) into its own part of `dir`.
    pub fn run_task(
        &self,
        dir: &Path,
        file: &Path,
        spec: TaskSpec,
        options: Options,
        checked: &Checked,
    ) -> Result<TaskOutcome> {
        let scenario = |p: usize| self.scenario(p).map_err(anyhow::Error::from);
        // A task writes no final files: its staging is never used.
        let part = Some(tasks::part_name(spec));
        let batch = self.batch(dir, dir, &scenario, &options, checked, part);
        tasks::run_task(&batch, "sweep", file, spec, &self.keys(), options.announce)
    }

    /// Gathers the finished tasks' runs of `folder` and writes the sweep's outputs into its
    /// staging; refuses while a task is missing or a part is of another sweep.
    pub fn merge(
        &self,
        folder: &crate::folder::ResultsFolder,
        plan: &Plan,
        checked: &Checked,
    ) -> Result<Option<String>> {
        let options = Options::for_merge(plan.timeseries);
        let gathered = tasks::gather(
            folder.dir(),
            plan,
            &self.manifest(plan.timeseries),
            &self.keys(),
        )?;
        let scenario = |p: usize| self.scenario(p).map_err(anyhow::Error::from);
        let mut batch = self.batch(
            folder.dir(),
            folder.staging(),
            &scenario,
            &options,
            checked,
            None,
        );
        batch.timeseries_from = Some(gathered.timeseries);
        self.finish(&batch, &gathered.runs, folder.staging())
    }
}

/// Task numbers as a comma-separated list (Slurm's `--array` syntax).
pub fn list(tasks: &[usize]) -> String {
    tasks
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
