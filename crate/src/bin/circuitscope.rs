//! `circuitscope`: the reproducible, scriptable face of everything the page does.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = circuitscope::cli::Cli::parse();
    match circuitscope::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
