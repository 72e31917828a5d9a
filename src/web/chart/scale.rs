//! The chart's geometry: its size and margins, the value axis's round
//! steps, and where each day sits on the x axis.

// The drawing area inside the viewBox (the SVG scales to the page width).
pub(super) const WIDTH: f64 = 640.0;
pub(super) const HEIGHT: f64 = 220.0;
pub(super) const LEFT: f64 = 56.0;
pub(super) const RIGHT: f64 = 12.0;
pub(super) const TOP: f64 = 28.0;
pub(super) const BOTTOM: f64 = 26.0;
/// At most this many day labels under the x axis.
pub(super) const X_LABELS: usize = 6;
pub(super) const Y_TICKS: i64 = 4;

/// The smallest 1, 2 or 5 × 10^k that is at least `v` (v > 0).
pub(super) fn nice_ceiling(v: i64) -> i64 {
    let mut step: i64 = 1;
    loop {
        for m in [1i64, 2, 5] {
            let candidate = step.saturating_mul(m);
            if candidate >= v || candidate == i64::MAX {
                return candidate;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// The value axis: from `low` (0, or a round value below a negative
/// minimum) up in `ticks` equal steps of a round size (1, 2 or 5 × 10^k),
/// the first that reach the maximum: about [`Y_TICKS`] grid lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    pub(super) low: i64,
    pub(super) step: i64,
    pub(super) ticks: i64,
}

impl Scale {
    pub(super) fn of(values: impl Iterator<Item = i64>) -> Scale {
        let (mut min, mut max) = (0i64, 0i64);
        for v in values {
            min = min.min(v);
            max = max.max(v);
        }
        let span = max.saturating_sub(min).max(1);
        let step = nice_ceiling((span.saturating_add(Y_TICKS - 1) / Y_TICKS).max(1));
        // Start on a multiple of the step at or below the minimum.
        let low = min.div_euclid(step).saturating_mul(step);
        let reach = max.saturating_sub(low);
        let ticks = ((reach.saturating_add(step - 1)) / step).max(1);
        Scale { low, step, ticks }
    }

    pub(super) fn high(&self) -> i64 {
        self.low
            .saturating_add(self.step.saturating_mul(self.ticks))
    }

    pub(super) fn y(&self, v: i64) -> f64 {
        let span = (self.high() as f64 - self.low as f64).max(1.0);
        let frac = (v as f64 - self.low as f64) / span;
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - frac)
    }
}

pub(super) fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

/// The centre of day `i` of `n` on the x axis (bars and points alike).
pub(super) fn x_of(i: usize, n: usize) -> f64 {
    let band = plot_width() / n.max(1) as f64;
    LEFT + band * (i as f64 + 0.5)
}
