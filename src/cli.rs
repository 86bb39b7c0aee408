//! The command line: `agora run`, `agora check`, `agora init`.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::run::{default_out_dir, describe, progress_bar, run_all, write_outputs};
use crate::scenario::{load_file, resolved_toml, Override};

/// agora simulates how a community grows or dies under an operator's strategy.
#[derive(Debug, Parser)]
#[command(name = "agora", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write timeseries.csv, summary.csv and scenario.toml.
    Run(RunArgs),
    /// Validate a scenario and print it with every default filled in.
    Check(CheckArgs),
    /// Write a commented starter scenario NAME.toml in the current folder.
    Init {
        /// Name of the new scenario (also its file name).
        name: String,
    },
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
    /// Output folder [default: results/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Days to simulate (overrides `days`).
    #[arg(long)]
    pub days: Option<u32>,
    /// Replicates (overrides `replicates`).
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub overrides: Overrides,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    #[command(flatten)]
    pub overrides: Overrides,
}

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => {
            let s = load_file(&args.file, &args.overrides.set)?;
            print!("{}", resolved_toml(&s));
            Ok(())
        }
        Command::Init { name } => init(&name),
    }
}

fn run(args: RunArgs) -> Result<()> {
    let mut overrides = args.overrides.set.clone();
    let flag = |key: &str, value: Option<String>| {
        value.map(|value| Override {
            key: key.to_string(),
            value,
        })
    };
    overrides.extend(flag("seed", args.seed.map(|v| v.to_string())));
    overrides.extend(flag("days", args.days.map(|v| v.to_string())));
    overrides.extend(flag("replicates", args.replicates.map(|v| v.to_string())));
    let scenario = load_file(&args.file, &overrides)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&scenario));
    let pool = thread_pool(args.threads)?;
    let bar = progress_bar(
        scenario.replicates as u64 * scenario.days as u64,
        "replicate-days",
    );
    let runs = pool.install(|| run_all(&scenario, &bar));
    bar.finish_and_clear();
    write_outputs(&scenario, &runs, &out)?;
    println!(
        "{}: {} replicate(s) of {} days, {} agents -> {}",
        scenario.name,
        scenario.replicates,
        scenario.days,
        scenario.population.size,
        out.display()
    );
    for r in &runs {
        println!("{}", describe(&r.summary, scenario.days));
    }
    Ok(())
}

/// A rayon pool of `threads` workers (all cores when None).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    if threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")
}

const STARTER: &str = include_str!("scenario/starter.toml");

fn init(name: &str) -> Result<()> {
    if name.is_empty() || name.contains(['/', '\\', '"']) {
        bail!("`{name}` cannot be a scenario name: use letters, digits and dashes");
    }
    let path = PathBuf::from(format!("{name}.toml"));
    if path.exists() {
        bail!(
            "{} already exists; choose another name or remove it",
            path.display()
        );
    }
    let text = STARTER.replace("name = \"my-community\"", &format!("name = \"{name}\""));
    crate::export::write_atomic(&path, text.as_bytes())?;
    println!(
        "wrote {} — try: agora run {}",
        path.display(),
        path.display()
    );
    Ok(())
}
