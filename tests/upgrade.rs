//! `jiuzhu upgrade` (issue 21, point 6): the example month as the jiuzhu before issue 21's storage changes left it
//! (`fixtures/upgrade/example-month-v1`, made by `examples/run-month.sh` with that version; its audit then is
//! `fixtures/upgrade/audit-before.txt`) is moved to the present format by one step of its own, with nothing lost:
//! every row accounted for, the other ledgers untouched, the journal only added to, and the audit afterwards
//! finding exactly what the earlier version's audit found.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// A copy of the earlier version's example month, to work on.
fn v1_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("county");
    copy_dir(&fixture("upgrade/example-month-v1"), &ws);
    (dir, ws)
}

fn run(ws: &Path, args: &[&str]) -> std::process::Output {
    jiuzhu()
        .env("LC_ALL", "C")
        .arg("-C")
        .arg(ws)
        .args(args)
        .output()
        .unwrap()
}

fn csv_rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn findings(out: &str) -> Vec<String> {
    out.lines().filter(|l| l.starts_with('J')).map(str::to_string).collect()
}

#[test]
fn a_step_on_an_earlier_format_says_to_upgrade_and_writes_nothing() {
    let (_dir, ws) = v1_workspace();
    let before = snapshot(&ws, &[".jiuzhu"]);
    let register = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/county/inbox/2026-11/东河乡-申请登记.csv");
    let register = register.to_str().unwrap();
    // Every step, not only those that read checks.csv: a month is not run half on one format.
    for args in [
        &["status"][..],
        &["verify", "--as-of", "2026-11-30"],
        &["audit", "--period", "2026-11"],
        &["disburse", "--period", "2026-11"],
        &["report", "--period", "2026-11"],
        &["intake", register],
        &["discover"],
        &["compare", "--export-hashed", "hashed.csv"],
    ] {
        let out = run(&ws, args);
        assert_exit(&out, 2);
        assert!(
            stderr(&out).contains("run `jiuzhu upgrade`") && stderr(&out).contains("ledgers/checks.csv"),
            "{args:?}: {}",
            stderr(&out)
        );
        let out = jiuzhu()
            .env("LANG", "zh_CN.UTF-8")
            .env_remove("LC_ALL")
            .arg("-C")
            .arg(&ws)
            .args(args)
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert_chinese(&out);
        assert!(stderr(&out).contains("`jiuzhu upgrade`"), "{}", stderr(&out));
    }
    assert_same_files(&before, &snapshot(&ws, &[".jiuzhu"]), "refused steps");
}

/// A ledger edited or deleted by hand stops the upgrade — its dry run too, and also when there would be nothing to
/// move — as it stops every step; `accept-edits` can record a hand edit of a ledger in the earlier format, and the
/// upgrade then moves the ledger as accepted.
#[test]
fn a_hand_edit_stops_the_upgrade_until_it_is_accepted() {
    let (_dir, ws) = v1_workspace();
    let checks = ws.join("ledgers/checks.csv");
    let text = std::fs::read_to_string(&checks).unwrap();
    let kept: Vec<&str> = text.lines().take(11).collect();
    std::fs::write(&checks, kept.join("\n") + "\n").unwrap();
    let before = snapshot(&ws, &[".jiuzhu"]);
    for args in [&["upgrade", "--dry-run"][..], &["upgrade"]] {
        let out = run(&ws, args);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains("ledgers/checks.csv"), "{}", stderr(&out));
        assert!(stderr(&out).contains("accept-edits"), "{}", stderr(&out));
    }
    assert_same_files(&before, &snapshot(&ws, &[".jiuzhu"]), "a refused upgrade");
    let out = run(
        &ws,
        &[
            "accept-edits",
            "--by",
            "王芳",
            "--reason",
            "磁盘修复后只剩前十条审核记录",
        ],
    );
    assert_exit(&out, 0);
    let out = run(&ws, &["upgrade"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("the policy values of 10 checks"),
        "{}",
        stdout(&out)
    );
    let out = run(&ws, &["audit", "--period", "2026-11", "--dry-run"]);
    assert!(
        stdout(&out).contains("J104"),
        "the accepted edit is listed: {}",
        stdout(&out)
    );

    // A sealed ledger deleted: the upgrade refuses rather than say there is nothing to do.
    let (_dir, ws) = v1_workspace();
    assert_exit(&run(&ws, &["upgrade"]), 0);
    std::fs::remove_file(ws.join("ledgers/checks.csv")).unwrap();
    for args in [&["upgrade", "--dry-run"][..], &["upgrade"]] {
        let out = run(&ws, args);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains("ledgers/checks.csv"), "{}", stderr(&out));
    }
}

