use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = agora::cli::Cli::parse();
    match agora::cli::execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", agora::cli::error_words(&err));
            ExitCode::FAILURE
        }
    }
}
