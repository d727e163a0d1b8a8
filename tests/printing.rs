//! Papers that print (issue 24): every workbook of the example month meant for people has its page setup (the
//! policy's paper, one page wide, the header row on every page, wrapped text, title and page numbers), read from
//! the workbook's XML; and, printed to PDF with LibreOffice as a person would, the notice, the meeting sheet, the
//! report and the dossier land on the pages where they belong.
//!
//! The PDF test needs LibreOffice (`soffice`) and poppler (`pdftotext`, `pdfinfo`): `.ci/run` installs them. On a
//! machine without them it fails, saying how to install them, unless `JIUZHU_SKIP_PRINT_TESTS=1`.

mod common;
mod month;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use jiuzhu::ledger::{Decision, DecisionStatus};

/// The example month, run once for every test here (`examples/run-month.sh` with the test build).
fn month() -> &'static Path {
    static MONTH: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    MONTH
        .get_or_init(|| {
            let tmp = tempfile::Builder::new().prefix("jiuzhu-print-").tempdir().unwrap();
            let dir = tmp.path().join("month");
            let out = Command::new("bash")
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/run-month.sh"))
                .arg(&dir)
                .env("JIUZHU", env!("CARGO_BIN_EXE_jiuzhu"))
                .env("LANG", "C")
                .env_remove("LC_ALL")
                .env_remove("LC_MESSAGES")
                .env("GIT_AUTHOR_NAME", "test")
                .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
                .env("GIT_COMMITTER_NAME", "test")
                .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
                .output()
                .expect("run examples/run-month.sh");
            assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
            std::fs::write(tmp.path().join("run-month.log"), &out.stdout).unwrap();
            (tmp, dir)
        })
        .1
        .as_path()
}

/// The month's workbooks for people: every report but the bank files, and one dossier.
fn workbooks() -> Vec<PathBuf> {
    let reports = month().join("reports");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    out.sort();
    out.push(dossier());
    out
}

/// The dossier of the household 杨辉 (closed as not approved), as the archive wrote it.
fn dossier() -> PathBuf {
    let year = month().join("archive/2026");
    let mut dossiers: Vec<PathBuf> = std::fs::read_dir(year).unwrap().map(|e| e.unwrap().path()).collect();
    dossiers.sort();
    let with_name = dossiers
        .iter()
        .find(|d| {
            std::fs::read_to_string(d.join("cases.csv"))
                .unwrap_or_default()
                .contains("杨辉")
        })
        .unwrap_or(&dossiers[0]);
    with_name.join("dossier.xlsx")
}

fn report(stem: &str) -> PathBuf {
    workbooks()
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(stem))
        .unwrap_or_else(|| panic!("no workbook {stem}*"))
}

/// Every part of an xlsx package whose name starts with `prefix`, as text, in order of name.
fn parts(xlsx: &Path, prefix: &str) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort_by_key(|n| (n.len(), n.clone()));
    names
        .into_iter()
        .map(|n| {
            let text = std::io::read_to_string(zip.by_name(&n).unwrap()).unwrap();
            (n, text)
        })
        .collect()
}

