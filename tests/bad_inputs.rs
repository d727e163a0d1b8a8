//! Bad input, the way it really arrives: every file of `fixtures/bad/` (made by `fixtures/bad/make_bad.py`, one
//! real way an input goes wrong each) is run against a fresh workspace, as its README's table says. Whatever the
//! bytes: the exit code is the one documented, the message names the file, row and column, nothing panics,
//! nothing hangs, an exit 2 changes nothing, and an exit 0/1 takes exactly the good households. The very long
//! line is generated here at run time (it is too big to commit).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use jiuzhu::ledger::Case;

/// No input may take longer than this (debug build, loaded CI machine).
const BOUND: Duration = Duration::from_secs(20);

struct Row {
    file: String,
    what: String,
    exit: i32,
    words: Vec<String>,
    taken: Option<usize>,
}

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad")
}

/// The table of `fixtures/bad/README.md`: file | what is wrong | exit | `word` `word` | households taken.
fn table() -> Vec<Row> {
    let readme = std::fs::read_to_string(bad_dir().join("README.md")).expect("fixtures/bad/README.md");
    readme
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| file") && !l.starts_with("| ---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 5, "README row: {l}");
            let words = cells[3]
                .split('`')
                .enumerate()
                .filter(|(i, w)| i % 2 == 1 && !w.is_empty())
                .map(|(_, w)| w.to_string())
                .collect();
            Row {
                file: cells[0].to_string(),
                what: cells[1].to_string(),
                exit: cells[2].parse().unwrap_or_else(|_| panic!("exit code in {l}")),
                words,
                taken: cells[4].parse().ok(),
            }
        })
        .collect()
}

/// Runs `jiuzhu -C WS ARGS…` in English, killed if it outlives [`BOUND`]; returns the output and the time taken.
fn run_bounded(ws: &Ws, args: &[&std::ffi::OsStr]) -> (std::process::Output, Duration) {
    let start = Instant::now();
    let out = jiuzhu()
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .arg("-C")
        .arg(ws.root())
        .args(args)
        .timeout(BOUND)
        .output()
        .expect("run jiuzhu");
    (out, start.elapsed())
}

/// The summary line's counts add up: `N rows read = a accepted + b rejected + c skipped`.
fn assert_counts_add_up(text: &str, file: &str) {
    for line in text.lines().filter(|l| l.contains(" rows read = ")) {
        let nums: Vec<usize> = line
            .split(" rows read = ")
            .flat_map(|p| p.split(|c: char| !c.is_ascii_digit()))
            .filter_map(|n| n.parse().ok())
            .collect();
        // ... N, a, b, c: the last four numbers before the first `;`.
        let head = line.split(';').next().unwrap();
        let n: Vec<usize> = head
            .rsplit(':')
            .next()
            .unwrap()
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        assert!(
            n.len() == 4 && n[0] == n[1] + n[2] + n[3],
            "{file}: counts do not add up: {line} ({nums:?})"
        );
    }
}

