//! The event calendar: every recurring event of a scenario laid out day by day, once, with what
//! each day holds (topic boosts, guest value, meetup seats, cost) after habituation.

use super::file;
use super::EventKind;

/// What the event calendar holds on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EventDay {
    /// Summed boosts of topic nights.
    pub topic_boost: f32,
    /// Summed visiting boosts of topic nights and participation activities.
    pub visit_boost: f32,
    /// Share of the shyness term of posting a participation activity lifts (the largest of
    /// the day's, after habituation).
    pub shyness_lifted: f32,
    /// Summed prizes for the day's best contribution.
    pub prize: f64,
    /// The operator's promotional posts in each group (read like ads, never removed).
    pub promotions: f32,
    /// Probability that a committed visitor buys because of them (after habituation).
    pub conversion: f32,
    /// Summed learning value of guest experts.
    pub guest_value: f32,
    /// Seats at offline meetups (0: no meetup).
    pub meetup_seats: u64,
    /// Cost of the day's events.
    pub cost: f64,
    /// Whether any event is held: it is announced to everyone, muted members included.
    pub announced: bool,
}

/// The events of every day of the run, laid out once.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Day 0 (never simulated) to `days`.
    days: Vec<EventDay>,
    /// Life and belonging value of a meetup (the largest among offline events).
    pub offline_value: f32,
    /// Days over which a meetup's value decays by e (the largest, never below 1).
    pub offline_persistence: f32,
}

impl Calendar {
    /// The events on `day`.
    #[inline]
    pub fn on(&self, day: u32) -> EventDay {
        self.days.get(day as usize).copied().unwrap_or_default()
    }
}

/// Whether an event takes place on `day`: from its start day, every `every_days` days.
fn occurs_on(e: &file::Event, day: u32) -> bool {
    day >= e.start_day && (day - e.start_day).is_multiple_of(e.every_days)
}

/// The share of its effect a recurring event keeps: `1 − e^(−every_days / habituation_days)`
/// (habituation: a stimulus repeated often draws a weaker response each time).
pub fn habituation(every_days: u32, habituation_days: f64) -> f64 {
    1.0 - (-(every_days as f64) / habituation_days).exp()
}

pub(super) fn calendar(events: &[file::Event], days: u32, habituation_days: f64) -> Calendar {
    let kept = |e: &file::Event| habituation(e.every_days, habituation_days);
    let on = |day: u32| {
        let mut d = EventDay::default();
        for e in events.iter().filter(|e| occurs_on(e, day)) {
            // Members are called to what they can take part in; the operator's selling post is
            // only read, like an ad, by whoever visits.
            d.announced |= e.kind != EventKind::Promotion;
            d.cost += e.cost;
            match e.kind {
                EventKind::Topic => {
                    d.topic_boost += (e.boost * kept(e)) as f32;
                    d.visit_boost += (e.boost * kept(e)) as f32;
                }
                EventKind::Guest => d.guest_value += (e.value * kept(e)) as f32,
                EventKind::Offline => d.meetup_seats += e.capacity,
                EventKind::Promotion => {
                    d.promotions += 1.0;
                    // Several promotions a day: a visitor is converted by any of them.
                    let c = (e.conversion * kept(e)) as f32;
                    d.conversion = 1.0 - (1.0 - d.conversion) * (1.0 - c);
                }
                EventKind::Activity => {
                    d.visit_boost += (e.boost * kept(e)) as f32;
                    d.shyness_lifted = d.shyness_lifted.max(kept(e) as f32);
                }
            }
            d.prize += e.prize;
        }
        d
    };
    let offline = events.iter().filter(|e| e.kind == EventKind::Offline);
    Calendar {
        days: (0..=days).map(on).collect(),
        offline_value: offline
            .clone()
            .map(|e| (e.value * kept(e)) as f32)
            .fold(0.0, f32::max),
        offline_persistence: offline
            .map(|e| e.persistence_days as f32)
            .fold(1.0, f32::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_adds_the_events_of_each_day() {
        let topic = file::Event {
            kind: EventKind::Topic,
            every_days: 7,
            start_day: 3,
            cost: 2.0,
            ..file::Event::default()
        };
        let meetup = file::Event {
            kind: EventKind::Offline,
            every_days: 30,
            start_day: 10,
            capacity: 40,
            cost: 100.0,
            ..file::Event::default()
        };
        let vote = file::Event {
            kind: EventKind::Activity,
            every_days: 14,
            start_day: 5,
            boost: 0.5,
            prize: 30.0,
            ..file::Event::default()
        };
        let sale = file::Event {
            kind: EventKind::Promotion,
            every_days: 30,
            start_day: 20,
            conversion: 0.1,
            ..file::Event::default()
        };
        let cal = calendar(&[topic, meetup, vote, sale], 60, 7.0);
        let monthly = habituation(30, 7.0) as f32;
        assert_eq!(cal.on(20).promotions, 1.0);
        // A selling post alone calls nobody: it is read by whoever visits.
        assert!(!cal.on(20).announced);
        assert!((cal.on(20).conversion - 0.1 * monthly).abs() < 1e-7);
        assert_eq!(cal.on(21).promotions, 0.0);
        assert_eq!(cal.on(21).conversion, 0.0);
        let weekly = habituation(7, 7.0) as f32;
        assert!((weekly - (1.0 - (-1.0f32).exp())).abs() < 1e-6);
        assert_eq!(cal.on(2), EventDay::default());
        let fortnightly = habituation(14, 7.0) as f32;
        // Day 5 (and 19) the vote alone; day 3 the topic night alone.
        assert_eq!(cal.on(5).visit_boost, 0.5 * fortnightly);
        assert_eq!(cal.on(5).topic_boost, 0.0);
        assert_eq!(cal.on(19).shyness_lifted, fortnightly);
        assert_eq!(cal.on(5).prize, 30.0);
        assert_eq!(cal.on(3).visit_boost, weekly);
        assert_eq!(cal.on(3).shyness_lifted, 0.0);
        assert_eq!(cal.on(3).prize, 0.0);
        assert!(cal.on(3).announced && cal.on(5).announced && !cal.on(4).announced);
        assert_eq!(cal.on(3).topic_boost, weekly);
        assert_eq!(cal.on(10).topic_boost, weekly);
        assert_eq!(cal.on(10).meetup_seats, 40);
        assert_eq!(cal.on(10).cost, 102.0);
        assert_eq!(cal.on(11), EventDay::default());
        assert_eq!(cal.on(40).meetup_seats, 40);
        assert_eq!(cal.on(61), EventDay::default(), "after the run: nothing");
    }

    #[test]
    fn events_held_often_draw_less_each_time() {
        assert!(habituation(1, 7.0) < habituation(7, 7.0));
        assert!(habituation(7, 7.0) < habituation(30, 7.0));
        assert!(habituation(365, 7.0) > 0.999);
        // Per week, daily nights still draw more than one weekly night, but not 7 times more.
        let daily_per_week = 7.0 * habituation(1, 7.0);
        assert!(daily_per_week > habituation(7, 7.0) && daily_per_week < 1.0);
    }
}
