//! agora: an agent-based simulator of community growth.
//!
//! Data flows one way: [`scenario`] (the file as read → a validated `Scenario` → engine-ready
//! `Coefficients`) → [`population`] (who the prospects are) → [`engine`] (day after day, using
//! the rules of [`model`] and the streams of [`rng`]) → [`metrics`] (series and summary) →
//! [`export`] (CSV). [`run`] drives replicates, [`batch`] the runs of [`sweep`] and [`compare`],
//! [`memory`] plans what fits, and [`cli`] is the command line. The model is documented in
//! `docs/MODEL.md`; `docs/ARCHITECTURE.md` says where to add a key, a mechanism, a metric or a
//! command.

// The model's arithmetic runs over fixed-size need and level arrays indexed in parallel
// (needs, satisfaction, pulls, values); index loops say that more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

/// Prints a line to standard output as `println!` does, except that a reader gone away
/// (`agora run … | head`) is no reason to stop or panic: the line is dropped and the work goes
/// on, since what matters is written to the results folder.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// [`say!`] for text that brings its own line ends (a TOML file, a table): printed as given.
#[macro_export]
macro_rules! say_text {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

pub mod batch;
pub mod calibrate;
pub mod cli;
pub mod cluster;
pub mod compare;
pub mod engine;
pub mod export;
pub mod folder;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod population;
pub mod progress;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod sensitivity;
pub mod stamp;
pub mod stats;
pub mod sweep;
