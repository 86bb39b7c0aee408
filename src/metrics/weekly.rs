//! The launch week by week and month by month, as the real launches measure it
//! (`shared/data/launches/README.md`): how soon each day's questions were answered, new and
//! active posters each week, the week of the most and month 3 against month 1, and the monthly
//! cohorts of new posters. Week w holds days 7(w − 1) + 1 to 7w; month m holds the days d with
//! 30.44 (m − 1) ≤ d − 1 < 30.44 m, the launches' weeks and months counted from the first
//! simulated day.

use serde::{Deserialize, Serialize};

use super::{columns, ratio, DayRecord};

/// Days in the launches' month.
pub const MONTH_DAYS: f64 = 30.44;

/// The month (1-based) that day `day` (1-based) falls in.
pub fn month_of(day: u32) -> u32 {
    ((day.max(1) - 1) as f64 / MONTH_DAYS).floor() as u32 + 1
}

/// The last day of month `month` (1-based).
pub fn month_end(month: u32) -> u32 {
    // The last day d with d − 1 < 30.44 m.
    (MONTH_DAYS * month as f64).ceil() as u32
}

/// When each day's questions were answered, indexed by the day they were asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerLedger {
    pub asked: Vec<u64>,
    /// Answered on the day they were asked.
    pub same_day: Vec<u64>,
    /// Answered within 7 days: on the day asked or one of the 6 after.
    pub within_week: Vec<u64>,
    /// Answered by the end of the run.
    pub ever: Vec<u64>,
}

impl AnswerLedger {
    fn grow(&mut self, day: usize) {
        if self.asked.len() <= day {
            for v in [
                &mut self.asked,
                &mut self.same_day,
                &mut self.within_week,
                &mut self.ever,
            ] {
                v.resize(day + 1, 0);
            }
        }
    }

    /// Day `day`'s questions, `answered` of them on the day.
    pub fn asked_on(&mut self, day: u32, asked: u64, answered: u64) {
        let d = day as usize;
        self.grow(d);
        self.asked[d] += asked;
        self.same_day[d] += answered;
        self.within_week[d] += answered;
        self.ever[d] += answered;
    }

    /// A question asked on `asked` answered on a later day `day`.
    pub fn answered_late(&mut self, asked: u32, day: u32) {
        let d = asked as usize;
        self.grow(d);
        self.ever[d] += 1;
        if day < asked + 7 {
            self.within_week[d] += 1;
        }
    }

    /// Shares of the questions asked on days `from ..= to` answered the same day, within 7 days
    /// and ever, each among the questions old enough by `end` (the run's last day) to have had
    /// the time: all for the same day and ever, those asked by `end − 6` for 7 days.
    pub fn shares(&self, from: u32, to: u32, end: u32) -> (Option<f64>, Option<f64>, Option<f64>) {
        let total = |v: &[u64], last: u32| -> f64 {
            if last < from {
                return 0.0;
            }
            (from..=last.min(to))
                .filter_map(|d| v.get(d as usize))
                .map(|&x| x as f64)
                .sum()
        };
        let week_last = end.saturating_sub(6);
        (
            ratio(total(&self.same_day, end), total(&self.asked, end)),
            ratio(
                total(&self.within_week, week_last),
                total(&self.asked, week_last),
            ),
            ratio(total(&self.ever, end), total(&self.asked, end)),
        )
    }
}

/// Posters of one week: all of them and, of them, the founding members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeekPosters {
    /// Members who posted in the week.
    pub active: u64,
    pub active_founders: u64,
    /// Members whose first post came in the week.
    pub new: u64,
}

