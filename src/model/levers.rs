//! The operator's levers that act on a whole day or group: red envelopes and their budget,
//! badges, moderation capacity, and the wish for a meetup seat. (The event calendar itself is
//! laid out once, in `scenario::Calendar`.)

use crate::population::needs::{need, NEEDS};
use crate::scenario::{BadgeLevels, RedEnvelopeTerms, TeamCoefficients};

/// Money per genuine post a poster can expect on `day`: the per-post amount, shared out when the
/// community's posts (yesterday's, as the best guess) would exceed the daily budget.
pub fn reward_per_post(re: Option<&RedEnvelopeTerms>, day: u32, expected_posts: f64) -> f64 {
    match re {
        Some(re) if day >= re.start_day && day <= re.end_day => {
            re.per_post.min(re.daily_budget / expected_posts.max(1.0))
        }
        _ => 0.0,
    }
}

/// Money actually paid out on `day` for `posts` genuine posts.
pub fn reward_paid(re: Option<&RedEnvelopeTerms>, day: u32, posts: u64) -> f64 {
    match re {
        Some(re) if day >= re.start_day && day <= re.end_day => {
            (re.per_post * posts as f64).min(re.daily_budget)
        }
        _ => 0.0,
    }
}

/// What a poster expects of a day's prizes for the best contribution: the prize shared over the
/// posts it expects (those of the day before, at least one), as a red envelope's share is.
pub fn prize_per_post(prize: f64, expected_posts: f64) -> f64 {
    prize / expected_posts.max(1.0)
}

/// What a day's prizes cost: they are awarded only when someone posted.
pub fn prize_paid(prize: f64, posts: u64) -> f64 {
    if posts > 0 {
        prize
    } else {
        0.0
    }
}

/// Probability that a committed visitor buys today: its usual `purchase_rate`, or else the
/// day's promotions convert it.
pub fn purchase_probability(purchase_rate: f64, conversion: f32) -> f64 {
    if conversion <= 0.0 {
        // Exactly the usual rate on a day without promotions.
        return purchase_rate;
    }
    1.0 - (1.0 - purchase_rate) * (1.0 - conversion as f64)
}

/// Whether a waiting question is buried: more messages (posts and ads) have been read in its
/// group since the day it was asked than a reader reads back in a day, `attention`.
pub fn buried(read_since: u64, attention: f64) -> bool {
    read_since as f64 >= attention
}

/// Probability that a waiting question is answered today: the day's spare answers shared over
/// the questions waiting, each answered at most once.
pub fn late_answer_probability(spare: f64, waiting: usize) -> f64 {
    if waiting == 0 {
        0.0
    } else {
        (spare / waiting as f64).min(1.0)
    }
}

/// What the operating team does today in each group it staffs, within its time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TeamDay {
    /// Posts it writes.
    pub posts: f64,
    /// Members who never posted it may nudge.
    pub nudges: f64,
    /// Questions it can answer within its time.
    pub answers: u64,
    /// Waiting questions it can answer past its time.
    pub overtime_answers: u64,
    /// Minutes it works past its budget for them.
    pub overtime: f64,
}

/// What the team sees at the start of a day in each group it staffs, on average over them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TeamView {
    /// Groups it staffs today.
    pub staffed: usize,
    /// Questions the staff answered in a group yesterday: the load it keeps time for.
    pub answered_yesterday: f64,
    /// Questions waiting in a group that its readers can still see, unanswered so far.
    pub waiting: f64,
    /// Minutes past its budget it may work today, over all its groups.
    pub overtime: f64,
}

/// The team's day in each of the groups it staffs, its time shared evenly among them: its posts
/// first (its schedule), then nudges, keeping time for as many answers as it gave a group the
/// day before, then answers with what is left. Past its time, it answers questions it sees
/// waiting, at most its overtime. Without a time budget it does all its tasks.
pub fn team_day(t: &TeamCoefficients, v: TeamView) -> TeamDay {
    let Some(minutes) = t.minutes else {
        return TeamDay {
            posts: t.posts_per_day as f64,
            nudges: t.nudges_per_day,
            answers: t.answers_per_day,
            overtime_answers: 0,
            overtime: 0.0,
        };
    };
    let groups = v.staffed.max(1) as f64;
    let mut left = minutes / groups;
    // How many tasks of `each` minutes fit in `time`, at most `most`.
    let fit = |most: f64, each: f64, time: f64| {
        if each > 0.0 {
            most.min(time.max(0.0) / each)
        } else {
            most
        }
    };
    let posts = fit(t.posts_per_day as f64, t.minutes_per_post, left);
    left -= posts * t.minutes_per_post;
    let kept = v.answered_yesterday.min(t.answers_per_day as f64) * t.minutes_per_answer;
    let nudges = fit(t.nudges_per_day, t.minutes_per_nudge, left - kept);
    left -= nudges * t.minutes_per_nudge;
    let answers = fit(t.answers_per_day as f64, t.minutes_per_answer, left).floor() as u64;
    let unmet = (t.answers_per_day - answers) as f64;
    let extra = fit(
        unmet.min(v.waiting),
        t.minutes_per_answer,
        v.overtime / groups,
    )
    .floor();
    TeamDay {
        posts,
        nudges,
        answers,
        overtime_answers: extra as u64,
        overtime: extra * t.minutes_per_answer,
    }
}

