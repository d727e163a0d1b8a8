//! `jiuzhu archive` — one dossier per closed household (一户一档), kept at least five years, with checksums.
//!
//! A case is **closed** when its status is `stopped`, `rejected` or `closed`; its **closure date** is the
//! `decided_on` of the effective 停发 / 不予批准 decision that closed it (else the first day of that decision's
//! effective month), and when no decision closed it, the latest date in its records. Its **last activity** is the
//! latest date in its records: application, checks, visits, decisions (decided, effective), notices, payments'
//! months. `jiuzhu archive --year Y` closes a year: it archives every case whose last activity falls in Y and that is
//! not approved or effective (those are still being paid), with its last activity as the closure date.
//!
//! A dossier `archive/YEAR/CASE_ID/` holds every ledger's rows about the case (same headers as `ledgers/`), the
//! same as a workbook for people (`dossier.xlsx`, one sheet per ledger), `DOSSIER.csv` (closure, retention, the Git
//! commit it was made from) and `MANIFEST.csv` (file, bytes, rows, sha256 of each). `ledgers/archive_index.csv`
//! lists the dossiers with the SHA-256 of each manifest. Nothing but `archive purge --yes` ever deletes, and only
//! dossiers past their retention date, recording what it removed and why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::i18n::tr;
use chrono::{Datelike, Months, NaiveDate};

use crate::domain::date::{self, Period};
use crate::domain::money::Fen;
use crate::hash::{HashMap, HashSet};
use crate::ledger::events::{self, sha256_hex, Event, NewEvent};
use crate::ledger::{
    self, ArchiveEntry, Batch, Case, CaseStatus, Check, Decision, DecisionKind, DecisionStatus, Extension, Goods,
    Match, Meeting, Member, Notice, Payment, PolicyValues, Record, Source, SpotCheck, Text, Visit,
};
use crate::sheet::writer::{self, Column, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

#[derive(Debug, Clone)]
pub enum Mode {
    /// Archive every closed case not yet archived (`year`: close a year).
    Archive { year: Option<i32> },
    /// Re-hash every dossier.
    Verify,
    /// Remove dossiers past retention.
    Purge { as_of: String, yes: bool },
}

// `jiuzhu archive [verify|purge]`: its options and help (the texts in both languages, picked when the command line
// is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Archive (档案): one dossier per closed household under archive/YEAR/CASE_ID/ with a manifest of \
checksums; verify the dossiers; purge those past retention",
        "归档: 每个已结案的家庭在 archive/YEAR/CASE_ID/ 下形成一份档案 (一户一档), 附校验和清单; 校验档案; \
销毁超过保管期限的档案",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu archive\n  jiuzhu archive --year 2026\n  jiuzhu archive verify\n  \
jiuzhu archive purge --as-of 2032-01-01\n  jiuzhu archive purge --as-of 2032-01-01 --yes",
        "示例:\n  jiuzhu archive\n  jiuzhu archive --year 2026\n  jiuzhu archive verify\n  \
jiuzhu archive purge --as-of 2032-01-01\n  jiuzhu archive purge --as-of 2032-01-01 --yes",
    )),
    after_help = tr("\
`archive` archives every closed case (stopped, rejected, closed) not yet archived: the case's rows of every \
ledger (same headers), dossier.xlsx (one sheet per ledger), DOSSIER.csv (closure date, retention date, Git commit) \
and MANIFEST.csv (file, bytes, rows, sha256); ledgers/archive_index.csv lists the dossiers. --year Y closes a year: \
every case not approved or effective whose last activity is in Y. Retention is archive.retention_years (at least 5) \
from the closure date. `verify` re-hashes every dossier (exit 1 naming each changed file). `purge` removes only \
dossiers past retention, and only with --yes (without it: lists them, exit 1); it records what it removed and why.", "\
`archive` 归档每个尚未归档的已结案件 (停发、不予批准、结案): 该案件在每个台账中的行 (表头相同)、dossier.xlsx \
(每个台账一个工作表)、DOSSIER.csv (结案日期、保管截止日期、Git 提交) 和 MANIFEST.csv (文件、字节数、行数、\
sha256); ledgers/archive_index.csv 列出全部档案。--year Y 按年度结转: 归档最后活动在 Y 年、且未批准或未生效\
的每个案件。保管期限为自结案日期起 archive.retention_years 年 (至少 5 年)。`verify` 重新计算每份档案的哈希 \
(有改动时退出码 1, 并指出每个改动的文件)。`purge` 只销毁超过保管期限的档案, 且必须加 --yes (不加时只列出, \
退出码 1); 它记录销毁了什么及原因。")
)]
pub struct Args {
    #[arg(value_parser = ["verify", "purge"], help = tr(
        "verify (re-hash every dossier) or purge (remove dossiers past retention)",
        "`verify` (重新计算每份档案的哈希) 或 `purge` (销毁超过保管期限的档案)",
    ))]
    pub action: Option<String>,
    #[arg(long, value_name = "YEAR", help = tr(
        "Archive every case not approved or effective whose last activity is in this year",
        "归档最后活动在该年度、且未批准或未生效的每个案件",
    ))]
    pub year: Option<i32>,
    #[arg(long, value_name = "DATE", help = tr(
        "purge: the date retention is judged on (YYYY-MM-DD)",
        "`purge`: 判断保管期限所依据的日期 (YYYY-MM-DD)",
    ))]
    pub as_of: Option<String>,
    #[arg(long, help = tr("purge: really remove the dossiers listed", "`purge`: 确实销毁所列档案"))]
    pub yes: bool,
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (no period) — also `verify` and a dry run, as before the options moved here.
    pub fn writing_step(&self) -> Option<Option<String>> {
        Some(None)
    }
}

/// The command line's entry: the action made into a mode.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let ws = ctx.workspace()?;
    let mode = match args.action.as_deref() {
        Some("verify") => Mode::Verify,
        Some(_) => Mode::Purge {
            as_of: args.as_of.ok_or_else(|| {
                anyhow!(
                    "{}",
                    tr(
                        "archive purge needs --as-of YYYY-MM-DD",
                        "archive purge 需要给出 --as-of YYYY-MM-DD"
                    )
                )
            })?,
            yes: args.yes,
        },
        None => Mode::Archive { year: args.year },
    };
    run(
        &ws,
        &Request {
            mode,
            dry_run: args.dry_run,
            quiet: ctx.quiet,
        },
    )
}

