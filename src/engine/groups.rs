//! The life of each group, day by day: its members and seed members, its peak, who joined and
//! left, its recent posts and the ads its members saw, and its health (the rule of
//! `metrics::group_health`). A group that empties stays in the ledger, dead.

use crate::metrics::{group_health, ratio, GroupRow, Health, HealthFloor, Readings, WINDOW_DAYS};
use crate::scenario::Tier;

/// A window of the last `N` days' counts.
#[derive(Debug, Clone, Copy)]
struct Window<const N: usize> {
    days: [u32; N],
}

impl<const N: usize> Window<N> {
    fn new() -> Self {
        Window { days: [0; N] }
    }

    fn push(&mut self, day: u32, count: u32) {
        self.days[day as usize % N] = count;
    }

    fn sum(&self) -> u64 {
        self.days.iter().map(|&x| x as u64).sum()
    }

    /// The counts of the `n` days that end `back` days before `day` (days before the first are
    /// 0; `back + n` must not exceed `N`).
    fn sum_back(&self, day: u32, back: u32, n: u32) -> u64 {
        (back..back + n)
            .filter_map(|b| day.checked_sub(b))
            .map(|d| self.days[d as usize % N] as u64)
            .sum()
    }
}

/// Two windows of the health readings: the last `WINDOW_DAYS` days and the ones before.
const TWO_WINDOWS: usize = 2 * WINDOW_DAYS as usize;

/// What is known of one group.
#[derive(Debug, Clone)]
pub struct GroupLedger {
    pub opened_day: u32,
    tier: Tier,
    pub members: u32,
    /// Seed members whose own group it is.
    pub seeds: u32,
    /// Seed members seated in it beside their own group.
    pub seated: u32,
    peak: u32,
    peak_day: u32,
    pub joined: u64,
    pub left: u64,
    posts: Window<30>,
    ads_seen: Window<30>,
    /// Recruits' genuine posts over the last two health windows.
    member_posts: Window<TWO_WINDOWS>,
    pub health: Health,
    /// The readings of the last day.
    readings: Readings,
    /// First day of the dead spell that is running now, if one is.
    dead_since: Option<u32>,
    /// The last day a moderator kicked someone from the group.
    pub last_kick: Option<u32>,
}

/// A group's day, as the ledger records it.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupDay {
    pub posts: u32,
    pub member_posts: u32,
    pub ads_seen: u32,
    pub departures: u32,
    pub seed_departures: u32,
    /// Seats of seed members freed (they left the community).
    pub seats_freed: u32,
}

impl GroupLedger {
    /// A group of tier `tier` opened on `day`, empty, and so dead until its first recruit.
    pub fn opened(day: u32, tier: Tier) -> GroupLedger {
        GroupLedger {
            opened_day: day,
            tier,
            members: 0,
            seeds: 0,
            seated: 0,
            peak: 0,
            peak_day: day,
            joined: 0,
            left: 0,
            posts: Window::new(),
            ads_seen: Window::new(),
            member_posts: Window::new(),
            health: Health::Dead,
            readings: Readings::default(),
            dead_since: Some(day),
            last_kick: None,
        }
    }

    /// Records the end of `day`; `members` is the group's size after the day's admissions.
    pub fn close_day(&mut self, day: u32, members: u32, today: GroupDay, floor: HealthFloor) {
        self.members = members;
        self.seeds -= today.seed_departures;
        self.seated -= today.seats_freed;
        self.left += today.departures as u64;
        if members > self.peak {
            self.peak = members;
            self.peak_day = day;
        }
        self.posts.push(day, today.posts);
        self.ads_seen.push(day, today.ads_seen);
        self.member_posts.push(day, today.member_posts);
        let age_days = day + 1 - self.opened_day;
        self.readings = Readings {
            members: members as u64,
            recruits: members.saturating_sub(self.seeds + self.seated) as u64,
            age_days,
            posts_window: self.member_posts.sum_back(day, 0, WINDOW_DAYS),
            posts_window_before: (age_days >= 2 * WINDOW_DAYS)
                .then(|| self.member_posts.sum_back(day, WINDOW_DAYS, WINDOW_DAYS)),
            // What members read over the last 7 days: ads and genuine posts.
            ads_week: self.ads_seen.sum_back(day, 0, 7),
            posts_week: self.posts.sum_back(day, 0, 7),
        };
        self.health = group_health(&self.readings, &floor);
        self.dead_since = match (self.health, self.dead_since) {
            (Health::Dead, Some(since)) => Some(since),
            (Health::Dead, None) => Some(day),
            _ => None,
        };
    }

