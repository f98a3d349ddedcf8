//! Cross-checks against the reference implementation of Compton, Katz, Qi, Greenewald and
//! Kocaoglu, "Minimum-Entropy Coupling Approximation Guarantees Beyond the Majorization
//! Barrier" (AISTATS 2023), github.com/SpencerCompton/Minimum-Entropy-Coupling-AISTATS-2023,
//! `CouplingImplementation.cpp` (compiled with g++ -O2, called from a small driver).
//!
//! Each line: `k n_1 p_1... n_2 p_2... | and profile profile_cap greedy [bitmask_dp]`, where the
//! numbers after `|` are the reference's `Greed::calc_and`, `calc_profile`, `calc_profile_cap`,
//! `calc_greed` and, for two marginals, the exact `Bitmask::solve` (printed to 12 digits).
//! The instances are random (Python `random.seed(2023)`, entries multiples of 1/1000).

use boundlab_mecb::{bounds, coupling, exact};

const REFERENCE: &str = "\
2 5 0.458 0.261 0.146 0.131 0.004 5 0.328 0.257 0.041 0.33 0.044 | 2.035278112 2.19337704949 2.43649124828 2.49515154492 2.46438595642
2 4 0.103 0.546 0.155 0.196 2 0.667 0.333 | 1.69214691916 1.69214691916 1.69214691916 1.77245715658 1.77245715658
2 4 0.545 0.169 0.145 0.141 7 0.183 0.056 0.07 0.232 0.398 0.011 0.05 | 2.2554747803 2.33721661064 2.48849267676 2.61408019442 2.54669778367
2 3 0.018 0.635 0.347 3 0.072 0.3 0.628 | 1.21588224711 1.25188224711 1.27429427207 1.3043410367 1.3043410367
2 6 0.04 0.09 0.592 0.08 0.068 0.13 3 0.159 0.836 0.005 | 1.88403445325 1.89903445325 1.90577703098 1.91232819997 1.91232819997
2 5 0.35 0.108 0.087 0.378 0.077 6 0.068 0.01 0.395 0.078 0.43 0.019 | 2.04162156808 2.09796992147 2.11300246349 2.26067057298 2.18567170273
2 5 0.032 0.094 0.461 0.226 0.187 3 0.631 0.128 0.241 | 1.93180804756 1.93290183648 1.94777174137 2.02287749348 2.02287749348
2 7 0.071 0.005 0.034 0.485 0.143 0.125 0.137 3 0.398 0.094 0.508 | 2.15046097551 2.15046097551 2.15046097551 2.22025871062 2.22025871062
2 7 0.187 0.022 0.008 0.329 0.072 0.03 0.352 4 0.277 0.561 0.056 0.106 | 2.11216677576 2.16652018884 2.31931683198 2.32731683198 2.32731683198
2 7 0.058 0.064 0.262 0.206 0.145 0.028 0.237 5 0.09 0.068 0.144 0.63 0.068 | 2.50852054608 2.60024486815 2.7043363683 2.77919391228 2.75004586797
2 6 0.416 0.174 0.306 0.018 0.034 0.052 7 0.139 0.144 0.008 0.031 0.005 0.506 0.167 | 2.10241914595 2.25290135665 2.42749813499 2.43110777547 2.43110777547
2 3 0.743 0.108 0.149 5 0.08 0.286 0.207 0.166 0.261 | 2.21421502384 2.25830696637 2.32827819283 2.35534351455 2.35534351455
2 3 0.149 0.374 0.477 4 0.121 0.45 0.092 0.337 | 1.73257678569 1.73257678569 1.73257678569 1.87700681074 1.87700681074
2 2 0.281 0.719 3 0.848 0.14 0.012 | 0.92834067557 1.05212343342 1.19701611278 1.19701611278 1.19701611278
2 2 0.289 0.711 3 0.206 0.506 0.288 | 1.48403202685 1.48403202685 1.48403202685 1.49315771505 1.49315771505
2 3 0.658 0.172 0.17 4 0.445 0.078 0.195 0.282 | 1.78178064003 1.86785759059 2.03558514571 2.11022273316 2.11022273316
2 2 0.435 0.565 7 0.091 0.348 0.063 0.209 0.036 0.072 0.181 | 2.46019993635 2.46019993635 2.46019993635 2.4974753214 2.46019993635
2 7 0.12 0.202 0.018 0.449 0.08 0.006 0.125 2 0.498 0.502 | 2.16700632147 2.16700632147 2.16700632147 2.24079882241 2.23868938007
2 5 0.078 0.424 0.076 0.413 0.009 6 0.029 0.224 0.145 0.042 0.464 0.096 | 2.10082396568 2.17137328754 2.30374220188 2.35657544836 2.35453360438
2 6 0.206 0.154 0.242 0.079 0.2 0.119 2 0.199 0.801 | 2.49966191448 2.49966191448 2.49966191448 2.57755346765 2.50836670182
2 2 0.867 0.133 2 0.674 0.326 | 0.910787283866 1.08281556446 1.22877589003 1.22877589003 1.22877589003
2 4 0.184 0.1 0.666 0.05 3 0.615 0.11 0.275 | 1.47059217461 1.52397057891 1.6479445647 1.68404096945 1.68404096945
2 7 0.044 0.006 0.251 0.078 0.011 0.538 0.072 5 0.029 0.313 0.263 0.115 0.28 | 2.15766665981 2.320005195 2.42097113951 2.5039116958 2.45890596891
2 7 0.125 0.132 0.418 0.022 0.011 0.169 0.123 4 0.525 0.075 0.175 0.225 | 2.28468595581 2.31466118003 2.39861005798 2.48700191646 2.4667938709
2 2 0.285 0.715 4 0.042 0.184 0.305 0.469 | 1.67626330732 1.6820362994 1.78276454124 1.78276454124 1.78276454124
2 3 0.369 0.626 0.005 4 0.157 0.005 0.758 0.08 | 1.27031507617 1.36198617604 1.55775311709 1.55775311709 1.55775311709
2 6 0.083 0.006 0.15 0.571 0.061 0.129 3 0.229 0.383 0.388 | 2.02782376431 2.16347425048 2.35846088657 2.38159048026 2.38159048026
2 7 0.127 0.181 0.253 0.045 0.277 0.007 0.11 3 0.049 0.568 0.383 | 2.44081082721 2.44081082721 2.44081082721 2.44770742416 2.44770742416
2 6 0.143 0.179 0.164 0.219 0.186 0.109 5 0.28 0.438 0.023 0.099 0.16 | 2.5529871343 2.62451803999 2.64250667853 2.78979272026 2.78440644154
2 5 0.112 0.102 0.377 0.38 0.029 2 0.553 0.447 | 1.89882195958 1.89882195958 1.89882195958 1.99035953328 1.99035953328
3 5 0.083 0.09 0.511 0.196 0.12 2 0.843 0.157 5 0.138 0.194 0.107 0.145 0.416 | 2.1286181099 2.23334516586 2.28960480189 2.42593015985
3 7 0.253 0.127 0.254 0.065 0.003 0.049 0.249 3 0.121 0.552 0.327 2 0.79 0.21 | 2.37602798581 2.37630727161 2.40166165687 2.45444240114
3 6 0.087 0.304 0.018 0.49 0.04 0.061 5 0.182 0.063 0.387 0.265 0.103 3 0.098 0.37 0.532 | 2.12852876525 2.22949530897 2.28033805691 2.44754769968
3 2 0.639 0.361 7 0.028 0.302 0.037 0.139 0.155 0.308 0.031 5 0.059 0.482 0.024 0.064 0.371 | 2.33334790896 2.39575132178 2.48172388099 2.5467609239
3 3 0.408 0.001 0.591 6 0.303 0.094 0.108 0.087 0.186 0.222 4 0.125 0.023 0.435 0.417 | 2.42926342004 2.47793275742 2.50769200857 2.59813839355
3 4 0.141 0.532 0.185 0.142 7 0.241 0.031 0.179 0.077 0.294 0.153 0.025 7 0.065 0.269 0.121 0.143 0.179 0.055 0.168 | 2.64257581302 2.70579868889 2.75590242739 2.90948911085
3 6 0.263 0.177 0.232 0.038 0.109 0.181 2 0.121 0.879 4 0.691 0.16 0.042 0.107 | 2.41210537477 2.44517483287 2.49804756305 2.5207003294
3 2 0.576 0.424 2 0.997 0.003 7 0.074 0.162 0.001 0.308 0.087 0.297 0.071 | 2.3342378721 2.34336744134 2.34738173007 2.41511134493
3 2 0.261 0.739 6 0.334 0.221 0.099 0.153 0.072 0.121 6 0.063 0.114 0.184 0.05 0.153 0.436 | 2.39639688822 2.48994469737 2.57213921196 2.6250529219
3 6 0.096 0.207 0.047 0.352 0.061 0.237 7 0.003 0.017 0.381 0.057 0.072 0.386 0.084 3 0.391 0.183 0.426 | 2.28697914833 2.37601472522 2.46147591539 2.58035619725";

