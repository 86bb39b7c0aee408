//! The eight needs, their Maslow levels, and prepotency: how an unmet lower level damps the pull
//! of the levels above it.
//!
//! `pull_k = n_k * prod_{levels l below level(k)} (1 - unmet_l)^gamma`, where `unmet_l` is the
//! largest unmet intensity on level l: `max(n_k - s_k, 0)` over the level's needs, `s_k` being
//! what the group has satisfied (0 for an outsider).

/// Number of needs.
pub const NEEDS: usize = 8;
/// Number of Maslow levels the needs sit on.
pub const LEVELS: usize = 4;

/// Index of each need, in the canonical order of `scenario::NEED_NAMES`.
pub mod need {
    pub const SERVICE: usize = 0;
    pub const WORK: usize = 1;
    pub const CONTACT: usize = 2;
    pub const FRIENDSHIP: usize = 3;
    pub const LIFE: usize = 4;
    pub const BELONGING: usize = 5;
    pub const PROMOTION: usize = 6;
    pub const LEARNING: usize = 7;
}

/// Maslow level of each need: 0 safety, 1 belonging, 2 esteem, 3 self-actualisation.
pub const LEVEL_OF: [usize; NEEDS] = [0, 0, 1, 1, 1, 1, 2, 3];

/// Names of the levels as they appear in the output columns.
pub const LEVEL_NAMES: [&str; LEVELS] = ["safety", "belonging", "esteem", "self_actualization"];

/// Need intensities are stored in a byte per need: `q / 255`.
#[inline]
pub fn intensity(q: u8) -> f32 {
    q as f32 * (1.0 / 255.0)
}

/// Quantises an intensity in [0, 1] to its stored byte.
#[inline]
pub fn quantize(x: f64) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Satisfaction is stored in 16 bits per need: `q / 65535`, in [0, 1].
#[inline]
pub fn satisfaction(q: u16) -> f32 {
    q as f32 * (1.0 / 65535.0)
}

/// Quantises a satisfaction in [0, 1] to its stored 16 bits.
#[inline]
pub fn quantize_satisfaction(x: f32) -> u16 {
    (x.clamp(0.0, 1.0) * 65535.0).round() as u16
}

/// The largest unmet intensity on each level.
#[inline]
pub fn unmet_by_level(needs: &[f32; NEEDS], satisfied: &[f32; NEEDS]) -> [f32; LEVELS] {
    let mut unmet = [0.0f32; LEVELS];
    for k in 0..NEEDS {
        let gap = (needs[k] - satisfied[k]).max(0.0);
        let l = LEVEL_OF[k];
        unmet[l] = unmet[l].max(gap);
    }
    unmet
}

