//! `--json`: each step's own result, as docs/json.md documents it. The example month is walked with `--json` at
//! every step; each object must be the only thing on stdout (the human lines on stderr), carry every key the doc
//! lists for its command and no key the doc does not, and say what the step did (the example's two bad rows by
//! row and column, proposals adding up to the monthly total, bank totals adding up to the batch). A usage error
//! or a refused run is the error object with exit 2.

mod common;
mod month;

use std::collections::BTreeSet;
use std::process::Output;

use common::*;
use jiuzhu::ledger::{Decision, DecisionStatus};
use month::{county, s};
use serde_json::{Map, Value};

/// The one JSON object on stdout: one line, an object, whose `exit` is the process's exit code.
#[track_caller]
fn object(out: &Output, command: &str) -> Map<String, Value> {
    let text = stdout(out);
    assert_eq!(
        text.lines().count(),
        1,
        "stdout must be exactly one line (the object):\n{text}\n--- stderr\n{}",
        stderr(out)
    );
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}"));
    let Value::Object(o) = v else {
        panic!("stdout is not a JSON object: {text}")
    };
    assert_eq!(o["command"], command, "{text}");
    assert_eq!(o["exit"].as_i64(), out.status.code().map(i64::from), "{text}");
    o
}

/// The keys docs/json.md lists for a section (`### \`decide --record\``), in its table.
fn doc_keys(section: &str) -> BTreeSet<String> {
    let doc = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md"))
        .expect("docs/json.md");
    let heading = format!("### `{section}`");
    let mut keys = BTreeSet::new();
    let mut inside = false;
    for line in doc.lines() {
        if line.starts_with("## ") || line.starts_with("### ") {
            inside = line == heading || line == format!("### {section}");
            continue;
        }
        if inside {
            if let Some(rest) = line.strip_prefix("| `") {
                if let Some((key, _)) = rest.split_once('`') {
                    keys.insert(key.to_string());
                }
            }
        }
    }
    assert!(!keys.is_empty(), "docs/json.md has no keys under {heading}");
    keys
}

/// Every key the doc lists for `section` is in the object, and every key of the object is documented.
#[track_caller]
fn assert_documented(o: &Map<String, Value>, section: &str) {
    let documented = doc_keys(section);
    let present: BTreeSet<String> = o
        .keys()
        .filter(|k| !["command", "exit", "error"].contains(&k.as_str()))
        .cloned()
        .collect();
    let missing: Vec<&String> = documented.difference(&present).collect();
    let undocumented: Vec<&String> = present.difference(&documented).collect();
    assert!(
        missing.is_empty() && undocumented.is_empty(),
        "`{section}`: keys in docs/json.md missing from the object: {missing:?}; keys not documented: \
         {undocumented:?}\n{o:?}"
    );
}

/// Money in JSON: a string with two decimals, never a number. Returns it in fen.
#[track_caller]
fn fen(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("money must be a string: {v}"));
    let (yuan, cents) = s
        .split_once('.')
        .unwrap_or_else(|| panic!("money has two decimals: {s}"));
    assert_eq!(cents.len(), 2, "money has two decimals: {s}");
    let sign = if yuan.starts_with('-') { -1 } else { 1 };
    sign * (yuan.trim_start_matches('-').parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap())
}

/// The error object: exit 2, a non-empty `error`, the command named.
#[track_caller]
fn assert_error(out: &Output, command: &str) -> String {
    assert_exit(out, 2);
    let o = object(out, command);
    let error = o["error"].as_str().expect("error is a string").to_string();
    assert!(!error.is_empty());
    error
}

fn registers() -> Vec<String> {
    [
        "inbox/2026-11/城关镇-申请登记表.xlsx",
        "inbox/2026-11/东河乡-申请登记.csv",
        "inbox/2026-11/西岭镇-申请登记.xlsx",
    ]
    .iter()
    .map(|r| s(&county(r)))
    .collect()
}

