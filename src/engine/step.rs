//! The two-phase day: decide (parallel), moderate (parallel), admit (sequential), publish.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::state::{flag, status, today, Chunk, State, View};
use crate::metrics::{inequality, DayRecord, Summary};
use crate::model::activity::{
    advert_probability, post_probability, visit_probability, PostDrivers,
};
use crate::model::join::{joins, promise, recommend_probability, social_proof};
use crate::model::levers::{
    badge_standing, catch_probability, events_on, reward_paid, reward_per_post, rewards_over,
    service_coverage, EventDay,
};
use crate::model::tenure::{felt_fee, quit_hazard, quit_threshold, renew_probability};
use crate::model::value::{
    meetup_bond, utility, visit_cost, visit_values, GroupYesterday, ValueParams, VisitorSituation,
};
use crate::model::{ema, saturating};
use crate::population::needs::{
    intensity, need, pulls, quantize_satisfaction, satisfaction, LEVELS, LEVEL_OF, NEEDS,
};
use crate::population::Population;
use crate::rng::{DayStream, Decision, RunStream, Setup};
use crate::scenario::{AdsRule, EntryKind, EventKind, Scenario};

/// Agents per chunk of the parallel passes: a sixteenth of the population, between 512 and
/// 8192, in whole 64-agent words of the view. It depends on the population size only, never on
/// the number of threads, so that sums are taken in the same order whatever the thread count.
pub fn chunk_size(agents: usize) -> usize {
    (agents / 16).clamp(512, 8192).div_ceil(64) * 64
}

/// Scenario coefficients in the form the hot loop uses.
struct Params {
    value: ValueParams,
    offer: [f32; NEEDS],
    gamma: f32,
    aversion: Vec<f32>,
    capacity: u64,
    ads_banned: bool,
    entry: EntryKind,
    fee: f32,
    advocacy: f32,
    offline_value: f32,
    offline_persistence: f32,
}

impl Params {
    fn new(s: &Scenario) -> Params {
        let offer = s.community.offer.to_array().map(|x| x as f32);
        let b = &s.behavior;
        let offline = s.events.iter().filter(|e| e.kind == EventKind::Offline);
        Params {
            value: ValueParams {
                offer,
                half_saturation: s.community.half_saturation as f32,
                half_audience: s.community.half_audience as f32,
                attention: s.community.attention as f32,
                reply_value: b.reply_value as f32,
                audience_value: b.audience_value as f32,
                service_value: s.rules.service_value as f32,
                overload_cost: b.overload_cost as f32,
                ad_half_load: b.ad_half_load as f32,
            },
            offer,
            gamma: s.community.prepotency as f32,
            aversion: s
                .population
                .segments
                .iter()
                .map(|g| g.ad_aversion as f32)
                .collect(),
            capacity: s.rules.moderators_per_group as u64 * s.rules.reviews_per_moderator as u64,
            ads_banned: s.rules.ads == AdsRule::Banned,
            entry: s.entry.kind,
            fee: s.entry.fee as f32,
            advocacy: s.acquisition.advocacy_threshold as f32,
            offline_value: offline.clone().map(|e| e.value as f32).fold(0.0, f32::max),
            offline_persistence: offline
                .map(|e| e.persistence_days as f32)
                .fold(1.0, f32::max),
        }
    }
}

/// What happened in each group today, counted by one worker of a parallel pass (integers:
/// workers' counts are summed in any order). Per-worker arrays rather than shared atomics keep
/// the commonest events of the day free of locked instructions.
#[derive(Debug, Clone, Default)]
struct GroupCounts {
    visitors: Vec<u32>,
    posts: Vec<u32>,
    ads: Vec<u32>,
    /// Ads caught by moderators.
    removed: Vec<u32>,
    /// Members who quit or were kicked.
    gone: Vec<u32>,
}

impl GroupCounts {
    fn new(groups: usize) -> GroupCounts {
        GroupCounts {
            visitors: vec![0; groups],
            posts: vec![0; groups],
            ads: vec![0; groups],
            removed: vec![0; groups],
            gone: vec![0; groups],
        }
    }

    fn add(&mut self, o: &GroupCounts) {
        for (mine, theirs) in [
            (&mut self.visitors, &o.visitors),
            (&mut self.posts, &o.posts),
            (&mut self.ads, &o.ads),
            (&mut self.removed, &o.removed),
            (&mut self.gone, &o.gone),
        ] {
            for (x, y) in mine.iter_mut().zip(theirs) {
                *x += y;
            }
        }
    }

    /// The count of group `g` in `v`; groups opened by today's admissions have none yet.
    fn of(v: &[u32], g: usize) -> u32 {
        v.get(g).copied().unwrap_or(0)
    }
}

