//! `jiuzhu verify`, as a clerk uses it: the example county's November registers are taken in, then reviewed;
//! home-visit sheets and extensions are recorded; the notices and the review workbook are read back.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::ledger::events::{sha256_hex, Event};
use jiuzhu::ledger::{Case, CaseStatus, Check, CheckResult, Extension, Match, Record, Visit};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/county/inbox/2026-11")
        .join(name)
}

/// A workspace holding the example county's three November registers (49 households).
fn county() -> Ws {
    let ws = Ws::new();
    for f in ["城关镇-申请登记表.xlsx", "东河乡-申请登记.csv", "西岭镇-申请登记.xlsx"] {
        let out = ws.intake_path(&example(f));
        assert!(out.status.code() != Some(2), "{}", stderr(&out));
    }
    ws
}

fn case_of(ws: &Ws, head: &str) -> Case {
    ws.records::<Case>()
        .into_iter()
        .find(|c| c.applicant_name.as_str() == head)
        .unwrap_or_else(|| panic!("no case of {head}"))
}

fn check(ws: &Ws, case_id: &str, name: &str) -> Check {
    ws.records::<Check>()
        .into_iter()
        .find(|k| k.case_id == case_id && k.check == name)
        .unwrap_or_else(|| panic!("no {name} check for {case_id}"))
}

fn status(ws: &Ws, case_id: &str) -> CaseStatus {
    ws.records::<Case>()
        .into_iter()
        .find(|c| c.case_id == case_id)
        .unwrap()
        .status
}

fn verify(ws: &Ws, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["verify"];
    args.extend_from_slice(extra);
    ws.run(&args)
}

/// The data rows of a workbook sheet below the row whose first cell starts with `案件编号` (or `乡镇`).
fn sheet_rows(path: &Path, sheet_prefix: &str) -> Vec<Vec<String>> {
    let wb = jiuzhu::sheet::reader::read_workbook(path, jiuzhu::sheet::reader::Encoding::Detect)
        .unwrap_or_else(|e| panic!("cannot read {}: {e:#}", path.display()));
    let sheet = wb
        .sheets
        .iter()
        .find(|s| s.name.starts_with(sheet_prefix))
        .unwrap_or_else(|| panic!("no sheet {sheet_prefix} in {}", path.display()));
    let at = sheet
        .rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c.text == "案件编号" || c.text == "乡镇"))
        .expect("header row");
    sheet.rows[at + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_blank()))
        .map(|r| r.iter().map(|c| c.text.clone()).collect())
        .collect()
}

/// A one-household urban 低保 register (head, spouse, son), with the incomes and date given.
fn household(dir: &Path, file: &str, head17: &str, applied_on: &str, incomes: [&str; 3]) -> PathBuf {
    let head = id(head17);
    let spouse = id("13019919820202002");
    let son = id("13019920100303003");
    let base = RegRow {
        key: &head,
        scheme: "城市低保",
        township: "城关镇",
        village: "东街社区",
        address: "东街1号",
        applied_on,
        hardship: "因病",
        ..RegRow::default()
    };
    let rows = [
        RegRow {
            serial: "1",
            name: "李建国",
            id: &head,
            relation: "户主",
            income: incomes[0],
            ..base.clone()
        },
        RegRow {
            name: "王秀兰",
            id: &spouse,
            relation: "配偶",
            income: incomes[1],
            ..base.clone()
        },
        RegRow {
            name: "李小明",
            id: &son,
            relation: "子",
            income: incomes[2],
            ..base.clone()
        },
    ];
    write_register(dir, file, &rows)
}

fn one_household(applied_on: &str, incomes: [&str; 3]) -> (Ws, String) {
    let ws = Ws::new();
    let reg = household(ws.root(), "register.csv", "13019919800101001", applied_on, incomes);
    let out = ws.intake_path(&reg);
    assert_exit(&out, 0);
    let id = ws.records::<Case>()[0].case_id.clone();
    (ws, id)
}

