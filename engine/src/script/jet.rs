//! [`Jet`]: a number carrying its gradient (and, at second order, its Hessian) with respect to
//! `n` seeded variables — forward-mode automatic differentiation by truncated Taylor
//! arithmetic.
//!
//! Every operation applies the chain rule exactly, so a script closure evaluated on jets
//! returns its value, gradient and Hessian to rounding error. For a unary function φ applied
//! to u (value v, gradient g, Hessian H):
//!
//!   φ(u) = φ(v),  ∇φ(u) = φ'(v) g,  ∇²φ(u) = φ'(v) H + φ''(v) g gᵀ,
//!
//! and for a product, ∇²(ab) = a ∇²b + b ∇²a + ∇a ∇bᵀ + ∇b ∇aᵀ. A first-order jet costs O(n)
//! per operation, a second-order one O(n²).

/// A value with its first (and optionally second) derivatives in `n` variables.
#[derive(Clone, Debug, PartialEq)]
pub struct Jet {
    pub value: f64,
    pub gradient: Vec<f64>,
    /// Row-major `n × n`, present at second order.
    pub hessian: Option<Vec<f64>>,
}

impl Jet {
    /// Variable `i` of `n`: gradient eᵢ, Hessian 0 when `second_order`.
    pub fn variable(value: f64, i: usize, n: usize, second_order: bool) -> Self {
        let mut gradient = vec![0.0; n];
        gradient[i] = 1.0;
        Self {
            value,
            gradient,
            hessian: second_order.then(|| vec![0.0; n * n]),
        }
    }

    pub fn n(&self) -> usize {
        self.gradient.len()
    }

    /// φ(self) given φ(v), φ'(v), φ''(v).
    pub fn chain(&self, value: f64, d1: f64, d2: f64) -> Self {
        let gradient = self.gradient.iter().map(|g| d1 * g).collect();
        let hessian = self.hessian.as_ref().map(|h| {
            let g = &self.gradient;
            let n = g.len();
            let mut out: Vec<f64> = h.iter().map(|x| d1 * x).collect();
            if d2 != 0.0 {
                for i in 0..n {
                    for j in 0..n {
                        out[i * n + j] += d2 * g[i] * g[j];
                    }
                }
            }
            out
        });
        Self {
            value,
            gradient,
            hessian,
        }
    }

    /// `a·self + b·other`: linear combinations have no second-order cross terms.
    fn combine(&self, a: f64, other: &Jet, b: f64) -> Self {
        let gradient = zip_map(&self.gradient, &other.gradient, |x, y| a * x + b * y);
        let hessian = match (&self.hessian, &other.hessian) {
            (Some(h1), Some(h2)) => Some(zip_map(h1, h2, |x, y| a * x + b * y)),
            (h1, h2) => h1.as_ref().or(h2.as_ref()).cloned(),
        };
        Self {
            value: a * self.value + b * other.value,
            gradient,
            hessian,
        }
    }

    pub fn add(&self, other: &Jet) -> Self {
        self.combine(1.0, other, 1.0)
    }

    pub fn sub(&self, other: &Jet) -> Self {
        self.combine(1.0, other, -1.0)
    }

    pub fn scale(&self, c: f64) -> Self {
        self.chain(c * self.value, c, 0.0)
    }

