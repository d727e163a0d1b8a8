//! The one workbook writer: every xlsx jiuzhu gives to people goes through here, so every one has Chinese
//! column labels, a frozen header, an autofilter, sensible widths, ID and account numbers as text cells, and
//! every text cell neutralised against formula injection.
//!
//! Every sheet also prints well without touching it ([`Print`]): the policy's paper (A4 unless it says otherwise),
//! the orientation that fits, one page wide, the header row repeated on every page, long text wrapped in its
//! cell, margins, the title in the page header and 第 X 页 共 Y 页 in the footer. A sheet says what is special
//! about its paper (landscape, lines above and below its table, headings between its rows, signature lines in
//! the footer) in its `print`.
//!
//! Workbooks are deterministic: the same rows give the same bytes (the document's creation time is fixed), so
//! regenerating a report changes nothing in Git.

use anyhow::{anyhow, bail, Context, Result};
use rayon::prelude::*;
use rust_xlsxwriter::{
    Chart, ChartType, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook, Worksheet,
};

use crate::domain::money::Fen;
use crate::domain::text::neutralise;
use crate::i18n::tr;
use crate::sheet::reader::{self, Cell, RawSheet};

/// How a column's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text from input (neutralised).
    Text,
    /// ID, account, phone numbers: always a text cell, never a number Excel could round.
    Code,
    /// Money: a number cell shown with 2 decimals.
    Money,
    /// A whole number.
    Count,
}

/// Whether a person may type in a column of a round-trip worksheet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Input {
    /// Locked (keys, facts): the sheet is protected and these cells cannot be changed.
    #[default]
    Locked,
    /// Free text answer.
    Free,
    /// One of these values, offered as a drop-down list.
    Choice(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    pub kind: Kind,
    /// Width in characters; 0 picks one from the label and contents.
    pub width: u16,
    pub input: Input,
}

impl Column {
    pub fn new(label: &str, kind: Kind) -> Column {
        Column {
            label: label.to_string(),
            kind,
            width: 0,
            input: Input::Locked,
        }
    }

    /// An answer column of a round-trip worksheet.
    pub fn answer(label: &str, input: Input) -> Column {
        Column {
            label: label.to_string(),
            kind: Kind::Text,
            width: 0,
            input,
        }
    }
}

/// The label of the cell that carries a round-trip worksheet's batch ID (row 1, column A; the ID in column B).
pub const BATCH_LABEL: &str = "批次";

/// The batch label of worksheets written before workbooks were Chinese only, still read back.
const BATCH_LABEL_BEFORE: &str = "批次 batch";

/// The rows of an Excel sheet (and of WPS's and LibreOffice's): a sheet with more rows than fit below its
/// batch line, title and header goes on in sheets of its own (`名称 (2)`, `名称 (3)`, …), each with the same lines
/// above its rows.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// Where a row of a worksheet handed back is, for messages: `row 12` on its first sheet, ``sheet `评议 review (2)`
/// row 12`` on a sheet it went on to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowAt {
    pub sheet: Option<String>,
    /// Excel's row number (from 1).
    pub row: u32,
}

impl std::fmt::Display for RowAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let row = self.row;
        match &self.sheet {
            None => f.write_str(&tr(format!("row {row}"), format!("第 {row} 行"))),
            Some(s) => f.write_str(&tr(
                format!("sheet `{s}` row {row}"),
                format!("工作表「{s}」第 {row} 行"),
            )),
        }
    }
}

/// A round-trip worksheet as a person hands it back: its batch ID (B1), its header's labels, and the rows below
/// the header — of its first sheet and of every sheet it went on to (`名称 (2)`, …; see [`EXCEL_MAX_ROWS`]).
pub struct Returned<'a> {
    pub batch: String,
    pub labels: Vec<&'a str>,
    pub rows: Vec<(RowAt, &'a [Cell])>,
}

impl Returned<'_> {
    /// The index of the column labelled with one of `labels` (the label jiuzhu writes now first, then those
    /// older versions wrote), or an error naming the first.
    pub fn column(&self, shown: &str, labels: &[&str]) -> Result<usize> {
        self.labels.iter().position(|l| labels.contains(l)).ok_or_else(|| {
            let label = labels.first().copied().unwrap_or_default();
            anyhow!(
                "{}",
                tr(
                    format!("{shown}: column `{label}` is missing or was renamed"),
                    format!("{shown}: 缺少「{label}」列, 或该列被改了名"),
                )
            )
        })
    }
}

/// The label, in C1 beside the batch, of a round-trip worksheet's part when it takes several sheets:
/// `分表 part 2/3`.
pub const PART_LABEL: &str = "分表";

/// The part marker of a sheet: (k, n) from `分表 k/n` in C1 (`分表 part k/n` as written before).
fn part_of(sheet: &RawSheet) -> Option<(usize, usize)> {
    let text = sheet.rows.first()?.get(2)?.text.strip_prefix(PART_LABEL)?.trim();
    let text = text.strip_prefix("part").unwrap_or(text).trim();
    let (k, n) = text.split_once('/')?;
    Some((k.trim().parse().ok()?, n.trim().parse().ok()?))
}

