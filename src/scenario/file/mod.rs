//! The scenario file as read: every table and key, declared once with its default, range, unit
//! and meaning (see [`super::keys`]). These types are private to `scenario/`: the rest of agora
//! sees a validated [`super::Scenario`] and the engine-ready [`super::Coefficients`] built from it.
//!
//! Defaults are justified in `docs/MODEL.md`; ranges are what the model can give a meaning to,
//! finite everywhere, so that no input can produce `inf` or `NaN` in an output.

use super::keys::{choice, table, Rule};

mod behavior;
mod community;
mod health;
pub(in crate::scenario) use behavior::Behavior;
pub(in crate::scenario) use community::Community;
pub use community::Founders;

/// Longest run agora accepts, a hundred years: days (a member's join day, last visit, renewal)
/// are kept in 16 bits.
pub const MAX_DAYS: u32 = 36_500;
/// Most messages a member writes in a day (docs/MODEL.md §5.6): a bound for the arithmetic,
/// which a poster reaches with probability q^99 (0.006 at a continuation probability q of
/// 0.95). Declared with the scenario's bounds because it bounds what a run can reach (badges).
pub const MAX_MESSAGES_A_DAY: u32 = 100;
/// Largest population: agents are numbered with 32 bits.
pub const MAX_SIZE: u64 = u32::MAX as u64 - 1;
/// Most replicates of one scenario.
pub const MAX_REPLICATES: u32 = 1_000_000;
/// Most segments: an agent's segment is kept in a byte.
pub const MAX_SEGMENTS: usize = 255;
/// Last day a red envelope may run to; the default means "never ends".
pub const NEVER: u32 = u32::MAX / 2;

const DAYS: Rule = Rule::closed(0.0, MAX_DAYS as f64);
const AGENTS: Rule = Rule::closed(0.0, MAX_SIZE as f64);
/// Money: fees, prices, costs and budgets.
const MONEY: Rule = Rule::closed(0.0, 1e9);
/// A weight in a logistic score.
const WEIGHT: Rule = Rule::closed(-100.0, 100.0);
/// A value given on a need in a day (needs and values are on the same [0, 1] scale).
const VALUE: Rule = Rule::closed(0.0, 10.0);
/// A level of utility or commitment (sums of pull × value over eight needs stay within this).
const UTILITY: Rule = Rule::closed(-10.0, 10.0);
/// A reference amount (money at which an effect is half or whole). Bounded away from 0 so that
/// a ratio to it stays finite in the hot loop's 32-bit arithmetic.
const HALF: Rule = Rule::closed(0.001, 1e9);
/// A half-saturation count a day (posts, visitors, ads), bounded away from 0 likewise.
const HALF_COUNT: Rule = Rule::closed(0.01, 1e6);

table! {
    /// A complete strategy-and-population description: one run of the model.
    #[derive(serde::Serialize)]
    pub(in crate::scenario) struct ScenarioFile {
        name: String = String::new(), Rule::Name, "",
            "Scenario name; results go to `results/<name>/` by default.", required;
        days: u32 = 180, Rule::closed(1.0, MAX_DAYS as f64), "days",
            "Number of simulated days (steps).";
        seed: u64 = 0, Rule::closed(0.0, i64::MAX as f64), "",
            "Master seed: every random draw of a run derives from it and the replicate number.";
        replicates: u32 = 1, Rule::closed(1.0, MAX_REPLICATES as f64), "runs",
            "Independent runs, each with a fresh population, network and draws.";
        population: Population = Population::default(), Rule::Any, "",
            "The reachable audience (the \"traffic pool\"): prospects, members or not.";
        community: Community = Community::default(), Rule::Any, "",
            "What the community is for and how it is organised.";
        entry: Entry = Entry::default(), Rule::Any, "",
            "Who gets in, and at what price.";
        rules: Rules = Rules::default(), Rule::Any, "",
            "House rules and how they are enforced.";
        team: Team = Team::default(), Rule::Any, "",
            "The operating team (the owner and administrators) and what it does each day.";
        incentives: Incentives = Incentives::default(), Rule::Any, "",
            "Material and symbolic rewards.";
        events: Vec<Event> = Vec::new(), Rule::Count { min: 0, max: 1000 }, "",
            "Recurring events the operator holds.";
        acquisition: Acquisition = Acquisition::default(), Rule::Any, "",
            "How outsiders hear of the community.";
        behavior: Behavior = Behavior::default(), Rule::Any, "",
            "The weights of the decision rules.";
        monetization: Monetization = Monetization::default(), Rule::Any, "",
            "Sales to members.";
    }
}

