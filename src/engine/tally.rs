//! Bookkeeping of a day: what each worker of a parallel pass counts (per group and in all), how
//! the counts of workers are combined in a fixed order, and the run-long ledgers (exposure by
//! member ties, 30-day retention).

use rayon::prelude::*;

use super::state::{Chunk, Today};
use crate::population::needs::{satisfaction, LEVELS, LEVEL_OF, NEEDS};

/// What happened in each group today, counted by one worker of a parallel pass (integers:
/// workers' counts are summed in any order). Per-worker arrays rather than shared atomics keep
/// the commonest events of the day free of locked instructions.
#[derive(Debug, Clone, Default)]
pub struct GroupCounts {
    pub visitors: Vec<u32>,
    /// Visitors who had never posted (this membership), seed members aside.
    pub silent_visitors: Vec<u32>,
    pub posts: Vec<u32>,
    /// Genuine posts by members who are not seed members (what keeps a group alive).
    pub member_posts: Vec<u32>,
    pub ads: Vec<u32>,
    /// Ads caught and removed by moderators.
    pub ads_removed: Vec<u32>,
    /// Members who left the group: quit or kicked.
    pub departures: Vec<u32>,
    /// Of them, seed members.
    pub seed_departures: Vec<u32>,
    /// Members kicked from the group.
    pub kicks: Vec<u32>,
    /// Questions asked.
    pub questions: Vec<u32>,
    /// Questions answered (by members or moderators).
    pub answered: Vec<u32>,
    /// Of them, answered by moderators or the team: content beside the members' posts.
    pub staff_answered: Vec<u32>,
}

impl GroupCounts {
    pub fn new(groups: usize) -> GroupCounts {
        GroupCounts {
            visitors: vec![0; groups],
            silent_visitors: vec![0; groups],
            posts: vec![0; groups],
            member_posts: vec![0; groups],
            ads: vec![0; groups],
            ads_removed: vec![0; groups],
            departures: vec![0; groups],
            seed_departures: vec![0; groups],
            kicks: vec![0; groups],
            questions: vec![0; groups],
            answered: vec![0; groups],
            staff_answered: vec![0; groups],
        }
    }

    fn add(&mut self, o: &GroupCounts) {
        for (mine, theirs) in [
            (&mut self.visitors, &o.visitors),
            (&mut self.silent_visitors, &o.silent_visitors),
            (&mut self.posts, &o.posts),
            (&mut self.member_posts, &o.member_posts),
            (&mut self.ads, &o.ads),
            (&mut self.ads_removed, &o.ads_removed),
            (&mut self.departures, &o.departures),
            (&mut self.seed_departures, &o.seed_departures),
            (&mut self.kicks, &o.kicks),
            (&mut self.questions, &o.questions),
            (&mut self.answered, &o.answered),
            (&mut self.staff_answered, &o.staff_answered),
        ] {
            for (x, y) in mine.iter_mut().zip(theirs) {
                *x += y;
            }
        }
    }

    /// The count of group `g` in `v`; groups opened by today's admissions have none yet.
    pub fn of(v: &[u32], g: usize) -> u32 {
        v.get(g).copied().unwrap_or(0)
    }
}

/// End-of-day counts and sums over members.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemberTally {
    pub members: u64,
    pub absent: u64,
    pub lurkers: u64,
    pub posters: u64,
    pub advertisers: u64,
    /// Members who have muted the group.
    pub muted: u64,
    /// Dormant members: their interest lapsed.
    pub dormant: u64,
    pub commitment: f64,
    pub satisfaction: [f64; LEVELS],
    /// Members with at least one need on each level.
    pub with_need: [u64; LEVELS],
    /// Joiners of exactly 30 days ago still members today.
    pub retained: u64,
    /// Of them, those who visited in the last 7 days.
    pub active_30: u64,
    /// Joiners of exactly 90 days ago still members today.
    pub retained_90: u64,
}

/// Where a member stands today in its tenure, for the funnel: a bit per milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Milestones(u8);

impl Milestones {
    const RETAINED_30: u8 = 1;
    const ACTIVE_30: u8 = 2;
    const RETAINED_90: u8 = 4;

    /// The milestones of a member (not a seed) who joined on `join_day`, is a member at the
    /// end of `day`, and last visited on `last_visit` (0: never).
    #[inline(always)]
    pub fn of(seed: bool, join_day: u16, last_visit: u16, day: u32) -> Milestones {
        if seed || day < 30 {
            return Milestones(0);
        }
        let joined = join_day as u32;
        let mut m = 0;
        if joined == day - 30 {
            m |= Self::RETAINED_30;
            if last_visit as u32 + 6 >= day && last_visit > 0 {
                m |= Self::ACTIVE_30;
            }
        }
        if day >= 90 && joined == day - 90 {
            m |= Self::RETAINED_90;
        }
        Milestones(m)
    }
}

