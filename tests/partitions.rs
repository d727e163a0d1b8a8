//! The payments ledger kept by batch month (issue 21, point 5): `ledgers/payments/2026-11.csv`, one file per
//! month, each sorted by key. A step rewrites only the month it changed (a December batch leaves November's file
//! as it was, to the byte and the file's modification time), the same month twice gives the same bytes, and each
//! month's file is held to the journal's seal like any ledger: edited, removed or added by hand, it stops the next
//! step and audit names it.

mod common;
mod month;

use std::time::SystemTime;

use common::*;
use jiuzhu::ledger::Payment;

const NOV: &str = "ledgers/payments/2026-11.csv";
const DEC: &str = "ledgers/payments/2026-12.csv";

fn modified(ws: &Ws, rel: &str) -> SystemTime {
    std::fs::metadata(ws.path(rel)).unwrap().modified().unwrap()
}

/// The journal's last seal: which ledgers the last step wrote.
fn last_seal(ws: &Ws) -> String {
    let journal = ws.ledger("events.csv");
    journal
        .lines()
        .rev()
        .find(|l| l.contains(",seal,"))
        .unwrap()
        .to_string()
}

#[test]
fn a_month_writes_its_own_file_and_leaves_the_others_untouched() {
    let ws = month::month();
    // November's batch is its own file; no payments.csv.
    assert!(!ws.path("ledgers/payments.csv").exists());
    let files = jiuzhu::ledger::list_csv_files(&ws.path("ledgers/payments")).unwrap();
    assert_eq!(files, ["2026-11.csv"]);
    let paid = ws.records::<Payment>();
    assert!(paid.len() > 20, "{}", paid.len());
    assert!(paid.iter().all(|p| p.batch.to_string() == "2026-11"));
    // Sorted by key, with the ledger's header.
    let nov = ws.read(NOV);
    assert!(nov.starts_with("payment_id,batch,period,"), "{nov}");
    let ids: Vec<&str> = nov.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    // The same batch again rewrites nothing.
    let (before, at) = (ws.ledgers(), modified(&ws, NOV));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = ws.run(&["disburse", "--period", "2026-11"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    assert_same_files(&before, &ws.ledgers(), "the same batch again");
    assert_eq!(modified(&ws, NOV), at, "November's file was rewritten");

    // December's batch: a new file; November's keeps its bytes and is not even rewritten.
    let nov_bytes = ws.bytes(NOV);
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    assert!(ws.path(DEC).exists());
    assert_eq!(ws.bytes(NOV), nov_bytes);
    assert_eq!(
        modified(&ws, NOV),
        at,
        "November's file was rewritten by December's batch"
    );
    let seal = last_seal(&ws);
    assert!(seal.contains("payments/2026-12.csv"), "{seal}");
    assert!(
        !seal.contains("payments/2026-11.csv,") && !seal.contains("payments/2026-11.csv\""),
        "{seal}"
    );
    // Read back, the two months are one ledger in key order, as `payments.csv` was.
    let all = ws.records::<Payment>();
    assert!(all.windows(2).all(|w| w[0].payment_id < w[1].payment_id));
    assert!(all.iter().any(|p| p.batch.to_string() == "2026-12"));
    let out = ws.run(&["audit", "--dry-run"]);
    assert!(!stdout(&out).contains("J10"), "{}", stdout(&out));
}

#[test]
fn the_same_month_gives_the_same_bytes() {
    let (a, b) = (month::month(), month::month());
    let files = |ws: &Ws| -> Vec<(String, Vec<u8>)> {
        jiuzhu::ledger::list_csv_files(&ws.path("ledgers/payments"))
            .unwrap()
            .into_iter()
            .map(|f| (f.clone(), ws.bytes(&format!("ledgers/payments/{f}"))))
            .collect()
    };
    assert_eq!(files(&a), files(&b));
    assert_eq!(a.bytes("ledgers/events.csv"), b.bytes("ledgers/events.csv"));
}

#[test]
fn a_month_edited_removed_or_added_by_hand_is_caught() {
    let ws = month::month();
    // What the audit finds in the example month as jiuzhu left it (its own findings, no J1xx).
    let clean = stdout(&ws.run(&["audit", "--dry-run"]));
    assert!(!clean.contains("J10"), "{clean}");

    // An amount edited by hand in November's file.
    let nov = ws.read(NOV);
    let first = nov.lines().nth(1).unwrap().to_string();
    let amount = first.split(',').nth(8).unwrap().to_string();
    let edited = first.replacen(&format!(",{amount},"), ",9999.00,", 1);
    std::fs::write(ws.path(NOV), nov.replacen(&first, &edited, 1)).unwrap();
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("ledgers/payments/2026-11.csv is not what the journal recorded"),
        "{}",
        stderr(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a refused step");
    let out = ws.run(&["audit", "--dry-run"]);
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("J102 error") && l.contains("ledgers/payments/2026-11.csv")),
        "{}",
        stdout(&out)
    );
    std::fs::write(ws.path(NOV), &nov).unwrap();
    assert_eq!(stdout(&ws.run(&["audit", "--dry-run"])), clean);

    // Removed.
    std::fs::remove_file(ws.path(NOV)).unwrap();
    let out = ws.run(&["decide", "--period", "2026-12"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("ledgers/payments/2026-11.csv is missing"),
        "{}",
        stderr(&out)
    );
    std::fs::write(ws.path(NOV), &nov).unwrap();

    // A month added by hand (a copy of November's file as January's).
    std::fs::write(ws.path("ledgers/payments/2027-01.csv"), &nov).unwrap();
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("ledgers/payments/2027-01.csv is not in the journal's last seal"),
        "{}",
        stderr(&out)
    );
    // It cannot be accepted either: its rows belong in November's file.
    let out = ws.run(&["accept-edits", "--by", "x", "--reason", "y"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("ledgers/payments/2027-01.csv data row 1 belongs in ledgers/payments/2026-11.csv"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(ws.path("ledgers/payments/2027-01.csv")).unwrap();
    assert_eq!(stdout(&ws.run(&["audit", "--dry-run"])), clean);
}

#[test]
fn a_month_edited_on_purpose_is_accepted_and_read() {
    let ws = month::month();
    let mut payments = ws.records::<Payment>();
    let case = payments[0].case_id.clone();
    payments[0].reason = jiuzhu::ledger::Text("银行电话通知".into());
    ws.write_ledger(&payments);
    let out = ws.run(&["accept-edits", "--by", "王芳 (民政办)", "--reason", "银行来电"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("payments/2026-11.csv changed"),
        "{}",
        stdout(&out)
    );
    assert!(ws.ledger("payments.csv").contains("银行电话通知"));
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    assert!(ws
        .records::<Payment>()
        .iter()
        .any(|p| p.case_id == case && p.batch.to_string() == "2026-12"));
}