#[test]
fn the_example_month_is_upgraded_with_nothing_lost() {
    let (_dir, ws) = v1_workspace();
    let before = snapshot(&ws, &[".jiuzhu"]);

    // For scripts: the change to be made, as docs/json.md lists it.
    let out = run(&ws, &["--json", "upgrade", "--dry-run"]);
    assert_exit(&out, 0);
    let o: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(o["dry_run"], true);
    assert_eq!(o["changes"][0]["name"], "checks-policy-values", "{o}");
    assert!(o["changes"][0]["detail"]
        .as_str()
        .unwrap()
        .starts_with("checks.csv: policy_values moved"));
    // A dry run says what it would do and writes nothing.
    let out = run(&ws, &["upgrade", "--dry-run"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).starts_with("dry run: upgrade: checks.csv:"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("dry run: upgrade: payments.csv: 33 payments moved to one file per batch month"),
        "{}",
        stdout(&out)
    );
    assert_same_files(&before, &snapshot(&ws, &[".jiuzhu"]), "a dry run");

    let out = jiuzhu()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .arg("-C")
        .arg(&ws)
        .arg("upgrade")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_chinese(&out);
    let after = snapshot(&ws, &[".jiuzhu"]);

    // Every check row is there, its policy values recovered by key, exactly as they were.
    let old = csv_rows(&before["ledgers/checks.csv"]);
    let new = csv_rows(&after["ledgers/checks.csv"]);
    let values: BTreeMap<String, String> = csv_rows(&after["ledgers/policy_values.csv"])
        .into_iter()
        .map(|r| (r["key"].clone(), r["values"].clone()))
        .collect();
    assert_eq!(old.len(), new.len());
    assert!(old.len() > 500, "the example month's checks: {}", old.len());
    assert!(values.len() < 30, "each text once: {}", values.len());
    for (o, n) in old.iter().zip(&new) {
        let mut back = n.clone();
        let key = back.remove("policy").unwrap();
        let text = if key.is_empty() {
            String::new()
        } else {
            values[&key].clone()
        };
        back.insert("policy_values".into(), text);
        assert_eq!(o, &back);
    }
    assert!(after["ledgers/checks.csv"].len() < before["ledgers/checks.csv"].len() * 4 / 5);

    // Every payment is there, in its batch month's file, exactly as it was; payments.csv is gone.
    let mut old = csv_rows(&before["ledgers/payments.csv"]);
    assert_eq!(old.len(), 33, "the example month's payments");
    let mut new = Vec::new();
    for (path, bytes) in after
        .iter()
        .filter(|(p, _)| p.starts_with("ledgers/payments/") && p.ends_with(".csv"))
    {
        let rows = csv_rows(bytes);
        assert!(
            rows.iter()
                .all(|r| path == &format!("ledgers/payments/{}.csv", r["batch"])),
            "{path}"
        );
        new.extend(rows);
    }
    old.sort_by(|a, b| a["payment_id"].cmp(&b["payment_id"]));
    new.sort_by(|a, b| a["payment_id"].cmp(&b["payment_id"]));
    assert_eq!(old, new);
    assert!(!after.contains_key("ledgers/payments.csv"));
    let body = |b: &[u8]| {
        String::from_utf8(b.to_vec())
            .unwrap()
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        body(&before["ledgers/payments.csv"]),
        body(&after["ledgers/payments/2026-11.csv"]),
        "same bytes"
    );

    // Nothing else changed but the journal, which only grew.
    for (path, bytes) in &before {
        match path.as_str() {
            "ledgers/checks.csv" | "ledgers/payments.csv" => {}
            "ledgers/events.csv" => assert!(after[path].starts_with(bytes), "the journal only grows"),
            _ => assert_eq!(&after[path], bytes, "{path} changed"),
        }
    }
    let new_files: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert_eq!(
        new_files,
        [
            "ledgers/payments/",
            "ledgers/payments/2026-11.csv",
            "ledgers/policy_values.csv"
        ]
    );
    let journal = String::from_utf8(after["ledgers/events.csv"].clone()).unwrap();
    assert!(
        journal.contains(",upgrade,,,,\"checks.csv: policy_values moved to policy_values.csv"),
        "{}",
        journal.lines().last().unwrap()
    );
    // The seal after the upgrade says what was written and what was removed.
    assert!(
        journal.contains("ledgers written: checks.csv, payments/2026-11.csv, policy_values.csv; removed: payments.csv"),
        "{journal}"
    );
    assert!(
        journal.contains(",upgrade,,,,payments.csv: moved to one file per batch month under payments/ (33 rows: payments/2026-11.csv 33;"),
        "{}",
        journal.lines().last().unwrap()
    );

    // The audit finds what the earlier version's audit found, nothing more (no hand edit, no broken seal).
    let out = run(&ws, &["audit", "--period", "2026-11", "--dry-run"]);
    let expected = std::fs::read_to_string(fixture("upgrade/audit-before.txt")).unwrap();
    assert_eq!(findings(&stdout(&out)), findings(&expected), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(1), "warnings only: {}", stdout(&out));
    assert!(stdout(&out).contains("(0 errors"), "{}", stdout(&out));

    // Once is enough: a second upgrade finds nothing to do and changes nothing.
    let out = run(&ws, &["upgrade"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("nothing to do"), "{}", stdout(&out));
    let out = run(&ws, &["--json", "upgrade"]);
    let o: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(o["changes"], serde_json::json!([]), "{o}");
    assert_same_files(&after, &snapshot(&ws, &[".jiuzhu"]), "a second upgrade");

    // The dossiers archived before the upgrade still verify.
    let out = run(&ws, &["archive", "verify"]);
    assert_exit(&out, 0);
    // And the steps go on: the status, a case explained, the next verify.
    assert!(matches!(run(&ws, &["status"]).status.code(), Some(0) | Some(1)));
    let case = &old[0]["case_id"];
    let out = run(&ws, &["explain", case]);
    assert_exit(&out, 0);
    let out = run(&ws, &["verify", "--as-of", "2026-11-30"]);
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "{}", stderr(&out));
    let out = run(&ws, &["audit", "--period", "2026-11", "--dry-run"]);
    assert!(stdout(&out).contains("(0 errors"), "{}", stdout(&out));
}

/// A workspace whose payments are still one file (`ledgers/payments.csv`, as before issue 21) is refused by every
/// step that reads them, with the advice to run `jiuzhu upgrade`, in the run's language.
#[test]
fn payments_in_one_file_are_refused_with_the_advice_to_upgrade() {
    let (_dir, ws) = v1_workspace();
    assert_exit(&run(&ws, &["upgrade"]), 0);
    // The earlier file put back beside the months (a restore from an old backup).
    std::fs::copy(
        fixture("upgrade/example-month-v1/ledgers/payments.csv"),
        ws.join("ledgers/payments.csv"),
    )
    .unwrap();
    let out = run(&ws, &["status"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("ledgers/payments.csv was written by an earlier version of jiuzhu")
            && stderr(&out).contains("run `jiuzhu upgrade`"),
        "{}",
        stderr(&out)
    );
    let out = jiuzhu()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .arg("-C")
        .arg(&ws)
        .arg("status")
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert!(stderr(&out).contains("`jiuzhu upgrade`"), "{}", stderr(&out));
    // The upgrade does not take it again: the file is not what the journal recorded after the upgrade.
    let out = run(&ws, &["upgrade"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("ledgers/payments.csv is not in the journal's last seal"),
        "{}",
        stderr(&out)
    );
}
