//! The `jiuzhu` binary: parse the command line, dispatch to `cmd::*`, turn the outcome into an exit code.
//!
//! Exit codes scripts branch on: 0 done; 1 done, but something needs a person (rejected rows, …);
//! 2 nothing done (bad usage, unreadable or invalid input, invalid policy, workspace locked).

// Output goes through `jiuzhu::errln!` and friends (`jiuzhu::ui`): `eprintln!` panics when the reader has gone.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use jiuzhu::cmd;
use jiuzhu::workspace::Workspace;
use jiuzhu::Outcome;

/// The help of a command with examples: clap's own layout (about, usage, options), then the examples exactly as
/// written, then the command's `after_help`. clap wraps `after_help` to the terminal's width, which broke a long
/// example mid-command (pasted, its two halves ran as two broken commands); the text of a help template is
/// printed as it is, so the examples go there, and a line too long for the terminal is wrapped by the terminal
/// only on screen.
macro_rules! examples {
    ($examples:literal) => {
        concat!(
            "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}\n\n",
            $examples,
            "{after-help}"
        )
    };
}

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
    help_template = examples!("Examples:\n  jiuzhu init county\n  cd county && jiuzhu intake ~/收件/城关镇-申请登记表.xlsx\n  \
jiuzhu -C county intake --dry-run register.csv")
)]
struct Cli {
    /// Run as if started in DIR (the workspace is found from there upward, like git).
    #[arg(short = 'C', value_name = "DIR", global = true)]
    change_dir: Option<PathBuf>,
    /// Print nothing on success (problems are still printed).
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Language of messages: zh or en (default: from LANG/LC_ALL; Chinese when the locale is zh_*).
    #[arg(long, global = true, value_name = "zh|en")]
    lang: Option<String>,
    /// After a writing step, commit its files (ledgers/, reports/, inbox/, archive/, jiuzhu.yaml) to Git with a
    /// message naming the step, the period and the input hashes (also `git: {commit: true}` in jiuzhu.yaml).
    #[arg(long, global = true)]
    commit: bool,
    /// For scripts: print one JSON object on stdout when the command ends — `command`, `exit`, and the command's
    /// counts (intake --kind followups/complaints, status and report give their own; every other command the
    /// workspace's counts of cases, decisions and payments after it ran); messages go to stderr.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a workspace: jiuzhu.yaml (policy), ledgers/, inbox/, reports/, archive/, Git settings.
    #[command(
        help_template = examples!("Examples:\n  jiuzhu init            # here\n  jiuzhu init county     # in ./county\n  \
jiuzhu init --here     # an auditor's clone of a workspace: set up its diffs"),
        after_help = "\
Refuses to touch a folder that already has a jiuzhu.yaml. The workspace is always a Git repository of its own \
(`git init` in the folder, also inside another repository, so the ledgers never enter that repository's history), \
when git is installed. `--here` sets up an existing clone of a workspace (an auditor's) instead: workbooks diffed as \
text by `jiuzhu cat`, ledgers diffed cell by cell (`git diff --word-diff`, or `git difftool -t jiuzhu`), file names \
unescaped (core.quotepath=false). Both only set the repository's local config and .git/info/attributes."
    )]
    Init {
        /// The folder (created if missing); default: the current folder (or -C DIR).
        dir: Option<PathBuf>,
        /// Set up the Git clone of an existing workspace for reading its history (drivers, no files written).
        #[arg(long)]
        here: bool,
    },
    /// Write a realistic fictional workspace and a month of its inputs (registers, registries, visits), for
    /// benchmarks and trials at scale. Deterministic: the same seed and size give the same bytes.
    #[command(
        name = "sample-data",
        help_template = examples!("Examples:\n  jiuzhu sample-data --households 200 --seed 7 trial\n  \
jiuzhu sample-data --size county --seed 2026 --xlsx-rows 100000 bench-county\n  \
jiuzhu sample-data --size province --seed 2026 bench-province"),
        after_help = "\
Sizes: county = 50,000 households (~125k members, 500k registry rows); province = 1,000,000 households \
(~2.5M members, 10M registry rows, 50 townships). DIR gets jiuzhu.yaml, the workspace folders, and inputs/: \
registers/*.csv (one per township, per-member shape), registries/*.csv (deaths, vehicles, real_estate, payroll, \
relatives, other_schemes), expected-hits.csv (the members planted in a registry), visits.csv (a village visit \
and a township re-visit of every household). All people are fictional; ID numbers are valid for the county \
130199."
    )]
    SampleData {
        /// Number of households (default: the size's; with --size province, the province's region with N).
        #[arg(long)]
        households: Option<usize>,
        /// A named size: county (50k households) or province (1M households, more townships).
        #[arg(long, value_parser = ["county", "province"])]
        size: Option<String>,
        /// Seed of the random generator.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Also write inputs/registers/register-100k.xlsx with this many member rows (other households).
        #[arg(long, value_name = "N", default_value_t = 0)]
        xlsx_rows: usize,
        /// Registry rows in all (default: 10 per household), shared by the six registries.
        #[arg(long, value_name = "N")]
        registry_rows: Option<u64>,
        /// Share of members planted in some registry, in percent.
        #[arg(long, value_name = "PCT", default_value_t = 0.5)]
        hit_percent: f64,
        /// The folder to write (created; must not be a workspace yet).
        dir: PathBuf,
    },
    /// Import application registers (申请登记表) from xlsx/xls/ods/csv into the case ledgers.
    #[command(help_template = examples!("Examples:\n  jiuzhu intake 城关镇-申请登记表.xlsx\n  \
