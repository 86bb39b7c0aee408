//! Participation inequality: who writes the posts. From a histogram of genuine posts per member
//! over everyone who was a member during the run.

use rayon::prelude::*;

/// Histogram of genuine posts over the agents for which `counted` holds (those who were ever
/// members): `h[k]` agents wrote k posts. `most` bounds the posts an agent can have written
/// (counts are kept in 16 bits, saturating); the sum is taken in parallel over chunks of `chunk`
/// agents.
pub fn post_histogram(
    posts: &[u16],
    most: u64,
    chunk: usize,
    counted: impl Fn(usize) -> bool + Sync,
) -> Vec<u64> {
    let bins = most.min(u16::MAX as u64) as usize + 1;
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
    /// Of the members who wrote a genuine post, the share who wrote more than one.
    pub posted_again_share: f64,
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
            posted_again_share: f64::NAN,
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
    let posters = members - histogram[0];
    let once = histogram.get(1).copied().unwrap_or(0);
    Inequality {
        never_posted_share: histogram[0] as f64 / n,
        posted_again_share: (posters - once) as f64 / posters as f64,
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
    fn posted_again_counts_posters_with_more_than_one_post() {
        // Seven members: two silent, three with one post, two with more (2 and 5 posts).
        let got = inequality(&histogram(&[0, 0, 1, 1, 1, 2, 5]));
        assert_eq!(got.posted_again_share, 2.0 / 5.0);
        // Everyone posted once: nobody posted again.
        assert_eq!(inequality(&histogram(&[1; 10])).posted_again_share, 0.0);
    }

    #[test]
    fn no_members_or_no_posts_give_nan_where_undefined() {
        assert!(inequality(&[]).gini.is_nan());
        let silent = inequality(&[10]);
        assert_eq!(silent.never_posted_share, 1.0);
        assert!(silent.top1_share.is_nan());
        assert!(silent.posted_again_share.is_nan());
    }
}
