//! The operator's levers act through mechanisms (docs/MODEL.md §5): each test changes one lever
//! on paired replicates and asserts a direction only beyond the t margin of the replicates run,
//! at two settings of the behaviour constants: two particles of the posterior fitted to the real
//! launches, besides the defaults' own, with Maslow's prepotency on each side of its default
//! (`common::SETTINGS`, docs/MODEL.md §9.4).

mod common;

use agora::engine::Replicate;
use agora::metrics::DayRecord;
use common::{
    ad_share, assert_greater, assert_not_less, final_members, label, per_run, per_summary, preset,
    runs, sum, SETTINGS,
};

/// Replicates for the tests of effects that are small at the calibrated constants, where
/// members post rarely: the seated core, late answers, nudges, promotions and announcements.
/// With the paired spreads of 4 replicates at the quieter setting, 8 bring the t margin under
/// the effects measured there (docs/CALIBRATION.md).
const POWERED: u32 = 8;

/// A test's premise: in every replicate, `f` of a day, on average over the run's days, is above
/// `floor`.
fn premise_a_day(runs: &[Replicate], f: impl Fn(&DayRecord) -> f64, floor: f64, what: &str) {
    let means = per_summary(runs, |r| sum(&r.series, &f) / r.series.len() as f64);
    assert!(means.iter().all(|&m| m > floor), "{what}: {means:?} a day");
}

/// A preset at one of the settings, with the test's own overrides after it.
fn at(name: &str, setting: &[(&str, &str)], sets: &[(&str, &str)]) -> Vec<Replicate> {
    at_n(name, setting, sets, 4)
}

fn at_n(name: &str, setting: &[(&str, &str)], sets: &[(&str, &str)], n: u32) -> Vec<Replicate> {
    let all: Vec<(&str, &str)> = setting.iter().chain(sets).copied().collect();
    runs(&preset(name, &all), n)
}

#[test]
fn members_fall_with_the_fee_when_nobody_advertises() {
    // No advertisers for a fee to filter out, and no fees put back into the operation: the
    // price is all that changes.
    let common = [
        ("population.size", "20000"),
        ("days", "120"),
        ("population.segments.1.advertiser_share", "0"),
        ("population.segments.2.advertiser_share", "0"),
        ("monetization.reinvest", "0"),
    ];
    for setting in SETTINGS {
        let by_fee: Vec<(&str, Vec<f64>)> = ["10", "50", "99", "250"]
            .into_iter()
            .map(|fee| {
                let sets: Vec<(&str, &str)> =
                    common.iter().copied().chain([("entry.fee", fee)]).collect();
                let r = at("paid-knowledge-community", &setting, &sets);
                (fee, per_summary(&r, final_members))
            })
            .collect();
        for pair in by_fee.windows(2) {
            assert_greater(
                &pair[0].1,
                &pair[1].1,
                &format!(
                    "members at fee {} against {} ({})",
                    pair[0].0,
                    pair[1].0,
                    label(&setting)
                ),
            );
        }
    }
}

#[test]
fn a_second_moderator_answers_what_one_cannot_and_loses_no_members() {
    // Each doctor answers (or reviews) one post a day: fewer than the questions a group asks
    // in a day (about three), so even answering on later days one cannot keep up.
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let sets = |mods: &'static str| {
            [
                ("rules.reviews_per_moderator", "1"),
                ("rules.moderators_per_group", mods),
            ]
        };
        // Waiting questions let one doctor catch up on quiet days, so the gap is a few points
        // of answered share: 8 pairs give the t margin the power to see it.
        let one = at_n("doctor-consultation-group", setting, &sets("1"), 8);
        let two = at_n("doctor-consultation-group", setting, &sets("2"), 8);
        let answered = |r: &[Replicate]| {
            per_summary(r, |x| x.summary.metrics.answered_share.expect("questions"))
        };
        // The premise: a group asks more questions a day than one doctor can answer.
        premise_a_day(
            &one,
            |d| d.questions as f64,
            1.0,
            "questions outnumber one doctor's answers",
        );
        let what = label(setting);
        assert_greater(
            &answered(&two),
            &answered(&one),
            &format!("answered share ({what})"),
        );
        // More help really given drives nobody away. It keeps more members only where members
        // who get little quit or lapse for it (not at setting 2, where interest lapses
        // whatever the group gives: docs/MODEL.md §9.4).
        assert_not_less(
            &per_summary(&two, final_members),
            &per_summary(&one, final_members),
            &format!("members ({what})"),
        );
    }
}

#[test]
fn kicking_lowers_the_share_of_ads_members_see() {
    for setting in SETTINGS {
        let sets = |kick_after: &'static str| {
            [
                ("rules.ads", "banned"),
                ("rules.moderators_per_group", "1"),
                ("rules.kick_after", kick_after),
            ]
        };
        // Warnings past 254 never come within a run: an advertiser posts at most one ad a day.
        let never = at_n("free-chat-group", &setting, &sets("254"), POWERED);
        let kick = at_n("free-chat-group", &setting, &sets("1"), POWERED);
        let last60 = |d: &[DayRecord]| ad_share(&d[d.len() - 60..]);
        assert_greater(
            &per_run(&never, last60),
            &per_run(&kick, last60),
            &format!(
                "ad share seen, never kicking against kicking ({})",
                label(&setting)
            ),
        );
    }
}

