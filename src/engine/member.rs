//! A member's day: whether its membership ends (renewal, quitting), whether it visits, what the
//! visit gives it, and what it does there (advertise, post, buy, ask for a meetup seat).

use super::joining::{needs_of, Env};
use super::muting::mutes;
use super::replies::replies_arrive;
use super::seats::spread_posts;
use super::state::{Chunk, Flags, Status, Today};
use super::tally::{segment_day, DayTally, GroupCounts, Milestones};
use crate::model::activity::{
    advert_probability, ask_probability, belonging_pull, lapse_probability, messages_written,
    post_probability, seed_zeal, visit_probability, PostDrivers, VisitDrivers,
};
use crate::model::levers::{ad_damping, badge_standing, meetup_wish, purchase_probability};
use crate::model::tenure::{
    bond_after, felt_fee, quit_hazard, quit_threshold, recent_payment, renew_probability,
};
use crate::model::value::{
    involvement, meetup_bond, utility, visit_cost, visit_values, GroupYesterday, VisitorSituation,
};
use crate::model::{ema, has_need, saturating};
use crate::population::needs::{
    intensity, need, pulls, quantize_satisfaction, satisfaction, NEEDS,
};
use crate::population::talkativeness;
use crate::rng::{Decision, Draws};
use crate::scenario::EntryKind;

/// Where member `local` stands in its tenure today, for the funnel.
#[inline(always)]
pub fn milestones(c: &Chunk, local: usize, day: u32) -> Milestones {
    let seed = c.flags[local].contains(Flags::SEED);
    Milestones::of(seed, c.join_day[local], c.last_visit[local], day)
}

/// A member's day: renewal, quitting, and if it visits, what the visit gives and what it does.
#[inline(always)]
pub fn member_day(
    c: &mut Chunk,
    local: usize,
    env: &Env,
    t: &mut DayTally,
    counts: &mut GroupCounts,
) {
    let i = c.start + local as u32;
    let d = env.draws.agent(i);
    let g = c.group[local] as usize;
    replies_arrive(c, local, env, &d);
    if membership_ends(c, local, env, &d, t) {
        c.status[local] = Status::Left;
        t.quits += 1;
        counts.departures[g] += 1;
        counts.seed_departures[g] += c.flags[local].contains(Flags::SEED) as u32;
        segment_day(&mut t.segments, env.pop.segment[c.start as usize + local]).quits += 1;
        return;
    }
    let seed = c.flags[local].contains(Flags::SEED);
    let muted = c.flags[local].contains(Flags::MUTED);
    // A member that muted the group reads nothing, so it has no interest left to lapse.
    if muted && !env.events.announced || !muted && !engaged(c, local, env, &d) {
        // A member who muted the group no longer reads it: it stays, silent, until an event
        // is announced to everyone (a mention of all reaches through a mute). A dormant one,
        // whose need did not recur today, stays away too.
        end_of_day(c, local, env, (absence(c.flags[local]), 0), t, counts);
        return;
    }
    let drivers = VisitDrivers {
        commitment: c.commitment[local],
        event_boost: env.events.visit_boost,
        recent_payment: paid_recently(c, local, env),
        episode_age: env.day as f32 - c.episode[local] as f32,
    };
    let visits = d.chance(
        Decision::Visit,
        visit_probability(&env.k.weights, &drivers) as f64,
    );
    let (did, messages) = if visits {
        // A dormant member brought by an announcement is engaged again by its visit.
        c.flags[local] -= Flags::DORMANT;
        let (did, messages) = visit(c, local, env, &d, t);
        counts.visitors[g] += 1;
        if !seed && !c.flags[local].contains(Flags::FIRST_POST) {
            counts.silent_visitors[g] += 1;
        }
        if seed && !env.seats.is_empty() {
            // A seed member reads every group it sits in.
            for s in env.seats.of(i) {
                counts.visitors[s as usize] += 1;
            }
        }
        if did.contains(Today::ASKED) {
            counts.questions[g] += 1;
            t.questions += 1;
        }
        c.last_visit[local] = env.day.min(u16::MAX as u32) as u16;
        let flags = &mut c.flags[local];
        *flags |= Flags::VISITED_WEEK;
        let fresh = env.day <= c.join_day[local] as u32 + 7;
        if !seed && fresh && !flags.contains(Flags::ACTIVATED) {
            *flags |= Flags::ACTIVATED;
            t.funnel.activated += 1;
        }
        (did, messages)
    } else {
        // Announced to, but it did not come: still muted, or dormant.
        (absence(c.flags[local]), 0)
    };
    end_of_day(c, local, env, (did, messages), t, counts);
}

