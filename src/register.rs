//! Application registers (申请登记表 / 花名册) → household drafts, with every row accounted for.
//!
//! Two shapes are found in practice:
//! - **per member** (one row per person): a household key (户主身份证号 or 户编号) or serial (序号), relation to
//!   the head, and the household's fields on the head's row — repeated, merged down, or blank on member rows.
//!   A blank household cell belongs to the household above (fill-down); a row with a new key or serial starts a
//!   new household.
//! - **per household** (one row per household on one sheet, members on another keyed by the head's ID).
//!
//! This module only reads sheets already in memory and says, for every row, whether it is data (and of which
//! household), skipped (blank, totals, notes, a duplicate) or has problems. The checks that need the ledger
//! (already imported, already in an open case) and the writing are in `cmd::intake`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::date::DateBounds;
use crate::domain::id_number::{self, IdNumber};
use crate::domain::money::Fen;
use crate::domain::text;
use crate::hash::HashMap;
use crate::i18n::{tr, Msg};
use crate::ledger::{Relation, WorkAbility};
use crate::policy::{Hukou, Policy};
use crate::sheet::fields::{field, HeaderNames};
use crate::sheet::reader::{find_header, Cell, Flaw, Header, HeaderMiss, RawSheet, UnusedColumn, Workbook};

/// Where a row came from: input file (index into the run's inputs), sheet, Excel row number (1-based).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowRef {
    pub file: usize,
    /// Shared by every row of the sheet (a row's reference is copied to each field the row gives).
    pub sheet: std::sync::Arc<str>,
    pub row: u32,
}

/// Something wrong with a cell or a household, in words a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: RowRef,
    /// Column label (Chinese), or "" for a household-level problem.
    pub column: String,
    /// The value as written (IDs included: the rejects report is for the clerk who fixes the row).
    pub value: String,
    pub reason: Msg,
    pub fix: Msg,
}

/// A row that carries no data, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub at: RowRef,
    pub reason: Msg,
}

/// A member row as read.
#[derive(Debug, Clone)]
pub struct MemberDraft {
    pub at: RowRef,
    pub name: String,
    pub id: Option<IdNumber>,
    pub id_raw: String,
    pub relation: Option<Relation>,
    pub income: Fen,
    pub disability_grade: u8,
    pub serious_illness: bool,
    pub in_school: bool,
    pub work_ability: WorkAbility,
    pub registered_region: String,
    pub self_care: crate::ledger::SelfCare,
    pub problems: Vec<Problem>,
}

/// A household as read from the register, before the ledger checks.
#[derive(Debug, Clone)]
pub struct HouseholdDraft {
    /// The row that started it (per member: the first row; per household: the household row).
    pub first: RowRef,
    /// The household key as written (normalised ID when it is one), or the serial.
    pub key: String,
    /// Household field values (field key → text) and the row each came from.
    pub fields: BTreeMap<&'static str, (Cell, RowRef)>,
    /// The household row itself (per-household shape only): counted as a data row of its own.
    pub household_row: Option<RowRef>,
    pub members: Vec<MemberDraft>,
    pub problems: Vec<Problem>,
}

/// The parsed household-level facts of a draft that passed its own checks.
#[derive(Debug, Clone)]
pub struct HouseholdFacts {
    pub scheme: String,
    pub township: String,
    pub region_code: String,
    pub village: String,
    pub address: String,
    pub phone: String,
    pub hukou: String,
    pub applied_on: NaiveDate,
    pub bank_name: String,
    pub bank_account: String,
    pub hardship_reason: String,
    pub materials: Vec<String>,
    pub deposits: Option<Fen>,
    pub vehicles: Option<u32>,
    pub properties: Option<u32>,
    pub deduction_amount: Option<Fen>,
    pub deduction_kind: String,
    pub deduction_evidence: String,
    pub exclusions: Vec<String>,
    pub support_mode: Option<crate::ledger::SupportMode>,
    pub temporary_months: Option<u32>,
    pub urgent: bool,
    /// The register marks the case 不公示 / 隐私保护 / 保密: never on a public list.
    pub private: bool,
}

/// Everything read from one workbook.
#[derive(Debug, Default)]
pub struct RegisterRead {
    pub households: Vec<HouseholdDraft>,
    /// Rows that belong to no household (e.g. a member row above the first household).
    pub orphans: Vec<Problem>,
    pub skips: Vec<Skip>,
    /// Data rows below the header(s): every one ends up accepted, rejected or skipped.
    pub rows_read: usize,
    /// Sheets that also look like registers but were not read (the caller warns).
    pub other_register_sheets: Vec<String>,
    /// What the clerk should know about how the file was read, though nothing is wrong with it (a hidden sheet
    /// read, or passed over).
    pub notes: Vec<String>,
    /// The columns of the sheets read that the register does not use (`未使用的列`).
    pub unused: Vec<UnusedColumn>,
    /// Data rows hidden in the spreadsheet (Excel's 隐藏, or filtered out): read like any other row, and listed,
    /// since clerks hide withdrawn applications instead of deleting them.
    pub hidden_rows: Vec<RowRef>,
    /// ID and account cells read without Excel's text guards ([`unguard`]), by column label: how many.
    pub cleaned: BTreeMap<String, usize>,
    /// The register has a hardship-reason column (致困原因): without one, no case from it can be told to be
    /// protected (艾滋病 …) unless it is marked 不公示.
    pub has_reason_column: bool,
}

/// The columns whose cells are read through [`unguard`].
const GUARDED_FIELDS: &[&str] = &["id_number", "household_key", "bank_account"];

/// An ID or account number's text without the guards clerks and exports put around such numbers to keep Excel
/// from turning them into numbers: a leading apostrophe (`'130199…`) and a formula giving the text
/// (`="130199…"`). Tabs, no-break and full-width spaces around the number, and full-width digits, were already
/// removed when the cell was read ([`Cell::cleaned`]). The text, and whether anything was removed.
pub fn unguard(cell: &Cell) -> (std::borrow::Cow<'_, str>, bool) {
    let t = cell.text.as_str();
    let inner = t
        .strip_prefix(['\'', '‘', '’', '`'])
        .or_else(|| t.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')));
    match inner {
        Some(i) => (std::borrow::Cow::Owned(i.trim().to_string()), true),
        None => (std::borrow::Cow::Borrowed(t), cell.cleaned && !t.is_empty()),
    }
}

/// Counts the row's ID and account cells that [`unguard`] cleans.
fn count_cleaned(cleaned: &mut BTreeMap<String, usize>, row: &[Cell], header: &Header) {
    for f in GUARDED_FIELDS {
        if header.get(row, f).is_some_and(|c| unguard(c).1) {
            *cleaned.entry(label(f)).or_default() += 1;
        }
    }
}

const HOUSEHOLD_FIELDS: &[&str] = &[
    "household_no",
    "scheme",
    "township",
    "village",
    "address",
    "phone",
    "applied_on",
    "hukou",
    "bank_name",
    "bank_account",
    "hardship_reason",
    "materials",
    "head_name",
    "deposits",
    "vehicles",
    "properties",
    "deduction_amount",
    "deduction_kind",
    "deduction_evidence",
    "exclusions",
    "support_mode",
    "temporary_months",
    "urgent",
    "household_size",
    "private",
    "publish",
];

/// The member fields a register reads ([`read_member`]).
const MEMBER_FIELDS: &[&str] = &[
    "name",
    "id_number",
    "relation",
    "monthly_income",
    "disability_grade",
    "disability_kind",
    "health",
    "serious_illness",
    "in_school",
    "work_ability",
    "registered_region",
    "self_care",
    "sex",
    "birth_date",
];

const PER_MEMBER_REQUIRED: &[&str] = &["name", "id_number", "relation", "scheme"];
const PER_MEMBER_KEY: &[&str] = &["household_key", "household_no", "serial"];
const HOUSEHOLD_SHEET_REQUIRED: &[&str] = &["scheme"];
const MEMBER_SHEET_REQUIRED: &[&str] = &["name", "id_number", "relation"];
/// How the two sheets of the per-household shape are joined: the head's ID, or a household number.
const HOUSEHOLD_SHEET_KEY: &[&str] = &["household_key", "household_no"];

fn label(key: &str) -> String {
    field(key).map(|f| f.label_zh).unwrap_or(key).to_string()
}

/// A workbook in which no register could be found: what was expected per sheet and what was there.
#[derive(Debug)]
pub struct NoRegister {
    pub file: String,
    pub misses: Vec<HeaderMiss>,
    /// How the file was read, when its name says another format ([`Workbook::read_as`]).
    pub read_as: Option<String>,
}

impl std::fmt::Display for NoRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = &self.file;
        writeln!(
            f,
            "{}",
            tr(
                format!(
                    "{file}: no application register found. A register needs a header row naming at least the name \
                     (姓名), the ID number (身份证号), the relation (与户主关系), the scheme (申请类别) and the head's \
                     ID (户主身份证号), a household number (户编号) or a serial (序号) — or a households sheet with \
                     户主身份证号 or 户编号 and 申请类别, plus a members sheet."
                ),
                format!(
                    "{file}: 没有找到申请登记表。登记表要有一行表头, 至少含 姓名、身份证号、与户主关系、申请类别, 以及 \
                     户主身份证号、户编号 或 序号 之一 (或者: 一张含户主身份证号或户编号及申请类别的户信息表, 加一张成员表)。"
                ),
            )
        )?;
        if let Some(read_as) = &self.read_as {
            writeln!(f, "  {read_as}")?;
        }
        for m in &self.misses {
            writeln!(f, "  {m}")?;
        }
        write!(
            f,
            "{}",
            tr(
                "Rename the headers (or add aliases under `columns:` in jiuzhu.yaml) and try again.",
                "请修改表头 (或在 jiuzhu.yaml 的 `columns:` 下添加别名) 后重试。",
            )
        )
    }
}