/// Reads back a round-trip worksheet jiuzhu wrote (`what` names it in messages, e.g. "review-meeting worksheet"),
/// whose header row begins with one of `first_labels` (the label jiuzhu writes now first, then those older versions
/// wrote: a worksheet handed out before an upgrade is still read). A worksheet too long for one sheet is read from all its parts,
/// which must all be there, with the same batch and header; any other sheet carrying the batch (a copy of the
/// sheet, say) refuses the file rather than be read twice or left unread.
pub fn returned<'a>(shown: &str, wb: &'a reader::Workbook, what: &str, first_labels: &[&str]) -> Result<Returned<'a>> {
    let first_label = first_labels.first().copied().unwrap_or_default();
    let first = wb.sheets.first().ok_or_else(|| {
        anyhow!(
            "{}",
            tr(
                format!("{shown} has no sheets: give the {what} jiuzhu wrote"),
                format!("{shown} 里没有工作表: 请提供 jiuzhu 写出的{what}"),
            )
        )
    })?;
    let batch_of = |sheet: &RawSheet| {
        sheet
            .rows
            .first()
            .filter(|r| {
                r.first()
                    .is_some_and(|c| c.text == BATCH_LABEL || c.text == BATCH_LABEL_BEFORE)
            })
            .and_then(|r| r.get(1))
            .map(|c| c.text.clone())
    };
    let head_of = |sheet: &RawSheet| {
        sheet
            .rows
            .iter()
            .position(|r| r.first().is_some_and(|c| first_labels.contains(&c.text.as_str())))
    };
    let batch = batch_of(first).ok_or_else(|| {
        anyhow!(
            "{}",
            tr(
                format!("{shown} is not a {what} written by jiuzhu (no `{BATCH_LABEL}` in cell A1)"),
                format!("{shown} 不是 jiuzhu 写出的{what} (A1 单元格不是「{BATCH_LABEL}」)"),
            )
        )
    })?;
    let head = head_of(first).ok_or_else(|| {
        anyhow!(
            "{}",
            tr(
                format!("{shown}: the header row ({first_label} …) is missing or was changed"),
                format!("{shown}: 表头行 ({first_label} …) 缺失或被改动"),
            )
        )
    })?;
    let labels: Vec<&str> = first.rows[head].iter().map(|c| c.text.as_str()).collect();
    let parts = match part_of(first) {
        None => 1,
        Some((1, n)) if n >= 1 => n,
        Some((k, n)) => bail!(
            "{}",
            tr(
                format!(
                    "{shown}: its first sheet `{}` is part {k} of {n} of the {what}; give the file as jiuzhu wrote \
                     it, every sheet in its place",
                    first.name
                ),
                format!(
                    "{shown}: 第一个工作表「{}」是{what}的第 {k}/{n} 分表; 请按 jiuzhu 写出时的样子提供文件, 各工作表\
                     位置不变",
                    first.name
                ),
            )
        ),
    };
    let mut rows: Vec<(RowAt, &[Cell])> = Vec::new();
    let mut read: Vec<&str> = vec![first.name.as_str()];
    let mut take = |sheet: &'a RawSheet, name: Option<&str>, head: usize| -> Result<()> {
        reader::refuse_flawed_cells(shown, sheet, head + 1, None)?;
        for (i, r) in sheet.rows.iter().enumerate().skip(head + 1) {
            let at = RowAt {
                sheet: name.map(str::to_string),
                row: (i + 1) as u32,
            };
            rows.push((at, r.as_slice()));
        }
        Ok(())
    };
    take(first, None, head)?;
    for part in 1..parts {
        let name = part_name(&first.name, part);
        let Some(sheet) = wb.sheets.iter().find(|s| s.name == name) else {
            let k = part + 1;
            bail!(
                "{}",
                tr(
                    format!(
                        "{shown}: sheet `{name}`, part {k} of {parts} of the {what}, is missing; give the file as \
                         jiuzhu wrote it, every sheet of it"
                    ),
                    format!("{shown}: 缺少工作表「{name}」({what}的第 {k}/{parts} 分表); 请提供 jiuzhu 写出的完整文件"),
                )
            );
        };
        if batch_of(sheet).as_deref() != Some(batch.as_str()) || part_of(sheet) != Some((part + 1, parts)) {
            let k = part + 1;
            bail!(
                "{}",
                tr(
                    format!(
                        "{shown}: sheet `{name}` is not part {k} of {parts} of batch {batch} (its first row was \
                         changed); give the file as jiuzhu wrote it"
                    ),
                    format!(
                        "{shown}: 工作表「{name}」不是批次 {batch} 的第 {k}/{parts} 分表 (第一行被改动); 请提供 jiuzhu \
                         写出的文件"
                    ),
                )
            );
        }
        let Some(h) =
            head_of(sheet).filter(|&h| sheet.rows[h].iter().map(|c| c.text.as_str()).eq(labels.iter().copied()))
        else {
            bail!(
                "{}",
                tr(
                    format!("{shown}: sheet `{name}`: the header row ({first_label} …) is missing or was changed"),
                    format!("{shown}: 工作表「{name}」: 表头行 ({first_label} …) 缺失或被改动"),
                )
            );
        };
        take(sheet, Some(name.as_str()), h)?;
        read.push(sheet.name.as_str());
    }
    if let Some(stray) = wb
        .sheets
        .iter()
        .find(|s| !read.contains(&s.name.as_str()) && batch_of(s).as_deref() == Some(batch.as_str()))
    {
        let stray = &stray.name;
        bail!(
            "{}",
            tr(
                format!(
                    "{shown}: sheet `{stray}` also carries batch {batch} but is not part of the {what} (a copy of a \
                     sheet?): delete it, keeping the sheet that was filled in, and give the file again"
                ),
                format!(
                    "{shown}: 工作表「{stray}」也标着批次 {batch}, 但不属于该{what} (是复制的工作表吗?): 请删去它, \
                     保留填写过的那张, 再提供一次"
                ),
            )
        );
    }
    Ok(Returned { batch, labels, rows })
}

