//! Reopening (重新申请): a household whose application was withdrawn (or refused) applies again; the new case is
//! linked to the old one, which keeps its history — in `explain`, `status` and the dossier.

mod common;
mod month;

use std::path::PathBuf;

use common::*;
use jiuzhu::ledger::{Case, CaseStatus};
use month::{county, s};

/// The household's register rows from the example's 东河乡 register, with a new application date.
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
fn a_withdrawn_application_reopened_by_a_new_one_is_linked_both_ways() {
    let ws = month::verified();
    let cases: Vec<Case> = ws.records();
    let old = cases
        .iter()
        .find(|c| c.status == CaseStatus::Verified && c.township.as_str() == "东河乡")
        .expect("a verified 东河乡 case")
        .clone();
    let out = ws.run(&[
        "withdraw",
        &old.case_id,
        "--date",
        "2026-11-20",
        "--reason",
        "外出务工",
        "--by",
        "王芳",
    ]);
    assert_exit(&out, 0);
    // Nothing to link yet.
    assert!(!stdout(&ws.run(&["explain", &old.case_id])).contains("applications of the household"));

    let file = reapplication(&ws, old.applicant_id_number.as_str(), "2026-11-24");
    let out = ws.run(&["intake", &s(&file)]);
    assert_ne!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains(&format!(
            "reopens the household's withdrawn application {}",
            old.case_id
        )),
        "{}",
        stdout(&out)
    );
    let new = ws
        .records::<Case>()
        .into_iter()
        .find(|c| c.applicant_id_number == old.applicant_id_number && c.case_id != old.case_id)
        .expect("the new application");
    assert_eq!(new.status, CaseStatus::Received);

    // explain, both ways, in both languages.
    let text = stdout(&ws.run(&["explain", &new.case_id]));
    assert!(text.contains(&format!("this case reopens {}", old.case_id)), "{text}");
    assert!(
        text.contains(&format!("earlier application {}", old.case_id))
            && text.contains("withdrawn on 2026-11-20 at the applicant's request: 外出务工 (recorded by 王芳)"),
        "{text}"
    );
    let out = ws.run_zh(&["explain", &new.case_id]);
    assert!(
        stdout(&out).contains(&format!("此前申请 {}", old.case_id)),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("2026-11-20 申请人撤回, 原因: 外出务工"),
        "{}",
        stdout(&out)
    );
    assert_chinese(&out);
    let text = stdout(&ws.run(&["explain", &old.case_id]));
    assert!(
        text.contains(&format!("applied again {} (received 2026-11-24", new.case_id)),
        "{text}"
    );
    let json = stdout(&ws.run(&["explain", &new.case_id, "--json"]));
    assert!(
        json.contains("\"applications\"") && json.contains("\"link\":\"earlier\""),
        "{json}"
    );

    // status says so (for information), with the command.
    let out = ws.run(&["status"]);
    let text = stdout(&out);
    assert!(
        text.contains("1 open cases reopen a household's refused or withdrawn application"),
        "{text}"
    );
    assert!(text.contains(&format!("explain {}", new.case_id)), "{text}");
    let out = ws.run_zh(&["status"]);
    assert!(stdout(&out).contains("重新申请"), "{}", stdout(&out));
    assert_chinese(&out);

    // The withdrawn case's dossier names the application that reopened it.
    let out = ws.run(&["archive"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let dossier = ws.path(&format!("archive/2026/{}/applications.csv", old.case_id));
    let text = std::fs::read_to_string(&dossier).unwrap_or_else(|e| panic!("{}: {e}", dossier.display()));
    assert!(
        text.starts_with("关系,案件编号,受理日期,救助类别,状态,结果说明\n"),
        "{text}"
    );
    assert!(text.contains(&format!("再次申请,{},2026-11-24", new.case_id)), "{text}");
    assert_exit(&ws.run(&["archive", "verify"]), 0);
}
