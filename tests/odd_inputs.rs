//! Odd inputs are read right (issue 19): registers as the programs that made them leave them — formulas never
//! calculated, binary noise in amounts, the 1904 date system, hidden sheets, cells no spreadsheet can hold,
//! control characters, a header and nothing under it, UTF-16 and other delimiters, a file named for another
//! format. Each test builds its file here, imports it into a fresh workspace and checks what was taken.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::ledger::{Case, Member};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

/// The good household's head (张好, one person).
fn head() -> String {
    id("13019919700101001")
}

/// The columns of [`PER_MEMBER_HEADER`] tests write into.
const APPLIED_ON: u16 = 10;
const INCOME: u16 = 15;

/// The good household's one row, as text cells under [`PER_MEMBER_HEADER`].
fn good_row() -> Vec<String> {
    let h = head();
    [
        "1",
        &h,
        "张好",
        &h,
        "户主",
        "城市低保",
        "城关镇",
        "东街社区",
        "城关镇东街社区1号",
        "13800001111",
        "2026-11-02",
        "城镇",
        "青禾县农村信用社",
        "6229530100000000001",
        "因病",
        "900",
        "",
        "",
        "",
        "有",
        "身份证、户口簿、申请书、授权书、收入证明",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Writes the header (row 1) and the good row (row 2) on `sheet`.
fn write_register_rows(sheet: &mut Worksheet) {
    for (c, h) in PER_MEMBER_HEADER.split(',').enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in good_row().iter().enumerate() {
        if !v.is_empty() {
            sheet.write_string(1, c as u16, v).unwrap();
        }
    }
}

/// A one-sheet register xlsx with the good row, changed by `edit` (which may overwrite its cells).
fn register_xlsx(dir: &Path, name: &str, edit: impl FnOnce(&mut Worksheet)) -> PathBuf {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("申请登记").unwrap();
    write_register_rows(sheet);
    edit(sheet);
    let path = dir.join(name);
    book.save(&path).unwrap();
    path
}

/// Rewrites one part of a zip (an xlsx) with `edit`, keeping the others as they are.
fn edit_zip_part(path: &Path, part: &str, edit: impl FnOnce(String) -> String) {
    let bytes = std::fs::read(path).unwrap();
    let mut from = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut to = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut edit = Some(edit);
    for i in 0..from.len() {
        let mut f = from.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        if name == part {
            let edit = edit.take().expect("one part of that name");
            content = edit(String::from_utf8(content).unwrap()).into_bytes();
        }
        to.start_file(name, options).unwrap();
        to.write_all(&content).unwrap();
    }
    std::fs::write(path, to.finish().unwrap().into_inner()).unwrap();
}

/// The one member taken, by the good household's head.
fn taken(ws: &Ws) -> Member {
    let members = ws.records::<Member>();
    assert_eq!(members.len(), 1, "{members:?}");
    members.into_iter().next().unwrap()
}

/// `jiuzhu intake FILE` in English.
fn intake(ws: &Ws, path: &Path) -> std::process::Output {
    jiuzhu()
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(path)
        .output()
        .unwrap()
}

/// Item 7: an income computed in the sheet carries binary noise (`1234.5600000000001`, `=0.1+0.2`); it is the
/// 2-decimal amount Excel shows, not "more than 2 decimals".
#[test]
fn binary_noise_in_an_amount_is_the_amount_excel_shows() {
    let dir = tempfile::tempdir().unwrap();
    for (v, fen) in [(1234.5600000000001, 123456), (0.1 + 0.2, 30)] {
        let ws = Ws::new();
        let path = register_xlsx(dir.path(), "noise.xlsx", |s| {
            s.write_number(1, INCOME, v).unwrap();
        });
        let out = intake(&ws, &path);
        assert_exit(&out, 0);
        assert_eq!(taken(&ws).monthly_income_amount.0, fen, "{v}");
    }
}

/// Marks an xlsx as counting its dates from 1904 (Mac Excel's date system), as Mac Excel writes it.
fn set_date_1904(path: &Path) {
    edit_zip_part(path, "xl/workbook.xml", |xml| {
        assert!(xml.contains("<workbookPr"), "{xml}");
        xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
    });
}

/// Item 8: a workbook from Mac Excel counts its dates from 1904; 2026-11-05 is serial 44869 there (46331 in the
/// 1900 system), and was read as 2022-11-04.
#[test]
fn a_workbook_counting_dates_from_1904_gives_its_dates() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Ws::new();
    let path = register_xlsx(dir.path(), "mac.xlsx", |s| {
        let date = Format::new().set_num_format("yyyy-mm-dd");
        s.write_number_with_format(1, APPLIED_ON, 46331.0 - 1462.0, &date)
            .unwrap();
    });
    set_date_1904(&path);
    let out = intake(&ws, &path);
    assert_exit(&out, 0);
    let cases = ws.records::<Case>();
    assert_eq!(cases[0].applied_on.to_string(), "2026-11-05");
}

/// Item 6: a workbook saved by a program that does not calculate holds its formulas without values (no `<v>`,
/// or the placeholder 0 with the workbook marked for calculation on opening): an income of `=600` was read as
/// 0.00. A formula's stored value is used; without one the row is rejected, naming the cell, saying to open
/// and save the file in Excel or WPS.
#[test]
fn a_formula_never_calculated_rejects_its_row_and_a_calculated_one_is_its_value() {
    let dir = tempfile::tempdir().unwrap();
    // With its value stored (as Excel and WPS save it): the value.
    let ws = Ws::new();
    let path = register_xlsx(dir.path(), "calculated.xlsx", |s| {
        s.write_formula(1, INCOME, "=500+100").unwrap();
        s.set_formula_result(1, INCOME, "600");
    });
    assert_exit(&intake(&ws, &path), 0);
    assert_eq!(taken(&ws).monthly_income_amount.0, 60000);

    // Without: the placeholder 0 (XlsxWriter, rust_xlsxwriter), and no value at all (openpyxl).
    let placeholder = register_xlsx(dir.path(), "placeholder.xlsx", |s| {
        s.write_formula(1, INCOME, "=500+100").unwrap();
    });
    let no_value = register_xlsx(dir.path(), "no-value.xlsx", |s| {
        s.write_formula(1, INCOME, "=500+100").unwrap();
    });
    edit_zip_part(&no_value, "xl/worksheets/sheet1.xml", |xml| {
        assert!(xml.contains("<f>500+100</f><v>0</v>"), "{xml}");
        xml.replace("<f>500+100</f><v>0</v>", "<f>500+100</f>")
    });
    for path in [placeholder, no_value] {
        let ws = Ws::new();
        let out = intake(&ws, &path);
        assert_exit(&out, 1);
        let o = stdout(&out);
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for w in [
            file.as_str(),
            "sheet 申请登记",
            "row 2",
            "月收入(元)",
            "never calculated",
            "Excel or WPS",
        ] {
            assert!(o.contains(w), "`{w}` not in: {o}");
        }
        assert!(!ws.path("ledgers/members.csv").exists(), "{o}");
    }
}

/// Item 10: a workbook whose first sheet is a hidden old copy of the register was imported from the hidden
/// sheet without a word. The visible sheet is read (the hidden one is mentioned); when the only register is on
/// a hidden sheet it is read, and the clerk is told which sheet that was and that it is hidden.
#[test]
fn a_visible_register_is_read_before_a_hidden_one_and_a_hidden_one_read_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let old_head = id("13019919750202002");
    let write_old = |sheet: &mut Worksheet| {
        write_register_rows(sheet);
        for (c, v) in [(1, old_head.as_str()), (2, "李旧"), (3, old_head.as_str())] {
            sheet.write_string(1, c, v).unwrap();
        }
        sheet.set_hidden(true);
    };

    let mut book = Workbook::new();
    write_old(book.add_worksheet().set_name("旧表").unwrap());
    let current = book.add_worksheet().set_name("申请登记").unwrap();
    write_register_rows(current);
    current.set_active(true);
    let path = dir.path().join("hidden-first.xlsx");
    book.save(&path).unwrap();
    let ws = Ws::new();
    let out = intake(&ws, &path);
    assert_exit(&out, 0);
    assert_eq!(taken(&ws).name.as_str(), "张好");
    let o = stdout(&out);
    assert!(o.contains("hidden sheet `旧表`") && o.contains("was not read"), "{o}");

    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("填表说明").unwrap();
    notes.write_string(0, 0, "请按表头填写").unwrap();
    notes.set_active(true);
    write_old(book.add_worksheet().set_name("旧表").unwrap());
    let path = dir.path().join("hidden-only.xlsx");
    book.save(&path).unwrap();
    let ws = Ws::new();
    let out = intake(&ws, &path);
    assert_exit(&out, 0);
    assert_eq!(taken(&ws).name.as_str(), "李旧");
    let o = stdout(&out);
    assert!(o.contains("sheet `旧表` was read") && o.contains("hidden"), "{o}");

    // A step reading one table (here follow-up visits) says so too.
    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("填表说明").unwrap();
    notes.write_string(0, 0, "请按表头填写").unwrap();
    notes.set_active(true);
    let visits = book.add_worksheet().set_name("回访").unwrap();
    for (c, v) in ["户主身份证号", "回访日期", "回访人", "困难类别"].iter().enumerate() {
        visits.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in [old_head.as_str(), "2026-11-20", "王干事", "一般困难"]
        .iter()
        .enumerate()
    {
        visits.write_string(1, c as u16, *v).unwrap();
    }
    visits.set_hidden(true);
    let path = dir.path().join("回访.xlsx");
    book.save(&path).unwrap();
    let out = ws.run(&["intake", "--kind", "followups", path.to_str().unwrap()]);
    let o = stdout(&out);
    assert!(
        o.contains("sheet `回访` was read, and it is hidden"),
        "{o}{}",
        stderr(&out)
    );
}

/// Writes the register's good row with its name (张好) replaced by `name` in the workbook's shared strings —
/// what no spreadsheet program lets a clerk type, but a made-up or damaged file holds.
fn register_with_name(dir: &Path, file: &str, name: &str) -> PathBuf {
    let path = register_xlsx(dir, file, |_| {});
    edit_zip_part(&path, "xl/sharedStrings.xml", |xml| {
        assert!(xml.contains("<t>张好</t>"), "{xml}");
        xml.replace("<t>张好</t>", &format!("<t>{name}</t>"))
    });
    path
}

/// Item 17: a name holding an escaped control character (`_x0000_` in the workbook's XML) was stored with a NUL
/// in members.csv. Its row is rejected, naming the cell.
#[test]
fn a_control_character_in_a_cell_rejects_its_row_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Ws::new();
    let path = register_with_name(dir.path(), "nul.xlsx", "张_x0000_好");
    let out = intake(&ws, &path);
    assert_exit(&out, 1);
    let o = stdout(&out);
    for w in ["nul.xlsx", "row 2", "姓名", "control character"] {
        assert!(o.contains(w), "`{w}` not in: {o}");
    }
    assert!(!ws.path("ledgers/members.csv").exists(), "{o}");
    let report = read_report(&ws.report("nul"));
    let text = report[0].1[0].text();
    assert!(text.contains("张<U+0000>好"), "{text}");
}