columns! {
    /// The launch week by week (`weekly.csv`), as the real launches' `weekly.csv`: week 1 holds
    /// days 1 to 7.
    WeekRow {
        replicate: u32, "Replicate number.";
        week: u32, "Week (1 holds days 1 to 7).";
        complete: u8, "1 if all 7 days of the week are in the run.";
        new_posters: u64, "Members whose first genuine post came this week.";
        active_posters: u64, "Members who wrote a genuine post this week.";
        active_founders: u64, "Of them, founding (seed) members.";
        questions: u64, "Questions asked this week.";
        answers: u64, "Genuine posts this week that are not questions (on a Q&A site, the \
            answers).";
        members: u64, "Members at the end of the week.";
        joins: u64, "Joins this week.";
        answered_same_day: Option<f64>, "Share of the week's questions answered the day they \
            were asked.";
        answered_7d: Option<f64>, "Share of the week's questions answered within 7 days (the day \
            asked or the 6 after), among those asked on or before the run's sixth-last day.";
        answered_ever: Option<f64>, "Share of the week's questions answered by the end of the \
            run.";
    }
}

/// The weekly rows from the daily series (day 0 first), the week's posters and the answer
/// ledger.
pub fn week_rows(
    replicate: u32,
    series: &[DayRecord],
    posters: &[WeekPosters],
    answers: &AnswerLedger,
) -> Vec<WeekRow> {
    let end = series.last().map_or(0, |r| r.day);
    posters
        .iter()
        .enumerate()
        .map(|(w, p)| {
            let (from, to) = (7 * w as u32 + 1, (7 * w as u32 + 7).min(end));
            let days = &series[from as usize..=to as usize];
            let sum = |f: fn(&DayRecord) -> u64| days.iter().map(f).sum::<u64>();
            let questions = sum(|d| d.questions);
            let (same, week, ever) = answers.shares(from, to, end);
            WeekRow {
                replicate,
                week: w as u32 + 1,
                complete: (to - from + 1 == 7) as u8,
                new_posters: p.new,
                active_posters: p.active,
                active_founders: p.active_founders,
                questions,
                answers: sum(|d| d.posts) - questions,
                members: days.last().map_or(0, |d| d.members),
                joins: sum(|d| d.joins),
                answered_same_day: same,
                answered_7d: week,
                answered_ever: ever,
            }
        })
        .collect()
}

/// The week of the most active posters among complete weeks (the first, on a tie), and mean
/// weekly active posters in month 3 over month 1 (weeks counted in the month they start in),
/// once month 3 is complete.
pub fn activity_course(weeks: &[WeekRow]) -> (Option<u32>, Option<f64>) {
    let complete = || weeks.iter().filter(|w| w.complete == 1);
    let peak = complete()
        .fold(None, |best: Option<&WeekRow>, w| match best {
            Some(b) if b.active_posters >= w.active_posters => Some(b),
            _ => Some(w),
        })
        .map(|w| w.week);
    let month_mean = |m: u32| {
        let (n, sum) = complete()
            .filter(|w| month_of(7 * (w.week - 1) + 1) == m)
            .fold((0u64, 0u64), |(n, s), w| (n + 1, s + w.active_posters));
        (n > 0).then(|| sum as f64 / n as f64)
    };
    // Every week that starts in month 3 must be whole: the last starts on or before its end.
    let last_of_month_3 = (month_end(3) - 1) / 7 + 1;
    let month_3_whole = weeks
        .get(last_of_month_3 as usize - 1)
        .is_some_and(|w| w.complete == 1);
    let ratio = match (month_mean(1), month_mean(3)) {
        (Some(m1), Some(m3)) if month_3_whole && m1 > 0.0 => Some(m3 / m1),
        _ => None,
    };
    (peak, ratio)
}

columns! {
    /// Monthly cohorts of new posters (`poster_cohorts.csv`), as the real launches'
    /// `cohorts.csv`: of the members whose first post came in month `cohort_month`, the share
    /// who posted in month `cohort_month + month`. Only months wholly inside the run.
    PosterCohortRow {
        replicate: u32, "Replicate number.";
        members: String, "Whose figures: `all`, `founders` (seed members) or `joiners`.";
        cohort_month: u32, "Month of the first post (1 holds days 1 to 31, months being 30.44 \
            days long).";
        month: u32, "Months since the cohort's month (0: the month of the first post).";
        size: u64, "Members whose first post came in the cohort's month.";
        posting: u64, "Of them, those who posted in month `cohort_month + month`.";
        share: Option<f64>, "posting / size.";
    }
}

