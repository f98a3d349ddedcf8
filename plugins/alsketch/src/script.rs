//! Problems defined in a script: `#{ n, m, x0, f: |x| .., c: |x| [..], grad, jac, hess }`.
//!
//! Closures arrive as [`Value::Callable`] and are called through the host. `f` takes the point
//! (a vector) and returns a number; `c` returns m numbers; `grad` n numbers; `jac` the m×n
//! Jacobian (a list of m rows, or a flat list when m = 1); `hess` takes a map `#{ x, lambda }`
//! and returns the n×n Hessian of the Lagrangian f + λᵀc. Optional entries: `m` (default: the
//! length of c(x0), or 0 without `c`), `lambda0` (default zeros), `name`, and the three
//! derivatives.
//!
//! Derivatives that are not given come, by default (`derivatives: "auto"`), from forward-mode
//! automatic differentiation in the script engine (`HostExt::derivatives`): ∇f and the
//! Jacobian in one call each, the Hessian of the Lagrangian as ∇²f + Σₖ λₖ∇²cₖ from one
//! second-order call of f and of c — exact to rounding. When a closure uses an operation
//! without a derivative rule, `auto` warns (naming it) and falls back to finite differences;
//! `"exact"` makes that an error, and `"finite_differences"` never differentiates exactly:
//!
//! | missing | replacement | callbacks per evaluation | typical relative error |
//! |---|---|---|---|
//! | `grad` | central differences of f, hᵢ = ε^{1/3}·max(1, \|xᵢ\|) | 2n calls of f | ~1e-10 |
//! | `jac` | central differences of c, same steps | 2n calls of c | ~1e-10 |
//! | `hess`, with exact `grad` and `jac` (or m = 0) | central differences of ∇ₓL, same steps | 2n calls of grad and of jac | ~1e-10 |
//! | `hess`, otherwise | second differences of L = f + λᵀc, hᵢ = ε^{1/4}·max(1, \|xᵢ\|) | 2n² + 1 calls of f and of c | ~1e-8 |
//!
//! (ε = 2.2e-16; the errors assume derivatives of moderate size.) The KKT norm is then measured
//! with the approximate derivatives, so tolerances much below the listed errors are not
//! meaningful.

use boundlab_sdk::Derivatives;
use boundlab_sdk::prelude::*;

use crate::error::Error;
use crate::linalg::Matrix;
use crate::problem::Problem;

/// Where the derivatives a script problem does not give come from.
#[derive(ParamEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerivativeSource {
    /// Automatic differentiation, falling back to finite differences (with a warning) when a
    /// closure uses an operation without a derivative rule.
    Auto,
    /// Automatic differentiation only: an unsupported operation is an error.
    Exact,
    /// Central differences of the closures.
    FiniteDifferences,
}

/// A problem whose functions are script closures.
pub struct ScriptProblem<'h, 'a> {
    host: &'h HostRef<'a>,
    name: String,
    n: usize,
    m: usize,
    x0: Vec<f64>,
    lambda0: Vec<f64>,
    f: Callable,
    c: Option<Callable>,
    grad: Option<Callable>,
    jac: Option<Callable>,
    hess: Option<Callable>,
    source: DerivativeSource,
    /// Set when `auto` met a closure it cannot differentiate: finite differences from then on.
    fell_back: bool,
    /// Host calls made so far.
    pub calls: u64,
}

fn bad(msg: impl std::fmt::Display) -> PluginError {
    PluginError::bad_parameter("problem", msg)
}

fn callable(map: &ValueMap, key: &str) -> PluginResult<Option<Callable>> {
    match map.get(key) {
        None | Some(Value::Unit) => Ok(None),
        Some(Value::Callable(c)) => Ok(Some(*c)),
        Some(other) => Err(bad(format!(
            "`{key}` must be a function, got {}",
            other.describe()
        ))),
    }
}

