//! One replicate in progress: its population, its state, its groups, and the day's four phases
//! in order (decide, moderate, admit, publish). Admission lives in `admission.rs`.

use super::groups::{GroupDay, GroupLedger};
use super::joining::{chunk_size, decide, Env};
use super::life::{LifeTables, Lives};
use super::moderation::{answers, moderate, Moderation};
use super::questions::Questions;
use super::seats::Seats;
use super::state::{Flags, State, Status};
use super::tables::{cohort_rows, funnel, segment_rows, week_pass, RunCounts};
use super::tally::{run_pass, DayTally, ExposureLedger, GroupCounts, MemberTally};
use super::team::Team;
use crate::metrics::{
    month_end, month_of, post_histogram, summarise, CohortRow, DayRecord, FunnelRow, GroupRow,
    HealthFloor, SegmentRow, Summary, SummaryInputs,
};
use crate::model::levers::{
    prize_paid, prize_per_post, reward_paid, reward_per_post, rewards_over,
};
use crate::model::value::GroupYesterday;
use crate::population::Population;
use crate::rng::RunStream;
use crate::scenario::{Coefficients, EntryKind, EventDay, Scenario};

/// One replicate in progress.
pub struct Simulation<'s> {
    pub(super) k: &'s Coefficients,
    seed: u64,
    pub(super) replicate: u32,
    pub(super) stream: RunStream,
    pub(super) pop: Population,
    pub(super) state: State,
    /// Members of each group now.
    pub(super) group_members: Vec<u32>,
    /// Each group at the end of yesterday.
    pub(super) groups: Vec<GroupYesterday>,
    /// Each group's life so far.
    pub(super) ledger: Vec<GroupLedger>,
    pub(super) day: u32,
    posts_yesterday: u64,
    /// End-of-day counts and sums over members (`end.members` is the community's size).
    pub(super) end: MemberTally,
    /// Joiners of each day (seed members excluded).
    joins_by_day: Vec<u64>,
    /// The funnel's and the segments' counts so far.
    pub(super) counts: RunCounts,
    /// The retention triangle so far, a row per cohort at each week's end.
    cohorts: Vec<CohortRow>,
    /// Whether the day's passes are split across threads (the same fixed chunks either way).
    parallel: bool,
    /// Agents per chunk (see [`chunk_size`]).
    chunk: usize,
    /// First exposures over the run so far, by member ties.
    exposures: ExposureLedger,
    /// The operating budget: the reinvested share of revenue, less what it paid for.
    pub(super) budget: f64,
    /// Whether the budget pays the funded moderators today.
    pub(super) hired: bool,
    /// The operating team: whether it works today, what it does, its overtime and strain.
    pub(super) team: Team,
    /// Posts the moderators of each group can review today.
    pub(super) capacity: Vec<u64>,
    /// The seed members, in agent order.
    pub(super) seeds: Vec<u32>,
    /// The next of `seeds` to seat in a new group (`community.clone_seeds`), modulo their number.
    pub(super) seed_turn: usize,
    /// Seed members seated in groups beside their own.
    pub(super) seats: Seats,
    /// Seats freed today in each group (their seed members left the community).
    pub(super) seats_freed: Vec<u32>,
    /// Questions waiting in each group for a later answer.
    pub(super) questions: Questions,
    /// Messages each group's readers had today: posts and ads seen.
    read_today: Vec<u64>,
    /// Members' posting lives over the run, beyond each agent's own.
    lives: Lives,
}

/// The tables of a finished run, beside its series and summary.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTables {
    pub funnel: FunnelRow,
    pub groups: Vec<GroupRow>,
    pub cohorts: Vec<CohortRow>,
    pub segments: Vec<SegmentRow>,
    /// Posting lives, as the real launches measure them.
    pub life: LifeTables,
}

