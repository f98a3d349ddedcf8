//! Seeded random numbers for scripts: `let r = rng(42); r.uniform(); r.normal(); r.int(0, 10)`.
//!
//! ChaCha8: the same seed gives the same stream on every machine and build.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT};

use super::script_error;

/// A seeded generator as a script value.
#[derive(Clone)]
pub struct ScriptRng(ChaCha8Rng);

fn normal(r: &mut ScriptRng) -> f64 {
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    let u: f64 = r.0.random();
    let v: f64 = r.0.random();
    (-2.0 * (1.0 - u).ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ScriptRng>("Rng");
    engine.register_fn("rng", |seed: INT| {
        ScriptRng(ChaCha8Rng::seed_from_u64(seed as u64))
    });
    engine.register_fn("uniform", |r: &mut ScriptRng| -> FLOAT { r.0.random() });
    engine.register_fn(
        "uniform",
        |r: &mut ScriptRng, lo: FLOAT, hi: FLOAT| -> FLOAT { lo + (hi - lo) * r.0.random::<f64>() },
    );
    engine.register_fn("normal", |r: &mut ScriptRng| -> FLOAT { normal(r) });
    engine.register_fn(
        "normal",
        |r: &mut ScriptRng, mean: FLOAT, sd: FLOAT| -> FLOAT { mean + sd * normal(r) },
    );
    engine.register_fn(
        "int",
        |r: &mut ScriptRng, lo: INT, hi: INT| -> Result<INT, Box<EvalAltResult>> {
            if lo >= hi {
                return Err(script_error(format!(
                    "int({lo}, {hi}): the range is empty (hi is excluded)"
                )));
            }
            Ok(r.0.random_range(lo..hi))
        },
    );
    engine.register_fn("shuffle", |r: &mut ScriptRng, items: Array| -> Array {
        let mut items = items;
        for i in (1..items.len()).rev() {
            let j = r.0.random_range(0..=i);
            items.swap(i, j);
        }
        items
    });
    engine.register_fn("uniform_vector", |r: &mut ScriptRng, n: INT| -> Array {
        (0..n.max(0))
            .map(|_| Dynamic::from_float(r.0.random()))
            .collect()
    });
    engine.register_fn("to_string", |_: &mut ScriptRng| "Rng".to_string());
}