#[test]
#[ignore = "premise not met at the fitted constants (issue 30): at setting 2 (members who visit seldom) the shared moderator's groups post 0.8 to 1.1 ads a day, fewer than its 3 reviews; docs/MODEL.md §9.4"]
fn one_moderator_for_many_groups_lets_more_ads_through_than_one_in_each() {
    // The seeds' fifth claim. The free chat with ads banned and groups capped at 200, so that
    // it clones into many groups: one moderator in each group against one shared by them all,
    // whose reviews are divided over the groups. A moderator reviews 3 posts a day, fewer than
    // the ads of all the groups (the premise, checked below).
    for setting in SETTINGS {
        let base = [
            ("rules.ads", "banned"),
            ("community.group_cap", "200"),
            ("rules.reviews_per_moderator", "3"),
            ("rules.daily_cost", "10"),
        ];
        let with = |lever: (&'static str, &'static str)| {
            let sets: Vec<(&str, &str)> = base.iter().copied().chain([lever]).collect();
            at_n("free-chat-group", &setting, &sets, 5)
        };
        let each = with(("rules.moderators_per_group", "1"));
        let shared = with(("rules.shared_moderators", "1"));
        for runs in [&each, &shared] {
            assert!(
                per_summary(runs, |r| r.summary.metrics.groups_opened as f64)
                    .iter()
                    .all(|&g| g >= 3.0),
                "it clones into several groups"
            );
        }
        premise_a_day(
            &shared,
            |d| d.ads_posted as f64,
            3.0,
            "more ads a day than one moderator reviews",
        );
        // Each moderator costs 10 a day: one in all, or one in each group open at the day's
        // start.
        for (runs, shared) in [(&shared, true), (&each, false)] {
            for r in runs {
                for pair in r.series.windows(2) {
                    let paid = if shared { 1.0 } else { pair[0].groups as f64 };
                    assert_eq!(pair[1].cost_moderation, 10.0 * paid, "day {}", pair[1].day);
                }
            }
        }
        // In one group, a shared moderator is that group's own: the same runs, day by day.
        let one_group = |lever: (&'static str, &'static str)| {
            let sets: Vec<(&str, &str)> = base
                .iter()
                .copied()
                .chain([("community.max_groups", "1"), lever])
                .collect();
            at_n("free-chat-group", &setting, &sets, 2)
        };
        let own = one_group(("rules.moderators_per_group", "1"));
        let alone = one_group(("rules.shared_moderators", "1"));
        for (a, b) in own.iter().zip(&alone) {
            assert_eq!(a.series, b.series, "one group: shared is its own moderator");
        }
        let what = label(&setting);
        assert_greater(
            &per_run(&shared, ad_share),
            &per_run(&each, ad_share),
            &format!("ad share seen, one moderator shared against one in each group ({what})"),
        );
        assert_greater(
            &per_summary(&each, final_members),
            &per_summary(&shared, final_members),
            &format!("members, one moderator in each group against one shared ({what})"),
        );
    }
}

#[test]
fn founders_alone_are_not_alive_and_tire() {
    // Nobody hears of the community: the founders are all there is.
    let sets = [
        ("acquisition.ad_reach", "0"),
        ("acquisition.word_of_mouth", "0"),
        ("community.seed_members", "30"),
    ];
    for setting in SETTINGS {
        let r = at("brand-fan-club", &setting, &sets);
        for x in &r {
            let m = &x.summary.metrics;
            assert_eq!(m.joined, 0, "nobody but the founders");
            assert_eq!(m.alive, 0, "founders alone are not a living community");
        }
        // Founder-days of posting, not messages, on a log scale: talkativeness spreads posting
        // rates multiplicatively (a logit of ±3), so among 30 founders one or two talkative
        // ones decide a month's total, and the replicates differ by factors, not by amounts.
        let posts = |from: usize, to: usize| {
            move |d: &[DayRecord]| sum(&d[from..to], |x| x.posters as f64).ln_1p()
        };
        let days = r[0].series.len() - 1;
        assert_greater(
            &per_run(&r, posts(0, 30)),
            &per_run(&r, posts(days - 30, days)),
            &format!(
                "ln(1 + founders' posting days) in the first month against the last ({})",
                label(&setting)
            ),
        );
    }
}

#[test]
fn founding_members_with_no_recruitment_keep_their_owner() {
    // Thirty founders, nobody recruited, members who get little quit (a quit threshold of 0.5,
    // five times the default, so that founders do leave): the group empties unless someone
    // runs it. The owner (`community.admins`, 1 by default) stays, reading, whatever the group
    // gives it; it tires and posts less like any founder, but does not vanish.
    let sets = [
        ("acquisition.ad_reach", "0"),
        ("acquisition.word_of_mouth", "0"),
        ("community.seed_members", "30"),
        ("behavior.quit_threshold", "0.5"),
        ("days", "365"),
    ];
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let what = label(setting);
        for r in at("free-chat-group", setting, &sets) {
            let last = r.series.last().expect("days were run");
            assert!(last.members >= 1, "the owner left ({what})");
            assert!(
                last.dormant + last.muted < last.members,
                "every member left is dormant or muted, the owner too ({what})"
            );
        }
        let ownerless = [&sets[..], &[("community.admins", "0")]].concat();
        let empty = at("free-chat-group", setting, &ownerless)
            .iter()
            .filter(|r| r.summary.metrics.final_members == 0)
            .count();
        assert!(
            empty > 0,
            "without an owner no replicate emptied: the test's premise fails ({what})"
        );
    }
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 30): at setting 1 (members who visit often, whose interest lapses whatever the group gives) a daily night brings 1,700 extra posts a night against 1,170 for a weekly one (margin 182, 4 replicates): each night's announcement wakes dormant members; docs/MODEL.md §9.4"]
fn daily_topic_nights_are_worth_less_per_night_than_weekly_ones() {
    for setting in SETTINGS {
        let none = at("brand-fan-club", &setting, &[("events.0.boost", "0.0")]);
        // Extra posts over the run per night held, against the same seeds without nights.
        let per_night = |every: &'static str| {
            let with = at(
                "brand-fan-club",
                &setting,
                &[("events.0.every_days", every)],
            );
            let s = preset("brand-fan-club", &[("events.0.every_days", every)]);
            let calendar = &s.coefficients().calendar;
            let nights = (1..=s.days())
                .filter(|&d| calendar.on(d).topic_boost > 0.0)
                .count() as f64;
            let total = |d: &[DayRecord]| sum(d, |x| x.posts as f64);
            per_run(&with, total)
                .iter()
                .zip(per_run(&none, total))
                .map(|(w, n)| (w - n) / nights)
                .collect::<Vec<_>>()
        };
        assert_greater(
            &per_night("7"),
            &per_night("1"),
            &format!(
                "extra posts per topic night, weekly against daily ({})",
                label(&setting)
            ),
        );
    }
}

