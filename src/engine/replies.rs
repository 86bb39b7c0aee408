//! Replies as events (docs/MODEL.md §4.1): a member's genuine post draws replies, or not, with
//! the chance its audience gives; replies drawn are read the next day, if it visits.

use super::joining::Env;
use super::member::read_groups;
use super::state::{Chunk, Flags, Today};
use crate::model::saturating;
use crate::rng::{Decision, Draws};

/// At the start of member `local`'s day: whether the genuine post it wrote yesterday (a question
/// only if answered) drew replies, with the chance its audience gives, saturating(visitors
/// yesterday, `half_audience`), the audience that sizes its further messages (§5.6). Replies
/// drawn are read today if it visits (`REPLIED`, forgotten at the end of the day); if the
/// post was the member's first and a message, its posting life keeps that it was replied
/// (`FIRST_REPLIED`; a first question's reply is its answer).
#[inline(always)]
pub fn replies_arrive(c: &mut Chunk, local: usize, env: &Env, d: &Draws) {
    let flags = c.flags[local];
    if !flags.contains(Flags::POSTED) || flags.contains(Flags::UNANSWERED) {
        return;
    }
    let group = read_groups(c, local, env, flags.contains(Flags::SEED));
    let chance = saturating(group.visitors, env.k.value.half_audience);
    if !d.chance(Decision::Reply, chance as f64) {
        return;
    }
    c.flags[local] |= Flags::REPLIED;
    let asked = c.today[local].contains(Today::ASKED);
    if !asked && c.life[local].first as u32 + 1 == env.day {
        c.flags[local] |= Flags::FIRST_REPLIED;
    }
}
