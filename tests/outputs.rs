//! The outputs an operator decides on: each table's invariants on every kind of preset, each new
//! summary metric recomputed independently from the daily series, a small community whose funnel,
//! groups and cohorts can be worked out by hand, and a founders-only community that is not alive.

use agora::engine::{run_replicate, Replicate};
use agora::metrics::DayRecord;
use agora::scenario::{load_str, Scenario};

mod common;
use common::preset;

/// Presets that exercise every output: fission, fees and renewals, moderation and kicks, events,
/// rewards, several segments; made small and a little longer than 90 days.
fn runs() -> Vec<(String, Replicate)> {
    let mut out = Vec::new();
    let staffless = [("rules.moderators_per_group", "0")];
    let lapsing = [
        ("behavior.lapse_rate", "0.1"),
        ("behavior.lapse_commitment", "2"),
        ("behavior.episode_rate", "0.01"),
    ];
    for (name, size, sets) in [
        ("free-chat-group", "8000", &[][..]),
        ("paid-knowledge-community", "20000", &[]),
        ("course-community", "12000", &[]),
        ("store-customer-group", "10000", &[]),
        // Without moderators, questions wait and some are answered on later days.
        ("store-customer-group", "10000", &staffless),
        // A private beta, members whose interest lapses and returns.
        ("qa-site-launch", "8000", &lapsing),
        ("application-professional-group", "10000", &[]),
        ("two-tier-community", "20000", &[]),
    ] {
        let all: Vec<(&str, &str)> = [("population.size", size), ("days", "120")]
            .into_iter()
            .chain(sets.iter().copied())
            .collect();
        let s = preset(name, &all);
        for r in 0..2 {
            out.push((name.to_string(), run_replicate(&s, r, &mut |_| {})));
        }
    }
    out
}

fn total(days: &[DayRecord], f: impl Fn(&DayRecord) -> u64) -> u64 {
    days.iter().map(f).sum()
}

