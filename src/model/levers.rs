//! The operator's levers that act on a whole day or group: red envelopes and their budget,
//! badges, moderation capacity, and the wish for a meetup seat. (The event calendar itself is
//! laid out once, in `scenario::Calendar`.)

use crate::population::needs::{need, NEEDS};
use crate::scenario::{BadgeLevels, RedEnvelopeTerms};

/// Money per genuine post a poster can expect on `day`: the per-post amount, shared out when the
/// community's posts (yesterday's, as the best guess) would exceed the daily budget.
pub fn reward_per_post(re: Option<&RedEnvelopeTerms>, day: u32, expected_posts: f64) -> f64 {
    match re {
        Some(re) if day >= re.start_day && day <= re.end_day => {
            re.per_post.min(re.daily_budget / expected_posts.max(1.0))
        }
        _ => 0.0,
    }
}

/// Money actually paid out on `day` for `posts` genuine posts.
pub fn reward_paid(re: Option<&RedEnvelopeTerms>, day: u32, posts: u64) -> f64 {
    match re {
        Some(re) if day >= re.start_day && day <= re.end_day => {
            (re.per_post * posts as f64).min(re.daily_budget)
        }
        _ => 0.0,
    }
}

/// Whether rewards have stopped for good by `day` (crowding out applies after this).
pub fn rewards_over(re: Option<&RedEnvelopeTerms>, day: u32) -> bool {
    re.is_some_and(|re| day > re.end_day)
}

/// Badges reached with `posts` posts, and progress from the last level reached to the next
/// (0 with none left), both as shares: `(reached / levels, progress)`.
pub fn badge_standing(b: &BadgeLevels, posts: u32) -> (f32, f32) {
    let reached = b.levels.iter().take_while(|&&l| l <= posts).count();
    let share = reached as f32 / b.levels.len() as f32;
    let progress = match b.levels.get(reached) {
        Some(&next) => {
            let from = if reached == 0 {
                0
            } else {
                b.levels[reached - 1]
            };
            (posts - from) as f32 / (next - from) as f32
        }
        None => 0.0,
    };
    (share, progress)
}

/// Probability that a given ad is caught when `ads` were posted in a group whose moderators
/// review `capacity` a day.
pub fn catch_probability(capacity: u64, ads: u64) -> f64 {
    if ads == 0 {
        0.0
    } else {
        (capacity as f64 / ads as f64).min(1.0)
    }
}

/// Share of the day's questions (genuine posts) moderators can answer with what capacity is
/// left after reviewing ads.
pub fn service_coverage(capacity: u64, ads_reviewed: u64, posts: u64) -> f32 {
    if capacity == 0 {
        return 0.0;
    }
    let left = capacity.saturating_sub(ads_reviewed) as f32;
    (left / posts.max(1) as f32).min(1.0)
}

/// Probability that a visiting member wants a seat at today's meetup: its strongest pull on
/// life or belonging.
pub fn meetup_wish(pull: &[f32; NEEDS]) -> f32 {
    pull[need::LIFE].max(pull[need::BELONGING])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_envelopes_pay_within_window_and_budget() {
        let re = RedEnvelopeTerms {
            per_post: 0.5,
            daily_budget: 10.0,
            start_day: 5,
            end_day: 9,
        };
        assert_eq!(reward_per_post(Some(&re), 4, 1.0), 0.0);
        assert_eq!(reward_per_post(Some(&re), 5, 10.0), 0.5);
        assert_eq!(reward_per_post(Some(&re), 9, 40.0), 0.25, "budget shared");
        assert_eq!(reward_per_post(Some(&re), 10, 1.0), 0.0);
        assert_eq!(reward_paid(Some(&re), 6, 8), 4.0);
        assert_eq!(reward_paid(Some(&re), 6, 100), 10.0);
        assert!(!rewards_over(Some(&re), 9) && rewards_over(Some(&re), 10));
        assert!(!rewards_over(None, 1000));
    }

    #[test]
    fn badges_count_levels_and_progress_towards_the_next() {
        let b = BadgeLevels {
            levels: vec![5, 20, 100],
            esteem: 0.3,
        };
        assert_eq!(badge_standing(&b, 0), (0.0, 0.0));
        assert_eq!(badge_standing(&b, 4), (0.0, 0.8));
        let (share, progress) = badge_standing(&b, 20);
        assert!((share - 2.0 / 3.0).abs() < 1e-6 && progress == 0.0);
        assert_eq!(badge_standing(&b, 150), (1.0, 0.0));
    }

    #[test]
    fn moderators_catch_what_capacity_allows_and_serve_with_the_rest() {
        assert_eq!(catch_probability(100, 0), 0.0);
        assert_eq!(catch_probability(100, 50), 1.0);
        assert_eq!(catch_probability(100, 400), 0.25);
        assert_eq!(service_coverage(0, 0, 10), 0.0);
        assert_eq!(service_coverage(100, 50, 10), 1.0);
        assert_eq!(service_coverage(100, 80, 40), 0.5);
        assert_eq!(
            service_coverage(100, 0, 0),
            1.0,
            "a quiet group is fully served"
        );
    }
}
