//! `jiuzhu diff A B` — a keyed, cell-level diff of two ledgers (CSV) or two workbooks (xlsx/xls/ods, sheet by
//! sheet), either side a file or `REV:PATH` read from Git.
//!
//! Rows are matched by key, not by position: the key of a ledger comes from its file name (`cases.csv` →
//! `case_id`, `members.csv` → `case_id`+`id_number`, …), otherwise the first column, or `--key COL[,COL]`. Workbook
//! sheets are keyed by their first column when its values are unique, else by row number.
//!
//! Fast on large ledgers: both files are held as bytes, the old side is indexed by key (key bytes → byte range of
//! the record), and a row of the new side whose raw bytes equal its old counterpart's is settled without building
//! a single string. Only rows that differ are turned into text.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use crate::cmd::cli::{examples, Ctx};
use crate::i18n::tr;

pub use crate::ledger::diff::{diff_tables, ledger_key, ColState, KeySpec, RowDiff, RowKind, TableDiff};
use crate::sheet::reader::{self, Encoding};
use crate::Outcome;

/// How differences are printed (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    // Aligned tables for people: changed cells as `old → new`, added and removed rows with their columns.
    #[value(help = tr(
        "Aligned tables: changed cells as old → new, added and removed rows",
        "对齐的表格: 修改的单元格显示为 旧值 → 新值, 以及新增和删除的行",
    ))]
    Table,
    // daff's tabular diff format (CSV): action column `@@` header, `+++` added, `---` removed, `->` changed
    // (`old->new` cells), `...` skipped rows, `!` schema row when columns differ.
    #[value(help = tr("daff's tabular diff format (CSV)", "`daff` 的表格差异格式 (CSV)"))]
    Daff,
}

// `jiuzhu diff A B`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Compare two ledgers or workbooks cell by cell, rows matched by key; either side may be REV:PATH in Git",
        "逐格比较两个台账或工作簿, 行按键对应; 任一方都可以是 Git 中的 REV:PATH",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu diff HEAD~1:ledgers/cases.csv ledgers/cases.csv\n  \
jiuzhu diff old/members.csv ledgers/members.csv\n  \
jiuzhu diff --format daff HEAD~3:ledgers/decisions.csv ledgers/decisions.csv > changes.csv\n  \
jiuzhu diff 名单-10月.xlsx 名单-11月.xlsx\n  jiuzhu diff --key 身份证号 a.csv b.csv",
        "示例:\n  jiuzhu diff HEAD~1:ledgers/cases.csv ledgers/cases.csv\n  \
jiuzhu diff old/members.csv ledgers/members.csv\n  \
jiuzhu diff --format daff HEAD~3:ledgers/decisions.csv ledgers/decisions.csv > changes.csv\n  \
jiuzhu diff 名单-10月.xlsx 名单-11月.xlsx\n  jiuzhu diff --key 身份证号 a.csv b.csv",
    )),
    after_help = tr("\
Rows are matched by key: cases.csv by case_id, members.csv by case_id+id_number, decisions.csv by decision_id, \
matches.csv by hit_id, checks.csv by case_id+check, events.csv by seq, any other file by its first column \
(workbook sheets by their first column when its values are unique, else by row number). Prints added, removed \
and changed rows with old → new per cell; --format daff prints daff's tabular diff (CSV: @@ header, +++ added, \
--- removed, -> changed, ... skipped).\n\nExit: 0 identical; 1 different; 2 error.", "\
行按键对应: cases.csv 按 case_id, members.csv 按 case_id+id_number, decisions.csv 按 decision_id, \
matches.csv 按 hit_id, checks.csv 按 case_id+check, events.csv 按 `seq`, 其他文件按第一列 (工作簿的各表: \
第一列取值唯一时按第一列, 否则按行号)。输出新增、删除和修改的行, 每格显示 旧值 → 新值; `--format daff` \
输出 `daff` 的表格差异格式 (CSV: @@ 表头, +++ 新增, --- 删除, -> 修改, ... 略过)。\n\n\
退出码: 0 相同; 1 不同; 2 出错。")
)]
pub struct Args {
    #[arg(help = tr(
        "The old side: a file, or REV:PATH (e.g. HEAD~1:ledgers/cases.csv)",
        "旧的一方: 文件, 或 REV:PATH (如 HEAD~1:ledgers/cases.csv)",
    ))]
    pub a: String,
    #[arg(help = tr("The new side: a file, or REV:PATH", "新的一方: 文件, 或 REV:PATH"))]
    pub b: String,
    #[arg(long, value_name = "COL[,COL]", value_delimiter = ',', help = tr(
        "Key columns, comma-separated (default: the ledger's key, else the first column)",
        "键列, 以逗号分隔 (默认: 台账的键, 否则为第一列)",
    ))]
    pub key: Option<Vec<String>>,
    #[arg(long, value_enum, default_value_t = Format::Table, help = tr("Output format", "输出格式"))]
    pub format: Format,
}

