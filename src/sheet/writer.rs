//! The one workbook writer: every xlsx jiuzhu gives to people goes through here, so every one has Chinese
//! column labels, a frozen header, an autofilter, sensible widths, ID and account numbers as text cells, and
//! every text cell neutralised against formula injection.
//!
//! Workbooks are deterministic: the same rows give the same bytes (the document's creation time is fixed), so
//! regenerating a report changes nothing in Git.

use anyhow::{Context, Result};
use rayon::prelude::*;
use rust_xlsxwriter::{
    Chart, ChartType, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook, Worksheet,
};

use crate::domain::money::Fen;
use crate::domain::text::neutralise;

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
pub const BATCH_LABEL: &str = "批次 batch";

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
    spec.batch.is_some() as u32 + spec.title.is_some() as u32 + 1
}

/// As [`workbook_bytes`], with native charts drawn over the sheets' cells (so they follow the numbers when a
/// person edits them, and LibreOffice, WPS and Excel all draw them).
pub fn workbook_bytes_with_charts(sheets: &[SheetSpec], charts: &[ChartSpec]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    // A fixed creation time keeps the bytes reproducible (no clock enters an output).
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).context("fixed document date")?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("jiuzhu"));
    // The fastest deflate level: review workbooks of 50k rows spent most of their time compressing at the
    // default level for files only ~15% smaller.
    wb.set_zip_compression_level(1);
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xDDEBF7);
    let title_fmt = Format::new().set_bold().set_font_size(14);
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("0.00");
    for spec in sheets {
        // Rows go straight to the sheet's XML (an unnamed temporary file) instead of a cell table: a 50,000-row
        // review sheet is written in a fraction of the time and memory.
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet_name(&spec.name))?;
        write_sheet(ws, spec, &header, &title_fmt, &text, &money)?;
    }
    for c in charts {
        let (Some(data), Some(_)) = (sheets.get(c.data_sheet), sheets.get(c.on_sheet)) else {
            anyhow::bail!("chart `{}` names a sheet the workbook does not have", c.title);
        };
        let chart = build_chart(c, data)?;
        wb.worksheet_from_index(c.on_sheet)?
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

fn write_sheet(
    ws: &mut Worksheet,
    spec: &SheetSpec,
    header: &Format,
    title_fmt: &Format,
    text: &Format,
    money: &Format,
) -> Result<()> {
    let mut r: u32 = 0;
    if let Some(batch) = &spec.batch {
        ws.write_string_with_format(0, 0, BATCH_LABEL, title_fmt)?;
        ws.write_string_with_format(0, 1, batch, text)?;
        r = 1;
    }
    if let Some(title) = &spec.title {
        ws.write_string_with_format(r, 0, neutralise(title).as_ref(), title_fmt)?;
        r += 1;
    }
    let head_row = r;
    // Everything about the sheet is set before its rows: rows are written out as they come.
    let last_row = head_row + spec.rows.len() as u32;
    // Each column's width from its contents, a column to a core (a 50,000-row sheet's cells are each measured).
    let widths: Vec<usize> = (0..spec.columns.len())
        .into_par_iter()
        .map(|c| match spec.columns[c].width {
            0 => column_width(spec, c).clamp(6, 60),
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
            Kind::Text | Kind::Count => None,
        };
        if let (Some(format), Input::Locked) = (format, &col.input) {
            ws.set_column_format(c as u16, format)?;
        }
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
                        .set_error_message("请从下拉列表中选择 (choose a value from the list)")?;
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
    let unlocked = Format::new().set_unlocked().set_background_color(0xFFF2CC);
    for row in &spec.rows {
        r += 1;
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
                    ws.write_number(r, col, *n as f64)?;
                }
            }
        }
    }
    Ok(())
}

/// The width column `c` needs: its label's or its widest value's, plus 2 (before clamping).
fn column_width(spec: &SheetSpec, c: usize) -> usize {
    let label = spec.columns.get(c).map_or(0, |col| display_width(&col.label));
    if spec.columns.get(c).is_some_and(|col| col.input != Input::Locked) {
        // A column for a person to fill in is as wide as its label (or its set width).
        return label + 2;
    }
    let widest = spec
        .rows
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

    #[test]
    fn sheet_names_are_made_legal() {
        assert_eq!(sheet_name("a/b"), "a_b");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    }
}
