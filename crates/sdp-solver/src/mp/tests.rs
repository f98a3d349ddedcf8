//! The arithmetic against exact big-integer arithmetic (num-bigint, an independent
//! implementation), and the constants against their published digits.

use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::functions::{exp, ln2, pi};
use super::{Mp, decimal};

/// `x` exactly, as `(numerator, power of two)`: `x = numerator · 2^power`.
fn exact<const L: usize>(x: Mp<L>) -> (BigInt, i64) {
    let mut n = BigInt::zero();
    for &limb in x.mant.iter().rev() {
        n = (n << 64) + BigInt::from(limb);
    }
    if x.neg {
        n = -n;
    }
    (n, x.exp - 64 * L as i64)
}

/// `|computed − truth| / |truth|` in units of 2^(−64L), with `truth = num · 2^pow`.
fn ulps<const L: usize>(computed: Mp<L>, num: &BigInt, pow: i64) -> f64 {
    let (c, cp) = exact(computed);
    // Bring both to the smaller power of two.
    let p = cp.min(pow);
    let c = c << (cp - p) as usize;
    let t = num.clone() << (pow - p) as usize;
    let diff = (c - &t).abs();
    if t.is_zero() {
        return if diff.is_zero() { 0.0 } else { f64::INFINITY };
    }
    // diff / |t| · 2^(64L)
    let scaled = (diff << (64 * L)) / t.abs();
    scaled.to_string().parse::<f64>().unwrap()
}

fn random<const L: usize>(rng: &mut ChaCha8Rng) -> Mp<L> {
    let mut mant = [0u64; L];
    for limb in mant.iter_mut() {
        *limb = rng.random();
    }
    mant[L - 1] |= 1 << 63;
    Mp {
        mant,
        exp: rng.random_range(-40..40),
        neg: rng.random(),
        class: super::Class::Finite,
    }
}

fn check_ops<const L: usize>(cases: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(L as u64);
    let mut worst = [0.0f64; 4];
    for case in 0..cases {
        let a = random::<L>(&mut rng);
        let mut b = random::<L>(&mut rng);
        if case % 7 == 0 {
            // Near-cancellation: b close to −a.
            b = -a + a.mul_pow2(-(rng.random_range(1..100)));
        }
        let (na, pa) = exact(a);
        let (nb, pb) = exact(b);
        let p = pa.min(pb);
        let sa = &na << (pa - p) as usize;
        let sb = &nb << (pb - p) as usize;
        let sum = &sa + &sb;
        if !sum.is_zero() {
            worst[0] = worst[0].max(ulps(a + b, &sum, p));
        }
        worst[1] = worst[1].max(ulps(a - b, &(&sa - &sb), p));
        worst[2] = worst[2].max(ulps(a * b, &(&na * &nb), pa + pb));
        // a / b: compare b · q with a.
        let q = a / b;
        let (nq, pq) = exact(q);
        worst[3] = worst[3].max(ulps(a, &(&nq * &nb), pq + pb));
    }
    // Units of 2^(−64L) relative: a correctly rounded result is within 1 (half an ulp of a
    // mantissa in [1/2, 1)); sums may lose the sticky bit (2), quotients are Newton's (4).
    assert!(worst[0] <= 2.0, "L = {L}: + is off by {} units", worst[0]);
    assert!(worst[1] <= 2.0, "L = {L}: − is off by {} units", worst[1]);
    assert!(worst[2] <= 1.01, "L = {L}: × is off by {} units", worst[2]);
    assert!(worst[3] <= 4.0, "L = {L}: ÷ is off by {} units", worst[3]);
}

#[test]
fn sums_products_and_quotients_are_within_an_ulp_of_exact_arithmetic() {
    check_ops::<1>(3000);
    check_ops::<2>(3000);
    check_ops::<4>(2000);
    check_ops::<8>(500);
    check_ops::<64>(30);
}

#[test]
fn doubles_convert_exactly_both_ways() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..10_000 {
        let x = f64::from_bits(rng.random());
        if !x.is_finite() {
            continue;
        }
        assert_eq!(
            Mp::<4>::from_f64(x).to_f64().to_bits(),
            x.to_bits(),
            "{x:e}"
        );
    }
    for x in [
        5e-324,
        -2.2250738585072014e-308,
        1.7976931348623157e308,
        0.1,
        -3.0,
    ] {
        assert_eq!(Mp::<2>::from_f64(x).to_f64(), x);
    }
    // Rounding to double: 1 + 2^-60 rounds to 1, 1 + 2^-52 + 2^-53 + 2^-100 to 1 + 2^-51.
    let tiny = Mp::<2>::from_f64(2f64.powi(-60));
    assert_eq!((Mp::<2>::one() + tiny).to_f64(), 1.0);
    let x = Mp::<4>::one()
        + Mp::from_f64(2f64.powi(-52))
        + Mp::from_f64(2f64.powi(-53))
        + Mp::from_f64(2f64.powi(-100));
    assert_eq!(x.to_f64(), 1.0 + 2f64.powi(-51));
}

