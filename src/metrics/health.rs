//! Health as an operator judges a group: is it still talking, has its talk collapsed, is it
//! drowned in ads, is it quiet for its size. Each reading is one an operator can check in the
//! group itself; the word they come to is the group's health (`docs/MODEL.md` §7.2, health).

/// Days of the readings' window: four whole weeks, an operator's month.
pub const WINDOW_DAYS: u32 = 28;

/// What an operator would call a group, or the community, at the end of a day. In order from
/// best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Health {
    /// Members other than the seed members post, at a rate for the group's size no lower than
    /// the real launches' quietest month, and ads are not most of what they read.
    Healthy,
    /// Members still post, but fewer than the healthy rate for the group's size, or the group
    /// has fewer recruits than a community needs.
    Quiet,
    /// Members' posts of the last four weeks fell under `dying_share` of the four before, or
    /// under `dying_share` of the healthy rate for the group's size: where a collapse steeper
    /// than any real launch that lived would leave the quietest of them.
    Dying,
    /// Ads are most of what members read over the last week: an ad board.
    Overrun,
    /// Silent: no post by a member other than the seed members in four weeks, or no such
    /// member left.
    #[default]
    Dead,
}

impl Health {
    /// The word in the outputs.
    pub fn name(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Quiet => "quiet",
            Health::Dying => "dying",
            Health::Overrun => "overrun",
            Health::Dead => "dead",
        }
    }

    /// The health a word names.
    pub fn named(word: &str) -> Option<Health> {
        Health::ALL.into_iter().find(|h| h.name() == word)
    }

    /// Every word, best first.
    pub const ALL: [Health; 5] = [
        Health::Healthy,
        Health::Quiet,
        Health::Dying,
        Health::Overrun,
        Health::Dead,
    ];
}

/// How many of the given groups' words are each word, best first, words no group has left out:
/// "3 healthy, 4 quiet, 1 dead".
pub fn tally<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let words: Vec<&str> = words.collect();
    let counts: Vec<String> = Health::ALL
        .iter()
        .filter_map(|h| {
            let n = words.iter().filter(|&&w| w == h.name()).count();
            (n > 0).then(|| format!("{n} {}", h.name()))
        })
        .collect();
    counts.join(", ")
}

/// What an operator reads of a group at the end of a day.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Readings {
    /// Members, seed members included.
    pub members: u64,
    /// Members other than the seed members (those whose own group it is, and those seated in it).
    pub recruits: u64,
    /// Days the group has been open, the day it opened counted.
    pub age_days: u32,
    /// Genuine posts by recruits over the last `WINDOW_DAYS` days.
    pub posts_window: u64,
    /// The same over the `WINDOW_DAYS` days before; `None` until the group is two windows old.
    pub posts_window_before: Option<u64>,
    /// Ads members saw over the last 7 days.
    pub ads_week: u64,
    /// Genuine posts (by anyone) over the last 7 days.
    pub posts_week: u64,
}

/// The thresholds of the words (`community.health`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthFloor {
    /// Recruits a group needs to be a community.
    pub recruits: u64,
    /// Recruits' posts per member and week, over the window, below which a group is quiet.
    pub posts_per_member_week: f64,
    /// Fall of the recruits' posts, this window over the one before, below which it is dying.
    pub dying_share: f64,
    /// Share of ads in what members read over the week above which it is overrun.
    pub max_ad_share: f64,
}

/// Whether what a group's members read over the last 7 days is mostly ads: ads above
/// `max_ad_share` of ads and genuine posts. Such a group is an ad board, however many genuine
/// posts it also holds.
pub fn mostly_ads(ads_week: u64, posts_week: u64, max_ad_share: f64) -> bool {
    ads_week > 0 && ads_week as f64 > max_ad_share * (ads_week + posts_week) as f64
}

/// The health of a group from its readings: dead if silent, then overrun, dying, quiet, in that
/// order; healthy otherwise. A group younger than the window is not silent (nor nearly) until it
/// has been open a whole window.
pub fn group_health(r: &Readings, f: &HealthFloor) -> Health {
    let silent = r.posts_window == 0 && r.age_days >= WINDOW_DAYS;
    if r.recruits == 0 || silent {
        return Health::Dead;
    }
    if mostly_ads(r.ads_week, r.posts_week, f.max_ad_share) {
        return Health::Overrun;
    }
    let collapsed = r
        .posts_window_before
        .is_some_and(|before| (r.posts_window as f64) < f.dying_share * before as f64);
    let weeks = (r.age_days.min(WINDOW_DAYS) as f64 / 7.0).max(1.0 / 7.0);
    let rate = r.posts_window as f64 / weeks;
    let healthy_rate = f.posts_per_member_week * r.members as f64;
    // A group not yet a window old is not judged dying by its rate: it has barely begun.
    let nearly_silent = r.age_days >= WINDOW_DAYS && rate < f.dying_share * healthy_rate;
    if collapsed || nearly_silent {
        return Health::Dying;
    }
    if r.recruits < f.recruits.max(1) || rate < healthy_rate {
        return Health::Quiet;
    }
    Health::Healthy
}

/// The community's health from its groups' (each with the members whose own group it is):
/// healthy when at least `live_share` of the members are in healthy groups; otherwise the word
/// of the most members among the other groups (the worse word on a tie). Dead without members.
pub fn community_health(groups: impl Iterator<Item = (Health, u64)>, live_share: f64) -> Health {
    let mut members = [0u64; Health::ALL.len()];
    for (h, m) in groups {
        members[h as usize] += m;
    }
    let total: u64 = members.iter().sum();
    if total == 0 {
        return Health::Dead;
    }
    let healthy = members[Health::Healthy as usize];
    if healthy > 0 && healthy as f64 >= live_share * total as f64 {
        return Health::Healthy;
    }
    Health::ALL[1..]
        .iter()
        .copied()
        .filter(|&h| members[h as usize] > 0)
        .max_by_key(|&h| (members[h as usize], h))
        .unwrap_or(Health::Dead)
}

