//! A comparison split into the tasks of a job array, and the tasks merged into the files a
//! single machine would have written.

use std::path::Path;

use anyhow::Result;

use super::Comparison;
use crate::batch::tasks::{self, Plan, TaskOutcome, TaskSpec};
use crate::batch::Options;

impl Comparison {
    /// Runs task `spec` of this comparison (read from `file`) into its own part of `dir`.
    pub fn run_task(
        &self,
        dir: &Path,
        file: &Path,
        spec: TaskSpec,
        options: Options,
    ) -> Result<TaskOutcome> {
        let scenario = |p: usize| Ok(self.scenarios[p].clone());
        // A task writes no final files: its staging is never used.
        let part = Some(tasks::part_name(spec));
        let batch = self.batch(dir, dir, &scenario, &options, part);
        let keys = self.keys(self.replicates);
        tasks::run_task(&batch, "compare", file, spec, &keys, options.announce)
    }

    /// Gathers the finished tasks' runs of `folder` and writes the comparison's outputs into its
    /// staging.
    pub fn merge(
        &self,
        folder: &crate::folder::ResultsFolder,
        plan: &Plan,
    ) -> Result<super::Outcome> {
        let options = Options::for_merge(plan.timeseries);
        let keys = self.keys(self.replicates);
        let gathered = tasks::gather(folder.dir(), plan, &self.manifest(plan.timeseries), &keys)?;
        let scenario = |p: usize| Ok(self.scenarios[p].clone());
        let mut batch = self.batch(folder.dir(), folder.staging(), &scenario, &options, None);
        batch.timeseries_from = Some(gathered.timeseries);
        let (results, robust) = self.finish(&batch, &gathered.runs, folder.staging())?;
        Ok(super::Outcome {
            results,
            separation: super::Separation::NotAsked,
            robust,
            flows: self.flows(&gathered.runs),
        })
    }
}