/// A cell value as jiuzhu hands it to the writer.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Money(Fen),
    Count(i64),
    Empty,
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

/// One sheet to write: a title line above the header (optional), the columns and the rows.
///
/// A round-trip worksheet (one a person fills in and jiuzhu reads back) has a `batch` ID: it is written in row 1
/// (`批次 batch` | ID), the sheet is protected so only answer columns can be edited, and answer columns with a
/// fixed set of values get a drop-down list.
#[derive(Debug, Clone, Default)]
pub struct SheetSpec {
    pub name: String,
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub batch: Option<String>,
    /// How the sheet is laid out on paper beyond what every sheet gets.
    pub print: Print,
}

/// What a sheet's paper needs beyond the page setup every sheet gets (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct Print {
    /// Landscape whatever the width (a sheet wider than a portrait page is landscape anyway).
    pub landscape: bool,
    /// The page header's title, when not the sheet's title (a round-trip sheet's title is an instruction).
    pub heading: Option<String>,
    /// Lines between the title and the table's header (the notice's issuing body and period): each across the
    /// table's width, wrapped.
    pub above: Vec<Line>,
    /// Lines below the table (the notice's objections, date and stamp line), after an empty row. Not for a
    /// round-trip sheet, whose rows are read to its end: its signature lines go in `footer_left`.
    pub below: Vec<Line>,
    /// Headings between the rows: (index into `rows` the heading stands before, text), in order. Not for a
    /// round-trip or charted sheet.
    pub headings: Vec<(usize, String)>,
    /// Text on the left of every page's footer (the meeting's signature lines), beside the page numbers.
    pub footer_left: Option<String>,
    /// Excel rows (from 0) a new page starts at (the report's charts on a page of their own).
    pub page_breaks: Vec<u32>,
}

/// A line of text on a sheet's paper, outside its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub align: Align,
    pub bold: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

impl Line {
    pub fn left(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            align: Align::Left,
            bold: false,
        }
    }
    pub fn right(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            align: Align::Right,
            bold: false,
        }
    }
    pub fn center(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            align: Align::Center,
            bold: false,
        }
    }
    pub fn bold(mut self) -> Line {
        self.bold = true;
        self
    }
}

pub use crate::policy::Paper;

/// The paper's number in Excel's page setup.
fn excel_code(paper: Paper) -> u8 {
    match paper {
        Paper::Letter => 1,
        Paper::A3 => 8,
        Paper::A4 => 9,
        Paper::B5 => 13,
    }
}

/// The paper of this run's workbooks: set once from the workspace's policy when it is opened (A4 until then).
static PAPER: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(9);

/// Sets the paper every workbook written from now on prints on (the policy's `print.paper`).
pub fn set_paper(paper: Paper) {
    PAPER.store(excel_code(paper), std::sync::atomic::Ordering::Relaxed);
}

/// A sheet wider than this many characters (of 等线 11) prints landscape: fit to a portrait page's width it would
/// shrink below about four fifths.
const PORTRAIT_WIDTH: usize = 110;

/// The font of every cell of every workbook jiuzhu writes: 等线, the font of Chinese Excel, in its size; 宋体 where
/// a computer lacks it (Windows and WPS substitute by the character set given, GB2312).
pub const FONT: &str = "等线";
const FONT_SIZE: u32 = 11;
const FONT_CHARSET_GB2312: u8 = 134;
/// The default row height and column width, in pixels, for 等线 11.
const DEFAULT_ROW_PX: u32 = 18;
const DEFAULT_COLUMN_PX: u32 = 72;
/// The height of a line of 等线 11 in a wrapped cell, in points.
const ROW_HEIGHT_PT: f64 = 14.25;

/// A cell format in the workbook's font; every format the writer uses starts from it.
fn cell_format() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(FONT_SIZE)
        .set_font_charset(FONT_CHARSET_GB2312)
}

/// Writes the sheets to xlsx bytes.
pub fn workbook_bytes(sheets: &[SheetSpec]) -> Result<Vec<u8>> {
    workbook_bytes_with_charts(sheets, &[])
}

/// The kinds of native Excel chart the writer draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Line,
    Column,
    Pie,
}

/// A native chart over columns of one of the workbook's sheets: one series per value column, named by the
/// column's label, over the data rows `rows` (indexes into that sheet's `rows`; e.g. leaving out a totals row).
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub title: String,
    /// The sheet the chart is drawn on (index into the sheets given) and its top-left cell (row, column).
    pub on_sheet: usize,
    pub at: (u32, u16),
    /// The sheet holding the data (index), its category column and value columns.
    pub data_sheet: usize,
    pub categories: u16,
    pub values: Vec<u16>,
    pub rows: std::ops::Range<usize>,
}

/// The Excel row (0-based) of a sheet's first data row: below the batch line, the title and the header.
pub fn first_data_row(spec: &SheetSpec) -> u32 {
    spec.batch.is_some() as u32 + spec.title.is_some() as u32 + spec.print.above.len() as u32 + 1
}