/// The thresholds of `community.health`'s defaults, for the tests of the words and of the
/// group ledger.
#[cfg(test)]
pub(crate) const TEST_FLOOR: HealthFloor = HealthFloor {
    recruits: 10,
    posts_per_member_week: 0.01,
    dying_share: 0.25,
    max_ad_share: 0.5,
};

#[cfg(test)]
mod tests {
    use super::*;

    const FLOOR: HealthFloor = TEST_FLOOR;

    fn talking() -> Readings {
        // 500 members writing 40 posts in four weeks: 10 a week, 0.02 per member-week.
        Readings {
            members: 500,
            recruits: 490,
            age_days: 90,
            posts_window: 40,
            posts_window_before: Some(60),
            ads_week: 0,
            posts_week: 10,
        }
    }

    #[test]
    fn a_group_whose_members_read_mostly_ads_is_an_ad_board() {
        assert!(!mostly_ads(0, 0, 0.5), "a silent group is not an ad board");
        assert!(!mostly_ads(50, 50, 0.5), "half ads is not most");
        assert!(mostly_ads(51, 49, 0.5));
        assert!(
            !mostly_ads(51, 49, 1.0),
            "a share of 1 never calls a group an ad board"
        );
        assert!(mostly_ads(1, 99, 0.0), "a share of 0 tolerates no ad");
    }

    #[test]
    fn a_group_that_talks_for_its_size_is_healthy_however_quiet_it_looks() {
        assert_eq!(group_health(&talking(), &FLOOR), Health::Healthy);
        // 0.01 posts a member-week is the floor: 20 posts in four weeks keep 500 members
        // healthy, 19 leave them quiet; the same 20 keep 100 healthy.
        let at = |members, posts| Readings {
            members,
            posts_window: posts,
            posts_window_before: None,
            ..talking()
        };
        assert_eq!(group_health(&at(500, 20), &FLOOR), Health::Healthy);
        assert_eq!(group_health(&at(500, 19), &FLOOR), Health::Quiet);
        assert_eq!(group_health(&at(100, 4), &FLOOR), Health::Healthy);
        // Under a quarter of the healthy rate it is nearly silent: 5 posts keep 500 members
        // quiet, 4 leave them dying.
        assert_eq!(group_health(&at(500, 5), &FLOOR), Health::Quiet);
        assert_eq!(group_health(&at(500, 4), &FLOOR), Health::Dying);
    }

    #[test]
    fn a_group_dies_when_it_falls_silent_not_when_it_misses_a_ratio() {
        let quiet = Readings {
            members: 50,
            recruits: 40,
            posts_window: 1,
            posts_window_before: Some(1),
            ..talking()
        };
        assert_eq!(group_health(&quiet, &FLOOR), Health::Quiet);
        let silent = Readings {
            posts_window: 0,
            ..quiet
        };
        assert_eq!(group_health(&silent, &FLOOR), Health::Dead);
        // Not yet silent for a whole window: a new group without posts is quiet.
        let new = Readings {
            age_days: 27,
            posts_window_before: None,
            ..silent
        };
        assert_eq!(group_health(&new, &FLOOR), Health::Quiet);
        // Seed members alone are no community, however much they post.
        let founders = Readings {
            recruits: 0,
            ..talking()
        };
        assert_eq!(group_health(&founders, &FLOOR), Health::Dead);
    }

    #[test]
    fn a_collapse_of_talk_is_dying_and_ads_over_half_an_ad_board() {
        let fallen = Readings {
            posts_window: 40,
            posts_window_before: Some(161),
            ..talking()
        };
        assert_eq!(group_health(&fallen, &FLOOR), Health::Dying);
        let steady = Readings {
            posts_window_before: Some(160),
            ..fallen
        };
        assert_eq!(group_health(&steady, &FLOOR), Health::Healthy);
        let overrun = Readings {
            ads_week: 11,
            ..talking()
        };
        assert_eq!(group_health(&overrun, &FLOOR), Health::Overrun);
        // Silence comes first: a group with ads and no posts is dead.
        let ads_only = Readings {
            posts_window: 0,
            posts_week: 0,
            ..overrun
        };
        assert_eq!(group_health(&ads_only, &FLOOR), Health::Dead);
    }

    #[test]
    fn a_tally_counts_each_word_best_first_and_leaves_out_the_absent() {
        let words = ["dead", "healthy", "quiet", "healthy", "dead"];
        assert_eq!(tally(words.into_iter()), "2 healthy, 1 quiet, 2 dead");
        assert_eq!(tally(std::iter::empty()), "");
    }

    #[test]
    fn a_community_is_healthy_when_most_members_are_in_healthy_groups() {
        let c = |groups: &[(Health, u64)]| community_health(groups.iter().copied(), 0.5);
        assert_eq!(c(&[]), Health::Dead);
        assert_eq!(
            c(&[(Health::Healthy, 50), (Health::Dead, 50)]),
            Health::Healthy
        );
        assert_eq!(
            c(&[(Health::Healthy, 49), (Health::Dead, 51)]),
            Health::Dead
        );
        assert_eq!(
            c(&[
                (Health::Healthy, 40),
                (Health::Quiet, 35),
                (Health::Dead, 25)
            ]),
            Health::Quiet
        );
        // On a tie the worse word.
        assert_eq!(
            c(&[(Health::Quiet, 30), (Health::Dying, 30)]),
            Health::Dying
        );
    }
}
