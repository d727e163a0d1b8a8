//! The ledgers and the journal guard each other (issue: nothing paid twice, nothing laundered): after a clean
//! audit of the example month, ledgers are deleted, edited and the journal cut, then later steps and `audit`
//! are run. No step builds on a ledger that is not what the journal recorded; audit names each.

mod common;
mod month;

use common::*;
use jiuzhu::ledger::{Case, Payment};

/// The example month paid and audited clean.
fn audited() -> Ws {
    let ws = month::month();
    let out = ws.run(&["audit"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    ws
}

/// Runs a step that must refuse: exit 2, nothing in the workspace changed, the message names `file`.
#[track_caller]
fn refused(ws: &Ws, args: &[&str], file: &str) -> String {
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(args);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("ledgers/{file}")),
        "{args:?} should name {file}:\n{err}"
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a refused step");
    err
}

/// The audit's findings, one line each; exit 1.
#[track_caller]
fn findings(ws: &Ws) -> String {
    let out = ws.run(&["audit"]);
    assert_exit(&out, 1);
    stdout(&out)
}

/// A workspace whose November was paid loses its payments (`payments/2026-11.csv`) and batches.csv (a bad checkout, a sync tool): the
/// December batch would pay November again. It is refused, naming the files and the seal that recorded them,
/// and audit names them.
#[test]
fn a_deleted_ledger_never_pays_a_month_again() {
    let ws = audited();
    let paid = ws.records::<Payment>().len();
    assert!(paid > 0);
    std::fs::remove_file(ws.path("ledgers/payments/2026-11.csv")).unwrap();
    std::fs::remove_file(ws.path("ledgers/batches.csv")).unwrap();
    let err = refused(&ws, &["disburse", "--period", "2026-12"], "payments/2026-11.csv");
    assert!(err.contains("ledgers/batches.csv is missing"), "{err}");
    assert!(err.contains("seal event"), "{err}");
    let text = findings(&ws);
    for file in ["payments/2026-11.csv", "batches.csv"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("J102 error") && l.contains(&format!("ledgers/{file} is missing"))),
            "{text}"
        );
    }
    // Every writing step refuses, not only disburse.
    refused(&ws, &["decide", "--period", "2026-12"], "payments/2026-11.csv");
    refused(&ws, &["audit", "--sample", "5%", "--seed", "7"], "payments/2026-11.csv");
}

/// One effective case's bank account changed by hand after a clean audit: audit reports it, and a step run
/// after it neither pays the edited account nor makes the edit disappear from the next audit.
#[test]
fn a_hand_edit_is_not_laundered_by_a_later_step() {
    let ws = audited();
    let cases = ws.records::<Case>();
    let c = cases
        .iter()
        .find(|c| c.status == jiuzhu::ledger::CaseStatus::Effective && !c.bank_account.is_empty())
        .expect("an effective case with an account");
    let text = ws.ledger("cases.csv");
    let edited = text.replacen(c.bank_account.as_str(), "6228480000000000001", 1);
    assert_ne!(edited, text);
    std::fs::write(ws.path("ledgers/cases.csv"), &edited).unwrap();
    assert!(findings(&ws).contains("J102 error"), "audit names the edit");
    for step in [
        &["disburse", "--period", "2026-12"][..],
        &["verify", "--as-of", "2026-12-01"],
        &["audit", "--sample", "5%", "--seed", "7"],
        &[
            "intake",
            "--kind",
            "followups",
            &month::s(&month::county("followups/2026-11-回访.csv")),
        ],
    ] {
        refused(&ws, step, "cases.csv");
    }
    assert!(
        !ws.ledger("payments.csv").contains("6228480000000000001"),
        "nothing paid to the edited account"
    );
    let text = findings(&ws);
    assert!(
        text.lines()
            .any(|l| l.starts_with("J102 error") && l.contains("ledgers/cases.csv is not what the journal recorded")),
        "the edit is still reported after the steps:\n{text}"
    );
    assert!(
        !text.contains("6228480000000000001"),
        "no account in a finding:\n{text}"
    );
}