/// What a member that stays away is today: muted, dormant, both or neither.
#[inline(always)]
fn absence(flags: Flags) -> Today {
    let mut did = Today::empty();
    did.set(Today::MUTED, flags.contains(Flags::MUTED));
    did.set(Today::DORMANT, flags.contains(Flags::DORMANT));
    did
}

/// Whether member `local` is engaged today, and so decides whether to visit: an engaged member
/// whose interest does not lapse today (one that lapses stays away from today), or a dormant
/// one whose need recurs today (a new episode, from which its novelty counts again) or to whom
/// an event is announced today (which brings it back only if it then visits). A member without
/// needs never lapses: it has no interest to lose.
#[inline(always)]
fn engaged(c: &mut Chunk, local: usize, env: &Env, d: &Draws) -> bool {
    let w = &env.k.weights;
    let flags = &mut c.flags[local];
    if !flags.contains(Flags::DORMANT) {
        if w.lapse_rate <= 0.0 || !has_need(&env.pop.needs[c.start as usize + local]) {
            return true;
        }
        let p = lapse_probability(w, c.commitment[local]);
        // The owner and the admins do not lose interest in the group they run.
        if !d.chance(Decision::Lapse, p as f64) || flags.contains(Flags::ADMIN) {
            return true;
        }
        *flags |= Flags::DORMANT;
        return false;
    }
    if w.episode_rate > 0.0 && d.chance(Decision::Episode, w.episode_rate) {
        *flags -= Flags::DORMANT;
        c.episode[local] = env.day.min(u16::MAX as u32) as u16;
        return true;
    }
    env.events.announced
}

/// The felt fee of a paying member's last payment, faded since (0 for those who do not pay).
#[inline(always)]
fn paid_recently(c: &Chunk, local: usize, env: &Env) -> f32 {
    let k = env.k;
    if k.entry.kind != EntryKind::Paid || c.flags[local].contains(Flags::SEED) {
        return 0.0;
    }
    let sensitivity = intensity(env.pop.price_sensitivity[c.start as usize + local]);
    let felt = felt_fee(sensitivity, k.entry.fee_f32, k.weights.fee_reference);
    // The last payment was at the start of the running period.
    let since = env.day as f32 - (c.paid_until[local] as f32 - k.entry.period_days as f32);
    recent_payment(&k.weights, felt, since)
}

/// What member `local` finds in the groups it reads: what they held yesterday (its own, and for
/// a seed member seated in others, all of them together), and the operator's promotions of
/// today, read like ads in every group it reads.
#[inline(always)]
pub(super) fn read_groups(c: &Chunk, local: usize, env: &Env, seed: bool) -> GroupYesterday {
    let own = c.group[local];
    let mut read = if seed && !env.seats.is_empty() {
        let seats = env.seats.of(c.start + local as u32);
        GroupYesterday::together(
            std::iter::once(own)
                .chain(seats)
                .map(|g| env.groups[g as usize]),
        )
    } else {
        env.groups[own as usize]
    };
    read.ads += env.events.promotions * env.seats.groups_read(c.start + local as u32, seed) as f32;
    read
}

/// Members among an agent's ties (0 when well-mixed: no ties).
#[inline(always)]
fn member_friends(i: u32, env: &Env) -> u32 {
    let net = &env.pop.network;
    if net.is_well_mixed() {
        return 0;
    }
    net.neighbours(i)
        .iter()
        .filter(|&&j| env.view.is_member(j))
        .count() as u32
}