#[test]
fn every_workbook_for_people_has_its_page_setup() {
    let books = workbooks();
    let kinds = [
        "compare-hits-",
        "disburse-",
        "intake-rejects-",
        "notice-",
        "review-2",
        "review-meeting-",
        "spot-check-",
        "supplement-notices-",
        "统计报表-",
        "dossier",
    ];
    for kind in kinds {
        assert!(
            books
                .iter()
                .any(|b| b.file_name().unwrap().to_string_lossy().starts_with(kind)),
            "the example month has no {kind} workbook: {books:?}"
        );
    }
    for book in &books {
        let name = book.file_name().unwrap().to_string_lossy().to_string();
        let sheets = parts(book, "xl/worksheets/sheet");
        assert!(!sheets.is_empty(), "{name}");
        let workbook = &parts(book, "xl/workbook.xml")[0].1;
        let styles = &parts(book, "xl/styles.xml")[0].1;
        assert!(styles.contains("wrapText=\"1\""), "{name}: no wrapped cells");
        for (i, (part, xml)) in sheets.iter().enumerate() {
            let at = format!("{name} {part}");
            assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{at}: not fit to page");
            assert!(xml.contains("paperSize=\"9\""), "{at}: not A4");
            assert!(xml.contains("fitToHeight=\"0\""), "{at}: not one page wide");
            assert!(xml.contains("<pageMargins "), "{at}: no margins");
            assert!(xml.contains("第 &amp;P 页 共 &amp;N 页"), "{at}: no page numbers");
            assert!(
                workbook.contains(&format!("name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\"")),
                "{at}: no header row repeated on every page"
            );
        }
        // Each sheet has a header on its pages (the title), except where the title is on the page itself.
        if !name.starts_with("notice-") && name != "dossier.xlsx" {
            assert!(
                sheets.iter().all(|(_, x)| x.contains("<oddHeader>")),
                "{name}: no page header"
            );
        }
    }
    let meeting = parts(&report("review-meeting-"), "xl/worksheets/sheet1.xml")
        .remove(0)
        .1;
    assert!(meeting.contains("orientation=\"landscape\""), "{meeting}");
    assert!(
        meeting.contains("评议小组成员签字"),
        "the meeting sheet has signature lines"
    );
    let notice = parts(&report("notice-"), "xl/worksheets/sheet");
    for (_, xml) in &notice {
        assert!(xml.contains("orientation=\"portrait\""));
        assert!(xml.contains("<mergeCell "), "the notice's title spans the table");
    }
    let report_sheet = parts(&report("统计报表-"), "xl/worksheets/sheet1.xml").remove(0).1;
    assert!(
        report_sheet.contains("<rowBreaks "),
        "the charts start a page of their own"
    );
}

#[test]
fn a_bank_with_no_profile_of_its_own_is_a_warning_naming_bank_and_profile() {
    month();
    let log = std::fs::read_to_string(month().parent().unwrap().join("run-month.log")).unwrap();
    assert!(
        log.contains("warning: 中国农业银行 has no bank profile of its own: written in the layout of `rcc_csv`"),
        "{log}"
    );
}

