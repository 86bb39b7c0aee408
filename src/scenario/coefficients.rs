//! Engine-ready coefficients: what a validated scenario means to the model, built once.
//!
//! The hot loop works in `f32` and the population is drawn in `f64`; money is summed in `f64`.
//! Each coefficient is converted here, once, in the type its rule computes in, and the event
//! calendar is laid out day by day (`calendar.rs`). `model/`, `population/` and `engine/` read nothing else of a
//! scenario.

use super::calendar::{calendar, Calendar};
use super::file::{self, ScenarioFile};
use super::weights::weights;
use super::Weights;
use super::{AdsRule, EntryKind, NetworkKind};

/// Number of needs.
const NEEDS: usize = 8;

/// Everything the engine needs to know of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficients {
    pub days: u32,
    pub population: PopulationCoefficients,
    pub community: CommunityCoefficients,
    pub value: ValueCoefficients,
    pub weights: Weights,
    pub entry: EntryCoefficients,
    pub moderation: ModerationCoefficients,
    pub team: TeamCoefficients,
    pub rewards: Rewards,
    pub calendar: Calendar,
    pub acquisition: AcquisitionCoefficients,
    pub sales: Sales,
}

/// Who the prospects are: what population generation draws from.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationCoefficients {
    pub size: u32,
    pub network: NetworkSpec,
    pub segments: Vec<SegmentDraw>,
}

/// The tie structure to build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkSpec {
    pub kind: NetworkKind,
    pub degree: f64,
    pub rewire: f64,
}

/// A normal distribution to draw a per-agent threshold from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalDraw {
    pub mean: f64,
    pub sd: f64,
}

/// One segment's means and spreads, as the population is drawn from them.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentDraw {
    pub name: String,
    pub share: f64,
    /// Mean intensity of each need (0: absent).
    pub needs: [f64; NEEDS],
    pub spread: f64,
    pub shyness: f64,
    pub price_sensitivity: f64,
    pub incentive_sensitivity: f64,
    pub trait_spread: f64,
    /// Standard deviation of each agent's own posting constant (logit), `behavior.post_spread`.
    pub post_spread: f64,
    pub advertiser_share: f64,
    pub join_threshold: NormalDraw,
    pub social_threshold: NormalDraw,
}

/// How the community is organised.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityCoefficients {
    /// Maslow prepotency exponent gamma.
    pub prepotency: f32,
    pub seed_members: u64,
    /// Whether the seed members are the owner and its ties, nearest first (else drawn at random).
    pub founders_from_ties: bool,
    pub seed_commitment: f32,
    /// Whether the seed members form a closed core group (group 0) apart from the joiners'.
    pub core: bool,
    /// Seed members seated in each group opened after the first joiners' group.
    pub clone_seeds: u64,
    pub group_cap: u64,
    pub max_groups: Option<u64>,
    pub rejoin: bool,
    /// Seed members who run the community (the first `admins`): they never quit, lapse or mute.
    pub admins: u64,
    /// Posts each admin handles on a day it visits, in its own group, unpaid.
    pub admin_reviews: u64,
    /// Recruits a healthy group needs.
    pub health_members: u64,
    /// Recruits' posts per member-week over 28 days below which a group is quiet.
    pub health_posts_per_member_week: f64,
    /// Recruits' posts of 28 days over the 28 before below which a group is dying.
    pub health_dying_share: f64,
    /// Most of what members read over 7 days that may be ads before a group is overrun.
    pub health_max_ad_share: f64,
    /// Share of members in healthy groups that makes the community healthy.
    pub health_live_share: f64,
}

/// The coefficients of what a visit is worth and costs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCoefficients {
    pub offer: [f32; NEEDS],
    pub half_saturation: f32,
    pub half_audience: f32,
    pub attention: f32,
    pub reply_value: f32,
    pub audience_value: f32,
    pub service_value: f32,
    pub overload_cost: f32,
    pub ad_half_load: f32,
    /// Share of the readers of a promotional post who mute the group over it.
    pub promotion_mute: f32,
    /// Ad aversion of each segment.
    pub aversion: Vec<f32>,
}

/// Who gets in, and at what price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryCoefficients {
    pub kind: EntryKind,
    /// The fee as money (revenue).
    pub fee: f64,
    /// The fee in the `f32` arithmetic of the decision rules (felt fee, renewal).
    pub fee_f32: f32,
    pub period_days: u32,
    pub review_accuracy: f64,
    pub application_effort: f32,
    /// Fit below which a reviewer turns an applicant away.
    pub fit_bar: f32,
}

