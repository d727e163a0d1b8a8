//! `jiuzhu audit` — cross-checks of the whole chain (审计), the monthly change report (月度变动/零报告), and
//! reproducible random spot checks (抽查).
//!
//! Silent with exit 0 when everything holds (like `hledger check`); otherwise one line per finding — a stable
//! code (J1xx journal, J2xx chain, J3xx replay and money, J4xx cadence, J5xx spot checks), its severity, the case,
//! what is wrong and what to do — exit 1, and `reports/audit-findings[-P].xlsx`. Every code is documented in
//! `docs/ledgers.md` ("Audit findings").
//!
//! A full audit without errors records what it audited: it writes `ledgers/change_reports.csv` and appends one
//! `audit` event whose inputs are the SHA-256 of every ledger it read (nothing when that is already the last
//! event). Every step records the hashes of the ledgers it read, so a ledger whose bytes differ from the last hash
//! the journal recorded for it, with no step since that writes it, was edited by hand (J102).
//!
//! Each check is a small named function over the ledgers already read ([`Audit`]), returning its findings, in a
//! module by theme (`journal`, `payments`, `cases`, `decisions`, `replay`, `change_report`, `recheck`, `sample`,
//! `discovery`, `dossiers` — and what is on disk of the archive's dossiers, read with the ledgers); [`CHECKS`] lists them in order with their names and codes. This module reads the ledgers, runs
//! the checks, and writes the report; the unit tests build records in memory (`testing.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use rayon::prelude::*;