/// Finds the register in a workbook (either shape) and reads it. `only_sheets` restricts the search.
pub fn read_register(
    wb: &Workbook,
    file_index: usize,
    policy: &Policy,
    names: &HeaderNames,
    only_sheets: &[String],
) -> anyhow::Result<std::result::Result<RegisterRead, NoRegister>> {
    let wanted = |s: &RawSheet| only_sheets.is_empty() || only_sheets.iter().any(|n| n == &s.name);
    if !only_sheets.is_empty() {
        for n in only_sheets {
            if !wb.sheets.iter().any(|s| &s.name == n) {
                let have: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
                anyhow::bail!("{}: no sheet named `{n}`; its sheets are {}", wb.file, have.join(", "));
            }
        }
    }
    let mut misses = Vec::new();
    let mut per_member: Vec<(&RawSheet, Header)> = Vec::new();
    let mut household_sheet: Option<(&RawSheet, Header)> = None;
    let mut member_sheet: Option<(&RawSheet, Header)> = None;
    // Visible sheets first: a hidden sheet is often an old copy kept out of sight.
    for sheet in wb.sheets_visible_first().filter(|s| wanted(s)) {
        match find_header(sheet, names, PER_MEMBER_REQUIRED, PER_MEMBER_KEY)? {
            Ok(h) => {
                per_member.push((sheet, h));
                continue;
            }
            Err(miss) => misses.push(miss),
        }
        if household_sheet.is_none() {
            if let Ok(h) = find_header(sheet, names, HOUSEHOLD_SHEET_REQUIRED, HOUSEHOLD_SHEET_KEY)? {
                if !h.columns.contains_key("relation") {
                    household_sheet = Some((sheet, h));
                    continue;
                }
            }
        }
        if member_sheet.is_none() {
            if let Ok(h) = find_header(sheet, names, MEMBER_SHEET_REQUIRED, HOUSEHOLD_SHEET_KEY)? {
                member_sheet = Some((sheet, h));
            }
        }
    }
    // Shape (b) members sheets also satisfy the per-member search when they carry no scheme column, so the
    // search above required 申请类别 for per-member registers.
    if let Some((sheet, header)) = per_member.first() {
        let (hidden, visible): (Vec<&RawSheet>, Vec<&RawSheet>) =
            per_member.iter().skip(1).map(|(s, _)| *s).partition(|s| s.hidden);
        let mut read = RegisterRead {
            other_register_sheets: visible.iter().map(|s| s.name.clone()).collect(),
            notes: wb
                .read_as
                .iter()
                .cloned()
                .chain(hidden_sheet_notes(&wb.file, &[sheet], &hidden))
                .collect(),
            ..RegisterRead::default()
        };
        read.has_reason_column = header.columns.contains_key("hardship_reason");
        read_per_member(&mut read, sheet, header, file_index, policy);
        let used: Vec<&'static str> = [PER_MEMBER_KEY, HOUSEHOLD_FIELDS, MEMBER_FIELDS].concat();
        read.unused = header.unused_columns(&sheet.name, &used, names);
        refuse_no_data_rows(&[(sheet, header)], &read)?;
        return Ok(Ok(read));
    }
    if let (Some((hs, hh)), Some((ms, mh))) = (household_sheet, member_sheet) {
        let mut read = RegisterRead {
            notes: wb
                .read_as
                .iter()
                .cloned()
                .chain(hidden_sheet_notes(&wb.file, &[hs, ms], &[]))
                .collect(),
            ..RegisterRead::default()
        };
        read.has_reason_column =
            hh.columns.contains_key("hardship_reason") || mh.columns.contains_key("hardship_reason");
        read_per_household(&mut read, (hs, &hh), (ms, &mh), file_index, policy);
        let used: Vec<&'static str> = [HOUSEHOLD_SHEET_KEY, &["serial"], HOUSEHOLD_FIELDS].concat();
        read.unused = hh.unused_columns(&hs.name, &used, names);
        let used: Vec<&'static str> = [HOUSEHOLD_SHEET_KEY, &["serial"], MEMBER_FIELDS].concat();
        read.unused.extend(mh.unused_columns(&ms.name, &used, names));
        refuse_no_data_rows(&[(hs, &hh), (ms, &mh)], &read)?;
        return Ok(Ok(read));
    }
    Ok(Err(NoRegister {
        file: wb.file.clone(),
        misses,
        read_as: wb.read_as.clone(),
    }))
}

/// Refuses a register with a header and not one row of data under it — only the header, or blank, totals and
/// note rows: not an empty register to import with nothing to say, but the wrong file or an export cut short.
/// (The caller names the file.)
fn refuse_no_data_rows(sheets: &[(&RawSheet, &Header)], read: &RegisterRead) -> anyhow::Result<()> {
    if !read.households.is_empty() || !read.orphans.is_empty() {
        return Ok(());
    }
    let at: Vec<String> = sheets
        .iter()
        .map(|(s, h)| {
            tr(
                format!("sheet `{}` row {}", s.name, h.row + 1),
                format!("工作表「{}」第 {} 行", s.name, h.row + 1),
            )
        })
        .collect();
    let skipped = read.skips.len();
    anyhow::bail!(
        "{}",
        tr(
            format!(
                "no data rows: the register's header ({}) has no member rows under it{}; is it the right file, or \
                 was the export cut short? Nothing was imported",
                at.join(", "),
                if skipped > 0 {
                    format!(" ({skipped} blank, totals or note rows)")
                } else {
                    String::new()
                }
            ),
            format!(
                "没有数据行: 登记表表头 ({}) 下面没有成员行{}; 是否选错了文件, 或者导出不完整? 未导入任何内容",
                at.join(", "),
                if skipped > 0 {
                    format!(" (只有 {skipped} 行空行、合计行或说明行)")
                } else {
                    String::new()
                }
            )
        )
    )
}

/// What the clerk is told about hidden sheets: each sheet `read` that is hidden (no visible sheet was a
/// register), and each hidden register sheet `passed_over` for a visible one.
fn hidden_sheet_notes(file: &str, read: &[&RawSheet], passed_over: &[&RawSheet]) -> Vec<String> {
    let mut notes: Vec<String> = read
        .iter()
        .filter(|s| s.hidden)
        .map(|s| crate::sheet::reader::hidden_sheet_note(file, &s.name))
        .collect();
    let shown = read.first().map(|s| s.name.as_str()).unwrap_or("");
    notes.extend(passed_over.iter().map(|s| {
        let name = &s.name;
        tr(
            format!(
                "{file}: hidden sheet `{name}` also looks like a register and was not read (the visible sheet \
                 `{shown}` was); import it with --sheet \"{name}\" if it is the one meant"
            ),
            format!(
                "{file}: 隐藏的工作表「{name}」也像登记表, 未读取 (读取的是可见的工作表「{shown}」); 如要导入它, \
                 请加 --sheet \"{name}\""
            ),
        )
    }));
    notes
}

/// What a row below the header is.
enum RowKind {
    Data,
    Skip(Msg),
}

/// The labels a register's footer starts with (落款: who filled it in, who checked it, notes), as WPS and Excel
/// templates put them below the data — typed in one cell or merged across the sheet.
const FOOTER_LABELS: &[&str] = &[
    "填表人",
    "填表日期",
    "填表单位",
    "填报人",
    "填报单位",
    "填报日期",
    "审核人",
    "审核",
    "复核人",
    "审批人",
    "负责人",
    "单位负责人",
    "经办人",
    "制表人",
    "制表日期",
    "制表单位",
    "制表",
    "说明",
    "备注",
    "联系电话",
    "注",
];

/// Whether a cell starts a footer: one of [`FOOTER_LABELS`] followed by nothing, a colon or a space (a name
/// beginning with one of these characters is not a label), or `注` followed by a colon or a number (`注：1. …`).
fn is_footer_cell(text: &str) -> bool {
    let t = text.trim_start();
    FOOTER_LABELS.iter().any(|label| {
        let Some(rest) = t.strip_prefix(label) else {
            return false;
        };
        let next = rest.chars().next();
        match *label {
            "注" => next.is_some_and(|c| matches!(c, ':' | '：' | '1' | '①' | '意')),
            _ => next.is_none_or(|c| matches!(c, ':' | '：' | ' ' | '\u{3000}' | '(' | '（' | '_' | '/')),
        }
    })
}

fn classify(row: &[Cell], header: &Header, data_fields: &[&str]) -> RowKind {
    let non_blank: Vec<&Cell> = row.iter().filter(|c| !c.is_blank()).collect();
    if non_blank.is_empty() {
        return RowKind::Skip(Msg::new("blank row", "空行"));
    }
    // A footer (填表人: …  审核人: …), also when merged across the sheet: the merge repeats its text in every
    // column, name and ID included, which would otherwise read as a household.
    if non_blank.first().is_some_and(|c| is_footer_cell(&c.text)) {
        let t = text::excerpt(&non_blank[0].text);
        return RowKind::Skip(Msg::new(format!("footer row ({t})"), format!("表尾落款或说明行 ({t})")));
    }
    for c in non_blank.iter().take(3) {
        // `合  计` is written with spaces too; only a cell starting with one of these characters can be one.
        if !c.text.starts_with(['合', '总', '小', '共']) {
            continue;
        }
        let t: String = c.text.chars().filter(|ch| !ch.is_whitespace()).collect();
        if ["合计", "总计", "小计", "共计"].iter().any(|w| t.starts_with(w)) {
            let t = text::excerpt(&c.text);
            return RowKind::Skip(Msg::new(format!("totals row ({t})"), format!("合计行 ({t})")));
        }
    }
    // The header repeated below (a print-out's page break): the same texts in the header's columns.
    let header_like = header
        .columns
        .values()
        .filter(|&&c| {
            row.get(c)
                .is_some_and(|cell| !cell.is_blank() && header.texts.get(c) == Some(&cell.text))
        })
        .count();
    if header_like >= 3 {
        return RowKind::Skip(Msg::new("header row repeated", "重复的表头行"));
    }
    if data_fields.iter().all(|f| header.text(row, f).is_empty())
        && (row.iter().all(|c| c.flaw.is_none()) || flawed_columns(row, header).next().is_none())
    {
        let note: Vec<String> = non_blank
            .iter()
            .take(3)
            .map(|c| text::excerpt(&c.text).to_string())
            .collect();
        let note = note.join(" ");
        return RowKind::Skip(Msg::new(
            format!("note row without name, ID or relation ({note})"),
            format!("说明行, 没有姓名、身份证号或与户主关系 ({note})"),
        ));
    }
    RowKind::Data
}