impl Args {
    /// `diff` only reads.
    pub fn writing_step(&self) -> Option<Option<String>> {
        None
    }
}

/// The command line's entry: sides and revisions resolved from the current folder, or `-C DIR`.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(&Request {
        a: args.a,
        b: args.b,
        key: args.key,
        format: args.format,
        dir: ctx.start(),
        quiet: ctx.quiet,
    })
}

/// What `diff` was asked to do, resolved from its command line ([`Args`]).
pub struct Request {
    /// The old side: a file, or `REV:PATH`.
    pub a: String,
    /// The new side: a file, or `REV:PATH`.
    pub b: String,
    /// Key columns (overrides the ledger's key).
    pub key: Option<Vec<String>>,
    pub format: Format,
    /// Where relative paths and Git revisions are resolved (the current folder, or `-C DIR`).
    pub dir: PathBuf,
    pub quiet: bool,
}

pub fn run(args: &Request) -> Result<Outcome> {
    let a = load(&args.dir, &args.a)?;
    let b = load(&args.dir, &args.b)?;
    let mut out = std::io::BufWriter::new(crate::ui::stdout());
    let differs = match (a.kind, b.kind) {
        (Kind::Csv, Kind::Csv) => {
            let key = match &args.key {
                Some(k) => KeySpec::Columns(k.clone()),
                None => match ledger_key(&b.name).or_else(|| ledger_key(&a.name)) {
                    Some(k) => KeySpec::Ledger(k.iter().map(|s| s.to_string()).collect()),
                    None => KeySpec::FirstColumn,
                },
            };
            let at = csv_text(&a)?;
            let bt = csv_text(&b)?;
            let d = diff_tables(&at, &bt, &key).with_context(|| {
                tr(
                    format!("cannot diff {} and {}", a.label, b.label),
                    format!("无法比较 {} 和 {}", a.label, b.label),
                )
            })?;
            let differs = d.differs();
            if differs {
                print_diff(&mut out, args.format, &a.label, &b.label, None, &d)?;
            } else if !args.quiet {
                writeln!(
                    out,
                    "{}",
                    tr(
                        format!(
                            "no differences: {} and {} have the same {} row{} (key: {})",
                            a.label,
                            b.label,
                            d.unchanged,
                            if d.unchanged == 1 { "" } else { "s" },
                            d.key_columns.join("+")
                        ),
                        format!(
                            "没有差异: {} 与 {} 的 {} 行相同 (主键 `{}`)",
                            a.label,
                            b.label,
                            d.unchanged,
                            d.key_columns.join("+")
                        ),
                    )
                )?;
            }
            differs
        }
        (Kind::Workbook, Kind::Workbook) => diff_workbooks(&mut out, args, &a, &b)?,
        _ => bail!(
            "{}",
            tr(
                format!(
                    "{} and {} are not the same kind of file: compare a CSV with a CSV, or a workbook with a \
                     workbook",
                    a.label, b.label
                ),
                format!(
                    "{} 与 {} 不是同一类文件: 请用 CSV 比 CSV, 工作簿比工作簿",
                    a.label, b.label
                ),
            )
        ),
    };
    out.flush()?;
    Ok(if differs {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv,
    Workbook,
}

struct Side {
    /// As given on the command line.
    label: String,
    /// The file's name (its extension picks the reader).
    name: String,
    bytes: Vec<u8>,
    kind: Kind,
}

/// A side of the diff: a file when one exists at that path, else `REV:PATH` from Git.
fn load(dir: &Path, spec: &str) -> Result<Side> {
    let path = if Path::new(spec).is_absolute() {
        PathBuf::from(spec)
    } else {
        dir.join(spec)
    };
    let (name, bytes) = if path.is_file() {
        let bytes =
            std::fs::read(&path).with_context(|| tr(format!("cannot read {spec}"), format!("无法读取 {spec}")))?;
        (spec.to_string(), bytes)
    } else if let Some((rev, p)) = spec.split_once(':').filter(|(r, p)| !r.is_empty() && !p.is_empty()) {
        (p.to_string(), crate::git::show(dir, rev, p)?)
    } else {
        bail!(
            "{}",
            tr(
                format!(
                    "cannot read {spec}: no such file (a file as it was in Git is written REV:PATH, e.g. \
                     HEAD~1:ledgers/cases.csv)"
                ),
                format!("无法读取 {spec}: 文件不存在 (Git 中某一版本的文件写作 REV:PATH, 如 HEAD~1:ledgers/cases.csv)"),
            )
        );
    };
    let kind = kind_of(&name, &bytes);
    Ok(Side {
        label: spec.to_string(),
        name,
        bytes,
        kind,
    })
}

/// A workbook by its extension, else by its first bytes (zip or OLE compound file); anything else is CSV.
fn kind_of(name: &str, bytes: &[u8]) -> Kind {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => Kind::Workbook,
        "csv" | "txt" | "tsv" => Kind::Csv,
        _ if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => Kind::Workbook,
        _ => Kind::Csv,
    }
}

/// The name `reader::read_workbook_bytes` needs to pick the format: the file's own when it has a workbook
/// extension, else one made from its first bytes.
pub(crate) fn workbook_name(name: &str, bytes: &[u8]) -> String {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ["xlsx", "xlsm", "xls", "ods"].contains(&ext.as_str()) {
        name.to_string()
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        format!("{name}.xls")
    } else {
        format!("{name}.xlsx")
    }
}

/// CSV bytes as UTF-8 without BOM: borrowed when they already are, else decoded from GB18030.
fn csv_text(side: &Side) -> Result<std::borrow::Cow<'_, [u8]>> {
    let bytes = side.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&side.bytes);
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let (text, _, errors) = encoding_rs::GB18030.decode(bytes);
    if errors {
        bail!(
            "{}",
            tr(
                format!("{} is neither UTF-8 nor GBK/GB18030 text", side.label),
                format!("{} 既不是 UTF-8 也不是 GBK/GB18030 文本", side.label),
            )
        );
    }
    Ok(std::borrow::Cow::Owned(text.into_owned().into_bytes()))
}