use crate::cmd::cli::{dry_run_help, examples};
use crate::cmd::decide;
use crate::cmd::disburse;
use crate::domain::benefit::{Basis, Computed};
use crate::domain::cadence;
use crate::domain::date::{self, Period};
use crate::domain::decision::{self, defines_amounts};
use crate::domain::eligibility;
use crate::domain::money::Fen;
use crate::domain::records;
use crate::domain::text;
use crate::hash::{HashMap, HashSet};
use crate::i18n::{tr, Msg};
use crate::ledger::events::{self, sha256_hex, Event, NewEvent};
use crate::ledger::{
    self, ArchiveEntry, Batch, Case, CaseStatus, ChangeReport, Check, CheckResult, Decision, DecisionKind,
    DecisionStatus, Disposition, Effect, Extension, Followup, Goods, Match, Meeting, Member, Notice, Payment,
    PaymentKind, PaymentStatus, Record, Source, SpotCheck, Text, Visit, VisitLevel,
};
use crate::ledger::{Confirmation, Recovery, RecoveryStatus};
use crate::policy::{Policy, SchemeKind};
use crate::sheet::reader::{self, Encoding};
use crate::sheet::writer::{self, Column, Input, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

mod cases;
mod change_report;
mod committed;
mod decisions;
mod discovery;
mod dossiers;
mod journal;
mod payments;
mod recheck;
mod replay;
mod sample;

pub use change_report::external_change_report;
pub use sample::draw;

/// One check of the audit, as beancount's validations are: a name (`jiuzhu audit NAME…`), what it holds with the
/// codes it reports, and the functions that find its problems — each pure over the ledgers already read (an
/// [`Audit`]), returning its findings.
pub struct AuditCheck {
    pub name: &'static str,
    pub about: &'static str,
    run: &'static [CheckFn],
}

/// A check's function: the ledgers already read in, its findings out.
type CheckFn = fn(&Audit) -> Vec<Finding>;

impl AuditCheck {
    /// The check's findings, its functions' in order.
    fn run(&self, ctx: &Audit) -> Vec<Finding> {
        self.run.iter().flat_map(|check| check(ctx)).collect()
    }
}

/// The checks, in the order they run (`jiuzhu audit` runs them all; `jiuzhu audit NAME…` the ones named).
pub const CHECKS: &[AuditCheck] = &[
    AuditCheck {
        name: "journal",
        about: "J101 J102: the events.csv hash chain; ledgers changed after the journal recorded them",
        run: &[journal::journal],
    },
    AuditCheck {
        name: "canonical-ledgers",
        about: "J103: ledgers not in their canonical sorted form",
        run: &[journal::canonical_ledgers],
    },
    AuditCheck {
        name: "policy-values",
        about: "J105: every check's policy values held in policy_values.csv, each under its text's key",
        run: &[journal::policy_values],
    },
    AuditCheck {
        name: "archive-dossiers",
        about: "J106: every dossier archive_index.csv lists as archived is in archive/ with the files its manifest lists",
        run: &[dossiers::archive_dossiers],
    },
    AuditCheck {
        name: "journal-committed",
        about: "J107: the journal committed last in Git is the start of the workspace's journal (not cut back or rewritten)",
        run: &[committed::journal_as_committed],
    },
    AuditCheck {
        name: "payments-match-decisions",
        about: "J201 J204: every payment has its effective decision; nothing paid before approval",
        run: &[payments::payments_match_decisions],
    },
    AuditCheck {
        name: "no-payment-after-stop-or-death",
        about: "J202 J203 J213: nothing paid after a stop or a confirmed death unless recorded to recover (追回); \
         recoveries still open",
        run: &[payments::payments_after_stop_or_death, payments::open_recoveries],
    },
    AuditCheck {
        name: "urgent-backfill",
        about: "J205: urgent payments (先行救助) approved within the back-fill limit",
        run: &[payments::urgent_backfill],
    },
    AuditCheck {
        name: "one-case-per-person",
        about: "J206 J207: nobody in two open cases or two schemes that exclude each other",
        run: &[cases::one_case_per_person],
    },
    AuditCheck {
        name: "exclude-hits-acted-on",
        about: "J208: every confirmed exclude hit acted on",
        run: &[cases::exclude_hits_acted_on],
    },
    AuditCheck {
        name: "relatives-reviewed",
        about: "J209: relatives of staff (近亲属备案) decided by a named person and re-visited",
        run: &[cases::relatives_reviewed],
    },
    AuditCheck {
        name: "approval-procedure",
        about: "J210 J211 J212: village visit, meeting record and completed notice of every approval",
        run: &[decisions::approval_procedure],
    },
    AuditCheck {
        name: "replay-decisions",
        about: "J301 J302: every decision recomputed from its basis and the policy",
        run: &[replay::replay_decisions],
    },
    AuditCheck {
        name: "replay-payments",
        about: "J303: every payment recomputed from the decisions",
        run: &[replay::replay_payments],
    },
    AuditCheck {
        name: "money-invariants",
        about: "J304: decided = issued + unissued; issued = paid + failed + outstanding",
        run: &[payments::money_invariants],
    },
    AuditCheck {
        name: "change-report",
        about: "J305 J306 J402: the monthly change report reconciles and exists for every month paid",
        run: &[change_report::change_report],
    },
    AuditCheck {
        name: "recheck-cadence",
        about: "J401: cases overdue for re-check (城市月、农村季、全部年审)",
        run: &[recheck::recheck_cadence],
    },
    AuditCheck {
        name: "spot-checks",
        about: "J501 J502 J503 J504: spot-check findings acted on",
        run: &[sample::spot_checks],
    },
    AuditCheck {
        name: "discovery-chain",
        about: "J601 J602 J603 J604: active discovery (主动发现) investigated in time, assisted applications have their case, \
         none closed against the 三个不放过, referrals answered",
        run: &[discovery::discovery_chain],
    },
];

/// `jiuzhu audit`: its options and help (the command's description is the `about` below, in both languages).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(
    about = tr(
        "Audit (审计): cross-check the whole chain, replay decisions and payments, reconcile the monthly change \
report, list overdue re-checks; draw and record reproducible spot checks (抽查)",
        "审计: 交叉核查整个链条, 重算决定和发放, 核对月度变动报告, 列出逾期的复核; 抽取并记录可重现的抽查样本",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu audit\n  jiuzhu audit --period 2026-11\n  \
jiuzhu audit replay-decisions money-invariants\n  jiuzhu audit --sample 5% --seed 20261201 --stratify\n  \
jiuzhu audit --record reports/spot-check-20261201.xlsx\n  jiuzhu audit --change-report 年审变动报告.csv",
        "示例:\n  jiuzhu audit\n  jiuzhu audit --period 2026-11\n  \
jiuzhu audit replay-decisions money-invariants\n  jiuzhu audit --sample 5% --seed 20261201 --stratify\n  \
jiuzhu audit --record reports/spot-check-20261201.xlsx\n  jiuzhu audit --change-report 年审变动报告.csv",
    )),
    after_help = tr("\
Silent with exit 0 when everything holds; otherwise one line per finding (code, severity, case, what, fix), \
exit 1, and reports/audit-findings[-P].xlsx. A clean audit writes ledgers/change_reports.csv (the monthly change \
report, zero rows included) and records the ledgers' hashes in the journal. Codes: J1xx journal, J2xx chain, \
J3xx replay and money, J4xx cadence, J5xx spot checks (docs/ledgers.md lists them).\n\n\
Checks (run one or more by name):\n  \
journal                         J101 J102 hash chain; ledgers edited after the journal recorded them\n  \
canonical-ledgers               J103 ledgers not in canonical sorted form\n  \
policy-values                   J105 every check's policy values held under their own key\n  \
archive-dossiers                J106 every archived dossier in archive/ with the files of its manifest\n  \
journal-committed               J107 the journal is the one committed in Git, with events appended\n  \
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
Exit: 0 nothing found; 1 findings; 2 nothing done (unreadable ledgers, bad usage).", "\
一切无误时不输出, 退出码 0; 否则每项发现一行 (代码、严重程度、案件、问题、处理办法), 退出码 1, 并写出 \
reports/audit-findings[-P].xlsx。审计无发现时写出 ledgers/change_reports.csv (月度变动报告, 零变动也写) \
并在日志中记录各台账的哈希。代码: J1xx 日志, J2xx 链条, J3xx 重算与金额, J4xx 周期, J5xx 抽查 \
(docs/ledgers.md 中有完整列表)。\n\n\
检查项 (可按名称只运行其中一项或几项):\n  \
`journal`                         J101 J102 日志哈希链; 日志记录之后台账被改动\n  \
`canonical-ledgers`               J103 台账不是规范的排序格式\n  \
`policy-values`                   J105 审核所用的政策取值都按其编号保存\n  \
`archive-dossiers`                J106 已归档的每份档案及其清单所列文件都在 archive/ 中\n  \
`journal-committed`               J107 日志是 Git 中已提交的日志加上其后追加的事件\n  \
`payments-match-decisions`        J201 J204 发放没有生效的决定; 批准之前即已发放\n  \
`no-payment-after-stop-or-death`  J202 J203 停发或死亡后仍发放\n  \
`urgent-backfill`                 J205 先行救助的审批按时补办\n  \
`one-case-per-person`             J206 J207 一人有两个未结案件; 互斥的救助类别\n  \
`exclude-hits-acted-on`           J208 应排除的比对命中已处理\n  \
`relatives-reviewed`              J209 近亲属备案的案件已复核\n  \
`approval-procedure`              J210 J211 J212 每项批准都有入户调查、评议会和公示\n  \
`replay-decisions`                J301 J302 重算决定\n  \
`replay-payments`                 J303 重算发放\n  \
`money-invariants`                J304 金额恒等式\n  \
`change-report`                   J305 J306 J402 月度变动报告\n  \
`recheck-cadence`                 J401 定期复核周期\n  \
`spot-checks`                     J501 J502 J503 抽查\n\n\
退出码: 0 未发现问题; 1 有发现; 2 未做任何事 (台账无法读取、用法有误)。")
)]
pub struct Args {
    // First, so that under Chinese (where every argument has a heading) 参数 comes before 选项, as in English.
    #[arg(value_name = "CHECK", help = tr(
        "Run only these checks (see the list below)",
        "只运行这些检查项 (见下方列表)",
    ))]
    pub checks: Vec<String>,
    #[arg(long, value_name = "YYYY-MM", help = tr(
        "The month audited (default: the latest month paid); its payments, change report and re-check cadence",
        "审计的月份 (默认: 最近一个已发放的月份); 审计该月的发放、变动报告和复核周期",
    ))]
    pub period: Option<String>,
    #[arg(long, value_name = "PCT", requires = "seed", help = tr(
        "Draw a spot-check sample of this percentage of effective cases (e.g. 5%); needs --seed",
        "按此百分比从生效案件中抽取抽查样本 (如 5%); 需同时给出 --seed",
    ))]
    pub sample: Option<String>,
    #[arg(long, value_name = "N", help = tr(
        "The seed of the sample: the same seed and cases give the same sample on any machine",
        "抽样的种子: 种子和案件相同, 在任何机器上抽出的样本都相同",
    ))]
    pub seed: Option<u64>,
    #[arg(long, requires = "sample", help = tr(
        "Stratify the sample by village and scheme (at least one case per stratum)",
        "按村和救助类别分层抽样 (每层至少一个案件)",
    ))]
    pub stratify: bool,
    #[arg(long, value_name = "FILE", conflicts_with_all = ["sample", "change_report"], help = tr(
        "Read back a filled spot-check worksheet and record its results",
        "读回已填写的抽查工作表, 记录抽查结果",
    ))]
    pub record: Option<PathBuf>,
    #[arg(long, value_name = "FILE", conflicts_with = "sample", help = tr(
        "Check an external monthly change report (CSV in the columns of ledgers/change_reports.csv)",
        "核查外来的月度变动报告 (CSV, 列与 ledgers/change_reports.csv 相同)",
    ))]
    pub change_report: Option<PathBuf>,
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
    /// `--quiet` (a global option, set from the command line's).
    #[arg(skip)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// One finding: a stable code, its severity, the case (empty when none), what is wrong and the fix — each in