struct Case {
    marginals: Vec<Vec<f64>>,
    reference: Vec<f64>,
}

fn cases() -> Vec<Case> {
    REFERENCE
        .lines()
        .map(|line| {
            let (input, output) = line.split_once('|').expect("a `|` on every line");
            let mut words = input
                .split_whitespace()
                .map(|w| w.parse::<f64>().expect("a number"));
            let k = words.next().expect("k") as usize;
            let marginals = (0..k)
                .map(|_| {
                    let n = words.next().expect("n") as usize;
                    (0..n).map(|_| words.next().expect("entry")).collect()
                })
                .collect();
            let reference = output
                .split_whitespace()
                .map(|w| w.parse().expect("a number"))
                .collect();
            Case {
                marginals,
                reference,
            }
        })
        .collect()
}

/// The reference prints 12 significant digits.
const TOL: f64 = 1e-9;

#[test]
fn majorization_and_profile_bounds_match_the_reference() {
    for (i, case) in cases().iter().enumerate() {
        let m: Vec<&[f64]> = case.marginals.iter().map(|v| v.as_slice()).collect();
        let and = bounds::majorization_bound(&m);
        let profile = bounds::profile_bound(&m);
        assert!(
            (and - case.reference[0]).abs() < TOL,
            "case {i}: majorization {and} vs {}",
            case.reference[0]
        );
        assert!(
            (profile - case.reference[1]).abs() < TOL,
            "case {i}: profile {profile} vs {}",
            case.reference[1]
        );
    }
}