/// Whether the membership ends today: a paid member who does not renew at the end of its
/// period, or a member past its grace days who quits. Founders and opinion leaders can quit
/// like anyone; they pay no fee. The owner and the admins never quit the group they run.
#[inline(always)]
fn membership_ends(c: &mut Chunk, local: usize, env: &Env, d: &Draws, t: &mut DayTally) -> bool {
    let k = env.k;
    let w = &k.weights;
    let seed = c.flags[local].contains(Flags::SEED);
    if c.flags[local].contains(Flags::ADMIN) {
        return false;
    }
    let commitment = c.commitment[local];
    let paid = k.entry.kind == EntryKind::Paid && !seed;
    let felt = if paid {
        let sensitivity = intensity(env.pop.price_sensitivity[(c.start as usize) + local]);
        felt_fee(sensitivity, k.entry.fee_f32, w.fee_reference)
    } else {
        0.0
    };
    if paid && env.day == c.paid_until[local] as u32 {
        if !d.chance(
            Decision::Renew,
            renew_probability(w, commitment, felt) as f64,
        ) {
            return true;
        }
        let next = (env.day + k.entry.period_days).min(u16::MAX as u32 - 1);
        c.paid_until[local] = next as u16;
        t.renewals += 1;
    }
    if env.day < c.join_day[local] as u32 + w.grace_days || commitment >= w.quit_threshold {
        return false;
    }
    // Below the threshold: friends in the community, and a recent payment, may still hold the
    // member in.
    let friends = if w.friend_hold > 0.0 {
        member_friends(c.start + local as u32, env)
    } else {
        0
    };
    let threshold = quit_threshold(w, friends, paid_recently(c, local, env));
    let hazard = quit_hazard(w, commitment, threshold);
    hazard > 0.0 && d.chance(Decision::Quit, hazard as f64)
}

/// A visit: the member's value, utility and satisfaction are updated, and it chooses what to do
/// (with the messages it writes, 0 if none).
#[inline(always)]
fn visit(c: &mut Chunk, local: usize, env: &Env, d: &Draws, t: &mut DayTally) -> (Today, u32) {
    let iu = c.start as usize + local;
    let pop = env.pop;
    let w = &env.k.weights;
    let seed = c.flags[local].contains(Flags::SEED);
    // No need, no action: a visit by a member without needs who does not advertise gives
    // nothing and costs nothing (utility exactly 0), so the value computation is skipped.
    let advertises = pop.advertiser[iu] && !seed;
    if !has_need(&pop.needs[iu]) && !advertises {
        c.commitment[local] = ema(c.commitment[local], 0.0, w.memory);
        c.satisfaction[local] = [0; NEEDS];
        return (Today::VISITED, 0);
    }
    let needs = needs_of(pop, iu);
    let sat = c.satisfaction[local].map(satisfaction);
    let pull = pulls(&needs, &sat, env.k.community.prepotency);
    let group = &read_groups(c, local, env, seed);
    let mut me = situation(c, local, env);
    me.bond = grown_bond(c, local, env, &me);
    c.bond[local] = quantize_satisfaction(me.bond);
    let values = visit_values(&env.k.value, group, &me);
    let posted_yesterday = c.flags[local].contains(Flags::POSTED);
    let incentive = intensity(pop.incentive_sensitivity[iu]);
    let material = if posted_yesterday {
        incentive * saturating(env.reward_yesterday, w.reward_reference)
    } else {
        0.0
    };
    let aversion = env.k.value.aversion[pop.segment[iu] as usize];
    let mut cost = visit_cost(&env.k.value, group, aversion, involvement(&needs));
    if c.flags[local].contains(Flags::UNANSWERED) {
        cost += w.unanswered_cost;
    }
    // Yesterday's question, answered or not, has been felt.
    c.flags[local] -= Flags::ANSWERED | Flags::UNANSWERED;
    let u = utility(&pull, &values, material, cost);
    c.commitment[local] = ema(c.commitment[local], u, w.memory);
    // A visit that costs more than it gives, in a group with more to read than the member can
    // read, may make it mute the group instead of reading on.
    if mutes(c, local, env, d, group, u) {
        return (Today::VISITED | Today::MUTED, 0);
    }
    // A muted member that came back for an announcement and stays reading unmutes.
    c.flags[local] -= Flags::MUTED | Flags::SOLD_OFF;
    let mut new_sat = [0u16; NEEDS];
    for k in 0..NEEDS {
        // Only a need the member has can be satisfied.
        if needs[k] > 0.0 {
            new_sat[k] = quantize_satisfaction(ema(sat[k], values[k].min(1.0), w.memory));
        }
    }
    c.satisfaction[local] = new_sat;
    // Unmet needs as of the start of the visit, and the team's nudge.
    let prompts = Prompts {
        promotion: (needs[need::PROMOTION] - sat[need::PROMOTION]).max(0.0),
        askable: ASKABLE
            .iter()
            .map(|&k| (needs[k] - sat[k]).max(0.0))
            .fold(0.0, f32::max),
        nudged: nudged(c, local, env, d),
        replied: me.replied,
    };
    t.nudges += prompts.nudged as u64;
    let (wrote, messages) = act(c, local, env, d, &pull, prompts, group);
    t.nudges_answered += (prompts.nudged && wrote.contains(Today::POSTED)) as u64;
    let mut did = Today::VISITED | wrote;
    if has_need(&pop.needs[iu]) {
        did |= extras(c.commitment[local], env, d, &pull, t);
    }
    (did, messages)
}

