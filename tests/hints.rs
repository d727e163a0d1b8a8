//! Every hint jiuzhu prints works when pasted into a shell in the folder the user is in: the next step after
//! `sample-data` and `init`, the commands in step summaries and in `status` after `-C DIR`, the files they name
//! (written, not only planned), and the examples of `--help` (whole lines at any terminal width, and commands
//! jiuzhu parses).

mod common;
mod month;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use month::{county, s};

/// Runs `line` as if pasted into `sh` in `cwd`, with this build's `jiuzhu` first on PATH.
fn paste(cwd: &Path, line: &str) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_jiuzhu")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(cwd)
        .env("PATH", path)
        .env_remove("JIUZHU_CRASH_AT")
        .output()
        .expect("run sh")
}

/// `jiuzhu ARGS…` in `cwd` (no `-C`).
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    jiuzhu().current_dir(cwd).args(args).output().expect("run jiuzhu")
}

/// The text after `prefix` on the line that starts with it.
fn line_after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{text}"))
}

/// The `jiuzhu …` commands quoted in backticks in `text`.
fn quoted_commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("jiuzhu "))
        .map(str::to_string)
        .collect()
}

/// A printed command with its date and month placeholders filled in, made a dry run.
fn filled_dry_run(command: &str) -> String {
    format!(
        "{} --dry-run",
        command
            .replace("YYYY-MM-DD", "2026-11-25")
            .replace("YYYY-MM", "2026-11")
            .replace("--as-of DATE", "--as-of 2026-11-25")
    )
}

/// The `reports/…` files `text` names as written (not on a line saying what would be written).
fn named_reports(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.contains("would be"))
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || "`()".contains(c)))
        .filter(|w| w.starts_with("reports/") && !w.contains('*'))
        .map(|w| w.trim_end_matches([',', ';', ':']).to_string())
        .collect()
}

#[track_caller]
fn assert_named_reports_exist(ws: &Ws, text: &str) {
    for rel in named_reports(text) {
        assert!(ws.path(&rel).exists(), "{rel} is named but was not written:\n{text}");
    }
}

/// A folder to run from that is neither a workspace nor inside one.
fn elsewhere() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn the_next_step_after_sample_data_runs_pasted_where_it_was_printed() {
    let tmp = elsewhere();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    for args in [
        &["sample-data", "--households", "30", "big"][..],
        &["-C", "sub", "sample-data", "--households", "30", "my month"][..],
    ] {
        let out = run_in(tmp.path(), args);
        assert_exit(&out, 0);
        let next = line_after(&stdout(&out), "  next: ").to_string();
        let pasted = paste(tmp.path(), &next);
        // intake takes every register (exit 0, or verify would not run after `&&`); verify may find cases for
        // a person (exit 1).
        assert!(
            matches!(pasted.status.code(), Some(0 | 1)),
            "`{next}` failed:\n{}{}",
            stdout(&pasted),
            stderr(&pasted)
        );
        let dir = tmp.path().join(if args[0] == "-C" { "sub/my month" } else { "big" });
        assert!(dir.join("ledgers/checks.csv").exists(), "`{next}` did not verify");
    }
}

