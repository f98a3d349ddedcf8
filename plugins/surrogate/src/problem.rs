//! The objective h(θ) = L(f(θ)) + (λ/2)‖θ‖² on a batch, the oracle counters, and the
//! expensive/cheap split that every optimiser reports.

use boundlab_vecops::norm_sq;
use faer::{Mat, MatRef};

use crate::loss::Loss;
use crate::model::{Forward, Model};

/// Work done by an optimiser, counted separately as the SSO paper does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Expensive oracle calls: target-space gradients ∇_z L_S(z) (one per outer step).
    pub grad_calls: u64,
    /// Target-space loss values L_S(z) at trial points (line searches on the true loss:
    /// SLS backtracking, SSO's target-space Armijo step size).
    pub loss_evals: u64,
    /// Cheap surrogate gradients ∇ℓ_t(θ) in the inner loop (one forward + one Jᵀv each).
    pub inner_grads: u64,
    /// Cheap surrogate values ℓ_t(θ) in the inner loop (one forward each; Armijo trials).
    pub inner_values: u64,
}

/// A batch of examples: inputs (b × d) and encoded targets (b × k).
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    pub x: MatRef<'a, f64>,
    pub y: MatRef<'a, f64>,
}

impl Batch<'_> {
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
    }
}

/// An owned batch (rows gathered from a data set).
#[derive(Clone, Debug)]
pub struct OwnedBatch {
    pub x: Mat<f64>,
    pub y: Mat<f64>,
}

impl OwnedBatch {
    /// Gathers the rows `index` of `x` and `y`.
    pub fn gather(x: MatRef<'_, f64>, y: MatRef<'_, f64>, index: &[usize]) -> Self {
        OwnedBatch {
            x: Mat::from_fn(index.len(), x.ncols(), |i, j| x[(index[i], j)]),
            y: Mat::from_fn(index.len(), y.ncols(), |i, j| y[(index[i], j)]),
        }
    }

    pub fn as_batch(&self) -> Batch<'_> {
        Batch {
            x: self.x.as_ref(),
            y: self.y.as_ref(),
        }
    }
}

/// Model, loss and ridge weight: everything needed to evaluate h on a batch.
#[derive(Clone, Debug)]
pub struct Objective {
    pub model: Model,
    pub loss: Loss,
    /// λ ≥ 0 in (λ/2)‖θ‖² (applied to all parameters, biases included).
    pub l2: f64,
}

impl Objective {
    /// h_S(θ) = L_S(f(θ)) + (λ/2)‖θ‖²: a target-space loss *value* (not counted here).
    pub fn value(&self, theta: &[f64], batch: Batch<'_>) -> f64 {
        let z = self.model.forward(theta, batch.x).z;
        self.loss.value(z.as_ref(), batch.y) + self.ridge(theta)
    }

    /// h_S(θ) and ∇h_S(θ) = (1/b)Jᵀ∇ℓ + λθ, plus the forward pass and the per-example target
    /// gradients G (the expensive oracle's answer).
    pub fn value_and_grad(&self, theta: &[f64], batch: Batch<'_>) -> Evaluation {
        let forward = self.model.forward(theta, batch.x);
        let (loss, g) = self.loss.value_and_grad(forward.z.as_ref(), batch.y);
        let scale = 1.0 / batch.len().max(1) as f64;
        let mut grad = self.model.vjp(theta, batch.x, &forward, g.as_ref());
        for (gi, ti) in grad.iter_mut().zip(theta) {
            *gi = *gi * scale + self.l2 * ti;
        }
        Evaluation {
            value: loss + self.ridge(theta),
            grad,
            forward,
            target_grad: g,
        }
    }

    pub fn ridge(&self, theta: &[f64]) -> f64 {
        if self.l2 == 0.0 {
            0.0
        } else {
            0.5 * self.l2 * norm_sq(theta)
        }
    }
}

/// What one evaluation of h_S with its gradient produced.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub value: f64,
    pub grad: Vec<f64>,
    pub forward: Forward,
    /// Per-example target gradients ∇ℓ(z_i) (b × k).
    pub target_grad: Mat<f64>,
}

/// AᵀB, single-threaded (the engine may run several algorithms in parallel threads).
pub fn at_b(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(a.ncols(), b.ncols());
    faer::linalg::matmul::matmul(
        out.as_mut(),
        faer::Accum::Replace,
        a.transpose(),
        b,
        1.0,
        faer::Par::Seq,
    );
    out
}
