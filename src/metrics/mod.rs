//! What comes out of a run: one record a day (the time series) and one summary a run
//! (size, life, retention, participation inequality, money), computed here from the series and
//! the final state's facts, never in the engine.
//!
//! Field names are the CSV column names, in column order.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares the daily record once: the struct (its fields are the CSV columns, in order) and
/// the list of its column names.
macro_rules! day_record {
    ($( $name:ident : $ty:ty, $doc:literal; )*) => {
        /// The community at the end of one day. Day 0 is the state before the first step.
        #[derive(Debug, Clone, PartialEq, Serialize, Default)]
        pub struct DayRecord {
            $( #[doc = $doc] pub $name: $ty, )*
        }

        impl DayRecord {
            /// The column names of `timeseries.csv`, in order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name)),*];
            /// What each column means, in the order of [`DayRecord::COLUMNS`].
            pub const DOCS: &'static [&'static str] = &[$($doc),*];
        }
    };
}

day_record! {
    replicate: u32, "Replicate number.";
    day: u32, "Day (0 is the state before the first step).";
    members: u64, "Members at the end of the day (= absent + lurkers + posters + advertisers).";
    absent: u64, "Members who did not visit (members who joined today count here).";
    lurkers: u64, "Members who visited and did not post.";
    posters: u64, "Members who wrote a genuine post.";
    advertisers: u64, "Members who posted an ad.";
    joins: u64, "Prospects admitted today.";
    quits: u64, "Members who left by choice, including paid members who did not renew.";
    kicks: u64, "Members removed by moderators.";
    posts: u64, "Genuine posts written.";
    ads_posted: u64, "Ads posted.";
    ads_removed: u64, "Ads caught and removed by moderators.";
    groups: u64, "Groups opened so far.";
    mean_commitment: f64, "Mean commitment of members.";
    sat_safety: f64, "Mean satisfaction on the safety level, among members with a need there.";
    sat_belonging: f64, "Mean satisfaction on the belonging level, among members with a need \
        there.";
    sat_esteem: f64, "Mean satisfaction on the esteem level, among members with a need there.";
    sat_self_actualization: f64, "Mean satisfaction on the self-actualisation level, among \
        members with a need there.";
    revenue: f64, "Money in on the day: fees and purchase margins.";
    cost: f64, "Money out on the day: ads, rewards, events, moderators.";
}

/// A metric's value as a number: an undefined one (`None`, an empty cell in the CSV) is NaN,
/// which the statistics of `stats` leave out.
pub trait AsNumber {
    fn as_number(&self) -> f64;
}

impl AsNumber for u64 {
    fn as_number(&self) -> f64 {
        *self as f64
    }
}
impl AsNumber for u32 {
    fn as_number(&self) -> f64 {
        *self as f64
    }
}
impl AsNumber for u8 {
    fn as_number(&self) -> f64 {
        *self as f64
    }
}
impl AsNumber for f64 {
    fn as_number(&self) -> f64 {
        *self
    }
}
impl AsNumber for Option<f64> {
    fn as_number(&self) -> f64 {
        self.unwrap_or(f64::NAN)
    }
}

/// A number that may be undefined: `None` for a NaN or an infinity, so that no output holds
/// either (an undefined value is an empty cell).
pub fn defined(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Declares the run metrics once: the `Metrics` struct (its fields are the CSV columns, in
/// order), their names and their meanings, and their values as numbers. A metric that can be
/// undefined in a run (no cohort, no posts, no cost) is an `Option<f64>`: empty in the CSV.
macro_rules! metrics {
    ($( $name:ident : $ty:ty, $doc:literal; )*) => {
        /// What one run comes to: the metrics of `summary.csv`, `runs.csv`, `points.csv` and
        /// `compare.csv`, with the same names everywhere.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
        pub struct Metrics {
            $( #[doc = $doc] pub $name: $ty, )*
        }

        impl Metrics {
            /// Names of the metrics, in column order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];
            /// What each metric means, in the order of [`Metrics::NAMES`].
            pub const DOCS: &'static [&'static str] = &[$($doc),*];

            /// The metrics as numbers, in the order of [`Metrics::NAMES`].
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$name.as_number()),*]
            }
        }
    };
}

