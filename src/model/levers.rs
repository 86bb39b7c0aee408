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

/// What a poster expects of a day's prizes for the best contribution: the prize shared over the
/// posts it expects (those of the day before, at least one), as a red envelope's share is.
pub fn prize_per_post(prize: f64, expected_posts: f64) -> f64 {
    prize / expected_posts.max(1.0)
}

/// What a day's prizes cost: they are awarded only when someone posted.
pub fn prize_paid(prize: f64, posts: u64) -> f64 {
    if posts > 0 {
        prize
    } else {
        0.0
    }
}

/// Whether a waiting question is buried: more messages (posts and ads) have been read in its
/// group since the day it was asked than a reader reads back in a day, `attention`.
pub fn buried(read_since: u64, attention: f64) -> bool {
    read_since as f64 >= attention
}

/// Probability that a waiting question is answered today: the day's spare answers shared over
/// the questions waiting, each answered at most once.
pub fn late_answer_probability(spare: f64, waiting: usize) -> f64 {
    if waiting == 0 {
        0.0
    } else {
        (spare / waiting as f64).min(1.0)
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

/// Probability that a question is answered by other members: each of the day's genuine posts
/// that is not a question answers one with probability `peer_answer`, the expected answers shared
/// among the questions.
pub fn peer_answer_probability(peer_answer: f32, other_posts: u32, questions: u32) -> f32 {
    if questions == 0 {
        return 0.0;
    }
    (peer_answer * other_posts as f32 / questions as f32).min(1.0)
}

/// Probability that a moderator answers a question the members left unanswered: the capacity
/// left after reviewing ads, shared among the questions expected to be left.
pub fn moderator_answer_probability(capacity_left: u64, left_unanswered: f64) -> f64 {
    if left_unanswered <= 0.0 {
        1.0
    } else {
        (capacity_left as f64 / left_unanswered).min(1.0)
    }
}

/// How an advertiser's urge to post ads is damped: by the warnings it got, and in a group where
/// a moderator kicked someone lately.
pub fn ad_damping(warnings: u8, warning_effect: f32, deterred: bool, deterrence: f32) -> f32 {
    let warned = (1.0 - warning_effect).powi(warnings as i32);
    if deterred {
        warned * (1.0 - deterrence)
    } else {
        warned
    }
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
    fn a_prize_is_shared_over_the_expected_posts_and_paid_only_if_someone_posts() {
        assert_eq!(prize_per_post(100.0, 50.0), 2.0);
        assert_eq!(
            prize_per_post(100.0, 0.0),
            100.0,
            "at least one post expected"
        );
        assert_eq!(prize_paid(100.0, 0), 0.0);
        assert_eq!(prize_paid(100.0, 7), 100.0);
    }

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
        assert_eq!(moderator_answer_probability(0, 10.0), 0.0);
        assert_eq!(moderator_answer_probability(50, 10.0), 1.0);
        assert_eq!(moderator_answer_probability(20, 40.0), 0.5);
        assert_eq!(
            moderator_answer_probability(5, 0.0),
            1.0,
            "nothing left to answer"
        );
    }

    #[test]
    fn peers_answer_more_in_a_busier_group() {
        assert_eq!(
            peer_answer_probability(0.6, 0, 10),
            0.0,
            "nobody writes, nobody answers"
        );
        assert_eq!(peer_answer_probability(0.6, 5, 0), 0.0, "no question");
        let few = peer_answer_probability(0.6, 5, 10);
        let many = peer_answer_probability(0.6, 10, 10);
        assert!((few - 0.3).abs() < 1e-6 && (many - 0.6).abs() < 1e-6);
        assert_eq!(
            peer_answer_probability(0.6, 100, 10),
            1.0,
            "at most every question"
        );
    }

    #[test]
    fn warnings_and_kicks_deter_advertisers() {
        assert_eq!(ad_damping(0, 0.3, false, 0.5), 1.0);
        assert!((ad_damping(2, 0.3, false, 0.5) - 0.49).abs() < 1e-6);
        assert!((ad_damping(0, 0.3, true, 0.5) - 0.5).abs() < 1e-6);
    }
}