#[test]
fn majorize_profile_is_at_least_the_reference_and_at_most_the_optimum() {
    for (i, case) in cases().iter().enumerate() {
        let m: Vec<&[f64]> = case.marginals.iter().map(|v| v.as_slice()).collect();
        let mp = bounds::majorize_profile_bound(&m);
        // Ours adds the majorisation cap cell by cell, so it can only be larger.
        assert!(
            mp >= case.reference[2] - TOL,
            "case {i}: majorize-profile {mp} < reference {}",
            case.reference[2]
        );
        let greedy = coupling::greedy(&m).entropy();
        assert!(
            mp <= greedy + TOL,
            "case {i}: bound {mp} above the greedy {greedy}"
        );
        if let Some(&opt) = case.reference.get(4) {
            assert!(
                mp <= opt + TOL,
                "case {i}: bound {mp} above the optimum {opt}"
            );
        }
    }
}

#[test]
fn greedy_entropy_matches_the_reference() {
    for (i, case) in cases().iter().enumerate() {
        let m: Vec<&[f64]> = case.marginals.iter().map(|v| v.as_slice()).collect();
        let h = coupling::greedy(&m).entropy();
        assert!(
            (h - case.reference[3]).abs() < TOL,
            "case {i}: greedy {h} vs {}",
            case.reference[3]
        );
    }
}

#[test]
fn exact_solver_matches_the_reference_dynamic_program() {
    for (i, case) in cases().iter().enumerate() {
        let Some(&opt) = case.reference.get(4) else {
            continue;
        };
        let (h, c) =
            exact::exact_two(&case.marginals[0], &case.marginals[1]).expect("small enough");
        assert!(
            (h - opt).abs() < TOL,
            "case {i}: exact {h} vs reference DP {opt}"
        );
        assert!((c.entropy() - h).abs() < 1e-12);
        assert!(c.marginal_error(&[&case.marginals[0], &case.marginals[1]]) < 1e-12);
    }
}

#[test]
fn exact_solver_handles_the_largest_allowed_support() {
    // 8 + 8 entries: the limit. The optimum lies between the strongest lower bound and the
    // greedy (Compton et al. 2023 guarantee: greedy <= OPT + 0.53 for two marginals).
    let p = [0.3, 0.2, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03];
    let q = [0.22, 0.18, 0.16, 0.14, 0.12, 0.08, 0.06, 0.04];
    let t = std::time::Instant::now();
    let (h, c) = exact::exact_two(&p, &q).unwrap();
    eprintln!(
        "8 + 8 exact: {h:.9} bits in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let g = coupling::greedy(&[&p, &q]).entropy();
    let lb = bounds::majorize_profile_bound(&[&p, &q]);
    assert!(lb <= h + 1e-12 && h <= g + 1e-12, "{lb} <= {h} <= {g}");
    assert!(c.marginal_error(&[&p, &q]) < 1e-12);
    assert!(c.len() <= 15);
}