/// What `archive` was asked to do, resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub mode: Mode,
    pub dry_run: bool,
    pub quiet: bool,
}

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    match &args.mode {
        Mode::Archive { year } => archive(ws, args, *year),
        Mode::Verify => verify(ws, args),
        Mode::Purge { as_of, yes } => {
            let day = date::parse_date(as_of).map_err(|e| {
                anyhow!(
                    "--as-of {as_of}: {}",
                    tr(
                        format!("{e} (write e.g. 2032-01-01)"),
                        format!("{} (如 2032-01-01)", e.zh())
                    )
                )
            })?;
            purge(ws, args, day, *yes)
        }
    }
}

/// Everything a dossier is made from.
struct All {
    cases: Vec<Case>,
    members: Vec<Member>,
    sources: Vec<Source>,
    checks: Vec<Check>,
    policy_values: Vec<PolicyValues>,
    visits: Vec<Visit>,
    extensions: Vec<Extension>,
    matches: Vec<Match>,
    decisions: Vec<Decision>,
    notices: Vec<Notice>,
    meetings: Vec<Meeting>,
    payments: Vec<Payment>,
    goods: Vec<Goods>,
    spot_checks: Vec<SpotCheck>,
    chain: Vec<Event>,
}

impl All {
    fn load(ws: &Workspace) -> Result<All> {
        let chain = ledger::read::<Event>(ws)?;
        if let Some(events::Broken { seq, why }) = events::verify_chain(&chain) {
            bail!(
                "{}",
                tr(
                    format!(
                        "ledgers/events.csv is damaged at event {seq}: {}. Restore it from Git, or run `jiuzhu \
                         audit`.",
                        why.en
                    ),
                    format!(
                        "ledgers/events.csv 在第 {seq} 条事件处损坏: {}。请从 Git 恢复, 或运行 `jiuzhu audit`。",
                        why.zh
                    ),
                )
            );
        }
        // Batches are read for their validity only: a dossier holds the case's payments.
        ledger::read::<Batch>(ws)?;
        Ok(All {
            cases: ledger::read(ws)?,
            members: ledger::read(ws)?,
            sources: ledger::read(ws)?,
            checks: ledger::read(ws)?,
            policy_values: ledger::read(ws)?,
            visits: ledger::read(ws)?,
            extensions: ledger::read(ws)?,
            matches: ledger::read(ws)?,
            decisions: ledger::read(ws)?,
            notices: ledger::read(ws)?,
            meetings: ledger::read(ws)?,
            payments: ledger::read(ws)?,
            goods: ledger::read(ws)?,
            spot_checks: ledger::read(ws)?,
            chain,
        })
    }
}

/// A month (`YYYY-MM`) as its first day.
/// The dates [`archive`] decides with, per case, from one pass over each ledger: a scan of every check, visit,
/// decision, notice and payment per closed case is quadratic at county scale (15,000 closed cases, 600,000
/// checks, payments growing by 40,000 a month). Only the cases in `wanted` are kept.
struct Dates<'a> {
    /// The latest date in each case's checks, visits, decisions (decided, effective), notices and payments'
    /// months; the application date is added by [`Dates::last_activity`].
    latest: HashMap<&'a str, NaiveDate>,
    /// The latest date of each case's effective 停发 / 不予批准 decisions (`decided_on`, else the first day of
    /// the effective month).
    closing: HashMap<&'a str, NaiveDate>,
}

impl<'a> Dates<'a> {
    fn of(all: &'a All, wanted: &HashSet<&str>) -> Dates<'a> {
        let mut latest: HashMap<&'a str, NaiveDate> = HashMap::default();
        let mut later = |id: &'a str, d: NaiveDate| {
            if wanted.contains(id) {
                latest.entry(id).and_modify(|x| *x = d.max(*x)).or_insert(d);
            }
        };
        for x in &all.checks {
            later(&x.case_id, x.as_of);
        }
        for x in &all.visits {
            later(&x.case_id, x.visited_on);
        }
        for x in &all.decisions {
            for d in [x.decided_on, x.effective_from.map(Period::first_day)]
                .into_iter()
                .flatten()
            {
                later(&x.case_id, d);
            }
        }
        for x in &all.notices {
            later(&x.case_id, x.end);
        }
        for x in &all.payments {
            if let Some(d) = Some(x.period.first_day()) {
                later(&x.case_id, d);
            }
        }
        let mut closing: HashMap<&'a str, NaiveDate> = HashMap::default();
        let closes = |x: &Decision| {
            matches!(x.kind, DecisionKind::Stop | DecisionKind::Reject) && x.status == DecisionStatus::Effective
        };
        for x in all
            .decisions
            .iter()
            .filter(|x| closes(x) && wanted.contains(x.case_id.as_str()))
        {
            if let Some(d) = x.decided_on.or_else(|| x.effective_from.map(Period::first_day)) {
                closing
                    .entry(x.case_id.as_str())
                    .and_modify(|c| *c = d.max(*c))
                    .or_insert(d);
            }
        }
        Dates { latest, closing }
    }

    /// The latest date in a case's records.
    fn last_activity(&self, c: &Case) -> NaiveDate {
        match self.latest.get(c.case_id.as_str()) {
            Some(&d) => d.max(c.applied_on),
            None => c.applied_on,
        }
    }

    /// The closure date of a closed case (see the module doc).
    fn closed_on(&self, c: &Case) -> NaiveDate {
        match self.closing.get(c.case_id.as_str()) {
            Some(&d) => d,
            None => self.last_activity(c),
        }
    }
}

/// One ledger's rows per case, in ledger order.
type ByCase<'a, R> = HashMap<&'a str, Vec<&'a R>>;

/// The rows of the cases in `wanted`, by `case_id`, in one pass over the ledger.
fn by_case<'a, R: crate::domain::records::OfCase>(rows: &'a [R], wanted: &HashSet<&str>) -> ByCase<'a, R> {
    crate::domain::records::by_case_in(rows, wanted)
}

