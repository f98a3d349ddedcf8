//! Benchmark tables for the bounds (ignored in CI; run by `bench/sdp_bounds/run.sh`, which
//! sets `SDP_BOUNDS_OUT` to the folder that receives `timings.md` and the exported SDPA file
//! of the three-point n = 3, d = 6 SDP for the Clarabel comparison).

use std::fmt::Write;
use std::ops::ControlFlow;

use boundlab_sdp_solver::solver::Precision;
use boundlab_sphere_bounds::cohn_elkies::{CohnElkiesSpec, cohn_elkies_bound};
use boundlab_sphere_bounds::delsarte::{DelsarteSpec, delsarte_bound};
use boundlab_sphere_bounds::three_point::{self, Form, ThreePointSpec, three_point_bound};
use boundlab_sphere_bounds::{SolveReport, SolveSettings};

fn settings(p: Precision) -> SolveSettings {
    SolveSettings {
        precision: p,
        tol: 1e-8,
        ..SolveSettings::default()
    }
}

fn cell(bound: f64, report: &SolveReport) -> String {
    let (status, it, s) = (&report.status, report.iterations, report.seconds);
    let mark = if status == "optimal" {
        String::new()
    } else {
        format!(" {status}")
    };
    format!("{bound:.8} ({it} it, {s:.3} s){mark}")
}

#[test]
#[ignore = "benchmark: bench/sdp_bounds/run.sh"]
fn timings() {
    let out = std::env::var("SDP_BOUNDS_OUT")
        .unwrap_or_else(|_| std::env::temp_dir().to_string_lossy().into());
    let mut md = String::new();
    let ps = [Precision::F64, Precision::DoubleDouble];
    writeln!(
        md,
        "## Delsarte LP, n = 3, cos θ = 1/2 (CLRS: 13.158314 from degree 16)\n"
    )
    .unwrap();
    writeln!(md, "| degree | constraints | f64 | dd |\n|---|---|---|---|").unwrap();
    for d in [10, 20, 30, 40] {
        let mut row = format!("| {d} | {} |", d + 1);
        for p in ps {
            let b = delsarte_bound(&DelsarteSpec::new(3, d, 0.5), &settings(p), &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
            write!(row, " {} |", cell(b.bound, &b.report)).unwrap();
        }
        writeln!(md, "{row}").unwrap();
    }
    writeln!(
        md,
        "\n## Three-point SDP (mv form, S₃ reduced), n = 3, cos θ = 1/2 (MV: s₁₁(3) = 12.42167)\n"
    )
    .unwrap();
    writeln!(
        md,
        "| d | constraints | largest block | f64 | dd |\n|---|---|---|---|---|"
    )
    .unwrap();
    for d in [3, 4, 5, 6, 7] {
        let spec = ThreePointSpec::new(3, d, 0.5, Form::Mv);
        let sdp = three_point::build::<boundlab_sdp_solver::scalar::fx128>(&spec).unwrap();
        let largest = sdp.sdp.blocks.iter().map(|b| b.dim()).max().unwrap();
        let mut row = format!("| {d} | {} | {largest} |", sdp.sdp.num_constraints());
        for p in ps {
            let b =
                three_point_bound(&spec, &settings(p), &mut |_| ControlFlow::Continue(())).unwrap();
            write!(row, " {} |", cell(b.bound, &b.report)).unwrap();
        }
        writeln!(md, "{row}").unwrap();
    }
    writeln!(md, "\n## Cohn–Elkies LP, n = 8 (π⁴/384 = 0.25366950)\n").unwrap();
    writeln!(md, "| degree | constraints | f64 | dd |\n|---|---|---|---|").unwrap();
    for d in [8, 16, 24, 31] {
        let mut row = format!("| {d} | {} |", 2 * (d + 1));
        for p in ps {
            let b = cohn_elkies_bound(&CohnElkiesSpec::new(8, d), &settings(p), &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
            write!(row, " {} |", cell(b.bound, &b.report)).unwrap();
        }
        writeln!(md, "{row}").unwrap();
    }
    // The three-point n = 3, d = 6 SDP (clrs form) for the Clarabel comparison, and our time.
    let spec = ThreePointSpec::new(3, 6, 0.5, Form::Clrs);
    let sdp = three_point::build::<boundlab_sdp_solver::scalar::fx128>(&spec).unwrap();
    std::fs::write(
        format!("{out}/three_point_n3_d6.dat-s"),
        boundlab_sdp_solver::sdpa::write_sdpa(&sdp.sdp).unwrap(),
    )
    .unwrap();
    let mut ours = String::new();
    for p in ps {
        let b = three_point_bound(&spec, &settings(p), &mut |_| ControlFlow::Continue(())).unwrap();
        writeln!(ours, "{{\"precision\": \"{}\", \"bound\": {}, \"status\": \"{}\", \"iterations\": {}, \"seconds\": {}}}", b.report.precision, b.bound, b.report.status, b.report.iterations, b.report.seconds).unwrap();
    }
    std::fs::write(format!("{out}/ours_three_point_n3_d6.jsonl"), ours).unwrap();
    std::fs::write(format!("{out}/timings.md"), &md).unwrap();
    println!("{md}");
}