table! {
    /// The reachable audience: its size, how it is connected and what kinds of people it holds.
    #[derive(serde::Serialize)]
    pub(in crate::scenario) struct Population {
        size: u64 = 10_000, Rule::closed(1.0, MAX_SIZE as f64), "agents",
            "Number of agents (prospects); it must fit in the memory of the machine.";
        network: Network = Network::default(), Rule::Any, "",
            "How prospects know each other.";
        segments: Vec<Segment> = vec![Segment::default()],
            Rule::Count { min: 1, max: MAX_SEGMENTS }, "",
            "Kinds of prospect; shares sum to 1. Writing any segment replaces the default one.";
    }
}

choice! {
    /// How prospects know each other.
    pub enum NetworkKind {
        /// No ties: every contact is a uniformly random agent; social proof is the community's share.
        WellMixed = "well-mixed",
        /// Random graph with the given mean degree (Erdős–Rényi, fixed number of edges).
        ErdosRenyi = "erdos-renyi",
        /// Ring lattice with random rewiring (Watts–Strogatz).
        SmallWorld = "small-world",
        /// Preferential attachment (Barabási–Albert).
        ScaleFree = "scale-free",
    }
}

table! {
    /// Ties carry word of mouth and social proof.
    #[derive(serde::Serialize)]
    pub(in crate::scenario) struct Network {
        kind: NetworkKind = NetworkKind::SmallWorld, Rule::Any, "",
            "The tie structure.";
        degree: f64 = 10.0, Rule::closed(0.0, 1e5), "ties per agent",
            "Mean ties per agent. `erdos-renyi`: at most size − 1; `small-world` and `scale-free`: \
             an even whole number from 2 to size − 1 (for `small-world` the lattice degree, less \
             the few rewired ties that land on an existing tie; for `scale-free` 2m). Ignored \
             for `well-mixed`.";
        rewire: f64 = 0.1, Rule::UNIT, "share",
            "Share of ring-lattice ties rewired to a random agent (`small-world` only).";
    }
}

table! {
    /// Intensity of each of the eight needs (for `community.offer`, how much the group is
    /// positioned to serve each). In a table you write, a need left out is 0.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Needs {
        service: f64 = 0.0, Rule::UNIT, "intensity",
            "Answers, after-sales help, consultation (safety level).";
        work: f64 = 0.0, Rule::UNIT, "intensity",
            "Job information, customers, business leads (safety level).";
        contact: f64 = 0.0, Rule::UNIT, "intensity",
            "Staying in touch with people one knows (belonging level).";
        friendship: f64 = 0.0, Rule::UNIT, "intensity",
            "Like-minded people, new high-quality contacts (belonging level).";
        life: f64 = 0.0, Rule::UNIT, "intensity",
            "Meeting up, dinners, trips, offline activity (belonging level).";
        belonging: f64 = 0.0, Rule::UNIT, "intensity",
            "A circle of one's own, feeling of membership (belonging level).";
        promotion: f64 = 0.0, Rule::UNIT, "intensity",
            "Being noticed, building a personal brand (esteem level).";
        learning: f64 = 0.0, Rule::UNIT, "intensity",
            "Learning from people more expert than oneself (self-actualisation level).";
    }
}

impl Needs {
    /// The needs in the canonical order of [`super::NEED_NAMES`].
    pub fn to_array(self) -> [f64; 8] {
        [
            self.service,
            self.work,
            self.contact,
            self.friendship,
            self.life,
            self.belonging,
            self.promotion,
            self.learning,
        ]
    }
}

table! {
    /// The utility a prospect needs before it joins, drawn per agent (normal, not clamped).
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct JoinThreshold {
        mean: f64 = 0.15, UTILITY, "utility",
            "Mean utility the group's promise (plus social proof, minus felt price) must reach \
             for the agent to join.";
        sd: f64 = 0.05, Rule::closed(0.0, 10.0), "utility",
            "Standard deviation of the join threshold across agents.";
    }
}

