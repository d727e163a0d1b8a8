//! `jiuzhu sample-data --month 2026-12 WS`: a running county's second month for a workspace that ran November —
//! refused before anything is in force, deterministic from the seed, never overwriting a month's inputs, and a
//! month that runs through: the new applications taken, the follow-ups' changes applied and re-decided (增发 and
//! 减发), exactly the planted registry hits found, the meeting recorded, every household in force paid for
//! December, the month audited clean. Small sizes only: timings belong to `bench/`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use jiuzhu::ledger::{Case, CaseStatus, Decision, DecisionKind, DecisionStatus, Match, Member, Payment};

fn ok(out: &std::process::Output) {
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}{}",
        stdout(out),
        stderr(out)
    );
}

fn run(ws: &Ws, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ws.run(&args)
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    v.sort();
    v
}

/// The meeting agrees with every row of the latest worksheet — the proposals, and the urgent cases paid first
/// (先行救助) whose approval comes after — as Excel saves it, on `date`.
fn agree_all(ws: &Ws, meeting: &str, date: &str) {
    let decisions: Vec<Decision> = ws.records();
    let batch = decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed)
        .map(|d| d.batch.clone())
        .max()
        .unwrap();
    let mut sheet = format!("批次 batch,{batch}\n决定编号 decision,案件编号 case,评议结果 verdict,说明 note\n");
    for d in decisions.iter().filter(|d| d.batch == batch) {
        sheet.push_str(&format!("{},{},同意,\n", d.decision_id, d.case_id));
    }
    let verdicts = ws.path("verdicts.csv");
    std::fs::write(&verdicts, sheet).unwrap();
    let out = ws.run(&[
        "decide",
        "--record",
        &verdicts.display().to_string(),
        "--meeting",
        meeting,
        "--date",
        date,
        "--attendees",
        "张局长、李股长",
    ]);
    assert_exit(&out, 0);
}

