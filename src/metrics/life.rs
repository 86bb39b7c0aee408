//! Members' posting lives, measured as the real launches measure them
//! (`shared/data/launches/README.md`): posters and their inequality, how long they keep posting,
//! and the newcomers whose first post is a question, by when it was answered (the launch week by
//! week is in `weekly.rs`). Founding (seed) members are told apart from joiners in every
//! per-member figure.
//!
//! A *post* is a genuine post (a question or any other message a member writes; ads are not
//! posts). A *poster* is a member with at least one post over the run.

use serde::{Deserialize, Serialize};

use super::{columns, defined, inequality, ratio};

/// A member's posting life over the run (kept across rejoins, as an account's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostingLife {
    /// Day of its first genuine post; 0 for none.
    pub first: u16,
    /// Day of its last genuine post; 0 for none.
    pub last: u16,
    /// The first day after `first` on which it posted again; 0 for none.
    pub again: u16,
    /// If its first post was a question: the day that question was answered, or
    /// [`PostingLife::WAITING`] while it is not; 0 if its first post was not a question.
    pub first_answer: u16,
}

impl PostingLife {
    /// `first_answer` of a first question not (yet) answered.
    pub const WAITING: u16 = u16::MAX;

    /// The life after a genuine post on `day`, `asked` if the post was a question.
    pub fn posted(mut self, day: u16, asked: bool) -> PostingLife {
        if self.first == 0 {
            self.first = day;
            if asked {
                self.first_answer = Self::WAITING;
            }
        } else if self.again == 0 && day > self.first {
            self.again = day;
        }
        self.last = day;
        self
    }

    /// The life after a question asked on `asked` was answered on `day`: recorded if it was the
    /// member's first post.
    pub fn answered(mut self, asked: u16, day: u16) -> PostingLife {
        if self.first == asked && self.first_answer == Self::WAITING {
            self.first_answer = day;
        }
        self
    }
}

/// Newcomers' outcome, by their first post and the reply it drew (`NewcomerRow::reply`): a
/// question by when it was answered, a message by whether it drew a reply. The first
/// [`QUESTION_BUCKETS`] are questions'.
const BUCKETS: [&str; 6] = [
    "answered_same_day",
    "answered_1d_to_7d",
    "answered_later",
    "never_answered",
    "replied",
    "not_replied",
];
const QUESTION_BUCKETS: usize = 4;
/// The buckets of first posts that drew a reply within a week (Joyce & Kraut's "got a reply"):
/// a question answered that day or on one of the six after, a message that drew one.
const REPLIED_BUCKETS: [usize; 3] = [0, 1, 4];

/// Everything the per-member figures need, for founders or for joiners, gathered in one pass
/// over everyone who was a member.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LifeTally {
    pub ever_members: u64,
    /// `posts[k]`: posters with k genuine posts (bin 0 unused).
    pub posts: Vec<u64>,
    /// `lifespans[d]`: posters whose last post came d days after their first.
    pub lifespans: Vec<u64>,
    /// Posters whose first post came at least 30 (90) days before the end, and those of them
    /// whose last post came at least 30 (90) days after their first.
    pub eligible: [u64; 2],
    pub still_posting: [u64; 2],
    /// By [`BUCKETS`]: newcomers (first post at least 30 days before the end), those who posted
    /// again on a later day, and those who did within 30 days of their first post.
    pub newcomers: [[u64; 3]; 6],
}

