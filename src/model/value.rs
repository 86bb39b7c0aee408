//! What a visit to the group is worth to a member: value on each need from content, replies,
//! audience, moderators and events, and the costs of ads and overload. Daily utility is the
//! pull-weighted sum of values, plus material rewards, minus costs.

use super::saturating;
use crate::population::needs::{need, NEEDS};
use crate::scenario::ValueCoefficients;

/// What a member's group looked like at the end of yesterday, as far as a visit is concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupYesterday {
    /// Genuine posts.
    pub posts: f32,
    /// Ads that survived moderation.
    pub ads: f32,
    /// Members who visited.
    pub visitors: f32,
    /// Of them, members who had never posted (whom the team may nudge).
    pub silent_visitors: f32,
    /// Whether a moderator kicked an advertiser lately (it deters the others).
    pub deterred: bool,
}

impl GroupYesterday {
    /// What a member who reads several groups found in them together: their posts, ads and
    /// visitors add up (so does the load on its attention); any kick deters.
    pub fn together(groups: impl Iterator<Item = GroupYesterday>) -> GroupYesterday {
        groups.fold(GroupYesterday::default(), |a, g| GroupYesterday {
            posts: a.posts + g.posts,
            ads: a.ads + g.ads,
            visitors: a.visitors + g.visitors,
            silent_visitors: a.silent_visitors + g.silent_visitors,
            deterred: a.deterred || g.deterred,
        })
    }
}

/// What the member itself did or has that changes what the visit gives it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VisitorSituation {
    /// Wrote a genuine post yesterday: it had an audience.
    pub posted_yesterday: bool,
    /// Yesterday's genuine post drew replies (with probability saturating(visitors,
    /// `half_audience`)), read on this visit.
    pub replied: bool,
    /// Posted an ad yesterday: it gets an audience, but no replies.
    pub advertised_yesterday: bool,
    /// Esteem from badges reached (already weighted by `incentives.badges.esteem`).
    pub badge_esteem: f32,
    /// Learning value of a guest expert today.
    pub guest_value: f32,
    /// Life and belonging value left from an offline meetup attended.
    pub meetup_bond: f32,
    /// The member's bond with the group, in [0, 1]: friends it made there.
    pub bond: f32,
    /// The question it asked yesterday was answered: service value on the needs questions meet
    /// (service, work, learning).
    pub answered: bool,
}

/// Value received on each need during a visit.
pub fn visit_values(
    p: &ValueCoefficients,
    group: &GroupYesterday,
    me: &VisitorSituation,
) -> [f32; NEEDS] {
    let content = saturating(group.posts, p.half_saturation);
    let mut v = [0.0f32; NEEDS];
    for k in 0..NEEDS {
        v[k] = p.offer[k] * content;
    }
    let audience = saturating(group.visitors, p.half_audience);
    if me.replied {
        v[need::CONTACT] += p.reply_value;
        v[need::FRIENDSHIP] += p.reply_value;
        v[need::BELONGING] += p.reply_value;
    }
    // A bond is remembered replies: a full one is worth what a day of full replies is.
    let friends = p.reply_value * me.bond;
    v[need::FRIENDSHIP] += friends;
    v[need::BELONGING] += friends;
    if me.posted_yesterday || me.advertised_yesterday {
        v[need::PROMOTION] += p.audience_value * audience + me.badge_esteem;
    }
    if me.answered {
        // An answer meets whichever of these needs the question was about; the member's pulls
        // weigh it by the needs it has.
        v[need::SERVICE] += p.service_value;
        v[need::WORK] += p.service_value;
        v[need::LEARNING] += p.service_value;
    }
    v[need::LEARNING] += me.guest_value;
    v[need::LIFE] += me.meetup_bond;
    v[need::BELONGING] += me.meetup_bond;
    v
}

/// Cost of a visit: ads seen (scaled by the member's aversion) and overload beyond attention,
/// both scaled by the member's involvement (its strongest need), so that an agent without
/// needs pays nothing.
pub fn visit_cost(
    p: &ValueCoefficients,
    group: &GroupYesterday,
    aversion: f32,
    involvement: f32,
) -> f32 {
    let ads = aversion * saturating(group.ads, p.ad_half_load);
    let overload = p.overload_cost * ((group.posts + group.ads) / p.attention - 1.0).max(0.0);
    involvement * (ads + overload)
}

