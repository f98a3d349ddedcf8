//! Models f(θ; X) = z mapping a batch of inputs (b × d) to targets (b × k), with hand-written
//! reverse-mode derivatives (vector-Jacobian products) on faer matrices.
//!
//! Evaluating the model and its Jacobian is the *cheap* part of the SSO framework: the inner
//! loop calls [`Model::forward`] and [`Model::vjp`] many times per expensive loss gradient.
//!
//! Parameter layout (θ is one flat vector):
//! - linear: `W` (d × k, column-major) then, with a bias, `b` (k); z = XW + 1bᵀ;
//! - MLP with one hidden layer of width h and tanh activation: `W1` (d × h), `b1` (h),
//!   `W2` (h × k), `b2` (k); z = tanh(XW1 + 1b1ᵀ)W2 + 1b2ᵀ.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rand::Rng;

use crate::error::SurrogateError;

/// The architecture a [`Model`] is built with; the `model` parameter names it (`linear`, `mlp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    /// z = XW (+ 1bᵀ with a bias).
    Linear,
    /// One tanh hidden layer.
    Mlp,
}

/// A model architecture with its dimensions.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Linear {
        inputs: usize,
        outputs: usize,
        bias: bool,
    },
    Mlp {
        inputs: usize,
        hidden: usize,
        outputs: usize,
    },
}

/// The result of a forward pass: the outputs and what the backward pass needs.
#[derive(Clone, Debug)]
pub struct Forward {
    /// Outputs z (b × k).
    pub z: Mat<f64>,
    /// tanh activations of the hidden layer (b × h), MLP only.
    hidden: Option<Mat<f64>>,
}