fn write(ws: &Ws, name: &str, text: &str) -> PathBuf {
    let p = ws.root().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn missing_materials_are_flagged_and_listed_once_in_the_notices_with_the_due_date() {
    let ws = county();
    let out = verify(&ws, &["--as-of", "2026-11-20"]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("一次性告知 in reports/supplement-notices-2026-11-20.xlsx (6 households"),
        "{}",
        stdout(&out)
    );
    // The example's README: 王宝山, 陈艳芳, 赵大鹏 miss 收入证明; 罗永平 授权书 and 收入证明; 胡军 and 王淑珍 (特困)
    // 授权书. 周海涛 and 刘雪 apply for 临时救助, which asks only 身份证 and 申请书.
    let expected = [
        ("王宝山", "收入证明"),
        ("陈艳芳", "收入证明"),
        ("赵大鹏", "收入证明"),
        ("罗永平", "授权书、收入证明"),
        ("胡军", "授权书"),
        ("王淑珍", "授权书"),
    ];
    for (head, missing) in expected {
        let c = case_of(&ws, head);
        let k = check(&ws, &c.case_id, "materials");
        assert_eq!(k.result, CheckResult::NeedsInfo, "{head}");
        assert_eq!(k.detail.as_str(), format!("缺{missing}"), "{head}");
    }
    for head in ["周海涛", "刘雪", "周佳琪"] {
        let c = case_of(&ws, head);
        assert_eq!(check(&ws, &c.case_id, "materials").result, CheckResult::Pass, "{head}");
    }
    let rows = sheet_rows(&ws.path("reports/supplement-notices-2026-11-20.xlsx"), "一次性告知");
    assert_eq!(rows.len(), 6, "one notice per household: {rows:?}");
    let by_case: BTreeMap<String, &Vec<String>> = rows.iter().map(|r| (r[0].clone(), r)).collect();
    assert_eq!(by_case.len(), 6, "each case once");
    // 罗永平 applied on Friday 2026-10-30: Monday 11-02 (1), 11-03 (2), 11-04 (3).
    let c = case_of(&ws, "罗永平");
    let r = by_case[&c.case_id];
    assert_eq!(r[1], "罗永平");
    assert_eq!(r[2], c.applicant_id_number.masked());
    assert_eq!(r[7], "授权书、收入证明");
    assert_eq!(r[8], "2026-11-04");
    // 王宝山 applied on Tuesday 10-13: 10-14, 10-15, 10-16.
    assert_eq!(by_case[&case_of(&ws, "王宝山").case_id][8], "2026-10-16");
    // No full ID number anywhere in the notices.
    let all = rows.iter().flatten().cloned().collect::<Vec<_>>().join("|");
    for c in ws.records::<Case>() {
        assert!(
            !all.contains(c.applicant_id_number.as_str()),
            "a full ID in the notices"
        );
    }
}

#[test]
fn the_supplement_due_date_skips_the_national_day_holiday() {
    // Received 2026-09-30 with no materials listed. Next day 10-01 and 10-02 are holidays, 10-03/04 a weekend,
    // 10-05..07 holidays; 10-08 Thursday (1), 10-09 Friday (2), 10-10 a Saturday make-up working day (3).
    let (ws, case_id) = one_household("2026-09-30", ["300", "0", "0"]);
    verify(&ws, &["--as-of", "2026-10-12"]);
    let k = check(&ws, &case_id, "materials");
    assert_eq!(k.detail.as_str(), "缺身份证、户口簿、申请书、授权书、收入证明");
    let rows = sheet_rows(&ws.path("reports/supplement-notices-2026-10-12.xlsx"), "一次性告知");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][7], "身份证、户口簿、申请书、授权书、收入证明");
    assert_eq!(rows[0][8], "2026-10-10");
}

