//! Muting (docs/MODEL.md §4.9): a visitor stops reading the group, under overload on a visit
//! that cost more than it gave, or over the operator's selling posts it reads, whatever the
//! visit gave. The owner and the admins never mute the group they run.

use super::joining::Env;
use super::state::{Chunk, Flags};
use crate::model::value::{mute_probability, promotion_mute_probability, GroupYesterday};
use crate::rng::{Decision, Draws};

/// Whether visitor `local`, whose visit's utility is `u` in a group that reads as `group`,
/// mutes it today; if so its flags say so (`SOLD_OFF` too when the selling did it).
#[inline(always)]
pub fn mutes(
    c: &mut Chunk,
    local: usize,
    env: &Env,
    d: &Draws,
    group: &GroupYesterday,
    u: f32,
) -> bool {
    if c.flags[local].contains(Flags::ADMIN) {
        return false;
    }
    if u < 0.0 {
        let p = mute_probability(&env.k.value, group);
        if p > 0.0 && d.chance(Decision::Mute, p as f64) {
            c.flags[local] |= Flags::MUTED;
            return true;
        }
    }
    let seed = c.flags[local].contains(Flags::SEED);
    let sold = env.events.promotions * env.seats.groups_read(c.start + local as u32, seed) as f32;
    let p = promotion_mute_probability(env.k.value.promotion_mute, sold);
    if p > 0.0 && d.chance(Decision::PromotionMute, p as f64) {
        c.flags[local] |= Flags::MUTED | Flags::SOLD_OFF;
        return true;
    }
    false
}