// ---------------------------------------------------------------------------------------------------------
// Workbooks

fn diff_workbooks(out: &mut impl Write, args: &Request, a: &Side, b: &Side) -> Result<bool> {
    let wa = reader::read_worksheet_bytes(&workbook_name(&a.name, &a.bytes), &a.bytes, Encoding::Detect)?;
    let wb = reader::read_worksheet_bytes(&workbook_name(&b.name, &b.bytes), &b.bytes, Encoding::Detect)?;
    let mut names: Vec<&str> = wa.sheets.iter().map(|s| s.name.as_str()).collect();
    for s in &wb.sheets {
        if !names.contains(&s.name.as_str()) {
            names.push(&s.name);
        }
    }
    let mut any = false;
    let mut shown = 0usize;
    for name in names {
        let sa = wa.sheets.iter().find(|s| s.name == name);
        let sb = wb.sheets.iter().find(|s| s.name == name);
        let grid_a = sa.map(|s| grid(&s.rows)).unwrap_or_default();
        let grid_b = sb.map(|s| grid(&s.rows)).unwrap_or_default();
        // A sheet on one side only is diffed against an empty sheet with the same header.
        let (grid_a, grid_b) = match (grid_a.is_empty(), grid_b.is_empty()) {
            (true, true) => continue,
            (true, false) => (grid_b[..1].to_vec(), grid_b),
            (false, true) => (grid_a.clone(), grid_a[..1].to_vec()),
            (false, false) => (grid_a, grid_b),
        };
        let by_row = args.key.is_none() && !(first_column_unique(&grid_a) && first_column_unique(&grid_b));
        let key = match &args.key {
            Some(k) => KeySpec::Columns(k.clone()),
            None if by_row => KeySpec::Columns(vec![ROW_COLUMN.to_string()]),
            None => KeySpec::FirstColumn,
        };
        let ca = grid_csv(&grid_a, by_row)?;
        let cb = grid_csv(&grid_b, by_row)?;
        let d = diff_tables(&ca, &cb, &key).with_context(|| format!("sheet {name}"))?;
        let sheet_note = match (sa, sb) {
            (None, _) => format!("{name} (added)"),
            (_, None) => format!("{name} (removed)"),
            _ => name.to_string(),
        };
        if d.differs() {
            any = true;
            if shown > 0 {
                writeln!(out)?;
            }
            shown += 1;
            print_diff(out, args.format, &a.label, &b.label, Some(&sheet_note), &d)?;
        }
    }
    if !any && !args.quiet {
        writeln!(out, "no differences: {} and {} have the same cells", a.label, b.label)?;
    }
    Ok(any)
}

