//! One language per run, and workbooks that do not depend on the terminal: the example month
//! (`examples/run-month.sh`, every step of it) run under a Chinese locale prints no English sentence, and run under
//! the C locale writes the same bytes — every ledger, report, workbook and archive file.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Runs the example month into `dir` with the test build of jiuzhu under `lang`.
fn run_month(dir: &Path, lang: &str) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/run-month.sh");
    Command::new("bash")
        .arg(script)
        .arg(dir)
        .env("JIUZHU", env!("CARGO_BIN_EXE_jiuzhu"))
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        // The archive names the commit a dossier was made from: the same commits in both runs.
        .env("GIT_AUTHOR_DATE", "2026-12-01T09:00:00+08:00")
        .env("GIT_COMMITTER_DATE", "2026-12-01T09:00:00+08:00")
        .output()
        .expect("run examples/run-month.sh")
}

/// Every file under `root` but Git's own, by path relative to it.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if rel.starts_with(".git") || rel.starts_with(".jiuzhu/lock") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn the_example_month_speaks_chinese_to_a_chinese_clerk_and_writes_the_same_bytes_under_any_locale() {
    let tmp = tempfile::tempdir().unwrap();
    let (zh_dir, c_dir) = (tmp.path().join("zh"), tmp.path().join("c"));
    let zh = run_month(&zh_dir, "zh_CN.UTF-8");
    assert_exit(&zh, 0);
    let c = run_month(&c_dir, "C");
    assert_exit(&c, 0);
    let english = english_lines(&zh);
    assert!(
        stdout(&c).contains("== done. Look at:") && !english_lines(&c).is_empty(),
        "the C locale gets English:\n{}",
        stdout(&c)
    );

    let (a, b) = (files(&zh_dir), files(&c_dir));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the two runs wrote different files"
    );
    let differ: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.display().to_string())
        .collect();
    assert!(
        differ.is_empty(),
        "these files depend on the terminal's language: {differ:?}"
    );
    assert!(
        english.is_empty(),
        "English reached a Chinese user:\n{}",
        english.join("\n")
    );
}
