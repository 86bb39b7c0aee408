//! One run, summed up: size and life, groups, flows, engagement, participation inequality and
//! money, each computed from the daily series and the run's tables.

use serde::{Deserialize, Serialize};

use super::{
    activity_course, columns, community_health, defined, inequality, ratio, AnswerLedger,
    DayRecord, FunnelRow, GroupRow, Health, PosterRow, WeekRow,
};

columns! {
    /// What one run comes to: the metrics of `summary.csv`, `runs.csv`, `points.csv` and
    /// `compare.csv`, with the same names everywhere. A metric undefined in a run is empty.
    Metrics {
        final_members: u64, "Members at the end of the last day.";
        muted_share: Option<f64>, "Share of the final members who have muted the group; empty \
            without members.";
        dormant_share: Option<f64>, "Share of the final members who are dormant (their interest \
            lapsed); empty without members.";
        peak_members: u64, "Most members at the end of any day.";
        peak_day: u32, "First day with the most members.";
        health: String, "The community's health at the end, as an operator would judge it \
            (`docs/MODEL.md`, health): `healthy` when at least `health.live_share` of its \
            members are in healthy groups, otherwise the word of the most members' groups \
            (`quiet`, `dying`, `overrun` or `dead`).";
        alive: u8, "1 if the community is healthy at the end, else 0.";
        groups_opened: u64, "Groups opened over the run.";
        groups_alive: u64, "Groups healthy at the end.";
        groups_dead_share: f64, "Share of the groups opened that are dead (silent) at the end.";
        joined: u64, "Joins over the run.";
        quits: u64, "Members who left by choice over the run.";
        kicks: u64, "Members kicked over the run.";
        answered_share: Option<f64>, "Share of the questions asked over the run that were \
            answered, the same day or later; empty without questions.";
        answered_same_day: Option<f64>, "Share of the questions asked over the run that were \
            answered the day they were asked; empty without questions.";
        answered_7d: Option<f64>, "Share of the questions asked on or before the run's \
            sixth-last day that were answered within 7 days (the day asked or the 6 after); \
            empty without such questions.";
        team_overtime: f64, "Minutes the operating team worked past its time budget over the \
            run (the `overtime` column).";
        team_days_away: u64, "Days the operating team was away, burnt out by its overtime.";
        question_share: Option<f64>, "Share of the genuine posts (messages) written over the \
            run that were questions; empty without posts.";
        retention_30d: Option<f64>, "Share of joiners (seed members excluded) still members 30 \
            days after joining, among those who joined at least 30 days before the end; empty if \
            nobody did.";
        visit_rate: Option<f64>, "Share of members who visited, on an average day of the last 30 \
            (days with members); empty without members.";
        posts_per_member_day: Option<f64>, "Genuine posts per member-day over the run.";
        ad_share: Option<f64>, "Ads among what members saw (`ads_seen` and genuine posts) in the \
            last 30 days; empty if they saw nothing.";
        never_posted_share: Option<f64>, "Share of everyone who was a member during the run who \
            never wrote a genuine post; empty if nobody was.";
        posted_again_share: Option<f64>, "Share of the members who wrote a genuine post who \
            wrote more than one over the run (Joyce & Kraut's posting again); empty without \
            posts.";
        top1_post_share: Option<f64>, "Share of genuine posts written by the top 1% of members \
            (ranked by posts); empty without posts.";
        top10_post_share: Option<f64>, "Share of genuine posts written by the top 10% of \
            members; empty without posts.";
        post_gini: Option<f64>, "Gini coefficient of genuine posts per member; empty without \
            posts.";
        posters: u64, "Members who wrote at least one genuine post over the run (founders \
            included; posters.csv tells them apart).";
        one_post_share: Option<f64>, "Share of posters who wrote exactly one post; empty \
            without posters.";
        poster_gini: Option<f64>, "Gini coefficient of posts among posters; empty without \
            posters.";
        poster_top1_share: Option<f64>, "Share of posts written by the top 1% of posters.";
        poster_top10_share: Option<f64>, "Share of posts written by the top 10% of posters.";
        still_posting_30d: Option<f64>, "Share of the posters whose first post came at least 30 \
            days before the end whose last post came at least 30 days after their first; empty \
            without such posters.";
        still_posting_90d: Option<f64>, "As `still_posting_30d`, at 90 days.";
        lifespan_q25: Option<f64>, "First quartile of posters' lifespans (days from the first \
            post to the last).";
        lifespan_median: Option<f64>, "Median lifespan of posters, in days.";
        lifespan_q75: Option<f64>, "Third quartile of posters' lifespans, in days.";
        reply_lift: Option<f64>, "Joyce & Kraut's reply effect among the joiners: the share \
            who posted again among those whose first post drew a reply within a week, minus \
            the share among those whose did not (posters.csv); empty unless both have \
            posters.";
        active_posters_peak_week: Option<u32>, "The complete week (1 holds days 1 to 7) with the \
            most members posting (the first, on a tie); empty before a week is complete.";
        active_posters_m3_m1: Option<f64>, "Mean weekly active posters in month 3 over month 1 \
            (weeks counted in the month they start in, months of 30.44 days); empty until every \
            week starting in month 3 is whole (day 98), or without posters in month 1.";
        total_revenue: f64, "Money in over the run: revenue_fees + revenue_sales.";
        revenue_fees: f64, "Entry fees and renewals over the run.";
        revenue_sales: f64, "Margins on members' purchases over the run.";
        total_cost: f64, "Money out over the run: the sum of the cost lines.";
        cost_acquisition: f64, "Ad exposures over the run.";
        cost_moderation: f64, "Moderators over the run.";
        cost_team: f64, "The operating team over the run.";
        cost_events: f64, "Events over the run.";
        cost_red_envelopes: f64, "Red envelopes over the run.";
        cost_referrals: f64, "Referral rewards over the run.";
        cost_other: f64, "Other costs over the run.";
        cost_per_joined: Option<f64>, "total_cost / joined; empty without joins.";
        cost_per_retained_30: Option<f64>, "total_cost / joiners retained 30 days; empty without \
            any.";
        cost_per_active_member_day: Option<f64>, "total_cost / member-days with a visit; empty \
            without any.";
        payback_day: Option<u32>, "First day cumulative revenue covers cumulative cost (once \
            something was spent); empty if never.";
        roi: Option<f64>, "(revenue - cost) / cost; empty when nothing was spent.";
    }
}

