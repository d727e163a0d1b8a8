//! The one table reader: `.xlsx`, `.xls`, `.ods` (calamine) and `.csv` (UTF-8 with or without BOM, or
//! GB18030/GBK), as the spreadsheets clerks receive really are.
//!
//! Reading happens in two stages. [`read_workbook`] turns a file into sheets of [`Cell`]s on the grid Excel
//! shows (row 1 is row 1, whatever the file's used range says), with merged cells expanded to every cell they
//! cover. [`find_header`] then finds the header row by its names, so title rows above it, instruction sheets
//! and extra columns do not matter. What a row *means* (blank, totals, data) is decided by the caller, which
//! reports every skipped row.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use calamine::{Data, DataRef, Dimensions, Reader, Sheets};
use chrono::NaiveDate;

use crate::domain::{date, text};
use crate::i18n::{tr, Msg};
use crate::sheet::fields::HeaderNames;

/// One cell as read: its text (normalised: full-width to half-width, trimmed) and what kind of cell it was.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub text: String,
    /// The file stored a number here (a float cell). ID and account numbers in such cells were mangled by Excel.
    pub number: Option<f64>,
    /// The file stored a date here.
    pub date: Option<NaiveDate>,
    /// The workbook counts dates from 1904 (Mac Excel's date system, `date1904`): a number here taken as a date
    /// serial counts from 1904-01-01 (see [`Cell::as_date`]).
    pub date_1904: bool,
    /// The cell's value cannot be taken as the file shows it. The cell is kept (and is not blank); a step that
    /// reads its column refuses it, naming the cell ([`Flaw::reason`], [`Flaw::fix`]).
    pub flaw: Option<Flaw>,
    /// Reading changed the text as the file holds it: full-width characters made half-width, tabs, no-break or
    /// full-width spaces made plain spaces, spaces around it removed. A step that reads ID or account numbers
    /// says how many it cleaned.
    pub cleaned: bool,
}

/// Why a cell's value cannot be taken as the file shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// A formula whose value the file does not hold: it was saved by a program that writes formulas without
    /// calculating them (a script, a web system's export), so there is no value to read — reading it as blank
    /// or 0 would turn an income of 600.00 into 0.00. The cell's text is empty.
    Uncalculated,
    /// A control character (U+0000 as `_x0000_` in a workbook's XML): not text anyone typed, and not to be
    /// stored in a ledger. The cell's text shows it as `<U+0000>`.
    ControlCharacter,
}

impl Flaw {
    /// What is wrong with the cell, in the run's language.
    pub fn reason(self) -> Msg {
        match self {
            Flaw::Uncalculated => Msg::new(
                "the cell holds a formula whose value was never calculated (the file was saved by a program that \
                 does not calculate formulas): open the file in Excel or WPS and save it, then import it again",
                "该单元格是公式, 但文件中没有计算结果 (文件由不计算公式的程序保存): 请用 Excel 或 WPS 打开文件并保存, \
                 然后重新导入",
            ),
            Flaw::ControlCharacter => Msg::new(
                "the cell holds a control character (shown as <U+…>), which is not text: the program that made \
                 the file left it there; type the cell again in Excel or WPS, save, and import again",
                "该单元格含有控制字符 (显示为 <U+…>), 不是正常文字, 是生成文件的程序留下的; 请在 Excel 或 WPS 中\
                 重新输入该单元格, 保存后重新导入",
            ),
        }
    }

    /// What the clerk does about it.
    pub fn fix(self) -> Msg {
        match self {
            Flaw::Uncalculated => Msg::new(
                "open the file in Excel or WPS and save it (that calculates the formulas), then import it again",
                "用 Excel 或 WPS 打开文件并保存 (保存时会计算公式), 然后重新导入",
            ),
            Flaw::ControlCharacter => Msg::new(
                "type the cell again in Excel or WPS (delete it first), save, and import again",
                "在 Excel 或 WPS 中删除并重新输入该单元格, 保存后重新导入",
            ),
        }
    }
}

impl Cell {
    /// A text cell, normalised. A control character left in it (not a tab or line break, which normalising
    /// makes spaces) is no text anyone typed — `_x0000_` in a workbook's XML, bytes of a binary file: the cell
    /// is [`Flaw::ControlCharacter`], its text showing each one as `<U+0000>`.
    pub fn text(s: &str) -> Cell {
        let (text, control) = text::normalized_with_control(s);
        let cleaned = matches!(text, std::borrow::Cow::Owned(_));
        if !control {
            return Cell {
                text: text.into_owned(),
                cleaned,
                ..Cell::default()
            };
        }
        let mut shown = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c.is_control() {
                shown.push_str(&format!("<U+{:04X}>", c as u32));
            } else {
                shown.push(c);
            }
        }
        Cell {
            text: shown,
            flaw: Some(Flaw::ControlCharacter),
            ..Cell::default()
        }
    }

    /// No text and nothing wrong: a flawed cell is not blank, though its text may be empty.
    pub fn is_blank(&self) -> bool {
        self.text.is_empty() && self.flaw.is_none()
    }

    /// The cell as a date: the date the file stored, a number as an Excel date serial (in the workbook's date
    /// system), or the text as a date spelling.
    pub fn as_date(&self) -> Result<NaiveDate, date::DateError> {
        match (self.date, self.number) {
            (Some(d), _) => Ok(d),
            (None, Some(n)) => serial_date(n, self.date_1904),
            (None, None) => date::parse_date(&self.text),
        }
    }
}

/// An Excel date serial as a date, in the 1904 date system or the 1900 one.
fn serial_date(serial: f64, date_1904: bool) -> Result<NaiveDate, date::DateError> {
    if date_1904 {
        date::from_excel_serial_1904(serial)
    } else {
        date::from_excel_serial(serial)
    }
}

/// One sheet on Excel's grid: `rows[0]` is row 1.
#[derive(Debug, Clone)]
pub struct RawSheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    /// Hidden in the workbook (hidden or "very hidden"): often an old copy kept out of sight, so a step looks at
    /// the visible sheets first ([`Workbook::sheets_visible_first`]) and says so when it reads a hidden one.
    pub hidden: bool,
    /// Rows hidden on the sheet (Excel's 隐藏, or filtered out), as 0-based half-open ranges in order: clerks hide
    /// withdrawn applications rather than delete them, so a step says which rows it read that no one sees on
    /// screen. Known for .xlsx and .ods; empty for .xls and CSV.
    pub hidden_rows: Vec<(u32, u32)>,
}

impl RawSheet {
    /// A visible sheet.
    pub fn new(name: String, rows: Vec<Vec<Cell>>) -> RawSheet {
        RawSheet {
            name,
            rows,
            hidden: false,
            hidden_rows: Vec::new(),
        }
    }

    /// Whether row `r` (0-based) is hidden on the sheet.
    pub fn row_hidden(&self, r: usize) -> bool {
        let r = r as u64;
        let i = self.hidden_rows.partition_point(|&(_, end)| u64::from(end) <= r);
        self.hidden_rows.get(i).is_some_and(|&(start, _)| u64::from(start) <= r)
    }
}

/// A whole file's sheets.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// The file name as given (for messages and rejects).
    pub file: String,
    pub sheets: Vec<RawSheet>,
    /// How the file was read when its name says another format than its content (it is read by its content).
    pub read_as: Option<String>,
}

impl Workbook {
    /// The sheets a step looks through for its table: the visible ones in the workbook's order, then the hidden
    /// ones. A hidden sheet is read only when no visible one has the table.
    pub fn sheets_visible_first(&self) -> impl Iterator<Item = &RawSheet> {
        let (visible, hidden): (Vec<&RawSheet>, Vec<&RawSheet>) = self.sheets.iter().partition(|s| !s.hidden);
        visible.into_iter().chain(hidden)
    }
}

/// How to read a CSV file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 when the bytes are valid UTF-8 (BOM or not), else GB18030 (a superset of GBK and GB2312).
    Detect,
    Utf8,
    Gb18030,
}

impl Encoding {
    pub fn parse(s: &str) -> Result<Encoding> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "auto" | "detect" => Ok(Encoding::Detect),
            "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Ok(Encoding::Gb18030),
            _ => bail!(
                "{}",
                tr(
                    format!("unknown encoding `{s}`: use utf-8, gbk or gb18030 (or leave it out to detect)"),
                    format!("不认识的编码 `{s}`: 请用 utf-8、gbk 或 gb18030 (或不写, 由 jiuzhu 自动识别)"),
                )
            ),
        }
    }
}

/// Reads a spreadsheet or CSV file into sheets. A file that cannot be read at all is an error that says why
/// and what to do.
pub fn read_workbook(path: &Path, encoding: Encoding) -> Result<Workbook> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .with_context(|| crate::i18n::tr(format!("cannot read {file}"), format!("无法读取 {file}")))?;
    read_workbook_bytes(&file, &bytes, encoding)
}

/// As [`read_workbook`], from bytes already read; `file` names the file (its extension picks the format).
pub fn read_workbook_bytes(file: &str, bytes: &[u8], encoding: Encoding) -> Result<Workbook> {
    check_input_size(file, bytes.len() as u64)?;
    read_any_workbook_bytes(file, bytes, encoding)
}

/// As [`read_workbook_bytes`], for a workbook jiuzhu wrote itself and reads back — a round-trip worksheet a
/// person filled in, or a report shown by `cat`/`diff` — up to [`MAX_WORKSHEET_BYTES`] instead of the inputs'
/// [`MAX_INPUT_BYTES`]: a province's review-meeting worksheet runs to 150 MB.
pub fn read_worksheet_bytes(file: &str, bytes: &[u8], encoding: Encoding) -> Result<Workbook> {
    read_worksheet_bytes_within(file, bytes, encoding, MAX_WORKSHEET_BYTES)
}

fn read_worksheet_bytes_within(file: &str, bytes: &[u8], encoding: Encoding, max: u64) -> Result<Workbook> {
    check_size(
        file,
        bytes.len() as u64,
        max,
        (
            "jiuzhu reads back workbooks up to {max} MiB: is it the file jiuzhu wrote?",
            "jiuzhu 只读回不超过 {max} 兆字节的工作簿: 这是 jiuzhu 写出的那个文件吗?",
        ),
    )?;
    read_any_workbook_bytes(file, bytes, encoding)
}

fn read_any_workbook_bytes(file: &str, bytes: &[u8], encoding: Encoding) -> Result<Workbook> {
    if bytes.is_empty() {
        return Err(empty_file(file));
    }
    let ext = extension(file);
    let workbook_ext = matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods");
    // A file is read by what it holds: a workbook exported as `.xls` that is really an xlsx (or the other way
    // round), an xlsx saved as `.csv`, a CSV renamed `.xlsx` are all read; only where the content does not
    // say (text) does the name decide.
    let content = content_of(bytes);
    let mut read_as = None;
    let sheets = match content {
        Content::Zip | Content::Cfb => {
            let format = match content {
                Content::Zip => zip_format(file, bytes, &ext)?,
                _ => "xls",
            };
            let named = if ext == "xlsm" { "xlsx" } else { ext.as_str() };
            if !ext.is_empty() && named != format {
                read_as = Some(tr(
                    format!("{file} is named .{ext} but is an .{format} workbook: read as the .{format} it is"),
                    format!("{file} 的扩展名是 .{ext}, 内容却是 .{format} 工作簿: 已按 .{format} 读取"),
                ));
            }
            read_spreadsheet_guarded(file, format, bytes)?
        }
        Content::Html => bail!(
            "{}",
            tr(
                format!(
                    "{file} is a web page (HTML), not a workbook, though its name says otherwise — what many web \
                     systems export as .xls: open it in Excel or WPS, save it as an Excel workbook (.xlsx), and \
                     import that"
                ),
                format!(
                    "{file} 是网页 (HTML), 不是工作簿 (许多网上系统这样导出 .xls): 请用 Excel 或 WPS 打开, \
                     另存为 Excel 工作簿 (.xlsx) 后导入"
                )
            )
        ),
        Content::XmlSpreadsheet => bail!(
            "{}",
            tr(
                format!(
                    "{file} is an Excel 2003 XML spreadsheet, which jiuzhu does not read: open it in Excel or \
                     WPS, save it as an Excel workbook (.xlsx), and import that"
                ),
                format!(
                    "{file} 是 Excel 2003 XML 表格, jiuzhu 不读取这种格式: 请用 Excel 或 WPS 打开, 另存为 Excel \
                     工作簿 (.xlsx) 后导入"
                )
            )
        ),
        Content::Pdf => bail!(
            "{}",
            tr(
                format!(
                    "{file} is a PDF document, not a spreadsheet: ask for the register as a workbook (.xlsx) or \
                     CSV file"
                ),
                format!("{file} 是 PDF 文档, 不是表格: 请索取工作簿 (.xlsx) 或 CSV 格式的登记表")
            )
        ),
        Content::Other if is_csv(file) => vec![read_csv(file, bytes, encoding)?],
        // Named a workbook, holding text: a CSV file renamed.
        Content::Other if workbook_ext => {
            let sheet = read_csv(file, bytes, encoding).map_err(|e| {
                anyhow!(
                    "{}",
                    tr(
                        format!(
                            "{file} cannot be read as a .{ext} workbook: it holds neither a workbook nor text ({e}); \
                             open it in Excel/WPS and save it again as .xlsx"
                        ),
                        format!(
                            "{file} 无法按 .{ext} 工作簿读取: 其中既不是工作簿也不是文本; 请用 Excel 或 WPS 打开, \
                             另存为 .xlsx 后重试"
                        ),
                    )
                )
            })?;
            read_as = Some(tr(
                format!("{file} is named .{ext} but holds text, not a workbook: read as CSV text"),
                format!("{file} 的扩展名是 .{ext}, 内容却是文本而不是工作簿: 已按 CSV 文本读取"),
            ));
            vec![sheet]
        }
        Content::Other => {
            bail!(
                "{}",
                crate::i18n::tr(
                    format!("{file}: unsupported file type `.{ext}`; jiuzhu reads .xlsx, .xls, .ods and .csv"),
                    format!("{file}: 不支持的文件类型 `.{ext}`; jiuzhu 读取 .xlsx、.xls、.ods 和 .csv")
                )
            )
        }
    };
    Ok(Workbook {
        file: file.to_string(),
        sheets,
        read_as,
    })
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// A zip archive: an xlsx or an ods workbook (or neither).
    Zip,
    /// An OLE2 compound file: an .xls workbook, or an encrypted xlsx.
    Cfb,
    /// A web page.
    Html,
    /// Excel 2003's XML spreadsheet format.
    XmlSpreadsheet,
    Pdf,
    /// Text, or nothing known: the name decides.
    Other,
}

