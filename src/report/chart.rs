//! Charts as inline SVG, drawn with plotters' SVG backend (text is left to the browser: no font
//! files are read). Colours are the Okabe–Ito palette, distinguishable for colour-blind readers;
//! series also differ in lightness and line width, so they stay apart in greyscale.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Okabe & Ito (2008), "Color Universal Design": black, orange, sky blue, bluish green,
/// vermillion, blue, reddish purple, yellow.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
];

/// Chart size in SVG user units.
pub const SIZE: (u32, u32) = (720, 360);

/// One line with a band: (x, median, low, high) points.
pub struct Band {
    pub name: String,
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// The canvas a chart is drawn on.
type Root<'b> = DrawingArea<SVGBackend<'b>, Shift>;

/// A chart with continuous axes.
type Plane<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// An SVG chart: `draw` draws it on a white canvas of [`SIZE`].
fn canvas(draw: impl FnOnce(&Root<'_>) -> anyhow::Result<()>) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(svg)
}

/// Continuous axes over `x` and `y` (low, high), described and labelled, without minor grid
/// lines.
fn plane<'a, 'b>(
    root: &'a Root<'b>,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    x_label: &str,
    y_label: &str,
) -> anyhow::Result<Plane<'a, 'b>> {
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|x| label(*x))
        .y_label_formatter(&|y| label(*y))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    Ok(chart)
}

/// The series' names in the upper left, when there is more than one series.
fn legend<'a, 'b: 'a>(chart: &mut Plane<'a, 'b>, series: usize) -> anyhow::Result<()> {
    if series > 1 {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
    }
    Ok(())
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let lo = lo.min(0.0);
    if hi <= lo {
        (lo, lo + 1.0)
    } else {
        (lo, hi + (hi - lo) * 0.05)
    }
}

/// An axis label: whole numbers without decimals, others to three significant digits.
pub fn label(x: f64) -> String {
    // Rounding noise around zero on a tick.
    let x = if x.abs() < 1e-12 { 0.0 } else { x };
    if x == x.round() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let decimals = (2 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{x:.decimals$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Lines with shaded bands (e.g. the median and the 5–95% range over replicates).
pub fn bands(x_label: &str, y_label: &str, series: &[Band]) -> anyhow::Result<String> {
    canvas(|root| {
        let (x0, x1) = bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
        let (y0, y1) = bounds(
            series
                .iter()
                .flat_map(|s| s.points.iter().flat_map(|p| [p.1, p.2, p.3])),
        );
        let mut chart = plane(root, (x0, x1), (y0, y1), x_label, y_label)?;
        for (i, s) in series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let mut band: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).collect();
            band.extend(s.points.iter().rev().map(|p| (p.0, p.2)));
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                colour.mix(0.2).filled(),
            )))?;
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|p| (p.0, p.1)),
                    colour.stroke_width(1 + (i % 3) as u32),
                ))?
                .label(s.name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(3))
                });
        }
        legend(&mut chart, series.len())?;
        Ok(())
    })
}

/// Vertical bars, one per category, in order.
pub fn bars(y_label: &str, categories: &[String], values: &[f64]) -> anyhow::Result<String> {
    canvas(|root| {
        let (_, top) = bounds(values.iter().copied());
        let n = categories.len() as u32;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE.mix(0.0))
            .y_desc(y_label)
            .y_label_formatter(&|y| label(*y))
            .x_labels(categories.len() + 1)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => {
                    categories.get(*i as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .draw()?;
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let i = i as u32;
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), v.max(0.0)),
                ],
                PALETTE[5].filled(),
            );
            bar.set_margin(0, 0, 6, 6);
            bar
        }))?;
        Ok(())
    })
}

/// A heat map of `values[row][column]` in [0, 1] (NaN: not drawn), light to dark blue.
pub fn heat(x_label: &str, y_label: &str, values: &[Vec<f64>]) -> anyhow::Result<String> {
    canvas(|root| {
        let rows = values.len().max(1);
        let cols = values.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..cols as f64, rows as f64..0.0)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_label_formatter(&|x| label(*x))
            .y_label_formatter(&|y| label(*y))
            .draw()?;
        let shade = |v: f64| {
            let v = v.clamp(0.0, 1.0);
            let blend =
                |light: u8, dark: u8| (light as f64 + (dark as f64 - light as f64) * v) as u8;
            RGBColor(blend(247, 8), blend(251, 48), blend(255, 107))
        };
        for (r, row) in values.iter().enumerate() {
            chart.draw_series(row.iter().enumerate().filter(|(_, v)| v.is_finite()).map(
                |(c, &v)| {
                    Rectangle::new(
                        [(c as f64, r as f64), (c as f64 + 1.0, r as f64 + 1.0)],
                        shade(v).filled(),
                    )
                },
            ))?;
        }
        Ok(())
    })
}

/// Lines through points, with a marker at each point: (name, points).
pub fn lines(
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> anyhow::Result<String> {
    let as_bands: Vec<Band> = series
        .iter()
        .map(|(name, pts)| Band {
            name: name.clone(),
            points: pts.iter().map(|&(x, y)| (x, y, y, y)).collect(),
        })
        .collect();
    bands(x_label, y_label, &as_bands)
}

/// Points without lines: (name, points).
pub fn scatter(
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> anyhow::Result<String> {
    canvas(|root| {
        let (x0, x1) = bounds(series.iter().flat_map(|s| s.1.iter().map(|p| p.0)));
        let (y0, y1) = bounds(series.iter().flat_map(|s| s.1.iter().map(|p| p.1)));
        let mut chart = plane(root, (x0, x1), (y0, y1), x_label, y_label)?;
        for (i, (name, points)) in series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|p| p.0.is_finite() && p.1.is_finite())
                        .map(|&p| Circle::new(p, 3 + (i % 3) as u32, colour.filled())),
                )?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        }
        legend(&mut chart, series.len())?;
        Ok(())
    })
}

/// A forest plot: one row per label, its estimate as a dot and its interval as a bar, with a
/// line at zero.
pub fn forest(
    x_label: &str,
    labels: &[String],
    rows: &[(f64, f64, f64)],
) -> anyhow::Result<String> {
    canvas(|root| {
        let (lo, hi) = bounds(rows.iter().flat_map(|r| [r.0, r.1, r.2, 0.0]));
        let lo = if lo < 0.0 { lo - (hi - lo) * 0.05 } else { lo };
        let n = labels.len().max(1) as f64;
        let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32;
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size((width * 7).clamp(64, 260))
            .build_cartesian_2d(lo..hi, n..0.0)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc(x_label)
            .x_label_formatter(&|x| label(*x))
            .y_labels(labels.len() * 2 + 1)
            .y_label_formatter(&|y| {
                let i = (*y - 0.5).round();
                if (*y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n)],
            BLACK.mix(0.5).stroke_width(1),
        )))?;
        for (i, &(mean, low, high)) in rows.iter().enumerate() {
            let y = i as f64 + 0.5;
            let colour = PALETTE[5];
            if low.is_finite() && high.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(low, y), (high, y)],
                    colour.stroke_width(3),
                )))?;
            }
            if mean.is_finite() {
                chart.draw_series(std::iter::once(Circle::new((mean, y), 5, colour.filled())))?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn axis_labels_are_short() {
        assert_eq!(label(20.0), "20");
        assert_eq!(label(0.000412), "0.000412");
        assert_eq!(label(0.0727), "0.0727");
        assert_eq!(label(2.5), "2.5");
        assert_eq!(label(-1e-17), "0");
        assert_eq!(label(-0.015), "-0.015");
    }
}