impl Metrics {
    /// Names of the metrics, in column order.
    pub const NAMES: &'static [&'static str] = Metrics::COLUMNS;
    /// The metrics that are words, not numbers: nothing can be averaged or ranked by them.
    pub const WORDS: &'static [&'static str] = &["health"];
    /// The metrics that are shares (or an indicator, `alive`): from 0 to 1.
    pub const SHARES: &'static [&'static str] = &[
        "muted_share",
        "dormant_share",
        "alive",
        "groups_dead_share",
        "answered_share",
        "answered_same_day",
        "answered_7d",
        "question_share",
        "retention_30d",
        "visit_rate",
        "ad_share",
        "never_posted_share",
        "posted_again_share",
        "top1_post_share",
        "top10_post_share",
        "post_gini",
        "one_post_share",
        "poster_gini",
        "poster_top1_share",
        "poster_top10_share",
        "still_posting_30d",
        "still_posting_90d",
    ];
    /// The metrics that count agents of the population (so at most its size); joins, quits and
    /// kicks are not among them (with `community.rejoin` an agent may join many times).
    pub const AGENT_COUNTS: &'static [&'static str] = &["final_members", "peak_members", "posters"];

    /// The values metric `name` can take in a run of `population` agents: a share from 0 to
    /// 1, a count of agents up to the population, `reply_lift` (a difference of shares) from −1
    /// to 1, `roi` from −1 up, any other from 0 up.
    pub fn range(name: &str, population: u64) -> (f64, f64) {
        if Self::SHARES.contains(&name) {
            (0.0, 1.0)
        } else if Self::AGENT_COUNTS.contains(&name) {
            (0.0, population as f64)
        } else if name == "reply_lift" {
            (-1.0, 1.0)
        } else if name == "roi" {
            (-1.0, f64::INFINITY)
        } else {
            (0.0, f64::INFINITY)
        }
    }
}

/// One run, summed up: which run, and its metrics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub replicate: u32,
    pub seed: u64,
    pub metrics: Metrics,
}

impl Summary {
    /// The header of `summary.csv`.
    pub fn header() -> Vec<&'static str> {
        let mut h = vec!["replicate", "seed"];
        h.extend_from_slice(Metrics::NAMES);
        h
    }
}

