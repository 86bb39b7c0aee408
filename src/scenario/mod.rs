//! The scenario: everything an operator states about a community strategy and the population it
//! is tried on, as read from a TOML file.
//!
//! Every field but `name` has a default, and every default lives in exactly one place: the
//! `Default` impl of the struct that holds it. The structs here mirror the file one to one
//! (`deny_unknown_fields` everywhere), so serialising a loaded scenario gives back a complete file
//! with every default filled in — the `scenario.toml` written next to each run, which reproduces it.
//!
//! Loading (`load`) turns text into a `Scenario` and attaches file, line and key to every error;
//! `validate` checks the ranges serde cannot express.

mod load;
mod validate;

pub use load::{
    generic_path, item_at, load_file, load_source, load_str, nearest_key, resolved_toml,
    valid_keys, Origin, Override, ScenarioError, TomlSource,
};
pub use validate::{available_memory, results_name_problem};

use serde::{Deserialize, Serialize};

/// The eight needs people bring to a group, in the order used everywhere in agora.
pub const NEED_NAMES: [&str; 8] = [
    "service",
    "work",
    "contact",
    "friendship",
    "life",
    "belonging",
    "promotion",
    "learning",
];

/// A complete strategy-and-population description: one run of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name of the scenario; results go to `results/<name>/` by default.
    pub name: String,
    /// Number of simulated days (steps).
    #[serde(default = "default_days")]
    pub days: u32,
    /// Master seed: every random draw of a run derives from it and the replicate number.
    #[serde(default)]
    pub seed: u64,
    /// Independent replicates (fresh population, network and draws each).
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    #[serde(default)]
    pub population: Population,
    #[serde(default)]
    pub community: Community,
    #[serde(default)]
    pub entry: Entry,
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub incentives: Incentives,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub acquisition: Acquisition,
    #[serde(default)]
    pub behavior: Behavior,
    #[serde(default)]
    pub monetization: Monetization,
}

fn default_days() -> u32 {
    180
}
fn default_replicates() -> u32 {
    1
}

/// Intensity of each of the eight needs (or, for `community.offer`, how much the group is
/// positioned to serve each). Missing needs are 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Needs {
    pub service: f64,
    pub work: f64,
    pub contact: f64,
    pub friendship: f64,
    pub life: f64,
    pub belonging: f64,
    pub promotion: f64,
    pub learning: f64,
}

impl Needs {
    /// The needs in the canonical order of [`NEED_NAMES`].
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

/// The reachable audience: its size, how it is connected and what kinds of people it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Population {
    /// Number of prospects (the traffic pool), members or not.
    pub size: u64,
    pub network: Network,
    pub segments: Vec<Segment>,
}

impl Default for Population {
    fn default() -> Self {
        Population {
            size: 10_000,
            network: Network::default(),
            segments: vec![Segment::default()],
        }
    }
}

/// How prospects know each other. Ties carry word of mouth and social proof.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    pub kind: NetworkKind,
    /// Mean number of ties per agent (`small-world`: the lattice degree, less the few rewired
    /// ties that land on an existing tie; `scale-free`: `2 * m`).
    pub degree: f64,
    /// Share of ring-lattice ties rewired at random (`small-world` only).
    pub rewire: f64,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            kind: NetworkKind::SmallWorld,
            degree: 10.0,
            rewire: 0.1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    /// No ties: every contact is a uniformly random agent; social proof is the community's share.
    WellMixed,
    /// Random graph with the given mean degree (Erdős–Rényi, fixed number of edges).
    ErdosRenyi,
    /// Ring lattice with random rewiring (Watts–Strogatz).
    SmallWorld,
    /// Preferential attachment (Barabási–Albert).
    ScaleFree,
}

/// A draw distribution for a per-agent threshold: normal with this mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Threshold {
    pub mean: f64,
    pub sd: f64,
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold { mean: 0.0, sd: 0.0 }
    }
}

