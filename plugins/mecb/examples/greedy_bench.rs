//! Times the greedy minimum-entropy coupling on random marginal pairs of growing support.
//!
//! `cargo run --release -p boundlab-mecb --example greedy_bench -- OUT_DIR N1 N2 ...`
//! For each N it draws p and q (Dirichlet(1), N entries each, seed N), writes them to
//! `OUT_DIR/pair_N.f64` (2N little-endian doubles, p then q) for the Python reference, times the
//! greedy (best of several runs) and prints one line:
//! `N seconds entropy cells marginal_error`.

use std::io::Write;
use std::time::Instant;

use boundlab_mecb::coupling::greedy;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn dirichlet(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    let x: Vec<f64> = (0..n).map(|_| -(1.0 - rng.random::<f64>()).ln()).collect();
    let s: f64 = x.iter().sum();
    x.into_iter().map(|v| v / s).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: greedy_bench OUT_DIR N1 [N2 ...]");
        std::process::exit(2);
    }
    let out = std::path::Path::new(&args[1]);
    std::fs::create_dir_all(out).expect("create output folder");
    for arg in &args[2..] {
        let n: usize = arg.parse().expect("N must be an integer");
        let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
        let p = dirichlet(&mut rng, n);
        let q = dirichlet(&mut rng, n);
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(out.join(format!("pair_{n}.f64"))).expect("create"),
        );
        for x in p.iter().chain(q.iter()) {
            file.write_all(&x.to_le_bytes()).expect("write");
        }
        drop(file);
        let repeats = if n <= 100_000 { 5 } else { 3 };
        let mut best = f64::INFINITY;
        let mut result = None;
        for _ in 0..repeats {
            let t = Instant::now();
            let c = greedy(&[&p, &q]);
            best = best.min(t.elapsed().as_secs_f64());
            result = Some(c);
        }
        let c = result.expect("ran");
        let err = c.marginal_error(&[&p, &q]);
        println!("{n} {best:.6} {:.12} {} {err:.3e}", c.entropy(), c.len());
    }
}