/// Moderators and what they can do in a day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModerationCoefficients {
    pub ads_banned: bool,
    /// Moderators of the first group.
    pub moderators_per_group: u32,
    /// Moderators of each group opened by fission.
    pub clone_moderators: u32,
    /// Moderators who look after every group but the core one, their reviews shared evenly.
    pub shared_moderators: u32,
    /// Extra moderators a group gets on a day the operating budget pays for them.
    pub funded_moderators: u32,
    /// Posts a moderator reviews (ads caught or questions answered) a day.
    pub reviews_per_moderator: u64,
    pub kick_after: u32,
    pub daily_cost: f64,
    /// Share of a caught ad's readers who never see it.
    pub removal_speed: f32,
}

impl ModerationCoefficients {
    /// The moderators of a group of tier `tier` (without those paid from the budget).
    pub fn moderators(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Core => 0,
            Tier::Main => self.moderators_per_group,
            Tier::Clone => self.clone_moderators,
        }
    }

    /// The moderators the budget pays in a group of tier `tier` on a day it hires them: none in
    /// the core group, which moderates itself.
    pub fn funded(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Core => 0,
            Tier::Main | Tier::Clone => self.funded_moderators,
        }
    }

    /// The shared moderators' reviews in each group, given each group's tier and whether it has
    /// members (`occupied`): their daily reviews divided evenly over the groups they look after
    /// (those with members, the core group aside), the remainder one each to the first of them.
    pub fn shared_reviews(&self, tiers: &[Tier], occupied: &[bool]) -> Vec<u64> {
        let total = self.shared_moderators as u64 * self.reviews_per_moderator;
        let looks_after = |g: usize| tiers[g] != Tier::Core && occupied[g];
        let looked_after = (0..tiers.len()).filter(|&g| looks_after(g)).count() as u64;
        let mut rank = 0;
        (0..tiers.len())
            .map(|g| {
                if !looks_after(g) {
                    return 0;
                }
                rank += 1;
                total / looked_after + u64::from(rank <= total % looked_after)
            })
            .collect()
    }
}

/// What a group is in the community's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// The seed members' own group, closed to joiners (`community.core`).
    Core,
    /// The first group joiners enter.
    Main,
    /// A group opened by fission when every group was full.
    Clone,
}

impl Tier {
    /// Its name in `groups.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Core => "core",
            Tier::Main => "main",
            Tier::Clone => "clone",
        }
    }
}

impl CommunityCoefficients {
    /// The first group joiners may enter: the one after the core group, if there is one.
    pub fn first_open(&self) -> usize {
        self.core as usize
    }

    /// The tier of group `g`.
    pub fn tier(&self, g: usize) -> Tier {
        match g.cmp(&self.first_open()) {
            std::cmp::Ordering::Less => Tier::Core,
            std::cmp::Ordering::Equal => Tier::Main,
            std::cmp::Ordering::Greater => Tier::Clone,
        }
    }
}

/// The operating team, in each group it staffs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TeamCoefficients {
    pub posts_per_day: f32,
    pub answers_per_day: u64,
    pub daily_cost: f64,
    pub clones: bool,
    /// Paid from the operating budget (works only on days it can be paid).
    pub funded: bool,
    /// Minutes of work a day over all the groups it staffs (`None`: as many as its tasks take).
    pub minutes: Option<f64>,
    pub minutes_per_post: f64,
    pub minutes_per_answer: f64,
    pub nudges_per_day: f64,
    pub minutes_per_nudge: f64,
    /// Minutes a day past `minutes`, over all its groups, for questions waiting (0: none).
    pub overtime: f64,
    /// Overtime over the last `recovery_days` days past which it burns out (`None`: never,
    /// which validation allows only without overtime).
    pub burnout_after: Option<f64>,
    /// Days it remembers its overtime, and days a burnt-out team is away.
    pub recovery_days: u32,
}

impl TeamCoefficients {
    /// Whether the team staffs a group of tier `tier`.
    pub fn staffs(&self, tier: Tier) -> bool {
        match tier {
            Tier::Core => false,
            Tier::Main => true,
            Tier::Clone => self.clones,
        }
    }
}

/// A red envelope's terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RedEnvelopeTerms {
    pub per_post: f64,
    pub daily_budget: f64,
    pub start_day: u32,
    pub end_day: u32,
}