/// The member's bond as of this visit: what was left of it since the last visit, grown by a
/// reply read today.
#[inline(always)]
fn grown_bond(c: &Chunk, local: usize, env: &Env, me: &VisitorSituation) -> f32 {
    let w = &env.k.weights;
    let since = if c.last_visit[local] > 0 {
        c.last_visit[local] as u32
    } else {
        c.join_day[local] as u32
    };
    let replies = if me.replied { 1.0 } else { 0.0 };
    bond_after(
        w,
        satisfaction(c.bond[local]),
        (env.day - since.min(env.day)) as f32,
        replies,
    )
}

/// What the member's own doings and history add to what a visit gives it.
#[inline(always)]
fn situation(c: &Chunk, local: usize, env: &Env) -> VisitorSituation {
    let flags = c.flags[local];
    let badge_esteem = match &env.k.rewards.badges {
        Some(badges) => {
            let (share, _) = badge_standing(badges, c.posts[local] as u32);
            badges.esteem * share
        }
        None => 0.0,
    };
    let last_meetup = c.last_meetup[local];
    let calendar = &env.k.calendar;
    let bond = if last_meetup > 0 {
        let since = env.day as f32 - (last_meetup - 1) as f32;
        meetup_bond(calendar.offline_value, since, calendar.offline_persistence)
    } else {
        0.0
    };
    VisitorSituation {
        // A question nobody answered got no replies and no audience.
        posted_yesterday: flags.contains(Flags::POSTED) && !flags.contains(Flags::UNANSWERED),
        replied: flags.contains(Flags::REPLIED),
        advertised_yesterday: flags.contains(Flags::ADVERTISED),
        badge_esteem,
        guest_value: env.events.guest_value,
        meetup_bond: bond,
        answered: flags.contains(Flags::ANSWERED),
        bond: satisfaction(c.bond[local]),
    }
}

/// The needs a member asks the group about: help (service), work, and learning from experts.
const ASKABLE: [usize; 3] = [need::SERVICE, need::WORK, need::LEARNING];