fn content_of(bytes: &[u8]) -> Content {
    let bytes = &bytes[..bytes.len().min(HEAD_BYTES)];
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Content::Zip;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Content::Cfb;
    }
    if bytes.starts_with(b"%PDF-") {
        return Content::Pdf;
    }
    // Markup: its start, after a byte-order mark and white space, in any case.
    let start = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let start = &start[start
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(start.len())..];
    if start.first() == Some(&b'<') {
        let head = String::from_utf8_lossy(start).to_ascii_lowercase();
        if head.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Content::XmlSpreadsheet;
        }
        if ["<html", "<!doctype html", "<table", "<meta", "<head", "<body"]
            .iter()
            .any(|t| head.contains(t))
        {
            return Content::Html;
        }
    }
    Content::Other
}

/// The workbook format of a zip archive, by the parts it holds: `xl/workbook.xml` makes an xlsx, `content.xml`
/// (or an OpenDocument spreadsheet's mimetype) an ods. An archive that cannot be opened is read as its name
/// says (or as an xlsx), for the parser to say what is wrong with it.
fn zip_format(file: &str, bytes: &[u8], ext: &str) -> Result<&'static str> {
    let by_name = if ext == "ods" { "ods" } else { "xlsx" };
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(by_name);
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    if names.iter().any(|n| n.starts_with("xl/")) {
        Ok("xlsx")
    } else if names.iter().any(|n| n == "content.xml" || n == "mimetype") {
        Ok("ods")
    } else if matches!(ext, "xlsx" | "xlsm" | "ods") {
        Ok(by_name)
    } else {
        bail!(
            "{}",
            tr(
                format!(
                    "{file} is a zip archive, not a workbook (it holds no xl/workbook.xml or content.xml): unpack it \
                     and import the register inside, or export the register again"
                ),
                format!("{file} 是 zip 压缩包, 不是工作簿: 请解压后导入其中的登记表, 或重新导出")
            )
        )
    }
}

/// An input file as a step read it: named for messages, hashed, and kept in `inbox/` as it was read
/// (`workspace::keep_input`) — from memory for a workbook, which is read whole, and copied from `path` when the
/// step commits for a CSV file, which is streamed whatever its size.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The path as the user gave it (for messages).
    pub shown: String,
    /// The file name only.
    pub name: String,
    /// Where the file is.
    pub path: std::path::PathBuf,
    /// The SHA-256 (hex) of the whole file.
    pub sha256: String,
    /// The file's bytes, for a file read whole (a workbook); `None` for a CSV file read as a stream.
    pub bytes: Option<Vec<u8>>,
}

/// Reads an input file a person handed in (a register, visit sheets, a worksheet filled in): a CSV file (by its
/// name, and its first bytes not saying otherwise, [`is_csv_content`]) is read as a stream
/// ([`crate::sheet::stream`]) whatever its size, as a province's register or a month of visit sheets may be,
/// and not held whole; any other file is read whole by its content, up to [`MAX_INPUT_BYTES`] (a workbook's
/// XML is held whole to be read). The rows are the same either way.
pub fn read_input_file(path: &Path, encoding: Encoding) -> Result<(InputFile, Workbook)> {
    let shown = path.display().to_string();
    let cannot = || tr(format!("cannot read {shown}"), format!("无法读取 {shown}"));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("input").to_string();
    let mut head = Vec::with_capacity(HEAD_BYTES);
    {
        use std::io::Read;
        std::fs::File::open(path)
            .and_then(|f| f.take(HEAD_BYTES as u64).read_to_end(&mut head))
            .with_context(cannot)?;
    }
    if !head.is_empty() && is_csv_content(&shown, &head) {
        let (rows, sha256) = crate::sheet::stream::read_csv(path, &shown, encoding, |records| {
            let mut rows = Vec::new();
            let mut rec = csv::StringRecord::new();
            while records.next(&mut rec)? {
                rows.push(rec.iter().map(Cell::text).collect::<Vec<_>>());
            }
            Ok(rows)
        })?;
        let wb = Workbook {
            file: shown.clone(),
            sheets: vec![RawSheet::new(csv_sheet_name(&shown), rows)],
            read_as: None,
        };
        let input = InputFile {
            shown,
            name,
            path: path.to_path_buf(),
            sha256,
            bytes: None,
        };
        return Ok((input, wb));
    }
    if let Ok(meta) = std::fs::metadata(path) {
        if is_csv(&shown) {
            // Named .csv, but its first bytes say a workbook (or not text): the advice to save as CSV would not help.
            check_size(
                &shown,
                meta.len(),
                MAX_INPUT_BYTES,
                (
                    "it is named .csv but is not CSV text (a workbook, by its first bytes); jiuzhu reads workbooks up \
                     to {max} MiB: open it in Excel or WPS and save it as CSV (UTF-8), which is read whatever its size",
                    "它的扩展名是 .csv, 内容却不是 CSV 文本 (按开头的字节看是工作簿); jiuzhu 读取的工作簿不能超过 {max} \
                     兆字节: 请用 Excel 或 WPS 打开, 另存为 CSV (UTF-8), CSV 文件不限大小",
                ),
            )?;
        } else {
            check_input_size(&shown, meta.len())?;
        }
    }
    let bytes = std::fs::read(path).with_context(cannot)?;
    let sha256 = crate::domain::digest::sha256_hex(&bytes);
    let wb = read_workbook_bytes(&shown, &bytes, encoding)?;
    let input = InputFile {
        shown,
        name,
        path: path.to_path_buf(),
        sha256,
        bytes: Some(bytes),
    };
    Ok((input, wb))
}

/// Whether a file is read as CSV text: its name says so (`.csv`, `.txt`) and its first bytes (`head`, e.g.
/// [`HEAD_BYTES`] of them) do not say it is something else — a workbook, a web page. [`crate::sheet::stream`]
/// reads these without holding them; any other file is read whole, by its content.
pub fn is_csv_content(file: &str, head: &[u8]) -> bool {
    is_csv(file) && content_of(head) == Content::Other
}

/// True for a file read as CSV text, by its extension (`.csv`, `.txt`); [`crate::sheet::stream`] reads these
/// without holding them.
pub fn is_csv(file: &str) -> bool {
    matches!(extension(file).as_str(), "csv" | "txt")
}

fn extension(file: &str) -> String {
    Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The largest workbook a person hands in that jiuzhu reads (50 MiB): several hundred thousand register rows. A
/// workbook is read whole (its XML held to be read), so without a bound a 2 GB export (or a wrong file) would
/// exhaust memory. A CSV file has no bound: it is read as a stream ([`read_input_file`]).
pub const MAX_INPUT_BYTES: u64 = 50 << 20;

/// The largest workbook jiuzhu reads back that it wrote itself (1 GiB): a review-meeting worksheet of a
/// million proposals is about 150 MB.
pub const MAX_WORKSHEET_BYTES: u64 = 1 << 30;

/// The longest cell text: Excel's own limit (32,767 characters). A longer CSV cell is damage — a quote that
/// swallowed rows, or a file that is not a register — not data.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Refuses a workbook over [`MAX_INPUT_BYTES`] (call before reading it when the size is known).
pub fn check_input_size(file: &str, len: u64) -> Result<()> {
    check_size(
        file,
        len,
        MAX_INPUT_BYTES,
        (
            "jiuzhu reads workbooks up to {max} MiB: save the register as CSV (read whatever its size), or split \
             it (e.g. by township) and import the parts",
            "jiuzhu 读取的工作簿不能超过 {max} 兆字节: 请把登记表另存为 CSV (CSV 文件不限大小), 或拆分 (如按乡镇) \
             后分别导入",
        ),
    )
}

/// Refuses a file of `len` bytes over `max`, saying its size and `advice` (English, Chinese; `{max}` put in,
/// in MiB).
fn check_size(file: &str, len: u64, max: u64, (en, zh): (&str, &str)) -> Result<()> {
    if len > max {
        let tenths = (len * 10) >> 20;
        let size = format!("{}.{}", tenths / 10, tenths % 10);
        let max = (max >> 20).to_string();
        bail!(
            "{}",
            tr(
                format!("{file} is {size} MiB; {}", en.replace("{max}", &max)),
                format!("{file} 有 {size} 兆字节; {}", zh.replace("{max}", &max)),
            )
        );
    }
    Ok(())
}

/// The UTF-8 byte-order mark, dropped from the start of a CSV file whatever its encoding.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

fn decode(file: &str, bytes: &[u8], encoding: Encoding) -> Result<String> {
    // A UTF-16 byte-order mark says what the file is, whatever was asked (Excel's "Unicode text" is UTF-16 LE
    // with one); GB18030's decoder follows it (encoding_rs sniffs byte-order marks).
    let encoding = if has_utf16_bom(bytes) {
        Encoding::Gb18030
    } else {
        encoding
    };
    let head = bytes;
    let (bytes, had_bom) = match bytes.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let utf8 = || {
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| not_utf8(file, e.valid_up_to() as u64))
    };
    match encoding {
        Encoding::Utf8 => utf8(),
        Encoding::Detect if had_bom => utf8(),
        Encoding::Detect if std::str::from_utf8(bytes).is_ok() => utf8(),
        Encoding::Detect | Encoding::Gb18030 => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(not_text(file, head));
            }
            Ok(text.into_owned())
        }
    }
}

// The ways a CSV file cannot be read, said the same whether it is read whole or streamed (`sheet::stream`).

pub(crate) fn empty_file(file: &str) -> anyhow::Error {
    anyhow!(
        "{}",
        crate::i18n::tr(
            format!("{file} is empty (0 bytes): export the register again"),
            format!("{file} 是空文件 (0 字节): 请重新导出")
        )
    )
}

/// `valid_up_to`: the bytes (after a BOM) before the first that is not UTF-8.
pub(crate) fn not_utf8(file: &str, valid_up_to: u64) -> anyhow::Error {
    anyhow!(
        "{}",
        tr(
            format!("{file} is not valid UTF-8 (byte {valid_up_to}); if it was saved as GBK, give --encoding gbk"),
            format!("{file} 不是有效的 UTF-8 文本 (第 {valid_up_to} 字节); 如果是按 GBK 保存的, 请加 --encoding gbk"),
        )
    )
}

/// `head`: the file's first bytes, to tell UTF-16 text without a byte-order mark.
pub(crate) fn not_text(file: &str, head: &[u8]) -> anyhow::Error {
    match utf16_without_bom(head) {
        Some(utf16) => utf16_message(file, utf16),
        None => anyhow!(
            "{}",
            tr(
                format!("{file} is neither UTF-8 nor GBK/GB18030 text: save it as CSV (UTF-8) and try again"),
                format!("{file} 既不是 UTF-8 也不是 GBK/GB18030 文本: 请另存为 CSV (UTF-8) 后重试"),
            )
        ),
    }
}

/// `head`: the file's first bytes, to tell UTF-16 text without a byte-order mark.
pub(crate) fn has_nul(file: &str, head: &[u8]) -> anyhow::Error {
    match utf16_without_bom(head) {
        Some(utf16) => utf16_message(file, utf16),
        None => anyhow!(
            "{}",
            tr(
                format!("{file} contains NUL bytes: it is not a CSV text file (was a spreadsheet renamed to .csv?)"),
                format!("{file} 含有 NUL 字节, 不是 CSV 文本文件 (是不是把表格文件改名成了 .csv?)"),
            )
        ),
    }
}

