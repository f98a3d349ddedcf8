// The `testkit` plugin used by the engine's tests: linked statically by some tests and built
// as a shared library by others (see `support/mod.rs`). Each algorithm exercises one service.

use boundlab_sdk::prelude::*;

pub struct Testkit;

/// `testkit.map`'s parameters.
#[derive(Params)]
struct MapParams {
    /// a function of one number
    f: Callable,
    /// the points
    xs: Vec<f64>,
}

/// `testkit.spin`'s parameters.
#[derive(Params)]
struct SpinParams {
    /// safety limit
    #[param(default = 30.0)]
    seconds: f64,
}

/// `testkit.echo`'s schema; the algorithm returns the (completed) map as the engine gave it.
#[derive(Params)]
#[allow(dead_code)] // the schema only: echo returns the map itself, not these fields
struct EchoParams {
    /// a seed
    #[param(default = 7)]
    seed: i64,
    /// a positive number
    #[param(default = 1.0)]
    scale: f64,
    /// anything
    data: Option<Value>,
}

/// `testkit.fanout`'s parameters.
#[derive(Params)]
struct FanoutParams {
    /// seeds, one job each
    seeds: Vec<Value>,
}

/// `testkit.crash`'s parameters.
#[derive(Params)]
struct CrashParams {
    /// abort the process
    #[param(default = false)]
    crash: bool,
    /// returned doubled
    #[param(default = 0.0)]
    value: f64,
}

impl Plugin for Testkit {
    const NAME: &'static str = "testkit";
    const VERSION: &'static str = "0.3.0";

    fn algorithms() -> Vec<AlgorithmSpec> {
        vec![
            AlgorithmSpec::new("testkit.panic", "Panics when run", |_| {
                Ok(Box::new(|_input: Value, _host: &HostRef<'_>| -> PluginResult<Value> {
                    panic!("deliberate panic in testkit")
                }))
            }),
            AlgorithmSpec::new("testkit.map", "Applies the script function `f` to each entry of `xs`", |params| {
                let MapParams { f, xs } = MapParams::decode(params)?;
                Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
                    let ys: PluginResult<Vec<Value>> = xs.iter().map(|&x| host.call_function(f, Value::from(x))).collect();
                    Ok(Value::Map(ValueMap::new().with("ys", Value::List(ys?.into()))))
                }))
            })
            .params::<MapParams>(),
            AlgorithmSpec::new("testkit.spin", "Runs until cancelled (at most `seconds`)", |params| {
                let seconds = SpinParams::decode(params)?.seconds;
                Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
                    let start = std::time::Instant::now();
                    let mut k = 0u64;
                    while start.elapsed().as_secs_f64() < seconds {
                        host.check_cancelled()?;
                        k += 1;
                        host.report_progress(k, 0, "spinning");
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                    Ok(Value::from("timed out"))
                }))
            })
            .params::<SpinParams>(),
            AlgorithmSpec::new("testkit.echo", "Returns its parameters and input", |params| {
                Ok(Box::new(move |input: Value, host: &HostRef<'_>| {
                    host.info("echo called");
                    Ok(Value::Map(ValueMap::new().with("params", params.clone()).with("input", input)))
                }))
            })
            .params::<EchoParams>(),
            AlgorithmSpec::new("testkit.nested", "Calls testkit.echo through the host", |_| {
                Ok(Box::new(|_input: Value, host: &HostRef<'_>| {
                    let params = Value::Map(ValueMap::new().with("seed", 11i64));
                    host.call_algorithm("testkit.echo", params, Value::from("from nested"))
                }))
            }),
            AlgorithmSpec::new("testkit.fanout", "Runs testkit.echo for each seed through Host::batch", |params| {
                let seeds = FanoutParams::decode(params)?.seeds;
                Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
                    let jobs = seeds.iter().map(|s| Value::Map(ValueMap::new().with("seed", s.clone()))).collect();
                    let results = host.run_batch("testkit.echo", jobs)?;
                    let out: Vec<Value> = results
                        .into_iter()
                        .map(|r| match r {
                            Ok(v) => v.get("params").and_then(|p| p.get("seed")).cloned().unwrap_or_default(),
                            Err(e) => Value::from(format!("failed: {}", e.message)),
                        })
                        .collect();
                    Ok(Value::List(out.into()))
                }))
            })
            .params::<FanoutParams>(),
            AlgorithmSpec::new("testkit.crash", "Kills its process when `crash` is true (a dying MPI rank)", |params| {
                let CrashParams { crash, value } = CrashParams::decode(params)?;
                Ok(Box::new(move |_input: Value, _host: &HostRef<'_>| {
                    if crash {
                        std::process::abort();
                    }
                    Ok(Value::Float(2.0 * value))
                }))
            })
            .params::<CrashParams>(),
            AlgorithmSpec::new("testkit.counter", "Counts its runs in a checkpoint", |_| {
                Ok(Box::new(|_input: Value, host: &HostRef<'_>| {
                    let previous = host.load_checkpoint("count")?.and_then(|v| v.as_i64()).unwrap_or(0);
                    host.save_checkpoint("count", Value::Int(previous + 1))?;
                    Ok(Value::Int(previous + 1))
                }))
            }),
        ]
    }
}

boundlab_sdk::export_plugin!(Testkit);
