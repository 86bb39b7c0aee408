//! Checks of a sweep file beyond its keys' own ranges: each axis (its key, exactly one of
//! `values`, `range` or `log_range`, no value twice on a grid) and the design's keys and sizes.

use toml_edit::Value;

use super::{
    design, not_sweepable, sensitivity, Axis, AxisFile, AxisValues, Design, SweepFile, MAX_POINTS,
};
use crate::batch::file::{check_scenario_key, Base};
use crate::scenario::keys::{spec_at, Kind};
use crate::scenario::{item_at, scenario_schema, value_text, ScenarioError};

/// Reads axis `i` of the file.
pub(super) fn axis(
    base: &Base,
    i: usize,
    a: &AxisFile,
    design: Design,
) -> Result<Axis, ScenarioError> {
    let source = &base.source;
    let at = |f: &str| format!("axes.{i}.{f}");
    check_scenario_key(source, &at("key"), &a.key)?;
    if let Some(why) = not_sweepable(&a.key) {
        return Err(source.error(&at("key"), why, None));
    }
    let list = item_at(source.root(), &at("values"));
    let given = [list.is_some(), a.range.is_some(), a.log_range.is_some()];
    if given.iter().filter(|&&g| g).count() != 1 {
        return Err(source.error(
            &at("key"),
            "an axis needs exactly one of `values`, `range` or `log_range`",
            None,
        ));
    }
    let values = if let Some(item) = list {
        let Some(Value::Array(arr)) = item.as_value() else {
            return Err(source.error(&at("values"), "expected a list of values", None));
        };
        if arr.is_empty() {
            return Err(source.error(&at("values"), "an axis needs at least one value", None));
        }
        if arr.len() == 1 && design != Design::Grid {
            return Err(source.error(
                &at("values"),
                "this design draws each point's value from the axis, so one value would give \
                 the same value at every point: list two or more, or fix the key with `set`",
                None,
            ));
        }
        AxisValues::List(arr.iter().map(value_text).collect())
    } else {
        range_values(base, i, a, design)?
    };
    let integer = spec_at(scenario_schema().keys, &a.key)
        .is_some_and(|s| matches!(s.kind, Kind::Integer | Kind::OptionalInteger));
    let axis = Axis {
        key: a.key.clone(),
        values,
        integer,
    };
    refuse_repeats(base, i, a, &axis, design)?;
    Ok(axis)
}

/// The values of axis `i` written as a `range` or `log_range`.
fn range_values(
    base: &Base,
    i: usize,
    a: &AxisFile,
    design: Design,
) -> Result<AxisValues, ScenarioError> {
    let source = &base.source;
    let at = |f: &str| format!("axes.{i}.{f}");
    let (r, log, name) = match (a.range, a.log_range) {
        (Some(r), _) => (r, false, "range"),
        (_, Some(r)) => (r, true, "log_range"),
        _ => unreachable!("exactly one is given"),
    };
    if log && (r.start <= 0.0 || r.stop <= 0.0) {
        return Err(source.error(&at(name), "a log range needs start and stop > 0", None));
    }
    if r.steps > 1 && r.start == r.stop {
        return Err(source.error(
            &at(name),
            format!(
                "this range starts and stops at {}, so it does not vary: write values = \
                 [{}], or give the range two ends",
                r.start, r.start
            ),
            None,
        ));
    }
    if r.steps == 1 && r.start != r.stop && design == Design::Grid {
        return Err(source.error(
            &at(&format!("{name}.steps")),
            "a range of 1 step gives only its start: use steps = 2 or more, or `values`",
            None,
        ));
    }
    Ok(AxisValues::Range {
        start: r.start,
        stop: r.stop,
        steps: r.steps,
        log,
    })
}

/// Refuses a value twice on one axis: points that would be the same runs twice (a random design
/// draws between a range's ends, where steps do not matter).
fn refuse_repeats(
    base: &Base,
    i: usize,
    a: &AxisFile,
    axis: &Axis,
    design: Design,
) -> Result<(), ScenarioError> {
    let at = |f: &str| format!("axes.{i}.{f}");
    let listed = matches!(axis.values, AxisValues::List(_));
    let grid = if listed || design == Design::Grid {
        design::grid_values(axis)
    } else {
        Vec::new()
    };
    let mut seen = std::collections::HashSet::with_capacity(grid.len());
    if let Some(twice) = (0..grid.len()).find(|&k| !seen.insert(&grid[k])) {
        let (at_key, how) = match &axis.values {
            AxisValues::List(_) => (at("values"), "is listed twice".to_string()),
            AxisValues::Range { .. } => (
                at(if a.log_range.is_some() {
                    "log_range"
                } else {
                    "range"
                }),
                "comes twice: this whole-number key has fewer distinct values than the range's \
                 steps; use fewer steps"
                    .to_string(),
            ),
        };
        return Err(base
            .source
            .error(&at_key, format!("the value {} {how}", grid[twice]), None));
    }
    Ok(())
}

/// Refuses a design's keys given to another design, and sizes a design cannot use.
pub(super) fn check_design_keys(base: &Base, raw: &SweepFile) -> Result<(), ScenarioError> {
    refuse_foreign_keys(base, raw)?;
    check_sizes(base, raw)
}

