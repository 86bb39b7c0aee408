//! What a member does on a day: visit or stay away, and once there lurk, post, or post an ad.

use super::logistic;
use crate::population::needs::{need, NEEDS};
use crate::scenario::Weights;

/// The drivers of a member's decision to visit the group on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VisitDrivers {
    pub commitment: f32,
    /// Summed pull of today's topic nights and participation activities (already worn by
    /// habituation).
    pub event_boost: f32,
    /// The felt fee of the last payment, faded by the days since it was made
    /// (`e^(-days / sunk_cost_days)`): 0 for members who do not pay.
    pub recent_payment: f32,
    /// Days since the member's current need episode began (its joining, for the first).
    pub episode_age: f32,
}

/// Probability of visiting: rising in commitment, with a day's events, after a payment (the
/// sunk-cost effect on attendance) and in the first weeks of a need episode (novelty, fading as
/// the episode ages).
pub fn visit_probability(w: &Weights, d: &VisitDrivers) -> f32 {
    let novelty = if w.novelty > 0.0 {
        w.novelty * (-d.episode_age / w.novelty_days).exp()
    } else {
        0.0
    };
    logistic(
        w.visit_base
            + w.visit_commitment * d.commitment
            + d.event_boost
            + w.sunk_cost * d.recent_payment
            + novelty,
    )
}

/// Probability that an engaged member's interest lapses today (it goes dormant: stays a member,
/// stops visiting): `lapse_rate` for a member the group gives nothing, divided by
/// e^(lapse_commitment × commitment) as it gives more, at most 1. Members drift away from a
/// group whatever it gives them (Kokkodis, Lappas & Ransbotham 2020: each week 17% of a forum's
/// casual contributors went dormant), less the more it gives.
pub fn lapse_probability(w: &Weights, commitment: f32) -> f32 {
    (w.lapse_rate * (-w.lapse_commitment * commitment).exp()).min(1.0)
}

/// How much of a founder's posting zeal is left on `day`: it fades by e every
/// `seed_fatigue_days` (founders tire like anyone).
pub fn seed_zeal(w: &Weights, day: u32) -> f32 {
    (-(day as f32) / w.seed_fatigue_days).exp()
}

/// The belonging drive to post: the strongest pull on the belonging level (contact,
/// friendship, life, belonging).
pub fn belonging_pull(pull: &[f32; NEEDS]) -> f32 {
    pull[need::CONTACT]
        .max(pull[need::FRIENDSHIP])
        .max(pull[need::LIFE])
        .max(pull[need::BELONGING])
}

/// The drivers of a visitor's decision to write a genuine post.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PostDrivers {
    /// Pull of the esteem need (promotion).
    pub esteem: f32,
    /// Strongest pull on the belonging level (contact, friendship, life, belonging).
    pub belonging: f32,
    /// Replies to yesterday's post read on this visit, in [0, 1]: 1 if it drew replies, else 0.
    pub replies: f32,
    pub shyness: f32,
    /// Felt material reward per post: incentive sensitivity times the saturating reward.
    pub reward: f32,
    /// Esteem-weighted progress towards the next badge, in [0, 1].
    pub badge_progress: f32,
    /// Sum of event boosts today (topic nights).
    pub event_boost: f32,
    /// Share of the shyness term lifted today by a participation activity, in [0, 1].
    pub shyness_lifted: f32,
    /// What is left of a founder's or opinion leader's zeal, in [0, 1] (0 for others).
    pub seed_zeal: f32,
    /// The member's own posting constant around `post_base`: its talkativeness (logit).
    pub talkativeness: f32,
    /// Share of intrinsic motivation left after rewards stopped (1 without crowding out).
    pub intrinsic: f32,
}

/// Probability that a visitor posts: driven by esteem and belonging pulls, replies, rewards,
/// badges and events, damped by shyness. A participation activity (a vote, a tasting) asks for
/// no self-exposure: it lifts the shyness term, so it moves the shy most.
pub fn post_probability(w: &Weights, d: &PostDrivers) -> f32 {
    let intrinsic = d.intrinsic * (w.post_esteem * d.esteem + w.post_belonging * d.belonging);
    let score = w.post_base + intrinsic + w.post_reply * d.replies
        - w.post_shyness * d.shyness * (1.0 - d.shyness_lifted)
        + w.post_reward * d.reward
        + w.post_badge * d.badge_progress
        + d.event_boost
        + w.post_seed * d.seed_zeal
        + d.talkativeness;
    logistic(score)
}

pub use crate::scenario::MAX_MESSAGES_A_DAY;