/// The day's money, by line.
#[derive(Debug, Clone, Copy, Default)]
struct Money {
    fees: f64,
    sales: f64,
    acquisition: f64,
    moderation: f64,
    team: f64,
    events: f64,
    red_envelopes: f64,
    referrals: f64,
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
            ledger: Vec::new(),
            day: 0,
            posts_yesterday: 0,
            end: MemberTally::default(),
            joins_by_day: vec![0],
            counts: RunCounts::default(),
            cohorts: Vec::new(),
            parallel: true,
            chunk: chunk_size(n),
            exposures: ExposureLedger::default(),
            budget: 0.0,
            hired: false,
            team: Team::new(&k.team),
            capacity: Vec::new(),
            seeds: Vec::new(),
            seed_turn: 0,
            seats: Seats::default(),
            seats_freed: Vec::new(),
            questions: Questions::default(),
            read_today: Vec::new(),
            lives: Lives::default(),
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

    /// The record of day 0: seed members only, nothing done yet.
    pub fn record_day0(&self) -> DayRecord {
        self.record(&DayTally::default(), 0, (0, 0), Money::default())
    }

    fn record(&self, t: &DayTally, joins: u64, ads: (u64, u64), money: Money) -> DayRecord {
        let (removed, seen) = ads;
        let e = &self.end;
        // Means are rounded to 6 decimals: the state is kept in f32 and 16-bit fixed point, so
        // further digits would be noise.
        let mean = |x: f64, n: u64| {
            if n == 0 {
                0.0
            } else {
                (x / n as f64 * 1e6).round() / 1e6
            }
        };
        let level = |l: usize| mean(e.satisfaction[l], e.with_need[l]);
        DayRecord {
            replicate: self.replicate,
            day: self.day,
            members: e.members,
            absent: e.absent,
            lurkers: e.lurkers,
            muted: e.muted,
            dormant: e.dormant,
            posters: e.posters,
            advertisers: e.advertisers,
            joins,
            quits: t.quits,
            kicks: t.kicks,
            posts: t.posts,
            ads_posted: t.ads,
            ads_removed: removed,
            ads_seen: seen,
            groups: self.groups.len() as u64,
            groups_alive: self.ledger.iter().filter(|g| g.alive()).count() as u64,
            questions: t.questions,
            answered: t.answered,
            answered_late: t.answered_late,
            promotions: t.promotions,
            nudges: t.nudges,
            nudges_answered: t.nudges_answered,
            overtime: self.team.overtime,
            team_away: self.team.away as u64,
            mean_commitment: mean(e.commitment, e.members),
            sat_safety: level(0),
            sat_belonging: level(1),
            sat_esteem: level(2),
            sat_self_actualization: level(3),
            revenue: money.fees + money.sales,
            revenue_fees: money.fees,
            revenue_sales: money.sales,
            cost: money.acquisition
                + money.red_envelopes
                + money.referrals
                + money.events
                + money.moderation
                + money.team,
            budget: self.budget,
            cost_acquisition: money.acquisition,
            cost_moderation: money.moderation,
            cost_team: money.team,
            cost_events: money.events,
            cost_red_envelopes: money.red_envelopes,
            cost_referrals: money.referrals,
            cost_other: 0.0,
        }
    }

    /// Advances one day and returns its record.
    pub fn step(&mut self) -> DayRecord {
        self.day += 1;
        let day = self.day;
        let events = self.k.calendar.on(day);
        self.staff_groups();
        let (mut t, decided) = self.decide_pass(events);
        self.admins_on_duty();
        t.promotions = events.promotions as u64 * self.capacity.len() as u64;
        self.exposures.add(&t.exposure);
        let mut moderated = self.moderate_pass(&mut t, &decided, events);
        self.lives.answers.asked_on(day, t.questions, t.answered);
        self.count_day(&t);
        let decided = self.vacate_seats(decided);
        t.answered_late = self.answer_waiting(&decided, &mut moderated);

        // Members who left today free their seats before joiners are admitted.
        for (g, members) in self.group_members.iter_mut().enumerate() {
            *members -=
                GroupCounts::of(&decided.departures, g) + GroupCounts::of(&moderated.departures, g);
        }
        self.end = t.end;

        let (joins, referred) = self.admit(&t.joiners);
        self.joins_by_day.push(joins);
        self.count_milestones(day);

        let ads = self.publish(&decided, &moderated);
        self.team.answered_yesterday = self.staff_answers_per_group(&moderated);
        self.questions
            .close_day(day, &self.read_today, &t.unanswered);
        debug_assert_eq!(
            decided.posts.iter().map(|&p| p as u64).sum::<u64>(),
            t.posts
        );
        self.state.publish_view();
        self.posts_yesterday = t.posts;
        if day.is_multiple_of(7) || day == self.k.days {
            self.close_week();
        }
        if day == month_end(month_of(day)) {
            self.lives
                .close_month(&self.state, self.chunk, month_of(day));
        }
        let money = self.money(&t, joins, referred, events);
        self.record(&t, joins, ads, money)
    }

