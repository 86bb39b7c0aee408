//! What comes out of a run, and what an operator decides on: one record a day (the time series);
//! per run, its summary metrics, its funnel, its groups, its join cohorts and its segments.
//! Everything is computed here from the series and the run's facts, never in the engine.
//!
//! Every table is declared once by [`columns!`]: its fields are the CSV columns, in order, each
//! with its meaning.

mod health;
mod inequality;
mod life;
mod summary;
mod tables;
mod weekly;

#[cfg(test)]
pub(crate) use health::TEST_FLOOR;
pub use health::{
    community_health, group_health, mostly_ads, tally, Health, HealthFloor, Readings, WINDOW_DAYS,
};
pub use inequality::{inequality, post_histogram, Inequality};
pub use life::{newcomer_rows, LifeTally, NewcomerRow, PosterRow, PostingLife};
pub use summary::{summarise, Metrics, Summary, SummaryInputs};
pub use tables::{CohortRow, FunnelRow, GroupRow, SegmentRow};
pub use weekly::{
    activity_course, month_end, month_of, poster_cohort_rows, week_rows, AnswerLedger,
    PosterCohortRow, WeekPosters, WeekRow,
};

use serde::{Deserialize, Serialize};

/// A column's value as a number: an undefined one (`None`, an empty cell in the CSV) or a text is
/// NaN, which the statistics of `stats` leave out.
pub trait AsNumber {
    fn as_number(&self) -> f64;
}

macro_rules! as_number {
    ($($t:ty),*) => {
        $(impl AsNumber for $t {
            fn as_number(&self) -> f64 {
                *self as f64
            }
        })*
    };
}
as_number!(u64, u32, u8, f64);

impl AsNumber for Option<f64> {
    fn as_number(&self) -> f64 {
        self.unwrap_or(f64::NAN)
    }
}
impl AsNumber for Option<u32> {
    fn as_number(&self) -> f64 {
        self.map_or(f64::NAN, |x| x as f64)
    }
}
impl AsNumber for String {
    fn as_number(&self) -> f64 {
        f64::NAN
    }
}

/// A number that may be undefined: `None` for a NaN or an infinity, so that no output holds
/// either (an undefined value is an empty cell).
pub fn defined(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// `a / b`, undefined when `b` is 0.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 {
        None
    } else {
        defined(a / b)
    }
}

/// Declares a table of the outputs once: the struct (its fields are the CSV columns, in order),
/// its column names, their meanings, and its values as numbers.
macro_rules! columns {
    ($(#[doc = $sdoc:literal])* $name:ident { $( $field:ident : $ty:ty, $doc:literal; )* }) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
        pub struct $name {
            $( #[doc = $doc] pub $field: $ty, )*
        }

        impl $name {
            /// What the table is.
            pub const ABOUT: &'static str = concat!($($sdoc, "\n"),*);
            /// The column names, in order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            /// What each column means, in the order of the columns.
            pub const DOCS: &'static [&'static str] = &[$($doc),*];

            /// The values as numbers, in the order of the columns (texts and undefined values are
            /// NaN).
            pub fn values(&self) -> Vec<f64> {
                use $crate::metrics::AsNumber;
                vec![$(self.$field.as_number()),*]
            }
        }
    };
}
pub(crate) use columns;

columns! {
    /// The community at the end of one day. Day 0 is the state before the first step.
    DayRecord {
        replicate: u32, "Replicate number.";
        day: u32, "Day (0 is the state before the first step).";
        members: u64, "Members at the end of the day (= absent + lurkers + posters + advertisers).";
        absent: u64, "Members who did not visit (members who joined today, those who muted the \
            group and dormant ones count here).";
        muted: u64, "Members who have muted the group: still members, no longer reading it.";
        dormant: u64, "Members whose interest has lapsed (`behavior.lapse_rate`): still members \
            (counted in `absent`), they visit again only when a need recurs \
            (`behavior.episode_rate`) or an event is announced.";
        lurkers: u64, "Members who visited and did not post.";
        posters: u64, "Members who wrote a genuine post.";
        advertisers: u64, "Members who posted an ad.";
        joins: u64, "Prospects admitted today.";
        quits: u64, "Members who left by choice, including paid members who did not renew.";
        kicks: u64, "Members removed by moderators.";
        posts: u64, "Genuine posts written.";
        ads_posted: u64, "Ads posted.";
        ads_removed: u64, "Ads caught and removed by moderators.";
        ads_seen: u64, "Ads members saw: those not caught, and the caught ones read before they \
            were removed (`rules.removal_speed`), rounded in each group.";
        promotions: u64, "The operator's own promotional posts today, over all groups (`events` of \
            kind `promotion`): read like ads, never removed, not in `ads_seen`.";
        groups: u64, "Groups opened so far.";
        groups_alive: u64, "Groups healthy at the end of the day (see `docs/MODEL.md`, health).";
        questions: u64, "Questions (or requests for help) asked.";
        answered: u64, "Of them, answered the same day by members or staff (moderators, the \
            team).";
        nudges: u64, "Members who never posted nudged by the operating team today (a mention or \
            a private message inviting them to speak; `team.nudges_per_day`).";
        nudges_answered: u64, "Of them, members who wrote in the group on that visit (answering \
            the nudge, `behavior.nudge_response`, or of their own accord).";
        answered_late: u64, "Questions asked on earlier days answered today by members or staff \
            (a question waits until buried under `community.attention` messages).";
        overtime: f64, "Minutes the operating team worked past its time budget today, over all \
            its groups, answering questions it saw waiting (`team.overtime_minutes`).";
        team_away: u64, "1 on a day the operating team is away, burnt out by its overtime \
            (`team.burnout_after`), else 0.";
        mean_commitment: f64, "Mean commitment of members.";
        sat_safety: f64, "Mean satisfaction on the safety level, among members with a need there.";
        sat_belonging: f64, "Mean satisfaction on the belonging level, among members with a need \
            there.";
        sat_esteem: f64, "Mean satisfaction on the esteem level, among members with a need there.";
        sat_self_actualization: f64, "Mean satisfaction on the self-actualisation level, among \
            members with a need there.";
        revenue: f64, "Money in on the day: revenue_fees + revenue_sales.";
        revenue_fees: f64, "Entry fees and renewals.";
        revenue_sales: f64, "Margins on members' purchases.";
        cost: f64, "Money out on the day: the sum of the cost lines below.";
        cost_acquisition: f64, "Ad exposures of outsiders.";
        cost_moderation: f64, "Moderators' days.";
        cost_team: f64, "The operating team's days.";
        cost_events: f64, "Topic nights, guests and meetups held.";
        cost_red_envelopes: f64, "Red envelopes paid out.";
        cost_referrals: f64, "Referral rewards paid for joiners brought in by word of mouth.";
        cost_other: f64, "Anything else (nothing yet).";
        budget: f64, "Operating budget at the end of the day: reinvested revenue less what it \
            paid for.";
    }
}

/// `docs/OUTPUTS.md`: every file agora writes, column by column, from the declarations.
pub fn outputs_markdown() -> String {
    let mut out = String::from(
        "# Outputs\n\n\
         Every file agora writes, column by column. This page is generated from the declarations \
         of `src/metrics/` (a test keeps it equal to them). A value that is undefined in a run is \
         an empty cell, never `NaN`. `agora sweep` and `agora compare` report the metrics of \
         `summary.csv` under the same names, in `runs.csv`, `points.csv` and `compare.csv` (where \
         any of them can be the `objective`).\n",
    );
    let mut table = |file: &str, about: &str, columns: &[&str], docs: &[&str]| {
        let about = about.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!(
            "\n## `{file}`\n\n{about}\n\n| column | meaning |\n|---|---|\n"
        ));
        for (c, d) in columns.iter().zip(docs) {
            let d = d.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push_str(&format!("| `{c}` | {} |\n", d.replace('|', "\\|")));
        }
    };
    for (file, about, columns, docs) in output_tables() {
        table(file, &about, &columns, &docs);
    }
    out
}

