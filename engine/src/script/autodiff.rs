//! Exact derivatives of script closures: [`Jet`]s registered with Rhai as the type `dual`, so
//! that a closure written for numbers, called with duals, returns its derivatives.
//!
//! Supported on duals (mixed freely with floats and ints): `+ - * / **`, unary minus,
//! comparisons (on the value), `sqrt exp ln log sin cos tan tanh sinh cosh atan asin acos abs
//! min max`. Anything else (`floor`, `to_int`, ...) fails with an error naming the call, and a
//! caller can fall back to finite differences. Branches (`if x > 0`) follow the value, as in
//! any forward-mode tool.
//!
//! Scripts get `grad(f, x)`, `jacobian(c, x)` and `hessian(f, x)`; plugins get the same
//! through `HostExt::derivatives`.

use boundlab_sdk::{DenseMatrix, Derivatives};
use rhai::{Array, Dynamic, EvalAltResult, FLOAT, FnPtr, INT, NativeCallContext};

use super::jet::Jet;
use super::{Fallible, script_error};

/// The name scripts and error messages see.
pub const DUAL_TYPE: &str = "dual";

const SUPPORTED: &str = "+ - * / **, comparisons, sqrt exp ln log sin cos tan tanh sinh cosh atan asin acos abs min max";

/// An elementary function of one dual argument, with its derivative rule inside.
type ElementaryFn = fn(&Jet) -> Jet;

/// Registers `dual` arithmetic and `grad`, `jacobian`, `hessian`.
pub fn register(engine: &mut rhai::Engine) {
    engine.register_type_with_name::<Jet>(DUAL_TYPE);
    binary(engine, "+", Jet::add);
    binary(engine, "-", Jet::sub);
    binary(engine, "*", Jet::mul);
    binary(engine, "/", Jet::div);
    binary(engine, "min", |a, b| {
        if b.value < a.value {
            b.clone()
        } else {
            a.clone()
        }
    });
    binary(engine, "max", |a, b| {
        if b.value > a.value {
            b.clone()
        } else {
            a.clone()
        }
    });
    // A constant exponent keeps negative bases real ((-2)**3); a varying one is exp(b ln a).
    engine.register_fn("**", |a: Jet, b: Jet| a.pow(&b));
    engine.register_fn("**", |a: Jet, p: FLOAT| a.powf(p));
    engine.register_fn("**", |a: Jet, p: INT| a.powf(p as f64));
    engine.register_fn("**", |a: FLOAT, b: Jet| b.scale(a.ln()).exp());
    engine.register_fn("**", |a: INT, b: Jet| b.scale((a as f64).ln()).exp());
    engine.register_fn("-", |a: Jet| a.scale(-1.0));
    engine.register_fn("+", |a: Jet| a);
    comparison(engine, "<", |a, b| a < b);
    comparison(engine, ">", |a, b| a > b);
    comparison(engine, "<=", |a, b| a <= b);
    comparison(engine, ">=", |a, b| a >= b);
    comparison(engine, "==", |a, b| a == b);
    comparison(engine, "!=", |a, b| a != b);
    let unary: [(&str, ElementaryFn); 14] = [
        ("sqrt", Jet::sqrt),
        ("exp", Jet::exp),
        ("ln", Jet::ln),
        ("log", Jet::log10),
        ("sin", Jet::sin),
        ("cos", Jet::cos),
        ("tan", Jet::tan),
        ("tanh", Jet::tanh),
        ("sinh", Jet::sinh),
        ("cosh", Jet::cosh),
        ("atan", Jet::atan),
        ("asin", Jet::asin),
        ("acos", Jet::acos),
        ("abs", Jet::abs),
    ];
    for (name, f) in unary {
        engine.register_fn(name, move |a: Jet| f(&a));
    }
    engine.register_fn("to_string", |a: &mut Jet| format!("dual({})", a.value));
    engine.register_fn("to_debug", |a: &mut Jet| format!("dual({})", a.value));

    engine.register_fn(
        "grad",
        |ctx: NativeCallContext, f: FnPtr, x: Array| -> Fallible<Array> {
            let d = at_point(&ctx, &f, &x, 1, "grad")?;
            if d.values.len() != 1 {
                return Err(script_error(format!(
                    "grad: {} returned {} values; grad takes a function that returns one number (jacobian takes several)",
                    super::convert::function_label(&f),
                    d.values.len()
                )));
            }
            Ok(row(&d.jacobian, 0))
        },
    );
    engine.register_fn(
        "jacobian",
        |ctx: NativeCallContext, f: FnPtr, x: Array| -> Fallible<Array> {
            let d = at_point(&ctx, &f, &x, 1, "jacobian")?;
            Ok((0..d.jacobian.nrows())
                .map(|k| Dynamic::from_array(row(&d.jacobian, k)))
                .collect())
        },
    );
    engine.register_fn(
        "hessian",
        |ctx: NativeCallContext, f: FnPtr, x: Array| -> Fallible<Array> {
            let d = at_point(&ctx, &f, &x, 2, "hessian")?;
            match d.hessians.as_slice() {
                [h] => Ok((0..h.nrows())
                    .map(|i| Dynamic::from_array(row(h, i)))
                    .collect()),
                _ => Err(script_error(format!(
                    "hessian: {} returned {} values; hessian takes a function that returns one number",
                    super::convert::function_label(&f),
                    d.values.len()
                ))),
            }
        },
    );
}