#[test]
fn the_next_step_after_init_runs_pasted_where_it_was_printed() {
    let tmp = elsewhere();
    let out = run_in(tmp.path(), &["init", "county"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let next = line_after(&text, "  next: edit ");
    let policy = next.split_whitespace().next().unwrap();
    assert!(tmp.path().join(policy).is_file(), "{policy} is not the policy: {text}");
    // `cd county && jiuzhu intake REGISTER.xlsx`, with a register of one's own.
    let command = next.split('`').nth(1).unwrap_or_else(|| panic!("no command in {next}"));
    assert!(command.contains("jiuzhu intake REGISTER.xlsx"), "{next}");
    let register = fixture("per-household.xlsx");
    let pasted = paste(tmp.path(), &command.replace("REGISTER.xlsx", &s(&register)));
    assert_exit(&pasted, 0);
    assert!(tmp.path().join("county/ledgers/cases.csv").is_file());
}

/// The `--help` of jiuzhu and of each subcommand: (name, text) at a terminal `columns` wide.
fn helps(columns: usize) -> Vec<(String, String)> {
    let top = stdout(
        &jiuzhu()
            .arg("--help")
            .env("COLUMNS", columns.to_string())
            .output()
            .unwrap(),
    );
    let names: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A command's name, not the wrapped rest of its description.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.contains(&"decide".to_string()), "{top}");
    let mut out = vec![("jiuzhu".to_string(), top)];
    for n in names {
        let o = jiuzhu()
            .args([&n, "--help"])
            .env("COLUMNS", columns.to_string())
            .output()
            .unwrap();
        assert_exit(&o, 0);
        out.push((n, stdout(&o)));
    }
    out
}

/// The example lines of a help text: the lines under `Examples:` (or `Example:`) up to the first blank line.
fn example_lines(help: &str) -> Vec<&str> {
    help.lines()
        .skip_while(|l| *l != "Examples:" && *l != "Example:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn help_examples_are_whole_lines_at_any_width() {
    for columns in [40, 80, 100] {
        for (name, help) in helps(columns) {
            let lines = example_lines(&help);
            assert!(!lines.is_empty(), "{name}: no examples:\n{help}");
            let mut continued = false;
            for l in lines {
                let starts = ["jiuzhu ", "cd ", "git ", "LANG="]
                    .iter()
                    .any(|p| l.trim_start().starts_with(p));
                assert!(
                    starts || continued,
                    "{name} --help at {columns} columns breaks an example: `{l}`\n{help}"
                );
                continued = l.ends_with('\\');
            }
        }
    }
}

#[test]
fn help_examples_are_commands_jiuzhu_parses() {
    let tmp = elsewhere();
    for (name, help) in helps(100) {
        let text = example_lines(&help).join("\n").replace("\\\n", " ");
        for l in text.lines().map(str::trim).filter(|l| l.starts_with("jiuzhu ")) {
            // The command itself: without its comment, its pipe or its redirection.
            let command = l
                .split(" #")
                .next()
                .unwrap()
                .split(" | ")
                .next()
                .unwrap()
                .split(" > ")
                .next()
                .unwrap();
            // `--help` after the arguments: jiuzhu parses them (an unknown option or value is refused) and stops.
            let out = paste(tmp.path(), &format!("{command} --help"));
            assert_exit(&out, 0);
            assert!(stdout(&out).contains("Usage:"), "{name}: `{command}`");
        }
    }
}

/// A workspace of the example county's registers, verified (nothing decided yet).
fn verified() -> Ws {
    let ws = Ws::new();
    let out = ws.run(&[
        "intake",
        &s(&county("inbox/2026-11/城关镇-申请登记表.xlsx")),
        &s(&county("inbox/2026-11/东河乡-申请登记.csv")),
        &s(&county("inbox/2026-11/西岭镇-申请登记.xlsx")),
    ]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = ws.run(&[
        "verify",
        "--as-of",
        "2026-11-20",
        "--visits",
        &s(&county("visits/2026-11-入户调查.csv")),
    ]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    ws
}

/// Pastes each `jiuzhu` command quoted in `text` (its placeholders filled, as a dry run) in `cwd`: each runs.
#[track_caller]
fn assert_quoted_commands_run(cwd: &Path, text: &str) -> usize {
    let commands = quoted_commands(text);
    for c in &commands {
        let line = filled_dry_run(c);
        let out = paste(cwd, &line);
        assert_ne!(out.status.code(), Some(2), "`{line}` failed:\n{}", stderr(&out));
    }
    commands.len()
}

#[test]
fn decide_names_the_worksheet_it_writes_and_how_to_record_it() {
    let ws = verified();
    let here = elsewhere();
    // A preview writes nothing and names nothing as written; a dry run says what it would write.
    let preview = stdout(&ws.run(&["decide", "--period", "2026-11", "--preview"]));
    assert!(
        !preview.contains("worksheet:") && !preview.contains("review-meeting"),
        "{preview}"
    );
    assert_named_reports_exist(&ws, &preview);
    let dry = stdout(&ws.run(&["decide", "--period", "2026-11", "--dry-run"]));
    assert!(
        dry.contains("worksheet would be reports/review-meeting-2026-11.xlsx"),
        "{dry}"
    );
    assert_named_reports_exist(&ws, &dry);
    assert!(!ws.path("reports/review-meeting-2026-11.xlsx").exists());

    let out = ws.run(&["decide", "--period", "2026-11"]);
    let text = stdout(&out);
    let worksheet = line_after(&text, "  worksheet: ");
    assert!(worksheet.starts_with("reports/review-meeting-2026-11.xlsx "), "{text}");
    assert_named_reports_exist(&ws, &text);
    // The command names the worksheet, and runs pasted in another folder (jiuzhu ran with -C).
    let record = quoted_commands(worksheet);
    assert_eq!(record.len(), 1, "{worksheet}");
    assert!(
        record[0].contains("decide --record reports/review-meeting-2026-11.xlsx"),
        "{worksheet}"
    );
    assert!(record[0].starts_with("jiuzhu -C "), "{worksheet}");
    assert_eq!(assert_quoted_commands_run(here.path(), worksheet), 1);

    // decide --record's dry run does not name the public notice as written either.
    let dry = ws.run(&[
        "decide",
        "--record",
        &s(&ws.path("reports/review-meeting-2026-11.xlsx")),
        "--meeting",
        "审批会",
        "--date",
        "2026-11-25",
        "--dry-run",
    ]);
    assert_named_reports_exist(&ws, &stdout(&dry));
}

#[test]
fn compare_and_decide_name_the_hits_worksheet_in_the_command_that_resolves_it() {
    let ws = verified();
    let here = elsewhere();
    let source = format!("deaths={}", s(&county("registries/deaths.xlsx")));
    let dry = stdout(&ws.run(&["compare", "--source", &source, "--dry-run"]));
    assert_named_reports_exist(&ws, &dry);
    let out = ws.run(&["compare", "--source", &source]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert_named_reports_exist(&ws, &text);
    let worksheet = line_after(&text, "  worksheet: ");
    assert!(
        quoted_commands(worksheet)[0].contains("compare --resolve reports/compare-hits-"),
        "{text}"
    );
    assert_eq!(assert_quoted_commands_run(here.path(), worksheet), 1);
    // decide blocks the case with the hit, and says how to resolve it.
    let decide = stdout(&ws.run(&["decide", "--period", "2026-11", "--dry-run"]));
    let blocked: String = decide.lines().filter(|l| l.contains("open registry hits")).collect();
    assert!(assert_quoted_commands_run(here.path(), &blocked) >= 1, "{decide}");
}

#[test]
fn status_commands_run_pasted_in_the_folder_status_ran_from() {
    let ws = verified();
    assert_ne!(ws.run(&["decide", "--period", "2026-11"]).status.code(), Some(2));
    let here = elsewhere();
    let out = ws.run(&["--json", "status"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ran = 0;
    for item in status["items"].as_array().unwrap() {
        // A command, or advice quoting one.
        let text = item["command"].as_str().unwrap();
        let commands = if text.starts_with("jiuzhu ") {
            vec![text.to_string()]
        } else {
            quoted_commands(text)
        };
        // Those whose every placeholder can be filled in (a file of one's own cannot).
        for command in commands.iter().filter(|c| !c.contains("FILE") && !c.contains("NAME")) {
            let line = filled_dry_run(command);
            let pasted = paste(here.path(), &line);
            assert_ne!(pasted.status.code(), Some(2), "`{line}`:\n{}", stderr(&pasted));
            ran += 1;
        }
    }
    assert!(ran >= 3, "{status:#}");
    // The same commands in the human listing.
    let listing = stdout(&ws.run(&["status"]));
    let root = ws.root().canonicalize().unwrap();
    assert!(listing.contains(&format!("→ jiuzhu -C {}", s(&root))), "{listing}");
}