/// Badge levels and their esteem.
#[derive(Debug, Clone, PartialEq)]
pub struct BadgeLevels {
    pub levels: Vec<u32>,
    pub esteem: f32,
}

/// Material and symbolic rewards.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewards {
    pub red_envelope: Option<RedEnvelopeTerms>,
    pub badges: Option<BadgeLevels>,
    pub referral_reward: f64,
    pub crowding_out: f32,
}

/// How outsiders hear of the community.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcquisitionCoefficients {
    pub ad_reach: f64,
    /// Day the community opens to the public (nobody outside hears of it before).
    pub open_day: u32,
    /// Probability of hearing of the community on its opening day, besides the ads.
    pub opening_reach: f64,
    pub cost_per_exposure: f64,
    pub word_of_mouth: f64,
    /// Commitment at or above which a member recommends.
    pub advocacy_threshold: f32,
}

impl AcquisitionCoefficients {
    /// Whether outsiders can hear of the community on `day`: from the day it opens.
    pub fn open_on(&self, day: u32) -> bool {
        day >= self.open_day
    }

    /// Probability that an outsider sees the community's ads on `day`, with its announcement
    /// on the opening day.
    pub fn ad_reach_on(&self, day: u32) -> f64 {
        if day == self.open_day {
            1.0 - (1.0 - self.ad_reach) * (1.0 - self.opening_reach)
        } else {
            self.ad_reach
        }
    }
}

/// Sales to members.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sales {
    pub purchase_rate: f64,
    pub price: f64,
    pub margin: f64,
    pub commitment_floor: f32,
    /// Share of revenue put into the operating budget.
    pub reinvest: f64,
}

impl Coefficients {
    /// The coefficients of a validated scenario file.
    pub(super) fn new(s: &ScenarioFile) -> Coefficients {
        let b = &s.behavior;
        Coefficients {
            days: s.days,
            population: population(&s.population, s.behavior.post_spread),
            community: community(&s.community),
            value: value(s),
            weights: weights(s),
            entry: EntryCoefficients {
                kind: s.entry.kind,
                fee: s.entry.fee,
                fee_f32: s.entry.fee as f32,
                period_days: s.entry.period_days,
                review_accuracy: s.entry.review_accuracy,
                application_effort: s.entry.application_effort as f32,
                fit_bar: s.entry.fit_bar as f32,
            },
            moderation: ModerationCoefficients {
                ads_banned: s.rules.ads == AdsRule::Banned,
                moderators_per_group: s.rules.moderators_per_group,
                clone_moderators: s
                    .rules
                    .clone_moderators
                    .map_or(s.rules.moderators_per_group, |m| m as u32),
                shared_moderators: s.rules.shared_moderators,
                funded_moderators: s.rules.funded_moderators,
                reviews_per_moderator: s.rules.reviews_per_moderator as u64,
                kick_after: s.rules.kick_after,
                daily_cost: s.rules.daily_cost,
                removal_speed: s.rules.removal_speed as f32,
            },
            team: TeamCoefficients {
                posts_per_day: s.team.posts_per_day as f32,
                answers_per_day: s.team.answers_per_day as u64,
                daily_cost: s.team.daily_cost,
                clones: s.team.clones,
                funded: s.team.funded,
                minutes: s.team.minutes_per_day.map(|m| m as f64),
                minutes_per_post: s.team.minutes_per_post,
                minutes_per_answer: s.team.minutes_per_answer,
                nudges_per_day: s.team.nudges_per_day,
                minutes_per_nudge: s.team.minutes_per_nudge,
                overtime: s.team.overtime_minutes,
                burnout_after: s.team.burnout_after.map(|m| m as f64),
                recovery_days: s.team.recovery_days,
            },
            rewards: rewards(&s.incentives),
            calendar: calendar(&s.events, s.days, b.habituation_days),
            acquisition: AcquisitionCoefficients {
                ad_reach: s.acquisition.ad_reach,
                open_day: s.acquisition.open_day,
                opening_reach: s.acquisition.opening_reach,
                cost_per_exposure: s.acquisition.cost_per_exposure,
                word_of_mouth: s.acquisition.word_of_mouth,
                advocacy_threshold: s.acquisition.advocacy_threshold as f32,
            },
            sales: Sales {
                purchase_rate: s.monetization.purchase_rate,
                price: s.monetization.price,
                margin: s.monetization.margin,
                commitment_floor: s.monetization.commitment_floor as f32,
                reinvest: s.monetization.reinvest,
            },
        }
    }
}

