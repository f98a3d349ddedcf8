//! One chart axis: its range (padded around the data), linear or logarithmic, and where its
//! ticks go. Ticks are chosen here rather than by plotters so that a log axis spanning about a
//! decade still gets several labels (plotters labels only 100 and 200 on 13..240).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// A linear or logarithmic axis over `lo..hi` (both positive when logarithmic).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Axis {
    /// The axis that shows `values`, padded by 5% of the span (in log space on a log axis).
    /// Non-finite values, and non-positive ones on a log axis, are left out.
    pub fn fit(values: impl Iterator<Item = f64>, log: bool) -> Self {
        let (lo, hi) = values
            .filter(|v| v.is_finite() && (!log || *v > 0.0))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let (lo, hi) = if !lo.is_finite() {
            if log { (1.0, 10.0) } else { (0.0, 1.0) }
        } else if log {
            let (a, b) = (lo.log10(), hi.log10());
            let pad = ((b - a) * 0.05).max(0.05);
            (10f64.powf(a - pad), 10f64.powf(b + pad))
        } else {
            let pad = if lo == hi {
                lo.abs().max(1.0) * 0.05
            } else {
                (hi - lo) * 0.05
            };
            (lo - pad, hi + pad)
        };
        Self { lo, hi, log }
    }

    /// Where `v` lies along the axis: 0 at the low end, 1 at the high end.
    pub fn fraction(&self, v: f64) -> f64 {
        if self.log {
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// At most `max` tick values inside the axis, as dense as that allows. Linear axes step by
    /// 1, 2 or 5 times a power of ten. Log axes mark 1, 2 and 5 in each decade, else each
    /// decade, else every k-th; a span too short for two such ticks gets linear ticks.
    pub fn ticks(&self, max: usize) -> Vec<f64> {
        let max = max.max(2);
        if !self.log {
            return linear_ticks(self.lo, self.hi, max);
        }
        let (a, b) = (
            self.lo.log10().floor() as i32,
            self.hi.log10().ceil() as i32,
        );
        let in_range = |v: &f64| *v >= self.lo && *v <= self.hi;
        let one_two_five: Vec<f64> = (a..=b)
            .flat_map(|e| [1.0, 2.0, 5.0].map(|m| decimal(m, e)))
            .filter(in_range)
            .collect();
        if one_two_five.len() > max {
            let decades: Vec<i32> = (a..=b).filter(|e| in_range(&decimal(1.0, *e))).collect();
            let every = decades.len().div_ceil(max).max(1);
            return decades
                .iter()
                .filter(|e| e.rem_euclid(every as i32) == 0)
                .map(|e| decimal(1.0, *e))
                .collect();
        }
        if one_two_five.len() >= 2 {
            return one_two_five;
        }
        linear_ticks(self.lo, self.hi, max)
    }
}

/// Multiples of the smallest 1-2-5 step that puts at most `max` of them in `lo..=hi`.
fn linear_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 {
        return vec![lo];
    }
    let exponent = (span / max as f64).log10().floor() as i32;
    for mantissa in [1.0, 2.0, 5.0, 10.0] {
        // step = mantissa · 10^exponent; a tick is (i · mantissa) scaled by an exact power of
        // ten, so 3 · 0.2 prints as 0.6, not 0.6000000000000001.
        let scaled = |i: i64| decimal(i as f64 * mantissa, exponent);
        let step = scaled(1);
        // The slack keeps an end tick that rounding puts a hair outside (0.3 / 0.1 < 3).
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        if last - first < max as i64 {
            return (first..=last).map(scaled).collect();
        }
    }
    vec![lo, hi]
}

/// `units · 10^exponent`, correctly rounded for whole `units` (dividing by an exact power of
/// ten, where multiplying by the inexact 10⁻ᵏ would leave 2.0000000000000004e-5).
fn decimal(units: f64, exponent: i32) -> f64 {
    if exponent < 0 {
        units / 10f64.powi(-exponent)
    } else {
        units * 10f64.powi(exponent)
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = self.fraction(*value);
        let pixel = limit.0 as f64 + f * (limit.1 - limit.0) as f64;
        // A value far outside the axis (or NaN) lands just off the drawing, not on i32::MIN.
        pixel.clamp(-1e6, 1e6).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        self.ticks(hint.max_num_points().min(12))
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_axis(lo: f64, hi: f64) -> Axis {
        Axis::fit([lo, hi].into_iter(), true)
    }

    #[test]
    fn a_log_axis_over_about_a_decade_gets_one_two_five_ticks() {
        // The case of issue 18: data over 13..240 was labelled only at 100 and 200.
        assert_eq!(
            log_axis(13.0, 240.0).ticks(10),
            vec![20.0, 50.0, 100.0, 200.0]
        );
        assert_eq!(log_axis(0.3, 2.0).ticks(10), vec![0.5, 1.0, 2.0]);
    }

    #[test]
    fn a_log_axis_over_many_decades_gets_decades_or_every_kth() {
        let ticks = log_axis(1e-9, 1.0).ticks(10);
        assert_eq!(ticks.len(), 10, "{ticks:?}");
        assert!(
            ticks
                .iter()
                .all(|t| (t.log10() - t.log10().round()).abs() < 1e-12)
        );
        let sparse = log_axis(1e-30, 1.0).ticks(10);
        assert!(sparse.len() <= 10 && sparse.len() >= 5, "{sparse:?}");
        assert!(
            sparse.contains(&1.0) && sparse.contains(&1e-12),
            "{sparse:?}"
        );
    }

    #[test]
    fn a_short_log_axis_falls_back_to_linear_ticks() {
        let ticks = log_axis(13.0, 17.0).ticks(8);
        assert!(ticks.len() >= 2 && ticks.len() <= 8, "{ticks:?}");
        assert!(ticks.contains(&15.0), "{ticks:?}");
    }

    #[test]
    fn linear_ticks_step_by_one_two_five() {
        assert_eq!(
            linear_ticks(0.0, 1.0, 6),
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        assert_eq!(
            linear_ticks(-3.0, 97.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0]
        );
        assert_eq!(linear_ticks(0.0, 0.3, 4), vec![0.0, 0.1, 0.2, 0.3]);
    }

    #[test]
    fn fractions_run_from_zero_to_one_in_the_axis_scale() {
        let a = log_axis(1.0, 100.0);
        assert!((a.fraction(10.0) - 0.5).abs() < 1e-12);
        let l = Axis::fit([0.0, 10.0].into_iter(), false);
        assert!((l.fraction(5.0) - 0.5).abs() < 1e-12);
    }
}