fn binary(engine: &mut rhai::Engine, name: &str, f: fn(&Jet, &Jet) -> Jet) {
    engine.register_fn(name, move |a: Jet, b: Jet| f(&a, &b));
    engine.register_fn(name, move |a: Jet, b: FLOAT| f(&a, &a.constant_like(b)));
    engine.register_fn(name, move |a: FLOAT, b: Jet| f(&b.constant_like(a), &b));
    engine.register_fn(name, move |a: Jet, b: INT| {
        f(&a, &a.constant_like(b as f64))
    });
    engine.register_fn(name, move |a: INT, b: Jet| {
        f(&b.constant_like(a as f64), &b)
    });
}

fn comparison(engine: &mut rhai::Engine, name: &str, f: fn(f64, f64) -> bool) {
    engine.register_fn(name, move |a: Jet, b: Jet| f(a.value, b.value));
    engine.register_fn(name, move |a: Jet, b: FLOAT| f(a.value, b));
    engine.register_fn(name, move |a: FLOAT, b: Jet| f(a, b.value));
    engine.register_fn(name, move |a: Jet, b: INT| f(a.value, b as f64));
    engine.register_fn(name, move |a: INT, b: Jet| f(a as f64, b.value));
}

fn row(m: &DenseMatrix, i: usize) -> Array {
    (0..m.ncols())
        .map(|j| Dynamic::from_float(m.get(i, j)))
        .collect()
}

/// `at_point` for a script's `grad(f, x)` and friends: the point is a script array.
fn at_point(
    ctx: &NativeCallContext,
    f: &FnPtr,
    x: &Array,
    order: u8,
    what: &str,
) -> Fallible<Derivatives> {
    let point = super::convert::floats(x, &format!("{what}: the point"))?;
    derivatives(ctx, f, &point, order).map_err(|message| script_error(format!("{what}: {message}")))
}

/// Values, Jacobian and (order 2) Hessians of closure `f` at `x`, by calling it once with
/// duals. The error says which operation has no derivative rule, or why the call failed.
pub fn derivatives(
    ctx: &NativeCallContext,
    f: &FnPtr,
    x: &[f64],
    order: u8,
) -> Result<Derivatives, String> {
    if !(1..=2).contains(&order) {
        return Err(format!(
            "derivatives of order {order}: only 1 and 2 are available"
        ));
    }
    let n = x.len();
    let point: Array = x
        .iter()
        .enumerate()
        .map(|(i, &v)| Dynamic::from(Jet::variable(v, i, n, order == 2)))
        .collect();
    let result: Dynamic = f
        .call_within_context(ctx, (point,))
        .map_err(|e| explain_failure(f, *e))?;
    let outputs = if result.is_array() {
        result.into_array().unwrap_or_default()
    } else {
        vec![result]
    };
    let jets = outputs
        .into_iter()
        .enumerate()
        .map(|(k, out)| {
            output_jet(out, n, order == 2).map_err(|kind| {
                format!(
                    "{} returned a {kind} as output {k}, expected a number",
                    super::convert::function_label(f)
                )
            })
        })
        .collect::<Result<Vec<Jet>, String>>()?;
    let m = jets.len();
    Ok(Derivatives {
        values: jets.iter().map(|j| j.value).collect(),
        jacobian: DenseMatrix::from_fn(m, n, |k, i| jets[k].gradient[i]),
        hessians: jets
            .iter()
            .filter_map(|j| j.hessian.as_ref())
            .map(|h| DenseMatrix::from_fn(n, n, |i, l| h[i * n + l]))
            .collect(),
    })
}