#[test]
fn income_above_the_standard_makes_the_case_ineligible() {
    let ws = county();
    verify(&ws, &["--as-of", "2026-11-20"]);
    // 周佳琪's household of three is above the line (3410.00 ≥ 2580.00) but within 150% of it (3870.00), and she
    // is severely disabled: the 单人户 route covers her alone, so the income check passes and says why.
    let c = case_of(&ws, "周佳琪");
    let k = check(&ws, &c.case_id, "income");
    assert_eq!(k.result, CheckResult::Pass);
    assert_eq!(
        k.detail.as_str(),
        "人均月收入 (3410.00+0.00+0.00−0.00)÷3 = 1136.67 ≥ 标准 860.00 (2026-07-01起); 家庭月收入 3410.00 不超过\
         标准合计的 150% 3870.00，周佳琪为重残成员，参照单人户纳入：标准 860.00 − 本人月收入 0.00 = 860.00"
    );
    // The policy values used are named by key, their text once in policy_values.csv.
    let values: Vec<jiuzhu::ledger::PolicyValues> = ws.records();
    let used = values
        .iter()
        .find(|v| v.key == k.policy)
        .expect("the check's key is in policy_values.csv");
    assert!(
        used.values.contains("standard=860.00/month from 2026-07-01"),
        "{}",
        used.values.as_str()
    );
    assert_eq!(used.key, jiuzhu::ledger::PolicyValues::key_of(&used.values));
    assert!(values.len() < 30, "each text once: {}", values.len());
    assert_ne!(status(&ws, &c.case_id), CaseStatus::Ineligible);
    // Rural standard per year: 李娟's 840.00 is above 6600/12 = 550.00.
    let c = case_of(&ws, "李娟");
    let k = check(&ws, &c.case_id, "income");
    assert_eq!(k.result, CheckResult::Fail);
    assert!(
        k.detail
            .contains("= 840.00 ≥ 标准 550.00 (6600.00/年÷12) (2026-07-01起)"),
        "{}",
        k.detail
    );
    let events = ws.records::<Event>();
    assert!(events.iter().any(|e| e.step == "verify"
        && e.case_id == c.case_id
        && e.from_status == "received"
        && e.to_status == "ineligible"));
}

#[test]
fn a_household_between_820_and_860_passes_from_july_but_not_in_june() {
    // (1260.00 + 1260.00 + 0.00) ÷ 3 = 840.00: above June's 820.00, below July's 860.00.
    let (ws, case_id) = one_household("2026-06-01", ["1260", "1260", "0"]);
    assert_exit(&verify(&ws, &["--as-of", "2026-06-30"]), 1);
    let k = check(&ws, &case_id, "income");
    assert_eq!(k.result, CheckResult::Fail);
    assert_eq!(
        k.detail.as_str(),
        "人均月收入 (1260.00+1260.00+0.00−0.00)÷3 = 840.00 ≥ 标准 820.00 (2026-01-01起)"
    );
    assert_eq!(status(&ws, &case_id), CaseStatus::Ineligible);
    verify(&ws, &["--as-of", "2026-07-01"]);
    let k = check(&ws, &case_id, "income");
    assert_eq!(k.result, CheckResult::Pass);
    assert_eq!(
        k.detail.as_str(),
        "人均月收入 (1260.00+1260.00+0.00−0.00)÷3 = 840.00 < 标准 860.00 (2026-07-01起)"
    );
    assert_eq!(k.as_of.to_string(), "2026-07-01");
    // Still waiting for its materials and visit, but no longer ineligible; the journal has both moves.
    assert_eq!(status(&ws, &case_id), CaseStatus::NeedsInfo);
    let moves: Vec<(String, String)> = ws
        .records::<Event>()
        .into_iter()
        .filter(|e| e.case_id == case_id && e.step == "verify")
        .map(|e| (e.from_status, e.to_status))
        .collect();
    assert_eq!(
        moves,
        vec![
            ("received".into(), "ineligible".into()),
            ("ineligible".into(), "needs_info".into())
        ]
    );
}

