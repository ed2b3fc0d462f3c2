//! Writes a cohort CSV for benchmarks: `cargo run --release --example gen_cohort -- ROWS PATH`.

#[path = "../tests/support/cohort_gen.rs"]
mod cohort_gen;

use std::io::BufWriter;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let rows: usize = match args.next().map(|a| a.replace('_', "").parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: gen_cohort ROWS PATH");
            return std::process::ExitCode::from(64);
        }
    };
    let Some(path) = args.next() else {
        eprintln!("usage: gen_cohort ROWS PATH");
        return std::process::ExitCode::from(64);
    };
    let written = std::fs::File::create(&path).and_then(|file| {
        let mut out = BufWriter::new(file);
        cohort_gen::write_cohort(&mut out, rows, 42)?;
        std::io::Write::flush(&mut out)
    });
    match written {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write {path}: {e}");
            std::process::ExitCode::from(74)
        }
    }
}