/// What the summary needs beyond the daily series.
#[derive(Debug, Clone)]
pub struct SummaryInputs<'a> {
    pub replicate: u32,
    pub seed: u64,
    /// `post_histogram[k]`: members of the run who wrote k genuine posts.
    pub post_histogram: Vec<u64>,
    pub funnel: &'a FunnelRow,
    pub groups: &'a [GroupRow],
    /// Share of members that must be in live groups for the community to be alive.
    pub live_share: f64,
    /// The posting figures of everyone who was a member.
    pub posters: &'a PosterRow,
    /// Those of the joiners (seed members aside).
    pub joiners: &'a PosterRow,
    pub weekly: &'a [WeekRow],
    pub answers: &'a AnswerLedger,
}

/// The last `n` days of the series (day 0 excluded).
fn last(series: &[DayRecord], n: usize) -> &[DayRecord] {
    let days = &series[1.min(series.len())..];
    &days[days.len().saturating_sub(n)..]
}

fn sum(days: &[DayRecord], f: impl Fn(&DayRecord) -> f64) -> f64 {
    days.iter().map(f).sum()
}

/// The community's health at the end (docs/MODEL.md §7.2), from its groups' (a seed member
/// seated in several groups counts once, in its own), with the groups healthy and dead.
fn health_at_end(inputs: &SummaryInputs) -> (Health, u64, u64) {
    let health = community_health(
        inputs.groups.iter().map(|g| {
            let h = Health::named(&g.health).expect("the engine writes health words");
            (h, g.members_final - g.seated_final)
        }),
        inputs.live_share,
    );
    let count = |h: Health| {
        inputs
            .groups
            .iter()
            .filter(|g| g.health == h.name())
            .count() as u64
    };
    (health, count(Health::Healthy), count(Health::Dead))
}

/// The run's summary from its daily series (day 0 first) and its tables.
pub fn summarise(series: &[DayRecord], inputs: &SummaryInputs) -> Summary {
    let last_day = series.last().expect("day 0 is always recorded");
    let (peak_day, peak) = series
        .iter()
        .map(|r| (r.day, r.members))
        .fold((0, 0), |best, x| if x.1 > best.1 { x } else { best });
    let days = &series[1.min(series.len())..];
    let ineq = inequality(&inputs.post_histogram);
    let (health, groups_alive, groups_dead) = health_at_end(inputs);
    let recent = last(series, 30);
    let visit_rates: Vec<f64> = recent
        .iter()
        .filter(|d| d.members > 0)
        .map(|d| (d.members - d.absent) as f64 / d.members as f64)
        .collect();
    let seen_ads = sum(recent, |d| d.ads_seen as f64);
    let active_member_days = sum(days, |d| (d.members - d.absent) as f64);
    let cost = sum(days, |d| d.cost);
    let revenue = sum(days, |d| d.revenue);
    let opened = inputs.groups.len() as u64;
    let f = inputs.funnel;
    Summary {
        replicate: inputs.replicate,
        seed: inputs.seed,
        metrics: Metrics {
            final_members: last_day.members,
            muted_share: ratio(last_day.muted as f64, last_day.members as f64),
            dormant_share: ratio(last_day.dormant as f64, last_day.members as f64),
            peak_members: peak,
            peak_day,
            health: health.name().into(),
            alive: (health == Health::Healthy) as u8,
            groups_opened: opened,
            groups_alive,
            groups_dead_share: groups_dead as f64 / opened.max(1) as f64,
            joined: f.joined,
            quits: sum(days, |d| d.quits as f64) as u64,
            kicks: sum(days, |d| d.kicks as f64) as u64,
            answered_share: ratio(
                sum(days, |d| (d.answered + d.answered_late) as f64),
                sum(days, |d| d.questions as f64),
            ),
            team_overtime: sum(days, |d| d.overtime),
            team_days_away: sum(days, |d| d.team_away as f64) as u64,
            question_share: ratio(
                sum(days, |d| d.questions as f64),
                sum(days, |d| d.posts as f64),
            ),
            retention_30d: ratio(f.retained_30 as f64, f.eligible_30 as f64),
            visit_rate: ratio(visit_rates.iter().sum(), visit_rates.len() as f64),
            posts_per_member_day: ratio(
                sum(days, |d| d.posts as f64),
                sum(days, |d| d.members as f64),
            ),
            ad_share: ratio(seen_ads, seen_ads + sum(recent, |d| d.posts as f64)),
            never_posted_share: defined(ineq.never_posted_share),
            posted_again_share: defined(ineq.posted_again_share),
            top1_post_share: defined(ineq.top1_share),
            top10_post_share: defined(ineq.top10_share),
            post_gini: defined(ineq.gini),
            total_revenue: revenue,
            revenue_fees: sum(days, |d| d.revenue_fees),
            revenue_sales: sum(days, |d| d.revenue_sales),
            total_cost: cost,
            cost_acquisition: sum(days, |d| d.cost_acquisition),
            cost_moderation: sum(days, |d| d.cost_moderation),
            cost_team: sum(days, |d| d.cost_team),
            cost_events: sum(days, |d| d.cost_events),
            cost_red_envelopes: sum(days, |d| d.cost_red_envelopes),
            cost_referrals: sum(days, |d| d.cost_referrals),
            cost_other: sum(days, |d| d.cost_other),
            cost_per_joined: ratio(cost, f.joined as f64),
            cost_per_retained_30: ratio(cost, f.retained_30 as f64),
            cost_per_active_member_day: ratio(cost, active_member_days),
            payback_day: payback_day(days),
            roi: (cost > 0.0).then(|| (revenue - cost) / cost),
            ..posting_lives(inputs, last_day.day)
        },
    }
}