table! {
    /// The share of members among its ties a prospect needs before it joins, drawn per agent
    /// (normal, not clamped).
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct SocialThreshold {
        mean: f64 = 0.0, Rule::closed(-10.0, 10.0), "share",
            "Mean share of members among the agent's ties (or in the population, when \
             well-mixed) needed to join.";
        sd: f64 = 0.0, Rule::closed(0.0, 10.0), "share",
            "Standard deviation of the social threshold across agents.";
    }
}

table! {
    /// One kind of prospect: its share of the population, its needs and its traits. Needs and
    /// traits are drawn normal around the means and clamped to [0, 1].
    #[derive(serde::Serialize)]
    pub(in crate::scenario) struct Segment {
        name: String = "everyone".into(), Rule::Label, "",
            "Label of the segment; segment names differ.";
        share: f64 = 1.0, Rule::UNIT, "share",
            "Share of the population in this segment; all shares sum to 1 (±1e-6).";
        needs: Needs = Needs {
            service: 0.2,
            contact: 0.2,
            friendship: 0.4,
            belonging: 0.3,
            promotion: 0.3,
            learning: 0.5,
            ..Needs::default()
        }, Rule::Any, "",
            "Mean need intensities; a need left out (or 0) is absent in every agent of the \
             segment, whatever the spread.";
        spread: f64 = 0.3, Rule::UNIT, "intensity",
            "Standard deviation of each present need around its mean.";
        shyness: f64 = 0.6, Rule::UNIT, "trait",
            "Mean defence against speaking to strangers; it damps posting \
             (`behavior.post_shyness`).";
        price_sensitivity: f64 = 0.5, Rule::UNIT, "trait",
            "Mean sensitivity to fees: felt fee = sensitivity × fee / `behavior.fee_reference`.";
        incentive_sensitivity: f64 = 0.4, Rule::UNIT, "trait",
            "Mean response to money (red envelopes as a posting driver and in utility; \
             referral rewards).";
        trait_spread: f64 = 0.25, Rule::UNIT, "trait",
            "Standard deviation of the three traits above around their means.";
        advertiser_share: f64 = 0.0, Rule::UNIT, "probability",
            "Probability that an agent is an advertiser at heart, who joins to push its products; \
             its price sensitivity is 1 whatever the segment's (a fee is a cost of its \
             audience).";
        ad_aversion: f64 = 1.0, Rule::closed(0.0, 100.0), "utility",
            "Annoyance from ads: visit cost = involvement × aversion × saturating(ads, \
             `behavior.ad_half_load`).";
        join_threshold: JoinThreshold = JoinThreshold::default(), Rule::Any, "",
            "Utility the group's promise must reach for the agent to join.";
        social_threshold: SocialThreshold = SocialThreshold::default(), Rule::Any, "",
            "Share of members among the agent's ties needed before it joins.";
    }
}

choice! {
    /// Who may join.
    pub enum EntryKind {
        /// Everyone who wants in.
        Free = "free",
        /// Applicants are reviewed, and applying costs effort.
        Application = "application",
        /// A fee per period.
        Paid = "paid",
    }
}

table! {
    /// Who gets in, and at what price.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Entry {
        kind: EntryKind = EntryKind::Free, Rule::Any, "",
            "`free` admits everyone who wants in; `application` reviews applicants and costs \
             effort; `paid` charges a fee per period.";
        fee: f64 = 0.0, MONEY, "money/period",
            "`paid`: fee charged at joining and at each renewal (counted as revenue), felt as \
             price_sensitivity × fee / `behavior.fee_reference`.";
        period_days: u32 = 365, Rule::closed(1.0, MAX_DAYS as f64), "days",
            "`paid`: length of a paid period; on its last day the member renews or leaves.";
        review_accuracy: f64 = 0.9, Rule::UNIT, "probability",
            "`application`: probability that the reviewer turns away (for good) an advertiser, \
             or an applicant whose fit is below `fit_bar`.";
        fit_bar: f64 = 0.0, UTILITY, "utility",
            "`application`: the fit (what the offer promises to the applicant's needs, before \
             price) below which the reviewer turns an applicant away; 0 screens advertisers \
             only.";
        application_effort: f64 = 0.05, VALUE, "utility",
            "`application`: effort of applying felt by a fully shy applicant (an application is a \
             self-introduction to strangers); an applicant feels shyness × this, subtracted from \
             its perceived value like a price.";
    }
}