#[test]
fn a_bank_with_no_profile_of_its_own_is_refused_when_the_policy_says_so() {
    // The month up to its decisions in force, then the policy refuses an unlisted bank.
    let ws = month::effective();
    let policy = ws
        .read("jiuzhu.yaml")
        .replace("unlisted_bank: warn", "unlisted_bank: refuse");
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    let out = zh(jiuzhu())
        .arg("-C")
        .arg(ws.root())
        .args(["disburse", "--period", "2026-11"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("中国农业银行 没有自己的银行格式"), "{err}");
    assert!(err.contains("disbursement.unlisted_bank"), "{err}");
    assert_chinese(&out);
    assert!(!ws.path("reports/bank").exists() || std::fs::read_dir(ws.path("reports/bank")).unwrap().count() == 0);
}

/// `soffice`, `pdftotext` and `pdfinfo`, or why the test cannot print (None: skipped on purpose).
fn printing_tools() -> Option<()> {
    let have = |tool: &str| {
        Command::new(tool)
            .arg(if tool == "soffice" { "--version" } else { "-v" })
            .output()
            .is_ok()
    };
    let missing: Vec<&str> = ["soffice", "pdftotext", "pdfinfo"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    if missing.is_empty() {
        return Some(());
    }
    if std::env::var("JIUZHU_SKIP_PRINT_TESTS").is_ok_and(|v| v == "1") {
        eprintln!(
            "printing test skipped (JIUZHU_SKIP_PRINT_TESTS=1): {} missing",
            missing.join(", ")
        );
        return None;
    }
    panic!(
        "the printing test needs LibreOffice and poppler, and {} is missing: install them with \
         `sudo apt-get install libreoffice-calc poppler-utils fonts-noto-cjk` (Debian/Ubuntu; `.ci/run` does it), \
         or set JIUZHU_SKIP_PRINT_TESTS=1 to skip this test on this machine",
        missing.join(", ")
    );
}

/// The text of each page of a PDF (pdftotext, layout kept), with the spaces it puts between characters removed.
fn pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut pages: Vec<String> = text.split('\u{c}').map(|p| p.replace([' ', '\u{3000}'], "")).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

#[test]
fn the_month_s_papers_print_as_a_person_would_check_them() {
    if printing_tools().is_none() {
        return;
    }
    let books = workbooks();
    let out_dir = tempfile::tempdir().unwrap();
    // One LibreOffice run for every workbook (each is converted in a few seconds); the dossier under its own name.
    let staged = out_dir.path().join("in");
    std::fs::create_dir(&staged).unwrap();
    let mut inputs = Vec::new();
    for b in &books {
        let name = if b.ends_with("dossier.xlsx") {
            "dossier.xlsx".to_string()
        } else {
            b.file_name().unwrap().to_string_lossy().to_string()
        };
        let to = staged.join(&name);
        std::fs::copy(b, &to).unwrap();
        inputs.push(to);
    }
    let profile = out_dir.path().join("profile");
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out_dir.path())
        .args(&inputs)
        .output()
        .expect("run soffice");
    assert!(out.status.success(), "soffice: {}", stderr(&out));
    let pdf = |stem: &str| -> Vec<String> {
        let input = inputs
            .iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(stem))
            .unwrap_or_else(|| panic!("no workbook {stem}"));
        let pdf = out_dir.path().join(input.with_extension("pdf").file_name().unwrap());
        assert!(pdf.exists(), "LibreOffice made no {}: {}", pdf.display(), stderr(&out));
        pages(&pdf)
    };

    // The notice: one page per village (the example's villages have a few households each), each with its whole
    // title, issuing body, period, 监督电话, stamp line and date.
    let notice = pdf("notice-");
    let villages = parts(&report("notice-"), "xl/worksheets/sheet").len();
    assert_eq!(notice.len(), villages, "one page per village: {notice:#?}");
    for page in &notice {
        // Wrapped lines joined.
        let flat = page.replace('\n', "");
        assert!(page.contains("社会救助对象公示"), "{page}");
        assert!(flat.contains("公示期:2026年11月21日至2026年11月27日"), "{page}");
        assert!(flat.contains("监督电话:12345"), "{page}");
        assert!(page.contains("人民政府(盖章)"), "{page}");
        assert!(page.contains("按月救助") || page.contains("临时救助"), "{page}");
        let title = page.lines().find(|l| l.contains("社会救助对象公示")).unwrap();
        assert!(title.starts_with("青禾县"), "the title in one line: {title}");
    }

    // The meeting sheet: the verdict column and the note on the first page, signature lines on every page.
    let meeting = pdf("review-meeting-");
    assert!(
        meeting[0].contains("评议结果") && meeting[0].contains("说明"),
        "{}",
        meeting[0]
    );
    assert!(meeting[0].contains("计算过程"), "{}", meeting[0]);
    for page in &meeting {
        assert!(page.contains("评议小组成员签字"), "{page}");
        assert!(page.contains("评议结果"), "the header row on every page: {page}");
    }

    // The report: the title, the period and the date made on page 1, counts as whole numbers, the charts on page
    // 2; its summary prints on two pages and each other sheet on one.
    let sheets = parts(&report("统计报表-"), "xl/worksheets/sheet").len();
    let report = pdf("统计报表-");
    assert!(report[0].contains("青禾县2026年11月社会救助统计报表"), "{}", report[0]);
    assert!(report[0].contains("制表日期:2026年11月30日"), "{}", report[0]);
    let households = report[0].lines().find(|l| l.starts_with("在保户数")).unwrap();
    assert!(!households.contains('.'), "a count is a whole number: {households}");
    assert!(report[0]
        .lines()
        .any(|l| l.starts_with("本月保障金额") && l.ends_with(".00")));
    assert!(report[1].contains("近12个月在保户数"), "{}", report[1]);
    assert!(!report[0].contains("近12个月在保户数"));
    assert_eq!(
        report.len(),
        sheets + 1,
        "summary and charts on two pages, then one page a sheet"
    );

    // The dossier: a cover, a 卷内目录, then its parts in Chinese, in a handful of pages.
    let dossier = pdf("dossier");
    assert!(
        dossier[0].contains("一户一档") && dossier[0].contains("杨辉"),
        "{}",
        dossier[0]
    );
    assert!(
        dossier[1].contains("卷内目录") && dossier[1].contains("入户调查记录"),
        "{}",
        dossier[1]
    );
    assert!(dossier.len() <= 15, "{} pages", dossier.len());
    let all = dossier.concat();
    assert!(!all.contains("urban_dibao") && !all.contains("rural_dibao") && !all.contains("false"));

    // Every other workbook prints one page wide on a few pages.
    for (stem, most) in [
        ("compare-hits-", 2),
        ("spot-check-", 2),
        ("supplement-notices-", 2),
        ("intake-rejects-", 3),
        ("review-2", 4),
        ("disburse-", 6),
    ] {
        let n = pdf(stem).len();
        assert!((1..=most).contains(&n), "{stem}: {n} pages");
    }
}