/// Every ledger's rows about the cases being archived, found in one pass per ledger: filtering every ledger
/// (the journal and sources too) per dossier is quadratic at county scale. Each case's rows keep their ledger
/// order, so a dossier's files are byte for byte what filtering the ledger gives.
struct Dossiers<'a> {
    cases: ByCase<'a, Case>,
    members: ByCase<'a, Member>,
    sources: ByCase<'a, Source>,
    checks: ByCase<'a, Check>,
    /// The policy values the checks name, by key.
    policy_values: HashMap<&'a str, &'a PolicyValues>,
    visits: ByCase<'a, Visit>,
    extensions: ByCase<'a, Extension>,
    matches: ByCase<'a, Match>,
    decisions: ByCase<'a, Decision>,
    notices: ByCase<'a, Notice>,
    payments: ByCase<'a, Payment>,
    goods: ByCase<'a, Goods>,
    spot_checks: ByCase<'a, SpotCheck>,
    chain: ByCase<'a, Event>,
    /// All meetings, by date: a case's meetings are among those held on its decisions' dates.
    meetings_on: HashMap<NaiveDate, Vec<usize>>,
    meetings: &'a [Meeting],
    /// The household's other applications (重新申请) and how they ended.
    endings: crate::cmd::withdraw::Endings<'a>,
}

impl<'a> Dossiers<'a> {
    fn of(all: &'a All, wanted: &HashSet<&str>) -> Dossiers<'a> {
        // `case/CASE_ID` is the case's own record; `member/CASE_ID/ID_NUMBER` is found by the prefix
        // `member/CASE_ID/`, so every part of the record before a `/` is a case it belongs to.
        let mut sources: ByCase<'a, Source> = HashMap::default();
        for s in &all.sources {
            if let Some(id) = s.record.strip_prefix("case/") {
                if wanted.contains(id) {
                    sources.entry(id).or_default().push(s);
                }
            } else if let Some(rest) = s.record.strip_prefix("member/") {
                for (i, _) in rest.match_indices('/') {
                    let id = &rest[..i];
                    if wanted.contains(id) {
                        sources.entry(id).or_default().push(s);
                    }
                }
            }
        }
        let mut meetings_on: HashMap<NaiveDate, Vec<usize>> = HashMap::default();
        for (i, m) in all.meetings.iter().enumerate() {
            meetings_on.entry(m.date).or_default().push(i);
        }
        Dossiers {
            cases: by_case(&all.cases, wanted),
            members: by_case(&all.members, wanted),
            sources,
            checks: by_case(&all.checks, wanted),
            policy_values: all.policy_values.iter().map(|v| (v.key.as_str(), v)).collect(),
            visits: by_case(&all.visits, wanted),
            extensions: by_case(&all.extensions, wanted),
            matches: by_case(&all.matches, wanted),
            decisions: by_case(&all.decisions, wanted),
            notices: by_case(&all.notices, wanted),
            payments: by_case(&all.payments, wanted),
            goods: by_case(&all.goods, wanted),
            spot_checks: by_case(&all.spot_checks, wanted),
            chain: by_case(&all.chain, wanted),
            meetings_on,
            meetings: &all.meetings,
            endings: crate::cmd::withdraw::Endings::new(&all.cases, &all.chain, &all.decisions),
        }
    }

    /// Every ledger's rows about one case (one of `wanted`): (file, CSV bytes, rows).
    fn files(&self, case_id: &str) -> Result<Vec<(String, Vec<u8>, usize)>> {
        fn part<R: Record>(out: &mut Vec<(String, Vec<u8>, usize)>, rows: Vec<R>) -> Result<()> {
            let n = rows.len();
            out.push((R::FILE.to_string(), ledger::to_bytes(&rows)?, n));
            Ok(())
        }
        fn of<R: Record>(by: &ByCase<'_, R>, case_id: &str) -> Vec<R> {
            by.get(case_id)
                .map(|rows| rows.iter().map(|&r| r.clone()).collect())
                .unwrap_or_default()
        }
        let decisions = of(&self.decisions, case_id);
        let mut held: Vec<usize> = decisions
            .iter()
            .filter_map(|x| x.decided_on)
            .filter_map(|d| self.meetings_on.get(&d))
            .flatten()
            .copied()
            .collect();
        // In ledger order, each meeting once.
        held.sort_unstable();
        held.dedup();
        let meetings: Vec<Meeting> = held
            .into_iter()
            .map(|i| &self.meetings[i])
            .filter(|m| {
                decisions.iter().any(|x| {
                    x.decided_on == Some(m.date)
                        && (x.meeting.0 == m.meeting.0 || x.meeting.starts_with(&format!("{}: ", m.meeting.0)))
                })
            })
            .cloned()
            .collect();
        let mut out = Vec::new();
        part(&mut out, of(&self.cases, case_id))?;
        part(&mut out, of(&self.members, case_id))?;
        part(&mut out, of(&self.sources, case_id))?;
        let checks = of(&self.checks, case_id);
        // The policy values the case's checks used, each once: the dossier reads without the county's ledgers.
        let mut values: Vec<PolicyValues> = checks
            .iter()
            .filter_map(|c| self.policy_values.get(c.policy.as_str()))
            .map(|&v| v.clone())
            .collect();
        values.sort_by(|a, b| a.key.cmp(&b.key));
        values.dedup_by(|a, b| a.key == b.key);
        part(&mut out, checks)?;
        part(&mut out, values)?;
        part(&mut out, of(&self.visits, case_id))?;
        part(&mut out, of(&self.extensions, case_id))?;
        part(&mut out, of(&self.matches, case_id))?;
        part(&mut out, decisions)?;
        part(&mut out, of(&self.notices, case_id))?;
        part(&mut out, meetings)?;
        part(&mut out, of(&self.payments, case_id))?;
        part(&mut out, of(&self.goods, case_id))?;
        part(&mut out, of(&self.spot_checks, case_id))?;
        part(&mut out, of(&self.chain, case_id))?;
        corrections_part(&mut out, &of(&self.chain, case_id))?;
        self.applications_part(&mut out, case_id)?;
        Ok(out)
    }

    /// The household's other applications (申请记录), when it has any: the refused or withdrawn one a case
    /// reopens, the new one that reopened it — in Chinese, as the dossier is read.
    fn applications_part(&self, out: &mut Vec<(String, Vec<u8>, usize)>, case_id: &str) -> Result<()> {
        let Some(case) = self.cases.get(case_id).and_then(|v| v.first()) else {
            return Ok(());
        };
        let zh = crate::i18n::Lang::Zh;
        let rows: Vec<Vec<String>> = self
            .endings
            .applications(case)
            .into_iter()
            .map(|(c, link)| {
                vec![
                    if link == crate::domain::reopen::Link::Earlier {
                        "此前申请"
                    } else {
                        "再次申请"
                    }
                    .to_string(),
                    c.case_id.clone(),
                    c.applied_on.to_string(),
                    c.scheme.clone(),
                    c.status.label_zh().to_string(),
                    self.endings.ending(c, zh),
                ]
            })
            .collect();
        if !rows.is_empty() {
            out.push((
                "applications.csv".into(),
                csv_bytes(&["关系", "案件编号", "受理日期", "救助类别", "状态", "结果说明"], &rows)?,
                rows.len(),
            ));
        }
        Ok(())
    }
}

/// The case's corrections (更正, `jiuzhu correct`), when it has any: one row each, in Chinese, from its journal
/// events.
fn corrections_part(out: &mut Vec<(String, Vec<u8>, usize)>, events: &[Event]) -> Result<()> {
    let rows: Vec<Vec<String>> = events
        .iter()
        .filter(|e| e.step == crate::cmd::correct::STEP)
        .map(|e| {
            let text = crate::cmd::correct::correction_text(e.detail.as_str(), crate::i18n::Lang::Zh);
            vec![e.seq.to_string(), text]
        })
        .collect();
    if !rows.is_empty() {
        out.push((
            "corrections.csv".into(),
            csv_bytes(&["序号", "更正内容"], &rows)?,
            rows.len(),
        ));
    }
    Ok(())
}

/// The Git commit the workspace is at, or empty outside a repository.
fn head_commit(root: &Path) -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The dossier workbook (一户一档) as a document for the cabinet: a cover with the household, a 卷内目录 listing
/// the documents (each ledger part that has rows) with their dates and sources, then one sheet per part — none
/// empty. Parts added to the dossier's files appear here by themselves.
fn dossier_sheets(
    policy: &crate::policy::Policy,
    c: &Case,
    closed_on: NaiveDate,
    retain_until: NaiveDate,
    files: &[(String, Vec<u8>, usize)],
) -> Result<Vec<SheetSpec>> {
    let parts = files
        .iter()
        .filter(|(_, _, rows)| *rows > 0)
        .map(|(name, bytes, _)| Ok((name.as_str(), sheet_of(policy, name, bytes)?)))
        .collect::<Result<Vec<_>>>()?;
    let day = |d: NaiveDate| format!("{}年{}月{}日", d.year(), d.month(), d.day());
    let kv = |k: &str, v: String| vec![Value::from(k), Value::from(v)];
    let cover = SheetSpec {
        name: "封面".into(),
        title: None,
        columns: vec![
            Column {
                width: 16,
                ..Column::new("项目", Kind::Text)
            },
            Column {
                width: 50,
                ..Column::new("内容", Kind::Text)
            },
        ],
        rows: vec![
            kv("案件编号", c.case_id.clone()),
            kv("户主 (申请人)", c.applicant_name.0.clone()),
            kv("身份证号", c.applicant_id_number.masked()),
            kv("家庭人口", c.household_size.to_string()),
            kv("救助类别", dossier::value_zh(policy, "scheme", &c.scheme)),
            kv(
                "乡镇(街道)、村(社区)",
                format!("{}{}{}", policy.region.name, c.township, c.village),
            ),
            kv("状态", dossier::value_zh(policy, "status", c.status.as_str())),
            kv("结案日期", day(closed_on)),
            kv("保管期限至", day(retain_until)),
            kv("卷内文件", format!("{} 件 (见「卷内目录」)", parts.len())),
        ],
        batch: None,
        print: writer::Print {
            above: vec![
                writer::Line::center(format!("{}社会救助家庭档案 (一户一档)", policy.region.name)).bold(),
                writer::Line::center(format!("{} {}", c.applicant_name, c.case_id)),
            ],
            heading: Some(String::new()),
            ..Default::default()
        },
    };
    let contents = SheetSpec {
        name: "卷内目录".into(),
        title: Some(format!("卷内目录: {} {}", c.applicant_name, c.case_id)),
        columns: vec![
            Column::new("序号", Kind::Count),
            Column::new("文件名称", Kind::Text),
            Column::new("日期", Kind::Text),
            Column::new("来源", Kind::Text),
            Column::new("条数", Kind::Count),
            Column::new("所在工作表", Kind::Text),
        ],
        rows: parts
            .iter()
            .enumerate()
            .map(|(i, (file, sheet))| {
                vec![
                    Value::Count(i as i64 + 1),
                    Value::from(dossier::document_zh(file)),
                    Value::from(dates_of(sheet)),
                    Value::from(dossier::source_zh(file)),
                    Value::Count(sheet.rows.len() as i64),
                    Value::from(sheet.name.as_str()),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    };
    let mut sheets = vec![cover, contents];
    sheets.extend(parts.into_iter().map(|(_, s)| s));
    Ok(sheets)
}

/// The dates a part's rows carry, earliest to latest (`2026-11-03 至 2026-11-20`), for the 卷内目录.
fn dates_of(sheet: &SheetSpec) -> String {
    let is_date = |t: &str| {
        t.len() == 10
            && t.as_bytes()[4] == b'-'
            && t.as_bytes()[7] == b'-'
            && NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()
    };
    let mut dates = sheet.rows.iter().flatten().filter_map(|v| match v {
        Value::Text(t) if is_date(t) => Some(t.as_str()),
        _ => None,
    });
    let Some(first) = dates.next() else {
        return String::new();
    };
    let (lo, hi) = dates.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d)));
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo} 至 {hi}")
    }
}