/// both languages (the terminal shows the run's, the findings workbook the Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub case_id: String,
    pub what: Msg,
    pub fix: Msg,
}

impl Finding {
    fn line(&self) -> String {
        let case = if self.case_id.is_empty() { "-" } else { &self.case_id };
        format!(
            "{} {} {case}: {} — {}",
            self.code,
            tr(self.severity.as_str(), self.severity.label_zh()),
            self.what,
            self.fix
        )
    }
}

/// The `--json` result's findings (docs/json.md): every finding, with its counts.
fn record_findings(f: &[Finding]) {
    let errors = f.iter().filter(|x| x.severity == Severity::Error).count();
    crate::ui::record("findings_count", f.len());
    crate::ui::record("errors", errors);
    crate::ui::record("warnings", f.len() - errors);
    let list: Vec<serde_json::Value> = f
        .iter()
        .map(|x| {
            serde_json::json!({
                "code": x.code,
                "level": x.severity.as_str(),
                "case_id": x.case_id,
                "message": x.what.to_string(),
                "fix": x.fix.to_string(),
            })
        })
        .collect();
    crate::ui::record("findings", list);
}

/// A scheme's label in the policy (`urban_dibao` → 城市低保), for Chinese text.
fn scheme_zh<'a>(policy: &'a Policy, key: &'a str) -> &'a str {
    policy.schemes.get(key).map_or(key, |s| s.label.as_str())
}