/// One kind of prospect: its share of the population, its needs and its traits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Segment {
    pub name: String,
    /// Share of the population in this segment; shares sum to 1.
    pub share: f64,
    /// Mean need intensities; a need left out (or 0) is absent in every agent of the segment.
    pub needs: Needs,
    /// Standard deviation of each present need around its mean (clamped to [0, 1]).
    pub spread: f64,
    /// Mean defence against speaking to strangers, in [0, 1].
    pub shyness: f64,
    /// Mean sensitivity to fees, in [0, 1].
    pub price_sensitivity: f64,
    /// Mean response to material rewards, in [0, 1].
    pub incentive_sensitivity: f64,
    /// Standard deviation of the three traits above around their means.
    pub trait_spread: f64,
    /// Probability that an agent is an advertiser at heart (joins to push its products).
    pub advertiser_share: f64,
    /// How much ads in the group annoy members of this segment (cost per unit of ad load).
    pub ad_aversion: f64,
    /// Utility the group's promise must reach for the agent to join.
    pub join_threshold: Threshold,
    /// Share of members among the agent's ties needed before it joins.
    pub social_threshold: Threshold,
}

impl Default for Segment {
    fn default() -> Self {
        Segment {
            name: "everyone".into(),
            share: 1.0,
            needs: Needs {
                service: 0.2,
                contact: 0.2,
                friendship: 0.4,
                belonging: 0.3,
                promotion: 0.3,
                learning: 0.5,
                ..Needs::default()
            },
            spread: 0.15,
            shyness: 0.6,
            price_sensitivity: 0.5,
            incentive_sensitivity: 0.4,
            trait_spread: 0.15,
            advertiser_share: 0.0,
            ad_aversion: 1.0,
            join_threshold: Threshold {
                mean: 0.15,
                sd: 0.05,
            },
            social_threshold: Threshold::default(),
        }
    }
}

/// What the community is and how it is organised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Community {
    /// Positioning: how much the group serves each need (what the group is for).
    pub offer: Needs,
    /// Maslow prepotency exponent gamma; 0 turns the hierarchy off.
    pub prepotency: f64,
    /// Founders and opinion leaders present on day 0 who post often.
    pub seed_members: u64,
    /// Starting commitment of seed members.
    pub seed_commitment: f64,
    /// Members per group; a full community opens a new group (fission).
    pub group_cap: u64,
    /// Most groups the community may open; absent means unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_groups: Option<u64>,
    /// Genuine posts a day at which content gives half its value.
    pub half_saturation: f64,
    /// Visitors a day at which replies and audience give half their value.
    pub half_audience: f64,
    /// Posts (and ads) a day a member can read before overload sets in.
    pub attention: f64,
    /// Whether members who quit may join again.
    pub rejoin: bool,
    /// The community is alive at the end if it keeps at least this many members and posts.
    pub alive_floor: AliveFloor,
}

impl Default for Community {
    fn default() -> Self {
        Community {
            offer: Needs {
                service: 0.3,
                contact: 0.3,
                friendship: 0.3,
                belonging: 0.3,
                promotion: 0.3,
                learning: 0.3,
                ..Needs::default()
            },
            prepotency: 1.0,
            seed_members: 0,
            seed_commitment: 0.5,
            group_cap: 500,
            max_groups: None,
            half_saturation: 10.0,
            half_audience: 30.0,
            attention: 60.0,
            rejoin: false,
            alive_floor: AliveFloor::default(),
        }
    }
}

/// Thresholds of a living community at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AliveFloor {
    /// Members needed at the end.
    pub members: u64,
    /// Genuine posts a day needed, averaged over the last 7 days.
    pub posts_per_day: f64,
}

impl Default for AliveFloor {
    fn default() -> Self {
        AliveFloor {
            members: 10,
            posts_per_day: 5.0,
        }
    }
}

/// Who gets in, and at what price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Entry {
    pub kind: EntryKind,
    /// Fee per period (for `paid`).
    pub fee: f64,
    /// Length of a paid period in days; at its end the member renews or leaves.
    pub period_days: u32,
    /// Probability that an application from an advertiser is turned away (`application`).
    pub review_accuracy: f64,
    /// Effort an application costs the applicant, felt like a price (`application`).
    pub application_effort: f64,
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            kind: EntryKind::Free,
            fee: 0.0,
            period_days: 365,
            review_accuracy: 0.9,
            application_effort: 0.05,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Free,
    Application,
    Paid,
}