/// The column added to a sheet keyed by row number.
const ROW_COLUMN: &str = "row";

/// A sheet's rows from its first non-blank row (the header), as text, with the Excel row number of each.
fn grid(rows: &[Vec<reader::Cell>]) -> Vec<(usize, Vec<String>)> {
    let Some(first) = rows.iter().position(|r| r.iter().any(|c| !c.is_blank())) else {
        return Vec::new();
    };
    rows.iter()
        .enumerate()
        .skip(first)
        .filter(|(i, r)| *i == first || r.iter().any(|c| !c.is_blank()))
        .map(|(i, r)| (i + 1, r.iter().map(|c| c.text.clone()).collect()))
        .collect()
}

fn first_column_unique(grid: &[(usize, Vec<String>)]) -> bool {
    let mut seen = crate::hash::HashSet::default();
    grid.iter().skip(1).all(|(_, r)| {
        let v = r.first().map(String::as_str).unwrap_or("");
        !v.is_empty() && seen.insert(v)
    })
}

fn grid_csv(grid: &[(usize, Vec<String>)], with_row: bool) -> Result<Vec<u8>> {
    let width = grid.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for (i, (row, cells)) in grid.iter().enumerate() {
        let mut rec: Vec<String> = Vec::with_capacity(width + 1);
        if with_row {
            rec.push(if i == 0 {
                ROW_COLUMN.to_string()
            } else {
                row.to_string()
            });
        }
        rec.extend((0..width).map(|c| cells.get(c).cloned().unwrap_or_default()));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| anyhow!("{e}"))
}

// ---------------------------------------------------------------------------------------------------------
// Output

fn print_diff(
    out: &mut impl Write,
    format: Format,
    a: &str,
    b: &str,
    sheet: Option<&str>,
    d: &TableDiff,
) -> Result<()> {
    match format {
        Format::Table => print_table(out, a, b, sheet, d),
        Format::Daff => {
            if let Some(s) = sheet {
                writeln!(out, "== sheet {s}")?;
            }
            out.write_all(&daff(d)?)?;
            Ok(())
        }
    }
}

