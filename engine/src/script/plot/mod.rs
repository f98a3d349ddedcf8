//! `plot(spec, path)`: line and scatter charts written as SVG with plotters.
//!
//! ```text
//! plot(#{
//!     title: "Convergence", x_label: "iteration", y_label: "KKT residual", y_log: true,
//!     series: [ #{ name: "gaussian", x: [1, 2, 3], y: [1e-1, 1e-4, 1e-9], kind: "line" } ]
//! }, "kkt.svg");
//! ```

use std::path::Path;

use boundlab_sdk::{Value, from_value};
use plotters::prelude::*;
use serde::Deserialize;

use axis::Axis;

mod axis;
mod legend;

/// What a script asks to draw.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub x_label: String,
    #[serde(default)]
    pub y_label: String,
    #[serde(default)]
    pub x_log: bool,
    #[serde(default)]
    pub y_log: bool,
    #[serde(default = "default_width")]
    pub width: u32,
    #[serde(default = "default_height")]
    pub height: u32,
    pub series: Vec<Series>,
}

fn default_width() -> u32 {
    800
}

fn default_height() -> u32 {
    500
}

/// One data series; `x` defaults to 0, 1, 2, ...
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    #[serde(default)]
    pub name: String,
    pub x: Option<Vec<f64>>,
    pub y: Vec<f64>,
    #[serde(default)]
    pub kind: SeriesKind,
}

#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum SeriesKind {
    #[default]
    Line,
    Scatter,
    /// A line with a marker at every point.
    Linepoints,
}

/// Decodes and checks a plot spec; errors name the field, the series and the index.
pub fn parse_spec(spec: Value) -> Result<PlotSpec, String> {
    let spec: PlotSpec = from_value(spec).map_err(|e| format!("plot spec: {e}"))?;
    if spec.series.is_empty() {
        return Err("plot spec: `series` is empty".into());
    }
    for (k, s) in spec.series.iter().enumerate() {
        let label = if s.name.is_empty() {
            format!("series {k}")
        } else {
            format!("series {k} ({})", s.name)
        };
        if let Some(x) = &s.x
            && x.len() != s.y.len()
        {
            return Err(format!(
                "plot spec: {label} has {} x values but {} y values",
                x.len(),
                s.y.len()
            ));
        }
        for (axis, values, log) in [
            ("x", s.x.as_deref(), spec.x_log),
            ("y", Some(s.y.as_slice()), spec.y_log),
        ] {
            if let Some(values) = values
                && log
                && let Some(i) = values.iter().position(|&v| v.is_finite() && v <= 0.0)
            {
                return Err(format!(
                    "plot spec: {label} has {axis}[{i}] = {} but the {axis} axis is logarithmic",
                    values[i]
                ));
            }
        }
    }
    if spec.width < 100 || spec.height < 100 || spec.width > 10_000 || spec.height > 10_000 {
        return Err(format!(
            "plot spec: width and height must lie in 100..=10000, got {}x{}",
            spec.width, spec.height
        ));
    }
    Ok(spec)
}

fn points(s: &Series) -> Vec<(f64, f64)> {
    let xs: Vec<f64> =
        s.x.clone()
            .unwrap_or_else(|| (0..s.y.len()).map(|i| i as f64).collect());
    xs.into_iter()
        .zip(s.y.iter().copied())
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect()
}

/// Draws `spec` into the SVG file at `path`.
pub fn draw_svg(spec: &PlotSpec, path: &Path) -> Result<(), String> {
    let series: Vec<Vec<(f64, f64)>> = spec.series.iter().map(points).collect();
    let x = Axis::fit(series.iter().flatten().map(|p| p.0), spec.x_log);
    let y = Axis::fit(series.iter().flatten().map(|p| p.1), spec.y_log);
    let root = SVGBackend::new(path, (spec.width, spec.height)).into_drawing_area();
    draw_chart(&root, spec, &series, x, y).and_then(|()| root.present().map_err(|e| e.to_string()))
}