#[test]
fn intake_names_every_rejected_row_and_says_what_it_did() {
    let ws = Ws::new();
    let regs = registers();
    let mut args = vec!["--json", "intake", "--dry-run"];
    args.extend(regs.iter().map(String::as_str));
    let out = ws.run(&args);
    let o = object(&out, "intake");
    assert_documented(&o, "intake");
    assert_eq!(o["dry_run"], true);
    // Nothing written, but the report it would write is named.
    assert!(o["report"].is_string());
    assert!(!ws.path(o["report"].as_str().unwrap()).exists());

    args.retain(|a| *a != "--dry-run");
    let out = ws.run(&args);
    assert_exit(&out, 1);
    let o = object(&out, "intake");
    assert_documented(&o, "intake");
    assert_eq!(o["dry_run"], false);
    // The human summary went to stderr.
    assert!(stderr(&out).contains("rows read"), "{}", stderr(&out));
    let n = |k: &str| o[k].as_u64().unwrap();
    assert_eq!(
        n("rows_read"),
        n("rows_accepted") + n("rows_rejected") + n("rows_skipped")
    );
    assert_eq!(n("households_rejected"), 2);
    let rejected = o["rejected_rows"].as_array().unwrap();
    assert_eq!(rejected.len() as u64, n("rows_rejected"));
    // The example's two bad rows: 东河乡 rows 28 (an ID Excel damaged) and 32 (a wrong check character), both in
    // the ID column; the others of their households are rejected with them, with no column.
    let bad: Vec<(u64, &str)> = rejected
        .iter()
        .filter(|r| r["column"] != "")
        .map(|r| (r["row"].as_u64().unwrap(), r["column"].as_str().unwrap()))
        .collect();
    assert_eq!(bad, [(28, "身份证号"), (32, "身份证号")]);
    for r in rejected {
        assert_eq!(r["file"], "东河乡-申请登记.csv");
        assert!(!r["reason"].as_str().unwrap().is_empty() && !r["fix"].as_str().unwrap().is_empty());
    }
    assert!(rejected[1]["reason"].as_str().unwrap().contains("Excel"));
    assert!(ws.path(o["report"].as_str().unwrap()).exists());

    // Under zh the reasons are in Chinese; the keys stay English.
    let ws = Ws::new();
    let mut zh_args = vec!["--json", "--lang", "zh", "intake"];
    zh_args.extend(regs.iter().map(String::as_str));
    let o = object(&ws.run(&zh_args), "intake");
    assert_documented(&o, "intake");
    let reason = o["rejected_rows"][1]["reason"].as_str().unwrap();
    assert!(jiuzhu::i18n::english_words(reason).is_empty(), "{reason}");
}

#[test]
fn intake_unused_columns_and_bad_inputs() {
    let ws = Ws::new();
    // A register with a column intake does not read.
    let out = ws.run(&["--json", "intake", &s(&fixture("per-member.xlsx"))]);
    let o = object(&out, "intake");
    assert_documented(&o, "intake");
    for c in o["unused_columns"].as_array().unwrap() {
        assert!(
            c["column"].as_str().unwrap().chars().all(|ch| ch.is_ascii_uppercase()),
            "{c}"
        );
        assert!(c["header"].is_string() && c["file"].is_string() && c["sheet"].is_string());
    }
    // A file that cannot be read: refused, the error object.
    let error = assert_error(&ws.run(&["--json", "intake", "/no/such/register.xlsx"]), "intake");
    assert!(error.contains("/no/such/register.xlsx"), "{error}");
    // A usage error, in both languages, with --json anywhere on the line.
    let error = assert_error(&ws.run(&["intake", "--bogus", "--json"]), "intake");
    assert!(error.contains("--bogus"), "{error}");
    let out = ws.run_zh(&["--json", "intake", "--bogus"]);
    let error = assert_error(&out, "intake");
    assert!(
        error.contains("--bogus") && jiuzhu::i18n::english_words(&error).is_empty(),
        "{error}"
    );
    assert!(stderr(&out).contains("--bogus"));
    // No command at all.
    assert_error(&ws.run(&["--json"]), "jiuzhu");
    assert_error(&ws.run_zh(&["--json"]), "jiuzhu");
    // --lang refused.
    assert_error(&ws.run(&["--json", "--lang", "fr", "status"]), "status");
}