/// What prompts a visitor to write: what it still lacks, as of the start of its visit, and a
/// nudge from the operating team.
#[derive(Clone, Copy)]
struct Prompts {
    /// Unmet promotion: it may turn a member to ads.
    promotion: f32,
    /// The largest unmet need among those a question can meet ([`ASKABLE`]).
    askable: f32,
    /// The team nudged it today (it never posted).
    nudged: bool,
    /// It reads a reply to its post today.
    replied: bool,
}

/// Whether the team nudges visiting member `local` today: only members who never posted (this
/// membership), seed members aside, with the group's nudge chance.
#[inline(always)]
fn nudged(c: &Chunk, local: usize, env: &Env, d: &Draws) -> bool {
    let chance = env.nudge_chance[c.group[local] as usize];
    chance > 0.0
        && !c.flags[local].intersects(Flags::FIRST_POST | Flags::SEED)
        && d.chance(Decision::Nudge, chance as f64)
}

/// Probability that visitor `local` posts an ad: an advertiser at heart, or a member whose
/// promotion need is unmet, damped by its warnings and a recent kick; never a seed member.
#[inline(always)]
fn advert_chance(
    c: &Chunk,
    local: usize,
    env: &Env,
    promotion: f32,
    group: &GroupYesterday,
) -> f32 {
    if c.flags[local].contains(Flags::SEED) {
        return 0.0;
    }
    let w = &env.k.weights;
    let damping = ad_damping(
        c.warnings[local],
        w.warning_effect,
        group.deterred,
        w.kick_deterrence,
    );
    let advertiser = env.pop.advertiser[c.start as usize + local];
    advert_probability(w, advertiser, promotion) * damping
}

/// What a visitor writes: an ad (advertisers, or members with unmet promotion), else perhaps a
/// question (a genuine post that asks for help), else perhaps a genuine post. Founders and
/// opinion leaders never advertise; members without needs never post.
#[inline(always)]
fn act(
    c: &Chunk,
    local: usize,
    env: &Env,
    d: &Draws,
    pull: &[f32; NEEDS],
    unmet: Prompts,
    group: &GroupYesterday,
) -> (Today, u32) {
    let iu = c.start as usize + local;
    let pop = env.pop;
    let k = env.k;
    let flags = c.flags[local];
    let seed = flags.contains(Flags::SEED);
    let p_ad = advert_chance(c, local, env, unmet.promotion, group);
    if p_ad > 0.0 && d.chance(Decision::Advert, p_ad as f64) {
        return (Today::ADVERT, 0);
    }
    if !has_need(&pop.needs[iu]) {
        return (Today::empty(), 0);
    }
    let shyness = intensity(pop.shyness[iu]);
    let talkative = if pop.talkative {
        talkativeness(pop.talkativeness[iu])
    } else {
        0.0
    };
    let p_ask = ask_probability(&k.weights, unmet.askable, shyness, talkative);
    if p_ask > 0.0 && d.chance(Decision::Ask, p_ask as f64) {
        return (Today::POSTED | Today::ASKED, 1);
    }
    let incentive = intensity(pop.incentive_sensitivity[iu]);
    let crowded = env.rewards_over && flags.contains(Flags::REWARDED);
    let badge_progress = match &k.rewards.badges {
        Some(badges) => badges.esteem * badge_standing(badges, c.posts[local] as u32).1,
        None => 0.0,
    };
    let drivers = PostDrivers {
        esteem: pull[need::PROMOTION],
        belonging: belonging_pull(pull),
        replies: if unmet.replied { 1.0 } else { 0.0 },
        shyness,
        reward: incentive * saturating(env.reward_today, k.weights.reward_reference),
        badge_progress,
        event_boost: env.events.topic_boost,
        shyness_lifted: env.events.shyness_lifted,
        seed_zeal: if seed {
            seed_zeal(&k.weights, env.day)
        } else {
            0.0
        },
        talkativeness: talkative,
        intrinsic: if crowded {
            1.0 - k.rewards.crowding_out
        } else {
            1.0
        },
    };
    let p = post_probability(&k.weights, &drivers);
    // A nudge is a personal request: answered at a rate of its own, not a lift of the member's
    // own (for one who never posted, tiny) odds of writing (docs/MODEL.md §5.10).
    let answers_nudge =
        unmet.nudged && d.chance(Decision::NudgeAnswer, k.weights.nudge_response as f64);
    if answers_nudge || d.chance(Decision::Post, p as f64) {
        // Another message needs someone to talk to, the group's audience of yesterday, and a
        // writer answered writes back at least as readily as a conversation asks.
        let partner = saturating(group.visitors, k.value.half_audience);
        let again = p.max(k.weights.answer_back) * partner;
        (
            Today::POSTED,
            messages_written(again, d.uniform(Decision::Messages)),
        )
    } else {
        (Today::empty(), 0)
    }
}