/// The fields the register reads whose cells in `row` cannot be taken as the file shows them, with the flaw.
fn flawed_columns<'a>(row: &'a [Cell], header: &'a Header) -> impl Iterator<Item = (&'static str, Flaw)> + 'a {
    header
        .columns
        .iter()
        .filter_map(|(&f, &c)| row.get(c).and_then(|cell| cell.flaw).map(|flaw| (f, flaw)))
}

/// A problem for each cell of the row the register reads that cannot be taken as the file shows it (a formula
/// never calculated), naming its column.
fn flawed_cells(row: &[Cell], header: &Header, at: &RowRef) -> Vec<Problem> {
    // Nearly every row has none: a look at the cells first, not at the header's columns.
    if row.iter().all(|c| c.flaw.is_none()) {
        return Vec::new();
    }
    flawed_columns(row, header)
        .map(|(f, flaw)| Problem {
            at: at.clone(),
            column: label(f),
            value: header.text(row, f).to_string(),
            reason: flaw.reason(),
            fix: flaw.fix(),
        })
        .collect()
}

/// The cells of a row as compared for duplicates.
fn row_signature(row: &[Cell]) -> Vec<&str> {
    let mut v: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
    while v.last() == Some(&"") {
        v.pop();
    }
    v
}

/// Rows already seen, by the household they belong to and their cells.
type SeenRows<'r> = HashMap<(usize, Vec<&'r str>), u32>;

/// A row seen for the first time in its household is handed back; a repeat of an earlier row of the same
/// household (identical cells) is skipped, naming the row it repeats. One hash of the row either way.
///
/// Rows are compared as they belong to households, never as bare cells: in a fill-down register a member row
/// leaves the household's cells blank, so the same person listed under two households gives two identical rows
/// that are not duplicates but a person in two households (both households are rejected, each naming the other).
fn first_time<'r>(
    seen_rows: &mut SeenRows<'r>,
    household: usize,
    row: &'r [Cell],
    at: RowRef,
    skips: &mut Vec<Skip>,
) -> Option<RowRef> {
    match seen_rows.entry((household, row_signature(row))) {
        std::collections::hash_map::Entry::Occupied(first) => {
            skips.push(Skip {
                reason: Msg::new(
                    format!("duplicate of row {} (identical cells; reported once)", first.get()),
                    format!("与第 {} 行重复 (各单元格相同; 只报一次)", first.get()),
                ),
                at,
            });
            None
        }
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(at.row);
            Some(at)
        }
    }
}

fn read_per_member(read: &mut RegisterRead, sheet: &RawSheet, header: &Header, file: usize, policy: &Policy) {
    // Looked up by hash, not in order: a province's register has hundreds of thousands of rows.
    let mut by_key: HashMap<String, usize> = HashMap::default();
    let mut current: Option<usize> = None;
    // What identifies the current household, as its rows have said so far.
    let mut known = HouseholdIds::default();
    let data_rows = trimmed_rows(sheet, header.row);
    let mut seen_rows: SeenRows = HashMap::with_capacity_and_hasher(data_rows.len(), Default::default());
    let columns = household_columns(header);
    let sheet_name: std::sync::Arc<str> = sheet.name.as_str().into();
    for (i, row) in data_rows.iter().enumerate() {
        let at = RowRef {
            file,
            sheet: std::sync::Arc::clone(&sheet_name),
            row: (header.row + 2 + i) as u32,
        };
        read.rows_read += 1;
        match classify(row, header, &["name", "id_number", "relation"]) {
            RowKind::Skip(reason) => {
                read.skips.push(Skip { at, reason });
                continue;
            }
            RowKind::Data => {}
        }
        if sheet.row_hidden(header.row + 1 + i) {
            read.hidden_rows.push(at.clone());
        }
        count_cleaned(&mut read.cleaned, row, header);
        let ids = HouseholdIds::of(header, row);
        // A repeated row leaves the reading as it was: the rows below it belong where they did.
        let before = (current, known.clone(), read.households.len());
        if current.is_none() || ids.starts_new(&known) {
            if let Some(lookup) = ids.lookups().next() {
                let idx = match by_key.get(&lookup) {
                    Some(&idx) => idx,
                    None => {
                        read.households.push(HouseholdDraft {
                            first: at.clone(),
                            key: lookup.clone(),
                            fields: BTreeMap::new(),
                            household_row: None,
                            members: Vec::new(),
                            problems: Vec::new(),
                        });
                        by_key.insert(lookup, read.households.len() - 1);
                        read.households.len() - 1
                    }
                };
                current = Some(idx);
                known = HouseholdIds::default();
            }
        }
        if let Some(h) = current {
            // The household is found again by the head's ID or the 户编号 any of its rows gave (the head's ID on
            // the head's row, a 户编号 on every row). Not by a serial: registers number members as often as
            // households.
            known.learn(&ids);
            for k in ids.lookups().filter(|k| !k.starts_with("序号 ")) {
                by_key.entry(k).or_insert(h);
            }
        }
        let Some(h) = current else {
            read.orphans.push(Problem {
                at,
                column: label("household_key"),
                value: String::new(),
                reason: Msg::new(
                    "this row has no household key or serial and no household above it",
                    "该行没有户主身份证号或序号, 上面也没有所属的户",
                ),
                fix: Msg::new(
                    "fill in the head's ID number (户主身份证号) or the serial (序号) for this row",
                    "请为该行填写户主身份证号 (或序号)",
                ),
            });
            continue;
        };
        let Some(at) = first_time(&mut seen_rows, h, row, at, &mut read.skips) else {
            (current, known) = (before.0, before.1);
            debug_assert_eq!(
                read.households.len(),
                before.2,
                "a repeated row never starts a household"
            );
            continue;
        };
        let draft = &mut read.households[h];
        take_household_fields(draft, row, &columns, &at);
        let member = read_member(row, header, at, policy);
        draft.members.push(member);
    }
}

/// What says which household a row belongs to: the head's ID number (户主身份证号), a household number (户编号)
/// and the serial (序号), each blank when the row leaves it blank (fill-down).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct HouseholdIds {
    key: String,
    number: String,
    serial: String,
}

impl HouseholdIds {
    fn of(header: &Header, row: &[Cell]) -> HouseholdIds {
        HouseholdIds {
            key: household_key_text(
                &header
                    .get(row, "household_key")
                    .map(|c| unguard(c).0)
                    .unwrap_or_default(),
            ),
            number: header.text(row, "household_no").to_string(),
            serial: header.text(row, "serial").to_string(),
        }
    }

    /// Whether a row with these identifiers starts a household other than the one whose rows said `known`: the
    /// first identifier both give, in the order head's ID, household number, serial, differs. A row that gives
    /// none the household has (blank cells below the head) continues it.
    fn starts_new(&self, known: &HouseholdIds) -> bool {
        [
            (&self.key, &known.key),
            (&self.number, &known.number),
            (&self.serial, &known.serial),
        ]
        .into_iter()
        .find(|(row, have)| !row.is_empty() && !have.is_empty())
        .is_some_and(|(row, have)| row != have)
    }

    /// Takes the identifiers the household did not have yet.
    fn learn(&mut self, row: &HouseholdIds) {
        for (have, given) in [
            (&mut self.key, &row.key),
            (&mut self.number, &row.number),
            (&mut self.serial, &row.serial),
        ] {
            if have.is_empty() && !given.is_empty() {
                have.clone_from(given);
            }
        }
    }

    /// The keys a household is found by, most telling first: the head's ID as it is, `户编号 N`, `序号 S`.
    fn lookups(&self) -> impl Iterator<Item = String> + '_ {
        [
            (!self.key.is_empty()).then(|| self.key.clone()),
            (!self.number.is_empty()).then(|| format!("户编号 {}", self.number)),
            (!self.serial.is_empty()).then(|| format!("序号 {}", self.serial)),
        ]
        .into_iter()
        .flatten()
    }
}

/// The rows below the header, without trailing blank rows (formatting left over below the data).
fn trimmed_rows(sheet: &RawSheet, header_row: usize) -> &[Vec<Cell>] {
    let rows = sheet.rows.get(header_row + 1..).unwrap_or(&[]);
    let last = rows.iter().rposition(|r| r.iter().any(|c| !c.is_blank()));
    match last {
        Some(l) => &rows[..=l],
        None => &[],
    }
}

/// A household key as compared: an ID number in its canonical form when it parses as one, else the text.
fn household_key_text(raw: &str) -> String {
    match id_number::parse(raw) {
        Ok(id) => id.as_str().to_string(),
        Err(_) => raw.to_string(),
    }
}

/// The household fields a sheet has, in [`HOUSEHOLD_FIELDS`] order, with their columns: found once per sheet,
/// not per row.
fn household_columns(header: &Header) -> Vec<(&'static str, usize)> {
    HOUSEHOLD_FIELDS
        .iter()
        .filter_map(|&f| header.columns.get(f).map(|&c| (f, c)))
        .collect()
}