choice! {
    /// Whether ads are allowed.
    pub enum AdsRule {
        Allowed = "allowed",
        Banned = "banned",
    }
}

table! {
    /// House rules and their enforcement.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Rules {
        ads: AdsRule = AdsRule::Banned, Rule::Any, "",
            "`banned`: moderators review ads and warn or kick the posters; `allowed`: no ad is \
             reviewed and nobody is kicked.";
        moderators_per_group: u32 = 0, Rule::closed(0.0, 10_000.0), "moderators",
            "Moderators in each group (clones: see `clone_moderators`); with 0 and no shared \
             or funded moderators, no ad is reviewed and only members and the team answer \
             questions.";
        reviews_per_moderator: u32 = 50, Rule::closed(0.0, 1e6), "posts/day",
            "Posts a moderator handles a day. A group's capacity is its moderators × this, plus \
             its share of the shared moderators'; each \
             ad is caught with probability min(1, capacity / ads), and what is left answers the \
             questions the members left unanswered.";
        kick_after: u32 = 2, Rule::closed(0.0, 254.0), "warnings",
            "Warnings a caught advertiser gets before the next catch kicks it (0: the first \
             catch kicks).";
        removal_speed: f64 = 0.8, Rule::UNIT, "share",
            "Share of a caught ad's readers who never see it: moderators remove it before \
             they visit.";
        clone_moderators: Option<u64> = None, Rule::closed(0.0, 10_000.0), "moderators",
            "Moderators in each group opened by fission (absent: as many as \
             `moderators_per_group`); 0 leaves clones without moderators of their own (the \
             operating team still staffs them if `team.clones`).";
        shared_moderators: u32 = 0, Rule::closed(0.0, 10_000.0), "moderators",
            "Moderators who look after every group at once (the core group aside): their \
             reviews are shared evenly over the groups with members at the day's start, beside \
             each group's own.";
        funded_moderators: u32 = 0, Rule::closed(0.0, 10_000.0), "moderators",
            "Extra moderators in every group, hired on a day when the operating budget \
             (`monetization.reinvest`) can pay their `daily_cost`.";
        daily_cost: f64 = 0.0, MONEY, "money/day",
            "Cost of one moderator a day, for every moderator on duty: own and funded ones in \
             every group, each shared one once.";
        service_value: f64 = 0.5, VALUE, "value",
            "Service value of an answered question to its asker (on service, work and learning), \
             at its next visit.";
    }
}

