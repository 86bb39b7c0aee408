//! The decide pass over one chunk, and an outsider's day: exposure by ads and word of mouth,
//! then the join rule and, for applications, the review.

use super::member::member_day;
use super::seats::Seats;
use super::state::{Chunk, Flags, Status, Today, View};
use super::tally::{Channel, DayTally, GroupCounts, TIE_BINS};
use crate::model::join::{felt_effort, joins, promise, recommend_probability, social_proof, wants};
use crate::model::tenure::felt_fee;
use crate::model::value::GroupYesterday;
use crate::population::needs::{intensity, pulls, NEEDS};
use crate::population::Population;
use crate::rng::{DayStream, Decision, Draws};
use crate::scenario::{Coefficients, EntryKind, EventDay};

/// Agents per chunk of the parallel passes: a sixteenth of the population, between 512 and
/// 8192, in whole 64-agent words of the view. It depends on the population size only, never on
/// the number of threads, so that sums are taken in the same order whatever the thread count.
pub fn chunk_size(agents: usize) -> usize {
    (agents / 16).clamp(512, 8192).div_ceil(64) * 64
}

/// Everything the decide pass reads: the coefficients and yesterday's world.
pub struct Env<'a> {
    pub k: &'a Coefficients,
    pub pop: &'a Population,
    pub view: &'a View,
    pub groups: &'a [GroupYesterday],
    pub day: u32,
    pub draws: DayStream,
    /// Members' share of the population yesterday (social proof when well-mixed).
    pub member_share: f32,
    /// Reward a poster can expect per post today.
    pub reward_today: f32,
    /// Reward paid per post yesterday.
    pub reward_yesterday: f32,
    pub rewards_over: bool,
    pub events: EventDay,
    /// Seed members seated in groups beside their own.
    pub seats: &'a Seats,
    /// Probability that a visiting member who never posted is nudged by the team, per group.
    pub nudge_chance: &'a [f32],
    /// Today's reach of the community's ads (with its announcement on the opening day); `None`
    /// before it opens, when nobody outside hears of it.
    pub ad_reach: Option<f64>,
}

/// Need intensities of agent `i` as numbers in [0, 1].
#[inline]
pub fn needs_of(pop: &Population, i: usize) -> [f32; NEEDS] {
    pop.needs[i].map(intensity)
}

/// The decide pass over one chunk.
pub fn decide(c: &mut Chunk, env: &Env, counts: &mut GroupCounts) -> DayTally {
    let mut t = DayTally::default();
    c.view_next.clear();
    let rejoin = env.k.community.rejoin;
    for local in 0..c.len() {
        c.today[local] = Today::empty();
        // Tests in order of frequency, rather than a `match` that compiles to a jump table.
        let status = c.status[local];
        if status == Status::Outside || (rejoin && status == Status::Left) {
            consider_joining(c, local, env, &mut t);
        } else if status == Status::Member {
            member_day(c, local, env, &mut t, counts);
        }
    }
    t
}

/// How an outsider heard of the community today, if it did: by the ads, or by a
/// recommendation (a referral when the draw fell in the part of the probability that the reward
/// added).
struct Exposure {
    channel: Channel,
}

/// Whether outsider `i` is exposed today: by the community's ads, or by word of mouth from the
/// one contact it meets, if that contact is an advocate.
#[inline(always)]
fn exposure(i: u32, d: &Draws, env: &Env, t: &mut DayTally) -> Option<Exposure> {
    let a = &env.k.acquisition;
    let reach = env.ad_reach?;
    let pop = env.pop;
    let by_ad = reach > 0.0 && d.chance(Decision::AdExposure, reach);
    t.ad_exposures += by_ad as u64;
    let reward = env.k.rewards.referral_reward;
    let mut by_word = None;
    if a.word_of_mouth > 0.0 || reward > 0.0 {
        let ties = pop.network.neighbours(i);
        let contact = if pop.network.is_well_mixed() {
            Some(d.below(Decision::Contact, pop.size()))
        } else if ties.is_empty() {
            None
        } else {
            Some(ties[d.below(Decision::Contact, ties.len() as u32) as usize])
        };
        if let Some(j) = contact.filter(|&j| env.view.is_advocate(j)) {
            // The contact's traits are only looked up when a referral reward makes them count.
            let sensitivity = if reward > 0.0 {
                intensity(pop.incentive_sensitivity[j as usize]) as f64
            } else {
                0.0
            };
            let q = recommend_probability(
                a.word_of_mouth,
                reward,
                env.k.weights.referral_reference,
                sensitivity,
            );
            let u = d.uniform(Decision::WordOfMouth);
            if u < q {
                // The same draw: below the organic rate, the member would have recommended
                // anyway; above it, the reward made the difference.
                by_word = Some(if u < a.word_of_mouth {
                    Channel::WordOfMouth
                } else {
                    Channel::Referral
                });
            }
        }
    }
    match (by_ad, by_word) {
        (_, Some(channel)) => Some(Exposure { channel }),
        (true, None) => Some(Exposure {
            channel: Channel::Ad,
        }),
        (false, None) => None,
    }
}

