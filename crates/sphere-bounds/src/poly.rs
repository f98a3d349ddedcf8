//! Polynomial machinery shared by the bounds (and by the SDP game): the orthogonal bases
//! (Gegenbauer, Laguerre, Chebyshev), sample points, approximate Fekete point selection and
//! the change of basis that makes a sampled basis well conditioned.
//!
//! Everything that enters an SDP is evaluated in the solver's scalar type `T` (double-double
//! for the problems the bounds build), so a `dd` solve sees the data to ~32 digits. Sample
//! points and changes of basis are chosen in `f64`: they are exact `f64` numbers that *define*
//! the points and the basis, so nothing is lost by choosing them in lower precision.

// `!(a > b)` is deliberate: it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use boundlab_sdp_solver::scalar::Real;
use boundlab_vecops::dot;

/// `P_0(x), …, P_degree(x)`: the Gegenbauer (ultraspherical) polynomials for the sphere
/// `S^{n−1} ⊂ ℝⁿ`, i.e. Jacobi `P^{((n−3)/2, (n−3)/2)}`, normalised `P_k(1) = 1`.
///
/// Recurrence (Dostert–de Laat–Moustrou; ClusteredLowRankSolver's `basis_gegenbauer`):
/// `P_l = (2l+n−4)/(l+n−3) · x P_{l−1} − (l−1)/(l+n−3) · P_{l−2}`. Needs `n ≥ 2`.
pub fn gegenbauer<T: Real>(degree: usize, n: usize, x: T) -> Vec<T> {
    let mut p = Vec::with_capacity(degree + 1);
    p.push(T::one());
    if degree >= 1 {
        p.push(x);
    }
    for l in 2..=degree {
        let (c1, c2) = gegenbauer_recurrence::<T>(l, n);
        let v = c1 * x * p[l - 1] - c2 * p[l - 2];
        p.push(v);
    }
    p
}

/// The recurrence coefficients `((2l+n−4)/(l+n−3), (l−1)/(l+n−3))` of [`gegenbauer`], `l ≥ 2`.
pub fn gegenbauer_recurrence<T: Real>(l: usize, n: usize) -> (T, T) {
    let den = T::from_usize(l + n - 3);
    (
        T::from_usize(2 * l + n - 4) / den,
        T::from_usize(l - 1) / den,
    )
}

/// `A^{k/2} P_k^n(B / √A)` for `k = 0..=degree`, a polynomial in `A` and `B` (only powers
/// `A^{(k−i)/2} B^i` with `i ≡ k mod 2` occur), computed by the homogenised recurrence
/// `H_l = c₁ B H_{l−1} − c₂ A H_{l−2}` without square roots. With `A = (1−u²)(1−v²)` and
/// `B = t − uv` this is the polynomial `Q_k(u, v, t)` in the three-point matrices `S_k`.
pub fn gegenbauer_homogeneous<T: Real>(degree: usize, n: usize, a: T, b: T) -> Vec<T> {
    let mut h = Vec::with_capacity(degree + 1);
    h.push(T::one());
    if degree >= 1 {
        h.push(b);
    }
    for l in 2..=degree {
        let (c1, c2) = gegenbauer_recurrence::<T>(l, n);
        let v = c1 * b * h[l - 1] - c2 * a * h[l - 2];
        h.push(v);
    }
    h
}

/// `L_0^α(x), …, L_degree^α(x)`: generalised Laguerre polynomials,
/// `(k+1) L_{k+1} = (2k+1+α−x) L_k − (k+α) L_{k−1}`.
pub fn laguerre<T: Real>(degree: usize, alpha: T, x: T) -> Vec<T> {
    let mut l = Vec::with_capacity(degree + 1);
    l.push(T::one());
    if degree >= 1 {
        l.push(T::one() + alpha - x);
    }
    for k in 1..degree {
        let kk = T::from_usize(k);
        let v = ((T::from_usize(2 * k + 1) + alpha - x) * l[k] - (kk + alpha) * l[k - 1])
            / T::from_usize(k + 1);
        l.push(v);
    }
    l
}