jiuzhu intake --encoding gbk 东河乡-申请登记.csv\n  jiuzhu intake --sheet 申请登记 --dry-run register.xlsx\n  \
jiuzhu intake --kind followups 2026-11-回访.csv\n  jiuzhu intake --kind complaints 2026-11-信访.csv"),
        after_help = "\
--kind followups records follow-up visits (回访: case or head's ID, 回访日期, 回访人, 困难类别, and any change found — \
收入变化/迁出/死亡 — applied to members.csv for the next decide) in ledgers/followups.csv; --kind complaints records \
complaints (信访: 收到日期, 信访方式, 信访事项, …, 处理结果, 答复日期) in ledgers/complaints.csv.\n\n\
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
    #[command(help_template = examples!("Examples:\n  jiuzhu verify --as-of 2026-11-20\n  \
jiuzhu verify --as-of 2026-11-20 --visits 入户调查-11月.xlsx\n  \
jiuzhu verify --extend CD-2026-0B9A1C744081 --days 10 --approver 王局长 --reason \"需补充外地收入证明\""),
        after_help = "\
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
        help_template = examples!("Examples:\n  jiuzhu compare --source deaths=死亡火化-10月.xlsx --source vehicles=车辆.csv\n  \
jiuzhu compare --resolve reports/compare-hits-3F9A0C21.xlsx\n  \
jiuzhu compare --export-hashed 青禾县-人员哈希.csv\n  \
jiuzhu compare --source other_schemes=邻县-人员哈希.csv --hashed"),
        after_help = "\
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
    /// Compare two ledgers or workbooks cell by cell, rows matched by key; either side may be REV:PATH in Git.
    #[command(
        help_template = examples!("Examples:\n  jiuzhu diff HEAD~1:ledgers/cases.csv ledgers/cases.csv\n  \
jiuzhu diff old/members.csv ledgers/members.csv\n  \
jiuzhu diff --format daff HEAD~3:ledgers/decisions.csv ledgers/decisions.csv > changes.csv\n  \
jiuzhu diff 名单-10月.xlsx 名单-11月.xlsx\n  jiuzhu diff --key 身份证号 a.csv b.csv"),
        after_help = "\
Rows are matched by key: cases.csv by case_id, members.csv by case_id+id_number, decisions.csv by decision_id, \
matches.csv by hit_id, checks.csv by case_id+check, events.csv by seq, any other file by its first column \
(workbook sheets by their first column when its values are unique, else by row number). Prints added, removed \
and changed rows with old → new per cell; --format daff prints daff's tabular diff (CSV: @@ header, +++ added, \
--- removed, -> changed, ... skipped).\n\nExit: 0 identical; 1 different; 2 error."
    )]
    Diff {
        /// The old side: a file, or REV:PATH (e.g. HEAD~1:ledgers/cases.csv).
        a: String,
        /// The new side: a file, or REV:PATH.
        b: String,
        /// Key columns, comma-separated (default: the ledger's key, else the first column).
        #[arg(long, value_name = "COL[,COL]", value_delimiter = ',')]
        key: Option<Vec<String>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
        format: DiffFormat,
    },
    /// Print a workbook as text (each sheet, each row with its number), or a CSV file normalised. Git uses it to
    /// diff workbooks (registered by `jiuzhu init`).
    #[command(help_template = examples!("Examples:\n  jiuzhu cat reports/review-2026-11-20.xlsx\n  \