fn draw_chart(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    spec: &PlotSpec,
    series: &[Vec<(f64, f64)>],
    x: Axis,
    y: Axis,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x.clone(), y.clone())
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .light_line_style(WHITE.mix(0.0))
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&|v| tick_label(*v))
        .draw()
        .map_err(|e| err(&e))?;
    for (k, (s, pts)) in spec.series.iter().zip(series).enumerate() {
        let color = Palette99::pick(k).to_rgba();
        let pts = pts.clone();
        let drawn = match s.kind {
            SeriesKind::Line => chart.draw_series(LineSeries::new(pts, color.stroke_width(2))),
            SeriesKind::Scatter => {
                chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
            }
            SeriesKind::Linepoints => {
                chart.draw_series(LineSeries::new(pts, color.stroke_width(2)).point_size(3))
            }
        }
        .map_err(|e| err(&e))?;
        if !s.name.is_empty() {
            drawn.label(s.name.clone()).legend(move |(lx, ly)| {
                PathElement::new(vec![(lx, ly), (lx + 20, ly)], color.stroke_width(2))
            });
        }
    }
    let names: Vec<&str> = spec
        .series
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    if !names.is_empty() {
        let (area_w, area_h) = chart.plotting_area().dim_in_pixel();
        let position = legend_position(spec, series, &x, &y, &names, (area_w, area_h));
        chart
            .configure_series_labels()
            .position(position)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
    }
    Ok(())
}

/// The legend's spot: where its box (estimated from plotters' 12 px labels, a 30 px key and
/// margins) covers the fewest drawn points and line pieces.
fn legend_position(
    spec: &PlotSpec,
    series: &[Vec<(f64, f64)>],
    x: &Axis,
    y: &Axis,
    names: &[&str],
    (area_w, area_h): (u32, u32),
) -> SeriesLabelPosition {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let box_w = (60 + 7 * longest) as f64 / area_w.max(1) as f64;
    let box_h = (20 + 18 * names.len()) as f64 / area_h.max(1) as f64;
    let samples: Vec<(f64, f64)> = spec
        .series
        .iter()
        .zip(series)
        .flat_map(|(s, pts)| {
            let fractions: Vec<(f64, f64)> = pts
                .iter()
                .map(|&(a, b)| (x.fraction(a), y.fraction(b)))
                .collect();
            match s.kind {
                SeriesKind::Scatter => fractions,
                SeriesKind::Line | SeriesKind::Linepoints => legend::line_samples(&fractions),
            }
        })
        .collect();
    legend::least_covered(&samples, box_w, box_h)
}

/// A short tick label: plain decimals for moderate magnitudes, `1e-7` style otherwise.
fn tick_label(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if (1e-3..1e5).contains(&a) {
        let text = format!("{v:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let text = format!("{v:.2e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        format!("{mantissa}e{exponent}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tick_labels_are_short() {
        use super::tick_label;
        assert_eq!(tick_label(10.0), "10");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(1.0000000001e-7), "1e-7");
        assert_eq!(tick_label(2.5e-11), "2.5e-11");
        assert_eq!(tick_label(0.0), "0");
    }

    use super::*;
    use boundlab_sdk::ValueMap;

    fn spec(y: Vec<f64>, y_log: bool) -> Value {
        let series =
            Value::List(vec![Value::Map(ValueMap::new().with("name", "s").with("y", y))].into());
        Value::Map(
            ValueMap::new()
                .with("title", "t")
                .with("y_log", y_log)
                .with("series", series),
        )
    }

    #[test]
    fn writes_an_svg_with_title_legend_and_log_axis() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.svg");
        let s = parse_spec(spec(vec![1.0, 0.1, 1e-3], true)).unwrap();
        draw_svg(&s, &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..50.min(svg.len())]);
        let texts: Vec<&str> = svg
            .split('>')
            .filter_map(|piece| piece.split('<').next())
            .map(str::trim)
            .collect();
        assert!(
            texts.contains(&"t") && texts.contains(&"s"),
            "title and legend text are in the file"
        );
    }

    /// The texts of an SVG file's elements.
    fn svg_texts(svg: &str) -> Vec<String> {
        svg.split('>')
            .filter_map(|piece| piece.split('<').next())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect()
    }

    #[test]
    fn a_log_axis_over_about_a_decade_is_labelled_at_one_two_five() {
        // Issue 18: y over 13..240 on a log axis was labelled only at 100 and 200.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.svg");
        let s = parse_spec(spec(vec![13.0, 40.0, 90.0, 240.0], true)).unwrap();
        draw_svg(&s, &path).unwrap();
        let texts = svg_texts(&std::fs::read_to_string(&path).unwrap());
        for label in ["20", "50", "100", "200"] {
            assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
        }
    }

    #[test]
    fn bad_specs_name_the_problem() {
        let err = parse_spec(spec(vec![1.0, -1.0], true)).unwrap_err();
        assert!(
            err.contains("y[1] = -1") && err.contains("logarithmic"),
            "{err}"
        );
        let bad = Value::Map(
            ValueMap::new()
                .with("series", Value::List(vec![].into()))
                .with("colour", "red"),
        );
        let err = parse_spec(bad).unwrap_err();
        assert!(err.contains("colour"), "{err}");
    }
}
