//! Levers that cannot act in a scenario that is otherwise valid: the run still goes, with a
//! warning for each (a topic night after the run ends, a red envelope that never pays, overtime
//! for a team that never runs out of time). The rules that make a scenario invalid are in
//! `validate.rs`; every key named here is checked there, in a test, to be a declared key.

use super::file::Founders;
use super::file::ScenarioFile;
use super::validate::Invalid;
use super::{EventKind, NetworkKind};

/// Levers that cannot act in this scenario: the run still goes, with a warning for each.
/// `written` says whether the file (or an override) writes a key: a key left to its default is
/// no lever pulled.
pub fn lint(s: &ScenarioFile, written: &dyn Fn(&str) -> bool) -> Vec<Invalid> {
    let mut out = Vec::new();
    let mut warn = |key: &str, message: String| {
        out.push(Invalid {
            key: key.to_string(),
            message,
            involved: Vec::new(),
        })
    };
    let days = s.days;
    for (i, e) in s.events.iter().enumerate() {
        // Day 0 is never simulated: an event from day 0 first takes place on `every_days`.
        let first = if e.start_day == 0 {
            e.every_days
        } else {
            e.start_day
        };
        if first > days {
            warn(
                &format!("events.{i}.start_day"),
                format!(
                    "this event first takes place on day {first}, after the run's last day \
                     ({days}): it never happens"
                ),
            );
        }
    }
    rewards(s, &mut warn);
    entry_and_rules(s, written, &mut warn);
    overtime_levers(s, written, &mut warn);
    life_course(s, written, &mut warn);
    if written("monetization.price") && s.monetization.purchase_rate == 0.0 {
        warn(
            "monetization.price",
            "a price is paid only when members buy, and `purchase_rate` is 0".into(),
        );
    }
    network_keys(s, written, &mut warn);
    founders_and_selling(s, written, &mut warn);
    for (i, g) in s.population.segments.iter().enumerate() {
        if g.needs.to_array().iter().all(|&x| x == 0.0) && g.share > 0.0 {
            warn(
                &format!("population.segments.{i}.needs"),
                "this segment has no needs: its agents take no action (no need, no action)".into(),
            );
        }
    }
    let a = &s.acquisition;
    if s.community.seed_members == 0 && a.ad_reach == 0.0 {
        warn(
            "acquisition.ad_reach",
            "with no ads and no seed members, nobody ever hears of the community".into(),
        );
    }
    let floor = s.community.health.members;
    if floor + s.community.seed_members > s.population.size {
        warn(
            "community.health.members",
            format!(
                "a healthy group needs {floor} members besides the {} seed members, more than the \
                 population ({}): no run can end healthy",
                s.community.seed_members, s.population.size
            ),
        );
    }
    out
}

/// Founders pulled from the owner's ties where there is nobody to pull, and a mute over selling
/// where the operator sells nothing.
fn founders_and_selling(
    s: &ScenarioFile,
    written: &dyn Fn(&str) -> bool,
    warn: &mut dyn FnMut(&str, String),
) {
    if s.community.founders == Founders::OwnerTies {
        if s.community.seed_members == 1 {
            warn(
                "community.founders",
                "with one seed member the founders are the owner alone, drawn at random: the \
                 same as `random`"
                    .into(),
            );
        } else if s.population.network.degree == 0.0 {
            warn(
                "community.founders",
                "a network of degree 0 has no ties: the founders are drawn at random".into(),
            );
        }
    }
    let sells = s.events.iter().any(|e| e.kind == EventKind::Promotion);
    if written("behavior.promotion_mute") && !sells {
        warn(
            "behavior.promotion_mute",
            "no event is a promotion: nobody reads a selling post to mute over".into(),
        );
    }
}

/// Network keys that do not apply to the network's kind.
fn network_keys(
    s: &ScenarioFile,
    written: &dyn Fn(&str) -> bool,
    warn: &mut dyn FnMut(&str, String),
) {
    let n = &s.population.network;
    if n.kind != NetworkKind::SmallWorld && written("population.network.rewire") {
        warn(
            "population.network.rewire",
            format!(
                "rewiring applies to small-world networks, not `{}`",
                n.kind.word()
            ),
        );
    }
    if n.kind == NetworkKind::WellMixed && written("population.network.degree") {
        warn(
            "population.network.degree",
            "a well-mixed population has no ties, so no degree".into(),
        );
    }
}

/// Keys of members' life course and of the opening that cannot act: a community that never
/// opens, an announcement on a day that is never simulated, a hold on or a return from a lapse
/// that never happens.
fn life_course(
    s: &ScenarioFile,
    written: &dyn Fn(&str) -> bool,
    warn: &mut dyn FnMut(&str, String),
) {
    let (a, b) = (&s.acquisition, &s.behavior);
    if a.open_day > s.days {
        warn(
            "acquisition.open_day",
            format!(
                "the community opens on day {}, after the run's last day ({}): nobody outside \
                 ever hears of it",
                a.open_day, s.days
            ),
        );
    }
    if a.open_day > 0 && s.community.seed_members == 0 {
        warn(
            "acquisition.open_day",
            "a private beta with no seed members: the community is empty until it opens".into(),
        );
    }
    if written("acquisition.opening_reach") && a.open_day == 0 {
        warn(
            "acquisition.opening_reach",
            "the community is open from day 0, which is never simulated: set `open_day` for \
             the announcement to fall on a day of the run"
                .into(),
        );
    }
    if b.lapse_rate == 0.0 {
        for key in ["behavior.lapse_commitment", "behavior.episode_rate"] {
            if written(key) {
                warn(
                    key,
                    "with `lapse_rate` 0 no member's interest lapses, so this never acts".into(),
                );
            }
        }
    }
}