    pub fn mul(&self, other: &Jet) -> Self {
        let (a, b) = (self.value, other.value);
        let mut out = self.combine(b, other, a);
        out.value = a * b;
        if let Some(h) = out.hessian.as_mut() {
            let (ga, gb) = (&self.gradient, &other.gradient);
            let n = ga.len();
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += ga[i] * gb[j] + gb[i] * ga[j];
                }
            }
        }
        out
    }

    pub fn recip(&self) -> Self {
        let v = self.value;
        self.chain(1.0 / v, -1.0 / (v * v), 2.0 / (v * v * v))
    }

    pub fn div(&self, other: &Jet) -> Self {
        self.mul(&other.recip())
    }

    /// `self^p` for a constant exponent.
    pub fn powf(&self, p: f64) -> Self {
        let v = self.value;
        if p == 0.0 {
            return self.chain(1.0, 0.0, 0.0);
        }
        // powi keeps negative bases exact for integer exponents (x**2 at x < 0).
        let pow = |e: f64| {
            if e.fract() == 0.0 && e.abs() < i32::MAX as f64 {
                v.powi(e as i32)
            } else {
                v.powf(e)
            }
        };
        self.chain(pow(p), p * pow(p - 1.0), p * (p - 1.0) * pow(p - 2.0))
    }

    /// `self^other` with both varying: exp(other · ln self).
    pub fn pow(&self, other: &Jet) -> Self {
        other.mul(&self.ln()).exp()
    }

    pub fn sqrt(&self) -> Self {
        let r = self.value.sqrt();
        self.chain(r, 0.5 / r, -0.25 / (r * self.value))
    }

    pub fn exp(&self) -> Self {
        let e = self.value.exp();
        self.chain(e, e, e)
    }

    pub fn ln(&self) -> Self {
        let v = self.value;
        self.chain(v.ln(), 1.0 / v, -1.0 / (v * v))
    }

    pub fn log10(&self) -> Self {
        self.ln().scale(std::f64::consts::LOG10_E)
    }

    pub fn sin(&self) -> Self {
        let (s, c) = self.value.sin_cos();
        self.chain(s, c, -s)
    }

    pub fn cos(&self) -> Self {
        let (s, c) = self.value.sin_cos();
        self.chain(c, -s, -c)
    }

    pub fn tan(&self) -> Self {
        let t = self.value.tan();
        let d1 = 1.0 + t * t;
        self.chain(t, d1, 2.0 * t * d1)
    }

    pub fn tanh(&self) -> Self {
        let t = self.value.tanh();
        let d1 = 1.0 - t * t;
        self.chain(t, d1, -2.0 * t * d1)
    }

    pub fn sinh(&self) -> Self {
        let (s, c) = (self.value.sinh(), self.value.cosh());
        self.chain(s, c, s)
    }

    pub fn cosh(&self) -> Self {
        let (s, c) = (self.value.sinh(), self.value.cosh());
        self.chain(c, s, c)
    }

    pub fn atan(&self) -> Self {
        let v = self.value;
        let d1 = 1.0 / (1.0 + v * v);
        self.chain(v.atan(), d1, -2.0 * v * d1 * d1)
    }

    pub fn asin(&self) -> Self {
        let v = self.value;
        let w = 1.0 - v * v;
        self.chain(v.asin(), 1.0 / w.sqrt(), v / (w * w.sqrt()))
    }

    pub fn acos(&self) -> Self {
        let v = self.value;
        let w = 1.0 - v * v;
        self.chain(v.acos(), -1.0 / w.sqrt(), -v / (w * w.sqrt()))
    }

    /// |x|: derivative sign(x) (0 at 0, where |x| has no derivative).
    pub fn abs(&self) -> Self {
        let v = self.value;
        let sign = if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(v.abs(), sign, 0.0)
    }

    /// A constant in the same variables (zero derivatives).
    pub fn constant_like(&self, c: f64) -> Self {
        let n = self.n();
        Self {
            value: c,
            gradient: vec![0.0; n],
            hessian: self.hessian.as_ref().map(|_| vec![0.0; n * n]),
        }
    }
}