/// The cohort rows from `counts[who][first month − 1][month − 1]` (members of the first month's
/// cohort who posted in the month), for the `months` complete months.
pub fn poster_cohort_rows(
    replicate: u32,
    counts: &[Vec<Vec<u64>>; 2],
    months: u32,
) -> Vec<PosterCohortRow> {
    let at = |who: usize, c: usize, m: usize| -> u64 {
        counts[who]
            .get(c)
            .and_then(|row| row.get(m))
            .copied()
            .unwrap_or(0)
    };
    let mut rows = Vec::new();
    for (name, whose) in [
        ("all", &[0usize, 1][..]),
        ("founders", &[0]),
        ("joiners", &[1]),
    ] {
        let count = |c: usize, m: usize| whose.iter().map(|&w| at(w, c, m)).sum::<u64>();
        for c in 0..months as usize {
            let size = count(c, c);
            if size == 0 {
                continue;
            }
            for m in c..months as usize {
                let posting = count(c, m);
                rows.push(PosterCohortRow {
                    replicate,
                    members: name.to_string(),
                    cohort_month: c as u32 + 1,
                    month: (m - c) as u32,
                    size,
                    posting,
                    share: ratio(posting as f64, size as f64),
                });
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_the_launches_months_of_30_44_days() {
        assert_eq!(month_of(1), 1);
        assert_eq!(
            month_of(31),
            1,
            "day 31 is 30 days after the first: 30 < 30.44"
        );
        assert_eq!(month_of(32), 2);
        assert_eq!(month_end(1), 31);
        assert_eq!(month_end(3), 92, "91 < 91.32");
        assert_eq!(month_of(92), 3);
        assert_eq!(month_of(93), 4);
    }

    #[test]
    fn answer_shares_count_only_questions_old_enough() {
        let mut a = AnswerLedger::default();
        a.asked_on(1, 10, 6); // 6 the same day
        a.answered_late(1, 3); // 1 within the week
        a.answered_late(1, 9); // 1 later
        a.asked_on(9, 4, 1); // too recent for the 7-day share at day 10
        let (same, week, ever) = a.shares(1, 10, 10);
        assert_eq!(same, Some(7.0 / 14.0));
        assert_eq!(week, Some(7.0 / 10.0));
        assert_eq!(ever, Some(9.0 / 14.0));
        assert_eq!(a.shares(8, 10, 10).1, None, "no question old enough");
        // Answered on the sixth day after is within the week; on the seventh, not.
        let mut b = AnswerLedger::default();
        b.asked_on(1, 2, 0);
        b.answered_late(1, 7);
        b.answered_late(1, 8);
        assert_eq!(b.shares(1, 1, 20), (Some(0.0), Some(0.5), Some(1.0)));
    }

    #[test]
    fn the_activity_course_reads_the_peak_and_month_3_over_month_1() {
        let week = |w: u32, active: u64| WeekRow {
            week: w,
            complete: 1,
            active_posters: active,
            ..WeekRow::default()
        };
        // 14 weeks: weeks 1-5 start in month 1 (days 1, 8, ..., 29), weeks 10-14 in month 3.
        let mut weeks: Vec<WeekRow> = (1..=14).map(|w| week(w, 10)).collect();
        weeks[1].active_posters = 50;
        for w in &mut weeks[9..14] {
            w.active_posters = 5;
        }
        let (peak, ratio) = activity_course(&weeks);
        assert_eq!(peak, Some(2));
        // Month 1: (10 + 50 + 10 + 10 + 10) / 5 = 18; month 3: 5.
        assert!((ratio.unwrap() - 5.0 / 18.0).abs() < 1e-12);
        assert_eq!(activity_course(&weeks[..12]).1, None, "month 3 not over");
        // Week 14 (days 92 to 98) starts in month 3: without it, or short, month 3 is not whole.
        assert_eq!(activity_course(&weeks[..13]).1, None, "week 14 missing");
        let mut short = weeks.clone();
        short[13].complete = 0;
        assert_eq!(activity_course(&short).1, None, "week 14 short");
    }
}
