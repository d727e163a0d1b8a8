//! Formula injection: names, addresses and notes that a spreadsheet application would run as formulas
//! (`=HYPERLINK(…)`, `+SUM(1)`, `-2+3`, `@cmd|…`, tab- and CR-led text) go through every step — intake, verify
//! with visit notes, compare with a hostile registry and its worksheet round trip, decide with the meeting round
//! trip and the public notice — and no output ever holds a formula: no `<f>` element in any xlsx, every such
//! text cell in xlsx and CSV starts with `'`, and what jiuzhu reads back is the text as typed. When LibreOffice
//! and openpyxl are installed, they open every workbook too, and find text, not formulas.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::ledger::{Case, Member};

const LINK: &str = "=HYPERLINK(\"http://evil.example/x\",\"点我\")";
const SUM: &str = "+SUM(1)";
const ARITH: &str = "-2+3";
const DDE: &str = "@cmd|' /C calc'!A0";
const TAB: &str = "\t=1+1";
const CR: &str = "\r=2+2 村东头";
const ALL: &str = "身份证、户口簿、申请书、授权书、收入证明";

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Two households whose names, addresses and hardship reasons are hostile.
fn register(dir: &Path) -> PathBuf {
    let (a, b, c) = (
        id("13019919800101001"),
        id("13019919820202006"),
        id("13019919700505003"),
    );
    let rows = [
        [
            "1",
            &a,
            LINK,
            &a,
            "户主",
            "城市低保",
            "城关镇",
            "东街社区",
            SUM,
            DDE,
            "300",
            "6229530100000000001",
        ],
        [
            "1",
            &a,
            ARITH,
            &b,
            "配偶",
            "城市低保",
            "城关镇",
            "东街社区",
            SUM,
            DDE,
            "0",
            "6229530100000000001",
        ],
        [
            "2",
            &c,
            TAB,
            &c,
            "户主",
            "农村低保",
            "东河乡",
            "柳树村",
            CR,
            "=cmd",
            "100",
            "6229530100000000002",
        ],
    ];
    let mut text = format!("{PER_MEMBER_HEADER}\r\n");
    for r in rows {
        let f = [
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            "13800000000",
            "2026-11-02",
            "",
            "青禾县农村信用社",
            r[11],
            r[9],
            r[10],
            "",
            "",
            "",
            "有",
            ALL,
        ];
        text.push_str(&f.iter().map(|x| csv_field(x)).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    let p = dir.join("hostile-register.csv");
    std::fs::write(&p, text).unwrap();
    p
}

/// Does this cell text start the way a formula (or DDE) does?
fn dangerous(text: &str) -> bool {
    match text.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        // A negative number is data; `-2+3` is a formula.
        Some('-') => text.trim().parse::<f64>().is_err(),
        _ => false,
    }
}

/// Every `<f>` element and every dangerous text cell of an xlsx, read from its XML.
fn xlsx_problems(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        if !name.ends_with(".xml") {
            continue;
        }
        let mut xml = String::new();
        entry.read_to_string(&mut xml).unwrap();
        if name.starts_with("xl/worksheets/") && (xml.contains("<f>") || xml.contains("<f ")) {
            out.push(format!("{name}: a formula element"));
        }
        // Text of shared strings (<si><t>) and inline strings (<is><t>).
        if name == "xl/sharedStrings.xml" || name.starts_with("xl/worksheets/") {
            for piece in xml.split("<t").skip(1) {
                let Some(body) = piece.split_once('>').map(|(_, b)| b) else {
                    continue;
                };
                let text = body.split("</t>").next().unwrap_or("");
                let text = text
                    .replace("&amp;", "&")
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">");
                let text = text
                    .replace("&#9;", "\t")
                    .replace("&#10;", "\n")
                    .replace("&#13;", "\r")
                    .replace("_x000D_", "\r");
                if dangerous(&text) {
                    out.push(format!("{name}: text cell {text:?}"));
                }
            }
        }
    }
    out
}