/// As [`workbook_bytes`], with native charts drawn over the sheets' cells (so they follow the numbers when a
/// person edits them, and LibreOffice, WPS and Excel all draw them).
pub fn workbook_bytes_with_charts(sheets: &[SheetSpec], charts: &[ChartSpec]) -> Result<Vec<u8>> {
    workbook_bytes_within(sheets, charts, EXCEL_MAX_ROWS)
}

/// As [`workbook_bytes_with_charts`], with sheets of at most `max_rows` rows (a test's small limit stands in for
/// Excel's).
pub fn workbook_bytes_within(sheets: &[SheetSpec], charts: &[ChartSpec], max_rows: u32) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    // A fixed creation time keeps the bytes reproducible (no clock enters an output).
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).context("fixed document date")?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("jiuzhu"));
    // The fastest deflate level: review workbooks of 50k rows spent most of their time compressing at the
    // default level for files only ~15% smaller.
    wb.set_zip_compression_level(1);
    // A CJK font for every cell, set before any sheet is added: Excel's default (Calibri) has no Chinese, and
    // each program would choose its own fallback for it.
    wb.set_default_format(&cell_format(), DEFAULT_ROW_PX, DEFAULT_COLUMN_PX)
        .context("the workbook's default font")?;
    let formats = Formats {
        header: cell_format()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_border(FormatBorder::Thin)
            .set_background_color(0xDDEBF7),
        title: cell_format().set_bold().set_font_size(14),
        text: cell_format().set_num_format("@"),
        money: cell_format().set_num_format("0.00"),
        count: cell_format().set_num_format("0"),
        wrap: cell_format().set_text_wrap().set_align(FormatAlign::VerticalCenter),
    };
    // The workbook's sheet where each spec's rows begin (a spec too long for one sheet takes several).
    let mut first_sheet = Vec::with_capacity(sheets.len());
    let mut written = 0usize;
    for spec in sheets {
        first_sheet.push(written);
        let parts = sheet_parts(spec, max_rows);
        for (part, rows) in parts.iter().enumerate() {
            // Rows go straight to the sheet's XML (an unnamed temporary file) instead of a cell table: a
            // 50,000-row review sheet is written in a fraction of the time and memory.
            let ws = wb.add_worksheet_with_constant_memory()?;
            ws.set_name(part_name(&spec.name, part))?;
            write_sheet(ws, spec, (part + 1, parts.len()), rows, &formats)?;
            written += 1;
        }
    }
    for c in charts {
        let (Some(data), Some(_)) = (sheets.get(c.data_sheet), sheets.get(c.on_sheet)) else {
            anyhow::bail!("chart `{}` names a sheet the workbook does not have", c.title);
        };
        let chart = build_chart(c, data)?;
        wb.worksheet_from_index(first_sheet[c.on_sheet])?
            .insert_chart(c.at.0, c.at.1, &chart)?;
    }
    wb.save_to_buffer().context("cannot build the workbook")
}

fn build_chart(c: &ChartSpec, data: &SheetSpec) -> Result<Chart> {
    let mut chart = Chart::new(match c.kind {
        ChartKind::Line => ChartType::Line,
        ChartKind::Column => ChartType::Column,
        ChartKind::Pie => ChartType::Pie,
    });
    chart.title().set_name(&c.title);
    let name = sheet_name(&data.name);
    let head = first_data_row(data) - 1;
    let first = head + 1 + c.rows.start as u32;
    let last = head + c.rows.end.max(c.rows.start + 1) as u32;
    for &col in &c.values {
        chart
            .add_series()
            .set_name((name.as_str(), head, col))
            .set_categories((name.as_str(), first, c.categories, last, c.categories))
            .set_values((name.as_str(), first, col, last, col));
    }
    chart.set_width(560).set_height(300);
    Ok(chart)
}

/// A spec's rows as the sheets they go on: all on one unless more than `max_rows` rows (with the lines above
/// them) would make it, then as many as fit on each.
fn sheet_parts(spec: &SheetSpec, max_rows: u32) -> Vec<&[Vec<Value>]> {
    let per_sheet = max_rows.saturating_sub(first_data_row(spec)).max(1) as usize;
    if spec.rows.len() <= per_sheet {
        vec![&spec.rows]
    } else {
        spec.rows.chunks(per_sheet).collect()
    }
}

/// The name of part `part` (from 0) of a sheet: the sheet's own, then `名称 (2)`, `名称 (3)`, … within Excel's
/// 31 characters.
pub fn part_name(name: &str, part: usize) -> String {
    let name = sheet_name(name);
    if part == 0 {
        return name;
    }
    let suffix = format!(" ({})", part + 1);
    let keep = 31 - suffix.chars().count();
    name.chars().take(keep).chain(suffix.chars()).collect()
}

/// The formats every sheet of a workbook shares.
struct Formats {
    header: Format,
    title: Format,
    text: Format,
    money: Format,
    /// A whole number in a column of money (the report's summary): no decimals.
    count: Format,
    /// Free text: wrapped in its cell, never spilling into the next.
    wrap: Format,
}

