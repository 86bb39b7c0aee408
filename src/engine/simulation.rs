//! One replicate in progress: its population, its state, its groups, and the day's four phases
//! in order (decide, moderate, admit, publish).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::joining::{chunk_size, decide, Env};
use super::moderation::{moderate, Moderation};
use super::state::{Flags, State, Status, Today};
use super::tally::{run_pass, DayTally, ExposureLedger, GroupCounts, MemberTally};
use crate::metrics::{post_histogram, summarise, DayRecord, Retention, Summary, SummaryInputs};
use crate::model::has_need;
use crate::model::levers::{reward_paid, reward_per_post, rewards_over, service_coverage};
use crate::model::value::GroupYesterday;
use crate::population::Population;
use crate::rng::{RunStream, Setup};
use crate::scenario::{Coefficients, EntryKind, EventDay, Scenario};

/// One replicate in progress.
pub struct Simulation<'s> {
    k: &'s Coefficients,
    seed: u64,
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
    retention: Retention,
    /// Whether the day's passes are split across threads (the same fixed chunks either way).
    parallel: bool,
    /// Agents per chunk (see [`chunk_size`]).
    chunk: usize,
    /// First exposures over the run so far, by member ties.
    ledger: ExposureLedger,
}

impl<'s> Simulation<'s> {
    /// Draws the population and seats the seed members: the state of day 0.
    pub fn new(scenario: &'s Scenario, replicate: u32) -> Simulation<'s> {
        let k = scenario.coefficients();
        let stream = RunStream::new(scenario.seed(), replicate);
        let pop = Population::generate(&k.population, &stream);
        let n = pop.size() as usize;
        let mut sim = Simulation {
            k,
            seed: scenario.seed(),
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
            retention: Retention::default(),
            parallel: true,
            chunk: chunk_size(n),
            ledger: ExposureLedger::default(),
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
            coverage: service_coverage(self.k.moderation.capacity, 0, 0),
            ..Default::default()
        });
        (self.groups.len() - 1) as u32
    }

    /// The lowest-numbered group with a free seat, opening one if allowed; None if all are full.
    fn group_with_room(&mut self, cursor: &mut usize) -> Option<u32> {
        let cap = self.k.community.group_cap;
        while *cursor < self.group_members.len() && self.group_members[*cursor] as u64 >= cap {
            *cursor += 1;
        }
        if *cursor < self.group_members.len() {
            return Some(*cursor as u32);
        }
        let may_open = self
            .k
            .community
            .max_groups
            .is_none_or(|m| (self.group_members.len() as u64) < m);
        may_open.then(|| self.open_group())
    }