impl LifeTally {
    /// Adds a member who wrote `posts` genuine posts over a run of `days` days; `first_replied`:
    /// its first post, a message, drew a reply.
    pub fn add(&mut self, life: PostingLife, first_replied: bool, posts: u16, days: u32) {
        self.ever_members += 1;
        if posts == 0 || life.first == 0 {
            return;
        }
        let bump = |v: &mut Vec<u64>, k: usize| {
            if v.len() <= k {
                v.resize(k + 1, 0);
            }
            v[k] += 1;
        };
        bump(&mut self.posts, posts as usize);
        let (first, last) = (life.first as u32, life.last as u32);
        bump(&mut self.lifespans, (last - first) as usize);
        for (k, h) in [30, 90].into_iter().enumerate() {
            if first + h <= days {
                self.eligible[k] += 1;
                self.still_posting[k] += (last >= first + h) as u64;
            }
        }
        if first + 30 <= days {
            let bucket = match life.first_answer {
                0 if first_replied => 4,
                0 => 5,
                PostingLife::WAITING => 3,
                a if a as u32 == first => 0,
                a if (a as u32) < first + 7 => 1,
                _ => 2,
            };
            let again = life.again as u32;
            let row = &mut self.newcomers[bucket];
            row[0] += 1;
            row[1] += (again > 0) as u64;
            row[2] += (again > 0 && again <= first + 30) as u64;
        }
    }

    /// The tally of founders and joiners together.
    pub fn merged(&self, other: &LifeTally) -> LifeTally {
        let sum = |a: &[u64], b: &[u64]| {
            let mut v = vec![0; a.len().max(b.len())];
            for (k, x) in v.iter_mut().enumerate() {
                *x = a.get(k).copied().unwrap_or(0) + b.get(k).copied().unwrap_or(0);
            }
            v
        };
        let mut newcomers = self.newcomers;
        for (row, o) in newcomers.iter_mut().zip(other.newcomers) {
            for (x, y) in row.iter_mut().zip(o) {
                *x += y;
            }
        }
        LifeTally {
            ever_members: self.ever_members + other.ever_members,
            posts: sum(&self.posts, &other.posts),
            lifespans: sum(&self.lifespans, &other.lifespans),
            eligible: [
                self.eligible[0] + other.eligible[0],
                self.eligible[1] + other.eligible[1],
            ],
            still_posting: [
                self.still_posting[0] + other.still_posting[0],
                self.still_posting[1] + other.still_posting[1],
            ],
            newcomers,
        }
    }

    fn posters(&self) -> u64 {
        self.posts.iter().sum()
    }

    /// Joyce & Kraut's reply effect: the share who posted again on a later day among newcomers
    /// whose first post drew a reply within a week ([`REPLIED_BUCKETS`]), minus that share among
    /// those whose did not; undefined unless both groups have newcomers.
    pub fn reply_lift(&self) -> Option<f64> {
        let (mut replied, mut other) = ([0u64; 2], [0u64; 2]);
        for (k, [n, again, _]) in self.newcomers.iter().enumerate() {
            let into = if REPLIED_BUCKETS.contains(&k) {
                &mut replied
            } else {
                &mut other
            };
            into[0] += n;
            into[1] += again;
        }
        let share = |[n, again]: [u64; 2]| ratio(again as f64, n as f64);
        Some(share(replied)? - share(other)?)
    }
}

/// The `q` quantile (type 7, linear between order statistics, as numpy's default) of the values
/// counted in `histogram` (`histogram[v]` values equal to v); undefined if it is empty.
pub fn histogram_quantile(histogram: &[u64], q: f64) -> Option<f64> {
    let n: u64 = histogram.iter().sum();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let (lo, frac) = (h.floor() as u64, h - h.floor());
    let value_at = |rank: u64| {
        let mut seen = 0;
        for (v, &c) in histogram.iter().enumerate() {
            seen += c;
            if rank < seen {
                return v as f64;
            }
        }
        (histogram.len() - 1) as f64
    };
    let a = value_at(lo);
    let b = if frac > 0.0 { value_at(lo + 1) } else { a };
    Some(a + frac * (b - a))
}

