//! The run's tables beside its series, from passes over the state: at each week's end, the join
//! cohorts still in and active (the retention triangle); at the end of the run, where the
//! prospects stopped (the funnel) and what each segment did.

use rayon::prelude::*;

use super::state::{Flags, State, Status};
use super::tally::{FunnelDay, SegmentDay};
use crate::metrics::{CohortRow, FunnelRow, SegmentRow, WeekPosters};
use crate::population::needs::{satisfaction, NEEDS};
use crate::population::Population;

/// What the simulation counts day by day for the funnel and the segments.
#[derive(Debug, Clone, Default)]
pub struct RunCounts {
    pub funnel: FunnelDay,
    pub joined: u64,
    pub eligible_30: u64,
    pub retained_30: u64,
    pub active_30: u64,
    pub eligible_90: u64,
    pub retained_90: u64,
    pub renewed: u64,
    pub quit: u64,
    pub kicked: u64,
    /// Joins by segment.
    pub joined_by_segment: Vec<u64>,
    /// Quits, kicks and ads by segment.
    pub segments: Vec<SegmentDay>,
}

/// Members (not seed members) of each join cohort at the end of week `week` (0-based), those of
/// them who visited and who posted during it; and the week's posters, everyone who posted in it
/// whether still a member or not. Then the week's marks are cleared for the next.
pub fn week_pass(state: &mut State, chunk: usize, week: u32) -> (Vec<[u64; 3]>, WeekPosters) {
    let cohorts = week as usize + 1;
    let start = (7 * week + 1) as u16;
    let (chunks, _) = state.chunks(chunk);
    let zero = || (vec![[0u64; 3]; cohorts], WeekPosters::default());
    chunks
        .into_par_iter()
        .map(|c| {
            let (mut counts, mut posters) = zero();
            for local in 0..c.len() {
                let flags = c.flags[local];
                let life = c.life[local];
                if life.last >= start {
                    posters.active += 1;
                    posters.active_founders += flags.contains(Flags::SEED) as u64;
                    posters.new += (life.first >= start) as u64;
                }
                let member = c.status[local] == Status::Member;
                if member && !flags.contains(Flags::SEED) && c.join_day[local] > 0 {
                    let cohort = (c.join_day[local] as usize - 1) / 7;
                    let row = &mut counts[cohort.min(cohorts - 1)];
                    row[0] += 1;
                    row[1] += flags.contains(Flags::VISITED_WEEK) as u64;
                    row[2] += flags.contains(Flags::POSTED_WEEK) as u64;
                }
                c.flags[local] = flags - (Flags::VISITED_WEEK | Flags::POSTED_WEEK);
            }
            (counts, posters)
        })
        .reduce(zero, |(mut a, mut p), (b, q)| {
            for (x, y) in a.iter_mut().zip(b) {
                for k in 0..3 {
                    x[k] += y[k];
                }
            }
            p.active += q.active;
            p.active_founders += q.active_founders;
            p.new += q.new;
            (a, p)
        })
}

/// The rows of the retention triangle for week `week`: every cohort so far that has joiners,
/// seen at its end (a week nobody joined has nothing to retain, and a long run of few joiners
/// would otherwise write a row for every pair of weeks).
pub fn cohort_rows(
    replicate: u32,
    week: u32,
    counts: &[[u64; 3]],
    joins_by_day: &[u64],
) -> Vec<CohortRow> {
    (0..=week)
        .map(|cohort| {
            let first = 7 * cohort as usize + 1;
            let last = (first + 7).min(joins_by_day.len());
            let c = counts.get(cohort as usize).copied().unwrap_or_default();
            CohortRow {
                replicate,
                cohort_week: cohort,
                week: week - cohort,
                size: joins_by_day[first.min(last)..last].iter().sum(),
                members: c[0],
                active: c[1],
                posters: c[2],
            }
        })
        .filter(|row| row.size > 0)
        .collect()
}

