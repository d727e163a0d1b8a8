//! `audit` holds the archive (一户一档) to its index: a dossier `ledgers/archive_index.csv` lists whose file is gone
//! from `archive/` is a finding (J106), named with its case and path, in Chinese under Chinese — not only something
//! `archive verify` would find if someone ran it.

mod common;
mod month;

use common::*;
use jiuzhu::ledger::ArchiveEntry;

#[test]
fn audit_names_a_dossier_file_missing_from_the_archive() {
    let ws = month::month();
    let out = ws.run(&["archive"]);
    assert_exit(&out, 0);
    let index = ws.records::<ArchiveEntry>();
    let e = index.first().expect("the example month has closed cases to archive");
    let out = ws.run(&["audit", "--dry-run"]);
    assert!(!stdout(&out).contains("J106"), "{}", stdout(&out));

    let gone = format!("{}/members.csv", e.path);
    std::fs::remove_file(ws.path(&gone)).unwrap();
    let out = ws.run(&["audit"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("J106 "))
        .unwrap_or_else(|| panic!("no J106 in:\n{text}"));
    assert!(line.contains(&e.case_id) && line.contains(&gone), "{line}");
    assert!(line.contains("git checkout -- "), "{line}");
    assert_eq!(text.lines().filter(|l| l.starts_with("J106 ")).count(), 1, "{text}");
    // The check runs on its own by name, too.
    let out = ws.run(&["audit", "--dry-run", "archive-dossiers"]);
    assert_exit(&out, 1);
    assert!(stdout(&out).contains(&gone), "{}", stdout(&out));

    // Under Chinese, the line is Chinese.
    let out = ws.run_zh(&["audit", "--dry-run", "archive-dossiers"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("J106 "))
        .unwrap_or_else(|| panic!("no J106 in:\n{text}"));
    assert!(line.contains("缺少") && line.contains(&gone), "{line}");
    assert_chinese(&out);

    // The whole dossier gone: named as missing.
    std::fs::remove_dir_all(ws.path(&e.path)).unwrap();
    let out = ws.run(&["audit", "--dry-run", "archive-dossiers"]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains(&format!("dossier {} ", e.path)) && stdout(&out).contains("is missing"),
        "{}",
        stdout(&out)
    );
}