/// The journal cut: deleted, emptied to its header, or its last lines removed. Each is a finding, and no step
/// runs on it.
#[test]
fn a_cut_journal_is_found() {
    for cut in ["deleted", "emptied", "last lines"] {
        let ws = audited();
        let journal = ws.ledger("events.csv");
        match cut {
            "deleted" => std::fs::remove_file(ws.path("ledgers/events.csv")).unwrap(),
            "emptied" => {
                let header = journal.lines().next().unwrap();
                std::fs::write(ws.path("ledgers/events.csv"), format!("{header}\n")).unwrap();
            }
            _ => {
                let lines: Vec<&str> = journal.lines().collect();
                let kept = &lines[..lines.len() - 3];
                std::fs::write(ws.path("ledgers/events.csv"), kept.join("\n") + "\n").unwrap();
            }
        }
        let text = findings(&ws);
        assert!(
            text.lines()
                .any(|l| l.starts_with("J101 error") || l.starts_with("J102 error")),
            "{cut}: {text}"
        );
        refused(&ws, &["disburse", "--period", "2026-12"], "events.csv");
        // Nor can a cut journal be accepted away.
        let out = ws.run(&["accept-edits", "--by", "x", "--reason", "y"]);
        assert_exit(&out, 2);
    }
}

/// The last step's events cut off with its seal (the disburse of November): the seal left last no longer matches
/// the payments that step wrote, so the cut is found although every line left chains.
#[test]
fn a_journal_cut_back_to_an_earlier_seal_is_found() {
    let ws = audited();
    let journal = ws.ledger("events.csv");
    let lines: Vec<&str> = journal.lines().collect();
    // Remove the last step's events and its seal: the journal now ends at the seal of the step before.
    assert!(lines[lines.len() - 1].contains(",seal,"), "{journal}");
    let before_last = lines[..lines.len() - 1]
        .iter()
        .rposition(|l| l.contains(",seal,"))
        .expect("an earlier seal");
    let kept = &lines[..=before_last];
    std::fs::write(ws.path("ledgers/events.csv"), kept.join("\n") + "\n").unwrap();
    let err = refused(&ws, &["disburse", "--period", "2026-12"], "payments/2026-11.csv");
    assert!(err.contains("or the journal was cut back"), "{err}");
}

/// A step killed after its commit point, at each file it puts in place: the journal on disk is never cut
/// mid-line (it is replaced whole, like every other file), whatever reads it before the next run rolls the step
/// forward — a Git commit or a backup taken in between.
#[test]
fn a_kill_after_the_commit_point_never_leaves_a_torn_journal() {
    // The journal is replaced by a rename, never written in place: a new file each step.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ws = month::proposed();
        let inode = || std::fs::metadata(ws.path("ledgers/events.csv")).unwrap().ino();
        let before = inode();
        let out = ws.run(&["decide", "--period", "2026-12", "--as-of", "2026-11-30"]);
        assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
        assert_ne!(inode(), before, "events.csv was written in place");
    }
    for nth in 1..=3 {
        let ws = month::proposed();
        let before = ws.ledger("events.csv");
        let step = ["decide", "--period", "2026-12", "--as-of", "2026-11-30"];
        let out = ws.run_env(&step, Some(&format!("between-renames:{nth}")));
        assert_eq!(out.status.code(), None, "killed at rename {nth}: {}", stderr(&out));
        let now = ws.ledger("events.csv");
        assert!(
            now == before || now.starts_with(&before),
            "rename {nth}: the journal is old or new"
        );
        let events = jiuzhu::ledger::parse::<jiuzhu::ledger::events::Event>("events.csv", now.as_bytes())
            .unwrap_or_else(|e| panic!("rename {nth}: a torn journal: {e:#}"));
        assert!(jiuzhu::ledger::events::verify_chain(&events).is_none());
        // The next run completes the step; the ledgers then hold to their seal.
        let out = ws.run(&["audit", "--dry-run", "journal"]);
        assert!(!stdout(&out).contains("J10"), "rename {nth}: {}", stdout(&out));
    }
}

