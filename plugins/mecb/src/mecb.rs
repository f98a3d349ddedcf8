//! Minimum-entropy coupling with a bottleneck (MEC-B), end to end (Ebrahimi, Chen, Khisti,
//! NeurIPS 2024): maximise `I(X;Y)` over `X -> T -> Y` with `P(X) = p_x`, `P(Y) = p_y` and
//! `H(T) <= R`. Since `I(X;Y) >= I(X;T) + I(T;Y) - R` (Lemma 1), the paper splits it into an
//! encoder (EBIM, [`crate::ebim`]) and a decoder (the minimum-entropy coupling of `p_T` and
//! `p_y`, here the greedy), and composes them: `p(x, y) = sum_t p(x, t) p(y | t)`. With a
//! deterministic encoder `I(X;Y) = I(T;Y)` exactly.

use std::collections::HashMap;

use crate::coupling::{Coupling, greedy};
use crate::dist::{entropy, plogp};
use crate::ebim::{Encoder, ebim, uniform_quantizer};

/// How the encoder is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compressor {
    /// Algorithm 1 of the paper (deterministic), optionally refined by Theorem 3.
    Greedy { refine: bool },
    /// The paper's baseline: `floor(2^R)` bins of consecutive symbols.
    Uniform,
}

/// The MEC-B solution and its information quantities (bits).
#[derive(Clone, Debug)]
pub struct Mecb {
    pub encoder: Encoder,
    /// The decoder coupling of `p_T` (rows) and `p_y` (columns).
    pub decoder: Coupling,
    /// `(x, y, p(x, y))`, sorted by `(y, x)` (column-major, ready for a CSC matrix).
    pub joint: Vec<(u32, u32, f64)>,
    pub h_t: f64,
    pub i_xt: f64,
    pub i_ty: f64,
    pub i_xy: f64,
    pub h_xy: f64,
}

/// Solves MEC-B for checked distributions `p_x`, `p_y` and a rate `R >= 0` (bits).
pub fn mecb(p_x: &[f64], p_y: &[f64], rate: f64, compressor: Compressor) -> Mecb {
    let encoder = match compressor {
        Compressor::Greedy { refine } => ebim(p_x, rate, refine).best,
        Compressor::Uniform => uniform_quantizer(p_x, rate).encoder(p_x),
    };
    let decoder = greedy(&[&encoder.p_t, p_y]);
    // p(y | t) rows of the decoder.
    let mut rows: Vec<Vec<(u32, f64)>> = vec![Vec::new(); encoder.p_t.len()];
    for c in 0..decoder.len() {
        let cell = decoder.cell(c);
        rows[cell[0] as usize].push((cell[1], decoder.mass[c]));
    }
    let mut acc: HashMap<(u32, u32), f64> = HashMap::new();
    for &(x, t, m) in &encoder.cells {
        let pt = encoder.p_t[t as usize];
        for &(y, c) in &rows[t as usize] {
            *acc.entry((x, y)).or_default() += m * c / pt;
        }
    }
    let mut joint: Vec<(u32, u32, f64)> = acc.into_iter().map(|((x, y), m)| (x, y, m)).collect();
    joint.sort_by_key(|c| (c.1, c.0));
    let h_xy: f64 = joint.iter().map(|c| plogp(c.2)).sum();
    let (hx, hy) = (entropy(p_x), entropy(p_y));
    let h_t = encoder.h_t();
    Mecb {
        i_xt: encoder.mutual_information(p_x),
        i_ty: h_t + hy - decoder.entropy(),
        i_xy: hx + hy - h_xy,
        h_xy,
        h_t,
        encoder,
        decoder,
        joint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn uniform_four_by_four_at_one_bit() {
        // shared/notes/surrogates-and-mecb.md, section D: X, Y uniform on 4 values, R = 1 bit:
        // p_T = [.5, .5], I(X;Y) = 1, H(X,Y) = 3.
        let u = [0.25; 4];
        let r = mecb(&u, &u, 1.0, Compressor::Greedy { refine: true });
        assert_eq!(r.encoder.p_t, vec![0.5, 0.5]);
        assert!((r.i_xy - 1.0).abs() < 1e-12 && (r.h_xy - 3.0).abs() < 1e-12);
    }

    #[test]
    fn joint_has_the_marginals_and_lemma_one_holds() {
        // Lemma 1 (paper): I(X;Y) = I(X;T) + I(Y;T) - I(T;X,Y) >= I(X;T) + I(T;Y) - H(T).
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for trial in 0..100 {
            let mut draw = |n: usize| {
                let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>().powi(3) + 1e-3).collect();
                let s: f64 = x.iter().sum();
                x.into_iter().map(|v| v / s).collect::<Vec<f64>>()
            };
            let (nx, ny) = (2 + trial % 9, 2 + (trial * 7) % 11);
            let px = draw(nx);
            let py = draw(ny);
            let rate = rng.random::<f64>() * entropy(&px);
            for comp in [
                Compressor::Greedy { refine: true },
                Compressor::Greedy { refine: false },
                Compressor::Uniform,
            ] {
                let r = mecb(&px, &py, rate, comp);
                let mut mx = vec![0.0; nx];
                let mut my = vec![0.0; ny];
                for &(x, y, m) in &r.joint {
                    mx[x as usize] += m;
                    my[y as usize] += m;
                }
                for (a, b) in mx.iter().zip(&px).chain(my.iter().zip(&py)) {
                    assert!((a - b).abs() < 1e-12, "{comp:?}: marginal {a} vs {b}");
                }
                assert!(r.h_t <= rate + 1e-9, "{comp:?}: H(T) {} > R {rate}", r.h_t);
                assert!(
                    r.i_xy >= r.i_xt + r.i_ty - r.h_t - 1e-9,
                    "{comp:?}: Lemma 1 bound violated"
                );
                assert!(r.i_xy <= r.h_t + 1e-9, "data processing: I(X;Y) <= H(T)");
                if r.encoder.is_deterministic() {
                    assert!(
                        (r.i_xy - r.i_ty).abs() < 1e-9,
                        "deterministic encoder: I(X;Y) = I(T;Y)"
                    );
                }
            }
        }
    }
}