impl Model {
    /// The model of `architecture` with these dimensions (`hidden` for the MLP, `bias` for
    /// the linear model).
    pub fn build(
        architecture: Architecture,
        inputs: usize,
        outputs: usize,
        hidden: usize,
        bias: bool,
    ) -> Result<Self, SurrogateError> {
        match architecture {
            Architecture::Linear => Ok(Model::Linear {
                inputs,
                outputs,
                bias,
            }),
            Architecture::Mlp => {
                if hidden == 0 {
                    return Err(SurrogateError::bad_input(
                        "hidden",
                        "the MLP needs at least one hidden unit",
                    ));
                }
                Ok(Model::Mlp {
                    inputs,
                    hidden,
                    outputs,
                })
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Model::Linear { .. } => "linear",
            Model::Mlp { .. } => "mlp",
        }
    }

    pub fn n_params(&self) -> usize {
        match *self {
            Model::Linear {
                inputs,
                outputs,
                bias,
            } => (inputs + usize::from(bias)) * outputs,
            Model::Mlp {
                inputs,
                hidden,
                outputs,
            } => (inputs + 1) * hidden + (hidden + 1) * outputs,
        }
    }

    pub fn n_outputs(&self) -> usize {
        match *self {
            Model::Linear { outputs, .. } | Model::Mlp { outputs, .. } => outputs,
        }
    }

    /// Initial parameters: zeros for the linear model (a convex problem; matches the worked
    /// examples), Glorot-uniform weights and zero biases for the MLP.
    pub fn init(&self, rng: &mut impl Rng) -> Vec<f64> {
        let mut theta = vec![0.0; self.n_params()];
        if let Model::Mlp {
            inputs,
            hidden,
            outputs,
        } = *self
        {
            let r1 = (6.0 / (inputs + hidden) as f64).sqrt();
            for w in &mut theta[..inputs * hidden] {
                *w = rng.random_range(-r1..r1);
            }
            let start = (inputs + 1) * hidden;
            let r2 = (6.0 / (hidden + outputs) as f64).sqrt();
            for w in &mut theta[start..start + hidden * outputs] {
                *w = rng.random_range(-r2..r2);
            }
        }
        theta
    }

    /// Outputs on the rows of `x`, keeping what [`Model::vjp`] needs.
    pub fn forward(&self, theta: &[f64], x: MatRef<'_, f64>) -> Forward {
        debug_assert_eq!(theta.len(), self.n_params());
        let b = x.nrows();
        match *self {
            Model::Linear {
                inputs,
                outputs,
                bias,
            } => {
                let w =
                    MatRef::from_column_major_slice(&theta[..inputs * outputs], inputs, outputs);
                let mut z = Mat::<f64>::zeros(b, outputs);
                matmul(z.as_mut(), Accum::Replace, x, w, 1.0, Par::Seq);
                if bias {
                    add_row_bias(&mut z, &theta[inputs * outputs..]);
                }
                Forward { z, hidden: None }
            }
            Model::Mlp {
                inputs,
                hidden,
                outputs,
            } => {
                let (w1, b1, w2, b2) = mlp_parts(theta, inputs, hidden, outputs);
                let mut a = Mat::<f64>::zeros(b, hidden);
                matmul(a.as_mut(), Accum::Replace, x, w1, 1.0, Par::Seq);
                add_row_bias(&mut a, b1);
                for j in 0..hidden {
                    for v in a.col_mut(j).iter_mut() {
                        *v = v.tanh();
                    }
                }
                let mut z = Mat::<f64>::zeros(b, outputs);
                matmul(z.as_mut(), Accum::Replace, a.as_ref(), w2, 1.0, Par::Seq);
                add_row_bias(&mut z, b2);
                Forward { z, hidden: Some(a) }
            }
        }
    }

    /// Jᵀv: the gradient with respect to θ of ⟨v, f(θ; x)⟩, given the forward pass at θ.
    pub fn vjp(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        forward: &Forward,
        v: MatRef<'_, f64>,
    ) -> Vec<f64> {
        let mut grad = vec![0.0; self.n_params()];
        match *self {
            Model::Linear {
                inputs,
                outputs,
                bias,
            } => {
                let (gw, gb) = grad.split_at_mut(inputs * outputs);
                let gw = faer::MatMut::from_column_major_slice_mut(gw, inputs, outputs);
                matmul(gw, Accum::Replace, x.transpose(), v, 1.0, Par::Seq);
                if bias {
                    column_sums(v, gb);
                }
            }
            Model::Mlp {
                inputs,
                hidden,
                outputs,
            } => {
                let (_, _, w2, _) = mlp_parts(theta, inputs, hidden, outputs);
                let a = forward
                    .hidden
                    .as_ref()
                    .expect("MLP forward pass keeps its activations");
                let (g1, g2) = grad.split_at_mut((inputs + 1) * hidden);
                let (gw1, gb1) = g1.split_at_mut(inputs * hidden);
                let (gw2, gb2) = g2.split_at_mut(hidden * outputs);
                let gw2 = faer::MatMut::from_column_major_slice_mut(gw2, hidden, outputs);
                matmul(gw2, Accum::Replace, a.transpose(), v, 1.0, Par::Seq);
                column_sums(v, gb2);
                // back through W2 and tanh: dP = (V W2ᵀ) ⊙ (1 − A²)
                let mut dp = Mat::<f64>::zeros(x.nrows(), hidden);
                matmul(
                    dp.as_mut(),
                    Accum::Replace,
                    v,
                    w2.transpose(),
                    1.0,
                    Par::Seq,
                );
                for j in 0..hidden {
                    for i in 0..x.nrows() {
                        dp[(i, j)] *= 1.0 - a[(i, j)] * a[(i, j)];
                    }
                }
                let gw1 = faer::MatMut::from_column_major_slice_mut(gw1, inputs, hidden);
                matmul(
                    gw1,
                    Accum::Replace,
                    x.transpose(),
                    dp.as_ref(),
                    1.0,
                    Par::Seq,
                );
                column_sums(dp.as_ref(), gb1);
            }
        }
        grad
    }

    /// For a linear model: the design matrix D = [X, 1] (or X without a bias) such that
    /// z = D·Θ with Θ the parameters reshaped to (d + bias) × k. `None` for the MLP.
    pub fn linear_design(&self, x: MatRef<'_, f64>) -> Option<Mat<f64>> {
        match *self {
            Model::Linear { inputs, bias, .. } => {
                let p = inputs + usize::from(bias);
                Some(Mat::from_fn(x.nrows(), p, |i, j| {
                    if j < inputs { x[(i, j)] } else { 1.0 }
                }))
            }
            Model::Mlp { .. } => None,
        }
    }

    /// For a linear model: θ laid out as the (d + bias) × k matrix Θ with z = DΘ, and back.
    /// The flat layout stores W column by column then the bias row, so Θ's column c is
    /// `[W[:, c]; b_c]`.
    pub fn linear_theta_matrix(&self, theta: &[f64]) -> Option<Mat<f64>> {
        match *self {
            Model::Linear {
                inputs,
                outputs,
                bias,
            } => Some(Mat::from_fn(inputs + usize::from(bias), outputs, |j, c| {
                if j < inputs {
                    theta[c * inputs + j]
                } else {
                    theta[inputs * outputs + c]
                }
            })),
            Model::Mlp { .. } => None,
        }
    }

    /// Inverse of [`Model::linear_theta_matrix`].
    pub fn linear_theta_from_matrix(&self, m: MatRef<'_, f64>) -> Vec<f64> {
        let Model::Linear {
            inputs,
            outputs,
            bias,
        } = *self
        else {
            unreachable!("only called for linear models")
        };
        let mut theta = vec![0.0; self.n_params()];
        for c in 0..outputs {
            for j in 0..inputs {
                theta[c * inputs + j] = m[(j, c)];
            }
            if bias {
                theta[inputs * outputs + c] = m[(inputs, c)];
            }
        }
        theta
    }
}

type MlpParts<'a> = (MatRef<'a, f64>, &'a [f64], MatRef<'a, f64>, &'a [f64]);

fn mlp_parts(theta: &[f64], inputs: usize, hidden: usize, outputs: usize) -> MlpParts<'_> {
    let (w1, rest) = theta.split_at(inputs * hidden);
    let (b1, rest) = rest.split_at(hidden);
    let (w2, b2) = rest.split_at(hidden * outputs);
    (
        MatRef::from_column_major_slice(w1, inputs, hidden),
        b1,
        MatRef::from_column_major_slice(w2, hidden, outputs),
        b2,
    )
}