/// Probability that a member whose visit cost more than it gave mutes the group: the share of
/// the day's messages (posts and ads) beyond what it can read, 1 − attention / messages; 0 in a
/// group it can read in full.
pub fn mute_probability(p: &ValueCoefficients, group: &GroupYesterday) -> f32 {
    let load = group.posts + group.ads;
    if load <= p.attention {
        0.0
    } else {
        1.0 - p.attention / load
    }
}

/// Probability that a visitor mutes the group over the operator's `promotions` read today, each
/// making a `rate` of its readers mute, as each campaign e-mail makes some of its readers
/// unsubscribe: `1 − (1 − rate)^promotions`.
pub fn promotion_mute_probability(rate: f32, promotions: f32) -> f32 {
    if promotions <= 0.0 {
        0.0
    } else {
        1.0 - (1.0 - rate).powf(promotions)
    }
}

/// How involved an agent is: the intensity of its strongest need. It scales what ads and
/// overload cost a visit; an agent without needs (involvement 0) is not involved at all.
pub fn involvement(needs: &[f32; NEEDS]) -> f32 {
    needs.iter().copied().fold(0.0, f32::max)
}

/// Daily utility: pull-weighted value plus material reward minus cost.
pub fn utility(pulls: &[f32; NEEDS], values: &[f32; NEEDS], material: f32, cost: f32) -> f32 {
    let mut u = 0.0;
    for k in 0..NEEDS {
        u += pulls[k] * values[k];
    }
    u + material - cost
}