/// Every table agora writes for a run: its file, what it is, its columns and their meanings.
type Table = (&'static str, String, Vec<&'static str>, Vec<&'static str>);

fn output_tables() -> Vec<Table> {
    let mut summary_columns = vec!["replicate", "seed"];
    summary_columns.extend_from_slice(Metrics::COLUMNS);
    let mut summary_docs = vec!["Replicate number.", "Master seed of the run."];
    summary_docs.extend_from_slice(Metrics::DOCS);
    macro_rules! row {
        ($file:literal, $t:ty) => {
            (
                $file,
                <$t>::ABOUT.to_string(),
                <$t>::COLUMNS.to_vec(),
                <$t>::DOCS.to_vec(),
            )
        };
    }
    vec![
        (
            "timeseries.csv",
            "One row per replicate and day.".to_string(),
            DayRecord::COLUMNS.to_vec(),
            DayRecord::DOCS.to_vec(),
        ),
        (
            "summary.csv",
            format!("One row per replicate. {}", Metrics::ABOUT),
            summary_columns,
            summary_docs,
        ),
        row!("funnel.csv", FunnelRow),
        row!("groups.csv", GroupRow),
        row!("cohorts.csv", CohortRow),
        row!("segments.csv", SegmentRow),
        row!("weekly.csv", WeekRow),
        row!("posters.csv", PosterRow),
        row!("newcomers.csv", NewcomerRow),
        row!("poster_cohorts.csv", PosterCohortRow),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header csv writes for a struct, from its serde field names.
    fn serde_header<T: Serialize>(row: &T) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        text.lines().next().unwrap().to_string()
    }

    #[test]
    fn the_declared_column_lists_are_the_headers_written() {
        assert_eq!(serde_header(&Metrics::default()), Metrics::NAMES.join(","));
        assert_eq!(
            serde_header(&DayRecord::default()),
            DayRecord::COLUMNS.join(",")
        );
        assert_eq!(
            serde_header(&FunnelRow::default()),
            FunnelRow::COLUMNS.join(",")
        );
        assert_eq!(
            serde_header(&GroupRow::default()),
            GroupRow::COLUMNS.join(",")
        );
        assert_eq!(
            serde_header(&CohortRow::default()),
            CohortRow::COLUMNS.join(",")
        );
        assert_eq!(
            serde_header(&SegmentRow::default()),
            SegmentRow::COLUMNS.join(",")
        );
        for (header, columns) in [
            (serde_header(&WeekRow::default()), WeekRow::COLUMNS),
            (serde_header(&PosterRow::default()), PosterRow::COLUMNS),
            (serde_header(&NewcomerRow::default()), NewcomerRow::COLUMNS),
            (
                serde_header(&PosterCohortRow::default()),
                PosterCohortRow::COLUMNS,
            ),
        ] {
            assert_eq!(header, columns.join(","));
        }
        assert_eq!(Metrics::DOCS.len(), Metrics::NAMES.len());
        assert_eq!(Metrics::default().values().len(), Metrics::NAMES.len());
        assert_eq!(
            Summary::header().join(","),
            format!("replicate,seed,{}", Metrics::NAMES.join(","))
        );
    }

    #[test]
    fn undefined_ratios_are_empty_not_nan() {
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(0.0, 0.0), None);
        assert_eq!(ratio(1.0, 4.0), Some(0.25));
        assert_eq!(defined(f64::INFINITY), None);
    }
}