/// Items 13 and 17: a cell longer than a spreadsheet cell can hold (32,767 characters) was taken into a ledger,
/// and a gigabyte cell made a gigabyte message in half a minute and 5 GB of memory. Such a file is refused
/// early, naming the cell where it can, and no message quotes more than a short prefix of a value.
#[test]
fn cells_no_spreadsheet_can_hold_are_refused_and_messages_quote_short_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    // 40,000 characters: refused, naming sheet, row and column; nothing written.
    let ws = Ws::new();
    let before = ws.tree(&[".jiuzhu/lock"]);
    let path = register_with_name(dir.path(), "long.xlsx", &"好".repeat(40_000));
    let out = intake(&ws, &path);
    assert_exit(&out, 2);
    let e = stderr(&out);
    for w in [
        "long.xlsx",
        "sheet `申请登记` row 2 column C",
        "40000 characters",
        "32767",
    ] {
        assert!(e.contains(w), "`{w}` not in: {e}");
    }
    assert_same_files(&before, &ws.tree(&[".jiuzhu/lock"]), "a 40,000-character cell");

    // 16 million characters (48 MB): refused before the workbook is parsed, in bounded time and memory (1 GiB of address space).
    let path = register_with_name(dir.path(), "huge.xlsx", &"好".repeat(16 << 20));
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let start = std::time::Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("jiuzhu"))
        .env("LC_ALL", "C")
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let e = stderr(&out);
    assert!(e.contains("huge.xlsx") && e.contains("32767") && e.len() < 1000, "{e}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu/lock"]), "a 48 MB cell");

    // A cell a spreadsheet can hold, but long, quoted in a rejection: a short prefix of it.
    let long_village = "东".repeat(30_000);
    let path = register_xlsx(dir.path(), "village.xlsx", |s| {
        s.write_string(1, 7, &long_village).unwrap();
    });
    let out = intake(&ws, &path);
    assert_exit(&out, 1);
    let o = stdout(&out);
    assert!(o.contains("village `东东东") && o.contains("…`"), "{o}");
    assert!(o.len() < 2000, "{} bytes: {}", o.len(), &o[..2000.min(o.len())]);
}