/// How many of the replicates end with the community in one of `words` of health.
fn ending(r: &[Replicate], words: &[&str]) -> usize {
    r.iter()
        .filter(|x| words.contains(&x.summary.metrics.health.as_str()))
        .count()
}

/// Asserts that most replicates end healthy (docs/MODEL.md §7.2).
fn healthy_in_most(r: &[Replicate], what: &str) {
    let healthy = ending(r, &["healthy"]);
    assert!(
        2 * healthy > r.len(),
        "{what} healthy in {healthy} of {}",
        r.len()
    );
}

/// The free chat preset at a setting, and the same audience behind an application.
fn free_and_screened(setting: &[(&str, &str)]) -> (Vec<Replicate>, Vec<Replicate>) {
    let free = at_n("free-chat-group", setting, &[], 5);
    let screened = at_n(
        "free-chat-group",
        setting,
        &[("entry.kind", "application")],
        5,
    );
    (free, screened)
}

#[test]
fn the_free_chat_preset_dies_and_an_application_screens_out_its_ads() {
    // The seeds' first claim: a free group with no rules and sellers in the audience dies, as
    // operators judge it (docs/MODEL.md §7.2): it does not end healthy. At the defaults it ends
    // quiet, dying or overrun (of 20 replicates on another seed, 10, 7 and 3; none healthy);
    // at setting 2 (members who visit seldom) quiet; at setting 1 (members who visit often) the
    // few who stay awake keep it healthy in 5 of 5: how often members visit turns the claim
    // (§9.4). An application that screens out advertisers takes the ads away at every setting.
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let what = label(setting);
        let (free, screened) = free_and_screened(setting);
        if setting != SETTINGS[0] {
            let healthy = ending(&free, &["healthy"]);
            assert!(healthy <= 2, "free chat healthy in {healthy} of 5 ({what})");
        }
        assert!(
            screened.iter().all(|r| r.tables.funnel.rejected_review > 0),
            "the reviewer turned applicants away ({what})"
        );
        let ads = |r: &Replicate| r.summary.metrics.ad_share.expect("members read something");
        assert_greater(
            &per_summary(&free, ads),
            &per_summary(&screened, ads),
            &format!("ad share, free against behind an application ({what})"),
        );
    }
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 30): behind an application the free chat group's audience is healthy in 0 of 5 replicates at the defaults (quiet or dying: the screen takes the ads away, not the lapse of members the group gives little); docs/MODEL.md §9.4"]
fn the_free_chat_audience_lives_behind_an_application() {
    // The seeds' second claim: the same audience behind an application lives.
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let (_, screened) = free_and_screened(setting);
        let what = format!("free chat behind an application ({})", label(setting));
        healthy_in_most(&screened, &what);
    }
}

#[test]
fn the_paid_knowledge_preset_lives_with_or_without_founders() {
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        for seeds in ["20", "0"] {
            let paid = at_n(
                "paid-knowledge-community",
                setting,
                &[("community.seed_members", seeds)],
                5,
            );
            let what = format!("paid knowledge with {seeds} founders ({})", label(setting));
            healthy_in_most(&paid, &what);
        }
    }
}

#[test]
fn the_application_preset_lives() {
    // The seeds' second claim as its own preset: a professional circle behind an application,
    // with a moderator in each group, is healthy at the end (docs/MODEL.md §7.2).
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let screened = at_n("application-professional-group", setting, &[], 5);
        healthy_in_most(
            &screened,
            &format!("the application preset ({})", label(setting)),
        );
    }
}

#[test]
fn admins_given_duties_review_ads_and_answer_on_the_days_they_visit() {
    // The free chat group with ads banned and no moderators, in one group, run by three admins:
    // given moderation duties (each handles 20 posts on a day it visits, unpaid) they remove
    // ads nobody else would, and members read fewer of them; the duty costs nothing. Eight
    // replicates: at setting 2 admins visit seldom and remove few (0.15 against 0.16 of ads read).
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let what = label(setting);
        let run = |reviews: &str| {
            let sets = [
                ("rules.ads", "banned"),
                ("rules.moderators_per_group", "0"),
                ("community.group_cap", "100000"),
                ("community.admins", "3"),
                ("community.admin_reviews", reviews),
            ];
            at_n("free-chat-group", setting, &sets, 8)
        };
        let (idle, on_duty) = (run("0"), run("20"));
        let removed = |r: &Replicate| r.series.iter().map(|d| d.ads_removed as f64).sum::<f64>();
        assert!(
            idle.iter().all(|r| removed(r) == 0.0),
            "without duties nobody removes an ad ({what})"
        );
        assert!(
            on_duty.iter().all(|r| removed(r) > 0.0),
            "admins on duty remove ads ({what})"
        );
        assert!(
            on_duty
                .iter()
                .all(|r| r.summary.metrics.cost_moderation == 0.0),
            "the admins' duty is unpaid ({what})"
        );
        let ads = |r: &Replicate| r.summary.metrics.ad_share.expect("members read something");
        assert_greater(
            &per_summary(&idle, ads),
            &per_summary(&on_duty, ads),
            &format!("ad share, admins idle against on duty ({what})"),
        );
    }
}