/// Value left from an offline meetup `days_since` days ago.
pub fn meetup_bond(value: f32, days_since: f32, persistence_days: f32) -> f32 {
    value * (-days_since / persistence_days).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_reading_several_groups_finds_what_they_hold_together() {
        let quiet = GroupYesterday {
            posts: 2.0,
            ads: 1.0,
            visitors: 10.0,
            silent_visitors: 4.0,
            deterred: false,
        };
        let busy = GroupYesterday {
            posts: 30.0,
            ads: 0.0,
            visitors: 100.0,
            silent_visitors: 70.0,
            deterred: true,
        };
        let both = GroupYesterday::together([quiet, busy].into_iter());
        assert_eq!((both.posts, both.ads, both.visitors), (32.0, 1.0, 110.0));
        assert_eq!(both.silent_visitors, 74.0);
        assert!(both.deterred);
        assert_eq!(GroupYesterday::together(std::iter::once(quiet)), quiet);
    }

    fn params() -> ValueCoefficients {
        ValueCoefficients {
            offer: [0.5; NEEDS],
            half_saturation: 10.0,
            half_audience: 30.0,
            attention: 60.0,
            reply_value: 0.5,
            audience_value: 0.5,
            service_value: 0.5,
            overload_cost: 0.5,
            ad_half_load: 10.0,
            promotion_mute: 0.011,
            aversion: vec![1.0],
        }
    }

    #[test]
    fn each_promotion_read_makes_a_share_of_its_readers_mute() {
        assert_eq!(promotion_mute_probability(0.011, 0.0), 0.0);
        assert!((promotion_mute_probability(0.011, 1.0) - 0.011).abs() < 1e-7);
        // Two promotions: muted over either, 1 − 0.989².
        let two = promotion_mute_probability(0.011, 2.0);
        assert!((two - (1.0 - 0.989f32 * 0.989)).abs() < 1e-6);
        assert_eq!(promotion_mute_probability(0.0, 3.0), 0.0);
    }

    #[test]
    fn members_mute_only_a_group_with_more_than_they_can_read() {
        let p = params();
        let load = |posts, ads| {
            mute_probability(
                &p,
                &GroupYesterday {
                    posts,
                    ads,
                    ..Default::default()
                },
            )
        };
        assert_eq!(load(60.0, 0.0), 0.0, "exactly what it can read");
        assert!((load(100.0, 20.0) - 0.5).abs() < 1e-6, "half of 120 unread");
        assert!(load(600.0, 0.0) > load(120.0, 0.0));
    }

    #[test]
    fn content_has_diminishing_returns_in_posts() {
        let p = params();
        let v = |posts| {
            visit_values(
                &p,
                &GroupYesterday {
                    posts,
                    ..Default::default()
                },
                &Default::default(),
            )[0]
        };
        assert_eq!(v(0.0), 0.0);
        assert!(
            (v(10.0) - 0.25).abs() < 1e-6,
            "half value at half saturation"
        );
        assert!(v(20.0) - v(10.0) < v(10.0) - v(0.0));
    }

    #[test]
    fn a_reply_read_is_worth_reply_value_and_an_unreplied_post_only_its_audience() {
        let p = params();
        let g = GroupYesterday {
            visitors: 30.0,
            ..Default::default()
        };
        let replied = VisitorSituation {
            posted_yesterday: true,
            replied: true,
            ..Default::default()
        };
        let unreplied = VisitorSituation {
            posted_yesterday: true,
            ..Default::default()
        };
        let lurker = VisitorSituation::default();
        assert_eq!(visit_values(&p, &g, &lurker)[need::FRIENDSHIP], 0.0);
        assert_eq!(visit_values(&p, &g, &unreplied)[need::FRIENDSHIP], 0.0);
        let v = visit_values(&p, &g, &replied);
        for k in [need::CONTACT, need::FRIENDSHIP, need::BELONGING] {
            assert!((v[k] - p.reply_value).abs() < 1e-6, "{k}: {}", v[k]);
        }
        // Both posters had an audience: 30 visitors at half audience 30 is half of it.
        let heard = visit_values(&p, &g, &unreplied)[need::PROMOTION];
        assert!((heard - 0.5 * p.audience_value).abs() < 1e-6, "{heard}");
    }

    #[test]
    fn advertisers_get_audience_but_no_replies() {
        let p = params();
        let g = GroupYesterday {
            visitors: 30.0,
            ..Default::default()
        };
        let ad = VisitorSituation {
            advertised_yesterday: true,
            ..Default::default()
        };
        let v = visit_values(&p, &g, &ad);
        assert!((v[need::PROMOTION] - 0.25).abs() < 1e-6);
        assert_eq!(v[need::CONTACT], 0.0);
    }

    #[test]
    fn only_an_answered_question_is_worth_its_service_value() {
        let p = params();
        let g = GroupYesterday::default();
        let asked = |answered| {
            visit_values(
                &p,
                &g,
                &VisitorSituation {
                    answered,
                    ..Default::default()
                },
            )
        };
        assert_eq!(asked(false)[need::SERVICE], 0.0);
        assert!((asked(true)[need::SERVICE] - 0.5).abs() < 1e-6);
        assert!((asked(true)[need::WORK] - 0.5).abs() < 1e-6);
    }

    #[test]
    fn ads_and_overload_cost_and_an_agent_without_needs_pays_nothing() {
        let p = params();
        let quiet = GroupYesterday {
            posts: 10.0,
            ..Default::default()
        };
        let spam = GroupYesterday {
            posts: 10.0,
            ads: 30.0,
            ..Default::default()
        };
        let flood = GroupYesterday {
            posts: 120.0,
            ..Default::default()
        };
        assert_eq!(visit_cost(&p, &quiet, 1.0, 0.8), 0.0);
        assert!(visit_cost(&p, &spam, 1.0, 0.8) > 0.5);
        assert!((visit_cost(&p, &flood, 1.0, 1.0) - 0.5).abs() < 1e-6);
        assert_eq!(visit_cost(&p, &spam, 1.0, 0.0), 0.0);
    }

    #[test]
    fn utility_is_pull_weighted() {
        let mut pulls = [0.0; NEEDS];
        pulls[need::LEARNING] = 0.8;
        let mut values = [0.3; NEEDS];
        values[need::LEARNING] = 0.5;
        assert!((utility(&pulls, &values, 0.1, 0.2) - (0.4 + 0.1 - 0.2)).abs() < 1e-6);
        assert_eq!(utility(&[0.0; NEEDS], &values, 0.0, 0.0), 0.0);
    }

    #[test]
    fn a_meetup_bond_decays_by_e_over_its_persistence() {
        assert!((meetup_bond(0.5, 0.0, 30.0) - 0.5).abs() < 1e-7);
        assert!((meetup_bond(0.5, 30.0, 30.0) - 0.5 / std::f32::consts::E).abs() < 1e-6);
    }
}
