//! The stylised facts operators report (MODEL.md, "Stylised facts"), each shown by comparing two
//! scenarios that differ in one lever, over several replicates on the same seeds. A difference
//! counts only when its paired mean exceeds t(0.975, n − 1) standard errors of the
//! replicate-to-replicate noise, n being the replicates actually run: the paired 95% interval
//! excludes zero.

mod common;

use agora::engine::{Replicate, Simulation, TIE_BINS};
use agora::metrics::DayRecord;
use agora::scenario::{load_str, Scenario};
use common::{
    ad_share, assert_greater, final_members, label, mean, per_run, per_summary,
    posts_per_member_day, preset, runs, sum, SETTINGS,
};

/// Contributions (genuine posts that are not questions) per member-day: what members give the
/// group of their own accord, the posting that rewards can crowd out. A question is asked for
/// the asker's own unmet need, paid or not.
fn contributions_per_member_day(days: &[DayRecord]) -> f64 {
    sum(days, |d| (d.posts - d.questions) as f64) / sum(days, |d| d.members as f64).max(1.0)
}

#[test]
fn a_free_group_with_advertisers_and_no_rules_is_not_healthy_at_the_end() {
    let with = runs(&preset("free-chat-group", &[]), 4);
    let without = runs(
        &preset(
            "free-chat-group",
            &[("population.segments.1.advertiser_share", "0.0")],
        ),
        4,
    );
    // Health as operators judge it (docs/MODEL.md §7.2): silent, falling silent, quiet or an
    // ad board, not healthy, in most replicates.
    let healthy = with.iter().filter(|r| r.summary.metrics.alive == 1).count();
    assert!(healthy <= 1, "healthy in {healthy} of 4");
    let last30 = |d: &[DayRecord]| ad_share(&d[d.len() - 30..]);
    assert_greater(
        &per_run(&with, last30),
        &per_run(&without, last30),
        "ad share",
    );
    assert_greater(
        &per_summary(&without, final_members),
        &per_summary(&with, final_members),
        "members without advertisers",
    );
}

/// The two presets of broad open groups, at the two settings of the constants that matter most
/// (`common::SETTINGS`), 3 replicates each.
fn broad_open_groups() -> Vec<(String, Replicate)> {
    let mut out = Vec::new();
    for setting in SETTINGS {
        for name in ["brand-fan-club", "store-customer-group"] {
            let s = preset(name, &setting);
            for r in runs(&s, 3) {
                out.push((format!("{name} at {}", label(&setting)), r));
            }
        }
    }
    out
}

/// Participation inequality: most members never post, and posts are concentrated. The
/// never-posted share lies in the published range, from the mean lurking of health-support
/// lists (46%, Nonnecke & Preece 2000) to the 95% of readers who never contribute that Nielsen
/// (2006) reports for blogs, the upper end of his range (90% in most communities, 95% for
/// blogs, over 99% for Wikipedia); the Gini of posts per member is at least 0.85.
#[test]
#[ignore = "not reproduced at the fitted constants (issue 29): the store group's never-posted share is 0.965 at setting 2 (members who visit seldom), above Nielsen's 95% for blogs; docs/MODEL.md §9.4"]
fn broad_open_groups_show_participation_inequality() {
    for (at, r) in broad_open_groups() {
        let m = &r.summary.metrics;
        let never = m.never_posted_share.expect("members");
        let gini = m.post_gini.expect("posts");
        assert!((0.46..=0.95).contains(&never), "{at}: never posted {never}");
        assert!(gini >= 0.85, "{at}: Gini {gini}");
    }
}

/// The heavy tail: the top 1% of members write most posts (van Mierlo 2014: 74.7%), here
/// within [0.40, 0.90].
#[test]
fn broad_open_groups_concentrate_posts_in_the_top_percent() {
    for (at, r) in broad_open_groups() {
        let top1 = r.summary.metrics.top1_post_share.expect("posts");
        assert!((0.40..=0.90).contains(&top1), "{at}: top 1% share {top1}");
    }
}