/// A decision's status in Chinese, for findings.
fn status_zh(s: DecisionStatus) -> &'static str {
    match s {
        DecisionStatus::Proposed => "待评议",
        DecisionStatus::Approved => "已批准 (公示中)",
        DecisionStatus::Deferred => "暂缓",
        DecisionStatus::Rejected => "不同意",
        DecisionStatus::Effective => "已生效",
        DecisionStatus::Superseded => "已被取代",
    }
}

/// A month as written, or nothing.
fn month_text(p: Option<Period>) -> String {
    p.map(|p| p.to_string()).unwrap_or_default()
}

/// A message in both languages, for findings: `m(en, zh)`.
fn m(en: impl Into<String>, zh: impl Into<String>) -> Msg {
    Msg::new(en, zh)
}

fn err(code: &'static str, case_id: &str, what: Msg, fix: Msg) -> Finding {
    Finding {
        code,
        severity: Severity::Error,
        case_id: case_id.to_string(),
        what,
        fix,
    }
}

fn warn(code: &'static str, case_id: &str, what: Msg, fix: Msg) -> Finding {
    Finding {
        severity: Severity::Warning,
        ..err(code, case_id, what, fix)
    }
}

/// `jiuzhu audit`'s entry: the options as given on the command line (paths relative to `-C DIR`), then
/// [`run`] in the workspace — or, with `--change-report`, the external report checked on its own, in or out of a
/// workspace.
pub fn main(mut args: Args, ctx: &crate::cmd::cli::Ctx) -> Result<Outcome> {
    args.quiet = ctx.quiet;
    args.record = args.record.map(|f| ctx.path(f));
    args.change_report = args.change_report.map(|f| ctx.path(f));
    if let Some(file) = &args.change_report {
        return external_change_report(&args, file);
    }
    run(&ctx.workspace()?, &args)
}