/// A village too big for one page (the sample county's villages have 50–70 households listed): its notice goes
/// on over the next pages with the table's header repeated on each, the title whole on its first page only, and
/// the stamp line and date after its last row — never a title cut in half or a page without its header.
#[test]
fn a_village_too_big_for_one_page_continues_with_its_header_and_its_title_whole() {
    if printing_tools().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ws");
    let run = |args: &[&str]| {
        let out = jiuzhu().arg("-C").arg(&dir).args(args).output().unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", stderr(&out));
    };
    let out = jiuzhu()
        .args([
            "sample-data",
            "--households",
            "700",
            "--registry-rows",
            "0",
            "--seed",
            "7",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let registers: Vec<String> = std::fs::read_dir(dir.join("inputs/registers"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut intake = vec!["intake"];
    intake.extend(registers.iter().map(String::as_str));
    run(&intake);
    run(&["verify", "--as-of", "2026-11-20", "--visits", "inputs/visits.csv"]);
    run(&["decide", "--period", "2026-11", "--as-of", "2026-11-20"]);
    // 同意 to every proposal, as the meeting's worksheet comes back.
    let bytes = std::fs::read(dir.join("ledgers/decisions.csv")).unwrap();
    let decisions: Vec<Decision> = jiuzhu::ledger::parse("decisions.csv", &bytes).unwrap();
    let proposed: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed)
        .collect();
    let mut sheet = format!("批次,{}\n决定编号,案件编号,评议结果,说明\n", proposed[0].batch);
    for d in &proposed {
        sheet.push_str(&format!("{},{},同意,\n", d.decision_id, d.case_id));
    }
    let verdicts = tmp.path().join("verdicts.csv");
    std::fs::write(&verdicts, sheet).unwrap();
    run(&[
        "decide",
        "--record",
        &verdicts.display().to_string(),
        "--meeting",
        "审批会",
        "--date",
        "2026-11-21",
    ]);
    let notice = dir.join("reports/notice-2026-11.xlsx");
    let villages = parts(&notice, "xl/worksheets/sheet").len();
    let out_dir = tmp.path().join("pdf");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            tmp.path().join("profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out_dir)
        .arg(&notice)
        .output()
        .expect("run soffice");
    assert!(out.status.success(), "soffice: {}", stderr(&out));
    let pages = pages(&out_dir.join("notice-2026-11.pdf"));
    assert!(
        pages.len() > villages,
        "some village runs over a page: {} pages, {villages} villages",
        pages.len()
    );
    let mut first_of_village = true;
    let mut titles = 0;
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("序号") && page.contains("救助金额"),
            "page {}: no header row\n{page}",
            i + 1
        );
        let title = page.lines().find(|l| l.contains("社会救助对象公示"));
        if first_of_village {
            let title = title.unwrap_or_else(|| panic!("page {} starts a village without its title\n{page}", i + 1));
            assert!(title.starts_with("青禾县"), "the title in one line: {title}");
            titles += 1;
        } else {
            assert!(title.is_none(), "page {} repeats the title mid-village\n{page}", i + 1);
        }
        first_of_village = page.contains("盖章");
    }
    assert_eq!(titles, villages, "one title per village");
    assert!(first_of_village, "the last page ends with the stamp line");
}