/// A member's contribution to the end-of-day counts and means.
#[derive(Debug, Clone, Copy, Default)]
struct MemberTally {
    members: u64,
    absent: u64,
    lurkers: u64,
    posters: u64,
    advertisers: u64,
    commitment: f64,
    satisfaction: [f64; LEVELS],
    /// Members with at least one need on each level.
    with_need: [u64; LEVELS],
    retained: u64,
}

impl MemberTally {
    /// Counts one member at the end of the day. Satisfaction counts on a level only for a
    /// member who has a need there, as the mean over its needs on that level. (Accumulating in
    /// place, rather than building a tally per member and adding it, keeps the hot loop free of
    /// a store-forwarding stall.)
    #[inline(always)]
    fn count(
        &mut self,
        commitment: f32,
        sat: &[u16; NEEDS],
        needs: &[u8; NEEDS],
        today_bits: u8,
        retained: bool,
    ) {
        let visited = today_bits & today::VISITED != 0;
        let advert = today_bits & today::ADVERT != 0;
        let posted = today_bits & today::POSTED != 0;
        self.members += 1;
        self.absent += !visited as u64;
        self.lurkers += (visited && !advert && !posted) as u64;
        self.posters += posted as u64;
        self.advertisers += advert as u64;
        self.commitment += commitment as f64;
        if *needs != [0; NEEDS] {
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
        self.retained += retained as u64;
    }

    fn add(&mut self, o: &MemberTally) {
        self.members += o.members;
        self.absent += o.absent;
        self.lurkers += o.lurkers;
        self.posters += o.posters;
        self.advertisers += o.advertisers;
        self.commitment += o.commitment;
        for l in 0..LEVELS {
            self.satisfaction[l] += o.satisfaction[l];
            self.with_need[l] += o.with_need[l];
        }
        self.retained += o.retained;
    }

    fn sub(&mut self, o: &MemberTally) {
        self.members -= o.members;
        self.absent -= o.absent;
        self.lurkers -= o.lurkers;
        self.posters -= o.posters;
        self.advertisers -= o.advertisers;
        self.commitment -= o.commitment;
        for l in 0..LEVELS {
            self.satisfaction[l] -= o.satisfaction[l];
            self.with_need[l] -= o.with_need[l];
        }
        self.retained -= o.retained;
    }
}

/// What one chunk of agents did in a day.
#[derive(Debug, Default)]
struct DayTally {
    end: MemberTally,
    ad_exposures: u64,
    quits: u64,
    kicks: u64,
    posts: u64,
    ads: u64,
    renewals: u64,
    purchases: u64,
    meetup_wanting: u64,
    joiners: Vec<u32>,
    /// Exposed outsiders by number of member ties (capped), and those of them who decided to join.
    exposed_by_ties: [u64; TIE_BINS],
    joining_by_ties: [u64; TIE_BINS],
}

/// Member-tie counts kept apart in the exposure ledger; more ties fall in the last bin.
pub const TIE_BINS: usize = 9;

impl DayTally {
    fn add(&mut self, o: DayTally) {
        self.end.add(&o.end);
        self.ad_exposures += o.ad_exposures;
        self.quits += o.quits;
        self.kicks += o.kicks;
        self.posts += o.posts;
        self.ads += o.ads;
        self.renewals += o.renewals;
        self.purchases += o.purchases;
        self.meetup_wanting += o.meetup_wanting;
        self.joiners.extend(o.joiners);
        for k in 0..TIE_BINS {
            self.exposed_by_ties[k] += o.exposed_by_ties[k];
            self.joining_by_ties[k] += o.joining_by_ties[k];
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

    /// Runs `work` on every chunk, across threads when `parallel`; the chunk tallies come back
    /// in agent order.
    fn run<F>(
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
}

/// Everything the decide pass reads: the scenario and yesterday's world.
struct Env<'a> {
    s: &'a Scenario,
    p: &'a Params,
    pop: &'a Population,
    view: &'a View,
    groups: &'a [GroupYesterday],
    day: u32,
    draws: DayStream,
    /// Members' share of the population yesterday (social proof when well-mixed).
    member_share: f32,
    /// Reward a poster can expect per post today.
    reward_today: f32,
    /// Reward paid per post yesterday.
    reward_yesterday: f32,
    rewards_over: bool,
    events: EventDay,
}

/// One replicate in progress.
pub struct Simulation<'s> {
    s: &'s Scenario,
    p: Params,
    replicate: u32,
    stream: RunStream,
    pop: Population,
    state: State,
    /// Members of each group now.
    group_members: Vec<u32>,
    /// Each group at the end of yesterday.
    groups: Vec<GroupYesterday>,
    day: u32,
    posts_yesterday: u64,
    /// End-of-day counts and sums over members (`end.members` is the community's size).
    end: MemberTally,
    /// Joiners of each day (seed members excluded), for 30-day retention.
    joins_by_day: Vec<u64>,
    /// Joiners whose 30th day has come, and those of them still members then.
    retention: (u64, u64),
    /// Whether the day's passes are split across threads (the same fixed chunks either way).
    parallel: bool,
    /// Agents per chunk (see [`chunk_size`]).
    chunk: usize,
    /// Exposed outsiders and would-be joiners by member ties, over the run so far.
    ledger: ([u64; TIE_BINS], [u64; TIE_BINS]),
}

impl<'s> Simulation<'s> {
    /// Draws the population and seats the seed members: the state of day 0.
    pub fn new(s: &'s Scenario, replicate: u32) -> Simulation<'s> {
        let stream = RunStream::new(s.seed, replicate);
        let pop = Population::generate(s, &stream);
        let n = pop.size() as usize;
        let mut sim = Simulation {
            s,
            p: Params::new(s),
            replicate,
            stream,
            pop,
            state: State::new(n),
            group_members: Vec::new(),
            groups: Vec::new(),
            day: 0,
            posts_yesterday: 0,
            end: MemberTally::default(),
            joins_by_day: vec![0],
            retention: (0, 0),
            parallel: true,
            chunk: chunk_size(n),
            ledger: ([0; TIE_BINS], [0; TIE_BINS]),
        };
        sim.open_group();
        sim.seat_seed_members();
        sim
    }

    /// Steps over the chunks one after another instead of across threads: for batches that
    /// already keep every thread busy with whole runs. Results are identical either way.
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
    }