metrics! {
    final_members: u64, "Members at the end of the last day.";
    peak_members: u64, "Most members at the end of any day.";
    peak_day: u32, "First day with the most members.";
    alive: u8, "1 if the community ends with at least `alive_floor.members` members and \
        `alive_floor.posts_per_day` genuine posts a day over the last 7 days, else 0.";
    retention_30d: Option<f64>, "Share of joiners (seed members excluded) still members 30 days \
        after joining, among those who joined at least 30 days before the end; empty if nobody \
        did.";
    never_posted_share: Option<f64>, "Share of everyone who was a member during the run who \
        never wrote a genuine post; empty if nobody was.";
    top1_post_share: Option<f64>, "Share of genuine posts written by the top 1% of members \
        (ranked by posts); empty without posts.";
    top10_post_share: Option<f64>, "Share of genuine posts written by the top 10% of members; \
        empty without posts.";
    post_gini: Option<f64>, "Gini coefficient of genuine posts per member; empty without posts.";
    total_revenue: f64, "Money in over the run: fees and purchase margins.";
    total_cost: f64, "Money out over the run: ads, rewards, events, moderators.";
    roi: Option<f64>, "(revenue - cost) / cost; empty when nothing was spent.";
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

/// 30-day retention so far: joiners whose 30th day has come, and those of them still members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub cohort: u64,
    pub retained: u64,
}

impl Retention {
    /// The share retained; NaN with no cohort.
    pub fn share(&self) -> f64 {
        if self.cohort == 0 {
            f64::NAN
        } else {
            self.retained as f64 / self.cohort as f64
        }
    }
}

/// What the summary needs beyond the daily series.
#[derive(Debug, Clone)]
pub struct SummaryInputs {
    pub replicate: u32,
    pub seed: u64,
    pub alive_members: u64,
    pub alive_posts_per_day: f64,
    pub retention: Retention,
    /// `post_histogram[k]`: members of the run who wrote k genuine posts.
    pub post_histogram: Vec<u64>,
}

/// The run's summary from its daily series (day 0 first) and the final state's facts.
pub fn summarise(series: &[DayRecord], inputs: &SummaryInputs) -> Summary {
    let last = series.last().expect("day 0 is always recorded");
    let (peak_day, peak) = series
        .iter()
        .map(|r| (r.day, r.members))
        .fold((0, 0), |best, x| if x.1 > best.1 { x } else { best });
    let window = &series[series.len().saturating_sub(7).max(1).min(series.len() - 1)..];
    let recent_posts = window.iter().map(|r| r.posts as f64).sum::<f64>() / window.len() as f64;
    let alive = last.members >= inputs.alive_members && recent_posts >= inputs.alive_posts_per_day;
    let ineq = inequality(&inputs.post_histogram);
    let total_revenue: f64 = series.iter().map(|r| r.revenue).sum();
    let total_cost: f64 = series.iter().map(|r| r.cost).sum();
    Summary {
        replicate: inputs.replicate,
        seed: inputs.seed,
        metrics: Metrics {
            final_members: last.members,
            peak_members: peak,
            peak_day,
            alive: alive as u8,
            retention_30d: defined(inputs.retention.share()),
            never_posted_share: defined(ineq.never_posted_share),
            top1_post_share: defined(ineq.top1_share),
            top10_post_share: defined(ineq.top10_share),
            post_gini: defined(ineq.gini),
            total_revenue,
            total_cost,
            roi: (total_cost > 0.0).then(|| (total_revenue - total_cost) / total_cost),
        },
    }
}

