//! Corrections with a trail: supplements received after the 一次性告知 (`jiuzhu supplements`), applications
//! withdrawn at the applicant's request (`jiuzhu withdraw`) and the household's new application after it.

mod common;
mod month;

use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::{Case, CaseStatus, Check, CheckResult, Decision, Payment};
use month::{county, s};

/// The case IDs that lack only materials: needs_info for `materials` and nothing else (the time limit aside).
fn lacking_only_materials(ws: &Ws) -> Vec<(String, String)> {
    let checks: Vec<Check> = ws.records();
    let cases: Vec<Case> = ws.records();
    cases
        .iter()
        .filter(|c| c.status == CaseStatus::NeedsInfo)
        .filter_map(|c| {
            let mine: Vec<&Check> = checks.iter().filter(|k| k.case_id == c.case_id).collect();
            let materials = mine
                .iter()
                .find(|k| k.check == "materials" && k.result == CheckResult::NeedsInfo)?;
            let others = mine
                .iter()
                .filter(|k| k.check != "materials" && k.check != "time_limit")
                .all(|k| k.result == CheckResult::Pass);
            others.then(|| {
                (
                    c.case_id.clone(),
                    materials.detail.as_str().trim_start_matches('缺').to_string(),
                )
            })
        })
        .collect()
}

/// The notices workbook of 2026-11-20 returned with `answers` (case ID → 收到日期, 已收材料, 经办人) filled in.
fn returned_notices(ws: &Ws, name: &str, answers: &[(&str, &str, &str, &str)]) -> PathBuf {
    let src = ws.path("reports/supplement-notices-2026-11-20.xlsx");
    let dst = ws.path(name);
    let answers: Vec<(String, String, String, String)> = answers
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    refill(&src, &dst, move |grid| {
        let h = grid
            .iter()
            .position(|r| r.iter().any(|c| c == "案件编号"))
            .expect("header");
        let col = |grid: &Vec<Vec<String>>, name: &str| grid[h].iter().position(|c| c == name).expect(name);
        let (id, on, what, who) = (
            col(grid, "案件编号"),
            col(grid, "收到日期"),
            col(grid, "已收材料"),
            col(grid, "经办人"),
        );
        for (case, date, materials, clerk) in &answers {
            let row = match grid.iter().position(|r| r.get(id) == Some(case)) {
                Some(i) => i,
                None => {
                    // A case not on the notice: a row of its own at the end.
                    grid.push(vec![String::new(); grid[h].len()]);
                    let i = grid.len() - 1;
                    grid[i][id] = case.clone();
                    i
                }
            };
            let r = &mut grid[row];
            r.resize(r.len().max(who + 1), String::new());
            r[on] = date.clone();
            r[what] = materials.clone();
            r[who] = clerk.clone();
        }
    });
    dst
}

fn status_of(ws: &Ws, case_id: &str) -> CaseStatus {
    let cases: Vec<Case> = ws.records();
    cases.iter().find(|c| c.case_id == case_id).expect("case").status
}

fn events(ws: &Ws) -> Vec<Event> {
    ws.records()
}

fn assert_no_hand_edit(ws: &Ws) {
    let out = ws.run(&["audit"]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("J102") && !all.contains("J101"), "{all}");
    assert_ne!(out.status.code(), Some(2), "{all}");
}