fn utf16_message(file: &str, utf16: &str) -> anyhow::Error {
    anyhow!(
        "{}",
        tr(
            format!(
                "{file} is {utf16} text without a byte-order mark (BOM), which cannot be told from other text for \
                 sure: save it again as CSV UTF-8 (Excel/WPS: 另存为 → CSV UTF-8 (逗号分隔)) and try again"
            ),
            format!(
                "{file} 是没有字节顺序标记 (BOM) 的 {utf16} 文本, 无法可靠识别: 请重新另存为 CSV UTF-8 \
                 (Excel/WPS: 另存为 → CSV UTF-8 (逗号分隔)) 后再试"
            )
        )
    )
}

/// The first bytes of a file that tell what it is ([`content_of`], [`utf16_without_bom`]).
pub(crate) const HEAD_BYTES: usize = 4096;

/// Whether the bytes start with a UTF-16 byte-order mark (LE `FF FE` or BE `FE FF`).
pub(crate) fn has_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

/// "UTF-16 LE" or "UTF-16 BE" when a file's first bytes look like UTF-16 text without a byte-order mark: the
/// ASCII characters every register has (digits, commas, line breaks) are a byte beside a zero byte, always on
/// the same side of the pair.
pub(crate) fn utf16_without_bom(head: &[u8]) -> Option<&'static str> {
    let (mut le, mut be, mut pairs) = (0usize, 0usize, 0usize);
    for p in head.chunks_exact(2).take(256) {
        pairs += 1;
        match (p[0], p[1]) {
            (0, 0) => {}
            (_, 0) => le += 1,
            (0, _) => be += 1,
            _ => {}
        }
    }
    // A quarter of the pairs at least (a header's commas, the digits of ID numbers): a stray NUL in other text
    // is one pair in hundreds.
    if pairs < 16 {
        None
    } else if le * 4 >= pairs && le >= 8 * be {
        Some("UTF-16 LE")
    } else if be * 4 >= pairs && be >= 8 * le {
        Some("UTF-16 BE")
    } else {
        None
    }
}

/// `row` is 1-based, `col` 0-based; `sheet` names a workbook's sheet (a CSV file has one).
pub(crate) fn cell_too_long(file: &str, sheet: Option<&str>, row: usize, col: usize, chars: usize) -> anyhow::Error {
    let sheet = sheet.map(|s| format!(" sheet `{s}`")).unwrap_or_default();
    anyhow!(
        "{file}{sheet} row {row} column {}: a cell of {chars} characters (a spreadsheet cell holds at most \
         {MAX_CELL_CHARS}); the file is damaged or not a register",
        column_letter(col)
    )
}

/// The length in characters of a cell's text longer than a spreadsheet cell can hold ([`MAX_CELL_CHARS`]).
fn overlong(s: &str) -> Option<usize> {
    if s.len() <= MAX_CELL_CHARS {
        return None;
    }
    Some(s.chars().count()).filter(|&n| n > MAX_CELL_CHARS)
}

/// A text cell, refused (its length in characters) when longer than a spreadsheet cell can hold: checked
/// before the text is copied or normalised, so a damaged file's gigabyte cell costs no more than its reading.
fn text_cell(s: &str) -> std::result::Result<Cell, usize> {
    match overlong(s) {
        Some(chars) => Err(chars),
        None => Ok(Cell::text(s)),
    }
}

/// The first cell of a CSV record longer than [`MAX_CELL_CHARS`], with its length in characters.
pub(crate) fn overlong_cell(rec: &csv::StringRecord) -> Option<(usize, usize)> {
    rec.iter()
        .position(|f| f.len() > MAX_CELL_CHARS && f.chars().count() > MAX_CELL_CHARS)
        .map(|c| (c, rec[c].chars().count()))
}

/// The check that the last record of a CSV text (`last`: from its start to the end of the text) does not open a
/// quote it never closes; `rows` is the number of records.
pub(crate) fn check_last_record(file: &str, last: &str, rows: usize, delimiter: u8) -> Result<()> {
    // A quote opened and never closed makes the rest of the file one cell: the rows after it would vanish
    // without a trace. Only the last record can end inside quotes.
    // (The csv reader may place a record's start on the `\n` of the previous CRLF.)
    let last = last.trim_start_matches(['\r', '\n']);
    if let Some(col) = unclosed_quote(last, delimiter) {
        let col = column_letter(col);
        bail!(
            "{}",
            tr(
                format!(
                    "{file} row {rows} column {col}: a quote (\") opens a cell that is never closed, so every row \
                     after it would be read as part of that one cell; remove or close the quote and export again"
                ),
                format!(
                    "{file} 第 {rows} 行 {col} 列: 有一个引号 (\") 开始的单元格没有结束, 其后的每一行都会被读成这一个\
                     单元格的内容; 请删去或补全这个引号后重新导出"
                ),
            )
        );
    }
    Ok(())
}

/// The name a CSV file's one sheet gets: the file's stem.
pub(crate) fn csv_sheet_name(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("csv")
        .to_string()
}

fn read_csv(file: &str, bytes: &[u8], encoding: Encoding) -> Result<RawSheet> {
    let text = decode(file, bytes, encoding)?;
    if text.contains('\0') {
        return Err(has_nul(file, bytes));
    }
    let delimiter = sniff_delimiter(text.as_bytes());
    let mut rdr = csv_reader(delimiter, text.as_bytes());
    let mut rows = Vec::new();
    let mut last_start = 0;
    let mut rec = csv::StringRecord::new();
    for i in 0.. {
        // One record, reused for every row.
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => bail!("{file} row {}: cannot read CSV: {e}", i + 1),
        }
        last_start = rec.position().map_or(0, |p| p.byte() as usize);
        if let Some((c, chars)) = overlong_cell(&rec) {
            return Err(cell_too_long(file, None, i + 1, c, chars));
        }
        rows.push(rec.iter().map(Cell::text).collect());
    }
    check_last_record(file, text.get(last_start..).unwrap_or(""), rows.len(), delimiter)?;
    Ok(RawSheet::new(csv_sheet_name(file), rows))
}

/// The csv reader of a CSV file's text, as the whole-file reader and the stream read it.
pub(crate) fn csv_reader<R: std::io::Read>(delimiter: u8, text: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text)
}

/// The delimiters a CSV file may use: the comma; the tab (Excel's "Unicode text" and many `.txt` exports); the
/// semicolon (Excel where a comma is the decimal separator).
const DELIMITERS: [u8; 3] = [b',', b'\t', b';'];

/// The start of a CSV file's text its delimiter is told from.
pub(crate) const SNIFF_BYTES: usize = 64 << 10;

/// The delimiter of a CSV file, told from the start of its text (at most [`SNIFF_BYTES`] of it): the one of
/// [`DELIMITERS`] that separates the most cells on one of the first [`HEADER_SEARCH_ROWS`] lines — a register's
/// header line names all its columns — comma first on a tie (so a file with none is comma-separated). A
/// delimiter inside a quoted cell does not count.
pub(crate) fn sniff_delimiter(text: &[u8]) -> u8 {
    let text = &text[..text.len().min(SNIFF_BYTES)];
    let mut best = (0, b',');
    for d in DELIMITERS {
        let most = most_cells_on_a_line(text, d);
        if most > best.0 {
            best = (most, d);
        }
    }
    best.1
}

/// The most delimiters `d` outside quotes on one of the first [`HEADER_SEARCH_ROWS`] lines of `text`.
fn most_cells_on_a_line(text: &[u8], d: u8) -> usize {
    let (mut most, mut on_line, mut lines) = (0, 0, 0);
    let (mut quoted, mut at_start) = (false, true);
    let mut bytes = text.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        match b {
            b'"' if at_start => quoted = true,
            b'\r' | b'\n' => {
                if b == b'\r' && bytes.peek() == Some(&b'\n') {
                    bytes.next();
                }
                most = most.max(on_line);
                on_line = 0;
                lines += 1;
                if lines == HEADER_SEARCH_ROWS {
                    return most;
                }
            }
            _ if b == d => on_line += 1,
            _ => {}
        }
        at_start = b == d || b == b'\r' || b == b'\n';
    }
    most.max(on_line)
}

/// The 0-based column of a quoted cell in one CSV record (`rec`: its text to the end of the file) whose quote
/// is never closed, as the csv reader parses it (a quote opens a cell only at the cell's start; `""` inside
/// is a quote).
fn unclosed_quote(rec: &str, delimiter: u8) -> Option<usize> {
    let delimiter = char::from(delimiter);
    let (mut col, mut at_start, mut quoted) = (0, true, false);
    let mut chars = rec.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        match c {
            '"' if at_start => quoted = true,
            _ if c == delimiter => col += 1,
            '\r' | '\n' => return None,
            _ => {}
        }
        at_start = c == delimiter;
    }
    quoted.then_some(col)
}

/// Whether a compound file holds an `EncryptionInfo` stream (its name in UTF-16, as the directory writes it): an
/// xlsx encrypted with a password (ECMA-376).
fn holds_encryption_info(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(name.len()).any(|w| w == name.as_slice())
}

/// Damaged files must give an error, never a crash: a panic inside the spreadsheet parser (on input its authors
/// did not foresee) is turned into the same "cannot be read" error as any other damage.
fn read_spreadsheet_guarded(file: &str, ext: &str, bytes: &[u8]) -> Result<Vec<RawSheet>> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_spreadsheet(file, ext, bytes)));
    std::panic::set_hook(previous);
    match result {
        Ok(r) => r,
        Err(_) => {
            bail!(
                "{}",
                tr(
                    format!(
                        "{file} is damaged and cannot be read as a .{ext} workbook; open it in Excel/WPS and save it \
                         again"
                    ),
                    format!("{file} 已损坏, 无法按 .{ext} 工作簿读取; 请用 Excel 或 WPS 打开后重新保存"),
                )
            )
        }
    }
}

/// A sheet of a workbook that opened whose cells cannot be read.
fn sheet_unreadable(file: &str, name: &str, e: &dyn std::fmt::Display) -> anyhow::Error {
    anyhow!(
        "{}",
        tr(
            format!("{file} sheet `{name}` cannot be read ({e})"),
            format!("{file} 工作表「{name}」无法读取 (文件已损坏); 请用 Excel 或 WPS 打开, 另存为 .xlsx 后重试"),
        )
    )
}