/// A visitor with needs may also buy, and ask for a seat at today's meetup.
#[inline(always)]
fn extras(commitment: f32, env: &Env, d: &Draws, pull: &[f32; NEEDS], t: &mut DayTally) -> Today {
    let sales = &env.k.sales;
    let p_buy = purchase_probability(sales.purchase_rate, env.events.conversion);
    if p_buy > 0.0 && commitment >= sales.commitment_floor && d.chance(Decision::Purchase, p_buy) {
        t.purchases += 1;
    }
    if env.events.meetup_seats > 0 {
        let want = meetup_wish(pull);
        if want > 0.0 && d.chance(Decision::Meetup, want as f64) {
            t.meetup_wanting += 1;
            return Today::WANTS_MEETUP;
        }
    }
    Today::empty()
}

/// Records the day of a member who stays: posts and ads counted, flags for tomorrow, what
/// others will see of it, and its part of the end-of-day tally.
#[inline(always)]
fn end_of_day(
    c: &mut Chunk,
    local: usize,
    env: &Env,
    (did, messages): (Today, u32),
    t: &mut DayTally,
    counts: &mut GroupCounts,
) {
    let g = c.group[local] as usize;
    let posted = did.contains(Today::POSTED);
    let advert = did.contains(Today::ADVERT);
    let seed = c.flags[local].contains(Flags::SEED);
    if posted {
        c.posts[local] = c.posts[local].saturating_add(messages.min(u16::MAX as u32) as u16);
        c.life[local] = c.life[local].posted(env.day as u16, did.contains(Today::ASKED));
        if seed && !env.seats.is_empty() {
            let i = c.start + local as u32;
            spread_posts(g as u32, env.seats.of(i), messages, i, env.day, |s, m| {
                counts.posts[s as usize] += m
            });
        } else {
            counts.posts[g] += messages;
            counts.member_posts[g] += if seed { 0 } else { messages };
        }
        t.posts += messages as u64;
    }
    if advert {
        counts.ads[g] += 1;
        t.ads += 1;
        segment_day(&mut t.segments, env.pop.segment[c.start as usize + local]).ads += 1;
    }
    let mut flags = c.flags[local] - (Flags::POSTED | Flags::ADVERTISED | Flags::REPLIED);
    if posted {
        flags |= Flags::POSTED | Flags::POSTED_WEEK;
        if !seed && !flags.contains(Flags::FIRST_POST) {
            flags |= Flags::FIRST_POST;
            t.funnel.first_posts += 1;
        }
        if env.reward_today > 0.0 {
            flags |= Flags::REWARDED;
        }
    }
    if advert {
        flags |= Flags::ADVERTISED;
    }
    c.flags[local] = flags;
    c.today[local] = did;
    let commitment = c.commitment[local];
    // A dormant member no longer comes to the group, and one that muted it over the operator's
    // selling no longer wants to read it, so neither talks it up.
    let advocate = commitment >= env.k.acquisition.advocacy_threshold
        && !flags.intersects(Flags::DORMANT | Flags::SOLD_OFF);
    c.view_next.set(local, true, advocate);
    let reached = milestones(c, local, env.day);
    let needs = &env.pop.needs[c.start as usize + local];
    t.end
        .count(commitment, &c.satisfaction[local], needs, did, reached);
}