#[test]
fn every_table_keeps_its_invariants() {
    for (name, run) in runs() {
        let days = &run.series[1..];
        let last = run.series.last().unwrap();
        let t = &run.tables;
        // Groups: their members add up to the community's (a seed member seated in groups
        // beside its own counted once); joins and departures too.
        let members: u64 = t
            .groups
            .iter()
            .map(|g| g.members_final - g.seated_final)
            .sum();
        assert_eq!(members, last.members, "{name}: group members");
        assert_eq!(t.groups.len() as u64, last.groups, "{name}: groups");
        let joined: u64 = t.groups.iter().map(|g| g.members_joined).sum();
        assert_eq!(joined, total(days, |d| d.joins), "{name}: group joins");
        // A seated seed member that leaves leaves every group it sits in.
        let left: u64 = t.groups.iter().map(|g| g.members_left).sum();
        let departures = total(days, |d| d.quits + d.kicks);
        let seated = t.groups.iter().any(|g| g.seated_final > 0);
        if seated {
            assert!(left >= departures, "{name}: group departures");
        } else {
            assert_eq!(left, departures, "{name}: group departures");
        }
        for g in &t.groups {
            assert!(
                g.seeds_final + g.seated_final <= g.members_final,
                "{name}: {g:?}"
            );
            if g.tier == "core" {
                assert_eq!(g.members_joined, 0, "{name}: the core is closed: {g:?}");
            }
            assert!(g.members_final <= g.members_peak, "{name}: {g:?}");
            assert_eq!(g.died_day.is_some(), g.health == "dead", "{name}: {g:?}");
            assert_eq!(g.alive_final == 1, g.health == "healthy", "{name}: {g:?}");
            // A group whose members read mostly ads is never healthy (docs/MODEL.md §7.2).
            if g.ad_share_week.is_some_and(|a| a > 0.5) {
                assert!(
                    ["overrun", "dead"].contains(&g.health.as_str()),
                    "{name}: {g:?}"
                );
            }
        }
        // Funnel: stages nest, and the daily joins add up to `joined`.
        let f = &t.funnel;
        assert_eq!(f.joined, total(days, |d| d.joins), "{name}: joined");
        assert_eq!(
            f.exposed,
            f.considered + f.declined_no_need,
            "{name}: {f:?}"
        );
        assert_eq!(
            f.considered,
            f.joined + f.declined_price + f.rejected_review + f.turned_away_full,
            "{name}: {f:?}"
        );
        assert_eq!(
            f.exposed,
            f.exposed_ads + f.exposed_word_of_mouth + f.exposed_referral,
            "{name}: channels"
        );
        assert!(
            f.activated <= f.joined && f.first_post <= f.joined,
            "{name}: {f:?}"
        );
        assert!(
            f.eligible_30 <= f.joined && f.retained_30 <= f.eligible_30,
            "{name}: {f:?}"
        );
        assert!(f.active_30 <= f.retained_30, "{name}: {f:?}");
        assert!(
            f.eligible_90 <= f.eligible_30 && f.retained_90 <= f.eligible_90,
            "{name}"
        );
        assert!(f.retained_90 <= f.retained_30, "{name}: {f:?}");
        assert_eq!(f.quit, total(days, |d| d.quits), "{name}: quits");
        assert_eq!(f.kicked, total(days, |d| d.kicks), "{name}: kicks");
        // Cohorts: sizes add up to the joins; members shrink, active and posters are members.
        let week0: Vec<_> = t.cohorts.iter().filter(|c| c.week == 0).collect();
        assert_eq!(
            week0.iter().map(|c| c.size).sum::<u64>(),
            f.joined,
            "{name}: sizes"
        );
        for c in &t.cohorts {
            assert!(
                c.size > 0,
                "{name}: a week nobody joined has no rows: {c:?}"
            );
            assert!(
                c.members <= c.size && c.active <= c.members,
                "{name}: {c:?}"
            );
            assert!(c.posters <= c.active, "{name}: posters visited: {c:?}");
            let next = t
                .cohorts
                .iter()
                .find(|d| d.cohort_week == c.cohort_week && d.week == c.week + 1);
            if let Some(next) = next {
                assert!(
                    next.members <= c.members,
                    "{name}: no rejoin, {c:?} then {next:?}"
                );
            }
        }
        // Segments add up to the community.
        let seg = &t.segments;
        assert_eq!(
            seg.iter().map(|s| s.joined).sum::<u64>(),
            f.joined,
            "{name}"
        );
        assert_eq!(
            seg.iter().map(|s| s.members_final).sum::<u64>(),
            last.members,
            "{name}"
        );
        assert_eq!(seg.iter().map(|s| s.quit).sum::<u64>(), f.quit, "{name}");
        assert_eq!(
            seg.iter().map(|s| s.kicked).sum::<u64>(),
            f.kicked,
            "{name}"
        );
        assert_eq!(
            seg.iter().map(|s| s.ads).sum::<u64>(),
            total(days, |d| d.ads_posted),
            "{name}: ads"
        );
        // Money: lines add up to the totals, every day; nobody sees an ad that was not posted, a
        // question is answered at most once, and the operating budget is never overdrawn.
        for d in days {
            assert!(d.ads_seen <= d.ads_posted, "{name}: {d:?}");
            assert!(d.answered <= d.questions, "{name}: {d:?}");
            assert!(d.budget >= 0.0, "{name}: {d:?}");
            let lines = d.cost_acquisition
                + d.cost_moderation
                + d.cost_team
                + d.cost_events
                + d.cost_red_envelopes
                + d.cost_referrals
                + d.cost_other;
            assert!(
                (lines - d.cost).abs() <= 1e-9 * d.cost.max(1.0),
                "{name}: {d:?}"
            );
            let sources = d.revenue_fees + d.revenue_sales;
            assert!(
                (sources - d.revenue).abs() <= 1e-9 * d.revenue.max(1.0),
                "{name}: {d:?}"
            );
        }
    }
}