    fn open_group(&mut self) -> u32 {
        self.group_members.push(0);
        self.groups.push(GroupYesterday {
            coverage: service_coverage(self.p.capacity, 0, 0),
            ..Default::default()
        });
        (self.groups.len() - 1) as u32
    }

    /// The lowest-numbered group with a free seat, opening one if allowed; None if all are full.
    fn group_with_room(&mut self, cursor: &mut usize) -> Option<u32> {
        let cap = self.s.community.group_cap;
        while *cursor < self.group_members.len() && self.group_members[*cursor] as u64 >= cap {
            *cursor += 1;
        }
        if *cursor < self.group_members.len() {
            return Some(*cursor as u32);
        }
        let may_open = self
            .s
            .community
            .max_groups
            .is_none_or(|m| (self.group_members.len() as u64) < m);
        may_open.then(|| self.open_group())
    }

    fn seat_seed_members(&mut self) {
        let k = self.s.community.seed_members as usize;
        if k == 0 {
            return;
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.stream.setup_seed(Setup::SeedMembers));
        let mut seeds = rand::seq::index::sample(&mut rng, self.pop.size() as usize, k).into_vec();
        seeds.sort_unstable();
        let mut cursor = 0;
        for i in seeds {
            // A founder without needs is no exception to "no need, no action".
            let has_need = self.pop.needs[i].iter().any(|&q| q > 0);
            let c0 = if has_need {
                self.s.community.seed_commitment as f32
            } else {
                0.0
            };
            let g = self
                .group_with_room(&mut cursor)
                .expect("validated: seeds fit the groups");
            let st = &mut self.state;
            st.status[i] = status::MEMBER;
            st.flags[i] = flag::SEED | flag::EVER_MEMBER;
            st.commitment[i] = c0;
            st.group[i] = g;
            st.view.set(i, true, c0 >= self.p.advocacy);
            self.group_members[g as usize] += 1;
            self.end
                .count(c0, &st.satisfaction[i], &self.pop.needs[i], 0, false);
        }
    }

    /// The record of day 0: seed members only, nothing done yet.
    pub fn record_day0(&self) -> DayRecord {
        self.record(&DayTally::default(), 0, 0, 0.0, 0.0)
    }

    fn record(&self, t: &DayTally, joins: u64, removed: u64, revenue: f64, cost: f64) -> DayRecord {
        let e = &self.end;
        // Means are rounded to 6 decimals: the state is kept in f32 and 16-bit fixed point, so
        // further digits would be noise.
        let mean = |x: f64| {
            if e.members == 0 {
                0.0
            } else {
                (x / e.members as f64 * 1e6).round() / 1e6
            }
        };
        let level_mean = |l: usize| {
            if e.with_need[l] == 0 {
                0.0
            } else {
                (e.satisfaction[l] / e.with_need[l] as f64 * 1e6).round() / 1e6
            }
        };
        DayRecord {
            replicate: self.replicate,
            day: self.day,
            members: e.members,
            absent: e.absent,
            lurkers: e.lurkers,
            posters: e.posters,
            advertisers: e.advertisers,
            joins,
            quits: t.quits,
            kicks: t.kicks,
            posts: t.posts,
            ads_posted: t.ads,
            ads_removed: removed,
            groups: self.groups.len() as u64,
            mean_commitment: mean(e.commitment),
            sat_safety: level_mean(0),
            sat_belonging: level_mean(1),
            sat_esteem: level_mean(2),
            sat_self_actualization: level_mean(3),
            revenue,
            cost,
        }
    }