#[test]
fn a_missing_home_visit_is_flagged_and_two_signed_investigators_clear_it_but_one_does_not() {
    let (ws, case_id) = one_household("2026-11-02", ["300", "0", "0"]);
    verify(&ws, &["--as-of", "2026-11-20"]);
    let k = check(&ws, &case_id, "home_visit");
    assert_eq!((k.result, k.detail.as_str()), (CheckResult::NeedsInfo, "缺入户调查"));

    let one = write(
        &ws,
        "one.csv",
        &format!("案件编号,调查日期,调查人,调查情况,签字\n{case_id},2026-11-10,张明,与申报一致,是\n"),
    );
    let out = verify(&ws, &["--as-of", "2026-11-20", "--visits", one.to_str().unwrap()]);
    assert!(stdout(&out).contains("1 rows read = 1 recorded"), "{}", stdout(&out));
    let k = check(&ws, &case_id, "home_visit");
    assert_eq!(k.result, CheckResult::NeedsInfo);
    assert_eq!(k.detail.as_str(), "入户调查 2026-11-10: 调查人不足2人 (张明)");

    // The head's ID identifies the case too; names separated by a comma.
    let head = id("13019919800101001");
    let two = write(
        &ws,
        "two.csv",
        &format!("户主身份证号,调查日期,调查人,调查情况,签字\n{head},2026-11-12,\"张明,李芳\",与申报一致,是\n"),
    );
    verify(&ws, &["--as-of", "2026-11-20", "--visits", two.to_str().unwrap()]);
    let k = check(&ws, &case_id, "home_visit");
    assert_eq!(k.result, CheckResult::Pass, "{}", k.detail);
    assert_eq!(k.detail.as_str(), "入户调查 2026-11-12 (张明、李芳), 已签字");
    let visits = ws.records::<Visit>();
    assert_eq!(visits.len(), 2);
    assert!(visits.iter().any(|v| v.investigator_count == 2 && v.signed));
    // The sheet is kept in the inbox under its hash.
    let sha = sha256_hex(&std::fs::read(&two).unwrap());
    assert!(ws.path(&format!("inbox/{}-two.csv", &sha[..16])).is_file());
}

#[test]
fn the_overdue_case_is_flagged_and_an_extension_clears_it() {
    let ws = county();
    // 王贵 (特困) was received on Thursday 2026-10-08: 10-09 (1), make-up Saturday 10-10 (2), then six full
    // weeks to Friday 11-20 (32): two working days over the 30.
    let c = case_of(&ws, "王贵");
    assert_eq!(c.applied_on.to_string(), "2026-10-08");
    let out = verify(&ws, &["--as-of", "2026-11-20"]);
    assert!(stdout(&out).contains("6 overdue"), "{}", stdout(&out));
    let k = check(&ws, &c.case_id, "time_limit");
    assert_eq!(k.result, CheckResult::NeedsInfo);
    assert!(k.detail.starts_with("超期 2 个工作日"), "{}", k.detail);

    // An unknown case is refused before anything is written.
    let before = ws.tree(&[".jiuzhu"]);
    let out = verify(
        &ws,
        &[
            "--as-of",
            "2026-11-20",
            "--extend",
            "TK-2026-000000000000",
            "--days",
            "5",
            "--approver",
            "王局长",
            "--reason",
            "x",
        ],
    );
    assert_exit(&out, 2);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "an unknown case changes nothing");

    let out = verify(
        &ws,
        &[
            "--as-of",
            "2026-11-20",
            "--extend",
            &c.case_id,
            "--days",
            "2",
            "--approver",
            "王局长",
            "--reason",
            "需补充外地收入证明",
        ],
    );
    assert!(stdout(&out).contains("5 overdue"), "{}", stdout(&out));
    let k = check(&ws, &c.case_id, "time_limit");
    assert_eq!(k.result, CheckResult::Pass);
    assert_eq!(k.detail.as_str(), "已用 32 个工作日 / 时限 30 + 延期 2 = 32");
    let ext = ws.records::<Extension>();
    assert_eq!(ext.len(), 1);
    assert_eq!((ext[0].extra_working_days, ext[0].approver.as_str()), (2, "王局长"));
    // A second extension replaces the first, and the journal says old → new.
    verify(
        &ws,
        &[
            "--as-of",
            "2026-11-20",
            "--extend",
            &c.case_id,
            "--days",
            "10",
            "--approver",
            "王局长",
            "--reason",
            "再延",
        ],
    );
    assert_eq!(ws.records::<Extension>()[0].extra_working_days, 10);
    assert!(ws
        .records::<Event>()
        .iter()
        .any(|e| e.case_id == c.case_id && e.detail.contains("2 → 10 working days")));
}

fn sample_of(ws: &Ws) -> BTreeSet<String> {
    ws.records::<Check>()
        .into_iter()
        .filter(|k| k.check == "revisit" && k.detail.as_str() != "未抽中")
        .map(|k| k.case_id)
        .collect()
}