/// Messages a member writes on a day it posts, `u` a uniform draw in [0, 1): after each message
/// it writes another with probability `q`, its posting probability times the chance that someone
/// is there to answer (what made it write still holds while it is there, but a conversation
/// needs a partner), so the count is 1 + geometric, of mean 1 / (1 − q). Members who seldom post
/// write one message; the few whose drivers all push, in a group with an audience, write many:
/// the heavy tail of participation.
pub fn messages_written(q: f32, u: f64) -> u32 {
    if q <= 0.0 {
        return 1;
    }
    if q >= 1.0 {
        return MAX_MESSAGES_A_DAY;
    }
    // P(count > k) = q^k: the count is the k with q^k ≥ 1 − u > q^(k + 1), plus one.
    let more = ((1.0 - u).ln() / (q as f64).ln()).floor();
    (1.0 + more).min(MAX_MESSAGES_A_DAY as f64) as u32
}

/// Probability that a visitor asks the group a question (a request for help, advice or an
/// explanation): the posting score's constant, shyness and the member's own talkativeness, since
/// a question is written in public like any post, driven by its largest unmet need among those a
/// question can meet.
pub fn ask_probability(w: &Weights, unmet: f32, shyness: f32, talkativeness: f32) -> f32 {
    if unmet <= 0.0 {
        return 0.0;
    }
    logistic(w.post_base + w.post_question * unmet - w.post_shyness * shyness + talkativeness)
}