fn read_spreadsheet(file: &str, ext: &str, bytes: &[u8]) -> Result<Vec<RawSheet>> {
    let protected = || {
        anyhow!(
            "{}",
            tr(
                format!(
                    "{file} is password-protected (encrypted): open it in Excel/WPS, remove the password (File → \
                     Info → Protect Workbook → Encrypt with Password → clear it), save, and try again"
                ),
                format!(
                    "{file} 设有打开密码 (已加密): 请用 Excel 或 WPS 打开, 取消密码 (文件 → 信息 → 保护工作簿 → \
                     用密码进行加密 → 清空), 保存后重试"
                ),
            )
        )
    };
    let unreadable = |e: &dyn std::fmt::Display| {
        // The library's words for the damage help whoever looks into it; they are English, so a Chinese clerk
        // gets the sentence without them.
        anyhow!(
            "{}",
            tr(
                format!(
                    "{file} cannot be read as a .{ext} workbook ({e}); open it in Excel/WPS and save it again as .xlsx"
                ),
                format!(
                    "{file} 无法按 .{ext} 工作簿读取 (文件已损坏或不完整); 请用 Excel 或 WPS 打开, 另存为 .xlsx 后重试"
                ),
            )
        )
    };
    let is_cfb = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if ext == "xls" && !xls_dimensions_plausible(bytes) {
        return Err(unreadable(&"a sheet declares more cells than an .xls can hold"));
    }
    if ext != "xls" {
        refuse_huge_text_runs(file, bytes)?;
    }
    let cursor = Cursor::new(bytes);
    let mut book: Sheets<Cursor<&[u8]>> = match ext {
        "xls" => Sheets::Xls(calamine::Xls::new(cursor).map_err(|e| match e {
            calamine::XlsError::Password => protected(),
            // An encrypted xlsx is a compound file too, holding the encrypted workbook beside its key.
            _ if is_cfb && holds_encryption_info(bytes) => protected(),
            e => unreadable(&e),
        })?),
        "ods" => Sheets::Ods(calamine::Ods::new(cursor).map_err(|e| match e {
            calamine::OdsError::Password => protected(),
            e => unreadable(&e),
        })?),
        _ => Sheets::Xlsx(calamine::Xlsx::new(cursor).map_err(|e| match e {
            calamine::XlsxError::Password => protected(),
            _ if is_cfb => protected(),
            e => unreadable(&e),
        })?),
    };
    let names = book.sheet_names();
    let hidden: Vec<bool> = book
        .sheets_metadata()
        .iter()
        .map(|m| m.visible != calamine::SheetVisible::Visible)
        .collect();
    let is_hidden = |i: usize| hidden.get(i).copied().unwrap_or(false);
    // Mac Excel's workbooks may count dates from 1904; calamine says so, but hands date cells over as serials.
    let date_1904 = match &book {
        Sheets::Xlsx(x) => x.has_1904_epoch(),
        Sheets::Xls(x) => x.has_1904_epoch(),
        _ => false,
    };
    // calamine does not expose ODS merges; they are read from content.xml here. Optional: on any problem the
    // covered cells stay blank, which the fill-down rule for household fields handles like a CSV export.
    let mut ods_sheets: BTreeMap<String, OdsSheet> = if ext == "ods" {
        ods_file_sheets(bytes)
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect()
    } else {
        BTreeMap::new()
    };
    // xlsx: calamine finds a sheet's merges by parsing the whole sheet once more, so a second reader of the
    // same bytes looks for them on the other core while the cells are read.
    if let Sheets::Xlsx(x) = &mut book {
        let full_calc_on_load = xlsx_full_calc_on_load(bytes);
        let ((mut merges, mut hidden_rows), sheets) = rayon::join(
            || (xlsx_merges(bytes, &names), xlsx_hidden_rows(bytes, &names)),
            || -> Result<Vec<RawSheet>> {
                let mut out = Vec::new();
                for (i, name) in names.iter().enumerate() {
                    let rows = xlsx_rows(x, name, date_1904, full_calc_on_load).map_err(|e| match e {
                        SheetFault::Xlsx(e) => sheet_unreadable(file, name, &e),
                        SheetFault::Overlong((r, c, chars)) => cell_too_long(file, Some(name), r + 1, c, chars),
                    })?;
                    out.push(RawSheet {
                        name: name.clone(),
                        rows,
                        hidden: is_hidden(i),
                        hidden_rows: Vec::new(),
                    });
                }
                Ok(out)
            },
        );
        let mut sheets = sheets?;
        for (sheet, merges) in sheets.iter_mut().zip(merges.iter_mut()) {
            for m in merges.drain(..) {
                expand_merge(&mut sheet.rows, &m);
            }
        }
        for (sheet, hidden) in sheets.iter_mut().zip(hidden_rows.iter_mut()) {
            sheet.hidden_rows = std::mem::take(hidden);
        }
        return Ok(sheets);
    }
    let mut out = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let ods = ods_sheets.remove(&name);
        let hidden_rows = ods.as_ref().map(|o| o.hidden_rows.clone()).unwrap_or_default();
        let merges: Vec<Dimensions> = match &mut book {
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Sheets::Ods(_) => ods.map(|o| o.merges).unwrap_or_default(),
            _ => Vec::new(),
        };
        let cannot = |e: &dyn std::fmt::Display| sheet_unreadable(file, &name, e);
        let mut rows = rows_of(&book.worksheet_range(&name).map_err(|e| cannot(&e))?, |d| {
            cell_of(d, date_1904)
        })
        .map_err(|(r, c, chars)| cell_too_long(file, Some(&name), r + 1, c, chars))?;
        for m in merges {
            expand_merge(&mut rows, &m);
        }
        out.push(RawSheet {
            name,
            rows,
            hidden: is_hidden(i),
            hidden_rows,
        });
    }
    Ok(out)
}

/// The longest run of text between two XML tags a workbook part may hold: no cell comes near it (32,767
/// characters are at most 128 KiB of UTF-8, 320 KiB written as character references).
const MAX_XML_TEXT_RUN: u64 = 1 << 20;

/// How much an XML part must shrink in the zip for [`refuse_huge_text_runs`] to look through it: parts as
/// Excel, WPS and LibreOffice write them shrink 2–10 times, a cell of repeated characters a thousand times.
const SUSPICIOUS_COMPRESSION: u64 = 20;

/// Refuses a zipped workbook (xlsx, ods) a part of which holds a run of text longer than any cell can be, before
/// the spreadsheet parser reads it: a damaged or made-up file whose gigabyte cell the parser would hold whole
/// (twice over, with the second reader of merges), then copy into the message quoting it. Only parts that
/// shrink suspiciously in the zip are looked through, streaming (their size counted, nothing kept): a normal
/// register is not read twice. A cell over [`MAX_CELL_CHARS`] that gets past this is refused cell by cell.
fn refuse_huge_text_runs(file: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Read;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let (size, packed) = (part.size(), part.compressed_size());
        if !name.ends_with(".xml") || size <= MAX_XML_TEXT_RUN || size < packed.saturating_mul(SUSPICIOUS_COMPRESSION) {
            continue;
        }
        let mut buf = vec![0u8; 1 << 16];
        let mut run = 0u64;
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                run = if b == b'<' || b == b'>' { 0 } else { run + 1 };
                if run > MAX_XML_TEXT_RUN {
                    bail!(
                        "{file}: its part {name} holds a text of more than {} MiB, a cell no spreadsheet can hold (a \
                         cell holds at most {MAX_CELL_CHARS} characters); the file is damaged or not a register",
                        MAX_XML_TEXT_RUN >> 20
                    );
                }
            }
        }
    }
    Ok(())
}

/// Whether an xlsx workbook asks to have every formula calculated when it is opened (`<calcPr
/// fullCalcOnLoad="1"/>` in `xl/workbook.xml`): what programs that write formulas without calculating them
/// (XlsxWriter, rust_xlsxwriter, openpyxl) set, since the values they store are not results. Excel and WPS
/// calculate on saving and do not leave it set. False when the part cannot be read.
fn xlsx_full_calc_on_load(bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let Ok(part) = zip.by_name("xl/workbook.xml") else {
        return false;
    };
    let mut xml = Vec::new();
    if part.take(16 << 20).read_to_end(&mut xml).is_err() {
        return false;
    }
    let xml = String::from_utf8_lossy(&xml);
    let Some(at) = xml.find("calcPr") else {
        return false;
    };
    let tag = &xml[at..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    [
        "fullCalcOnLoad=\"1\"",
        "fullCalcOnLoad=\"true\"",
        "fullCalcOnLoad='1'",
        "fullCalcOnLoad='true'",
    ]
    .iter()
    .any(|a| tag.contains(a))
}

/// The merged regions of each named sheet of an xlsx file, in the order named; a sheet whose merges cannot be
/// read has none (the covered cells stay blank, which the fill-down rule handles like a CSV export).
fn xlsx_merges(bytes: &[u8], names: &[String]) -> Vec<Vec<Dimensions>> {
    match calamine::Xlsx::new(Cursor::new(bytes)) {
        Ok(mut x) => names
            .iter()
            .map(|n| x.merge_cells_by_sheet_name(n).unwrap_or_default())
            .collect(),
        Err(_) => vec![Vec::new(); names.len()],
    }
}

/// The hidden rows of each named sheet of an xlsx file (`<row r="N" hidden="1">`, as Excel and WPS write a row
/// hidden by hand or by a filter), in the order named, as 0-based half-open ranges; a sheet whose part cannot be
/// found or read has none (the rows are read all the same; only the note about them is lost).
fn xlsx_hidden_rows(bytes: &[u8], names: &[String]) -> Vec<Vec<(u32, u32)>> {
    let none = || vec![Vec::new(); names.len()];
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return none();
    };
    let parts = xlsx_sheet_parts(&mut zip);
    names
        .iter()
        .map(|n| {
            let Some(path) = parts.iter().find(|(name, _)| name == n).map(|(_, p)| p.clone()) else {
                return Vec::new();
            };
            match zip.by_name(&path) {
                Ok(part) => hidden_row_tags(part),
                Err(_) => Vec::new(),
            }
        })
        .collect()
}

/// Each sheet's name and the path of its part in an xlsx zip, from `xl/workbook.xml` and its relationships.
fn xlsx_sheet_parts(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut read = |name: &str| -> Option<Vec<u8>> {
        let part = zip.by_name(name).ok()?;
        let mut xml = Vec::new();
        part.take(64 << 20).read_to_end(&mut xml).ok()?;
        Some(xml)
    };
    let (Some(workbook), Some(rels)) = (read("xl/workbook.xml"), read("xl/_rels/workbook.xml.rels")) else {
        return Vec::new();
    };
    // Every start or empty tag named `local` (any prefix), with its attributes by local name.
    fn tags(xml: &[u8], local: &str) -> Vec<BTreeMap<String, String>> {
        let mut reader = quick_xml::Reader::from_reader(xml);
        let mut out = Vec::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == local => {
                    let attrs = e
                        .attributes()
                        .flatten()
                        .filter_map(|a| {
                            let v = quick_xml::escape::unescape(&a.value).ok()?.into_owned();
                            Some((a.key.local_name().as_ref().to_string(), v))
                        })
                        .collect();
                    out.push(attrs);
                }
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
        out
    }
    let targets: BTreeMap<String, String> = tags(&rels, "Relationship")
        .into_iter()
        .filter_map(|mut a| Some((a.remove("Id")?, a.remove("Target")?)))
        .collect();
    tags(&workbook, "sheet")
        .into_iter()
        .filter_map(|mut a| {
            let name = a.remove("name")?;
            let target = targets.get(&a.remove("id")?)?;
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{target}"),
            };
            Some((name, path))
        })
        .collect()
}

/// The rows a worksheet part marks hidden, streamed: each `<row …>` tag is looked at, nothing else parsed.
fn hidden_row_tags(mut part: impl std::io::Read) -> Vec<(u32, u32)> {
    let finder = memchr::memmem::Finder::new(b"<row");
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match part.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut keep = buf.len().saturating_sub(4);
        let mut at = 0;
        while let Some(p) = finder.find(&buf[at..]) {
            let start = at + p;
            let Some(len) = memchr::memchr(b'>', &buf[start..]) else {
                keep = start;
                break;
            };
            let tag = &buf[start..start + len];
            at = start + len;
            keep = at;
            // `<row ` (not `<rowBreaks`), hidden, with its number.
            if !tag.get(4).is_some_and(u8::is_ascii_whitespace) {
                continue;
            }
            let text = String::from_utf8_lossy(tag);
            let attr = |key: &str| -> Option<String> {
                let i = text.find(&format!(" {key}=\""))? + key.len() + 3;
                let rest = &text[i..];
                Some(rest[..rest.find('"')?].to_string())
            };
            if !matches!(attr("hidden").as_deref(), Some("1" | "true")) {
                continue;
            }
            let Some(r) = attr("r").and_then(|r| r.parse::<u32>().ok()).filter(|&r| r >= 1) else {
                continue;
            };
            match out.last_mut() {
                Some(last) if last.1 == r - 1 => last.1 = r,
                _ => out.push((r - 1, r)),
            }
        }
        buf.drain(..keep.min(buf.len()));
    }
    out
}

/// Why an xlsx sheet's cells could not be read.
enum SheetFault {
    Xlsx(calamine::XlsxError),
    Overlong(Overlong),
}

/// An xlsx sheet's cells on Excel's grid, as [`rows_of`] lays out a range, streamed from the sheet's XML
/// without the intermediate range: shared strings are borrowed, not copied once per cell before the copy a
/// `Cell` makes. A chart sheet has no cells.
///
/// A formula cell is read by the value the file holds for it. One without a value, or — in a workbook marked
/// for calculation on opening (`full_calc_on_load`: its formulas' values were never calculated) — with the 0 a
/// program that does not calculate writes in its place, is [`Flaw::Uncalculated`].
fn xlsx_rows<R: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<R>,
    name: &str,
    date_1904: bool,
    full_calc_on_load: bool,
) -> std::result::Result<Vec<Vec<Cell>>, SheetFault> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(SheetFault::Xlsx(e)),
    };
    // The sheet's declared size (when it has one) sizes the rows up front, instead of each row growing cell by
    // cell; only a hint, bounded so that a false claim costs little.
    let declared = reader.dimensions();
    let width = (declared.end.1 as usize + 1).clamp(1, 64);
    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity((declared.end.0 as usize + 1).min(1 << 20));
    while let Some(c) = reader.next_cell_with_formula_metadata().map_err(SheetFault::Xlsx)? {
        let uncalculated = c.formula.is_some()
            && match &c.value {
                DataRef::Empty => true,
                // The placeholder a program that does not calculate writes, when it marks the workbook for
                // calculation on opening (XlsxWriter, rust_xlsxwriter): not a result.
                DataRef::Int(0) => full_calc_on_load,
                DataRef::Float(v) => full_calc_on_load && *v == 0.0,
                DataRef::DateTime(d) => full_calc_on_load && d.as_f64() == 0.0,
                _ => false,
            };
        if !uncalculated && matches!(c.value, DataRef::Empty) {
            continue;
        }
        let (r, col) = (c.pos.0 as usize, c.pos.1 as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.capacity() == 0 {
            row.reserve_exact(width.max(col + 1));
        }
        if row.len() <= col {
            row.resize_with(col + 1, Cell::default);
        }
        row[col] = if uncalculated {
            Cell {
                flaw: Some(Flaw::Uncalculated),
                ..Cell::default()
            }
        } else {
            cell_of_ref(&c.value, date_1904).map_err(|chars| SheetFault::Overlong((r, col, chars)))?
        };
    }
    for row in &mut rows {
        trim_trailing_blank(row);
    }
    Ok(rows)
}