    /// Advances one day and returns its record.
    pub fn step(&mut self) -> DayRecord {
        self.day += 1;
        let day = self.day;
        let s = self.s;
        let re = s.incentives.red_envelope.as_ref();
        let events = events_on(&s.events, day);
        let reward_today = reward_per_post(re, day, self.posts_yesterday as f64) as f32;
        let reward_yesterday = if self.posts_yesterday > 0 {
            (reward_paid(re, day - 1, self.posts_yesterday) / self.posts_yesterday as f64) as f32
        } else {
            0.0
        };
        let draws = self.stream.day(day);

        // 1. decide
        let (chunks, view_prev) = self.state.chunks(self.chunk);
        let env = Env {
            s,
            p: &self.p,
            pop: &self.pop,
            view: view_prev,
            groups: &self.groups,
            day,
            draws,
            member_share: self.end.members as f32 / self.pop.size() as f32,
            reward_today,
            reward_yesterday,
            rewards_over: rewards_over(re, day),
            events,
        };
        let groups = self.groups.len();
        let (tallies, decided) = Pass::run(chunks, groups, self.parallel, |c, counts| {
            decide(c, &env, counts)
        });
        let mut t = DayTally::default();
        for part in tallies {
            t.add(part);
        }
        for k in 0..TIE_BINS {
            self.ledger.0[k] += t.exposed_by_ties[k];
            self.ledger.1[k] += t.joining_by_ties[k];
        }

        // 2. moderate and seat meetups
        let mut moderated = GroupCounts::new(groups);
        let moderating = self.p.ads_banned && self.p.capacity > 0 && t.ads > 0;
        let meeting = events.meetup_seats > 0 && t.meetup_wanting > 0;
        if moderating || meeting {
            let seat_chance =
                (events.meetup_seats as f64 / t.meetup_wanting.max(1) as f64).min(1.0);
            let (chunks, _) = self.state.chunks(self.chunk);
            let ctx = Moderation {
                s,
                pop: &self.pop,
                p: &self.p,
                ads_per_group: &decided.ads,
                day,
                draws,
                seat_chance,
            };
            let (parts, counts) = Pass::run(chunks, groups, self.parallel, |c, counts| {
                moderate(c, &ctx, counts)
            });
            moderated = counts;
            for part in parts {
                t.kicks += part.kicks;
                t.end.sub(&part.end);
            }
        }

        // members who left today free their seats before joiners are admitted
        for (g, members) in self.group_members.iter_mut().enumerate() {
            *members -= GroupCounts::of(&decided.gone, g) + GroupCounts::of(&moderated.gone, g);
        }
        self.end = t.end;

        // 3. admit
        let (joins, referred) = self.admit(&t.joiners);
        self.joins_by_day.push(joins);
        if let Some(cohort_day) = day.checked_sub(30).filter(|&d| d > 0) {
            self.retention.0 += self.joins_by_day[cohort_day as usize];
            self.retention.1 += self.end.retained;
        }

        // 4. publish
        let mut removed = 0u64;
        let mut posts_total = 0u64;
        for g in 0..self.groups.len() {
            let posts = GroupCounts::of(&decided.posts, g) as u64;
            let ads = GroupCounts::of(&decided.ads, g) as u64;
            let gone = GroupCounts::of(&moderated.removed, g) as u64;
            let visitors = GroupCounts::of(&decided.visitors, g);
            removed += gone;
            posts_total += posts;
            let reviewed = if self.p.ads_banned {
                ads.min(self.p.capacity)
            } else {
                0
            };
            self.groups[g] = GroupYesterday {
                posts: posts as f32,
                ads: (ads - gone) as f32,
                visitors: visitors as f32,
                coverage: service_coverage(self.p.capacity, reviewed, posts),
            };
        }
        debug_assert_eq!(posts_total, t.posts);
        self.state.publish_view();
        self.posts_yesterday = t.posts;

        let fees = if self.p.entry == EntryKind::Paid {
            (joins + t.renewals) as f64 * s.entry.fee
        } else {
            0.0
        };
        let m = &s.monetization;
        let revenue = fees + t.purchases as f64 * m.price * m.margin;
        let cost = t.ad_exposures as f64 * s.acquisition.cost_per_exposure
            + reward_paid(re, day, t.posts)
            + referred as f64 * s.incentives.referral_reward
            + events.cost
            + (s.rules.moderators_per_group as f64 * self.groups.len() as f64) * s.rules.daily_cost;
        self.record(&t, joins, removed, revenue, cost)
    }