/// The overtime a team remembers: what it worked past its budget on each of the last
/// `recovery_days` days (0 on days it did not work). Past `burnout_after`, it burns out.
#[derive(Debug, Clone, PartialEq)]
pub struct Strain {
    /// Overtime of the remembered days, a ring indexed by day.
    days: Vec<f64>,
}

impl Strain {
    pub fn new(recovery_days: u32) -> Strain {
        Strain {
            days: vec![0.0; recovery_days.max(1) as usize],
        }
    }

    /// Records `day`'s overtime, forgetting the day `recovery_days` before it.
    pub fn record(&mut self, day: u32, overtime: f64) {
        let n = self.days.len();
        self.days[day as usize % n] = overtime;
    }

    /// The overtime of the remembered days.
    pub fn total(&self) -> f64 {
        self.days.iter().sum()
    }

    /// Whether it is more than the team takes.
    pub fn burns_out(&self, burnout_after: Option<f64>) -> bool {
        burnout_after.is_some_and(|after| self.total() > after)
    }
}

/// Probability that a visiting member who never posted is nudged today: the group's nudges
/// over its visitors who never posted (as of yesterday, the team's best guess).
pub fn nudge_probability(nudges: f64, silent_visitors: f32) -> f32 {
    if nudges <= 0.0 {
        0.0
    } else {
        (nudges as f32 / silent_visitors.max(1.0)).min(1.0)
    }
}

/// Whether rewards have stopped for good by `day` (crowding out applies after this).
pub fn rewards_over(re: Option<&RedEnvelopeTerms>, day: u32) -> bool {
    re.is_some_and(|re| day > re.end_day)
}

/// Badges reached with `posts` posts, and progress from the last level reached to the next
/// (0 with none left), both as shares: `(reached / levels, progress)`.
pub fn badge_standing(b: &BadgeLevels, posts: u32) -> (f32, f32) {
    let reached = b.levels.iter().take_while(|&&l| l <= posts).count();
    let share = reached as f32 / b.levels.len() as f32;
    let progress = match b.levels.get(reached) {
        Some(&next) => {
            let from = if reached == 0 {
                0
            } else {
                b.levels[reached - 1]
            };
            (posts - from) as f32 / (next - from) as f32
        }
        None => 0.0,
    };
    (share, progress)
}

/// Probability that a given ad is caught when `ads` were posted in a group whose moderators
/// review `capacity` a day.
pub fn catch_probability(capacity: u64, ads: u64) -> f64 {
    if ads == 0 {
        0.0
    } else {
        (capacity as f64 / ads as f64).min(1.0)
    }
}

/// Probability that a question is answered by other members: each of the day's genuine posts
/// that is not a question answers one with probability `peer_answer`, the expected answers shared
/// among the questions.
pub fn peer_answer_probability(peer_answer: f32, other_posts: u32, questions: u32) -> f32 {
    if questions == 0 {
        return 0.0;
    }
    (peer_answer * other_posts as f32 / questions as f32).min(1.0)
}

/// Probability that a moderator answers a question the members left unanswered: the capacity
/// left after reviewing ads, shared among the questions expected to be left.
pub fn moderator_answer_probability(capacity_left: u64, left_unanswered: f64) -> f64 {
    if left_unanswered <= 0.0 {
        1.0
    } else {
        (capacity_left as f64 / left_unanswered).min(1.0)
    }
}

/// How an advertiser's urge to post ads is damped: by the warnings it got, and in a group where
/// a moderator kicked someone lately.
pub fn ad_damping(warnings: u8, warning_effect: f32, deterred: bool, deterrence: f32) -> f32 {
    let warned = (1.0 - warning_effect).powi(warnings as i32);
    if deterred {
        warned * (1.0 - deterrence)
    } else {
        warned
    }
}

