//! `jiuzhu intake --kind followups FILE…` and `--kind complaints FILE…` — dynamic management (动态管理): the
//! outcomes of follow-up visits (回访) and complaints (信访).
//!
//! A follow-up row names a case (案件编号, or the head's ID), the date, the visitors, the household's class of
//! difficulty (特殊困难/一般困难/临时困难, which sets when it is due again) and any change found: a member's new
//! monthly income, a member moved out or died. A change is applied to `members.csv` (and the household size in
//! `cases.csv`) with an event in the journal; the next `decide --period` re-decides the amount (增发/减发/停发).
//!
//! A complaint row has the date received, the channel (来信/来访/电话/网络), the subject, the case when there is
//! one, the handler, and once answered the result and the reply date. A reply is due `complaints.due_days` after
//! receipt unless the sheet gives 办理期限; [`overdue_complaints`] lists those past due (for `status` and `audit`).
//!
//! As with applications, every row is recorded, already recorded, or rejected with file, sheet, row, column,
//! value, reason and what to do; re-importing a file changes nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use chrono::{Days, NaiveDate};

use crate::cmd::monitor;
use crate::domain::date::DateBounds;
use crate::domain::id_number::{self, IdNumber};
use crate::domain::money::Fen;
use crate::hash::HashMap;
use crate::i18n::{tr, Msg};
use crate::ledger::events::{self, sha256_hex, NewEvent};
use crate::ledger::{self, Case, ChangeKind, Channel, Complaint, DifficultyClass, Followup, Member, Relation, Text};
use crate::policy::Policy;
use crate::sheet::fields::HeaderNames;
use crate::sheet::reader::{self, Cell, Encoding, Header};
use crate::sheet::writer::{self, Column, Kind as ColKind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

/// What the files hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Follow-up visit records (回访记录).
    Followups,
    /// Complaints and petitions (信访登记).
    Complaints,
}