fn count(map: &ValueMap, key: &str) -> PluginResult<Option<usize>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Int(i)) if *i >= 0 => Ok(Some(*i as usize)),
        Some(other) => Err(bad(format!(
            "`{key}` must be a non-negative integer, got {}",
            other.describe()
        ))),
    }
}

impl<'h, 'a> ScriptProblem<'h, 'a> {
    /// Reads the problem map; errors name the entry.
    pub fn new(
        host: &'h HostRef<'a>,
        map: &ValueMap,
        source: DerivativeSource,
    ) -> PluginResult<Self> {
        const KNOWN: [&str; 11] = [
            "name",
            "n",
            "m",
            "x0",
            "lambda0",
            "f",
            "c",
            "grad",
            "jac",
            "hess",
            "description",
        ];
        if let Some(k) = map.keys().find(|k| !KNOWN.contains(k)) {
            return Err(bad(format!(
                "unknown entry `{k}`; a problem map has {}",
                KNOWN.join(", ")
            )));
        }
        let x0 = map
            .get("x0")
            .ok_or_else(|| bad("`x0` (the start point) is required"))?
            .to_f64_vec()
            .ok_or_else(|| bad("`x0` must be a list of numbers"))?;
        let n = count(map, "n")?.unwrap_or(x0.len());
        if n == 0 || x0.len() != n {
            return Err(bad(format!("`x0` has {} entries but `n` is {n}", x0.len())));
        }
        let c = callable(map, "c")?;
        let mut calls = 0;
        let m = match (count(map, "m")?, c) {
            (Some(m), _) => m,
            (None, None) => 0,
            // No `m`: count the constraints at the start point.
            (None, Some(cf)) => {
                calls += 1;
                let v = host
                    .call_function(cf, Value::from(x0.as_slice()))
                    .map_err(|e| e.context("problem `c`"))?;
                match &v {
                    Value::Int(_) | Value::Float(_) => 1,
                    _ => v
                        .to_f64_vec()
                        .ok_or_else(|| {
                            bad(format!(
                                "`c` returned {}, expected a list of numbers",
                                v.describe()
                            ))
                        })?
                        .len(),
                }
            }
        };
        let lambda0 = match map.get("lambda0") {
            None => vec![0.0; m],
            Some(v) => v
                .to_f64_vec()
                .ok_or_else(|| bad("`lambda0` must be a list of numbers"))?,
        };
        if lambda0.len() != m {
            return Err(bad(format!(
                "`lambda0` has {} entries but `m` is {m}",
                lambda0.len()
            )));
        }
        let f =
            callable(map, "f")?.ok_or_else(|| bad("`f` (the objective, |x| ...) is required"))?;
        if m > 0 && c.is_none() {
            return Err(bad(format!(
                "`c` (the constraints, |x| [...]) is required when m = {m}"
            )));
        }
        let name = match map.get("name") {
            Some(Value::Str(s)) => s.to_string(),
            _ => "script".to_string(),
        };
        Ok(Self {
            host,
            name,
            n,
            m,
            x0,
            lambda0,
            f,
            c,
            grad: callable(map, "grad")?,
            jac: callable(map, "jac")?,
            hess: callable(map, "hess")?,
            source,
            fell_back: false,
            calls,
        })
    }

    /// Exact derivatives of closure `what` at `x`, or `None` when finite differences are to be
    /// used (asked for, or `auto` fell back).
    fn exact(
        &mut self,
        what: &str,
        f: Callable,
        x: &[f64],
        order: u8,
    ) -> PluginResult<Option<Derivatives>> {
        if self.source == DerivativeSource::FiniteDifferences || self.fell_back {
            return Ok(None);
        }
        self.calls += 1;
        let failure = match self.host.derivatives(f, x, order) {
            Ok(d) => return Ok(Some(d)),
            Err(e) => e.context(format!("exact derivatives of problem `{what}`")),
        };
        if self.source == DerivativeSource::Exact {
            return Err(failure);
        }
        // Only a failure of the differentiation itself falls back: if the plain call fails
        // too, that is the error to report.
        self.call(what, f, Value::from(x))?;
        self.host.warn(&format!(
            "{}; using finite differences for this run (derivatives: \"auto\")",
            failure.message
        ));
        self.fell_back = true;
        Ok(None)
    }