    /// Seats today's joiners in agent order; returns (admitted, admitted by referral).
    fn admit(&mut self, joiners: &[u32]) -> (u64, u64) {
        let mut cursor = 0usize;
        let (mut joins, mut referred) = (0u64, 0u64);
        let day = self.day;
        for &i in joiners {
            let Some(g) = self.group_with_room(&mut cursor) else {
                break; // every group is full and none may open: the rest are turned away
            };
            let i = i as usize;
            let st = &mut self.state;
            let c0 = st.commitment[i];
            st.status[i] = status::MEMBER;
            st.flags[i] = (st.flags[i] | flag::EVER_MEMBER) & !(flag::POSTED | flag::ADVERTISED);
            st.group[i] = g;
            st.join_day[i] = day as u16;
            st.satisfaction[i] = [0; NEEDS];
            st.warnings[i] = 0;
            st.paid_until[i] = if self.p.entry == EntryKind::Paid {
                (day + self.s.entry.period_days).min(u16::MAX as u32 - 1) as u16
            } else {
                u16::MAX
            };
            st.view_next.set(i, true, c0 >= self.p.advocacy);
            self.group_members[g as usize] += 1;
            self.end
                .count(c0, &st.satisfaction[i], &self.pop.needs[i], 0, false);
            joins += 1;
            referred += (st.today[i] & today::REFERRED != 0) as u64;
        }
        (joins, referred)
    }

    /// Outsiders exposed for the first time, and those of them who decided to join then, by
    /// number of members among their ties (the last bin holds `TIE_BINS - 1` or more), over the
    /// run so far. Well-mixed
    /// populations have no ties: everyone is counted at 0.
    pub fn exposure_ledger(&self) -> ([u64; TIE_BINS], [u64; TIE_BINS]) {
        self.ledger
    }

    /// Agents outside, members, left and kicked, counted from the state arrays.
    pub fn status_counts(&self) -> [u64; 4] {
        let mut counts = [0u64; 4];
        for &st in &self.state.status {
            counts[st as usize] += 1;
        }
        counts
    }

    /// The run's summary from its series and the final state.
    pub fn summary(&self, series: &[DayRecord]) -> Summary {
        let s = self.s;
        let last = series.last().expect("day 0 is always recorded");
        let (peak_day, peak) = series
            .iter()
            .map(|r| (r.day, r.members))
            .fold((0, 0), |best, x| if x.1 > best.1 { x } else { best });
        let window = &series[series.len().saturating_sub(7).max(1).min(series.len() - 1)..];
        let recent_posts = window.iter().map(|r| r.posts as f64).sum::<f64>() / window.len() as f64;
        let floor = s.community.alive_floor;
        let alive = last.members >= floor.members && recent_posts >= floor.posts_per_day;

        let histogram = self.post_histogram();
        let ineq = inequality(&histogram);
        let total_revenue: f64 = series.iter().map(|r| r.revenue).sum();
        let total_cost: f64 = series.iter().map(|r| r.cost).sum();
        Summary {
            replicate: self.replicate,
            seed: s.seed,
            final_members: last.members,
            peak_members: peak,
            peak_day,
            alive: alive as u8,
            retention_30d: self.retention_30d(),
            never_posted_share: ineq.never_posted_share,
            top1_post_share: ineq.top1_share,
            top10_post_share: ineq.top10_share,
            post_gini: ineq.gini,
            total_revenue,
            total_cost,
            roi: if total_cost > 0.0 {
                (total_revenue - total_cost) / total_cost
            } else {
                f64::NAN
            },
        }
    }

    /// Share of the joiners of days 1..=days-30 still in 30 days later.
    fn retention_30d(&self) -> f64 {
        let (cohort, retained) = self.retention;
        if cohort == 0 {
            f64::NAN
        } else {
            retained as f64 / cohort as f64
        }
    }

