//! Criterion benchmarks of the day step (filled in with issue 4).
use criterion::{criterion_group, criterion_main, Criterion};

fn day_step(c: &mut Criterion) {
    let text = std::fs::read_to_string("scenarios/free-chat-group.toml")
        .unwrap_or_else(|_| "name = \"bench\"".into());
    let s = agora::scenario::load_str(&text, "bench", &[]).expect("valid scenario");
    let mut sim = agora::engine::Simulation::new(&s, 0);
    c.bench_function("day step", |b| b.iter(|| sim.step()));
}

criterion_group!(benches, day_step);
criterion_main!(benches);