/// The largest absolute monomial coefficient of `L_k^α(s·x)` for `k = 0..=degree`: dividing
/// by it gives ClusteredLowRankSolver's normalised Laguerre basis, whose members are of
/// comparable size on the sample points.
pub fn laguerre_max_coefficients(degree: usize, alpha: f64, s: f64) -> Vec<f64> {
    // L_k^α(x) = Σ_i (−1)^i C(k+α, k−i) x^i / i!; work with logarithms to avoid overflow.
    (0..=degree)
        .map(|k| {
            let mut best = f64::NEG_INFINITY;
            for i in 0..=k {
                // ln C(k+α, k−i) = lnΓ(k+α+1) − lnΓ(k−i+1) − lnΓ(α+i+1)
                let lc = ln_gamma(k as f64 + alpha + 1.0)
                    - ln_gamma((k - i) as f64 + 1.0)
                    - ln_gamma(alpha + i as f64 + 1.0);
                let v = lc - ln_gamma(i as f64 + 1.0) + i as f64 * s.ln();
                best = best.max(v);
            }
            best.exp()
        })
        .collect()
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7; relative error ~1e-15), for normalising constants.
///
/// Kept rather than `libm::lgamma` (tried for issue 14): their last-bit differences in the
/// Laguerre normalisation tip the n = 8, degree-31 Cohn–Elkies solve, which sits at the edge of
/// double-double, from `optimal` into `numerical_error` (`tests/bounds_cohn_elkies.rs`).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // reflection
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Volume of the `n`-ball of radius `rho`: `π^{n/2} ρⁿ / Γ(n/2 + 1)`.
pub fn ball_volume(n: usize, rho: f64) -> f64 {
    let nf = n as f64;
    (0.5 * nf * std::f64::consts::PI.ln() + nf * rho.ln() - ln_gamma(0.5 * nf + 1.0)).exp()
}

/// Volume of the `n`-ball of radius `rho` in the working precision: `π^k ρⁿ / k!` for
/// `n = 2k`, `2^{k+1} π^k ρⁿ / (2k+1)!!` for `n = 2k + 1` (`Γ(n/2 + 1)` in closed form).
pub fn ball_volume_in<T: Real>(n: usize, rho: T) -> T {
    let k = n / 2;
    let mut v = T::one();
    for _ in 0..n {
        v *= rho;
    }
    for _ in 0..k {
        v *= T::pi();
    }
    if n.is_multiple_of(2) {
        for i in 1..=k {
            v /= T::from_usize(i);
        }
    } else {
        for _ in 0..=k {
            v *= T::from_f64(2.0);
        }
        for i in 0..=k {
            v /= T::from_usize(2 * i + 1);
        }
    }
    v
}

/// `T_0, …, T_degree` (Chebyshev, first kind) of `x` mapped from `[a, b]` to `[−1, 1]`.
pub fn chebyshev<T: Real>(degree: usize, a: f64, b: f64, x: T) -> Vec<T> {
    let y = (x * T::from_f64(2.0) - T::from_f64(a + b)) / T::from_f64(b - a);
    let mut t = Vec::with_capacity(degree + 1);
    t.push(T::one());
    if degree >= 1 {
        t.push(y);
    }
    for k in 2..=degree {
        let v = T::from_f64(2.0) * y * t[k - 1] - t[k - 2];
        t.push(v);
    }
    t
}

/// `1, x, …, x^degree`.
pub fn monomials<T: Real>(degree: usize, x: T) -> Vec<T> {
    let mut m = Vec::with_capacity(degree + 1);
    let mut p = T::one();
    for _ in 0..=degree {
        m.push(p);
        p *= x;
    }
    m
}