/// House rules and their enforcement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    pub ads: AdsRule,
    pub moderators_per_group: u32,
    /// Posts a moderator reviews (ads caught or questions answered) a day.
    pub reviews_per_moderator: u32,
    /// Warnings an advertiser gets before the next catch kicks it.
    pub kick_after: u32,
    /// Cost of one moderator a day.
    pub daily_cost: f64,
    /// Service value a visitor gets when moderators cover the day's questions.
    pub service_value: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            ads: AdsRule::Banned,
            moderators_per_group: 0,
            reviews_per_moderator: 50,
            kick_after: 2,
            daily_cost: 0.0,
            service_value: 0.5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdsRule {
    Allowed,
    Banned,
}

/// Material and symbolic rewards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Incentives {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_envelope: Option<RedEnvelope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badges: Option<Badges>,
    /// Money paid to a member for each prospect it brings in.
    pub referral_reward: f64,
    /// Share of intrinsic posting motivation lost by rewarded members once rewards stop.
    pub crowding_out: f64,
}

impl Default for Incentives {
    fn default() -> Self {
        Incentives {
            red_envelope: None,
            badges: None,
            referral_reward: 0.0,
            crowding_out: 0.0,
        }
    }
}

/// Money per genuine post, within a daily budget, during a window of days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedEnvelope {
    pub per_post: f64,
    pub daily_budget: f64,
    pub start_day: u32,
    /// Last day (inclusive) rewards are paid.
    pub end_day: u32,
}

impl Default for RedEnvelope {
    fn default() -> Self {
        RedEnvelope {
            per_post: 0.5,
            daily_budget: 100.0,
            start_day: 0,
            end_day: u32::MAX / 2,
        }
    }
}

/// Status levels reached at post counts, and the esteem they are worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Badges {
    pub levels: Vec<u32>,
    pub esteem: f64,
}

impl Default for Badges {
    fn default() -> Self {
        Badges {
            levels: vec![5, 20, 100],
            esteem: 0.3,
        }
    }
}

/// A recurring event the operator holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Event {
    pub kind: EventKind,
    pub every_days: u32,
    pub start_day: u32,
    /// Cost of each occurrence.
    pub cost: f64,
    /// Visiting and posting boost on the day (`topic`), added to the logistic scores.
    pub boost: f64,
    /// Value given: learning for `guest`, life and belonging for `offline`.
    pub value: f64,
    /// Most members who can attend (`offline`).
    pub capacity: u64,
    /// Days over which an offline meetup's value decays by a factor e (`offline`).
    pub persistence_days: f64,
}

impl Default for Event {
    fn default() -> Self {
        Event {
            kind: EventKind::Topic,
            every_days: 7,
            start_day: 0,
            cost: 0.0,
            boost: 1.0,
            value: 0.5,
            capacity: 50,
            persistence_days: 30.0,
        }
    }
}

impl Event {
    /// Whether the event takes place on `day`.
    pub fn occurs_on(&self, day: u32) -> bool {
        day >= self.start_day && (day - self.start_day) % self.every_days == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A scheduled discussion night: posting boost that day.
    Topic,
    /// An expert shares: learning value that day.
    Guest,
    /// A meetup: lasting life and belonging value for those who attend.
    Offline,
}

/// How prospects learn about the community.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Acquisition {
    /// Daily probability that an outsider sees the community's ads.
    pub ad_reach: f64,
    pub cost_per_exposure: f64,
    /// Probability that a committed member recommends the group to a contact it meets.
    pub word_of_mouth: f64,
    /// Commitment a member needs before it recommends the group.
    pub advocacy_threshold: f64,
}

impl Default for Acquisition {
    fn default() -> Self {
        Acquisition {
            ad_reach: 0.002,
            cost_per_exposure: 0.0,
            word_of_mouth: 0.05,
            advocacy_threshold: 0.2,
        }
    }
}