/// Item 17: a CSV holding only a header was taken as an empty register, exit 0. A register with a header and
/// no data rows under it (only blank or totals rows) is refused, saying so; so is a follow-up sheet.
#[test]
fn a_header_without_data_rows_is_refused_not_taken_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Ws::new();
    let before = ws.tree(&[".jiuzhu/lock"]);
    for (name, text) in [
        ("header-only.csv", format!("{PER_MEMBER_HEADER}\r\n")),
        (
            "totals-only.csv",
            format!("{PER_MEMBER_HEADER}\r\n,,,,,,,,,,,,,,,,,,,,\r\n合计,,,,,,,,,,,,,,,0,,,,,\r\n"),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = intake(&ws, &path);
        assert_exit(&out, 2);
        let e = stderr(&out);
        assert!(
            e.contains(name) && e.contains("no data rows") && e.contains("row 1"),
            "{e}"
        );
    }
    let path = dir.path().join("回访.csv");
    std::fs::write(&path, "户主身份证号,回访日期,回访人,困难类别\r\n").unwrap();
    let out = ws.run(&["intake", "--kind", "followups", path.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no data rows"), "{}", stderr(&out));
    assert_same_files(&before, &ws.tree(&[".jiuzhu/lock"]), "headers without data");
}

/// The good register as CSV text with `delimiter`, CRLF line ends, the address quoted holding `address`.
fn register_text(delimiter: &str, address: &str) -> String {
    let mut row = good_row();
    row[8] = format!("\"{address}\"");
    format!(
        "{}\r\n{}\r\n",
        PER_MEMBER_HEADER.replace(',', delimiter),
        row.join(delimiter)
    )
}

fn utf16_le_with_bom(s: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    b.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
    b
}

/// Item 18: files as they come. Excel's "Unicode text" (UTF-16 LE with its byte-order mark, tab-separated) and a
/// semicolon-separated export were told "rename the headers"; they are read. UTF-16 without its mark is named
/// for what it is. A line break inside a quoted cell — a lone CR too — stays in its cell.
#[test]
fn csv_files_are_read_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "unicode-text.txt",
            utf16_le_with_bom(&register_text("\t", "城关镇东街社区1号")),
        ),
        (
            "unicode-text.csv",
            utf16_le_with_bom(&register_text("\t", "城关镇东街社区1号")),
        ),
        ("semicolons.csv", register_text(";", "城关镇东街社区1号").into_bytes()),
        ("lone-cr.csv", register_text(",", "城关镇\r东街社区1号").into_bytes()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let ws = Ws::new();
        let out = intake(&ws, &path);
        assert_exit(&out, 0);
        assert!(
            first_line(&out).contains("1 rows read = 1 accepted"),
            "{name}: {}",
            stdout(&out)
        );
        assert_eq!(taken(&ws).name.as_str(), "张好", "{name}");
        let address = ws.records::<Case>()[0].address.as_str().to_string();
        assert!(
            address.starts_with("城关镇") && address.ends_with("东街社区1号"),
            "{name}: {address}"
        );
    }
    let path = dir.path().join("utf16-no-bom.csv");
    std::fs::write(&path, &utf16_le_with_bom(&register_text(",", "城关镇东街社区1号"))[2..]).unwrap();
    let ws = Ws::new();
    let out = intake(&ws, &path);
    assert_exit(&out, 2);
    let e = stderr(&out);
    assert!(
        e.contains("utf16-no-bom.csv is UTF-16 LE text without a byte-order mark") && e.contains("CSV UTF-8"),
        "{e}"
    );
}

