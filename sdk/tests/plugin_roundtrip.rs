//! A plugin defined with the public API, exercised through its root module and the test host.

use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;

struct Demo;

/// `demo.map` parameters.
#[derive(Params)]
struct MapParams {
    /// the function
    f: Callable,
    /// the points
    #[param(default = vec![1.0, 2.0])]
    x: Vec<f64>,
}

impl Plugin for Demo {
    const NAME: &'static str = "demo";
    const VERSION: &'static str = "1.2.3";
    fn algorithms() -> Vec<AlgorithmSpec> {
        vec![
            AlgorithmSpec::new("demo.map", "Applies `f` to every entry of `x`.", |params| {
                let MapParams { f, x } = MapParams::decode(params)?;
                Ok(Box::new(move |_input: Value, host: &HostRef<'_>| {
                    let mut out = Vec::new();
                    for (i, &xi) in x.iter().enumerate() {
                        host.check_cancelled()?;
                        host.report_progress(i as u64 + 1, x.len() as u64, "mapping");
                        let y = host.call_function(f, Value::from(xi))?;
                        out.push(y.as_f64().ok_or_else(|| {
                            PluginError::bad_parameter("f", "must return a number")
                        })?);
                    }
                    host.save_checkpoint("last", Value::from(out.clone()))?;
                    Ok(Value::from(out))
                }))
            })
            .params::<MapParams>(),
            AlgorithmSpec::new("demo.panic", "Panics when run.", |_| {
                Ok(Box::new(
                    |_input: Value, _host: &HostRef<'_>| -> PluginResult<Value> {
                        panic!("deliberate failure")
                    },
                ))
            }),
        ]
    }
}

boundlab_sdk::export_plugin!(Demo);

fn params(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(entries.into_iter().collect())
}

#[test]
fn info_reports_name_versions_and_schema() {
    let info = plugin_module().info()().unwrap();
    assert_eq!(info.name.as_str(), "demo");
    assert_eq!(info.version.as_str(), "1.2.3");
    assert_eq!(info.abi_version, boundlab_sdk::ABI_VERSION);
    assert_eq!(info.algorithms.len(), 2);
    assert_eq!(info.algorithms[0].params[1].name.as_str(), "x");
}

#[test]
fn runs_with_callbacks_progress_and_checkpoints() {
    let host = TestHost::new();
    let double = host.add_function(|x| Ok(Value::from(2.0 * x.as_f64().unwrap())));
    let out = host
        .run(
            plugin_module(),
            "demo.map",
            params(vec![("f", double.into())]),
            Value::Unit,
        )
        .unwrap();
    assert_eq!(out, Value::from(vec![2.0, 4.0]));
    assert_eq!(host.progress_reports(), vec![(1, 2), (2, 2)]);
    use boundlab_sdk::HostExt;
    assert_eq!(
        host.as_ref().load_checkpoint("last").unwrap(),
        Some(Value::from(vec![2.0, 4.0]))
    );
}

#[test]
fn cancellation_and_panics_become_errors() {
    let host = TestHost::new();
    let id = host.add_function(Ok);
    host.cancel();
    let err = host
        .run(
            plugin_module(),
            "demo.map",
            params(vec![("f", id.into())]),
            Value::Unit,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    let err = host
        .run(plugin_module(), "demo.panic", Value::Unit, Value::Unit)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert!(
        err.message.contains("deliberate failure"),
        "{}",
        err.message
    );
}

#[test]
fn schema_errors_come_before_create() {
    let host = TestHost::new();
    let f = host.add_function(Ok);
    let err = host
        .run(
            plugin_module(),
            "demo.map",
            params(vec![("f", f.into()), ("x", Value::from(1.0))]),
            Value::Unit,
        )
        .unwrap_err();
    assert!(
        err.message
            .contains("parameter `x`: expected vector, got float 1"),
        "{}",
        err.message
    );
}
