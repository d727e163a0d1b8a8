//! `--help` and usage errors in the run's language (issue 20): under a Chinese locale or `--lang zh` every help
//! (the command list, each command's description, options, examples' comments, clap's own headings and texts)
//! and every usage error is Chinese; under other locales they stay English as clap gives them.

mod common;

use std::process::Output;

use assert_cmd::Command;
use common::*;

/// jiuzhu under `LANG=zh_CN.UTF-8` (and no LC_ALL/LC_MESSAGES to override it). The help is not wrapped (a
/// terminal as wide as a paragraph): a line wrapped inside a command in backticks (`git diff` / `--word-diff`)
/// would leave half a command outside its backticks for the check of English words.
fn zh() -> Command {
    let mut cmd = jiuzhu();
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .env("COLUMNS", "10000");
    cmd
}

/// jiuzhu under `LANG=C`.
fn en() -> Command {
    let mut cmd = jiuzhu();
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("COLUMNS", "10000");
    cmd
}

/// Every command of jiuzhu, by hand. The list is checked against the command list jiuzhu prints, so a command
/// added later is not missed here.
const COMMANDS: &[&str] = &[
    "init",
    "sample-data",
    "intake",
    "verify",
    "compare",
    "diff",
    "cat",
    "decide",
    "explain",
    "status",
    "report",
    "disburse",
    "audit",
    "accept-edits",
    "rollup",
    "supplements",
    "withdraw",
    "discover",
    "correct",
    "recover",
    "upgrade",
    "archive",
];

/// The commands a top-level help lists under `heading` (clap's `Commands:` or `命令:`), `help` left out.
fn listed(help: &str, heading: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A command's name, not the wrapped rest of its description.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect()
}

/// A help with the command lines of its examples blanked (they are commands, typed as they are: `jiuzhu init
/// county`); what an example says about itself (`# 在当前文件夹`) stays and is checked.
fn without_example_commands(out: &Output) -> Output {
    let mut text = Vec::new();
    let mut in_examples = false;
    for line in stdout(out).lines() {
        if line == "示例:" {
            in_examples = true;
            text.push(line.to_string());
            continue;
        }
        if line.trim().is_empty() {
            in_examples = false;
        }
        if in_examples {
            text.push(line.split_once(" #").map(|(_, c)| c.to_string()).unwrap_or_default());
        } else {
            text.push(line.to_string());
        }
    }
    Output {
        status: out.status,
        stdout: text.join("\n").into_bytes(),
        stderr: out.stderr.clone(),
    }
}