/// Item 18: a file is read by its content, not its name: an `.xls` that is really an xlsx (what many systems
/// export), an xls named `.xlsx`, an xlsx saved as `.csv`, a CSV renamed `.xlsx`. A web page named `.xls` is
/// refused, saying what it is.
#[test]
fn a_file_is_read_by_its_content_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = register_xlsx(dir.path(), "real.xlsx", |_| {});
    let cases: Vec<(&str, Vec<u8>, usize, &str)> = vec![
        (
            "exported.xls",
            std::fs::read(&xlsx).unwrap(),
            1,
            "is named .xls but is an .xlsx workbook",
        ),
        (
            "exported.csv",
            std::fs::read(&xlsx).unwrap(),
            1,
            "is named .csv but is an .xlsx workbook",
        ),
        (
            "renamed.xlsx",
            register_text(",", "城关镇东街社区1号").into_bytes(),
            1,
            "holds text",
        ),
        // fixtures/intake/per-member.xls (Excel 97–2003) named .xlsx: its four good households.
        (
            "old.xlsx",
            std::fs::read(fixture("per-member.xls")).unwrap(),
            4,
            "is named .xlsx but is an .xls workbook",
        ),
    ];
    for (name, bytes, households, said) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let ws = Ws::new();
        let out = intake(&ws, &path);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert_eq!(ws.records::<Case>().len(), households, "{name}: {}", stdout(&out));
        assert!(stdout(&out).contains(said), "{name}: `{said}` not in {}", stdout(&out));
    }
    let path = dir.path().join("web.xls");
    std::fs::write(&path, "<html><body><table><tr><td>姓名</td></tr></table></body></html>").unwrap();
    let out = intake(&Ws::new(), &path);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("web.xls is a web page (HTML)"),
        "{}",
        stderr(&out)
    );
}
