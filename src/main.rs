//! The `jiuzhu` binary: parse the command line, dispatch to `cmd::*`, turn the outcome into an exit code.
//!
//! Exit codes scripts branch on: 0 done; 1 done, but something needs a person (rejected rows, …);
//! 2 nothing done (bad usage, unreadable or invalid input, invalid policy, workspace locked).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use jiuzhu::cmd;
use jiuzhu::workspace::Workspace;
use jiuzhu::Outcome;

#[derive(Parser, Debug)]
#[command(
    name = "jiuzhu",
    version,
    about = "救助 — the social-assistance workflow of a civil-affairs office, over CSV/xlsx ledgers in Git",
    long_about = "jiuzhu runs the social-assistance workflow (intake → verify → compare → decide → notice → \
disburse → audit → archive) over ledgers kept as CSV in a Git-tracked workspace. Every step is reproducible: \
the same inputs and policy give byte-identical outputs.\n\n\
Exit codes: 0 done; 1 done but something needs a person (e.g. rejected rows); 2 nothing done (bad usage, \
unreadable input, invalid policy, workspace locked).",
    after_help = "Examples:\n  jiuzhu init county\n  cd county && jiuzhu intake ~/收件/城关镇-申请登记表.xlsx\n  \
jiuzhu -C county intake --dry-run register.csv"
)]
struct Cli {
    /// Run as if started in DIR (the workspace is found from there upward, like git).
    #[arg(short = 'C', value_name = "DIR", global = true)]
    change_dir: Option<PathBuf>,
    /// Print nothing on success (problems are still printed).
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a workspace: jiuzhu.yaml (policy), ledgers/, inbox/, reports/, archive/, Git settings.
    #[command(
        after_help = "Examples:\n  jiuzhu init            # here\n  jiuzhu init county     # in ./county\n\n\
Refuses to touch a folder that already has a jiuzhu.yaml. Runs `git init` when the folder is not in a Git \
repository and git is installed."
    )]
    Init {
        /// The folder (created if missing); default: the current folder (or -C DIR).
        dir: Option<PathBuf>,
    },
    /// Import application registers (申请登记表) from xlsx/xls/ods/csv into the case ledgers.
    #[command(after_help = "Examples:\n  jiuzhu intake 城关镇-申请登记表.xlsx\n  \
jiuzhu intake --encoding gbk 东河乡-申请登记.csv\n  jiuzhu intake --sheet 申请登记 --dry-run register.xlsx\n\n\
Both register shapes are read: one row per member (household fields on the head's row, merged or repeated), \
or one row per household with members on a second sheet keyed by the head's ID. A household enters whole or \
not at all. Rejected and skipped rows are listed in reports/intake-rejects-FILE-HASH.xlsx with file, sheet, row, \
column, value, reason and what to do. Importing the same file again changes nothing.\n\n\
Exit: 0 all rows taken (or nothing new); 1 some rows rejected; 2 nothing done.")]
    Intake {
        /// Register files (.xlsx, .xls, .ods, .csv).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Read only this sheet (repeat for several); default: the first sheet with a register header.
        #[arg(long, value_name = "NAME")]
        sheet: Vec<String>,
        /// CSV encoding: utf-8, gbk, gb18030 (default: detect; UTF-8 with or without BOM, else GB18030).
        #[arg(long, value_name = "ENC")]
        encoding: Option<String>,
        /// What the files hold.
        #[arg(long, value_enum, default_value_t = IntakeKind::Applications)]
        kind: IntakeKind,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum IntakeKind {
    /// Application registers (申请登记表 / 花名册).
    Applications,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            eprintln!("jiuzhu: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let start = cli.change_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    match cli.command {
        Command::Init { dir } => {
            let dir = match dir {
                Some(d) if d.is_absolute() || cli.change_dir.is_none() => d,
                Some(d) => start.join(d),
                None => start,
            };
            cmd::init::run(&dir, cli.quiet)
        }
        Command::Intake {
            files,
            sheet,
            encoding,
            kind: IntakeKind::Applications,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            // As with `git -C`, relative paths are relative to DIR.
            let files = match &cli.change_dir {
                Some(dir) => files
                    .into_iter()
                    .map(|f| if f.is_absolute() { f } else { dir.join(f) })
                    .collect(),
                None => files,
            };
            cmd::intake::run(
                &ws,
                &cmd::intake::Args {
                    files,
                    sheets: sheet,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
    }
}