/// Bounds for ODS merge discovery: the sheet grid (as calamine caps it), the merges kept per file, and the
/// size of content.xml read for them.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;
const ODS_MAX_MERGES: usize = 100_000;
const ODS_MAX_CONTENT_XML: u64 = 256 * 1024 * 1024;

/// What an .ods file's content.xml says of a sheet beyond its cells: merged regions and hidden rows.
#[derive(Debug, Default)]
struct OdsSheet {
    name: String,
    merges: Vec<Dimensions>,
    /// 0-based half-open ranges of rows with `table:visibility` `collapse` (hidden) or `filter` (filtered out).
    hidden_rows: Vec<(u32, u32)>,
}

/// The merged regions and hidden rows of an .ods file's sheets; empty when they cannot be read (never an error,
/// never a panic: this step is optional).
fn ods_file_sheets(bytes: &[u8]) -> Vec<OdsSheet> {
    let read = || -> Option<Vec<u8>> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let file = zip.by_name("content.xml").ok()?;
        if file.size() > ODS_MAX_CONTENT_XML {
            return None;
        }
        let mut xml = Vec::new();
        file.take(ODS_MAX_CONTENT_XML).read_to_end(&mut xml).ok()?;
        Some(xml)
    };
    std::panic::catch_unwind(|| read().and_then(|xml| parse_ods_sheets(&xml).ok()))
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// The merged regions in an ODS `content.xml`, per `table:table` (by its `table:name`, the sheet name calamine
/// reports), as 0-based absolute (row, column) corners like calamine's xlsx merges. A merge is a
/// `table:table-cell` with `table:number-columns-spanned` / `table:number-rows-spanned` above 1; positions
/// follow `table:number-columns-repeated` (cells and covered cells) and `table:number-rows-repeated` (rows,
/// counted, never materialised). Rows and columns are counted as calamine counts them (so self-closing rows
/// count too). Merges in a repeated row are repeated with it (within [`ODS_MAX_MERGES`]); merges starting
/// outside the sheet grid are dropped and ends are clipped to it. Malformed XML gives no merges at all.
pub fn ods_merged_regions(content_xml: &[u8]) -> Vec<(String, Vec<Dimensions>)> {
    parse_ods_sheets(content_xml)
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.name, s.merges))
        .collect()
}

fn parse_ods_sheets(xml: &[u8]) -> Result<Vec<OdsSheet>> {
    use quick_xml::events::{BytesStart, Event};

    fn attr(e: &BytesStart<'_>, key: &str) -> Result<Option<String>> {
        match e.try_get_attribute(key)? {
            Some(a) => Ok(Some(quick_xml::escape::unescape(&a.value)?.into_owned())),
            None => Ok(None),
        }
    }
    fn count(e: &BytesStart<'_>, key: &str) -> Result<u64> {
        match attr(e, key)? {
            Some(v) => Ok(v.trim().parse::<u64>()?.max(1)),
            None => Ok(1),
        }
    }
    let clip = |v: u64, max: u64| v.min(max - 1) as u32;

    let mut reader = quick_xml::Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.trim_text(false);
    config.expand_empty_elements = true;

    let mut out: Vec<OdsSheet> = Vec::new();
    let mut total = 0usize;
    // The sheet being read, its next row, and the row being read: its first column, repeat count and
    // where its merges start in the sheet's list.
    let mut sheet: Option<OdsSheet> = None;
    let mut row = 0u64;
    let mut in_row: Option<(u64, u64, usize)> = None;
    // Whether the row being read is hidden or filtered out.
    let mut row_hidden = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.name().as_ref() {
                "table:table" => match (&sheet, attr(&e, "table:name")?) {
                    (None, Some(name)) => {
                        sheet = Some(OdsSheet {
                            name,
                            ..OdsSheet::default()
                        });
                        row = 0;
                        in_row = None;
                    }
                    // Unnamed (calamine skips it too) or nested outside a cell: not a sheet.
                    _ => {
                        reader.read_to_end(e.name())?;
                    }
                },
                "table:table-row" => {
                    if let Some(s) = &sheet {
                        in_row = Some((0, count(&e, "table:number-rows-repeated")?, s.merges.len()));
                        row_hidden = matches!(attr(&e, "table:visibility")?.as_deref(), Some("collapse" | "filter"));
                    }
                }
                name @ ("table:table-cell" | "table:covered-table-cell") => {
                    if let (Some(OdsSheet { merges, .. }), Some((col, _, _))) = (&mut sheet, &mut in_row) {
                        let repeated = count(&e, "table:number-columns-repeated")?;
                        if name == "table:table-cell" {
                            let cols = count(&e, "table:number-columns-spanned")?;
                            let rows = count(&e, "table:number-rows-spanned")?;
                            if (cols > 1 || rows > 1)
                                && row < ODS_MAX_ROWS
                                && *col < ODS_MAX_COLUMNS
                                && total < ODS_MAX_MERGES
                            {
                                // A repeated spanning cell: only its first copy is taken as a merge.
                                merges.push(Dimensions {
                                    start: (row as u32, *col as u32),
                                    end: (
                                        clip(row.saturating_add(rows - 1), ODS_MAX_ROWS),
                                        clip(col.saturating_add(cols - 1), ODS_MAX_COLUMNS),
                                    ),
                                });
                                total += 1;
                            }
                        }
                        *col = col.saturating_add(repeated);
                    }
                    // Skip the cell's content (text, annotations, even a nested table).
                    reader.read_to_end(e.name())?;
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    if let (
                        Some(OdsSheet {
                            merges, hidden_rows, ..
                        }),
                        Some((_, repeated, first)),
                    ) = (&mut sheet, in_row.take())
                    {
                        if row_hidden && row < ODS_MAX_ROWS {
                            let end = row.saturating_add(repeated).min(ODS_MAX_ROWS) as u32;
                            match hidden_rows.last_mut() {
                                Some(last) if u64::from(last.1) == row => last.1 = end,
                                _ => hidden_rows.push((row as u32, end)),
                            }
                        }
                        let own = merges.len().saturating_sub(first);
                        if own > 0 {
                            for k in 1..repeated {
                                let r = row.saturating_add(k);
                                if r >= ODS_MAX_ROWS || total.saturating_add(own) > ODS_MAX_MERGES {
                                    break;
                                }
                                for i in first..first + own {
                                    let Some(m) = merges.get(i).copied() else {
                                        break;
                                    };
                                    merges.push(Dimensions {
                                        start: (r as u32, m.start.1),
                                        end: (clip(u64::from(m.end.0).saturating_add(k), ODS_MAX_ROWS), m.end.1),
                                    });
                                }
                                total += own;
                            }
                        }
                        row = row.saturating_add(repeated);
                    }
                }
                "table:table" => {
                    if let Some(done) = sheet.take() {
                        out.push(done);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// calamine reserves memory for the cell count an .xls sheet declares in its DIMENSIONS record before it reads a
/// cell, so a damaged file declaring billions of cells would abort the process (a failed allocation cannot be
/// caught like a panic). Excel 97–2003 sheets hold at most 65 536 rows × 256 columns: a BIFF8 DIMENSIONS record
/// (type 0x0200, length 14) declaring more, or an end before its start, means a damaged file.
/// The scan is over the raw bytes (records may cross sectors, so it can only refuse, never prove a file sound).
fn xls_dimensions_plausible(bytes: &[u8]) -> bool {
    let u16_at = |w: &[u8], i: usize| u16::from_le_bytes([w[i], w[i + 1]]) as u32;
    let u32_at = |w: &[u8], i: usize| u32::from_le_bytes([w[i], w[i + 1], w[i + 2], w[i + 3]]);
    bytes.windows(18).all(|w| match w[..4] {
        [0x00, 0x02, 0x0E, 0x00] => {
            let (r0, r1, c0, c1) = (u32_at(w, 4), u32_at(w, 8), u16_at(w, 12), u16_at(w, 14));
            r0 <= r1 && r1 <= 65_536 && c0 <= c1 && c1 <= 256
        }
        _ => true,
    })
}

fn trim_trailing_blank(cells: &mut Vec<Cell>) {
    while cells.last().is_some_and(Cell::is_blank) {
        cells.pop();
    }
}

/// Copies a merged region's top-left cell into every cell it covers (bounded: a stray whole-column merge
/// in a template does not make the sheet a million rows long).
fn expand_merge(rows: &mut [Vec<Cell>], m: &Dimensions) {
    let (r0, c0) = (m.start.0 as usize, m.start.1 as usize);
    let (r1, c1) = (m.end.0 as usize, m.end.1 as usize);
    let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
        return;
    };
    if value.is_blank() {
        return;
    }
    let last_row = r1.min(rows.len().saturating_sub(1));
    let c1 = c1.min(c0 + 256);
    for row in rows.iter_mut().take(last_row + 1).skip(r0) {
        if row.len() <= c1 {
            row.resize(c1 + 1, Cell::default());
        }
        for cell in row.iter_mut().take(c1 + 1).skip(c0) {
            if cell.is_blank() {
                *cell = value.clone();
            }
        }
    }
}

/// The rows of a sheet as `Cell`s, placed at their sheet positions (rows and columns before the used range blank),
/// trailing blank cells trimmed.
/// A cell too long to be one ([`overlong`]): the 0-based row and column, and its length in characters.
type Overlong = (usize, usize, usize);

fn rows_of<T: calamine::CellType>(
    range: &calamine::Range<T>,
    cell: impl Fn(&T) -> std::result::Result<Cell, usize>,
) -> std::result::Result<Vec<Vec<Cell>>, Overlong> {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    if let Some((r0, c0)) = range.start() {
        for (i, row) in range.rows().enumerate() {
            let r = r0 as usize + i;
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            let mut cells = vec![Cell::default(); c0 as usize];
            for (j, d) in row.iter().enumerate() {
                cells.push(cell(d).map_err(|chars| (r, c0 as usize + j, chars))?);
            }
            trim_trailing_blank(&mut cells);
            rows[r] = cells;
        }
    }
    Ok(rows)
}

/// As [`cell_of`], for a cell whose shared string is borrowed from the workbook.
fn cell_of_ref(d: &DataRef<'_>, date_1904: bool) -> std::result::Result<Cell, usize> {
    match d {
        DataRef::SharedString(s) => text_cell(s),
        DataRef::String(s) => text_cell(s),
        other => cell_of(&Data::from(other.clone()), date_1904),
    }
}

/// How a calamine cell reads as text. Numbers keep their exact decimal spelling (shortest round-trip form,
/// no exponent), so `850.5` is "850.5" and a mangled ID stays recognisable as one. `date_1904`: the workbook
/// counts dates from 1904 (calamine hands date cells over as serials, whatever the system).
fn cell_of(d: &Data, date_1904: bool) -> std::result::Result<Cell, usize> {
    let number = |n: f64, text: String| Cell {
        text,
        number: Some(n),
        date_1904,
        ..Cell::default()
    };
    if let Data::String(s) = d {
        return text_cell(s);
    }
    Ok(match d {
        Data::Empty | Data::String(_) => Cell::default(),
        Data::Int(i) => number(*i as f64, i.to_string()),
        Data::Float(f) => number(*f, number_text(*f)),
        Data::Bool(b) => Cell::text(if *b { "是" } else { "否" }),
        Data::DateTime(dt) => match serial_date(dt.as_f64(), date_1904) {
            Ok(d) => Cell {
                text: date::format_date(d),
                date: Some(d),
                ..Cell::default()
            },
            Err(_) => number(dt.as_f64(), number_text(dt.as_f64())),
        },
        Data::DateTimeIso(s) => {
            let day = s.get(..10).unwrap_or(s);
            match date::parse_date(day) {
                Ok(d) => Cell {
                    text: date::format_date(d),
                    date: Some(d),
                    ..Cell::default()
                },
                Err(_) => Cell::text(s),
            }
        }
        Data::DurationIso(s) => Cell::text(s),
        Data::Error(e) => Cell::text(&format!("#{e:?}")),
    })
}

/// A float as text: integers without `.0`, others in their shortest exact form.
pub fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A file a step reads as one table: its bytes as read (kept in `inbox/`), its name for provenance, its SHA-256
/// for the journal, and the first sheet whose header names the columns the step needs.
#[derive(Debug, Clone)]
pub struct TableFile {
    /// The path as the user gave it (for messages).
    pub shown: String,
    /// The file name only.
    pub name: String,
    pub sha256: String,
    /// The file as read, to keep in `inbox/`.
    pub input: InputFile,
    pub sheet: RawSheet,
    pub header: Header,
    /// What the clerk should be told about how the file was read, though nothing is wrong with it: a name that
    /// says another format ([`Workbook::read_as`]), a hidden sheet read.
    pub notes: Vec<String>,
    /// The header's columns the step does not read ([`Header::unused_columns`]).
    pub unused: Vec<UnusedColumn>,
}

/// What a step says when the table it reads is on a hidden sheet (no visible sheet had it).
pub fn hidden_sheet_note(file: &str, sheet: &str) -> String {
    tr(
        format!(
            "{file}: sheet `{sheet}` was read, and it is hidden in the workbook (no visible sheet has the table); \
             check it is the one meant (unhide it: right-click a sheet tab → Unhide)"
        ),
        format!(
            "{file}: 读取的工作表「{sheet}」在工作簿中是隐藏的 (没有可见的工作表含有该表); 请确认它就是要读取的表 \
             (取消隐藏: 右键单击工作表标签 → 取消隐藏)"
        ),
    )
}

/// Reads a file and finds its table: the first sheet whose header has every `required` field and one of `any_of`.
/// `Ok(Err(misses))` when no sheet has such a header (one line per sheet, saying what it lacked), so the caller can
/// say what kind of file it expected. `reads` is every field the step reads (the required among them): the other
/// columns are listed in [`TableFile::unused`].
pub fn read_table_file(
    path: &Path,
    encoding: Encoding,
    names: &HeaderNames,
    (required, any_of): (&[&'static str], &[&'static str]),
    reads: &[&'static str],
) -> Result<std::result::Result<TableFile, Vec<String>>> {
    let (input, mut wb) = read_input_file(path, encoding)?;
    let shown = input.shown.clone();
    wb.sheets.sort_by_key(|s| s.hidden);
    let mut misses = Vec::new();
    let mut notes: Vec<String> = wb.read_as.into_iter().collect();
    for sheet in wb.sheets {
        match find_header(&sheet, names, required, any_of)? {
            Ok(header) => {
                refuse_flawed_cells(&shown, &sheet, header.row + 1, Some(&header))?;
                if sheet
                    .rows
                    .iter()
                    .skip(header.row + 1)
                    .all(|r| r.iter().all(Cell::is_blank))
                {
                    bail!(
                        "{}",
                        tr(
                            format!(
                                "{shown} has no data rows: its header (sheet `{}` row {}) has nothing under it; is it \
                                 the right file, or was the export cut short?",
                                sheet.name,
                                header.row + 1
                            ),
                            format!(
                                "{shown} 没有数据行: 表头 (工作表「{}」第 {} 行) 下面没有内容; 是否选错了文件, 或者导出不完整?",
                                sheet.name,
                                header.row + 1
                            )
                        )
                    );
                }
                if sheet.hidden {
                    notes.push(hidden_sheet_note(&shown, &sheet.name));
                }
                let unused = header.unused_columns(&sheet.name, reads, names);
                return Ok(Ok(TableFile {
                    shown,
                    name: input.name.clone(),
                    sha256: input.sha256.clone(),
                    input,
                    sheet,
                    header,
                    notes,
                    unused,
                }));
            }
            Err(miss) => misses.push(miss.to_string()),
        }
    }
    Ok(Err(misses))
}

/// Refuses a table with a cell that cannot be taken as the file shows it ([`Flaw`]), naming the first: for a
/// step that reads a table whole (visits, follow-ups, registries, worksheets handed back), where a file saved
/// by a program that does not calculate is not to be read in part. The sheet's rows from index `from` on are
/// looked at; with a `header`, only the columns it maps.
pub fn refuse_flawed_cells(file: &str, sheet: &RawSheet, from: usize, header: Option<&Header>) -> Result<()> {
    for (i, row) in sheet.rows.iter().enumerate().skip(from) {
        for (c, cell) in row.iter().enumerate() {
            let Some(flaw) = cell.flaw else { continue };
            if header.is_some_and(|h| !h.columns.values().any(|&m| m == c)) {
                continue;
            }
            let (name, r, col) = (&sheet.name, i + 1, column_letter(c));
            bail!(
                "{}",
                tr(
                    format!("{file} sheet `{name}` row {r} column {col}: {}", flaw.reason().en),
                    format!("{file} 工作表「{name}」第 {r} 行 {col} 列: {}", flaw.reason().zh)
                )
            );
        }
    }
    Ok(())
}

/// Where a sheet's header is and which column holds which field.
#[derive(Debug, Clone)]
pub struct Header {
    /// Index into `RawSheet::rows` (Excel row = index + 1).
    pub row: usize,
    /// Field key → column index.
    pub columns: BTreeMap<&'static str, usize>,
    /// The header row's cell texts, to recognise the header repeated further down (a page break in a print-out).
    pub texts: Vec<String>,
}

impl Header {
    pub fn get<'a>(&self, row: &'a [Cell], field: &str) -> Option<&'a Cell> {
        self.columns.get(field).and_then(|&c| row.get(c))
    }

    /// The cell's text, or "" when the column is absent or the cell blank.
    pub fn text<'a>(&self, row: &'a [Cell], field: &str) -> &'a str {
        self.get(row, field).map(|c| c.text.as_str()).unwrap_or("")
    }

    /// The columns with a header text that the step does not read: those naming no field, and those naming a
    /// field not in `used`. Each says which of the `used` fields it looks like, when it is a near miss of one
    /// that no column of this header gives.
    pub fn unused_columns(&self, sheet: &str, used: &[&'static str], names: &HeaderNames) -> Vec<UnusedColumn> {
        let read: std::collections::BTreeSet<usize> = self
            .columns
            .iter()
            .filter(|(f, _)| used.contains(f))
            .map(|(_, &c)| c)
            .collect();
        let missing: Vec<&'static str> = used.iter().copied().filter(|f| !self.columns.contains_key(f)).collect();
        self.texts
            .iter()
            .enumerate()
            .filter(|(c, t)| !t.trim().is_empty() && !read.contains(c))
            // A merged title cell repeats its text across columns: one of them is read.
            .filter(|(c, t)| {
                !read
                    .iter()
                    .any(|&r| self.texts.get(r) == Some(t) && is_merged_twin_texts(&self.texts, r, *c))
            })
            .map(|(c, t)| UnusedColumn {
                sheet: sheet.to_string(),
                row: self.row as u32 + 1,
                column: c,
                header: t.clone(),
                looks_like: if names.field_of(t).is_some() {
                    None
                } else {
                    names.near_miss(t, &missing)
                },
            })
            .collect()
    }
}

fn is_merged_twin_texts(texts: &[String], a: usize, b: usize) -> bool {
    let (a, b) = (a.min(b), a.max(b));
    (a..=b).all(|c| texts.get(c) == texts.get(a))
}

/// A column of a table's header that the step reading it did not use: every column is read or listed
/// (`未使用的列`), so a clerk sees at once when a column they meant was passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedColumn {
    pub sheet: String,
    /// The header's row (Excel's number, 1-based).
    pub row: u32,
    /// 0-based column index ([`column_letter`] names it).
    pub column: usize,
    /// The header text as written.
    pub header: String,
    /// The field the header looks like and that no other column gives: a near miss of a known name
    /// ([`HeaderNames::near_miss`]). The step should not pass it over silently.
    pub looks_like: Option<&'static str>,
}