/// Asserts a help printed in Chinese: exit 0, clap's layout with Chinese headings, no English sentence.
#[track_caller]
fn assert_chinese_help(out: &Output, what: &str) {
    assert_exit(out, 0);
    let text = stdout(out);
    assert!(text.contains("用法: jiuzhu"), "{what}: no 用法:\n{text}");
    for english in [
        "Usage:",
        "Options:",
        "Arguments:",
        "Commands:",
        "Examples:",
        "Print help",
        "Print version",
        "[default:",
        "[possible values:",
        "Possible values:",
        "[OPTIONS]",
    ] {
        assert!(!text.contains(english), "{what}: `{english}` in\n{text}");
    }
    let found = english_lines(&without_example_commands(out));
    assert!(
        found.is_empty(),
        "{what}: English reached a Chinese user:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_list_of_commands_is_every_command_in_both_languages() {
    let english = stdout(&en().arg("--help").output().unwrap());
    assert_eq!(listed(&english, "Commands:"), COMMANDS, "{english}");
    let chinese = stdout(&zh().arg("--help").output().unwrap());
    assert_eq!(listed(&chinese, "命令:"), COMMANDS, "{chinese}");
}

#[test]
fn every_help_is_chinese_under_a_chinese_locale() {
    for args in [vec!["--help"], vec!["-h"], vec!["help"], vec!["help", "help"]] {
        let out = zh().args(&args).output().unwrap();
        assert_chinese_help(&out, &args.join(" "));
    }
    for command in COMMANDS {
        for args in [vec![*command, "--help"], vec![*command, "-h"], vec!["help", command]] {
            let out = zh().args(&args).output().unwrap();
            assert_chinese_help(&out, &args.join(" "));
            let text = stdout(&out);
            assert!(
                text.contains(&format!("用法: jiuzhu {command}")),
                "{}:\n{text}",
                args.join(" ")
            );
            assert!(text.contains("示例:"), "{}: no examples\n{text}", args.join(" "));
        }
    }
    // The actions of archive, and help after other arguments.
    for args in [
        vec!["archive", "verify", "--help"],
        vec!["archive", "purge", "--help"],
        vec!["-q", "intake", "x.xlsx", "--help"],
    ] {
        let out = zh().args(&args).output().unwrap();
        assert_chinese_help(&out, &args.join(" "));
    }
}

#[test]
fn lang_zh_gives_chinese_help_whatever_the_locale() {
    for command in std::iter::once(&"").chain(COMMANDS) {
        let args: Vec<&str> = ["--lang", "zh", command, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let out = en().args(&args).output().unwrap();
        assert_chinese_help(&out, &args.join(" "));
        // `--lang=zh` after the command, too.
        let args: Vec<&str> = [command, "--help", "--lang=zh"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        assert_chinese_help(&en().args(&args).output().unwrap(), &args.join(" "));
    }
}

#[test]
fn clap_texts_and_examples_are_chinese() {
    let top = stdout(&zh().arg("--help").output().unwrap());
    for heading in [
        "用法: jiuzhu [选项] <命令>",
        "\n命令:\n",
        "\n选项:\n",
        "显示帮助",
        "显示版本",
        "\n示例:\n",
    ] {
        assert!(top.contains(heading), "`{heading}` not in\n{top}");
    }
    let intake = stdout(&zh().args(["intake", "--help"]).output().unwrap());
    assert!(intake.contains("\n参数:\n  <FILE>..."), "{intake}");
    // Before 选项, as Arguments before Options in English.
    assert!(
        intake.find("\n参数:\n").unwrap() < intake.find("\n选项:\n").unwrap(),
        "{intake}"
    );
    assert!(intake.contains("[默认: `applications`]"), "{intake}");
    assert!(intake.contains("- `followups`: 回访记录"), "{intake}");
    let audit = stdout(&zh().args(["audit", "--help"]).output().unwrap());
    assert!(
        audit.find("\n参数:\n").unwrap() < audit.find("\n选项:\n").unwrap(),
        "{audit}"
    );
    assert!(
        audit.contains("`payments-match-decisions`") && audit.contains("J301"),
        "{audit}"
    );
    let sample = stdout(&zh().args(["sample-data", "-h"]).output().unwrap());
    assert!(sample.contains("[可选值: `county`、`province`]"), "{sample}");
    assert!(sample.contains("[默认: `2026`]"), "{sample}");
    // The examples: the commands as written, their comments in Chinese.
    let init = stdout(&zh().args(["init", "--help"]).output().unwrap());
    assert!(init.contains("  jiuzhu init county     # 在 ./county\n"), "{init}");
    assert!(init.contains("jiuzhu init --here     # 审计人员"), "{init}");
    let decide = stdout(&zh().args(["decide", "--help"]).output().unwrap());
    assert!(
        decide.contains("--as-of 2026-11-30      # 公示期满: 决定生效"),
        "{decide}"
    );
}

#[test]
fn help_stays_english_under_other_locales() {
    for args in [
        vec!["--help"],
        vec!["intake", "--help"],
        vec!["help", "audit"],
        vec!["--lang", "en", "verify", "-h"],
    ] {
        let out = zh().args(&args).output().unwrap();
        let out = if args[0] == "--lang" {
            out
        } else {
            en().args(&args).output().unwrap()
        };
        assert_exit(&out, 0);
        let text = stdout(&out);
        assert!(text.contains("Usage: jiuzhu"), "{text}");
        assert!(text.contains("Options:") && text.contains("Print help"), "{text}");
        assert!(
            !text.contains("用法") && !text.contains("选项:") && !text.contains("示例"),
            "{text}"
        );
    }
    let intake = stdout(&en().args(["intake", "--help"]).output().unwrap());
    assert!(
        intake.contains("[default: applications]") && intake.contains("Examples:"),
        "{intake}"
    );
}

/// Runs jiuzhu under Chinese with `args`: a usage error, exit 2, said in Chinese, with the help to look at.
#[track_caller]
fn chinese_usage_error(args: &[&str], says: &[&str]) -> String {
    let out = zh().args(args).output().unwrap();
    assert_exit(&out, 2);
    assert_chinese(&out);
    let err = stderr(&out);
    assert!(err.starts_with("错误: "), "{args:?}:\n{err}");
    for s in says {
        assert!(err.contains(s), "{args:?}: `{s}` not in\n{err}");
    }
    assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    err
}

#[test]
fn usage_errors_are_chinese_under_a_chinese_locale() {
    // An unknown option: named, with the command's usage and help.
    chinese_usage_error(
        &["intake", "--bogus", "x.xlsx"],
        &[
            "不认识的选项 `--bogus`",
            "用法: jiuzhu intake [选项] <FILE>...",
            "`jiuzhu intake --help`",
        ],
    );
    // A near miss is suggested.
    chinese_usage_error(
        &["intake", "--dryrun", "x.xlsx"],
        &["`--dryrun`", "是不是要用 `--dry-run`?"],
    );
    // A missing value, a missing argument, a missing required option.
    chinese_usage_error(
        &["verify", "--as-of"],
        &["`--as-of <DATE>` 缺少值", "`jiuzhu verify --help`"],
    );
    chinese_usage_error(&["intake"], &["缺少必须给出的选项或参数: `<FILE>...`"]);
    chinese_usage_error(&["report"], &["`--period <YYYY-MM>`"]);
    chinese_usage_error(&["verify", "--days", "3"], &["`--extend <CASE>`"]);
    // Values: not one of the list, not a number.
    chinese_usage_error(
        &["sample-data", "--size", "city", "d"],
        &["`city` 无效, 可选值: `county`、`province`"],
    );
    chinese_usage_error(
        &["sample-data", "--seed", "abc", "d"],
        &["`--seed <SEED>` 的值 `abc` 无效: 须为整数"],
    );
    chinese_usage_error(&["sample-data", "--hit-percent", "x", "d"], &["须为数字"]);
    chinese_usage_error(&["diff", "--format", "html", "a", "b"], &["`html`", "`table`、`daff`"]);
    // Options that do not go together, or given twice.
    chinese_usage_error(
        &["decide", "--period", "2026-11", "--record", "r.xlsx"],
        &["不能与", "`--record <FILE>`", "`jiuzhu decide --help`"],
    );
    chinese_usage_error(&["status", "-q", "--quiet"], &["`--quiet` 只能给出一次"]);
    // An unknown command, a near miss, an extra argument, no command at all.
    chinese_usage_error(&["frobnicate"], &["没有 `frobnicate` 这个命令", "`jiuzhu --help`"]);
    chinese_usage_error(&["decid"], &["是不是要用命令 `decide`?"]);
    chinese_usage_error(
        &["cat", "a.xlsx", "b.xlsx"],
        &["多余的参数 `b.xlsx`", "`jiuzhu cat --help`"],
    );
    chinese_usage_error(&["-q"], &["须给出一个命令"]);
    // An unknown language.
    let out = zh().args(["--lang", "fr", "status"]).output().unwrap();
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert!(
        stderr(&out).contains("`--lang` 只能取 `zh` 或 `en`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_follow_lang_and_stay_english_otherwise() {
    let out = en()
        .args(["--lang", "zh", "intake", "--bogus", "x.xlsx"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert!(stderr(&out).contains("`--bogus`"), "{}", stderr(&out));
    // English: clap's own message, exit 2.
    let out = en().args(["intake", "--bogus", "x.xlsx"]).output().unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("error: unexpected argument '--bogus' found"), "{err}");
    assert!(err.contains("Usage: jiuzhu intake [OPTIONS] <FILE>..."), "{err}");
    let out = zh().args(["--lang", "en", "decid"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("error: unrecognized subcommand 'decid'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_command_prints_the_help_and_the_version_prints_in_chinese() {
    let out = zh().output().unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("用法: jiuzhu [选项] <命令>") && err.contains("命令:"),
        "{err}"
    );
    assert_chinese(&without_example_commands(&Output {
        status: out.status,
        stdout: out.stderr.clone(),
        stderr: Vec::new(),
    }));
    let out = zh().arg("--version").output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("jiuzhu "), "{}", stdout(&out));
}