/// A generated county of 500 households through November: intake, verify, proposals, the meeting, the notice
/// over, the batch.
fn november() -> Ws {
    let dir = tempfile::Builder::new().prefix("jiuzhu-test-").tempdir().unwrap();
    let out = jiuzhu()
        .args([
            "sample-data",
            "--households",
            "500",
            "--seed",
            "7",
            "--registry-rows",
            "0",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let ws = Ws { dir };
    let mut intake = vec!["intake".to_string()];
    intake.extend(files(&ws.path("inputs/registers")));
    assert_exit(&run(&ws, &intake), 0);
    ok(&ws.run(&["verify", "--as-of", "2026-11-20", "--visits", "inputs/visits.csv"]));
    ok(&ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-20"]));
    agree_all(&ws, "审批会 第11号", "2026-11-21");
    ok(&ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-30"]));
    assert_exit(&ws.run(&["disburse", "--period", "2026-11"]), 0);
    ws
}

#[test]
fn the_second_month_of_a_running_county_is_generated_and_runs_through() {
    // Nothing in force yet: there is no running county to write a month for.
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh");
    assert_exit(
        &jiuzhu()
            .args(["sample-data", "--households", "5"])
            .arg(&fresh)
            .output()
            .unwrap(),
        0,
    );
    let out = jiuzhu()
        .args(["sample-data", "--month", "2026-12"])
        .arg(&fresh)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no household is in force"), "{}", stderr(&out));

    let ws = november();
    let gen_seed = |seed: &str| {
        let mut cmd = jiuzhu();
        cmd.args([
            "sample-data",
            "--month",
            "2026-12",
            "--seed",
            seed,
            "--registry-rows",
            "600",
        ])
        .args(["--hit-percent", "3"])
        .arg(ws.root());
        cmd
    };
    let gen = |_: &[&str]| gen_seed("7");
    let out = gen(&[]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("follow-up visits of"), "{}", stdout(&out));
    let inputs = ws.path("inputs/2026-12");
    let first = snapshot(&inputs, &[]);
    for f in [
        "followups.csv",
        "visits.csv",
        "expected-hits.csv",
        "registries/deaths.csv",
        "registries/vehicles.csv",
    ] {
        assert!(first.contains_key(f), "{f} missing: {:?}", first.keys());
    }
    assert!(first.keys().any(|k| k.starts_with("registers/")), "{:?}", first.keys());
    // Never over a month's inputs; the same workspace and seed give the same bytes (here under Chinese, which
    // speaks Chinese); another seed other rows.
    assert_exit(&gen(&[]).output().unwrap(), 2);
    std::fs::remove_dir_all(&inputs).unwrap();
    let out = zh(gen(&[])).output().unwrap();
    assert_exit(&out, 0);
    assert_chinese(&out);
    assert_same_files(&first, &snapshot(&inputs, &[]), "sample-data --month again");
    std::fs::remove_dir_all(&inputs).unwrap();
    assert_exit(&gen_seed("8").output().unwrap(), 0);
    assert_ne!(first["followups.csv"], snapshot(&inputs, &[])["followups.csv"]);
    std::fs::remove_dir_all(&inputs).unwrap();
    assert_exit(&gen(&[]).output().unwrap(), 0);

    // The new applicants are people the workspace does not know.
    let known: BTreeSet<String> = ws.records::<Member>().iter().map(|m| m.id_number.to_string()).collect();
    let cases_before = ws.records::<Case>().len();
    let mut intake = vec!["intake".to_string()];
    intake.extend(files(&inputs.join("registers")));
    let out = run(&ws, &intake);
    assert_exit(&out, 0);
    let new_cases: Vec<Case> = ws
        .records::<Case>()
        .into_iter()
        .filter(|c| c.applied_on.to_string().starts_with("2026-12"))
        .collect();
    assert_eq!(ws.records::<Case>().len(), cases_before + new_cases.len());
    assert_eq!(new_cases.len(), 5, "1% of 500 cases");
    assert!(new_cases
        .iter()
        .all(|c| !known.contains(&c.applicant_id_number.to_string())));

    let out = ws.run(&["intake", "--kind", "followups", "inputs/2026-12/followups.csv"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("0 rejected"), "{}", stdout(&out));
    ok(&ws.run(&[
        "verify",
        "--as-of",
        "2026-12-18",
        "--visits",
        "inputs/2026-12/visits.csv",
    ]));

    // Exactly the planted hits.
    let mut compare = vec!["compare".to_string()];
    for r in [
        "deaths",
        "vehicles",
        "real_estate",
        "payroll",
        "relatives",
        "other_schemes",
    ] {
        compare.push("--source".into());
        compare.push(format!("{r}=inputs/2026-12/registries/{r}.csv"));
    }
    assert_exit(&run(&ws, &compare), 1);
    let expected = std::fs::read_to_string(inputs.join("expected-hits.csv")).unwrap();
    let planted: BTreeSet<(String, String)> = expected
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[2].to_string())
        })
        .collect();
    assert!(!planted.is_empty());
    let hits: Vec<Match> = ws.records();
    let batch = hits.iter().map(|h| h.batch.clone()).max().unwrap();
    let found: BTreeSet<(String, String)> = hits
        .iter()
        .filter(|h| h.batch == batch)
        .map(|h| (h.source.clone(), h.id_number.to_string()))
        .collect();
    assert_eq!(found, planted);
    // Every hit confirmed, as the bench's clerk answers the worksheet.
    let mut sheet = format!("批次,{batch}\n比对编号,案件编号,姓名,身份证号(脱敏),处理结果,说明,处理人\n");
    for h in hits.iter().filter(|h| h.batch == batch) {
        let id = h.id_number.to_string();
        let masked = format!("{}********{}", &id[..6], &id[14..]);
        sheet.push_str(&format!(
            "{},{},{},{masked},确认,核实,王芳\n",
            h.hit_id,
            h.case_id,
            h.name.as_str()
        ));
    }
    std::fs::write(ws.path("hits.csv"), sheet).unwrap();
    assert_exit(&ws.run(&["compare", "--resolve", "hits.csv"]), 0);

    // The month's re-decisions: the follow-ups' incomes give both 增发 and 减发; the new cases are proposed.
    ok(&ws.run(&["decide", "--period", "2026-12", "--as-of", "2026-12-18"]));
    let december: Vec<Decision> = ws
        .records::<Decision>()
        .into_iter()
        .filter(|d| d.period.to_string() == "2026-12")
        .collect();
    let kinds: BTreeMap<DecisionKind, usize> = december.iter().fold(BTreeMap::new(), |mut m, d| {
        *m.entry(d.kind).or_default() += 1;
        m
    });
    for kind in [DecisionKind::Increase, DecisionKind::Decrease] {
        assert!(kinds.contains_key(&kind), "no {kind:?} among {kinds:?}");
    }
    agree_all(&ws, "审批会 第12号", "2026-12-21");
    ok(&ws.run(&["decide", "--period", "2026-12", "--as-of", "2026-12-31"]));

    // Every household in force paid for December, and the month audits clean.
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_exit(&out, 0);
    assert!(first_line(&out).contains("; 0 not paid"), "{}", stdout(&out));
    let paid: BTreeSet<String> = ws
        .records::<Payment>()
        .into_iter()
        .filter(|p| p.period.to_string() == "2026-12")
        .map(|p| p.case_id)
        .collect();
    let in_force: Vec<Case> = ws
        .records::<Case>()
        .into_iter()
        .filter(|c| c.status == CaseStatus::Effective && c.scheme != "temporary")
        .collect();
    assert!(in_force.len() > 300, "{}", in_force.len());
    for c in &in_force {
        assert!(
            paid.contains(&c.case_id),
            "{} in force, not paid for December",
            c.case_id
        );
    }
    assert_exit(&ws.run(&["audit", "--period", "2026-12"]), 0);
}