fn zip_map(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(x: &[f64], second: bool) -> Vec<Jet> {
        (0..x.len())
            .map(|i| Jet::variable(x[i], i, x.len(), second))
            .collect()
    }

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
    }

    /// f(x, y) = x² y + sin(x) eʸ / (1 + y²), derivatives worked out by hand.
    #[test]
    fn gradient_and_hessian_match_the_closed_form() {
        let (x0, y0) = (0.7, -0.4);
        let v = vars(&[x0, y0], true);
        let (x, y) = (&v[0], &v[1]);
        let one_plus_y2 = y.mul(y).add(&y.constant_like(1.0));
        let f = x
            .mul(x)
            .mul(y)
            .add(&x.sin().mul(&y.exp()).div(&one_plus_y2));

        let q = 1.0 + y0 * y0;
        let (s, c, e) = (x0.sin(), x0.cos(), y0.exp());
        // d/dy [eʸ / q] = eʸ (q - 2y) / q², d²/dy² = eʸ (q² - 4yq + 8y² - 2q) / q³.
        let ey = e * (q - 2.0 * y0) / (q * q);
        let eyy = e * (q * q - 4.0 * y0 * q + 8.0 * y0 * y0 - 2.0 * q) / (q * q * q);
        let fx = 2.0 * x0 * y0 + c * e / q;
        let fy = x0 * x0 + s * ey;
        let fxx = 2.0 * y0 - s * e / q;
        let fxy = 2.0 * x0 + c * ey;
        let fyy = s * eyy;
        assert!((f.value - (x0 * x0 * y0 + s * e / q)).abs() < 1e-15);
        assert!(close(&f.gradient, &[fx, fy], 1e-14), "{:?}", f.gradient);
        assert!(
            close(f.hessian.as_ref().unwrap(), &[fxx, fxy, fxy, fyy], 1e-14),
            "{:?}",
            f.hessian
        );
    }

    /// Each elementary function against its textbook first and second derivative.
    #[test]
    fn elementary_functions_have_their_textbook_derivatives() {
        let x0: f64 = 0.3;
        let x = &vars(&[x0], true)[0];
        let cases: Vec<(&str, Jet, f64, f64, f64)> = vec![
            (
                "sqrt",
                x.sqrt(),
                x0.sqrt(),
                0.5 / x0.sqrt(),
                -0.25 * x0.powf(-1.5),
            ),
            ("exp", x.exp(), x0.exp(), x0.exp(), x0.exp()),
            ("ln", x.ln(), x0.ln(), 1.0 / x0, -1.0 / (x0 * x0)),
            (
                "log10",
                x.log10(),
                x0.log10(),
                1.0 / (x0 * 10f64.ln()),
                -1.0 / (x0 * x0 * 10f64.ln()),
            ),
            ("sin", x.sin(), x0.sin(), x0.cos(), -x0.sin()),
            ("cos", x.cos(), x0.cos(), -x0.sin(), -x0.cos()),
            (
                "tan",
                x.tan(),
                x0.tan(),
                1.0 / x0.cos().powi(2),
                2.0 * x0.sin() / x0.cos().powi(3),
            ),
            (
                "tanh",
                x.tanh(),
                x0.tanh(),
                1.0 / x0.cosh().powi(2),
                -2.0 * x0.tanh() / x0.cosh().powi(2),
            ),
            ("sinh", x.sinh(), x0.sinh(), x0.cosh(), x0.sinh()),
            ("cosh", x.cosh(), x0.cosh(), x0.sinh(), x0.cosh()),
            (
                "atan",
                x.atan(),
                x0.atan(),
                1.0 / (1.0 + x0 * x0),
                -2.0 * x0 / (1.0 + x0 * x0).powi(2),
            ),
            (
                "asin",
                x.asin(),
                x0.asin(),
                1.0 / (1.0 - x0 * x0).sqrt(),
                x0 / (1.0 - x0 * x0).powf(1.5),
            ),
            (
                "acos",
                x.acos(),
                x0.acos(),
                -1.0 / (1.0 - x0 * x0).sqrt(),
                -x0 / (1.0 - x0 * x0).powf(1.5),
            ),
            (
                "x^2.5",
                x.powf(2.5),
                x0.powf(2.5),
                2.5 * x0.powf(1.5),
                3.75 * x0.sqrt(),
            ),
            (
                "x^-2",
                x.powf(-2.0),
                x0.powi(-2),
                -2.0 * x0.powi(-3),
                6.0 * x0.powi(-4),
            ),
            (
                "1/x",
                x.recip(),
                1.0 / x0,
                -1.0 / (x0 * x0),
                2.0 / x0.powi(3),
            ),
            (
                "x^x",
                x.pow(x),
                x0.powf(x0),
                x0.powf(x0) * (x0.ln() + 1.0),
                x0.powf(x0) * ((x0.ln() + 1.0).powi(2) + 1.0 / x0),
            ),
            ("|x|", x.scale(-1.0).abs(), x0, 1.0, 0.0),
        ];
        for (name, jet, value, d1, d2) in cases {
            assert!((jet.value - value).abs() < 1e-14, "{name}: {}", jet.value);
            assert!(
                close(&jet.gradient, &[d1], 1e-13),
                "{name}: {:?} vs {d1}",
                jet.gradient
            );
            assert!(
                close(jet.hessian.as_ref().unwrap(), &[d2], 1e-13),
                "{name}: {:?} vs {d2}",
                jet.hessian
            );
        }
        // Integer powers of a negative base stay real.
        let neg = Jet::variable(-2.0, 0, 1, true).powf(3.0);
        assert_eq!(
            (neg.value, neg.gradient[0], neg.hessian.unwrap()[0]),
            (-8.0, 12.0, -12.0)
        );
    }

    #[test]
    fn first_order_jets_carry_no_hessian() {
        let v = vars(&[1.0, 2.0, 3.0], false);
        let f = v[0].mul(&v[1]).mul(&v[2]).sin();
        assert!(f.hessian.is_none());
        let c = 6f64.cos();
        assert!(close(&f.gradient, &[6.0 * c, 3.0 * c, 2.0 * c], 1e-14));
    }
}