    /// Histogram of genuine posts over everyone who was ever a member.
    fn post_histogram(&self) -> Vec<u64> {
        let st = &self.state;
        let bins = self.day as usize + 1;
        (0..st.len())
            .into_par_iter()
            .with_min_len(self.chunk)
            .fold(
                || vec![0u64; bins],
                |mut h, i| {
                    if st.flags[i] & flag::EVER_MEMBER != 0 {
                        h[st.posts[i] as usize] += 1;
                    }
                    h
                },
            )
            .reduce(
                || vec![0u64; bins],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                },
            )
    }
}

/// Whether a member counts as retained today: a joiner (not a seed) of exactly 30 days ago.
#[inline]
fn retained_today(flags: u8, join_day: u16, day: u32) -> bool {
    flags & flag::SEED == 0 && day >= 30 && join_day as u32 == day - 30
}

/// Need intensities of agent `i` as numbers in [0, 1].
#[inline]
fn needs_of(pop: &Population, i: usize) -> [f32; NEEDS] {
    pop.needs[i].map(intensity)
}

/// The decide pass over one chunk.
fn decide(c: &mut Chunk, env: &Env, counts: &mut GroupCounts) -> DayTally {
    let mut t = DayTally::default();
    c.view_next.clear();
    for local in 0..c.len() {
        c.today[local] = 0;
        match c.status[local] {
            status::MEMBER => member_day(c, local, env, &mut t, counts),
            status::OUTSIDE => consider_joining(c, local, env, &mut t),
            status::LEFT if env.s.community.rejoin => consider_joining(c, local, env, &mut t),
            _ => {}
        }
    }
    t
}

/// An outsider's day: exposure by ads and word of mouth, then the join rule and entry review.
fn consider_joining(c: &mut Chunk, local: usize, env: &Env, t: &mut DayTally) {
    if c.flags[local] & flag::REJECTED != 0 {
        return;
    }
    let i = c.start + local as u32;
    let s = env.s;
    let pop = env.pop;
    let d = env.draws.agent(i);
    let a = &s.acquisition;
    let by_ad = a.ad_reach > 0.0 && d.chance(Decision::AdExposure, a.ad_reach);
    t.ad_exposures += by_ad as u64;
    let ties = pop.network.neighbours(i);
    let mut by_word = false;
    let reward = s.incentives.referral_reward;
    if a.word_of_mouth > 0.0 || reward > 0.0 {
        let contact = if pop.network.is_well_mixed() {
            Some(d.below(Decision::Contact, pop.size()))
        } else if ties.is_empty() {
            None
        } else {
            Some(ties[d.below(Decision::Contact, ties.len() as u32) as usize])
        };
        if let Some(j) = contact {
            if env.view.is_advocate(j) {
                // The contact's traits are only looked up when a referral reward makes them count.
                let sensitivity = if reward > 0.0 {
                    intensity(pop.incentive_sensitivity[j as usize]) as f64
                } else {
                    0.0
                };
                let q = recommend_probability(
                    a.word_of_mouth,
                    reward,
                    s.behavior.referral_reference,
                    sensitivity,
                );
                by_word = d.chance(Decision::WordOfMouth, q);
            }
        }
    }
    if !(by_ad || by_word) {
        return;
    }
    let iu = i as usize;
    let needs = needs_of(pop, iu);
    let pull = pulls(&needs, &[0.0; NEEDS], env.p.gamma);
    let advertiser = pop.advertiser[iu];
    let offer_value = promise(&pull, &env.p.offer);
    let (member_ties, share) = if pop.network.is_well_mixed() {
        (0, env.member_share)
    } else {
        let k = ties.iter().filter(|&&j| env.view.is_member(j)).count();
        let share = if ties.is_empty() {
            0.0
        } else {
            k as f32 / ties.len() as f32
        };
        (k as u32, share)
    };
    // The ledger counts first exposures only: prospects who declined before and are exposed
    // again are a selected group (high thresholds), more so the more of their ties are in.
    let first_exposure = c.flags[local] & flag::EXPOSED == 0;
    c.flags[local] |= flag::EXPOSED;
    let bin = (member_ties as usize).min(TIE_BINS - 1);
    t.exposed_by_ties[bin] += first_exposure as u64;
    let proof = social_proof(s.behavior.social_proof as f32, member_ties);
    let felt = match env.p.entry {
        EntryKind::Free => 0.0,
        EntryKind::Application => s.entry.application_effort as f32,
        EntryKind::Paid => felt_fee(
            intensity(pop.price_sensitivity[iu]),
            env.p.fee,
            s.behavior.fee_reference as f32,
        ),
    };
    let threshold = pop.join_threshold[iu];
    if !joins(
        offer_value,
        proof,
        felt,
        threshold,
        share,
        pop.social_threshold[iu],
    ) {
        return;
    }
    t.joining_by_ties[bin] += first_exposure as u64;
    if env.p.entry == EntryKind::Application
        && advertiser
        && d.chance(Decision::Review, s.entry.review_accuracy)
    {
        c.flags[local] |= flag::REJECTED;
        return;
    }
    c.commitment[local] = offer_value;
    c.today[local] = today::JOINING | if by_word { today::REFERRED } else { 0 };
    t.joiners.push(i);
}

/// A member's day: renewal, quitting, and if it visits, what the visit gives and what it does.
fn member_day(c: &mut Chunk, local: usize, env: &Env, t: &mut DayTally, counts: &mut GroupCounts) {
    let i = c.start + local as u32;
    let iu = i as usize;
    let s = env.s;
    let b = &s.behavior;
    let pop = env.pop;
    let p = env.p;
    let d = env.draws.agent(i);
    let flags = c.flags[local];
    let seed = flags & flag::SEED != 0;
    let g = c.group[local] as usize;
    let mut commitment = c.commitment[local];
    let paid = p.entry == EntryKind::Paid && !seed;
    let felt = if paid {
        felt_fee(
            intensity(pop.price_sensitivity[iu]),
            p.fee,
            b.fee_reference as f32,
        )
    } else {
        0.0
    };

    let mut leaves = false;
    if paid && env.day == c.paid_until[local] as u32 {
        if d.chance(
            Decision::Renew,
            renew_probability(b, commitment, felt) as f64,
        ) {
            let next = (env.day + s.entry.period_days).min(u16::MAX as u32 - 1);
            c.paid_until[local] = next as u16;
            t.renewals += 1;
        } else {
            leaves = true;
        }
    }
    if !leaves && !seed && env.day >= c.join_day[local] as u32 + b.grace_days {
        let period_left = if paid {
            (c.paid_until[local] as f32 - env.day as f32).max(0.0) / s.entry.period_days as f32
        } else {
            0.0
        };
        let hazard = quit_hazard(b, commitment, quit_threshold(b, felt, period_left));
        leaves = hazard > 0.0 && d.chance(Decision::Quit, hazard as f64);
    }
    if leaves {
        c.status[local] = status::LEFT;
        t.quits += 1;
        counts.gone[g] += 1;
        return;
    }

    let group = &env.groups[g];
    let boost = env.events.topic_boost;
    let visits = seed
        || d.chance(
            Decision::Visit,
            visit_probability(b, commitment, boost) as f64,
        );
    let mut did = 0u8;
    // No need, no action: a visit by a member without needs who does not advertise gives
    // nothing and costs nothing (utility exactly 0), so the value computation is skipped.
    let advertises = pop.advertiser[iu] && !seed;
    let idle = pop.needs[iu] == [0; NEEDS] && !advertises;
    if visits && idle {
        did |= today::VISITED;
        commitment = ema(commitment, 0.0, b.memory as f32);
        c.satisfaction[local] = [0; NEEDS];
        counts.visitors[g] += 1;
    } else if visits {
        did |= today::VISITED;
        let needs = needs_of(pop, iu);
        let sat = c.satisfaction[local].map(satisfaction);
        let pull = pulls(&needs, &sat, p.gamma);
        let involvement = needs.iter().copied().fold(0.0, f32::max);
        let posted_yesterday = flags & flag::POSTED != 0;
        let posts = c.posts[local] as u32;
        let (badge_share, badge_progress, badge_esteem) = match &s.incentives.badges {
            Some(badges) => {
                let (share, progress) = badge_standing(badges, posts);
                (share, progress, badges.esteem as f32)
            }
            None => (0.0, 0.0, 0.0),
        };
        let last_meetup = c.last_meetup[local];
        let bond = if last_meetup > 0 {
            let since = env.day as f32 - (last_meetup - 1) as f32;
            meetup_bond(p.offline_value, since, p.offline_persistence)
        } else {
            0.0
        };
        let me = VisitorSituation {
            posted_yesterday,
            advertised_yesterday: flags & flag::ADVERTISED != 0,
            badge_esteem: badge_esteem * badge_share,
            guest_value: env.events.guest_value,
            meetup_bond: bond,
        };
        let values = visit_values(&p.value, group, &me);
        let incentive = intensity(pop.incentive_sensitivity[iu]);
        let reward_ref = b.reward_reference as f32;
        let material = if posted_yesterday {
            incentive * saturating(env.reward_yesterday, reward_ref)
        } else {
            0.0
        };
        let aversion = p.aversion[pop.segment[iu] as usize];
        let cost = visit_cost(&p.value, group, aversion, involvement);
        let u = utility(&pull, &values, material, cost);
        commitment = ema(commitment, u, b.memory as f32);
        let mut new_sat = [0u16; NEEDS];
        for k in 0..NEEDS {
            // Only a need the member has can be satisfied.
            if needs[k] > 0.0 {
                new_sat[k] =
                    quantize_satisfaction(ema(sat[k], values[k].min(1.0), b.memory as f32));
            }
        }
        c.satisfaction[local] = new_sat;

        // Founders and opinion leaders never advertise.
        let unmet_promotion = (needs[need::PROMOTION] - sat[need::PROMOTION]).max(0.0);
        let p_ad = if seed {
            0.0
        } else {
            advert_probability(b, pop.advertiser[iu], unmet_promotion)
        };
        if p_ad > 0.0 && d.chance(Decision::Advert, p_ad as f64) {
            did |= today::ADVERT;
        } else if involvement > 0.0 {
            let belonging = pull[need::CONTACT]
                .max(pull[need::FRIENDSHIP])
                .max(pull[need::LIFE])
                .max(pull[need::BELONGING]);
            let crowded = env.rewards_over && flags & flag::REWARDED != 0;
            let drivers = PostDrivers {
                esteem: pull[need::PROMOTION],
                belonging,
                replies: if posted_yesterday {
                    saturating(group.visitors, p.value.half_audience)
                } else {
                    0.0
                },
                shyness: intensity(pop.shyness[iu]),
                reward: incentive * saturating(env.reward_today, reward_ref),
                badge_progress: badge_esteem * badge_progress,
                event_boost: boost,
                seed,
                intrinsic: if crowded {
                    1.0 - s.incentives.crowding_out as f32
                } else {
                    1.0
                },
            };
            if d.chance(Decision::Post, post_probability(b, &drivers) as f64) {
                did |= today::POSTED;
            }
        }
        let m = &s.monetization;
        if m.purchase_rate > 0.0
            && involvement > 0.0
            && commitment >= m.commitment_floor as f32
            && d.chance(Decision::Purchase, m.purchase_rate)
        {
            t.purchases += 1;
        }
        if env.events.meetup_seats > 0 {
            let want = pull[need::LIFE].max(pull[need::BELONGING]);
            if want > 0.0 && d.chance(Decision::Meetup, want as f64) {
                did |= today::WANTS_MEETUP;
                t.meetup_wanting += 1;
            }
        }
        counts.visitors[g] += 1;
    }
    let posted = did & today::POSTED != 0;
    let advert = did & today::ADVERT != 0;
    if posted {
        c.posts[local] = c.posts[local].saturating_add(1);
        counts.posts[g] += 1;
        t.posts += 1;
    }
    if advert {
        counts.ads[g] += 1;
        t.ads += 1;
    }
    let mut new_flags = flags & !(flag::POSTED | flag::ADVERTISED);
    if posted {
        new_flags |= flag::POSTED;
        if env.reward_today > 0.0 {
            new_flags |= flag::REWARDED;
        }
    }
    if advert {
        new_flags |= flag::ADVERTISED;
    }
    c.flags[local] = new_flags;
    c.commitment[local] = commitment;
    c.today[local] = did;
    c.view_next.set(local, true, commitment >= p.advocacy);
    let retained = retained_today(new_flags, c.join_day[local], env.day);
    t.end.count(
        commitment,
        &c.satisfaction[local],
        &pop.needs[iu],
        did,
        retained,
    );
}

/// What the moderate pass reads.
struct Moderation<'a> {
    s: &'a Scenario,
    pop: &'a Population,
    p: &'a Params,
    ads_per_group: &'a [u32],
    day: u32,
    draws: DayStream,
    /// Probability that a member who wants a meetup seat gets one.
    seat_chance: f64,
}

