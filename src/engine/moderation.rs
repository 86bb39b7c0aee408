//! The moderate pass: moderators catch today's ads up to their capacity, warn and kick their
//! posters; meetup seats are given out among those who asked.

use super::member::milestones;
use super::state::{Chunk, Flags, Status, Today};
use super::tally::{segment_day, DayTally, GroupCounts};
use crate::model::levers::catch_probability;
use crate::population::Population;
use crate::rng::{DayStream, Decision};
use crate::scenario::Coefficients;

/// What the moderate pass reads.
pub struct Moderation<'a> {
    pub k: &'a Coefficients,
    pub pop: &'a Population,
    /// Ads posted today in each group.
    pub ads_per_group: &'a [u32],
    pub day: u32,
    pub draws: DayStream,
    /// Probability that a member who wants a meetup seat gets one.
    pub seat_chance: f64,
}

/// The moderate pass over one chunk: catches, warnings and kicks; meetup seats. Returns the
/// kicks and the end-of-day contributions of the kicked, to be taken off the day's tally.
pub fn moderate(c: &mut Chunk, m: &Moderation, counts: &mut GroupCounts) -> DayTally {
    let mut t = DayTally::default();
    let rules = &m.k.moderation;
    for local in 0..c.len() {
        let did = c.today[local];
        if !did.intersects(Today::ADVERT | Today::WANTS_MEETUP) || c.status[local] != Status::Member
        {
            continue;
        }
        let i = c.start + local as u32;
        let d = m.draws.agent(i);
        if did.contains(Today::WANTS_MEETUP) && d.chance(Decision::MeetupSeat, m.seat_chance) {
            c.last_meetup[local] = (m.day + 1).min(u16::MAX as u32) as u16;
        }
        if !did.contains(Today::ADVERT) || !rules.ads_banned {
            continue;
        }
        let g = c.group[local] as usize;
        let p = catch_probability(rules.capacity, m.ads_per_group[g] as u64);
        if !d.chance(Decision::Moderation, p) {
            continue;
        }
        counts.ads_removed[g] += 1;
        c.warnings[local] = c.warnings[local].saturating_add(1);
        if c.warnings[local] as u32 > rules.kick_after {
            t.end.count(
                c.commitment[local],
                &c.satisfaction[local],
                &m.pop.needs[i as usize],
                did,
                milestones(c, local, m.day),
            );
            c.status[local] = Status::Kicked;
            c.view_next.set(local, false, false);
            t.kicks += 1;
            counts.departures[g] += 1;
            counts.seed_departures[g] += c.flags[local].contains(Flags::SEED) as u32;
            segment_day(&mut t.segments, m.pop.segment[i as usize]).kicks += 1;
        }
    }
    t
}
