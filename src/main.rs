//! The `sovereign` binary: parse the command line, run the subcommand, map the outcome to an exit code
//! (0 success, 1 a policy or diff check failed, 2 an error printed as one line with credentials redacted).

mod commands;

use std::process::ExitCode;

use clap::Parser;

use sovereign::cli::{Cli, Command, PolicyCommand, WeightsCommand};
use sovereign::util::redact::redact_text;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => commands::scan(*args),
        Command::Explain(args) => commands::explain(args),
        Command::Convert(args) => commands::convert(args),
        Command::Diff(args) => commands::diff(args),
        Command::Check(args) => commands::check(args),
        Command::Policy(PolicyCommand::Validate { files }) => commands::policy_validate(&files),
        Command::Policy(PolicyCommand::Schema) => commands::policy_schema(),
        Command::Policy(PolicyCommand::Simulate(args)) => commands::policy_simulate(args),
        Command::Report(args) => commands::report(args),
        Command::Audit(args) => commands::audit(args),
        Command::Query(args) => commands::query(args),
        Command::Fingerprint(args) => commands::fingerprint(args),
        Command::Weights(WeightsCommand::Compare(args)) => commands::weights_compare(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let mut msg = redact_text(&e.to_string());
            for cause in e.chain().skip(1) {
                msg.push_str(": ");
                msg.push_str(&redact_text(&cause.to_string()));
            }
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}
