//! Members' life courses, each mechanism against the same runs without it, paired by replicate
//! with the t margin, at both settings of the constants that move results most: interest that
//! lapses (members go dormant, stay members, stop visiting), needs that recur (dormant members
//! come back), and a private beta that opens to the public with an announcement.

mod common;
use agora::metrics::Metrics;
use agora::scenario::Scenario;
use common::{assert_greater, label, per_summary, preset, runs, SETTINGS};

const REPLICATES: u32 = 8;

/// The brand fan club, small, at a setting, with `extra` keys.
fn fan_club(setting: &[(&str, &str)], extra: &[(&str, &str)]) -> Scenario {
    let mut sets = vec![("population.size", "20000"), ("days", "90")];
    sets.extend_from_slice(setting);
    sets.extend_from_slice(extra);
    preset("brand-fan-club", &sets)
}

fn summary(s: &Scenario, f: impl Fn(&Metrics) -> f64) -> Vec<f64> {
    per_summary(&runs(s, REPLICATES), |r| f(&r.summary.metrics))
}

fn visit_rate(m: &Metrics) -> f64 {
    m.visit_rate.unwrap_or(0.0)
}

fn dormant(m: &Metrics) -> f64 {
    m.dormant_share.unwrap_or(0.0)
}

#[test]
fn members_whose_interest_lapses_go_dormant_visit_less_and_stop_posting_sooner() {
    for setting in SETTINGS {
        let at = label(&setting);
        let steady = fan_club(&setting, &[]);
        let lapsing = fan_club(&setting, &[("behavior.lapse_rate", "0.05")]);
        let (none, some) = (summary(&steady, dormant), summary(&lapsing, dormant));
        assert!(
            none.iter().all(|&d| d == 0.0),
            "{at}: nobody lapses: {none:?}"
        );
        assert!(some.iter().all(|&d| d > 0.0), "{at}: {some:?}");
        assert_greater(
            &summary(&steady, visit_rate),
            &summary(&lapsing, visit_rate),
            &format!("{at}: visit rate over the last 30 days"),
        );
        let still = |m: &Metrics| m.still_posting_30d.unwrap_or(0.0);
        assert_greater(
            &summary(&steady, still),
            &summary(&lapsing, still),
            &format!("{at}: posters still posting 30 days after their first post"),
        );
    }
}

#[test]
fn what_the_group_gives_a_member_keeps_its_interest_from_lapsing() {
    for setting in SETTINGS {
        let at = label(&setting);
        let lapse = ("behavior.lapse_rate", "0.05");
        let blind = fan_club(&setting, &[lapse]);
        let held = fan_club(&setting, &[lapse, ("behavior.lapse_commitment", "10")]);
        assert_greater(
            &summary(&blind, dormant),
            &summary(&held, dormant),
            &format!("{at}: dormant share without and with commitment's hold"),
        );
    }
}

#[test]
fn needs_that_recur_bring_dormant_members_back() {
    for setting in SETTINGS {
        let at = label(&setting);
        let lapse = ("behavior.lapse_rate", "0.05");
        let once = fan_club(&setting, &[lapse]);
        let recurring = fan_club(&setting, &[lapse, ("behavior.episode_rate", "0.05")]);
        assert_greater(
            &summary(&once, dormant),
            &summary(&recurring, dormant),
            &format!("{at}: dormant share without and with recurring needs"),
        );
        assert_greater(
            &summary(&recurring, visit_rate),
            &summary(&once, visit_rate),
            &format!("{at}: visit rate with and without recurring needs"),
        );
    }
}

#[test]
fn a_private_beta_admits_nobody_until_it_opens_and_its_announcement_brings_a_surge() {
    let s = fan_club(
        &SETTINGS[0],
        &[
            ("acquisition.open_day", "10"),
            ("acquisition.opening_reach", "0.05"),
        ],
    );
    for run in runs(&s, 2) {
        let days = &run.series[1..];
        assert!(
            days[..9].iter().all(|d| d.joins == 0),
            "nobody outside hears of it before day 10"
        );
        assert!(days[..9].iter().all(|d| d.members == days[0].members));
        // About 5% of 20,000 prospects hear of it on day 10, against the ads' 0.1% a day after.
        let opening = days[9].joins as f64;
        let after = days[10..20].iter().map(|d| d.joins as f64).sum::<f64>() / 10.0;
        assert!(opening > 5.0 * after.max(1.0), "{opening} against {after}");
    }
    // Opened on day 10 without an announcement, day 10 is an ordinary day.
    let quiet = fan_club(&SETTINGS[0], &[("acquisition.open_day", "10")]);
    for run in runs(&quiet, 2) {
        let days = &run.series[1..];
        let after = days[10..20].iter().map(|d| d.joins).max().unwrap();
        assert!(days[9].joins <= 3 * after.max(1), "{:?}", days[9]);
    }
}