table! {
    /// The operating team: the owner and administrators, who write (share knowledge, announce)
    /// and answer in every group they staff. By default there is none.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Team {
        posts_per_day: f64 = 0.0, Rule::closed(0.0, 1e4), "posts/day",
            "Posts the team writes a day in each group it staffs: content every visitor reads \
             (not member posts: they do not make a group alive).";
        answers_per_day: u32 = 0, Rule::closed(0.0, 1e6), "answers/day",
            "Questions the team answers a day in each group it staffs, beside the moderators.";
        daily_cost: f64 = 0.0, MONEY, "money/day",
            "Cost of the team's day in each group it staffs.";
        clones: bool = true, Rule::Any, "",
            "Whether the team also staffs the groups opened by fission (false: only the first).";
        minutes_per_day: Option<u64> = None, Rule::closed(0.0, 1e7), "minutes/day",
            "The team's working time a day, over all the groups it staffs (absent: as much as its \
             posts, answers and nudges take). It is spent on its posts first, then on nudges, \
             keeping time for as many answers as it gave the day before, then on answers.";
        minutes_per_post: f64 = 15.0, Rule::closed(0.0, 1440.0), "minutes",
            "Time the team spends on one of its posts (an announcement, a piece of knowledge).";
        minutes_per_answer: f64 = 5.0, Rule::closed(0.0, 1440.0), "minutes",
            "Time the team spends answering one question.";
        nudges_per_day: f64 = 0.0, Rule::closed(0.0, 1e6), "nudges/day",
            "Members who never posted that the team nudges a day in each group it staffs (a \
             mention or a private message inviting them to speak), among those who visit.";
        minutes_per_nudge: f64 = 2.0, Rule::closed(0.0, 1440.0), "minutes",
            "Time the team spends on one nudge.";
        funded: bool = false, Rule::Any, "",
            "Whether the team is paid from the operating budget (`monetization.reinvest`): it \
             works on a day only when the budget can pay that day. When false, the operator \
             pays it whatever the revenue.";
        overtime_minutes: f64 = 0.0, Rule::closed(0.0, 1440.0), "minutes/day",
            "Minutes a day, over all the groups it staffs, the team works past `minutes_per_day` \
             to answer questions it sees waiting that its time left unanswered (0: never past \
             its budget). Paid at the budget's rate; wears the team out (`burnout_after`).";
        burnout_after: Option<u64> = None, Rule::closed(0.0, 1e7), "minutes",
            "Overtime over the last `recovery_days` days past which the team burns out and \
             stops working for `recovery_days` days: the operator's own figure, required with \
             `overtime_minutes`.";
        recovery_days: u32 = 21, Rule::closed(1.0, 365.0), "days",
            "Days over which the team feels its overtime, and the days a burnt-out team is \
             away: the effects of a rest fade within 2 to 4 weeks (de Bloom et al. 2009).";
    }
}

table! {
    /// Material and symbolic rewards; by default none is used.
    #[derive(serde::Serialize)]
    pub(in crate::scenario) struct Incentives {
        red_envelope: Option<RedEnvelope> = None, Rule::Any, "",
            "Money per genuine post, within a daily budget, during a window of days (absent: \
             none).";
        badges: Option<Badges> = None, Rule::Any, "",
            "Status levels reached at post counts (absent: none).";
        referral_reward: f64 = 0.0, Rule::closed(0.0, 1e6), "money/joiner",
            "Money paid for each joiner brought in by word of mouth. It raises recommending to \
             wom + (1 − wom) × sensitivity × saturating(reward, `behavior.referral_reference`).";
        crowding_out: f64 = 0.0, Rule::UNIT, "share",
            "Share of intrinsic posting drive (the esteem and belonging terms) that members once \
             paid for posting lose after red envelopes end.";
    }
}

table! {
    /// Money per genuine post, within a daily budget, during a window of days.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct RedEnvelope {
        per_post: f64 = 0.5, Rule::closed(0.0, 1e6), "money/post",
            "Money per genuine post.";
        daily_budget: f64 = 100.0, MONEY, "money/day",
            "Most money paid out in a day. The expected reward per post is min(per_post, budget \
             / yesterday's posts).";
        start_day: u32 = 0, Rule::closed(0.0, NEVER as f64), "day",
            "First day that rewards are paid.";
        end_day: u32 = NEVER, Rule::closed(0.0, NEVER as f64), "day",
            "Last day (inclusive) that rewards are paid, at least `start_day`; crowding out \
             applies after it. The default never ends.";
    }
}

table! {
    /// Status levels reached at post counts, and the esteem they are worth.
    #[derive(serde::Serialize)]
    pub(in crate::scenario) struct Badges {
        levels: Vec<u32> = vec![5, 20, 100],
            Rule::Increasing { min: 1.0, max: MAX_DAYS as f64 }, "posts",
            "Post counts at which badges are reached.";
        esteem: f64 = 0.3, VALUE, "value",
            "Esteem value of badges: adds esteem × (share of levels reached) to a poster's \
             promotion value the next day, and drives posting through `behavior.post_badge` × \
             esteem × progress to the next level.";
    }
}

choice! {
    /// What a recurring event is.
    pub enum EventKind {
        /// A scheduled discussion night: posting boost that day.
        Topic = "topic",
        /// An expert shares: learning value that day.
        Guest = "guest",
        /// A meetup: lasting life and belonging value for those who attend.
        Offline = "offline",
        /// A participation activity (a tasting, a vote, a naming contest): taking part asks for
        /// no self-exposure, so it moves the shy most.
        Activity = "activity",
        /// The operator's own selling: a promotional post in every group, read like an ad and
        /// never removed by moderators.
        Promotion = "promotion",
    }
}