/// The meeting's worksheet recorded by a run killed after its commit point, then recorded again: the second run
/// says the batch was already recorded (exit 0) instead of refusing its decisions as no longer proposals.
#[test]
fn a_round_trip_run_again_after_a_kill_says_it_was_recorded() {
    let ws = month::proposed();
    let batch = ws
        .records::<jiuzhu::ledger::Decision>()
        .into_iter()
        .find(|d| d.status == jiuzhu::ledger::DecisionStatus::Proposed)
        .unwrap()
        .batch;
    let mut sheet = format!("批次 batch,{batch}\n决定编号 decision,案件编号 case,评议结果 verdict,说明 note\n");
    for d in ws
        .records::<jiuzhu::ledger::Decision>()
        .iter()
        .filter(|d| d.status == jiuzhu::ledger::DecisionStatus::Proposed)
    {
        sheet.push_str(&format!("{},{},同意,\n", d.decision_id, d.case_id));
    }
    let verdicts = ws.path("verdicts.csv");
    std::fs::write(&verdicts, sheet).unwrap();
    let args = [
        "decide",
        "--record",
        verdicts.to_str().unwrap(),
        "--meeting",
        "审批会 纪要第11号",
        "--date",
        "2026-11-20",
    ];
    let out = ws.run_env(&args, Some("after-commit"));
    assert_ne!(out.status.code(), Some(0));
    let out = ws.run(&args);
    assert_exit(&out, 0);
    assert!(first_line(&out).contains("already recorded"), "{}", stdout(&out));
    // Another meeting cannot record the same batch again.
    let mut other = args.to_vec();
    other[4] = "另一次会议";
    let out = ws.run(&other);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("was already recorded at meeting 审批会 纪要第11号"),
        "{}",
        stderr(&out)
    );
}

