//! `jiuzhu correct FILE [--by NAME]`: corrections of a case or a member (更正), from a correction sheet
//! (更正登记表), applied all-or-nothing and each one kept in the journal; `jiuzhu correct --template OUT.xlsx`
//! writes a blank sheet to fill in.
//!
//! One row per correction: 案件编号 and/or 身份证号 (the person, or the head for a household field), 字段 (the
//! field as registers name it: 住址, 联系电话, 开户银行, 银行账号, 月收入, 与户主关系, 劳动能力, 健康状况 …), 原值
//! (the value as the ledger holds it now), 新值, 更正原因, 依据 (户口簿, 银行卡复印件 …), 经办人 and 更正日期.
//! 字段 = 增加成员 adds a person to a case under review (身份证号 the new person's, 新值 `姓名、与户主关系`);
//! 减少成员 removes one (原值 the person's name). Rows are applied in the sheet's order, so a later row sees an
//! earlier one's value (a member added, then given an income).
//!
//! A row is refused when its 原值 is not the ledger's value (someone changed it since), when the field is not
//! corrected this way (the step that changes it is named: amounts and decisions by `decide`, materials by
//! `supplements`, the scheme or the application date by a new application, the ID of a person already paid by a
//! stop decision and a new application), when the case is closed, or when the new value would not pass intake:
//! every case touched is read again as intake reads a register ([`register::read_register`],
//! [`register::check_household`]), with its corrections in it. One bad row and nothing is written (exit 1),
//! every bad row named with file, sheet, row and column; a file that is not such a sheet stops the run (exit 2).
//!
//! What is recorded: `cases.csv` and `members.csv` as corrected, one journal event per correction (what,
//! old → new — ID and account numbers masked —, why, on what evidence, who, when, the sheet's SHA-256), the
//! sheet kept in `inbox/`. A correction of anything but contact details (住址, 联系电话, 开户银行, 银行账号, 姓名)
//! sends a verified case back to `received` for the next `verify`; a case in force is re-decided by the next
//! `decide`, from the month it proposes (never a change to money already paid); a corrected account lets the
//! next `disburse` reissue a payment the bank returned.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use crate::cmd::cli::{examples, Ctx};
use crate::domain::date::DateBounds;
use crate::domain::id_number::IdNumber;
use crate::domain::money::Fen;
use crate::domain::{mask, text};
use crate::i18n::{tr, Msg};
use crate::ledger::events::{Event, Journal, NewEvent};
use crate::ledger::{
    self, Case, CaseStatus, ConfirmResult, ConfirmSubject, Confirmation, Decision, DecisionStatus, Member, Payment,
    PaymentStatus, Record, Relation, SelfCare, Text, WorkAbility,
};
use crate::register;
use crate::sheet::fields::{field, HeaderNames};
use crate::sheet::reader::{self, Cell, Encoding, RawSheet, Workbook};
use crate::sheet::writer::{self, Column, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

/// The journal step of a correction.
pub const STEP: &str = "correct";

// Correct a case or a member from a correction sheet (更正登记表).
// Its options and help are in both languages, picked when the command line is built.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Correct a case or a member (更正) from a correction sheet (更正登记表): 原值 checked against the \
ledgers, new values checked as on intake, all-or-nothing, each correction in the journal",
        "按更正登记表更正案件或成员信息 (更正): 原值须与台账一致, 新值按受理时的规则校验, 整表一并更正, 每项更正记入日志",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu correct --template 更正登记表.xlsx\n  jiuzhu correct 更正登记表.xlsx --dry-run\n  \
jiuzhu correct 更正登记表.xlsx --by 王芳",
        "示例:\n  jiuzhu correct --template 更正登记表.xlsx\n  jiuzhu correct 更正登记表.xlsx --dry-run\n  \
jiuzhu correct 更正登记表.xlsx --by 王芳",
    )),
    after_help = tr("\
One row per correction: 案件编号 or 身份证号, 字段 (住址, 联系电话, 开户银行, 银行账号, 姓名, 与户主关系, 月收入, \
劳动能力, 健康状况 …; 增加成员 / 减少成员 for a case under review), 原值, 新值, 更正原因, 依据, 经办人, 更正日期. \
One bad row and nothing is corrected (exit 1). Amounts, decisions, statuses, materials and the scheme are changed by \
their own steps. A corrected case under review is verified again; a case in force is re-decided by the next decide; \
a corrected account lets disburse reissue a returned payment.", "\
每项更正一行: 案件编号 或 身份证号、字段 (住址、联系电话、开户银行、银行账号、姓名、与户主关系、月收入、劳动能力、\
健康状况 …; 审核中的案件可 增加成员 / 减少成员)、原值、新值、更正原因、依据、经办人、更正日期。有一行不符即整表不更正 \
(退出码 1)。金额、决定、状态、材料和申请类别由各自的步骤改变。审核中的案件更正后重新审核; 在保案件由下次 decide 重新\
决定; 更正账号后 disburse 重发被退回的款项。")
)]
pub struct Args {
    #[arg(value_name = "FILE", required_unless_present = "template", help = tr(
        "The correction sheet (更正登记表): 案件编号 or 身份证号, 字段, 原值, 新值, 更正原因, 依据, 经办人, 更正日期",
        "更正登记表: 案件编号 或 身份证号、字段、原值、新值、更正原因、依据、经办人、更正日期",
    ))]
    pub file: Option<PathBuf>,
    #[arg(long, value_name = "OUT.xlsx", conflicts_with = "file", help = tr(
        "Write a blank correction sheet to fill in, with the fields that can be corrected",
        "生成一张空白的更正登记表 (附可更正的字段说明)",
    ))]
    pub template: Option<PathBuf>,
    #[arg(long, value_name = "NAME", help = tr(
        "Who made the corrections, for rows whose 经办人 is blank",
        "经办人 (用于 经办人 一栏空白的行)",
    ))]
    pub by: Option<String>,
    #[arg(long, value_name = "ENCODING", help = tr(
        "The CSV file's encoding when it cannot be told (gb18030, utf-8)",
        "无法识别时 CSV 文件的编码 (gb18030, utf-8)",
    ))]
    pub encoding: Option<String>,
    #[arg(long, help = tr("Show what would be corrected; write nothing", "只显示将更正什么; 不写任何文件"))]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (no period), unless a dry run or `--template` (which writes a blank sheet outside the ledgers).
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run && self.template.is_none()).then_some(None)
    }
}

/// The command line's entry: the sheets taken from `-C DIR` as git does; `--template` needs no workspace.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let mut args = args;
    args.file = args.file.map(|f| ctx.path(f));
    args.template = args.template.map(|f| ctx.path(f));
    if args.template.is_some() {
        return run_template(&args, ctx.quiet);
    }
    run(&ctx.workspace()?, &args, ctx.quiet)
}

/// The household fields a sheet may correct (keys of [`crate::sheet::fields`]).
const CASE_FIELDS: &[&str] = &[
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "hardship_reason",
    "hukou",
    "village",
    "deposits",
    "vehicles",
    "properties",
    "support_mode",
];

/// The member fields a sheet may correct.
const MEMBER_FIELDS: &[&str] = &[
    "name",
    "id_number",
    "relation",
    "monthly_income",
    "disability_grade",
    "health",
    "serious_illness",
    "in_school",
    "work_ability",
    "self_care",
    "registered_region",
];

/// Fields that say how to reach or pay the household, not whether or how much it is helped: correcting them
/// leaves the review and the decisions as they are.
const CONTACT_FIELDS: &[&str] = &["address", "phone", "bank_name", "bank_account", "name"];

/// What a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Case(&'static str),
    Member(&'static str),
    Add,
    Remove,
    /// 人工确认: a person's answer to a check that asks for one (no work ability, a relation by age).
    Confirm(ConfirmSubject),
}

impl What {
    fn key(self) -> &'static str {
        match self {
            What::Case(k) | What::Member(k) => k,
            What::Add => "add_member",
            What::Remove => "remove_member",
            What::Confirm(ConfirmSubject::WorkAbility) => "confirm_work_ability",
            What::Confirm(ConfirmSubject::Relation) => "confirm_relation",
        }
    }

    fn label(self) -> &'static str {
        match self {
            What::Case(k) | What::Member(k) => field(k).map(|f| f.label_zh).unwrap_or(k),
            What::Add => "增加成员",
            What::Remove => "减少成员",
            What::Confirm(s) => s.label_zh(),
        }
    }

    fn contact(self) -> bool {
        matches!(self, What::Case(k) | What::Member(k) if CONTACT_FIELDS.contains(&k))
    }
}