/// Overtime that can never be worked, and burnout that cannot happen or happens at once.
fn overtime_levers(
    s: &ScenarioFile,
    written: &dyn Fn(&str) -> bool,
    warn: &mut dyn FnMut(&str, String),
) {
    let t = &s.team;
    if t.overtime_minutes == 0.0 {
        for key in ["team.burnout_after", "team.recovery_days"] {
            if written(key) {
                warn(
                    key,
                    "the team wears out only with overtime, and `team.overtime_minutes` is 0"
                        .into(),
                );
            }
        }
        return;
    }
    let key = "team.overtime_minutes";
    if t.answers_per_day == 0 || t.minutes_per_answer == 0.0 {
        warn(
            key,
            "overtime is spent answering, and with `answers_per_day` or `minutes_per_answer` at \
             0 the team never needs it"
                .into(),
        );
    } else if t.overtime_minutes < t.minutes_per_answer {
        warn(
            key,
            format!(
                "{} minutes are less than one answer ({} minutes): no overtime is ever worked",
                t.overtime_minutes, t.minutes_per_answer
            ),
        );
    }
    let Some(after) = t.burnout_after else { return };
    let most = t.overtime_minutes * t.recovery_days as f64;
    if after as f64 >= most {
        warn(
            "team.burnout_after",
            format!(
                "at most {most} minutes of overtime fit in {} days: the team never burns out",
                t.recovery_days
            ),
        );
    } else if (after as f64) < t.minutes_per_answer {
        warn(
            "team.burnout_after",
            "less than one answer's time: the first overtime answer burns the team out".into(),
        );
    }
}

/// Red envelopes, badges and crowding out that cannot act.
fn rewards(s: &ScenarioFile, warn: &mut dyn FnMut(&str, String)) {
    let days = s.days;
    let i = &s.incentives;
    match &i.red_envelope {
        Some(re) if re.start_day > days => warn(
            "incentives.red_envelope.start_day",
            format!(
                "red envelopes start on day {}, after the run's last day ({days}): none is paid",
                re.start_day
            ),
        ),
        Some(re) if re.per_post == 0.0 || re.daily_budget == 0.0 => warn(
            "incentives.red_envelope",
            "these red envelopes pay nothing (a per-post amount or a daily budget of 0)".into(),
        ),
        None if i.crowding_out > 0.0 => warn(
            "incentives.crowding_out",
            "crowding out follows the end of red envelopes, and there are none".into(),
        ),
        _ => {}
    }
    if let Some(b) = &i.badges {
        let most = days.saturating_mul(super::MAX_MESSAGES_A_DAY);
        if let Some(&level) = b.levels.iter().find(|&&l| l > most) {
            warn(
                "incentives.badges.levels",
                format!(
                    "the badge at {level} posts cannot be reached: a member writes at most {} \
                     messages a day, and the run has {days} days",
                    super::MAX_MESSAGES_A_DAY
                ),
            );
        }
    }
}

/// Entry terms and house rules that apply only to another kind of entry or rule.
fn entry_and_rules(
    s: &ScenarioFile,
    written: &dyn Fn(&str) -> bool,
    warn: &mut dyn FnMut(&str, String),
) {
    let kind = s.entry.kind;
    let only = |key: &str, needed: super::EntryKind| written(key) && kind != needed;
    for key in ["entry.fee", "entry.period_days"] {
        if only(key, super::EntryKind::Paid) {
            warn(
                key,
                format!(
                    "this applies only when `entry.kind = \"paid\"`; entry here is `{}`, so it \
                     has no effect",
                    kind.word()
                ),
            );
        }
    }
    for key in [
        "entry.review_accuracy",
        "entry.application_effort",
        "entry.fit_bar",
    ] {
        if only(key, super::EntryKind::Application) {
            warn(
                key,
                format!(
                    "this applies only when `entry.kind = \"application\"`; entry here is `{}`",
                    kind.word()
                ),
            );
        }
    }
    if kind == super::EntryKind::Paid && s.entry.fee == 0.0 {
        warn(
            "entry.fee",
            "a paid community with a fee of 0 charges nothing".into(),
        );
    }
    let r = &s.rules;
    if r.daily_cost > 0.0
        && r.moderators_per_group == 0
        && r.clone_moderators.unwrap_or(0) == 0
        && r.shared_moderators == 0
        && r.funded_moderators == 0
    {
        warn(
            "rules.daily_cost",
            "a moderator's daily cost with no moderators costs nothing".into(),
        );
    }
    if r.ads == super::AdsRule::Allowed && written("rules.kick_after") {
        warn(
            "rules.kick_after",
            "with ads allowed nobody is warned or kicked".into(),
        );
    }
}