#[test]
fn joining_rises_with_member_ties_with_diminishing_returns() {
    let rates = |social_proof: &str| {
        let s = preset(
            "brand-fan-club",
            &[
                ("behavior.social_proof", social_proof),
                ("population.network.kind", "small-world"),
                ("population.network.degree", "12"),
                // Thresholds near the promise, so that ties can tip the decision.
                ("population.segments.0.join_threshold.mean", "0.4"),
                ("population.segments.0.join_threshold.sd", "0.1"),
                ("population.segments.1.join_threshold.mean", "0.3"),
                ("population.segments.1.join_threshold.sd", "0.1"),
            ],
        );
        let mut exposed = [0u64; TIE_BINS];
        let mut joined = [0u64; TIE_BINS];
        for r in 0..3 {
            let mut sim = Simulation::new(&s, r);
            for _ in 0..s.days() {
                sim.step();
            }
            let ledger = sim.exposure_ledger();
            for k in 0..TIE_BINS {
                exposed[k] += ledger.exposed[k];
                joined[k] += ledger.joining[k];
            }
        }
        // Every bin of one to seven ties (the last bin pools eight and more).
        (0..TIE_BINS - 1)
            .map(|k| (joined[k] as f64 / exposed[k].max(1) as f64, exposed[k]))
            .collect::<Vec<_>>()
    };
    // Binomial variance of a bin's join rate.
    let var = |(p, n): (f64, u64)| p * (1.0 - p) / n as f64;
    let with = rates("0.05");
    let bins: Vec<usize> = (0..with.len()).filter(|&k| with[k].1 >= 300).collect();
    assert!(bins.len() >= 6, "enough exposures in most bins: {with:?}");
    // The rate never falls from one bin to the next beyond noise, and its first steps, where
    // ln(1 + ties) rises most, are clear rises.
    for (i, w) in bins.windows(2).enumerate() {
        let (a, b) = (with[w[0]], with[w[1]]);
        let se = (var(a) + var(b)).sqrt();
        assert!(
            b.0 - a.0 > -2.5 * se,
            "join rate falls from {} to {} ties beyond noise ({se:.4}): {with:?}",
            w[0],
            w[1]
        );
        if i < 3 {
            assert!(
                b.0 - a.0 > 3.0 * se,
                "join rate rises from {} to {} ties beyond 3 se ({se:.4}): {with:?}",
                w[0],
                w[1]
            );
        }
    }
    // Diminishing returns: no step is larger than the one before by more than the noise of the
    // second difference, and the first step is clearly larger than the last.
    let consecutive: Vec<usize> = bins
        .iter()
        .copied()
        .take_while(|&k| k == 0 || bins.contains(&(k - 1)))
        .collect();
    let step = |k: usize| with[k + 1].0 - with[k].0;
    for k in 0..consecutive.len().saturating_sub(2) {
        let sd = (var(with[k]) + 4.0 * var(with[k + 1]) + var(with[k + 2])).sqrt();
        assert!(
            step(k + 1) < step(k) + 3.0 * sd,
            "step {} is not larger than step {k} beyond noise: {with:?}",
            k + 1
        );
    }
    let last = consecutive.len() - 2;
    let sd = (var(with[0]) + var(with[1]) + var(with[last]) + var(with[last + 1])).sqrt();
    assert!(
        step(0) - step(last) > 3.0 * sd,
        "the first step is larger than the last: {with:?}"
    );
    // Without social proof, ties change who is exposed but not whether the exposed join: every
    // bin's rate is within noise of the pooled rate.
    let flat = rates("0.0");
    let (joins, exposures) = flat
        .iter()
        .fold((0.0, 0u64), |(j, n), &(p, m)| (j + p * m as f64, n + m));
    let pooled = joins / exposures as f64;
    for (k, &(p, n)) in flat.iter().enumerate().filter(|(_, x)| x.1 >= 300) {
        let se = (pooled * (1.0 - pooled) / n as f64).sqrt();
        assert!(
            (p - pooled).abs() < 4.0 * se,
            "without social proof, bin {k} ({p:.4}) differs from the pooled rate {pooled:.4}: \
             {flat:?}"
        );
    }
}