/// A bad row, and the column of the sheet it is about.
struct Reject {
    row: u32,
    column: &'static str,
    reason: Msg,
}

/// One correction as read, before it is checked against intake's rules.
struct Row {
    row: u32,
    case: usize,
    /// The person (their ID as it was before this sheet, or the new person's for 增加成员).
    person: Option<String>,
    what: What,
    old: String,
    new: String,
    reason: String,
    evidence: String,
    clerk: String,
    on: NaiveDate,
}

/// A case's members as this sheet leaves them: the ledger's (by their ID before the sheet) and the new, each
/// with the texts corrected.
#[derive(Default)]
struct Edited {
    household: BTreeMap<&'static str, String>,
    /// (ID before the sheet, added, removed, field → text).
    members: Vec<(String, bool, bool, BTreeMap<&'static str, String>)>,
}

/// `jiuzhu correct --template OUT.xlsx` (no workspace needed).
pub fn run_template(args: &Args, quiet: bool) -> Result<Outcome> {
    match &args.template {
        Some(out) => template(out, quiet),
        None => bail!(tr("--template needs a file name", "--template 需要文件名")),
    }
}

pub fn run(ws: &Workspace, args: &Args, quiet: bool) -> Result<Outcome> {
    if args.template.is_some() {
        return run_template(args, quiet);
    }
    let Some(file) = &args.file else {
        bail!(tr(
            "give the correction sheet (FILE) or --template OUT.xlsx",
            "请给出更正登记表 (FILE) 或 --template OUT.xlsx"
        ));
    };
    let encoding = match &args.encoding {
        Some(e) => Encoding::parse(e)?,
        None => Encoding::Detect,
    };
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let names = HeaderNames::new(&ws.policy.columns);
    let required = ["correction_field"];
    let any_of = ["case_id", "id_number"];
    let reads = [
        "case_id",
        "id_number",
        "correction_field",
        "old_value",
        "new_value",
        "correction_reason",
        "evidence",
        "clerk",
        "corrected_on",
    ];
    let input = match reader::read_table_file(file, encoding, &names, (&required, &any_of), &reads)? {
        Ok(input) => input,
        Err(misses) => bail!(tr(
            format!(
                "{} is not a correction sheet (更正登记表): it needs the columns 案件编号 (or 身份证号), 字段, 原值, \
                 新值, 更正原因, 依据, 经办人 and 更正日期 — `jiuzhu correct --template 更正登记表.xlsx` writes one.\n  {}",
                file.display(),
                misses.join("\n  ")
            ),
            format!(
                "{} 不是更正登记表: 需要以下列: 案件编号 (或身份证号)、字段、原值、新值、更正原因、依据、经办人、更正日期 — \
                 可用 `jiuzhu correct --template 更正登记表.xlsx` 生成空白表。\n  {}",
                file.display(),
                misses.join("\n  ")
            )
        )),
    };
    let shown = input.name.clone();
    let mut journal = Journal::read(ws)?;
    if journal.took(STEP, &input.sha256) {
        if !quiet {
            crate::outln!(
                "{}",
                tr(
                    format!("correct: {shown} was already applied (the same file); nothing to do"),
                    format!("更正登记: {shown} 已经登记过 (同一文件); 无需处理")
                )
            );
        }
        return Ok(Outcome::Done);
    }
    let (unused, near_misses) = reader::unused_lines(&input.name, false, &input.unused, "columns");
    let unused: Vec<String> = unused.into_iter().map(|l| format!("  {l}")).collect();
    if near_misses > 0 {
        for l in &unused {
            crate::errln!("{l}");
        }
        crate::errln!(
            "{}",
            tr(
                format!("correct: {shown}: nothing was corrected — map the column above and run again"),
                format!("更正登记: {shown}: 未更正任何内容 — 请按上面的提示对应好该列后重新运行"),
            )
        );
        return Ok(Outcome::NeedsAttention);
    }
    for col in ["old_value", "new_value", "correction_reason", "clerk", "corrected_on"] {
        let given = input.header.columns.contains_key(col) || (col == "clerk" && args.by.is_some());
        if !given {
            let label = field(col).map(|f| f.label_zh).unwrap_or(col);
            bail!(tr(
                format!(
                    "{shown}: the correction sheet has no column {label}; every correction says it (the sheet \
                     `jiuzhu correct --template` writes has them all); nothing was corrected"
                ),
                format!("{shown}: 更正登记表缺少「{label}」一列, 每条更正都须填写 (`jiuzhu correct --template` 生成的表各列齐全); 未更正任何内容")
            ));
        }
    }

    let mut cases = ledger::read::<Case>(ws)?;
    let members = ledger::read::<Member>(ws)?;
    let decisions = ledger::read::<Decision>(ws)?;
    let payments = ledger::read::<Payment>(ws)?;
    let sheet = Sheet {
        file: &input.shown,
        name: &input.sheet.name,
    };

    // Read every row: the case, the person, the field, the values, who, when, why.
    let h = &input.header;
    let by_id: BTreeMap<&str, usize> = cases.iter().enumerate().map(|(i, c)| (c.case_id.as_str(), i)).collect();
    let members_of = crate::domain::records::by_case_sorted(&members);
    let mut open_case_of: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &members {
        if let Some(&i) = by_id.get(m.case_id.as_str()) {
            if cases[i].status.is_open() {
                open_case_of.insert(m.id_number.as_str(), i);
            }
        }
    }
    let pending: BTreeMap<&str, &Decision> = decisions
        .iter()
        .filter(|d| {
            matches!(
                d.status,
                DecisionStatus::Proposed | DecisionStatus::Approved | DecisionStatus::Deferred
            )
        })
        .map(|d| (d.case_id.as_str(), d))
        .collect();
    let paid: BTreeSet<&str> = payments
        .iter()
        .filter(|p| p.status != PaymentStatus::Failed)
        .map(|p| p.case_id.as_str())
        .collect();
    let read_dates = input
        .sheet
        .rows
        .iter()
        .skip(h.row + 1)
        .filter_map(|row| h.get(row, "corrected_on")?.as_date().ok())
        .collect();
    let dates = DateBounds::new(cases.iter().map(|c| c.applied_on), read_dates);
    let default_clerk = args.by.as_deref().map(text::normalize).filter(|s| !text::is_blank(s));

    let mut rejects: Vec<Reject> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut edited: BTreeMap<usize, Edited> = BTreeMap::new();
    let mut rows_read = 0usize;
    for (i, cells) in input.sheet.rows.iter().enumerate().skip(h.row + 1) {
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        rows_read += 1;
        let row_no = (i + 1) as u32;
        let mut reject = |column: &'static str, reason: Msg| {
            rejects.push(Reject {
                row: row_no,
                column,
                reason,
            })
        };
        let get = |f: &str| text::normalize(h.text(cells, f));
        let (case_text, person_text, field_text) = (get("case_id"), get("id_number"), get("correction_field"));
        let (old, new) = (get("old_value"), get("new_value"));
        let what = match what_of(&names, &field_text) {
            Ok(w) => w,
            Err(reason) => {
                reject("correction_field", reason);
                continue;
            }
        };
        // The case: named, or the open case of the person.
        let person_key = person_text.to_uppercase();
        let index = if !case_text.is_empty() {
            match by_id.get(case_text.as_str()) {
                Some(&i) => i,
                None => {
                    reject(
                        "case_id",
                        Msg::new(
                            format!("case {case_text} is not in ledgers/cases.csv; check the 案件编号"),
                            format!("案件 {case_text} 不在 ledgers/cases.csv 中; 请核对案件编号"),
                        ),
                    );
                    continue;
                }
            }
        } else if what == What::Add {
            reject(
                "case_id",
                Msg::new(
                    "增加成员 needs the 案件编号 of the case the person joins",
                    "增加成员须填写该成员加入的案件编号",
                ),
            );
            continue;
        } else {
            match open_case_of.get(person_key.as_str()) {
                Some(&i) => i,
                None => {
                    reject(
                        if person_text.is_empty() { "case_id" } else { "id_number" },
                        Msg::new(
                            "no case named: give the 案件编号, or the 身份证号 of a person in an open case",
                            "未指明案件: 请填写案件编号, 或未结案件中某位成员的身份证号",
                        ),
                    );
                    continue;
                }
            }
        };
        let case = &cases[index];
        let e = edited.entry(index).or_insert_with(|| Edited {
            household: BTreeMap::new(),
            members: members_of
                .get(case.case_id.as_str())
                .into_iter()
                .flatten()
                .map(|m| (m.id_number.as_str().to_string(), false, false, BTreeMap::new()))
                .collect(),
        });
        // The person, for a member field (the head for a household field named by the head's row).
        let member_at = |e: &Edited, id: &str| e.members.iter().position(|(k, _, removed, _)| k == id && !removed);
        let person = match what {
            What::Case(_) => None,
            What::Add => {
                if person_text.is_empty() {
                    reject(
                        "id_number",
                        Msg::new(
                            "增加成员 needs the new person's 身份证号",
                            "增加成员须填写新成员的身份证号",
                        ),
                    );
                    continue;
                }
                Some(person_key.clone())
            }
            What::Member(_) | What::Remove | What::Confirm(_) => {
                let head = || case.applicant_id_number.as_str().to_string();
                let for_head = field_text.contains("户主") || what == What::Confirm(ConfirmSubject::WorkAbility);
                let id = if person_text.is_empty() && for_head {
                    head()
                } else {
                    person_key.clone()
                };
                if id.is_empty() {
                    reject(
                        "id_number",
                        Msg::new(
                            format!("{} is a member's field: give the person's 身份证号", what.label()),
                            format!("{}是成员的信息: 请填写该成员的身份证号", what.label()),
                        ),
                    );
                    continue;
                }
                if member_at(e, &id).is_none() {
                    reject(
                        "id_number",
                        Msg::new(
                            format!(
                                "{} is not a member of case {}; check the 身份证号",
                                mask::id(&id),
                                case.case_id
                            ),
                            format!("{} 不是案件 {} 的家庭成员; 请核对身份证号", mask::id(&id), case.case_id),
                        ),
                    );
                    continue;
                }
                if what == What::Confirm(ConfirmSubject::WorkAbility) && id != head() {
                    reject(
                        "id_number",
                        Msg::new(
                            format!(
                                "{}: 特困 asks to confirm the head's work ability; {} is not the head of case {}",
                                what.label(),
                                mask::id(&id),
                                case.case_id
                            ),
                            format!(
                                "{}: 特困审核确认的是户主的劳动能力; {} 不是案件 {} 的户主",
                                what.label(),
                                mask::id(&id),
                                case.case_id
                            ),
                        ),
                    );
                    continue;
                }
                Some(id)
            }
        };
        // May this case have this corrected here?
        if let Err(reason) = allowed(case, what, pending.get(case.case_id.as_str()).copied(), &paid) {
            reject("correction_field", reason);
            continue;
        }
        // The value as the ledger (and the rows above) hold it.
        let current = match (what, &person) {
            (What::Case(k), _) => e.household.get(k).cloned().unwrap_or_else(|| case_text_of(ws, case, k)),
            (What::Member(k), Some(id)) => {
                let (_, _, _, texts) = &e.members[member_at(e, id).expect("found above")];
                texts.get(k).cloned().unwrap_or_else(|| {
                    members_of
                        .get(case.case_id.as_str())
                        .and_then(|ms| ms.iter().find(|m| m.id_number.as_str() == id))
                        .map(|m| member_text_of(m, k))
                        .unwrap_or_default()
                })
            }
            (What::Remove, Some(id)) => {
                let (_, _, _, texts) = &e.members[member_at(e, id).expect("found above")];
                texts.get("name").cloned().unwrap_or_else(|| {
                    members_of
                        .get(case.case_id.as_str())
                        .and_then(|ms| ms.iter().find(|m| m.id_number.as_str() == id))
                        .map(|m| m.name.as_str().to_string())
                        .unwrap_or_default()
                })
            }
            _ => String::new(),
        };
        if !matches!(what, What::Add | What::Confirm(_)) && !same_value(ws, what.key(), &old, &current) {
            let now = shown_value(what.key(), &current);
            let was = shown_value(what.key(), &old);
            reject(
                "old_value",
                Msg::new(
                    format!(
                        "原值 `{was}` is not the value in the ledger (`{now}`): it was changed since the sheet was \
                         filled in, or 原值 was mistyped; check the case and write the value as it is now"
                    ),
                    format!("原值「{was}」与台账中的值「{now}」不符: 填表后已被改动, 或原值填错; 请核对案件, 按现值填写原值"),
                ),
            );
            continue;
        }
        if what == What::Add {
            if !old.is_empty() {
                reject(
                    "old_value",
                    Msg::new("增加成员: leave 原值 blank", "增加成员: 原值应为空"),
                );
                continue;
            }
            if member_at(e, &person_key).is_some() {
                reject(
                    "id_number",
                    Msg::new(
                        format!("{} is already a member of case {}", mask::id(&person_key), case.case_id),
                        format!("{} 已是案件 {} 的家庭成员", mask::id(&person_key), case.case_id),
                    ),
                );
                continue;
            }
            if let Some(&other) = open_case_of.get(person_key.as_str()).filter(|&&o| o != index) {
                reject(
                    "id_number",
                    Msg::new(
                        format!(
                            "{} is already in open case {}; a person can be in one open case",
                            mask::id(&person_key),
                            cases[other].case_id
                        ),
                        format!(
                            "{} 已在未结案件 {} 中; 一人只能在一个未结案件中",
                            mask::id(&person_key),
                            cases[other].case_id
                        ),
                    ),
                );
                continue;
            }
        }
        if what == What::Remove {
            if !new.is_empty() {
                reject(
                    "new_value",
                    Msg::new("减少成员: leave 新值 blank", "减少成员: 新值应为空"),
                );
                continue;
            }
        } else if new.is_empty() && !matches!(what, What::Member("registered_region") | What::Case("hardship_reason")) {
            reject(
                "new_value",
                Msg::new(
                    format!("新值 is blank: write the corrected {}", what.label()),
                    format!("新值为空: 请填写更正后的{}", what.label()),
                ),
            );
            continue;
        }
        if matches!(what, What::Confirm(_)) && ConfirmResult::parse(&new).is_none() {
            reject(
                "new_value",
                Msg::new(
                    format!(
                        "{}: 新值 `{}` is no answer: write 属实 (confirmed) or 不属实 (not so), and why in 更正原因",
                        what.label(),
                        text::excerpt(&new)
                    ),
                    format!(
                        "{}: 新值「{}」不是确认结果: 请填写 属实 或 不属实, 并在更正原因中写明理由",
                        what.label(),
                        text::excerpt(&new)
                    ),
                ),
            );
            continue;
        }
        if what == What::Member("id_number") {
            if let Some(&other) = open_case_of.get(new.to_uppercase().as_str()) {
                reject(
                    "new_value",
                    Msg::new(
                        format!("{} is already in open case {}", mask::id(&new), cases[other].case_id),
                        format!("{} 已在未结案件 {} 中", mask::id(&new), cases[other].case_id),
                    ),
                );
                continue;
            }
        }
        let reason = get("correction_reason");
        if reason.is_empty() {
            reject(
                "correction_reason",
                Msg::new(
                    "更正原因 is blank: write why the value is corrected",
                    "更正原因为空: 请填写更正的原因",
                ),
            );
            continue;
        }
        let clerk = match get("clerk") {
            c if !c.is_empty() => c,
            _ => match &default_clerk {
                Some(c) => c.clone(),
                None => {
                    reject(
                        "clerk",
                        Msg::new(
                            "经办人 is blank: write who made the correction (or give --by NAME)",
                            "经办人为空: 请填写办理更正的经办人 (或用 --by 指定)",
                        ),
                    );
                    continue;
                }
            },
        };
        let on = match h.get(cells, "corrected_on") {
            Some(c) if !c.is_blank() => match c.as_date().and_then(|d| dates.check(d)) {
                Ok(d) if d < case.applied_on => {
                    reject(
                        "corrected_on",
                        Msg::new(
                            format!(
                                "更正日期 {d} is before the application was received ({})",
                                case.applied_on
                            ),
                            format!("更正日期 {d} 早于受理日期 ({})", case.applied_on),
                        ),
                    );
                    continue;
                }
                Ok(d) => d,
                Err(err) => {
                    reject(
                        "corrected_on",
                        Msg::new(
                            format!("更正日期 `{}`: {err}; write the date as 2026-11-23", c.text),
                            format!("更正日期「{}」: {}; 日期请写成 2026-11-23", c.text, err.zh()),
                        ),
                    );
                    continue;
                }
            },
            _ => {
                reject(
                    "corrected_on",
                    Msg::new(
                        "更正日期 is blank: write the day of the correction",
                        "更正日期为空: 请填写更正的日期",
                    ),
                );
                continue;
            }
        };
        // Note the new text where the case's register is read again below.
        match (what, &person) {
            (What::Case(k), _) => {
                e.household.insert(k, new.clone());
            }
            (What::Member(k), Some(id)) => {
                let at = member_at(e, id).expect("found above");
                e.members[at].3.insert(k, new.clone());
            }
            (What::Remove, Some(id)) => {
                let at = member_at(e, id).expect("found above");
                e.members[at].2 = true;
            }
            (What::Add, Some(id)) => {
                let mut parts = new
                    .split(['、', ',', '，', '/', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty());
                let (name, relation) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let texts = BTreeMap::from([("name", name.to_string()), ("relation", relation.to_string())]);
                e.members.push((id.clone(), true, false, texts));
            }
            _ => {}
        }
        rows.push(Row {
            row: row_no,
            case: index,
            person,
            what,
            old,
            new,
            reason,
            evidence: get("evidence"),
            clerk,
            on,
        });
    }

    // Every case touched, read again as intake reads a register, with its corrections in it.
    let mut rebuilt: BTreeMap<usize, (Case, Vec<Member>)> = BTreeMap::new();
    {
        for (&index, e) in &edited {
            let mine: Vec<&Row> = rows
                .iter()
                .filter(|r| r.case == index && !matches!(r.what, What::Confirm(_)))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let ms: Vec<&Member> = members_of
                .get(cases[index].case_id.as_str())
                .cloned()
                .unwrap_or_default();
            match reread(ws, &names, &cases[index], &ms, e, &dates) {
                Ok(done) => {
                    rebuilt.insert(index, done);
                }
                Err(problems) => {
                    for (column, member, reason) in problems {
                        // Each problem goes to the rows that wrote the column it is in (or, for the household as
                        // a whole, to every row of the case).
                        let hit: Vec<&&Row> = mine
                            .iter()
                            .filter(|r| {
                                let label = match r.what {
                                    What::Add => None,
                                    w => Some(w.label()),
                                };
                                let same_person = matches!(r.what, What::Case(_) | What::Add)
                                    || member.is_none()
                                    || r.person == member;
                                same_person
                                    && (label.is_some_and(|l| column == l || column == health_label(r.what))
                                        || (r.what == What::Add && r.person == member))
                            })
                            .collect();
                        let hit: Vec<&&Row> = if hit.is_empty() { mine.iter().collect() } else { hit };
                        for r in hit {
                            rejects.push(Reject {
                                row: r.row,
                                column: "new_value",
                                reason: Msg::new(
                                    format!("{}: {}", r.what.label(), reason.en),
                                    format!("{}: {}", r.what.label(), reason.zh),
                                ),
                            });
                        }
                    }
                }
            }
        }
    }

    if !rejects.is_empty() {
        rejects.sort_by_key(|r| r.row);
        crate::errln!(
            "{}",
            tr(
                format!(
                    "correct: {shown}: {} of {rows_read} rows cannot be applied; nothing was corrected (the sheet is \
                     applied whole) — correct these rows and run again:",
                    rejects.iter().map(|r| r.row).collect::<BTreeSet<_>>().len()
                ),
                format!(
                    "更正登记: {shown}: {rows_read} 行中有 {} 行不能更正; 未更正任何内容 (整表一并更正) — 请改正以下各行后\
                     重新运行:",
                    rejects.iter().map(|r| r.row).collect::<BTreeSet<_>>().len()
                )
            )
        );
        let lines: Vec<String> = rejects.iter().map(|r| sheet.line(h, r)).collect();
        crate::errln!("{}", crate::ui::first_of(&lines, 20, "\n"));
        return Ok(Outcome::NeedsAttention);
    }
    if rows.is_empty() {
        if !quiet {
            crate::outln!(
                "{}",
                tr(
                    format!("correct: {shown}: no correction in the sheet; nothing was corrected"),
                    format!("更正登记: {shown}: 表中没有更正内容; 未更正任何内容")
                )
            );
        }
        return Ok(Outcome::NeedsAttention);
    }

    // Apply: the cases and members as re-read; a case whose facts changed goes back to the review.
    let short = &input.sha256[..16];
    let mut events = vec![NewEvent {
        step: STEP.into(),
        detail: format!(
            "{} corrections (更正) to {} cases from {shown}",
            rows.len(),
            rebuilt.len()
        ),
        inputs: format!("{}={};{POLICY_FILE}={}", input.name, input.sha256, ws.policy_sha256()?),
        ..NewEvent::default()
    }];
    let mut lines = Vec::new();
    let (mut review_again, mut redecide, mut reissue) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let failed: BTreeSet<&str> = payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Failed)
        .map(|p| p.case_id.as_str())
        .collect();
    let mut new_members: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for (&index, (case, ms)) in &rebuilt {
        let from = cases[index].status;
        let facts = rows.iter().any(|r| r.case == index && !r.what.contact());
        let mut to = from;
        if facts && matches!(from, CaseStatus::Verified | CaseStatus::Ineligible) {
            to = CaseStatus::Received;
            review_again.insert(case.case_id.clone());
        } else if facts && matches!(from, CaseStatus::Received | CaseStatus::NeedsInfo) {
            review_again.insert(case.case_id.clone());
        } else if facts && from == CaseStatus::Effective {
            redecide.insert(case.case_id.clone());
        }
        if rows
            .iter()
            .any(|r| r.case == index && r.what == What::Case("bank_account"))
            && failed.contains(case.case_id.as_str())
        {
            reissue.insert(case.case_id.clone());
        }
        let mut first = true;
        for r in rows.iter().filter(|r| r.case == index) {
            let (old, new) = (masked(r.what.key(), &r.old), masked(r.what.key(), &r.new));
            let who = r
                .person
                .as_deref()
                .map(|id| format!(" {}", mask::id(id)))
                .unwrap_or_default();
            let evidence = if r.evidence.is_empty() {
                String::new()
            } else {
                format!("; evidence (依据): {}", r.evidence)
            };
            let moved = first && to != from;
            events.push(NewEvent {
                step: STEP.into(),
                case_id: case.case_id.clone(),
                from_status: if moved { from.as_str().into() } else { String::new() },
                to_status: if moved { to.as_str().into() } else { String::new() },
                detail: format!(
                    "corrected (更正) {}{who}: `{old}` → `{new}`; reason: {}{evidence}; by {} on {}; sheet {shown} \
                     sha256 {short}",
                    r.what.label(),
                    r.reason,
                    r.clerk,
                    r.on
                ),
                inputs: format!("{}={}", input.name, input.sha256),
            });
            first = false;
            lines.push(tr(
                format!(
                    "  {} {}: {}{who} `{old}` → `{new}` ({}, by {})",
                    case.case_id,
                    case.applicant_name,
                    r.what.label(),
                    r.reason,
                    r.clerk
                ),
                format!(
                    "  {} {}: {}{who}「{old}」→「{new}」({}, 经办人 {})",
                    case.case_id,
                    case.applicant_name,
                    r.what.label(),
                    r.reason,
                    r.clerk
                ),
            ));
        }
        let mut c = case.clone();
        c.status = to;
        cases[index] = c;
        new_members.insert(case.case_id.clone(), ms.clone());
    }
    // Confirmations (人工确认): kept in confirmations.csv for the next verify; the case itself is unchanged.
    let mut confirmations = ledger::read::<Confirmation>(ws)?;
    let mut confirmed = 0usize;
    for r in rows.iter().filter(|r| matches!(r.what, What::Confirm(_))) {
        let What::Confirm(subject) = r.what else { continue };
        let case = &cases[r.case];
        let person = r.person.clone().unwrap_or_default();
        let Some(result) = ConfirmResult::parse(&r.new) else {
            continue;
        };
        let Ok(id_number) = crate::domain::id_number::parse(&person) else {
            continue;
        };
        let new = Confirmation {
            case_id: case.case_id.clone(),
            subject,
            id_number,
            result,
            reason: Text(r.reason.clone()),
            evidence: Text(r.evidence.clone()),
            confirmed_by: Text(r.clerk.clone()),
            confirmed_on: r.on,
            sheet_sha256: input.sha256.clone(),
        };
        match confirmations.iter().position(|c| c.key_cmp(&new).is_eq()) {
            Some(i) => confirmations[i] = new,
            None => confirmations.push(new),
        }
        confirmed += 1;
        let evidence = if r.evidence.is_empty() {
            String::new()
        } else {
            format!("; evidence (依据): {}", r.evidence)
        };
        events.push(NewEvent {
            step: STEP.into(),
            case_id: case.case_id.clone(),
            detail: format!(
                "confirmed (人工确认) {} {}: {}; reason: {}{evidence}; by {} on {}; sheet {shown} sha256 {short}",
                r.what.label(),
                mask::id(&person),
                result.label_zh(),
                r.reason,
                r.clerk,
                r.on
            ),
            inputs: format!("{}={}", input.name, input.sha256),
            ..NewEvent::default()
        });
        lines.push(tr(
            format!(
                "  {} {}: {} {} {} ({}, by {})",
                case.case_id,
                case.applicant_name,
                r.what.label(),
                mask::id(&person),
                result.label_zh(),
                r.reason,
                r.clerk
            ),
            format!(
                "  {} {}: {} {} {} ({}, 经办人 {})",
                case.case_id,
                case.applicant_name,
                r.what.label(),
                mask::id(&person),
                result.label_zh(),
                r.reason,
                r.clerk
            ),
        ));
    }
    confirmations.sort_by(|a, b| a.key_cmp(b));
    let touched = rows.iter().map(|r| r.case).collect::<BTreeSet<_>>().len();
    let corrected = rows.len() - confirmed;
    let summary = if confirmed == 0 {
        tr(
            format!("correct: {shown}: {corrected} corrections to {touched} cases"),
            format!("更正登记: {shown}: 更正 {corrected} 项, 涉及 {touched} 个案件"),
        )
    } else {
        tr(
            format!("correct: {shown}: {corrected} corrections and {confirmed} confirmations for {touched} cases"),
            format!("更正登记: {shown}: 更正 {corrected} 项、人工确认 {confirmed} 项, 涉及 {touched} 个案件"),
        )
    };
    let Some(lock) = lock else {
        if !quiet {
            crate::outln!("{}{summary}", tr("dry run: ", "试运行: "));
            for l in lines.iter().chain(&unused) {
                crate::outln!("{l}");
            }
        }
        return Ok(Outcome::Done);
    };
    let mut all_members: Vec<Member> = members
        .into_iter()
        .filter(|m| !new_members.contains_key(&m.case_id))
        .collect();
    all_members.extend(new_members.into_values().flatten());
    all_members.sort_by(|a, b| a.key_cmp(b));
    journal.append(events);
    let mut txn = Txn::new();
    txn.put(ledger::path_of::<Case>(), ledger::to_bytes(&cases)?);
    txn.put(ledger::path_of::<Member>(), ledger::to_bytes(&all_members)?);
    if confirmed > 0 {
        txn.put(ledger::path_of::<Confirmation>(), ledger::to_bytes(&confirmations)?);
    }
    journal.put(&mut txn)?;
    crate::workspace::keep_input(&mut txn, &input.input);
    ws.commit(&lock, txn)?;
    if !quiet {
        let jiuzhu = ws.jiuzhu();
        crate::outln!("{summary}");
        for l in lines.iter().chain(&unused) {
            crate::outln!("{l}");
        }
        if !review_again.is_empty() {
            crate::outln!(
                "{}",
                tr(
                    format!(
                        "  next: `{jiuzhu} verify` checks the {} corrected cases under review again",
                        review_again.len()
                    ),
                    format!(
                        "  下一步: `{jiuzhu} verify` 重新审核 {} 个已更正的审核中案件",
                        review_again.len()
                    )
                )
            );
        }
        if confirmed > 0 {
            crate::outln!(
                "{}",
                tr(
                    format!("  next: `{jiuzhu} verify` takes the {confirmed} confirmations (the checks pass, or fail with the reason given)"),
                    format!("  下一步: `{jiuzhu} verify` 按 {confirmed} 项人工确认结果重新审核 (属实的通过, 不属实的按所填理由不符合)")
                )
            );
        }
        if !redecide.is_empty() {
            crate::outln!(
                "{}",
                tr(
                    format!(
                        "  next: `{jiuzhu} decide --period YYYY-MM` (the next month) re-decides the {} corrected cases in force (money already paid is \
                         not changed)",
                        redecide.len()
                    ),
                    format!(
                        "  下一步: `{jiuzhu} decide --period YYYY-MM` (下一个月份) 对 {} 个已更正的在保案件重新决定 (已发放的资金不变)",
                        redecide.len()
                    )
                )
            );
        }
        if !reissue.is_empty() {
            crate::outln!(
                "{}",
                tr(
                    format!(
                        "  next: `{jiuzhu} disburse` reissues the returned payments of the {} cases whose account was corrected",
                        reissue.len()
                    ),
                    format!("  下一步: `{jiuzhu} disburse` 重发 {} 个已更正账号案件被银行退回的款项", reissue.len())
                )
            );
        }
    }
    Ok(Outcome::Done)
}

