//! The operator's levers that act on a whole day or group: red envelopes and their budget,
//! badges, moderation capacity, and the event calendar.

use crate::scenario::{Badges, Event, EventKind, RedEnvelope};

/// Money per genuine post a poster can expect on `day`: the per-post amount, shared out when the
/// community's posts (yesterday's, as the best guess) would exceed the daily budget.
pub fn reward_per_post(re: Option<&RedEnvelope>, day: u32, expected_posts: f64) -> f64 {
    match re {
        Some(re) if day >= re.start_day && day <= re.end_day => {
            re.per_post.min(re.daily_budget / expected_posts.max(1.0))
        }
        _ => 0.0,
    }
}

/// Money actually paid out on `day` for `posts` genuine posts.
pub fn reward_paid(re: Option<&RedEnvelope>, day: u32, posts: u64) -> f64 {
    match re {
        Some(re) if day >= re.start_day && day <= re.end_day => {
            (re.per_post * posts as f64).min(re.daily_budget)
        }
        _ => 0.0,
    }
}

/// Whether rewards have stopped for good by `day` (crowding out applies after this).
pub fn rewards_over(re: Option<&RedEnvelope>, day: u32) -> bool {
    re.is_some_and(|re| day > re.end_day)
}

/// Badges reached with `posts` posts, and progress from the last level reached to the next
/// (0 with none left), both as shares: `(reached / levels, progress)`.
pub fn badge_standing(b: &Badges, posts: u32) -> (f32, f32) {
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

/// What the event calendar holds on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EventDay {
    /// Summed boosts of topic nights.
    pub topic_boost: f32,
    /// Summed learning value of guest experts.
    pub guest_value: f32,
    /// Seats at offline meetups (0: no meetup).
    pub meetup_seats: u64,
    /// Cost of the day's events.
    pub cost: f64,
}

/// The events on `day`.
pub fn events_on(events: &[Event], day: u32) -> EventDay {
    let mut d = EventDay::default();
    for e in events.iter().filter(|e| e.occurs_on(day)) {
        d.cost += e.cost;
        match e.kind {
            EventKind::Topic => d.topic_boost += e.boost as f32,
            EventKind::Guest => d.guest_value += e.value as f32,
            EventKind::Offline => d.meetup_seats += e.capacity,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_envelopes_pay_within_window_and_budget() {
        let re = RedEnvelope {
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
        let b = Badges {
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

    #[test]
    fn the_calendar_adds_events_of_the_day() {
        let topic = Event {
            kind: EventKind::Topic,
            every_days: 7,
            start_day: 3,
            cost: 2.0,
            ..Event::default()
        };
        let meetup = Event {
            kind: EventKind::Offline,
            every_days: 30,
            start_day: 10,
            capacity: 40,
            cost: 100.0,
            ..Event::default()
        };
        let ev = [topic, meetup];
        assert_eq!(events_on(&ev, 2), EventDay::default());
        assert_eq!(events_on(&ev, 3).topic_boost, 1.0);
        assert_eq!(events_on(&ev, 10).topic_boost, 1.0);
        assert_eq!(events_on(&ev, 10).meetup_seats, 40);
        assert_eq!(events_on(&ev, 10).cost, 102.0);
        assert_eq!(events_on(&ev, 11), EventDay::default());
    }
}