/// `count` Chebyshev nodes `(a+b)/2 + (b−a)/2 · cos((2k−1)π/(2·count))`, `k = 1..count`,
/// in increasing order: unisolvent for polynomials of degree `< count`.
pub fn chebyshev_nodes(count: usize, a: f64, b: f64) -> Vec<f64> {
    let mut x: Vec<f64> = (1..=count)
        .map(|k| {
            let c = ((2 * k - 1) as f64 * std::f64::consts::PI / (2 * count) as f64).cos();
            0.5 * (a + b) + 0.5 * (b - a) * c
        })
        .collect();
    x.sort_by(f64::total_cmp);
    x
}

/// SDPB's "rescaled Laguerre" points on `[0, ∞)`:
/// `x_k = −√π / (64 · count · ln(3 − 2√2)) · (4k − 1)²`, `k = 0..count`, times `scale`.
pub fn rescaled_laguerre_points(count: usize, scale: f64) -> Vec<f64> {
    let c = -std::f64::consts::PI.sqrt()
        / (64.0 * count as f64 * (3.0 - 2.0 * std::f64::consts::SQRT_2).ln());
    (0..count)
        .map(|k| {
            let q = 4.0 * k as f64 - 1.0;
            scale * c * q * q
        })
        .collect()
}

/// Approximate Fekete points: greedy column-pivoted Gram–Schmidt on the candidates'
/// basis evaluations (`columns[c]` = the basis at candidate `c`), choosing `count`
/// candidates whose evaluation matrix is far from singular (Sommariva–Vianello; the
/// selection ClusteredLowRankSolver's `approximatefekete` makes). Returns the chosen
/// indices in the order chosen, or an error when the candidates do not span the basis.
pub fn fekete_select(columns: &[Vec<f64>], count: usize) -> Result<Vec<usize>, String> {
    let mut cols: Vec<Vec<f64>> = columns.to_vec();
    // Equilibrate the basis functions (rows) to largest value 1 on the candidates.
    if let Some(first) = cols.first() {
        for r in 0..first.len() {
            let m = cols.iter().map(|c| c[r].abs()).fold(0.0, f64::max);
            if m > 0.0 {
                for c in cols.iter_mut() {
                    c[r] /= m;
                }
            }
        }
    }
    if count > cols.len() {
        return Err(format!(
            "{} candidate points for a basis of {count} functions",
            cols.len()
        ));
    }
    let mut norms: Vec<f64> = cols.iter().map(|c| dot(c, c)).collect();
    let first = norms.iter().cloned().fold(0.0, f64::max);
    let mut chosen = Vec::with_capacity(count);
    let mut used = vec![false; cols.len()];
    for step in 0..count {
        let (best, &nb) = norms
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .max_by(|a, b| a.1.total_cmp(b.1))
            .expect("count <= candidates");
        if !(nb > first * 1e-36) {
            return Err(format!(
                "the candidate points are (numerically) not unisolvent: only {step} of {count} independent"
            ));
        }
        used[best] = true;
        chosen.push(best);
        let q: Vec<f64> = {
            let nrm = dot(&cols[best], &cols[best]).sqrt();
            cols[best].iter().map(|v| v / nrm).collect()
        };
        for (i, c) in cols.iter_mut().enumerate() {
            if used[i] {
                continue;
            }
            let s = dot(c, &q);
            for (x, qv) in c.iter_mut().zip(&q) {
                *x -= s * qv;
            }
            norms[i] = dot(c, c);
        }
    }
    Ok(chosen)
}

/// A change of basis `b̃_j = Σ_{i ≤ j} L_{ji} b_i` (lower triangular, so a basis ordered by
/// degree keeps its degrees).
#[derive(Clone, Debug, PartialEq)]
pub struct LowerBasis {
    /// Row `j` holds `L_{j0}, …, L_{jj}`.
    pub rows: Vec<Vec<f64>>,
}

