//! The decision rules of the model as small pure functions: what a visit is worth, whether a
//! prospect joins, whether a member visits, posts, advertises, buys, quits or renews, and what the
//! operator's levers (rewards, badges, moderation, events) do to those scores.
//!
//! Each decision is a logistic function of a linear score of named drivers whose weights are
//! fields of `scenario::Weights`. Nothing here draws random numbers or touches agent arrays: the
//! engine gathers the drivers, calls these, and compares the probability with its draw.
//!
//! The axiom "no need, no action" lives here once, as [`has_need`]: an agent none of whose
//! needs is present gets no value, pays no cost, and never posts, buys or asks for a seat.

pub mod activity;
pub mod join;
pub mod levers;
pub mod tenure;
pub mod value;

use crate::population::needs::NEEDS;

/// Whether an agent has any need at all (its needs as stored, a byte each). Without one it
/// takes no action of its own: no value, no cost, no post, no purchase, no meetup.
#[inline(always)]
pub fn has_need(needs: &[u8; NEEDS]) -> bool {
    *needs != [0; NEEDS]
}

/// The logistic function.
#[inline(always)]
pub fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Exponential moving average: `memory` is the weight of the new observation.
#[inline(always)]
pub fn ema(old: f32, new: f32, memory: f32) -> f32 {
    old + memory * (new - old)
}

/// A saturating response: `x / (x + half)`, 0 at 0 and 1/2 at `half`.
#[inline(always)]
pub fn saturating(x: f32, half: f32) -> f32 {
    if x <= 0.0 {
        0.0
    } else {
        x / (x + half)
    }
}

/// The default decision weights, for unit tests of the rules.
#[cfg(test)]
pub(crate) fn default_weights() -> crate::scenario::Weights {
    crate::scenario::load_str("name = \"t\"", "t.toml", &[])
        .expect("defaults are valid")
        .coefficients()
        .weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_is_one_half_at_zero_and_monotone() {
        assert_eq!(logistic(0.0), 0.5);
        assert!(logistic(-3.0) < logistic(-1.0) && logistic(1.0) < logistic(3.0));
        assert!(logistic(-80.0) >= 0.0 && logistic(80.0) <= 1.0);
    }

    #[test]
    fn ema_moves_by_memory_towards_the_new_value() {
        assert!((ema(0.0, 1.0, 0.1) - 0.1).abs() < 1e-7);
        assert!((ema(0.5, 0.5, 0.3) - 0.5).abs() < 1e-7);
        assert_eq!(ema(0.0, 0.0, 0.1), 0.0);
    }

    #[test]
    fn saturating_has_half_value_at_half() {
        assert_eq!(saturating(0.0, 10.0), 0.0);
        assert!((saturating(10.0, 10.0) - 0.5).abs() < 1e-7);
        assert!(saturating(1000.0, 10.0) > 0.99);
    }
}
