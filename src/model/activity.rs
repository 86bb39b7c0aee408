//! What a member does on a day: visit or stay away, and once there lurk, post, or post an ad.

use super::logistic;
use crate::scenario::Behavior;

/// Probability of visiting, rising in commitment; `boost` is an event's pull that day.
pub fn visit_probability(b: &Behavior, commitment: f32, boost: f32) -> f32 {
    logistic(b.visit_base as f32 + b.visit_commitment as f32 * commitment + boost)
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
pub fn post_probability(b: &Behavior, d: &PostDrivers) -> f32 {
    let intrinsic =
        d.intrinsic * (b.post_esteem as f32 * d.esteem + b.post_belonging as f32 * d.belonging);
    let score = b.post_base as f32 + intrinsic + b.post_reply as f32 * d.replies
        - b.post_shyness as f32 * d.shyness
        + b.post_reward as f32 * d.reward
        + b.post_badge as f32 * d.badge_progress
        + d.event_boost
        + if d.seed { b.post_seed as f32 } else { 0.0 };
    logistic(score)
}

/// Probability that a visitor posts an ad: advertisers at heart at `ad_base`; others only when
/// their promotion need is unmet.
pub fn advert_probability(b: &Behavior, advertiser: bool, unmet_promotion: f32) -> f32 {
    if advertiser {
        logistic(b.ad_base as f32)
    } else if unmet_promotion > 0.0 {
        logistic(b.ad_turn_base as f32 + b.ad_turn_promotion as f32 * unmet_promotion)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b() -> Behavior {
        Behavior::default()
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
