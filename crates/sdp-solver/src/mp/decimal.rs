//! Decimal text to [`Mp`] and back.
//!
//! Parsing reads every digit (in chunks of 19, exact in a `u64`) and scales by a power of ten
//! computed by binary powering: within a few units in the last place. Printing divides out the
//! decimal exponent and peels digits off by multiplying by ten, then rounds the last digit.

use super::Mp;

/// Parses `[+-]digits[.digits][(e|E|d|D)[+-]digits]` to the full width of `Mp<L>`.
pub fn parse<const L: usize>(text: &str) -> Option<Mp<L>> {
    let bytes = text.trim().as_bytes();
    let mut i = 0;
    let mut negative = false;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        negative = bytes[i] == b'-';
        i += 1;
    }
    let ten19 = Mp::<L>::from_f64(1e19);
    let mut mantissa = Mp::<L>::ZERO;
    let mut chunk: u64 = 0;
    let mut chunk_len = 0u32;
    let mut exponent: i64 = 0;
    let mut seen_digit = false;
    let mut seen_point = false;
    while i < bytes.len() {
        match bytes[i] {
            c @ b'0'..=b'9' => {
                seen_digit = true;
                chunk = chunk * 10 + u64::from(c - b'0');
                chunk_len += 1;
                if chunk_len == 19 {
                    mantissa = mantissa * ten19 + from_u64(chunk);
                    chunk = 0;
                    chunk_len = 0;
                }
                if seen_point {
                    exponent -= 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' | b'd' | b'D' => break,
            _ => return None,
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    if chunk_len > 0 {
        mantissa = mantissa * pow10::<L>(i64::from(chunk_len)) + from_u64(chunk);
    }
    if i < bytes.len() {
        let rest = std::str::from_utf8(&bytes[i + 1..]).ok()?;
        let e: i64 = rest.strip_prefix('+').unwrap_or(rest).parse().ok()?;
        exponent = exponent.checked_add(e)?;
    }
    if exponent.unsigned_abs() > 1_000_000 {
        return None;
    }
    let value = if exponent >= 0 {
        mantissa * pow10::<L>(exponent)
    } else {
        mantissa / pow10::<L>(-exponent)
    };
    Some(if negative { -value } else { value })
}

/// An unsigned integer, exactly (it fits in one limb).
fn from_u64<const L: usize>(v: u64) -> Mp<L> {
    let hi = (v >> 32) as f64 * 4294967296.0;
    let lo = (v & 0xffff_ffff) as f64;
    Mp::from_f64(hi) + Mp::from_f64(lo)
}

/// `10^k` for `k >= 0` by binary powering.
pub fn pow10<const L: usize>(mut k: i64) -> Mp<L> {
    let mut result = Mp::<L>::one();
    let mut base = Mp::<L>::from_f64(10.0);
    while k > 0 {
        if k & 1 == 1 {
            result *= base;
        }
        base = base * base;
        k >>= 1;
    }
    result
}

/// `x` in scientific notation with `digits` significant digits (`d.ddd…e±n`).
pub fn to_decimal<const L: usize>(x: Mp<L>, digits: usize) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if !x.is_finite() {
        return if x.is_negative() { "-inf" } else { "inf" }.into();
    }
    if x.is_zero() {
        return "0".into();
    }
    let digits = digits.max(1);
    let sign = if x.is_negative() { "-" } else { "" };
    let y = x.abs();
    // log10|x| from the binary exponent, then fix the estimate by at most one.
    let e2 = y.exponent().unwrap_or(0);
    let mut e10 = ((e2 - 1) as f64 * std::f64::consts::LOG10_2).floor() as i64;
    let scaled = |e10: i64| {
        if e10 >= 0 {
            y / pow10::<L>(e10)
        } else {
            y * pow10::<L>(-e10)
        }
    };
    let ten = Mp::<L>::from_f64(10.0);
    let one = Mp::<L>::one();
    let mut m = scaled(e10);
    while m >= ten {
        e10 += 1;
        m = scaled(e10);
    }
    while m < one {
        e10 -= 1;
        m = scaled(e10);
    }
    // One digit more than asked for, then round half up on it.
    let mut out: Vec<u8> = Vec::with_capacity(digits + 1);
    for _ in 0..=digits {
        let mut d = m.to_f64().floor().clamp(0.0, 9.0);
        if m - Mp::from_f64(d) < Mp::ZERO {
            d -= 1.0;
        }
        out.push(d as u8);
        m = (m - Mp::from_f64(d)) * ten;
    }
    let last = out.pop().unwrap_or(0);
    if last >= 5 {
        let mut k = out.len();
        loop {
            if k == 0 {
                out.insert(0, 1);
                out.pop();
                e10 += 1;
                break;
            }
            k -= 1;
            if out[k] == 9 {
                out[k] = 0;
            } else {
                out[k] += 1;
                break;
            }
        }
    }
    let mut text = String::with_capacity(digits + 8);
    text.push_str(sign);
    text.push(char::from(b'0' + out[0]));
    if out.len() > 1 {
        text.push('.');
        text.extend(out[1..].iter().map(|&d| char::from(b'0' + d)));
    }
    text.push_str(&format!("e{e10}"));
    text
}
