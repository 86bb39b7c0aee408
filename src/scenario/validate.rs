//! The rules that tie keys together, which the per-key ranges of the declarations cannot
//! express: segment shares summing to 1, distinct segment names, networks that fit their size,
//! seed members that fit their groups, red envelopes that end after they start.
//!
//! Every key named here is checked, in a test, to be a declared key.

use super::file::{Founders, ScenarioFile, MAX_SIZE};
use super::NetworkKind;

/// A rule broken by a scenario: the dotted key and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
    /// Other keys the rule ties `key` to: a `--set` of any of them may be what broke it.
    pub involved: Vec<&'static str>,
}

type Check = Result<(), Invalid>;

fn fail(key: impl Into<String>, message: impl Into<String>) -> Check {
    fail_involving(key, &[], message)
}

/// A broken rule that ties `key` to the `involved` keys.
fn fail_involving(
    key: impl Into<String>,
    involved: &[&'static str],
    message: impl Into<String>,
) -> Check {
    Err(Invalid {
        key: key.into(),
        message: message.into(),
        involved: involved.to_vec(),
    })
}

/// Checks every cross-key rule; the first broken one is returned.
pub fn validate(s: &ScenarioFile) -> Check {
    segments(s)?;
    network(s)?;
    seed_members(s)?;
    core(s)?;
    overtime(s)?;
    if let Some(re) = &s.incentives.red_envelope {
        if re.end_day < re.start_day {
            return fail_involving(
                "incentives.red_envelope.end_day",
                &["incentives.red_envelope.start_day"],
                format!(
                    "ends (day {}) before it starts (day {})",
                    re.end_day, re.start_day
                ),
            );
        }
    }
    Ok(())
}

fn segments(s: &ScenarioFile) -> Check {
    let segments = &s.population.segments;
    let total: f64 = segments.iter().map(|g| g.share).sum();
    if (total - 1.0).abs() > 1e-6 {
        return fail(
            "population.segments",
            format!("segment shares must sum to 1, they sum to {total}"),
        );
    }
    for (i, g) in segments.iter().enumerate() {
        if let Some(j) = segments[..i].iter().position(|h| h.name == g.name) {
            return fail_involving(
                format!("population.segments.{i}.name"),
                &["population.segments"],
                format!(
                    "segments {j} and {i} are both named `{}`: give each segment its own name",
                    super::keys::elide(&g.name, 40)
                ),
            );
        }
    }
    Ok(())
}

fn network(s: &ScenarioFile) -> Check {
    let p = &s.population;
    let n = &p.network;
    let size = p.size as f64;
    let key = "population.network.degree";
    let involved = &["population.size", "population.network.kind"];
    let even_whole =
        n.degree >= 2.0 && n.degree.fract() == 0.0 && (n.degree as u64).is_multiple_of(2);
    match n.kind {
        NetworkKind::WellMixed => return Ok(()),
        NetworkKind::SmallWorld | NetworkKind::ScaleFree if !even_whole => {
            return fail_involving(
                key,
                involved,
                format!(
                    "a {} network needs an even whole degree ≥ 2, found {}",
                    n.kind.word(),
                    n.degree
                ),
            );
        }
        _ => {}
    }
    if n.degree > size - 1.0 {
        return fail_involving(
            key,
            involved,
            format!(
                "a degree of {} does not fit {} agents (at most size - 1 = {})",
                n.degree,
                p.size,
                p.size - 1
            ),
        );
    }
    if size * n.degree.max(1.0) >= u32::MAX as f64 {
        return fail_involving(
            key,
            involved,
            format!(
                "{} agents with degree {} make more ties than agora can index (2^32)",
                p.size, n.degree
            ),
        );
    }
    Ok(())
}

fn seed_members(s: &ScenarioFile) -> Check {
    let c = &s.community;
    let key = "community.seed_members";
    if c.seed_members > s.population.size {
        return fail_involving(
            key,
            &["population.size"],
            format!(
                "{} seed members do not fit a population of {}",
                c.seed_members, s.population.size
            ),
        );
    }
    if let Some(max) = c.max_groups {
        if c.seed_members > max.saturating_mul(c.group_cap) {
            return fail_involving(
                key,
                &["community.max_groups", "community.group_cap"],
                format!(
                    "{} seed members do not fit {max} groups of {}",
                    c.seed_members, c.group_cap
                ),
            );
        }
    }
    debug_assert!(s.population.size <= MAX_SIZE);
    founders(s)
}

/// Founders pulled in through the owner's ties need ties, and founders.
fn founders(s: &ScenarioFile) -> Check {
    let c = &s.community;
    if c.founders != Founders::OwnerTies {
        return Ok(());
    }
    let key = "community.founders";
    if c.seed_members == 0 {
        return fail_involving(
            key,
            &["community.seed_members"],
            "founders from the owner's ties, but no seed members to pull in",
        );
    }
    if s.population.network.kind == NetworkKind::WellMixed {
        return fail_involving(
            key,
            &["population.network"],
            "founders from the owner's ties need a network: a well-mixed population has no ties",
        );
    }
    Ok(())
}

/// A core group holds every seed member in one group and leaves room for joiners elsewhere;
/// clones can seat only seed members there are, and must keep a place for joiners.
fn core(s: &ScenarioFile) -> Check {
    let c = &s.community;
    if c.core {
        let key = "community.core";
        if c.seed_members == 0 {
            return fail_involving(
                key,
                &["community.seed_members"],
                "a core group needs seed members to form it",
            );
        }
        if c.seed_members > c.group_cap {
            return fail_involving(
                key,
                &["community.seed_members", "community.group_cap"],
                format!(
                    "the core group of {} seed members does not fit one group of {}",
                    c.seed_members, c.group_cap
                ),
            );
        }
        if c.max_groups == Some(1) {
            return fail_involving(
                key,
                &["community.max_groups"],
                "with a core group, `max_groups` must allow at least one group for joiners (2 \
                 or more)",
            );
        }
    }
    // The owner (admins = 1, the default) of a community without seed members runs it from
    // outside, as the team; more admins than seed members is a mistake.
    if c.admins > c.seed_members.max(1) {
        return fail_involving(
            "community.admins",
            &["community.seed_members"],
            format!(
                "{} admins among the seed members, but only {} seed members",
                c.admins, c.seed_members
            ),
        );
    }
    // Duties need someone to carry them.
    if c.admin_reviews > 0 && c.admins.min(c.seed_members) == 0 {
        return fail_involving(
            "community.admin_reviews",
            &["community.admins", "community.seed_members"],
            "admins' duties, but no admin among the seed members to carry them",
        );
    }
    let key = "community.clone_seeds";
    if c.clone_seeds > c.seed_members {
        return fail_involving(
            key,
            &["community.seed_members"],
            format!(
                "{} seats for seed members in each new group, but only {} seed members",
                c.clone_seeds, c.seed_members
            ),
        );
    }
    if c.clone_seeds >= c.group_cap {
        return fail_involving(
            key,
            &["community.group_cap"],
            format!(
                "{} seed members in each new group of {} leave no place for joiners",
                c.clone_seeds, c.group_cap
            ),
        );
    }
    Ok(())
}

/// Overtime is time past a budget, and a team that works it must be able to burn out.
fn overtime(s: &ScenarioFile) -> Check {
    let t = &s.team;
    if t.overtime_minutes > 0.0 {
        if t.minutes_per_day.unwrap_or(0) == 0 {
            return fail_involving(
                "team.overtime_minutes",
                &["team.minutes_per_day"],
                "overtime is time past the team's daily budget, and `team.minutes_per_day` sets \
                 none",
            );
        }
        if t.burnout_after.is_none() {
            return fail_involving(
                "team.overtime_minutes",
                &["team.burnout_after"],
                "say how much overtime your team takes before it burns out \
                 (`team.burnout_after`, minutes over `recovery_days` days)",
            );
        }
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use crate::scenario::keys::{flatten, Table};
    use crate::scenario::schema::generic_path;

    #[test]
    fn every_key_a_rule_names_is_declared() {
        let src = include_str!("validate.rs")
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default();
        let declared: Vec<String> = flatten(<crate::scenario::file::ScenarioFile as Table>::KEYS)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let mut named = 0;
        for piece in src.split('"').skip(1).step_by(2) {
            let looks_like_key = piece.contains('.')
                && piece.chars().all(|c| {
                    c.is_ascii_lowercase() || c == '_' || c == '.' || c == '{' || c == '}'
                });
            if looks_like_key {
                let key = generic_path(&piece.replace("{i}", "0"));
                assert!(declared.contains(&key), "`{piece}` is not a declared key");
                named += 1;
            }
        }
        assert!(named >= 4, "found only {named} keys");
    }
}