#[test]
fn posting_lives_agree_with_the_daily_series() {
    for (name, run) in runs() {
        let days = &run.series[1..];
        let t = &run.tables;
        let m = &run.summary.metrics;
        // Weeks: their questions, answers and joins are the days'; a week's distinct posters
        // are at least its busiest day's and at most the sum of its days'.
        let weeks = &t.life.weekly;
        assert_eq!(weeks.len(), days.len().div_ceil(7), "{name}: weeks");
        for d in days {
            assert!(
                d.dormant <= d.absent,
                "{name}: the dormant are absent: {d:?}"
            );
        }
        for w in weeks {
            let span = &days[7 * (w.week as usize - 1)..(7 * w.week as usize).min(days.len())];
            assert_eq!(w.questions, total(span, |d| d.questions), "{name}: {w:?}");
            assert_eq!(
                w.questions + w.answers,
                total(span, |d| d.posts),
                "{name}: {w:?}"
            );
            assert_eq!(w.joins, total(span, |d| d.joins), "{name}: {w:?}");
            let busiest = span.iter().map(|d| d.posters).max().unwrap();
            assert!(
                busiest <= w.active_posters && w.active_posters <= total(span, |d| d.posters),
                "{name}: {w:?}"
            );
            assert!(w.new_posters <= w.active_posters, "{name}: {w:?}");
            assert!(w.active_founders <= w.active_posters, "{name}: {w:?}");
            assert_eq!(w.members, span.last().unwrap().members, "{name}: {w:?}");
        }
        // Posters: founders and joiners make up everyone; every poster was new in one week.
        let [all, founders, joiners] = [&t.life.posters[0], &t.life.posters[1], &t.life.posters[2]];
        assert_eq!(
            (
                all.members.as_str(),
                founders.members.as_str(),
                joiners.members.as_str()
            ),
            ("all", "founders", "joiners")
        );
        assert_eq!(all.posters, founders.posters + joiners.posters, "{name}");
        assert_eq!(
            all.ever_members,
            founders.ever_members + joiners.ever_members,
            "{name}"
        );
        assert_eq!(
            weeks.iter().map(|w| w.new_posters).sum::<u64>(),
            all.posters,
            "{name}: new posters"
        );
        assert_eq!(m.posters, all.posters, "{name}");
        assert_eq!(m.never_posted_share, all.never_posted_share, "{name}");
        let (once, again) = (m.one_post_share.unwrap(), m.posted_again_share.unwrap());
        assert!(
            (once + again - 1.0).abs() < 1e-12,
            "{name}: posting once and again are complements among posters"
        );
        for row in &t.life.posters {
            for share in [row.still_posting_30d, row.still_posting_90d] {
                assert!(
                    share.is_none_or(|s| (0.0..=1.0).contains(&s)),
                    "{name}: {row:?}"
                );
            }
            assert!(row.eligible_90d <= row.eligible_30d && row.eligible_30d <= row.posters);
            if let (Some(a), Some(b), Some(c)) =
                (row.lifespan_q25, row.lifespan_median, row.lifespan_q75)
            {
                assert!(
                    0.0 <= a && a <= b && b <= c && c < days.len() as f64,
                    "{row:?}"
                );
            }
        }
        // Newcomers: the buckets nest, and all is founders and joiners.
        for row in &t.life.newcomers {
            assert!(row.posted_again_30d <= row.posted_again, "{name}: {row:?}");
            assert!(row.posted_again <= row.newcomers, "{name}: {row:?}");
        }
        let count = |who: &str| -> u64 {
            t.life
                .newcomers
                .iter()
                .filter(|r| r.members == who)
                .map(|r| r.newcomers)
                .sum()
        };
        assert_eq!(count("all"), count("founders") + count("joiners"), "{name}");
        // Answers: every share is a share, and answered ever is the summary's answered share.
        let asked: u64 = total(days, |d| d.questions);
        if asked > 0 {
            let (same, ever) = (m.answered_same_day.unwrap(), m.answered_share.unwrap());
            let same_day = total(days, |d| d.answered) as f64 / asked as f64;
            assert!((same - same_day).abs() < 1e-12, "{name}: same day");
            assert!(
                same <= ever + 1e-12,
                "{name}: answered the same day, then ever"
            );
        }
        // Cohorts of posters: month 0 is the whole cohort, which counts the month's new posters.
        for row in t.life.poster_cohorts.iter().filter(|r| r.members == "all") {
            assert!(row.posting <= row.size, "{name}: {row:?}");
            if row.month == 0 {
                assert_eq!(row.posting, row.size, "{name}: {row:?}");
            }
        }
        let cohorts: u64 = t
            .life
            .poster_cohorts
            .iter()
            .filter(|r| r.members == "all" && r.month == 0)
            .map(|r| r.size)
            .sum();
        assert!(cohorts <= all.posters, "{name}: cohorts of new posters");
        assert_eq!(m.active_posters_peak_week.is_some(), !weeks.is_empty());
        assert!(
            m.active_posters_m3_m1.is_some(),
            "{name}: 120 days hold month 3"
        );
    }
}