columns! {
    /// Posters and how they posted (`posters.csv`), as the real launches count them: one row
    /// for everyone who was a member (`all`), one for the founding (seed) members and one for
    /// the joiners. Inequality and lifespans are over posters only.
    PosterRow {
        replicate: u32, "Replicate number.";
        members: String, "Whose figures: `all`, `founders` (seed members) or `joiners`.";
        ever_members: u64, "Who was a member at some point of the run.";
        posters: u64, "Of them, who wrote at least one genuine post.";
        never_posted_share: Option<f64>, "Share of `ever_members` who never posted.";
        one_post_share: Option<f64>, "Share of posters who wrote exactly one post.";
        poster_gini: Option<f64>, "Gini coefficient of posts among posters.";
        poster_top1_share: Option<f64>, "Share of posts written by the top 1% of posters.";
        poster_top10_share: Option<f64>, "Share of posts written by the top 10% of posters.";
        eligible_30d: u64, "Posters whose first post came at least 30 days before the end.";
        still_posting_30d: Option<f64>, "Of them, the share whose last post came at least 30 \
            days after their first.";
        eligible_90d: u64, "Posters whose first post came at least 90 days before the end.";
        still_posting_90d: Option<f64>, "Of them, the share whose last post came at least 90 \
            days after their first.";
        lifespan_q25: Option<f64>, "First quartile of posters' lifespans: days from the first \
            post to the last.";
        lifespan_median: Option<f64>, "Median lifespan of posters, in days.";
        lifespan_q75: Option<f64>, "Third quartile of posters' lifespans, in days.";
        reply_lift: Option<f64>, "Joyce & Kraut's reply effect (`newcomers.csv`): the share \
            who posted again among posters whose first post drew a reply within a week (a \
            question answered, a message replied to), minus the share among those whose did \
            not; first posts at least 30 days before the end. Empty unless both have posters.";
    }
}

impl PosterRow {
    /// The row of one group of members.
    pub fn of(replicate: u32, members: &str, t: &LifeTally) -> PosterRow {
        let posters = t.posters();
        let mut histogram = t.posts.clone();
        histogram.resize(histogram.len().max(1), 0);
        histogram[0] = 0;
        let ineq = inequality(&histogram);
        let once = t.posts.get(1).copied().unwrap_or(0);
        let share = |k: usize| ratio(t.still_posting[k] as f64, t.eligible[k] as f64);
        PosterRow {
            replicate,
            members: members.to_string(),
            ever_members: t.ever_members,
            posters,
            never_posted_share: ratio((t.ever_members - posters) as f64, t.ever_members as f64),
            one_post_share: ratio(once as f64, posters as f64),
            poster_gini: defined(ineq.gini),
            poster_top1_share: defined(ineq.top1_share),
            poster_top10_share: defined(ineq.top10_share),
            eligible_30d: t.eligible[0],
            still_posting_30d: share(0),
            eligible_90d: t.eligible[1],
            still_posting_90d: share(1),
            lifespan_q25: histogram_quantile(&t.lifespans, 0.25),
            lifespan_median: histogram_quantile(&t.lifespans, 0.5),
            lifespan_q75: histogram_quantile(&t.lifespans, 0.75),
            reply_lift: t.reply_lift(),
        }
    }
}

columns! {
    /// Newcomers (`newcomers.csv`): posters whose first post came at least 30 days before the
    /// end, by what it was and the reply it drew, and whether they posted again: the newcomer
    /// reply effect (Joyce & Kraut 2006). One row per replicate, group of members (`all`,
    /// `founders`, `joiners`) and reply bucket.
    NewcomerRow {
        replicate: u32, "Replicate number.";
        members: String, "Whose figures: `all`, `founders` (seed members) or `joiners`.";
        first_post: String, "What the first post was: `question` or `message` (any other \
            genuine post).";
        reply: String, "The reply it drew: for a question, when it was answered \
            (`answered_same_day`, `answered_1d_to_7d` on one of the 6 days after, \
            `answered_later`, `never_answered` by the end); for a message, `replied` or \
            `not_replied`.";
        newcomers: u64, "Members whose first post was such a post.";
        posted_again: u64, "Of them, those who posted again on a later day.";
        posted_again_share: Option<f64>, "posted_again / newcomers.";
        posted_again_30d: u64, "Of them, those who posted again within 30 days of their first \
            post.";
        posted_again_30d_share: Option<f64>, "posted_again_30d / newcomers.";
    }
}