#[test]
fn moderation_lowers_ads_and_the_churn_they_cause() {
    let base = [("rules.ads", "banned")];
    let unmoderated = runs(&preset("free-chat-group", &base), 4);
    let moderated = runs(
        &preset(
            "free-chat-group",
            &[base[0], ("rules.moderators_per_group", "2")],
        ),
        4,
    );
    assert_greater(
        &per_run(&unmoderated, ad_share),
        &per_run(&moderated, ad_share),
        "ad share",
    );
    let churn = |d: &[DayRecord]| sum(d, |x| x.quits as f64) / sum(d, |x| x.joins as f64).max(1.0);
    assert_greater(
        &per_run(&unmoderated, churn),
        &per_run(&moderated, churn),
        "quits per join",
    );
}

#[test]
fn a_fee_or_an_application_lowers_size_but_raises_retention_and_posting() {
    let free_paid = preset(
        "paid-knowledge-community",
        &[("entry.kind", "free"), ("days", "240")],
    );
    let paid = preset("paid-knowledge-community", &[("days", "240")]);
    let free_app = preset("application-professional-group", &[("entry.kind", "free")]);
    let application = preset("application-professional-group", &[]);
    for (open, gated, what) in [
        (free_paid, paid, "fee"),
        (free_app, application, "application"),
    ] {
        let open = runs(&open, 12);
        let gated = runs(&gated, 12);
        let retention = |x: &Replicate| x.summary.metrics.retention_30d.unwrap_or(f64::NAN);
        assert_greater(
            &per_summary(&open, final_members),
            &per_summary(&gated, final_members),
            &format!("{what}: size"),
        );
        assert_greater(
            &per_summary(&gated, retention),
            &per_summary(&open, retention),
            &format!("{what}: retention"),
        );
        assert_greater(
            &per_run(&gated, posts_per_member_day),
            &per_run(&open, posts_per_member_day),
            &format!("{what}: posts per member"),
        );
    }
}

#[test]
fn topic_nights_raise_posting_on_their_days() {
    // Which days are topic nights is read from the preset's own calendar.
    let s = preset("brand-fan-club", &[]);
    let calendar = &s.coefficients().calendar;
    let first_night = (1..=s.days())
        .find(|&d| calendar.on(d).topic_boost > 0.0)
        .expect("brand-fan-club holds topic nights");
    let with = runs(&s, 3);
    let without = runs(&preset("brand-fan-club", &[("events.0.boost", "0.0")]), 3);
    let lift = |d: &[DayRecord]| {
        let rate = |night: bool| {
            let days: Vec<&DayRecord> = d
                .iter()
                .filter(|x| x.day >= first_night && (calendar.on(x.day).topic_boost > 0.0) == night)
                .collect();
            days.iter().map(|x| x.posts as f64).sum::<f64>()
                / days.iter().map(|x| x.members as f64).sum::<f64>()
        };
        rate(true) / rate(false)
    };
    assert_greater(
        &per_run(&with, lift),
        &per_run(&without, lift),
        "posting on topic nights relative to other days",
    );
}

