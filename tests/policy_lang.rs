//! An invalid jiuzhu.yaml is refused in the run's language: under a Chinese locale every line of the refusal is
//! Chinese and names the key path and the line, and says what to write instead; nothing is written (exit 2).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad")
}

/// `jiuzhu -C WS intake good.csv` under `LANG` (LC_ALL and LC_MESSAGES removed).
fn intake_in(ws: &Ws, lang: &str) -> std::process::Output {
    jiuzhu()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(bad_dir().join("good.csv"))
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run jiuzhu")
}

/// Runs intake under Chinese with `policy` as jiuzhu.yaml: refused (exit 2), every line Chinese, nothing
/// written. Returns what it said.
#[track_caller]
fn refused_in_chinese(policy: &[u8]) -> String {
    let ws = Ws::new();
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    let except = [".jiuzhu/lock", ".jiuzhu/lock/"];
    let before = ws.tree(&except);
    let out = intake_in(&ws, "zh_CN.UTF-8");
    assert_exit(&out, 2);
    assert_chinese(&out);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!said.contains("panicked"), "{said}");
    assert!(said.contains("jiuzhu.yaml"), "the file is not named:\n{said}");
    assert_same_files(&before, &ws.tree(&except), "a refused policy");
    said
}

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_with(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with `{needle}`"))
        + 1
}

const TEMPLATE: &str = include_str!("../templates/jiuzhu.yaml");

#[test]
fn every_bad_policy_of_the_corpus_is_refused_in_chinese() {
    let mut tried = 0;
    for entry in std::fs::read_dir(bad_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // 860元 is an amount jiuzhu accepts.
        if !name.starts_with("policy-") || name == "policy-amount-with-yuan.yaml" {
            continue;
        }
        let said = refused_in_chinese(&std::fs::read(&path).unwrap());
        assert!(said.contains("政策文件"), "{name}:\n{said}");
        tried += 1;
    }
    assert!(tried >= 15, "only {tried} bad policies tried");
}

/// Edits of the template a county administrator could make by mistake: each refusal is Chinese, names the key
/// path and the line, and says what to write.
#[test]
fn a_bad_edit_is_refused_in_chinese_naming_key_line_and_remedy() {
    // (what, old text, new text, the line's marker in the new text, words the refusal must hold)
    let cases: &[(&str, &str, &str, &str, &[&str])] = &[
        (
            "unknown key",
            "  revisit_percent: 20\n",
            "  revisit_percnt: 20\n",
            "revisit_percnt",
            &["未知的键 `revisit_percnt`", "`verification`", "revisit_percent"],
        ),
        (
            "bad amount",
            "amount: \"860.00\"",
            "amount: \"8.6.0\"",
            "8.6.0",
            &["schemes.urban_dibao.standards[1]", "金额", "820.50"],
        ),
        (
            "negative amount",
            "amount: \"860.00\"",
            "amount: \"-860.00\"",
            "-860.00",
            &["schemes.urban_dibao.standards[1]", "负数"],
        ),
        (
            "bad date",
            "from: 2026-07-01",
            "from: 2026-13-01",
            "2026-13-01",
            &["schemes.urban_dibao.standards[1].from", "没有 13 月", "YYYY-MM-DD"],
        ),
        (
            "dates out of order",
            "from: 2026-07-01",
            "from: 2025-07-01",
            "2025-07-01",
            &["schemes.urban_dibao.standards[1].from", "从早到晚"],
        ),
        (
            "a scheme without a standard",
            "    standards:\n      - from: 2026-01-01\n        amount: \"820.00\"\n        unit: per_month\n      - from: 2026-07-01\n        amount: \"860.00\"\n        unit: per_month\n    # 实行",
            "    standards: []\n    # 实行",
            "standards: []",
            &["schemes.urban_dibao.standards", "至少写一条标准"],
        ),
        (
            "a unit not known",
            "        unit: per_month\n",
            "        unit: per_week\n",
            "per_week",
            &["schemes.urban_dibao.standards[0].unit", "`per_week`", "`per_month`, `per_year`"],
        ),
        (
            "a scheme code in lower case",
            "    code: CD\n",
            "    code: cd\n",
            "code: cd",
            &["schemes.urban_dibao.code", "两个大写英文字母"],
        ),
        (
            "a notice level not known",
            "  notice_levels: [village]\n",
            "  notice_levels: [village, province]\n",
            "province",
            &["decision.notice_levels[1]", "`province`", "township"],
        ),
        (
            "a bank with no profile",
            "    中国邮政储蓄银行: psbc_xlsx\n",
            "    中国邮政储蓄银行: psbc\n",
            ": psbc\n",
            &["disbursement.banks", "`psbc`", "银行格式"],
        ),
        (
            "a word where a number belongs",
            "  notice_days: 7\n",
            "  notice_days: 七天\n",
            "七天",
            &["decision.notice_days", "`七天`", "整数"],
        ),
        (
            "a missing colon (YAML syntax)",
            "  elderly_age: 70\n",
            "  elderly_age 70\n  gradual: [\n",
            "elderly_age 70",
            &["格式有误", "缩进"],
        ),
    ];
    for (what, old, new, marker, words) in cases {
        assert!(TEMPLATE.contains(old), "{what}: the template has no `{old}`");
        let text = TEMPLATE.replacen(old, new, 1);
        eprintln!("-- {what}");
        let said = refused_in_chinese(text.as_bytes());
        let mut want: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        if !what.contains("YAML syntax") {
            let line = line_with(&text, marker.trim_end_matches('\n'));
            want.push(format!("第 {line} 行"));
        } else {
            want.push("行".into());
        }
        for w in &want {
            assert!(said.contains(w.as_str()), "{what}: `{w}` not in:\n{said}");
        }
    }
}

/// The same refusals stay English for an English run.
#[test]
fn an_english_run_is_refused_in_english() {
    let ws = Ws::new();
    let text = TEMPLATE.replacen("  revisit_percent: 20\n", "  revisit_percnt: 20\n", 1);
    std::fs::write(ws.path("jiuzhu.yaml"), &text).unwrap();
    let out = intake_in(&ws, "C");
    assert_exit(&out, 2);
    let said = stderr(&out);
    let line = line_with(&text, "revisit_percnt");
    for w in [
        "invalid policy",
        &format!("line {line}"),
        "unknown key `revisit_percnt`",
    ] {
        assert!(said.contains(w), "`{w}` not in:\n{said}");
    }
    let text = TEMPLATE.replacen("    code: CD\n", "    code: cd\n", 1);
    std::fs::write(ws.path("jiuzhu.yaml"), &text).unwrap();
    let out = intake_in(&ws, "C");
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("two capital letters"), "{}", stderr(&out));
}