/// A ledger's rows as one sheet of the dossier workbook, for people: the sheet and its headers named in Chinese,
/// codes shown as their labels (`urban_dibao` → the policy's 城市低保, `true` → 是, statuses in Chinese). The
/// dossier's CSV files beside it keep the ledgers' own form.
fn sheet_of(policy: &crate::policy::Policy, name: &str, bytes: &[u8]) -> Result<SheetSpec> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let headers: Vec<String> = rdr.headers()?.iter().map(str::to_string).collect();
    // Money as numbers (the ledger's text stays in the CSV beside it); everything else as the text it is.
    let money = |h: &str| h == "amount" || h.ends_with("_amount");
    let columns = headers
        .iter()
        .map(|h| Column::new(dossier::header_zh(h), if money(h) { Kind::Money } else { Kind::Code }))
        .collect();
    let mut rows = Vec::new();
    for r in rdr.records() {
        rows.push(
            r?.iter()
                .zip(&headers)
                .map(|(c, h)| {
                    let c = crate::domain::text::unneutralise(c);
                    match Fen::parse_yuan(c) {
                        Ok(f) if money(h) => Value::Money(f),
                        _ => Value::from(dossier::value_zh(policy, h, c)),
                    }
                })
                .collect(),
        );
    }
    Ok(SheetSpec {
        name: dossier::sheet_zh(name).to_string(),
        title: None,
        columns,
        rows,
        batch: None,
        print: Default::default(),
    })
}