impl UnusedColumn {
    /// What to tell the clerk about a near miss: which field the column looks like and how to map it. `None`
    /// for a column that looks like no field the step reads.
    /// `columns_key` is where the policy maps headers for this table (`columns`, `registries.deaths.columns`).
    pub fn near_miss_message(&self, file: &str, columns_key: &str) -> Option<Msg> {
        let f = crate::sheet::fields::field(self.looks_like?)?;
        let (col, h, label, key) = (column_letter(self.column), &self.header, f.label_zh, f.key);
        Some(Msg::new(
            format!(
                "{file} sheet `{}` column {col} `{h}` was not used, but looks like {label}: rename the header to \
                 {label}, or add `{key}: [{h}]` under `{columns_key}:` in jiuzhu.yaml, and run it again",
                self.sheet
            ),
            format!(
                "{file} 工作表「{}」{col} 列「{h}」未使用, 但看起来像「{label}」: 请把表头改为「{label}」, 或在 \
                 jiuzhu.yaml 的 `{columns_key}:` 下加上 `{key}: [{h}]`, 然后重新运行",
                self.sheet
            ),
        ))
    }
}

/// What a step tells the clerk about the columns of a file it did not use: the summary line (`未使用的列: 备注,
/// 联系人`; naming the file when the run read several) and a warning for each near miss, in the run's language.
/// The count of near misses comes back with the lines: a step with one needs a person (exit 1).
pub fn unused_lines(file: &str, name_file: bool, cols: &[UnusedColumn], columns_key: &str) -> (Vec<String>, usize) {
    if cols.is_empty() {
        return (Vec::new(), 0);
    }
    let list = unused_headers(cols);
    let mut lines = vec![if name_file {
        tr(
            format!("columns not used in {file}: {list}"),
            format!("{file} 未使用的列: {list}"),
        )
    } else {
        format!("{}: {list}", tr("columns not used", "未使用的列"))
    }];
    let mut near = 0;
    for m in cols.iter().filter_map(|u| u.near_miss_message(file, columns_key)) {
        near += 1;
        lines.push(format!("{} {m}", tr("warning:", "注意:")));
    }
    (lines, near)
}

/// Why no row of a file is taken when one of its columns is a near miss of a field the step reads: the rows
/// would be taken with that field blank (an income of 0, a visit's level lost, a protected case not marked), and
/// a row once taken is not taken again when the clerk maps the column. The column's header, the reason and what
/// to do, or `None` when the file has no near miss.
pub fn near_miss_hold(file: &str, cols: &[UnusedColumn], columns_key: &str) -> Option<(String, Msg, Msg)> {
    let u = cols.iter().find(|u| u.looks_like.is_some())?;
    let fix = u.near_miss_message(file, columns_key)?;
    let like = u
        .looks_like
        .and_then(crate::sheet::fields::field)
        .map_or("", |f| f.label_zh);
    let header = &u.header;
    let reason = Msg::new(
        format!("column `{header}` looks like {like} but was not read: no row is taken until it is, lest its {like} be lost"),
        format!("「{header}」列看起来像「{like}」但未被读取: 在读取该列之前不接收任何行, 以免丢失{like}"),
    );
    Some((header.clone(), reason, fix))
}

/// The header texts of unused columns, each once, for a summary line (`未使用的列: 备注, 联系人`).
pub fn unused_headers(unused: &[UnusedColumn]) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let list: Vec<&str> = unused
        .iter()
        .filter(|u| seen.insert(u.header.as_str()))
        .map(|u| u.header.as_str())
        .collect();
    list.join(", ")
}

/// The header rows jiuzhu looks through before giving up (title and note rows above the header).
pub const HEADER_SEARCH_ROWS: usize = 30;

/// The cells of the closest row a [`HeaderMiss`] quotes.
const HEADER_MISS_CELLS: usize = 30;

/// Why no header was found: what was expected and the best candidate row's cells.
#[derive(Debug, Clone)]
pub struct HeaderMiss {
    pub sheet: String,
    pub missing: Vec<&'static str>,
    pub best_row: Option<(usize, Vec<String>)>,
}

impl std::fmt::Display for HeaderMiss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let labels: Vec<&str> = self
            .missing
            .iter()
            .map(|k| crate::sheet::fields::field(k).map(|f| f.label_zh).unwrap_or(k))
            .collect();
        let labels = labels.join("、");
        write!(
            f,
            "{}",
            tr(
                format!("sheet `{}`: no header row with the columns {labels}", self.sheet),
                format!("工作表「{}」: 没有含 {labels} 这些列的表头行", self.sheet),
            )
        )?;
        match &self.best_row {
            Some((row, cells)) => {
                // At most a few cells, each cut short, an ID, account or phone number masked (the row may be
                // data: a CSV without its header): a message names what was found, it does not copy it.
                let mut shown = String::new();
                for (i, c) in cells.iter().take(HEADER_MISS_CELLS).enumerate() {
                    let sep = if i == 0 { "" } else { " | " };
                    shown.push_str(&format!("{sep}{}", text::excerpt(&crate::domain::mask::cell(c))));
                }
                let more = cells.len().saturating_sub(HEADER_MISS_CELLS);
                if more > 0 {
                    shown.push_str(&tr(format!(" | … {more} more"), format!(" | … 另有 {more} 列")));
                }
                let row = row + 1;
                write!(
                    f,
                    "{}",
                    tr(
                        format!(" (closest: row {row} has {shown})"),
                        format!(" (最接近的是第 {row} 行: {shown})")
                    )
                )
            }
            None => write!(f, "{}", tr(" (the sheet is empty)", " (工作表是空的)")),
        }
    }
}