impl Kind {
    fn step(self) -> &'static str {
        match self {
            Kind::Followups => "followups",
            Kind::Complaints => "complaints",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Args {
    pub kind: Kind,
    pub files: Vec<PathBuf>,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

/// One input file as read, with its header.
type Input = reader::TableFile;

/// A row that could not be recorded, for the clerk who fixes it. The reason and what to do are kept in both
/// languages: the terminal shows the run's, the rejects workbook always the Chinese.
#[derive(Debug, Clone)]
pub struct Reject {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub value: String,
    pub reason: Msg,
    pub fix: Msg,
}

/// Why a row was refused: the column (its Chinese label), the value as shown, the reason and what to do.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    column: &'static str,
    value: String,
    reason: Msg,
    fix: Msg,
}

/// A row refused: column label, value, reason, what to do.
pub(crate) fn refuse(column: &'static str, value: impl Into<String>, reason: Msg, fix: Msg) -> RowError {
    Box::new(Refusal {
        column,
        value: value.into(),
        reason,
        fix,
    })
}

/// A refusal, boxed: the `Err` of a row's result stays small beside its `Ok`.
pub(crate) type RowError = Box<Refusal>;

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    read: usize,
    recorded: usize,
    updated: usize,
    already: usize,
    rejected: usize,
    changes: usize,
}

pub fn run(ws: &Workspace, args: &Args) -> Result<Outcome> {
    if args.files.is_empty() {
        bail!(
            "{}",
            tr(
                format!(
                    "give at least one file: jiuzhu intake --kind {} FILE…",
                    args.kind.step()
                ),
                format!("请给出至少一个文件: jiuzhu intake --kind {} 文件…", args.kind.step())
            )
        );
    }
    let encoding = match &args.encoding {
        Some(e) => Encoding::parse(e)?,
        None => Encoding::Detect,
    };
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let names = HeaderNames::new(&ws.policy.columns);
    let mut inputs = Vec::new();
    for path in &args.files {
        inputs.push(read_input(path, encoding, &names, args.kind)?);
    }
    let mut cases = ledger::read::<Case>(ws)?;
    let members = ledger::read::<Member>(ws)?;
    let mut chain = events::Journal::read(ws)?;
    // Built once: rows never change a case's ID, status or head (see [`CaseIndex`]).
    let index = CaseIndex::new(&cases);

    let mut txn = Txn::new();
    let mut rejects = Vec::new();
    let mut tally = Tally::default();
    let mut case_events: Vec<NewEvent> = Vec::new();
    // Which case a row was filed under when its head has several (complaints), said with the summary.
    let mut notes: Vec<String> = Vec::new();
    match args.kind {
        Kind::Followups => {
            let mut followups = ledger::read::<Followup>(ws)?;
            let known = cases
                .iter()
                .map(|c| c.applied_on)
                .chain(followups.iter().map(|f| f.visited_on));
            let dates = date_bounds(&inputs, "followup_on", known);
            let mut members = Members::new(members);
            // Follow-ups already recorded, and those recorded by this run (a row repeated in the same files).
            let mut known: BTreeSet<String> = followups.iter().map(|f| f.followup_id.clone()).collect();
            let mut members_changed = false;
            // Monitored low-income households (低收入人口动态监测) are followed up too: a row naming one (its head,
            // no open case) updates `monitored.csv`, and an income under the 低保 line raises a discovery.
            let mut monitored = ledger::read::<crate::ledger::Monitored>(ws)?;
            let mut discoveries = ledger::read::<crate::ledger::Discovery>(ws)?;
            let (mut monitored_changed, mut raised) = (false, 0usize);
            for input in &inputs {
                let hold = held(input);
                for (excel_row, row) in data_rows(input) {
                    tally.read += 1;
                    if hold.is_none() {
                        if let Some(at) = monitor::monitored_of_row(row, &input.header, &cases, &monitored) {
                            match monitor::visit_monitored(
                                row,
                                &input.header,
                                &dates,
                                &ws.policy,
                                &mut monitored[at],
                                &discoveries,
                            ) {
                                Err(e) => {
                                    tally.rejected += 1;
                                    rejects.push(reject(input, excel_row, *e));
                                }
                                Ok(monitor::MonitoredVisit::Already) => tally.already += 1,
                                Ok(monitor::MonitoredVisit::Recorded { detail, raised: d }) => {
                                    tally.recorded += 1;
                                    monitored_changed = true;
                                    case_events.push(NewEvent {
                                        step: "followup".into(),
                                        detail,
                                        ..NewEvent::default()
                                    });
                                    if let Some(d) = d {
                                        raised += 1;
                                        discoveries.push(*d);
                                    }
                                }
                            }
                            continue;
                        }
                    }
                    let row = hold.clone().map_or_else(
                        || followup_of_row(row, &input.header, &cases, &index, &members, &dates),
                        Err,
                    );
                    match row {
                        Err(e) => {
                            tally.rejected += 1;
                            rejects.push(reject(input, excel_row, *e));
                        }
                        Ok(mut f) => {
                            if known.contains(&f.followup_id) {
                                tally.already += 1;
                                continue;
                            }
                            // A change is applied in row order: a second change of one member sees the first.
                            match apply_change(&mut f, &mut cases, &index, &mut members) {
                                Err(e) => {
                                    tally.rejected += 1;
                                    rejects.push(reject(input, excel_row, *e));
                                    continue;
                                }
                                Ok(Some(detail)) => {
                                    members_changed = true;
                                    tally.changes += 1;
                                    case_events.push(NewEvent {
                                        step: "followup".into(),
                                        case_id: f.case_id.clone(),
                                        detail,
                                        ..NewEvent::default()
                                    });
                                }
                                Ok(None) => {}
                            }
                            f.file_sha256 = input.sha256.clone();
                            f.row = excel_row;
                            tally.recorded += 1;
                            known.insert(f.followup_id.clone());
                            followups.push(f);
                        }
                    }
                }
            }
            if tally.recorded > 0 {
                txn.put(ledger::path_of::<Followup>(), ledger::to_bytes(&followups)?);
            }
            if members_changed {
                txn.put(ledger::path_of::<Member>(), ledger::to_bytes(&members.into_ledger())?);
                txn.put(ledger::path_of::<Case>(), ledger::to_bytes(&cases)?);
            }
            if monitored_changed {
                txn.put(
                    ledger::path_of::<crate::ledger::Monitored>(),
                    ledger::to_bytes(&monitored)?,
                );
            }
            if raised > 0 {
                discoveries.sort_by(|a, b| a.discovery_id.cmp(&b.discovery_id));
                txn.put(
                    ledger::path_of::<crate::ledger::Discovery>(),
                    ledger::to_bytes(&discoveries)?,
                );
                let jiuzhu = ws.jiuzhu();
                notes.push(tr(
                    format!(
                        "{raised} monitored households' income fell under the 低保 line: discoveries raised (监测预警) \
                         — `{jiuzhu} discover` writes their investigation worksheet"
                    ),
                    format!(
                        "{raised} 户监测家庭人均收入低于低保标准, 已登记为主动发现 (监测预警) — `{jiuzhu} discover` \
                         写出入户调查评估表"
                    ),
                ));
            }
        }
        Kind::Complaints => {
            let mut complaints = ledger::read::<Complaint>(ws)?;
            let known = cases
                .iter()
                .map(|c| c.applied_on)
                .chain(complaints.iter().map(|c| c.received_on));
            let dates = date_bounds(&inputs, "received_on", known);
            // Complaint ID → its position in the ledger (the first, as a scan would find it), kept up to date as
            // complaints are added: a sheet of thousands of rows against a ledger of thousands was quadratic.
            let mut complaint_at: HashMap<String, usize> = HashMap::default();
            for (i, c) in complaints.iter().enumerate() {
                complaint_at.entry(c.complaint_id.clone()).or_insert(i);
            }
            let mut seen: BTreeSet<String> = BTreeSet::new();
            for input in &inputs {
                let hold = held(input);
                for (excel_row, row) in data_rows(input) {
                    tally.read += 1;
                    let row = hold.clone().map_or_else(
                        || complaint_of_row(row, &input.header, &cases, &index, &ws.policy, &dates),
                        Err,
                    );
                    match row {
                        Err(e) => {
                            tally.rejected += 1;
                            rejects.push(reject(input, excel_row, *e));
                        }
                        Ok((mut c, note)) => {
                            if let Some(note) = note {
                                notes.push(format!(
                                    "{} {}: {note}",
                                    input.name,
                                    tr(format!("row {excel_row}"), format!("第 {excel_row} 行"))
                                ));
                            }
                            if !seen.insert(c.complaint_id.clone()) {
                                tally.already += 1;
                                continue;
                            }
                            let at = complaint_at.get(c.complaint_id.as_str()).copied();
                            match at.map(|i| &mut complaints[i]) {
                                Some(old) => {
                                    // The same complaint again: the answer (handler, result, reply) may have been
                                    // filled in since; where it came from stays the first file's row.
                                    c.file_sha256 = old.file_sha256.clone();
                                    c.row = old.row;
                                    if *old == c {
                                        tally.already += 1;
                                    } else {
                                        case_events.push(NewEvent {
                                            step: "complaint".into(),
                                            case_id: c.case_id.clone(),
                                            detail: format!(
                                                "信访 {} 更新: {}{}",
                                                c.complaint_id,
                                                c.result,
                                                c.replied_on.map(|d| format!(" (答复 {d})")).unwrap_or_default()
                                            ),
                                            ..NewEvent::default()
                                        });
                                        *old = c;
                                        tally.updated += 1;
                                    }
                                }
                                None => {
                                    c.file_sha256 = input.sha256.clone();
                                    c.row = excel_row;
                                    case_events.push(NewEvent {
                                        step: "complaint".into(),
                                        case_id: c.case_id.clone(),
                                        detail: format!(
                                            "信访 {} 收到 {} ({}): {}",
                                            c.complaint_id,
                                            c.received_on,
                                            c.channel.label_zh(),
                                            c.subject
                                        ),
                                        ..NewEvent::default()
                                    });
                                    complaint_at.insert(c.complaint_id.clone(), complaints.len());
                                    complaints.push(c);
                                    tally.recorded += 1;
                                }
                            }
                        }
                    }
                }
            }
            if tally.recorded + tally.updated > 0 {
                txn.put(ledger::path_of::<Complaint>(), ledger::to_bytes(&complaints)?);
            }
        }
    }

    let changed = tally.recorded + tally.updated > 0;
    if changed {
        let mut input_list: Vec<String> = inputs.iter().map(|i| format!("{}={}", i.name, i.sha256)).collect();
        input_list.push(format!("{POLICY_FILE}={}", ws.policy_sha256()?));
        let mut new_events = vec![NewEvent {
            step: args.kind.step().into(),
            detail: format!(
                "{} rows recorded, {} updated, {} changes applied; {} rejected",
                tally.recorded, tally.updated, tally.changes, tally.rejected
            ),
            inputs: input_list.join(";"),
            ..NewEvent::default()
        }];
        new_events.extend(case_events);
        chain.append(new_events);
        chain.put(&mut txn)?;
        for input in &inputs {
            crate::workspace::keep_input(&mut txn, &input.input);
        }
    }
    let report = report_path(args.kind, &inputs);
    if !rejects.is_empty() && changed {
        txn.put(&report, rejects_workbook(args.kind, &rejects)?);
    }

    // Summary.
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let files = if inputs.len() == 1 {
        inputs[0].shown.clone()
    } else {
        tr(format!("{} files", inputs.len()), format!("{} 个文件", inputs.len()))
    };
    let t = tally;
    let mut out = match args.kind {
        Kind::Followups => tr(
            format!(
                "{prefix}follow-ups {files}: {} rows read = {} recorded + {} already recorded + {} rejected; {} changes \
                 applied to members.csv",
                t.read, t.recorded, t.already, t.rejected, t.changes
            ),
            format!(
                "{prefix}回访 {files}: 读取 {} 行 = 记录 {} + 已记录 {} + 拒收 {}; 家庭变化 {} 项已更新到 members.csv",
                t.read, t.recorded, t.already, t.rejected, t.changes
            ),
        ),
        Kind::Complaints => tr(
            format!(
                "{prefix}complaints {files}: {} rows read = {} recorded + {} updated + {} already recorded + {} rejected",
                t.read, t.recorded, t.updated, t.already, t.rejected
            ),
            format!(
                "{prefix}信访 {files}: 读取 {} 行 = 登记 {} + 更新 {} + 已登记 {} + 拒收 {}",
                t.read, t.recorded, t.updated, t.already, t.rejected
            ),
        ),
    };
    if t.changes > 0 {
        let jiuzhu = ws.jiuzhu();
        out.push_str(&tr(
            format!("\n  next: `{jiuzhu} decide --period YYYY-MM` re-decides the changed households (增发/减发/停发)"),
            format!("\n  下一步: `{jiuzhu} decide --period YYYY-MM` 对有变化的家庭重新核定 (增发/减发/停发)"),
        ));
    }
    for n in inputs.iter().flat_map(|i| &i.notes) {
        out.push_str(&format!("\n  {} {n}", tr("note:", "说明:")));
    }
    // Every column accounted for: the columns not read, and any that looks like one meant.
    let mut near_misses = 0;
    for input in &inputs {
        let (lines, near) = reader::unused_lines(&input.name, inputs.len() > 1, &input.unused, "columns");
        near_misses += near;
        for l in lines {
            out.push_str(&format!("\n  {l}"));
        }
    }
    if !rejects.is_empty() && changed {
        out.push_str(&format!("\n  {} {}", tr("report:", "报告:"), report.display()));
    }
    if !notes.is_empty() {
        out.push_str("\n  ");
        out.push_str(&crate::ui::first_of(&notes, 20, "\n  "));
    }
    list_rejects(&mut out, &rejects);
    crate::ui::record("rows_read", t.read);
    crate::ui::record("recorded", t.recorded);
    crate::ui::record("updated", t.updated);
    crate::ui::record("already_recorded", t.already);
    crate::ui::record("rejected", t.rejected);
    crate::ui::record("changes_applied", t.changes);
    if crate::ui::json() {
        use serde_json::json;
        crate::ui::record("dry_run", args.dry_run);
        let rows: Vec<serde_json::Value> = rejects
            .iter()
            .map(|r| {
                json!({"file": r.file, "sheet": r.sheet, "row": r.row, "column": r.column,
                       "reason": r.reason.to_string(), "fix": r.fix.to_string()})
            })
            .collect();
        crate::ui::record("rejected_rows", rows);
        let columns: Vec<serde_json::Value> = inputs
            .iter()
            .flat_map(|input| {
                input.unused.iter().map(|c| {
                    json!({"file": input.name, "sheet": c.sheet, "column": reader::column_letter(c.column),
                           "header": c.header, "looks_like": c.looks_like})
                })
            })
            .collect();
        crate::ui::record("unused_columns", columns);
        crate::ui::record(
            "report",
            (!rejects.is_empty() && (changed || args.dry_run)).then(|| report.display().to_string()),
        );
    }

    let outcome = if rejects.is_empty() && near_misses == 0 {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// The refusal of every row of a file with a near miss of a column the rows are read from
/// ([`reader::near_miss_hold`]): its value would be lost, and a row once recorded is not taken again.
pub(crate) fn held(input: &Input) -> Option<RowError> {
    let (header, reason, fix) = reader::near_miss_hold(&input.name, &input.unused, "columns")?;
    Some(refuse("", header, reason, fix))
}

fn read_input(path: &Path, encoding: Encoding, names: &HeaderNames, kind: Kind) -> Result<Input> {
    let shown = path.display().to_string();
    let (required, any_of, what): (&[&'static str], &[&'static str], String) = match kind {
        Kind::Followups => (
            &["followup_on", "visitors", "difficulty_class"],
            &["case_id", "household_key"],
            tr(
                "a follow-up sheet (回访记录): it needs the columns 案件编号 or 户主身份证号, 回访日期, 回访人 and 困难类别 \
                 (回访情况, 变化类型, 变化成员身份证号 and 变化后月收入 are optional)",
                "回访记录表: 需要 案件编号 或 户主身份证号、回访日期、回访人、困难类别 列 \
                 (回访情况、变化类型、变化成员身份证号、变化后月收入 可选)",
            ),
        ),
        Kind::Complaints => (
            &["received_on", "channel", "subject"],
            &[],
            tr(
                "a complaints sheet (信访登记): it needs the columns 收到日期, 信访方式 and 信访事项 (信访人, 案件编号, \
                 承办人, 办理期限, 处理结果 and 答复日期 are optional)",
                "信访登记表: 需要 收到日期、信访方式、信访事项 列 (信访人、案件编号、承办人、办理期限、处理结果、答复日期 可选)",
            ),
        ),
    };
    // Every column the rows are read from (`case_of_row` and `followup_of_row` / `complaint_of_row`).
    let reads: &[&'static str] = match kind {
        Kind::Followups => &[
            "case_id",
            "household_key",
            "followup_on",
            "visitors",
            "difficulty_class",
            "change_kind",
            "member_id_number",
            "new_income",
            "outcome",
            "per_capita_income",
        ],
        Kind::Complaints => &[
            "case_id",
            "household_key",
            "received_on",
            "channel",
            "subject",
            "complainant",
            "handler",
            "due_on",
            "result",
            "replied_on",
        ],
    };
    let misses = match reader::read_table_file(path, encoding, names, (required, any_of), reads)? {
        Ok(input) => return Ok(input),
        Err(misses) => misses,
    };
    bail!(
        "{}\n  {}",
        tr(format!("{shown} is not {what}"), format!("{shown} 不是{what}")),
        misses.join("\n  ")
    )
}

/// The data rows below the header, not blank, with their Excel row numbers.
pub(crate) fn data_rows(input: &Input) -> impl Iterator<Item = (u32, &Vec<Cell>)> {
    input
        .sheet
        .rows
        .iter()
        .enumerate()
        .skip(input.header.row + 1)
        .filter(|(_, row)| !row.iter().all(Cell::is_blank))
        .map(|(i, row)| ((i + 1) as u32, row))
}

pub(crate) fn reject(input: &Input, row: u32, e: Refusal) -> Reject {
    Reject {
        file: input.name.clone(),
        sheet: input.sheet.name.clone(),
        row,
        column: e.column.to_string(),
        value: e.value,
        reason: e.reason,
        fix: e.fix,
    }
}

/// A date cell: a real date, an Excel serial, or text such as `2026-11-03` / `2026年11月3日`, within `bounds`.
pub(crate) fn date_of(
    cell: &Cell,
    label: &'static str,
    bounds: &DateBounds,
) -> std::result::Result<NaiveDate, RowError> {
    cell.as_date().and_then(|d| bounds.check(d)).map_err(|e| {
        refuse(
            label,
            cell.text.clone(),
            // The column is named beside the reason, on the terminal and in the workbook.
            Msg::new(e.to_string(), e.zh()),
            Msg::new(
                "write the date as 2026-11-03",
                "请对照原始记录填写日期, 格式如 2026-11-03",
            ),
        )
    })
}

pub(crate) fn optional_date(
    h: &Header,
    row: &[Cell],
    field: &str,
    label: &'static str,
    bounds: &DateBounds,
) -> std::result::Result<Option<NaiveDate>, RowError> {
    match h.get(row, field) {
        Some(c) if !c.is_blank() => date_of(c, label, bounds).map(Some),
        _ => Ok(None),
    }
}

/// The bounds of the dates of a run's rows: the workspace's `known` dates and the middle of the files' own dates
/// in `field` (see [`DateBounds`]).
pub(crate) fn date_bounds(inputs: &[Input], field: &str, known: impl IntoIterator<Item = NaiveDate>) -> DateBounds {
    let read = inputs
        .iter()
        .flat_map(|input| data_rows(input).filter_map(|(_, row)| input.header.get(row, field)?.as_date().ok()))
        .collect();
    DateBounds::new(known, read)
}

/// The case ledger looked up by case ID and by head, built once per run: a county has 50,000 cases and a sheet
/// 40,000 rows, and a scan of the cases per row was quadratic. It holds positions into `cases`, not borrows, so
/// a change can still set a household's size; and it stays right while rows are applied because a follow-up or a
/// complaint never changes a case's ID, status or head (only its household size).
struct CaseIndex {
    /// Case ID → the first case with that ID in ledger order (the one a scan finds).
    by_id: HashMap<String, usize>,
    /// Head's ID number → the cases they head, of every status, in ledger order.
    by_head: HashMap<String, Vec<usize>>,
}

impl CaseIndex {
    fn new(cases: &[Case]) -> CaseIndex {
        let mut index = CaseIndex {
            by_id: HashMap::with_capacity_and_hasher(cases.len(), Default::default()),
            by_head: HashMap::default(),
        };
        for (i, c) in cases.iter().enumerate() {
            index.by_id.entry(c.case_id.clone()).or_insert(i);
            index
                .by_head
                .entry(c.applicant_id_number.as_str().to_string())
                .or_default()
                .push(i);
        }
        index
    }
}

/// Which cases a row may name by its head's ID (户主身份证号) alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heads {
    /// A follow-up visit (回访) is of a household receiving assistance: the one open case the head heads, and a
    /// row must name a case.
    Open,
    /// A complaint (信访) may be about any case — often a refused application (rejected), or one closed or
    /// withdrawn: of every status, the latest applied for when the head has several (and the row is told which).
    /// A complaint need not name a case.
    Any,
}

/// The members ledger while a run applies changes, looked up by case and ID number and counted by case without
/// a scan per row (130,000 members against 40,000 rows was quadratic, and so was each `Vec::remove`). A member
/// who moved out or died is only marked here; [`Members::into_ledger`] drops them all once at the end, which
/// leaves the same rows in the same order as removing each one at once. A later row sees an earlier row's
/// change: the income is set in place, and a removed member is gone from the lookups and the counts.
struct Members {
    list: Vec<Member>,
    removed: Vec<bool>,
    /// (case ID, ID number) → the position of a member still in the household (the ledger's key: one each).
    at: HashMap<(String, String), usize>,
    /// Case ID → how many are still in the household.
    size: HashMap<String, usize>,
}

impl Members {
    fn new(list: Vec<Member>) -> Members {
        let mut at: HashMap<(String, String), usize> =
            HashMap::with_capacity_and_hasher(list.len(), Default::default());
        let mut size: HashMap<String, usize> = HashMap::default();
        for (i, m) in list.iter().enumerate() {
            at.insert((m.case_id.clone(), m.id_number.as_str().to_string()), i);
            *size.entry(m.case_id.clone()).or_default() += 1;
        }
        Members {
            removed: vec![false; list.len()],
            list,
            at,
            size,
        }
    }

    /// The position of the case's member with this ID number, while they are in the household.
    fn find(&self, case_id: &str, id_number: &str) -> Option<usize> {
        self.at.get(&(case_id.to_string(), id_number.to_string())).copied()
    }

    /// Takes the member at `i` (found by [`Members::find`]) out of the household; returns how many are left in it.
    fn remove(&mut self, i: usize) -> usize {
        let m = &self.list[i];
        let key = (m.case_id.clone(), m.id_number.as_str().to_string());
        self.at.remove(&key);
        self.removed[i] = true;
        let left = self.size.entry(key.0).or_default();
        *left = left.saturating_sub(1);
        *left
    }

    /// The ledger without the members removed, in ledger order.
    fn into_ledger(self) -> Vec<Member> {
        self.list
            .into_iter()
            .zip(self.removed)
            .filter_map(|(m, gone)| (!gone).then_some(m))
            .collect()
    }
}

/// The case a row names: by 案件编号 (any status), or by the head's ID — for a follow-up the one open case they
/// head, for a complaint the latest of their cases of any status (see [`Heads`]). With the case, a note when the
/// head has several and the row was given the latest: the person must know which, and may write the 案件编号.
fn case_of_row(
    row: &[Cell],
    h: &Header,
    cases: &[Case],
    index: &CaseIndex,
    heads: Heads,
) -> std::result::Result<(String, Option<String>), RowError> {
    let case_text = h.text(row, "case_id").trim().to_uppercase();
    if !case_text.is_empty() {
        return match index.by_id.get(case_text.as_str()) {
            Some(&i) => Ok((cases[i].case_id.clone(), None)),
            None => Err(refuse(
                "案件编号",
                case_text.clone(),
                Msg::new(
                    format!("unknown case {case_text}"),
                    format!("案件编号「{case_text}」不存在"),
                ),
                Msg::new(
                    "copy the case ID (案件编号) from ledgers/cases.csv or a jiuzhu workbook",
                    "请从 ledgers/cases.csv 或 jiuzhu 生成的工作簿中复制案件编号",
                ),
            )),
        };
    }
    let cell = h.get(row, "household_key").cloned().unwrap_or_default();
    if cell.is_blank() {
        if heads == Heads::Any {
            return Ok((String::new(), None));
        }
        return Err(refuse(
            "案件编号",
            "",
            Msg::new(
                "no case: the case ID (案件编号) and the head's ID (户主身份证号) are both blank",
                "未写明案件: 案件编号和户主身份证号都为空",
            ),
            Msg::new(
                "fill in the case ID (案件编号), or the head's ID",
                "请填写案件编号 (或户主身份证号)",
            ),
        ));
    }
    let id = id_number::parse_cell(&cell.text, cell.number.is_some()).map_err(|e| {
        refuse(
            "户主身份证号",
            id_number::mask_any(&cell.text),
            Msg::new(e.to_string(), e.message_zh()),
            id_fix(&e),
        )
    })?;
    let headed: &[usize] = index.by_head.get(id.as_str()).map_or(&[], Vec::as_slice);
    let found: Vec<usize> = match heads {
        Heads::Open => headed.iter().copied().filter(|&i| cases[i].status.is_open()).collect(),
        Heads::Any => {
            // The latest applied for; a tie on that day cannot be told apart.
            let latest = headed.iter().map(|&i| cases[i].applied_on).max();
            headed
                .iter()
                .copied()
                .filter(|&i| Some(cases[i].applied_on) == latest)
                .collect()
        }
    };
    match found.as_slice() {
        [one] => {
            let c = &cases[*one];
            let note = (headed.len() > 1 && heads == Heads::Any).then(|| {
                tr(
                    format!(
                        "{} heads {} cases; filed under the latest, {} ({}, applied {}) — write the 案件编号 to file \
                         it under another",
                        id.masked(),
                        headed.len(),
                        c.case_id,
                        c.status.as_str(),
                        c.applied_on
                    ),
                    format!(
                        "户主 {} 有 {} 个案件; 已登记在最近申请的 {} ({}, 申请于 {}) 下 — 如属另一案件, 请填写案件编号",
                        id.masked(),
                        headed.len(),
                        c.case_id,
                        crate::cmd::status::status_zh(c.status.as_str()),
                        c.applied_on
                    ),
                )
            });
            Ok((c.case_id.clone(), note))
        }
        [] => Err(refuse(
            "户主身份证号",
            id.masked(),
            match heads {
                Heads::Open => Msg::new(
                    format!("unknown case: no open case whose head is {}", id.masked()),
                    format!("找不到案件: 没有户主为 {} 的未结案件", id.masked()),
                ),
                Heads::Any => Msg::new(
                    format!("unknown case: no case whose head is {}", id.masked()),
                    format!("找不到案件: 没有户主为 {} 的案件", id.masked()),
                ),
            },
            Msg::new(
                "check the ID, or write the case ID (案件编号)",
                "请核对身份证号, 或填写案件编号",
            ),
        )),
        _ => Err(refuse(
            "户主身份证号",
            id.masked(),
            match heads {
                Heads::Open => Msg::new(
                    format!(
                        "{} heads {} open cases; the row does not say which",
                        id.masked(),
                        found.len()
                    ),
                    format!("户主 {} 有 {} 个未结案件, 该行未写明是哪一个", id.masked(), found.len()),
                ),
                Heads::Any => Msg::new(
                    format!(
                        "{} heads {} cases applied for on the same day; the row does not say which",
                        id.masked(),
                        found.len()
                    ),
                    format!(
                        "户主 {} 有 {} 个同一天申请的案件, 该行未写明是哪一个",
                        id.masked(),
                        found.len()
                    ),
                ),
            },
            Msg::new("write the case ID (案件编号)", "请填写案件编号"),
        )),
    }
}

/// What to do about an ID number that is not valid: a column Excel turned into numbers is set to text and typed
/// again; any other fault is checked against the ID card.
pub(crate) fn id_fix(e: &id_number::IdError) -> Msg {
    if matches!(e, id_number::IdError::ExcelMangled) {
        Msg::new(
            "format the column as Text (设置单元格格式 → 文本), type the numbers again from the ID cards, and export again",
            "请把该列设为文本格式 (设置单元格格式 → 文本), 按身份证重新录入后再导出",
        )
    } else {
        Msg::new(
            "check the number against the ID card and correct it",
            "请与身份证核对并改正",
        )
    }
}

/// Names separated by `、`, commas, semicolons, slashes or spaces; each once, in order.
pub(crate) fn split_names(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in s.split(['、', ',', '，', ';', '；', '/', ' ', '\n']) {
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|x| x == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// The visit a follow-up row records, as every follow-up sheet has it (of a case or of a monitored household):
/// 回访日期, 回访人 (at least one), 困难类别.
pub(crate) fn visit_of_row(
    row: &[Cell],
    h: &Header,
    dates: &DateBounds,
) -> std::result::Result<(NaiveDate, Vec<String>, DifficultyClass), RowError> {
    let visited_on = date_of(
        &h.get(row, "followup_on").cloned().unwrap_or_default(),
        "回访日期",
        dates,
    )?;
    let visitors = split_names(h.text(row, "visitors"));
    if visitors.is_empty() {
        return Err(refuse(
            "回访人",
            "",
            Msg::new("no visitors (回访人 is blank)", "回访人未填写"),
            Msg::new(
                "write the visitors' names, separated by 、",
                "请填写回访人姓名, 多人用、分隔",
            ),
        ));
    }
    let class_text = h.text(row, "difficulty_class");
    let class = DifficultyClass::parse(class_text).ok_or_else(|| {
        let t = crate::domain::text::excerpt(class_text);
        refuse(
            "困难类别",
            class_text,
            Msg::new(
                format!("困难类别 `{t}` is not 特殊困难, 一般困难 or 临时困难"),
                format!("困难类别「{t}」无法识别, 应为 特殊困难、一般困难 或 临时困难"),
            ),
            Msg::new(
                "write 特殊困难, 一般困难 or 临时困难",
                "请填写 特殊困难、一般困难 或 临时困难",
            ),
        )
    })?;
    Ok((visited_on, visitors, class))
}

fn followup_of_row(
    row: &[Cell],
    h: &Header,
    cases: &[Case],
    index: &CaseIndex,
    members: &Members,
    dates: &DateBounds,
) -> std::result::Result<Followup, RowError> {
    let (case_id, _) = case_of_row(row, h, cases, index, Heads::Open)?;
    let (visited_on, visitors, difficulty_class) = visit_of_row(row, h, dates)?;
    let change_text = h.text(row, "change_kind");
    let change = ChangeKind::parse(change_text).ok_or_else(|| {
        let t = crate::domain::text::excerpt(change_text);
        refuse(
            "变化类型",
            change_text,
            Msg::new(
                format!("变化类型 `{t}` is not 无变化, 收入变化, 迁出 or 死亡"),
                format!("变化类型「{t}」无法识别, 应为 无变化、收入变化、迁出 或 死亡"),
            ),
            Msg::new(
                "write 收入变化, 迁出 or 死亡 (blank or 无变化 when nothing changed)",
                "请填写 收入变化、迁出 或 死亡 (没有变化时填 无变化 或留空)",
            ),
        )
    })?;
    let mut member_id_number = String::new();
    let mut new_income_amount = None;
    if change != ChangeKind::None {
        let cell = h.get(row, "member_id_number").cloned().unwrap_or_default();
        if cell.is_blank() {
            return Err(refuse(
                "变化成员身份证号",
                "",
                Msg::new(
                    format!(
                        "变化类型 {} names no member (变化成员身份证号 is blank)",
                        change.label_zh()
                    ),
                    format!(
                        "变化类型为{}, 但未写明是哪位成员 (变化成员身份证号为空)",
                        change.label_zh()
                    ),
                ),
                Msg::new(
                    "write the ID number of the member whose situation changed",
                    "请填写情况有变化的成员的身份证号",
                ),
            ));
        }
        let id: IdNumber = id_number::parse_cell(&cell.text, cell.number.is_some()).map_err(|e| {
            refuse(
                "变化成员身份证号",
                id_number::mask_any(&cell.text),
                Msg::new(e.to_string(), e.message_zh()),
                id_fix(&e),
            )
        })?;
        if members.find(&case_id, id.as_str()).is_none() {
            return Err(refuse(
                "变化成员身份证号",
                id.masked(),
                Msg::new(
                    format!("{} is not a member of case {case_id}", id.masked()),
                    format!("{} 不是案件 {case_id} 的家庭成员", id.masked()),
                ),
                Msg::new(
                    "check the ID against the case's members",
                    "请对照该案件的家庭成员核对身份证号",
                ),
            ));
        }
        member_id_number = id.as_str().to_string();
        if change == ChangeKind::Income {
            let cell = h.get(row, "new_income").cloned().unwrap_or_default();
            if cell.is_blank() {
                return Err(refuse(
                    "变化后月收入(元)",
                    "",
                    Msg::new(
                        "收入变化 without the new monthly income",
                        "变化类型为收入变化, 但未填写变化后月收入",
                    ),
                    Msg::new(
                        "write the member's monthly income now, in yuan (0 when none)",
                        "请填写该成员现在的月收入, 以元为单位 (没有收入填 0)",
                    ),
                ));
            }
            let parsed = match cell.number {
                Some(v) => Fen::from_number_cell(v),
                None => Fen::parse_yuan(&cell.text),
            };
            match parsed {
                Ok(f) if !f.is_negative() => new_income_amount = Some(f),
                Ok(_) => {
                    return Err(refuse(
                        "变化后月收入(元)",
                        cell.text.clone(),
                        Msg::new("income is negative", "月收入为负数"),
                        Msg::new("write the monthly income as 0 or more", "请填写 0 或更大的月收入"),
                    ))
                }
                Err(e) => {
                    return Err(refuse(
                        "变化后月收入(元)",
                        cell.text.clone(),
                        Msg::new(e.to_string(), e.zh()),
                        Msg::new(
                            "write the amount in yuan, e.g. 1200.50",
                            "请以元为单位填写金额, 如 1200.50",
                        ),
                    ))
                }
            }
        }
    }
    let joined = visitors.join("、");
    let hash = sha256_hex(
        format!(
            "{case_id}|{visited_on}|{joined}|{}|{member_id_number}",
            change.label_zh()
        )
        .as_bytes(),
    );
    Ok(Followup {
        followup_id: format!("F-{}", hash[..16].to_uppercase()),
        case_id,
        visited_on,
        visitor_count: visitors.len() as u32,
        visitors: Text(joined),
        outcome: Text(h.text(row, "outcome").to_string()),
        difficulty_class,
        change,
        member_id_number,
        old_income_amount: None,
        new_income_amount,
        file_sha256: String::new(),
        row: 0,
    })
}

/// Applies a follow-up's change to the case's members; returns the journal line, or why it cannot be applied.
fn apply_change(
    f: &mut Followup,
    cases: &mut [Case],
    index: &CaseIndex,
    members: &mut Members,
) -> std::result::Result<Option<String>, RowError> {
    // A row without a change looks nothing up.
    let at = match f.change {
        ChangeKind::None => None,
        _ => members.find(&f.case_id, &f.member_id_number),
    };
    match (f.change, at) {
        (ChangeKind::None, _) => Ok(None),
        (_, None) => {
            let who = id_number::mask_any(&f.member_id_number);
            Err(refuse(
                "变化成员身份证号",
                who.clone(),
                Msg::new(
                    format!("{who} is no longer a member of case {}", f.case_id),
                    format!("{who} 已不是案件 {} 的家庭成员", f.case_id),
                ),
                Msg::new(
                    "the member was removed by an earlier row; check the sheet",
                    "该成员已被表中前面的一行移出家庭; 请检查表格",
                ),
            ))
        }
        (ChangeKind::Income, Some(i)) => {
            let m = &mut members.list[i];
            let new = f.new_income_amount.expect("checked: income change has an amount");
            f.old_income_amount = Some(m.monthly_income_amount);
            let detail = format!(
                "回访 {}: {} ({}) 月收入 {} → {}",
                f.visited_on,
                m.name,
                m.id_number.masked(),
                m.monthly_income_amount,
                new
            );
            m.monthly_income_amount = new;
            Ok(Some(detail))
        }
        (ChangeKind::MovedOut | ChangeKind::Died, Some(i)) => {
            if members.list[i].relation == Relation::Head {
                let head = &members.list[i];
                return Err(refuse(
                    "变化成员身份证号",
                    head.id_number.masked(),
                    Msg::new(
                        format!(
                            "{} is the head of household; the case cannot lose its head here",
                            head.name
                        ),
                        format!("{} 是户主; 不能在回访中把户主移出家庭", head.name),
                    ),
                    Msg::new(
                        "the household applies again with its new head (or close the case)",
                        "请由新户主重新申请 (或办结该案件)",
                    ),
                ));
            }
            let size = members.remove(i) as u32;
            if let Some(&c) = index.by_id.get(f.case_id.as_str()) {
                cases[c].household_size = size;
            }
            let m = &members.list[i];
            Ok(Some(format!(
                "回访 {}: {} ({}) {}, 移出家庭; 家庭人口 {size}",
                f.visited_on,
                m.name,
                m.id_number.masked(),
                f.change.label_zh()
            )))
        }
    }
}

fn complaint_of_row(
    row: &[Cell],
    h: &Header,
    cases: &[Case],
    index: &CaseIndex,
    policy: &Policy,
    dates: &DateBounds,
) -> std::result::Result<(Complaint, Option<String>), RowError> {
    let received_on = date_of(
        &h.get(row, "received_on").cloned().unwrap_or_default(),
        "收到日期",
        dates,
    )?;
    let channel_text = h.text(row, "channel");
    let channel = Channel::parse(channel_text).ok_or_else(|| {
        let t = crate::domain::text::excerpt(channel_text);
        refuse(
            "信访方式",
            channel_text,
            Msg::new(
                format!("信访方式 `{t}` is not 来信, 来访, 电话 or 网络"),
                format!("信访方式「{t}」无法识别, 应为 来信、来访、电话 或 网络"),
            ),
            Msg::new("write 来信, 来访, 电话 or 网络", "请填写 来信、来访、电话 或 网络"),
        )
    })?;
    let subject = h.text(row, "subject").trim().to_string();
    if subject.is_empty() {
        return Err(refuse(
            "信访事项",
            "",
            Msg::new("no subject (信访事项 is blank)", "信访事项未填写"),
            Msg::new("write what the complaint is about", "请填写信访反映的事项"),
        ));
    }
    let (case_id, note) = case_of_row(row, h, cases, index, Heads::Any)?;
    let due_on = match optional_date(h, row, "due_on", "办理期限", dates)? {
        Some(d) => d,
        None => received_on
            .checked_add_days(Days::new(policy.complaints.due_days as u64))
            .unwrap_or(received_on),
    };
    let replied_on = optional_date(h, row, "replied_on", "答复日期", dates)?;
    if replied_on.is_some_and(|d| d < received_on) {
        return Err(refuse(
            "答复日期",
            replied_on.map(|d| d.to_string()).unwrap_or_default(),
            Msg::new("答复日期 is before 收到日期", "答复日期早于收到日期"),
            Msg::new("check both dates", "请核对两个日期"),
        ));
    }
    let result = h.text(row, "result").trim().to_string();
    if replied_on.is_some() && result.is_empty() {
        return Err(refuse(
            "处理结果",
            "",
            Msg::new("答复日期 given but no 处理结果", "填写了答复日期, 但没有处理结果"),
            Msg::new(
                "write the result of the handling (处理结果) that was replied",
                "请填写已答复的处理结果",
            ),
        ));
    }
    let complainant = h.text(row, "complainant").trim().to_string();
    let hash = sha256_hex(format!("{received_on}|{}|{complainant}|{subject}", channel.label_zh()).as_bytes());
    let complaint = Complaint {
        complaint_id: format!("X-{}", hash[..16].to_uppercase()),
        received_on,
        channel,
        complainant: Text(complainant),
        subject: Text(subject),
        case_id,
        handler: Text(h.text(row, "handler").trim().to_string()),
        due_on,
        result: Text(result),
        replied_on,
        file_sha256: String::new(),
        row: 0,
    };
    Ok((complaint, note))
}

fn report_path(kind: Kind, inputs: &[Input]) -> PathBuf {
    let stem = inputs
        .first()
        .and_then(|i| Path::new(&i.name).file_stem().and_then(|s| s.to_str()))
        .unwrap_or("input");
    let sha = inputs.first().map(|i| &i.sha256[..8]).unwrap_or("");
    PathBuf::from("reports").join(format!(
        "{}-rejects-{}-{sha}.xlsx",
        kind.step(),
        crate::workspace::safe_file_name(stem)
    ))
}

/// The first rejected rows of a summary, each with file, row, column, reason and fix, and how many more.
pub(crate) fn list_rejects(out: &mut String, rejects: &[Reject]) {
    const SHOWN: usize = 10;
    for r in rejects.iter().take(SHOWN) {
        out.push_str(&format!(
            "\n  {} {} {}{}: {} — {}",
            tr("rejected", "拒收"),
            r.file,
            tr(format!("row {}", r.row), format!("第 {} 行", r.row)),
            if r.column.is_empty() {
                String::new()
            } else {
                format!(" {}", r.column)
            },
            r.reason,
            r.fix
        ));
    }
    if let Some(more) = crate::ui::more(SHOWN, rejects.len()) {
        out.push_str(&format!("\n  {more}"));
    }
}

/// The rejects workbook, for the clerk who fixes the rows: Chinese whatever the terminal's language, so the same
/// files give the same bytes under any locale.
fn rejects_workbook(kind: Kind, rejects: &[Reject]) -> Result<Vec<u8>> {
    let what = match kind {
        Kind::Followups => "回访记录",
        Kind::Complaints => "信访登记",
    };
    rejects_sheet(
        format!(
            "未能记录的{what}行 — 改正后重新导入 (`jiuzhu intake --kind {}`)",
            kind.step()
        ),
        rejects,
    )
}

/// A rejects workbook (拒收: file, sheet, row, column, value, reason, fix) under `title`: the rows of a file read
/// by `intake --kind …` that could not be taken.
pub(crate) fn rejects_sheet(title: String, rejects: &[Reject]) -> Result<Vec<u8>> {
    writer::workbook_bytes(&[SheetSpec {
        name: "拒收".into(),
        title: Some(title),
        columns: vec![
            Column::new("文件", ColKind::Text),
            Column::new("工作表", ColKind::Text),
            Column::new("行", ColKind::Count),
            Column::new("列", ColKind::Text),
            Column::new("值", ColKind::Code),
            Column::new("原因", ColKind::Text),
            Column::new("处理办法", ColKind::Text),
        ],
        rows: rejects
            .iter()
            .map(|r| {
                vec![
                    Value::from(r.file.as_str()),
                    Value::from(r.sheet.as_str()),
                    Value::Count(r.row as i64),
                    Value::from(r.column.as_str()),
                    Value::from(r.value.as_str()),
                    Value::from(r.reason.zh()),
                    Value::from(r.fix.zh()),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    }])
}

// ---------------------------------------------------------------------------------------------------------
// What is due: pure over ledgers already read (for `status` and `audit`).

/// Complaints not answered by their due date, as of a date: no reply and `due_on` before `as_of`, or answered
/// after `due_on` is not overdue any more (it was late; `audit` may flag `replied_on > due_on`).
pub fn overdue_complaints(complaints: &[Complaint], as_of: NaiveDate) -> Vec<&Complaint> {
    let mut out: Vec<&Complaint> = complaints
        .iter()
        .filter(|c| c.replied_on.is_none() && c.due_on < as_of)
        .collect();
    out.sort_by(|a, b| (a.due_on, &a.complaint_id).cmp(&(b.due_on, &b.complaint_id)));
    out
}

/// Complaints answered after their due date (for `audit`).
pub fn late_replies(complaints: &[Complaint]) -> Vec<&Complaint> {
    complaints
        .iter()
        .filter(|c| c.replied_on.is_some_and(|r| r > c.due_on))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complaint(received: NaiveDate, due: NaiveDate, replied: Option<NaiveDate>) -> Complaint {
        Complaint {
            complaint_id: format!("X-{received}"),
            received_on: received,
            channel: Channel::Phone,
            complainant: Text::default(),
            subject: Text("反映低保户有车".into()),
            case_id: String::new(),
            handler: Text::default(),
            due_on: due,
            result: Text::default(),
            replied_on: replied,
            file_sha256: String::new(),
            row: 2,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_complaint_is_overdue_only_unanswered_and_past_due() {
        let cs = vec![
            complaint(d(2026, 8, 1), d(2026, 9, 30), None),
            complaint(d(2026, 10, 1), d(2026, 11, 30), None),
            complaint(d(2026, 7, 1), d(2026, 8, 30), Some(d(2026, 9, 5))),
        ];
        let o = overdue_complaints(&cs, d(2026, 11, 20));
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].received_on, d(2026, 8, 1));
        assert_eq!(late_replies(&cs).len(), 1);
        // On the due date itself it is not late yet.
        assert!(overdue_complaints(&cs, d(2026, 9, 30)).is_empty());
    }

    #[test]
    fn classes_and_changes_read_as_clerks_write_them() {
        assert_eq!(DifficultyClass::parse("特殊困难"), Some(DifficultyClass::Special));
        assert_eq!(DifficultyClass::parse(" 一般 "), Some(DifficultyClass::General));
        assert_eq!(DifficultyClass::parse("困难"), None);
        assert_eq!(ChangeKind::parse(""), Some(ChangeKind::None));
        assert_eq!(ChangeKind::parse("收入增加"), Some(ChangeKind::Income));
        assert_eq!(Channel::parse("12345"), Some(Channel::Phone));
        assert_eq!(split_names("李明、王芳 李明"), vec!["李明", "王芳"]);
    }
}