#[test]
fn founders_pulled_from_the_owners_ties_bring_fewer_joiners_than_founders_at_random() {
    // Thirty founders who are the owner's circle tell friends who mostly know each other, so
    // their word of mouth reaches fewer distinct outsiders than thirty strangers' (docs/MODEL.md
    // §4.8, §12.3). Ten replicates: the difference is a few dozen joins of about 2,500.
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let run = |founders: &'static str| {
            let sets = [
                ("population.size", "10000"),
                ("community.seed_members", "30"),
                ("community.founders", founders),
            ];
            at_n("free-chat-group", setting, &sets, 10)
        };
        let joined = |r: &Replicate| r.summary.metrics.joined as f64;
        assert_greater(
            &per_summary(&run("random"), joined),
            &per_summary(&run("owner-ties"), joined),
            &format!(
                "joins, founders at random against the owner's ties ({})",
                label(setting)
            ),
        );
    }
}

#[test]
fn a_quiet_consultation_group_that_keeps_its_members_is_not_dead() {
    // The doctors' group: members come when they need an answer and otherwise stay away, and
    // nobody leaves. Quiet, even dying, as operators judge it (docs/MODEL.md §7.2), but not
    // dead: its members still ask within every four weeks.
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let what = label(setting);
        let doctors = at_n("doctor-consultation-group", setting, &[], 5);
        for r in &doctors {
            let kept = r
                .summary
                .metrics
                .retention_30d
                .expect("joiners a month old");
            assert!(
                kept > 0.95,
                "the premise: it keeps its members ({kept}, {what})"
            );
        }
        let dead = ending(&doctors, &["dead"]);
        assert!(dead <= 2, "the doctors' group dead in {dead} of 5 ({what})");
    }
}

#[test]
fn the_tiered_preset_seats_its_core_members_in_several_groups() {
    for setting in SETTINGS {
        for r in at("two-tier-community", &setting, &[]) {
            let groups = &r.tables.groups;
            let core: Vec<_> = groups.iter().filter(|g| g.tier == "core").collect();
            assert_eq!(core.len(), 1, "one core group ({})", label(&setting));
            let core = core[0];
            // Closed to joiners: only its seed members are in it.
            assert_eq!(core.group, 0);
            assert_eq!(core.members_joined, 0, "{core:?}");
            assert_eq!(core.seeds_final, core.members_final, "{core:?}");
            assert!(core.seeds_final > 0, "{core:?}");
            let seats: u64 = groups.iter().map(|g| g.seated_final).sum();
            for g in groups.iter().filter(|g| g.tier != "core") {
                assert!(g.seated_final <= 30, "at most clone_seeds seats: {g:?}");
            }
            // 8 groups for joiners × 30 seats over 90 core members is about 2.7 seats each while
            // they stay: on average every core member still in sits in at least one group more.
            let groups_each = 1.0 + seats as f64 / core.seeds_final as f64;
            assert!(
                groups_each >= 2.0,
                "core members sit in {groups_each:.2} groups each ({})",
                label(&setting)
            );
        }
    }
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 29): nobody quits (30-day retention 0.99 either way, difference 0.0000), since members who get little go dormant instead; docs/MODEL.md §9.4"]
fn core_members_seated_in_the_satellites_hold_their_members_in() {
    for setting in SETTINGS {
        let seated = at_n("two-tier-community", &setting, &[], POWERED);
        let apart = at_n(
            "two-tier-community",
            &setting,
            &[("community.clone_seeds", "0")],
            POWERED,
        );
        let retention = |r: &Replicate| r.summary.metrics.retention_30d.unwrap_or(f64::NAN);
        assert_greater(
            &per_summary(&seated, retention),
            &per_summary(&apart, retention),
            &format!(
                "30-day retention with the core seated in the satellites, against apart ({})",
                label(&setting)
            ),
        );
    }
}

/// The share of joiners who went on to write a genuine post (the funnel's `first_post`).
fn first_post_share(r: &Replicate) -> f64 {
    let f = &r.tables.funnel;
    f.first_post as f64 / f.joined.max(1) as f64
}

#[test]
fn participation_activities_draw_in_more_first_posts_than_topic_nights() {
    for setting in SETTINGS {
        // The same weekly event, same boost, as a discussion night or as a vote or tasting.
        let topic = at("brand-fan-club", &setting, &[]);
        let activity = at("brand-fan-club", &setting, &[("events.0.kind", "activity")]);
        assert_greater(
            &per_summary(&activity, first_post_share),
            &per_summary(&topic, first_post_share),
            &format!(
                "joiners who post, weekly activity against weekly topic night ({})",
                label(&setting)
            ),
        );
    }
}

#[test]
fn a_prize_for_the_best_contribution_raises_posting_and_costs_what_it_pays() {
    let s = preset("brand-fan-club", &[]);
    let calendar = &s.coefficients().calendar;
    for setting in SETTINGS {
        let plain = at_n("brand-fan-club", &setting, &[], POWERED);
        let prized = at_n(
            "brand-fan-club",
            &setting,
            &[("events.0.prize", "200")],
            POWERED,
        );
        assert_greater(
            &per_run(&prized, common::posts_per_member_day),
            &per_run(&plain, common::posts_per_member_day),
            &format!("posts per member-day with a prize ({})", label(&setting)),
        );
        // The prize is paid on every topic night someone posted, and only then.
        for r in &prized {
            for d in &r.series[1..] {
                let night = calendar.on(d.day);
                let prize = if night.topic_boost > 0.0 && d.posts > 0 {
                    200.0
                } else {
                    0.0
                };
                assert_eq!(d.cost_events, night.cost + prize, "day {}", d.day);
            }
        }
    }
}

