//! Rows and cells a spreadsheet hides, decorates or guards (issue 20, points 7–10): hidden rows, footers merged
//! or not, Excel's text guards around ID and account numbers, protected cases whose reason the register does not
//! give, and exit codes a script can trust. Every register here is built by the test.

mod common;

use std::path::Path;

use common::*;
use jiuzhu::ledger::Case;

/// 张建国's household of one, 王德福's of one, 陈志强's of one: three households on three rows.
const HEADS: &[(&str, &str)] = &[
    ("张建国", "130199197803150132"),
    ("王德福", "130199195104080316"),
    ("陈志强", "130199196507120575"),
];

fn row<'a>(serial: &'a str, name: &'a str, id: &'a str, hardship: &'a str) -> RegRow<'a> {
    RegRow {
        serial,
        key: id,
        name,
        id,
        relation: "户主",
        scheme: "城市低保",
        township: "城关镇",
        village: "东街社区",
        address: "东街1号",
        applied_on: "2026-11-02",
        hardship,
        income: "300",
    }
}

/// The three households, each with a hardship reason.
fn three() -> Vec<RegRow<'static>> {
    HEADS
        .iter()
        .enumerate()
        .map(|(i, (name, id))| row(["1", "2", "3"][i], name, id, "因病"))
        .collect()
}

/// The register's cells, header first, as the CSV helper writes them.
fn grid(rows: &[RegRow<'_>]) -> Vec<Vec<String>> {
    let mut g = vec![PER_MEMBER_HEADER.split(',').map(str::to_string).collect::<Vec<_>>()];
    for r in rows {
        let csv = r.csv();
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
        let rec = rdr.records().next().unwrap().unwrap();
        g.push(rec.iter().map(str::to_string).collect());
    }
    g
}

/// Writes the cells as an xlsx (all text), letting `edit` change the sheet after (hide rows, merge a footer).
fn write_xlsx(path: &Path, cells: &[Vec<String>], edit: impl Fn(&mut rust_xlsxwriter::Worksheet)) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("申请登记").unwrap();
    for (r, row) in cells.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    edit(sheet);
    book.save(path).unwrap();
}

fn summary(out: &std::process::Output) -> String {
    stdout(out)
}

/// The rows of one sheet of the intake report.
fn report_sheet(ws: &Ws, stem: &str, sheet: &str) -> Vec<ReportRow> {
    read_report(&ws.report(stem))
        .into_iter()
        .find(|(name, _)| name == sheet)
        .map(|(_, rows)| rows)
        .unwrap_or_else(|| panic!("no sheet {sheet} in the report of {stem}"))
}

fn cases(ws: &Ws) -> Vec<Case> {
    ws.records::<Case>()
}

// ---- 7. hidden rows and footers ----

/// A row hidden in Excel (a withdrawn application, hidden rather than deleted) is imported like the others, and
/// the summary and the report name it.
#[test]
fn hidden_xlsx_rows_are_imported_and_listed() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hidden.xlsx");
    write_xlsx(&path, &grid(&three()), |s| {
        s.set_row_hidden(2).unwrap(); // Excel row 3: 王德福
    });
    let out = ws.intake_path(&path);
    assert_exit(&out, 0);
    let text = summary(&out);
    assert!(text.contains("3 rows read = 3 accepted"), "{text}");
    assert!(
        text.contains("1 hidden rows were read like the others (rows 3)"),
        "{text}"
    );
    assert_eq!(cases(&ws).len(), 3);
    let hidden = report_sheet(&ws, "hidden", "隐藏的行");
    assert_eq!(hidden.iter().map(|r| r.row).collect::<Vec<_>>(), vec![3]);
    assert!(hidden[0].text().contains("已接收"), "{}", hidden[0].text());

    // Under Chinese, the note is Chinese.
    let ws = Ws::new();
    let out = jiuzhu()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_chinese(&out);
    assert!(stdout(&out).contains("有 1 行在表格中是隐藏的"), "{}", stdout(&out));
}

