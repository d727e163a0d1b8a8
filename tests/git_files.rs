//! The Git files around a workspace: `.gitattributes` written by `jiuzhu init` and the clone's
//! `.git/info/attributes` written by `jiuzhu init --here` hold each of jiuzhu's rules once, whatever the order of
//! calls and whatever the files held before; and jiuzhu's private state folder (`.jiuzhu/`) never enters Git, also
//! in a workspace made before its `.gitignore` had the line.
//!
//! When `git` is not installed the tests print a note and pass without checking anything.

mod common;

use std::path::Path;

use common::*;

/// The rules (not comments, not blank) of a fresh workspace's `.gitattributes`: jiuzhu's.
fn jiuzhus_rules() -> Vec<String> {
    let ws = Ws::new();
    let rules = rules(&ws.read(".gitattributes"));
    assert!(rules.len() >= 3, "{rules:?}");
    rules
}

fn rules(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Asserts each of jiuzhu's rules is in `texts` (together) exactly once.
#[track_caller]
fn each_once(texts: &[&str], jiuzhus: &[String]) {
    let all: Vec<String> = texts.iter().flat_map(|t| rules(t)).collect();
    for rule in jiuzhus {
        let n = all.iter().filter(|l| *l == rule).count();
        assert_eq!(n, 1, "`{rule}` {n} times in:\n{}", texts.join("\n----\n"));
    }
}

fn local_attributes(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".git/info/attributes")).unwrap_or_default()
}

/// `init` in a folder whose `.gitattributes` already has some of jiuzhu's rules (and the person's own) adds only
/// the others; `init --here` afterwards, and again, adds nothing the tracked file already has.
#[test]
fn init_then_here_write_each_rule_once() {
    if !have_git() {
        return;
    }
    let jiuzhus = jiuzhus_rules();
    let dir = tempfile::tempdir().unwrap();
    let mine = "*.pdf binary\n";
    std::fs::write(
        dir.path().join(".gitattributes"),
        format!("{mine}{}\n{}", jiuzhus[0], jiuzhus[jiuzhus.len() - 1]),
    )
    .unwrap();
    assert_exit(&jz(dir.path(), &["init"]), 0);
    let tracked = std::fs::read_to_string(dir.path().join(".gitattributes")).unwrap();
    assert!(tracked.starts_with(mine), "{tracked}");
    each_once(&[&tracked], &jiuzhus);

    for _ in 0..2 {
        assert_exit(&jz(dir.path(), &["init", "--here"]), 0);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitattributes")).unwrap(),
            tracked,
            "--here touched the tracked file"
        );
        each_once(&[&tracked, &local_attributes(dir.path())], &jiuzhus);
    }
}

/// The clone of a workspace made by an earlier version (its `.gitattributes` lacks a rule of today's) gets only
/// that rule in `.git/info/attributes`, once however often `init --here` runs.
#[test]
fn here_in_an_older_workspaces_clone_adds_only_the_missing_rules() {
    if !have_git() {
        return;
    }
    let jiuzhus = jiuzhus_rules();
    let ws = Ws::new();
    let old: String = ws
        .read(".gitattributes")
        .lines()
        .filter(|l| !l.contains("ledgers/**"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(old, ws.read(".gitattributes"), "the test needs a rule to leave out");
    std::fs::write(ws.path(".gitattributes"), &old).unwrap();
    git_text(ws.root(), &["add", "-A"]);
    git_text(ws.root(), &["commit", "-q", "-m", "an older workspace"]);
    let parent = tempfile::tempdir().unwrap();
    git_text(parent.path(), &["clone", "-q", ws.root().to_str().unwrap(), "clone"]);
    let clone = parent.path().join("clone");
    for _ in 0..2 {
        assert_exit(&jz(&clone, &["init", "--here"]), 0);
        let local = local_attributes(&clone);
        each_once(&[&old, &local], &jiuzhus);
        let added: Vec<String> = rules(&local).into_iter().filter(|r| jiuzhus.contains(r)).collect();
        assert!(added.len() == 1 && added[0].starts_with("ledgers/**"), "{local}");
    }
    assert_eq!(git_text(&clone, &["status", "--porcelain"]), "");
}

/// A workspace made before `.gitignore` had the `.jiuzhu/` line: the next step keeps jiuzhu's private state
/// folder (the lock, a step's staging) out of Git — `git status` does not show it, neither the step's `--commit`
/// nor a clerk's `git add -A` takes it — without touching a tracked file (the rule goes into the repository's own
/// `.git/info/exclude`). A workspace whose `.gitignore` has the line gets nothing more.
#[test]
fn a_step_keeps_the_state_folder_out_of_git_when_gitignore_lacks_it() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    let gitignore = "# our own\n*.bak\n";
    std::fs::write(ws.path(".gitignore"), gitignore).unwrap();
    std::fs::write(ws.path(".jiuzhu/left-by-an-earlier-step"), "x").unwrap();
    assert!(
        git_text(ws.root(), &["status", "--porcelain"]).contains(".jiuzhu/"),
        "the test needs a workspace that shows its state folder"
    );
    git_text(ws.root(), &["add", ".gitignore", ".gitattributes"]);
    git_text(ws.root(), &["commit", "-q", "-m", "an older workspace"]);

    let reg = fixture("per-member-utf8bom.csv");
    let out = jz(ws.root(), &["--commit", "intake", reg.to_str().unwrap()]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(ws.path(".jiuzhu/lock").exists());
    let status = git_text(ws.root(), &["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains(".jiuzhu"), "{status}");
    let committed = git_text(ws.root(), &["show", "--name-only", "--format=", "HEAD"]);
    assert!(committed.contains("ledgers/cases.csv"), "{committed}");
    assert!(!committed.contains(".jiuzhu"), "{committed}");
    git_text(ws.root(), &["add", "-A"]);
    let staged = git_text(ws.root(), &["ls-files"]);
    assert!(!staged.contains(".jiuzhu"), "{staged}");
    // No tracked file changed under the clerk; the rule is the repository's own, written once.
    assert_eq!(ws.read(".gitignore"), gitignore);
    let exclude = ws.read(".git/info/exclude");
    assert_eq!(exclude.lines().filter(|l| *l == ".jiuzhu/").count(), 1, "{exclude}");
    let out = jz(ws.root(), &["--commit", "verify", "--as-of", "2026-11-20"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_eq!(ws.read(".git/info/exclude"), exclude);

    // A workspace made by today's `init` has the line in `.gitignore`: nothing is added elsewhere.
    let fresh = Ws::new();
    let out = jz(fresh.root(), &["--commit", "intake", reg.to_str().unwrap()]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let exclude = std::fs::read_to_string(fresh.path(".git/info/exclude")).unwrap_or_default();
    assert!(!exclude.contains(".jiuzhu"), "{exclude}");
    let status = git_text(fresh.root(), &["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains(".jiuzhu"), "{status}");
}