#[test]
fn the_month_step_by_step() {
    let ws = Ws::new();
    let regs = registers();
    let mut args = vec!["intake"];
    args.extend(regs.iter().map(String::as_str));
    assert_ne!(ws.run(&args).status.code(), Some(2));

    // compare: hits by registry and effect.
    let out = ws.run(&[
        "--json",
        "compare",
        "--source",
        &format!("deaths={}", s(&county("registries/deaths.xlsx"))),
        "--source",
        &format!("vehicles={}", s(&county("registries/vehicles.csv"))),
        "--dry-run",
    ]);
    let o = object(&out, "compare");
    assert_documented(&o, "compare");
    let by_effect: u64 = o["by_effect"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_effect, o["hits"].as_u64().unwrap());
    let by_registry = o["by_registry"].as_object().unwrap();
    assert_eq!(by_registry.keys().collect::<Vec<_>>(), ["deaths", "vehicles"]);
    assert_eq!(
        o["open_hits"].as_array().unwrap().len() as u64,
        o["open"].as_u64().unwrap()
    );
    let error = assert_error(
        &ws.run(&["--json", "compare", "--resolve", "/no/such/sheet.xlsx"]),
        "compare",
    );
    assert!(error.contains("/no/such/sheet.xlsx"));

    // verify: cases by outcome, those that need a person and why, the sample.
    let visits = s(&county("visits/2026-11-入户调查.csv"));
    let out = ws.run(&["--json", "verify", "--as-of", "2026-11-20", "--visits", &visits]);
    let o = object(&out, "verify");
    assert_documented(&o, "verify");
    assert_eq!(o["as_of"], "2026-11-20");
    let by: u64 = o["by_outcome"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by, o["cases"].as_u64().unwrap());
    let needs = o["needs_person"].as_array().unwrap();
    let not_verified = o["cases"].as_u64().unwrap() - o["by_outcome"]["verified"].as_u64().unwrap();
    assert!(needs.len() as u64 >= not_verified && !needs.is_empty());
    for c in needs {
        assert!(c["case_id"].is_string() && c["status"].is_string());
        let failed = c["failed_checks"].as_array().unwrap();
        assert!(!failed.is_empty(), "a case that needs a person says why: {c}");
        assert!(failed.iter().all(|f| f["result"] != "pass" && f["check"].is_string()));
        if c["overdue"] == true {
            assert!(failed.iter().any(|f| f["check"] == "time_limit"));
        }
    }
    assert_eq!(
        needs.iter().filter(|c| c["overdue"] == true).count() as u64,
        o["overdue"].as_u64().unwrap()
    );
    assert!(!o["revisit_sample"].as_array().unwrap().is_empty());
    assert!(ws.path(o["review"].as_str().unwrap()).exists());
    assert_eq!(o["visits"][0]["rows_read"].as_u64(), Some(96));
    let error = assert_error(
        &ws.run(&["--json", "verify", "--visits", "/no/such/visits.csv"]),
        "verify",
    );
    assert!(error.contains("/no/such/visits.csv"));

    // decide: proposals by kind with amounts adding up to the monthly total.
    let out = ws.run(&["--json", "decide", "--period", "2026-11"]);
    let o = object(&out, "decide");
    assert_documented(&o, "decide --period");
    assert_eq!(fen(&o["monthly_total_before"]), 0);
    let proposals = o["proposals"].as_array().unwrap();
    assert_eq!(proposals.len() as u64, o["proposed"].as_u64().unwrap());
    let monthly: i64 = proposals
        .iter()
        .filter(|p| p["monthly"] == true && p["kind"] != "reject")
        .map(|p| fen(&p["amount"]))
        .sum();
    assert!(monthly > 0);
    assert_eq!(monthly, fen(&o["monthly_total_after"]));
    let by_kind = o["by_kind"].as_object().unwrap();
    let (count, amount) = by_kind.values().fold((0, 0), |(n, a), v| {
        (n + v["count"].as_u64().unwrap(), a + fen(&v["amount"]))
    });
    assert_eq!(count, o["proposed"].as_u64().unwrap());
    assert_eq!(amount, proposals.iter().map(|p| fen(&p["amount"])).sum::<i64>());
    for b in o["blocked"].as_array().unwrap() {
        assert!(
            ["open_hits", "not_verified"].contains(&b["check"].as_str().unwrap()),
            "{b}"
        );
    }
    assert!(!o["blocked"].as_array().unwrap().is_empty());
    assert!(ws.path(o["worksheet"].as_str().unwrap()).exists());
    assert_error(&ws.run(&["--json", "decide", "--period", "2026-13"]), "decide");

    // decide --record: the verdicts and the notice.
    let proposed = ws
        .records::<Decision>()
        .into_iter()
        .filter(|d| d.status == DecisionStatus::Proposed)
        .count();
    let verdicts = month::all_agreed(&ws);
    let record = [
        "--json",
        "decide",
        "--record",
        &s(&verdicts),
        "--meeting",
        "审批会 纪要第11号",
        "--date",
        "2026-11-20",
    ];
    let out = ws.run(&record);
    let o = object(&out, "decide");
    assert_documented(&o, "decide --record");
    let v = &o["verdicts"];
    let decided = ["approved", "refusals_agreed", "rejected", "deferred"]
        .iter()
        .map(|k| v[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(decided as usize, proposed);
    assert!(ws.path(o["notice"].as_str().unwrap()).exists());
    let out = ws.run(&["--json", "decide", "--period", "2026-11", "--as-of", "2026-11-28"]);
    let o = object(&out, "decide");
    assert!(o["made_effective"].as_u64().unwrap() > 0);

    // disburse: the batch, its totals by bank, scheme and township, the files.
    let out = ws.run(&["--json", "disburse", "--period", "2026-11"]);
    let o = object(&out, "disburse");
    assert_documented(&o, "disburse --period");
    assert_eq!(o["batch"], "2026-11");
    let total = fen(&o["total"]);
    assert!(total > 0);
    for by in ["by_bank", "by_scheme", "by_township"] {
        let m = o[by].as_object().unwrap();
        assert_eq!(m.values().map(|v| fen(&v["amount"])).sum::<i64>(), total, "{by}");
        assert_eq!(
            m.values().map(|v| v["payments"].as_u64().unwrap()).sum::<u64>(),
            o["payments"].as_u64().unwrap(),
            "{by}"
        );
    }
    let files = o["files"].as_array().unwrap();
    assert_eq!(files.iter().map(|f| fen(&f["amount"])).sum::<i64>(), total);
    for f in files {
        assert!(ws.path(f["path"].as_str().unwrap()).exists(), "{f}");
    }
    assert!(ws.path(o["summary"].as_str().unwrap()).exists());
    assert_error(
        &ws.run(&["--json", "disburse", "--reconcile", "/no/such/return.csv"]),
        "disburse",
    );

    // Follow-up visits: the rows refused, with their reasons.
    let bad = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/followups/bad.csv");
    let out = ws.run(&["--json", "intake", "--kind", "followups", "--dry-run", &s(&bad)]);
    assert_exit(&out, 1);
    let o = object(&out, "intake");
    assert_documented(&o, "intake --kind followups");
    let rows = o["rejected_rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(o["rejected"].as_u64(), Some(7));
    assert!(rows
        .iter()
        .all(|r| r["row"].as_u64().is_some() && !r["reason"].as_str().unwrap().is_empty()));

    // audit: every finding.
    let out = ws.run(&["--json", "audit"]);
    let o = object(&out, "audit");
    assert_documented(&o, "audit");
    let findings = o["findings"].as_array().unwrap();
    assert_eq!(findings.len() as u64, o["findings_count"].as_u64().unwrap());
    assert_eq!(
        o["errors"].as_u64().unwrap() + o["warnings"].as_u64().unwrap(),
        findings.len() as u64
    );
    for f in findings {
        assert!(f["code"].as_str().unwrap().starts_with('J'), "{f}");
        assert!(["error", "warning"].contains(&f["level"].as_str().unwrap()));
        assert!(f["case_id"].is_string() && !f["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(out.status.code(), Some(if findings.is_empty() { 0 } else { 1 }));
    let out = ws.run(&["--json", "audit", "--sample", "10%", "--seed", "7"]);
    let o = object(&out, "audit");
    assert_documented(&o, "audit --sample");
    let drawn = o["drawn"].as_array().unwrap();
    assert!(!drawn.is_empty() && drawn.iter().all(|c| c.is_string()));
    assert!(ws.path(o["worksheet"].as_str().unwrap()).exists());
    let error = assert_error(&ws.run(&["--json", "audit", "no_such_check"]), "audit");
    assert!(error.contains("no_such_check"), "{error}");

    // status and report.
    let o = object(&ws.run(&["--json", "status"]), "status");
    assert_documented(&o, "status");
    let o = object(
        &ws.run(&["--json", "report", "--period", "2026-11", "--dry-run"]),
        "report",
    );
    assert_documented(&o, "report");
    assert!(fen(&o["amount"]) > 0);
}

#[test]
fn archive_explain_and_the_other_commands_give_their_results() {
    let ws = month::effective();
    let o = object(&ws.run(&["--json", "archive"]), "archive");
    assert_documented(&o, "archive");
    assert_eq!(o["made"].as_u64(), Some(o["dossiers"].as_array().unwrap().len() as u64));
    // explain: every decision of the case, its amounts as money.
    let case = ws.records::<jiuzhu::ledger::Decision>()[0].case_id.clone();
    let o = object(&ws.run(&["--json", "explain", &case]), "explain");
    assert_documented(&o, "explain");
    let decisions = o["decisions"].as_array().unwrap();
    assert!(!decisions.is_empty());
    for d in decisions {
        fen(&d["amount"]);
        assert!(!d["derivation"].as_array().unwrap().is_empty(), "{d}");
    }
    // A command without results of its own: the workspace's counts.
    let o = object(
        &ws.run(&[
            "--json",
            "accept-edits",
            "--by",
            "测试",
            "--reason",
            "nothing to accept",
        ]),
        "accept-edits",
    );
    assert_documented(&o, "Other commands");
}

/// `upgrade --json`: the changes made, as docs/json.md lists them, on the example month as the earlier version
/// left it; then, upgraded, none.
#[test]
fn upgrade_gives_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("county");
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/example-month-v1"),
        &ws,
    );
    for (changes, args) in [(2, &["--json", "upgrade"][..]), (0, &["--json", "upgrade"])] {
        let out = jiuzhu()
            .env("LC_ALL", "C")
            .arg("-C")
            .arg(&ws)
            .args(args)
            .output()
            .unwrap();
        let o = object(&out, "upgrade");
        assert_documented(&o, "upgrade");
        assert_eq!(o["changes"].as_array().unwrap().len(), changes, "{o:?}");
    }
}