    /// ∇²f + Σₖ λₖ∇²cₖ from second-order automatic differentiation, or `None`.
    fn exact_hessian(&mut self, x: &[f64], lambda: &[f64]) -> PluginResult<Option<Matrix>> {
        let n = self.n;
        let Some(df) = self.exact("f", self.f, x, 2)? else {
            return Ok(None);
        };
        let mut h = faer::Mat::from_fn(n, n, |i, j| df.hessians[0].get(i, j));
        if let Some(c) = self.c.filter(|_| self.m > 0) {
            let Some(dc) = self.exact("c", c, x, 2)? else {
                return Ok(None);
            };
            for (hk, &lk) in dc.hessians.iter().zip(lambda) {
                for j in 0..n {
                    for i in 0..n {
                        h[(i, j)] += lk * hk.get(i, j);
                    }
                }
            }
        }
        Ok(Some(Matrix::Dense(h)))
    }

    fn call(&mut self, what: &str, f: Callable, input: Value) -> PluginResult<Value> {
        self.calls += 1;
        self.host
            .call_function(f, input)
            .map_err(|e| e.context(format!("problem `{what}`")))
    }

    fn call_f(&mut self, x: &[f64]) -> PluginResult<f64> {
        let v = self.call("f", self.f, Value::from(x))?;
        v.as_f64()
            .ok_or_else(|| bad(format!("`f` returned {}, expected a number", v.describe())))
    }

    fn call_c(&mut self, x: &[f64]) -> PluginResult<Vec<f64>> {
        let Some(c) = self.c else {
            return Ok(Vec::new());
        };
        let v = self.call("c", c, Value::from(x))?;
        let c = match &v {
            Value::Int(_) | Value::Float(_) if self.m == 1 => vec![v.as_f64().unwrap_or(f64::NAN)],
            _ => v.to_f64_vec().ok_or_else(|| {
                bad(format!(
                    "`c` returned {}, expected a list of {} numbers",
                    v.describe(),
                    self.m
                ))
            })?,
        };
        if c.len() != self.m {
            return Err(bad(format!(
                "`c` returned {} values, expected m = {}",
                c.len(),
                self.m
            )));
        }
        Ok(c)
    }

    fn matrix(&self, what: &str, v: &Value, rows: usize, cols: usize) -> PluginResult<Matrix> {
        let dense = match v {
            Value::Vector(_) | Value::List(_) if rows == 1 && v.to_f64_vec().is_some() => {
                let flat = v.to_f64_vec().unwrap_or_default();
                boundlab_sdk::DenseMatrix::from_col_major(1, flat.len(), flat).ok()
            }
            _ => v.to_dense_matrix(),
        }
        .ok_or_else(|| {
            bad(format!(
                "`{what}` returned {}, expected a {rows}x{cols} matrix (a list of rows)",
                v.describe()
            ))
        })?;
        if dense.nrows() != rows || dense.ncols() != cols {
            return Err(bad(format!(
                "`{what}` returned a {}x{} matrix, expected {rows}x{cols}",
                dense.nrows(),
                dense.ncols()
            )));
        }
        Ok(Matrix::dense_from_fn(rows, cols, |i, j| dense.get(i, j)))
    }

    fn step(x: f64, power: f64) -> f64 {
        f64::EPSILON.powf(power) * x.abs().max(1.0)
    }

    /// ∇ₓL(x, λ) from the analytic grad and jac.
    fn grad_lagrangian(&mut self, x: &[f64], lambda: &[f64]) -> PluginResult<Vec<f64>> {
        let mut g = self.eval_gradient(x)?;
        if self.m > 0 {
            let j = self.eval_jacobian(x)?;
            let mut jt = vec![0.0; self.n];
            j.tmul_vec(lambda, &mut jt);
            boundlab_vecops::axpy(1.0, &jt, &mut g);
        }
        Ok(g)
    }

