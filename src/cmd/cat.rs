//! `jiuzhu cat FILE` — a workbook (xlsx/xls/ods) as text, so `git diff` and `git log -p` show which cells
//! changed (jiuzhu registers it as the textconv of the `jiuzhu-xlsx` diff driver), and a CSV file normalised
//! (UTF-8 without BOM, LF endings, minimal quoting).
//!
//! Workbook text: for each sheet `== sheet NAME`, then each non-blank row as `ROW | cell | cell | …` with its row
//! number on Excel's grid (trailing blank cells left out; `|`, `\` and line breaks inside a cell escaped). The
//! same workbook always gives the same text.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};

use crate::cmd::cli::{examples, Ctx};
use crate::i18n::tr;
use crate::sheet::reader::{self, Encoding};
use crate::Outcome;

// `jiuzhu cat FILE`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Print a workbook as text (each sheet, each row with its number), or a CSV file normalised. Git uses it \
to diff workbooks (registered by `jiuzhu init`)",
        "把工作簿以文本输出 (逐个工作表、逐行并带行号), 或把 CSV 文件规范化后输出。Git 用它比较工作簿的差异 \
(由 `jiuzhu init` 注册)",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu cat reports/review-2026-11-20.xlsx\n  \
git diff reports/        # shows changed cells: init set diff.jiuzhu-xlsx.textconv = \"jiuzhu cat\"",
        "示例:\n  jiuzhu cat reports/review-2026-11-20.xlsx\n  \
git diff reports/        # 显示改动的单元格: init 已设置 diff.jiuzhu-xlsx.textconv = \"jiuzhu cat\"",
    ))
)]
pub struct Args {
    #[arg(help = tr("An .xlsx, .xls, .ods or .csv file", ".xlsx、.xls、.ods 或 .csv 文件"))]
    pub file: PathBuf,
}

impl Args {
    /// `cat` only reads.
    pub fn writing_step(&self) -> Option<Option<String>> {
        None
    }
}

/// The command line's entry: the file taken from `-C DIR` as git does.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(&ctx.path(args.file))
}

pub fn run(file: &Path) -> Result<Outcome> {
    let bytes = std::fs::read(file).with_context(|| {
        crate::i18n::tr(
            format!("cannot read {}", file.display()),
            format!("无法读取 {}", file.display()),
        )
    })?;

    let name = file.display().to_string();
    let text = to_text(&name, &bytes)?;
    // A reader that stops early (`jiuzhu cat … | head`) is not an error: `ui::stdout` drops the rest.
    let mut out = crate::ui::stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Outcome::Done)
}

/// The text `jiuzhu cat` prints for a file's bytes (`name` picks the format; unknown extensions are sniffed).
pub fn to_text(name: &str, bytes: &[u8]) -> Result<String> {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let workbook = matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods")
        || (!matches!(ext.as_str(), "csv" | "txt" | "tsv")
            && (bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])));
    if workbook {
        workbook_text(name, bytes)
    } else {
        csv_text(name, bytes)
    }
}

fn workbook_text(name: &str, bytes: &[u8]) -> Result<String> {
    if bytes.is_empty() {
        return Ok(String::new());
    }
    let wb = reader::read_worksheet_bytes(&super::diff::workbook_name(name, bytes), bytes, Encoding::Detect)?;
    let mut out = String::new();
    for sheet in &wb.sheets {
        out.push_str(&format!("== sheet {}\n", sheet.name));
        for (i, row) in sheet.rows.iter().enumerate() {
            let last = match row.iter().rposition(|c| !c.is_blank()) {
                Some(l) => l,
                None => continue,
            };
            out.push_str(&(i + 1).to_string());
            for cell in &row[..=last] {
                out.push_str(" | ");
                out.push_str(&escape(&cell.text));
            }
            out.push('\n');
        }
    }
    Ok(out)
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

fn csv_text(name: &str, bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, errors) = encoding_rs::GB18030.decode(bytes);
            if errors {
                anyhow::bail!("{name} is neither UTF-8 nor GBK/GB18030 text");
            }
            t.into_owned()
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for (i, rec) in rdr.byte_records().enumerate() {
        let rec = rec.map_err(|e| anyhow!("{name} row {}: cannot read CSV: {e}", i + 1))?;
        w.write_byte_record(&rec)?;
    }
    let out = w.into_inner().map_err(|e| anyhow!("{e}"))?;
    Ok(String::from_utf8(out)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_normalised() {
        let t = to_text("x.csv", b"\xEF\xBB\xBFa,\"b\"\r\n1,\"x,y\"\r\n").unwrap();
        assert_eq!(t, "a,b\n1,\"x,y\"\n");
    }

    #[test]
    fn cells_are_escaped() {
        assert_eq!(escape("a|b\nc"), "a\\|b\\nc");
    }
}