/// Probability that a visiting member wants a seat at today's meetup: its strongest pull on
/// life or belonging.
pub fn meetup_wish(pull: &[f32; NEEDS]) -> f32 {
    pull[need::LIFE].max(pull[need::BELONGING])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(minutes: Option<f64>) -> TeamCoefficients {
        TeamCoefficients {
            posts_per_day: 2.0,
            answers_per_day: 10,
            daily_cost: 0.0,
            clones: true,
            funded: false,
            minutes,
            minutes_per_post: 15.0,
            minutes_per_answer: 5.0,
            nudges_per_day: 20.0,
            minutes_per_nudge: 2.0,
            overtime: 0.0,
            burnout_after: None,
            recovery_days: 21,
        }
    }

    fn view(staffed: usize, answered_yesterday: f64) -> TeamView {
        TeamView {
            staffed,
            answered_yesterday,
            waiting: 0.0,
            overtime: 0.0,
        }
    }

    #[test]
    fn the_team_spends_its_time_on_posts_then_nudges_then_answers() {
        // Without a budget it does everything.
        let all = team_day(&team(None), view(3, 4.0));
        assert_eq!((all.posts, all.nudges, all.answers), (2.0, 20.0, 10));
        // 2 groups share 200 minutes: 100 each. Posts take 30; 4 answers' worth (20) is kept
        // from yesterday, so nudges get 50 minutes: 25 would fit, 20 are planned (40 minutes);
        // the 30 left answer 6 questions.
        let day = team_day(&team(Some(200.0)), view(2, 4.0));
        assert_eq!((day.posts, day.nudges, day.answers), (2.0, 20.0, 6));
        // 40 minutes a group: 30 on posts, 10 kept for 2 answers, none for nudges.
        let tight = team_day(&team(Some(80.0)), view(2, 2.0));
        assert_eq!((tight.posts, tight.nudges, tight.answers), (2.0, 0.0, 2));
        // 10 minutes a group: two thirds of a post, nothing else.
        let short = team_day(&team(Some(10.0)), view(1, 4.0));
        assert!((short.posts - 10.0 / 15.0).abs() < 1e-12);
        assert_eq!((short.nudges, short.answers), (0.0, 0));
    }

    #[test]
    fn overtime_answers_only_waiting_questions_its_time_left_unanswered() {
        let waiting = |waiting: f64, overtime: f64| TeamView {
            waiting,
            overtime,
            ..view(2, 2.0)
        };
        // 40 minutes a group leave time for 2 answers (above); 30 minutes of overtime over 2
        // groups are 15 a group, 3 more answers, if 3 questions wait.
        let over = team_day(&team(Some(80.0)), waiting(5.0, 30.0));
        assert_eq!(
            (over.answers, over.overtime_answers, over.overtime),
            (2, 3, 15.0)
        );
        // Only as many as wait: one question, one answer, 5 minutes.
        let one = team_day(&team(Some(80.0)), waiting(1.0, 30.0));
        assert_eq!(
            (one.answers, one.overtime_answers, one.overtime),
            (2, 1, 5.0)
        );
        // Nothing waits, or no overtime allowed: the budget's answers, no overtime.
        for v in [waiting(0.0, 30.0), waiting(5.0, 0.0)] {
            let day = team_day(&team(Some(80.0)), v);
            assert_eq!(
                (day.answers, day.overtime_answers, day.overtime),
                (2, 0, 0.0)
            );
        }
        // Never past `answers_per_day` (10): a large budget leaves no answer to work over for.
        let ample = team_day(&team(Some(1000.0)), waiting(50.0, 300.0));
        assert_eq!(
            (ample.answers, ample.overtime_answers, ample.overtime),
            (10, 0, 0.0)
        );
        // Without a budget there is no overtime.
        assert_eq!(team_day(&team(None), waiting(50.0, 300.0)).overtime, 0.0);
    }

    #[test]
    fn strain_is_the_overtime_of_the_remembered_days() {
        let mut s = Strain::new(3);
        for (day, minutes) in [(1, 10.0), (2, 20.0), (3, 30.0)] {
            s.record(day, minutes);
        }
        assert_eq!(s.total(), 60.0);
        assert!(s.burns_out(Some(59.0)));
        assert!(
            !s.burns_out(Some(60.0)),
            "burns out past the figure, not at it"
        );
        assert!(!s.burns_out(None));
        // Day 4 forgets day 1.
        s.record(4, 0.0);
        assert_eq!(s.total(), 50.0);
        // Three days without overtime forget it all.
        for day in 5..=7 {
            s.record(day, 0.0);
        }
        assert_eq!(s.total(), 0.0);
    }

    #[test]
    fn nudges_are_shared_over_the_visitors_who_never_posted() {
        assert_eq!(nudge_probability(0.0, 50.0), 0.0);
        assert_eq!(nudge_probability(10.0, 50.0), 0.2);
        assert_eq!(nudge_probability(10.0, 4.0), 1.0);
        assert_eq!(
            nudge_probability(0.5, 0.0),
            0.5,
            "at least one visitor expected"
        );
    }

    #[test]
    fn a_promotion_converts_those_who_would_not_have_bought_anyway() {
        assert_eq!(purchase_probability(0.01, 0.0), 0.01);
        assert!((purchase_probability(0.0, 0.05) - 0.05).abs() < 1e-7);
        assert!((purchase_probability(0.1, 0.5) - 0.55).abs() < 1e-7);
    }

    #[test]
    fn a_prize_is_shared_over_the_expected_posts_and_paid_only_if_someone_posts() {
        assert_eq!(prize_per_post(100.0, 50.0), 2.0);
        assert_eq!(
            prize_per_post(100.0, 0.0),
            100.0,
            "at least one post expected"
        );
        assert_eq!(prize_paid(100.0, 0), 0.0);
        assert_eq!(prize_paid(100.0, 7), 100.0);
    }

    #[test]
    fn red_envelopes_pay_within_window_and_budget() {
        let re = RedEnvelopeTerms {
            per_post: 0.5,
            daily_budget: 10.0,
            start_day: 5,
            end_day: 9,
        };
        assert_eq!(reward_per_post(Some(&re), 4, 1.0), 0.0);
        assert_eq!(reward_per_post(Some(&re), 5, 10.0), 0.5);
        assert_eq!(reward_per_post(Some(&re), 9, 40.0), 0.25, "budget shared");
        assert_eq!(reward_per_post(Some(&re), 10, 1.0), 0.0);
        assert_eq!(reward_paid(Some(&re), 6, 8), 4.0);
        assert_eq!(reward_paid(Some(&re), 6, 100), 10.0);
        assert!(!rewards_over(Some(&re), 9) && rewards_over(Some(&re), 10));
        assert!(!rewards_over(None, 1000));
    }

    #[test]
    fn badges_count_levels_and_progress_towards_the_next() {
        let b = BadgeLevels {
            levels: vec![5, 20, 100],
            esteem: 0.3,
        };
        assert_eq!(badge_standing(&b, 0), (0.0, 0.0));
        assert_eq!(badge_standing(&b, 4), (0.0, 0.8));
        let (share, progress) = badge_standing(&b, 20);
        assert!((share - 2.0 / 3.0).abs() < 1e-6 && progress == 0.0);
        assert_eq!(badge_standing(&b, 150), (1.0, 0.0));
    }

    #[test]
    fn moderators_catch_what_capacity_allows_and_serve_with_the_rest() {
        assert_eq!(catch_probability(100, 0), 0.0);
        assert_eq!(catch_probability(100, 50), 1.0);
        assert_eq!(catch_probability(100, 400), 0.25);
        assert_eq!(moderator_answer_probability(0, 10.0), 0.0);
        assert_eq!(moderator_answer_probability(50, 10.0), 1.0);
        assert_eq!(moderator_answer_probability(20, 40.0), 0.5);
        assert_eq!(
            moderator_answer_probability(5, 0.0),
            1.0,
            "nothing left to answer"
        );
    }

    #[test]
    fn peers_answer_more_in_a_busier_group() {
        assert_eq!(
            peer_answer_probability(0.6, 0, 10),
            0.0,
            "nobody writes, nobody answers"
        );
        assert_eq!(peer_answer_probability(0.6, 5, 0), 0.0, "no question");
        let few = peer_answer_probability(0.6, 5, 10);
        let many = peer_answer_probability(0.6, 10, 10);
        assert!((few - 0.3).abs() < 1e-6 && (many - 0.6).abs() < 1e-6);
        assert_eq!(
            peer_answer_probability(0.6, 100, 10),
            1.0,
            "at most every question"
        );
    }

    #[test]
    fn warnings_and_kicks_deter_advertisers() {
        assert_eq!(ad_damping(0, 0.3, false, 0.5), 1.0);
        assert!((ad_damping(2, 0.3, false, 0.5) - 0.49).abs() < 1e-6);
        assert!((ad_damping(0, 0.3, true, 0.5) - 0.5).abs() < 1e-6);
    }
}
