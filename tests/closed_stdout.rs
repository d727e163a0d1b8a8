//! A reader that goes away (`jiuzhu … | head -1` under `set -o pipefail`) is not a failure of the step: every
//! step run with its stdout a pipe nobody reads any more gives the exit code it gives on a terminal, and writes
//! the same files. (`println!` panicked there with exit 101, after the step had committed; `cat` exited 2.)

mod common;
mod month;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;
use month::{county, s};

/// A pipe whose read end is already closed: every write to it fails with EPIPE, whenever it comes.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// `jiuzhu -C WS ARGS…` with stdout a closed pipe (stderr kept, to show a panic).
fn run_closed(ws: &Ws, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jiuzhu"))
        .env_remove("JIUZHU_CRASH_AT")
        .arg("-C")
        .arg(ws.root())
        .args(args)
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .expect("run jiuzhu")
}

/// Asserts the run neither panicked nor said a word about the pipe.
#[track_caller]
fn assert_no_pipe_trouble(out: &Output, what: &str) {
    let err = stderr(out);
    assert!(
        !err.contains("panicked") && !err.to_lowercase().contains("broken pipe"),
        "{what}: {err}"
    );
}

#[test]
fn intake_into_a_closed_pipe_exits_1_for_its_rejected_rows_and_keeps_what_it_accepted() {
    let ws = Ws::new();
    let out = run_closed(&ws, &["intake", &s(&fixture("per-member.xlsx"))]);
    assert_no_pipe_trouble(&out, "intake");
    assert_exit(&out, 1);
    let cases: Vec<jiuzhu::ledger::Case> = ws.records();
    assert_eq!(cases.len(), 4, "the 4 accepted households are in the ledger");
    assert!(ws.report("per-member").exists(), "the rejects report was written");
    // Committed, not left half done: the next run finds it imported.
    let again = ws.intake(&["per-member.xlsx"]);
    assert!(first_line(&again).contains("already imported"), "{}", stdout(&again));
}

/// The example county's month, each step run twice: in a workspace with stdout a terminal's stand-in (a pipe read
/// to its end) and in one whose stdout is closed. Each step exits the same, and the ledgers come out the same.
#[test]
fn every_step_of_the_month_into_a_closed_pipe_exits_as_it_would_and_writes_the_same() {
    let (read, closed) = (Ws::new(), Ws::new());
    let step = |args: &[&str]| {
        let expected = read.run(args);
        assert!(expected.status.code() != Some(2), "{args:?}: {}", stderr(&expected));
        let out = run_closed(&closed, args);
        assert_no_pipe_trouble(&out, &format!("{args:?}"));
        assert_eq!(out.status.code(), expected.status.code(), "{args:?}: {}", stderr(&out));
        assert_eq!(closed.ledgers(), read.ledgers(), "{args:?}: the ledgers differ");
    };
    step(&[
        "intake",
        &s(&county("inbox/2026-11/城关镇-申请登记表.xlsx")),
        &s(&county("inbox/2026-11/东河乡-申请登记.csv")),
        &s(&county("inbox/2026-11/西岭镇-申请登记.xlsx")),
    ]);
    step(&[
        "intake",
        "--kind",
        "followups",
        &s(&county("followups/2026-11-回访.csv")),
    ]);
    step(&[
        "verify",
        "--as-of",
        "2026-11-20",
        "--visits",
        &s(&county("visits/2026-11-入户调查.csv")),
    ]);
    step(&["decide", "--period", "2026-11"]);
    step(&["decide", "--period", "2026-11", "--preview"]);
    step(&["status"]);
    step(&["report", "--period", "2026-11"]);
    step(&["audit"]);
    step(&["disburse", "--period", "2026-11"]);
    step(&["status"]);
}

#[test]
fn cat_and_diff_into_a_closed_pipe_exit_as_they_would() {
    let ws = Ws::new();
    let register = fixture("per-member.xlsx");
    let out = run_closed(&ws, &["cat", &s(&register)]);
    assert_no_pipe_trouble(&out, "cat");
    assert_exit(&out, 0);
    // diff's exit 1 (the files differ) stays 1.
    let out = run_closed(&ws, &["diff", &s(&register), &s(&fixture("per-member.ods"))]);
    assert_no_pipe_trouble(&out, "diff");
    assert_eq!(
        out.status.code(),
        ws.run(&["diff", &s(&register), &s(&fixture("per-member.ods"))])
            .status
            .code()
    );
}

/// With stderr closed as well (`jiuzhu … 2>&1 | head -1`), a step that cannot run still exits 2, and one that
/// ran its own code: the message that cannot be written is dropped, not a panic.
#[test]
fn a_closed_stderr_keeps_the_exit_code_too() {
    let ws = Ws::new();
    let run = |args: &[&str], json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiuzhu"));
        cmd.env_remove("JIUZHU_CRASH_AT").arg("-C").arg(ws.root());
        if json {
            cmd.arg("--json");
        }
        cmd.args(args)
            .stdout(closed_pipe())
            .stderr(closed_pipe())
            .status()
            .expect("run jiuzhu")
            .code()
    };
    let missing = Path::new("/no/such/register.xlsx");
    assert_eq!(run(&["intake", &s(missing)], false), Some(2));
    assert_eq!(run(&["intake", &s(&fixture("per-household.xlsx"))], false), Some(0));
    // --json sends the human lines to stderr, the object to stdout: both closed.
    assert_eq!(run(&["intake", &s(&fixture("per-member.xlsx"))], true), Some(1));
    assert_eq!(run(&["status"], true), ws.run(&["status"]).status.code());
}
