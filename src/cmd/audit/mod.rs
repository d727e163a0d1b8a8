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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use rayon::prelude::*;

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

/// The checks that can be run by name (`jiuzhu audit NAME…`), with the codes each reports.
pub const CHECKS: &[(&str, &str)] = &[
    (
        "journal",
        "J101 J102: the events.csv hash chain; ledgers changed after the journal recorded them",
    ),
    ("canonical-ledgers", "J103: ledgers not in their canonical sorted form"),
    (
        "payments-match-decisions",
        "J201 J204: every payment has its effective decision; nothing paid before approval",
    ),
    (
        "no-payment-after-stop-or-death",
        "J202 J203 J213: nothing paid after a stop or a confirmed death unless recorded to recover (追回); \
         recoveries still open",
    ),
    (
        "urgent-backfill",
        "J205: urgent payments (先行救助) approved within the back-fill limit",
    ),
    (
        "one-case-per-person",
        "J206 J207: nobody in two open cases or two schemes that exclude each other",
    ),
    ("exclude-hits-acted-on", "J208: every confirmed exclude hit acted on"),
    (
        "relatives-reviewed",
        "J209: relatives of staff (近亲属备案) decided by a named person and re-visited",
    ),
    (
        "approval-procedure",
        "J210 J211 J212: village visit, meeting record and completed notice of every approval",
    ),
    (
        "replay-decisions",
        "J301 J302: every decision recomputed from its basis and the policy",
    ),
    ("replay-payments", "J303: every payment recomputed from the decisions"),
    (
        "money-invariants",
        "J304: decided = issued + unissued; issued = paid + failed + outstanding",
    ),
    (
        "change-report",
        "J305 J306 J402: the monthly change report reconciles and exists for every month paid",
    ),
    (
        "recheck-cadence",
        "J401: cases overdue for re-check (城市月、农村季、全部年审)",
    ),
    ("spot-checks", "J501 J502 J503 J504: spot-check findings acted on"),
    (
        "discovery-chain",
        "J601 J602 J603 J604: active discovery (主动发现) investigated in time, assisted applications have their case, \
         none closed against the 三个不放过, referrals answered",
    ),
];