impl MemberTally {
    /// Counts one member at the end of the day. Satisfaction counts on a level only for a
    /// member who has a need there, as the mean over its needs on that level. (Accumulating in
    /// place, rather than building a tally per member and adding it, keeps the hot loop free of
    /// a store-forwarding stall.)
    #[inline(always)]
    pub fn count(
        &mut self,
        commitment: f32,
        sat: &[u16; NEEDS],
        needs: &[u8; NEEDS],
        did: Today,
        milestones: Milestones,
    ) {
        let visited = did.contains(Today::VISITED);
        let advert = did.contains(Today::ADVERT);
        let posted = did.contains(Today::POSTED);
        self.members += 1;
        self.absent += !visited as u64;
        self.lurkers += (visited && !advert && !posted) as u64;
        self.posters += posted as u64;
        self.advertisers += advert as u64;
        self.muted += did.contains(Today::MUTED) as u64;
        self.dormant += did.contains(Today::DORMANT) as u64;
        self.commitment += commitment as f64;
        if crate::model::has_need(needs) {
            let mut level_sum = [0.0f64; LEVELS];
            let mut level_n = [0u32; LEVELS];
            for k in 0..NEEDS {
                if needs[k] > 0 {
                    level_sum[LEVEL_OF[k]] += satisfaction(sat[k]) as f64;
                    level_n[LEVEL_OF[k]] += 1;
                }
            }
            for l in 0..LEVELS {
                if level_n[l] > 0 {
                    self.satisfaction[l] += level_sum[l] / level_n[l] as f64;
                    self.with_need[l] += 1;
                }
            }
        }
        let m = milestones.0;
        self.retained += (m & Milestones::RETAINED_30 != 0) as u64;
        self.active_30 += (m & Milestones::ACTIVE_30 != 0) as u64;
        self.retained_90 += (m & Milestones::RETAINED_90 != 0) as u64;
    }

    pub fn add(&mut self, o: &MemberTally) {
        self.members += o.members;
        self.absent += o.absent;
        self.lurkers += o.lurkers;
        self.posters += o.posters;
        self.advertisers += o.advertisers;
        self.muted += o.muted;
        self.dormant += o.dormant;
        self.commitment += o.commitment;
        for l in 0..LEVELS {
            self.satisfaction[l] += o.satisfaction[l];
            self.with_need[l] += o.with_need[l];
        }
        self.retained += o.retained;
        self.active_30 += o.active_30;
        self.retained_90 += o.retained_90;
    }

    pub fn sub(&mut self, o: &MemberTally) {
        self.members -= o.members;
        self.absent -= o.absent;
        self.lurkers -= o.lurkers;
        self.posters -= o.posters;
        self.advertisers -= o.advertisers;
        self.muted -= o.muted;
        self.dormant -= o.dormant;
        self.commitment -= o.commitment;
        for l in 0..LEVELS {
            self.satisfaction[l] -= o.satisfaction[l];
            self.with_need[l] -= o.with_need[l];
        }
        self.retained -= o.retained;
        self.active_30 -= o.active_30;
        self.retained_90 -= o.retained_90;
    }
}

/// Member-tie counts kept apart in the exposure ledger; more ties fall in the last bin.
pub const TIE_BINS: usize = 9;

/// Outsiders exposed for the first time, and those of them who decided to join then, by number
/// of members among their ties (the last bin holds `TIE_BINS - 1` or more). Well-mixed
/// populations have no ties: everyone is counted at 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExposureLedger {
    pub exposed: [u64; TIE_BINS],
    pub joining: [u64; TIE_BINS],
}

impl ExposureLedger {
    pub fn add(&mut self, o: &ExposureLedger) {
        for k in 0..TIE_BINS {
            self.exposed[k] += o.exposed[k];
            self.joining[k] += o.joining[k];
        }
    }
}

/// How an outsider was first exposed to the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The community's ads.
    Ad = 0,
    /// A member's own recommendation.
    WordOfMouth = 1,
    /// A recommendation a referral reward brought about.
    Referral = 2,
}

/// The funnel's events of a day: first exposures by channel and prospects who considered
/// joining for the first time; joiners who reached their first visit and first post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FunnelDay {
    pub exposed: [u64; 3],
    pub considered: u64,
    pub activated: u64,
    pub first_posts: u64,
}