/// Prepotency: the pull of each need, its intensity damped by the unmet levels below it.
/// `gamma = 0` turns the hierarchy off (pull = intensity).
#[inline]
pub fn pulls(needs: &[f32; NEEDS], satisfied: &[f32; NEEDS], gamma: f32) -> [f32; NEEDS] {
    let unmet = unmet_by_level(needs, satisfied);
    let mut damp = [1.0f32; LEVELS];
    for l in 1..LEVELS {
        let base = 1.0 - unmet[l - 1];
        let factor = if gamma == 1.0 { base } else { base.powf(gamma) };
        damp[l] = damp[l - 1] * factor;
    }
    let mut pull = [0.0f32; NEEDS];
    for k in 0..NEEDS {
        pull[k] = needs[k] * damp[LEVEL_OF[k]];
    }
    pull
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: [f32; NEEDS] = [0.0; NEEDS];

    #[test]
    fn without_unmet_lower_needs_pull_equals_intensity() {
        let needs = [0.0, 0.0, 0.3, 0.0, 0.0, 0.0, 0.8, 0.5];
        // Satisfy every need below self-actualisation: nothing is left unmet below learning.
        let mut sat = NONE;
        sat[need::CONTACT] = 1.0;
        sat[need::PROMOTION] = 0.8;
        let p = pulls(&needs, &sat, 1.0);
        assert!((p[need::PROMOTION] - 0.8).abs() < 1e-6);
        assert!((p[need::LEARNING] - 0.5).abs() < 1e-6);
        assert!((p[need::CONTACT] - 0.3).abs() < 1e-6);
    }

    #[test]
    fn unmet_safety_damps_every_higher_level_multiplicatively() {
        let mut needs = [0.0; NEEDS];
        needs[need::SERVICE] = 0.9;
        needs[need::FRIENDSHIP] = 0.5;
        needs[need::PROMOTION] = 0.8;
        needs[need::LEARNING] = 0.6;
        let p = pulls(&needs, &NONE, 1.0);
        // safety unmet 0.9 -> belonging damped by 0.1
        assert!((p[need::FRIENDSHIP] - 0.5 * 0.1).abs() < 1e-6);
        // esteem damped by (1 - 0.9) * (1 - 0.5)
        assert!((p[need::PROMOTION] - 0.8 * 0.1 * 0.5).abs() < 1e-6);
        // self-actualisation also by (1 - 0.8) from esteem
        assert!((p[need::LEARNING] - 0.6 * 0.1 * 0.5 * 0.2).abs() < 1e-6);
        // the lowest level is never damped
        assert!((p[need::SERVICE] - 0.9).abs() < 1e-6);
    }

    #[test]
    fn satisfying_the_lower_need_restores_the_higher_pull() {
        let mut needs = [0.0; NEEDS];
        needs[need::WORK] = 0.8;
        needs[need::PROMOTION] = 0.7;
        let unmet = pulls(&needs, &NONE, 1.0)[need::PROMOTION];
        let mut sat = NONE;
        sat[need::WORK] = 0.8;
        let met = pulls(&needs, &sat, 1.0)[need::PROMOTION];
        assert!(unmet < 0.15 && (met - 0.7).abs() < 1e-6, "{unmet} {met}");
    }

    #[test]
    fn gamma_zero_turns_the_hierarchy_off_and_larger_gamma_damps_more() {
        let mut needs = [0.0; NEEDS];
        needs[need::SERVICE] = 0.5;
        needs[need::PROMOTION] = 0.6;
        assert_eq!(pulls(&needs, &NONE, 0.0)[need::PROMOTION], 0.6);
        let g1 = pulls(&needs, &NONE, 1.0)[need::PROMOTION];
        let g2 = pulls(&needs, &NONE, 2.0)[need::PROMOTION];
        assert!(
            (g1 - 0.3).abs() < 1e-6 && (g2 - 0.15).abs() < 1e-6,
            "{g1} {g2}"
        );
    }

    #[test]
    fn the_largest_gap_on_a_level_counts_and_oversatisfaction_is_no_credit() {
        let mut needs = [0.0; NEEDS];
        needs[need::SERVICE] = 0.2;
        needs[need::WORK] = 0.6;
        needs[need::LEARNING] = 1.0;
        let mut sat = NONE;
        sat[need::SERVICE] = 1.0; // more than needed: the gap floors at 0
        let u = unmet_by_level(&needs, &sat);
        assert!((u[0] - 0.6).abs() < 1e-6);
    }

    #[test]
    fn quantisation_round_trips_within_half_a_step() {
        for x in [0.0, 0.1, 0.5, 0.77, 1.0] {
            assert!((intensity(quantize(x)) as f64 - x).abs() <= 0.5 / 255.0 + 1e-7);
            let s = x as f32;
            assert!((satisfaction(quantize_satisfaction(s)) - s).abs() <= 0.5 / 65535.0 + 1e-7);
        }
        assert_eq!(quantize(0.0), 0);
        assert_eq!(quantize(-1.0), 0);
        assert_eq!(quantize(2.0), 255);
    }
}
