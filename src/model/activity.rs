//! What a member does on a day: visit or stay away, and once there lurk, post, or post an ad.

use super::logistic;
use crate::population::needs::{need, NEEDS};
use crate::scenario::Weights;

/// Probability of visiting, rising in commitment; `boost` is an event's pull that day.
pub fn visit_probability(w: &Weights, commitment: f32, boost: f32) -> f32 {
    logistic(w.visit_base + w.visit_commitment * commitment + boost)
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
    /// Replies received for yesterday's post, in [0, 1] (0 if it did not post).
    pub replies: f32,
    pub shyness: f32,
    /// Felt material reward per post: incentive sensitivity times the saturating reward.
    pub reward: f32,
    /// Esteem-weighted progress towards the next badge, in [0, 1].
    pub badge_progress: f32,
    /// Sum of event boosts today (topic nights).
    pub event_boost: f32,
    /// Founder or opinion leader.
    pub seed: bool,
    /// Share of intrinsic motivation left after rewards stopped (1 without crowding out).
    pub intrinsic: f32,
}

/// Probability that a visitor posts: driven by esteem and belonging pulls, replies, rewards,
/// badges and events, damped by shyness.
pub fn post_probability(w: &Weights, d: &PostDrivers) -> f32 {
    let intrinsic = d.intrinsic * (w.post_esteem * d.esteem + w.post_belonging * d.belonging);
    let score = w.post_base + intrinsic + w.post_reply * d.replies - w.post_shyness * d.shyness
        + w.post_reward * d.reward
        + w.post_badge * d.badge_progress
        + d.event_boost
        + if d.seed { w.post_seed } else { 0.0 };
    logistic(score)
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

    fn b() -> Weights {
        crate::model::default_weights()
    }

    #[test]
    fn committed_members_visit_more_and_events_draw_visitors() {
        let b = b();
        assert!(visit_probability(&b, 0.3, 0.0) > visit_probability(&b, 0.0, 0.0));
        assert!(visit_probability(&b, 0.1, 1.0) > visit_probability(&b, 0.1, 0.0));
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
            PostDrivers { seed: true, ..base },
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
    fn only_advertisers_and_members_with_unmet_promotion_advertise() {
        let b = b();
        assert!((advert_probability(&b, true, 0.0) - 0.5).abs() < 1e-6);
        assert_eq!(advert_probability(&b, false, 0.0), 0.0);
        let low = advert_probability(&b, false, 0.2);
        let high = advert_probability(&b, false, 0.9);
        assert!(0.0 < low && low < high && high < 0.1, "{low} {high}");
    }
}