/// One output as a jet: a dual as it is, a number as a constant.
fn output_jet(out: Dynamic, n: usize, second_order: bool) -> Result<Jet, String> {
    if out.is::<Jet>() {
        return Ok(out.cast::<Jet>());
    }
    match super::convert::number(&out) {
        Some(c) => Ok(Jet {
            value: c,
            gradient: vec![0.0; n],
            hessian: second_order.then(|| vec![0.0; n * n]),
        }),
        None => Err(out.type_name().to_string()),
    }
}

fn explain_failure(f: &FnPtr, error: EvalAltResult) -> String {
    let name = super::convert::function_label(f);
    // The failing call may sit inside nested function calls: look at the innermost error.
    let mut inner = &error;
    while let EvalAltResult::ErrorInFunctionCall(_, _, cause, _) = inner {
        inner = cause;
    }
    match inner {
        EvalAltResult::ErrorFunctionNotFound(signature, position)
            if signature.contains(DUAL_TYPE) =>
        {
            format!(
                "{name} calls `{signature}` ({position}), which has no derivative rule; automatic differentiation supports {SUPPORTED}"
            )
        }
        _ => format!("{name} failed on dual numbers: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> rhai::Engine {
        let mut e = rhai::Engine::new();
        register(&mut e);
        e
    }

    fn floats(v: Dynamic) -> Vec<f64> {
        v.into_array()
            .unwrap()
            .into_iter()
            .map(|x| x.as_float().unwrap())
            .collect()
    }

    /// Rosenbrock f = (1 - x)² + 100 (y - x²)²: ∇f = (-2(1 - x) - 400 x (y - x²), 200 (y - x²)),
    /// ∇²f = [[2 - 400 (y - 3x²), -400 x], [-400 x, 200]] (closed form).
    #[test]
    fn script_grad_and_hessian_of_rosenbrock_match_the_closed_form() {
        let e = engine();
        let f = "let f = |x| (1 - x[0])**2 + 100 * (x[1] - x[0]**2)**2;";
        let g = floats(
            e.eval::<Dynamic>(&format!("{f} grad(f, [0.5, 2])"))
                .unwrap(),
        );
        let (x, y) = (0.5, 2.0);
        assert_eq!(
            g,
            [
                -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
                200.0 * (y - x * x)
            ]
        );
        let h: Vec<Vec<f64>> = e
            .eval::<Array>(&format!("{f} hessian(f, [0.5, 2])"))
            .unwrap()
            .into_iter()
            .map(floats)
            .collect();
        assert_eq!(
            h,
            [
                [2.0 - 400.0 * (y - 3.0 * x * x), -400.0 * x],
                [-400.0 * x, 200.0]
            ]
        );
    }

    /// c(x) = [x0 x1 - 1, sin(x0) + x1², min(x0, 3)]: rows (x1, x0), (cos x0, 2 x1), (1, 0).
    #[test]
    fn script_jacobian_handles_loops_branches_constants_and_mixed_types() {
        let e = engine();
        let rows: Vec<Vec<f64>> = e
            .eval::<Array>(
                r#"
                let c = |x| {
                    let s = 0;
                    for xi in x { s += xi * 0; }      // int + dual: stays a dual
                    let third = if x[0] > 3 { 3.0 } else { min(x[0], 3) };
                    [x[0] * x[1] - 1 + s, x[0].sin() + x[1] ** 2, third, 7.5]
                };
                jacobian(c, [0.25, -2.0])
                "#,
            )
            .unwrap()
            .into_iter()
            .map(floats)
            .collect();
        let (x0, x1) = (0.25f64, -2.0);
        assert_eq!(
            rows,
            [
                vec![x1, x0],
                vec![x0.cos(), 2.0 * x1],
                vec![1.0, 0.0],
                vec![0.0, 0.0]
            ]
        );
    }

    #[test]
    fn an_operation_without_a_derivative_rule_is_named() {
        let e = engine();
        let err = e
            .eval::<Dynamic>("let f = |x| x[0].floor() + x[1]; grad(f, [1.5, 2.0])")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("floor") && err.contains("no derivative rule"),
            "{err}"
        );
        let err = e
            .eval::<Dynamic>("let f = |x| [x[0], x[1]]; grad(f, [1.5, 2.0])")
            .unwrap_err()
            .to_string();
        assert!(err.contains("returned 2 values"), "{err}");
    }
}