#[test]
fn a_supplement_recorded_updates_the_case_and_the_next_verify_moves_it() {
    let ws = month::proposed();
    // status says how supplements are recorded: the 一次性告知 workbook filled in and `jiuzhu supplements`.
    let said = stdout(&ws.run(&["status"]));
    assert!(said.contains("supplements FILE"), "{said}");
    let said = stdout(&ws.run_zh(&["status"]));
    assert!(said.contains("supplements 文件` 登记"), "{said}");
    let lacking = lacking_only_materials(&ws);
    assert!(
        !lacking.is_empty(),
        "the example month has a case lacking only materials"
    );
    let (case_id, missing) = lacking[0].clone();
    let file = returned_notices(
        &ws,
        "补正登记-11-23.xlsx",
        &[(&case_id, "2026-11-23", &missing, "王芳")],
    );

    let out = ws.run(&["supplements", &s(&file)]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains(&case_id), "{}", stdout(&out));
    let cases: Vec<Case> = ws.records();
    let c = cases.iter().find(|c| c.case_id == case_id).unwrap();
    for m in missing.split('、') {
        assert!(
            c.materials.as_str().contains(m),
            "{m} recorded: {}",
            c.materials.as_str()
        );
    }
    // One event for the case: what, when, by whom, the sheet's hash; the sheet kept in inbox/.
    let sha = jiuzhu::ledger::events::sha256_hex(&std::fs::read(&file).unwrap());
    let e = events(&ws)
        .into_iter()
        .find(|e| e.step == "supplements" && e.case_id == case_id)
        .expect("an event for the case");
    for part in [missing.as_str(), "2026-11-23", "王芳", &sha[..16]] {
        assert!(e.detail.as_str().contains(part), "{part} in {}", e.detail.as_str());
    }
    assert!(e.inputs.contains(&sha));
    assert!(ws.path(&format!("inbox/{}-补正登记-11-23.xlsx", &sha[..16])).exists());
    assert_no_hand_edit(&ws);

    // The same sheet again changes nothing.
    let before = ws.ledgers();
    let out = ws.run(&["supplements", &s(&file)]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("already recorded"), "{}", stdout(&out));
    assert_same_files(&before, &ws.ledgers(), "a sheet recorded twice");

    // The next verify checks the case again: complete now, so verified.
    assert_eq!(status_of(&ws, &case_id), CaseStatus::NeedsInfo);
    let out = ws.run(&["verify", "--as-of", "2026-11-23"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(status_of(&ws, &case_id), CaseStatus::Verified);
    assert_no_hand_edit(&ws);
}

#[test]
fn bad_supplement_rows_are_named_and_nothing_is_recorded() {
    let ws = month::proposed();
    let (case_id, missing) = lacking_only_materials(&ws)[0].clone();
    let file = returned_notices(
        &ws,
        "补正-错.xlsx",
        &[
            (&case_id, "2026-11-23", &missing, "王芳"),
            ("CD-2026-000000000000", "2026-11-23", "授权书", "王芳"),
            (&case_id, "2026-13-45", &missing, "王芳"),
        ],
    );
    let more = returned_notices(&ws, "补正-多.xlsx", &[(&case_id, "2026-11-23", "残疾证", "王芳")]);
    let nobody = returned_notices(&ws, "补正-无人.xlsx", &[(&case_id, "2026-11-23", &missing, "")]);
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["supplements", &s(&file)]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("CD-2026-000000000000 is not in ledgers/cases.csv"),
        "{err}"
    );
    assert!(err.contains("收到日期 `2026-13-45`"), "{err}");
    assert!(err.contains("nothing was recorded"), "{err}");
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a sheet with bad rows");

    // A material the case was not asked for; under zh every line is Chinese.
    let out = ws.run_zh(&["supplements", &s(&more)]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("不是该案件需补充的材料"), "{err}");
    assert!(err.contains(&missing), "the materials asked for are named: {err}");
    assert_chinese(&out);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a material not asked for");

    // A row without a clerk, and none given with --by.
    let out = ws.run(&["supplements", &s(&nobody)]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("经办人 is blank"), "{}", stderr(&out));
    // … which --by fills in; under zh the success is Chinese too.
    let out = ws.run_zh(&["supplements", &s(&nobody), "--by", "李明"]);
    assert_exit(&out, 0);
    assert_chinese(&out);
    assert!(stdout(&out).contains("已登记 1 个案件的补正材料"), "{}", stdout(&out));
}

#[test]
fn an_unusable_supplement_file_stops_with_nothing_written() {
    let ws = month::proposed();
    let before = ws.tree(&[".jiuzhu"]);
    let file = ws.path("不是补正.csv");
    std::fs::write(&file, "姓名,电话\n张三,123\n").unwrap();
    let out = ws.run(&["supplements", &s(&file)]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("is not a supplement sheet"), "{}", stderr(&out));
    let out = ws.run_zh(&["supplements", &s(&file)]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    let out = ws.run(&["supplements", &s(&ws.path("没有这个文件.xlsx"))]);
    assert_exit(&out, 2);
    std::fs::remove_file(&file).unwrap();
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "an unusable file");
}

/// The rows of one household of the 东河乡 register (its title, header and the household's rows), its
/// application date changed: the household applying again.
fn reapplication(ws: &Ws, head_id: &str, applied_on: &str) -> PathBuf {
    let dst = ws.path("东河乡-重新申请.xlsx");
    let (head_id, applied_on) = (head_id.to_string(), applied_on.to_string());
    refill(&county("inbox/2026-11/东河乡-申请登记.csv"), &dst, move |grid| {
        let h = grid.iter().position(|r| r.iter().any(|c| c == "户主身份证号")).unwrap();
        let key = grid[h].iter().position(|c| c == "户主身份证号").unwrap();
        let date = grid[h].iter().position(|c| c == "申请日期").unwrap();
        let start = grid
            .iter()
            .position(|r| r.get(key) == Some(&head_id))
            .expect("the household");
        let end = (start + 1..grid.len())
            .find(|&i| grid[i].get(key).is_some_and(|k| !k.is_empty()))
            .unwrap_or(grid.len());
        let mut rows: Vec<Vec<String>> = grid[..=h].to_vec();
        rows.extend(grid[start..end].iter().cloned());
        rows[h + 1][date] = applied_on.clone();
        *grid = rows;
    });
    dst
}

#[test]
fn a_withdrawn_application_leaves_the_review_and_the_household_may_apply_again() {
    let ws = month::verified();
    let cases: Vec<Case> = ws.records();
    let c = cases
        .iter()
        .find(|c| c.status == CaseStatus::Verified && c.township.as_str() == "东河乡")
        .expect("a verified 东河乡 case")
        .clone();

    let out = ws.run(&[
        "withdraw",
        &c.case_id,
        "--date",
        "2026-11-20",
        "--reason",
        "外出务工, 收入已够",
        "--by",
        "王芳",
    ]);
    assert_exit(&out, 0);
    assert_eq!(status_of(&ws, &c.case_id), CaseStatus::Withdrawn);
    let e = events(&ws)
        .into_iter()
        .find(|e| e.step == "withdraw")
        .expect("a journal event");
    assert_eq!(
        (e.case_id.as_str(), e.from_status.as_str()),
        (c.case_id.as_str(), "verified")
    );
    assert_eq!(e.to_status, "withdrawn");
    assert!(e.detail.as_str().contains("2026-11-20") && e.detail.as_str().contains("外出务工"));
    assert_no_hand_edit(&ws);

    // Twice, or an unknown case: refused, nothing written.
    let before = ws.tree(&[".jiuzhu"]);
    let args = ["--date", "2026-11-20", "--reason", "x", "--by", "王芳"];
    let out = ws.run(&[&["withdraw", &c.case_id][..], &args].concat());
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("already withdrawn"), "{}", stderr(&out));
    let out = ws.run_zh(&[&["withdraw", "CD-2026-000000000000"][..], &args].concat());
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a refused withdrawal");

    // verify leaves it alone; decide proposes nothing for it; the month is paid without it.
    let out = ws.run(&["verify", "--as-of", "2026-11-20"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(status_of(&ws, &c.case_id), CaseStatus::Withdrawn);
    let out = ws.run(&["decide", "--period", "2026-11"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let decisions: Vec<Decision> = ws.records();
    assert!(!decisions.is_empty());
    assert!(
        decisions.iter().all(|d| d.case_id != c.case_id),
        "no proposal for a withdrawn case"
    );
    month::approve_all(&ws);
    let out = ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-28"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = ws.run(&["disburse", "--period", "2026-11"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let payments: Vec<Payment> = ws.records();
    assert!(!payments.is_empty());
    assert!(
        payments.iter().all(|p| p.case_id != c.case_id),
        "a withdrawn case is not paid"
    );
    assert_no_hand_edit(&ws);

    // status counts it as withdrawn.
    let out = ws.run_zh(&["status"]);
    assert!(stdout(&out).contains("已撤回"), "{}", stdout(&out));
    assert_chinese(&out);

    // The household applies again: a new case, the old one kept with its history.
    let file = reapplication(&ws, c.applicant_id_number.as_str(), "2026-11-24");
    let out = ws.run(&["intake", &s(&file)]);
    assert_ne!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    let cases: Vec<Case> = ws.records();
    let theirs: Vec<&Case> = cases
        .iter()
        .filter(|x| x.applicant_id_number == c.applicant_id_number && x.scheme == c.scheme)
        .collect();
    assert_eq!(theirs.len(), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(theirs
        .iter()
        .any(|x| x.case_id == c.case_id && x.status == CaseStatus::Withdrawn));
    assert!(theirs
        .iter()
        .any(|x| x.case_id != c.case_id && x.status == CaseStatus::Received));
    assert!(events(&ws)
        .iter()
        .any(|e| e.step == "withdraw" && e.case_id == c.case_id));
    assert_no_hand_edit(&ws);
}

#[test]
fn a_case_before_the_meeting_is_not_withdrawn_behind_its_back() {
    let ws = month::proposed();
    let decisions: Vec<Decision> = ws.records();
    let d = &decisions[0];
    let out = ws.run(&[
        "withdraw",
        &d.case_id,
        "--date",
        "2026-11-20",
        "--reason",
        "x",
        "--by",
        "王芳",
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("decide --meeting"), "{}", stderr(&out));
    let _ = Path::new("");
}

/// Every column of a supplement sheet is read or listed; one that looks like a column the sheet is read from
/// (户主身分证号 for 户主身份证号) stops the sheet, which is recorded whole, with nothing written.
#[test]
fn a_supplement_sheet_s_columns_are_accounted_for() {
    let ws = month::proposed();
    let (case_id, missing) = lacking_only_materials(&ws)[0].clone();
    let sheet = ws.path("补正.csv");
    std::fs::write(
        &sheet,
        format!("案件编号,收到日期,已收材料,经办人,备注\n{case_id},2026-11-23,{missing},王芳,电话通知后补交\n"),
    )
    .unwrap();
    let out = ws.run(&["supplements", "--dry-run", &s(&sheet)]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("columns not used: 备注"), "{}", stdout(&out));

    std::fs::write(
        &sheet,
        format!("案件编号,户主身分证号,收到日期,已收材料,经办人\n{case_id},,2026-11-23,{missing},王芳\n"),
    )
    .unwrap();
    let before = ws.ledgers();
    let out = ws.run_zh(&["supplements", &s(&sheet)]);
    assert_exit(&out, 1);
    assert_chinese(&out);
    assert!(stderr(&out).contains("户主身分证号"), "{}", stderr(&out));
    assert_same_files(&before, &ws.ledgers(), "a sheet with a near-miss column");
}