#[test]
fn unanswered_questions_are_answered_later_until_buried() {
    // A store group without moderators: only members answer, and they do not always answer the
    // same day. Readers who read back further (`community.attention`) find older questions.
    // Since members answer back within the day (`community.answer_back`), the group writes more
    // and has more answers to spare, and the difference between reading back 60 messages and 3
    // is smaller (at setting 1, a late share of 0.30 against 0.27, from 0.31 against 0.25): 16
    // replicates, not 8, to see it.
    let staffless = [("rules.moderators_per_group", "0")];
    for setting in SETTINGS {
        let read_back = |attention: &'static str| {
            let sets: Vec<(&str, &str)> = staffless
                .iter()
                .copied()
                .chain([("community.attention", attention)])
                .collect();
            at_n("store-customer-group", &setting, &sets, 2 * POWERED)
        };
        let late_share = |r: &Replicate| {
            let late = sum(&r.series, |d| d.answered_late as f64);
            late / sum(&r.series, |d| d.questions as f64).max(1.0)
        };
        let far = read_back("60");
        assert!(
            per_summary(&far, late_share).iter().all(|&s| s > 0.0),
            "some questions answered on a later day ({})",
            label(&setting)
        );
        assert_greater(
            &per_summary(&far, late_share),
            &per_summary(&read_back("3"), late_share),
            &format!(
                "questions answered late, reading back 60 messages against 3 ({})",
                label(&setting)
            ),
        );
    }
}

/// The doctors' group answered only by a team with 10 minutes a day (2 answers) and a daily
/// cost of 30, with a test's overrides: more questions a day than that (checked) outrun it.
fn doctors_answered_by_a_team(extra: &[(&str, &str)], setting: &[(&str, &str)]) -> Vec<Replicate> {
    let team = [
        ("rules.moderators_per_group", "0"),
        ("team.answers_per_day", "50"),
        ("team.minutes_per_day", "10"),
        ("team.daily_cost", "30"),
    ];
    let sets: Vec<(&str, &str)> = team.iter().chain(extra).copied().collect();
    at("doctor-consultation-group", setting, &sets)
}

#[test]
#[ignore = "premise not met at the fitted constants (issue 30): at setting 1 the doctors' groups ask 1.7 to 2.0 questions a day, not more than the team's 2 answers within its time; docs/MODEL.md §9.4"]
fn overtime_answers_more_until_the_team_burns_out() {
    const AFTER: f64 = 400.0;
    const RECOVERY: usize = 21;
    let overtime = [("team.overtime_minutes", "60")];
    let with = |after: &'static str| -> Vec<(&'static str, &'static str)> {
        overtime
            .iter()
            .copied()
            .chain([("team.burnout_after", after)])
            .collect()
    };
    let answered =
        |r: &[Replicate]| per_summary(r, |x| x.summary.metrics.answered_share.expect("questions"));
    for setting in SETTINGS {
        let what = label(&setting);
        let budget = doctors_answered_by_a_team(&[], &setting);
        // The premise: more questions a day than the team's 2 answers within its time.
        premise_a_day(
            &budget,
            |d| d.questions as f64,
            2.0,
            "questions outnumber the budget's answers",
        );
        // 10 million minutes: more than 60 a day can reach in a run.
        let tireless = doctors_answered_by_a_team(&with("10000000"), &setting);
        let tiring = doctors_answered_by_a_team(&with("400"), &setting);
        assert!(per_summary(&budget, |r| sum(&r.series, |d| d.overtime))
            .iter()
            .all(|&m| m == 0.0));
        assert_greater(
            &answered(&tireless),
            &answered(&budget),
            &format!("answered share with overtime against within the budget ({what})"),
        );
        assert_greater(
            &answered(&tireless),
            &answered(&tiring),
            &format!(
                "answered share of a team that never burns out against one that does ({what})"
            ),
        );
        // The rule, read back from the outputs: a day of work follows a working day unless the
        // overtime of the last 21 days passed 400 minutes; then the team is away 21 days, with
        // no overtime. In each group it staffs (those open at the day's start) its day costs 30
        // and its overtime 3 a minute, the budget's rate (30 for 10 minutes).
        for r in &tiring {
            let days = &r.series[1..];
            let away = days.iter().filter(|d| d.team_away == 1).count() as u64;
            assert!(away > 0, "the team burns out ({what})");
            assert_eq!(r.summary.metrics.team_days_away, away);
            for (i, d) in days.iter().enumerate() {
                // No core group, and the team staffs clones: it staffs every group.
                let staffed = r.series[i].groups as f64;
                // Whole answers of 5 minutes in each group, within 60 minutes over them all.
                let answers = d.overtime / (5.0 * staffed);
                assert!(
                    d.overtime <= 60.0 && answers == answers.floor(),
                    "day {}",
                    d.day
                );
                let cost = if d.team_away == 1 {
                    0.0
                } else {
                    staffed * (30.0 + 3.0 * d.overtime)
                };
                assert!(
                    (d.cost_team - cost).abs() < 1e-9,
                    "day {}: {} against {cost}",
                    d.day,
                    d.cost_team
                );
                if d.team_away == 1 {
                    assert_eq!(d.overtime, 0.0, "day {}", d.day);
                    continue;
                }
                let Some(next) = days.get(i + 1) else { break };
                let strain: f64 = days[i.saturating_sub(RECOVERY - 1)..=i]
                    .iter()
                    .map(|d| d.overtime)
                    .sum();
                assert_eq!(
                    next.team_away == 1,
                    strain > AFTER,
                    "day {}: strain {strain}",
                    d.day
                );
                if next.team_away == 1 {
                    let away = days[i + 1..]
                        .iter()
                        .take_while(|d| d.team_away == 1)
                        .count();
                    assert!(
                        away == RECOVERY || i + 1 + away == days.len(),
                        "away {away} days from day {}",
                        next.day
                    );
                }
            }
        }
    }
}