/// The diff in daff's tabular diff format, as CSV.
pub fn daff(d: &TableDiff) -> Result<Vec<u8>> {
    let arrow = arrow_for(d);
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let n = d.columns.len();
    if d.col_state.iter().any(|s| *s != ColState::Common) {
        let mut schema = vec!["!".to_string()];
        schema.extend(d.col_state.iter().map(|s| match s {
            ColState::Common => String::new(),
            ColState::Removed => "---".to_string(),
            ColState::Added => "+++".to_string(),
        }));
        w.write_record(&schema)?;
    }
    let mut header = vec!["@@".to_string()];
    header.extend(d.columns.iter().cloned());
    w.write_record(&header)?;
    for row in &d.rows {
        let mut rec = Vec::with_capacity(n + 1);
        match row.kind {
            RowKind::Skipped(_) => {
                rec.push("...".to_string());
                rec.extend((0..n).map(|_| "...".to_string()));
            }
            RowKind::Added => {
                rec.push("+++".to_string());
                rec.extend(row.cells.iter().map(|(_, v)| v.clone().unwrap_or_default()));
            }
            RowKind::Removed => {
                rec.push("---".to_string());
                rec.extend(row.cells.iter().map(|(v, _)| v.clone().unwrap_or_default()));
            }
            RowKind::Changed => {
                rec.push(arrow.clone());
                rec.extend(row.cells.iter().map(|cell| match cell {
                    (Some(o), Some(n)) if o != n => format!("{o}{arrow}{n}"),
                    (_, Some(v)) | (Some(v), None) => v.clone(),
                    (None, None) => String::new(),
                }));
            }
        }
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| anyhow!("{e}"))
}

/// `->`, lengthened (`-->`, `--->`) until no changed value contains it, as the format asks.
fn arrow_for(d: &TableDiff) -> String {
    let mut arrow = "->".to_string();
    let clash = |arrow: &str| {
        d.rows.iter().filter(|r| r.kind == RowKind::Changed).any(|r| {
            r.cells.iter().any(|(o, n)| {
                o.as_deref().is_some_and(|v| v.contains(arrow)) || n.as_deref().is_some_and(|v| v.contains(arrow))
            })
        })
    };
    while clash(&arrow) {
        arrow.insert(0, '-');
    }
    arrow
}