/// The Chinese names of the ledgers' files, columns and codes, for the dossier workbook.
mod dossier {
    use crate::policy::Policy;

    pub fn sheet_zh(file: &str) -> &str {
        match file.trim_end_matches(".csv") {
            "cases" => "案件",
            "members" => "家庭成员",
            "sources" => "来源",
            "checks" => "审核",
            "policy_values" => "政策取值",
            "visits" => "入户调查",
            "extensions" => "延期",
            "matches" => "信息比对",
            "decisions" => "审核确认",
            "notices" => "公示",
            "meetings" => "评议会",
            "payments" => "发放",
            "goods" => "物资",
            "spot_checks" => "抽查",
            "events" => "操作日志",
            "corrections" => "更正记录",
            "applications" => "申请记录",
            "batches" => "批次",
            "followups" => "回访",
            "complaints" => "信访",
            _ => file,
        }
    }

    /// What a part of the dossier is, as its 卷内目录 names it.
    pub fn document_zh(file: &str) -> &str {
        match file.trim_end_matches(".csv") {
            "cases" => "救助申请及家庭基本情况",
            "members" => "家庭成员情况",
            "sources" => "申请登记来源",
            "checks" => "审核记录 (材料、收入、财产等)",
            "policy_values" => "审核所用的政策取值",
            "visits" => "入户调查记录",
            "extensions" => "审核期限延长记录",
            "matches" => "信息比对结果及处理",
            "decisions" => "审核确认决定",
            "notices" => "公示记录",
            "meetings" => "民主评议记录",
            "payments" => "救助金发放记录",
            "goods" => "实物发放记录",
            "spot_checks" => "抽查记录",
            "events" => "办理过程日志",
            "followups" => "回访记录",
            "complaints" => "信访记录",
            _ => sheet_zh(file),
        }
    }

    /// Where a part of the dossier comes from, for the 卷内目录.
    pub fn source_zh(file: &str) -> &str {
        match file.trim_end_matches(".csv") {
            "cases" | "members" | "sources" => "申请登记表 (受理)",
            "checks" | "policy_values" | "extensions" => "审核 (jiuzhu verify)",
            "visits" => "入户调查表",
            "matches" => "相关部门数据比对 (jiuzhu compare)",
            "decisions" | "notices" => "审核确认 (jiuzhu decide)",
            "meetings" => "民主评议会评议表",
            "payments" | "goods" => "社会化发放 (jiuzhu disburse)",
            "spot_checks" => "抽查工作表",
            "events" => "操作日志",
            "followups" => "回访登记",
            "complaints" => "信访登记",
            _ => "台账",
        }
    }

    pub fn header_zh(h: &str) -> &str {
        match h {
            "case_id" => "案件编号",
            "scheme" => "救助类别",
            "status" => "状态",
            "applicant_id_number" => "申请人身份证号",
            "applicant_name" => "申请人",
            "region_code" => "行政区划代码",
            "township" => "乡镇(街道)",
            "village" => "村(社区)",
            "address" => "住址",
            "phone" => "联系电话",
            "hukou" => "户籍",
            "household_size" => "家庭人口",
            "applied_on" => "申请日期",
            "bank_name" => "开户银行",
            "bank_account" | "account" => "银行账号",
            "hardship_reason" => "致困原因",
            "materials" => "提供材料",
            "deposits_amount" => "存款(元)",
            "vehicles" => "车辆",
            "properties" => "房产",
            "deduction_amount" => "扣减金额(元)",
            "deduction_kind" => "扣减类型",
            "deduction_evidence" => "扣减依据",
            "exclusions" => "排除情形",
            "support_mode" => "供养方式",
            "temporary_months" => "临时救助月数",
            "urgent" => "先行救助",
            "id_number" => "身份证号",
            "name" => "姓名",
            "relation" => "与户主关系",
            "birth_date" => "出生日期",
            "sex" => "性别",
            "monthly_income_amount" => "月收入(元)",
            "disability_grade" => "残疾等级",
            "serious_illness" => "重病",
            "in_school" => "在校",
            "work_ability" => "劳动能力",
            "registered_region" => "户籍地",
            "self_care" => "生活自理能力",
            "record" => "记录",
            "file_sha256" | "source_file_sha256" => "文件校验值",
            "file_name" => "文件名",
            "sheet" => "工作表",
            "row" | "source_row" => "行号",
            "check" => "审核项",
            "result" => "结果",
            "detail" => "说明",
            "policy_values" | "values" => "政策取值",
            "policy" | "key" => "政策取值编号",
            "as_of" => "审核日期",
            "visit_id" => "调查编号",
            "visited_on" => "调查日期",
            "level" => "层级",
            "investigators" => "调查人员",
            "investigator_count" => "调查人数",
            "findings" => "调查情况",
            "signed" => "已签字",
            "extra_working_days" => "延长工作日",
            "approver" => "批准人",
            "reason" => "原因",
            "hit_id" => "疑点编号",
            "source" => "比对来源",
            "match_kind" => "匹配方式",
            "evidence" => "比对依据",
            "effect" => "影响",
            "disposition" => "处理结果",
            "note" => "备注",
            "decided_by" => "处理人",
            "batch" => "批次",
            "decision_id" => "决定编号",
            "period" => "所属月份",
            "kind" => "类型",
            "amount" => "金额(元)",
            "previous_amount" => "原金额(元)",
            "delta_amount" => "变动金额(元)",
            "derivation" => "计算过程",
            "basis" => "计算依据",
            "effective_from" => "生效月份",
            "gradual_exit_until" => "渐退至",
            "meeting" => "评议会",
            "decided_on" => "审批日期",
            "notice_id" => "公示编号",
            "start" => "公示开始",
            "end" => "公示结束",
            "objection" => "异议",
            "date" => "日期",
            "attendees" => "参会人员",
            "approved" => "同意",
            "rejected" => "不同意",
            "deferred" => "暂缓",
            "payment_id" => "流水号",
            "payee_name" => "收款人",
            "reissue_of" => "重发原流水号",
            "return_file" => "回盘文件",
            "goods_id" => "登记编号",
            "plan" => "计划",
            "item" => "物资名称",
            "quantity" => "数量",
            "unit" => "单位",
            "received_on" => "领取日期",
            "signed_by" => "签字人",
            "received_quantity" => "实领数量",
            "sample" => "抽查样本",
            "percent" => "抽查比例(%)",
            "stratified" => "分层抽样",
            "rank" => "抽取序号",
            "checker" => "核查人",
            "checked_on" => "核查日期",
            "seq" => "序号",
            "step" => "步骤",
            "from_status" => "原状态",
            "to_status" => "新状态",
            "inputs" => "输入文件校验值",
            "prev_hash" => "上一条校验值",
            "hash" => "校验值",
            _ => h,
        }
    }

