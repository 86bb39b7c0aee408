//! What comes out of a run: one record a day (the time series) and one summary a run
//! (size, life, retention, participation inequality, money).
//!
//! Field names are the CSV column names, in column order.

use serde::Serialize;

/// The community at the end of one day. Day 0 is the state before the first step.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DayRecord {
    pub replicate: u32,
    pub day: u32,
    /// Members at the end of the day (= absent + lurkers + posters + advertisers).
    pub members: u64,
    /// Members who did not visit (members who joined today count here).
    pub absent: u64,
    /// Members who visited and did not post.
    pub lurkers: u64,
    /// Members who wrote a genuine post.
    pub posters: u64,
    /// Members who posted an ad.
    pub advertisers: u64,
    pub joins: u64,
    /// Members who left by choice, including paid members who did not renew.
    pub quits: u64,
    pub kicks: u64,
    /// Genuine posts written.
    pub posts: u64,
    pub ads_posted: u64,
    pub ads_removed: u64,
    /// Groups opened so far.
    pub groups: u64,
    pub mean_commitment: f64,
    pub sat_safety: f64,
    pub sat_belonging: f64,
    pub sat_esteem: f64,
    pub sat_self_actualization: f64,
    /// Money in on the day: fees and purchase margins.
    pub revenue: f64,
    /// Money out on the day: ads, rewards, events, moderators.
    pub cost: f64,
}

/// One run, summed up.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Summary {
    pub replicate: u32,
    pub seed: u64,
    pub final_members: u64,
    pub peak_members: u64,
    pub peak_day: u32,
    /// 1 if the community ends with at least `alive_floor.members` members and
    /// `alive_floor.posts_per_day` genuine posts a day over the last 7 days, else 0.
    pub alive: u8,
    /// Share of joiners (seed members excluded) still members 30 days after joining, among those
    /// who joined at least 30 days before the end; NaN if nobody did.
    pub retention_30d: f64,
    /// Share of everyone who was a member during the run who never wrote a genuine post.
    pub never_posted_share: f64,
    /// Share of genuine posts written by the top 1% of members (ranked by posts).
    pub top1_post_share: f64,
    pub top10_post_share: f64,
    /// Gini coefficient of genuine posts per member.
    pub post_gini: f64,
    pub total_revenue: f64,
    pub total_cost: f64,
    /// (revenue - cost) / cost; NaN when nothing was spent.
    pub roi: f64,
}

impl Summary {
    /// Names of the summary metrics, in column order (everything but `replicate` and `seed`).
    pub const METRICS: [&'static str; 12] = [
        "final_members",
        "peak_members",
        "peak_day",
        "alive",
        "retention_30d",
        "never_posted_share",
        "top1_post_share",
        "top10_post_share",
        "post_gini",
        "total_revenue",
        "total_cost",
        "roi",
    ];

    /// The metrics as numbers, in the order of [`Summary::METRICS`].
    pub fn values(&self) -> [f64; 12] {
        [
            self.final_members as f64,
            self.peak_members as f64,
            self.peak_day as f64,
            self.alive as f64,
            self.retention_30d,
            self.never_posted_share,
            self.top1_post_share,
            self.top10_post_share,
            self.post_gini,
            self.total_revenue,
            self.total_cost,
            self.roi,
        ]
    }

    /// The metrics as CSV text, formatted as `summary.csv` writes them.
    pub fn fields(&self) -> Vec<String> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(self).expect("a summary serialises");
        let line = String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8");
        // Drop `replicate` and `seed`: the caller writes its own.
        line.trim_end()
            .split(',')
            .skip(2)
            .map(str::to_string)
            .collect()
    }
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