/// Finds the header row: the first row within the top rows whose cells name every `required` field, and
/// `any_of` at least one of (when not empty). Two columns naming the same field is an error (which one to
/// trust?).
pub fn find_header(
    sheet: &RawSheet,
    names: &HeaderNames,
    required: &[&'static str],
    any_of: &[&'static str],
) -> Result<std::result::Result<Header, HeaderMiss>> {
    let mut best: Option<(usize, usize, Vec<String>)> = None;
    for (r, row) in sheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let mut columns: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut duplicate = None;
        for (c, cell) in row.iter().enumerate() {
            if let Some(f) = names.field_of(&cell.text) {
                if let Some(&prev) = columns.get(f) {
                    // A merged title cell repeats one text across columns; only distinct cells count as twins.
                    if row[prev].text != cell.text || !is_merged_twin(row, prev, c) {
                        duplicate = Some((f, prev, c));
                    }
                } else {
                    columns.insert(f, c);
                }
            }
        }
        let have_required = required.iter().all(|f| columns.contains_key(f));
        let have_any = any_of.is_empty() || any_of.iter().any(|f| columns.contains_key(f));
        if have_required && have_any {
            if let Some((f, a, b)) = duplicate {
                let (name, row, a, b) = (&sheet.name, r + 1, column_letter(a), column_letter(b));
                let field = crate::sheet::fields::field(f).map(|x| x.label_zh).unwrap_or(f);
                bail!(
                    "{}",
                    tr(
                        format!(
                            "sheet `{name}` row {row}: two columns ({a} and {b}) are both read as {field}; rename or \
                             delete one"
                        ),
                        format!("工作表「{name}」第 {row} 行: {a} 列和 {b} 列都被当作{field}; 请改名或删去其中一列"),
                    )
                );
            }
            let texts = row.iter().map(|c| c.text.clone()).collect();
            return Ok(Ok(Header { row: r, columns, texts }));
        }
        let score = required.iter().filter(|f| columns.contains_key(*f)).count();
        if score > 0 && best.as_ref().is_none_or(|b| score > b.0) {
            let cells = row.iter().filter(|c| !c.is_blank()).map(|c| c.text.clone()).collect();
            best = Some((score, r, cells));
        }
    }
    let best_row = match best {
        Some((_, r, cells)) => Some((r, cells)),
        None => sheet
            .rows
            .iter()
            .enumerate()
            .take(HEADER_SEARCH_ROWS)
            .find(|(_, row)| row.iter().any(|c| !c.is_blank()))
            .map(|(r, row)| {
                (
                    r,
                    row.iter().filter(|c| !c.is_blank()).map(|c| c.text.clone()).collect(),
                )
            }),
    };
    let mut missing: Vec<&'static str> = required.to_vec();
    missing.extend(any_of);
    Ok(Err(HeaderMiss {
        sheet: sheet.name.clone(),
        missing,
        best_row,
    }))
}

fn is_merged_twin(row: &[Cell], a: usize, b: usize) -> bool {
    (a..=b).all(|c| row.get(c).is_some_and(|x| x.text == row[a].text))
}

/// Excel's column letters for a 0-based index: 0 → A, 26 → AA.
pub fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(number_text(850.5), "850.5");
        assert_eq!(number_text(1200.0), "1200");
        assert_eq!(number_text(130199198505120000.0), "130199198505120000");
    }

    #[test]
    fn gbk_csv_is_detected() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名,身份证号\n张三,1\n");
        let wb = read_workbook_bytes("a.csv", &bytes, Encoding::Detect).unwrap();
        assert_eq!(wb.sheets[0].rows[0][0].text, "姓名");
        assert_eq!(wb.sheets[0].rows[1][0].text, "张三");
    }

    #[test]
    fn bom_is_dropped_and_fullwidth_normalised() {
        let bytes = "\u{FEFF}姓名,金额\n李四,１２０\n".as_bytes();
        let wb = read_workbook_bytes("a.csv", bytes, Encoding::Detect).unwrap();
        assert_eq!(wb.sheets[0].rows[0][0].text, "姓名");
        assert_eq!(wb.sheets[0].rows[1][1].text, "120");
    }

    fn texts_of(bytes: &[u8], encoding: Encoding) -> Vec<Vec<String>> {
        read_workbook_bytes("a.csv", bytes, encoding).unwrap().sheets[0]
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        let mut b = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
        b.extend(
            s.encode_utf16()
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
        );
        b
    }

    #[test]
    fn csv_files_are_read_whatever_their_delimiter_and_unicode_form() {
        let text = "青禾县申请登记表\r\n姓名,身份证号,住址\r\n张三,1,\"城关镇;东街\t5号\"\r\n";
        let want = [
            vec!["青禾县申请登记表"],
            vec!["姓名", "身份证号", "住址"],
            vec!["张三", "1", "城关镇;东街 5号"],
        ];
        assert_eq!(texts_of(text.as_bytes(), Encoding::Detect), want);
        // Tab-separated (Excel's "Unicode text", .txt exports) and semicolon-separated (Excel where the decimal
        // separator is a comma): the header line says which.
        let tabs = text.replace(',', "\t");
        assert_eq!(texts_of(tabs.as_bytes(), Encoding::Detect), want);
        assert_eq!(
            texts_of(
                text.replace(',', ";").replace("镇;东", "镇,东").as_bytes(),
                Encoding::Detect
            )[2][2],
            "城关镇,东街 5号"
        );
        // UTF-16 with its byte-order mark, little- or big-endian, whatever encoding was asked.
        for encoding in [Encoding::Detect, Encoding::Utf8, Encoding::Gb18030] {
            assert_eq!(texts_of(&utf16(&tabs, true), encoding), want, "{encoding:?}");
            assert_eq!(texts_of(&utf16(text, false), encoding), want, "{encoding:?}");
        }
        // Without the mark, it is said what the file is.
        let le = utf16(text, true);
        let err = read_workbook_bytes("a.csv", &le[2..], Encoding::Detect)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("UTF-16 LE text without a byte-order mark") && err.contains("CSV UTF-8"),
            "{err}"
        );
        let be = utf16(text, false);
        let err = read_workbook_bytes("a.csv", &be[2..], Encoding::Detect)
            .unwrap_err()
            .to_string();
        assert!(err.contains("UTF-16 BE"), "{err}");
    }

    #[test]
    fn a_line_break_inside_quotes_stays_in_its_cell() {
        for eol in ["\r\n", "\n", "\r"] {
            for inside in ["\r", "\n", "\r\n"] {
                let text = format!("姓名,住址,电话{eol}张三,\"城关镇{inside}东街5号\",138{eol}李四,西岭镇,139{eol}");
                let rows = texts_of(text.as_bytes(), Encoding::Detect);
                assert_eq!(rows.len(), 3, "{eol:?} {inside:?}: {rows:?}");
                assert_eq!(rows[1], ["张三", "城关镇 东街5号", "138"]);
            }
        }
    }

    #[test]
    fn header_is_found_below_title_rows() {
        let sheet = RawSheet {
            name: "s".into(),
            rows: vec![
                vec![Cell::text("青禾县申请登记表"), Cell::text("青禾县申请登记表")],
                vec![],
                vec![Cell::text("序号"), Cell::text("姓名"), Cell::text("身份证号码")],
            ],
            hidden: false,
            hidden_rows: Vec::new(),
        };
        let names = HeaderNames::new(&BTreeMap::new());
        let h = find_header(&sheet, &names, &["name", "id_number"], &[])
            .unwrap()
            .unwrap();
        assert_eq!(h.row, 2);
        assert_eq!(h.columns["id_number"], 2);
    }

    #[test]
    fn missing_header_names_what_was_expected_and_found() {
        let sheet = RawSheet {
            name: "s".into(),
            rows: vec![vec![Cell::text("编号"), Cell::text("名称"), Cell::text("数量")]],
            hidden: false,
            hidden_rows: Vec::new(),
        };
        let names = HeaderNames::new(&BTreeMap::new());
        let miss = find_header(&sheet, &names, &["name", "id_number"], &[])
            .unwrap()
            .unwrap_err();
        let msg = miss.to_string();
        assert!(
            msg.contains("姓名") && msg.contains("身份证号") && msg.contains("编号"),
            "{msg}"
        );
    }

    #[test]
    fn a_control_character_is_shown_and_flags_its_cell() {
        let c = Cell::text("张\u{0}好\u{1b}");
        assert_eq!(
            (c.text.as_str(), c.flaw),
            ("张<U+0000>好<U+001B>", Some(Flaw::ControlCharacter))
        );
        let c = Cell::text("a\u{85}b\u{9f}");
        assert_eq!((c.text.as_str(), c.flaw), ("a b<U+009F>", Some(Flaw::ControlCharacter)));
        // Tabs and line breaks are spaces, not flaws.
        assert_eq!(
            Cell::text("城关镇\r\n东街\t5号").text,
            Cell::text("城关镇 东街 5号").text
        );
        assert!(Cell::text("城关镇\r\n东街\t5号").cleaned && !Cell::text("城关镇 东街 5号").cleaned);
        assert_eq!(Cell::text("城关镇\r\n东街").flaw, None);
        let wb = read_workbook_bytes("a.csv", "姓名,身份证号\n张\u{1}好,1\n".as_bytes(), Encoding::Detect).unwrap();
        assert_eq!(wb.sheets[0].rows[1][0].flaw, Some(Flaw::ControlCharacter));
    }

    #[test]
    fn a_missing_header_quotes_the_closest_row_briefly() {
        let long = "长".repeat(MAX_CELL_CHARS);
        let sheet = RawSheet::new("s".into(), vec![vec![Cell::text(&long); 500]]);
        let names = HeaderNames::new(&BTreeMap::new());
        let miss = find_header(&sheet, &names, &["name", "id_number"], &[])
            .unwrap()
            .unwrap_err();
        let msg = miss.to_string();
        assert!(msg.len() < 5000 && msg.contains("… 470 more"), "{} bytes", msg.len());
    }

    #[test]
    fn duplicate_header_is_an_error() {
        let sheet = RawSheet {
            name: "s".into(),
            rows: vec![vec![Cell::text("姓名"), Cell::text("身份证号"), Cell::text("证件号码")]],
            hidden: false,
            hidden_rows: Vec::new(),
        };
        let names = HeaderNames::new(&BTreeMap::new());
        assert!(find_header(&sheet, &names, &["name", "id_number"], &[]).is_err());
    }

    fn fixture_sheet(file: &str, sheet: &str) -> RawSheet {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/intake")
            .join(file);
        let wb = read_workbook(&path, Encoding::Detect).unwrap();
        wb.sheets
            .into_iter()
            .find(|s| s.name == sheet)
            .unwrap_or_else(|| panic!("{file} has no sheet {sheet}"))
    }

    fn texts(row: &[Cell]) -> Vec<&str> {
        let mut t: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
        while t.last().is_some_and(|s| s.is_empty()) {
            t.pop();
        }
        t
    }

    #[test]
    fn xlsx_cells_and_merges_land_on_their_sheets_grid() {
        use rust_xlsxwriter::{Format, Workbook as Book};
        let mut book = Book::new();
        let first = book.add_worksheet();
        first.set_name("说明").unwrap();
        // Data starting at C3, a blank-text cell at the end of a row, a number and an empty row between.
        first.write_string(2, 2, "姓名").unwrap();
        first.write_string(2, 3, "").unwrap();
        first.write_number(4, 3, 820.5).unwrap();
        let second = book.add_worksheet();
        second.set_name("申请登记").unwrap();
        second
            .merge_range(0, 0, 0, 2, "青禾县申请登记表", &Format::new())
            .unwrap();
        second.write_string(1, 0, "户主").unwrap();
        second.merge_range(2, 1, 3, 1, "城关镇", &Format::new()).unwrap();
        second.write_string(4, 0, "合计").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let wb = read_workbook_bytes("t.xlsx", &bytes, Encoding::Detect).unwrap();
        let (a, b) = (&wb.sheets[0], &wb.sheets[1]);
        assert_eq!((a.name.as_str(), b.name.as_str()), ("说明", "申请登记"));
        assert_eq!(a.rows.len(), 5);
        assert!(a.rows[0].is_empty() && a.rows[3].is_empty());
        assert_eq!(texts(&a.rows[2]), ["", "", "姓名"]);
        assert_eq!(a.rows[2].len(), 3, "the blank text cell after 姓名 is trimmed");
        assert_eq!(a.rows[4][3].text, "820.5");
        assert_eq!(a.rows[4][3].number, Some(820.5));
        // The second sheet's merges, not the first's: the title across A1:C1, the township down B3:B4.
        assert_eq!(texts(&b.rows[0]), ["青禾县申请登记表"; 3]);
        assert_eq!(b.rows[2][1].text, "城关镇");
        assert_eq!(b.rows[3][1].text, "城关镇");
        assert_eq!(texts(&b.rows[1]), ["户主"]);
    }

    /// Rewrites one part of a zip (an xlsx) with `edit`.
    fn edit_zip_part(bytes: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut from = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut to = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..from.len() {
            let mut f = from.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut content = Vec::new();
            f.read_to_end(&mut content).unwrap();
            if name == part {
                content = edit(String::from_utf8(content).unwrap()).into_bytes();
            }
            to.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            to.write_all(&content).unwrap();
        }
        to.finish().unwrap().into_inner()
    }

    #[test]
    fn a_workbook_counting_dates_from_1904_gives_its_dates() {
        use rust_xlsxwriter::{Format, Workbook as Book};
        let mut book = Book::new();
        let sheet = book.add_worksheet();
        // 2026-11-05: serial 46331 in the 1900 system, 1462 less in the 1904 one.
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_number_with_format(0, 0, 44869.0, &date).unwrap();
        sheet.write_number(0, 1, 44869.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let cells =
            |bytes: &[u8]| read_workbook_bytes("t.xlsx", bytes, Encoding::Detect).unwrap().sheets[0].rows[0].clone();
        let row = cells(&bytes);
        assert_eq!(row[0].text, "2022-11-04", "the 1900 system");
        let mac = edit_zip_part(&bytes, "xl/workbook.xml", |x| {
            x.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
        });
        let row = cells(&mac);
        assert_eq!(row[0].text, "2026-11-05");
        assert_eq!(row[0].as_date(), Ok(NaiveDate::from_ymd_opt(2026, 11, 5).unwrap()));
        // A number in a date column is a serial of the workbook's system too.
        assert_eq!((row[1].text.as_str(), row[1].number), ("44869", Some(44869.0)));
        assert_eq!(row[1].as_date(), Ok(NaiveDate::from_ymd_opt(2026, 11, 5).unwrap()));
    }

    #[test]
    fn formulas_are_read_by_the_values_the_file_holds() {
        use rust_xlsxwriter::Workbook as Book;
        let mut book = Book::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "月收入").unwrap();
        sheet.write_formula(1, 0, "=500+100").unwrap();
        sheet.set_formula_result(1, 0, "600");
        sheet.write_formula(2, 0, "=0*1").unwrap();
        sheet.write_formula(3, 0, "=B1").unwrap();
        sheet.set_formula_result(3, 0, "张三");
        let bytes = book.save_to_buffer().unwrap();
        let read = |bytes: &[u8]| {
            read_workbook_bytes("t.xlsx", bytes, Encoding::Detect)
                .unwrap()
                .sheets
                .remove(0)
        };
        let rows = read(&bytes).rows;
        assert_eq!((rows[1][0].number, rows[1][0].flaw), (Some(600.0), None));
        assert_eq!(rows[3][0].text, "张三");
        // The 0 rust_xlsxwriter stores for a formula it did not calculate, in a workbook marked for calculation
        // on opening, is no value.
        assert_eq!(
            (rows[2][0].text.as_str(), rows[2][0].flaw),
            ("", Some(Flaw::Uncalculated))
        );
        assert!(!rows[2][0].is_blank());
        // Without the mark, a stored 0 is a result (Excel and WPS calculate on saving).
        let excel = edit_zip_part(&bytes, "xl/workbook.xml", |x| x.replace(" fullCalcOnLoad=\"1\"", ""));
        let rows = read(&excel).rows;
        assert_eq!((rows[2][0].number, rows[2][0].flaw), (Some(0.0), None));
        // A formula without a value at all (openpyxl), even at the end of the sheet, is kept as a flawed cell.
        let none = edit_zip_part(&excel, "xl/worksheets/sheet1.xml", |x| {
            x.replace("<f>B1</f><v>张三</v>", "<f>B1</f>")
        });
        let sheet = read(&none);
        assert_eq!(sheet.rows.len(), 4);
        assert_eq!(sheet.rows[3][0].flaw, Some(Flaw::Uncalculated));
        // A step reading the table whole refuses it, naming the cell.
        let err = refuse_flawed_cells("t.xlsx", &sheet, 1, None).unwrap_err().to_string();
        assert!(
            err.contains("t.xlsx sheet `Sheet1` row 4 column A") && err.contains("Excel or WPS"),
            "{err}"
        );
        assert!(refuse_flawed_cells("t.xlsx", &read(&excel), 1, None).is_ok());
    }

    #[test]
    fn ods_merged_cells_are_expanded_like_xlsx() {
        let ods = fixture_sheet("per-member.ods", "申请登记");
        let xlsx = fixture_sheet("per-member.xlsx", "申请登记");
        // Household 1: head on sheet row 4, member on row 5; household cells are merged vertically.
        for sheet in [&ods, &xlsx] {
            let (head, member) = (&sheet.rows[3], &sheet.rows[4]);
            for col in [0, 1, 5, 6, 7, 20] {
                assert!(!head[col].is_blank(), "{} col {col}", sheet.name);
                assert_eq!(member[col].text, head[col].text, "column {}", column_letter(col));
            }
            assert_eq!(sheet.rows[4][5].text, "城市低保");
            assert_eq!(sheet.rows[4][6].text, "城关镇");
        }
        // The title row merged across A:U.
        assert_eq!(ods.rows[0][20].text, ods.rows[0][0].text);
        assert!(!ods.rows[0][20].is_blank());
        for r in 0..27 {
            let (a, b) = (
                ods.rows.get(r).map(|x| texts(x)).unwrap_or_default(),
                xlsx.rows.get(r).map(|x| texts(x)).unwrap_or_default(),
            );
            assert_eq!(a, b, "sheet row {}", r + 1);
        }
    }

    #[test]
    fn ods_merges_from_content_xml() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="A &amp; B"><table:table-column table:number-columns-repeated="16384"/><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="16384"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="string" table:number-columns-spanned="3" table:number-rows-spanned="2"><text:p>x</text:p></table:table-cell><table:covered-table-cell table:number-columns-repeated="2"/><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="3"/><table:covered-table-cell table:number-columns-repeated="3"/><table:table-cell table:number-columns-spanned="2"><table:table table:name="nested"><table:table-row><table:table-cell table:number-columns-spanned="9"/></table:table-row></table:table></table:table-cell><table:covered-table-cell/></table:table-row><table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>
