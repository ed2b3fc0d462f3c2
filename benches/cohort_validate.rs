//! Validating a 1,000,000-row cohort without database checks (target: under 2 s in release),
//! from memory and from a file, so reading and rules are measured apart from the disk.

#[path = "../tests/support/cohort_gen.rs"]
mod cohort_gen;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gonogo::cohort::{self, CohortSettings};
use std::hint::black_box;
use std::time::Duration;

const ROWS: usize = 1_000_000;

fn bench(c: &mut Criterion) {
    let mut data = Vec::with_capacity(ROWS * 64);
    cohort_gen::write_cohort(&mut data, ROWS, 42).expect("generate the cohort");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cohort-1m.csv");
    std::fs::write(&path, &data).expect("write the cohort");
    let settings = CohortSettings::default();

    let mut group = c.benchmark_group("cohort_validate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(data.len() as u64));
    // The scan is dropped off the clock, as `gonogo cohort validate` frees it on another thread
    // while the report prints.
    group.bench_function("1m_rows_in_memory", |b| {
        b.iter_with_large_drop(|| {
            cohort::validate(black_box(&data[..]), &settings).expect("validate")
        })
    });
    group.bench_function("1m_rows_from_file", |b| {
        b.iter_with_large_drop(|| {
            let file = cohort::open(&path).expect("open");
            cohort::validate(file, &settings).expect("validate")
        })
    });
    let scan = cohort::validate(&data[..], &settings).expect("validate");
    assert_eq!(scan.report.rows, ROWS as u64);
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
