//! Every algorithm of the plugin run with its optional parameters omitted gives exactly the
//! result of a run with `describe`'s defaults written out (issue 14: one declaration per
//! parameter, so the schema's defaults are the ones the code uses).

use boundlab_sdk::prelude::*;
use boundlab_sdk::testing::TestHost;
use boundlab_sdp::plugin_module;

/// Timings differ run to run; everything else must agree.
const VARYING: &[&str] = &["seconds"];

fn check(id: &str, params: ValueMap) {
    let host = TestHost::new();
    host.add_module(plugin_module());
    host.assert_omitted_means_default(plugin_module(), id, Value::Map(params), VARYING);
}

fn sdplib(name: &str) -> String {
    format!(
        "{}/../../data/sdplib/{name}.dat-s",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn solve_and_convert() {
    check("sdp.solve", ValueMap::new().with("file", sdplib("truss1")));
    let out = std::env::temp_dir().join(format!("boundlab-defaults-{}.ron", std::process::id()));
    let params = ValueMap::new()
        .with("file", sdplib("truss1"))
        .with("output", out.to_string_lossy().as_ref());
    check("sdp.convert", params);
    std::fs::remove_file(out).ok();
}

#[test]
fn the_bounds() {
    let small = |dim: i64, degree: i64| ValueMap::new().with("dim", dim).with("degree", degree);
    check("sdp.delsarte", small(8, 6));
    check("sdp.three_point", small(3, 3));
    check("sdp.cohn_elkies", small(8, 8));
    check(
        "sdp.sphere_packing_3pt",
        small(3, 3).with("two_point_degree", 10i64),
    );
}

#[test]
fn the_game() {
    let params = ValueMap::new()
        .with("target", "cohn_elkies")
        .with("dim", 4i64)
        .with("degree", 4i64)
        .with("budget", 2i64)
        .with("simulations", 10i64);
    check("sdp.game", params);
}
