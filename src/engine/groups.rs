//! The life of each group, day by day: its members and seed members, its peak, who joined and
//! left, its recent posts and the ads its members saw, and whether it is alive (the rule of
//! `metrics::group_alive`). A group that empties stays in the ledger, dead.

use crate::metrics::{group_alive, mostly_ads, GroupRow};
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
}

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
    member_posts: Window<7>,
    /// What members read over the last 7 days: genuine posts and ads.
    posts_week: Window<7>,
    ads_week: Window<7>,
    pub alive: bool,
    /// First day of the spell below the alive floor that is running now, if one is.
    below_since: Option<u32>,
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

/// The alive floor of a group.
#[derive(Debug, Clone, Copy)]
pub struct Floor {
    pub members: u64,
    pub posts_per_member_week: f64,
    pub max_ad_share: f64,
}

impl GroupLedger {
    /// A group of tier `tier` opened on `day`, empty, and so below its floor.
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
            posts_week: Window::new(),
            ads_week: Window::new(),
            alive: false,
            below_since: Some(day),
            last_kick: None,
        }
    }

    /// Records the end of `day`; `members` is the group's size after the day's admissions.
    pub fn close_day(&mut self, day: u32, members: u32, today: GroupDay, floor: Floor) {
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
        self.posts_week.push(day, today.posts);
        self.ads_week.push(day, today.ads_seen);
        self.alive = group_alive(
            members as u64,
            (self.seeds + self.seated) as u64,
            self.member_posts.sum(),
            floor.members,
            floor.posts_per_member_week,
        ) && !mostly_ads(
            self.ads_week.sum(),
            self.posts_week.sum(),
            floor.max_ad_share,
        );
        self.below_since = match (self.alive, self.below_since) {
            (true, _) => None,
            (false, Some(since)) => Some(since),
            (false, None) => Some(day),
        };
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
            alive_final: self.alive as u8,
            died_day: self.below_since,
            members_joined: self.joined,
            members_left: self.left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOOR: Floor = Floor {
        members: 10,
        posts_per_member_week: 0.1,
        max_ad_share: 0.5,
    };

    #[test]
    fn a_group_dies_on_the_first_day_of_its_last_spell_below_the_floor() {
        let mut g = GroupLedger::opened(0, Tier::Main);
        let lively = GroupDay {
            member_posts: 5,
            posts: 5,
            ..Default::default()
        };
        for day in 1..=10 {
            g.close_day(day, 40, lively, FLOOR);
        }
        assert!(g.alive);
        assert_eq!(g.row(0, 0).died_day, None);
        // Silence: the 7-day window of posts empties, and the group dies when it falls below.
        for day in 11..=30 {
            g.close_day(day, 40, GroupDay::default(), FLOOR);
        }
        let row = g.row(0, 0);
        assert_eq!(row.alive_final, 0);
        // 4 posts a week are needed for 40 members: the window of days 10 to 16 still holds day
        // 10's 5 posts; from day 17 it holds none.
        assert_eq!(row.died_day, Some(17));
        assert_eq!(row.posts_last30, 50);
        assert_eq!((row.members_peak, row.peak_day), (40, 1));
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
        assert!(!g.alive);
        assert_eq!(g.row(0, 0).died_day, Some(0));
    }
}
