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
    /// Check every case under review: materials, identity and household, income and assets, exclusions,
    /// registry hits, home visits, the township re-visit sample, time limits.
    #[command(after_help = "Examples:\n  jiuzhu verify --as-of 2026-11-20\n  \
jiuzhu verify --as-of 2026-11-20 --visits 入户调查-11月.xlsx\n  \
jiuzhu verify --extend CD-2026-0B9A1C744081 --days 10 --approver 王局长 --reason \"需补充外地收入证明\"\n\n\
Records each outcome in ledgers/checks.csv and moves each case to verified, needs_info or ineligible. Writes \
reports/review-DATE.xlsx (one row per case with its verdict and reasons) and reports/supplement-notices-DATE.xlsx \
(一次性告知: everything each household must supplement, with the due date). Without --as-of the date is the \
latest date in the workspace (never the computer's clock).\n\nExit: 0 every case passed; 1 some case needs a \
person; 2 nothing done.")]
    Verify {
        /// The date checks are made on (standards in force, time limits, ages): YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Home-visit sheets (入户调查表) to record first: case or head's ID, date, investigators, findings, signed.
        #[arg(long, value_name = "FILE")]
        visits: Vec<PathBuf>,
        /// Extend a case's time limit (延期): needs --days, --approver and --reason.
        #[arg(long, value_name = "CASE")]
        extend: Option<String>,
        /// Working days added by --extend.
        #[arg(long, requires = "extend")]
        days: Option<u32>,
        /// The leader who approved the extension (有决定权的领导).
        #[arg(long, requires = "extend")]
        approver: Option<String>,
        /// Why the extension is needed.
        #[arg(long, requires = "extend")]
        reason: Option<String>,
        /// CSV encoding of visit sheets (default: detect).
        #[arg(long, value_name = "ENC")]
        encoding: Option<String>,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Match applicants and members against other departments' registries (信息比对), and record what a person
    /// decided about each hit.
    #[command(
        after_help = "Examples:\n  jiuzhu compare --source deaths=死亡火化-10月.xlsx --source vehicles=车辆.csv\n  \
jiuzhu compare --resolve reports/compare-hits-3F9A0C21.xlsx\n  \
jiuzhu compare --export-hashed 青禾县-人员哈希.csv\n  \
jiuzhu compare --source other_schemes=邻县-人员哈希.csv --hashed\n\n\
Registries are declared under `registries:` in jiuzhu.yaml (deaths, vehicles, real_estate, business, payroll, \
social_insurance, provident_fund, relatives, blacklist, other_schemes, medical_bills). Hits go to \
ledgers/matches.csv and to a worksheet reports/compare-hits-BATCH.xlsx with a drop-down 处理结果 column \
(确认/排除); --resolve reads it back. A cleared hit stays cleared while its evidence is unchanged.\n\n\
Exit: 0 no open hits; 1 open hits need a person; 2 nothing done."
    )]
    Compare {
        /// A registry file: NAME=FILE, NAME as declared under `registries:` in jiuzhu.yaml. Repeatable.
        #[arg(long, value_name = "NAME=FILE")]
        source: Vec<String>,
        /// The --source files hold salted hashes of ID numbers (from another office's --export-hashed).
        #[arg(long, requires = "source")]
        hashed: bool,
        /// Read back a filled compare-hits worksheet and record each disposition.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["source", "export_hashed"])]
        resolve: Option<PathBuf>,
        /// Who decided the dispositions read by --resolve, when the sheet's 处理人 cells are blank.
        #[arg(long, requires = "resolve")]
        by: Option<String>,
        /// Write the workspace's people as salted hashes of their ID numbers, for exchange with another office.
        #[arg(long, value_name = "FILE", conflicts_with = "source")]
        export_hashed: Option<PathBuf>,
        /// CSV encoding of registry files (default: detect).
        #[arg(long, value_name = "ENC")]
        encoding: Option<String>,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Decide benefits (救助决策): propose for a period, record the review meeting, post the public notice,
    /// record objections, and re-decide existing recipients (增发/减发/停发/渐退).
    #[command(after_help = "Examples:\n  jiuzhu decide --period 2026-11\n  \
jiuzhu decide --period 2026-11 --preview\n  \
jiuzhu decide --record reports/review-meeting-2026-11.xlsx --meeting \"城关镇审批会 纪要第23号\" --date 2026-11-20 \\\n      \
--attendees \"张镇长、李主任、王会计\"\n  \
jiuzhu decide --objection CD-2026-0B9A1C744081 --dismissed --note \"经核实收入属实\" --date 2026-11-24\n  \
jiuzhu decide --period 2026-11 --as-of 2026-11-30      # notices over: decisions take effect\n  \
jiuzhu decide --impact old-jiuzhu.yaml\n\n\
Proposals go to ledgers/decisions.csv (status proposed) and to the worksheet reports/review-meeting-PERIOD.xlsx \
with a drop-down 评议结果 (同意/不同意/暂缓). Approved decisions are posted (reports/notice-MONTH.xlsx, one sheet per \
village, only name, village, household size, scheme and amount) and take effect once every posting has run its \
full period with no upheld objection. Dates come from --date/--as-of, never the computer's clock.")]
    Decide {
        /// The month to decide for (YYYY-MM).
        #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["record", "objection", "undisputed"])]
        period: Option<String>,
        /// The date notices are judged on (default: the latest date in the ledgers).
        #[arg(long, value_name = "DATE", requires = "period")]
        as_of: Option<String>,
        /// Show counts and the monthly total against the last period; write nothing.
        #[arg(long, requires = "period")]
        preview: bool,
        /// Record the verdicts of a filled review-meeting worksheet.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// The meeting and its minutes reference (with --record).
        #[arg(long, requires = "record")]
        meeting: Option<String>,
        /// The meeting's or objection's date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Who attended the meeting (with --record).
        #[arg(long, requires = "record")]
        attendees: Option<String>,
        /// Record an objection to a case in public notice.
        #[arg(long, value_name = "CASE")]
        objection: Option<String>,
        /// The objection was upheld (the decision is withdrawn).
        #[arg(long, requires = "objection", conflicts_with = "dismissed")]
        upheld: bool,
        /// The objection was dismissed (the notice runs on).
        #[arg(long, requires = "objection")]
        dismissed: bool,
        /// What the objection was and how it was checked.
        #[arg(long, requires = "objection")]
        note: Option<String>,
        /// Approve these cases' proposals without a meeting (无争议免评议), where the policy allows.
        #[arg(long, value_name = "CASE", num_args = 1..)]
        undisputed: Vec<String>,
        /// Compare amounts under an older policy file with the current one (read-only).
        #[arg(long, value_name = "OLD_POLICY")]
        impact: Option<PathBuf>,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Explain how a case's amounts were derived (标准 − 人均收入 … = 月保障金).
    #[command(after_help = "Example:\n  jiuzhu explain CD-2026-0B9A1C744081")]
    Explain {
        /// The case ID (案件编号).
        case: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum IntakeKind {
    /// Application registers (申请登记表 / 花名册).
    Applications,
}

/// As with `git -C`, relative paths given with `-C DIR` are relative to DIR.
fn resolve_path(change_dir: &Option<PathBuf>, p: PathBuf) -> PathBuf {
    match change_dir {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p,
    }
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
            let files = files.into_iter().map(|f| resolve_path(&cli.change_dir, f)).collect();
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
        Command::Verify {
            as_of,
            visits,
            extend,
            days,
            approver,
            reason,
            encoding,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let extension = match extend {
                None => None,
                Some(case_id) => Some(cmd::verify::ExtendArgs {
                    case_id,
                    days: days.ok_or_else(|| anyhow::anyhow!("--extend needs --days N"))?,
                    approver: approver.ok_or_else(|| anyhow::anyhow!("--extend needs --approver NAME"))?,
                    reason: reason.ok_or_else(|| anyhow::anyhow!("--extend needs --reason TEXT"))?,
                }),
            };
            cmd::verify::run(
                &ws,
                &cmd::verify::Args {
                    as_of,
                    visits: visits.into_iter().map(|f| resolve_path(&cli.change_dir, f)).collect(),
                    extend: extension,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Decide {
            period,
            as_of,
            preview,
            record,
            meeting,
            date,
            attendees,
            objection,
            upheld,
            dismissed,
            note,
            undisputed,
            impact,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let need_date = || date.clone().ok_or_else(|| anyhow::anyhow!("give --date YYYY-MM-DD"));
            let mode = if let Some(file) = record {
                cmd::decide::Mode::Record {
                    file: resolve_path(&cli.change_dir, file),
                    meeting: meeting.ok_or_else(|| anyhow::anyhow!("--record needs --meeting \"…\""))?,
                    date: need_date()?,
                    attendees,
                }
            } else if let Some(case_id) = objection {
                if !upheld && !dismissed {
                    anyhow::bail!("--objection needs --upheld or --dismissed");
                }
                cmd::decide::Mode::Objection {
                    case_id,
                    upheld,
                    note: note.unwrap_or_default(),
                    date: need_date()?,
                }
            } else if !undisputed.is_empty() {
                cmd::decide::Mode::Undisputed {
                    cases: undisputed,
                    date: need_date()?,
                }
            } else if let Some(old) = impact {
                cmd::decide::Mode::Impact {
                    old_policy: resolve_path(&cli.change_dir, old),
                    period,
                }
            } else if let Some(period) = period {
                cmd::decide::Mode::Propose { period, as_of, preview }
            } else {
                anyhow::bail!(
                    "give --period YYYY-MM, --record FILE, --objection CASE, --undisputed CASE… or --impact FILE"
                )
            };
            cmd::decide::run(
                &ws,
                &cmd::decide::Args {
                    mode,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Explain { case } => {
            let ws = Workspace::open(&start)?;
            cmd::decide::explain(&ws, &case)
        }
        Command::Compare {
            source,
            hashed,
            resolve,
            by,
            export_hashed,
            encoding,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let mut sources = Vec::new();
            for s in source {
                let (name, file) = s.split_once('=').ok_or_else(|| {
                    anyhow::anyhow!("--source takes NAME=FILE (e.g. deaths=死亡火化.xlsx), not `{s}`")
                })?;
                sources.push((name.to_string(), resolve_path(&cli.change_dir, PathBuf::from(file))));
            }
            let mode = match (resolve, export_hashed) {
                (Some(f), _) => cmd::compare::Mode::Resolve {
                    file: resolve_path(&cli.change_dir, f),
                    by,
                },
                (None, Some(f)) => cmd::compare::Mode::ExportHashed(resolve_path(&cli.change_dir, f)),
                (None, None) if sources.is_empty() => {
                    anyhow::bail!("give --source NAME=FILE, --resolve FILE or --export-hashed FILE")
                }
                (None, None) => cmd::compare::Mode::Match { sources, hashed },
            };
            cmd::compare::run(
                &ws,
                &cmd::compare::Args {
                    mode,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
    }
}