/// The weights of the decision rules: each decision is a logistic function of a linear score
/// of named drivers, and these are the coefficients (see docs/MODEL.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Behavior {
    /// Weight of today's utility in the commitment and satisfaction moving averages.
    pub memory: f64,
    /// Commitment below which a member may quit.
    pub quit_threshold: f64,
    /// Days after joining before a member may quit.
    pub grace_days: u32,
    /// Quitting: hazard = logistic(quit_base + quit_shortfall * (threshold - commitment)).
    pub quit_base: f64,
    pub quit_shortfall: f64,
    /// Visiting: logistic(visit_base + visit_commitment * commitment [+ event boost]).
    pub visit_base: f64,
    pub visit_commitment: f64,
    /// Posting, given a visit: logistic of these weights times their drivers.
    pub post_base: f64,
    pub post_esteem: f64,
    pub post_belonging: f64,
    pub post_reply: f64,
    pub post_shyness: f64,
    pub post_reward: f64,
    pub post_badge: f64,
    pub post_seed: f64,
    /// Advertising, given a visit: logistic(ad_base) for advertisers,
    /// logistic(ad_turn_base + ad_turn_promotion * unmet promotion) for others.
    pub ad_base: f64,
    pub ad_turn_base: f64,
    pub ad_turn_promotion: f64,
    /// Value of replies to a poster (contact, friendship, belonging) at full audience.
    pub reply_value: f64,
    /// Esteem value of an audience to a poster at full audience.
    pub audience_value: f64,
    /// Cost of overload per unit of posts beyond `community.attention`.
    pub overload_cost: f64,
    /// Ads a day at which ad annoyance is half its maximum.
    pub ad_half_load: f64,
    /// Joining: weight of ln(1 + member ties) in the prospect's perceived value.
    pub social_proof: f64,
    /// Fee at which a fully price-sensitive agent feels a price of 1.
    pub fee_reference: f64,
    /// Reward per post at which it gives half its effect.
    pub reward_reference: f64,
    /// Referral reward at which it gives half its effect.
    pub referral_reference: f64,
    /// How much of the felt fee holds a member in during its paid period (sunk cost).
    pub sunk_cost: f64,
    /// Renewing: logistic(renew_base + renew_commitment * commitment - renew_price * felt fee).
    pub renew_base: f64,
    pub renew_commitment: f64,
    pub renew_price: f64,
}

impl Default for Behavior {
    fn default() -> Self {
        Behavior {
            memory: 0.1,
            quit_threshold: 0.1,
            grace_days: 7,
            quit_base: -3.0,
            quit_shortfall: 30.0,
            visit_base: -1.0,
            visit_commitment: 8.0,
            post_base: -5.5,
            post_esteem: 6.0,
            post_belonging: 3.0,
            post_reply: 4.0,
            post_shyness: 4.0,
            post_reward: 3.0,
            post_badge: 2.0,
            post_seed: 4.0,
            ad_base: 0.0,
            ad_turn_base: -7.0,
            ad_turn_promotion: 4.0,
            reply_value: 0.5,
            audience_value: 0.5,
            overload_cost: 0.5,
            ad_half_load: 10.0,
            social_proof: 0.05,
            fee_reference: 100.0,
            reward_reference: 1.0,
            referral_reference: 5.0,
            sunk_cost: 0.5,
            renew_base: 0.0,
            renew_commitment: 10.0,
            renew_price: 3.0,
        }
    }
}

/// Sales to members.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Monetization {
    /// Daily probability that a committed visiting member buys.
    pub purchase_rate: f64,
    pub price: f64,
    /// Share of the price that is profit; revenue counts price times margin.
    pub margin: f64,
    /// Commitment a member needs before it buys.
    pub commitment_floor: f64,
}

impl Default for Monetization {
    fn default() -> Self {
        Monetization {
            purchase_rate: 0.0,
            price: 0.0,
            margin: 0.3,
            commitment_floor: 0.3,
        }
    }
}