/// Members among `i`'s ties and their share (the community's share when well-mixed).
#[inline(always)]
fn member_ties(i: u32, env: &Env) -> (u32, f32) {
    let pop = env.pop;
    if pop.network.is_well_mixed() {
        return (0, env.member_share);
    }
    let ties = pop.network.neighbours(i);
    let k = ties.iter().filter(|&&j| env.view.is_member(j)).count();
    let share = if ties.is_empty() {
        0.0
    } else {
        k as f32 / ties.len() as f32
    };
    (k as u32, share)
}

/// The price an applicant feels: nothing for free entry, the felt effort of an application, or
/// the felt fee. An application is a self-introduction to strangers, what shyness defends
/// against: its effort is felt in proportion to the applicant's shyness.
#[inline(always)]
fn felt_price(env: &Env, i: usize) -> f32 {
    let entry = &env.k.entry;
    match entry.kind {
        EntryKind::Free => 0.0,
        EntryKind::Application => {
            felt_effort(intensity(env.pop.shyness[i]), entry.application_effort)
        }
        EntryKind::Paid => felt_fee(
            intensity(env.pop.price_sensitivity[i]),
            entry.fee_f32,
            env.k.weights.fee_reference,
        ),
    }
}

/// Whether a reviewer means to turn an application away: an advertiser, or an applicant whose fit
/// (what the offer promises to its needs) is below the bar. The reviewer gets it right with
/// probability `review_accuracy`.
#[inline(always)]
fn turned_away(advertiser: bool, fit: f32, fit_bar: f32) -> bool {
    advertiser || fit < fit_bar
}

/// An outsider's day: exposure, then the join rule and entry review.
fn consider_joining(c: &mut Chunk, local: usize, env: &Env, t: &mut DayTally) {
    if c.flags[local].contains(Flags::REJECTED) {
        return;
    }
    let i = c.start + local as u32;
    let d = env.draws.agent(i);
    let Some(exposure) = exposure(i, &d, env, t) else {
        return;
    };
    let iu = i as usize;
    let pop = env.pop;
    let pull = pulls(
        &needs_of(pop, iu),
        &[0.0; NEEDS],
        env.k.community.prepotency,
    );
    let offer_value = promise(&pull, &env.k.value.offer);
    let (ties_in, share) = member_ties(i, env);
    // The ledger counts first exposures only: prospects who declined before and are exposed
    // again are a selected group (high thresholds), more so the more of their ties are in.
    let first_exposure = !c.flags[local].contains(Flags::EXPOSED);
    c.flags[local] |= Flags::EXPOSED;
    let bin = (ties_in as usize).min(TIE_BINS - 1);
    t.exposure.exposed[bin] += first_exposure as u64;
    t.funnel.exposed[exposure.channel as usize] += first_exposure as u64;
    let proof = social_proof(env.k.weights.social_proof, ties_in);
    let (threshold, social) = (pop.join_threshold[iu], pop.social_threshold[iu]);
    if !wants(offer_value, proof, threshold, share, social) {
        return;
    }
    if !c.flags[local].contains(Flags::CONSIDERED) {
        c.flags[local] |= Flags::CONSIDERED;
        t.funnel.considered += 1;
    }
    let felt = felt_price(env, iu);
    if !joins(offer_value, proof, felt, threshold, share, social) {
        return;
    }
    t.exposure.joining[bin] += first_exposure as u64;
    let entry = &env.k.entry;
    if entry.kind == EntryKind::Application
        && turned_away(pop.advertiser[iu], offer_value, entry.fit_bar)
        && d.chance(Decision::Review, entry.review_accuracy)
    {
        c.flags[local] |= Flags::REJECTED;
        return;
    }
    c.commitment[local] = offer_value;
    c.today[local] = Today::JOINING
        | if exposure.channel == Channel::Ad {
            Today::empty()
        } else {
            Today::REFERRED
        };
    t.joiners.push(i);
}