impl LowerBasis {
    /// The identity change of basis on `n` functions.
    pub fn identity(n: usize) -> Self {
        Self {
            rows: (0..n)
                .map(|j| {
                    let mut r = vec![0.0; j + 1];
                    r[j] = 1.0;
                    r
                })
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// `b̃(x)` from the raw basis values `b(x)` (at least `len()` of them; the first `len()`
    /// are used).
    pub fn apply<T: Real>(&self, raw: &[T]) -> Vec<T> {
        self.rows
            .iter()
            .map(|row| {
                let mut s = T::zero();
                for (l, &b) in row.iter().zip(raw) {
                    if *l != 0.0 {
                        s += T::from_f64(*l) * b;
                    }
                }
                s
            })
            .collect()
    }

    /// The first `n` functions (still lower triangular).
    pub fn truncate(&self, n: usize) -> Self {
        Self {
            rows: self.rows[..n.min(self.rows.len())].to_vec(),
        }
    }
}

/// The change of basis that makes the (row-weighted) evaluation matrix `E` (`values[s]` =
/// the raw basis at sample `s`, times `weights[s]`) have orthonormal columns: Gram–Schmidt
/// twice over the basis functions in their order (the QR step of `approximatefekete`).
/// A function that is (numerically) dependent on the earlier ones is an error.
pub fn orthonormalize(
    values: &[Vec<f64>],
    weights: &[f64],
    n: usize,
) -> Result<LowerBasis, String> {
    let s = values.len();
    // column j of E, and its coefficients in terms of the raw basis
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(n);
    let mut coef: Vec<Vec<f64>> = Vec::with_capacity(n);
    for j in 0..n {
        let mut v: Vec<f64> = (0..s).map(|r| values[r][j] * weights[r]).collect();
        let norm0 = dot(&v, &v).sqrt();
        let mut c = vec![0.0; j + 1];
        c[j] = 1.0;
        for _pass in 0..2 {
            for i in 0..j {
                let h = dot(&q[i], &v);
                for (x, qv) in v.iter_mut().zip(&q[i]) {
                    *x -= h * qv;
                }
                for (k, ci) in coef[i].iter().enumerate() {
                    c[k] -= h * ci;
                }
            }
        }
        let nrm = dot(&v, &v).sqrt();
        if !(nrm > 1e-13 * norm0) || !nrm.is_finite() {
            return Err(format!(
                "basis function {j} is numerically dependent on the earlier ones at the sample points"
            ));
        }
        for x in &mut v {
            *x /= nrm;
        }
        for x in &mut c {
            *x /= nrm;
        }
        q.push(v);
        coef.push(c);
    }
    Ok(LowerBasis { rows: coef })
}

/// Polynomials orthonormal on a weighted point set, generated by the Stieltjes (Lanczos)
/// procedure: `γ_{k+1} p_{k+1}(x) = (x − α_k) p_k(x) − γ_k p_{k−1}(x)`. Unlike a
/// Gram–Schmidt change of a raw basis, the recurrence stays accurate when the raw basis would
/// be badly conditioned on the points (high degree on a long half-line), so the sampled squares
/// built from it stay well conditioned.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscreteOrthogonal {
    pub p0: f64,
    pub alpha: Vec<f64>,
    /// `γ_1, …`: `gamma[k]` is `γ_{k+1}`.
    pub gamma: Vec<f64>,
}

impl DiscreteOrthogonal {
    /// The first `count` orthonormal polynomials for `Σ_s w_s² p(x_s) q(x_s)`.
    pub fn new(points: &[f64], weights: &[f64], count: usize) -> Result<Self, String> {
        if count > points.len() {
            return Err(format!(
                "{count} orthogonal polynomials need at least as many points, got {}",
                points.len()
            ));
        }
        let norm0 = weights.iter().map(|w| w * w).sum::<f64>().sqrt();
        if !(norm0 > 0.0 && norm0.is_finite()) {
            return Err("the point weights are zero or not finite".into());
        }
        let mut q: Vec<Vec<f64>> = vec![weights.iter().map(|w| w / norm0).collect()];
        let mut alpha = Vec::new();
        let mut gamma = Vec::new();
        for k in 0..count.saturating_sub(1) {
            let mut r: Vec<f64> = q[k].iter().zip(points).map(|(v, x)| v * x).collect();
            let a = dot(&r, &q[k]);
            alpha.push(a);
            // full reorthogonalisation (twice) against every earlier vector
            for _ in 0..2 {
                for qi in &q {
                    let h = dot(&r, qi);
                    for (x, y) in r.iter_mut().zip(qi) {
                        *x -= h * y;
                    }
                }
            }
            let g = dot(&r, &r).sqrt();
            let scale = q[k]
                .iter()
                .zip(points)
                .map(|(v, x)| (v * x).abs())
                .fold(0.0, f64::max);
            if !(g > 1e-13 * scale.max(1e-300)) {
                return Err(format!(
                    "orthogonal polynomial {} vanishes on the points",
                    k + 1
                ));
            }
            gamma.push(g);
            q.push(r.into_iter().map(|x| x / g).collect());
        }
        Ok(Self {
            p0: 1.0 / norm0,
            alpha,
            gamma,
        })
    }

