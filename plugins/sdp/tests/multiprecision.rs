//! Multiple precision through the plugin: the Cohn–Elkies LP against SDPB's values, `auto`
//! escalating past double-double, a solve that is not optimal reporting no bound, and the
//! precision parameters' errors.

use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;
use boundlab_sdp::plugin_module;

fn run(id: &str, params: ValueMap) -> Result<Value, PluginError> {
    TestHost::new().run(plugin_module(), id, Value::Map(params), Value::Unit)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {key} in {v:?}"))
}

/// The number of leading significant digits two decimal strings share.
fn common_digits(a: &str, b: &str) -> usize {
    let digits = |s: &str| -> String {
        let mantissa = s.split(['e', 'E']).next().unwrap_or("");
        mantissa
            .chars()
            .filter(|c| c.is_ascii_digit())
            .skip_while(|&c| c == '0')
            .collect()
    };
    digits(a)
        .chars()
        .zip(digits(b).chars())
        .take_while(|(x, y)| x == y)
        .count()
}

/// SDPB 1.0 at 512 bits, the same Cohn–Elkies LP (n = 3, r = √(1 + 3/8)), measured on this
/// machine (notes/peer-sdp-c-and-mp.md). Degree 32 has the optimum of degree 31 (the top
/// coefficient is forced to 0 at even degrees).
const SDPB_N3_D32: &str = "0.77974893336506548609353333360980";

#[test]
fn cohn_elkies_at_256_bits_agrees_with_sdpb_to_thirty_digits() {
    let out = run(
        "sdp.cohn_elkies",
        ValueMap::new()
            .with("dim", 3i64)
            .with("degree", 31i64)
            .with("precision", "mp")
            .with("bits", 256i64)
            .with("tol", 1e-30),
    )
    .unwrap();
    assert_eq!(text(&out, "status"), "optimal", "{out:?}");
    assert_eq!(text(&out, "precision"), "mp256");
    let digits = common_digits(text(&out, "bound_decimal"), SDPB_N3_D32);
    assert!(
        digits >= 29,
        "{} vs SDPB {SDPB_N3_D32}",
        text(&out, "bound_decimal")
    );
}

#[test]
fn cohn_elkies_verify_proves_a_rigorous_bound_just_above_the_floating_one() {
    let out = run(
        "sdp.cohn_elkies",
        ValueMap::new()
            .with("dim", 3i64)
            .with("degree", 31i64)
            .with("precision", "mp")
            .with("tol", 1e-30)
            .with("verify", true),
    )
    .unwrap();
    let float = out.get("bound").and_then(Value::as_f64).unwrap();
    let rigorous = out.get("rigorous_bound").and_then(Value::as_f64).unwrap();
    assert!(
        rigorous >= float && rigorous <= float * (1.0 + 1e-10),
        "{rigorous} vs {float}"
    );
    // A feasible f's value is at least the LP optimum, which SDPB puts at 0.7797489333650654860…
    assert!(rigorous >= 0.779_748_933_365_065_4, "{rigorous}");
    // A certificate that proves nothing is refused with the condition named.
    let err = boundlab_sphere_bounds::verify_cohn_elkies::verify_cohn_elkies(
        3,
        1.0,
        &["1".to_string()],
        1.0,
    )
    .unwrap_err();
    assert!(err.contains("f ≤ 0"), "{err}");
}

#[test]
fn auto_escalates_past_double_double_when_it_runs_out() {
    // tol 1e-24 skips f64 (it cannot reach it); dd runs out of accuracy on this degenerate LP
    // and the solve continues at 256 bits from dd's last iterate.
    let out = run(
        "sdp.cohn_elkies",
        ValueMap::new()
            .with("dim", 3i64)
            .with("degree", 32i64)
            .with("precision", "auto")
            .with("tol", 1e-24),
    )
    .unwrap();
    assert_eq!(text(&out, "status"), "optimal", "{out:?}");
    assert!(text(&out, "precision").starts_with("dd+mp"), "{out:?}");
    let digits = common_digits(text(&out, "bound_decimal"), SDPB_N3_D32);
    assert!(
        digits >= 20,
        "{} vs SDPB {SDPB_N3_D32}",
        text(&out, "bound_decimal")
    );
}

/// SDPB 1.0 at 512 bits, n = 3, degree 63 (the table; bench/results/sdp_mp.md).
const SDPB_N3_D63: &str = "0.779746764154714151269728198547389";

