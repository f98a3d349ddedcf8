//! Multiprecision kernels, one thread, one run: prints two Markdown tables.
//!
//! 1. A dot product of length 1000 (the solver's inner loop) in boundlab's `Mp<L>`, both as
//!    `acc = acc + x·y` and through `MpSum` (what the kernels use), and in MPFR through rug (`acc += &x * &y`, a fused multiply-add on heap-allocated
//!    numbers), ns per multiply-add; both results are checked against each other.
//! 2. The Cholesky factorization of an SPD matrix of order 200 in f64 (faer), double-double and
//!    Mp<L>: seconds and GFLOP-equivalent per second (n³/3 multiply-adds, each counted as two
//!    flops, over the time).

use std::time::Instant;

use boundlab_sdp_solver::mp::Mp;
use boundlab_sdp_solver::mp::sum::MpSum;
use boundlab_sdp_solver::scalar::{Real, fx128};
use faer::{Mat, Par};
use rug::Float;

const N: usize = 1000;
const REPEAT: usize = 200;

/// Deterministic pseudo-random numbers in (0.5, 1.5) (a 64-bit LCG), as f64.
fn inputs(seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..N)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            0.5 + (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// `fused`: through `MpSum` (the kernels' loop: one rounding at the end); otherwise
/// `acc = acc + a·b` with two rounded operations.
fn ours<const L: usize>(x: &[f64], y: &[f64], fused: bool) -> (f64, String) {
    let third = Mp::<L>::one() / Mp::from_f64(3.0);
    let xs: Vec<Mp<L>> = x.iter().map(|&v| Mp::from_f64(v) * third).collect();
    let ys: Vec<Mp<L>> = y.iter().map(|&v| Mp::from_f64(v)).collect();
    let start = Instant::now();
    let mut acc = Mp::<L>::ZERO;
    for _ in 0..REPEAT {
        if fused {
            let mut sum = MpSum::<L>::default();
            for (a, b) in xs.iter().zip(&ys) {
                sum.add_product(*a, *b);
            }
            acc = sum.value();
        } else {
            acc = Mp::ZERO;
            for (a, b) in xs.iter().zip(&ys) {
                acc = acc.mul_add(*a, *b);
            }
        }
        std::hint::black_box(&acc);
    }
    let ns = start.elapsed().as_secs_f64() * 1e9 / (REPEAT * N) as f64;
    (ns, boundlab_sdp_solver::mp::decimal::to_decimal(acc, 40))
}

fn mpfr(bits: u32, x: &[f64], y: &[f64]) -> (f64, String) {
    let third = Float::with_val(bits, 1) / 3u32;
    let xs: Vec<Float> = x
        .iter()
        .map(|&v| Float::with_val(bits, v) * &third)
        .collect();
    let ys: Vec<Float> = y.iter().map(|&v| Float::with_val(bits, v)).collect();
    let start = Instant::now();
    let mut acc = Float::new(bits);
    for _ in 0..REPEAT {
        acc = Float::new(bits);
        for (a, b) in xs.iter().zip(&ys) {
            acc += a * b;
        }
        std::hint::black_box(&acc);
    }
    let ns = start.elapsed().as_secs_f64() * 1e9 / (REPEAT * N) as f64;
    (ns, acc.to_string_radix(10, Some(40)))
}

fn dot_row<const L: usize>(x: &[f64], y: &[f64]) {
    let bits = 64 * L as u32;
    let (t_ours, v_ours) = ours::<L>(x, y, false);
    let (t_sum, v_sum) = ours::<L>(x, y, true);
    let (t_mpfr, v_mpfr) = mpfr(bits, x, y);
    let b: f64 = v_mpfr.parse().unwrap_or(f64::NAN);
    for v in [&v_ours, &v_sum] {
        let a: f64 = v.parse().unwrap_or(f64::NAN);
        assert!((a - b).abs() < 1e-12 * a.abs(), "{v} vs {v_mpfr}");
    }
    println!(
        "| {bits} | {t_ours:.1} | {t_sum:.1} | {t_mpfr:.1} | {:.2}x | {} |",
        t_mpfr / t_sum,
        v_sum
    );
}

/// A well-conditioned SPD matrix: `M Mᵀ/n + I` with `M` from the LCG.
fn spd<T: Real>(n: usize) -> Mat<T> {
    let v = inputs(7);
    let m = |i: usize, j: usize| T::from_f64(v[(i * 31 + j * 17) % N] - 1.0);
    let mut a = Mat::from_fn(n, n, |_, _| T::zero());
    for i in 0..n {
        for j in 0..=i {
            let mut s = T::zero();
            for k in 0..n {
                s += m(i, k) * m(j, k);
            }
            let s = s / T::from_usize(n) + if i == j { T::one() } else { T::zero() };
            a[(i, j)] = s;
            a[(j, i)] = s;
        }
    }
    a
}

fn cholesky_row<T: Real>(name: &str, n: usize) {
    let a = spd::<T>(n);
    let reps = if T::BITS <= 106 { 20 } else { 1 };
    let start = Instant::now();
    for _ in 0..reps {
        let mut l = Mat::from_fn(n, n, |i, j| a[(i, j)]);
        assert!(T::cholesky_in_place(l.as_mut(), Par::Seq), "{name}: not SPD");
        std::hint::black_box(&l);
    }
    let s = start.elapsed().as_secs_f64() / reps as f64;
    let flops = 2.0 * (n as f64).powi(3) / 3.0;
    println!("| {name} | {s:.4} | {:.3} |", flops / s / 1e9);
}

fn main() {
    let x = inputs(1);
    let y = inputs(2);
    println!("## Dot product, ns per multiply-add (length {N}, {REPEAT} repeats)");
    println!();
    println!("| bits | Mp<L> a + b·c ns | MpSum ns | MPFR (rug) ns | MPFR / MpSum | value |");
    println!("|---|---|---|---|---|---|");
    dot_row::<2>(&x, &y);
    dot_row::<4>(&x, &y);
    dot_row::<8>(&x, &y);
    dot_row::<16>(&x, &y);
    println!();
    let n = 200;
    println!("## Cholesky factorization, order {n}, one thread");
    println!();
    println!("| arithmetic | seconds | GFLOP-equivalent/s |");
    println!("|---|---|---|");
    cholesky_row::<f64>("f64 (faer)", n);
    cholesky_row::<fx128>("dd", n);
    cholesky_row::<Mp<2>>("mp128", n);
    cholesky_row::<Mp<4>>("mp256", n);
    cholesky_row::<Mp<8>>("mp512", n);
    cholesky_row::<Mp<16>>("mp1024", n);
}