#[test]
fn summary_metrics_follow_from_the_daily_series() {
    for (name, run) in runs() {
        let m = &run.summary.metrics;
        let days = &run.series[1..];
        let last30 = &days[days.len() - 30..];
        let member_days: f64 = days.iter().map(|d| d.members as f64).sum();
        let posts: f64 = days.iter().map(|d| d.posts as f64).sum();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(
            close(m.posts_per_member_day.unwrap(), posts / member_days),
            "{name}"
        );
        let seen_ads: f64 = last30.iter().map(|d| d.ads_seen as f64).sum();
        let seen_posts: f64 = last30.iter().map(|d| d.posts as f64).sum();
        assert!(
            close(m.ad_share.unwrap(), seen_ads / (seen_ads + seen_posts)),
            "{name}"
        );
        let rates: Vec<f64> = last30
            .iter()
            .map(|d| (d.members - d.absent) as f64 / d.members as f64)
            .collect();
        let visit_rate = rates.iter().sum::<f64>() / rates.len() as f64;
        assert!(close(m.visit_rate.unwrap(), visit_rate), "{name}");
        assert_eq!(m.quits, days.iter().map(|d| d.quits).sum::<u64>(), "{name}");
        assert_eq!(m.kicks, days.iter().map(|d| d.kicks).sum::<u64>(), "{name}");
        assert_eq!(
            m.joined,
            days.iter().map(|d| d.joins).sum::<u64>(),
            "{name}"
        );
        assert_eq!(m.groups_opened, days.last().unwrap().groups, "{name}");
        assert_eq!(m.groups_alive, days.last().unwrap().groups_alive, "{name}");
        let cost: f64 = days.iter().map(|d| d.cost).sum();
        let revenue: f64 = days.iter().map(|d| d.revenue).sum();
        assert!(
            close(m.total_cost, cost) && close(m.total_revenue, revenue),
            "{name}"
        );
        let active: f64 = days.iter().map(|d| (d.members - d.absent) as f64).sum();
        if cost > 0.0 {
            assert!(
                close(m.cost_per_active_member_day.unwrap(), cost / active),
                "{name}"
            );
            assert!(
                close(m.cost_per_joined.unwrap(), cost / m.joined as f64),
                "{name}"
            );
            assert!(close(m.roi.unwrap(), (revenue - cost) / cost), "{name}");
        } else {
            assert_eq!(m.roi, None, "{name}: no ROI without cost");
        }
        // Payback: the first day cumulative revenue covers cumulative cost.
        let mut cum = (0.0, 0.0);
        let payback = days.iter().find_map(|d| {
            cum = (cum.0 + d.revenue, cum.1 + d.cost);
            (cum.1 > 0.0 && cum.0 >= cum.1).then_some(d.day)
        });
        assert_eq!(m.payback_day, payback, "{name}");
        let questions: u64 = days.iter().map(|d| d.questions).sum();
        if questions > 0 {
            // A question is answered the day it is asked or on a later one, at most once.
            let answered: u64 = days.iter().map(|d| d.answered + d.answered_late).sum();
            assert!(answered <= questions, "{name}");
            let share = answered as f64 / questions as f64;
            assert!(close(m.answered_share.unwrap(), share), "{name}");
        } else {
            assert_eq!(m.answered_share, None, "{name}: no questions");
        }
        let posts: u64 = days.iter().map(|d| d.posts).sum();
        if posts > 0 {
            let share = questions as f64 / posts as f64;
            assert!(close(m.question_share.unwrap(), share), "{name}");
        } else {
            assert_eq!(m.question_share, None, "{name}: no posts");
        }
        let f = &run.tables.funnel;
        let retention = f.retained_30 as f64 / f.eligible_30 as f64;
        assert!(close(m.retention_30d.unwrap(), retention), "{name}");
    }
}