/// Histogram of genuine posts over the agents for which `counted` holds (those who were ever
/// members): `h[k]` agents wrote k posts. `days` bounds the posts an agent can write; the sum is
/// taken in parallel over chunks of `chunk` agents.
pub fn post_histogram(
    posts: &[u16],
    days: u32,
    chunk: usize,
    counted: impl Fn(usize) -> bool + Sync,
) -> Vec<u64> {
    let bins = days as usize + 1;
    (0..posts.len())
        .into_par_iter()
        .with_min_len(chunk)
        .fold(
            || vec![0u64; bins],
            |mut h, i| {
                if counted(i) {
                    h[posts[i] as usize] += 1;
                }
                h
            },
        )
        .reduce(
            || vec![0u64; bins],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

/// Participation inequality of a run, from a histogram of posts per member.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inequality {
    pub never_posted_share: f64,
    pub top1_share: f64,
    pub top10_share: f64,
    pub gini: f64,
}

/// Computes participation inequality from `histogram[k]` = number of members with k posts.
/// The top x% are the `ceil(x% * members)` members with most posts.
pub fn inequality(histogram: &[u64]) -> Inequality {
    let members: u64 = histogram.iter().sum();
    let posts: u64 = histogram
        .iter()
        .enumerate()
        .map(|(k, &c)| k as u64 * c)
        .sum();
    if members == 0 || posts == 0 {
        let never = if members == 0 { f64::NAN } else { 1.0 };
        return Inequality {
            never_posted_share: never,
            top1_share: f64::NAN,
            top10_share: f64::NAN,
            gini: f64::NAN,
        };
    }
    let top_share = |fraction: f64| {
        let mut take = (fraction * members as f64).ceil() as u64;
        let mut sum = 0u64;
        for (k, &c) in histogram.iter().enumerate().rev() {
            let n = c.min(take);
            sum += n * k as u64;
            take -= n;
            if take == 0 {
                break;
            }
        }
        sum as f64 / posts as f64
    };
    // Gini over members sorted ascending: G = sum_i (2i - n - 1) x_i / (n * sum x), i from 1.
    let n = members as f64;
    let mut rank = 0f64; // members before this bin
    let mut weighted = 0f64;
    for (k, &c) in histogram.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let c = c as f64;
        // sum over i = rank+1 ..= rank+c of (2i - n - 1) = c * (2 rank + c + 1 - n - 1)
        weighted += k as f64 * c * (2.0 * rank + c - n);
        rank += c;
    }
    Inequality {
        never_posted_share: histogram[0] as f64 / n,
        top1_share: top_share(0.01),
        top10_share: top_share(0.10),
        gini: weighted / (n * posts as f64),
    }
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
        assert_eq!(Metrics::DOCS.len(), Metrics::NAMES.len());
        assert_eq!(Metrics::default().values().len(), Metrics::NAMES.len());
        assert_eq!(
            Summary::header().join(","),
            format!("replicate,seed,{}", Metrics::NAMES.join(","))
        );
    }

    fn histogram(posts: &[u64]) -> Vec<u64> {
        let max = *posts.iter().max().unwrap_or(&0) as usize;
        let mut h = vec![0u64; max + 1];
        for &p in posts {
            h[p as usize] += 1;
        }
        h
    }

    fn gini_by_definition(posts: &[u64]) -> f64 {
        // Mean absolute difference over all pairs divided by twice the mean.
        let n = posts.len() as f64;
        let mean = posts.iter().sum::<u64>() as f64 / n;
        let mut diff = 0.0;
        for &a in posts {
            for &b in posts {
                diff += (a as f64 - b as f64).abs();
            }
        }
        diff / (2.0 * n * n * mean)
    }

    #[test]
    fn equal_posting_has_gini_zero_and_one_poster_has_the_maximum() {
        let eq = inequality(&histogram(&[3; 100]));
        assert!(eq.gini.abs() < 1e-12);
        assert_eq!(eq.never_posted_share, 0.0);
        assert!((eq.top1_share - 0.01).abs() < 1e-12);
        let mut one = vec![0u64; 100];
        one[0] = 50;
        let ineq = inequality(&histogram(&one));
        assert!(
            (ineq.gini - 0.99).abs() < 1e-12,
            "(n-1)/n for a single poster"
        );
        assert_eq!(ineq.top1_share, 1.0);
        assert_eq!(ineq.never_posted_share, 0.99);
    }

    #[test]
    fn gini_and_top_shares_match_direct_computation() {
        let posts: Vec<u64> = (0..200u64)
            .map(|i| (i * i) % 37 + if i % 3 == 0 { 0 } else { i / 10 })
            .collect();
        let got = inequality(&histogram(&posts));
        assert!((got.gini - gini_by_definition(&posts)).abs() < 1e-12);
        let mut sorted = posts.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let total: u64 = posts.iter().sum();
        let top = |k: usize| sorted[..k].iter().sum::<u64>() as f64 / total as f64;
        assert!((got.top1_share - top(2)).abs() < 1e-12);
        assert!((got.top10_share - top(20)).abs() < 1e-12);
        let never = posts.iter().filter(|&&p| p == 0).count() as f64 / 200.0;
        assert_eq!(got.never_posted_share, never);
    }

    #[test]
    fn no_members_or_no_posts_give_nan_where_undefined() {
        assert!(inequality(&[]).gini.is_nan());
        let silent = inequality(&[10]);
        assert_eq!(silent.never_posted_share, 1.0);
        assert!(silent.top1_share.is_nan());
    }
}
