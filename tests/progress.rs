//! Progress of long steps: drawn on a terminal (a bar or counter with the phase's name), erased when the step
//! ends, and never drawn when stderr is not a terminal, with `--quiet` or with `--json`.
//!
//! `JIUZHU_PROGRESS_AFTER_MS=0` (a testing knob) draws progress at once instead of after a second, so that a
//! step that would draw anything does so here.

mod common;
mod month;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use month::{county, s};

/// `jiuzhu -C WS ARGS…` with progress drawn at once where it may be drawn at all.
fn run_now(ws: &Ws, args: &[&str]) -> Output {
    jiuzhu()
        .env("JIUZHU_PROGRESS_AFTER_MS", "0")
        .arg("-C")
        .arg(ws.root())
        .args(args)
        .output()
        .expect("jiuzhu runs")
}

#[track_caller]
fn assert_no_progress(out: &Output, step: &str) {
    let err = stderr(out);
    assert_ne!(out.status.code(), Some(2), "{step}: {err}");
    assert!(
        !err.contains('\r') && !err.contains("\x1b["),
        "{step}: progress drawn although stderr is not a terminal:\n{err:?}"
    );
}

#[test]
fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
    let ws = Ws::new();
    let steps: Vec<Vec<String>> = vec![
        vec![
            "intake".into(),
            s(&county("inbox/2026-11/城关镇-申请登记表.xlsx")),
            s(&county("inbox/2026-11/东河乡-申请登记.csv")),
            s(&county("inbox/2026-11/西岭镇-申请登记.xlsx")),
        ],
        vec![
            "verify".into(),
            "--as-of".into(),
            "2026-11-20".into(),
            "--visits".into(),
            s(&county("visits/2026-11-入户调查.csv")),
        ],
        vec![
            "compare".into(),
            format!("--source=deaths={}", s(&county("registries/deaths.xlsx"))),
            format!("--source=vehicles={}", s(&county("registries/vehicles.csv"))),
        ],
        vec!["decide".into(), "--period".into(), "2026-11".into()],
    ];
    for step in &steps {
        let args: Vec<&str> = step.iter().map(String::as_str).collect();
        assert_no_progress(&run_now(&ws, &args), &step[0]);
    }

    // The rest of the month: the batch, the audit, the report, the archive.
    let ws = month::month();
    for args in [
        &["disburse", "--period", "2026-11"][..],
        &["audit"],
        &["report", "--period", "2026-11"],
        &["archive"],
    ] {
        assert_no_progress(&run_now(&ws, args), args[0]);
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let out = jiuzhu()
        .env("JIUZHU_PROGRESS_AFTER_MS", "0")
        .args(["sample-data", "--households", "50"])
        .arg(dir.path().join("sample"))
        .output()
        .expect("jiuzhu runs");
    assert_exit(&out, 0);
    assert_no_progress(&out, "sample-data");
}

/// `script` (util-linux) runs a command on a pseudo-terminal; where it is missing the terminal test is skipped.
fn script() -> Option<std::path::PathBuf> {
    let out = Command::new("sh").args(["-c", "command -v script"]).output().ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !path.is_empty()).then(|| path.into())
}

/// What a terminal received from `jiuzhu ARGS…` run in `dir` (stdout and stderr both on the terminal).
fn on_terminal(script: &Path, dir: &Path, args: &[&str], lang: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("jiuzhu");
    let command = std::iter::once(bin.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|w| jiuzhu::ui::shell_quote(&w))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("JIUZHU_PROGRESS_AFTER_MS", "0")
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("NO_COLOR")
        .output()
        .expect("script runs");
    assert!(out.status.code() != Some(2), "{command}: {}", stdout(&out));
    stdout(&out)
}

#[test]
fn on_a_terminal_the_bar_is_drawn_and_erased() {
    let Some(script) = script() else {
        println!("note: `script` (util-linux) is not installed; the terminal progress test is skipped");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = jiuzhu()
        .args(["sample-data", "--households", "3000", "--quiet"])
        .arg(dir.path().join("big"))
        .output()
        .expect("jiuzhu runs");
    assert_exit(&out, 0);
    let big = dir.path().join("big");
    let mut registers: Vec<String> = std::fs::read_dir(big.join("inputs/registers"))
        .expect("registers written")
        .map(|e| format!("inputs/registers/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    registers.sort();
    let mut intake = vec!["intake"];
    intake.extend(registers.iter().map(String::as_str));

    // Never with --quiet or --json, even on a terminal.
    for flag in ["--quiet", "--json"] {
        let mut args = intake.clone();
        args.extend(["--dry-run", flag]);
        let seen = on_terminal(&script, &big, &args, "en_US.UTF-8");
        assert!(
            !seen.contains("intake: registers read") && !seen.contains("\x1b[2K"),
            "{flag}: progress drawn:\n{seen:?}"
        );
    }

    let seen = on_terminal(&script, &big, &intake, "zh_CN.UTF-8");
    // The phase was drawn, with its count.
    assert!(seen.contains("导入: 已读取登记表 ["), "no bar drawn:\n{seen:?}");
    assert!(seen.contains("/3"), "no count in the bar:\n{seen:?}");
    // The summary was printed on a line of its own (the bar erased before it), and the line after it ends
    // erased: whatever frame was drawn last is cleared, leaving the summary the last thing on screen.
    let summary = seen.rfind("导入 3 个文件").expect("the summary line");
    assert!(
        seen[..summary].ends_with("\r\x1b[2K"),
        "the bar was not erased before the summary:\n{seen:?}"
    );
    let after = &seen[summary..];
    let last_line = &after[after.rfind('\n').expect("the summary ends its line") + 1..];
    assert!(
        last_line.is_empty() || last_line.ends_with("\r\x1b[2K"),
        "the last frame stays on screen:\n{last_line:?}"
    );
    assert!(!after.contains("导入: "), "a bar frame after the summary:\n{after:?}");
}