/// The population's draws; every segment spreads talkativeness by `post_spread`.
fn population(p: &file::Population, post_spread: f64) -> PopulationCoefficients {
    PopulationCoefficients {
        size: p.size as u32,
        network: NetworkSpec {
            kind: p.network.kind,
            degree: p.network.degree,
            rewire: p.network.rewire,
        },
        segments: p
            .segments
            .iter()
            .map(|g| SegmentDraw {
                name: g.name.clone(),
                share: g.share,
                needs: g.needs.to_array(),
                spread: g.spread,
                shyness: g.shyness,
                price_sensitivity: g.price_sensitivity,
                incentive_sensitivity: g.incentive_sensitivity,
                trait_spread: g.trait_spread,
                post_spread,
                advertiser_share: g.advertiser_share,
                join_threshold: NormalDraw {
                    mean: g.join_threshold.mean,
                    sd: g.join_threshold.sd,
                },
                social_threshold: NormalDraw {
                    mean: g.social_threshold.mean,
                    sd: g.social_threshold.sd,
                },
            })
            .collect(),
    }
}

fn community(c: &file::Community) -> CommunityCoefficients {
    CommunityCoefficients {
        prepotency: c.prepotency as f32,
        seed_members: c.seed_members,
        founders_from_ties: c.founders == file::Founders::OwnerTies,
        seed_commitment: c.seed_commitment as f32,
        core: c.core,
        clone_seeds: c.clone_seeds,
        group_cap: c.group_cap,
        max_groups: c.max_groups,
        rejoin: c.rejoin,
        admins: c.admins.min(c.seed_members),
        admin_reviews: c.admin_reviews,
        health_members: c.health.members,
        health_posts_per_member_week: c.health.posts_per_member_week,
        health_dying_share: c.health.dying_share,
        health_max_ad_share: c.health.max_ad_share,
        health_live_share: c.health.live_share,
    }
}

fn value(s: &ScenarioFile) -> ValueCoefficients {
    let c = &s.community;
    let b = &s.behavior;
    ValueCoefficients {
        offer: c.offer.to_array().map(|x| x as f32),
        half_saturation: c.half_saturation as f32,
        half_audience: c.half_audience as f32,
        attention: c.attention as f32,
        reply_value: b.reply_value as f32,
        audience_value: b.audience_value as f32,
        service_value: s.rules.service_value as f32,
        overload_cost: b.overload_cost as f32,
        ad_half_load: b.ad_half_load as f32,
        promotion_mute: b.promotion_mute as f32,
        aversion: s
            .population
            .segments
            .iter()
            .map(|g| g.ad_aversion as f32)
            .collect(),
    }
}

fn rewards(i: &file::Incentives) -> Rewards {
    Rewards {
        red_envelope: i.red_envelope.map(|re| RedEnvelopeTerms {
            per_post: re.per_post,
            daily_budget: re.daily_budget,
            start_day: re.start_day,
            end_day: re.end_day,
        }),
        badges: i.badges.as_ref().map(|b| BadgeLevels {
            levels: b.levels.clone(),
            esteem: b.esteem as f32,
        }),
        referral_reward: i.referral_reward,
        crowding_out: i.crowding_out as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_moderators_divide_their_reviews_evenly_over_the_groups_they_look_after() {
        let m = ModerationCoefficients {
            ads_banned: true,
            moderators_per_group: 0,
            clone_moderators: 0,
            shared_moderators: 1,
            funded_moderators: 0,
            reviews_per_moderator: 50,
            kick_after: 2,
            daily_cost: 0.0,
            removal_speed: 0.8,
        };
        // 50 reviews over 3 groups (the core group aside): 16 each, the 2 left to the first two.
        let tiers = [Tier::Core, Tier::Main, Tier::Clone, Tier::Clone];
        let all = [true; 4];
        assert_eq!(m.shared_reviews(&tiers, &all), vec![0, 17, 17, 16]);
        // An empty group gets none: 25 each for the two with members.
        let emptied = [true, true, false, true];
        assert_eq!(m.shared_reviews(&tiers, &emptied), vec![0, 25, 0, 25]);
        assert_eq!(m.shared_reviews(&[Tier::Core], &[true]), vec![0]);
        assert_eq!(m.shared_reviews(&[], &[]), Vec::<u64>::new());
        let none = ModerationCoefficients {
            shared_moderators: 0,
            ..m
        };
        assert_eq!(none.shared_reviews(&tiers, &all), vec![0, 0, 0, 0]);
    }
}
