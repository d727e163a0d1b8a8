//! `jiuzhu status` and `jiuzhu report`: the administrator's view of a fresh workspace and of the example month,
//! the statistics checked against sums computed here from the ledgers, the charts read back by openpyxl, and
//! the Chinese locale.

mod common;
mod month;

use std::collections::BTreeMap;
use std::process::Command as Std;

use common::*;
use jiuzhu::domain::money::Fen;
use jiuzhu::ledger::{Case, Decision, DecisionKind, DecisionStatus, Payment, PaymentStatus};
use jiuzhu::sheet::reader::{read_workbook, Encoding};

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)))
}

#[test]
fn a_fresh_workspace_needs_nobody() {
    let ws = Ws::new();
    let out = ws.run(&["status"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("no cases yet"), "{}", stdout(&out));
    assert!(stdout(&out).contains("nothing needs a person"), "{}", stdout(&out));
    let out = ws.run(&["--json", "status"]);
    assert_exit(&out, 0);
    let v = json(&out);
    assert_eq!(v["command"], "status");
    assert_eq!(v["exit"], 0);
    assert_eq!(v["needs_person"], 0);
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
}

#[test]
fn status_lists_what_needs_a_person_with_the_command() {
    let ws = month::proposed();
    let out = ws.run(&["status"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("rows rejected by the latest intake"), "{text}");
    assert!(text.contains("households were told to supplement materials"), "{text}");
    assert!(
        // `jiuzhu -C WS …`: the test runs from outside the workspace (tests/hints.rs pastes the commands).
        text.contains(" decide --record reports/review-meeting-2026-11.xlsx"),
        "{text}"
    );

    let ws = month::month();
    let out = ws.run(&["status"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("have no bank return yet"), "{text}");
    assert!(text.contains(" disburse --reconcile"), "{text}");
    assert!(!text.contains("review-meeting"), "the meeting was held: {text}");
    let v = json(&ws.run(&["--json", "status"]));
    let kinds: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"intake_rejects") && kinds.contains(&"payments_outstanding"),
        "{kinds:?}"
    );
    let cases: Vec<Case> = ws.records();
    let effective = cases
        .iter()
        .filter(|c| c.scheme == "urban_dibao" && c.status == jiuzhu::ledger::CaseStatus::Effective)
        .count();
    assert!(effective > 5);
    assert_eq!(v["cases"]["urban_dibao"]["effective"], effective);
    // Read-only: nothing changed.
    let before = ws.tree(&[".jiuzhu"]);
    ws.run(&["status"]);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "status");
}

#[test]
fn status_and_intake_speak_chinese_in_a_chinese_locale() {
    let ws = Ws::new();
    let out = jiuzhu()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .arg("-C")
        .arg(ws.root())
        .args(["intake", &month::s(&month::county("inbox/2026-11/东河乡-申请登记.csv"))])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        first_line(&out).contains("读取") && first_line(&out).contains("拒收"),
        "{}",
        stdout(&out)
    );
    let out = jiuzhu()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .arg("-C")
        .arg(ws.root())
        .arg("status")
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(stdout(&out).contains("待办事项"), "{}", stdout(&out));
    assert!(stdout(&out).contains("最近一次导入拒收"), "{}", stdout(&out));
    let out = jiuzhu()
        .args(["--lang", "zh", "-C", "/nonexistent-jiuzhu", "status"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("错误"), "{}", stderr(&out));
}

/// In force in a month, computed here from the records: the latest effective-or-superseded decision (not a
/// rejection) whose effective_from ≤ month; not a stop; 临时救助 only in its own month.
fn in_force(cases: &[Case], decisions: &[Decision], month: &str) -> BTreeMap<String, (String, i64)> {
    let mut best: BTreeMap<&str, &Decision> = BTreeMap::new();
    for d in decisions {
        let from = d.effective_from.map(|f| f.to_string()).unwrap_or_default();
        let ok = matches!(d.status, DecisionStatus::Effective | DecisionStatus::Superseded)
            && d.kind != DecisionKind::Reject
            && !from.is_empty()
            && from.as_str() <= month;
        if ok {
            let e = best.entry(&d.case_id).or_insert(d);
            if (d.effective_from, d.period, &d.decision_id) > (e.effective_from, e.period, &e.decision_id) {
                *e = d;
            }
        }
    }
    let mut out = BTreeMap::new();
    for (id, d) in best {
        let c = cases.iter().find(|c| c.case_id == id).unwrap();
        if d.kind == DecisionKind::Stop
            || (c.scheme == "temporary" && d.effective_from.map(|f| f.to_string()).as_deref() != Some(month))
        {
            continue;
        }
        out.insert(id.to_string(), (c.scheme.clone(), d.amount.0));
    }
    out
}

