//! Criterion benchmarks: one day step of the engine at 10^4, 10^5 and 10^6 agents on two presets,
//! and the setup of a replicate (population traits and network).
//!
//! Run with `cargo bench --bench step`; see docs/PERFORMANCE.md for figures.

use std::path::Path;

use agora::engine::Simulation;
use agora::population::{Network, Population};
use agora::rng::RunStream;
use agora::scenario::{load_file, Override, Scenario};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn preset(name: &str, size: u64) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let size = Override {
        key: "population.size".into(),
        value: size.to_string(),
    };
    load_file(&path, &[size]).expect("valid preset")
}

fn day_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("day_step");
    group.sample_size(20);
    for name in ["paid-knowledge-community", "free-chat-group"] {
        for size in [10_000u64, 100_000, 1_000_000] {
            let s = preset(name, size);
            let mut sim = Simulation::new(&s, 0);
            // Start from a community that has grown for a month, not from day 0.
            for _ in 0..30 {
                sim.step();
            }
            group.throughput(Throughput::Elements(size));
            group.bench_with_input(BenchmarkId::new(name, size), &size, |b, _| {
                b.iter(|| sim.step())
            });
        }
    }
    group.finish();
}

fn setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("setup");
    group.sample_size(10);
    for size in [100_000u64, 1_000_000] {
        let s = preset("paid-knowledge-community", size);
        let stream = RunStream::new(s.seed(), 0);
        group.throughput(Throughput::Elements(size));
        group.bench_with_input(BenchmarkId::new("population", size), &size, |b, _| {
            b.iter(|| Population::generate(&s.coefficients().population, &stream))
        });
        group.bench_with_input(
            BenchmarkId::new("small_world_network", size),
            &size,
            |b, _| b.iter(|| Network::build(&s.coefficients().population.network, size as u32, 7)),
        );
    }
    group.finish();
}

criterion_group!(benches, day_step, setup);
criterion_main!(benches);