fn add_row_bias(m: &mut Mat<f64>, bias: &[f64]) {
    for (j, &bj) in bias.iter().enumerate() {
        for v in m.col_mut(j).iter_mut() {
            *v += bj;
        }
    }
}

fn column_sums(v: MatRef<'_, f64>, out: &mut [f64]) {
    for (j, o) in out.iter_mut().enumerate() {
        *o = v.col(j).iter().sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Jᵀv against central differences of ⟨v, f(θ)⟩ (an independent check of the backprop).
    fn check_vjp(model: &Model, seed: u64) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (d, k) = match *model {
            Model::Linear {
                inputs, outputs, ..
            }
            | Model::Mlp {
                inputs, outputs, ..
            } => (inputs, outputs),
        };
        let x = Mat::from_fn(7, d, |_, _| rng.random_range(-1.0..1.0));
        let v = Mat::from_fn(7, k, |_, _| rng.random_range(-1.0..1.0));
        let mut theta = model.init(&mut rng);
        for t in &mut theta {
            *t += rng.random_range(-0.5..0.5);
        }
        let fw = model.forward(&theta, x.as_ref());
        let g = model.vjp(&theta, x.as_ref(), &fw, v.as_ref());
        let inner = |th: &[f64]| -> f64 {
            let z = model.forward(th, x.as_ref()).z;
            (0..7)
                .flat_map(|i| (0..k).map(move |c| (i, c)))
                .map(|(i, c)| z[(i, c)] * v[(i, c)])
                .sum()
        };
        for p in 0..theta.len() {
            let h = 1e-6;
            let mut tp = theta.clone();
            tp[p] += h;
            let mut tm = theta.clone();
            tm[p] -= h;
            let fd = (inner(&tp) - inner(&tm)) / (2.0 * h);
            assert!(
                (fd - g[p]).abs() < 1e-7 * (1.0 + fd.abs()),
                "{model:?} param {p}: fd {fd} vs {}",
                g[p]
            );
        }
    }

    #[test]
    fn vjp_matches_finite_differences() {
        check_vjp(
            &Model::Linear {
                inputs: 4,
                outputs: 3,
                bias: true,
            },
            1,
        );
        check_vjp(
            &Model::Linear {
                inputs: 5,
                outputs: 1,
                bias: false,
            },
            2,
        );
        check_vjp(
            &Model::Mlp {
                inputs: 4,
                hidden: 6,
                outputs: 3,
            },
            3,
        );
        check_vjp(
            &Model::Mlp {
                inputs: 3,
                hidden: 2,
                outputs: 1,
            },
            4,
        );
    }

    #[test]
    fn linear_layout_round_trips_and_matches_design() {
        let model = Model::Linear {
            inputs: 3,
            outputs: 2,
            bias: true,
        };
        let theta: Vec<f64> = (0..model.n_params())
            .map(|i| i as f64 * 0.5 - 1.0)
            .collect();
        let m = model.linear_theta_matrix(&theta).unwrap();
        assert_eq!(model.linear_theta_from_matrix(m.as_ref()), theta);
        let x = faer::mat![[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]];
        let z = model.forward(&theta, x.as_ref()).z;
        let dz = model.linear_design(x.as_ref()).unwrap() * &m;
        assert!((&z - &dz).norm_max() < 1e-14);
    }

    #[test]
    fn an_mlp_without_hidden_units_is_refused() {
        let e = Model::build(Architecture::Mlp, 2, 1, 0, true).unwrap_err();
        assert!(
            matches!(
                e,
                SurrogateError::BadInput {
                    parameter: "hidden",
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "parameter `hidden`: the MLP needs at least one hidden unit"
        );
    }
}