/// The paid community at a test scale (20,000 agents, 120 days) at a setting, with a team's
/// overrides: its team writes 3 posts and answers up to 20 questions a day.
fn paid_with_team(extra: &[(&str, &str)], setting: &[(&str, &str)]) -> Vec<Replicate> {
    let small = [("population.size", "20000"), ("days", "120")];
    let sets: Vec<(&str, &str)> = small.iter().chain(extra).copied().collect();
    at_n("paid-knowledge-community", setting, &sets, POWERED)
}

#[test]
fn the_teams_nudges_bring_members_who_never_posted_to_post() {
    // The team also nudges up to 20 silent visitors a day, a personal request answered by a
    // share `behavior.nudge_response` of them (docs/MODEL.md §5.10): at its default, the
    // published rate for a personal request and an upper bound, and at 0.2.
    let nudges = |r: &Replicate| sum(&r.series, |d| d.nudges as f64);
    let answered = |r: &Replicate| sum(&r.series, |d| d.nudges_answered as f64);
    for setting in SETTINGS {
        let none = paid_with_team(&[], &setting);
        assert!(per_summary(&none, nudges).iter().all(|&n| n == 0.0));
        for response in ["0.74", "0.2"] {
            let nudging = paid_with_team(
                &[
                    ("team.nudges_per_day", "20"),
                    ("behavior.nudge_response", response),
                ],
                &setting,
            );
            assert_greater(
                &per_summary(&nudging, first_post_share),
                &per_summary(&none, first_post_share),
                &format!(
                    "joiners who post, nudged ({response} answer) against not ({})",
                    label(&setting)
                ),
            );
            // What the outputs say of it: the nudged who wrote, about the response's share of
            // the nudges (binomial: within 4 standard deviations over the run).
            for r in &nudging {
                let (n, k) = (nudges(r), answered(r));
                let p: f64 = response.parse().unwrap();
                assert!(n > 100.0, "nudges given: {n}");
                assert!(
                    (k - n * p).abs() <= 4.0 * (n * p * (1.0 - p)).sqrt() + 0.01 * n,
                    "{k} of {n} nudged wrote, at a response of {p}"
                );
            }
        }
    }
}

#[test]
fn the_teams_time_budget_limits_its_nudges() {
    // 50 minutes a day: 45 go to its 3 posts and the other 5 are kept for yesterday's answers
    // when it gave any, so it plans at most 2.5 nudges a day (2 minutes each). Without a time
    // budget it nudges every silent visitor it meets, more than 2.5 a day (the premise): the
    // silent visitors, not the 20 it may nudge, are what bound it then, since most of those
    // nudged answer and are silent no more.
    let nudges = |r: &Replicate| sum(&r.series, |d| d.nudges as f64);
    for setting in SETTINGS {
        let nudging = paid_with_team(&[("team.nudges_per_day", "20")], &setting);
        premise_a_day(
            &nudging,
            |d| d.nudges as f64,
            2.5,
            "nudges without a budget",
        );
        let budget = paid_with_team(
            &[
                ("team.nudges_per_day", "20"),
                ("team.minutes_per_day", "50"),
            ],
            &setting,
        );
        assert_greater(
            &per_summary(&nudging, nudges),
            &per_summary(&budget, nudges),
            &format!(
                "nudges without a time budget and with 50 minutes ({})",
                label(&setting)
            ),
        );
    }
}

#[test]
fn the_operators_own_promotions_sell_and_are_read_like_ads() {
    // The fan club's weekly event becomes the operator's promotional post, against the same
    // weekly event with no effect (a topic night of boost 0, the same cost).
    for setting in SETTINGS {
        let none = at_n(
            "brand-fan-club",
            &setting,
            &[("events.0.boost", "0")],
            POWERED,
        );
        // The preset's event as a promotion: the same days and cost, no boost (a promotion
        // reads none, and a boost written for it is refused).
        let promote =
            |event: &'static str| at_n("brand-fan-club", &setting, &[("events", event)], POWERED);
        let (plain, selling) = (
            promote("[{ kind = \"promotion\", every_days = 7, start_day = 3, cost = 100.0 }]"),
            promote(
                "[{ kind = \"promotion\", every_days = 7, start_day = 3, cost = 100.0, \
                 conversion = 0.05 }]",
            ),
        );
        let sales = |r: &Replicate| r.summary.metrics.revenue_sales;
        assert_greater(
            &per_summary(&selling, sales),
            &per_summary(&plain, sales),
            &format!(
                "sales with a 5% conversion against none ({})",
                label(&setting)
            ),
        );
        // Read like ads, they cost visits their value: fewer members stay.
        assert_greater(
            &per_summary(&none, final_members),
            &per_summary(&plain, final_members),
            &format!(
                "members without promotions against with ({})",
                label(&setting)
            ),
        );
        // Never removed: every group gets one on each promotion day.
        for r in &plain {
            assert!(r.series.iter().any(|d| d.promotions > 0));
            assert!(r.series.iter().all(|d| d.promotions <= d.groups));
        }
    }
}

#[test]
fn a_promotion_a_day_makes_more_members_mute_the_group_than_one_a_week() {
    // The fan club's weekly event becomes the operator's selling post (no conversion), held
    // every day against every week: each one read makes some of its readers mute the group
    // (docs/MODEL.md §4.9), so daily selling leaves more members muted and fewer members.
    for setting in [&[][..], &SETTINGS[0], &SETTINGS[1]] {
        let selling =
            |event: &'static str| at_n("brand-fan-club", setting, &[("events", event)], 4);
        let (daily, weekly) = (
            selling("[{ kind = \"promotion\", every_days = 1, start_day = 3, cost = 100.0 }]"),
            selling("[{ kind = \"promotion\", every_days = 7, start_day = 3, cost = 100.0 }]"),
        );
        let muted = |r: &Replicate| r.summary.metrics.muted_share.expect("members at the end");
        let what = label(setting);
        assert_greater(
            &per_summary(&daily, muted),
            &per_summary(&weekly, muted),
            &format!("muted share, a promotion a day against a week ({what})"),
        );
        assert_greater(
            &per_summary(&weekly, final_members),
            &per_summary(&daily, final_members),
            &format!("members, a promotion a week against a day ({what})"),
        );
    }
}