    /// Questions of earlier days answered today with what the members and staff have to spare;
    /// their askers will feel answered at their next visit. Returns how many.
    fn answer_waiting(&mut self, decided: &GroupCounts, moderated: &mut GroupCounts) -> u64 {
        if self.questions.is_empty() {
            return 0;
        }
        let spare: Vec<_> = answers(self.k, &self.capacity, self.team_answers(), decided)
            .into_iter()
            .map(|a| a.spare)
            .collect();
        let status = &self.state.status;
        let late = self.questions.answer(
            &spare,
            self.k.value.attention as f64,
            |i| status[i as usize] == Status::Member,
            &self.stream.day(self.day),
        );
        for a in &late {
            let asker = a.asker as usize;
            let flags = &mut self.state.flags[asker];
            *flags = (*flags - Flags::UNANSWERED) | Flags::ANSWERED;
            let life = &mut self.state.life[asker];
            *life = life.answered(a.asked as u16, self.day as u16);
            self.lives.answers.answered_late(a.asked, self.day);
            if a.by_staff {
                moderated.staff_answered[a.group as usize] += 1;
            }
        }
        late.len() as u64
    }

    /// Phase 1: every agent decides, reading only yesterday's state.
    fn decide_pass(&mut self, events: EventDay) -> (DayTally, GroupCounts) {
        let day = self.day;
        let re = self.k.rewards.red_envelope.as_ref();
        // What each post earned yesterday: its red envelope and its share of the prizes.
        let reward_yesterday = if self.posts_yesterday > 0 {
            let paid = reward_paid(re, day - 1, self.posts_yesterday)
                + prize_paid(self.k.calendar.on(day - 1).prize, self.posts_yesterday);
            (paid / self.posts_yesterday as f64) as f32
        } else {
            0.0
        };
        let expected = self.posts_yesterday as f64;
        let nudge_chance = self.nudge_chances();
        let acquisition = &self.k.acquisition;
        let (chunks, view_prev) = self.state.chunks(self.chunk);
        let env = Env {
            k: self.k,
            pop: &self.pop,
            view: view_prev,
            groups: &self.groups,
            day,
            draws: self.stream.day(day),
            member_share: self.end.members as f32 / self.pop.size() as f32,
            reward_today: (reward_per_post(re, day, expected)
                + prize_per_post(events.prize, expected)) as f32,
            reward_yesterday,
            rewards_over: rewards_over(re, day),
            events,
            seats: &self.seats,
            nudge_chance: &nudge_chance,
            ad_reach: acquisition
                .open_on(day)
                .then(|| acquisition.ad_reach_on(day)),
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
        let moderating = rules.ads_banned && self.capacity.iter().any(|&c| c > 0) && t.ads > 0;
        let meeting = events.meetup_seats > 0 && t.meetup_wanting > 0;
        if !(moderating || meeting || t.questions > 0) {
            return GroupCounts::new(groups);
        }
        let seat_chance = (events.meetup_seats as f64 / t.meetup_wanting.max(1) as f64).min(1.0);
        let answers = answers(self.k, &self.capacity, self.team_answers(), decided);
        let (chunks, _) = self.state.chunks(self.chunk);
        let ctx = Moderation {
            k: self.k,
            pop: &self.pop,
            ads_per_group: &decided.ads,
            capacity: &self.capacity,
            answers: &answers,
            day: self.day,
            draws: self.stream.day(self.day),
            seat_chance,
        };
        let (parts, counts) = run_pass(chunks, groups, self.parallel, |c, counts| {
            moderate(c, &ctx, counts)
        });
        for part in parts {
            t.kicks += part.kicks;
            t.answered += part.answered;
            t.unanswered.extend(part.unanswered);
            t.end.sub(&part.end);
            for (k, seg) in part.segments.iter().enumerate() {
                super::tally::segment_day(&mut t.segments, k as u8).kicks += seg.kicks;
            }
        }
        counts
    }

    /// The day's events, added to the run's counts.
    fn count_day(&mut self, t: &DayTally) {
        let c = &mut self.counts;
        c.funnel.add(&t.funnel);
        c.renewed += t.renewals;
        c.quit += t.quits;
        c.kicked += t.kicks;
        for (k, seg) in t.segments.iter().enumerate() {
            let mine = super::tally::segment_day(&mut c.segments, k as u8);
            mine.quits += seg.quits;
            mine.kicks += seg.kicks;
            mine.ads += seg.ads;
        }
    }

    /// Joiners of 30 and 90 days ago, and those of them still members today.
    fn count_milestones(&mut self, day: u32) {
        let c = &mut self.counts;
        if let Some(cohort_day) = day.checked_sub(30).filter(|&d| d > 0) {
            c.eligible_30 += self.joins_by_day[cohort_day as usize];
            c.retained_30 += self.end.retained;
            c.active_30 += self.end.active_30;
        }
        if let Some(cohort_day) = day.checked_sub(90).filter(|&d| d > 0) {
            c.eligible_90 += self.joins_by_day[cohort_day as usize];
            c.retained_90 += self.end.retained_90;
        }
    }

    /// Phase 4: each group's day becomes what its members find tomorrow, and goes in its
    /// ledger. Returns the ads removed and the ads seen.
    fn publish(&mut self, decided: &GroupCounts, moderated: &GroupCounts) -> (u64, u64) {
        let rules = self.k.moderation;
        let c = &self.k.community;
        let floor = HealthFloor {
            recruits: c.health_members,
            posts_per_member_week: c.health_posts_per_member_week,
            dying_share: c.health_dying_share,
            max_ad_share: c.health_max_ad_share,
        };
        let (mut removed, mut seen_total) = (0u64, 0u64);
        self.read_today.clear();
        let deterrence_days = self.k.weights.deterrence_days;
        for g in 0..self.groups.len() {
            let of = |v: &[u32]| GroupCounts::of(v, g);
            let (posts, ads, caught) = (
                of(&decided.posts),
                of(&decided.ads),
                of(&moderated.ads_removed),
            );
            removed += caught as u64;
            // A caught ad is seen by the readers who came before the moderators removed it.
            let seen = (ads - caught) as f32 + (1.0 - rules.removal_speed) * caught as f32;
            if of(&moderated.kicks) > 0 {
                self.ledger[g].last_kick = Some(self.day);
            }
            let deterred = self.ledger[g]
                .last_kick
                .is_some_and(|k| self.day < k + deterrence_days);
            let team = &self.k.team;
            let team_posts = if self.team.works && team.staffs(self.k.community.tier(g)) {
                self.team.day.posts as f32
            } else {
                0.0
            };
            self.groups[g] = GroupYesterday {
                // What members read: their posts (questions and answers among them), the
                // operating team's, and the answers of moderators and the team.
                posts: posts as f32 + team_posts + of(&moderated.staff_answered) as f32,
                ads: seen,
                visitors: of(&decided.visitors) as f32,
                silent_visitors: of(&decided.silent_visitors) as f32,
                deterred,
            };
            self.read_today.push(posts as u64 + seen.round() as u64);
            let today = GroupDay {
                posts,
                member_posts: of(&decided.member_posts),
                ads_seen: {
                    seen_total += seen.round() as u64;
                    seen.round() as u32
                },
                departures: of(&decided.departures) + of(&moderated.departures),
                seed_departures: of(&decided.seed_departures) + of(&moderated.seed_departures),
                seats_freed: of(&self.seats_freed),
            };
            self.ledger[g].close_day(self.day, self.group_members[g], today, floor);
        }
        (removed, seen_total)
    }

    /// At a week's end (or the last day): the retention triangle's rows for the week.
    fn close_week(&mut self) {
        let week = (self.day - 1) / 7;
        let (counts, posters) = week_pass(&mut self.state, self.chunk, week);
        self.lives.week_posters.push(posters);
        self.cohorts.extend(cohort_rows(
            self.replicate,
            week,
            &counts,
            &self.joins_by_day,
        ));
    }

    /// The day's money, by line; the reinvested share of revenue goes to the budget, which pays
    /// the funded moderators it hired today.
    fn money(&mut self, t: &DayTally, joins: u64, referred: u64, events: EventDay) -> Money {
        let k = self.k;
        let m = &k.moderation;
        // Staff are paid for the groups they worked in: those open at the start of the day,
        // when hiring and the team's work were decided (a group opened today starts tomorrow).
        let groups = self.capacity.len();
        let own: f64 = (0..groups)
            .map(|g| m.moderators(self.k.community.tier(g)) as f64)
            .sum();
        let funded: f64 = if self.hired {
            (0..groups)
                .map(|g| m.funded(self.k.community.tier(g)) as f64)
                .sum()
        } else {
            0.0
        };
        let money = Money {
            fees: if k.entry.kind == EntryKind::Paid {
                (joins + t.renewals) as f64 * k.entry.fee
            } else {
                0.0
            },
            sales: t.purchases as f64 * k.sales.price * k.sales.margin,
            acquisition: t.ad_exposures as f64 * k.acquisition.cost_per_exposure,
            red_envelopes: reward_paid(k.rewards.red_envelope.as_ref(), self.day, t.posts),
            referrals: referred as f64 * k.rewards.referral_reward,
            events: events.cost + prize_paid(events.prize, t.posts),
            moderation: (own + m.shared_moderators as f64 + funded) * m.daily_cost,
            team: self.team_cost_today(groups),
        };
        let team_paid = if k.team.funded { money.team } else { 0.0 };
        self.budget +=
            k.sales.reinvest * (money.fees + money.sales) - funded * m.daily_cost - team_paid;
        money
    }

    /// First exposures over the run so far, by number of members among the prospect's ties.
    pub fn exposure_ledger(&self) -> ExposureLedger {
        self.exposures
    }

    /// Agents outside, members, left and kicked, counted from the state arrays.
    pub fn status_counts(&self) -> [u64; 4] {
        let mut counts = [0u64; 4];
        for &st in &self.state.status {
            counts[st as usize] += 1;
        }
        counts
    }

    /// The run's tables: funnel, groups, cohorts, segments, and the posting lives, from the
    /// state and the daily series (day 0 first).
    pub fn tables(&self, series: &[DayRecord]) -> RunTables {
        let mut counts = self.counts.clone();
        counts.joined = self.joins_by_day.iter().sum();
        let names: Vec<String> = self
            .k
            .population
            .segments
            .iter()
            .map(|s| s.name.clone())
            .collect();
        RunTables {
            funnel: funnel(&self.state, self.replicate, &counts),
            groups: (0..self.ledger.len())
                .map(|g| self.ledger[g].row(self.replicate, g as u32))
                .collect(),
            cohorts: {
                let mut rows = self.cohorts.clone();
                rows.sort_by_key(|r| (r.cohort_week, r.week));
                rows
            },
            segments: segment_rows(&self.state, &self.pop, &names, self.replicate, &counts),
            life: self
                .lives
                .tables(&self.state, self.replicate, self.day, series),
        }
    }

    /// The run's summary from its series and tables.
    pub fn summary(&self, series: &[DayRecord], tables: &RunTables) -> Summary {
        let st = &self.state;
        let most = self.day as u64 * crate::model::activity::MAX_MESSAGES_A_DAY as u64;
        let histogram = post_histogram(&st.posts, most, self.chunk, |i| {
            st.flags[i].contains(Flags::EVER_MEMBER)
        });
        summarise(
            series,
            &SummaryInputs {
                replicate: self.replicate,
                seed: self.seed,
                post_histogram: histogram,
                funnel: &tables.funnel,
                groups: &tables.groups,
                posters: &tables.life.posters[0],
                joiners: &tables.life.posters[2],
                weekly: &tables.life.weekly,
                answers: &self.lives.answers,
                live_share: self.k.community.health_live_share,
            },
        )
    }
}