/// The funnel from the final state (who was exposed, who considered, why those who never
/// joined did not) and the counts of the run.
pub fn funnel(state: &State, replicate: u32, counts: &RunCounts) -> FunnelRow {
    // exposed, considered, rejected, turned away, declined for price
    let mut tally = [0u64; 5];
    for &flags in &state.flags {
        if flags.contains(Flags::SEED) || !flags.contains(Flags::EXPOSED) {
            continue;
        }
        tally[0] += 1;
        if !flags.contains(Flags::CONSIDERED) {
            continue;
        }
        tally[1] += 1;
        if flags.contains(Flags::EVER_MEMBER) {
            continue;
        }
        let reason = if flags.contains(Flags::REJECTED) {
            2
        } else if flags.contains(Flags::TURNED_AWAY) {
            3
        } else {
            4
        };
        tally[reason] += 1;
    }
    let f = &counts.funnel;
    FunnelRow {
        replicate,
        exposed: tally[0],
        exposed_ads: f.exposed[0],
        exposed_word_of_mouth: f.exposed[1],
        exposed_referral: f.exposed[2],
        considered: tally[1],
        declined_no_need: tally[0] - tally[1],
        declined_price: tally[4],
        rejected_review: tally[2],
        turned_away_full: tally[3],
        joined: counts.joined,
        activated: f.activated,
        first_post: f.first_posts,
        eligible_30: counts.eligible_30,
        retained_30: counts.retained_30,
        active_30: counts.active_30,
        eligible_90: counts.eligible_90,
        retained_90: counts.retained_90,
        renewed: counts.renewed,
        quit: counts.quit,
        kicked: counts.kicked,
    }
}

/// Sums over a segment's members at the end: members, commitment, and per need the
/// satisfaction and the members who have the need; and posts over everyone who was a member.
#[derive(Debug, Clone, Default)]
struct SegmentEnd {
    members: u64,
    commitment: f64,
    satisfaction: [f64; NEEDS],
    with_need: [u64; NEEDS],
    posts: u64,
}

/// One row per segment: its events over the run and its members at the end.
pub fn segment_rows(
    state: &State,
    pop: &Population,
    names: &[String],
    replicate: u32,
    counts: &RunCounts,
) -> Vec<SegmentRow> {
    let mut end = vec![SegmentEnd::default(); names.len()];
    for i in 0..state.len() {
        let seg = &mut end[pop.segment[i] as usize];
        if state.flags[i].contains(Flags::EVER_MEMBER) {
            seg.posts += state.posts[i] as u64;
        }
        if state.status[i] != Status::Member {
            continue;
        }
        seg.members += 1;
        seg.commitment += state.commitment[i] as f64;
        for k in 0..NEEDS {
            if pop.needs[i][k] > 0 {
                seg.satisfaction[k] += satisfaction(state.satisfaction[i][k]) as f64;
                seg.with_need[k] += 1;
            }
        }
    }
    let mean = |sum: f64, n: u64| (n > 0).then(|| (sum / n as f64 * 1e6).round() / 1e6);
    names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let e = &end[k];
            let events = counts.segments.get(k).copied().unwrap_or_default();
            let sat = |n: usize| mean(e.satisfaction[n], e.with_need[n]);
            SegmentRow {
                replicate,
                segment: name.clone(),
                joined: counts.joined_by_segment.get(k).copied().unwrap_or(0),
                members_final: e.members,
                quit: events.quits,
                kicked: events.kicks,
                posts: e.posts,
                ads: events.ads,
                mean_commitment: mean(e.commitment, e.members),
                sat_service: sat(0),
                sat_work: sat(1),
                sat_contact: sat(2),
                sat_friendship: sat(3),
                sat_life: sat(4),
                sat_belonging: sat(5),
                sat_promotion: sat(6),
                sat_learning: sat(7),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_nobody_joined_have_no_cohort_rows() {
        // Day 0, then three weeks: joiners on days 2 and 3 (week 0) and day 16 (week 2).
        let mut joins = vec![0u64; 22];
        (joins[2], joins[3], joins[16]) = (4, 1, 2);
        let counts = [[5, 3, 1], [0, 0, 0], [2, 2, 0]];
        let rows = cohort_rows(7, 2, &counts, &joins);
        let seen: Vec<(u32, u32, u64, u64)> = rows
            .iter()
            .map(|r| (r.cohort_week, r.week, r.size, r.members))
            .collect();
        assert_eq!(seen, [(0, 2, 5, 5), (2, 0, 2, 2)]);
        assert!(rows.iter().all(|r| r.replicate == 7));
    }
}