/// Records the household fields a row carries; a value differing from the household's earlier one is a
/// conflict (two applications typed under one key, or a copy-paste slip).
fn take_household_fields(draft: &mut HouseholdDraft, row: &[Cell], columns: &[(&'static str, usize)], at: &RowRef) {
    for &(f, c) in columns {
        let Some(cell) = row.get(c) else {
            continue;
        };
        // A flawed cell has no value to take: the row's problems name it.
        if cell.is_blank() || cell.flaw.is_some() {
            continue;
        }
        match draft.fields.get(f) {
            None => {
                draft.fields.insert(f, (cell.clone(), at.clone()));
            }
            Some((prev, prev_at)) if prev.text != cell.text => {
                draft.problems.push(Problem {
                    at: at.clone(),
                    column: label(f),
                    value: cell.text.clone(),
                    reason: {
                        let key = crate::domain::mask::cell(&draft.key);
                        let (l, r0, r1) = (label(f), prev_at.row, at.row);
                        // An account or a phone number is masked like an ID: the rows are named, the clerk has them.
                        let shown = |t: &str| match f {
                            "bank_account" => crate::domain::mask::account(t),
                            "phone" => crate::domain::mask::phone(t),
                            _ => t.to_string(),
                        };
                        let (was, now) = (
                            text::excerpt(&shown(&prev.text)).to_string(),
                            text::excerpt(&shown(&cell.text)).to_string(),
                        );
                        Msg::new(
                            format!(
                                "household key {key} has conflicting {l}: row {r0} says `{was}`, row {r1} says `{now}`"
                            ),
                            format!("同一户 ({key}) 的{l}前后不一致: 第 {r0} 行为「{was}」, 第 {r1} 行为「{now}」"),
                        )
                    },
                    fix: Msg::new(
                        "make the household's fields agree, or give the second household its own key",
                        "请让同一户的各行一致, 或给另一户填写它自己的户主身份证号",
                    ),
                });
            }
            Some(_) => {}
        }
    }
}

fn read_member(row: &[Cell], header: &Header, at: RowRef, policy: &Policy) -> MemberDraft {
    let mut problems = flawed_cells(row, header, &at);
    // A flawed cell has no value: its problem is said above, and the checks below see it blank.
    let without_flaws: Vec<Cell>;
    let row = if problems.is_empty() {
        row
    } else {
        without_flaws = row
            .iter()
            .map(|c| if c.flaw.is_some() { Cell::default() } else { c.clone() })
            .collect();
        &without_flaws
    };
    let mut problem = |f: &str, value: &str, reason: Msg, fix: Msg| {
        problems.push(Problem {
            at: at.clone(),
            column: label(f),
            value: value.to_string(),
            reason,
            fix,
        })
    };
    let name = header.text(row, "name").to_string();
    if name.is_empty() {
        problem(
            "name",
            "",
            Msg::new("name is missing", "姓名未填写"),
            Msg::new("fill in the name (姓名)", "请填写姓名"),
        );
    }
    let id_cell = header.get(row, "id_number").cloned().unwrap_or_default();
    let id = if id_cell.is_blank() {
        problem(
            "id_number",
            "",
            Msg::new("ID number is missing", "身份证号未填写"),
            Msg::new("fill in the ID number (身份证号)", "请填写身份证号"),
        );
        None
    } else {
        let (id_text, _) = unguard(&id_cell);
        match id_number::parse_cell(&id_text, id_cell.number.is_some()) {
            Ok(id) => Some(id),
            Err(e) => {
                let fix = if matches!(e, crate::domain::id_number::IdError::ExcelMangled) {
                    Msg::new(
                        "format the ID number column as Text (设置单元格格式 → 文本), type the numbers again from the ID cards, and export again",
                        "请把身份证号列设为文本格式 (设置单元格格式 → 文本), 按身份证重新录入后再导出",
                    )
                } else {
                    Msg::new(
                        "check the number against the ID card and correct it",
                        "请与身份证核对并改正",
                    )
                };
                let reason = match (&e, id_number::offending_character(&id_text)) {
                    (id_number::IdError::BadCharacter, Some((at, c))) => {
                        let (en, zh) = id_number::describe_offending(at, c);
                        Msg::new(format!("{e}: {en}"), format!("{}: {zh}", e.message_zh()))
                    }
                    _ => Msg::new(e.to_string(), e.message_zh()),
                };
                problem("id_number", &id_cell.text, reason, fix);
                None
            }
        }
    };
    let rel_text = header.text(row, "relation");
    let relation = if rel_text.is_empty() {
        problem(
            "relation",
            "",
            Msg::new("relation to the head is missing", "与户主关系未填写"),
            Msg::new(
                "fill in the relation to the head (与户主关系: 户主, 配偶, 子, 女 …)",
                "请填写与户主关系 (户主、配偶、子、女 …)",
            ),
        );
        None
    } else {
        let r = policy.relation(rel_text);
        if r.is_none() {
            let t = text::excerpt(rel_text);
            problem(
                "relation",
                rel_text,
                Msg::new(format!("unknown relation `{t}`"), format!("与户主关系「{t}」无法识别")),
                Msg::new(
                    format!(
                        "use a family relation such as 户主/本人, 配偶, 长子, 次女, 父亲, 母亲, 孙子, 儿媳, 兄, 其他 \
                         (or 之妻, 之子 as in the 户口簿); a local word is added in jiuzhu.yaml under \
                         `relation_aliases:` (`{t}: spouse`)"
                    ),
                    format!(
                        "请填写家庭关系, 如 户主/本人、配偶、长子、次女、父亲、母亲、孙子、儿媳、兄、其他 (或户口簿的 之妻、之子); \
                         本地说法可在 jiuzhu.yaml 的 `relation_aliases:` 下加上 (`{t}: spouse`)"
                    ),
                ),
            );
        }
        r
    };
    let income = match header.get(row, "monthly_income") {
        Some(c) if !c.is_blank() => {
            let parsed = match c.number {
                Some(v) => Fen::from_number_cell(v),
                None => Fen::parse_yuan(&c.text),
            };
            match parsed {
                Ok(f) if f.0 < 0 => {
                    problem(
                        "monthly_income",
                        &c.text,
                        Msg::new("income is negative", "月收入为负数"),
                        Msg::new("write the monthly income as 0 or more", "请填写 0 或更大的月收入"),
                    );
                    Fen(0)
                }
                Ok(f) => f,
                Err(e) => {
                    problem(
                        "monthly_income",
                        &c.text,
                        Msg::new(e.to_string(), e.zh()),
                        Msg::new(
                            "write the amount in yuan, e.g. 1200.50",
                            "请以元为单位填写金额, 如 1200.50",
                        ),
                    );
                    Fen(0)
                }
            }
        }
        // A blank income cell means no income (children, the elderly): registers leave it empty.
        _ => Fen(0),
    };
    // 残疾等级, and 残疾类别 when it carries a grade (`肢体二级`): the two must agree.
    let grade_text = header.text(row, "disability_grade");
    let kind_text = header.text(row, "disability_kind");
    let mut grade_of = |f: &str, t: &str| -> Option<u8> {
        match disability_grade(policy.value_code("disability_grade", t).unwrap_or(t)) {
            Some(g) => Some(g),
            None => {
                let e = text::excerpt(t);
                let label_f = label(f);
                problem(
                    f,
                    t,
                    Msg::new(
                        format!("unknown disability grade `{e}` in {label_f}"),
                        format!("{label_f}「{e}」无法识别残疾等级"),
                    ),
                    value_fix(
                        "disability_grade",
                        t,
                        "write 一级, 二级, 三级, 四级 (or e.g. 肢体二级), or leave blank",
                        "请填写 一级、二级、三级、四级 (或如 肢体二级), 或留空",
                    ),
                );
                None
            }
        }
    };
    let from_grade = grade_of("disability_grade", grade_text);
    let from_kind = if kind_text.is_empty() || disability_kind_only(kind_text) {
        Some(0)
    } else {
        grade_of("disability_kind", kind_text)
    };
    let disability_grade = match (from_grade, from_kind) {
        (Some(g), Some(0)) => g,
        (Some(0), Some(k)) => k,
        (Some(g), Some(k)) if g == k => g,
        (Some(g), Some(k)) => {
            problem(
                "disability_kind",
                kind_text,
                Msg::new(
                    format!("残疾类别 says grade {k} and 残疾等级 says grade {g}"),
                    format!("残疾类别为 {k} 级, 残疾等级却为 {g} 级"),
                ),
                Msg::new(
                    "correct one of them from the disability certificate (残疾人证)",
                    "请照残疾人证改正其中一个",
                ),
            );
            0
        }
        _ => 0,
    };
    // A disability named without its grade cannot be told from a mild one: never taken as no disability.
    if disability_grade == 0 && !kind_text.is_empty() && disability_kind_only(kind_text) && grade_text.is_empty() {
        let e = text::excerpt(kind_text);
        problem(
            "disability_kind",
            kind_text,
            Msg::new(
                format!("残疾类别 `{e}` gives no grade, and 残疾等级 is blank"),
                format!("残疾类别「{e}」没有写明等级, 残疾等级也未填写"),
            ),
            Msg::new(
                "write the grade from the disability certificate (e.g. 肢体二级), or fill in 残疾等级",
                "请照残疾人证写明等级 (如 肢体二级), 或填写残疾等级",
            ),
        );
    }
    let mut flag = |f: &str| {
        let t = header.text(row, f);
        match yes_no(t) {
            Some(b) => b,
            None => {
                problem(
                    f,
                    t,
                    Msg::new(
                        format!("`{}` is not 是 or 否", text::excerpt(t)),
                        format!("「{}」不是 是 或 否", text::excerpt(t)),
                    ),
                    Msg::new("write 是, or leave blank for 否", "请填写 是, 否则留空"),
                );
                false
            }
        }
    };
    let serious_flag = flag("serious_illness");
    let in_school = flag("in_school");
    // 健康状况: 重病 gives the 重病 top-up; a value not known is refused, never read as healthy.
    let health_text = header.text(row, "health");
    let serious_by_health = match health(policy.value_code("health", health_text).unwrap_or(health_text)) {
        Some(ill) => ill,
        None => {
            let e = text::excerpt(health_text);
            problem(
                "health",
                health_text,
                Msg::new(
                    format!("health `{e}` cannot be read as 重病 or not"),
                    format!("健康状况「{e}」无法判断是否重病"),
                ),
                value_fix(
                    "health",
                    health_text,
                    "write 重病, 大病, 长期慢性病, 健康 or 良好",
                    "请填写 重病、大病、长期慢性病、健康 或 良好",
                ),
            );
            false
        }
    };
    let serious_illness = serious_flag || serious_by_health;
    let wa_text = header.text(row, "work_ability");
    let work_ability = WorkAbility::parse(policy.value_code("work_ability", wa_text).unwrap_or(wa_text))
        .unwrap_or_else(|| {
            let e = text::excerpt(wa_text);
            problem(
                "work_ability",
                wa_text,
                Msg::new(
                    format!("unknown work ability `{e}`"),
                    format!("劳动能力「{e}」无法识别"),
                ),
                value_fix(
                    "work_ability",
                    wa_text,
                    "write 有劳动能力, 部分丧失劳动能力 or 无劳动能力",
                    "请填写 有劳动能力、部分丧失劳动能力 或 无劳动能力",
                ),
            );
            WorkAbility::Unknown
        });
    let registered_region = header.text(row, "registered_region").to_string();
    let sc_text = header.text(row, "self_care");
    let self_care = crate::ledger::SelfCare::parse(policy.value_code("self_care", sc_text).unwrap_or(sc_text))
        .unwrap_or_else(|| {
            let e = text::excerpt(sc_text);
            problem(
                "self_care",
                sc_text,
                Msg::new(
                    format!("unknown self-care ability `{e}`"),
                    format!("生活自理能力「{e}」无法识别"),
                ),
                value_fix(
                    "self_care",
                    sc_text,
                    "write 能自理, 部分自理 or 不能自理 (or 自理, 半失能, 全失能)",
                    "请填写 能自理、部分自理 或 不能自理 (或 自理、半失能、全失能)",
                ),
            );
            crate::ledger::SelfCare::Unknown
        });
    // 性别 and 出生年月 are the ID's to say: a register that disagrees has a wrong ID or a wrong person.
    if let Some(id) = &id {
        let sex_text = header.text(row, "sex");
        if !sex_text.is_empty() {
            match sex_of(sex_text) {
                Some(male) if male == (id.sex() == id_number::Sex::Male) => {}
                Some(_) => {
                    let in_id = if id.sex() == id_number::Sex::Male { "男" } else { "女" };
                    problem(
                        "sex",
                        sex_text,
                        Msg::new(
                            format!("性别 `{sex_text}` is not the sex in the ID number ({in_id})"),
                            format!("性别「{sex_text}」与身份证号中的性别 ({in_id}) 不符"),
                        ),
                        Msg::new(
                            "check the ID number and 性别 against the ID card",
                            "请与身份证核对身份证号和性别",
                        ),
                    );
                }
                None => {
                    let e = text::excerpt(sex_text);
                    problem(
                        "sex",
                        sex_text,
                        Msg::new(format!("unknown sex `{e}`"), format!("性别「{e}」无法识别")),
                        Msg::new("write 男 or 女", "请填写 男 或 女"),
                    );
                }
            }
        }
        if let Some(cell) = header.get(row, "birth_date").filter(|c| !c.is_blank()) {
            match birth_of(cell) {
                Some((y, m, d)) => {
                    let b = id.birth_date();
                    use chrono::Datelike;
                    if y != b.year() || m != b.month() || d.is_some_and(|d| d != b.day()) {
                        problem(
                            "birth_date",
                            &cell.text,
                            Msg::new(
                                format!("出生年月 `{}` is not the birth date in the ID number ({b})", cell.text),
                                format!("出生年月「{}」与身份证号中的出生日期 ({b}) 不符", cell.text),
                            ),
                            Msg::new(
                                "check the ID number and the birth date against the ID card",
                                "请与身份证核对身份证号和出生年月",
                            ),
                        );
                    }
                }
                None => {
                    let e = text::excerpt(&cell.text);
                    problem(
                        "birth_date",
                        &cell.text,
                        Msg::new(
                            format!("birth date `{e}` cannot be read"),
                            format!("出生年月「{e}」无法识别"),
                        ),
                        Msg::new(
                            "write it as 1978-03 or 1978-03-15",
                            "请按 1978-03 或 1978-03-15 的格式填写",
                        ),
                    );
                }
            }
        }
    }
    MemberDraft {
        at,
        registered_region,
        self_care,
        name,
        id,
        id_raw: id_cell.text,
        relation,
        income,
        disability_grade,
        serious_illness,
        in_school,
        work_ability,
        problems,
    }
}

/// The kinds of disability (残疾类别) as certificates name them.
const DISABILITY_KINDS: &[&str] = &["视力", "听力", "言语", "肢体", "智力", "精神", "多重"];

/// 残疾等级: 一级 (most severe) … 四级, also as 残疾类别 writes it with the kind (`肢体二级`, `视力一级残疾`,
/// `二级肢体`); blank, 无 or `none` → 0.
pub fn disability_grade(s: &str) -> Option<u8> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() || t == "无" || t == "否" || t == "none" || t == "非残疾" || t == "无残疾" {
        return Some(0);
    }
    let mut t = t.replace("残疾", "");
    for kind in DISABILITY_KINDS {
        t = t.replace(kind, "");
    }
    let grade = t.trim_end_matches('级').trim_end_matches("等");
    match grade {
        "一" | "1" | "Ⅰ" => Some(1),
        "二" | "2" | "Ⅱ" => Some(2),
        "三" | "3" | "Ⅲ" => Some(3),
        "四" | "4" | "Ⅳ" => Some(4),
        _ => None,
    }
}

/// A 残疾类别 naming the kind only (`肢体`, `视力残疾`): no grade in it.
fn disability_kind_only(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches("残疾");
    DISABILITY_KINDS.contains(&t)
}

/// 健康状况 as registers write it: whether the member counts as 重病 (`Some(true)`), or is read as not
/// (`Some(false)`: 健康, 良好, 长期慢性病 …); `None` when it cannot be told (the policy's `values: {health: …}`
/// says). Blank is not 重病.
pub fn health(s: &str) -> Option<bool> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    match t.as_str() {
        "" | "none" | "健康" | "良好" | "一般" | "较好" | "健康良好" | "身体健康" | "正常" | "长期慢性病"
        | "慢性病" | "患慢性病" | "患长期慢性病" => Some(false),
        "serious_illness" | "重病" | "大病" | "重大疾病" | "重特大疾病" | "患重病" | "患大病" | "重病患者"
        | "大病患者" => Some(true),
        _ => None,
    }
}

