//! Where the legend goes: the corner or edge of the plotting area its box covers the fewest
//! data in, so that it does not hide the points it explains.

use plotters::chart::SeriesLabelPosition;

/// A spot for the legend and the box it occupies there, in fractions of the plotting area
/// (x to the right, y up; both 0..1).
struct Spot {
    position: SeriesLabelPosition,
    x: (f64, f64),
    y: (f64, f64),
}

/// The spots tried, best-looking first: ties go to the earlier one.
fn spots(width: f64, height: f64) -> Vec<Spot> {
    let (left, right) = ((0.0, width), (1.0 - width, 1.0));
    let (bottom, top) = ((0.0, height), (1.0 - height, 1.0));
    let centre = |size: f64| (0.5 - size / 2.0, 0.5 + size / 2.0);
    use SeriesLabelPosition::*;
    [
        (UpperRight, right, top),
        (UpperLeft, left, top),
        (LowerRight, right, bottom),
        (LowerLeft, left, bottom),
        (MiddleRight, right, centre(height)),
        (MiddleLeft, left, centre(height)),
        (UpperMiddle, centre(width), top),
        (LowerMiddle, centre(width), bottom),
    ]
    .into_iter()
    .map(|(position, x, y)| Spot { position, x, y })
    .collect()
}

/// The spot for a legend box of `width` × `height` (fractions of the plotting area) that
/// covers the fewest of `samples` (points of the drawn series, as fractions: lines sampled
/// along their segments by [`line_samples`]).
pub fn least_covered(samples: &[(f64, f64)], width: f64, height: f64) -> SeriesLabelPosition {
    let covered = |spot: &Spot| {
        samples
            .iter()
            .filter(|(x, y)| (spot.x.0..=spot.x.1).contains(x) && (spot.y.0..=spot.y.1).contains(y))
            .count()
    };
    let mut spots = spots(width.min(1.0), height.min(1.0));
    let counts: Vec<usize> = spots.iter().map(covered).collect();
    let fewest = counts.iter().min().copied().unwrap_or(0);
    let best = counts.iter().position(|&n| n == fewest).unwrap_or(0);
    spots.swap_remove(best).position
}

/// Points along a polyline (fractions of the plotting area), close enough together that a box
/// a few percent wide cannot sit on the line between two of them unseen.
pub fn line_samples(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    const PER_SEGMENT: usize = 50;
    let mut samples = points.first().copied().into_iter().collect::<Vec<_>>();
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        samples.extend((1..=PER_SEGMENT).map(|k| {
            let t = k as f64 / PER_SEGMENT as f64;
            (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
        }));
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_line_keeps_the_legend_off_the_upper_right() {
        let rising = line_samples(&[(0.0, 0.0), (1.0, 1.0)]);
        let spot = least_covered(&rising, 0.2, 0.1);
        assert!(matches!(spot, SeriesLabelPosition::UpperLeft), "{spot:?}");
    }

    #[test]
    fn a_falling_line_leaves_the_default_upper_right() {
        let falling = line_samples(&[(0.0, 1.0), (1.0, 0.0)]);
        assert!(matches!(
            least_covered(&falling, 0.2, 0.1),
            SeriesLabelPosition::UpperRight
        ));
    }

    #[test]
    fn data_in_every_corner_moves_the_legend_to_an_empty_edge() {
        let corners: Vec<_> = [(0.05, 0.05), (0.95, 0.05), (0.05, 0.95), (0.95, 0.95)]
            .into_iter()
            .flat_map(|(x, y)| line_samples(&[(x - 0.04, y), (x + 0.04, y)]))
            .collect();
        let spot = least_covered(&corners, 0.2, 0.1);
        assert!(matches!(spot, SeriesLabelPosition::MiddleRight), "{spot:?}");
    }
}