    pub fn len(&self) -> usize {
        self.alpha.len() + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// `p_0(x), …` (the first `count ≤ len()`).
    pub fn eval<T: Real>(&self, count: usize, x: T) -> Vec<T> {
        let mut p = Vec::with_capacity(count);
        if count == 0 {
            return p;
        }
        p.push(T::from_f64(self.p0));
        for k in 0..count - 1 {
            let prev = if k == 0 {
                T::zero()
            } else {
                p[k - 1] * T::from_f64(self.gamma[k - 1])
            };
            let v = ((x - T::from_f64(self.alpha[k])) * p[k] - prev) / T::from_f64(self.gamma[k]);
            p.push(v);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundlab_sdp_solver::scalar::fx128;

    #[test]
    fn gegenbauer_matches_closed_forms() {
        // n = 3: Legendre P_2 = (3x² − 1)/2; n = 2: Chebyshev T_3 = 4x³ − 3x;
        // n = 4: U_k(x)/(k+1), U_2 = 4x² − 1 (Abramowitz–Stegun 22.5).
        let x = 0.3_f64;
        assert!((gegenbauer(2, 3, x)[2] - (3.0 * x * x - 1.0) / 2.0).abs() < 1e-15);
        assert!((gegenbauer(3, 2, x)[3] - (4.0 * x * x * x - 3.0 * x)).abs() < 1e-15);
        assert!((gegenbauer(2, 4, x)[2] - (4.0 * x * x - 1.0) / 3.0).abs() < 1e-15);
        for n in 2..10 {
            for v in gegenbauer(12, n, 1.0_f64) {
                assert!((v - 1.0).abs() < 1e-13);
            }
        }
    }

    #[test]
    fn homogeneous_gegenbauer_is_the_scaled_polynomial() {
        let (a, b) = (0.37_f64, 0.21_f64);
        let p = gegenbauer(7, 5, b / a.sqrt());
        let h = gegenbauer_homogeneous(7, 5, a, b);
        for k in 0..=7 {
            assert!((h[k] - a.powf(k as f64 / 2.0) * p[k]).abs() < 1e-14);
        }
    }

    #[test]
    fn laguerre_values_and_normalisers() {
        // L_2^α(x) = ((x² − 2(α+2)x + (α+1)(α+2)) / 2 (Abramowitz–Stegun 22.3.9).
        let (al, x) = (1.5_f64, 0.7_f64);
        let l = laguerre(3, al, x);
        assert!(
            (l[2] - (x * x - 2.0 * (al + 2.0) * x + (al + 1.0) * (al + 2.0)) / 2.0).abs() < 1e-14
        );
        // L_1^α(s x) = 1 + α − s x: largest |coefficient| max(1 + α, s).
        let m = laguerre_max_coefficients(1, 0.5, 6.0);
        assert!((m[1] - 6.0).abs() < 1e-12 && (m[0] - 1.0).abs() < 1e-12);
        let dd = laguerre(3, fx128::from(al), fx128::from(x));
        assert!((dd[3].to_f64() - l[3]).abs() < 1e-14);
    }

    #[test]
    fn ball_volumes() {
        // V_2(1) = π, V_3(1) = 4π/3, V_8(1) = π⁴/24.
        let pi = std::f64::consts::PI;
        assert!((ball_volume(2, 1.0) - pi).abs() < 1e-13);
        assert!((ball_volume(3, 1.0) - 4.0 * pi / 3.0).abs() < 1e-13);
        assert!((ball_volume(8, 0.5) - pi.powi(4) / 24.0 / 256.0).abs() < 1e-15);
    }

    #[test]
    fn fekete_and_orthonormalisation() {
        // Degree-4 monomials on 30 equispaced candidates: 5 chosen points are distinct and
        // the orthonormalised basis has orthonormal evaluations there.
        let cand: Vec<f64> = (0..30).map(|i| -1.0 + i as f64 / 29.0 * 2.0).collect();
        let cols: Vec<Vec<f64>> = cand.iter().map(|&x| monomials(4, x)).collect();
        let chosen = fekete_select(&cols, 5).unwrap();
        let mut xs: Vec<f64> = chosen.iter().map(|&i| cand[i]).collect();
        xs.sort_by(f64::total_cmp);
        assert!(xs.windows(2).all(|w| w[1] > w[0]));
        let vals: Vec<Vec<f64>> = xs.iter().map(|&x| monomials(4, x)).collect();
        let basis = orthonormalize(&vals, &[1.0; 5], 5).unwrap();
        for i in 0..5 {
            for j in 0..5 {
                let s: f64 = vals
                    .iter()
                    .map(|v| basis.apply(v)[i] * basis.apply(v)[j])
                    .sum();
                assert!((s - if i == j { 1.0 } else { 0.0 }).abs() < 1e-10);
            }
        }
        assert!(fekete_select(&cols[..3], 5).is_err());
        let deg: Vec<Vec<f64>> = vec![vec![1.0, 2.0]; 4];
        assert!(orthonormalize(&deg, &[1.0; 4], 2).is_err());
    }

    #[test]
    fn stieltjes_polynomials_are_orthonormal_on_the_points() {
        let pts = rescaled_laguerre_points(30, 4.0);
        let w: Vec<f64> = pts
            .iter()
            .map(|y| (-std::f64::consts::PI * y / 2.0).exp())
            .collect();
        let b = DiscreteOrthogonal::new(&pts, &w, 16).unwrap();
        for i in 0..16 {
            for j in 0..16 {
                let s: f64 = pts
                    .iter()
                    .zip(&w)
                    .map(|(&x, &wt)| wt * wt * b.eval(16, x)[i] * b.eval(16, x)[j])
                    .sum();
                assert!(
                    (s - if i == j { 1.0 } else { 0.0 }).abs() < 1e-9,
                    "{i} {j} {s}"
                );
            }
        }
    }

    #[test]
    fn sample_points() {
        let c = chebyshev_nodes(5, -1.0, 0.5);
        assert_eq!(c.len(), 5);
        assert!(c[0] > -1.0 && c[4] < 0.5 && c.windows(2).all(|w| w[1] > w[0]));
        let l = rescaled_laguerre_points(4, 1.0);
        assert!(l[0] > 0.0 && l.windows(2).all(|w| w[1] > w[0]));
        let t = chebyshev(3, -1.0, 0.5, 0.5_f64);
        assert!(t.iter().all(|v| (v - 1.0).abs() < 1e-15));
    }
}