pub fn run(ws: &Workspace, args: &Args) -> Result<Outcome> {
    for c in &args.checks {
        if !CHECKS.iter().any(|check| check.name == c) {
            let names: Vec<&str> = CHECKS.iter().map(|check| check.name).collect();
            bail!(
                "{}",
                tr(
                    format!("unknown check `{c}`; the checks are: {}", names.join(", ")),
                    format!("没有名为 `{c}` 的检查; 可用的检查: `{}`", names.join("`、`")),
                )
            );
        }
    }
    if let Some(pct) = &args.sample {
        let seed = args.seed.ok_or_else(|| {
            anyhow!(
                "{}",
                tr(
                    "--sample needs --seed N, so anyone can draw the same sample again",
                    "--sample 须同时给出 --seed N, 以便任何人都能重新抽出同一样本"
                )
            )
        })?;
        return sample::draw_sample(ws, args, pct, seed);
    }
    if let Some(file) = &args.record {
        return sample::record_results(ws, args, file);
    }
    if let Some(file) = &args.change_report {
        return external_change_report(args, file);
    }
    audit(ws, args)
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

/// Every ledger audit reads, with the raw bytes of each (for hashes and the canonical-form check).
#[derive(Default)]
struct Ledgers {
    cases: Vec<Case>,
    members: Vec<Member>,
    checks: Vec<Check>,
    /// The policy values the checks name by key (J105).
    policy_values: Vec<crate::ledger::PolicyValues>,
    visits: Vec<Visit>,
    /// Follow-up visits (回访): each is a re-check of its household (J401).
    followups: Vec<Followup>,
    matches: Vec<Match>,
    decisions: Vec<Decision>,
    notices: Vec<Notice>,
    meetings: Vec<Meeting>,
    payments: Vec<Payment>,
    batches: Vec<Batch>,
    spot_checks: Vec<SpotCheck>,
    change_reports: Vec<ChangeReport>,
    /// Active discovery (主动发现): read for the chain of discoveries (J6xx).
    discoveries: Vec<crate::ledger::Discovery>,
    investigations: Vec<crate::ledger::Investigation>,
    referrals: Vec<crate::ledger::Referral>,
    monitored: Vec<crate::ledger::Monitored>,
    /// Overpayments recorded to recover (追回): their months are not findings of J202, J203, J303 or J304.
    recoveries: Vec<Recovery>,
    /// The dossiers made (`archive_index.csv`), and what is on disk of each still archived, by its path (J106).
    archive: Vec<ArchiveEntry>,
    dossiers: BTreeMap<String, dossiers::OnDisk>,
    /// The journal where it is not the one of the last Git commit with events appended (J107).
    committed: Option<committed::Committed>,
    chain: Vec<Event>,
    /// The journal's length in bytes and whether it ends in a line feed, for appending the audit's event.
    chain_end: (u64, bool),
    /// File name → SHA-256 of its bytes, for every ledger present (events.csv included).
    sha: BTreeMap<String, String>,
    /// Ledgers whose bytes are not their canonical form.
    not_canonical: Vec<String>,
    /// Case ID → position in `cases`, built on first use.
    case_index: std::sync::OnceLock<crate::hash::HashMap<String, usize>>,
}

/// One ledger as audit reads it: its records, and for each of its files present (one, or a partitioned ledger's
/// partitions) the name under `ledgers/`, whether its bytes are the canonical form and their SHA-256.
struct Loaded<R> {
    recs: Vec<R>,
    files: Vec<(String, bool, String)>,
    /// The file's length and whether it ends in a line feed (for appending to the journal).
    end: (u64, bool),
}

fn load_one<R: Record>(ws: &Workspace) -> Result<Loaded<R>> {
    if R::PARTITIONED {
        // Each partition held to its canonical form on its own, then the ledger joined in key order.
        let parts = ledger::partition::read_parts::<R, _>(ws)?;
        let mut files = Vec::with_capacity(parts.len());
        for p in &parts {
            let canonical = ledger::is_canonical(&p.records, &p.bytes)?;
            files.push((p.name.clone(), canonical, sha256_hex(&p.bytes)));
        }
        return Ok(Loaded {
            recs: ledger::partition::join(parts)?,
            files,
            end: (0, false),
        });
    }
    let Some(bytes) = ws.read_optional(ledger::path_of::<R>())? else {
        return Ok(Loaded {
            recs: Vec::new(),
            files: Vec::new(),
            end: (0, false),
        });
    };
    let recs = ledger::parse::<R>(R::FILE, &bytes)?;
    let canonical = ledger::is_canonical(&recs, &bytes)?;
    let sha = sha256_hex(&bytes);
    Ok(Loaded {
        recs,
        files: vec![(R::FILE.to_string(), canonical, sha)],
        end: (bytes.len() as u64, bytes.last() == Some(&b'\n')),
    })
}

/// The ledgers read so far: their hashes, and those not in canonical form (in reading order).
#[derive(Default)]
struct Files {
    sha: BTreeMap<String, String>,
    bad: Vec<String>,
}

impl Files {
    fn take<R: Record>(&mut self, loaded: Option<Result<Loaded<R>>>) -> Result<Vec<R>> {
        let l = loaded.expect("every ledger is read")?;
        for (name, canonical, sha) in l.files {
            if !canonical {
                self.bad.push(name.clone());
            }
            self.sha.insert(name, sha);
        }
        Ok(l.recs)
    }
}

impl Ledgers {
    fn load(ws: &Workspace) -> Result<Ledgers> {
        // Every ledger read, validated, re-written for the canonical check and hashed: one task each, on both
        // cores.
        let (mut chain, mut cases, mut members, mut checks, mut visits, mut matches) =
            (None, None, None, None, None, None);
        let (mut decisions, mut notices, mut meetings, mut payments, mut batches) = (None, None, None, None, None);
        let (mut spot_checks, mut change_reports, mut sources, mut extensions, mut goods, mut archive) =
            (None, None, None, None, None, None);
        let (mut followups, mut recoveries, mut confirmations) = (None, None, None);
        let mut policy_values = None;
        rayon::scope(|s| {
            s.spawn(|_| policy_values = Some(load_one::<crate::ledger::PolicyValues>(ws)));
            s.spawn(|_| recoveries = Some(load_one::<Recovery>(ws)));
            s.spawn(|_| confirmations = Some(load_one::<Confirmation>(ws)));
            s.spawn(|_| chain = Some(load_one::<Event>(ws)));
            s.spawn(|_| cases = Some(load_one::<Case>(ws)));
            s.spawn(|_| members = Some(load_one::<Member>(ws)));
            s.spawn(|_| checks = Some(load_one::<Check>(ws)));
            s.spawn(|_| visits = Some(load_one::<Visit>(ws)));
            s.spawn(|_| followups = Some(load_one::<Followup>(ws)));
            s.spawn(|_| matches = Some(load_one::<Match>(ws)));
            s.spawn(|_| decisions = Some(load_one::<Decision>(ws)));
            s.spawn(|_| notices = Some(load_one::<Notice>(ws)));
            s.spawn(|_| meetings = Some(load_one::<Meeting>(ws)));
            s.spawn(|_| payments = Some(load_one::<Payment>(ws)));
            s.spawn(|_| batches = Some(load_one::<Batch>(ws)));
            s.spawn(|_| spot_checks = Some(load_one::<SpotCheck>(ws)));
            s.spawn(|_| change_reports = Some(load_one::<ChangeReport>(ws)));
            s.spawn(|_| sources = Some(load_one::<Source>(ws)));
            s.spawn(|_| extensions = Some(load_one::<Extension>(ws)));
            s.spawn(|_| goods = Some(load_one::<Goods>(ws)));
            s.spawn(|_| archive = Some(load_one::<ArchiveEntry>(ws)));
        });
        let mut files = Files::default();
        let chain_end = chain
            .as_ref()
            .and_then(|l| l.as_ref().ok())
            .map_or((0, false), |l| l.end);
        let chain = files.take(chain)?;
        let d = Ledgers {
            cases: files.take(cases)?,
            members: files.take(members)?,
            checks: files.take(checks)?,
            policy_values: files.take(policy_values)?,
            visits: files.take(visits)?,
            followups: files.take(followups)?,
            matches: files.take(matches)?,
            decisions: files.take(decisions)?,
            notices: files.take(notices)?,
            meetings: files.take(meetings)?,
            payments: files.take(payments)?,
            batches: files.take(batches)?,
            spot_checks: files.take(spot_checks)?,
            change_reports: files.take(change_reports)?,
            discoveries: ledger::read(ws)?,
            investigations: ledger::read(ws)?,
            referrals: ledger::read(ws)?,
            monitored: ledger::read(ws)?,
            recoveries: files.take(recoveries)?,
            archive: Vec::new(),
            dossiers: BTreeMap::new(),
            committed: None,
            chain,
            chain_end,
            sha: BTreeMap::new(),
            not_canonical: Vec::new(),
            case_index: std::sync::OnceLock::new(),
        };
        // Ledgers audit does not interpret, read for their validity, hashes and form (the archive index also for
        // its dossiers, J106).
        files.take(sources)?;
        files.take(extensions)?;
        files.take(goods)?;
        let archive = files.take(archive)?;
        files.take(confirmations)?;
        let dossiers = dossiers::read_dossiers(ws, &archive);
        let committed = ws
            .read_optional(ledger::path_of::<Event>())?
            .and_then(|now| committed::read_committed(ws, &now, &d.chain));
        Ok(Ledgers {
            archive,
            dossiers,
            committed,
            sha: files.sha,
            not_canonical: files.bad,
            ..d
        })
    }

    fn case(&self, id: &str) -> Option<&Case> {
        let index = self.case_index.get_or_init(|| {
            self.cases
                .iter()
                .enumerate()
                .map(|(i, c)| (c.case_id.clone(), i))
                .collect()
        });
        index.get(id).map(|&i| &self.cases[i])
    }
}

/// The month audited: `--period`, else the latest month paid, else the latest month decided.
fn audit_period(d: &Ledgers, given: Option<&str>) -> Result<Option<Period>> {
    if let Some(p) = given {
        return Ok(Some(Period::parse(p).map_err(|e| {
            anyhow!(
                "--period {p}: {}",
                tr(format!("{e} (write e.g. 2026-11)"), format!("{} (如 2026-11)", e.zh()))
            )
        })?));
    }
    let paid = d.payments.iter().map(|p| p.period).max();
    let decided = d
        .decisions
        .iter()
        .flat_map(|x| [Some(x.period), x.effective_from])
        .flatten()
        .max();
    Ok(paid.or(decided))
}

// ---------------------------------------------------------------------------------------------------------------
// The audit.

fn audit(ws: &Workspace, args: &Args) -> Result<Outcome> {
    let policy = &ws.policy;
    let full = args.checks.is_empty();
    let writing = full && !args.dry_run;
    // Ledgers that are not what the journal recorded are findings here, not a refusal: but then nothing is
    // written, since a change report or a seal would take the changed ledgers as the truth.
    let (lock, breaches) = if writing {
        let (lock, breaches, _) = ws.lock_unverified()?;
        (Some(lock), breaches)
    } else {
        (None, ws.check_seal()?.0)
    };
    let writing = writing && breaches.is_empty();
    let d = match Ledgers::load(ws) {
        Ok(d) => crate::kept_to_exit(d),
        // A ledger changed outside jiuzhu so that it no longer reads: the change is said first.
        Err(e) if !breaches.is_empty() => {
            let empty = Ledgers::default();
            let mut ctx = Audit::new(policy, &empty, None, false);
            ctx.breaches = describe_breaches(ws, &breaches);
            for x in &journal::journal(&ctx) {
                crate::outln!("{}", x.line());
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    crate::ui::phase("audit: ledgers read");
    let period = audit_period(&d, args.period.as_deref())?;
    let on = |name: &str| full || args.checks.iter().any(|c| c == name);

    let mut context = Audit::new(policy, &d, period, args.period.is_some());
    context.given_period = args.period.clone();
    context.writing = writing;
    // The rows and columns of a changed ledger are read (from the workspace and its Git history) only for the
    // check that reports them.
    if on("journal") {
        context.breaches = describe_breaches(ws, &breaches);
    }
    let context = crate::kept_to_exit(context);
    let ctx = &context;
    // The checks read the ledgers only: each runs on its own, on both cores, and their findings are joined in
    // the order of `CHECKS` (then sorted), so the report is the same as one check after another would give.
    let selected: Vec<&AuditCheck> = CHECKS.iter().filter(|c| on(c.name)).collect();
    let progress = crate::ui::Progress::new(selected.len() as u64, tr("audit: checks run", "审计: 已完成核查"))
        .with_hits(tr("findings", "发现问题"));
    let found: Vec<Vec<Finding>> = selected
        .par_iter()
        .map(|check| {
            let found = check.run(ctx);
            progress.inc(1);
            progress.hit(found.len() as u64);
            found
        })
        .collect();
    progress.finish();
    let mut f: Vec<Finding> = found.into_iter().flatten().collect();

    crate::ui::phase("audit: checked");
    f.sort_by(|a, b| (a.code, &a.case_id, &a.what.en).cmp(&(b.code, &b.case_id, &b.what.en)));
    f.dedup();
    let errors = f.iter().filter(|x| x.severity == Severity::Error).count();
    let suffix = args.period.as_ref().map(|p| format!("-{p}")).unwrap_or_default();
    let findings_rel = PathBuf::from("reports").join(format!("audit-findings{suffix}.xlsx"));
    let mut txn = Txn::new();
    if !f.is_empty() && !args.dry_run {
        txn.put(&findings_rel, findings_workbook(&f)?);
    }
    if writing && errors == 0 {
        let reports_bytes = ledger::to_bytes(ctx.computed_reports())?;
        let mut sha = d.sha.clone();
        sha.insert(ChangeReport::FILE.into(), sha256_hex(&reports_bytes));
        txn.put(ledger::path_of::<ChangeReport>(), reports_bytes);
        let inputs = seal_inputs(ws, &sha)?;
        let sealed = d
            .chain
            .iter()
            .rev()
            .find(|e| e.step != crate::seal::SEAL_STEP)
            .is_some_and(|e| e.step == "audit" && e.inputs == inputs);
        if !sealed {
            // The chain was verified whole above (an error stops the write): the event is appended to it.
            let (len, ends_in_newline) = d.chain_end;
            let mut journal = events::Journal::from_chain(&d.chain, len, ends_in_newline);
            journal.append([NewEvent {
                step: "audit".into(),
                detail: format!(
                    "{}audited: {} findings ({} warnings)",
                    period.map(|p| format!("{p}: ")).unwrap_or_default(),
                    f.len(),
                    f.len() - errors
                ),
                inputs,
                ..NewEvent::default()
            }]);
            journal.put(&mut txn)?;
        }
    }
    crate::ui::phase("audit: encoded");
    // With breaches, only the findings workbook is written (see above).
    if let Some(lock) = &lock {
        ws.commit(lock, txn)?;
    } else if !f.is_empty() && !args.dry_run {
        let (lock, _, _) = ws.lock_unverified()?;
        ws.commit(&lock, txn)?;
    }
    crate::ui::phase("audit: committed");
    if crate::ui::json() {
        record_findings(&f);
        crate::ui::record("period", period.map(|p| p.to_string()));
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record(
            "findings_workbook",
            (!f.is_empty() && !args.dry_run).then(|| findings_rel.display().to_string()),
        );
        crate::ui::record("ledgers_as_journal_recorded", breaches.is_empty());
    }
    if f.is_empty() {
        return Ok(Outcome::Done);
    }
    for x in &f {
        crate::outln!("{}", x.line());
    }
    let (n, warnings, listed) = (f.len(), f.len() - errors, findings_rel.display());
    crate::outln!(
        "{}",
        if args.dry_run {
            tr(
                format!("audit: {n} findings ({errors} errors, {warnings} warnings)"),
                format!("审计: 发现 {n} 项 (错误 {errors} 项, 警告 {warnings} 项)"),
            )
        } else if !breaches.is_empty() {
            tr(
                format!(
                    "audit: {n} findings ({errors} errors, {warnings} warnings); listed in {listed}; no change \
                     report written: the ledgers are not as the journal recorded them"
                ),
                format!(
                    "审计: 发现 {n} 项 (错误 {errors} 项, 警告 {warnings} 项), 列于 {listed}; 未写变动报告: 台账与日志记录的不一致"
                ),
            )
        } else {
            tr(
                format!("audit: {n} findings ({errors} errors, {warnings} warnings); listed in {listed}"),
                format!("审计: 发现 {n} 项 (错误 {errors} 项, 警告 {warnings} 项), 列于 {listed}"),
            )
        }
    );
    Ok(Outcome::NeedsAttention)
}

/// `name=sha256` of the policy and every ledger but the journal, as the audit event records them.
fn seal_inputs(ws: &Workspace, sha: &BTreeMap<String, String>) -> Result<String> {
    let mut list = vec![format!("{POLICY_FILE}={}", ws.policy_sha256()?)];
    for (name, hash) in sha {
        if name != Event::FILE {
            list.push(format!("{name}={hash}"));
        }
    }
    Ok(list.join(";"))
}

// ---------------------------------------------------------------------------------------------------------------
// The chain.

struct Audit<'a> {
    policy: &'a Policy,
    d: &'a Ledgers,
    period: Option<Period>,
    only: Option<Period>,
    as_of: Option<NaiveDate>,
    members: BTreeMap<&'a str, Vec<&'a Member>>,
    decisions: BTreeMap<&'a str, Vec<&'a Decision>>,
    /// Confirmed deaths: ID number → date of death (from the hit's evidence).
    deaths: BTreeMap<String, NaiveDate>,
    /// The (case, month)s of the overpayments recorded to recover.
    recovered: BTreeSet<(String, Period)>,
    /// `--period` as given (the change reports of that month are reconciled).
    given_period: Option<String>,
    /// Whether this audit writes the change reports (a full audit, not a dry run, the ledgers as sealed).
    writing: bool,
    /// How the ledgers differ from what the journal's last seal recorded, found before they were read.
    breaches: Vec<Breached>,
    /// The monthly change reports from the decisions, computed once ([`Audit::computed_reports`]).
    reports: std::sync::OnceLock<Vec<ChangeReport>>,
}

/// A way the ledgers differ from the journal's last seal, with (for a changed ledger) the rows and columns
/// changed, in English and Chinese, as [`crate::seal::describe`] found them in the workspace.
#[derive(Debug, Clone)]
struct Breached {
    breach: crate::seal::Breach,
    en: Vec<String>,
    zh: Vec<String>,
}

/// The seal's breaches, each with the rows and columns changed (read from the workspace and its Git history).
fn describe_breaches(ws: &Workspace, breaches: &[crate::seal::Breach]) -> Vec<Breached> {
    breaches
        .iter()
        .map(|b| {
            let (en, zh) = match b {
                crate::seal::Breach::Changed { file, recorded, .. } => {
                    let now = ws
                        .read_optional(std::path::Path::new("ledgers").join(file))
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                    (
                        crate::seal::describe(&ws.root, file, recorded, &now, 10, crate::i18n::Lang::En),
                        crate::seal::describe(&ws.root, file, recorded, &now, 10, crate::i18n::Lang::Zh),
                    )
                }
                _ => (Vec::new(), Vec::new()),
            };
            Breached {
                breach: b.clone(),
                en,
                zh,
            }
        })
        .collect()
}

impl<'a> Audit<'a> {
    fn new(policy: &'a Policy, d: &'a Ledgers, period: Option<Period>, only: bool) -> Audit<'a> {
        let members = records::by_case_sorted(&d.members);
        let decisions = records::by_case_sorted(&d.decisions);
        let mut deaths = BTreeMap::new();
        for m in d
            .matches
            .iter()
            .filter(|m| policy.is_death_registry(&m.source) && m.disposition == Disposition::Confirmed)
        {
            if let Some(day) = death_date(&m.evidence) {
                deaths.insert(m.id_number.as_str().to_string(), day);
            }
        }
        Audit {
            policy,
            d,
            period,
            only: period.filter(|_| only),
            as_of: period.map(|p| p.last_day()),
            members,
            decisions,
            deaths,
            recovered: crate::cmd::recover::covered(&d.recoveries),
            given_period: None,
            writing: false,
            breaches: Vec::new(),
            reports: std::sync::OnceLock::new(),
        }
    }

    /// The monthly change reports from the decisions (see [`change_report::change_reports`]), computed on first
    /// use: by the `change-report` check, which a full audit — the one that writes them — always runs.
    fn computed_reports(&self) -> &[ChangeReport] {
        self.reports.get_or_init(|| change_report::change_reports(self))
    }

    /// With `--period`, only that month's payments are audited.
    fn in_scope(&self, month: Period) -> bool {
        self.only.is_none_or(|p| p == month)
    }

    fn decisions_of(&self, case_id: &str) -> Vec<&'a Decision> {
        self.decisions.get(case_id).cloned().unwrap_or_default()
    }

    fn in_force_or_approved(&self, case: &Case) -> bool {
        matches!(case.status, CaseStatus::Approved | CaseStatus::Effective)
    }
}

/// The date of death in a deaths hit's evidence (`死亡日期=2026-10-15; …`).
pub fn death_date(evidence: &str) -> Option<NaiveDate> {
    evidence.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        let k = k.trim();
        if k.contains("死亡") || k.contains("火化") || k.eq_ignore_ascii_case("death_date") {
            date::parse_date(v.trim()).ok()
        } else {
            None
        }
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The findings workbook.

fn findings_workbook(f: &[Finding]) -> Result<Vec<u8>> {
    let columns = vec![
        Column::new("代码", Kind::Code),
        Column::new("级别", Kind::Text),
        Column::new("案件编号", Kind::Code),
        Column::new("问题", Kind::Text),
        Column::new("处理办法", Kind::Text),
    ];
    let rows = f
        .iter()
        .map(|x| {
            vec![
                Value::from(x.code),
                Value::from(x.severity.label_zh()),
                Value::from(x.case_id.as_str()),
                Value::from(x.what.zh()),
                Value::from(x.fix.zh()),
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "审计发现".into(),

        title: Some("审计发现: 每条一行, 代码见 docs/ledgers.md".into()),
        columns,
        rows,
        batch: None,
        print: Default::default(),
    }])
}

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn the_checks_have_one_name_each_and_say_their_codes() {
        let mut names = BTreeSet::new();
        for check in CHECKS {
            assert!(names.insert(check.name), "{} twice", check.name);
            assert!(check.about.starts_with('J'), "{}: {}", check.name, check.about);
            assert!(!check.run.is_empty());
        }
    }

    #[test]
    fn a_check_reports_only_the_codes_it_names() {
        // Ledgers with a problem for most checks: each check's findings carry the codes its `about` lists.
        let mut l = paid_case("CD-1");
        l.payments[0].amount = Fen(1);
        l.decisions[0].status = DecisionStatus::Approved;
        l.notices.clear();
        l.recoveries.push(recovery("CD-1"));
        l.spot_checks.push(spot_check("CD-1", ""));
        l.not_canonical.push("cases.csv".into());
        l.matches
            .push(hit("CD-1", "130199199303022985", "payroll", "月工资=4870"));
        let a = audited(&l);
        let mut seen = 0;
        for check in CHECKS {
            for x in check.run(&a) {
                assert!(check.about.contains(x.code), "{} reported {}", check.name, x.code);
                seen += 1;
            }
        }
        assert!(seen >= 8, "{seen}");
    }
}