/// The fan club with an operating team that posts 3 times and answers up to 20 questions a day
/// (the paid community's team), its groups capped at 500 and cloned as they fill (120 days): the
/// clones get the team and a moderator each (`staffed`), or nothing at all.
fn fan_club_clones(setting: &[(&str, &str)], staffed: bool) -> Vec<Replicate> {
    let team = [
        ("days", "120"),
        ("team.posts_per_day", "3"),
        ("team.answers_per_day", "20"),
    ];
    let alone = [("team.clones", "false"), ("rules.clone_moderators", "0")];
    let sets: Vec<(&str, &str)> = if staffed {
        team.to_vec()
    } else {
        team.iter().chain(&alone).copied().collect()
    };
    let r = at_n("brand-fan-club", setting, &sets, 5);
    assert!(r.iter().all(|r| r.tables.groups.len() > 2), "it clones");
    r
}

/// Of the run's clones (groups opened by fission), `f` summed over them.
fn over_clones(r: &Replicate, f: impl Fn(&agora::metrics::GroupRow) -> f64) -> f64 {
    r.tables
        .groups
        .iter()
        .filter(|g| g.tier == "clone")
        .map(f)
        .sum()
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 29) nor before them: at setting 1 \
            (members who visit often) 0.96 of clones live with the team against 0.97 alone; \
            before the fit about 0.9 either way (docs/MODEL.md §9.4)"]
fn clones_that_get_the_operating_team_die_less_often_than_clones_left_alone() {
    let clone_alive =
        |r: &Replicate| over_clones(r, |g| g.alive_final as f64) / over_clones(r, |_| 1.0).max(1.0);
    for setting in SETTINGS {
        assert_greater(
            &per_summary(&fan_club_clones(&setting, true), clone_alive),
            &per_summary(&fan_club_clones(&setting, false), clone_alive),
            &format!(
                "share of clones alive, with the team against alone ({})",
                label(&setting)
            ),
        );
    }
}

/// The comparison file `scenarios/compare/<name>.toml` at a setting: one scenario per policy and
/// draw of its `[robust]` priors, policy-major.
fn comparison_at(name: &str, setting: &[(&str, &str)]) -> agora::compare::Comparison {
    let dir = tempfile::TempDir::new().unwrap();
    let path = common::example_at(name, setting, dir.path());
    agora::compare::Comparison::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 29): at setting 1 (members who visit often) every clone open 60 days is alive at the end, with the team or without it, in every draw; docs/MODEL.md §9.4"]
fn clones_that_get_the_operating_team_die_less_often_over_the_constants_nobody_measured() {
    // scenarios/compare/clones-unmeasured.toml: the fan club's clones with the team and a
    // moderator each, or nothing, under 20 draws of the visit, memory and quit constants
    // (docs/MODEL.md §12). At the defaults clones live either way (the ignored test above);
    // where members visit seldom, those left alone die more. Per replicate, the share of clones
    // open at least 60 days (younger ones have had less time to die) alive at the end, pooled
    // over the draws (they share the replicate's seeds), paired across the two policies.
    use rayon::prelude::*;
    let old = |g: &agora::metrics::GroupRow| g.opened_day <= 60;
    for setting in SETTINGS {
        let c = comparison_at("clones-unmeasured", &setting);
        let (draws, n) = (c.draws(), c.replicates);
        assert_eq!(c.policies, ["clones get the team", "clones alone"]);
        let runs: Vec<Replicate> = (0..c.scenarios.len() * n as usize)
            .into_par_iter()
            .map(|i| {
                let s = &c.scenarios[i / n as usize];
                agora::engine::run_replicate_with(s, (i % n as usize) as u32, false, &mut |_| {})
            })
            .collect();
        let alive_share = |policy: usize| -> Vec<f64> {
            (0..n as usize)
                .map(|r| {
                    let of = |f: &dyn Fn(&agora::metrics::GroupRow) -> f64| -> f64 {
                        (0..draws)
                            .map(|d| {
                                let run = &runs[(policy * draws + d) * n as usize + r];
                                over_clones(run, |g| if old(g) { f(g) } else { 0.0 })
                            })
                            .sum()
                    };
                    let clones = of(&|_| 1.0);
                    assert!(clones > 0.0, "clones open 60 days");
                    of(&|g| g.alive_final as f64) / clones
                })
                .collect()
        };
        assert_greater(
            &alive_share(0),
            &alive_share(1),
            &format!(
                "share of clones open 60 days alive over the draws, with the team against alone \
                 ({})",
                label(&setting)
            ),
        );
    }
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 30): at setting 2 (members who visit seldom) the joiners of clones left alone leave no more often than with the team (0.0072 against 0.0080, margin 0.0008, 5 replicates); docs/MODEL.md §9.4"]
fn clones_that_get_the_operating_team_keep_more_of_their_joiners() {
    // The team's answers and a moderator in each clone: a question nobody answers brings its
    // asker no replies and costs it (docs/MODEL.md §4.1, §4.2), so clones left alone lose more of
    // the members seated in them. The team also brings more joiners, and so more, younger clones,
    // which have had less time to lose anyone: only clones open at least 60 days are compared.
    let old = |g: &agora::metrics::GroupRow| g.opened_day <= 60;
    let left_share = |r: &Replicate| {
        assert!(
            over_clones(r, |g| old(g) as u8 as f64) > 0.0,
            "clones open 60 days"
        );
        over_clones(r, |g| if old(g) { g.members_left as f64 } else { 0.0 })
            / over_clones(r, |g| if old(g) { g.members_joined as f64 } else { 0.0 })
    };
    for setting in SETTINGS {
        assert_greater(
            &per_summary(&fan_club_clones(&setting, false), left_share),
            &per_summary(&fan_club_clones(&setting, true), left_share),
            &format!(
                "share of the joiners of clones open 60 days who left, alone against with the \
                 team ({})",
                label(&setting)
            ),
        );
    }
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 29): at setting 1 (members who visit often) announcements lower the muted share by 0.034 against a margin of 0.039 at 8 replicates, and by 0.019 against 0.024 at 16; docs/MODEL.md §9.4"]
fn muted_members_come_back_when_an_event_is_announced_to_everyone() {
    // The fan club overloaded (its members read 8 messages a day before overload), so many
    // mute it; its weekly event, with no effect of its own (boost 0), is announced to everyone,
    // against the same event never held. A mention of all reaches through a mute: some come
    // back, read, and stay or mute again.
    let overloaded = [("community.attention", "8"), ("days", "120")];
    let muted = |r: &Replicate| r.summary.metrics.muted_share.unwrap_or(f64::NAN);
    for setting in SETTINGS {
        let sets = |event: (&'static str, &'static str)| -> Vec<(&str, &str)> {
            overloaded.iter().copied().chain([event]).collect()
        };
        let announced = at_n(
            "brand-fan-club",
            &setting,
            &sets(("events.0.boost", "0")),
            POWERED,
        );
        let never = at_n(
            "brand-fan-club",
            &setting,
            &sets(("events.0.start_day", "1000")),
            POWERED,
        );
        assert!(per_summary(&never, muted).iter().all(|&m| m > 0.0));
        assert_greater(
            &per_summary(&never, muted),
            &per_summary(&announced, muted),
            &format!(
                "muted share without announcements against with ({})",
                label(&setting)
            ),
        );
    }
}

