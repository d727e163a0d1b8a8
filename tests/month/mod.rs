//! The example county's month, driven through the real binary (as `examples/run-month.sh` does, without the
//! registry comparison): intake of the three registers, verify with the month's visits, proposals, the review
//! meeting agreeing with every proposal, the notice over, the November batch. Shared by the status/report and
//! follow-up tests.

#![allow(dead_code)]

use std::path::PathBuf;

use super::common::*;
use jiuzhu::ledger::{Decision, DecisionStatus};

pub fn county(rel: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/county")
        .join(rel)
}

pub fn s(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// Intake and verify for 2026-11 (no proposals yet).
pub fn verified() -> Ws {
    let ws = Ws::new();
    let out = ws.run(&[
        "intake",
        &s(&county("inbox/2026-11/城关镇-申请登记表.xlsx")),
        &s(&county("inbox/2026-11/东河乡-申请登记.csv")),
        &s(&county("inbox/2026-11/西岭镇-申请登记.xlsx")),
    ]);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    let out = ws.run(&[
        "verify",
        "--as-of",
        "2026-11-20",
        "--visits",
        &s(&county("visits/2026-11-入户调查.csv")),
    ]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    ws
}

/// Intake, verify and proposals for 2026-11 (the meeting not yet held).
pub fn proposed() -> Ws {
    let ws = verified();
    let out = ws.run(&["decide", "--period", "2026-11"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    ws
}

/// The whole month: the meeting agrees with every proposal, the notice runs out, the batch is issued.
pub fn month() -> Ws {
    let ws = effective();
    let out = ws.run(&["disburse", "--period", "2026-11"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    ws
}

/// The month up to its decisions in force (the meeting held, the notice over), before the batch.
pub fn effective() -> Ws {
    let ws = approved();
    let out = ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-28"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    ws
}

/// The month up to the meeting: every proposal approved, the notice posted and running.
pub fn approved() -> Ws {
    let ws = proposed();
    approve_all(&ws);
    ws
}

/// The review meeting of 2026-11-20 agrees with every proposal.
pub fn approve_all(ws: &Ws) {
    let verdicts = all_agreed(ws);
    let out = ws.run(&[
        "decide",
        "--record",
        &s(&verdicts),
        "--meeting",
        "审批会 纪要第11号",
        "--date",
        "2026-11-20",
        "--attendees",
        "张局长、李股长",
    ]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
}

/// The review meeting's verdicts as Excel would save the worksheet: 同意 to every proposal (`verdicts.csv`).
pub fn all_agreed(ws: &Ws) -> PathBuf {
    let decisions: Vec<Decision> = ws.records();
    let proposed: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed)
        .collect();
    let mut sheet = format!(
        "批次 batch,{}\n决定编号 decision,案件编号 case,评议结果 verdict,说明 note\n",
        proposed[0].batch
    );
    for d in &proposed {
        sheet.push_str(&format!("{},{},同意,\n", d.decision_id, d.case_id));
    }
    let verdicts = ws.path("verdicts.csv");
    std::fs::write(&verdicts, sheet).unwrap();
    verdicts
}