git diff reports/        # shows changed cells: init set diff.jiuzhu-xlsx.textconv = \"jiuzhu cat\""))]
    Cat {
        /// An .xlsx, .xls, .ods or .csv file.
        file: PathBuf,
    },
    /// Decide benefits (救助决策): propose for a period, record the review meeting, post the public notice,
    /// record objections, and re-decide existing recipients (增发/减发/停发/渐退).
    #[command(help_template = examples!("Examples:\n  jiuzhu decide --period 2026-11\n  \
jiuzhu decide --period 2026-11 --preview\n  \
jiuzhu decide --record reports/review-meeting-2026-11.xlsx \\\n      \
--meeting \"城关镇审批会 纪要第23号\" --date 2026-11-20 --attendees \"张镇长、李主任、王会计\"\n  \
jiuzhu decide --objection CD-2026-0B9A1C744081 --dismissed --note \"经核实收入属实\" --date 2026-11-24\n  \
jiuzhu decide --period 2026-11 --as-of 2026-11-30      # notices over: decisions take effect\n  \
jiuzhu decide --impact old-jiuzhu.yaml"),
        after_help = "\
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
        /// Post these cases though their hardship reason is unknown (with --record or --undisputed), once a person
        /// has checked that they are not protected (艾滋病 …); without it they are kept off the public notice.
        #[arg(long, value_name = "CASE", num_args = 1..)]
        publish_unknown_reason: Vec<String>,
        /// Compare amounts under an older policy file with the current one (read-only).
        #[arg(long, value_name = "OLD_POLICY")]
        impact: Option<PathBuf>,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Explain how a case's amounts were derived (标准 − 人均收入 … = 月保障金).
    #[command(help_template = examples!("Example:\n  jiuzhu explain CD-2026-0B9A1C744081"))]
    Explain {
        /// The case ID (案件编号).
        case: String,
    },
    /// Where the workspace stands: cases by scheme and status, and what needs a person now (rejects to fix,
    /// supplements due, open hits, meetings, notices, unreconciled payments, overdue follow-ups and complaints),
    /// each with the command that deals with it. Read-only.
    #[command(help_template = examples!("Examples:\n  jiuzhu status\n  jiuzhu status --as-of 2026-12-01\n  \
