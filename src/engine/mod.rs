//! The engine: one replicate of a scenario, day after day.
//!
//! A day is synchronous and two-phase. Every decision on day t reads only the state at the end of
//! day t-1: each agent's own arrays, yesterday's `view` of everyone (member? advocate?), and the
//! group aggregates computed from yesterday. All decisions are then applied together:
//!
//! 1. **decide** (`joining`, `member`; parallel over fixed chunks of agents): outsiders are
//!    exposed and decide to join; members renew, quit, or visit, and visitors lurk, post,
//!    advertise, buy, or ask for a meetup seat. Each agent writes only its own entries.
//! 2. **moderate** (`moderation`; parallel, only when there is something to do): moderators
//!    catch today's ads up to their capacity, warn and kick; meetup seats are given out.
//! 3. **admit** (`simulation`; sequential, in agent order): today's joiners are seated in the
//!    lowest-numbered group with room; when all are full a new group opens (fission), up to
//!    `max_groups`.
//! 4. **publish** (`simulation`): group aggregates and everyone's view become tomorrow's
//!    "yesterday".
//!
//! The engine reads only the scenario's `Coefficients`, and the decision rules are the pure
//! functions of `model`; `tally` holds the day's bookkeeping, and the run's summary is computed
//! by `metrics`. `groups` keeps each group's life (and whether it is alive), `tables` the passes
//! over the state that give the retention triangle, the funnel and the segments.
//!
//! Every random draw comes from `rng::Draws` keyed by (seed, replicate, agent, day, decision),
//! chunk boundaries are fixed, and tallies are summed in chunk order, so results are
//! byte-identical whatever the number of threads.

mod admission;
mod groups;
mod joining;
mod life;
mod member;
mod moderation;
mod muting;
mod questions;
mod replies;
mod seats;
mod simulation;
mod state;
mod tables;
mod tally;
mod team;

pub use life::LifeTables;
pub use simulation::{RunTables, Simulation};
pub use state::{State, STATE_BYTES_PER_AGENT};
pub use tally::{ExposureLedger, TIE_BINS};

use crate::metrics::{DayRecord, Summary};
use crate::scenario::Scenario;

/// The outputs of one replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Replicate {
    /// Day 0 (before the first step) to `days`.
    pub series: Vec<DayRecord>,
    pub summary: Summary,
    /// Funnel, groups, cohorts and segments.
    pub tables: RunTables,
}

/// Runs replicate `replicate` of `scenario` to the end; `on_day` is called after each day.
pub fn run_replicate(
    scenario: &Scenario,
    replicate: u32,
    on_day: &mut dyn FnMut(u32),
) -> Replicate {
    run_replicate_with(scenario, replicate, true, on_day)
}

/// As [`run_replicate`]; `parallel = false` steps each day on the calling thread only, for
/// callers that run many replicates at once. The results are identical.
pub fn run_replicate_with(
    scenario: &Scenario,
    replicate: u32,
    parallel: bool,
    on_day: &mut dyn FnMut(u32),
) -> Replicate {
    let mut sim = Simulation::new(scenario, replicate);
    sim.set_parallel(parallel);
    let mut series = Vec::with_capacity(scenario.days() as usize + 1);
    series.push(sim.record_day0());
    for _ in 0..scenario.days() {
        let record = sim.step();
        on_day(record.day);
        series.push(record);
    }
    let tables = sim.tables(&series);
    let summary = sim.summary(&series, &tables);
    Replicate {
        series,
        summary,
        tables,
    }
}