/// The same in an .ods saved by LibreOffice: a row with `table:visibility="collapse"` is listed as hidden.
#[test]
fn hidden_ods_rows_are_listed() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hidden.ods");
    // per-member.ods: title, subtitle, header, then 张建国's household on rows 4–6 and 王德福's on row 7.
    rewrite_ods(&fixture("per-member.ods"), &path, |xml| {
        let mut at = 0;
        for _ in 0..7 {
            at += xml[at..].find("<table:table-row").unwrap() + 1;
        }
        let at = at - 1 + "<table:table-row".len();
        format!("{} table:visibility=\"collapse\"{}", &xml[..at], &xml[at..])
    });
    let out = ws.intake_path(&path);
    let text = summary(&out);
    assert!(
        text.contains("1 hidden rows were read like the others (rows 7)"),
        "{text}"
    );
    let hidden = report_sheet(&ws, "hidden", "隐藏的行");
    assert_eq!(hidden.iter().map(|r| r.row).collect::<Vec<_>>(), vec![7]);
}

/// Copies an .ods, changing its content.xml.
fn rewrite_ods(src: &Path, dst: &Path, edit: impl Fn(&str) -> String) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(src).unwrap();
    let mut from = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut to = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..from.len() {
        let mut f = from.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "content.xml" {
            data = edit(&String::from_utf8(data).unwrap()).into_bytes();
        }
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        to.start_file(
            name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        to.write_all(&data).unwrap();
    }
    std::fs::write(dst, to.finish().unwrap().into_inner()).unwrap();
}

/// A footer merged across the sheet repeats its text in every column — name, ID and relation included; it was
/// read as two made-up households. It is a skipped footer row, like the same footer typed in one cell, and a
/// note below it.
#[test]
fn footer_rows_are_skipped_merged_or_not() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("footer.xlsx");
    let mut cells = grid(&three());
    cells.push(vec![]); // row 5, the merged footer
    let mut unmerged = vec![String::new(); 21];
    unmerged[0] = "审核人：李四".into();
    unmerged[5] = "负责人：赵六".into();
    cells.push(unmerged);
    cells.push(vec!["注：1. 本表一式两份。".into()]);
    write_xlsx(&path, &cells, |s| {
        s.merge_range(
            4,
            0,
            4,
            20,
            "填表人：张三    审核人：李四    制表日期：2026年11月5日",
            &rust_xlsxwriter::Format::new(),
        )
        .unwrap();
    });
    let out = ws.intake_path(&path);
    assert_exit(&out, 0);
    let text = summary(&out);
    assert!(
        text.contains("6 rows read = 3 accepted + 0 rejected + 3 skipped; 3 households added"),
        "{text}"
    );
    let skipped = report_sheet(&ws, "footer", "跳过");
    let reason = |r: usize| {
        skipped
            .iter()
            .find(|s| s.row == r)
            .map(|s| s.text())
            .unwrap_or_default()
    };
    assert!(reason(5).contains("表尾落款或说明行 (填表人"), "{}", reason(5));
    assert!(reason(6).contains("表尾落款或说明行 (审核人"), "{}", reason(6));
    assert!(reason(7).contains("表尾落款或说明行 (注"), "{}", reason(7));
    assert_eq!(cases(&ws).len(), 3);
}

/// The same footers in a GBK CSV exported from WPS.
#[test]
fn footer_rows_in_a_gbk_csv_are_skipped() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = write_register(dir.path(), "footer.csv", &three());
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("填表人：张三,,,,审核人：李四\r\n制表日期：2026年11月5日\r\n");
    std::fs::write(&path, encoding_rs::GBK.encode(&text).0).unwrap();
    let out = ws.intake_path(&path);
    assert_exit(&out, 0);
    assert!(
        summary(&out).contains("5 rows read = 3 accepted + 0 rejected + 2 skipped"),
        "{}",
        summary(&out)
    );
}

// ---- 8. Excel's text guards ----

/// Column of 身份证号 and of 银行账号 in [`PER_MEMBER_HEADER`].
const ID_COL: usize = 3;
const ACCOUNT_COL: usize = 13;

/// Writes cells as a CSV (every field quoted as needed), CRLF like Excel.
fn write_csv(path: &Path, cells: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in cells {
        w.write_record(r).unwrap();
    }
    std::fs::write(path, w.into_inner().unwrap()).unwrap();
}