jiuzhu --json status | jq '.items[].command'\n  LANG=zh_CN.UTF-8 jiuzhu status"),
        after_help = "\
Dates are judged on --as-of or the latest date in the ledgers (never the computer's clock). With --json, stdout is \
one JSON object: as_of, cases (scheme → status → count), items (kind, count, what, command, info) and \
needs_person.\n\nExit: 0 nothing needs a person; 1 something does; 2 error.")]
    Status {
        /// The date overdue things are judged on (default: the latest date in the ledgers).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// The monthly statistics workbook (统计报表) for the period: households, persons and amounts by scheme and
    /// by township/village, new/increased/decreased/stopped, the change reconciliation, and charts.
    #[command(help_template = examples!("Examples:\n  jiuzhu report --period 2026-11\n  \
jiuzhu --json report --period 2026-11\n  jiuzhu report --period 2026-11 --dry-run"),
        after_help = "\
Writes reports/统计报表-PERIOD.xlsx: 汇总 (key figures, the reconciliation 上月 + 新增 + 增发 − 减发 − 停发 = 本月 \
with ✓/✗, and native charts of the last 12 months and of the split by scheme), 按类别, 按乡镇村, 变动 and 趋势. \
Numbers come from ledgers/decisions.csv (in force each month) and ledgers/payments.csv (paid); the same ledgers \
give the same bytes.\n\nExit: 0 done; 1 the month does not reconcile; 2 nothing done.")]
    Report {
        /// The month (YYYY-MM).
        #[arg(long, value_name = "YYYY-MM")]
        period: String,
        /// Compute and print the summary; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Pay (发放): the month's batch from effective decisions in each bank's file format, reconciliation of the
    /// bank's return file, reissues, and in-kind goods (物资) with their receipts.
    #[command(help_template = examples!("Examples:\n  jiuzhu disburse --period 2026-12\n  \
jiuzhu disburse --period 2026-12 --override-budget \"县政府常务会议纪要第5号追加预算\"\n  \
jiuzhu disburse --reconcile 回盘-2026-12.csv --profile rcc_csv\n  \
jiuzhu disburse --goods 冬季物资发放计划.xlsx\n  \
jiuzhu disburse --goods-receipts reports/goods-1A2B3C4D.xlsx"),
        after_help = "\
--period writes one payment per case and month due (arrears included, stopped cases excluded) to \
ledgers/payments.csv, the bank files under reports/bank/ in the format of each bank's profile \
(`disbursement.profiles` in jiuzhu.yaml) with their control totals, and reports/disburse-PERIOD-汇总表.xlsx to sign. \
A batch is issued once: a rerun reproduces it byte for byte. --reconcile reads the bank's return file and marks \
payments paid or failed, all or nothing; failures are reissued in a later batch once the account is corrected.\n\n\
Exit: 0 done; 1 done, but a case has no valid account or a failed payment waits for a corrected one; \
2 nothing done (refused return file, budget exceeded, money totals that do not balance).")]
    Disburse {
        /// The batch to issue (YYYY-MM).
        #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["reconcile", "goods", "goods_receipts"])]
        period: Option<String>,
        /// Issue a batch above a scheme's budget, recording why.
        #[arg(long, value_name = "REASON", requires = "period")]
        override_budget: Option<String>,
        /// Read a bank's return file (回盘) and mark payments paid or failed.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["goods", "goods_receipts"])]
        reconcile: Option<PathBuf>,
        /// The bank profile of the return file (default: disbursement.default_profile).
        #[arg(long, value_name = "NAME", requires = "reconcile")]
        profile: Option<String>,
        /// A goods distribution plan (物资名称, 数量, 单位, and 案件编号 or 村(社区)).
        #[arg(long, value_name = "FILE", conflicts_with = "goods_receipts")]
        goods: Option<PathBuf>,
        /// A signed goods distribution list (领取登记表) read back.
        #[arg(long, value_name = "FILE")]
        goods_receipts: Option<PathBuf>,
        /// CSV encoding of a goods plan (default: detect).
        #[arg(long, value_name = "ENC")]
        encoding: Option<String>,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Audit (审计): cross-check the whole chain, replay decisions and payments, reconcile the monthly change
    /// report, list overdue re-checks; draw and record reproducible spot checks (抽查).
    #[command(help_template = examples!("Examples:\n  jiuzhu audit\n  jiuzhu audit --period 2026-11\n  \
jiuzhu audit replay-decisions money-invariants\n  jiuzhu audit --sample 5% --seed 20261201 --stratify\n  \
jiuzhu audit --record reports/spot-check-20261201.xlsx\n  jiuzhu audit --change-report 年审变动报告.csv"),
        after_help = "\
Silent with exit 0 when everything holds; otherwise one line per finding (code, severity, case, what, fix), \
exit 1, and reports/audit-findings[-P].xlsx. A clean audit writes ledgers/change_reports.csv (the monthly change \
report, zero rows included) and records the ledgers' hashes in the journal. Codes: J1xx journal, J2xx chain, \
J3xx replay and money, J4xx cadence, J5xx spot checks (docs/ledgers.md lists them).\n\n\
Checks (run one or more by name):\n  \
journal                         J101 J102 hash chain; ledgers edited after the journal recorded them\n  \
canonical-ledgers               J103 ledgers not in canonical sorted form\n  \
payments-match-decisions        J201 J204 payment without effective decision; paid before approval\n  \
no-payment-after-stop-or-death  J202 J203\n  \
urgent-backfill                 J205 先行救助 approval back-filled in time\n  \
one-case-per-person             J206 J207 two open cases; schemes that exclude each other\n  \
exclude-hits-acted-on           J208\n  \
relatives-reviewed              J209 近亲属备案 cases reviewed\n  \
approval-procedure              J210 J211 J212 visit, meeting, notice of every approval\n  \
replay-decisions                J301 J302\n  \
replay-payments                 J303\n  \
money-invariants                J304\n  \
change-report                   J305 J306 J402\n  \
recheck-cadence                 J401\n  \
spot-checks                     J501 J502 J503\n\n\
Exit: 0 nothing found; 1 findings; 2 nothing done (unreadable ledgers, bad usage).")]
    Audit {
        /// The month audited (default: the latest month paid); its payments, change report and re-check cadence.
        #[arg(long, value_name = "YYYY-MM")]
        period: Option<String>,
        /// Draw a spot-check sample of this percentage of effective cases (e.g. 5%); needs --seed.
        #[arg(long, value_name = "PCT", requires = "seed")]
        sample: Option<String>,
        /// The seed of the sample: the same seed and cases give the same sample on any machine.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Stratify the sample by village and scheme (at least one case per stratum).
        #[arg(long, requires = "sample")]
        stratify: bool,
        /// Read back a filled spot-check worksheet and record its results.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["sample", "change_report"])]
        record: Option<PathBuf>,
        /// Check an external monthly change report (CSV in the columns of ledgers/change_reports.csv).
        #[arg(long, value_name = "FILE", conflicts_with = "sample")]
        change_report: Option<PathBuf>,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Run only these checks (see the list below).
        #[arg(value_name = "CHECK")]
        checks: Vec<String>,
    },
    /// Record a change made to the ledgers outside jiuzhu (承认手工修改), with who and why, so the steps build on it
    /// again; the journal keeps it and audit lists it (J104).
    #[command(
        help_template = examples!("Examples:\n  jiuzhu accept-edits --dry-run --by 王芳 --reason 从备份恢复\n  \
jiuzhu accept-edits --by \"王芳 (民政办)\" --reason \"payments.csv 从 11 月 30 日的备份恢复\""),
        after_help = "\
Every step holds the ledgers to what the journal recorded after the step before (the seal): a ledger missing, \
changed or added outside jiuzhu stops it (exit 2), naming the file and, where the workspace's Git history has the \
recorded version, the rows and columns. Restore the file when the change was a mistake. When it is right and must \
stay, accept it here: each changed ledger must still read as its kind of ledger, and the journal records the files, \
rows and columns, who accepted it and why. A missing or cut-back journal cannot be accepted: restore it."
    )]
    AcceptEdits(cmd::accept_edits::Args),
    /// Archive (档案): one dossier per closed household under archive/YEAR/CASE_ID/ with a manifest of checksums;
    /// verify the dossiers; purge those past retention.
    #[command(
        help_template = examples!("Examples:\n  jiuzhu archive\n  jiuzhu archive --year 2026\n  jiuzhu archive verify\n  \
jiuzhu archive purge --as-of 2032-01-01\n  jiuzhu archive purge --as-of 2032-01-01 --yes"),
        after_help = "\
`archive` archives every closed case (stopped, rejected, closed) not yet archived: the case's rows of every \
ledger (same headers), dossier.xlsx (one sheet per ledger), DOSSIER.csv (closure date, retention date, Git commit) \
and MANIFEST.csv (file, bytes, rows, sha256); ledgers/archive_index.csv lists the dossiers. --year Y closes a year: \
every case not approved or effective whose last activity is in Y. Retention is archive.retention_years (at least 5) \
from the closure date. `verify` re-hashes every dossier (exit 1 naming each changed file). `purge` removes only \
dossiers past retention, and only with --yes (without it: lists them, exit 1); it records what it removed and why."
    )]
    Archive {
        /// verify (re-hash every dossier) or purge (remove dossiers past retention).
        #[arg(value_parser = ["verify", "purge"])]
        action: Option<String>,
        /// Archive every case not approved or effective whose last activity is in this year.
        #[arg(long, value_name = "YEAR")]
        year: Option<i32>,
        /// purge: the date retention is judged on (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// purge: really remove the dossiers listed.
        #[arg(long)]
        yes: bool,
        /// Show what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Aligned tables: changed cells as old → new, added and removed rows.
    Table,
    /// daff's tabular diff format (CSV).
    Daff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum IntakeKind {
    /// Application registers (申请登记表 / 花名册).
    Applications,
    /// Follow-up visit records (回访记录): case, date, visitors, difficulty class, changes found.
    Followups,
    /// Complaints and petitions (信访登记): received, channel, subject, handler, result, reply date.
    Complaints,
}

/// As with `git -C`, relative paths given with `-C DIR` are relative to DIR.
fn resolve_path(change_dir: &Option<PathBuf>, p: PathBuf) -> PathBuf {
    match change_dir {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p,
    }
}

// mimalloc: the ledgers are many small strings; glibc's malloc spent a fifth of every step in
// malloc/free/consolidate at county size (bench/NOTES.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process (Linux). mimalloc asks for them on its arenas; where the kernel
/// compacts memory to find a free 2 MiB page on the fault (`defrag` = `madvise`, the common default) and the page
/// cache holds most of memory — a machine that has just read or written the ledgers — each fault can stall: on
/// the bench machine a step's system time went from 0.5 s to 0.3–2.3 s from run to run (bench/NOTES.md). A
/// run lasts seconds, too short for the larger pages to pay back in fewer TLB misses.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes nothing but this process's flag.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_huge_pages();
    jiuzhu::ui::phase("start");
    let cli = Cli::parse();
    if let Some(l) = &cli.lang {
        match jiuzhu::i18n::parse(l) {
            Some(lang) => jiuzhu::i18n::set(lang),
            None => {
                jiuzhu::errln!("jiuzhu: error: --lang takes zh or en, not `{l}`");
                return ExitCode::from(2);
            }
        }
    }
    jiuzhu::ui::set_quiet(cli.quiet);
    jiuzhu::ui::set_json(cli.json);
    let json = cli.json.then(jiuzhu::ui::JsonOut::begin);
    let name = command_name(&cli.command);
    let workspace = cli.change_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    // A step that runs for more than a second shows it is alive (on a terminal; the long loops draw bars).
    let spinner = jiuzhu::ui::Spinner::start(format!("jiuzhu {name}"));
    let result = run(cli);
    spinner.finish();
    let code = match &result {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            jiuzhu::errln!("jiuzhu: {} {e:#}", jiuzhu::i18n::tr("error:", "错误:"));
            2
        }
    };
    if let Some(out) = json {
        let mut object = serde_json::Map::new();
        object.insert("command".into(), name.into());
        object.insert("exit".into(), code.into());
        if let Err(e) = &result {
            object.insert("error".into(), format!("{e:#}").into());
        }
        match jiuzhu::ui::take_summary() {
            Some(recorded) => object.extend(recorded),
            None if result.is_ok() => {
                if let Ok(ws) = Workspace::open(&workspace) {
                    if let Ok(counts) = jiuzhu::cmd::status::counts(&ws) {
                        object.extend(counts);
                    }
                }
            }
            None => {}
        }
        out.emit(&serde_json::Value::Object(object));
    }
    ExitCode::from(code)
}

