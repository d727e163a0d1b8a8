//! The journal against Git (audit J107): a journal cut back together with its ledgers to an earlier step holds
//! together on its own — its hashes and its seal agree — and only the commit history tells; audit finds it.

mod common;

use std::path::Path;

use common::*;

fn commit_all(dir: &Path, message: &str) -> String {
    if !dir.join(".git").exists() {
        git_text(dir, &["init", "-q"]);
    }
    git_text(dir, &["add", "-A"]);
    git_text(dir, &["commit", "-qm", message]);
    git_text(dir, &["rev-parse", "--short", "HEAD"]).trim().to_string()
}

#[test]
fn a_journal_cut_back_with_its_ledgers_is_found_against_git() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-member-utf8bom.csv"]), 1);
    let first = commit_all(ws.root(), "intake");
    // A step after the commit, not yet committed: the journal is the committed one with events appended.
    let out = ws.run(&["verify", "--as-of", "2026-11-20"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    let journal_checks = ["audit", "journal", "journal-committed"];
    let out = ws.run(&journal_checks);
    assert!(!stdout(&out).contains("J107"), "{}", stdout(&out));
    let second = commit_all(ws.root(), "verify");
    assert_ne!(first, second);
    // The ledgers and the journal put back as they were after intake: they agree with each other (no J101/J102),
    // and only the history shows the verify step is gone.
    std::fs::remove_dir_all(ws.path("ledgers")).unwrap();
    git_text(ws.root(), &["checkout", &first, "--", "ledgers/"]);
    let out = ws.run(&journal_checks);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(!text.contains("J101") && !text.contains("J102"), "{text}");
    let line = text.lines().find(|l| l.starts_with("J107 error")).expect(&text);
    assert!(
        line.contains(&format!("(commit {second})")) && line.contains("cut back"),
        "{line}"
    );
    // Under Chinese, Chinese; a writing step builds on it no further than audit lets it: the finding stays.
    let zh = ws.run_zh(&journal_checks);
    assert_exit(&zh, 1);
    assert_chinese(&zh);
    assert!(stdout(&zh).contains("被退回"), "{}", stdout(&zh));
    // Restored as committed: nothing found.
    git_text(ws.root(), &["checkout", &second, "--", "ledgers/"]);
    let out = ws.run(&journal_checks);
    assert!(!stdout(&out).contains("J107"), "{}", stdout(&out));
}