#[test]
fn auto_escalates_twice_and_still_ends_optimal() {
    // Degree 63: dd and 256 bits both run out (SDPB fails at 256 bits too), and 512 bits
    // continues from 256's last iterate. Taken without the blend with the cold start, that
    // iterate made the steps collapse and the solve ended `numerical_error`.
    let out = run(
        "sdp.cohn_elkies",
        ValueMap::new()
            .with("dim", 3i64)
            .with("degree", 63i64)
            .with("precision", "auto")
            .with("max_bits", 512i64)
            .with("tol", 1e-24),
    )
    .unwrap();
    assert_eq!(text(&out, "status"), "optimal", "{out:?}");
    assert_eq!(text(&out, "precision"), "dd+mp256+mp512", "{out:?}");
    let digits = common_digits(text(&out, "bound_decimal"), SDPB_N3_D63);
    assert!(
        digits >= 22,
        "{} vs SDPB {SDPB_N3_D63}",
        text(&out, "bound_decimal")
    );
}

#[test]
fn a_solve_that_is_not_optimal_reports_no_bound() {
    // The case: n = 3, degree 40 in double-double ends numerical_error; its last
    // iterate (0.7770767 on main before the fix) lies below the true LP value, so it must not
    // appear as `bound`.
    let out = run(
        "sdp.cohn_elkies",
        ValueMap::new()
            .with("dim", 3i64)
            .with("degree", 40i64)
            .with("precision", "dd"),
    )
    .unwrap();
    assert_ne!(text(&out, "status"), "optimal", "{out:?}");
    let bound = out.get("bound").and_then(Value::as_f64).unwrap();
    assert!(
        bound.is_nan(),
        "bound {bound} with status {}",
        text(&out, "status")
    );
    assert_eq!(text(&out, "bound_decimal"), "");
    let last = out
        .get("last_iterate_value")
        .and_then(Value::as_f64)
        .unwrap();
    assert!(last.is_finite(), "{out:?}");
}

#[test]
fn precision_parameters_are_checked_before_any_solve() {
    let base = || ValueMap::new().with("dim", 3i64).with("degree", 8i64);
    for (params, name, what) in [
        (
            base().with("precision", "mp").with("bits", 63i64),
            "bits",
            "64..=4096",
        ),
        (
            base().with("precision", "mp").with("bits", 5000i64),
            "bits",
            "64..=4096",
        ),
        (
            base().with("precision", "dd").with("bits", 512i64),
            "bits",
            "precision: \"mp\"",
        ),
        (
            base().with("precision", "mp").with("max_bits", 512i64),
            "max_bits",
            "auto",
        ),
        (base().with("precision", "quad"), "precision", "expected"),
        (
            base().with("precision", "f64").with("tol", 1e-20),
            "tol",
            "below what f64",
        ),
        (
            base()
                .with("precision", "mp")
                .with("bits", 128i64)
                .with("tol", 1e-50),
            "tol",
            "mp128",
        ),
    ] {
        let started = std::time::Instant::now();
        let err = run("sdp.cohn_elkies", params).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadParameter, "{err}");
        assert!(err.message.contains(&format!("`{name}`")), "{err}");
        assert!(err.message.contains(what), "{err}");
        assert!(
            started.elapsed().as_secs() < 5,
            "refused only after solving: {err}"
        );
    }
    // sdp.solve and the game take the same parameters.
    let err = run(
        "sdp.solve",
        ValueMap::new()
            .with(
                "file",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../data/sdplib/theta1.dat-s"
                ),
            )
            .with("precision", "mp")
            .with("bits", 9000i64),
    )
    .unwrap_err();
    assert!(err.message.contains("`bits`"), "{err}");
    let err = run(
        "sdp.game",
        ValueMap::new()
            .with("target", "cohn_elkies")
            .with("dim", 3i64)
            .with(
                "bound_options",
                ValueMap::new().with("precision", "mp").with("bits", 10i64),
            ),
    )
    .unwrap_err();
    assert!(err.message.contains("`bits`"), "{err}");
}

#[test]
fn sdplib_theta1_in_multiple_precision() {
    // SDPLIB 1.2 (Borchers 1999) publishes 23 for theta1 (a Lovász theta); at 256 bits and
    // tol 1e-40 the value is 23 to forty digits, where f64 and dd give 7 and 20.
    let out = run(
        "sdp.solve",
        ValueMap::new()
            .with(
                "file",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../data/sdplib/theta1.dat-s"
                ),
            )
            .with("precision", "mp")
            .with("tol", 1e-40),
    )
    .unwrap();
    assert_eq!(text(&out, "status"), "optimal", "{out:?}");
    let value = text(&out, "objective_decimal");
    type M = boundlab_sdp_solver::mp::Mp<4>;
    let v: M = boundlab_sdp_solver::mp::decimal::parse(value).unwrap();
    let err = ((v - M::from_f64(23.0)) / M::from_f64(23.0)).abs();
    assert!(err < M::from_f64(1e-39), "{value}");
}
