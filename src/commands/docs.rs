//! `gonogo completions SHELL` and `gonogo man`: generated from the command-line definitions, so
//! they never drift from what the binary accepts.

use super::{Failure, Outcome};
use crate::cli::{Cli, CompletionsArgs};
use crate::exit;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(args: &CompletionsArgs) -> Outcome {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "gonogo", &mut script);
    emit(&script)
}

pub fn man() -> Outcome {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Failure::new(exit::SOFTWARE, format!("cannot render the man page: {e}")))?;
    emit(&page)
}

fn emit(bytes: &[u8]) -> Outcome {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(exit::OK),
        // `gonogo man | head` closes the pipe early: not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit::OK),
        Err(e) => Err(Failure::new(
            exit::IO,
            format!("cannot write to stdout: {e}"),
        )),
    }
}
