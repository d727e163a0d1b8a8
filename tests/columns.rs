//! Every column accounted for, in every intake — registers (tests/real_forms.rs), and here the home-visit sheets
//! of `verify`, the registries of `compare` and the follow-up sheets: a column the step does not read is listed by
//! its header (`未使用的列`), and one that looks like a column the step reads (a near miss) is a warning naming the
//! field, with exit 1.

mod common;
mod month;

use std::path::{Path, PathBuf};

use common::*;

/// `src` with `extra` columns added to its header and an empty cell to each row.
fn with_columns(src: &Path, extra: &[&str], dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        for e in extra {
            out.push(',');
            if i == 0 {
                out.push_str(e);
            }
        }
        out.push('\n');
    }
    let path = dir.join(src.file_name().unwrap());
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn a_registry_s_unused_columns_are_listed_and_a_near_miss_needs_a_person() {
    let ws = month::proposed();
    let tmp = tempfile::tempdir().unwrap();
    let deaths = month::county("registries/deaths.xlsx");
    // A column the registry's policy does not ask for: listed, nothing else.
    let vehicles = with_columns(&month::county("registries/vehicles.csv"), &["备注"], tmp.path());
    let out = ws.run_zh(&[
        "compare",
        "--dry-run",
        "--source",
        &format!("vehicles={}", month::s(&vehicles)),
    ]);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(text.contains("vehicles.csv 未使用的列: 备注"), "{text}");
    assert!(!text.contains("注意"), "{text}");

    // 出生日起 is one character from 出生日期, which matching reads and no other column gives: a warning, exit 1.
    let vehicles = with_columns(&month::county("registries/vehicles.csv"), &["出生日起"], tmp.path());
    let out = ws.run(&[
        "compare",
        "--dry-run",
        "--source",
        &format!("vehicles={}", month::s(&vehicles)),
    ]);
    let text = stdout(&out);
    assert!(text.contains("vehicles.csv: 出生日起"), "{text}");
    assert!(
        text.contains("`registries.vehicles.columns:`"),
        "the policy key named: {text}"
    );
    assert!(text.contains("looks like 出生日期"), "{text}");
    assert_exit(&out, 1);
    // A registry without such a column and without hits stays exit 0 (the deaths registry has its hits open:
    // exit 1 for that reason, said so).
    let out = ws.run(&[
        "compare",
        "--dry-run",
        "--source",
        &format!("deaths={}", month::s(&deaths)),
    ]);
    assert!(!stdout(&out).contains("columns not used"), "{}", stdout(&out));
}

#[test]
fn a_visit_sheet_s_unused_columns_are_listed_and_a_near_miss_named() {
    let ws = month::proposed();
    let tmp = tempfile::tempdir().unwrap();
    let visits = with_columns(
        &month::county("visits/2026-11-入户调查.csv"),
        &["备注", "调査人员"],
        tmp.path(),
    );
    let out = ws.run_zh(&[
        "verify",
        "--as-of",
        "2026-11-20",
        "--dry-run",
        "--visits",
        &month::s(&visits),
    ]);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(text.contains("未使用的列: 备注, 调査人员"), "{text}");
    // 调査人员 (査 for 查) is not 调查人, which the sheet gives: a column already read is no near miss.
    assert!(!text.contains("注意"), "{text}");
    // 调查情况 missing, 調查情况 given: a near miss of the findings column.
    let visits = tmp.path().join("visits-near.csv");
    let original = std::fs::read_to_string(month::county("visits/2026-11-入户调查.csv")).unwrap();
    std::fs::write(&visits, original.replacen("调查情况", "調查情况", 1)).unwrap();
    let out = ws.run_zh(&[
        "verify",
        "--as-of",
        "2026-11-20",
        "--dry-run",
        "--visits",
        &month::s(&visits),
    ]);
    let text = stdout(&out);
    assert!(text.contains("調查情况") && text.contains("注意"), "{text}");
    assert!(text.contains("调查情况"), "names the field it looks like: {text}");
}

