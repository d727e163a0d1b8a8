//! Confirmations (人工确认) through the correction sheet: the checks that ask a person — a 特困 head's lack of
//! work ability, a relation the ages make doubtful — answered 属实 or 不属实 with who and why, and taken by the
//! next `verify` without a re-import; `status` offers the command while a case waits for one.

mod common;

use std::path::PathBuf;

use common::*;
use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::{Case, CaseStatus, Check, CheckResult, ConfirmResult, ConfirmSubject, Confirmation};

const HEADER: &str = "案件编号,身份证号,字段,原值,新值,更正原因,依据,经办人,更正日期";

fn sheet(ws: &Ws, name: &str, rows: &[String]) -> PathBuf {
    let path = ws.path(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

fn s(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// Three households: two 特困 heads of 46 whose work ability the register leaves blank, and a 城市低保 household
/// whose son is 12 years younger than the head (a relation by age to confirm).
fn held() -> (Ws, [String; 3], String) {
    let ws = Ws::new();
    let (a, b, c) = (
        id("13019919800101001"),
        id("13019919800505002"),
        id("13019919700101003"),
    );
    let son = id("13019919820303004");
    let base = RegRow {
        township: "城关镇",
        village: "东街社区",
        address: "东街1号",
        applied_on: "2026-11-02",
        hardship: "因病",
        ..RegRow::default()
    };
    let rows = [
        RegRow {
            serial: "1",
            key: &a,
            name: "甲一",
            id: &a,
            relation: "户主",
            scheme: "特困供养",
            ..base.clone()
        },
        RegRow {
            serial: "2",
            key: &b,
            name: "乙一",
            id: &b,
            relation: "户主",
            scheme: "特困供养",
            ..base.clone()
        },
        RegRow {
            serial: "3",
            key: &c,
            name: "丙一",
            id: &c,
            relation: "户主",
            scheme: "城市低保",
            ..base.clone()
        },
        RegRow {
            key: &c,
            name: "丙二",
            id: &son,
            relation: "子",
            scheme: "城市低保",
            ..base.clone()
        },
    ];
    let reg = write_register(ws.root(), "register.csv", &rows);
    let out = ws.intake_path(&reg);
    assert_exit(&out, 0);
    let out = ws.run(&["verify", "--as-of", "2026-11-20"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let cases: Vec<Case> = ws.records();
    let of = |head: &str| {
        cases
            .iter()
            .find(|x| x.applicant_id_number.as_str() == head)
            .unwrap()
            .case_id
            .clone()
    };
    (ws, [of(&a), of(&b), of(&c)], son)
}

fn check(ws: &Ws, case_id: &str, check: &str) -> Check {
    ws.records::<Check>()
        .into_iter()
        .find(|k| k.case_id == case_id && k.check == check)
        .unwrap_or_else(|| panic!("no {check} check for {case_id}"))
}

#[test]
fn a_confirmation_on_the_correction_sheet_is_taken_by_the_next_verify() {
    let (ws, [a, b, c], son) = held();
    // Held, and the reason says how to answer.
    let k = check(&ws, &a, "income");
    assert_eq!(k.result, CheckResult::NeedsInfo);
    assert!(
        k.detail.contains("需人工确认无劳动能力") && k.detail.contains("确认: 无劳动能力"),
        "{}",
        k.detail
    );
    let k = check(&ws, &c, "relations");
    assert_eq!(k.result, CheckResult::NeedsInfo);
    assert!(k.detail.contains("确认: 家庭关系"), "{}", k.detail);

    // status offers the command, in Chinese under zh.
    let out = ws.run_zh(&["status", "--as-of", "2026-11-20"]);
    let text = stdout(&out);
    assert!(text.contains("3 件案件待人工确认"), "{text}");
    assert!(
        text.contains("确认: 无劳动能力") && text.contains("correct --template"),
        "{text}"
    );
    assert_chinese(&out);

    let file = sheet(
        &ws,
        "人工确认.csv",
        &[
            format!("{a},,确认: 无劳动能力,,属实,经入户核实双下肢残疾、无法定赡养人,残疾证,王芳,2026-11-23"),
            format!("{b},,确认：无劳动能力,,不属实,在外务工有收入且有成年子女,入户调查记录,王芳,2026-11-23"),
            format!("{c},{son},确认: 家庭关系,,属实,系收养子女,收养登记证,李强,2026-11-24"),
        ],
    );
    let before: Vec<Case> = ws.records();
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("0 corrections and 3 confirmations for 3 cases"), "{text}");
    assert!(text.contains("verify` takes the 3 confirmations"), "{text}");
    // The cases are as they were; the answers are in confirmations.csv with who, why and the sheet.
    assert_eq!(ws.records::<Case>(), before);
    let confs: Vec<Confirmation> = ws.records();
    assert_eq!(confs.len(), 3);
    let of = |case: &str| confs.iter().find(|x| x.case_id == case).unwrap();
    assert_eq!(of(&a).subject, ConfirmSubject::WorkAbility);
    assert_eq!(of(&a).result, ConfirmResult::Confirmed);
    assert_eq!(of(&b).result, ConfirmResult::Refused);
    assert_eq!(of(&c).subject, ConfirmSubject::Relation);
    assert_eq!(of(&c).id_number.as_str(), son);
    assert_eq!(of(&c).confirmed_by.as_str(), "李强");
    // One journal event per answer, with the masked person and the reason.
    let events: Vec<Event> = ws.records();
    let mine: Vec<&Event> = events
        .iter()
        .filter(|e| e.step == "correct" && !e.case_id.is_empty() && e.detail.contains("人工确认"))
        .collect();
    assert_eq!(mine.len(), 3);
    assert!(mine
        .iter()
        .any(|e| e.case_id == b && e.detail.contains("不属实") && e.detail.contains("在外务工")));
    assert!(mine.iter().all(|e| !e.detail.contains(son.as_str())), "IDs are masked");

    // explain lists them with the corrections, in Chinese under zh.
    let out = ws.run_zh(&["explain", &b]);
    assert!(
        stdout(&out).contains("确认: 无劳动能力") && stdout(&out).contains("不属实"),
        "{}",
        stdout(&out)
    );
    assert_chinese(&out);

    // The next verify takes them: no re-import.
    let out = ws.run(&["verify", "--as-of", "2026-11-25"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let k = check(&ws, &a, "income");
    assert_eq!(k.result, CheckResult::Pass, "{}", k.detail);
    assert!(
        k.detail.contains("王芳") && k.detail.contains("双下肢残疾"),
        "{}",
        k.detail
    );
    let k = check(&ws, &b, "income");
    assert_eq!(k.result, CheckResult::Fail, "{}", k.detail);
    assert!(k.detail.contains("在外务工有收入"), "{}", k.detail);
    let k = check(&ws, &c, "relations");
    assert_eq!(k.result, CheckResult::Pass, "{}", k.detail);
    assert!(k.detail.contains("收养"), "{}", k.detail);
    let cases: Vec<Case> = ws.records();
    assert_eq!(
        cases.iter().find(|x| x.case_id == b).unwrap().status,
        CaseStatus::Ineligible
    );
    // No longer offered.
    let out = ws.run(&["status", "--as-of", "2026-11-25"]);
    assert!(
        !stdout(&out).contains("wait for a person to confirm"),
        "{}",
        stdout(&out)
    );
    // A later answer replaces the earlier; the journal keeps both.
    let file = sheet(
        &ws,
        "人工确认-2.csv",
        &[format!(
            "{b},,确认: 无劳动能力,,属实,复核: 务工收入已中断、子女未成年,复核记录,王芳,2026-11-26"
        )],
    );
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 0);
    let confs: Vec<Confirmation> = ws.records();
    assert_eq!(confs.len(), 3);
    assert_eq!(
        confs.iter().find(|x| x.case_id == b).unwrap().result,
        ConfirmResult::Confirmed
    );

    let out = ws.run(&["audit"]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("J102") && !all.contains("J101"), "{all}");
}

#[test]
fn a_bad_confirmation_row_is_named_and_nothing_is_recorded() {
    let (ws, [a, _b, c], son) = held();
    let head_c = ws
        .records::<Case>()
        .into_iter()
        .find(|x| x.case_id == c)
        .unwrap()
        .applicant_id_number;
    let file = sheet(
        &ws,
        "人工确认-错.csv",
        &[
            format!("{a},,确认: 无劳动能力,,也许,看不出,,王芳,2026-11-23"),
            format!("{c},{son},确认: 无劳动能力,,属实,残疾,残疾证,王芳,2026-11-23"),
            format!("{c},{head_c},确认: 信息比对,,属实,同名,,王芳,2026-11-23"),
            format!("{a},,确认: 无劳动能力,,属实,,残疾证,王芳,2026-11-23"),
            format!("{a},,确认: 无劳动能力,,属实,残疾,残疾证,王芳,2026-11-23"),
        ],
    );
    let before = ws.ledgers();
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("4 of 5 rows cannot be applied"), "{err}");
    assert!(err.contains("write 属实 (confirmed) or 不属实"), "{err}");
    assert!(err.contains("is not the head of case"), "{err}");
    assert!(err.contains("compare --resolve"), "{err}");
    assert!(err.contains("更正原因 is blank"), "{err}");
    assert_same_files(&before, &ws.ledgers(), "a sheet with bad confirmations");
    // The same in Chinese.
    let out = ws.run_zh(&["correct", &s(&file)]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("请填写 属实 或 不属实"), "{}", stderr(&out));
    assert_chinese(&out);
}