#[test]
fn the_report_matches_sums_from_the_ledgers_and_is_reproducible() {
    let ws = month::month();
    let out = ws.run(&["report", "--period", "2026-11"]);
    assert_exit(&out, 0);
    assert!(first_line(&out).contains("✓"), "{}", stdout(&out));
    let rel = "reports/统计报表-2026-11.xlsx";
    let bytes = ws.bytes(rel);

    let cases: Vec<Case> = ws.records();
    let decisions: Vec<Decision> = ws.records();
    let payments: Vec<Payment> = ws.records();
    let now = in_force(&cases, &decisions, "2026-11");
    let total: i64 = now.values().map(|(_, a)| a).sum();
    let paid: i64 = payments
        .iter()
        .filter(|p| {
            matches!(p.status, PaymentStatus::Issued | PaymentStatus::Paid)
                && p.period.to_string().as_str() <= "2026-11"
        })
        .map(|p| p.amount.0)
        .sum();
    assert!(now.len() > 20, "the example month puts cases in force");

    let wb = read_workbook(&ws.path(rel), Encoding::Detect).unwrap();
    let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["汇总", "按类别", "按乡镇村", "变动", "趋势"]);
    let cell = |sheet: usize, label: &str, col: usize| -> String {
        wb.sheets[sheet]
            .rows
            .iter()
            .find(|r| r.first().is_some_and(|c| c.text == label))
            .unwrap_or_else(|| panic!("no row {label}"))[col]
            .text
            .clone()
    };
    let money = |s: String| Fen::parse_yuan(&s).unwrap().0;
    assert_eq!(cell(0, "在保户数 (户)", 1), now.len().to_string());
    assert_eq!(money(cell(0, "本月保障金额 (元)", 1)), total);
    assert_eq!(money(cell(0, "本年累计发放 (元)", 1)), paid);
    assert_eq!(money(cell(1, "合计", 3)), total);
    for (scheme, label) in [
        ("urban_dibao", "城市低保"),
        ("rural_dibao", "农村低保"),
        ("tekun", "特困供养"),
    ] {
        let n = now.values().filter(|(s, _)| s == scheme).count();
        let a: i64 = now.values().filter(|(s, _)| s == scheme).map(|(_, a)| a).sum();
        assert_eq!(cell(1, label, 1), n.to_string(), "{label}");
        assert_eq!(money(cell(1, label, 3)), a, "{label}");
        // The first month: everything in force is new; the change sheet reconciles.
        assert_eq!(cell(3, label, 3), n.to_string(), "{label} new");
        assert_eq!(cell(3, label, 14), "✓");
    }
    let monthly: i64 = now.values().filter(|(s, _)| s != "temporary").map(|(_, a)| a).sum();
    assert_eq!(money(cell(3, "合计", 12)), monthly);
    assert_eq!(money(cell(0, "本月金额 (元, 按月救助)", 1)), monthly);
    let trend = &wb.sheets[4].rows;
    assert_eq!(trend.last().unwrap()[0].text, "2026-11");
    assert_eq!(trend[2][0].text, "2025-12");
    assert_eq!(trend[2][1].text, "0");

    // Same ledgers, same bytes: a rerun changes nothing.
    let out = ws.run(&["report", "--period", "2026-11"]);
    assert_exit(&out, 0);
    assert_eq!(ws.bytes(rel), bytes);
    let v = json(&ws.run(&["--json", "report", "--period", "2026-11"]));
    assert_eq!(v["households"], now.len());
    assert_eq!(v["reconciles"], true);

    // The next month starts from this month's total and reconciles.
    let out = ws.run(&["report", "--period", "2026-12"]);
    assert_exit(&out, 0);
    let wb = read_workbook(&ws.path("reports/统计报表-2026-12.xlsx"), Encoding::Detect).unwrap();
    let row = wb.sheets[3].rows.iter().find(|r| r[0].text == "合计").unwrap();
    assert_eq!(money(row[2].text.clone()), monthly, "last month's total");
    assert_eq!(row[14].text, "✓");

    check_with_openpyxl(&ws.path(rel));
    check_with_libreoffice(&ws.path(rel));
}

/// openpyxl opens the workbook without a warning and finds the three charts with their series.
fn check_with_openpyxl(path: &std::path::Path) {
    let script = r#"
import sys, warnings
warnings.simplefilter("error")
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["汇总"]
refs = []
for ch in ws._charts:
    for s in ch.series:
        cat = s.cat.strRef or s.cat.numRef
        refs.append(type(ch).__name__ + " " + s.val.numRef.f + " " + cat.f)
print("\n".join(refs))
"#;
    let out = match Std::new("python3").arg("-c").arg(script).arg(path).output() {
        Ok(o) => o,
        Err(_) => {
            eprintln!("note: python3 not installed; openpyxl check skipped");
            return;
        }
    };
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No module named 'openpyxl'") {
        eprintln!("note: openpyxl not installed; check skipped");
        return;
    }
    assert!(out.status.success(), "openpyxl: {err}");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "LineChart 趋势!$B$3:$B$14 趋势!$A$3:$A$14",
            "BarChart 趋势!$D$3:$D$14 趋势!$A$3:$A$14",
            "PieChart 按类别!$D$3:$D$6 按类别!$A$3:$A$6",
        ],
        "{text}"
    );
}

/// LibreOffice converts it to PDF headless (skipped with a note when `soffice` is not installed).
fn check_with_libreoffice(path: &std::path::Path) {
    let out_dir = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = Std::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out_dir.path())
        .arg(path)
        .output();
    match out {
        Err(_) => eprintln!("note: soffice (LibreOffice) not installed; PDF conversion check skipped"),
        Ok(o) => {
            let pdf = out_dir.path().join("统计报表-2026-11.pdf");
            assert!(
                o.status.success() && pdf.exists(),
                "LibreOffice could not convert the report: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}