/// A small community of people who want company offline, with or without monthly meetups.
fn meetup_scenario(capacity: u64) -> Scenario {
    load_str(
        &format!(
            r#"
name = "meetups"
days = 150
seed = 4
[population]
size = 5000
[[population.segments]]
needs = {{ life = 0.7, belonging = 0.5, friendship = 0.3 }}
join_threshold = {{ mean = 0.1, sd = 0.05 }}
[community]
offer = {{ life = 0.3, belonging = 0.3, friendship = 0.3 }}
seed_members = 10
[acquisition]
ad_reach = 0.005
[[events]]
kind = "offline"
every_days = 30
start_day = 20
capacity = {capacity}
value = 0.5
"#
        ),
        "meetups",
        &[],
    )
    .unwrap()
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 29): there is no churn to lower (about 3 quits per million member-days with or without meetups): members who get little go dormant instead of quitting; docs/MODEL.md §9.4"]
fn offline_meetups_lower_churn_afterwards() {
    let with = runs(&meetup_scenario(200), 10);
    let without = runs(&meetup_scenario(0), 10);
    let churn_after = |d: &[DayRecord]| {
        let after: Vec<&DayRecord> = d.iter().filter(|x| x.day > 20).collect();
        after.iter().map(|x| x.quits as f64).sum::<f64>()
            / after.iter().map(|x| x.members as f64).sum::<f64>().max(1.0)
    };
    assert_greater(
        &per_run(&without, churn_after),
        &per_run(&with, churn_after),
        "quits per member-day after the first meetup",
    );
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 29): after the envelopes stop, posting is no lower than without them (difference under the margin), as few members visited while they were paid; docs/MODEL.md §9.4"]
fn red_envelopes_raise_posting_while_they_last_and_crowd_it_out_after() {
    // The preset's red envelopes pay during a window of days and crowd posting out after it.
    let s = preset("store-customer-group", &[]);
    let terms = s
        .coefficients()
        .rewards
        .red_envelope
        .expect("store-customer-group pays red envelopes");
    let end = terms.end_day as usize;
    assert!(terms.start_day <= 1 && end < s.days() as usize - 30);
    // Ten replicates: crowding out removes about a sixth of the contributions after the
    // window, a paired difference about equal to its replicate-to-replicate standard deviation,
    // which the t margin separates from zero only from about eight pairs.
    let n = 10;
    let paid = runs(&s, n);
    let unpaid = runs(
        &preset(
            "store-customer-group",
            &[("incentives.red_envelope.per_post", "0.0")],
        ),
        n,
    );
    // `per_run` hands days 1 onwards: the window's days, and the days from a month after it.
    let during = |d: &[DayRecord]| posts_per_member_day(&d[..end]);
    let after = |d: &[DayRecord]| contributions_per_member_day(&d[end + 30..]);
    assert_greater(
        &per_run(&paid, during),
        &per_run(&unpaid, during),
        "posting while envelopes last",
    );
    assert_greater(
        &per_run(&unpaid, after),
        &per_run(&paid, after),
        "contributions after they stop",
    );
    // Without crowding out, stopping the envelopes leaves no lasting dent.
    let no_crowding = runs(
        &preset(
            "store-customer-group",
            &[("incentives.crowding_out", "0.0")],
        ),
        n,
    );
    assert_greater(
        &per_run(&no_crowding, after),
        &per_run(&paid, after),
        "crowding out is what lowers it",
    );
}

#[test]
fn with_a_group_cap_and_fission_the_community_grows_past_one_group() {
    let fission = runs(&preset("course-community", &[]), 2);
    let one_group = runs(
        &preset("course-community", &[("community.max_groups", "1")]),
        2,
    );
    for r in &fission {
        assert!(
            r.series.last().unwrap().groups > 1 && r.summary.metrics.final_members > 500,
            "{:?}",
            r.summary
        );
    }
    for r in &one_group {
        assert!(r.series.iter().all(|d| d.groups == 1 && d.members <= 500));
    }
}

/// Members who need answers (service) and want to be noticed (promotion), in a group that
/// serves neither: with prepotency, the unmet safety need keeps them from posting for esteem.
fn unmet_service(prepotency: &str) -> Scenario {
    load_str(
        &format!(
            r#"
name = "unmet-service"
days = 120
seed = 8
[population]
size = 8000
[[population.segments]]
needs = {{ service = 0.8, promotion = 0.7 }}
join_threshold = {{ mean = 0.0, sd = 0.0 }}
[community]
offer = {{ promotion = 0.5 }}
prepotency = {prepotency}
seed_members = 10
[acquisition]
ad_reach = 0.01
[behavior]
quit_threshold = -1.0
"#
        ),
        "unmet-service",
        &[],
    )
    .unwrap()
}

#[test]
fn with_prepotency_members_with_unmet_service_needs_rarely_post_for_esteem() {
    let on = runs(&unmet_service("1.0"), 4);
    let off = runs(&unmet_service("0.0"), 4);
    let rate = per_run(&on, posts_per_member_day);
    assert_greater(
        &per_run(&off, posts_per_member_day),
        &rate,
        "posting without the hierarchy",
    );
    assert!(
        mean(&rate) < 0.5 * mean(&per_run(&off, posts_per_member_day)),
        "rarely: {rate:?}"
    );
}