/// 200 prospects who all see the ads on day 1 and all join; groups of 60; nobody leaves.
fn everyone_joins(cap: u64, max_groups: &str) -> Scenario {
    load_str(
        &format!(
            r#"
name = "everyone"
days = 21
seed = 3
[population]
size = 200
network = {{ kind = "well-mixed" }}
[[population.segments]]
needs = {{ learning = 0.5 }}
join_threshold = {{ mean = -5.0, sd = 0.0 }}
[community]
offer = {{ learning = 0.5 }}
group_cap = {cap}
{max_groups}
[acquisition]
ad_reach = 1.0
word_of_mouth = 0.0
[behavior]
quit_threshold = -10.0
"#
        ),
        "everyone.toml",
        &[],
    )
    .unwrap()
}

#[test]
fn a_community_worked_out_by_hand() {
    let run = run_replicate(&everyone_joins(60, ""), 0, &mut |_| {});
    let t = &run.tables;
    // Everyone is exposed by the ads on day 1, wants in, and joins: 200 joiners in cohort 0.
    let f = &t.funnel;
    assert_eq!(
        (f.exposed, f.exposed_ads, f.considered, f.joined),
        (200, 200, 200, 200)
    );
    assert_eq!((f.declined_no_need, f.quit, f.kicked), (0, 0, 0));
    // Seated in agent order in groups of 60: 60, 60, 60, 20, all opened on day 1 but the first.
    let sizes: Vec<u64> = t.groups.iter().map(|g| g.members_final).collect();
    assert_eq!(sizes, vec![60, 60, 60, 20]);
    let opened: Vec<u32> = t.groups.iter().map(|g| g.opened_day).collect();
    assert_eq!(opened, vec![0, 1, 1, 1]);
    // Three weeks: cohort 0 seen at the end of weeks 0, 1 and 2, always 200 strong; nobody
    // joined in weeks 1 and 2, so they have no rows.
    let rows: Vec<(u32, u32, u64, u64)> = t
        .cohorts
        .iter()
        .map(|c| (c.cohort_week, c.week, c.size, c.members))
        .collect();
    assert_eq!(
        rows,
        vec![(0, 0, 200, 200), (0, 1, 200, 200), (0, 2, 200, 200),]
    );
    // With room for two groups only, the last 80 are turned away.
    let run = run_replicate(&everyone_joins(60, "max_groups = 2"), 0, &mut |_| {});
    let f = &run.tables.funnel;
    assert_eq!((f.joined, f.turned_away_full, f.considered), (120, 80, 200));
}

#[test]
fn founders_alone_do_not_make_a_community_alive() {
    // Thirty founders who post, and nobody recruited: not alive.
    let founders = preset(
        "brand-fan-club",
        &[
            ("population.size", "3000"),
            ("days", "60"),
            ("community.seed_members", "30"),
            ("acquisition.ad_reach", "0.0"),
            ("acquisition.word_of_mouth", "0.0"),
            // Zealous founders (the launches' posterior reaches 7.3), so that it is not for
            // want of posts that they are not alive.
            ("behavior.post_seed", "7.0"),
        ],
    );
    let run = run_replicate(&founders, 0, &mut |_| {});
    let posts: u64 = run.series.iter().map(|d| d.posts).sum();
    // Four times what a healthy group (posts a member-week) asks of 30 members over 60 days,
    // were founders' posts counted.
    let week = founders
        .coefficients()
        .community
        .health_posts_per_member_week;
    let floor = week * 30.0 * 60.0 / 7.0;
    assert!(posts as f64 > 4.0 * floor, "the founders post: {posts}");
    assert_eq!(run.summary.metrics.joined, 0);
    assert_eq!(run.summary.metrics.alive, 0, "founders alone are not alive");
    assert_eq!(run.summary.metrics.groups_alive, 0);
    // The same community, recruiting, with members who write: alive.
    let recruiting = preset(
        "weight-loss-checkin-group",
        &[("population.size", "6000"), ("days", "90")],
    );
    let run = run_replicate(&recruiting, 0, &mut |_| {});
    assert_eq!(run.summary.metrics.alive, 1, "{:?}", run.tables.groups);
}