/// The figures measured as the real launches measure them (the rest left at their defaults):
/// answers by how soon, posters, and the course of weekly active posters, for a run that ends on
/// day `end`.
fn posting_lives(inputs: &SummaryInputs, end: u32) -> Metrics {
    let p = inputs.posters;
    let (same_day, within_week, _) = inputs.answers.shares(1, end, end);
    let (peak_week, m3_m1) = activity_course(inputs.weekly);
    Metrics {
        answered_same_day: same_day,
        answered_7d: within_week,
        posters: p.posters,
        one_post_share: p.one_post_share,
        poster_gini: p.poster_gini,
        poster_top1_share: p.poster_top1_share,
        poster_top10_share: p.poster_top10_share,
        still_posting_30d: p.still_posting_30d,
        still_posting_90d: p.still_posting_90d,
        lifespan_q25: p.lifespan_q25,
        lifespan_median: p.lifespan_median,
        lifespan_q75: p.lifespan_q75,
        reply_lift: inputs.joiners.reply_lift,
        active_posters_peak_week: peak_week,
        active_posters_m3_m1: m3_m1,
        ..Metrics::default()
    }
}

/// The first day cumulative revenue covers cumulative cost, once something was spent.
fn payback_day(days: &[DayRecord]) -> Option<u32> {
    let (mut revenue, mut cost) = (0.0, 0.0);
    for d in days {
        revenue += d.revenue;
        cost += d.cost;
        if cost > 0.0 && revenue >= cost {
            return Some(d.day);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_share_and_count_named_is_a_metric_and_ranges_are_what_they_say() {
        for name in Metrics::SHARES.iter().chain(Metrics::AGENT_COUNTS) {
            assert!(Metrics::NAMES.contains(name), "{name} is not a metric");
        }
        assert_eq!(Metrics::range("never_posted_share", 1500), (0.0, 1.0));
        assert_eq!(Metrics::range("final_members", 1500), (0.0, 1500.0));
        assert_eq!(Metrics::range("reply_lift", 1500), (-1.0, 1.0));
        assert_eq!(Metrics::range("roi", 1500).0, -1.0);
        assert_eq!(Metrics::range("joined", 1500), (0.0, f64::INFINITY));
    }

    #[test]
    fn payback_comes_on_the_first_day_revenue_covers_cost() {
        let day = |day, revenue, cost| DayRecord {
            day,
            revenue,
            cost,
            ..DayRecord::default()
        };
        let days = [day(1, 0.0, 10.0), day(2, 5.0, 0.0), day(3, 6.0, 1.0)];
        assert_eq!(payback_day(&days), Some(3));
        assert_eq!(payback_day(&days[..2]), None);
        assert_eq!(payback_day(&[day(1, 5.0, 0.0)]), None, "nothing spent");
    }
}