/// Bad ledgers are refused, not half-used: a deleted `members.csv` stops decide (it proposed to stop every
/// recipient); a negative benefit or an amount written `1,200.00` is refused by every step and cannot be accepted,
/// the refusal naming the file, the row and the column.
#[test]
fn bad_ledgers_are_refused_naming_row_and_column() {
    let ws = audited();
    std::fs::remove_file(ws.path("ledgers/members.csv")).unwrap();
    let err = refused(&ws, &["decide", "--period", "2026-12"], "members.csv");
    assert!(err.contains("ledgers/members.csv is missing"), "{err}");

    let ws = audited();
    let decisions = ws.ledger("decisions.csv");
    let row = decisions
        .lines()
        .position(|l| l.contains(",effective,") && !l.contains(",0.00,0.00,0.00,"))
        .expect("an effective decision");
    let mut lines: Vec<String> = decisions.lines().map(String::from).collect();
    let fields: Vec<&str> = lines[row].split(',').collect();
    let amount = fields[5].to_string();
    lines[row] = lines[row].replacen(&format!(",{amount},"), &format!(",-{amount},"), 1);
    std::fs::write(ws.path("ledgers/decisions.csv"), lines.join("\n") + "\n").unwrap();
    refused(&ws, &["disburse", "--period", "2026-12"], "decisions.csv");
    let out = ws.run(&["accept-edits", "--by", "x", "--reason", "y"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(&format!(
            "ledgers/decisions.csv data row {row}, column amount: a negative amount"
        )),
        "{}",
        stderr(&out)
    );

    let ws = audited();
    let payments = ws.read("ledgers/payments/2026-11.csv");
    let first = payments.lines().nth(1).unwrap();
    let amount = first.split(',').nth(8).unwrap();
    let thousands = format!("\"1,{amount}\"");
    std::fs::write(
        ws.path("ledgers/payments/2026-11.csv"),
        payments.replacen(&format!(",{amount},"), &format!(",{thousands},"), 1),
    )
    .unwrap();
    refused(&ws, &["disburse", "--period", "2026-12"], "payments/2026-11.csv");
    let out = ws.run(&["accept-edits", "--by", "x", "--reason", "y"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("ledgers/payments/2026-11.csv line 2"),
        "{}",
        stderr(&out)
    );
}

/// A workspace made before seals existed (its journal has none) is sealed as found by its first writing step,
/// and held to the seal from then on.
#[test]
fn a_workspace_from_before_seals_is_sealed_as_found() {
    use jiuzhu::ledger::events::{self, Event, NewEvent};
    let ws = month::proposed();
    // The journal as an earlier version wrote it: the same events, no seals.
    let old: Vec<Event> = ws.records::<Event>().into_iter().filter(|e| e.step != "seal").collect();
    let mut chain = Vec::new();
    events::append(
        &mut chain,
        old.into_iter().map(|e| NewEvent {
            step: e.step,
            case_id: e.case_id,
            from_status: e.from_status,
            to_status: e.to_status,
            detail: e.detail.0,
            inputs: e.inputs,
        }),
    );
    ws.write_ledger(&chain);
    let out = ws.run(&["verify", "--as-of", "2026-11-21"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let events = ws.records::<Event>();
    let seals: Vec<&Event> = events.iter().filter(|e| e.step == "seal").collect();
    assert_eq!(seals.len(), 1, "one seal, by the first step");
    assert!(
        seals[0].detail.as_str().starts_with("ledgers sealed as found"),
        "{}",
        seals[0].detail.as_str()
    );
    // From then on, a hand edit is refused.
    let cases = ws.ledger("cases.csv");
    let edited = cases.replacen("东街社区", "西街社区", 1);
    assert_ne!(edited, cases);
    std::fs::write(ws.path("ledgers/cases.csv"), edited).unwrap();
    refused(&ws, &["verify", "--as-of", "2026-11-22"], "cases.csv");
}

/// Lists cut short say how many more there are: compare shows 20 open hits and counts the rest.
#[test]
fn a_long_list_of_hits_says_how_many_more() {
    let ws = month::proposed();
    let members = ws.records::<jiuzhu::ledger::Member>();
    let mut csv = String::from("车主姓名,身份证号码,号牌号码,车辆类型,登记日期\n");
    for (i, m) in members.iter().take(25).enumerate() {
        csv.push_str(&format!(
            "{},{},冀A·{i:05},小型普通客车,2023-01-10\n",
            m.name.as_str(),
            m.id_number.as_str()
        ));
    }
    let file = ws.path("vehicles.csv");
    std::fs::write(&file, csv).unwrap();
    let out = ws.run(&["compare", "--source", &format!("vehicles={}", file.display())]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let open = text.lines().filter(|l| l.starts_with("  open ")).count();
    assert_eq!(open, 20, "{text}");
    assert!(text.lines().any(|l| l.trim() == "… and 5 more"), "{text}");
}

/// After the notice, `decide` without `--as-of` takes the latest date the workspace knows (never the clock), so
/// nothing becomes effective: it says which option is missing and exits 1, instead of silently doing nothing.
#[test]
fn decide_without_as_of_after_the_notice_says_the_date_is_missing() {
    let ws = month::approved();
    let out = ws.run(&["decide", "--period", "2026-11"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("0 effective now"), "{text}");
    assert!(
        text.contains("approved decisions wait for their notice to end") && text.contains("give --as-of DATE"),
        "{text}"
    );
    // disburse then pays nothing, and says why (exit 1), instead of exit 0.
    let out = ws.run(&["disburse", "--period", "2026-11", "--dry-run"]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("approved decisions are not in force yet"),
        "{}",
        stdout(&out)
    );
    // With the date, they take effect and the line is gone.
    let out = ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-28"]);
    assert!(!stdout(&out).contains("give --as-of"), "{}", stdout(&out));
}