/// 性别: true for male.
fn sex_of(s: &str) -> Option<bool> {
    match s.trim() {
        "男" | "男性" | "M" | "m" | "1" => Some(true),
        "女" | "女性" | "F" | "f" | "2" => Some(false),
        _ => None,
    }
}

/// 出生年月 as written: year and month, and the day when given (`1978-03`, `1978.3`, `1978年3月`, `197803`,
/// `1978-03-15`, a date cell).
fn birth_of(cell: &Cell) -> Option<(i32, u32, Option<u32>)> {
    use chrono::Datelike;
    if let Ok(d) = cell.as_date() {
        return Some((d.year(), d.month(), Some(d.day())));
    }
    let t: String = text::normalize(&cell.text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let t = t.trim_end_matches('月').trim_end_matches('日');
    let (y, m) = if let Some((y, m)) = t.split_once(['-', '/', '.', '年']) {
        (y, m)
    } else if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        t.split_at(4)
    } else {
        return None;
    };
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    ((1000..=9999).contains(&y) && (1..=12).contains(&m)).then_some((y, m, None))
}

/// What to do about a value that cannot be read: write it as the rules know it, or say in the policy what the
/// county's own word means (`values: {health: {长期慢性病: serious_illness}}`).
fn value_fix(field: &str, written: &str, write_en: &str, write_zh: &str) -> Msg {
    let codes = crate::policy::VALUE_FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, c)| *c)
        .unwrap_or(&[]);
    let example = format!(
        "{field}: {{{}: {}}}",
        text::excerpt(written),
        codes.first().copied().unwrap_or("")
    );
    let codes = codes.join("|");
    Msg::new(
        format!("{write_en}; or, if this is a word used locally, add it in jiuzhu.yaml under `values:` (`{example}`, one of `{codes}`)"),
        format!("{write_zh}; 如是本地说法, 可在 jiuzhu.yaml 的 `values:` 下加上 (`{example}`, 取值为 `{codes}` 之一)"),
    )
}

/// Yes or no as clerks write it (是/否, 有/无, 已签/未签, √/×, Y/N, 1/0); blank is no.
pub fn yes_no(s: &str) -> Option<bool> {
    match s.trim() {
        "" | "否" | "无" | "未签" | "未签字" | "N" | "n" | "no" | "No" | "0" | "×" => Some(false),
        "是" | "有" | "已签" | "已签字" | "Y" | "y" | "yes" | "Yes" | "1" | "√" | "✓" => Some(true),
        _ => None,
    }
}