/// The store group at a test scale (20,000 agents, 120 days) at a setting, its members'
/// talkativeness spread by `spread`, with `more` overrides after it.
fn store_with_spread(
    setting: &[(&str, &str)],
    spread: &str,
    more: &[(&str, &str)],
) -> Vec<Replicate> {
    let mut sets = vec![
        ("population.size", "20000"),
        ("days", "120"),
        ("behavior.post_spread", spread),
    ];
    sets.extend_from_slice(more);
    at("store-customer-group", setting, &sets)
}

/// A setting's value of `key`.
fn value_of(setting: &[(&str, &str)], key: &str) -> f64 {
    let (_, v) = setting
        .iter()
        .find(|(k, _)| *k == key)
        .expect("key in setting");
    v.parse().expect("a number")
}

#[test]
fn members_own_talkativeness_concentrates_posts_in_the_top_percent() {
    // Each member's own posting constant is spread around `post_base` by `post_spread`
    // (Hogg & Szabo 2009: activity rates differ widely between users). Without the spread the
    // unequal posting has only needs and traits to come from. The flat population is given
    // the constant that keeps the mean chance of posting the same, logistic(b / sqrt(1 +
    // pi s^2 / 8)) being the logistic-normal mean (the probit approximation, MacKay 1992), so
    // that the two differ in how posts are spread, not in how many there are.
    let top1 = |r: &Replicate| r.summary.metrics.top1_post_share.unwrap_or(0.0);
    let posts = |r: &Replicate| sum(&r.series, |d| d.posts as f64);
    for setting in SETTINGS {
        let (base, sd) = (
            value_of(&setting, "behavior.post_base"),
            value_of(&setting, "behavior.post_spread"),
        );
        let flat_base = format!(
            "{}",
            base / (1.0 + std::f64::consts::PI * sd * sd / 8.0).sqrt()
        );
        let flat_sets = [("behavior.post_base", flat_base.as_str())];
        let flat = store_with_spread(&setting, "0", &flat_sets);
        let spread = store_with_spread(&setting, &format!("{sd}"), &[]);
        // The premise: the flat population is not a silent one.
        let (flat_posts, spread_posts) = (per_summary(&flat, posts), per_summary(&spread, posts));
        assert!(
            flat_posts.iter().sum::<f64>() >= 0.5 * spread_posts.iter().sum::<f64>(),
            "flat at post_base {flat_base} writes {flat_posts:?} against {spread_posts:?}"
        );
        assert_greater(
            &per_summary(&spread, top1),
            &per_summary(&flat, top1),
            &format!(
                "top-1% share of posts, spread {sd} against 0 at the same mean chance ({})",
                label(&setting)
            ),
        );
    }
}

#[test]
fn talkative_members_ask_more_questions_too() {
    // Talkativeness is a member's own readiness to write in public, and a question is written in
    // public like any post: it moves questions as it moves posts. Spread around the same
    // constant, it raises the mean chance of a rare act, by exp(spread² / 2) ≈ 7.4 at spread 2
    // for a chance near 0 (a middling member's question is about 0.0002 a visit at the
    // defaults, docs/MODEL.md §5.6); answered questions then meet some of the need that prompts them, so the test asks
    // for twice as many questions, not seven times.
    let questions = |r: &Replicate| sum(&r.series, |d| d.questions as f64);
    for setting in SETTINGS {
        let with = |spread| per_summary(&store_with_spread(&setting, spread, &[]), questions);
        let flat: Vec<f64> = with("0").iter().map(|q| 2.0 * q).collect();
        assert_greater(
            &with("2"),
            &flat,
            &format!(
                "questions at spread 2 against twice those at 0 ({})",
                label(&setting)
            ),
        );
    }
}