    fn lagrangian(&mut self, x: &[f64], lambda: &[f64]) -> PluginResult<f64> {
        let f = self.call_f(x)?;
        let c = self.call_c(x)?;
        Ok(f + boundlab_vecops::dot(lambda, &c))
    }
}

/// The evaluators behind [`Problem`]: host errors stay [`PluginError`]s here and are passed
/// through the numerics as [`Error::Callback`].
impl ScriptProblem<'_, '_> {
    fn eval_objective(&mut self, x: &[f64]) -> PluginResult<f64> {
        self.call_f(x)
    }
    fn eval_gradient(&mut self, x: &[f64]) -> PluginResult<Vec<f64>> {
        if let Some(g) = self.grad {
            let v = self.call("grad", g, Value::from(x))?;
            let g = v.to_f64_vec().ok_or_else(|| {
                bad(format!(
                    "`grad` returned {}, expected a list of {} numbers",
                    v.describe(),
                    self.n
                ))
            })?;
            if g.len() != self.n {
                return Err(bad(format!(
                    "`grad` returned {} values, expected n = {}",
                    g.len(),
                    self.n
                )));
            }
            return Ok(g);
        }
        if let Some(d) = self.exact("f", self.f, x, 1)? {
            if d.values.len() != 1 {
                return Err(bad(format!(
                    "`f` returned {} values, expected one number",
                    d.values.len()
                )));
            }
            return Ok((0..self.n).map(|i| d.jacobian.get(0, i)).collect());
        }
        let mut g = vec![0.0; self.n];
        let mut y = x.to_vec();
        for i in 0..self.n {
            let h = Self::step(x[i], 1.0 / 3.0);
            y[i] = x[i] + h;
            let fp = self.call_f(&y)?;
            y[i] = x[i] - h;
            let fm = self.call_f(&y)?;
            y[i] = x[i];
            g[i] = (fp - fm) / (2.0 * h);
        }
        Ok(g)
    }
    fn eval_constraints(&mut self, x: &[f64]) -> PluginResult<Vec<f64>> {
        self.call_c(x)
    }
    fn eval_jacobian(&mut self, x: &[f64]) -> PluginResult<Matrix> {
        let (n, m) = (self.n, self.m);
        if let Some(j) = self.jac.filter(|_| m > 0) {
            let v = self.call("jac", j, Value::from(x))?;
            return self.matrix("jac", &v, m, n);
        }
        if let Some(c) = self.c.filter(|_| m > 0)
            && let Some(d) = self.exact("c", c, x, 1)?
        {
            if d.jacobian.nrows() != m {
                return Err(bad(format!(
                    "`c` returned {} values, expected m = {m}",
                    d.jacobian.nrows()
                )));
            }
            return Ok(Matrix::dense_from_fn(m, n, |k, i| d.jacobian.get(k, i)));
        }
        let mut cols = Vec::with_capacity(n);
        let mut y = x.to_vec();
        for i in 0..n {
            let h = Self::step(x[i], 1.0 / 3.0);
            y[i] = x[i] + h;
            let cp = self.call_c(&y)?;
            y[i] = x[i] - h;
            let cm = self.call_c(&y)?;
            y[i] = x[i];
            cols.push(
                cp.iter()
                    .zip(&cm)
                    .map(|(a, b)| (a - b) / (2.0 * h))
                    .collect::<Vec<f64>>(),
            );
        }
        Ok(Matrix::dense_from_fn(m, n, |k, i| cols[i][k]))
    }
    fn eval_hessian_lagrangian(&mut self, x: &[f64], lambda: &[f64]) -> PluginResult<Matrix> {
        let n = self.n;
        if let Some(h) = self.hess {
            let input = Value::Map(ValueMap::new().with("x", x).with("lambda", lambda));
            let v = self.call("hess", h, input)?;
            let mut hm = self.matrix("hess", &v, n, n)?.to_dense();
            // Symmetrise: scripts may return one triangle's worth of rounding differences.
            for j in 0..n {
                for i in j + 1..n {
                    let s = 0.5 * (hm[(i, j)] + hm[(j, i)]);
                    hm[(i, j)] = s;
                    hm[(j, i)] = s;
                }
            }
            return Ok(Matrix::Dense(hm));
        }
        if let Some(h) = self.exact_hessian(x, lambda)? {
            return Ok(h);
        }
        let mut hm = faer::Mat::<f64>::zeros(n, n);
        if self.grad.is_some() && (self.jac.is_some() || self.m == 0) {
            let mut y = x.to_vec();
            for i in 0..n {
                let h = Self::step(x[i], 1.0 / 3.0);
                y[i] = x[i] + h;
                let gp = self.grad_lagrangian(&y, lambda)?;
                y[i] = x[i] - h;
                let gm = self.grad_lagrangian(&y, lambda)?;
                y[i] = x[i];
                for r in 0..n {
                    hm[(r, i)] = (gp[r] - gm[r]) / (2.0 * h);
                }
            }
        } else {
            let hs: Vec<f64> = x.iter().map(|&v| Self::step(v, 0.25)).collect();
            let l0 = self.lagrangian(x, lambda)?;
            let mut y = x.to_vec();
            for i in 0..n {
                y[i] = x[i] + 2.0 * hs[i];
                let lp = self.lagrangian(&y, lambda)?;
                y[i] = x[i] - 2.0 * hs[i];
                let lm = self.lagrangian(&y, lambda)?;
                y[i] = x[i];
                hm[(i, i)] = (lp - 2.0 * l0 + lm) / (4.0 * hs[i] * hs[i]);
                for j in 0..i {
                    let mut quad = [0.0; 4];
                    for (k, (si, sj)) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)]
                        .into_iter()
                        .enumerate()
                    {
                        y[i] = x[i] + si * hs[i];
                        y[j] = x[j] + sj * hs[j];
                        quad[k] = self.lagrangian(&y, lambda)?;
                    }
                    y[i] = x[i];
                    y[j] = x[j];
                    let hij = (quad[0] - quad[1] - quad[2] + quad[3]) / (4.0 * hs[i] * hs[j]);
                    hm[(i, j)] = hij;
                    hm[(j, i)] = hij;
                }
            }
        }
        for j in 0..n {
            for i in j + 1..n {
                let s = 0.5 * (hm[(i, j)] + hm[(j, i)]);
                hm[(i, j)] = s;
                hm[(j, i)] = s;
            }
        }
        Ok(Matrix::Dense(hm))
    }
}