fn read_per_household(
    read: &mut RegisterRead,
    (hs, hh): (&RawSheet, &Header),
    (ms, mh): (&RawSheet, &Header),
    file: usize,
    policy: &Policy,
) {
    let mut by_key: HashMap<String, usize> = HashMap::default();
    let columns = household_columns(hh);
    let hs_name: std::sync::Arc<str> = hs.name.as_str().into();
    for (i, row) in trimmed_rows(hs, hh.row).iter().enumerate() {
        let at = RowRef {
            file,
            sheet: std::sync::Arc::clone(&hs_name),
            row: (hh.row + 2 + i) as u32,
        };
        read.rows_read += 1;
        if let RowKind::Skip(reason) = classify(row, hh, &["household_key", "household_no", "head_name"]) {
            read.skips.push(Skip { at, reason });
            continue;
        }
        if hs.row_hidden(hh.row + 1 + i) {
            read.hidden_rows.push(at.clone());
        }
        count_cleaned(&mut read.cleaned, row, hh);
        let ids = HouseholdIds {
            serial: String::new(),
            ..HouseholdIds::of(hh, row)
        };
        let Some(key) = ids.lookups().next() else {
            read.orphans.push(Problem {
                at,
                column: label("household_key"),
                value: String::new(),
                reason: Msg::new(
                    "household row without the head's ID number or a household number",
                    "户信息行既没有户主身份证号也没有户编号",
                ),
                fix: Msg::new(
                    "fill in the head's ID number (户主身份证号) or the household number (户编号)",
                    "请填写户主身份证号 (或户编号)",
                ),
            });
            continue;
        };
        if let Some(first) = ids.lookups().find_map(|k| by_key.get(&k).copied()) {
            let first_row = read.households[first].first.row;
            read.households[first].problems.push(Problem {
                at: at.clone(),
                column: label(if ids.key.is_empty() {
                    "household_no"
                } else {
                    "household_key"
                }),
                value: if ids.key.is_empty() {
                    ids.number.clone()
                } else {
                    ids.key.clone()
                },
                reason: Msg::new(
                    format!(
                        "the same head's ID or household number is on household rows {first_row} and {}",
                        at.row
                    ),
                    format!("第 {first_row} 行和第 {} 行是同一个户主身份证号或户编号", at.row),
                ),
                fix: Msg::new("keep one row per household", "每户只保留一行"),
            });
            read.skips.push(Skip {
                at,
                reason: Msg::new(
                    format!("second row for the household of row {first_row} (that household is rejected)"),
                    format!("第 {first_row} 行那一户的第二行 (该户被拒收)"),
                ),
            });
            continue;
        }
        let mut draft = HouseholdDraft {
            first: at.clone(),
            key,
            fields: BTreeMap::new(),
            household_row: Some(at.clone()),
            members: Vec::new(),
            problems: Vec::new(),
        };
        take_household_fields(&mut draft, row, &columns, &at);
        draft.problems.extend(flawed_cells(row, hh, &at));
        // Members are found by the head's ID or by the 户编号, whichever their sheet gives.
        for k in ids.lookups() {
            by_key.insert(k, read.households.len());
        }
        read.households.push(draft);
    }
    let mut current: Option<usize> = None;
    let mut current_key = String::new();
    let mut seen_rows: SeenRows = HashMap::default();
    let ms_name: std::sync::Arc<str> = ms.name.as_str().into();
    for (i, row) in trimmed_rows(ms, mh.row).iter().enumerate() {
        let at = RowRef {
            file,
            sheet: std::sync::Arc::clone(&ms_name),
            row: (mh.row + 2 + i) as u32,
        };
        read.rows_read += 1;
        if let RowKind::Skip(reason) = classify(row, mh, &["name", "id_number", "relation"]) {
            read.skips.push(Skip { at, reason });
            continue;
        }
        if ms.row_hidden(mh.row + 1 + i) {
            read.hidden_rows.push(at.clone());
        }
        count_cleaned(&mut read.cleaned, row, mh);
        let ids = HouseholdIds {
            serial: String::new(),
            ..HouseholdIds::of(mh, row)
        };
        let key = ids.lookups().next().unwrap_or_default();
        let before = (current, current_key.clone());
        if !key.is_empty() && key != current_key {
            current = by_key.get(&key).copied();
            current_key = key.clone();
            if current.is_none() {
                let by_number = ids.key.is_empty();
                read.orphans.push(Problem {
                    at,
                    column: label(if by_number { "household_no" } else { "household_key" }),
                    value: if by_number {
                        ids.number
                    } else {
                        mh.text(row, "household_key").to_string()
                    },
                    reason: Msg::new(
                        format!(
                            "no household row on sheet `{}` has this {}",
                            hs.name,
                            if by_number { "household number" } else { "head's ID" }
                        ),
                        format!(
                            "工作表「{}」中没有这个{}的户",
                            hs.name,
                            if by_number { "户编号" } else { "户主身份证号" }
                        ),
                    ),
                    fix: Msg::new(
                        format!(
                            "add the household to sheet `{}` or correct the {}",
                            hs.name,
                            if by_number { "household number" } else { "head's ID" }
                        ),
                        format!(
                            "请在工作表「{}」中补上该户, 或改正{}",
                            hs.name,
                            if by_number { "户编号" } else { "户主身份证号" }
                        ),
                    ),
                });
                continue;
            }
        }
        let Some(h) = current else {
            read.orphans.push(Problem {
                at,
                column: label("household_key"),
                value: String::new(),
                reason: Msg::new(
                    "this member row has no head's ID and no household above it",
                    "该成员行没有户主身份证号, 上面也没有所属的户",
                ),
                fix: Msg::new("fill in the head's ID number (户主身份证号)", "请填写户主身份证号"),
            });
            continue;
        };
        let Some(at) = first_time(&mut seen_rows, h, row, at, &mut read.skips) else {
            (current, current_key) = before;
            continue;
        };
        let member = read_member(row, mh, at, policy);
        read.households[h].members.push(member);
    }
}

/// The application dates the drafts give (those that are dates at all): what the run knows of its own dates,
/// for [`DateBounds`].
pub fn applied_dates(drafts: &[HouseholdDraft]) -> Vec<NaiveDate> {
    drafts
        .iter()
        .filter_map(|d| d.fields.get("applied_on")?.0.as_date().ok())
        .collect()
}