fn print_table(out: &mut impl Write, a: &str, b: &str, sheet: Option<&str>, d: &TableDiff) -> Result<()> {
    let what = match sheet {
        Some(s) => format!("sheet {s}: "),
        None => String::new(),
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    writeln!(out, "--- {a}")?;
    writeln!(out, "+++ {b}")?;
    writeln!(
        out,
        "{}",
        tr(
            format!(
                "{what}{} added, {} removed, {} changed, {} unchanged row{} (key: {})",
                d.added,
                d.removed,
                d.changed,
                d.unchanged,
                plural(d.unchanged),
                d.key_columns.join("+")
            ),
            format!(
                "{}新增 {} 行, 删除 {} 行, 改动 {} 行, 未变 {} 行 (主键 `{}`)",
                sheet.map(|s| format!("工作表 {s}: ")).unwrap_or_default(),
                d.added,
                d.removed,
                d.changed,
                d.unchanged,
                d.key_columns.join("+")
            ),
        )
    )?;

    let cols = |state: ColState| -> Vec<&str> {
        d.columns
            .iter()
            .zip(&d.col_state)
            .filter(|(_, s)| **s == state)
            .map(|(c, _)| c.as_str())
            .collect()
    };
    let (cols_added, cols_removed) = (cols(ColState::Added), cols(ColState::Removed));
    if !cols_added.is_empty() {
        writeln!(out, "columns added: {}", cols_added.join(", "))?;
    }
    if !cols_removed.is_empty() {
        writeln!(out, "columns removed: {}", cols_removed.join(", "))?;
    }

    let of = |kind: RowKind| d.rows.iter().filter(move |r| r.kind == kind);
    if d.changed > 0 {
        writeln!(out, "\nchanged ({} row{}):", d.changed, plural(d.changed))?;
        let mut table: Vec<Vec<String>> = Vec::new();
        let mut head = d.key_columns.clone();
        head.extend(["column".to_string(), "old → new".to_string()]);
        table.push(head);
        for r in of(RowKind::Changed) {
            let mut first = true;
            for ((col, (o, n)), s) in d.columns.iter().zip(&r.cells).zip(&d.col_state) {
                if *s != ColState::Common || o == n {
                    continue;
                }
                let mut line: Vec<String> = if first {
                    r.key.iter().map(|k| shown(k)).collect()
                } else {
                    vec![String::new(); r.key.len()]
                };
                first = false;
                line.push(col.clone());
                line.push(format!(
                    "{} → {}",
                    shown(o.as_deref().unwrap_or("")),
                    shown(n.as_deref().unwrap_or(""))
                ));
                table.push(line);
            }
        }
        write_aligned(out, &table)?;
    }
    for (kind, label, n, old) in [
        (RowKind::Added, "added", d.added, false),
        (RowKind::Removed, "removed", d.removed, true),
    ] {
        if n == 0 {
            continue;
        }
        writeln!(out, "\n{label} ({n} row{}):", plural(n))?;
        let keep: Vec<usize> = (0..d.columns.len())
            .filter(|&c| match d.col_state[c] {
                ColState::Common => true,
                ColState::Removed => old,
                ColState::Added => !old,
            })
            .collect();
        let mut table = vec![keep.iter().map(|&c| d.columns[c].clone()).collect::<Vec<_>>()];
        for r in of(kind.clone()) {
            table.push(
                keep.iter()
                    .map(|&c| {
                        let (o, n) = &r.cells[c];
                        let v = if old { o } else { n };
                        cell_text(v.as_deref().unwrap_or(""))
                    })
                    .collect(),
            );
        }
        write_aligned(out, &table)?;
    }
    Ok(())
}

/// A value as shown in the changed table: blank as `""`, control characters escaped.
fn shown(v: &str) -> String {
    if v.is_empty() {
        "\"\"".to_string()
    } else {
        cell_text(v)
    }
}

fn cell_text(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// Writes rows as columns padded to the widest cell (wide CJK characters count two), indented by two.
fn write_aligned(out: &mut impl Write, rows: &[Vec<String>]) -> Result<()> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; n];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(display_width(c));
        }
    }
    for r in rows {
        let mut line = String::from("  ");
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                line.push_str(&" ".repeat(widths[i] - display_width(c) + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Columns a string takes on a terminal: East Asian wide and full-width characters take two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
                | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
                | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str, key: &[&str]) -> TableDiff {
        diff_tables(
            a.as_bytes(),
            b.as_bytes(),
            &KeySpec::Columns(key.iter().map(|s| s.to_string()).collect()),
        )
        .unwrap()
    }

    #[test]
    fn rows_are_matched_by_key_not_position() {
        let x = d("id,v\n1,a\n2,b\n3,c\n", "id,v\n3,c\n1,a\n2,b\n", &["id"]);
        assert!(!x.differs());
        assert_eq!(x.unchanged, 3);
    }

    #[test]
    fn added_removed_changed_in_order() {
        let x = d("id,v\n1,a\n2,b\n3,c\n4,d\n", "id,v\n1,a\n3,C\n4,d\n5,e\n", &["id"]);
        assert_eq!((x.added, x.removed, x.changed, x.unchanged), (1, 1, 1, 2));
        let kinds: Vec<RowKind> = x.rows.iter().map(|r| r.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                RowKind::Skipped(1),
                RowKind::Removed,
                RowKind::Changed,
                RowKind::Skipped(1),
                RowKind::Added
            ]
        );
        let daff = String::from_utf8(daff(&x).unwrap()).unwrap();
        assert_eq!(daff, "@@,id,v\n...,...,...\n---,2,b\n->,3,c->C\n...,...,...\n+++,5,e\n");
    }

    #[test]
    fn quoting_does_not_make_a_change_and_duplicates_pair_in_order() {
        let x = d("id,v\n1,\"a\"\n1,b\n", "id,v\n1,a\n1,b\n1,c\n", &["id"]);
        assert_eq!((x.added, x.removed, x.changed), (1, 0, 0));
    }

    #[test]
    fn column_changes_and_long_arrows() {
        let x = d("id,v,w\n1,a->b,x\n", "id,v,z\n1,c,y\n", &["id"]);
        let daff = String::from_utf8(daff(&x).unwrap()).unwrap();
        assert_eq!(daff, "!,,,---,+++\n@@,id,v,w,z\n-->,1,a->b-->c,x,y\n");
    }

    #[test]
    fn a_missing_key_column_is_an_error_that_says_what_to_do() {
        let e = diff_tables(b"a,b\n1,2\n", b"a,b\n1,2\n", &KeySpec::Columns(vec!["id".into()])).unwrap_err();
        assert!(e.to_string().contains("--key"), "{e}");
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("ab"), 2);
        assert_eq!(display_width("东河"), 4);
    }
}
