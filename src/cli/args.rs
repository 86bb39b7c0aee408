//! The command line as clap reads it: the commands and their options (doc comments are the
//! help).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::scenario::Override;

/// agora simulates how a community grows or dies under an operator's strategy.
#[derive(Debug, Parser)]
#[command(name = "agora", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write its results (the daily series, the summary, the funnel, groups,
    /// cohorts, segments, the posting lives and the resolved scenario; see docs/OUTPUTS.md).
    Run(RunArgs),
    /// Validate a scenario and print it with every default filled in.
    Check(CheckArgs),
    /// Run a parameter sweep: every point of a design over scenario keys, with replicates.
    Sweep(SweepArgs),
    /// Compare policies on the same seeds and rank them with confidence intervals.
    Compare(CompareArgs),
    /// Calibrate scenario keys to observed data by ABC-SMC; see docs/CALIBRATION.md.
    Calibrate(CalibrateArgs),
    /// List the done, running and missing tasks of a split batch in DIR, and how to run the
    /// missing ones.
    Status {
        /// The results folder the tasks write into.
        dir: PathBuf,
    },
    /// Print a script that submits a sweep or comparison to Slurm (an array of tasks, then its
    /// merge), or a calibration (an array and a merge for each round of proposals).
    Slurm {
        /// Sweep, comparison or calibration file (TOML).
        file: PathBuf,
        /// Output folder, on a filesystem every node shares [default: results/<its name>/].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Tasks in the array [default: one per 20 runs, at most 1000].
        #[arg(long, value_name = "N")]
        tasks: Option<usize>,
        /// Most tasks running at once (Slurm's `%K` throttle) [default: no limit].
        #[arg(long, value_name = "K")]
        max_running: Option<usize>,
        /// The tasks also keep every run's daily series, merged into one timeseries.csv.
        #[arg(long)]
        timeseries: bool,
    },
    /// Gather the finished tasks of a split batch in DIR into its result files (a split
    /// calibration: merge its round, and finish a generation or ask for another round).
    Merge {
        /// The results folder the tasks write into.
        dir: PathBuf,
    },
    /// Write DIR/report.html: the results of DIR as one self-contained page; see docs/REPORT.md.
    Report {
        /// A results folder written by `agora run`, `sweep`, `compare` or `calibrate`.
        dir: PathBuf,
    },
    /// Write a commented starter scenario NAME.toml in the current folder.
    Init {
        /// Name of the new scenario (also its file name).
        name: String,
    },
    /// List every scenario key with its type, default, range, unit and meaning.
    Keys {
        /// Print the key tables of docs/SCENARIO.md (markdown) instead of a plain list.
        #[arg(long)]
        markdown: bool,
        /// Only this table, e.g. `population.segments` (with --markdown; `""` is the top level).
        table: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct Memory {
    /// Most memory agora may use, e.g. 8GiB [default: what the machine has available].
    #[arg(long, value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub max_memory: Option<u64>,
}

/// The options of every command that writes a results folder.
#[derive(Debug, Args)]
pub struct Output {
    /// Output folder [default: results/<the scenario's `name`>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: the cores this process may use, at most SLURM_CPUS_PER_TASK].
    /// Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also write report.html: the results as one self-contained page (see docs/REPORT.md).
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub memory: Memory,
}

#[derive(Debug, Args)]
pub struct Overrides {
    /// Override a scenario key before validation, e.g. --set entry.fee=49 (repeatable).
    /// The value is read as TOML, or as plain text when it is not TOML.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Override>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// Master seed (overrides `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Days to simulate (overrides `days`), from 1 to 36,500.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=crate::scenario::MAX_DAYS as i64))]
    pub days: Option<u32>,
    /// Replicates (overrides `replicates`), from 1 to 1,000,000.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=crate::scenario::MAX_REPLICATES as i64))]
    pub replicates: Option<u32>,
    /// Also print the simulation's speed (set-up and days, output excluded) in agent-days per
    /// second, and the process's peak memory.
    #[arg(long)]
    pub bench: bool,
    #[command(flatten)]
    pub overrides: Overrides,
    #[command(flatten)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    #[command(flatten)]
    pub overrides: Overrides,
    #[command(flatten)]
    pub memory: Memory,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep file (TOML); see docs/SWEEPS.md.
    pub file: PathBuf,
    /// Finish an interrupted sweep: run only the runs not yet recorded.
    #[arg(long)]
    pub resume: bool,
    /// Also write every run's daily series to one long timeseries.csv.
    #[arg(long)]
    pub timeseries: bool,
    #[command(flatten)]
    pub split: Split,
    #[command(flatten)]
    pub output: Output,
}

/// Splitting a batch into the tasks of a job array (see docs/CLUSTER.md).
#[derive(Debug, Args)]
pub struct Split {
    /// Split the runs (of a calibration: each round of proposals) into this many tasks
    /// [default: the job array's size, where the engine gives it: SLURM_ARRAY_TASK_COUNT].
    #[arg(long, value_name = "N")]
    pub tasks: Option<usize>,
    /// Run only this task, 0 to N − 1 [default: SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or
    /// AWS_BATCH_JOB_ARRAY_INDEX]; then `agora merge DIR` once all are done.
    #[arg(long, value_name = "I")]
    pub task: Option<usize>,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Calibration file (TOML); see docs/CALIBRATION.md.
    pub file: PathBuf,
    /// Finish an interrupted calibration from its last finished generation.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub split: Split,
    #[command(flatten)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Comparison file (TOML); see docs/SWEEPS.md.
    pub file: PathBuf,
    /// Finish an interrupted comparison.
    #[arg(long)]
    pub resume: bool,
    /// Add replicates (up to `max_replicates`) until the best policy's paired difference to the
    /// runner-up excludes zero.
    #[arg(long)]
    pub until_separated: bool,
    /// Also write every run's daily series to one long timeseries.csv, with a `policy` column.
    #[arg(long)]
    pub timeseries: bool,
    #[command(flatten)]
    pub split: Split,
    #[command(flatten)]
    pub output: Output,
}