/// A Chinese clerk importing any of the bad inputs reads Chinese only, and gets the same exit code.
#[test]
fn every_bad_input_is_explained_in_chinese_under_a_chinese_locale() {
    let good = bad_dir().join("good.csv");
    let mut failures = Vec::new();
    for row in table() {
        let ws = Ws::new();
        let input = if row.file.starts_with("policy-") {
            std::fs::copy(bad_dir().join(&row.file), ws.path("jiuzhu.yaml")).unwrap();
            good.clone()
        } else {
            bad_dir().join(&row.file)
        };
        let out = zh(jiuzhu())
            .arg("-C")
            .arg(ws.root())
            .arg("intake")
            .arg(&input)
            .timeout(BOUND)
            .output()
            .expect("run jiuzhu");
        let english = english_lines(&out);
        if !english.is_empty() {
            failures.push(format!("{}:\n{}", row.file, english.join("\n")));
        }
        if out.status.code() != Some(row.exit) {
            failures.push(format!(
                "{}: exit {:?} under zh, {} documented",
                row.file,
                out.status.code(),
                row.exit
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_bad_input_gives_its_documented_answer() {
    let rows = table();
    assert!(rows.len() >= 60, "the corpus has {} files", rows.len());
    // The table and the folder agree.
    let mut on_disk: Vec<String> = std::fs::read_dir(bad_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md" && n != "make_bad.py")
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = rows.iter().map(|r| r.file.clone()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "fixtures/bad/ and its README table list different files"
    );

    let good = bad_dir().join("good.csv");
    let good_head = id("13019919700101001");
    let mut failures = Vec::new();
    let (mut slowest, mut slowest_file) = (Duration::ZERO, String::new());
    for row in &rows {
        let ws = Ws::new();
        let policy = row.file.starts_with("policy-");
        let mut except = vec![".jiuzhu/lock"];
        if policy {
            std::fs::copy(bad_dir().join(&row.file), ws.path("jiuzhu.yaml")).unwrap();
            except.push("jiuzhu.yaml");
        }
        let before = ws.tree(&except);
        let input = if policy {
            good.clone()
        } else {
            bad_dir().join(&row.file)
        };
        let (out, took) = run_bounded(&ws, &["intake".as_ref(), input.as_os_str()]);
        if took > slowest {
            (slowest, slowest_file) = (took, row.file.clone());
        }
        let (o, e) = (stdout(&out), stderr(&out));
        let all = format!("{o}\n{e}");
        let mut fail = |why: String| failures.push(format!("{} ({}): {why}\n{all}", row.file, row.what));
        if e.contains("panicked") || out.status.code() == Some(101) {
            fail("panicked".into());
            continue;
        }
        if out.status.code() != Some(row.exit) {
            fail(format!("exit {:?}, expected {}", out.status.code(), row.exit));
            continue;
        }
        let mut words = row.words.clone();
        if row.exit != 0 {
            words.push(if policy { "jiuzhu.yaml".into() } else { row.file.clone() });
        }
        for w in &words {
            if !all.contains(w.as_str()) {
                fail(format!("the message does not contain `{w}`"));
            }
        }
        if row.exit == 2 {
            let after = ws.tree(&except);
            if after != before {
                fail("exit 2 but the workspace changed".into());
            }
            continue;
        }
        assert_counts_add_up(&o, &row.file);
        let cases = if ws.path("ledgers/cases.csv").exists() {
            ws.records::<Case>()
        } else {
            Vec::new()
        };
        if Some(cases.len()) != row.taken {
            fail(format!("{} households taken, expected {:?}", cases.len(), row.taken));
        }
        if row.taken.unwrap_or(0) > 0 && !cases.iter().any(|c| c.applicant_id_number.as_str() == good_head) {
            fail("the good household (张好, row 2) was not taken".into());
        }
        if row.exit == 1 {
            if !o.contains("rejected") {
                fail("exit 1 without a rejected row reported".into());
            }
            let reports = ws.reports();
            if !reports.keys().any(|k| k.starts_with("intake-rejects-")) {
                fail("exit 1 without a rejects report".into());
            }
        }
    }
    println!(
        "bad inputs: {} files tried, {} as expected; slowest {slowest_file} in {slowest:?}",
        rows.len(),
        rows.len() - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs misbehaved:\n\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n\n")
    );
}

/// Writes `len` bytes of one CSV file streaming (a register header, then one row whose 住址 runs on for the rest).
fn write_long_line(path: &Path, len: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let head = format!(
        "{PER_MEMBER_HEADER}\r\n1,{id},张长,{id},户主,城市低保,城关镇,东街社区,",
        id = id("13019919700101001")
    );
    f.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'A'; 1 << 20];
    let mut left = len - head.len();
    while left > 0 {
        let n = left.min(chunk.len());
        f.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    f.flush().unwrap();
}

/// A line of tens of MiB (a quote gone wrong, a binary file renamed .csv): under the size limit it is refused
/// for its impossible cell, naming row and column, in bounded time and memory (the run gets 1 GiB of address
/// space) — also over 50 MiB, where a CSV file is read as a stream (only a workbook is refused for its size).
/// Nothing is written either way.
#[test]
fn a_very_long_line_is_refused_in_bounded_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Ws::new();
    let before = ws.tree(&[".jiuzhu/lock"]);
    for (mib, words) in [
        (16usize, vec!["row 2 column I", "32767"]),
        (64, vec!["column I", "32767"]),
    ] {
        let path = dir.path().join(format!("long-{mib}.csv"));
        write_long_line(&path, mib << 20);
        let start = Instant::now();
        let bin = assert_cmd::cargo::cargo_bin("jiuzhu");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
            .arg(&bin)
            .env("LC_ALL", "C")
            .arg("-C")
            .arg(ws.root())
            .arg("intake")
            .arg(&path)
            .output()
            .unwrap();
        let took = start.elapsed();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{mib} MiB: {err}");
        assert!(!err.contains("panicked") && !err.contains("memory allocation"), "{err}");
        for w in words {
            assert!(err.contains(w), "{mib} MiB: `{w}` not in: {err}");
        }
        assert!(took < BOUND, "{mib} MiB took {took:?}");
        println!("long line of {mib} MiB: refused in {took:?}");
        assert_same_files(&before, &ws.tree(&[".jiuzhu/lock"]), "after a long line");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Refusals in the clerk's words: what is wrong, where (file, line or key), and what to do, in both languages —
// never the words of the library that found it.

/// Runs `jiuzhu -C WS ARGS…` in English and in Chinese: each is refused (exit 2), nothing changes, nothing
/// panics. Returns what each said (stdout and stderr).
fn refused(ws: &Ws, args: &[&str]) -> (String, String) {
    let except = [".jiuzhu/lock", ".jiuzhu/lock/"];
    let before = ws.tree(&except);
    let mut said = Vec::new();
    for lang in ["C", "zh_CN.UTF-8"] {
        let out = jiuzhu()
            .env("LC_ALL", lang)
            .env("LANG", lang)
            .arg("-C")
            .arg(ws.root())
            .args(args)
            .timeout(BOUND)
            .output()
            .expect("run jiuzhu");
        assert_exit(&out, 2);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!text.contains("panicked"), "{text}");
        said.push(text);
    }
    assert_same_files(&before, &ws.tree(&except), &format!("{args:?}"));
    let zh = said.pop().unwrap();
    (said.pop().unwrap(), zh)
}

/// A workspace whose jiuzhu.yaml is the template as `edit` changed it; returns it and the edited text.
fn with_policy(edit: impl FnOnce(&str) -> String) -> (Ws, String) {
    let ws = Ws::new();
    let text = edit(&ws.read("jiuzhu.yaml"));
    std::fs::write(ws.path("jiuzhu.yaml"), &text).unwrap();
    (ws, text)
}

/// The 1-based line of the `n`-th (from 1) line of `text` that equals `line`.
fn line_of(text: &str, line: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l == line)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("no {n}th line `{line}`"))
        .0
        + 1
}

/// Asserts `text` contains every word.
#[track_caller]
fn says(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "`{w}` not in:\n{text}");
    }
}

fn intake_good(ws: &Ws) -> (String, String) {
    let good = bad_dir().join("good.csv");
    refused(ws, &["intake", good.to_str().unwrap()])
}

/// Two `urban_dibao:` schemes (a copy pasted below the first, with a new standard of 999.00): the second was
/// taken silently and decisions used 999.00. Refused, naming the key and both lines.
#[test]
fn a_scheme_given_twice_is_refused_naming_both_lines() {
    let (ws, text) = with_policy(|t| {
        let start = t.find("  urban_dibao:\n").unwrap();
        let end = t.find("  rural_dibao:\n").unwrap();
        let copy = t[start..end]
            .replace("\"860.00\"", "\"999.00\"")
            .replace("code: CD", "code: CX")
            .replace("label: 城市低保", "label: 城市低保(新)")
            .replace("aliases: [城市最低生活保障, 城镇低保]", "aliases: []");
        format!("{}{copy}{}", &t[..end], &t[end..])
    });
    let (first, second) = (line_of(&text, "  urban_dibao:", 1), line_of(&text, "  urban_dibao:", 2));
    let (en, zh) = intake_good(&ws);
    says(
        &en,
        &[
            "jiuzhu.yaml",
            &format!("line {second}"),
            "schemes.urban_dibao",
            &format!("lines {first} and {second}"),
            "given twice",
        ],
    );
    says(&zh, &[&format!("第 {first} 行和第 {second} 行"), "出现了两次"]);
}

/// A scheme with a second `standards:` list: refused naming both lines (serde said "duplicate field" at the
/// scheme's line).
#[test]
fn a_standards_list_given_twice_is_refused_naming_both_lines() {
    let (ws, text) = with_policy(|t| {
        t.replacen(
            "    time_limit_working_days: 30\n  rural_dibao:",
            "    time_limit_working_days: 30\n    standards:\n      - {from: 2026-01-01, amount: \"999.00\", unit: per_month}\n  rural_dibao:",
            1,
        )
    });
    let (first, second) = (line_of(&text, "    standards:", 1), line_of(&text, "    standards:", 2));
    let (en, zh) = intake_good(&ws);
    says(
        &en,
        &[
            &format!("line {second}"),
            "schemes.urban_dibao.standards",
            &format!("lines {first} and {second}"),
        ],
    );
    says(&zh, &[&format!("第 {first} 行和第 {second} 行")]);
}

/// Two townships with one code: cases of both would carry the same region code. Refused naming both townships.
#[test]
fn two_townships_with_one_code_are_refused() {
    let (ws, text) = with_policy(|t| t.replacen("code: \"130199102\"", "code: \"130199100\"", 1));
    let line = line_of(&text, "      code: \"130199100\"", 2);
    let (en, zh) = intake_good(&ws);
    says(
        &en,
        &[
            &format!("line {line}"),
            "region.townships[1].code",
            "130199100",
            "城关镇 and 西岭镇",
        ],
    );
    says(&zh, &["同时给了 城关镇 和 西岭镇"]);
}

/// A bank profile whose control-total row names `{total}` (not a placeholder): the bank file got the literal
/// `{total}`. Refused, naming the key, its line and the placeholders there are.
#[test]
fn a_control_total_format_with_an_unknown_placeholder_is_refused() {
    let (ws, text) =
        with_policy(|t| t.replacen("format: \"合计,{count},{sum}\"", "format: \"合计,{count},{total}\"", 1));
    let line = 1 + text.lines().position(|l| l.contains("{total}")).unwrap();
    let (en, zh) = intake_good(&ws);
    says(
        &en,
        &[
            &format!("line {line}"),
            "disbursement.profiles.rcc_csv.summary.format",
            "`{total}`",
            "{sum}",
        ],
    );
    says(&zh, &["`{total}` 不是 jiuzhu 能填写的占位符"]);
}

/// A tab used for indentation: the YAML parser says "found character that cannot start any token".
#[test]
fn a_tab_in_the_policy_says_to_indent_with_spaces() {
    let (ws, text) = with_policy(|t| t.replacen("\n      code: \"130199102\"", "\n\t  code: \"130199102\"", 1));
    let line = 1 + text.lines().position(|l| l.starts_with('\t')).unwrap();
    let (en, zh) = intake_good(&ws);
    says(&en, &["jiuzhu.yaml", &format!("line {line}"), "tab", "spaces"]);
    assert!(!en.contains("token"), "{en}");
    says(&zh, &[&format!("第 {line} 行"), "制表符", "空格"]);
}

/// A standard from 2026-02-30: the date library says "input is out of range".
#[test]
fn an_impossible_date_in_the_policy_says_why() {
    let (ws, text) = with_policy(|t| t.replacen("from: 2026-07-01", "from: 2026-02-30", 1));
    let line = 1 + text.lines().position(|l| l.contains("2026-02-30")).unwrap();
    let (en, zh) = intake_good(&ws);
    says(
        &en,
        &[
            &format!("line {line}"),
            "schemes.urban_dibao.standards[1].from",
            "February 2026 has 28 days",
        ],
    );
    assert!(!en.contains("out of range"), "{en}");
    says(&zh, &["2026 年 2 月只有 28 天"]);
}

/// `notice_days: -7`: serde says "invalid type: integer `-7`, expected u32".
#[test]
fn a_negative_number_in_the_policy_says_it_is_negative() {
    let (ws, text) = with_policy(|t| t.replacen("notice_days: 7", "notice_days: -7", 1));
    let line = 1 + text.lines().position(|l| l.contains("notice_days: -7")).unwrap();
    let (en, zh) = intake_good(&ws);
    says(
        &en,
        &[
            &format!("line {line}"),
            "decision.notice_days",
            "`-7` is negative",
            "a whole number, 0 or more",
        ],
    );
    assert!(!en.contains("u32") && !en.contains("invalid type"), "{en}");
    says(&zh, &["`-7` 是负数", "不小于 0 的整数"]);
}

/// A policy that is a YAML list: serde says "invalid type: sequence, expected struct Policy".
#[test]
fn a_policy_that_is_a_list_says_what_a_policy_looks_like() {
    let (ws, _) = with_policy(|t| {
        t.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with(' '))
            .map(|l| format!("- {l}\n"))
            .collect()
    });
    let (en, zh) = intake_good(&ws);
    says(&en, &["jiuzhu.yaml", "line 1", "`version: 1`", "jiuzhu init"]);
    assert!(!en.contains("struct Policy") && !en.contains("sequence"), "{en}");
    says(&zh, &["不是政策文件的格式", "`version: 1`"]);
}

/// A ledger saved as GBK by a spreadsheet: "ledgers/cases.csv is not UTF-8" named no line and said nothing to do.
#[test]
fn a_ledger_that_is_not_utf8_names_the_line() {
    let ws = Ws::new();
    let good = bad_dir().join("good.csv");
    assert_exit(&ws.intake_path(&good), 0);
    let text = ws.read("ledgers/cases.csv");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(ws.path("ledgers/cases.csv"), &gbk).unwrap();
    let (en, zh) = refused(&ws, &["status"]);
    says(
        &en,
        &[
            "ledgers/cases.csv line 2 is not UTF-8",
            "GBK",
            "git checkout -- ledgers/cases.csv",
        ],
    );
    says(&zh, &["ledgers/cases.csv 第 2 行不是 UTF-8 文本", "请从 Git 恢复"]);
}

/// A payment's month typed `2026-13` into a payments file was taken, and every later disburse said "the money does
/// not balance". Refused on read, naming the line, the column and the value.
#[test]
fn a_malformed_payment_month_is_refused_when_the_ledger_is_read() {
    let ws = Ws::new();
    assert_exit(&ws.intake_path(&bad_dir().join("good.csv")), 0);
    let case = &ws.records::<Case>()[0];
    std::fs::create_dir_all(ws.path("ledgers/payments")).unwrap();
    std::fs::write(
        ws.path("ledgers/payments/2026-11.csv"),
        format!(
            "payment_id,batch,period,case_id,scheme,payee_name,bank_name,account,amount,kind,urgent,decision_id,\
             status,reissue_of,reason,return_file\n\
             P-000000000001,2026-11,2026-13,{},urban_dibao,张好,青禾县农村信用社,6229530100000000001,560.00,regular,\
             false,D-1,issued,,,\n",
            case.case_id
        ),
    )
    .unwrap();
    let (en, zh) = refused(&ws, &["status"]);
    says(
        &en,
        &[
            "ledgers/payments/2026-11.csv line 2, column period",
            "`2026-13` is not a month written YYYY-MM",
        ],
    );
    assert!(!en.contains("does not balance"), "{en}");
    says(&zh, &["`2026-13` 不是 YYYY-MM 格式的月份"]);
}

/// A decision whose amounts do not hold together (a negative amount, a delta that is not new − old) is refused
/// on read naming row and column, in the run's language.
#[test]
fn a_decision_whose_amounts_do_not_hold_is_refused_in_the_run_s_language() {
    let ws = Ws::new();
    assert_exit(&ws.intake_path(&bad_dir().join("good.csv")), 0);
    let case = &ws.records::<Case>()[0];
    for (row, en_why, zh_why) in [
        (
            "2026-11,new,effective,-560.00,0.00,-560.00",
            "a negative amount (-560.00)",
            "金额为负 (-560.00)",
        ),
        (
            "2026-11,new,effective,560.00,0.00,500.00",
            "500.00 is not amount − previous_amount",
            "500.00 不等于",
        ),
    ] {
        std::fs::write(
            ws.path("ledgers/decisions.csv"),
            format!(
                "decision_id,case_id,period,kind,status,amount,previous_amount,delta_amount,reason,derivation,basis,\
                 policy_values,effective_from,gradual_exit_until,urgent,meeting,decided_on,batch\n\
                 D-000000000001,{},{row},new_application,,,,2026-11,,false,,,\n",
                case.case_id
            ),
        )
        .unwrap();
        let (en, zh) = refused(&ws, &["status"]);
        says(&en, &["ledgers/decisions.csv data row 1", en_why]);
        says(&zh, &["ledgers/decisions.csv 第 1 条数据", zh_why]);
        assert!(!zh.contains("negative") && !zh.contains("is not amount"), "{zh}");
    }
}

/// A decision's months are types: its period, the month it took effect and the last month of a 渐退 are each
/// refused on read when they are not a month written YYYY-MM (they were text, and a bad one was skipped, so the
/// decision silently stopped counting).
#[test]
fn a_malformed_decision_month_is_refused_when_the_ledger_is_read() {
    let ws = Ws::new();
    assert_exit(&ws.intake_path(&bad_dir().join("good.csv")), 0);
    let case = &ws.records::<Case>()[0];
    for (column, row) in [
        (
            "period",
            "2026/11,new,effective,560.00,0.00,560.00,new_application,,,,2026-11,",
        ),
        (
            "effective_from",
            "2026-11,new,effective,560.00,0.00,560.00,new_application,,,,2026-1,",
        ),
        (
            "gradual_exit_until",
            "2026-11,gradual_exit,effective,560.00,560.00,0.00,income_up,,,,2026-11,2027-02-01",
        ),
    ] {
        std::fs::write(
            ws.path("ledgers/decisions.csv"),
            format!(
                "decision_id,case_id,period,kind,status,amount,previous_amount,delta_amount,reason,derivation,basis,\
                 policy_values,effective_from,gradual_exit_until,urgent,meeting,decided_on,batch\n\
                 D-000000000001,{},{row},false,,,\n",
                case.case_id
            ),
        )
        .unwrap();
        let (en, zh) = refused(&ws, &["status"]);
        says(
            &en,
            &[
                &format!("ledgers/decisions.csv line 2, column {column}"),
                "is not a month written YYYY-MM",
            ],
        );
        says(&zh, &["不是 YYYY-MM 格式的月份"]);
    }
}

/// `.jiuzhu/lock` made a folder (by a copy gone wrong): "(os error 21)". Now: what it is and what to do.
#[test]
fn a_lock_that_is_a_folder_says_what_to_do() {
    let ws = Ws::new();
    let lock = ws.path(".jiuzhu/lock");
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir_all(&lock).unwrap();
    let (en, zh) = intake_good(&ws);
    says(&en, &[".jiuzhu/lock is a folder", "rm -r", "nothing was done"]);
    assert!(!en.contains("os error"), "{en}");
    says(&zh, &["不是 jiuzhu 的锁文件", "rm -r"]);
}

/// `audit --change-report cr.csv` named the file `ledgers/cr.csv` (where it is not) in its refusal.
#[test]
fn an_external_change_report_is_named_as_given() {
    let ws = Ws::new();
    let report = ws.path("cr.csv");
    std::fs::write(&report, "月份,类别\n2026-11,城市低保\n").unwrap();
    let shown = report.display().to_string();
    let (en, zh) = refused(&ws, &["audit", "--change-report", "cr.csv"]);
    says(&en, &[&format!("{shown} line 1"), "export it again"]);
    assert!(
        !en.contains("ledgers/cr.csv") && !en.contains(&format!("ledgers/{shown}")),
        "{en}"
    );
    assert!(
        !en.contains("git checkout"),
        "not a ledger: nothing to restore from Git:\n{en}"
    );
    says(&zh, &[&format!("{shown} 第 1 行"), "重新导出"]);
}