#[test]
fn a_follow_up_sheet_s_unused_columns_are_listed_and_a_near_miss_exits_1() {
    let ws = month::month();
    let tmp = tempfile::tempdir().unwrap();
    let sheet = with_columns(&month::county("followups/2026-11-回访.csv"), &["备注"], tmp.path());
    let out = ws.run_zh(&["intake", "--kind", "followups", "--dry-run", &month::s(&sheet)]);
    assert_chinese(&out);
    assert!(stdout(&out).contains("未使用的列: 备注"), "{}", stdout(&out));
    assert_exit(&out, 0);

    let near = tmp.path().join("near.csv");
    let original = std::fs::read_to_string(month::county("followups/2026-11-回访.csv")).unwrap();
    std::fs::write(&near, original.replacen("变化后月收入", "变化后月收人", 1)).unwrap();
    let out = ws.run(&["intake", "--kind", "followups", "--dry-run", &month::s(&near)]);
    let text = stdout(&out);
    assert!(text.contains("columns not used: 变化后月收人"), "{text}");
    assert!(text.contains("warning:") && text.contains("looks like"), "{text}");
    assert_exit(&out, 1);
}

/// A register of two people with the header `header` (its income column named as the caller says) and each row's
/// extra cell `extra` at the end.
fn register(dir: &Path, name: &str, income_header: &str, extra: (&str, &str)) -> PathBuf {
    let (head, spouse) = (id("13019919700101001"), id("13019919720202002"));
    let text = format!(
        "户主身份证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),申请日期,致困原因,{income_header},{}\n\
         {head},张好,{head},户主,城市低保,城关镇,东街社区,2026-11-02,因病,300,{}\n\
         {head},李美,{spouse},配偶,城市低保,城关镇,东街社区,2026-11-02,因病,200,{}\n",
        extra.0, extra.1, extra.1
    );
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_register_with_a_near_miss_column_is_held_until_the_column_is_mapped_and_then_taken_whole() {
    let ws = Ws::new();
    let file = register(ws.root(), "月收人.csv", "月收人(元)", ("备注", ""));
    let out = ws.intake_path(&file);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("looks like"), "{text}");
    // Nothing taken: the incomes would have been lost (0.00) and not taken again after the mapping.
    assert!(
        !ws.path("ledgers/cases.csv").exists() || ws.records::<jiuzhu::ledger::Case>().is_empty(),
        "{text}"
    );
    let policy = std::fs::read_to_string(ws.path("jiuzhu.yaml")).unwrap();
    std::fs::write(
        ws.path("jiuzhu.yaml"),
        policy.replacen("columns:\n", "columns:\n  monthly_income: [月收人(元)]\n", 1),
    )
    .unwrap();
    let out = ws.intake_path(&file);
    assert_exit(&out, 0);
    let members = ws.records::<jiuzhu::ledger::Member>();
    let incomes: Vec<String> = members.iter().map(|m| m.monthly_income_amount.to_string()).collect();
    assert_eq!(incomes.len(), 2, "{}", stdout(&out));
    assert!(
        incomes.contains(&"300.00".to_string()) && incomes.contains(&"200.00".to_string()),
        "{incomes:?}"
    );
}

#[test]
fn a_privacy_column_is_read_in_either_sense() {
    for (header, value, private) in [
        ("是否保密", "是", true),
        ("是否公示", "否", true),
        ("是否公示", "是", false),
    ] {
        let ws = Ws::new();
        let file = register(ws.root(), "r.csv", "月收入(元)", (header, value));
        let out = ws.intake_path(&file);
        assert_exit(&out, 0);
        let cases = ws.records::<jiuzhu::ledger::Case>();
        assert_eq!(cases.len(), 1, "{}", stdout(&out));
        assert_eq!(cases[0].private, private, "{header} = {value}");
    }
}