    fn seat_seed_members(&mut self) {
        let count = self.k.community.seed_members as usize;
        if count == 0 {
            return;
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.stream.setup_seed(Setup::SeedMembers));
        let mut seeds =
            rand::seq::index::sample(&mut rng, self.pop.size() as usize, count).into_vec();
        seeds.sort_unstable();
        let mut cursor = 0;
        for i in seeds {
            // A founder without needs is no exception to "no need, no action".
            let c0 = if has_need(&self.pop.needs[i]) {
                self.k.community.seed_commitment
            } else {
                0.0
            };
            let g = self
                .group_with_room(&mut cursor)
                .expect("validated: seeds fit the groups");
            let st = &mut self.state;
            st.status[i] = Status::Member;
            st.flags[i] = Flags::SEED | Flags::EVER_MEMBER;
            st.commitment[i] = c0;
            st.group[i] = g;
            st.view
                .set(i, true, c0 >= self.k.acquisition.advocacy_threshold);
            self.group_members[g as usize] += 1;
            self.end.count(
                c0,
                &st.satisfaction[i],
                &self.pop.needs[i],
                Today::empty(),
                false,
            );
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
        let events = self.k.calendar.on(day);
        let (mut t, decided) = self.decide_pass(events);
        self.ledger.add(&t.exposure);
        let moderated = self.moderate_pass(&mut t, &decided, events);

        // Members who left today free their seats before joiners are admitted.
        for (g, members) in self.group_members.iter_mut().enumerate() {
            *members -=
                GroupCounts::of(&decided.departures, g) + GroupCounts::of(&moderated.departures, g);
        }
        self.end = t.end;

        let (joins, referred) = self.admit(&t.joiners);
        self.joins_by_day.push(joins);
        if let Some(cohort_day) = day.checked_sub(30).filter(|&d| d > 0) {
            self.retention.cohort += self.joins_by_day[cohort_day as usize];
            self.retention.retained += self.end.retained;
        }

        let removed = self.publish(&decided, &moderated);
        debug_assert_eq!(
            decided.posts.iter().map(|&p| p as u64).sum::<u64>(),
            t.posts
        );
        self.state.publish_view();
        self.posts_yesterday = t.posts;
        let (revenue, cost) = self.money(&t, joins, referred, events);
        self.record(&t, joins, removed, revenue, cost)
    }

    /// Phase 1: every agent decides, reading only yesterday's state.
    fn decide_pass(&mut self, events: EventDay) -> (DayTally, GroupCounts) {
        let day = self.day;
        let re = self.k.rewards.red_envelope.as_ref();
        let reward_yesterday = if self.posts_yesterday > 0 {
            (reward_paid(re, day - 1, self.posts_yesterday) / self.posts_yesterday as f64) as f32
        } else {
            0.0
        };
        let (chunks, view_prev) = self.state.chunks(self.chunk);
        let env = Env {
            k: self.k,
            pop: &self.pop,
            view: view_prev,
            groups: &self.groups,
            day,
            draws: self.stream.day(day),
            member_share: self.end.members as f32 / self.pop.size() as f32,
            reward_today: reward_per_post(re, day, self.posts_yesterday as f64) as f32,
            reward_yesterday,
            rewards_over: rewards_over(re, day),
            events,
        };
        let groups = self.groups.len();
        let (parts, counts) = run_pass(chunks, groups, self.parallel, |c, counts| {
            decide(c, &env, counts)
        });
        let mut t = DayTally::default();
        for part in parts {
            t.add(part);
        }
        (t, counts)
    }

    /// Phase 2: moderators catch ads and kick; meetup seats are given out. The kicked are
    /// taken off the day's tally. Runs only when there is something to do.
    fn moderate_pass(
        &mut self,
        t: &mut DayTally,
        decided: &GroupCounts,
        events: EventDay,
    ) -> GroupCounts {
        let groups = self.groups.len();
        let rules = &self.k.moderation;
        let moderating = rules.ads_banned && rules.capacity > 0 && t.ads > 0;
        let meeting = events.meetup_seats > 0 && t.meetup_wanting > 0;
        if !(moderating || meeting) {
            return GroupCounts::new(groups);
        }
        let seat_chance = (events.meetup_seats as f64 / t.meetup_wanting.max(1) as f64).min(1.0);
        let (chunks, _) = self.state.chunks(self.chunk);
        let ctx = Moderation {
            k: self.k,
            pop: &self.pop,
            ads_per_group: &decided.ads,
            day: self.day,
            draws: self.stream.day(self.day),
            seat_chance,
        };
        let (parts, counts) = run_pass(chunks, groups, self.parallel, |c, counts| {
            moderate(c, &ctx, counts)
        });
        for part in parts {
            t.kicks += part.kicks;
            t.end.sub(&part.end);
        }
        counts
    }

    /// Phase 3: seats today's joiners in agent order; returns (admitted, admitted by referral).
    fn admit(&mut self, joiners: &[u32]) -> (u64, u64) {
        let mut cursor = 0usize;
        let (mut joins, mut referred) = (0u64, 0u64);
        let day = self.day;
        let entry = self.k.entry;
        for &i in joiners {
            let Some(g) = self.group_with_room(&mut cursor) else {
                break; // every group is full and none may open: the rest are turned away
            };
            let i = i as usize;
            let st = &mut self.state;
            let c0 = st.commitment[i];
            st.status[i] = Status::Member;
            st.flags[i] = (st.flags[i] | Flags::EVER_MEMBER) - (Flags::POSTED | Flags::ADVERTISED);
            st.group[i] = g;
            st.join_day[i] = day as u16;
            st.satisfaction[i] = [0; crate::population::needs::NEEDS];
            st.warnings[i] = 0;
            st.paid_until[i] = if entry.kind == EntryKind::Paid {
                (day + entry.period_days).min(u16::MAX as u32 - 1) as u16
            } else {
                u16::MAX
            };
            st.view_next
                .set(i, true, c0 >= self.k.acquisition.advocacy_threshold);
            self.group_members[g as usize] += 1;
            self.end.count(
                c0,
                &st.satisfaction[i],
                &self.pop.needs[i],
                Today::empty(),
                false,
            );
            joins += 1;
            referred += st.today[i].contains(Today::REFERRED) as u64;
        }
        (joins, referred)
    }

    /// Phase 4: each group's day becomes what its members find tomorrow. Returns the ads
    /// removed.
    fn publish(&mut self, decided: &GroupCounts, moderated: &GroupCounts) -> u64 {
        let rules = self.k.moderation;
        let mut removed = 0u64;
        for g in 0..self.groups.len() {
            let posts = GroupCounts::of(&decided.posts, g) as u64;
            let ads = GroupCounts::of(&decided.ads, g) as u64;
            let caught = GroupCounts::of(&moderated.ads_removed, g) as u64;
            let visitors = GroupCounts::of(&decided.visitors, g);
            removed += caught;
            let reviewed = if rules.ads_banned {
                ads.min(rules.capacity)
            } else {
                0
            };
            self.groups[g] = GroupYesterday {
                posts: posts as f32,
                ads: (ads - caught) as f32,
                visitors: visitors as f32,
                coverage: service_coverage(rules.capacity, reviewed, posts),
            };
        }
        removed
    }

    /// The day's money: (revenue, cost).
    fn money(&self, t: &DayTally, joins: u64, referred: u64, events: EventDay) -> (f64, f64) {
        let k = self.k;
        let fees = if k.entry.kind == EntryKind::Paid {
            (joins + t.renewals) as f64 * k.entry.fee
        } else {
            0.0
        };
        let revenue = fees + t.purchases as f64 * k.sales.price * k.sales.margin;
        let re = k.rewards.red_envelope.as_ref();
        let moderators = k.moderation.moderators_per_group as f64 * self.groups.len() as f64;
        let cost = t.ad_exposures as f64 * k.acquisition.cost_per_exposure
            + reward_paid(re, self.day, t.posts)
            + referred as f64 * k.rewards.referral_reward
            + events.cost
            + moderators * k.moderation.daily_cost;
        (revenue, cost)
    }

    /// First exposures over the run so far, by number of members among the prospect's ties.
    pub fn exposure_ledger(&self) -> ExposureLedger {
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
        let st = &self.state;
        let histogram = post_histogram(&st.posts, self.day, self.chunk, |i| {
            st.flags[i].contains(Flags::EVER_MEMBER)
        });
        summarise(
            series,
            &SummaryInputs {
                replicate: self.replicate,
                seed: self.seed,
                alive_members: self.k.community.alive_members,
                alive_posts_per_day: self.k.community.alive_posts_per_day,
                retention: self.retention,
                post_histogram: histogram,
            },
        )
    }
}
