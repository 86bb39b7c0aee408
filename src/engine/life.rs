//! Members' posting lives over the run, kept as the real launches are measured: when each day's
//! questions were answered, each week's posters, and each month's posters by the month of their
//! first post; at the end, the per-member tallies of founders and joiners. The figures
//! themselves are computed by `metrics`.

use rayon::prelude::*;

use super::state::{Flags, State};
use crate::metrics::{
    month_of, newcomer_rows, poster_cohort_rows, week_rows, AnswerLedger, DayRecord, LifeTally,
    NewcomerRow, PosterCohortRow, PosterRow, WeekPosters, WeekRow,
};

/// What the run keeps of its members' posting lives beyond each agent's own.
#[derive(Debug, Clone, Default)]
pub struct Lives {
    /// When each day's questions were answered.
    pub answers: AnswerLedger,
    /// Each week's posters.
    pub week_posters: Vec<WeekPosters>,
    /// `months[who][c][m]`: of the founders (0) or joiners (1) whose first post came in month
    /// c + 1, those who posted in month m + 1, for the months over so far.
    months: [Vec<Vec<u64>>; 2],
}

/// The posting-life tables of a finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeTables {
    pub weekly: Vec<WeekRow>,
    pub posters: Vec<PosterRow>,
    pub newcomers: Vec<NewcomerRow>,
    pub poster_cohorts: Vec<PosterCohortRow>,
}

impl Lives {
    /// At the end of month `month`: the posters of each earlier month's cohort who posted in it.
    pub fn close_month(&mut self, state: &State, chunk: usize, month: u32) {
        let counts = month_pass(state, chunk, month);
        for (who, by_cohort) in counts.into_iter().enumerate() {
            let table = &mut self.months[who];
            table.resize(month as usize, Vec::new());
            for (c, n) in by_cohort.into_iter().enumerate() {
                table[c].resize(month as usize, 0);
                table[c][month as usize - 1] = n;
            }
        }
    }

    /// The tables of a run of `days` days, from the state at its end and its daily series.
    pub fn tables(
        &self,
        state: &State,
        replicate: u32,
        days: u32,
        series: &[DayRecord],
    ) -> LifeTables {
        let [founders, joiners] = life_tallies(state, days);
        let all = founders.merged(&joiners);
        let groups = [
            ("all", &all),
            ("founders", &founders),
            ("joiners", &joiners),
        ];
        LifeTables {
            weekly: week_rows(replicate, series, &self.week_posters, &self.answers),
            posters: groups
                .iter()
                .map(|(name, t)| PosterRow::of(replicate, name, t))
                .collect(),
            newcomers: groups
                .iter()
                .flat_map(|(name, t)| newcomer_rows(replicate, name, t))
                .collect(),
            poster_cohorts: poster_cohort_rows(replicate, &self.months, month_of(days + 1) - 1),
        }
    }
}

/// At the end of month `month` (1-based): of the founders (`[0]`) and the joiners (`[1]`), how
/// many posted in it, by the month of their first post (index 0 for month 1).
fn month_pass(state: &State, chunk: usize, month: u32) -> [Vec<u64>; 2] {
    let months = month as usize;
    let zero = || [vec![0u64; months], vec![0u64; months]];
    state
        .life
        .par_chunks(chunk)
        .zip(state.flags.par_chunks(chunk))
        .map(|(lives, flags)| {
            let mut counts = zero();
            for (life, flags) in lives.iter().zip(flags) {
                if life.last > 0 && month_of(life.last as u32) == month {
                    let who = !flags.contains(Flags::SEED) as usize;
                    counts[who][month_of(life.first as u32) as usize - 1] += 1;
                }
            }
            counts
        })
        .reduce(zero, |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                for (u, v) in x.iter_mut().zip(y) {
                    *u += v;
                }
            }
            a
        })
}

/// The posting lives of everyone who was a member during the run of `days` days: the founders'
/// (`[0]`) and the joiners' (`[1]`).
fn life_tallies(state: &State, days: u32) -> [LifeTally; 2] {
    let mut tallies = [LifeTally::default(), LifeTally::default()];
    for i in 0..state.len() {
        let flags = state.flags[i];
        if flags.contains(Flags::EVER_MEMBER) {
            let who = !flags.contains(Flags::SEED) as usize;
            tallies[who].add(
                state.life[i],
                flags.contains(Flags::FIRST_REPLIED),
                state.posts[i],
                days,
            );
        }
    }
    tallies
}