/// Probability that a visitor posts an ad: advertisers at heart at `ad_base`; others only when
/// their promotion need is unmet.
pub fn advert_probability(w: &Weights, advertiser: bool, unmet_promotion: f32) -> f32 {
    if advertiser {
        logistic(w.ad_base)
    } else if unmet_promotion > 0.0 {
        logistic(w.ad_turn_base + w.ad_turn_promotion * unmet_promotion)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poster_writes_one_message_and_more_the_likelier_it_is_to_post() {
        assert_eq!(messages_written(0.0, 0.99), 1);
        assert_eq!(messages_written(0.01, 0.5), 1, "a rare poster writes once");
        assert_eq!(messages_written(1.0, 0.0), MAX_MESSAGES_A_DAY);
        // The mean over an even grid of draws is 1 / (1 − p), for a p with a short tail.
        let p = 0.5f32;
        let n = 100_000;
        let mean = (0..n)
            .map(|i| messages_written(p, (i as f64 + 0.5) / n as f64) as f64)
            .sum::<f64>()
            / n as f64;
        assert!((mean - 2.0).abs() < 1e-3, "mean {mean}");
        // P(count ≥ 3) = p².
        let at_least_3 = (0..n)
            .filter(|&i| messages_written(p, (i as f64 + 0.5) / n as f64) >= 3)
            .count() as f64
            / n as f64;
        assert!((at_least_3 - 0.25).abs() < 1e-3);
    }

    #[test]
    fn members_ask_more_the_less_their_needs_are_met_and_less_when_shy() {
        let w = b();
        assert_eq!(ask_probability(&w, 0.0, 0.0, 0.0), 0.0, "nothing to ask");
        let (some, more) = (
            ask_probability(&w, 0.3, 0.5, 0.0),
            ask_probability(&w, 0.8, 0.5, 0.0),
        );
        assert!(0.0 < some && some < more);
        assert!(
            ask_probability(&w, 0.8, 0.9, 0.0) < more,
            "shyness holds questions back"
        );
        // The same score as a post with only this driver.
        let z = w.post_base + w.post_question * 0.8 - w.post_shyness * 0.5;
        assert!((more - 1.0 / (1.0 + (-z).exp())).abs() < 1e-6);
        // A talkative member asks more, by its own constant on the same logit scale as posting.
        let talkative = ask_probability(&w, 0.8, 0.5, 1.5);
        assert!((talkative - 1.0 / (1.0 + (-(z + 1.5)).exp())).abs() < 1e-6);
        assert!(ask_probability(&w, 0.8, 0.5, -1.5) < more && more < talkative);
    }

    fn b() -> Weights {
        crate::model::default_weights()
    }

    #[test]
    fn committed_members_visit_more_and_events_draw_visitors() {
        let b = b();
        let at = |commitment, event_boost| VisitDrivers {
            commitment,
            event_boost,
            episode_age: 1000.0,
            ..Default::default()
        };
        assert!(visit_probability(&b, &at(0.3, 0.0)) > visit_probability(&b, &at(0.0, 0.0)));
        assert!(visit_probability(&b, &at(0.1, 1.0)) > visit_probability(&b, &at(0.1, 0.0)));
    }

    #[test]
    fn a_recent_payment_and_a_fresh_membership_draw_visits_and_fade() {
        let b = b();
        let with = |recent_payment, episode_age| {
            visit_probability(
                &b,
                &VisitDrivers {
                    commitment: 0.1,
                    recent_payment,
                    episode_age,
                    ..Default::default()
                },
            )
        };
        assert!(
            with(0.5, 1000.0) > with(0.0, 1000.0),
            "sunk cost raises attendance"
        );
        assert!(with(0.0, 1.0) > with(0.0, 60.0), "novelty");
        assert!(with(0.0, 60.0) > with(0.0, 120.0), "novelty fades");
        assert!(
            (with(0.0, 5000.0) - with(0.0, 10000.0)).abs() < 1e-6,
            "and is gone"
        );
        assert!(seed_zeal(&b, 0) == 1.0 && seed_zeal(&b, 90) < seed_zeal(&b, 30));
    }

    #[test]
    fn interest_lapses_less_the_more_the_group_gives() {
        let w = Weights {
            lapse_rate: 0.05,
            lapse_commitment: 10.0,
            ..b()
        };
        let at = |c| lapse_probability(&w, c);
        assert!((at(0.0) - 0.05).abs() < 1e-7);
        assert!((at(0.1) - 0.05 / 1f32.exp()).abs() < 1e-7, "e-fold per 0.1");
        assert!(at(0.5) < at(0.2) && at(0.2) < at(0.0));
        assert_eq!(at(-1.0), 1.0, "a member who loses by coming lapses at once");
        let never = Weights {
            lapse_rate: 0.0,
            ..w
        };
        assert_eq!(lapse_probability(&never, -1.0), 0.0, "off at rate 0");
    }

    #[test]
    fn each_driver_moves_posting_in_its_direction() {
        let b = b();
        let base = PostDrivers {
            esteem: 0.3,
            belonging: 0.3,
            shyness: 0.5,
            intrinsic: 1.0,
            ..Default::default()
        };
        let p0 = post_probability(&b, &base);
        let up = [
            PostDrivers {
                esteem: 0.8,
                ..base
            },
            PostDrivers {
                belonging: 0.8,
                ..base
            },
            PostDrivers {
                replies: 1.0,
                ..base
            },
            PostDrivers {
                reward: 0.5,
                ..base
            },
            PostDrivers {
                badge_progress: 0.5,
                ..base
            },
            PostDrivers {
                event_boost: 1.0,
                ..base
            },
            PostDrivers {
                seed_zeal: 1.0,
                ..base
            },
        ];
        for d in up {
            assert!(post_probability(&b, &d) > p0, "{d:?}");
        }
        assert!(
            post_probability(
                &b,
                &PostDrivers {
                    shyness: 0.9,
                    ..base
                }
            ) < p0
        );
        assert!(
            post_probability(
                &b,
                &PostDrivers {
                    intrinsic: 0.5,
                    ..base
                }
            ) < p0
        );
    }

    #[test]
    fn a_participation_activity_lifts_shyness_and_so_moves_the_shy_most() {
        let b = b();
        let at = |shyness: f32, shyness_lifted: f32| {
            post_probability(
                &b,
                &PostDrivers {
                    shyness,
                    shyness_lifted,
                    intrinsic: 1.0,
                    ..PostDrivers::default()
                },
            )
        };
        // A member with no shyness gains nothing; a fully lifted shyness posts as the bold do.
        assert_eq!(at(0.0, 1.0), at(0.0, 0.0));
        assert!((at(0.9, 1.0) - at(0.0, 0.0)).abs() < 1e-7);
        // The score gained is post_shyness × shyness × lifted: the odds ratio shows it.
        let odds = |p: f32| p / (1.0 - p);
        let gain = (odds(at(0.8, 0.5)) / odds(at(0.8, 0.0))).ln();
        assert!((gain - b.post_shyness * 0.8 * 0.5).abs() < 1e-3, "{gain}");
        assert!(at(0.8, 0.5) / at(0.8, 0.0) > at(0.2, 0.5) / at(0.2, 0.0));
    }

    #[test]
    fn only_advertisers_and_members_with_unmet_promotion_advertise() {
        let b = b();
        assert!((advert_probability(&b, true, 0.0) - 0.5).abs() < 1e-6);
        assert_eq!(advert_probability(&b, false, 0.0), 0.0);
        let low = advert_probability(&b, false, 0.2);
        let high = advert_probability(&b, false, 0.9);
        assert!(0.0 < low && low < high && high < 0.1, "{low} {high}");
    }
}