/// Where a bad row is, for its message.
struct Sheet<'a> {
    file: &'a str,
    name: &'a str,
}

impl Sheet<'_> {
    fn line(&self, h: &reader::Header, r: &Reject) -> String {
        let label = field(r.column).map(|f| f.label_zh).unwrap_or(r.column);
        let col = h
            .columns
            .get(r.column)
            .map(|&c| reader::column_letter(c))
            .unwrap_or_else(|| "-".into());
        tr(
            format!(
                "  {} sheet `{}` row {} column {col} ({label}): {}",
                self.file, self.name, r.row, r.reason
            ),
            format!(
                "  {} 工作表「{}」第 {} 行 {col} 列 ({label}): {}",
                self.file, self.name, r.row, r.reason
            ),
        )
    }
}

/// 健康状况 and 重病 are one fact in the ledger: a problem in either is about a row correcting either.
fn health_label(w: What) -> &'static str {
    match w {
        What::Member("health") => "重病",
        What::Member("serious_illness") => "健康状况",
        _ => "\u{0}",
    }
}

/// What 字段 names: a field of the case or of a member, 增加成员 / 减少成员, or a refusal naming the step that
/// changes it.
fn what_of(names: &HeaderNames, written: &str) -> std::result::Result<What, Msg> {
    let w = written.trim();
    if w.is_empty() {
        return Err(Msg::new(
            "字段 is blank: write the field to correct (住址, 联系电话, 银行账号, 月收入 …)",
            "字段为空: 请填写要更正的字段 (住址、联系电话、银行账号、月收入 …)",
        ));
    }
    if let Some(rest) = w.strip_prefix("确认") {
        let rest = rest.trim_start_matches([':', '：', ' ', '-']).trim();
        match rest {
            "劳动能力" | "无劳动能力" | "户主劳动能力" | "户主无劳动能力" => {
                return Ok(What::Confirm(ConfirmSubject::WorkAbility))
            }
            "家庭关系" | "关系" | "与户主关系" => return Ok(What::Confirm(ConfirmSubject::Relation)),
            "信息比对" | "比对" | "比对疑点" | "比对命中" | "比对线索" => {
                return Err(Msg::new(
                    "registry hits and leads are confirmed or cleared on compare's worksheet: fill in 核实结果 and run `jiuzhu compare --resolve reports/compare-hits-BATCH.xlsx`",
                    "比对疑点和线索在比对核实表中确认或排除: 填写「核实结果」后运行 `jiuzhu compare --resolve reports/compare-hits-批次.xlsx`",
                ))
            }
            _ => {
                return Err(Msg::new(
                    format!(
                        "字段 `{}`: what is confirmed here is `确认: 无劳动能力` (特困) or `确认: 家庭关系`",
                        text::excerpt(w)
                    ),
                    format!(
                        "字段「{}」: 可在此确认的是 `确认: 无劳动能力` (特困) 或 `确认: 家庭关系`",
                        text::excerpt(w)
                    ),
                ))
            }
        }
    }
    match w {
        "增加成员" | "新增成员" | "添加成员" => return Ok(What::Add),
        "减少成员" | "删除成员" | "移除成员" => return Ok(What::Remove),
        "状态" | "案件状态" | "审批结果" | "决定" | "救助决定" | "审核结论" => {
            return Err(Msg::new(
                format!(
                    "{w} is not corrected on this sheet: a case's status moves by its steps — `jiuzhu verify`, \
                     `jiuzhu decide` (the meeting's verdicts, a stop decision) or `jiuzhu withdraw`"
                ),
                format!("「{w}」不能在更正登记表中更正: 案件状态由各步骤改变 — `jiuzhu verify`、`jiuzhu decide` (评议结论、停发决定) 或 `jiuzhu withdraw`"),
            ))
        }
        "救助金额" | "保障金额" | "发放金额" | "补差金额" | "待遇金额" => {
            return Err(Msg::new(
                format!("{w} is not corrected on this sheet: amounts are computed by `jiuzhu decide` from the case's facts; correct the facts instead"),
                format!("「{w}」不能在更正登记表中更正: 金额由 `jiuzhu decide` 根据案件情况计算; 请更正相应的情况"),
            ))
        }
        _ => {}
    }
    let key = names.field_of(w).ok_or_else(|| {
        Msg::new(
            format!(
                "字段 `{}` is not a field jiuzhu knows; write it as the register names it (住址, 联系电话, 开户银行, \
                 银行账号, 致困原因, 姓名, 身份证号, 与户主关系, 月收入, 劳动能力, 健康状况 …)",
                text::excerpt(w)
            ),
            format!(
                "字段「{}」无法识别; 请按登记表的列名填写 (住址、联系电话、开户银行、银行账号、致困原因、姓名、身份证号、\
                 与户主关系、月收入、劳动能力、健康状况 …)",
                text::excerpt(w)
            ),
        )
    })?;
    if key == "head_name" {
        return Ok(What::Member("name"));
    }
    if let Some(&k) = CASE_FIELDS.iter().find(|&&k| k == key) {
        return Ok(What::Case(k));
    }
    if let Some(&k) = MEMBER_FIELDS.iter().find(|&&k| k == key) {
        return Ok(What::Member(k));
    }
    let label = field(key).map(|f| f.label_zh).unwrap_or(key);
    Err(match key {
        "scheme" | "applied_on" | "township" | "household_key" | "household_no" | "case_id" => Msg::new(
            format!(
                "{label} is not corrected on this sheet: it makes another application — withdraw this one \
                 (`jiuzhu withdraw`) and import the right one (`jiuzhu intake`)"
            ),
            format!("「{label}」不能在更正登记表中更正: 这是另一份申请 — 请撤回本申请 (`jiuzhu withdraw`) 后导入正确的申请 (`jiuzhu intake`)"),
        ),
        "materials" | "received_materials" => Msg::new(
            format!("{label} is not corrected on this sheet: materials received are recorded by `jiuzhu supplements`"),
            format!("「{label}」不能在更正登记表中更正: 补交的材料用 `jiuzhu supplements` 登记"),
        ),
        "household_size" => Msg::new(
            "家庭人口 follows the members: add or remove a member (字段 增加成员 / 减少成员)",
            "家庭人口随家庭成员而定: 请增加或减少成员 (字段填 增加成员 / 减少成员)",
        ),
        "birth_date" | "sex" => Msg::new(
            format!("{label} is read from the ID number: correct 身份证号 instead"),
            format!("「{label}」由身份证号得出: 请更正身份证号"),
        ),
        "amount" => Msg::new(
            "amounts are computed by `jiuzhu decide` from the case's facts: correct the facts instead",
            "金额由 `jiuzhu decide` 根据案件情况计算: 请更正相应的情况",
        ),
        "new_income" | "change_kind" | "member_id_number" => Msg::new(
            format!("{label} is a change of circumstances: record it as a follow-up (`jiuzhu intake --kind followups`)"),
            format!("「{label}」属于家庭情况变化: 请作为回访登记 (`jiuzhu intake --kind followups`)"),
        ),
        _ => Msg::new(
            format!("{label} is not a field of a case or its members that this sheet corrects"),
            format!("「{label}」不是更正登记表可更正的案件或成员信息"),
        ),
    })
}

