//! Every hint jiuzhu prints works when pasted into a shell in the folder the user is in: the examples of `--help`
//! (whole lines at any terminal width, and commands jiuzhu parses).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

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

/// A folder to run from that is neither a workspace nor inside one.
fn elsewhere() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
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