/// The moderate pass over one chunk: catches, warnings and kicks; meetup seats. Returns the
/// kicks and the end-of-day contributions of the kicked, to be taken off the day's tally.
fn moderate(c: &mut Chunk, m: &Moderation, counts: &mut GroupCounts) -> DayTally {
    let mut t = DayTally::default();
    for local in 0..c.len() {
        let did = c.today[local];
        if did & (today::ADVERT | today::WANTS_MEETUP) == 0 || c.status[local] != status::MEMBER {
            continue;
        }
        let i = c.start + local as u32;
        let d = m.draws.agent(i);
        if did & today::WANTS_MEETUP != 0 && d.chance(Decision::MeetupSeat, m.seat_chance) {
            c.last_meetup[local] = (m.day + 1).min(u16::MAX as u32) as u16;
        }
        if did & today::ADVERT == 0 || !m.p.ads_banned {
            continue;
        }
        let g = c.group[local] as usize;
        let p = catch_probability(m.p.capacity, m.ads_per_group[g] as u64);
        if !d.chance(Decision::Moderation, p) {
            continue;
        }
        counts.removed[g] += 1;
        c.warnings[local] = c.warnings[local].saturating_add(1);
        if c.warnings[local] as u32 > m.s.rules.kick_after {
            let retained = retained_today(c.flags[local], c.join_day[local], m.day);
            t.end.count(
                c.commitment[local],
                &c.satisfaction[local],
                &m.pop.needs[i as usize],
                did,
                retained,
            );
            c.status[local] = status::KICKED;
            c.view_next.set(local, false, false);
            t.kicks += 1;
            counts.gone[g] += 1;
        }
    }
    t
}