#[test]
fn the_township_sample_is_the_same_on_two_runs_and_two_workspaces_and_about_20_percent() {
    let a = county();
    let out = verify(&a, &["--as-of", "2026-11-20"]);
    assert!(
        stdout(&out).contains("11 in the township re-visit sample"),
        "{}",
        stdout(&out)
    );
    let first = sample_of(&a);
    verify(&a, &["--as-of", "2026-11-21"]);
    assert_eq!(sample_of(&a), first, "same seed and cases, same sample");
    let b = county();
    verify(&b, &["--as-of", "2026-11-20"]);
    assert_eq!(sample_of(&b), first, "another workspace draws the same sample");

    // Drawn by hand: per township, rank by SHA-256("2026|case_id") and take ceil(20% × n):
    // 城关镇 21 → 5 (4.2 up), 东河乡 13 → 3 (2.6 up), 西岭镇 15 → 3.
    let mut by: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for c in a.records::<Case>() {
        let h = sha256_hex(format!("2026|{}", c.case_id).as_bytes());
        by.entry(c.township.0.clone()).or_default().push((h, c.case_id));
    }
    let mut expected = BTreeSet::new();
    for (t, mut v) in by {
        v.sort();
        let take = (v.len() * 20).div_ceil(100);
        assert_eq!(
            take,
            match t.as_str() {
                "城关镇" => 5,
                "东河乡" => 3,
                _ => 3,
            },
            "{t}"
        );
        expected.extend(v.into_iter().take(take).map(|(_, id)| id));
    }
    assert_eq!(first, expected);
    // The review workbook lists the sample on its own sheet.
    let rows = sheet_rows(&a.path("reports/review-2026-11-20.xlsx"), "复核抽样");
    let listed: BTreeSet<String> = rows.iter().map(|r| r[2].clone()).collect();
    assert_eq!(listed, expected);
}