table! {
    /// A recurring event: on every day d ≥ `start_day` with (d − `start_day`) divisible by
    /// `every_days`.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Event {
        kind: EventKind = EventKind::Topic, Rule::Any, "",
            "`topic`: a discussion night; `guest`: an expert shares; `offline`: a meetup; \
             `activity`: a tasting, vote or naming contest; `promotion`: the operator's own \
             selling post.";
        every_days: u32 = 7, Rule::closed(1.0, MAX_DAYS as f64), "days",
            "Days between occurrences.";
        start_day: u32 = 0, DAYS, "day",
            "Day of the first occurrence. Day 0 is never simulated, so with `start_day = 0` the \
             first occurrence is on day `every_days`.";
        cost: f64 = 0.0, MONEY, "money",
            "All kinds: cost of each occurrence.";
        prize: f64 = 0.0, MONEY, "money",
            "All kinds: a prize for the day's best contribution, awarded among the day's \
             posters when there are any (a cost beside `cost`). Each poster expects prize / the \
             posts of the day before, a material reward like a red envelope's share.";
        boost: f64 = 1.0, Rule::closed(-20.0, 20.0), "score",
            "`topic`: added to the visiting and posting scores of every member that day (boosts \
             of several topic nights add up). `activity`: added to the visiting score only; \
             its posting effect is that taking part asks no self-exposure (the shyness term \
             of posting is lifted that day).";
        value: f64 = 0.5, VALUE, "value",
            "`guest`: learning value to every visitor that day. `offline`: life and belonging \
             value to each attendee.";
        conversion: f64 = 0.0, Rule::UNIT, "probability",
            "`promotion`: probability that a visitor committed enough to buy \
             (`monetization.commitment_floor`) buys when it reads the promotion, beside its usual \
             `purchase_rate`: the operator's own figure from past promotions.";
        capacity: u64 = 50, AGENTS, "seats",
            "`offline`: seats for the whole community at each meetup.";
        persistence_days: f64 = 30.0, Rule::closed(0.01, MAX_DAYS as f64), "days",
            "`offline`: days over which an attendee's meetup value decays by a factor e (bond = \
             value × e^(−days since / persistence)).";
    }
}

table! {
    /// How prospects learn about the community.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Acquisition {
        ad_reach: f64 = 0.002, Rule::UNIT, "probability/day",
            "Daily probability that an outsider sees the community's ads (is exposed).";
        cost_per_exposure: f64 = 0.0, Rule::closed(0.0, 1e6), "money",
            "Cost of each ad exposure.";
        word_of_mouth: f64 = 0.05, Rule::UNIT, "probability",
            "Probability that an advocate recommends the group to the outsider who meets it that \
             day.";
        advocacy_threshold: f64 = 0.2, UTILITY, "commitment",
            "Commitment (as of yesterday) at or above which a member is an advocate and \
             recommends.";
        open_day: u32 = 0, DAYS, "day",
            "Day the community opens to the public: before it nobody outside hears of it (no \
             ads, no word of mouth) and only the seed members are in, a private beta of the \
             people who committed in advance.";
        opening_reach: f64 = 0.0, Rule::UNIT, "probability",
            "Probability that an outsider hears of the community on the day it opens (its \
             announcement), besides the day's ads.";
    }
}

table! {
    /// Sales to members. Fees from `paid` entry count as revenue too.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Monetization {
        purchase_rate: f64 = 0.0, Rule::UNIT, "probability/day",
            "Daily probability that a visiting member with at least one need and enough \
             commitment buys.";
        price: f64 = 0.0, MONEY, "money",
            "Price of a purchase.";
        margin: f64 = 0.3, Rule::UNIT, "share",
            "Share of the price that is profit; revenue counts price × margin.";
        commitment_floor: f64 = 0.3, UTILITY, "commitment",
            "Commitment (at or above, after the day's update) a member needs before it buys.";
        reinvest: f64 = 0.0, Rule::UNIT, "share",
            "Share of revenue put into the operating budget, which pays the operating team (if \
             `team.funded`) and `rules.funded_moderators`.";
    }
}