    /// Whether the group is healthy: what `alive` counts.
    pub fn alive(&self) -> bool {
        self.health == Health::Healthy
    }

    /// The group's row of `groups.csv`.
    pub fn row(&self, replicate: u32, group: u32) -> GroupRow {
        GroupRow {
            replicate,
            group,
            opened_day: self.opened_day,
            tier: self.tier.name().into(),
            members_final: self.members as u64,
            seeds_final: self.seeds as u64,
            seated_final: self.seated as u64,
            members_peak: self.peak as u64,
            peak_day: self.peak_day,
            posts_last30: self.posts.sum(),
            ads_last30: self.ads_seen.sum(),
            health: self.health.name().into(),
            alive_final: self.alive() as u8,
            died_day: self.dead_since,
            member_posts_28d: self.readings.posts_window,
            member_posts_trend: self
                .readings
                .posts_window_before
                .and_then(|b| ratio(self.readings.posts_window as f64, b as f64)),
            ad_share_week: ratio(
                self.readings.ads_week as f64,
                (self.readings.ads_week + self.readings.posts_week) as f64,
            ),
            members_joined: self.joined,
            members_left: self.left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::TEST_FLOOR as FLOOR;

    #[test]
    fn a_group_dies_on_the_day_it_has_been_silent_a_whole_window() {
        let mut g = GroupLedger::opened(0, Tier::Main);
        let lively = GroupDay {
            member_posts: 5,
            posts: 5,
            ..Default::default()
        };
        for day in 0..=10 {
            g.close_day(day, 40, lively, FLOOR);
        }
        assert!(g.alive());
        assert_eq!(g.row(0, 0).died_day, None);
        // Silence from day 11: day 10's posts leave the 28-day window on day 38.
        for day in 11..=40 {
            g.close_day(day, 40, GroupDay::default(), FLOOR);
        }
        let row = g.row(0, 0);
        assert_eq!((row.alive_final, row.health.as_str()), (0, "dead"));
        assert_eq!(row.died_day, Some(38));
        assert_eq!(row.member_posts_28d, 0);
        assert_eq!((row.members_peak, row.peak_day), (40, 0));
    }

    #[test]
    fn a_group_whose_talk_collapses_is_dying_before_it_is_dead() {
        let mut g = GroupLedger::opened(0, Tier::Main);
        let day_of = |posts| GroupDay {
            member_posts: posts,
            posts,
            ..Default::default()
        };
        // Four posts a day for 28 days (112), then one every other day (14): 0.125 of before.
        for day in 0..28 {
            g.close_day(day, 100, day_of(4), FLOOR);
        }
        for day in 28..56 {
            g.close_day(day, 100, day_of(day % 2), FLOOR);
        }
        let row = g.row(0, 0);
        assert_eq!(row.health, "dying");
        assert_eq!(row.member_posts_28d, 14);
        assert_eq!(row.member_posts_trend, Some(0.125));
    }

    #[test]
    fn a_group_of_founders_is_never_alive() {
        let mut g = GroupLedger::opened(0, Tier::Main);
        g.seeds = 30;
        let founders_post = GroupDay {
            posts: 50,
            ..Default::default()
        };
        for day in 1..=20 {
            g.close_day(day, 30, founders_post, FLOOR);
        }
        assert!(!g.alive());
        assert_eq!(g.row(0, 0).died_day, Some(0));
    }
}