#[test]
fn rerunning_with_the_same_inputs_changes_nothing() {
    let ws = county();
    let visits = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/verify/入户调查-城关镇.csv");
    let args = ["--as-of", "2026-11-20", "--visits", visits.to_str().unwrap()];
    assert_exit(&verify(&ws, &args), 1);
    let events = ws.records::<Event>().len();
    let before = ws.tree(&[".jiuzhu"]);
    let out = verify(&ws, &args);
    assert!(
        stdout(&out).contains("0 recorded + 6 already recorded + 1 rejected"),
        "{}",
        stdout(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a re-run");
    assert_eq!(ws.records::<Event>().len(), events, "no new events");
    let out = verify(&ws, &["--as-of", "2026-11-20"]);
    assert_eq!(
        ws.records::<Event>().len(),
        events,
        "no new events without the sheet either"
    );
    assert!(
        stdout(&out).starts_with("verify as of 2026-11-20: 49 cases: 3 verified"),
        "{}",
        stdout(&out)
    );
    // --dry-run writes nothing either.
    let before = ws.tree(&[".jiuzhu"]);
    let out = verify(&ws, &["--as-of", "2026-12-01", "--dry-run"]);
    assert!(
        first_line(&out).starts_with("dry run: verify as of 2026-12-01"),
        "{}",
        stdout(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a dry run");
}

#[test]
fn without_as_of_the_latest_date_in_the_workspace_is_used() {
    let ws = county();
    let out = verify(&ws, &["--dry-run"]);
    // The latest application is 2026-11-06 (城关镇 何勇, the protected household).
    assert!(
        first_line(&out).starts_with("dry run: verify as of 2026-11-06 (the latest date in the workspace"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_bad_visits_file_exits_2_and_writes_nothing() {
    let ws = county();
    let before = ws.tree(&[".jiuzhu"]);
    let no_columns = write(
        &ws,
        "bad.csv",
        "案件编号,日期,备注\nCD-2026-0B9A1C744081,2026-11-10,x\n",
    );
    let out = verify(
        &ws,
        &["--as-of", "2026-11-20", "--visits", no_columns.to_str().unwrap()],
    );
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("调查人"), "{}", stderr(&out));
    let mut after = ws.tree(&[".jiuzhu"]);
    after.remove("bad.csv");
    assert_same_files(&before, &after, "a visits file without the columns");
    let out = verify(
        &ws,
        &[
            "--as-of",
            "2026-11-20",
            "--visits",
            fixture("not-a-spreadsheet.xlsx").to_str().unwrap(),
        ],
    );
    assert_exit(&out, 2);
    let mut after = ws.tree(&[".jiuzhu"]);
    after.remove("bad.csv");
    assert_same_files(&before, &after, "an unreadable visits file");
}

#[test]
fn bad_visit_rows_are_reported_and_the_good_ones_recorded() {
    let ws = county();
    let c = case_of(&ws, "王守仁");
    let text = format!(
        "案件编号,调查日期,调查人,调查情况,签字\n\
         {id},2026-11-11,张明、李芳,与申报一致,是\n\
         CD-2026-FFFFFFFFFFFF,2026-11-11,张明、李芳,,是\n\
         {id},2026-13-45,张明、李芳,,是\n\
         {id},2026-11-12,,,是\n",
        id = c.case_id
    );
    let f = write(&ws, "visits.csv", &text);
    let out = verify(&ws, &["--as-of", "2026-11-20", "--visits", f.to_str().unwrap()]);
    assert_exit(&out, 1);
    let s = stdout(&out);
    assert!(
        s.contains("4 rows read = 1 recorded + 0 already recorded + 3 rejected"),
        "{s}"
    );
    assert!(s.contains("row 3: unknown case CD-2026-FFFFFFFFFFFF"), "{s}");
    assert!(s.contains("row 4: 调查日期"), "{s}");
    assert!(s.contains("row 5: no investigators"), "{s}");
    assert_eq!(ws.records::<Visit>().len(), 1);
    let rows = sheet_rows_any(&ws.path("reports/review-2026-11-20.xlsx"), "入户调查拒收");
    assert_eq!(rows.len(), 3);
    assert_eq!(check(&ws, &c.case_id, "home_visit").result, CheckResult::Pass);
}

/// Rows below the header whose first cell starts with `文件`.
fn sheet_rows_any(path: &Path, sheet_prefix: &str) -> Vec<Vec<String>> {
    let wb = jiuzhu::sheet::reader::read_workbook(path, jiuzhu::sheet::reader::Encoding::Detect).unwrap();
    let sheet = wb
        .sheets
        .iter()
        .find(|s| s.name.starts_with(sheet_prefix))
        .expect("sheet");
    let at = sheet
        .rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c.text.starts_with("文件")))
        .expect("header");
    sheet.rows[at + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_blank()))
        .map(|r| r.iter().map(|c| c.text.clone()).collect())
        .collect()
}

#[test]
fn a_confirmed_exclude_hit_makes_the_case_ineligible_and_an_open_one_needs_a_person() {
    let (ws, case_id) = one_household("2026-11-02", ["300", "0", "0"]);
    let spouse = id("13019919820202002");
    let header = Match::COLUMNS.join(",");
    // The spouse is on the public payroll (财政供养人员): an exclude hit.
    let row = |hit: &str, effect: &str, disposition: &str| {
        format!(
            "{hit},{case_id},{spouse},王秀兰,payroll,id,{},57,单位=西岭镇中心小学; 月工资=4870,{effect},{disposition},,,B1\n",
            "0".repeat(64)
        )
    };
    std::fs::write(
        ws.path("ledgers/matches.csv"),
        format!("{header}\n{}", row("H-0001", "exclude", "open")),
    )
    .unwrap();
    ws.accept_edits();
    verify(&ws, &["--as-of", "2026-11-20"]);
    let k = check(&ws, &case_id, "registry_hits");
    assert_eq!(k.result, CheckResult::NeedsInfo);
    assert!(
        k.detail
            .starts_with("比对命中待核实: 财政供养人员 王秀兰 130199********"),
        "{}",
        k.detail
    );
    assert_eq!(status(&ws, &case_id), CaseStatus::NeedsInfo);

    std::fs::write(
        ws.path("ledgers/matches.csv"),
        format!("{header}\n{}", row("H-0001", "exclude", "confirmed")),
    )
    .unwrap();
    ws.accept_edits();
    verify(&ws, &["--as-of", "2026-11-20"]);
    let k = check(&ws, &case_id, "registry_hits");
    assert_eq!(k.result, CheckResult::Fail);
    assert!(k.detail.contains("比对属实: 财政供养人员 王秀兰"), "{}", k.detail);
    assert!(k.detail.contains("月工资=4870"), "{}", k.detail);
    assert!(!k.detail.contains(spouse.as_str()), "the ID is masked");
    assert_eq!(status(&ws, &case_id), CaseStatus::Ineligible);
    let ev = ws.records::<Event>();
    let last_run = ev
        .iter()
        .rev()
        .find(|e| e.step == "verify" && e.case_id.is_empty())
        .unwrap();
    assert!(last_run.inputs.contains("matches.csv="), "{}", last_run.inputs);

    // A cleared hit no longer counts.
    std::fs::write(
        ws.path("ledgers/matches.csv"),
        format!("{header}\n{}", row("H-0001", "exclude", "cleared")),
    )
    .unwrap();
    ws.accept_edits();
    verify(&ws, &["--as-of", "2026-11-20"]);
    assert_eq!(check(&ws, &case_id, "registry_hits").result, CheckResult::Pass);

    // A member's confirmed death does not make the household ineligible: it is corrected and computed without
    // them, so a person must act.
    let death = format!(
        "H-0002,{case_id},{spouse},王秀兰,deaths,id,{},57,死亡日期=2026-09-17,exclude,confirmed,火化证明,李明,B2\n",
        "0".repeat(64)
    );
    std::fs::write(ws.path("ledgers/matches.csv"), format!("{header}\n{death}")).unwrap();
    ws.accept_edits();
    verify(&ws, &["--as-of", "2026-11-20"]);
    let k = check(&ws, &case_id, "registry_hits");
    assert_eq!(k.result, CheckResult::NeedsInfo);
    assert!(
        k.detail.starts_with("家庭成员已死亡 (比对属实): 死亡火化 王秀兰"),
        "{}",
        k.detail
    );
    assert_eq!(status(&ws, &case_id), CaseStatus::NeedsInfo);
}

#[test]
fn a_fully_checked_household_is_verified_and_the_run_exits_0() {
    // 一证一书: the county accepts 身份证 + 授权书 — here the register lists none, so write the policy and
    // materials by hand: a case holding both passes materials.
    let (ws, case_id) = one_household("2026-11-02", ["300", "0", "0"]);
    let policy = ws
        .read("jiuzhu.yaml")
        .replace("minimal_materials: []", "minimal_materials: [身份证, 授权书]");
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    let cases = ws.read("ledgers/cases.csv").replace(",因病,,", ",因病,授权书、身份证,");
    std::fs::write(ws.path("ledgers/cases.csv"), cases).unwrap();
    ws.accept_edits();
    let v = write(
        &ws,
        "v.csv",
        &format!(
            "案件编号,调查日期,调查人,调查情况,签字,调查层级\n\
             {case_id},2026-11-10,张明、李芳,属实,是,村\n\
             {case_id},2026-11-12,刘强、赵敏,复核属实,是,乡镇\n"
        ),
    );
    let out = verify(&ws, &["--as-of", "2026-11-20", "--visits", v.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert_eq!(
        first_line(&out),
        "verify as of 2026-11-20: 1 cases: 1 verified, 0 needs_info, 0 ineligible; 0 overdue; 1 in the township re-visit sample"
    );
    assert_eq!(
        check(&ws, &case_id, "materials").detail.as_str(),
        "一证一书: 已提供身份证、授权书"
    );
    assert_eq!(status(&ws, &case_id), CaseStatus::Verified);
    let rows = sheet_rows(&ws.path("reports/review-2026-11-20.xlsx"), "审核结果");
    assert_eq!(rows[0][7], "通过");
}

/// A home visit dated 2926 (for 2026) was recorded, and — being the latest date in the workspace — became the
/// as-of date of the next verify. Rejected naming the year it probably stands for.
#[test]
fn a_visit_dated_far_ahead_is_rejected_naming_the_year_meant() {
    let (ws, case_id) = one_household("2026-11-02", ["300", "0", "0"]);
    let sheet = write(
        &ws,
        "visits.csv",
        &format!(
            "案件编号,调查日期,调查人,调查情况,签字\n{case_id},2026-11-10,张明、李芳,与申报一致,是\n\
             {case_id},2926-11-12,张明、李芳,与申报一致,是\n"
        ),
    );
    let out = verify(&ws, &["--visits", sheet.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.contains("2 rows read = 1 recorded + 0 already recorded + 1 rejected"),
        "{text}"
    );
    assert!(text.contains("2926 is probably 2026"), "{text}");
    assert_eq!(ws.records::<Visit>().len(), 1);
    assert!(text.starts_with("verify as of 2026-11-10"), "{text}");
}