/// Whether `what` may be corrected on `case` here, or why not (naming the step that changes it).
fn allowed(case: &Case, what: What, pending: Option<&Decision>, paid: &BTreeSet<&str>) -> std::result::Result<(), Msg> {
    let id = &case.case_id;
    let under_review = matches!(
        case.status,
        CaseStatus::Received | CaseStatus::NeedsInfo | CaseStatus::Verified | CaseStatus::Ineligible
    );
    if !case.status.is_open() {
        return Err(Msg::new(
            format!(
                "case {id} is `{}`, closed: a closed case is not corrected; the household applies again (`jiuzhu intake`)",
                case.status.as_str()
            ),
            format!("案件 {id} 为「{}」, 已结束: 已结束的案件不再更正; 该户可重新申请 (`jiuzhu intake`)", case.status.label_zh()),
        ));
    }
    if what.contact() {
        return Ok(());
    }
    if let Some(d) = pending {
        return Err(Msg::new(
            format!(
                "case {id}: decision {} is before the review meeting or in public notice ({}); {} would change what \
                 was decided — record the meeting's verdict (暂缓 to decide it again) or the notice's end first \
                 (`jiuzhu decide`), then correct it",
                d.decision_id,
                d.status.label_zh(),
                what.label()
            ),
            format!(
                "案件 {id}: 决定 {} 正在评议或公示 ({}); 更正{}会改变已作的决定 — 请先录入评议结论 (需重新决定的填 暂缓) 或待公示结束 \
                 (`jiuzhu decide`), 再更正",
                d.decision_id,
                d.status.label_zh(),
                what.label()
            ),
        ));
    }
    match what {
        What::Add | What::Remove if !under_review => Err(Msg::new(
            format!(
                "case {id} is `{}`: a member joining or leaving a household helped now is a change of \
                 circumstances — record it as a follow-up (`jiuzhu intake --kind followups`, 家庭变化)",
                case.status.as_str()
            ),
            format!(
                "案件 {id} 为「{}」: 在保家庭的成员增减属于家庭情况变化 — 请作为回访登记 (`jiuzhu intake --kind followups`, 家庭变化)",
                case.status.label_zh()
            ),
        )),
        What::Confirm(_) if !under_review => Err(Msg::new(
            format!(
                "case {id} is `{}`: a confirmation answers a check of the review, and the case is no longer under review",
                case.status.as_str()
            ),
            format!("案件 {id} 为「{}」: 人工确认用于审核中的案件, 该案件已不在审核中", case.status.label_zh()),
        )),
        What::Member("id_number") if !under_review || paid.contains(id.as_str()) => Err(Msg::new(
            format!(
                "case {id} has been paid: the ID number of a person already paid is not corrected here (the \
                 payments name it) — stop the case (`jiuzhu decide`) and import a new application with the right \
                 number (`jiuzhu intake`)"
            ),
            format!(
                "案件 {id} 已发放过资金: 已领取救助的人员身份证号不能在此更正 (发放记录与之关联) — 请作停发决定 \
                 (`jiuzhu decide`) 后以正确的身份证号重新申请 (`jiuzhu intake`)"
            ),
        )),
        _ => Ok(()),
    }
}