#[derive(Debug, Clone, Default)]
pub struct Args {
    pub period: Option<String>,
    /// `--sample PCT`: draw a spot-check sample.
    pub sample: Option<String>,
    pub seed: Option<u64>,
    pub stratify: bool,
    /// `--record FILE`: read a filled spot-check worksheet back.
    pub record: Option<PathBuf>,
    /// `--change-report FILE`: check an external change report.
    pub change_report: Option<PathBuf>,
    pub checks: Vec<String>,
    pub dry_run: bool,
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

pub fn run(ws: &Workspace, args: &Args) -> Result<Outcome> {
    for c in &args.checks {
        if !CHECKS.iter().any(|(n, _)| n == c) {
            let names: Vec<&str> = CHECKS.iter().map(|(n, _)| *n).collect();
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
        return draw_sample(ws, args, pct, seed);
    }
    if let Some(file) = &args.record {
        return record_results(ws, args, file);
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
struct Data {
    cases: Vec<Case>,
    members: Vec<Member>,
    checks: Vec<Check>,
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

/// One ledger as audit reads it: its records, and (when present) whether its bytes are the canonical form and
/// their SHA-256.
struct Loaded<R> {
    recs: Vec<R>,
    file: Option<(bool, String)>,
    /// The file's length and whether it ends in a line feed (for appending to the journal).
    end: (u64, bool),
}

fn load_one<R: Record>(ws: &Workspace) -> Result<Loaded<R>> {
    let Some(bytes) = ws.read_optional(ledger::path_of::<R>())? else {
        return Ok(Loaded {
            recs: Vec::new(),
            file: None,
            end: (0, false),
        });
    };
    let recs = ledger::parse::<R>(R::FILE, &bytes)?;
    let canonical = ledger::is_canonical(&recs, &bytes)?;
    let sha = sha256_hex(&bytes);
    Ok(Loaded {
        recs,
        file: Some((canonical, sha)),
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
        if let Some((canonical, sha)) = l.file {
            if !canonical {
                self.bad.push(R::FILE.to_string());
            }
            self.sha.insert(R::FILE.to_string(), sha);
        }
        Ok(l.recs)
    }
}

impl Data {
    fn load(ws: &Workspace) -> Result<Data> {
        // Every ledger read, validated, re-written for the canonical check and hashed: one task each, on both
        // cores.
        let (mut chain, mut cases, mut members, mut checks, mut visits, mut matches) =
            (None, None, None, None, None, None);
        let (mut decisions, mut notices, mut meetings, mut payments, mut batches) = (None, None, None, None, None);
        let (mut spot_checks, mut change_reports, mut sources, mut extensions, mut goods, mut archive) =
            (None, None, None, None, None, None);
        let (mut followups, mut recoveries, mut confirmations) = (None, None, None);
        rayon::scope(|s| {
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
        let d = Data {
            cases: files.take(cases)?,
            members: files.take(members)?,
            checks: files.take(checks)?,
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
            chain,
            chain_end,
            sha: BTreeMap::new(),
            not_canonical: Vec::new(),
            case_index: std::sync::OnceLock::new(),
        };
        // Ledgers audit does not interpret, read for their validity, hashes and form.
        files.take(sources)?;
        files.take(extensions)?;
        files.take(goods)?;
        files.take(archive)?;
        files.take(confirmations)?;
        Ok(Data {
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
fn audit_period(d: &Data, given: Option<&str>) -> Result<Option<Period>> {
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
    let d = match Data::load(ws) {
        Ok(d) => crate::kept_to_exit(d),
        // A ledger changed outside jiuzhu so that it no longer reads: the change is said first.
        Err(e) if !breaches.is_empty() => {
            let mut f = Vec::new();
            journal(ws, &Data::default(), &breaches, &mut f);
            for x in &f {
                crate::outln!("{}", x.line());
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    crate::ui::phase("audit: ledgers read");
    let period = audit_period(&d, args.period.as_deref())?;
    let on = |name: &str| full || args.checks.iter().any(|c| c == name);
    let mut f: Vec<Finding> = Vec::new();

    if on("journal") {
        journal(ws, &d, &breaches, &mut f);
    }
    if on("canonical-ledgers") {
        for l in &d.not_canonical {
            f.push(warn(
                "J103",
                "",
                m(
                    format!(
                        "ledgers/{l} is not in its canonical form (rows reordered, quoting or spacing changed by \
                         hand)"
                    ),
                    format!("ledgers/{l} 不是规范格式 (行序、引号或空格被手工改动)"),
                ),
                m(
                    "restore it from Git, or rewrite it with the step that owns it",
                    "请从 Git 恢复, 或用写入它的步骤重新生成",
                ),
            ));
        }
    }
    let context = crate::kept_to_exit(Ctx::new(policy, &d, period, args.period.is_some()));
    // The checks read the ledgers only: each runs on its own, on both cores, and their findings are joined in
    // the order below (then sorted), so the report is the same as one check after another would give.
    type Check<'t> = Box<dyn Fn(&mut Vec<Finding>) + Send + Sync + 't>;
    let ctx = &context;
    let mut before: Vec<Check<'_>> = Vec::new();
    if on("payments-match-decisions") || on("no-payment-after-stop-or-death") || on("urgent-backfill") {
        let (matching, after, urgent) = (
            on("payments-match-decisions"),
            on("no-payment-after-stop-or-death"),
            on("urgent-backfill"),
        );
        before.push(Box::new(move |f| {
            payments_chain(ctx, f, matching, after);
            if after {
                open_recoveries(ctx, f);
            }
            if urgent {
                urgent_backfill(ctx, f);
            }
        }));
    }
    type Named = (&'static str, fn(&Ctx, &mut Vec<Finding>));
    let checks: [Named; 6] = [
        ("one-case-per-person", one_case_per_person),
        ("exclude-hits-acted-on", exclude_hits),
        ("relatives-reviewed", relatives),
        ("approval-procedure", approvals),
        ("replay-decisions", replay_decisions),
        ("replay-payments", replay_payments),
    ];
    for (name, check) in checks {
        if on(name) {
            before.push(Box::new(move |f| check(ctx, f)));
        }
    }
    if on("money-invariants") {
        before.push(Box::new(move |f| {
            for v in disburse::money_violations(
                policy,
                &ctx.d.cases,
                &ctx.d.decisions,
                &ctx.d.payments,
                &ctx.d.batches,
                &ctx.d.recoveries,
            ) {
                f.push(err(
                    "J304",
                    "",
                    m(format!("money invariant: {}", v.en), format!("资金核对不平: {}", v.zh)),
                    m(
                        "find the edit in `git log -p ledgers/`",
                        "请用 `git log -p ledgers/` 找出改动",
                    ),
                ));
            }
        }));
    }
    let mut after: Vec<Check<'_>> = Vec::new();
    if on("recheck-cadence") {
        after.push(Box::new(move |f| cadence(ctx, f)));
    }
    if on("spot-checks") {
        after.push(Box::new(move |f| spot_check_findings(ctx, f)));
    }
    if on("discovery-chain") {
        after.push(Box::new(move |f| discovery_chain(ctx, f)));
    }
    let progress = crate::ui::Progress::new(
        (before.len() + after.len() + 1) as u64,
        tr("audit: checks run", "审计: 已完成核查"),
    )
    .with_hits(tr("findings", "发现问题"));
    let run = |checks: &[Check<'_>]| -> Vec<Vec<Finding>> {
        checks
            .par_iter()
            .map(|check| {
                let mut found = Vec::new();
                check(&mut found);
                progress.inc(1);
                progress.hit(found.len() as u64);
                found
            })
            .collect()
    };
    let ((found_before, found_after), reports) = rayon::join(
        || rayon::join(|| run(&before), || run(&after)),
        || {
            let reports = change_reports(ctx);
            progress.inc(1);
            reports
        },
    );
    progress.finish();
    f.extend(found_before.into_iter().flatten());
    if on("change-report") {
        for r in &d.change_reports {
            if args.period.as_ref().is_none_or(|p| &r.period == p) {
                reconcile(r, "ledgers/change_reports.csv", &mut f);
            }
        }
        let computed: BTreeMap<String, &ChangeReport> = reports.iter().map(|r| (r.key(), r)).collect();
        for r in &d.change_reports {
            if let Some(c) = computed.get(&r.key()) {
                if *c != r {
                    f.push(warn(
                        "J306",
                        "",
                        m(
                            format!(
                                "the change report of {} {} in ledgers/change_reports.csv differs from the \
                                 decisions (after: {} households, {} persons, {} recorded; {} , {}, {} now)",
                                r.period,
                                r.scheme,
                                r.households_after,
                                r.persons_after,
                                r.after_amount,
                                c.households_after,
                                c.persons_after,
                                c.after_amount
                            ),
                            format!(
                                "ledgers/change_reports.csv 中 {} {} 的变动报告与决定不符 (期末: 记录为 {} 户 {} 人 \
                                 {} 元; 现为 {} 户 {} 人 {} 元)",
                                r.period,
                                scheme_zh(ctx.policy, &r.scheme),
                                r.households_after,
                                r.persons_after,
                                r.after_amount,
                                c.households_after,
                                c.persons_after,
                                c.after_amount
                            ),
                        ),
                        m(
                            "a decision changed a month already reported, or the file was edited: report the \
                             correction",
                            "有决定改动了已上报的月份, 或该文件被手工改动: 请报送更正",
                        ),
                    ));
                }
            }
        }
        if !writing {
            let have: BTreeSet<String> = d.change_reports.iter().map(|r| r.period.clone()).collect();
            let paid: BTreeSet<String> = d.payments.iter().map(|p| p.period.to_string()).collect();
            for month in paid.difference(&have) {
                f.push(err(
                    "J402",
                    "",
                    m(
                        format!(
                            "month {month} had payments but ledgers/change_reports.csv has no change report for it"
                        ),
                        format!("{month} 有发放, 但 ledgers/change_reports.csv 中没有该月的变动报告"),
                    ),
                    m(
                        "run `jiuzhu audit` (it writes the report)",
                        "请运行 `jiuzhu audit` (它会写出变动报告)",
                    ),
                ));
            }
        }
    }
    f.extend(found_after.into_iter().flatten());

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
        let reports_bytes = ledger::to_bytes(&reports)?;
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

/// The ledgers whose recorded hashes J102 holds them to (the journal itself is held by its chain).
const LEDGERS: &[&str] = ledger::LEDGER_FILES;

/// The ledgers each step may write: an edit by one of them after the journal recorded a ledger is not a hand edit.
fn may_write(step: &str, ledger: &str) -> bool {
    let writes: &[&str] = match step {
        "intake" => &["cases.csv", "members.csv", "sources.csv"],
        "verify" => &["cases.csv", "checks.csv", "visits.csv", "extensions.csv"],
        "compare" => &["matches.csv", "cases.csv"],
        "decide" => &["cases.csv", "decisions.csv", "notices.csv", "meetings.csv"],
        "disburse" => &["payments.csv", "batches.csv", "goods.csv", "recoveries.csv"],
        "audit" => &["change_reports.csv", "spot_checks.csv"],
        "archive" => &["archive_index.csv"],
        "supplements" | "withdraw" => &["cases.csv"],
        "correct" => &["cases.csv", "members.csv", "confirmations.csv"],
        "recover" => &["recoveries.csv"],
        // A step this audit does not know may write anything.
        _ => return true,
    };
    writes.contains(&ledger)
}

/// J101, J102, J104: the journal's chain, the ledgers against the journal's last seal (see [`crate::seal`]), and
/// the hand edits accepted since the last audit.
fn journal(ws: &Workspace, d: &Data, breaches: &[crate::seal::Breach], f: &mut Vec<Finding>) {
    use crate::seal::Breach;
    if let Some((seq, why)) = events::verify_chain(&d.chain) {
        f.push(err(
            "J101",
            "",
            m(
                format!("ledgers/events.csv is broken at event {seq}: {why}"),
                format!("ledgers/events.csv 在第 {seq} 条事件处断开: {why}"),
            ),
            m(
                "restore events.csv from Git (`git log -p ledgers/events.csv` shows the change)",
                "请从 Git 恢复 events.csv (`git log -p ledgers/events.csv` 可查看改动)",
            ),
        ));
        return;
    }
    let restore = m(
        "look at the change first (`git diff ledgers/`: jiuzhu's own steps not yet committed show there too), then \
         restore only the file edited by hand (`git checkout -- ledgers/FILE`), or record the change with `jiuzhu \
         accept-edits`",
        "请先查看改动 (`git diff ledgers/`: 尚未提交的 jiuzhu 步骤也会显示), 只恢复被手工修改的文件 (`git checkout -- \
         ledgers/文件名`), 或用 `jiuzhu accept-edits` 把改动记入日志",
    );
    for b in breaches {
        let what = m(b.message_in(crate::i18n::Lang::En), b.message_in(crate::i18n::Lang::Zh));
        match b {
            Breach::JournalMissing { .. } | Breach::JournalCut { .. } => f.push(err(
                "J101",
                "",
                what,
                m(
                    "restore ledgers/events.csv from Git (`git checkout -- ledgers/events.csv`) or a backup",
                    "请从 Git (`git checkout -- ledgers/events.csv`) 或备份恢复 ledgers/events.csv",
                ),
            )),
            Breach::Changed { file, recorded, .. } => {
                let now = ws
                    .read_optional(std::path::Path::new("ledgers").join(file))
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                let en = crate::seal::describe(&ws.root, file, recorded, &now, 10, crate::i18n::Lang::En);
                let zh = crate::seal::describe(&ws.root, file, recorded, &now, 10, crate::i18n::Lang::Zh);
                f.push(err(
                    "J102",
                    "",
                    m(
                        format!("{}: {}", what.en, en.join("; ")),
                        format!("{}: {}", what.zh, zh.join("; ")),
                    ),
                    restore.clone(),
                ));
            }
            Breach::Missing { .. } | Breach::Unrecorded { .. } => f.push(err("J102", "", what, restore.clone())),
        }
    }
    // Hand edits accepted since the last audit, for a person to look at.
    let since = d.chain.iter().rposition(|e| e.step == "audit").map_or(0, |i| i + 1);
    for e in d.chain[since..]
        .iter()
        .filter(|e| e.step == crate::cmd::accept_edits::STEP)
    {
        f.push(warn(
            "J104",
            "",
            m(
                format!(
                    "event {}: ledgers changed outside jiuzhu were accepted {}",
                    e.seq,
                    e.detail.as_str()
                ),
                format!(
                    "第 {} 条事件: 在 jiuzhu 之外改动的台账已被承认 ({})",
                    e.seq,
                    e.detail.as_str()
                ),
            ),
            m(
                "check the change against its evidence (`git log -p ledgers/` shows it)",
                "请对照依据核查该改动 (`git log -p ledgers/` 可查看)",
            ),
        ));
    }
    // A journal with seals is held to them (above); one from before seals, by what its steps recorded.
    if d.chain.iter().any(|e| e.step == crate::seal::SEAL_STEP) {
        return;
    }
    // For each ledger, the last hash any step recorded for it, and whether a step that writes it ran since.
    let mut last: BTreeMap<String, (u64, String, bool)> = BTreeMap::new();
    for e in &d.chain {
        for (name, entry) in last.iter_mut() {
            if may_write(&e.step, name) {
                entry.2 = true;
            }
        }
        for part in e.inputs.split(';') {
            if let Some((name, hash)) = part.split_once('=') {
                if LEDGERS.contains(&name) {
                    let written = may_write(&e.step, name);
                    last.insert(name.to_string(), (e.seq, hash.to_string(), written));
                }
            }
        }
    }
    for (name, (seq, hash, written)) in last {
        if written {
            continue;
        }
        let now = d.sha.get(&name).map(String::as_str);
        if now != Some(hash.as_str()) {
            f.push(err(
                "J102",
                "",
                m(
                    format!(
                        "ledgers/{name} {} after event {seq} recorded it, and no step that writes it ran since (a \
                         hand edit?)",
                        if now.is_none() { "was removed" } else { "changed" }
                    ),
                    format!(
                        "ledgers/{name} 在第 {seq} 条事件记录之后{}, 此后没有写它的步骤运行过 (手工修改?)",
                        if now.is_none() { "被删除" } else { "被改动" }
                    ),
                ),
                m(
                    "restore it from Git (`git diff ledgers/` shows the edit), or redo the change with the step \
                     that owns it",
                    "请从 Git 恢复 (`git diff ledgers/` 可查看改动), 或用写入它的步骤重做该改动",
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The chain.

struct Ctx<'a> {
    policy: &'a Policy,
    d: &'a Data,
    period: Option<Period>,
    only: Option<Period>,
    as_of: Option<NaiveDate>,
    members: BTreeMap<&'a str, Vec<&'a Member>>,
    decisions: BTreeMap<&'a str, Vec<&'a Decision>>,
    /// Confirmed deaths: ID number → date of death (from the hit's evidence).
    deaths: BTreeMap<String, NaiveDate>,
    /// The (case, month)s of the overpayments recorded to recover.
    recovered: BTreeSet<(String, Period)>,
}

impl<'a> Ctx<'a> {
    fn new(policy: &'a Policy, d: &'a Data, period: Option<Period>, only: bool) -> Ctx<'a> {
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
        Ctx {
            policy,
            d,
            period,
            only: period.filter(|_| only),
            as_of: period.map(|p| p.last_day()),
            members,
            decisions,
            deaths,
            recovered: crate::cmd::recover::covered(&d.recoveries),
        }
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

fn payments_chain(ctx: &Ctx, f: &mut Vec<Finding>, matching: bool, after: bool) {
    let d = ctx.d;
    let by_id: BTreeMap<&str, &Decision> = d.decisions.iter().map(|x| (x.decision_id.as_str(), x)).collect();
    for p in d.payments.iter().filter(|p| ctx.in_scope(p.period)) {
        let month = p.period;
        let dec = by_id.get(p.decision_id.as_str()).copied();
        if matching {
            match dec {
                None => f.push(err(
                    "J201",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} ({month}, {}) names decision `{}`, which is not in decisions.csv",
                            p.payment_id, p.amount, p.decision_id
                        ),
                        format!(
                            "付款 {} ({month}, {} 元) 所依据的决定 `{}` 不在 decisions.csv 中",
                            p.payment_id, p.amount, p.decision_id
                        ),
                    ),
                    m(
                        "a payment without an effective decision: recover the money or record the decision",
                        "没有生效决定的付款: 请追回资金或补录决定",
                    ),
                )),
                Some(x) if x.case_id != p.case_id => f.push(err(
                    "J201",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} names decision {} of another case ({})",
                            p.payment_id, x.decision_id, x.case_id
                        ),
                        format!(
                            "付款 {} 所依据的决定 {} 属于另一案件 ({})",
                            p.payment_id, x.decision_id, x.case_id
                        ),
                    ),
                    m(
                        "a payment without an effective decision for this case: recover the money",
                        "本案件没有生效决定的付款: 请追回资金",
                    ),
                )),
                Some(x) if !defines_amounts(x) && !x.urgent => f.push(err(
                    "J204",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} ({month}) was made on decision {}, which is {:?}, not effective: paid \
                             before approval",
                            p.payment_id, x.decision_id, x.status
                        ),
                        format!(
                            "付款 {} ({month}) 依据的决定 {} 为{}, 尚未生效: 审批前已发放",
                            p.payment_id,
                            x.decision_id,
                            status_zh(x.status)
                        ),
                    ),
                    m(
                        "complete the approval (meeting, notice) or recover the money",
                        "请完成审批 (评议、公示) 或追回资金",
                    ),
                )),
                Some(x) if x.effective_from.is_some_and(|from| month < from) => f.push(err(
                    "J204",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} is for {month}, before decision {} took effect ({})",
                            p.payment_id,
                            x.decision_id,
                            month_text(x.effective_from)
                        ),
                        format!(
                            "付款 {} 属于 {month}, 早于决定 {} 生效的月份 ({})",
                            p.payment_id,
                            x.decision_id,
                            month_text(x.effective_from)
                        ),
                    ),
                    m(
                        "a month before approval was paid: recover it",
                        "审批前的月份已发放: 请追回",
                    ),
                )),
                Some(_) => {}
            }
        }
        if !after || p.status == PaymentStatus::Reissued {
            continue;
        }
        // Recorded to recover (追回): held by J213 until settled.
        if ctx.recovered.contains(&(p.case_id.clone(), month)) {
            continue;
        }
        if let Some(inforce) = decision::in_force_on(ctx.decisions_of(&p.case_id), month) {
            if !decision::pays_in(inforce, month) {
                f.push(err(
                    "J202",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} ({month}, {}) after the case was stopped by decision {} (from {})",
                            p.payment_id,
                            p.amount,
                            inforce.decision_id,
                            month_text(inforce.effective_from)
                        ),
                        format!(
                            "付款 {} ({month}, {} 元) 发生在决定 {} 停发之后 (自 {} 起)",
                            p.payment_id,
                            p.amount,
                            inforce.decision_id,
                            month_text(inforce.effective_from)
                        ),
                    ),
                    m(
                        "nothing may be paid after a stop: record it to recover (`jiuzhu recover`) and recover the money",
                        "停发后不得发放: 请登记追回 (`jiuzhu recover`) 并追回资金",
                    ),
                ));
            }
        }
        let Some(case) = d.case(&p.case_id) else {
            continue;
        };
        let members = ctx.members.get(p.case_id.as_str()).cloned().unwrap_or_default();
        let head_death = ctx.deaths.get(case.applicant_id_number.as_str()).copied();
        let all_dead = members
            .iter()
            .map(|m| ctx.deaths.get(m.id_number.as_str()).copied())
            .collect::<Option<Vec<NaiveDate>>>()
            .and_then(|v| v.into_iter().max());
        if let Some(day) = head_death.or(all_dead) {
            if month.first_day() > day {
                f.push(err(
                    "J203",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} for {month} ({}) was made after the recipient died on {day} (confirmed \
                             deaths hit)",
                            p.payment_id, p.amount
                        ),
                        format!(
                            "付款 {} ({month}, {} 元) 发生在救助对象 {day} 死亡之后 (已确认的死亡比对疑点)",
                            p.payment_id, p.amount
                        ),
                    ),
                    m(
                        "stop the case (decide --period) and record the money paid after the death to recover \
                         (`jiuzhu recover`)",
                        "请停发该案件 (decide --period) 并登记追回死亡后发放的资金 (`jiuzhu recover`)",
                    ),
                ));
            }
        }
    }
}

/// J213: an overpayment recorded to recover (追回) and not yet settled — by a repayment or a write-off.
fn open_recoveries(ctx: &Ctx, f: &mut Vec<Finding>) {
    for r in ctx.d.recoveries.iter().filter(|r| r.status == RecoveryStatus::Open) {
        f.push(warn(
            "J213",
            &r.case_id,
            m(
                format!(
                    "overpayment {} ({}): {} of {} still to recover — {}",
                    r.recovery_id,
                    r.months.replace(';', ", "),
                    r.outstanding(),
                    r.amount,
                    r.reason
                ),
                format!(
                    "多发款 {} ({}): 应追回 {} 元, 尚有 {} 元未追回 — {}",
                    r.recovery_id,
                    r.months.replace(';', "、"),
                    r.amount,
                    r.outstanding(),
                    r.reason
                ),
            ),
            m(
                "record the repayment (`jiuzhu recover CASE --repaid AMOUNT --date DATE --by NAME`) or the approved \
                 write-off (`jiuzhu recover CASE --write-off --approver NAME --reason TEXT --date DATE`)",
                "登记退回款 (`jiuzhu recover 案件编号 --repaid 金额 --date 日期 --by 经办人`) 或经审批的核销 \
                 (`jiuzhu recover 案件编号 --write-off --approver 审批人 --reason 原因 --date 日期`)",
            ),
        ));
    }
}

fn urgent_backfill(ctx: &Ctx, f: &mut Vec<Finding>) {
    let v = &ctx.policy.verification;
    let n = ctx.policy.benefits.temporary.backfill_working_days;
    // The first month paid of each urgent decision, in one pass over the payments (not a scan per decision).
    let urgent: crate::hash::HashSet<&str> = ctx
        .d
        .decisions
        .iter()
        .filter(|x| x.urgent)
        .map(|x| x.decision_id.as_str())
        .collect();
    let mut first_paid: crate::hash::HashMap<&str, Period> = crate::hash::HashMap::default();
    for p in ctx
        .d
        .payments
        .iter()
        .filter(|p| urgent.contains(p.decision_id.as_str()))
    {
        {
            let month = p.period;
            first_paid
                .entry(p.decision_id.as_str())
                .and_modify(|m| *m = (*m).min(month))
                .or_insert(month);
        }
    }
    for x in ctx.d.decisions.iter().filter(|x| x.urgent) {
        let Some(&first) = first_paid.get(x.decision_id.as_str()) else {
            continue;
        };
        // The back-fill limit: n working days counted from the day after the application (the emergency, when the
        // money was paid first); the first day of the month paid when the case is not found.
        let start = ctx
            .d
            .case(&x.case_id)
            .map(|c| c.applied_on)
            .unwrap_or_else(|| first.first_day());
        let deadline = date::add_working_days(start, n, &v.holidays, &v.extra_workdays);
        let backfilled = !x.meeting.is_empty() && x.decided_on.is_some_and(|day| day <= deadline);
        let due = ctx.as_of.is_none_or(|a| a > deadline) || x.decided_on.is_some();
        if !backfilled && due {
            let (late_en, late_zh) = match x.decided_on {
                Some(day) if !x.meeting.is_empty() => {
                    (format!("its approval only on {day}"), format!("迟至 {day} 才审批"))
                }
                _ => ("no back-filled approval".to_string(), "没有补办审批".to_string()),
            };
            f.push(err(
                "J205",
                &x.case_id,
                m(
                    format!(
                        "urgent decision {} (先行救助, paid for {first}) has {late_en} — the approval was due by \
                         {deadline} ({n} working days after {start})",
                        x.decision_id,
                    ),
                    format!(
                        "先行救助决定 {} (已发放 {first}) {late_zh} — 应在 {deadline} 前完成审批 ({start} 后 {n} 个工作日)",
                        x.decision_id,
                    ),
                ),
                m(
                    "put the case before the review meeting and record its approval (后置审批)",
                    "请将该案件提交评议会并记录其审批 (后置审批)",
                ),
            ));
        }
    }
}

fn one_case_per_person(ctx: &Ctx, f: &mut Vec<Finding>) {
    let d = ctx.d;
    let mut by_person: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in &d.members {
        if d.case(&m.case_id).is_some_and(|c| c.status.is_open()) {
            by_person
                .entry(m.id_number.as_str())
                .or_default()
                .insert(m.case_id.as_str());
        }
    }
    let exclusive = |a: &str, b: &str| {
        ctx.policy
            .audit
            .exclusive_schemes
            .iter()
            .any(|[x, y]| (x == a && y == b) || (x == b && y == a))
    };
    // Cases whose duplicate_person check did not pass, found once (not a scan of every check per pair).
    let flagged: crate::hash::HashSet<&str> = d
        .checks
        .iter()
        .filter(|k| k.check == "duplicate_person" && k.result != CheckResult::Pass)
        .map(|k| k.case_id.as_str())
        .collect();
    for (person, cases) in by_person.iter().filter(|(_, c)| c.len() > 1) {
        let cases: Vec<&Case> = cases.iter().filter_map(|c| d.case(c)).collect();
        let masked = crate::domain::id_number::mask_any(person);
        for (i, a) in cases.iter().enumerate() {
            for b in &cases[i + 1..] {
                let live = |c: &Case| ctx.in_force_or_approved(c);
                let caught_by_verify = |c: &Case| flagged.contains(c.case_id.as_str());
                let report = match (live(a), live(b)) {
                    (true, true) => true,
                    (true, false) => !caught_by_verify(b),
                    (false, true) => !caught_by_verify(a),
                    (false, false) => false,
                };
                if !report {
                    continue;
                }
                if exclusive(&a.scheme, &b.scheme) {
                    f.push(err(
                        "J207",
                        &a.case_id,
                        m(
                            format!(
                                "person {masked} is in {} ({}) and {} ({}), schemes that exclude each other",
                                a.case_id, a.scheme, b.case_id, b.scheme
                            ),
                            format!(
                                "{masked} 同时在 {} ({}) 和 {} ({}) 中, 这两类救助不能同时享受",
                                a.case_id,
                                scheme_zh(ctx.policy, &a.scheme),
                                b.case_id,
                                scheme_zh(ctx.policy, &b.scheme)
                            ),
                        ),
                        m(
                            "stop one of the two cases (audit.exclusive_schemes in jiuzhu.yaml)",
                            "请停发其中一个案件 (见 jiuzhu.yaml 的 audit.exclusive_schemes)",
                        ),
                    ));
                } else {
                    f.push(err(
                        "J206",
                        &a.case_id,
                        m(
                            format!("person {masked} is in two open cases: {} and {}", a.case_id, b.case_id),
                            format!("{masked} 同时在两个在办案件中: {} 和 {}", a.case_id, b.case_id),
                        ),
                        m(
                            "remove the person from one household (re-intake) and re-decide it",
                            "请把此人从其中一户移出 (重新导入) 并重新审核确认",
                        ),
                    ));
                }
            }
        }
    }
}

/// Whether a case was acted on: no longer receiving, or a stop/decrease/refusal/gradual exit decided for it (from
/// `since` on, when given).
fn acted_on(ctx: &Ctx, case: &Case, since: Option<Period>) -> bool {
    if !ctx.in_force_or_approved(case) {
        return true;
    }
    ctx.decisions_of(&case.case_id).iter().any(|x| {
        matches!(
            x.kind,
            DecisionKind::Stop | DecisionKind::Decrease | DecisionKind::Reject | DecisionKind::GradualExit
        ) && !matches!(x.status, DecisionStatus::Rejected | DecisionStatus::Deferred)
            && since.is_none_or(|s| x.period >= s)
    })
}

fn exclude_hits(ctx: &Ctx, f: &mut Vec<Finding>) {
    for m in ctx
        .d
        .matches
        .iter()
        .filter(|m| m.effect == Effect::Exclude && m.disposition == Disposition::Confirmed)
    {
        let Some(case) = ctx.d.case(&m.case_id) else {
            continue;
        };
        if acted_on(ctx, case, None) {
            continue;
        }
        // A member's death is acted on when the decision in force no longer counts them.
        let members = ctx.members.get(case.case_id.as_str()).map_or(0, Vec::len);
        let counted_less = ctx
            .decisions_of(&case.case_id)
            .iter()
            .any(|x| defines_amounts(x) && Basis::parse(&x.basis).is_some_and(|b| b.members < members));
        if ctx.policy.is_death_registry(&m.source) && counted_less {
            continue;
        }
        f.push(err(
            "J208",
            &m.case_id,
            self::m(
                format!(
                    "confirmed {} hit {} ({}) is not acted on: the case is still {}",
                    m.source,
                    m.hit_id,
                    m.id_number.masked(),
                    case.status.as_str()
                ),
                format!(
                    "已确认的比对疑点 {} ({}, `{}`) 未处理: 案件仍为 `{}`",
                    m.hit_id,
                    m.id_number.masked(),
                    m.source,
                    case.status.as_str()
                ),
            ),
            self::m(
                "re-decide the case (`jiuzhu decide --period P` proposes the stop or decrease)",
                "请重新审核确认该案件 (`jiuzhu decide --period P` 会提出停发或减发)",
            ),
        ));
    }
}

fn relatives(ctx: &Ctx, f: &mut Vec<Finding>) {
    let regs = &ctx.policy.audit.relatives_registries;
    // Cases re-visited by the township or county, found once.
    let revisited: crate::hash::HashSet<&str> = ctx
        .d
        .visits
        .iter()
        .filter(|v| matches!(v.level, VisitLevel::Township | VisitLevel::County))
        .map(|v| v.case_id.as_str())
        .collect();
    for m in ctx.d.matches.iter().filter(|m| regs.contains(&m.source)) {
        let Some(case) = ctx.d.case(&m.case_id) else {
            continue;
        };
        if !ctx.in_force_or_approved(case) {
            continue;
        }
        if m.disposition == Disposition::Open || m.decided_by.trim().is_empty() {
            f.push(err(
                "J209",
                &m.case_id,
                self::m(
                    format!(
                        "relative of staff (近亲属备案, hit {}) approved without the hit decided by a named person",
                        m.hit_id
                    ),
                    format!("近亲属备案 (疑点 {}) 未经具名人员处理即获批准", m.hit_id),
                ),
                // An open hit is on the current worksheet, named by its batch.
                if m.disposition == Disposition::Open && !m.batch.is_empty() {
                    self::m(
                        format!(
                            "decide the hit with `jiuzhu compare --resolve reports/compare-hits-{}.xlsx` naming \
                             who decided",
                            m.batch
                        ),
                        format!(
                            "请用 `jiuzhu compare --resolve reports/compare-hits-{}.xlsx` 处理该疑点, 并写明处理人",
                            m.batch
                        ),
                    )
                } else {
                    self::m(
                        "decide the hit with `jiuzhu compare --resolve` naming who decided",
                        "请用 `jiuzhu compare --resolve` 处理该疑点, 并写明处理人",
                    )
                },
            ));
        }
        if !revisited.contains(m.case_id.as_str()) {
            f.push(err(
                "J209",
                &m.case_id,
                self::m(
                    format!(
                        "relative of staff (近亲属备案, hit {}) approved without a township re-visit",
                        m.hit_id
                    ),
                    format!("近亲属备案 (疑点 {}) 未经乡镇复查入户即获批准", m.hit_id),
                ),
                self::m(
                    "have the township re-visit the household and record it with `jiuzhu verify --visits`",
                    "请乡镇入户复查, 并用 `jiuzhu verify --visits` 记录",
                ),
            ));
        }
    }
}

fn approvals(ctx: &Ctx, f: &mut Vec<Finding>) {
    let policy = ctx.policy;
    let min = policy.verification.min_investigators;
    // Visits by case, notices by decision and meetings by day, grouped once (a scan per decision is quadratic).
    let visits = records::by_case(&ctx.d.visits);
    let mut notices_of: HashMap<&str, Vec<&Notice>> = HashMap::default();
    for n in &ctx.d.notices {
        notices_of.entry(n.decision_id.as_str()).or_default().push(n);
    }
    let mut meetings_on: HashMap<NaiveDate, Vec<&Meeting>> = HashMap::default();
    for m in &ctx.d.meetings {
        meetings_on.entry(m.date).or_default().push(m);
    }
    for x in ctx.d.decisions.iter().filter(|x| {
        matches!(
            x.status,
            DecisionStatus::Approved | DecisionStatus::Effective | DecisionStatus::Superseded
        ) && x.kind != DecisionKind::Reject
            && !x.urgent
    }) {
        if x.kind == DecisionKind::New {
            let ok =
                visits.get(x.case_id.as_str()).into_iter().flatten().any(|v| {
                    v.counts_at(VisitLevel::Village, min) && x.decided_on.is_none_or(|day| v.visited_on <= day)
                });
            if !ok {
                f.push(err(
                    "J210",
                    &x.case_id,
                    m(
                        format!(
                            "decision {} approved without a signed village home visit (入户调查) by at least {min} \
                             investigators",
                            x.decision_id
                        ),
                        format!(
                            "决定 {} 获批准时没有至少 {min} 名调查人员签字的村级入户调查",
                            x.decision_id
                        ),
                    ),
                    m(
                        "逢进必查: visit the household and record it (`jiuzhu verify --visits`), then review the \
                         approval",
                        "逢进必查: 请入户调查并记录 (`jiuzhu verify --visits`), 再复核该审批",
                    ),
                ));
            }
        }
        let meeting_ok = if x.meeting.is_empty() {
            false
        } else if x.meeting.starts_with("无争议免评议") {
            policy.decision.skip_appraisal_when_undisputed
        } else {
            x.decided_on
                .and_then(|day| meetings_on.get(&day))
                .into_iter()
                .flatten()
                .any(|m| x.meeting.0 == m.meeting.0 || x.meeting.starts_with(&format!("{}: ", m.meeting.0)))
        };
        if !meeting_ok {
            let day = x.decided_on.map(|d| d.to_string()).unwrap_or_default();
            f.push(err(
                "J211",
                &x.case_id,
                m(
                    format!(
                        "decision {} is {:?} without a recorded review meeting{}",
                        x.decision_id,
                        x.status,
                        if x.meeting.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " (`{}` on {:?} is not in meetings.csv, or 免评议 is not allowed)",
                                x.meeting, x.decided_on
                            )
                        }
                    ),
                    format!(
                        "决定 {} 为{}, 但没有评议会记录{}",
                        x.decision_id,
                        status_zh(x.status),
                        if x.meeting.is_empty() {
                            String::new()
                        } else {
                            format!(" ({day} 的「{}」不在 meetings.csv 中, 或不允许免评议)", x.meeting)
                        }
                    ),
                ),
                m(
                    "无评议记录不予审批: record the meeting with `jiuzhu decide --record`",
                    "无评议记录不予审批: 请用 `jiuzhu decide --record` 记录评议会",
                ),
            ));
        }
        let notices: &[&Notice] = notices_of.get(x.decision_id.as_str()).map_or(&[], Vec::as_slice);
        let private = notices.iter().any(|n| n.level == "private");
        let missing: Vec<&String> = policy
            .decision
            .notice_levels
            .iter()
            .filter(|l| !notices.iter().any(|n| &n.level == *l))
            .collect();
        let short: Vec<String> = notices
            .iter()
            .filter(|n| n.level != "private")
            .filter(|n| (n.end - n.start).num_days() + 1 < i64::from(policy.decision.notice_days))
            .map(|n| format!("{} {}–{}", n.level, n.start, n.end))
            .collect();
        let upheld = notices.iter().any(|n| n.status == "objection_upheld");
        if (!private && !missing.is_empty()) || !short.is_empty() || upheld {
            let levels = missing.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("、");
            f.push(err(
                "J212",
                &x.case_id,
                m(
                    format!(
                        "decision {} has no completed public notice ({}{}{})",
                        x.decision_id,
                        if !private && !missing.is_empty() {
                            format!("no posting at {:?}; ", missing)
                        } else {
                            String::new()
                        },
                        if short.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "shorter than {} days: {}; ",
                                policy.decision.notice_days,
                                short.join(", ")
                            )
                        },
                        if upheld { "an objection was upheld" } else { "" }
                    ),
                    format!(
                        "决定 {} 没有完成公示 ({}{}{})",
                        x.decision_id,
                        if !private && !missing.is_empty() {
                            format!("未在 {levels} 张贴; ")
                        } else {
                            String::new()
                        },
                        if short.is_empty() {
                            String::new()
                        } else {
                            format!("不足 {} 天: {}; ", policy.decision.notice_days, short.join(", "))
                        },
                        if upheld { "有异议成立" } else { "" }
                    ),
                ),
                m(
                    "post the notice for its full period (decide --record posts it) before the decision takes \
                     effect",
                    "决定生效前须公示满期 (decide --record 会张贴公示)",
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Replay.

/// A month as written, or nothing.
fn month_text(p: Option<Period>) -> String {
    p.map(|p| p.to_string()).unwrap_or_default()
}

fn replay_decisions(ctx: &Ctx, f: &mut Vec<Finding>) {
    // Confirmed deaths that exclude a member, by case, found once (a scan of the hits per decision is quadratic).
    let mut dead_of: HashMap<&str, BTreeSet<String>> = HashMap::default();
    for m in ctx.d.matches.iter().filter(|m| {
        ctx.policy.is_death_registry(&m.source)
            && m.disposition == Disposition::Confirmed
            && m.effect == Effect::Exclude
    }) {
        dead_of
            .entry(m.case_id.as_str())
            .or_default()
            .insert(m.id_number.as_str().to_string());
    }
    // Each decision is replayed on its own, on both cores; the findings are joined in the ledger's order.
    let found: Vec<Vec<Finding>> = ctx
        .d
        .decisions
        .par_iter()
        .map(|x| {
            let mut found = Vec::new();
            replay_one(ctx, &dead_of, x, &mut found);
            found
        })
        .collect();
    f.extend(found.into_iter().flatten());
}

/// Replays one decision from its basis (see [`replay_decisions`]); `dead_of`: the confirmed deaths by case.
fn replay_one(ctx: &Ctx, dead_of: &HashMap<&str, BTreeSet<String>>, x: &Decision, f: &mut Vec<Finding>) {
    let policy = ctx.policy;
    let fix = m(
        "restore decisions.csv from Git; amounts are only ever changed by `jiuzhu decide`",
        "请从 Git 恢复 decisions.csv; 金额只能由 `jiuzhu decide` 改动",
    );
    if decision::decision_id(&x.case_id, x.period, x.kind) != x.decision_id {
        f.push(err(
            "J302",
            &x.case_id,
            m(
                format!(
                    "decision {}: its ID does not belong to case {}, period {} and kind {:?}",
                    x.decision_id, x.case_id, x.period, x.kind
                ),
                format!(
                    "决定 {}: 其编号与案件 {}、月份 {}、类型{}不符",
                    x.decision_id,
                    x.case_id,
                    x.period,
                    x.kind.label_zh()
                ),
            ),
            fix.clone(),
        ));
    }
    if x.delta_amount.0 != x.amount.0 - x.previous_amount.0 {
        f.push(err(
            "J302",
            &x.case_id,
            m(
                format!(
                    "decision {}: delta {} ≠ amount {} − previous {}",
                    x.decision_id, x.delta_amount, x.amount, x.previous_amount
                ),
                format!(
                    "决定 {}: 变动 {} ≠ 金额 {} − 原金额 {}",
                    x.decision_id, x.delta_amount, x.amount, x.previous_amount
                ),
            ),
            fix.clone(),
        ));
    }
    let expect_fixed = match x.kind {
        DecisionKind::Stop | DecisionKind::Reject => Some(Fen(0)),
        DecisionKind::GradualExit => Some(x.previous_amount),
        _ => None,
    };
    if let Some(want) = expect_fixed {
        if x.amount != want {
            f.push(err(
                "J301",
                &x.case_id,
                m(
                    format!(
                        "decision {} ({}): amount {} but a {} pays {want}",
                        x.decision_id,
                        x.kind.label_zh(),
                        x.amount,
                        x.kind.label_zh()
                    ),
                    format!(
                        "决定 {} ({}): 金额为 {}, 而{}应为 {want}",
                        x.decision_id,
                        x.kind.label_zh(),
                        x.amount,
                        x.kind.label_zh()
                    ),
                ),
                fix.clone(),
            ));
        }
        return;
    }
    let (p, Some(case)) = (x.period, ctx.d.case(&x.case_id)) else {
        return;
    };
    if x.basis.is_empty() {
        f.push(err(
            "J302",
            &x.case_id,
            m(
                format!(
                    "decision {} ({}) records no basis, so it cannot be replayed",
                    x.decision_id,
                    x.kind.label_zh()
                ),
                format!(
                    "决定 {} ({}) 没有记录计算依据, 无法复算",
                    x.decision_id,
                    x.kind.label_zh()
                ),
            ),
            fix.clone(),
        ));
        return;
    }
    let members = ctx.members.get(x.case_id.as_str()).cloned().unwrap_or_default();
    let dead = dead_of.get(x.case_id.as_str()).cloned().unwrap_or_default();
    let mut replayed = None;
    for without in [BTreeSet::new(), dead] {
        if let Ok((computed, basis)) = decide::compute(policy, case, &members, p.first_day(), &without) {
            if Some(basis) == Basis::parse(&x.basis) {
                replayed = Some(computed);
                break;
            }
        }
    }
    // The case's data changed since the decision: its basis no longer reproduces, nothing to replay.
    let Some(computed) = replayed else {
        return;
    };
    match computed {
        Computed::Pay { amount, derivation, .. } => {
            if amount != x.amount {
                f.push(err(
                    "J301",
                    &x.case_id,
                    m(
                        format!(
                            "decision {} ({} {}): amount {} but the replay from its basis gives {amount}",
                            x.decision_id,
                            x.kind.label_zh(),
                            x.period,
                            x.amount
                        ),
                        format!(
                            "决定 {} ({} {}): 金额为 {}, 按其依据复算为 {amount}",
                            x.decision_id,
                            x.kind.label_zh(),
                            x.period,
                            x.amount
                        ),
                    ),
                    fix,
                ));
            } else if derivation.text() != x.derivation.0 || derivation.policy_values.join("; ") != x.policy_values.0 {
                f.push(err(
                    "J301",
                    &x.case_id,
                    m(
                        format!(
                            "decision {}: its derivation or policy values differ from the replay from its basis",
                            x.decision_id
                        ),
                        format!("决定 {}: 计算过程或政策取值与按其依据复算的结果不符", x.decision_id),
                    ),
                    fix,
                ));
            }
        }
        Computed::Ineligible { reason, .. } => f.push(err(
            "J301",
            &x.case_id,
            m(
                format!(
                    "decision {} pays {} but the replay from its basis finds the household ineligible ({reason})",
                    x.decision_id, x.amount
                ),
                format!(
                    "决定 {} 发放 {} 元, 但按其依据复算该户不符合条件 ({reason})",
                    x.decision_id, x.amount
                ),
            ),
            fix,
        )),
    }
}

fn replay_payments(ctx: &Ctx, f: &mut Vec<Finding>) {
    let d = ctx.d;
    let fix = m(
        "restore payments.csv from Git; payments are only ever written by `jiuzhu disburse`",
        "请从 Git 恢复 payments.csv; 付款只能由 `jiuzhu disburse` 写入",
    );
    let by_id: BTreeMap<&str, &Decision> = d.decisions.iter().map(|x| (x.decision_id.as_str(), x)).collect();
    let mut per_month: BTreeMap<(&str, Period), usize> = BTreeMap::new();
    for p in &d.payments {
        *per_month.entry((p.case_id.as_str(), p.period)).or_default() += 1;
    }
    let payments: BTreeMap<&str, &Payment> = d.payments.iter().map(|p| (p.payment_id.as_str(), p)).collect();
    // The months due to each case, up to the last month it was paid for, worked out once per case (whether a
    // month is due does not depend on how far the months are counted): not once per payment, which grows with
    // the square of a case's history.
    let mut last_paid: crate::hash::HashMap<&str, Period> = crate::hash::HashMap::default();
    for p in d.payments.iter().filter(|p| ctx.in_scope(p.period)) {
        {
            let month = p.period;
            last_paid
                .entry(p.case_id.as_str())
                .and_modify(|m| *m = (*m).max(month))
                .or_insert(month);
        }
    }
    let mut due_of: crate::hash::HashMap<&str, BTreeSet<Period>> = crate::hash::HashMap::default();
    for p in d.payments.iter().filter(|p| ctx.in_scope(p.period)) {
        let month = p.period;
        let n = per_month.get(&(p.case_id.as_str(), p.period)).copied().unwrap_or(0);
        if !(0..n).any(|i| disburse::payment_id(&p.case_id, month, i) == p.payment_id) {
            f.push(err(
                "J303",
                &p.case_id,
                m(
                    format!(
                        "payment {}: its ID does not belong to case {} and month {month}",
                        p.payment_id, p.case_id
                    ),
                    format!("付款 {}: 其流水号与案件 {}、月份 {month} 不符", p.payment_id, p.case_id),
                ),
                fix.clone(),
            ));
        }
        match d.case(&p.case_id) {
            None => f.push(err(
                "J303",
                &p.case_id,
                m(
                    format!("payment {}: no such case", p.payment_id),
                    format!("付款 {}: 没有该案件", p.payment_id),
                ),
                fix.clone(),
            )),
            Some(c) if c.scheme != p.scheme => f.push(err(
                "J303",
                &p.case_id,
                m(
                    format!(
                        "payment {}: scheme {} but the case is {}",
                        p.payment_id, p.scheme, c.scheme
                    ),
                    format!(
                        "付款 {}: 救助类别为 {}, 而案件为 {}",
                        p.payment_id,
                        scheme_zh(ctx.policy, &p.scheme),
                        scheme_zh(ctx.policy, &c.scheme)
                    ),
                ),
                fix.clone(),
            )),
            _ => {}
        }
        let Some(x) = by_id.get(p.decision_id.as_str()) else {
            continue; // J201
        };
        let want = match p.kind {
            PaymentKind::Regular | PaymentKind::Arrears | PaymentKind::OneOff => Some(x.amount),
            PaymentKind::Reissue => payments.get(p.reissue_of.as_str()).map(|o| o.amount),
            PaymentKind::Adjustment => None,
        };
        if let Some(want) = want {
            if want != p.amount {
                f.push(err(
                    "J303",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} ({month}, {}): paid {} but its decision {} gives {want}",
                            p.payment_id,
                            p.kind.label_zh(),
                            p.amount,
                            x.decision_id
                        ),
                        format!(
                            "付款 {} ({month}, {}): 发放 {}, 而其决定 {} 应为 {want}",
                            p.payment_id,
                            p.kind.label_zh(),
                            p.amount,
                            x.decision_id
                        ),
                    ),
                    fix.clone(),
                ));
            }
        }
        if let Some(case) = d.case(&p.case_id) {
            if let Some(scheme) = ctx.policy.schemes.get(&case.scheme) {
                let due = due_of.entry(p.case_id.as_str()).or_insert_with(|| {
                    let ds = ctx.decisions_of(&p.case_id);
                    decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, last_paid[p.case_id.as_str()])
                        .into_iter()
                        .map(|u| u.month)
                        .collect()
                });
                if !due.contains(&month)
                    && p.status != PaymentStatus::Reissued
                    && p.kind != PaymentKind::OneOff
                    && !ctx.recovered.contains(&(p.case_id.clone(), month))
                {
                    f.push(err(
                        "J303",
                        &p.case_id,
                        m(
                            format!(
                                "payment {} ({month}, {}): nothing is due to the case that month",
                                p.payment_id, p.amount
                            ),
                            format!(
                                "付款 {} ({month}, {} 元): 该案件当月没有应发款项",
                                p.payment_id, p.amount
                            ),
                        ),
                        fix.clone(),
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The monthly change report.

/// The monthly change reports from the decisions: every month from the first decided to the audited one, every
/// scheme that pays monthly (临时救助 is one-off and has no monthly total), zero rows included.
fn change_reports(ctx: &Ctx) -> Vec<ChangeReport> {
    let d = ctx.d;
    let Some(last) = ctx.period else {
        return Vec::new();
    };
    let last = d
        .payments
        .iter()
        .map(|p| p.period)
        .chain(std::iter::once(last))
        .max()
        .unwrap_or(last);
    let Some(first) = d
        .decisions
        .iter()
        .filter(|x| defines_amounts(x))
        .filter_map(|x| x.effective_from)
        .min()
    else {
        return Vec::new();
    };
    // Amount and persons in force per case and month.
    let mut force: BTreeMap<(&str, Period), (i64, i64)> = BTreeMap::new();
    for c in &d.cases {
        let Some(scheme) = ctx.policy.schemes.get(&c.scheme) else {
            continue;
        };
        if scheme.kind == SchemeKind::Temporary {
            continue;
        }
        let ds = ctx.decisions_of(&c.case_id);
        let by_id: BTreeMap<&str, &&Decision> = ds.iter().map(|x| (x.decision_id.as_str(), x)).collect();
        for due in decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, last) {
            let persons = by_id
                .get(due.decision_id.as_str())
                .and_then(|x| {
                    x.basis
                        .0
                        .split(';')
                        .find_map(|b| b.strip_prefix("members=").and_then(|n| n.parse::<i64>().ok()))
                })
                .unwrap_or(i64::from(c.household_size));
            force.insert((c.case_id.as_str(), due.month), (due.amount.0, persons));
        }
    }
    let mut out = Vec::new();
    let mut m = first;
    while m <= last {
        for (key, scheme) in &ctx.policy.schemes {
            if scheme.kind == SchemeKind::Temporary {
                continue;
            }
            let mut r = ChangeReport {
                period: m.to_string(),
                scheme: key.clone(),
                households_before: 0,
                persons_before: 0,
                before_amount: Fen(0),
                new_households: 0,
                new_persons: 0,
                new_amount: Fen(0),
                increase_households: 0,
                increase_persons: 0,
                increase_amount: Fen(0),
                decrease_households: 0,
                decrease_persons: 0,
                decrease_amount: Fen(0),
                stop_households: 0,
                stop_persons: 0,
                stop_amount: Fen(0),
                households_after: 0,
                persons_after: 0,
                after_amount: Fen(0),
            };
            for c in d.cases.iter().filter(|c| &c.scheme == key) {
                let (b, pb) = force.get(&(c.case_id.as_str(), m.prev())).copied().unwrap_or((0, 0));
                let (a, pa) = force.get(&(c.case_id.as_str(), m)).copied().unwrap_or((0, 0));
                if b > 0 {
                    r.households_before += 1;
                    r.persons_before += pb;
                    r.before_amount.0 += b;
                }
                if a > 0 {
                    r.households_after += 1;
                    r.persons_after += pa;
                    r.after_amount.0 += a;
                }
                match (b > 0, a > 0) {
                    (false, true) => {
                        r.new_households += 1;
                        r.new_persons += pa;
                        r.new_amount.0 += a;
                    }
                    (true, false) => {
                        r.stop_households += 1;
                        r.stop_persons += pb;
                        r.stop_amount.0 += b;
                    }
                    (true, true) => {
                        if a > b {
                            r.increase_households += 1;
                            r.increase_amount.0 += a - b;
                        } else if a < b {
                            r.decrease_households += 1;
                            r.decrease_amount.0 += b - a;
                        }
                        if pa > pb {
                            r.increase_persons += pa - pb;
                        } else {
                            r.decrease_persons += pb - pa;
                        }
                    }
                    (false, false) => {}
                }
            }
            out.push(r);
        }
        m = m.next();
    }
    out
}

/// Reports each way a change report does not reconcile (households, persons, money).
fn reconcile(r: &ChangeReport, source: &str, f: &mut Vec<Finding>) {
    let fix = m(
        "find the missing or miscounted change (新增/增发/减发/停发) and correct the report",
        "请找出遗漏或计错的变动 (新增/增发/减发/停发) 并更正报告",
    );
    let h = r.households_before + r.new_households - r.stop_households;
    if h != r.households_after {
        f.push(err(
            "J305",
            "",
            m(
                format!(
                    "{source}: change report {} {} does not reconcile in households: {} + {} new − {} stopped = \
                     {h}, but it says {}",
                    r.period, r.scheme, r.households_before, r.new_households, r.stop_households, r.households_after
                ),
                format!(
                    "{source}: {} {} 的变动报告户数不平: {} + 新增 {} − 停发 {} = {h}, 而报告为 {}",
                    r.period, r.scheme, r.households_before, r.new_households, r.stop_households, r.households_after
                ),
            ),
            fix.clone(),
        ));
    }
    let p = r.persons_before + r.new_persons + r.increase_persons - r.decrease_persons - r.stop_persons;
    if p != r.persons_after {
        f.push(err(
            "J305",
            "",
            m(
                format!(
                    "{source}: change report {} {} does not reconcile in persons: {} + {} new + {} − {} − {} \
                     stopped = {p}, but it says {}",
                    r.period,
                    r.scheme,
                    r.persons_before,
                    r.new_persons,
                    r.increase_persons,
                    r.decrease_persons,
                    r.stop_persons,
                    r.persons_after
                ),
                format!(
                    "{source}: {} {} 的变动报告人数不平: {} + 新增 {} + {} − {} − 停发 {} = {p}, 而报告为 {}",
                    r.period,
                    r.scheme,
                    r.persons_before,
                    r.new_persons,
                    r.increase_persons,
                    r.decrease_persons,
                    r.stop_persons,
                    r.persons_after
                ),
            ),
            fix.clone(),
        ));
    }
    let a = r.before_amount.0 + r.new_amount.0 + r.increase_amount.0 - r.decrease_amount.0 - r.stop_amount.0;
    if a != r.after_amount.0 {
        f.push(err(
            "J305",
            "",
            m(
                format!(
                    "{source}: change report {} {} does not reconcile in money: {} + {} new + {} increases − {} \
                     decreases − {} stops = {}, but it says {}",
                    r.period,
                    r.scheme,
                    r.before_amount,
                    r.new_amount,
                    r.increase_amount,
                    r.decrease_amount,
                    r.stop_amount,
                    Fen(a),
                    r.after_amount
                ),
                format!(
                    "{source}: {} {} 的变动报告金额不平: {} + 新增 {} + 增发 {} − 减发 {} − 停发 {} = {}, 而报告为 {}",
                    r.period,
                    r.scheme,
                    r.before_amount,
                    r.new_amount,
                    r.increase_amount,
                    r.decrease_amount,
                    r.stop_amount,
                    Fen(a),
                    r.after_amount
                ),
            ),
            fix,
        ));
    }
}

/// `jiuzhu audit --change-report FILE`: reconciles an external report in the change_reports.csv columns.
pub fn external_change_report(args: &Args, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let rows = ledger::parse_from::<ChangeReport>(ledger::Origin::File(&shown), &bytes).with_context(|| {
        crate::i18n::tr(
            format!("{shown} is not a change report in the columns of ledgers/change_reports.csv"),
            format!("{shown} 不是按 ledgers/change_reports.csv 的列写的变动报告"),
        )
    })?;
    let mut f = Vec::new();
    for r in &rows {
        reconcile(r, &shown, &mut f);
    }
    if crate::ui::json() {
        crate::ui::record("rows", rows.len());
        record_findings(&f);
    }
    if f.is_empty() {
        if !args.quiet {
            let n = rows.len();
            crate::outln!(
                "{}",
                tr(
                    format!("audit --change-report {shown}: {n} rows, every one reconciles"),
                    format!("审计变动报告 {shown}: {n} 行, 全部平衡"),
                )
            );
        }
        return Ok(Outcome::Done);
    }
    for x in &f {
        crate::outln!("{}", x.line());
    }
    let n = f.len();
    crate::outln!(
        "{}",
        tr(
            format!("audit: {n} findings in {shown}"),
            format!("审计: {shown} 中发现 {n} 项")
        )
    );
    Ok(Outcome::NeedsAttention)
}

// ---------------------------------------------------------------------------------------------------------------
// Cadence.

fn cadence(ctx: &Ctx, f: &mut Vec<Finding>) {
    let Some(as_of) = ctx.as_of else {
        return;
    };
    let seen = cadence::LastSeen::new(&ctx.d.visits, &ctx.d.followups, &ctx.d.checks, as_of);
    for due in cadence::overdue_rechecks(ctx.policy, &ctx.d.cases, &seen, as_of) {
        f.push(warn(
            "J401",
            &due.case_id,
            m(
                format!(
                    "{} case overdue for re-check as of {as_of}: every {} month(s), last {}",
                    due.scheme,
                    due.months,
                    due.last.map_or("never".to_string(), |l| l.to_string())
                ),
                format!(
                    "{}案件截至 {as_of} 逾期未复核: 每 {} 个月一次, 上次 {}",
                    scheme_zh(ctx.policy, &due.scheme),
                    due.months,
                    due.last.map_or("从未复核".to_string(), |l| l.to_string())
                ),
            ),
            m(
                "visit or re-verify the household (`jiuzhu verify --visits`), or record the follow-up visit that \
                 checked it (`jiuzhu intake --kind followups`), 动态管理",
                "请入户或重新核查该户 (`jiuzhu verify --visits`), 或录入核查它的回访 (`jiuzhu intake --kind followups`), \
                 动态管理",
            ),
        ));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Active discovery (主动发现): the rules are in `domain::discovery`.

fn discovery_chain(ctx: &Ctx, f: &mut Vec<Finding>) {
    use crate::domain::discovery as rules;
    let d = ctx.d;
    if d.discoveries.is_empty() {
        return;
    }
    let as_of = ctx
        .as_of
        .or_else(|| crate::cmd::monitor::latest_known(&d.cases, &d.discoveries, &d.monitored));
    if let Some(as_of) = as_of {
        for x in rules::overdue(&d.discoveries, as_of) {
            f.push(warn(
                "J601",
                "",
                m(
                    format!(
                        "discovery {} ({}, {}) not investigated by {} (as of {as_of})",
                        x.discovery_id, x.name, x.township, x.due_on
                    ),
                    format!(
                        "主动发现 {} ({}, {}) 应于 {} 前入户调查, 截至 {as_of} 仍未办结",
                        x.discovery_id, x.name, x.township, x.due_on
                    ),
                ),
                m(
                    "investigate at the door and return the worksheet of `jiuzhu discover`",
                    "请入户调查并交回 `jiuzhu discover` 写出的入户调查评估表",
                ),
            ));
        }
        for r in rules::overdue_referrals(&d.referrals, as_of) {
            f.push(warn(
                "J604",
                "",
                m(
                    format!(
                        "referral {} to {} unanswered since its due date {} (as of {as_of})",
                        r.referral_id, r.department, r.due_on
                    ),
                    format!(
                        "转介 {} ({}) 超过答复期限 {} 仍未答复 (截至 {as_of})",
                        r.referral_id, r.department, r.due_on
                    ),
                ),
                m(
                    "ask the department and return the referral worksheet",
                    "请催办, 并交回转介答复表",
                ),
            ));
        }
    }
    for x in rules::without_case(&d.discoveries, |c| d.case(c).is_some()) {
        f.push(err(
            "J602",
            &x.case_id,
            m(
                format!(
                    "discovery {} ({}) ended in an assisted application or urgent help, but its case is not in \
                     cases.csv",
                    x.discovery_id, x.name
                ),
                format!(
                    "主动发现 {} ({}) 的处理结果为协助申请或先行救助, 但 cases.csv 中没有其案件",
                    x.discovery_id, x.name
                ),
            ),
            m(
                "register the application (`jiuzhu intake` on the register `jiuzhu discover` pre-filled)",
                "请用 `jiuzhu discover` 预填的申请登记表办理受理 (`jiuzhu intake`)",
            ),
        ));
    }
    for x in rules::closed_against_rules(&d.discoveries, &d.investigations, &ctx.policy.discovery) {
        f.push(err(
            "J603",
            &x.case_id,
            m(
                format!(
                    "discovery {} ({}) is {} without a home investigation that meets the 三个不放过",
                    x.discovery_id,
                    x.name,
                    match x.status {
                        crate::ledger::DiscoveryStatus::Closed => "closed",
                        _ => "followed",
                    }
                ),
                format!(
                    "主动发现 {} ({}) {}, 但没有做到三个不放过的入户调查记录",
                    x.discovery_id,
                    x.name,
                    x.status.label_zh()
                ),
            ),
            m(
                "investigate again at the door; restore discoveries.csv from Git if it was edited by hand",
                "请重新入户调查; 如 discoveries.csv 被手工改动, 请从 Git 恢复",
            ),
        ));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Spot checks (抽查).

const TRUE: &str = "属实";
const NOT_TRUE: &str = "不属实";
const NOT_FOUND: &str = "未找到";

fn spot_check_findings(ctx: &Ctx, f: &mut Vec<Finding>) {
    for s in &ctx.d.spot_checks {
        if s.scheme == NO_ASSISTANCE {
            turned_away_finding(ctx, s, f);
            continue;
        }
        let Some(case) = ctx.d.case(&s.case_id) else {
            continue;
        };
        let since = s.checked_on.map(Period::of);
        match s.result.as_str() {
            "not_true" if !acted_on(ctx, case, since) => f.push(err(
                "J501",
                &s.case_id,
                m(
                    format!(
                        "spot check {} found the case 不属实 ({}, {}) and it is still {}",
                        s.sample,
                        s.note,
                        s.checker,
                        case.status.as_str()
                    ),
                    format!(
                        "抽查 {} 核查结果为不属实 ({}, {}), 而案件仍为 `{}`",
                        s.sample,
                        s.note,
                        s.checker,
                        case.status.as_str()
                    ),
                ),
                m(
                    "re-verify and re-decide the case (decrease, stop or refuse)",
                    "请重新核查并审核确认该案件 (减发、停发或不予批准)",
                ),
            )),
            "not_found" if !acted_on(ctx, case, since) => f.push(warn(
                "J502",
                &s.case_id,
                m(
                    format!(
                        "spot check {}: the household was not found (未找到, {})",
                        s.sample, s.note
                    ),
                    format!("抽查 {}: 未找到该户 ({})", s.sample, s.note),
                ),
                m(
                    "visit again; a household that cannot be found is re-verified",
                    "请再次入户; 找不到的家庭须重新核查",
                ),
            )),
            "" => f.push(warn(
                "J503",
                &s.case_id,
                m(
                    format!("spot check {}: drawn, no result recorded yet", s.sample),
                    format!("抽查 {}: 已抽中, 尚未记录核查结果", s.sample),
                ),
                {
                    // The worksheet `audit --sample` wrote for this sample (its seed).
                    let sheet = spot_check_sheet(&s.sample);
                    m(
                        format!("fill in {0} and `jiuzhu audit --record {0}`", sheet.display()),
                        format!("请填写 {0} 后运行 `jiuzhu audit --record {0}`", sheet.display()),
                    )
                },
            )),
            _ => {}
        }
    }
}

/// The spot-check worksheet of a sample (named by its seed), relative to the workspace.
fn spot_check_sheet(sample: &str) -> PathBuf {
    PathBuf::from("reports").join(format!("spot-check-{sample}.xlsx"))
}

/// A percentage in hundredths of a percent (`5%` → 500, `2.5` → 250).
fn parse_percent(s: &str) -> Result<u32> {
    let t = s.trim().trim_end_matches(['%', '％']);
    let f = Fen::parse_yuan(t).map_err(|_| {
        anyhow!(
            "--sample `{s}`: {}",
            tr("give a percentage such as 5% or 2.5", "请给出百分比, 如 5% 或 2.5")
        )
    })?;
    if f.0 <= 0 || f.0 > 10_000 {
        bail!(
            "--sample `{s}`: {}",
            tr("a percentage above 0 and at most 100", "百分比须大于 0 且不超过 100")
        );
    }
    Ok(f.0 as u32)
}

/// The sample: in each stratum (village and scheme when stratified, else all), the effective cases ranked by
/// SHA-256 of `seed|case_id`, the first ceil(pct × n) taken (at least 1 per non-empty stratum when stratified).
pub fn draw(cases: &[Case], seed: u64, basis_points: u32, stratify: bool) -> Vec<(String, u32, String)> {
    let mut strata: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in cases.iter().filter(|c| c.status == CaseStatus::Effective) {
        let key = if stratify {
            format!("{}{} / {}", c.township, c.village, c.scheme)
        } else {
            String::new()
        };
        strata.entry(key).or_default().push(c.case_id.clone());
    }
    let mut out = Vec::new();
    for (key, ids) in strata {
        let n = ids.len();
        let mut take = (basis_points as usize * n).div_ceil(10_000);
        if n > 0 {
            take = take.max(1);
        }
        for (i, (_, id)) in eligibility::ranked(seed, &ids).into_iter().take(take).enumerate() {
            out.push((id, i as u32 + 1, key.clone()));
        }
    }
    out
}

fn draw_sample(ws: &Workspace, args: &Args, pct: &str, seed: u64) -> Result<Outcome> {
    let bp = parse_percent(pct)?;
    let percent = Fen(i64::from(bp)).to_string();
    let percent = percent.trim_end_matches('0').trim_end_matches('.').to_string();
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let cases = ledger::read::<Case>(ws)?;
    let mut spot = ledger::read::<SpotCheck>(ws)?;
    let sample = seed.to_string();
    let drawn = draw(&cases, seed, bp, args.stratify);
    let population = cases.iter().filter(|c| c.status == CaseStatus::Effective).count();
    // 防止漏保: the discoveries closed as 无需救助 are re-checked at the same rate (at least one), so a household
    // turned away at the door is looked at again.
    let discoveries = ledger::read::<crate::ledger::Discovery>(ws)?;
    let turned_away = draw_turned_away(&discoveries, seed, bp);
    if drawn.is_empty() {
        bail!(
            "{}",
            tr(
                "no effective cases to draw a spot-check sample from",
                "没有正在享受救助的案件可供抽查"
            )
        );
    }
    if spot.iter().any(|s| s.sample == sample && !s.result.is_empty()) {
        let same: BTreeSet<&str> = spot
            .iter()
            .filter(|s| s.sample == sample)
            .map(|s| s.case_id.as_str())
            .collect();
        let now: BTreeSet<&str> = drawn
            .iter()
            .map(|(id, _, _)| id.as_str())
            .chain(turned_away.iter().map(|(d, _)| d.discovery_id.as_str()))
            .collect();
        if same != now {
            bail!(
                "{}",
                tr(
                    format!(
                        "sample {sample} was already drawn and has results recorded; draw another with a new --seed"
                    ),
                    format!("样本 {sample} 已抽取且已记录核查结果; 请用新的 --seed 另行抽取"),
                )
            );
        }
    }
    let by_id: BTreeMap<&str, &Case> = cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let old: BTreeMap<String, SpotCheck> = spot
        .iter()
        .filter(|s| s.sample == sample)
        .map(|s| (s.case_id.clone(), s.clone()))
        .collect();
    spot.retain(|s| s.sample != sample);
    for (d, rank) in &turned_away {
        let prev = old.get(&d.discovery_id);
        spot.push(SpotCheck {
            sample: sample.clone(),
            case_id: d.discovery_id.clone(),
            scheme: NO_ASSISTANCE.into(),
            village: Text(format!("{}{}", d.township, d.village)),
            percent: percent.clone(),
            stratified: args.stratify,
            rank: *rank,
            result: prev.map(|p| p.result.clone()).unwrap_or_default(),
            note: prev.map(|p| p.note.clone()).unwrap_or_default(),
            checker: prev.map(|p| p.checker.clone()).unwrap_or_default(),
            checked_on: prev.and_then(|p| p.checked_on),
        });
    }
    for (id, rank, _) in &drawn {
        let c = by_id[id.as_str()];
        let prev = old.get(id);
        spot.push(SpotCheck {
            sample: sample.clone(),
            case_id: id.clone(),
            scheme: c.scheme.clone(),
            village: Text(format!("{}{}", c.township, c.village)),
            percent: percent.clone(),
            stratified: args.stratify,
            rank: *rank,
            result: prev.map(|p| p.result.clone()).unwrap_or_default(),
            note: prev.map(|p| p.note.clone()).unwrap_or_default(),
            checker: prev.map(|p| p.checker.clone()).unwrap_or_default(),
            checked_on: prev.and_then(|p| p.checked_on),
        });
    }
    let rel = spot_check_sheet(&sample);
    let out = tr(
        format!(
            "audit --sample {percent}% --seed {seed}{}: {} of {population} effective cases drawn{}; worksheet {}{}",
            if args.stratify { " --stratify" } else { "" },
            drawn.len(),
            if turned_away.is_empty() {
                String::new()
            } else {
                format!(", and {} discoveries closed as 无需救助", turned_away.len())
            },
            if args.dry_run { "would be " } else { "" },
            rel.display()
        ),
        format!(
            "抽查 `--sample {percent}% --seed {seed}{}`: 从 {population} 户享受救助的案件中抽出 {} 户{}; 核查表{} {}",
            if args.stratify { " --stratify" } else { "" },
            drawn.len(),
            if turned_away.is_empty() {
                String::new()
            } else {
                format!(", 另抽 {} 条以无需救助办结的主动发现回查", turned_away.len())
            },
            if args.dry_run { "将写入" } else { "" },
            rel.display()
        ),
    );
    if crate::ui::json() {
        crate::ui::record("sample", sample.clone());
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("population", population);
        let ids: Vec<&str> = drawn.iter().map(|(id, _, _)| id.as_str()).collect();
        crate::ui::record("drawn", ids);
        crate::ui::record("worksheet", rel.display().to_string());
    }
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        for (id, rank, stratum) in &drawn {
            crate::outln!("  {id} #{rank} {stratum}");
        }
        return Ok(Outcome::Done);
    }
    let mut txn = Txn::new();
    let bytes = ledger::to_bytes(&spot)?;
    if ws.differs(ledger::path_of::<SpotCheck>(), &bytes)? {
        let mut chain = ledger::read::<Event>(ws)?;
        let cases_sha = sha256_hex(&ws.read_optional(ledger::path_of::<Case>())?.unwrap_or_default());
        events::append(
            &mut chain,
            [NewEvent {
                step: "audit".into(),
                detail: format!(
                    "spot-check sample {sample}: {} of {population} cases ({percent}%{})",
                    drawn.len(),
                    if args.stratify { ", stratified" } else { "" }
                ),
                inputs: format!("{POLICY_FILE}={};cases.csv={cases_sha}", ws.policy_sha256()?),
                ..NewEvent::default()
            }],
        );
        txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
    }
    txn.put(ledger::path_of::<SpotCheck>(), bytes);
    let names: BTreeMap<&str, &str> = by_id
        .iter()
        .map(|(id, c)| (*id, c.applicant_name.as_str()))
        .chain(discoveries.iter().map(|d| (d.discovery_id.as_str(), d.name.as_str())))
        .collect();
    txn.put(&rel, spot_workbook(&ws.policy, &spot, &sample, &names)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

const H_CASE: &str = "案件编号";
const H_NAME: &str = "户主";
const H_VILLAGE: &str = "乡镇村";
const H_SCHEME: &str = "救助类别";
const H_RANK: &str = "抽取序号";
const H_RESULT: &str = "核查结果";
const H_NOTE: &str = "说明";
const H_CHECKER: &str = "核查人";
const H_DATE: &str = "核查日期";

/// The headers as worksheets before these were Chinese only wrote them (`案件编号 case`, …): still read back.
fn old_label(label: &str) -> &'static str {
    match label {
        H_CASE => "案件编号 case",
        H_VILLAGE => "乡镇村 village",
        H_SCHEME => "救助类别 scheme",
        H_RESULT => "核查结果 result",
        H_NOTE => "说明 note",
        H_CHECKER => "核查人 checker",
        H_DATE => "核查日期 date",
        _ => "",
    }
}

/// A spot-check row's kind as the worksheet shows it: the scheme's label, or 无需救助回查 for a discovery.
fn spot_kind_label(policy: &Policy, scheme: &str) -> String {
    if scheme == NO_ASSISTANCE {
        return NO_ASSISTANCE_LABEL.into();
    }
    policy
        .schemes
        .get(scheme)
        .map(|x| x.label.clone())
        .unwrap_or(scheme.to_string())
}

/// The `scheme` of a spot check that re-checks a discovery closed as 无需救助 (its `case_id` is the discovery's).
const NO_ASSISTANCE: &str = "no_assistance";
const NO_ASSISTANCE_LABEL: &str = "无需救助回查";

/// The discoveries closed as 无需救助 drawn for re-checking: `basis_points` of them (at least one when there are
/// any), ranked by SHA-256 of `seed|discovery_id` as the cases are, with their rank.
fn draw_turned_away(
    discoveries: &[crate::ledger::Discovery],
    seed: u64,
    basis_points: u32,
) -> Vec<(&crate::ledger::Discovery, u32)> {
    use crate::ledger::{DiscoveryOutcome, DiscoveryStatus};
    let closed: Vec<&crate::ledger::Discovery> = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Closed && d.outcome == Some(DiscoveryOutcome::NoAssistance))
        .collect();
    if closed.is_empty() {
        return Vec::new();
    }
    let take = (basis_points as usize * closed.len()).div_ceil(10_000).max(1);
    let ids: Vec<String> = closed.iter().map(|d| d.discovery_id.clone()).collect();
    let by_id: BTreeMap<&str, &crate::ledger::Discovery> =
        closed.iter().map(|d| (d.discovery_id.as_str(), *d)).collect();
    eligibility::ranked(seed, &ids)
        .into_iter()
        .take(take)
        .enumerate()
        .map(|(i, (_, id))| (by_id[id.as_str()], i as u32 + 1))
        .collect()
}

fn spot_workbook(policy: &Policy, spot: &[SpotCheck], sample: &str, names: &BTreeMap<&str, &str>) -> Result<Vec<u8>> {
    let columns = vec![
        Column::new(H_CASE, Kind::Code),
        Column::new(H_NAME, Kind::Text),
        Column::new(H_VILLAGE, Kind::Text),
        Column::new(H_SCHEME, Kind::Text),
        Column::new(H_RANK, Kind::Count),
        Column::answer(
            H_RESULT,
            Input::Choice(vec![TRUE.into(), NOT_TRUE.into(), NOT_FOUND.into()]),
        ),
        Column::answer(H_NOTE, Input::Free),
        Column::answer(H_CHECKER, Input::Free),
        Column::answer(H_DATE, Input::Free),
    ];
    let rows = spot
        .iter()
        .filter(|s| s.sample == sample)
        .map(|s| {
            vec![
                Value::from(s.case_id.as_str()),
                Value::from(names.get(s.case_id.as_str()).copied().unwrap_or_default()),
                Value::from(s.village.0.as_str()),
                Value::from(spot_kind_label(policy, &s.scheme)),
                Value::Count(i64::from(s.rank)),
                Value::from(result_zh(&s.result)),
                Value::from(s.note.0.as_str()),
                Value::from(s.checker.0.as_str()),
                Value::from(s.checked_on.map(|d| d.to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "抽查".into(),
        title: Some(
            "抽查核实: 逐户入户核查, 填写核查结果 (属实/不属实/未找到)、说明、核查人和核查日期; 其他列已锁定".into(),
        ),
        columns,
        rows,
        batch: Some(sample.to_string()),
        print: Default::default(),
    }])
}

/// A re-check of a discovery closed as 无需救助 (防止漏保): not yet done (J503), or found 不属实 / 未找到 while
/// the discovery is still closed that way (J504: the household is to be investigated again).
fn turned_away_finding(ctx: &Ctx, s: &SpotCheck, f: &mut Vec<Finding>) {
    use crate::ledger::{DiscoveryOutcome, DiscoveryStatus};
    let still_closed = ctx.d.discoveries.iter().any(|d| {
        d.discovery_id == s.case_id
            && d.status == DiscoveryStatus::Closed
            && d.outcome == Some(DiscoveryOutcome::NoAssistance)
    });
    match s.result.as_str() {
        "" => f.push(warn(
            "J503",
            &s.case_id,
            m(
                format!(
                    "spot check {}: discovery {} (closed as 无需救助) drawn for re-checking, no result recorded yet",
                    s.sample, s.case_id
                ),
                format!(
                    "抽查 {}: 以无需救助办结的主动发现 {} 已抽中回查, 尚未记录核查结果",
                    s.sample, s.case_id
                ),
            ),
            {
                let sheet = spot_check_sheet(&s.sample);
                m(
                    format!("fill in {0} and `jiuzhu audit --record {0}`", sheet.display()),
                    format!("请填写 {0} 后运行 `jiuzhu audit --record {0}`", sheet.display()),
                )
            },
        )),
        "not_true" | "not_found" if still_closed => f.push(err(
            "J504",
            &s.case_id,
            m(
                format!(
                    "spot check {}: discovery {} was closed as 无需救助, and the re-check found that {} ({}, {})",
                    s.sample,
                    s.case_id,
                    if s.result == "not_true" {
                        "not true"
                    } else {
                        "the household was not found"
                    },
                    s.note,
                    s.checker
                ),
                format!(
                    "抽查 {}: 主动发现 {} 以无需救助办结, 回查结果为{} ({}, {})",
                    s.sample,
                    s.case_id,
                    result_zh(&s.result),
                    s.note,
                    s.checker
                ),
            ),
            m(
                "investigate the household again (防止漏保): record the discovery anew with `jiuzhu intake --kind \
                 discoveries` and answer its investigation worksheet",
                "请重新入户调查 (防止漏保): 用 `jiuzhu intake --kind discoveries` 重新登记该户, 并填写入户调查评估表",
            ),
        )),
        _ => {}
    }
}

fn result_zh(r: &str) -> &'static str {
    match r {
        "true" => TRUE,
        "not_true" => NOT_TRUE,
        "not_found" => NOT_FOUND,
        _ => "",
    }
}

fn record_results(ws: &Workspace, args: &Args, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let wb = reader::read_worksheet_bytes(&shown, &bytes, Encoding::Detect)?;
    let what = tr("spot-check worksheet", "抽查核查表");
    // A worksheet of an older version names its columns in both languages.
    let sheet = writer::returned(&shown, &wb, &what, &[H_CASE, old_label(H_CASE)])?;
    let sample = sheet.batch.clone();
    let col = |l: &str| sheet.column(&shown, &[l, old_label(l)]);
    let (c_case, c_village, c_scheme) = (col(H_CASE)?, col(H_VILLAGE)?, col(H_SCHEME)?);
    let (c_res, c_note, c_checker, c_date) = (col(H_RESULT)?, col(H_NOTE)?, col(H_CHECKER)?, col(H_DATE)?);
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut spot = ledger::read::<SpotCheck>(ws)?;
    let policy = &ws.policy;
    let mut problems = Vec::new();
    let mut answers = Vec::new();
    // Where each case of this sample is in the ledger (the first row, as a scan would find): one lookup per
    // answered row, not a scan of every sample ever drawn.
    let mut row_of: HashMap<String, usize> = HashMap::default();
    for (i, s) in spot.iter().enumerate().filter(|(_, s)| s.sample == sample) {
        row_of.entry(s.case_id.clone()).or_insert(i);
    }
    // The sample's cases the worksheet lists (a row deleted from it leaves its case unchecked, and named below).
    let mut on_sheet: HashSet<String> = HashSet::default();
    for (n, row) in &sheet.rows {
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let cell = |c: usize| {
            row.get(c)
                .map(|x| text::unneutralise(x.text.trim()).to_string())
                .unwrap_or_default()
        };
        let case_id = cell(c_case);
        let Some(s) = row_of.get(&case_id).map(|&i| &spot[i]) else {
            problems.push(tr(
                format!("{n}: case {case_id} is not in spot-check sample {sample}"),
                format!("{n}: 案件 {case_id} 不在抽查样本 {sample} 中"),
            ));
            continue;
        };
        on_sheet.insert(case_id.clone());
        let label = spot_kind_label(policy, &s.scheme);
        if cell(c_village) != s.village.0 || cell(c_scheme) != label {
            problems.push(tr(
                format!("{n}: the locked cells of case {case_id} were changed"),
                format!("{n}: 案件 {case_id} 的锁定单元格被改动"),
            ));
        }
        let result = match cell(c_res).as_str() {
            "" => continue,
            TRUE => "true",
            NOT_TRUE => "not_true",
            NOT_FOUND => "not_found",
            other => {
                let v = crate::domain::text::excerpt(other);
                problems.push(tr(
                    format!("{n}: 核查结果 `{v}` is not one of {TRUE}, {NOT_TRUE}, {NOT_FOUND}"),
                    format!("{n}: 核查结果 `{v}` 不是 {TRUE}、{NOT_TRUE}、{NOT_FOUND} 之一"),
                ));
                continue;
            }
        };
        let checker = cell(c_checker);
        if checker.is_empty() {
            problems.push(tr(format!("{n}: 核查人 is empty"), format!("{n}: 核查人为空")));
        }
        let day = match date::parse_date(&cell(c_date)) {
            Ok(d) => Some(d),
            Err(_) => {
                let v = crate::domain::text::excerpt(&cell(c_date)).to_string();
                problems.push(tr(
                    format!("{n}: 核查日期 `{v}` is not a date (write 2026-12-05)"),
                    format!("{n}: 核查日期 `{v}` 不是日期 (如 2026-12-05)"),
                ));
                None
            }
        };
        if !s.result.is_empty() && s.result != result {
            problems.push(tr(
                format!(
                    "{n}: case {case_id} already has a recorded result ({})",
                    result_zh(&s.result)
                ),
                format!("{n}: 案件 {case_id} 已记录了核查结果 ({})", result_zh(&s.result)),
            ));
        }
        answers.push((case_id, result.to_string(), cell(c_note), checker, day));
    }
    if answers.is_empty() && problems.is_empty() {
        problems.push(tr("no row has a 核查结果", "没有任何一行填写了核查结果"));
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused, nothing recorded:"),
                format!("{shown} 被拒收, 未记录任何内容:")
            ),
            crate::ui::first_of(&problems, 20, "\n  ")
        );
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (case_id, result, note, checker, day) in &answers {
        if let Some(s) = row_of.get(case_id).map(|&i| &mut spot[i]) {
            if s.result.is_empty() {
                *counts.entry(result_zh(result).to_string()).or_default() += 1;
            }
            s.result = result.clone();
            s.note = Text(note.clone());
            s.checker = Text(checker.clone());
            s.checked_on = *day;
        }
    }
    if crate::ui::json() {
        let mut by_result: BTreeMap<&str, usize> = BTreeMap::new();
        for (case_id, result, ..) in &answers {
            if row_of.contains_key(case_id) {
                *by_result.entry(result.as_str()).or_default() += 1;
            }
        }
        crate::ui::record("sample", sample.clone());
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("recorded", counts.values().sum::<usize>());
        crate::ui::record_serialized("by_result", &by_result);
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let summary_zh: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v} 户")).collect();
    let recorded = counts.values().sum::<usize>();
    let mut out = tr(
        format!(
            "audit --record {shown}: sample {sample}: {recorded} recorded{}",
            if summary.is_empty() {
                String::new()
            } else {
                format!(" ({})", summary.join(", "))
            }
        ),
        format!(
            "抽查结果 {shown}: 样本 {sample}: 记录 {recorded} 户{}",
            if summary_zh.is_empty() {
                String::new()
            } else {
                format!(" ({})", summary_zh.join(", "))
            }
        ),
    );
    // The sample's cases still without a result need a person: those whose rows were deleted from the worksheet
    // and those left blank on it, named.
    let (mut removed, mut blank) = (Vec::new(), Vec::new());
    for s in spot.iter().filter(|s| s.sample == sample && s.result.is_empty()) {
        if on_sheet.contains(&s.case_id) {
            blank.push(s.case_id.clone());
        } else {
            removed.push(s.case_id.clone());
        }
    }
    if !removed.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} cases of sample {sample} are not on the worksheet (rows removed?) and have no result: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, ", ")
            ),
            format!(
                "\n  样本 {sample} 中 {} 户不在核查表上 (行被删除?), 尚无核查结果: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, ", ")
            ),
        ));
    }
    if !blank.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} on the worksheet have no 核查结果 yet: {}",
                blank.len(),
                crate::ui::first_of(&blank, 20, ", ")
            ),
            format!(
                "\n  {} 户未填核查结果: {}",
                blank.len(),
                crate::ui::first_of(&blank, 20, ", ")
            ),
        ));
    }
    if !(removed.is_empty() && blank.is_empty()) {
        let sheet = spot_check_sheet(&sample);
        let jiuzhu = ws.jiuzhu();
        out.push_str(&tr(
            format!(
                "\n  next: check them, fill in {0} and `{jiuzhu} audit --record {0}` (results recorded stay)",
                sheet.display()
            ),
            format!(
                "\n  下一步: 核查后填写 {0}, 再运行 `{jiuzhu} audit --record {0}` (已记录的结果保留)",
                sheet.display()
            ),
        ));
    }
    let outcome = if !(removed.is_empty() && blank.is_empty())
        || spot.iter().any(|s| s.sample == sample && s.result == "not_true")
    {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        return Ok(outcome);
    }
    let mut txn = Txn::new();
    if counts.values().sum::<usize>() > 0 {
        let mut chain = ledger::read::<Event>(ws)?;
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("worksheet");
        events::append(
            &mut chain,
            [NewEvent {
                step: "audit".into(),
                detail: format!("spot-check sample {sample} recorded: {}", summary.join(", ")),
                inputs: format!("{name}={};{POLICY_FILE}={}", sha256_hex(&bytes), ws.policy_sha256()?),
                ..NewEvent::default()
            }],
        );
        txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
        txn.put(ledger::path_of::<SpotCheck>(), ledger::to_bytes(&spot)?);
    }
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
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