/// Writes part `part` of `parts` (from 1) of a sheet: the lines above the rows, then `rows`.
fn write_sheet(
    ws: &mut Worksheet,
    spec: &SheetSpec,
    (part, parts): (usize, usize),
    rows: &[Vec<Value>],
    formats: &Formats,
) -> Result<()> {
    let Formats {
        header,
        title: title_fmt,
        text,
        money,
        count,
        wrap,
    } = formats;
    let mut r: u32 = 0;
    if let Some(batch) = &spec.batch {
        ws.write_string_with_format(0, 0, BATCH_LABEL, title_fmt)?;
        ws.write_string_with_format(0, 1, batch, text)?;
        if parts > 1 {
            ws.write_string_with_format(0, 2, format!("{PART_LABEL} {part}/{parts}"), title_fmt)?;
        }
        r = 1;
    }
    if let Some(title) = &spec.title {
        ws.write_string_with_format(r, 0, neutralise(title).as_ref(), title_fmt)?;
        r += 1;
    }
    let above_row = r;
    r += spec.print.above.len() as u32;
    let head_row = r;
    // Everything about the sheet is set before its rows: rows are written out as they come.
    let headings = if part == 1 { spec.print.headings.len() } else { 0 };
    let last_row = head_row + (rows.len() + headings) as u32;
    // Each column's width from its contents, a column to a core (a 50,000-row sheet's cells are each measured).
    let widths: Vec<usize> = (0..spec.columns.len())
        .into_par_iter()
        .map(|c| match spec.columns[c].width {
            0 => column_width(spec, rows, c).clamp(6, 60),
            w => w as usize,
        })
        .collect();
    for (c, col) in spec.columns.iter().enumerate() {
        ws.set_column_width(c as u16, widths[c] as f64)?;
        // ID numbers as text and money with two decimals, by the column's format rather than each cell's: a
        // cell written without a format takes its column's, and looking a format up costs a hash of it per cell
        // (a third of the cells of a 50,000-row review sheet).
        let format = match col.kind {
            Kind::Code => Some(text),
            Kind::Money => Some(money),
            Kind::Text => Some(wrap),
            Kind::Count => None,
        };
        if let (Some(format), Input::Locked) = (format, &col.input) {
            ws.set_column_format(c as u16, format)?;
        }
    }
    page_setup(ws, spec, &widths, head_row, last_row)?;
    let width: usize = widths.iter().sum();
    for (i, line) in spec.print.above.iter().enumerate() {
        write_line(ws, above_row + i as u32, spec.columns.len(), width, line)?;
    }
    ws.set_freeze_panes(head_row + 1, 0)?;
    if !spec.columns.is_empty() {
        ws.autofilter(head_row, 0, last_row, (spec.columns.len() - 1) as u16)?;
    }
    if spec.batch.is_some() {
        for (c, col) in spec.columns.iter().enumerate() {
            if let Input::Choice(values) = &col.input {
                if last_row > head_row {
                    let values: Vec<&str> = values.iter().map(String::as_str).collect();
                    let dv = DataValidation::new()
                        .allow_list_strings(&values)?
                        .set_error_message("请从下拉列表中选择")?;
                    ws.add_data_validation(head_row + 1, c as u16, last_row, c as u16, &dv)?;
                }
            }
        }
        let options = ProtectionOptions {
            use_autofilter: true,
            sort: true,
            format_columns: true,
            format_rows: true,
            ..ProtectionOptions::default()
        };
        ws.protect_with_options(&options);
    }
    for (c, col) in spec.columns.iter().enumerate() {
        ws.write_string_with_format(head_row, c as u16, &col.label, header)?;
    }
    let unlocked = cell_format()
        .set_unlocked()
        .set_background_color(0xFFF2CC)
        .set_text_wrap();
    let heading_fmt = cell_format().set_bold();
    let mut headings = spec.print.headings.iter().filter(|_| part == 1).peekable();
    for (i, row) in rows.iter().enumerate() {
        while let Some((_, heading)) = headings.next_if(|(at, _)| *at <= i) {
            r += 1;
            ws.write_string_with_format(r, 0, neutralise(heading).as_ref(), &heading_fmt)?;
        }
        r += 1;
        // A row as high as its longest wrapped text needs: Excel fits a row to wrapped text by itself, but
        // LibreOffice and WPS keep the default height, and the text would be cut.
        let lines = row
            .iter()
            .enumerate()
            .filter(|(c, _)| spec.columns.get(*c).is_some_and(|x| x.kind == Kind::Text))
            .map(|(c, v)| match v {
                Value::Text(s) if s.len() > widths[c].saturating_sub(2) => {
                    display_width(s).div_ceil(widths[c].saturating_sub(2).max(1))
                }
                _ => 1,
            })
            .max()
            .unwrap_or(1);
        if lines > 1 {
            ws.set_row_height(r, ROW_HEIGHT_PT * lines.min(40) as f64)?;
        }
        for (c, value) in row.iter().enumerate() {
            let column = spec.columns.get(c);
            let kind = column.map(|x| x.kind).unwrap_or(Kind::Text);
            let col = c as u16;
            if column.is_some_and(|x| x.input != Input::Locked) {
                let s = match value {
                    Value::Text(s) => neutralise(s).into_owned(),
                    _ => String::new(),
                };
                ws.write_string_with_format(r, col, &s, &unlocked)?;
                continue;
            }
            match value {
                Value::Empty => {}
                // Code and money cells take their column's format (set above); a money amount in another
                // column is given it cell by cell.
                Value::Text(s) => {
                    ws.write_string(r, col, neutralise(s).as_ref())?;
                }
                Value::Money(f) => {
                    // The one place fen become a float: xlsx stores numbers as IEEE doubles. Amounts up to
                    // 2^53 fen are exact; the ledger (text) stays the truth.
                    let yuan = f.0 as f64 / 100.0;
                    if kind == Kind::Money {
                        ws.write_number(r, col, yuan)?;
                    } else {
                        ws.write_number_with_format(r, col, yuan, money)?;
                    }
                }
                Value::Count(n) => {
                    if kind == Kind::Money {
                        ws.write_number_with_format(r, col, *n as f64, count)?;
                    } else {
                        ws.write_number(r, col, *n as f64)?;
                    }
                }
            }
        }
    }
    if part == parts && !spec.print.below.is_empty() {
        r += 1;
        for line in &spec.print.below {
            r += 1;
            write_line(ws, r, spec.columns.len(), width, line)?;
        }
    }
    Ok(())
}