/// A household field of the ledger as a register writes it.
fn case_text_of(ws: &Workspace, c: &Case, key: &str) -> String {
    let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    match key {
        "scheme" => ws
            .policy
            .schemes
            .get(&c.scheme)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| c.scheme.clone()),
        "township" => c.township.as_str().into(),
        "village" => c.village.as_str().into(),
        "applied_on" => c.applied_on.to_string(),
        "address" => c.address.as_str().into(),
        "phone" => c.phone.as_str().into(),
        "bank_name" => c.bank_name.as_str().into(),
        "bank_account" => c.bank_account.as_str().into(),
        "hardship_reason" => c.hardship_reason.as_str().into(),
        "hukou" => match c.hukou.as_str() {
            "urban" => "城镇".into(),
            "rural" => "农村".into(),
            _ => String::new(),
        },
        "deposits" => c.deposits_amount.map(|f| f.to_string()).unwrap_or_default(),
        "vehicles" => opt(c.vehicles),
        "properties" => opt(c.properties),
        "support_mode" => c.support_mode.map(|m| m.label_zh().to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A member field of the ledger as a register writes it.
fn member_text_of(m: &Member, key: &str) -> String {
    let yes = |b: bool| if b { "是" } else { "" }.to_string();
    match key {
        "name" => m.name.as_str().into(),
        "id_number" => m.id_number.as_str().into(),
        "relation" => m.relation.label_zh().into(),
        "monthly_income" => m.monthly_income_amount.to_string(),
        "disability_grade" => match m.disability_grade {
            1 => "一级",
            2 => "二级",
            3 => "三级",
            4 => "四级",
            _ => "",
        }
        .into(),
        "health" => if m.serious_illness { "重病" } else { "" }.into(),
        "serious_illness" => yes(m.serious_illness),
        "in_school" => yes(m.in_school),
        "work_ability" if m.work_ability == WorkAbility::Unknown => String::new(),
        "work_ability" => m.work_ability.label_zh().into(),
        "self_care" if m.self_care == SelfCare::Unknown => String::new(),
        "self_care" => m.self_care.label_zh().into(),
        "registered_region" => m.registered_region.as_str().into(),
        _ => String::new(),
    }
}

/// Whether 原值 as written is the value the ledger holds (as a register would be read: 有 is 有劳动能力, 1200 is
/// 1200.00, blank income is 0).
fn same_value(ws: &Workspace, key: &str, written: &str, current: &str) -> bool {
    let norm = |s: &str| text::normalize_key(s);
    if norm(written) == norm(current) {
        return true;
    }
    let p = &ws.policy;
    let code = |s: &'_ str| -> String { p.value_code(key, s).unwrap_or(s).to_string() };
    match key {
        "monthly_income" | "deposits" => {
            let fen = |s: &str| {
                if s.trim().is_empty() {
                    Ok(Fen(0))
                } else {
                    Fen::parse_yuan(s)
                }
            };
            matches!((fen(written), fen(current)), (Ok(a), Ok(b)) if a == b)
        }
        "bank_account" | "phone" | "id_number" => {
            let digits = |s: &str| -> String {
                s.chars()
                    .filter(|c| !c.is_whitespace() && *c != '-')
                    .collect::<String>()
                    .to_uppercase()
            };
            digits(written) == digits(current)
        }
        "relation" => p.relation(written).is_some() && p.relation(written) == p.relation(current),
        "work_ability" => {
            WorkAbility::parse(&code(written)).is_some_and(|w| Some(w) == WorkAbility::parse(&code(current)))
        }
        "self_care" => SelfCare::parse(&code(written)).is_some_and(|w| Some(w) == SelfCare::parse(&code(current))),
        "disability_grade" => {
            register::disability_grade(&code(written)).is_some_and(|g| Some(g) == register::disability_grade(current))
        }
        "health" => register::health(&code(written)).is_some_and(|g| Some(g) == register::health(current)),
        "serious_illness" | "in_school" => {
            register::yes_no(written).is_some_and(|b| Some(b) == register::yes_no(current))
        }
        "support_mode" => crate::ledger::SupportMode::parse(&code(written))
            .is_some_and(|m| Some(m) == crate::ledger::SupportMode::parse(current)),
        "hukou" => norm(written) == norm(current),
        _ => false,
    }
}

/// A value as a message shows it: ID numbers, bank accounts and phone numbers masked; blank as `(空)`.
fn shown_value(key: &str, v: &str) -> String {
    if v.trim().is_empty() {
        return "(空)".into();
    }
    masked(key, v)
}

fn masked(key: &str, v: &str) -> String {
    match key {
        "id_number" | "add_member" => mask::id(v),
        "bank_account" => mask::account(v),
        "phone" => mask::phone(v),
        _ => v.to_string(),
    }
}

/// The household fields written on the re-read register.
const HOUSEHOLD_COLUMNS: &[&str] = &[
    "household_no",
    "scheme",
    "township",
    "village",
    "applied_on",
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "hardship_reason",
    "hukou",
    "deposits",
    "vehicles",
    "properties",
    "support_mode",
];

/// The member fields written on the re-read register.
const MEMBER_COLUMNS: &[&str] = &[
    "name",
    "id_number",
    "relation",
    "monthly_income",
    "disability_grade",
    "health",
    "serious_illness",
    "in_school",
    "work_ability",
    "self_care",
    "registered_region",
];

/// A problem intake finds: its column (label), the member's ID before the sheet (or the new person's), and why.
type Found = (String, Option<String>, Msg);

/// The case and its members as the corrections leave them, read as intake reads a register (one household of a
/// per-member register, every field as the ledger holds it but those corrected), or the problems intake finds in
/// the columns the sheet corrected (or in the household as a whole).
fn reread(
    ws: &Workspace,
    names: &HeaderNames,
    case: &Case,
    members: &[&Member],
    e: &Edited,
    dates: &DateBounds,
) -> std::result::Result<(Case, Vec<Member>), Vec<Found>> {
    let columns: Vec<&str> = HOUSEHOLD_COLUMNS.iter().chain(MEMBER_COLUMNS).copied().collect();
    let header: Vec<Cell> = columns
        .iter()
        .map(|k| Cell::text(field(k).map(|f| f.label_zh).unwrap_or(k)))
        .collect();
    let mut grid = vec![header];
    let kept: Vec<&(String, bool, bool, BTreeMap<&str, String>)> = e.members.iter().filter(|m| !m.2).collect();
    for (id, added, _, texts) in &kept {
        let ledger_member = members.iter().find(|m| m.id_number.as_str() == id && !added);
        let row: Vec<Cell> = columns
            .iter()
            .map(|&k| {
                if k == "household_no" {
                    return Cell::text("1");
                }
                let text = if HOUSEHOLD_COLUMNS.contains(&k) {
                    e.household.get(k).cloned().unwrap_or_else(|| case_text_of(ws, case, k))
                } else if let Some(t) = texts.get(k) {
                    t.clone()
                } else if k == "id_number" {
                    id.clone()
                } else if k == "health" {
                    // 重病 says it, unless 健康状况 is corrected.
                    String::new()
                } else if k == "serious_illness" && texts.contains_key("health") {
                    String::new()
                } else {
                    ledger_member.map(|m| member_text_of(m, k)).unwrap_or_default()
                };
                Cell::text(&text)
            })
            .collect();
        grid.push(row);
    }
    let wb = Workbook {
        file: "更正".into(),
        sheets: vec![RawSheet::new("更正".into(), grid)],
        read_as: None,
    };
    let who = |row: u32| kept.get((row as usize).wrapping_sub(2)).map(|m| m.0.clone());
    let mut read = match register::read_register(&wb, 0, &ws.policy, names, &[]) {
        Ok(Ok(read)) => read,
        _ => {
            return Err(vec![(
                String::new(),
                None,
                Msg::new(
                    "the case could not be read again with its corrections",
                    "案件带上更正内容后无法重新读取",
                ),
            )])
        }
    };
    let mut found: Vec<Found> = read
        .orphans
        .iter()
        .map(|p| (p.column.clone(), who(p.at.row), p.reason.clone()))
        .collect();
    let Some(draft) = read.households.first_mut() else {
        found.push((
            String::new(),
            None,
            Msg::new("the household would have no members", "该户将没有家庭成员"),
        ));
        return Err(found);
    };
    let facts = register::check_household(draft, &ws.policy, dates);
    let touched: BTreeSet<&str> = e
        .household
        .keys()
        .chain(e.members.iter().flat_map(|m| m.3.keys()))
        .map(|k| field(k).map(|f| f.label_zh).unwrap_or(k))
        .collect();
    let changed_members = e.members.iter().any(|m| m.1 || m.2);
    let counts = |column: &str, id: &Option<String>| {
        column.is_empty()
            || touched.contains(column)
            || (column == "重病" && touched.contains("健康状况"))
            || (column == "健康状况" && touched.contains("重病"))
            || id
                .as_ref()
                .is_some_and(|id| e.members.iter().any(|m| &m.0 == id && m.1))
            || (changed_members && (column == "与户主关系" || column == "身份证号"))
    };
    for p in draft
        .problems
        .iter()
        .chain(draft.members.iter().flat_map(|m| &m.problems))
    {
        let id = who(p.at.row);
        if counts(&p.column, &id) {
            let fix = if p.fix.en.is_empty() {
                String::new()
            } else {
                format!("; {}", p.fix.en)
            };
            let fix_zh = if p.fix.zh.is_empty() {
                String::new()
            } else {
                format!("; {}", p.fix.zh)
            };
            found.push((
                p.column.clone(),
                id,
                Msg::new(format!("{}{fix}", p.reason.en), format!("{}{fix_zh}", p.reason.zh)),
            ));
        }
    }
    if !found.is_empty() {
        return Err(found);
    }
    let Some(f) = facts else {
        // A problem in a column the sheet did not touch: the ledger's own value, read as it was at intake.
        return Err(vec![(
            String::new(),
            None,
            Msg::new(
                "the case does not read as intake reads it any more (a value the policy no longer knows); see \
                 `jiuzhu explain`",
                "该案件已无法按受理时的规则读取 (政策中已没有的取值); 请用 `jiuzhu explain` 查看",
            ),
        )]);
    };
    // The corrected case: only the fields corrected are taken from what was read.
    let mut c = case.clone();
    for k in e.household.keys() {
        match *k {
            "address" => c.address = Text(f.address.clone()),
            "phone" => c.phone = Text(f.phone.clone()),
            "bank_name" => c.bank_name = Text(f.bank_name.clone()),
            "bank_account" => c.bank_account = Text(f.bank_account.clone()),
            "hardship_reason" => c.hardship_reason = Text(f.hardship_reason.clone()),
            "hukou" => c.hukou = f.hukou.clone(),
            "village" => c.village = Text(f.village.clone()),
            "deposits" => c.deposits_amount = f.deposits,
            "vehicles" => c.vehicles = f.vehicles,
            "properties" => c.properties = f.properties,
            "support_mode" => c.support_mode = f.support_mode,
            _ => {}
        }
    }
    let mut out = Vec::new();
    for ((id, added, _, texts), d) in kept.iter().zip(&draft.members) {
        let new_id: IdNumber = d.id.clone().expect("checked: valid IDs");
        let mut m = match members.iter().find(|m| m.id_number.as_str() == id && !added) {
            Some(m) => (*m).clone(),
            None => Member {
                case_id: case.case_id.clone(),
                id_number: new_id.clone(),
                name: Text(d.name.clone()),
                relation: d.relation.expect("checked"),
                birth_date: new_id.birth_date(),
                sex: new_id.sex().code().to_string(),
                monthly_income_amount: d.income,
                disability_grade: d.disability_grade,
                serious_illness: d.serious_illness,
                in_school: d.in_school,
                work_ability: d.work_ability,
                registered_region: Text(d.registered_region.clone()),
                self_care: d.self_care,
            },
        };
        for k in texts.keys() {
            match *k {
                "name" => m.name = Text(d.name.clone()),
                "id_number" => {
                    m.birth_date = new_id.birth_date();
                    m.sex = new_id.sex().code().to_string();
                    m.id_number = new_id.clone();
                }
                "relation" => m.relation = d.relation.expect("checked"),
                "monthly_income" => m.monthly_income_amount = d.income,
                "disability_grade" => m.disability_grade = d.disability_grade,
                "health" | "serious_illness" => m.serious_illness = d.serious_illness,
                "in_school" => m.in_school = d.in_school,
                "work_ability" => m.work_ability = d.work_ability,
                "self_care" => m.self_care = d.self_care,
                "registered_region" => m.registered_region = Text(d.registered_region.clone()),
                _ => {}
            }
        }
        if m.relation == Relation::Head {
            c.applicant_id_number = m.id_number.clone();
            c.applicant_name = m.name.clone();
        }
        out.push(m);
    }
    c.household_size = out.len() as u32;
    out.sort_by(|a, b| a.key_cmp(b));
    Ok((c, out))
}

/// The corrections of a case as the journal recorded them, one line each (`explain`, the dossier).
pub fn corrections_of<'a>(chain: impl IntoIterator<Item = &'a Event>, case_id: &str) -> Vec<String> {
    chain
        .into_iter()
        .filter(|e| e.step == STEP && e.case_id == case_id)
        .map(|e| correction_text(e.detail.as_str(), crate::i18n::current()))
        .collect()
}

/// A correction as the journal words it (`corrected (更正) 住址: `a` → `b`; reason: R; evidence (依据): E; by
/// NAME on DATE; sheet …`), in `lang`, without the sheet.
pub fn correction_text(detail: &str, lang: crate::i18n::Lang) -> String {
    let d = detail.strip_prefix("corrected (更正) ").unwrap_or(detail);
    let d = d.split("; sheet ").next().unwrap_or(d);
    if lang == crate::i18n::Lang::En {
        return d.to_string();
    }
    // A confirmation (人工确认) says what it answers in Chinese already.
    let d = d.strip_prefix("confirmed (人工确认) ").unwrap_or(d);
    let Some((what, rest)) = d.split_once("; reason: ") else {
        return d.replace('`', "「").to_string();
    };
    let (why, by) = rest.rsplit_once("; by ").unwrap_or((rest, ""));
    let (who, on) = by.rsplit_once(" on ").unwrap_or((by, ""));
    let (why, evidence) = why.split_once("; evidence (依据): ").unwrap_or((why, ""));
    let mut what = String::new() + what;
    // `a` → `b` as 「a」→「b」.
    let mut open = true;
    while let Some(i) = what.find('`') {
        what.replace_range(i..i + 1, if open { "「" } else { "」" });
        open = !open;
    }
    let what = what.replace("」 → 「", "」→「");
    let evidence = if evidence.is_empty() {
        String::new()
    } else {
        format!("; 依据: {evidence}")
    };
    format!("{what}; 原因: {why}{evidence}; 经办人 {who}, {on}")
}

/// `explain CASE`: the corrections of the case, after its decisions.
pub fn explain(ws: &Workspace, case_id: &str) -> Result<()> {
    let chain = ledger::read::<Event>(ws)?;
    let lines = corrections_of(&chain, case_id);
    crate::ui::record("corrections", lines.clone());
    if lines.is_empty() {
        return Ok(());
    }
    crate::outln!("{}", tr("corrections (更正):", "更正记录:"));
    for l in &lines {
        crate::outln!("  {l}");
    }
    Ok(())
}

/// `--template OUT.xlsx`: a blank correction sheet, and what each field takes.
fn template(out: &Path, quiet: bool) -> Result<Outcome> {
    if out.exists() {
        bail!(tr(
            format!(
                "{} exists already; give another name (nothing was written)",
                out.display()
            ),
            format!("{} 已存在; 请换一个文件名 (未写任何文件)", out.display())
        ));
    }
    let columns = [
        "案件编号",
        "身份证号",
        "字段",
        "原值",
        "新值",
        "更正原因",
        "依据",
        "经办人",
        "更正日期",
    ]
    .iter()
    .map(|l| {
        Column::new(
            l,
            if *l == "身份证号" || *l == "案件编号" {
                Kind::Code
            } else {
                Kind::Text
            },
        )
    })
    .collect();
    let sheet = SheetSpec {
        name: "更正登记表".into(),
        title: Some("更正登记表 — 每项更正一行; 原值须与台账现值一致, 整表一并更正 (有一行不符则整表不更正)".into()),
        columns,
        rows: Vec::new(),
        batch: None,
        print: Default::default(),
    };
    let fields: Vec<(&str, &str)> = vec![
        ("住址", "户; 案件编号"),
        ("联系电话", "户; 案件编号"),
        ("开户银行", "户; 案件编号"),
        ("银行账号", "户; 案件编号 — 更正后下次 disburse 重发被退回的款项"),
        ("致困原因", "户; 案件编号"),
        ("户籍类型", "户; 城镇 / 农村"),
        ("村(社区)", "户; 须是本乡镇的村(社区)"),
        ("存款", "户; 元"),
        ("车辆", "户; 辆数"),
        ("房产", "户; 套数"),
        ("供养方式", "户 (特困); 集中 / 分散"),
        ("姓名", "成员; 身份证号"),
        (
            "身份证号",
            "成员; 原值为原身份证号, 新值为正确的身份证号 (已发放过资金的不能更正)",
        ),
        ("与户主关系", "成员; 户主、配偶、子、女 …"),
        ("月收入", "成员; 元"),
        ("残疾等级", "成员; 一级 … 四级, 或空"),
        ("健康状况", "成员; 重病 / 健康 …"),
        ("在校", "成员; 是 / 否"),
        ("劳动能力", "成员; 有劳动能力 / 部分丧失劳动能力 / 无劳动能力"),
        ("自理能力", "成员; 能自理 / 部分自理 / 不能自理"),
        ("户籍地", "成员"),
        (
            "增加成员",
            "审核中的案件; 身份证号为新成员的, 新值为「姓名、与户主关系」, 原值留空",
        ),
        ("减少成员", "审核中的案件; 原值为该成员姓名, 新值留空"),
        (
            "确认: 无劳动能力",
            "特困审核中需人工确认的; 身份证号为户主的 (可空), 新值 属实 / 不属实, 更正原因写明理由, 原值留空",
        ),
        (
            "确认: 家庭关系",
            "关系与年龄不符需人工确认的; 身份证号为该成员的, 新值 属实 / 不属实, 更正原因写明理由, 原值留空",
        ),
    ];
    let guide = SheetSpec {
        name: "填写说明".into(),
        title: Some(
            "可更正的字段 (金额、决定、状态、申请类别、申请日期不在此更正; 补交材料用 jiuzhu supplements 登记)".into(),
        ),
        columns: vec![Column::new("字段", Kind::Text), Column::new("说明", Kind::Text)],
        rows: fields
            .into_iter()
            .map(|(f, d)| vec![Value::from(f), Value::from(d)])
            .collect(),
        batch: None,
        print: Default::default(),
    };
    let bytes = writer::workbook_bytes(&[sheet, guide])?;
    std::fs::write(out, bytes).with_context(|| {
        tr(
            format!("cannot write {}", out.display()),
            format!("无法写入 {}", out.display()),
        )
    })?;
    if !quiet {
        crate::outln!(
            "{}",
            tr(
                format!(
                    "correct: a blank correction sheet written to {}; fill in one row per correction, then run `jiuzhu correct {}`",
                    out.display(),
                    out.display()
                ),
                format!(
                    "更正登记: 空白更正登记表已写入 {}; 每项更正填一行, 然后运行 `jiuzhu correct {}`",
                    out.display(),
                    out.display()
                )
            )
        );
    }
    Ok(Outcome::Done)
}
