//! Each command's help sits beside its `run` (`cmd::NAME::Args`, issue 21): the binary's `Command` variants carry
//! no text, so the description, the examples and the notes after the options must come from the command's own
//! `Args` — in both languages. A command whose `Args` lost its `#[command(…)]` (or whose texts were left in one
//! language) would print a bare usage here.

mod common;

use common::*;

/// Every command, with a word of its examples and, when it has notes after the options, their start in each
/// language (`None`: no notes).
const COMMANDS: &[(&str, Option<(&str, &str)>)] = &[
    ("init", Some(("Refuses to touch a folder", "不会改动已有 jiuzhu.yaml"))),
    ("sample-data", Some(("Sizes: county = 50,000", "规模: `county`"))),
    (
        "intake",
        Some(("--kind followups records", "--kind followups 记录回访")),
    ),
    ("verify", Some(("Records each outcome", "每项结果记入"))),
    ("compare", Some(("Registries are declared", "比对数据在 jiuzhu.yaml"))),
    ("diff", Some(("Rows are matched by key", "行按键对应"))),
    ("cat", None),
    ("decide", Some(("Proposals go to", "拟决定写入"))),
    ("explain", None),
    ("status", Some(("Dates are judged on", "日期按 --as-of"))),
    ("report", Some(("Writes reports/", "写出 reports/"))),
    ("disburse", Some(("--period writes one payment", "--period 为每个案件"))),
    ("audit", Some(("Silent with exit 0", "一切无误时不输出"))),
    (
        "accept-edits",
        Some(("Every step holds the ledgers", "每一步都要求台账")),
    ),
    ("rollup", Some(("Each county's figures", "各县的数字"))),
    ("supplements", Some(("A row with 收到日期", "收到日期和已收材料"))),
    ("withdraw", None),
    ("discover", Some(("A discovery is closed", "只有见到本人"))),
    ("correct", Some(("One row per correction", "每项更正一行"))),
    ("recover", None),
    ("upgrade", Some(("A step that finds a ledger", "某一步遇到较早版本"))),
    ("archive", Some(("`archive` archives every", "`archive` 归档每个"))),
];

fn help(lang: &str, command: &str) -> String {
    let out = jiuzhu()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("COLUMNS", "10000")
        .args(["--lang", lang, command, "--help"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    stdout(&out)
}

#[test]
fn every_command_has_its_description_examples_and_notes_in_both_languages() {
    for (command, notes) in COMMANDS {
        let en = help("en", command);
        let zh = help("zh", command);
        // The description first, then the usage.
        let (about_en, about_zh) = (en.lines().next().unwrap(), zh.lines().next().unwrap());
        assert!(
            !about_en.is_empty() && !about_en.starts_with("Usage"),
            "{command}:\n{en}"
        );
        assert!(
            !about_zh.is_empty() && !about_zh.starts_with("用法"),
            "{command}:\n{zh}"
        );
        assert_ne!(about_en, about_zh, "{command}: the same description in both languages");
        assert!(
            jiuzhu::i18n::english_words(about_zh).is_empty(),
            "{command}: {about_zh}"
        );
        // The examples, as written: commands of this command.
        let example = format!("  jiuzhu {command}");
        assert!(
            (en.contains("\nExamples:\n") || en.contains("\nExample:\n")) && en.contains(&example),
            "{command}: no examples\n{en}"
        );
        assert!(
            zh.contains("\n示例:\n") && zh.contains(&example),
            "{command}: no examples\n{zh}"
        );
        if let Some((note_en, note_zh)) = notes {
            assert!(en.contains(note_en), "{command}: no notes `{note_en}`\n{en}");
            assert!(zh.contains(note_zh), "{command}: no notes `{note_zh}`\n{zh}");
            assert!(!en.contains(note_zh), "{command}: Chinese notes in English\n{en}");
        }
    }
}

#[test]
fn the_list_here_is_every_command() {
    let out = jiuzhu()
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env("COLUMNS", "10000")
        .args(["--lang", "en", "--help"])
        .output()
        .unwrap();
    let text = stdout(&out);
    let listed: Vec<&str> = text
        .split("\nCommands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    let here: Vec<&str> = COMMANDS.iter().map(|(c, _)| *c).collect();
    assert_eq!(listed, here, "{text}");
}

/// A ledger kept in partitions (the payments, by batch month: `ledgers/payments/2026-11.csv`) is never named in a
/// command's help as the one file it was before (`payments.csv`); accept-edits' example names a month's file.
#[test]
fn no_help_names_a_partitioned_ledger_as_one_file() {
    for (command, _) in COMMANDS {
        for lang in ["en", "zh"] {
            let text = help(lang, command);
            for folder in jiuzhu::ledger::partition::FOLDERS {
                let one_file = format!("{folder}.csv");
                let stale = text.match_indices(&one_file).any(|(at, _)| {
                    !text[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                assert!(!stale, "{command} --help ({lang}) names {one_file}:\n{text}");
            }
        }
    }
    for lang in ["en", "zh"] {
        let text = help(lang, "accept-edits");
        assert!(text.contains("--reason \"payments/2026-11.csv "), "{text}");
    }
}