/// Refuses the keys of a design given to another design.
fn refuse_foreign_keys(base: &Base, raw: &SweepFile) -> Result<(), ScenarioError> {
    let given = |key: &str| item_at(base.source.root(), key).is_some();
    let d = raw.design;
    let only = [
        (
            "samples",
            &[Design::Random, Design::LatinHypercube, Design::Sobol][..],
        ),
        ("trajectories", &[Design::Morris][..]),
        ("candidates", &[Design::Morris][..]),
        ("levels", &[Design::Morris][..]),
        ("second_order", &[Design::Sobol][..]),
        ("resamples", &[Design::Morris, Design::Sobol][..]),
    ];
    for (key, designs) in only {
        if given(key) && !designs.contains(&d) {
            let words: Vec<String> = designs.iter().map(|d| format!("`{}`", d.word())).collect();
            return Err(base.source.error(
                key,
                format!(
                    "`{key}` applies to a {} design; this one is `{}`",
                    words.join(" or "),
                    d.word()
                ),
                None,
            ));
        }
    }
    if d == Design::Grid && given("samples") {
        return Err(base.source.error(
            "samples",
            "`samples` sets the points of a `random`, `latin-hypercube` or `sobol` design; a \
             grid runs every combination of the axes' values",
            None,
        ));
    }
    Ok(())
}

/// Refuses axes a sensitivity design cannot read: one that does not vary, a range written from
/// its upper end (effects are signed along the axis, low to high, as SALib reads them), and in a
/// Morris design a list that is not one value a level.
pub(super) fn check_sensitivity_axes(
    base: &Base,
    axes: &[Axis],
    raw: &SweepFile,
) -> Result<(), ScenarioError> {
    if !matches!(raw.design, Design::Morris | Design::Sobol) {
        return Ok(());
    }
    for (i, a) in axes.iter().enumerate() {
        let at = |f: &str| format!("axes.{i}.{f}");
        let ranged = if raw.axes[i].log_range.is_some() {
            "log_range"
        } else {
            "range"
        };
        match &a.values {
            AxisValues::Range { start, stop, .. } if start == stop => {
                return Err(base.source.error(
                    &at(ranged),
                    "this axis does not vary: a sensitivity design has nothing to rank on it; \
                     fix the key in `set` instead",
                    None,
                ))
            }
            AxisValues::Range { start, stop, .. } if start > stop => {
                return Err(base.source.error(
                    &at(ranged),
                    format!(
                        "write the range from its lower end: start = {stop}, stop = {start} \
                         (effects are signed from low to high)"
                    ),
                    None,
                ))
            }
            AxisValues::List(v) if v.len() < 2 => {
                return Err(base.source.error(
                    &at("values"),
                    "this axis does not vary: a sensitivity design has nothing to rank on it; \
                     fix the key in `set` instead",
                    None,
                ))
            }
            AxisValues::List(v)
                if raw.design == Design::Morris && v.len() != raw.levels as usize =>
            {
                return Err(base.source.error(
                    &at("values"),
                    format!(
                        "a Morris design moves each axis on a grid of levels = {} levels, one \
                         value each, and this axis lists {}: list {} values{}",
                        raw.levels,
                        v.len(),
                        raw.levels,
                        if v.len() % 2 == 0 {
                            format!(", or set levels = {}", v.len())
                        } else {
                            String::new()
                        }
                    ),
                    None,
                ))
            }
            _ => {}
        }
    }
    if raw.design == Design::Sobol && raw.second_order && axes.len() < 2 {
        return Err(base.source.error(
            "second_order",
            "second-order indices need two axes or more",
            None,
        ));
    }
    Ok(())
}

/// Refuses sizes a sensitivity design cannot use.
fn check_sizes(base: &Base, raw: &SweepFile) -> Result<(), ScenarioError> {
    let k = raw.axes.len();
    let too_many = |points: usize| {
        format!(
            "this design has {points} points, more than the {MAX_POINTS} a sweep may have; use \
             fewer"
        )
    };
    match raw.design {
        Design::Sobol => {
            let n = raw.samples;
            let why = if n < 2 {
                Some("a `sobol` design needs at least 2 base rows, a power of 2: use 2".into())
            } else if !n.is_power_of_two() {
                let (below, above) = sensitivity::nearest_powers_of_two(n);
                Some(format!(
                    "a `sobol` design needs a power of 2 base rows (its estimators converge only \
                     then): {n} is not; use {below} or {above}"
                ))
            } else {
                None
            };
            if let Some(why) = why {
                return Err(base.source.error("samples", why, None));
            }
            let points = sensitivity::sobol_points(k, n as usize, raw.second_order);
            if points > MAX_POINTS {
                return Err(base.source.error("samples", too_many(points), None));
            }
        }
        Design::Morris => {
            if !raw.levels.is_multiple_of(2) {
                return Err(base.source.error(
                    "levels",
                    format!(
                        "a `morris` design needs an even number of levels (each move is half \
                         the grid): use {} or {}",
                        raw.levels - 1,
                        raw.levels + 1
                    ),
                    None,
                ));
            }
            let points = raw.trajectories as usize * (k + 1);
            if points > MAX_POINTS {
                return Err(base.source.error("trajectories", too_many(points), None));
            }
            if let Some(m) = raw.candidates.filter(|&m| m <= raw.trajectories as u64) {
                return Err(base.source.error(
                    "candidates",
                    format!(
                        "{m} candidates are too few to choose {} trajectories among: use more \
                         candidates than trajectories (4 to 10 times as many is usual, 1000 at \
                         most)",
                        raw.trajectories
                    ),
                    None,
                ));
            }
        }
        _ => {}
    }
    Ok(())
}