#[test]
fn staff_are_paid_for_the_groups_they_worked_in_and_the_budget_never_goes_below_zero() {
    // Paid entry, all of it reinvested, one funded moderator a group at 10 a day, and groups of
    // 20 opening as the 200 prospects join: on a day a group opens, the budget was checked on
    // the groups open at the start of the day, and must be charged on those.
    let text = r#"
name = "funded"
days = 30
seed = 5
[population]
size = 200
network = { kind = "well-mixed" }
[[population.segments]]
needs = { learning = 0.5 }
join_threshold = { mean = -5.0, sd = 0.0 }
price_sensitivity = 0.0
[entry]
kind = "paid"
fee = 1.0
[community]
offer = { learning = 0.5 }
group_cap = 20
[rules]
funded_moderators = 1
daily_cost = 10.0
[monetization]
reinvest = 1.0
[acquisition]
ad_reach = 0.05
word_of_mouth = 0.0
[behavior]
quit_threshold = -10.0
"#;
    let s = load_str(text, "funded.toml", &[]).unwrap();
    let run = run_replicate(&s, 0, &mut |_| {});
    let mut opened_while_hired = 0;
    for pair in run.series.windows(2) {
        let (before, d) = (&pair[0], &pair[1]);
        assert!(d.budget >= 0.0, "{d:?}");
        // Hired or not, the day's moderation cost is 10 per group open at its start, or 0.
        let per_group = d.cost_moderation / before.groups as f64;
        assert!(per_group == 0.0 || per_group == 10.0, "{d:?}");
        if d.groups > before.groups && d.cost_moderation > 0.0 {
            opened_while_hired += 1;
        }
    }
    assert!(
        opened_while_hired > 0,
        "the case the test is about happened"
    );
}

#[test]
fn a_funded_team_works_only_the_overtime_its_budget_pays() {
    // The paid community answered only by its funded team: 30 minutes a day (all of them on
    // its 3 posts, so every answer is overtime) and up to 120 of overtime, from 5% of revenue.
    // The budget pays the team's day and then its overtime from what was left at the end of
    // the day before, so the day's team cost never exceeds yesterday's budget, and the budget
    // never goes below zero, including on days it could not pay a full 120 minutes (150).
    let s = preset(
        "paid-knowledge-community",
        &[
            ("population.size", "20000"),
            ("days", "120"),
            ("rules.moderators_per_group", "0"),
            ("community.max_groups", "1"),
            ("team.minutes_per_day", "30"),
            ("team.overtime_minutes", "120"),
            ("team.burnout_after", "10000000"),
            ("monetization.reinvest", "0.05"),
        ],
    );
    for r in 0..2 {
        let run = run_replicate(&s, r, &mut |_| {});
        let (mut overtime_days, mut idle_days, mut short_days) = (0, 0, 0);
        for pair in run.series.windows(2) {
            let (before, d) = (&pair[0], &pair[1]);
            assert_eq!(d.groups, 1, "one group: the costs below are per group");
            assert!(d.budget >= 0.0, "{d:?}");
            assert!(d.cost_team <= before.budget + 1e-9, "day {}", d.day);
            // One group, no funded moderators: the budget moves by its share of revenue less
            // the team.
            let expected = before.budget + 0.05 * d.revenue - d.cost_team;
            assert!((d.budget - expected).abs() < 1e-6, "day {}", d.day);
            // 30 a day, and 30 more for every 30 minutes of overtime (the budget's rate).
            if d.cost_team > 0.0 {
                assert!((d.cost_team - 30.0 * (1.0 + d.overtime / 30.0)).abs() < 1e-9);
            } else {
                assert_eq!(d.overtime, 0.0);
                idle_days += 1;
            }
            if d.overtime > 0.0 {
                overtime_days += 1;
                if before.budget < 150.0 {
                    short_days += 1;
                }
            }
        }
        assert!(
            overtime_days > 0 && idle_days > 0 && short_days > 0,
            "the cases the test is about happened: {overtime_days} days of overtime \
             ({short_days} on a budget short of a full day's), {idle_days} unpaid"
        );
    }
}