/// The newcomer rows of one group of members, one per answer bucket.
pub fn newcomer_rows(replicate: u32, members: &str, t: &LifeTally) -> Vec<NewcomerRow> {
    BUCKETS
        .iter()
        .zip(t.newcomers)
        .enumerate()
        .map(|(k, (bucket, [n, again, again_30]))| NewcomerRow {
            replicate,
            members: members.to_string(),
            first_post: if k < QUESTION_BUCKETS {
                "question"
            } else {
                "message"
            }
            .to_string(),
            reply: bucket.to_string(),
            newcomers: n,
            posted_again: again,
            posted_again_share: ratio(again as f64, n as f64),
            posted_again_30d: again_30,
            posted_again_30d_share: ratio(again_30 as f64, n as f64),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posting_life_keeps_first_last_again_and_the_first_questions_answer() {
        let life = PostingLife::default().posted(3, true);
        assert_eq!((life.first, life.last, life.again), (3, 3, 0));
        assert_eq!(life.first_answer, PostingLife::WAITING);
        // A second question on the same day cannot happen, but a later answer to another
        // question does not count as the first one's.
        assert_eq!(life.answered(5, 6).first_answer, PostingLife::WAITING);
        let life = life.answered(3, 4).posted(9, false).posted(20, true);
        assert_eq!((life.first, life.last, life.again), (3, 20, 9));
        assert_eq!(life.first_answer, 4);
        assert_eq!(
            life.answered(3, 30).first_answer,
            4,
            "the first answer stays"
        );
        let talker = PostingLife::default().posted(2, false);
        assert_eq!(
            talker.first_answer, 0,
            "a first post that is not a question"
        );
    }

    #[test]
    fn quantiles_of_a_histogram_interpolate_between_order_statistics() {
        // Values 0, 0, 1, 4: numpy's default quantiles are 0, 0.5, 1.75.
        let h = [2, 1, 0, 0, 1];
        assert_eq!(histogram_quantile(&h, 0.25), Some(0.0));
        assert_eq!(histogram_quantile(&h, 0.5), Some(0.5));
        assert_eq!(histogram_quantile(&h, 0.75), Some(1.75));
        assert_eq!(histogram_quantile(&[], 0.5), None);
        assert_eq!(histogram_quantile(&[0, 3], 0.9), Some(1.0));
    }

    #[test]
    fn poster_figures_count_posters_only_and_still_posting_among_those_eligible() {
        let mut t = LifeTally::default();
        // 100 days. Lurker; one-post poster on day 80 (not eligible at 30); poster from day 10
        // to 50 (still posting after 30); poster from day 5 to 6.
        t.add(PostingLife::default(), false, 0, 100);
        t.add(PostingLife::default().posted(80, false), false, 1, 100);
        let long = PostingLife::default().posted(10, false).posted(50, false);
        t.add(long, false, 6, 100);
        let short = PostingLife::default().posted(5, false).posted(6, false);
        t.add(short, false, 3, 100);
        let row = PosterRow::of(0, "all", &t);
        assert_eq!((row.ever_members, row.posters), (4, 3));
        assert_eq!(row.never_posted_share, Some(0.25));
        assert_eq!(row.one_post_share, Some(1.0 / 3.0));
        assert_eq!((row.eligible_30d, row.still_posting_30d), (2, Some(0.5)));
        assert_eq!((row.eligible_90d, row.still_posting_90d), (2, Some(0.0)));
        // Lifespans 0, 40, 1.
        assert_eq!(row.lifespan_median, Some(1.0));
        // Gini of (1, 3, 6) among posters: sum |xi - xj| over ordered pairs / (2 n² mean).
        let gini = 2.0 * (2.0 + 5.0 + 3.0) / (2.0 * 9.0 * (10.0 / 3.0));
        assert!((row.poster_gini.unwrap() - gini).abs() < 1e-12);
        assert_eq!(
            row.poster_top1_share,
            Some(0.6),
            "the top poster of 3 wrote 6 of 10"
        );
    }

    #[test]
    fn first_messages_are_bucketed_by_their_reply_and_the_lift_compares_posting_again() {
        let mut t = LifeTally::default();
        let said = |day| PostingLife::default().posted(day, false);
        // Replied: one of two posts again. Not replied: one of four. Answered the same day:
        // posts again (a question that got its reply counts with the replied).
        t.add(said(10).posted(41, false), true, 2, 100);
        t.add(said(10), true, 1, 100);
        t.add(said(10).posted(11, false), false, 2, 100);
        for _ in 0..3 {
            t.add(said(10), false, 1, 100);
        }
        t.add(
            PostingLife::default()
                .posted(5, true)
                .answered(5, 5)
                .posted(6, false),
            false,
            2,
            100,
        );
        // Replied, but on day 71 of 100: not a newcomer of the table.
        t.add(said(71), true, 1, 100);
        assert_eq!(
            t.newcomers[4],
            [2, 1, 0],
            "replied: again on day 41 is after 30 days"
        );
        assert_eq!(t.newcomers[5], [4, 1, 1]);
        assert_eq!(t.newcomers[0], [1, 1, 1]);
        // (1 + 1) / 3 replied posted again, 1 / 4 not.
        let lift = t.reply_lift().unwrap();
        assert!((lift - (2.0 / 3.0 - 0.25)).abs() < 1e-12, "{lift}");
        let only_replied = {
            let mut t = LifeTally::default();
            t.add(said(10), true, 1, 100);
            t
        };
        assert_eq!(only_replied.reply_lift(), None, "nobody to compare with");
    }

    #[test]
    fn eligibility_and_buckets_turn_at_their_exact_days() {
        let mut t = LifeTally::default();
        // First post on day 70 of 100: eligible at 30 (70 + 30 = 100), not at 90.
        t.add(
            PostingLife::default().posted(70, false).posted(100, false),
            false,
            2,
            100,
        );
        // First post on day 71: not eligible at 30.
        t.add(PostingLife::default().posted(71, false), false, 1, 100);
        assert_eq!((t.eligible, t.still_posting), ([1, 0], [1, 0]));
        // A first question on day 70 is a newcomer (70 + 30 ≤ 100); answered on day 76 (the
        // sixth day after) is within the week, on day 77 is later.
        let asked = |answer| PostingLife::default().posted(70, true).answered(70, answer);
        let mut t = LifeTally::default();
        t.add(asked(76), false, 1, 100);
        t.add(asked(77), false, 1, 100);
        assert_eq!(t.newcomers[1][0], 1, "{:?}", t.newcomers);
        assert_eq!(t.newcomers[2][0], 1, "{:?}", t.newcomers);
        // Posting again on day 100 is within 30 days of a question on day 70; on day 101 not.
        let mut t = LifeTally::default();
        t.add(asked(70).posted(100, false), false, 2, 101);
        t.add(asked(70).posted(101, false), false, 2, 101);
        assert_eq!(t.newcomers[0], [2, 2, 1]);
    }

    #[test]
    fn newcomers_are_bucketed_by_when_their_first_question_was_answered() {
        let mut t = LifeTally::default();
        let asked = |day| PostingLife::default().posted(day, true);
        // Answered the same day, posted again on day 20 (within 30 days).
        t.add(asked(10).answered(10, 10).posted(20, false), false, 2, 100);
        // Answered 3 days later, posted again on day 60 (after 30 days).
        t.add(asked(10).answered(10, 13).posted(60, false), false, 2, 100);
        // Answered on day 30 (later), never again.
        t.add(asked(10).answered(10, 30), false, 1, 100);
        // Never answered.
        t.add(asked(10), false, 1, 100);
        // Asked on day 80: less than 30 days before the end, not a newcomer of the table.
        t.add(asked(80), false, 1, 100);
        let rows = newcomer_rows(0, "all", &t);
        let seen: Vec<(u64, u64, u64)> = rows
            .iter()
            .map(|r| (r.newcomers, r.posted_again, r.posted_again_30d))
            .collect();
        assert_eq!(
            seen,
            [
                (1, 1, 1),
                (1, 1, 0),
                (1, 0, 0),
                (1, 0, 0),
                (0, 0, 0),
                (0, 0, 0)
            ]
        );
        assert_eq!(rows[3].reply, "never_answered");
        assert_eq!(
            (rows[3].first_post.as_str(), rows[4].first_post.as_str()),
            ("question", "message")
        );
    }
}