impl Problem for ScriptProblem<'_, '_> {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        self.x0.clone()
    }
    fn lambda0(&self) -> Vec<f64> {
        self.lambda0.clone()
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, Error> {
        self.eval_objective(x).map_err(callback)
    }
    fn gradient(&mut self, x: &[f64]) -> Result<Vec<f64>, Error> {
        self.eval_gradient(x).map_err(callback)
    }
    fn constraints(&mut self, x: &[f64]) -> Result<Vec<f64>, Error> {
        self.eval_constraints(x).map_err(callback)
    }
    fn jacobian(&mut self, x: &[f64]) -> Result<Matrix, Error> {
        self.eval_jacobian(x).map_err(callback)
    }
    fn hessian_lagrangian(&mut self, x: &[f64], lambda: &[f64]) -> Result<Matrix, Error> {
        self.eval_hessian_lagrangian(x, lambda).map_err(callback)
    }
}

/// A host error carried through the numerics unchanged (the plugin layer unwraps it).
fn callback(e: PluginError) -> Error {
    Error::Callback(Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdk::testing::TestHost;

    /// HS7 written as script closures (Rust closures registered with the test host).
    fn hs7_map(host: &TestHost, with_derivatives: bool) -> ValueMap {
        let xs = |v: &Value| v.to_f64_vec().unwrap();
        let f = host.add_function(move |x| {
            let x = xs(&x);
            Ok(Value::from((1.0 + x[0] * x[0]).ln() - x[1]))
        });
        let c = host.add_function(move |x| {
            let x = xs(&x);
            Ok(Value::List(
                vec![Value::from((1.0 + x[0] * x[0]).powi(2) + x[1] * x[1] - 4.0)].into(),
            ))
        });
        let mut map = ValueMap::new()
            .with("n", 2i64)
            .with("m", 1i64)
            .with("x0", vec![2.0, 2.0])
            .with("f", f)
            .with("c", c);
        if with_derivatives {
            let grad = host.add_function(move |x| {
                let x = xs(&x);
                Ok(Value::from(vec![2.0 * x[0] / (1.0 + x[0] * x[0]), -1.0]))
            });
            let jac = host.add_function(move |x| {
                let x = xs(&x);
                Ok(Value::List(
                    vec![Value::from(vec![
                        4.0 * x[0] * (1.0 + x[0] * x[0]),
                        2.0 * x[1],
                    ])]
                    .into(),
                ))
            });
            map.insert("grad", grad);
            map.insert("jac", jac);
        }
        map
    }

    /// Every entry of `h` within `tol`·(1 + |entry|) of the closed form `want`.
    fn assert_hessians_close(h: &faer::Mat<f64>, want: &faer::Mat<f64>, tol: f64) {
        for i in 0..want.nrows() {
            for k in 0..want.ncols() {
                assert!(
                    (h[(i, k)] - want[(i, k)]).abs() < tol * (1.0 + want[(i, k)].abs()),
                    "hess ({i},{k}): {} vs {}",
                    h[(i, k)],
                    want[(i, k)]
                );
            }
        }
    }

    /// Finite-difference derivatives agree with the exact HS7 derivatives (hs.rs) to the
    /// accuracy the module documents.
    #[test]
    fn finite_differences_match_exact_derivatives() {
        let host = TestHost::new();
        let href = host.as_ref();
        let mut exact = crate::hs::HsProblem::by_name("hs7").unwrap();
        let x = [0.7, 1.3];
        let lambda = [0.4];
        for with in [false, true] {
            let map = hs7_map(&host, with);
            let mut p =
                ScriptProblem::new(&href, &map, DerivativeSource::FiniteDifferences).unwrap();
            let g = p.gradient(&x).unwrap();
            let ge = exact.gradient(&x).unwrap();
            let j = p.jacobian(&x).unwrap().to_dense();
            let je = exact.jacobian(&x).unwrap().to_dense();
            let h = p.hessian_lagrangian(&x, &lambda).unwrap().to_dense();
            let he = exact.hessian_lagrangian(&x, &lambda).unwrap().to_dense();
            for i in 0..2 {
                assert!(
                    (g[i] - ge[i]).abs() < 1e-9,
                    "grad {i}: {} vs {}",
                    g[i],
                    ge[i]
                );
                assert!((j[(0, i)] - je[(0, i)]).abs() < 1e-8, "jac {i}");
            }
            assert_hessians_close(&h, &he, if with { 1e-8 } else { 1e-6 });
        }
    }

    /// The Hessian from f and c alone (no grad, no jac) has its cross terms: HS40's
    /// f = −x₁x₂x₃x₄ and c are coupled in every pair, against hs.rs's closed forms. (The
    /// four-point formula once filled one triangle and the symmetrisation halved it; found by
    /// bench/script_derivatives.)
    #[test]
    fn the_finite_difference_hessian_from_f_alone_has_its_cross_terms() {
        let host = TestHost::new();
        let href = host.as_ref();
        let hs40 = || crate::hs::HsProblem::by_name("hs40").unwrap();
        let xs = |v: &Value| v.to_f64_vec().unwrap();
        let f = host.add_function(move |x| Ok(Value::from(hs40().objective(&xs(&x)).unwrap())));
        let c = host.add_function(move |x| Ok(Value::from(hs40().constraints(&xs(&x)).unwrap())));
        let map = ValueMap::new()
            .with("x0", vec![0.8, 0.7, 0.6, 0.5])
            .with("f", f)
            .with("c", c);
        let mut p = ScriptProblem::new(&href, &map, DerivativeSource::FiniteDifferences).unwrap();
        let (x, lambda) = ([0.8, 0.7, 0.6, 0.5], [0.3, -0.2, 0.1]);
        let h = p.hessian_lagrangian(&x, &lambda).unwrap().to_dense();
        let he = hs40().hessian_lagrangian(&x, &lambda).unwrap().to_dense();
        assert_hessians_close(&h, &he, 1e-6);
    }

    /// The test host cannot differentiate Rust closures: `auto` warns once and falls back to
    /// finite differences, `exact` reports the failure.
    #[test]
    fn auto_falls_back_with_a_warning_and_exact_fails() {
        let host = TestHost::new();
        let href = host.as_ref();
        let map = hs7_map(&host, false);
        let mut p = ScriptProblem::new(&href, &map, DerivativeSource::Auto).unwrap();
        let g = p.gradient(&[2.0, 2.0]).unwrap();
        assert!(
            (g[0] - 0.8).abs() < 1e-8 && (g[1] + 1.0).abs() < 1e-8,
            "{g:?}"
        );
        p.jacobian(&[2.0, 2.0]).unwrap();
        let warnings: Vec<String> = host
            .logs()
            .into_iter()
            .filter(|(level, _)| *level == boundlab_sdk::LogLevel::Warn)
            .map(|(_, m)| m)
            .collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("exact derivatives of problem `f`")
                && warnings[0].contains("finite differences"),
            "{warnings:?}"
        );
        let mut p = ScriptProblem::new(&href, &map, DerivativeSource::Exact).unwrap();
        let e = p.eval_gradient(&[2.0, 2.0]).unwrap_err();
        assert!(e.message.contains("cannot differentiate"), "{}", e.message);
    }

    #[test]
    fn malformed_maps_and_returns_are_reported() {
        let host = TestHost::new();
        let href = host.as_ref();
        let f = host.add_function(|_| Ok(Value::from("oops")));
        let map = ValueMap::new().with("x0", vec![1.0]).with("f", f);
        let mut p = ScriptProblem::new(&href, &map, DerivativeSource::FiniteDifferences).unwrap();
        let e = p.eval_objective(&[1.0]).unwrap_err();
        assert!(e.message.contains("`f` returned string"), "{}", e.message);
        let e = ScriptProblem::new(
            &href,
            &ValueMap::new().with("x0", vec![1.0]),
            DerivativeSource::FiniteDifferences,
        )
        .err()
        .unwrap();
        assert!(e.message.contains("`f`"), "{}", e.message);
        let e = ScriptProblem::new(
            &href,
            &map.clone().with("m", 1i64),
            DerivativeSource::FiniteDifferences,
        )
        .err()
        .unwrap();
        assert!(e.message.contains("`c`"), "{}", e.message);
        let e = ScriptProblem::new(
            &href,
            &map.clone().with("n", 3i64),
            DerivativeSource::FiniteDifferences,
        )
        .err()
        .unwrap();
        assert!(
            e.message.contains("`x0` has 1 entries but `n` is 3"),
            "{}",
            e.message
        );
        let e = ScriptProblem::new(
            &href,
            &map.clone().with("hesse", 1i64),
            DerivativeSource::FiniteDifferences,
        )
        .err()
        .unwrap();
        assert!(e.message.contains("unknown entry `hesse`"), "{}", e.message);
        let failing =
            host.add_function(|_| Err(PluginError::bad_parameter("x", "script error at line 3")));
        let mut p = ScriptProblem::new(
            &href,
            &map.clone().with("f", failing),
            DerivativeSource::FiniteDifferences,
        )
        .unwrap();
        let e = p.eval_objective(&[1.0]).unwrap_err();
        assert!(
            e.message.contains("problem `f`") && e.message.contains("line 3"),
            "{}",
            e.message
        );
    }
}