/// The subcommand's name, for the `--json` object and the progress line.
fn command_name(command: &Command) -> &'static str {
    #[allow(unreachable_patterns)]
    match command {
        Command::Init { .. } => "init",
        Command::SampleData { .. } => "sample-data",
        Command::Intake { .. } => "intake",
        Command::Verify { .. } => "verify",
        Command::Compare { .. } => "compare",
        Command::Diff { .. } => "diff",
        Command::Cat { .. } => "cat",
        Command::Decide { .. } => "decide",
        Command::Explain { .. } => "explain",
        Command::Status { .. } => "status",
        Command::Report { .. } => "report",
        Command::Disburse { .. } => "disburse",
        Command::Audit { .. } => "audit",
        Command::Archive { .. } => "archive",
        Command::AcceptEdits(_) => "accept-edits",
        _ => "jiuzhu",
    }
}

/// Whether a command is a writing step, and its period: a writing step is warned about hand-edited ledgers
/// before it runs and committed after it with `--commit`. Read-only commands and dry runs are not.
fn writing_step(command: &Command) -> Option<Option<String>> {
    #[allow(unreachable_patterns)]
    match command {
        Command::Init { .. } | Command::Explain { .. } | Command::Diff { .. } | Command::Cat { .. } => None,
        Command::SampleData { .. } => None,
        Command::Status { .. } => None,
        Command::Report { dry_run, period } => (!dry_run).then(|| Some(period.clone())),
        Command::Intake { dry_run, .. } | Command::Verify { dry_run, .. } | Command::Compare { dry_run, .. } => {
            (!dry_run).then_some(None)
        }
        Command::Decide {
            dry_run,
            preview,
            impact,
            period,
            ..
        } => (!dry_run && !preview && impact.is_none()).then(|| period.clone()),
        Command::Disburse { dry_run, period, .. } => (!dry_run).then(|| period.clone()),
        Command::AcceptEdits(args) => (!args.dry_run).then_some(None),
        // A step added later: a writing step until it says otherwise.
        _ => Some(None),
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let step = writing_step(&cli.command);
    let watch = match &step {
        Some(_) => {
            let start = cli.change_dir.clone().unwrap_or_else(|| PathBuf::from("."));
            jiuzhu::git::watch_step(&start, cli.commit, cli.quiet)
        }
        None => None,
    };
    jiuzhu::ui::phase("watching");
    let outcome = dispatch(cli)?;
    jiuzhu::ui::phase("done");
    if let (Some(watch), Some(period)) = (watch, step) {
        watch.finish(period.as_deref());
    }
    Ok(outcome)
}

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let start = cli.change_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    match cli.command {
        Command::Init { dir, here } => {
            let dir = match dir {
                Some(d) if d.is_absolute() || cli.change_dir.is_none() => d,
                Some(d) => start.join(d),
                None => start,
            };
            if here {
                return cmd::init::here(&dir, cli.quiet);
            }
            cmd::init::run(&dir, cli.quiet)
        }
        Command::SampleData {
            households,
            size,
            seed,
            xlsx_rows,
            registry_rows,
            hit_percent,
            dir,
        } => {
            let province = size.as_deref() == Some("province");
            let households = households.unwrap_or(if province {
                cmd::sample_data::PROVINCE_HOUSEHOLDS
            } else {
                cmd::sample_data::COUNTY_HOUSEHOLDS
            });
            cmd::sample_data::run(&cmd::sample_data::Args {
                dir: resolve_path(&cli.change_dir, dir),
                households,
                seed,
                extra_townships: if province { 47 } else { 0 },
                xlsx_rows,
                registry_rows,
                hit_percent,
                quiet: cli.quiet,
            })
        }
        Command::Intake {
            files,
            encoding,
            kind: kind @ (IntakeKind::Followups | IntakeKind::Complaints),
            dry_run,
            ..
        } => {
            let ws = Workspace::open(&start)?;
            cmd::followup::run(
                &ws,
                &cmd::followup::Args {
                    kind: match kind {
                        IntakeKind::Followups => cmd::followup::Kind::Followups,
                        _ => cmd::followup::Kind::Complaints,
                    },
                    files: files.into_iter().map(|f| resolve_path(&cli.change_dir, f)).collect(),
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Status { as_of } => {
            let ws = Workspace::open(&start)?;
            cmd::status::run(&ws, &cmd::status::Args { as_of })
        }
        Command::Report { period, dry_run } => {
            let ws = Workspace::open(&start)?;
            cmd::report::run(
                &ws,
                &cmd::report::Args {
                    period,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
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
            publish_unknown_reason,
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
                    publish_unknown_reason,
                },
            )
        }
        Command::Explain { case } => {
            let ws = Workspace::open(&start)?;
            cmd::decide::explain(&ws, &case)
        }
        Command::Disburse {
            period,
            override_budget,
            reconcile,
            profile,
            goods,
            goods_receipts,
            encoding,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let mode = if let Some(period) = period {
                cmd::disburse::Mode::Batch {
                    period,
                    override_budget,
                }
            } else if let Some(file) = reconcile {
                cmd::disburse::Mode::Reconcile {
                    file: resolve_path(&cli.change_dir, file),
                    profile,
                }
            } else if let Some(file) = goods {
                cmd::disburse::Mode::Goods(resolve_path(&cli.change_dir, file))
            } else if let Some(file) = goods_receipts {
                cmd::disburse::Mode::GoodsReceipts(resolve_path(&cli.change_dir, file))
            } else {
                anyhow::bail!("give --period YYYY-MM, --reconcile FILE, --goods FILE or --goods-receipts FILE")
            };
            cmd::disburse::run(
                &ws,
                &cmd::disburse::Args {
                    mode,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
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
        Command::Diff { a, b, key, format } => cmd::diff::run(&cmd::diff::Args {
            a,
            b,
            key,
            format: match format {
                DiffFormat::Table => cmd::diff::Format::Table,
                DiffFormat::Daff => cmd::diff::Format::Daff,
            },
            dir: start,
            quiet: cli.quiet,
        }),
        Command::Cat { file } => cmd::cat::run(&resolve_path(&cli.change_dir, file)),
        Command::Audit {
            period,
            sample,
            seed,
            stratify,
            record,
            change_report,
            dry_run,
            checks,
        } => {
            let args = cmd::audit::Args {
                period,
                sample,
                seed,
                stratify,
                record: record.map(|f| resolve_path(&cli.change_dir, f)),
                change_report: change_report.map(|f| resolve_path(&cli.change_dir, f)),
                checks,
                dry_run,
                quiet: cli.quiet,
            };
            if let Some(file) = &args.change_report {
                // An external report is checked on its own, in or out of a workspace.
                return cmd::audit::external_change_report(&args, file);
            }
            let ws = Workspace::open(&start)?;
            cmd::audit::run(&ws, &args)
        }
        Command::AcceptEdits(args) => cmd::accept_edits::run(&Workspace::open(&start)?, &args, cli.quiet),
        Command::Archive {
            action,
            year,
            as_of,
            yes,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let mode = match action.as_deref() {
                Some("verify") => cmd::archive::Mode::Verify,
                Some(_) => cmd::archive::Mode::Purge {
                    as_of: as_of.ok_or_else(|| anyhow::anyhow!("archive purge needs --as-of YYYY-MM-DD"))?,
                    yes,
                },
                None => cmd::archive::Mode::Archive { year },
            };
            cmd::archive::run(
                &ws,
                &cmd::archive::Args {
                    mode,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
    }
}