/// Checks a household on its own (heads, key, scheme, place, dates, account) and returns its facts when it
/// has no problems of its own. Problems are added to the draft. `dates` bounds the application date (a typo such
/// as 2926 for 2026 is refused, naming the year meant).
pub fn check_household(draft: &mut HouseholdDraft, policy: &Policy, dates: &DateBounds) -> Option<HouseholdFacts> {
    let at = draft.first.clone();
    let mut problems: Vec<Problem> = Vec::new();
    let mut problem = |at: &RowRef, f: &str, value: &str, reason: Msg, fix: Msg| {
        problems.push(Problem {
            at: at.clone(),
            column: if f.is_empty() { String::new() } else { label(f) },
            value: value.to_string(),
            reason,
            fix,
        })
    };
    let get = |f: &str| draft.fields.get(f).map(|(c, r)| (c.clone(), r.clone()));

    if draft.members.is_empty() {
        problem(
            &at,
            "",
            "",
            Msg::new("the household has no member rows", "该户没有家庭成员行"),
            Msg::new("list every member, the head included", "请列出每一位家庭成员, 包括户主"),
        );
    }
    let heads: Vec<&MemberDraft> = draft
        .members
        .iter()
        .filter(|m| m.relation == Some(Relation::Head))
        .collect();
    match heads.len() {
        1 => {}
        0 if !draft.members.is_empty() => problem(
            &at,
            "relation",
            "",
            Msg::new(
                "no head of household (户主/本人) among the household's members",
                "家庭成员中没有户主 (户主/本人)",
            ),
            Msg::new(
                "mark the applicant's row with relation 户主",
                "请把申请人那一行的与户主关系填为 户主",
            ),
        ),
        0 => {}
        n => problem(
            &heads[1].at,
            "relation",
            heads[1].relation.map(|r| r.label_zh()).unwrap_or(""),
            Msg::new(
                format!("{n} members are marked 户主; a household has one head"),
                format!("有 {n} 人标为户主; 一户只能有一个户主"),
            ),
            Msg::new("keep 户主 on the applicant's row only", "只在申请人那一行填 户主"),
        ),
    }
    // 家庭人口 / 保障人数 as the register declares it: a member row deleted or added by mistake changes the money.
    if let Some((c, r)) = get("household_size") {
        let listed = draft.members.len();
        let declared = match c.number {
            Some(n) if n.fract() == 0.0 && n >= 0.0 => Some(n as usize),
            Some(_) => None,
            None => c
                .text
                .trim()
                .trim_end_matches('人')
                .trim_end_matches('口')
                .trim()
                .parse::<usize>()
                .ok(),
        };
        match declared {
            Some(n) if n == listed => {}
            Some(n) => problem(
                &r,
                "household_size",
                &c.text,
                Msg::new(
                    format!("the register declares {n} people in the household, but lists {listed} member rows"),
                    format!("登记表填写的家庭人口为 {n} 人, 但列出的成员行有 {listed} 行"),
                ),
                Msg::new(
                    "list every member of the household once (a missing or extra row changes the benefit), or \
                     correct the declared number",
                    "请把家庭成员逐一列全, 每人一行 (少列或多列一行都会改变救助金额), 或改正填写的人数",
                ),
            ),
            None => problem(
                &r,
                "household_size",
                &c.text,
                Msg::new(
                    format!("{} must be a whole number of people", label("household_size")),
                    format!("{}应为人数 (整数)", label("household_size")),
                ),
                Msg::new("write the number of people, e.g. 3", "请填写人数, 如 3"),
            ),
        }
    }
    // A key Excel turned into a number (`1.30199E+17`, a trailing `.0`) no longer says which household its rows
    // belong to: they would form a household of their own, missing members (and a wrong benefit).
    if let Err(e @ id_number::IdError::ExcelMangled) = id_number::parse_cell(&draft.key, false) {
        problem(
            &at,
            "household_key",
            &draft.key,
            Msg::new(e.to_string(), e.message_zh()),
            Msg::new(
                "format the head's ID column as Text (设置单元格格式 → 文本), type the head's ID again, and export again",
                "请把户主身份证号列设为文本格式 (设置单元格格式 → 文本), 重新录入户主身份证号后再导出",
            ),
        );
    }
    if let (Some(head), Ok(key_id)) = (heads.first(), id_number::parse(&draft.key)) {
        if let Some(head_id) = &head.id {
            if head_id != &key_id {
                problem(
                    &head.at,
                    "household_key",
                    &draft.key,
                    Msg::new(
                        format!(
                            "the household key {} is not the head's ID {}",
                            key_id.masked(),
                            head_id.masked()
                        ),
                        format!(
                            "户主身份证号 {} 与户主本人的身份证号 {} 不一致",
                            key_id.masked(),
                            head_id.masked()
                        ),
                    ),
                    Msg::new(
                        "write the head's ID number as the household's 户主身份证号 on every row",
                        "请在该户每一行的户主身份证号中填写户主本人的身份证号",
                    ),
                );
            }
        }
    }
    if let (Some(head), Some((name_cell, name_at))) = (heads.first(), get("head_name")) {
        if !head.name.is_empty() && head.name != name_cell.text {
            problem(
                &name_at,
                "head_name",
                &name_cell.text,
                Msg::new(
                    format!(
                        "the head's name `{}` differs from the head's name `{}` on the members sheet",
                        name_cell.text, head.name
                    ),
                    format!(
                        "户主姓名「{}」与成员表中户主的姓名「{}」不一致",
                        name_cell.text, head.name
                    ),
                ),
                Msg::new("make the two names agree", "请让两处姓名一致"),
            );
        }
    }
    // People listed twice in the household with different details.
    let mut by_id: BTreeMap<&str, &MemberDraft> = BTreeMap::new();
    for m in &draft.members {
        if let Some(id) = &m.id {
            if let Some(prev) = by_id.insert(id.as_str(), m) {
                problem(
                    &m.at,
                    "id_number",
                    &m.id_raw,
                    Msg::new(
                        format!(
                            "{} ({}) is listed twice in this household (rows {} and {})",
                            m.name,
                            id.masked(),
                            prev.at.row,
                            m.at.row
                        ),
                        format!(
                            "{} ({}) 在本户中列了两次 (第 {} 行和第 {} 行)",
                            m.name,
                            id.masked(),
                            prev.at.row,
                            m.at.row
                        ),
                    ),
                    Msg::new("keep one row per person", "每人只保留一行"),
                );
            }
        }
    }

    let required =
        |f: &'static str, fix: Msg, problem: &mut dyn FnMut(&RowRef, &str, &str, Msg, Msg)| -> Option<(Cell, RowRef)> {
            let v = get(f);
            if v.is_none() {
                problem(
                    &at,
                    f,
                    "",
                    Msg::new(format!("{} is missing", label(f)), format!("{}未填写", label(f))),
                    fix,
                );
            }
            v
        };
    let scheme = required(
        "scheme",
        Msg::new(
            "fill in the scheme (申请类别) on the head's row",
            "请在户主那一行填写申请类别",
        ),
        &mut problem,
    )
    .and_then(|(c, r)| match policy.scheme_by_name(&c.text) {
        Some((key, _)) => Some(key.to_string()),
        None => {
            let known: Vec<&str> = policy.schemes.values().map(|s| s.label.as_str()).collect();
            problem(
                &r,
                "scheme",
                &c.text,
                Msg::new(
                    format!("scheme `{}` is not in the policy", text::excerpt(&c.text)),
                    format!("申请类别「{}」不在政策文件中", text::excerpt(&c.text)),
                ),
                Msg::new(
                    format!("use one of {}", known.join("、")),
                    format!("请填写以下之一: {}", known.join("、")),
                ),
            );
            None
        }
    });
    let township = required(
        "township",
        Msg::new("fill in the township (乡镇(街道))", "请填写乡镇(街道)"),
        &mut problem,
    )
    .and_then(|(c, r)| match policy.township(&c.text) {
        Some(t) => Some(t.clone()),
        None => {
            let known: Vec<&str> = policy.region.townships.iter().map(|t| t.name.as_str()).collect();
            problem(
                &r,
                "township",
                &c.text,
                Msg::new(
                    format!("township `{}` is not in the policy", text::excerpt(&c.text)),
                    format!("乡镇(街道)「{}」不在政策文件中", text::excerpt(&c.text)),
                ),
                Msg::new(
                    format!("use one of {}", known.join("、")),
                    format!("请填写以下之一: {}", known.join("、")),
                ),
            );
            None
        }
    });
    let village = required(
        "village",
        Msg::new("fill in the village (村(社区))", "请填写村(社区)"),
        &mut problem,
    )
    .and_then(|(c, r)| {
        let t = township.as_ref()?;
        let want = text::normalize_key(&c.text);
        match t.villages.iter().find(|v| text::normalize_key(v) == want) {
            Some(v) => Some(v.clone()),
            None => {
                problem(
                    &r,
                    "village",
                    &c.text,
                    Msg::new(
                        format!(
                            "village `{}` is not listed under {} in the policy",
                            text::excerpt(&c.text),
                            t.name
                        ),
                        format!(
                            "村(社区)「{}」不在政策文件中 {} 的村(社区)名单里",
                            text::excerpt(&c.text),
                            t.name
                        ),
                    ),
                    Msg::new(
                        format!("use one of {}", t.villages.join("、")),
                        format!("请填写以下之一: {}", t.villages.join("、")),
                    ),
                );
                None
            }
        }
    });
    let applied_on = required(
        "applied_on",
        Msg::new("fill in the application date (申请日期)", "请填写申请日期"),
        &mut problem,
    )
    .and_then(|(c, r)| match c.as_date().and_then(|d| dates.check(d)) {
        Ok(d) => Some(d),
        Err(e) => {
            problem(
                &r,
                "applied_on",
                &c.text,
                Msg::new(e.to_string(), e.zh()),
                Msg::new("write the date as 2026-11-03", "请按 2026-11-03 的格式填写日期"),
            );
            None
        }
    });
    let hukou = match get("hukou") {
        None => String::new(),
        Some((c, r)) => match hukou_of(policy.value_code("hukou", &c.text).unwrap_or(&c.text)) {
            Some(Hukou::Urban) => "urban".into(),
            Some(Hukou::Rural) => "rural".into(),
            None => {
                problem(
                    &r,
                    "hukou",
                    &c.text,
                    Msg::new(
                        format!("unknown household registration type `{}`", text::excerpt(&c.text)),
                        format!("户籍类型「{}」无法识别", text::excerpt(&c.text)),
                    ),
                    value_fix(
                        "hukou",
                        &c.text,
                        "write 城镇 or 农村 (非农业户口 or 农业户口)",
                        "请填写 城镇 或 农村 (非农业户口 或 农业户口)",
                    ),
                );
                String::new()
            }
        },
    };
    let bank_account = match get("bank_account") {
        None => String::new(),
        Some((c, r)) => {
            let digits: String = unguard(&c)
                .0
                .chars()
                .filter(|ch| !ch.is_whitespace() && *ch != '-')
                .collect();
            if c.number.is_some() && digits.len() >= 16 || digits.contains(['E', 'e', '.']) {
                problem(
                    &r,
                    "bank_account",
                    &c.text,
                    Msg::new(
                        "Excel turned the account number into a number and lost its last digits",
                        "银行账号已被 Excel 转成数字, 末几位已丢失",
                    ),
                    Msg::new(
                        "format the account column as Text (设置单元格格式 → 文本), type the account numbers again, and export again",
                        "请把银行账号列设为文本格式 (设置单元格格式 → 文本), 重新录入账号后再导出",
                    ),
                );
                String::new()
            } else if !(10..=30).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                let (en, zh) = match digits.chars().enumerate().find(|(_, ch)| !ch.is_ascii_digit()) {
                    Some((i, ch)) => {
                        let (en, zh) = id_number::describe_offending(i + 1, ch);
                        (format!(": {en}"), format!(": {zh}"))
                    }
                    None => (
                        format!(" (it has {})", digits.len()),
                        format!(" (现为 {} 位)", digits.len()),
                    ),
                };
                problem(
                    &r,
                    "bank_account",
                    &c.text,
                    Msg::new(
                        format!("the account number must be 10 to 30 digits{en}"),
                        format!("银行账号应为 10 到 30 位数字{zh}"),
                    ),
                    Msg::new(
                        "copy the account number from the bank card or passbook",
                        "请照银行卡或存折抄录账号",
                    ),
                );
                String::new()
            } else {
                digits
            }
        }
    };
    if let Some((c, r)) = get("phone") {
        let ok = c.text.chars().all(|ch| ch.is_ascii_digit() || "-+ ()".contains(ch))
            && c.text.chars().filter(char::is_ascii_digit).count() >= 7;
        if !ok {
            problem(
                &r,
                "phone",
                &c.text,
                Msg::new(
                    "the phone number must be digits (a mobile or a landline)",
                    "联系电话应为数字 (手机或固定电话)",
                ),
                Msg::new(
                    "write e.g. 13812345678 or 0311-1234567",
                    "如 13812345678 或 0311-1234567",
                ),
            );
        }
    }
    if let Some(d) = applied_on {
        for m in &draft.members {
            if let Some(id) = &m.id {
                if id.birth_date() > d {
                    problem(
                        &m.at,
                        "id_number",
                        &m.id_raw,
                        Msg::new(
                            format!(
                                "the birth date in the ID ({}) is after the application date ({d})",
                                id.birth_date()
                            ),
                            format!("身份证号中的出生日期 ({}) 晚于申请日期 ({d})", id.birth_date()),
                        ),
                        Msg::new(
                            "check the ID number and the application date",
                            "请核对身份证号和申请日期",
                        ),
                    );
                }
            }
        }
    }
    let materials = match get("materials") {
        None => Vec::new(),
        Some((c, _)) => {
            let mut v: Vec<String> = c
                .text
                .split(['、', ',', '，', ';', '；', '/', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| policy.material(s).unwrap_or_else(|| s.to_string()))
                .collect();
            v.sort();
            v.dedup();
            v
        }
    };
    let mut money = |f: &'static str| -> Option<Fen> {
        let (c, r) = get(f)?;
        let parsed = match c.number {
            Some(v) => Fen::from_number_cell(v),
            None => Fen::parse_yuan(&c.text),
        };
        match parsed {
            Ok(v) if v.0 >= 0 => Some(v),
            Ok(_) => {
                problem(
                    &r,
                    f,
                    &c.text,
                    Msg::new(format!("{} is negative", label(f)), format!("{}为负数", label(f))),
                    Msg::new("write an amount of 0 or more", "请填写 0 或更大的金额"),
                );
                None
            }
            Err(e) => {
                problem(
                    &r,
                    f,
                    &c.text,
                    Msg::new(e.to_string(), e.zh()),
                    Msg::new(
                        "write the amount in yuan, e.g. 12000.00",
                        "请以元为单位填写金额, 如 12000.00",
                    ),
                );
                None
            }
        }
    };
    let deposits = money("deposits");
    let deduction_amount = money("deduction_amount");
    let mut count = |f: &'static str| -> Option<u32> {
        let (c, r) = get(f)?;
        match c.text.trim_end_matches(['辆', '套', '处']).parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                problem(
                    &r,
                    f,
                    &c.text,
                    Msg::new(
                        format!("{} must be a whole number", label(f)),
                        format!("{}应为整数", label(f)),
                    ),
                    Msg::new("write 0, 1, 2 …", "请填写 0、1、2 …"),
                );
                None
            }
        }
    };
    let vehicles = count("vehicles");
    let temporary_months = count("temporary_months");
    let properties = count("properties");
    let exclusions: Vec<String> = get("exclusions")
        .map(|(c, _)| {
            c.text
                .split(['、', ',', '，', ';', '；'])
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "无")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let support_mode = match get("support_mode") {
        None => None,
        Some((c, r)) => {
            let m = crate::ledger::SupportMode::parse(policy.value_code("support_mode", &c.text).unwrap_or(&c.text));
            if m.is_none() {
                problem(
                    &r,
                    "support_mode",
                    &c.text,
                    Msg::new(
                        format!("unknown support mode `{}`", text::excerpt(&c.text)),
                        format!("供养方式「{}」无法识别", text::excerpt(&c.text)),
                    ),
                    value_fix("support_mode", &c.text, "write 集中 or 分散", "请填写 集中 或 分散"),
                );
            }
            m
        }
    };
    let urgent = match get("urgent") {
        None => false,
        Some((c, r)) => yes_no(&c.text).unwrap_or_else(|| {
            problem(
                &r,
                "urgent",
                &c.text,
                Msg::new(
                    format!("`{}` is not 是 or 否", text::excerpt(&c.text)),
                    format!("「{}」不是 是 或 否", text::excerpt(&c.text)),
                ),
                Msg::new("write 是, or leave blank", "请填写 是, 否则留空"),
            );
            false
        }),
    };
    let private = match get("private") {
        None => false,
        Some((c, r)) => yes_no(&c.text).unwrap_or_else(|| {
            problem(
                &r,
                "private",
                &c.text,
                Msg::new(
                    format!("`{}` is not 是 or 否", text::excerpt(&c.text)),
                    format!("「{}」不是 是 或 否", text::excerpt(&c.text)),
                ),
                Msg::new(
                    "write 是 for a case never to be on a public notice, or leave blank",
                    "不得公示的案件填 是, 否则留空",
                ),
            );
            // Unreadable: kept off public lists until it is read.
            true
        }),
    };
    // 是否公示 says the same the other way round: 否 is a case never to be posted.
    let private = private
        || match get("publish") {
            None => false,
            Some((c, r)) => yes_no(&c.text).map(|publish| !publish).unwrap_or_else(|| {
                problem(
                    &r,
                    "publish",
                    &c.text,
                    Msg::new(
                        format!("`{}` is not 是 or 否", text::excerpt(&c.text)),
                        format!("「{}」不是 是 或 否", text::excerpt(&c.text)),
                    ),
                    Msg::new(
                        "write 否 for a case never to be on a public notice, 是 otherwise",
                        "不得公示的案件填 否, 否则填 是",
                    ),
                );
                true
            }),
        };
    let text_of = |f: &str| get(f).map(|(c, _)| c.text).unwrap_or_default();
    let facts = match (scheme, township, village, applied_on) {
        (Some(scheme), Some(t), Some(village), Some(applied_on)) => Some(HouseholdFacts {
            scheme,
            township: t.name.clone(),
            region_code: t.code.clone(),
            village,
            address: text_of("address"),
            phone: text_of("phone"),
            hukou,
            applied_on,
            bank_name: text_of("bank_name"),
            bank_account,
            hardship_reason: text_of("hardship_reason"),
            materials,
            deposits,
            vehicles,
            properties,
            deduction_amount,
            deduction_kind: text_of("deduction_kind"),
            deduction_evidence: text_of("deduction_evidence"),
            exclusions,
            support_mode,
            temporary_months,
            urgent,
            private,
        }),
        _ => None,
    };
    draft.problems.extend(problems);
    let clean = draft.problems.is_empty() && draft.members.iter().all(|m| m.problems.is_empty());
    if clean {
        facts
    } else {
        None
    }
}