    /// A cell as people read it: the scheme's label, 是/否, and the Chinese of the ledgers' codes.
    pub fn value_zh(policy: &Policy, column: &str, v: &str) -> String {
        if column == "scheme" {
            return policy.schemes.get(v).map_or(v, |s| s.label.as_str()).to_string();
        }
        let zh = match (column, v) {
            (_, "true") => "是",
            (_, "false") => "否",
            ("status" | "from_status" | "to_status", s) => match s {
                "received" => "已受理",
                "needs_info" => "待补充材料",
                "verified" => "审核通过",
                "ineligible" => "审核不符合",
                "rejected" => "不予批准",
                "approved" => "已批准",
                "effective" => "享受中",
                "stopped" => "停发",
                "closed" => "已结案",
                "proposed" => "待评议",
                "deferred" => "暂缓",
                "superseded" => "已被取代",
                "issued" => "已发送银行, 待回盘",
                "paid" => "发放成功",
                "failed" => "发放失败",
                "reissued" => "已重发",
                "planned" => "待领取",
                "posted" => "公示中",
                "completed" => "公示期满",
                "objection_upheld" => "异议成立",
                "objection_dismissed" => "异议不成立",
                _ => v,
            },
            ("kind", s) => {
                let code = || serde_json::Value::String(s.to_string());
                if let Ok(k) = serde_json::from_value::<crate::ledger::DecisionKind>(code()) {
                    k.label_zh()
                } else if let Ok(k) = serde_json::from_value::<crate::ledger::PaymentKind>(code()) {
                    k.label_zh()
                } else {
                    v
                }
            }

            ("result", s) => match s {
                "pass" => "通过",
                "fail" => "不通过",
                "needs_info" => "待处理",
                "not_true" => "不属实",
                "not_found" => "未找到",
                _ => v,
            },
            ("relation", s) => {
                match serde_json::from_value::<crate::ledger::Relation>(serde_json::Value::String(s.to_string())) {
                    Ok(r) => r.label_zh(),
                    Err(_) => v,
                }
            }
            ("sex", "M") => "男",
            ("sex", "F") => "女",
            ("hukou", "urban") => "城镇",
            ("hukou", "rural") => "农村",
            ("level", s) => match s {
                "village" => "村级",
                "township" => "乡镇",
                "county" => "县级",
                "private" => "不公示",
                _ => v,
            },
            ("work_ability", s) => match s {
                "full" => "有劳动能力",
                "partial" => "部分丧失劳动能力",
                "none" => "无劳动能力",
                "unknown" => "未填写",
                _ => v,
            },
            ("self_care", s) => match s {
                "able" => "具备生活自理能力",
                "partial" => "部分丧失生活自理能力",
                "unable" => "完全丧失生活自理能力",
                "unknown" => "未填写",
                _ => v,
            },
            ("support_mode", "centralised") => "集中供养",
            ("support_mode", "dispersed") => "分散供养",
            ("effect", s) => match s {
                "exclude" => "排除",
                "review" => "复核",
                "info" => "提示",
                _ => v,
            },
            ("disposition", s) => match s {
                "open" => "待处理",
                "confirmed" => "确认",
                "cleared" => "排除",
                _ => v,
            },
            _ => v,
        };
        zh.to_string()
    }
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| anyhow!("cannot write CSV: {e}"))
}

const MANIFEST_COLUMNS: &[&str] = &["file", "bytes", "rows", "sha256"];

/// The cases to archive now, in `cases.csv` order, each with its closure date (see the module doc): the closed
/// cases, or with `year` the cases not being paid whose last activity falls in it; never a case already in the
/// index.
fn due<'a>(all: &'a All, index: &[ArchiveEntry], year: Option<i32>) -> Vec<(&'a Case, NaiveDate)> {
    // One set, not a scan of the index per case.
    let archived: HashSet<&str> = index.iter().map(|e| e.case_id.as_str()).collect();
    let is_closed = |c: &Case| {
        matches!(
            c.status,
            CaseStatus::Stopped | CaseStatus::Rejected | CaseStatus::Closed | CaseStatus::Withdrawn
        )
    };
    let candidates: Vec<&Case> = all
        .cases
        .iter()
        .filter(|c| !archived.contains(c.case_id.as_str()))
        .filter(|c| match year {
            None => is_closed(c),
            Some(_) => !matches!(c.status, CaseStatus::Approved | CaseStatus::Effective),
        })
        .collect();
    // Dates only for the cases that may be archived: a month's run finds most closed cases archived already.
    let wanted: HashSet<&str> = candidates.iter().map(|c| c.case_id.as_str()).collect();
    let dates = Dates::of(all, &wanted);
    candidates
        .into_iter()
        .filter_map(|c| {
            let closed = is_closed(c);
            let Some(y) = year else {
                return Some((c, dates.closed_on(c)));
            };
            let last = if closed {
                dates.closed_on(c).max(dates.last_activity(c))
            } else {
                dates.last_activity(c)
            };
            if last.year() != y {
                return None;
            }
            Some((c, if closed { dates.closed_on(c) } else { last }))
        })
        .collect()
}

