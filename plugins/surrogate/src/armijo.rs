//! Backtracking (Armijo) line search, shared by SLS, the SSO inner loop and the SSO
//! target-space step size.

/// Armijo backtracking: accept step s when f(s) ≤ f(0) − c·s·‖d‖², else s ← shrink·s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Armijo {
    /// Sufficient-decrease constant c ∈ (0, 1).
    pub c: f64,
    /// Backtracking factor in (0, 1).
    pub shrink: f64,
    /// Trials before giving up (then no step is taken).
    pub max_trials: usize,
}

/// Outcome of one search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Accepted {
    /// The accepted step, or 0 when no trial satisfied the condition.
    pub step: f64,
    /// f at the accepted step (f(0) when none was accepted).
    pub value: f64,
    /// Trial evaluations made.
    pub trials: usize,
}

impl Armijo {
    /// Searches from `s0`; `f0` = f(0), `slope` = ‖d‖² (the decrease rate along −d), `eval(s)`
    /// returns f at step s. Non-finite trial values count as failures.
    pub fn search<E>(
        &self,
        f0: f64,
        slope: f64,
        s0: f64,
        mut eval: impl FnMut(f64) -> Result<f64, E>,
    ) -> Result<Accepted, E> {
        let mut s = s0;
        for trial in 1..=self.max_trials {
            let v = eval(s)?;
            if v.is_finite() && v <= f0 - self.c * s * slope {
                return Ok(Accepted {
                    step: s,
                    value: v,
                    trials: trial,
                });
            }
            s *= self.shrink;
        }
        Ok(Accepted {
            step: 0.0,
            value: f0,
            trials: self.max_trials,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On f(s) = f0 − s‖d‖² + (L/2)s²‖d‖² (a quadratic along −d) the condition holds exactly
    /// for s ≤ 2(1 − c)/L; the search returns the first power of `shrink` below that.
    #[test]
    fn accepts_first_step_below_the_quadratic_threshold() {
        let (l, g2, c) = (10.0, 4.0, 0.5);
        let f = |s: f64| -> Result<f64, ()> { Ok(1.0 - s * g2 + 0.5 * l * s * s * g2) };
        let a = Armijo {
            c,
            shrink: 0.5,
            max_trials: 50,
        }
        .search(1.0, g2, 1.0, f)
        .unwrap();
        // threshold 2(1 − c)/L = 0.1: 1, 0.5, 0.25, 0.125 fail, 0.0625 passes
        assert_eq!((a.step, a.trials), (0.0625, 5));
        let none = Armijo {
            c,
            shrink: 0.5,
            max_trials: 3,
        }
        .search(1.0, g2, 1.0, f)
        .unwrap();
        assert_eq!((none.step, none.value, none.trials), (0.0, 1.0, 3));
    }
}