<table:table table:name="Sheet2"><table:table-header-rows><table:table-row/></table:table-header-rows><table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="1"/><table:covered-table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:number-columns-spanned="1" table:number-rows-spanned="1"/><table:table-cell table:number-rows-spanned="4"/></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;
        let d = |start, end| Dimensions { start, end };
        assert_eq!(
            ods_merged_regions(xml.as_bytes()),
            vec![
                ("A & B".to_string(), vec![d((2, 3), (3, 5)), d((3, 6), (3, 7))]),
                (
                    "Sheet2".to_string(),
                    vec![
                        d((1, 0), (1, 1)),
                        d((2, 0), (2, 1)),
                        d((3, 0), (3, 1)),
                        d((4, 3), (7, 3)),
                    ]
                ),
            ]
        );
    }

    #[test]
    fn ods_merge_discovery_is_bounded_and_never_fails() {
        // Broken XML, bad numbers, non-zip bytes: no merges, no error.
        assert!(ods_merged_regions(b"<table:table table:name=\"s\"><table:table-row>").is_empty());
        assert!(ods_merged_regions(b"<a></b").is_empty());
        let bad = r#"<table:table table:name="s"><table:table-row><table:table-cell table:number-columns-spanned="-2"/></table:table-row></table:table>"#;
        assert!(ods_merged_regions(bad.as_bytes()).is_empty());
        assert!(ods_file_sheets(b"not a zip").is_empty());
        // A merged row repeated a million times, and spans past the grid: capped, clipped.
        let huge = r#"<table:table table:name="s"><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-spanned="99999999999" table:number-rows-spanned="18446744073709551615"/></table:table-row><table:table-row><table:table-cell table:number-columns-spanned="2"/></table:table-row></table:table>"#;
        let got = ods_merged_regions(huge.as_bytes());
        assert_eq!(got.len(), 1);
        let merges = &got[0].1;
        assert!(merges.len() <= ODS_MAX_MERGES);
        assert_eq!(
            merges[0],
            Dimensions {
                start: (0, 0),
                end: (1_048_575, 16_383)
            }
        );
        assert!(merges.iter().all(|m| m.start.0 <= m.end.0 && m.end.0 < 1_048_576));
    }

    #[test]
    fn an_xls_declaring_impossible_dimensions_is_refused_not_aborted() {
        let good = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/intake/per-member.xls")).unwrap();
        assert!(xls_dimensions_plausible(&good));
        let mut bad = good.clone();
        let at = bad
            .windows(4)
            .position(|w| w == [0x00, 0x02, 0x0E, 0x00])
            .expect("a DIMENSIONS record");
        bad[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        bad[at + 14..at + 16].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(!xls_dimensions_plausible(&bad));
        let err = read_workbook_bytes("bad.xls", &bad, Encoding::Detect).unwrap_err();
        assert!(err.to_string().contains("cannot be read"), "{err}");
        assert!(read_workbook_bytes("good.xls", &good, Encoding::Detect).is_ok());
    }

    #[test]
    fn a_file_is_told_by_its_first_bytes() {
        let xlsx = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/intake/per-member.xlsx")).unwrap();
        let xls = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/intake/per-member.xls")).unwrap();
        let ods = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/intake/per-member.ods")).unwrap();
        assert_eq!(content_of(&xlsx), Content::Zip);
        assert_eq!(content_of(&xls), Content::Cfb);
        assert_eq!(zip_format("a.xls", &xlsx, "xls").unwrap(), "xlsx");
        assert_eq!(zip_format("a.xlsx", &ods, "xlsx").unwrap(), "ods");
        assert_eq!(content_of(b"\xEF\xBB\xBF  <!DOCTYPE HTML><html>"), Content::Html);
        assert_eq!(
            content_of(b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"),
            Content::XmlSpreadsheet
        );
        assert_eq!(content_of(b"%PDF-1.4"), Content::Pdf);
        assert_eq!(content_of("姓名,身份证号\n".as_bytes()), Content::Other);
        // The stream reads only what is CSV text by name and by content.
        assert!(is_csv_content("r.csv", "姓名,身份证号\n".as_bytes()));
        assert!(!is_csv_content("r.csv", &xlsx[..HEAD_BYTES]));
        assert!(!is_csv_content("r.xlsx", "姓名,身份证号\n".as_bytes()));
        // Each format read whatever its name.
        let sheets = |name: &str, bytes: &[u8]| read_workbook_bytes(name, bytes, Encoding::Detect).unwrap().sheets;
        for (name, bytes) in [
            ("a.xls", &xlsx),
            ("a.ods", &xlsx),
            ("a.xlsx", &xls),
            ("a.csv", &ods),
            ("a", &xls),
        ] {
            assert!(sheets(name, bytes).iter().any(|s| s.name == "申请登记"), "{name}");
        }
        let zip = zip::ZipWriter::new(Cursor::new(Vec::new()))
            .finish()
            .unwrap()
            .into_inner();
        let err = read_workbook_bytes("a.csv", &zip, Encoding::Detect)
            .unwrap_err()
            .to_string();
        assert!(err.contains("zip archive, not a workbook"), "{err}");
    }

    #[test]
    fn unsupported_and_empty_files_are_refused() {
        assert!(read_workbook_bytes("a.pdf", b"x", Encoding::Detect).is_err());
        assert!(read_workbook_bytes("a.csv", b"", Encoding::Detect).is_err());
        // Named a workbook, holding text: read as the CSV text it is; holding neither: refused.
        let wb = read_workbook_bytes("a.xlsx", b"not a zip", Encoding::Detect).unwrap();
        assert_eq!(wb.sheets[0].rows[0][0].text, "not a zip");
        let err = read_workbook_bytes("a.xlsx", &[0x00, 0xFF, 0x13, 0x00, 0xFE], Encoding::Detect).unwrap_err();
        assert!(err.to_string().contains("neither a workbook nor text"), "{err}");
    }
}

#[cfg(test)]
mod worksheet_size_tests {
    use super::*;
    use crate::sheet::writer::{self, Column, Kind, SheetSpec};
    use std::io::Write;

    /// A small workbook jiuzhu wrote, padded past the inputs' limit with a part no reader looks at (stored, not
    /// compressed, so the file is as large as the padding).
    fn padded_workbook(pad: usize) -> Vec<u8> {
        let small = writer::workbook_bytes(&[SheetSpec {
            name: "评议 review".into(),
            columns: vec![Column::new("编号 id", Kind::Code)],
            rows: vec![vec!["R1".into()]],
            ..SheetSpec::default()
        }])
        .unwrap();
        let mut from = zip::ZipArchive::new(Cursor::new(small)).unwrap();
        let mut to = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..from.len() {
            to.raw_copy_file(from.by_index(i).unwrap()).unwrap();
        }
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(false);
        to.start_file("customXml/padding.bin", stored).unwrap();
        to.write_all(&vec![0u8; pad]).unwrap();
        to.finish().unwrap().into_inner()
    }

    #[test]
    fn a_workbook_jiuzhu_wrote_is_read_back_beyond_the_inputs_limit() {
        let bytes = padded_workbook(MAX_INPUT_BYTES as usize + (1 << 20));
        assert!(bytes.len() as u64 > MAX_INPUT_BYTES);
        let err = read_workbook_bytes("big.xlsx", &bytes, Encoding::Detect)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("jiuzhu reads workbooks up to 50 MiB"), "{err}");
        let wb = read_worksheet_bytes("big.xlsx", &bytes, Encoding::Detect).unwrap();
        assert_eq!(wb.sheets[0].rows[1][0].text, "R1");
        // Its own bound still holds.
        let err = read_worksheet_bytes_within("big.xlsx", &bytes, Encoding::Detect, 1 << 20)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("jiuzhu reads back workbooks up to 1 MiB"), "{err}");
    }
}