/// The page setup every sheet gets (see the module doc): paper, orientation, one page wide, the header row on
/// every page, margins, the title in the page header and the page numbers in the footer.
fn page_setup(ws: &mut Worksheet, spec: &SheetSpec, widths: &[usize], head_row: u32, last_row: u32) -> Result<()> {
    ws.set_paper_size(PAPER.load(std::sync::atomic::Ordering::Relaxed));
    if spec.print.landscape || widths.iter().sum::<usize>() > PORTRAIT_WIDTH {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    // One page wide, as many pages long as it takes.
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    // Inches: 1.8 cm at the sides, room at the top and bottom for the page header and footer.
    ws.set_margins(0.7, 0.7, 0.9, 0.8, 0.35, 0.35);
    if !spec.columns.is_empty() {
        ws.set_repeat_rows(head_row, head_row)?;
    }
    let heading = spec
        .print
        .heading
        .as_deref()
        .or(spec.title.as_deref())
        .unwrap_or(&spec.name);
    // A sheet whose title is part of its page (the notice's) leaves the page header empty.
    if !heading.is_empty() {
        ws.set_header(format!("&C&\"{FONT},Bold\"&12{}", header_text(heading, 200)));
    }
    let pages = "第 &P 页 共 &N 页";
    match &spec.print.footer_left {
        Some(left) => ws.set_footer(format!(
            "&L&\"{FONT},Regular\"{}&R&\"{FONT},Regular\"{pages}",
            header_text(left, 180)
        )),
        None => ws.set_footer(format!("&C&\"{FONT},Regular\"{pages}")),
    };
    if !spec.print.page_breaks.is_empty() {
        ws.set_page_breaks(&spec.print.page_breaks)?;
    }
    let _ = last_row;
    Ok(())
}

/// Text for a page header or footer: `&` doubled (a code there), within Excel's 255 characters for the whole.
fn header_text(text: &str, max: usize) -> String {
    text.replace('&', "&&").chars().take(max).collect()
}

/// A line outside the table, across its `columns` (merged when more than one), wrapped, its row as high as its
/// lines need (`width`: the table's width in characters).
fn write_line(ws: &mut Worksheet, row: u32, columns: usize, width: usize, line: &Line) -> Result<()> {
    let mut format = cell_format().set_text_wrap().set_align(match line.align {
        Align::Left => FormatAlign::Left,
        Align::Center => FormatAlign::Center,
        Align::Right => FormatAlign::Right,
    });
    format = format.set_align(FormatAlign::VerticalCenter);
    if line.bold {
        format = format.set_bold();
    }
    let text = neutralise(&line.text);
    let lines = display_width(&text).div_ceil(width.max(1)).max(1);
    if lines > 1 {
        ws.set_row_height(row, ROW_HEIGHT_PT * lines as f64)?;
    }
    if columns > 1 {
        ws.merge_range(row, 0, row, (columns - 1) as u16, text.as_ref(), &format)?;
    } else {
        ws.write_string_with_format(row, 0, text.as_ref(), &format)?;
    }
    Ok(())
}

/// The width column `c` needs: its label's or its widest value's, plus 2 (before clamping).
fn column_width(spec: &SheetSpec, rows: &[Vec<Value>], c: usize) -> usize {
    let label = spec.columns.get(c).map_or(0, |col| display_width(&col.label));
    if spec.columns.get(c).is_some_and(|col| col.input != Input::Locked) {
        // A column for a person to fill in is as wide as its label (or its set width).
        return label + 2;
    }
    let widest = rows
        .iter()
        .filter_map(|row| match row.get(c) {
            Some(Value::Text(s)) => Some(display_width(&neutralise(s))),
            Some(Value::Money(f)) => Some(f.to_string().len()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    label.max(widest) + 2
}

/// Width of text in Excel character units: CJK characters count double.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) < 0x2E80 { 1 } else { 2 }).sum()
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if clean.is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<SheetSpec> {
        vec![SheetSpec {
            name: "拒收".into(),
            title: Some("测试".into()),
            columns: vec![
                Column::new("姓名", Kind::Text),
                Column::new("身份证号", Kind::Code),
                Column::new("金额", Kind::Money),
            ],
            rows: vec![vec![
                "=1+1".into(),
                "110105194912310021".into(),
                Value::Money(Fen(82050)),
            ]],
            batch: None,
            print: Print::default(),
        }]
    }

    #[test]
    fn same_rows_same_bytes() {
        let a = workbook_bytes(&sample()).unwrap();
        let b = workbook_bytes(&sample()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn written_workbook_reads_back_neutralised() {
        let bytes = workbook_bytes(&sample()).unwrap();
        let wb = crate::sheet::reader::read_workbook_bytes("r.xlsx", &bytes, crate::sheet::reader::Encoding::Detect)
            .unwrap();
        let rows = &wb.sheets[0].rows;
        assert_eq!(rows[2][0].text, "'=1+1");
        assert_eq!(rows[2][1].text, "110105194912310021");
        assert!(rows[2][1].number.is_none(), "IDs are text cells");
        assert_eq!(rows[2][2].text, "820.5");
    }

    /// A part of the xlsx package, as text.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
    }

    /// Every font of the workbook — the default (font 0, what an empty or unformatted cell shows) and those of the
    /// header, title, ID, money and answer cells — is the CJK font, with the Chinese character set; a round-trip
    /// worksheet and a workbook with a chart too.
    #[test]
    fn every_cell_is_in_the_cjk_font() {
        let mut specs = sample();
        specs.push(returnable("回访 followups", "FU-1", 3));
        for bytes in [workbook_bytes(&specs).unwrap(), workbook_bytes(&sample()).unwrap()] {
            let styles = part(&bytes, "xl/styles.xml");
            let fonts = &styles[styles.find("<fonts").unwrap()..styles.find("</fonts>").unwrap()];
            let names: Vec<&str> = fonts
                .split("<name val=\"")
                .skip(1)
                .map(|f| f.split('"').next().unwrap())
                .collect();
            assert!(names.len() >= 2, "{fonts}");
            assert!(names.iter().all(|n| *n == FONT), "fonts {names:?} in {fonts}");
            assert_eq!(fonts.matches("<charset val=\"134\"/>").count(), names.len(), "{fonts}");
            // The cell style Normal (the default format) is font 0.
            let xfs = &styles[styles.find("<cellStyleXfs").unwrap()..];
            assert!(xfs.contains("fontId=\"0\""), "{xfs}");
        }
        assert_eq!(FONT, "等线");
    }

    /// The number format code cell `cell` of the first sheet is shown with ("" when it has none).
    fn format_code_of(bytes: &[u8], cell: &str) -> String {
        let sheet = part(bytes, "xl/worksheets/sheet1.xml");
        let styles = part(bytes, "xl/styles.xml");
        let at = sheet
            .find(&format!("<c r=\"{cell}\""))
            .unwrap_or_else(|| panic!("no cell {cell}"));
        let tag = &sheet[at..at + sheet[at..].find('>').unwrap()];
        let Some(s) = tag.split(" s=\"").nth(1) else {
            return String::new();
        };
        let xf: usize = s[..s.find('"').unwrap()].parse().unwrap();
        let xfs = &styles[styles.find("<cellXfs").unwrap()..];
        let xf_tag = xfs.split("<xf ").nth(xf + 1).unwrap();
        let id = xf_tag.split("numFmtId=\"").nth(1).unwrap().split('"').next().unwrap();
        styles
            .split("<numFmt ")
            .find(|f| f.starts_with(&format!("numFmtId=\"{id}\"")))
            .and_then(|f| f.split("formatCode=\"").nth(1))
            .map(|f| f.split('"').next().unwrap().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn codes_are_text_cells_and_money_has_two_decimals() {
        let bytes = workbook_bytes(&sample()).unwrap();
        // Row 1 the title, row 2 the header, row 3 the data.
        assert_eq!(format_code_of(&bytes, "B3"), "@", "an ID number is formatted as text");
        assert_eq!(format_code_of(&bytes, "C3"), "0.00");
        assert_eq!(format_code_of(&bytes, "A3"), "", "free text keeps the default format");
    }

    /// A count in a column of money (the report's summary) has no decimals; long text is wrapped and its row made
    /// as high as its lines; every sheet is set up for the page, the header row repeated.
    #[test]
    fn counts_stay_whole_long_text_wraps_and_every_sheet_is_set_up_for_the_page() {
        let spec = SheetSpec {
            name: "汇总".into(),
            title: Some("统计".into()),
            columns: vec![
                Column {
                    width: 10,
                    ..Column::new("项目", Kind::Text)
                },
                Column::new("数值", Kind::Money),
            ],
            rows: vec![
                vec!["户数".into(), Value::Count(30)],
                vec!["很长的说明文字".repeat(4).into(), Value::Money(Fen(100))],
            ],
            batch: None,
            print: Print {
                below: vec![Line::right("青禾县民政局 (盖章)")],
                ..Print::default()
            },
        };
        let bytes = workbook_bytes(std::slice::from_ref(&spec)).unwrap();
        assert_eq!(format_code_of(&bytes, "B3"), "0");
        assert_eq!(format_code_of(&bytes, "B4"), "0.00");
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<row r=\"4\" ht=\""), "{sheet}");
        assert!(sheet.contains("orientation=\"portrait\""), "{sheet}");
        assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{sheet}");
        assert!(
            sheet.contains("<mergeCell ref=\"A6:B6\"/>"),
            "the stamp line below an empty row: {sheet}"
        );
        assert!(
            part(&bytes, "xl/workbook.xml").contains("汇总!$2:$2"),
            "the header row on every page"
        );
        assert!(part(&bytes, "xl/styles.xml").contains("wrapText=\"1\""));
    }

    /// A round-trip sheet of `n` rows `R1`… (an ID column and an answer column) under batch `batch`.
    fn returnable(name: &str, batch: &str, n: usize) -> SheetSpec {
        SheetSpec {
            name: name.into(),
            title: Some("填写".into()),
            columns: vec![
                Column::new("编号 id", Kind::Code),
                Column::answer("结果 answer", Input::Free),
            ],
            rows: (1..=n).map(|i| vec![format!("R{i}").into(), Value::Empty]).collect(),
            batch: Some(batch.into()),
            print: Print::default(),
        }
    }

    fn read(bytes: &[u8]) -> reader::Workbook {
        reader::read_workbook_bytes("w.xlsx", bytes, reader::Encoding::Detect).unwrap()
    }

    #[test]
    fn a_sheet_too_long_for_excel_goes_on_in_sheets_of_its_own_and_reads_back_whole() {
        // 6 rows a sheet: the batch line, the title and the header leave 3 for data.
        let spec = returnable("评议 review", "B-1", 7);
        let bytes = workbook_bytes_within(std::slice::from_ref(&spec), &[], 6).unwrap();
        let wb = read(&bytes);
        let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["评议 review", "评议 review (2)", "评议 review (3)"]);
        for s in &wb.sheets {
            assert_eq!(s.rows[0][1].text, "B-1", "each sheet carries the batch");
            assert_eq!(s.rows[2][0].text, "编号 id", "each sheet carries the header");
            assert!(s.rows.len() <= 6);
        }
        let back = returned("w.xlsx", &wb, "worksheet", &["编号 id"]).unwrap();
        assert_eq!(back.batch, "B-1");
        let ids: Vec<&str> = back.rows.iter().map(|(_, r)| r[0].text.as_str()).collect();
        assert_eq!(ids, ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]);
        assert_eq!(back.rows[2].0.to_string(), "row 6");
        assert_eq!(back.rows[3].0.to_string(), "sheet `评议 review (2)` row 4");
        assert_eq!(back.rows[6].0.to_string(), "sheet `评议 review (3)` row 4");
        // Rows that fit stay on one sheet, as before.
        let one = workbook_bytes_within(std::slice::from_ref(&spec), &[], 10).unwrap();
        assert_eq!(read(&one).sheets.len(), 1);
        assert_eq!(one, workbook_bytes(std::slice::from_ref(&spec)).unwrap());
    }

    #[test]
    fn a_worksheet_in_parts_is_refused_unless_every_part_is_there_as_written() {
        let spec = returnable("核查", "B-1", 5);
        let written = read(&workbook_bytes_within(std::slice::from_ref(&spec), &[], 6).unwrap());
        assert_eq!(written.sheets.len(), 2);
        assert_eq!(written.sheets[0].rows[0][2].text, "分表 1/2");
        assert_eq!(written.sheets[1].rows[0][2].text, "分表 2/2");
        let refused = |wb: &reader::Workbook| {
            returned("w.xlsx", wb, "worksheet", &["编号 id"])
                .err()
                .unwrap()
                .to_string()
        };

        let mut wb = written.clone();
        wb.sheets.pop();
        let err = refused(&wb);
        assert!(
            err.contains("sheet `核查 (2)`, part 2 of 2 of the worksheet, is missing"),
            "{err}"
        );

        let mut wb = written.clone();
        wb.sheets[1].rows[0][1].text = "B-2".into();
        assert!(refused(&wb).contains("sheet `核查 (2)` is not part 2 of 2 of batch B-1"));

        let mut wb = written.clone();
        wb.sheets[1].rows[2][1].text = "改了".into();
        assert!(refused(&wb).contains("sheet `核查 (2)`: the header row"));

        let mut wb = written.clone();
        wb.sheets.swap(0, 1);
        assert!(refused(&wb).contains("is part 2 of 2"));

        // A copy of a sheet (Excel names it `核查 (2)` too) carries the batch: refused, not read twice.
        let single = read(&workbook_bytes(&[returnable("核查", "B-1", 2)]).unwrap());
        assert_eq!(
            returned("w.xlsx", &single, "worksheet", &["编号 id"])
                .unwrap()
                .rows
                .len(),
            2
        );
        let mut wb = single.clone();
        let mut copy = wb.sheets[0].clone();
        copy.name = "核查 (2)".into();
        wb.sheets.push(copy);
        let err = refused(&wb);
        assert!(err.contains("sheet `核查 (2)` also carries batch B-1"), "{err}");
        // A sheet of another batch or none is left alone.
        let wb = read(&workbook_bytes(&[returnable("核查", "B-1", 2), returnable("说明", "B-9", 2)]).unwrap());
        assert_eq!(
            returned("w.xlsx", &wb, "worksheet", &["编号 id"]).unwrap().rows.len(),
            2
        );
        let err = returned(
            "w.xlsx",
            &read(&workbook_bytes(&sample()).unwrap()),
            "spot-check worksheet",
            &["编号 id"],
        )
        .err()
        .unwrap()
        .to_string();
        assert!(err.contains("is not a spot-check worksheet written by jiuzhu"), "{err}");
    }

    #[test]
    fn parts_of_a_long_sheet_name_stay_within_excel_s_31_characters() {
        let long = "长".repeat(40);
        assert_eq!(part_name(&long, 0).chars().count(), 31);
        let second = part_name(&long, 1);
        assert_eq!(second.chars().count(), 31);
        assert!(second.ends_with(" (2)"));
        assert_eq!(part_name("a/b", 11), "a_b (12)");
    }

    #[test]
    fn sheet_names_are_made_legal() {
        assert_eq!(sheet_name("a/b"), "a_b");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    }
}
