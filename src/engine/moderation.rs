//! The moderate pass: questions get answered (by members, else by moderators within the capacity
//! left after reviewing ads), moderators catch today's ads up to their capacity, warn and kick
//! their posters; meetup seats are given out among those who asked.

use super::member::milestones;
use super::questions::Spare;
use super::state::{Chunk, Flags, Status, Today};
use super::tally::{segment_day, DayTally, GroupCounts};
use crate::model::levers::{
    catch_probability, moderator_answer_probability, peer_answer_probability,
};
use crate::population::Population;
use crate::rng::{DayStream, Decision, Draws};
use crate::scenario::Coefficients;

/// What the moderate pass reads.
pub struct Moderation<'a> {
    pub k: &'a Coefficients,
    pub pop: &'a Population,
    /// Ads posted today in each group.
    pub ads_per_group: &'a [u32],
    /// Posts the moderators of each group can review today.
    pub capacity: &'a [u64],
    /// What each group can answer today.
    pub answers: &'a [Answers],
    pub day: u32,
    pub draws: DayStream,
    /// Probability that a member who wants a meetup seat gets one.
    pub seat_chance: f64,
}

/// The moderate pass over one chunk: answers, catches, warnings and kicks; meetup seats.
/// Returns the kicks and the end-of-day contributions of the kicked, to be taken off the day's
/// tally.
pub fn moderate(c: &mut Chunk, m: &Moderation, counts: &mut GroupCounts) -> DayTally {
    let mut t = DayTally::default();
    let wanted = Today::ADVERT | Today::WANTS_MEETUP | Today::ASKED;
    for local in 0..c.len() {
        let did = c.today[local];
        if !did.intersects(wanted) || c.status[local] != Status::Member {
            continue;
        }
        let i = c.start + local as u32;
        let d = m.draws.agent(i);
        if did.contains(Today::WANTS_MEETUP) && d.chance(Decision::MeetupSeat, m.seat_chance) {
            c.last_meetup[local] = (m.day + 1).min(u16::MAX as u32) as u16;
        }
        if did.contains(Today::ASKED) {
            answer(c, local, m, &d, &mut t, counts);
        }
        if did.contains(Today::ADVERT) && m.k.moderation.ads_banned {
            review_ad(c, local, m, &d, &mut t, counts);
        }
    }
    t
}

/// A question: answered by the members, or else by a moderator with the capacity left.
#[inline(always)]
fn answer(
    c: &mut Chunk,
    local: usize,
    m: &Moderation,
    d: &Draws,
    t: &mut DayTally,
    counts: &mut GroupCounts,
) {
    let g = c.group[local] as usize;
    let u = d.uniform(Decision::Answer);
    // One draw: the members answer below their probability; a moderator in the rest of the
    // interval, in proportion to its probability.
    let peer = m.answers[g].peer as f64;
    let answered = u < peer + (1.0 - peer) * m.answers[g].staff;
    if answered {
        c.flags[local] |= Flags::ANSWERED;
        let today = m.day as u16;
        c.life[local] = c.life[local].answered(today, today);
        counts.answered[g] += 1;
        counts.staff_answered[g] += (u >= peer) as u32;
        t.answered += 1;
    } else {
        c.flags[local] |= Flags::UNANSWERED;
        t.unanswered.push((c.start + local as u32, g as u32));
    }
}

/// An ad under review: caught within capacity, warned, and kicked after enough warnings.
#[inline(always)]
fn review_ad(
    c: &mut Chunk,
    local: usize,
    m: &Moderation,
    d: &Draws,
    t: &mut DayTally,
    counts: &mut GroupCounts,
) {
    let rules = &m.k.moderation;
    let g = c.group[local] as usize;
    let p = catch_probability(m.capacity[g], m.ads_per_group[g] as u64);
    if !d.chance(Decision::Moderation, p) {
        return;
    }
    counts.ads_removed[g] += 1;
    c.warnings[local] = c.warnings[local].saturating_add(1);
    if c.warnings[local] as u32 <= rules.kick_after {
        return;
    }
    let i = c.start as usize + local;
    t.end.count(
        c.commitment[local],
        &c.satisfaction[local],
        &m.pop.needs[i],
        c.today[local],
        milestones(c, local, m.day),
    );
    c.status[local] = Status::Kicked;
    c.view_next.set(local, false, false);
    t.kicks += 1;
    counts.departures[g] += 1;
    counts.kicks[g] += 1;
    counts.seed_departures[g] += c.flags[local].contains(Flags::SEED) as u32;
    segment_day(&mut t.segments, m.pop.segment[i]).kicks += 1;
}

/// What a group can answer today: the probability that the members answer a question, that a
/// moderator (or the team) answers one they left, and what both have to spare for questions
/// asked on earlier days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answers {
    pub peer: f32,
    pub staff: f64,
    pub spare: Spare,
}

/// The operating team's answers today in each group it staffs: within its time, for any
/// question; past it (overtime), for questions of earlier days only.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TeamAnswers {
    pub within: u64,
    pub overtime: u64,
}

/// Per group, given the capacity left after reviewing the day's ads.
///
/// Members answer with their own genuine posts of the day: each post that is not itself a
/// question answers one with probability `peer_answer`, so a group where few write leaves its
/// questions to the staff. What is left over (more answers than the day's questions, capacity
/// beyond what the members left) and the team's overtime go to waiting questions.
pub fn answers(
    k: &Coefficients,
    capacity: &[u64],
    team_answers: TeamAnswers,
    decided: &GroupCounts,
) -> Vec<Answers> {
    let w = &k.weights;
    (0..capacity.len())
        .map(|g| {
            let questions = GroupCounts::of(&decided.questions, g);
            let other_posts = GroupCounts::of(&decided.posts, g) - questions;
            let peer = peer_answer_probability(w.peer_answer, other_posts, questions);
            let ads = GroupCounts::of(&decided.ads, g) as u64;
            let reviewed = if k.moderation.ads_banned {
                ads.min(capacity[g])
            } else {
                0
            };
            let q = questions as f64;
            let left = q * (1.0 - peer as f64);
            let team = if k.team.staffs(k.community.tier(g)) {
                team_answers
            } else {
                TeamAnswers::default()
            };
            let staff_capacity = capacity[g] - reviewed + team.within;
            Answers {
                peer,
                staff: moderator_answer_probability(staff_capacity, left),
                spare: Spare {
                    peer: (w.peer_answer as f64 * other_posts as f64 - q * peer as f64).max(0.0),
                    staff: (staff_capacity as f64 - left).max(0.0) + team.overtime as f64,
                },
            }
        })
        .collect()
}