fn archive(ws: &Workspace, args: &Request, year: Option<i32>) -> Result<Outcome> {
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let all = All::load(ws)?;
    let mut index = ledger::read::<ArchiveEntry>(ws)?;
    let years = ws.policy.archive.retention_years;
    let commit = head_commit(&ws.root);
    let mut txn = Txn::new();
    let due = due(&all, &index, year);
    let wanted: HashSet<&str> = due.iter().map(|(c, _)| c.case_id.as_str()).collect();
    let dossiers = Dossiers::of(&all, &wanted);
    let mut made = Vec::new();
    let mut made_json: Vec<serde_json::Value> = Vec::new();
    let progress = crate::ui::Progress::new(due.len() as u64, tr("archive: dossiers made", "归档: 已生成档案"));
    for (c, closed_on) in due {
        progress.inc(1);
        let retain_until = closed_on.checked_add_months(Months::new(12 * years)).ok_or_else(|| {
            anyhow!(
                "{}",
                tr(
                    format!("retention of case {} runs past the calendar", c.case_id),
                    format!("案件 {} 的保管期限超出日历范围", c.case_id),
                )
            )
        })?;
        let dir = PathBuf::from("archive")
            .join(closed_on.year().to_string())
            .join(&c.case_id);
        let mut files = dossiers.files(&c.case_id)?;
        let sheets = dossier_sheets(&ws.policy, c, closed_on, retain_until, &files)?;
        files.push(("dossier.xlsx".into(), writer::workbook_bytes(&sheets)?, sheets.len()));
        let info = csv_bytes(
            &[
                "case_id",
                "scheme",
                "status",
                "closed_on",
                "retain_until",
                "retention_years",
                "commit",
            ],
            &[vec![
                c.case_id.clone(),
                c.scheme.clone(),
                c.status.as_str().to_string(),
                closed_on.to_string(),
                retain_until.to_string(),
                years.to_string(),
                commit.clone(),
            ]],
        )?;
        files.push(("DOSSIER.csv".into(), info, 1));
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let manifest_rows: Vec<Vec<String>> = files
            .iter()
            .map(|(name, bytes, rows)| {
                vec![
                    name.clone(),
                    bytes.len().to_string(),
                    rows.to_string(),
                    sha256_hex(bytes),
                ]
            })
            .collect();
        let manifest = csv_bytes(MANIFEST_COLUMNS, &manifest_rows)?;
        let manifest_sha = sha256_hex(&manifest);
        for (name, bytes, _) in files {
            txn.put(dir.join(name), bytes);
        }
        txn.put(dir.join("MANIFEST.csv"), manifest);
        index.push(ArchiveEntry {
            case_id: c.case_id.clone(),
            year: closed_on.year(),
            path: dir.to_string_lossy().replace('\\', "/"),
            closed_on,
            retain_until,
            manifest_sha256: manifest_sha,
            commit: commit.clone(),
            status: "archived".into(),
            note: Text::default(),
        });
        made_json.push(serde_json::json!({
            "case_id": c.case_id,
            "path": dir.to_string_lossy().replace('\\', "/"),
            "status": c.status.as_str(),
        }));
        made.push(format!(
            "{} ({})",
            dir.display(),
            tr(
                c.status.as_str(),
                dossier::value_zh(&ws.policy, "status", c.status.as_str())
            )
        ));
    }
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let year_opt = year.map(|y| format!(" --year {y}")).unwrap_or_default();
    let n = made.len();
    crate::ui::record("dry_run", args.dry_run);
    crate::ui::record("made", n);
    crate::ui::record("dossiers", made_json);
    let out = tr(
        format!(
            "{prefix}archive{year_opt}: {n} dossiers made{}",
            if made.is_empty() {
                " (nothing new to archive)".to_string()
            } else {
                format!("\n  {}", made.join("\n  "))
            }
        ),
        format!(
            "{prefix}归档{}: 生成 {n} 份一户一档{}",
            if year_opt.is_empty() {
                String::new()
            } else {
                format!(" `{}`", year_opt.trim())
            },
            if made.is_empty() {
                " (没有新的可归档案件)".to_string()
            } else {
                format!("\n  {}", made.join("\n  "))
            }
        ),
    );
    if args.dry_run || made.is_empty() {
        if !args.quiet {
            crate::outln!("{out}");
        }
        return Ok(Outcome::Done);
    }
    let mut chain = all.chain.clone();
    let inputs = ws.inputs_read(&["cases.csv", "decisions.csv", "payments.csv"])?;
    events::append(
        &mut chain,
        [NewEvent {
            step: "archive".into(),
            detail: format!("{} dossiers archived (retention {years} years)", made.len()),
            inputs,
            ..NewEvent::default()
        }],
    );
    txn.put(ledger::path_of::<ArchiveEntry>(), ledger::to_bytes(&index)?);
    txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

/// What is wrong with one dossier, as lines naming the files.
fn check_dossier(ws: &Workspace, e: &ArchiveEntry) -> Result<Vec<String>> {
    let dir = PathBuf::from(&e.path);
    let mut problems = Vec::new();
    let Some(manifest) = ws.read_optional(dir.join("MANIFEST.csv"))? else {
        return Ok(vec![tr(
            format!("{}/MANIFEST.csv is missing", e.path),
            format!("{}/MANIFEST.csv 缺失", e.path),
        )]);
    };
    if sha256_hex(&manifest) != e.manifest_sha256 {
        problems.push(tr(
            format!(
                "{}/MANIFEST.csv changed (its SHA-256 is not the one in ledgers/archive_index.csv)",
                e.path
            ),
            format!(
                "{}/MANIFEST.csv 被改动 (其 SHA-256 与 ledgers/archive_index.csv 中记录的不符)",
                e.path
            ),
        ));
    }
    let mut listed = BTreeMap::new();
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(&manifest[..]);
    for r in rdr.records() {
        let r = r.with_context(|| {
            tr(
                format!("{}/MANIFEST.csv is damaged", e.path),
                format!("{}/MANIFEST.csv 已损坏", e.path),
            )
        })?;
        let (name, size, sha) = (r.get(0).unwrap_or(""), r.get(1).unwrap_or(""), r.get(3).unwrap_or(""));
        listed.insert(name.to_string(), ());
        match ws.read_optional(dir.join(name))? {
            None => problems.push(tr(
                format!("{}/{name} is missing", e.path),
                format!("{}/{name} 缺失", e.path),
            )),
            Some(b) if b.len().to_string() != size || sha256_hex(&b) != sha => problems.push(tr(
                format!("{}/{name} changed (size or SHA-256 differs from MANIFEST.csv)", e.path),
                format!("{}/{name} 被改动 (大小或 SHA-256 与 MANIFEST.csv 不符)", e.path),
            )),
            Some(_) => {}
        }
    }
    if let Ok(entries) = std::fs::read_dir(ws.path(&dir)) {
        let mut extra: Vec<String> = entries
            .filter_map(|x| x.ok())
            .map(|x| x.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "MANIFEST.csv" && !listed.contains_key(n))
            .collect();
        extra.sort();
        for n in extra {
            problems.push(tr(
                format!("{}/{n} is not in MANIFEST.csv (added after archiving)", e.path),
                format!("{}/{n} 不在 MANIFEST.csv 中 (归档后添加)", e.path),
            ));
        }
    }
    Ok(problems)
}

fn verify(ws: &Workspace, args: &Request) -> Result<Outcome> {
    let index = ledger::read::<ArchiveEntry>(ws)?;
    let mut problems = Vec::new();
    let live: Vec<&ArchiveEntry> = index.iter().filter(|e| e.status == "archived").collect();
    for e in &live {
        problems.extend(check_dossier(ws, e)?);
    }
    if problems.is_empty() {
        if !args.quiet {
            let n = live.len();
            crate::outln!(
                "{}",
                tr(
                    format!("archive verify: {n} dossiers, every file as archived"),
                    format!("档案核验: {n} 份档案, 所有文件与归档时一致"),
                )
            );
        }
        return Ok(Outcome::Done);
    }
    for p in &problems {
        crate::outln!("{p}");
    }
    let (p, n) = (problems.len(), live.len());
    crate::outln!(
        "{}",
        tr(
            format!("archive verify: {p} problems in {n} dossiers — restore the files from Git (`git checkout -- archive/`)"),
            format!("档案核验: {n} 份档案中发现 {p} 处问题 — 请从 Git 恢复这些文件 (`git checkout -- archive/`)"),
        )
    );
    Ok(Outcome::NeedsAttention)
}

fn purge(ws: &Workspace, args: &Request, as_of: NaiveDate, yes: bool) -> Result<Outcome> {
    let lock = if args.dry_run || !yes { None } else { Some(ws.lock()?) };
    let mut index = ledger::read::<ArchiveEntry>(ws)?;
    let due: Vec<usize> = index
        .iter()
        .enumerate()
        .filter(|(_, e)| e.status == "archived" && e.retain_until < as_of)
        .map(|(i, _)| i)
        .collect();
    let kept = index.iter().filter(|e| e.status == "archived").count() - due.len();
    // Leftovers of a purge interrupted after it was recorded.
    let leftovers: Vec<PathBuf> = index
        .iter()
        .filter(|e| e.status == "purged" && ws.path(&e.path).exists())
        .map(|e| ws.path(&e.path))
        .collect();
    if due.is_empty() {
        for p in &leftovers {
            if yes && !args.dry_run {
                std::fs::remove_dir_all(p).with_context(|| {
                    tr(
                        format!("cannot remove {}", p.display()),
                        format!("无法删除 {}", p.display()),
                    )
                })?;
            }
        }
        if !args.quiet {
            crate::outln!(
                "{}",
                tr(
                    format!("archive purge --as-of {as_of}: nothing is past its retention date ({kept} dossiers kept)"),
                    format!("档案销毁 `--as-of {as_of}`: 没有超过保管期限的档案 (保留 {kept} 份)"),
                )
            );
        }
        return Ok(Outcome::Done);
    }
    let list_in = |lang| -> Vec<String> {
        due.iter()
            .map(|&i| {
                crate::i18n::tr_in(
                    lang,
                    format!(
                        "{} (closed {}, retained until {})",
                        index[i].path, index[i].closed_on, index[i].retain_until
                    ),
                    format!(
                        "{} ({} 结案, 保管至 {})",
                        index[i].path, index[i].closed_on, index[i].retain_until
                    ),
                )
            })
            .collect()
    };
    let list = list_in(crate::i18n::Lang::En);
    let shown = list_in(crate::i18n::current());
    if !yes || args.dry_run {
        let n = due.len();
        crate::outln!(
            "{}",
            tr(
                format!(
                    "archive purge --as-of {as_of}: {n} dossiers are past retention and would be removed:\n  {}\n\
                     Nothing removed: run again with --yes to remove them ({kept} dossiers kept).",
                    shown.join("\n  ")
                ),
                format!(
                    "档案销毁 `--as-of {as_of}`: {n} 份档案已超过保管期限, 将被删除:\n  {}\n\
                     未删除任何档案: 确认后加 --yes 再运行 (保留 {kept} 份)。",
                    shown.join("\n  ")
                ),
            )
        );
        return Ok(Outcome::NeedsAttention);
    }
    let years = ws.policy.archive.retention_years;
    for &i in &due {
        let e = &mut index[i];
        e.status = "purged".into();
        e.note = Text(format!(
            "purged {as_of}: retention ended {} (archive.retention_years={years})",
            e.retain_until
        ));
    }
    let mut chain = ledger::read::<Event>(ws)?;
    if let Some(events::Broken { seq, why }) = events::verify_chain(&chain) {
        bail!(
            "{}",
            tr(
                format!(
                    "ledgers/events.csv is damaged at event {seq}: {}. Restore it from Git before purging.",
                    why.en
                ),
                format!(
                    "ledgers/events.csv 在第 {seq} 条事件处损坏: {}。请先从 Git 恢复再销毁档案。",
                    why.zh
                ),
            )
        );
    }
    events::append(
        &mut chain,
        [NewEvent {
            step: "archive".into(),
            detail: format!(
                "purged {} dossiers past retention as of {as_of} (retention {years} years): {}",
                due.len(),
                list.join("; ")
            ),
            inputs: format!("{POLICY_FILE}={}", ws.policy_sha256()?),
            ..NewEvent::default()
        }],
    );
    let mut txn = Txn::new();
    txn.put(ledger::path_of::<ArchiveEntry>(), ledger::to_bytes(&index)?);
    txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    // Recorded first, then removed: an interrupted removal is finished by the next purge.
    for &i in &due {
        let p = ws.path(&index[i].path);
        if p.exists() {
            std::fs::remove_dir_all(&p).with_context(|| {
                tr(
                    format!("cannot remove {}", p.display()),
                    format!("无法删除 {}", p.display()),
                )
            })?;
        }
    }
    for p in leftovers {
        std::fs::remove_dir_all(&p).with_context(|| {
            tr(
                format!("cannot remove {}", p.display()),
                format!("无法删除 {}", p.display()),
            )
        })?;
    }
    if !args.quiet {
        let n = due.len();
        crate::outln!(
            "{}",
            tr(
                format!(
                    "archive purge --as-of {as_of}: {n} dossiers removed and recorded in ledgers/archive_index.csv:\n  {}",
                    shown.join("\n  ")
                ),
                format!(
                    "档案销毁 `--as-of {as_of}`: 已删除 {n} 份档案, 并记入 ledgers/archive_index.csv:\n  {}",
                    shown.join("\n  ")
                ),
            )
        );
    }

    Ok(Outcome::Done)
}