/// IDs kept as text the ways clerks and exports do it — a leading apostrophe, `="…"`, a leading tab — and an
/// account number between a full-width and a no-break space are read as the numbers they guard, and the summary
/// says how many cells were cleaned in which columns.
#[test]
fn excel_text_guards_are_removed_and_noted() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guards.csv");
    let mut cells = grid(&three());
    cells[1][ID_COL] = format!("'{}", HEADS[0].1);
    cells[2][ID_COL] = format!("=\"{}\"", HEADS[1].1);
    cells[3][ID_COL] = format!("\t{}", HEADS[2].1);
    cells[1][ACCOUNT_COL] = "\u{3000}6221880653343050406\u{a0}".into();
    write_csv(&path, &cells);
    let out = ws.intake_path(&path);
    assert_exit(&out, 0);
    let text = summary(&out);
    assert!(text.contains("3 rows read = 3 accepted"), "{text}");
    assert!(
        text.contains("4 ID or account cells were read without Excel's text guards")
            && text.contains("身份证号 3, 银行账号 1"),
        "{text}"
    );
    let cases = cases(&ws);
    let ids: Vec<&str> = cases.iter().map(|c| c.applicant_id_number.as_str()).collect();
    for (_, id) in HEADS {
        assert!(ids.contains(id), "{id} not in {ids:?}");
    }
    let zhang = cases
        .iter()
        .find(|c| c.applicant_id_number.as_str() == HEADS[0].1)
        .unwrap();
    assert_eq!(zhang.bank_account.as_str(), "6221880653343050406");

    // The same guards in an xlsx (WPS keeps a typed apostrophe in the text), under Chinese.
    let ws = Ws::new();
    let path = dir.path().join("guards.xlsx");
    write_xlsx(&path, &cells, |_| {});
    let out = zh_intake(&ws, &path);
    assert_exit(&out, 0);
    assert_chinese(&out);
    assert!(
        stdout(&out).contains("已去掉 4 个身份证号或账号单元格中 Excel 的文本保护符号"),
        "{}",
        stdout(&out)
    );
}

/// `jiuzhu intake PATH` under a Chinese locale.
fn zh_intake(ws: &Ws, path: &Path) -> std::process::Output {
    jiuzhu()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(path)
        .output()
        .unwrap()
}

/// An ID with a letter O typed for a zero, an account with one: the rejection names the character and where it
/// is, in the terminal and in the report.
#[test]
fn a_bad_character_is_named_by_position() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.csv");
    let mut cells = grid(&three());
    cells[1][ID_COL] = "13019919780315O132".into(); // 张建国: the 15th character, a zero, typed as O
    cells[2][ACCOUNT_COL] = "62218806533430504O6".into(); // 王德福's account: the 18th
    write_csv(&path, &cells);
    let out = ws.intake_path(&path);
    assert_exit(&out, 1);
    let text = summary(&out);
    assert!(
        text.contains("character 15 is the letter O (a zero 0 was meant?)"),
        "{text}"
    );
    assert!(text.contains("character 18 is the letter O"), "{text}");
    let rejected = report_sheet(&ws, "typo", "拒收");
    let reason = |r: usize| {
        rejected
            .iter()
            .filter(|s| s.row == r)
            .map(|s| s.text())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        reason(2).contains("第 15 位是字母「O」(是否应为数字 0?)"),
        "{}",
        reason(2)
    );
    assert!(
        reason(3).contains("银行账号应为 10 到 30 位数字: 第 18 位是字母「O」"),
        "{}",
        reason(3)
    );
    assert_eq!(cases(&ws).len(), 1);
}

// ---- 9. protected cases when the reason is unknown ----

/// A register with no hardship-reason column: its households are imported, but intake says it cannot know which
/// are protected, names them, and exits 1 so a person looks.
#[test]
fn a_register_without_a_reason_column_is_flagged() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noreason.csv");
    let reason_col = PER_MEMBER_HEADER.split(',').position(|h| h == "致困原因").unwrap();
    let cells: Vec<Vec<String>> = grid(&three())
        .into_iter()
        .map(|mut r| {
            r.remove(reason_col);
            r
        })
        .collect();
    write_csv(&path, &cells);
    let out = ws.intake_path(&path);
    assert_exit(&out, 1);
    assert_eq!(cases(&ws).len(), 3);
    let text = summary(&out);
    assert!(
        text.contains("noreason.csv has no hardship-reason column (致困原因): whether its 3 new cases are protected"),
        "{text}"
    );
    let out = zh_intake(&Ws::new(), &path);
    assert_exit(&out, 1);
    assert_chinese(&out);
    assert!(stdout(&out).contains("没有致困原因列"), "{}", stdout(&out));
}