/// Every dangerous cell of a CSV file.
fn csv_problems(path: &Path) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap();
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        for cell in rec.unwrap().iter() {
            if dangerous(cell) {
                out.push(format!("row {}: {cell:?}", i + 1));
            }
        }
    }
    out
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == ext));
    v.sort();
    v
}

/// The first row of `grid` whose first cell starts with `prefix` (the header row of a worksheet).
fn header_at(grid: &[Vec<String>], prefix: &str) -> usize {
    grid.iter()
        .position(|r| r.first().is_some_and(|c| c.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no row starting with {prefix}"))
}

#[test]
fn hostile_text_never_becomes_a_formula_in_any_output() {
    let ws = Ws::new();
    // intake
    let reg = register(ws.root());
    let out = ws.intake_path(&reg);
    assert_exit(&out, 0);
    let names: Vec<String> = ws.records::<Member>().iter().map(|m| m.name.to_string()).collect();
    for typed in [LINK, ARITH, TAB.trim()] {
        assert!(
            names.iter().any(|n| n == typed),
            "`{typed}` not read back unchanged: {names:?}"
        );
    }
    let addresses: Vec<String> = ws.records::<Case>().iter().map(|c| c.address.to_string()).collect();
    assert!(addresses.iter().any(|a| a == SUM), "{addresses:?}");

    // verify, with hostile visit notes
    let mut visits = String::from("案件编号,调查日期,调查人,调查情况,签字,调查层级\n");
    for c in ws.records::<Case>() {
        visits.push_str(&format!(
            "{},2026-11-10,张伟、李娜,{},是,村\n",
            c.case_id,
            csv_field(LINK)
        ));
        visits.push_str(&format!(
            "{},2026-11-12,王强、刘洋,{},是,乡镇\n",
            c.case_id,
            csv_field(ARITH)
        ));
    }
    let vpath = ws.path("visits.csv");
    std::fs::write(&vpath, visits).unwrap();
    let out = ws.run(&["verify", "--as-of", "2026-11-13", "--visits", vpath.to_str().unwrap()]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));

    // compare: a registry row with hostile evidence for the spouse, then the worksheet round trip with a
    // hostile note.
    let reg_csv = ws.path("vehicles.csv");
    std::fs::write(
        &reg_csv,
        format!(
            "车主姓名,身份证号码,号牌号码,车辆类型,登记日期\n{},{},{},{},2023-01-10\n",
            csv_field(ARITH),
            id("13019919820202006"),
            csv_field(DDE),
            csv_field(SUM)
        ),
    )
    .unwrap();
    let out = ws.run(&["compare", "--source", &format!("vehicles={}", reg_csv.display())]);
    assert_exit(&out, 1);
    let sheet = files(&ws.path("reports"), "xlsx")
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("compare-hits-"))
        .expect("the compare worksheet");
    let filled = ws.path("compare-filled.xlsx");
    refill(&sheet, &filled, |g| {
        for row in g
            .iter_mut()
            .filter(|r| r.first().is_some_and(|c| c.starts_with("vehicles-")))
        {
            row.resize(11, String::new());
            row[8] = "排除".into();
            row[9] = LINK.into();
            row[10] = SUM.into();
        }
    });
    let out = ws.run(&["compare", "--resolve", filled.to_str().unwrap()]);
    assert_exit(&out, 0);
    let matches = ws.ledger("matches.csv");
    assert!(
        matches.contains("'=HYPERLINK"),
        "the note is kept, neutralised: {matches}"
    );

    // decide, the meeting round trip (hostile minutes and note), the notice
    let out = ws.run(&["decide", "--period", "2026-11"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let meeting = ws.path("reports/review-meeting-2026-11.xlsx");
    let filled = ws.path("meeting-filled.xlsx");
    refill(&meeting, &filled, |g| {
        let h = header_at(g, "决定编号");
        for row in g
            .iter_mut()
            .skip(h + 1)
            .filter(|r| r.first().is_some_and(|c| !c.is_empty()))
        {
            row.resize(13, String::new());
            row[11] = "同意".into();
            row[12] = DDE.into();
        }
    });
    let out = ws.run(&[
        "decide",
        "--record",
        filled.to_str().unwrap(),
        "--meeting",
        SUM,
        "--date",
        "2026-11-20",
        &format!("--attendees={ARITH}"),
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(ws.path("reports/notice-2026-11.xlsx").exists(), "the notice was posted");

    // Every workbook and every CSV jiuzhu wrote.
    let mut problems = Vec::new();
    let xlsxs = files(&ws.path("reports"), "xlsx");
    for p in &xlsxs {
        for prob in xlsx_problems(p) {
            problems.push(format!("{}: {prob}", p.display()));
        }
    }
    let csvs = files(&ws.path("ledgers"), "csv");
    for p in &csvs {
        for prob in csv_problems(p) {
            problems.push(format!("{}: {prob}", p.display()));
        }
    }
    println!(
        "injection: {} workbooks and {} ledgers checked",
        xlsxs.len(),
        csvs.len()
    );
    assert!(
        problems.is_empty(),
        "formula-like cells in outputs:\n{}",
        problems.join("\n")
    );
    // The hostile text is there, as text.
    let notice = jiuzhu::sheet::reader::read_workbook(
        &ws.path("reports/notice-2026-11.xlsx"),
        jiuzhu::sheet::reader::Encoding::Detect,
    )
    .unwrap();
    let all: Vec<String> = notice
        .sheets
        .iter()
        .flat_map(|s| s.rows.iter().flatten().map(|c| c.text.clone()))
        .collect();
    assert!(
        all.iter().any(|t| t.ends_with(LINK)),
        "the notice names the household as typed: {all:?}"
    );

    third_party_readers(&xlsxs);
}

/// openpyxl and LibreOffice (when installed) open every workbook: openpyxl finds no formula cell; LibreOffice,
/// converting to CSV (which evaluates formulas), shows the text as typed — `-2+3`, not `1`.
fn third_party_readers(xlsxs: &[PathBuf]) {
    let py = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, openpyxl\n\
             bad = []\n\
             for p in sys.argv[1:]:\n\
             \x20   wb = openpyxl.load_workbook(p)\n\
             \x20   for ws in wb.worksheets:\n\
             \x20       for row in ws.iter_rows():\n\
             \x20           for c in row:\n\
             \x20               if c.data_type == 'f': bad.append(f'{p} {ws.title}!{c.coordinate}: {c.value}')\n\
             print('\\n'.join(bad)); sys.exit(1 if bad else 0)\n",
        )
        .args(xlsxs)
        .output();
    match py {
        Ok(o) if o.status.code() == Some(0) => println!("openpyxl: {} workbooks, no formula cell", xlsxs.len()),
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            println!("NOTE: openpyxl not installed; skipped")
        }
        Ok(o) => panic!("openpyxl found formulas:\n{}{}", stdout(&o), stderr(&o)),
        Err(_) => println!("NOTE: python3 not installed; openpyxl check skipped"),
    }
    let soffice = ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        println!("NOTE: LibreOffice not installed; skipped");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let notice: Vec<&PathBuf> = xlsxs
        .iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("notice-") || n.starts_with("compare-hits-") || n.starts_with("review-meeting-")
        })
        .collect();
    let status = std::process::Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
        ])
        .arg("--outdir")
        .arg(out.path())
        .args(&notice)
        .output()
        .unwrap();
    assert!(status.status.success(), "LibreOffice: {}", stderr(&status));
    let mut seen = 0;
    for p in files(out.path(), "csv") {
        let text = std::fs::read_to_string(&p).unwrap();
        seen += 1;
        assert!(
            !text.contains("#NAME?") && !text.contains("Err:"),
            "{}: LibreOffice evaluated something:\n{text}",
            p.display()
        );
        if text.contains("HYPERLINK") {
            assert!(
                text.contains("=HYPERLINK(\"\"http://evil.example/x\"\"") || text.contains("=HYPERLINK("),
                "{text}"
            );
        }
        for line in text.lines() {
            for cell in line.split(',') {
                assert!(
                    cell.trim_matches('"') != "1" || !line.contains("-2+3"),
                    "{}: -2+3 evaluated",
                    p.display()
                );
            }
        }
    }
    println!("LibreOffice: {seen} sheets converted, hostile text stayed text");
}