fn hukou_of(s: &str) -> Option<Hukou> {
    match s.trim() {
        // 居民户口 (the unified registration since 2014) is read as 居民 always was: urban; a county where it
        // means otherwise says so under `values: {hukou: …}`.
        "城镇"
        | "城市"
        | "非农业"
        | "非农"
        | "非农业户口"
        | "非农业家庭户口"
        | "城镇户口"
        | "城镇居民"
        | "居民"
        | "居民户口"
        | "居民家庭户口"
        | "urban" => Some(Hukou::Urban),
        "农村" | "农业" | "农业户口" | "农业家庭户口" | "农村户口" | "农村居民" | "rural" => {
            Some(Hukou::Rural)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_are_told_from_names() {
        for f in [
            "填表人：张三",
            "填表人:",
            "审核人 李四",
            "制表日期: 2026年11月5日",
            "注：1. 本表一式两份",
            "注:",
            "说明",
            "备注：以下为新增户",
            "联系电话：0311-1234567",
        ] {
            assert!(is_footer_cell(f), "{f}");
        }
        for n in [
            "说明华",
            "注华",
            "备注明",
            "制表厂",
            "张三",
            "130199197803150132",
            "审核意见",
        ] {
            assert!(!is_footer_cell(n), "{n}");
        }
    }

    #[test]
    fn disability_grades() {
        assert_eq!(disability_grade(""), Some(0));
        assert_eq!(disability_grade("一级"), Some(1));
        assert_eq!(disability_grade("二级"), Some(2));
        assert_eq!(disability_grade("3级"), Some(3));
        assert_eq!(disability_grade("四级残疾"), Some(4));
        assert_eq!(disability_grade("五级"), None);
        // 残疾类别 with its grade, as certificates and provincial exports write it.
        assert_eq!(disability_grade("肢体二级"), Some(2));
        assert_eq!(disability_grade("视力一级残疾"), Some(1));
        assert_eq!(disability_grade("肢体残疾三级"), Some(3));
        assert_eq!(disability_grade("二级肢体"), Some(2));
        assert_eq!(disability_grade("肢体"), None);
        assert!(disability_kind_only("肢体"));
        assert!(disability_kind_only("视力残疾"));
        assert!(!disability_kind_only("肢体二级"));
    }

    #[test]
    fn health_words() {
        assert_eq!(health("重病"), Some(true));
        assert_eq!(health("大病"), Some(true));
        assert_eq!(health("长期慢性病"), Some(false));
        assert_eq!(health("健康"), Some(false));
        assert_eq!(health("良好"), Some(false));
        assert_eq!(health(""), Some(false));
        assert_eq!(health("亚健康"), None);
    }

    #[test]
    fn birth_months() {
        let t = |s: &str| birth_of(&Cell::text(s));
        assert_eq!(t("1978-03"), Some((1978, 3, None)));
        assert_eq!(t("1978.3"), Some((1978, 3, None)));
        assert_eq!(t("1978年3月"), Some((1978, 3, None)));
        assert_eq!(t("197803"), Some((1978, 3, None)));
        assert_eq!(t("1978-03-15"), Some((1978, 3, Some(15))));
        assert_eq!(t("78-03"), None);
        assert_eq!(t("1978-13"), None);
    }

    #[test]
    fn yes_no_cells() {
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("否"), Some(false));
        assert_eq!(yes_no("也许"), None);
    }

    #[test]
    fn hukou_words() {
        assert_eq!(hukou_of("城镇"), Some(Hukou::Urban));
        assert_eq!(hukou_of("农业"), Some(Hukou::Rural));
        assert_eq!(hukou_of("外国"), None);
        assert_eq!(hukou_of("农业户口"), Some(Hukou::Rural));
        assert_eq!(hukou_of("非农业户口"), Some(Hukou::Urban));
        assert_eq!(hukou_of("居民户口"), Some(Hukou::Urban));
    }
}
