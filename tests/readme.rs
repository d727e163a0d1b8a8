//! The README's examples are executed, so the documentation cannot drift from the program.
//!
//! Every ```console block in README.md is a session: `$ command` lines run in order (in one temporary folder
//! holding links to `examples/` and `fixtures/`, with the freshly built `jiuzhu` first on PATH; `cd` changes the
//! folder for the lines after it). The lines under a command are its expected output (stdout, then stderr);
//! `...` stands for any number of lines, and `[exit N]` gives the expected exit code (0 when absent).

use std::path::{Path, PathBuf};
use std::process::Command;

struct Step {
    command: String,
    expected: Vec<String>,
    exit: i32,
    line: usize,
}

fn sessions(readme: &str) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut steps: Vec<Step> = Vec::new();
    for (i, line) in readme.lines().enumerate() {
        if !in_block {
            in_block = line.trim() == "```console";
            continue;
        }
        if line.trim() == "```" {
            in_block = false;
            out.push(std::mem::take(&mut steps));
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: cmd.to_string(),
                expected: Vec::new(),
                exit: 0,
                line: i + 1,
            });
        } else if let Some(code) = line.strip_prefix("[exit ").and_then(|s| s.strip_suffix(']')) {
            steps.last_mut().expect("[exit] after a command").exit = code.parse().expect("exit code");
        } else {
            steps
                .last_mut()
                .expect("output after a command")
                .expected
                .push(line.to_string());
        }
    }
    out
}

/// Matches output lines against expected lines, where `...` matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "..." => (0..=actual.len()).any(|k| matches(rest, &actual[k..])),
        Some((e, rest)) => actual.first().is_some_and(|a| a == e) && matches(rest, &actual[1..]),
    }
}

#[test]
fn readme_examples_run_as_documented() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_jiuzhu")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let all = sessions(&readme);
    assert!(
        all.iter().map(Vec::len).sum::<usize>() >= 8,
        "the README shows its commands"
    );
    // The walk-through runs in a scratch folder, as the README tells a reader to: the clone is left as it was.
    let clone_before = clone_status(&repo);
    let tmp = tempfile::tempdir().unwrap();
    for name in ["examples", "fixtures"] {
        std::os::unix::fs::symlink(repo.join(name), tmp.path().join(name)).unwrap();
    }
    let mut cwd = tmp.path().to_path_buf();
    let mut blessed: Vec<(usize, Vec<String>, i32)> = Vec::new();
    for step in all.iter().flatten() {
        if let Some(dir) = step.command.strip_prefix("cd ") {
            cwd = cwd.join(dir.trim());
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(&step.command)
            .current_dir(&cwd)
            .env("PATH", &path)
            .env("LANG", "C.UTF-8")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let actual: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
        let code = out.status.code().unwrap_or(-1);
        if std::env::var("README_BLESS").is_ok() && !(code == step.exit && matches(&step.expected, &actual)) {
            blessed.push((step.line, bless(&step.expected, &actual), code));
            continue;
        }
        assert!(
            code == step.exit && matches(&step.expected, &actual),
            "README.md line {}: `{}`\n  expected exit {} and:\n{}\n  got exit {code} and:\n{}",
            step.line,
            step.command,
            step.exit,
            step.expected.join("\n"),
            actual.join("\n")
        );
    }
    assert_eq!(
        clone_status(&repo),
        clone_before,
        "the README's walk-through changed files in the clone"
    );
    if !blessed.is_empty() {
        rewrite(&repo.join("README.md"), &readme, &blessed);
        panic!(
            "README_BLESS: rewrote the output of {} commands in README.md; review the diff",
            blessed.len()
        );
    }
}

/// What Git says of the clone's files (changed, untracked), or nothing when the source is no Git clone.
fn clone_status(repo: &Path) -> String {
    Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(repo)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// The new expected lines for a step: the actual output, cut to as many lines as the old expectation showed
/// before its `...` (with the `...` kept), or whole when it had none.
fn bless(expected: &[String], actual: &[&str]) -> Vec<String> {
    match expected.iter().position(|l| l == "...") {
        Some(k) if actual.len() > k => {
            let mut v: Vec<String> = actual[..k].iter().map(|s| s.to_string()).collect();
            v.push("...".into());
            v
        }
        _ => actual.iter().map(|s| s.to_string()).collect(),
    }
}

/// Rewrites the README with blessed outputs (`README_BLESS=1 cargo test --test readme`), for a person to review.
fn rewrite(path: &Path, readme: &str, blessed: &[(usize, Vec<String>, i32)]) {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        out.push(lines[i].to_string());
        if let Some((_, new, code)) = blessed.iter().find(|(l, _, _)| *l == i + 1) {
            i += 1;
            while i < lines.len() && !lines[i].starts_with("$ ") && lines[i].trim() != "```" {
                i += 1;
            }
            out.extend(new.iter().cloned());
            if *code != 0 {
                out.push(format!("[exit {code}]"));
            }
            continue;
        }
        i += 1;
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}