impl FunnelDay {
    pub fn add(&mut self, o: &FunnelDay) {
        for k in 0..3 {
            self.exposed[k] += o.exposed[k];
        }
        self.considered += o.considered;
        self.activated += o.activated;
        self.first_posts += o.first_posts;
    }
}

/// What a segment's members did in a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentDay {
    pub quits: u64,
    pub kicks: u64,
    pub ads: u64,
}

/// Counts of one segment, growing the list as segments are met.
#[inline(always)]
pub fn segment_day(segments: &mut Vec<SegmentDay>, segment: u8) -> &mut SegmentDay {
    let s = segment as usize;
    if segments.len() <= s {
        segments.resize(s + 1, SegmentDay::default());
    }
    &mut segments[s]
}

/// What one chunk of agents did in a day.
#[derive(Debug, Default)]
pub struct DayTally {
    pub end: MemberTally,
    pub ad_exposures: u64,
    pub quits: u64,
    pub kicks: u64,
    pub posts: u64,
    pub ads: u64,
    pub renewals: u64,
    pub purchases: u64,
    pub meetup_wanting: u64,
    pub questions: u64,
    pub answered: u64,
    /// Questions of earlier days answered today.
    pub answered_late: u64,
    /// Members who never posted nudged by the team today.
    pub nudges: u64,
    /// Of them, members who wrote in the group on that visit.
    pub nudges_answered: u64,
    /// The operator's promotional posts today, over all groups.
    pub promotions: u64,
    pub joiners: Vec<u32>,
    /// Askers whose question went unanswered today, with their group, in agent order.
    pub unanswered: Vec<(u32, u32)>,
    /// First exposures of the day, by member ties.
    pub exposure: ExposureLedger,
    pub funnel: FunnelDay,
    /// By segment (as long as the largest segment met).
    pub segments: Vec<SegmentDay>,
}

impl DayTally {
    pub fn add(&mut self, o: DayTally) {
        self.end.add(&o.end);
        self.ad_exposures += o.ad_exposures;
        self.quits += o.quits;
        self.kicks += o.kicks;
        self.posts += o.posts;
        self.ads += o.ads;
        self.renewals += o.renewals;
        self.purchases += o.purchases;
        self.meetup_wanting += o.meetup_wanting;
        self.questions += o.questions;
        self.answered += o.answered;
        self.answered_late += o.answered_late;
        self.nudges += o.nudges;
        self.nudges_answered += o.nudges_answered;
        self.joiners.extend(o.joiners);
        self.unanswered.extend(o.unanswered);
        self.exposure.add(&o.exposure);
        self.funnel.add(&o.funnel);
        for (k, seg) in o.segments.iter().enumerate() {
            let mine = segment_day(&mut self.segments, k as u8);
            mine.quits += seg.quits;
            mine.kicks += seg.kicks;
            mine.ads += seg.ads;
        }
    }
}

/// What one worker of a parallel pass accumulates: each chunk's tally (kept apart, to be
/// summed in chunk order, so floating-point sums do not depend on the threads) and its counts
/// per group.
struct Pass {
    tallies: Vec<(u32, DayTally)>,
    groups: GroupCounts,
}

impl Pass {
    fn new(groups: usize) -> Pass {
        Pass {
            tallies: Vec::new(),
            groups: GroupCounts::new(groups),
        }
    }

    fn merge(mut a: Pass, b: Pass) -> Pass {
        a.tallies.extend(b.tallies);
        a.groups.add(&b.groups);
        a
    }
}

/// Runs `work` on every chunk, across threads when `parallel`; the chunks' tallies come back
/// in agent order, with the per-group counts.
pub fn run_pass<F>(
    chunks: Vec<Chunk>,
    groups: usize,
    parallel: bool,
    work: F,
) -> (Vec<DayTally>, GroupCounts)
where
    F: Fn(&mut Chunk, &mut GroupCounts) -> DayTally + Sync,
{
    let step = |mut acc: Pass, mut c: Chunk| {
        let t = work(&mut c, &mut acc.groups);
        acc.tallies.push((c.start, t));
        acc
    };
    let mut pass = if parallel {
        chunks
            .into_par_iter()
            .fold(|| Pass::new(groups), step)
            .reduce(|| Pass::new(groups), Pass::merge)
    } else {
        chunks.into_iter().fold(Pass::new(groups), step)
    };
    pass.tallies.sort_by_key(|(start, _)| *start);
    let tallies = pass.tallies.into_iter().map(|(_, t)| t).collect();
    (tallies, pass.groups)
}