#[test]
fn square_roots_square_back() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..200 {
        let x = random::<8>(&mut rng).abs();
        let s = x.sqrt();
        let (ns, ps) = exact(s);
        let (nx, px) = exact(x);
        assert!(ulps(s * s, &nx, px) < 4.0);
        let _ = (ns, ps);
    }
    assert!(Mp::<4>::from_f64(-1.0).sqrt().is_nan());
    assert!(Mp::<4>::ZERO.sqrt().is_zero());
}

/// π to 100 digits (any table of π, e.g. OEIS A000796).
const PI_100: &str = "3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117068";
/// e to 100 digits (OEIS A001113).
const E_100: &str = "2.718281828459045235360287471352662497757247093699959574966967627724076630353547594571382178525166427";
/// ln 2 to 100 digits (OEIS A002162).
const LN2_100: &str = "6.931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875e-1";

#[test]
fn constants_match_their_published_digits() {
    let digits = |x: Mp<8>| decimal::to_decimal(x, 100);
    assert_eq!(digits(pi::<8>()), format!("{PI_100}e0"));
    assert_eq!(digits(exp(Mp::<8>::one())), format!("{E_100}e0"));
    assert_eq!(digits(ln2::<8>()), LN2_100);
    // At 4096 bits π and e still agree with the 100 digits.
    assert!(decimal::to_decimal(pi::<64>(), 1200).starts_with(&PI_100[..100]));
    // exp(−x) exp(x) = 1 and exp(ln 2) = 2 to the width.
    let x = decimal::parse::<8>("-37.25").unwrap();
    let one = exp(x) * exp(-x);
    assert!((one - Mp::one()).abs() < Mp::from_f64(1e-150), "{one:?}");
    let two = exp(ln2::<8>());
    assert!((two - Mp::from_f64(2.0)).abs() < Mp::from_f64(1e-150));
}

#[test]
fn decimals_parse_to_full_width_and_print_back() {
    let third = decimal::parse::<4>(
        "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333",
    )
    .unwrap();
    let err = (third * Mp::from_f64(3.0) - Mp::one()).abs();
    assert!(err < Mp::from_f64(1e-75), "{err:?}");
    let pi = decimal::parse::<8>(PI_100).unwrap();
    assert!((pi - super::functions::pi()).abs() < Mp::from_f64(1e-98));
    for text in [
        "1.5",
        "-2e3",
        "+.25",
        "7",
        "1.0D-2",
        "6.02214076e23",
        "-1e-300",
    ] {
        let x = decimal::parse::<4>(text).unwrap();
        let f: f64 = text.replace('D', "e").parse().unwrap();
        assert_eq!(x.to_f64(), f, "{text}");
    }
    for bad in ["", "-", "1.2.3", "abc", "1e", "1x"] {
        assert!(decimal::parse::<4>(bad).is_none(), "{bad}");
    }
    // Printing all digits of the width reads back within an ulp or two.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..50 {
        let x = random::<4>(&mut rng);
        let text = x.to_string();
        let back = decimal::parse::<4>(&text).unwrap();
        let (n, p) = exact(x);
        assert!(ulps(back, &n, p) < 64.0, "{text}");
    }
    assert_eq!(decimal::to_decimal(Mp::<2>::from_f64(9.9999), 3), "1.00e1");
    assert_eq!(
        decimal::to_decimal(Mp::<2>::from_f64(-0.00125), 2),
        "-1.3e-3"
    );
}

#[test]
fn comparisons_and_special_values() {
    let one = Mp::<4>::one();
    let two = Mp::<4>::from_f64(2.0);
    assert!(one < two && -two < -one && Mp::ZERO < one && -one < Mp::ZERO);
    assert!(Mp::<4>::from_f64(1e-300) > Mp::ZERO);
    assert!((one / Mp::ZERO).to_f64().is_infinite());
    assert!((Mp::<4>::ZERO / Mp::ZERO).is_nan());
    assert!(Mp::<4>::NAN.partial_cmp(&one).is_none());
    assert_eq!((one - one).to_f64(), 0.0);
    assert_eq!(Mp::<4>::from_f64(3.0).convert::<2>().to_f64(), 3.0);
    let third = one / Mp::from_f64(3.0);
    let wide = third.convert::<8>().convert::<4>();
    assert_eq!(exact(wide), exact(third));
}
