//! Overpayments (多发, 追回): months paid that a later decision or a confirmed death made no longer due are
//! computed, recorded in `recoveries.csv` with their reason, shown in `status`, the 汇总表 and `report`, settled by
//! a recorded repayment or an approved write-off — and a retroactive stop no longer blocks `disburse`.

mod common;
mod month;

use common::*;
use jiuzhu::domain::date::Period;
use jiuzhu::domain::money::Fen;
use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::{Case, CaseStatus, Decision, DecisionKind, DecisionStatus, Match, Member, Payment, Recovery};
use jiuzhu::ledger::{RecoveryStatus, Text};

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

/// The example month paid (batch 2026-11), then a stop of one paid case made effective from 2026-11 — a stop
/// decided after the month was paid (e.g. an exclusion confirmed late), recorded as an administrator would.
fn stopped_after_payment() -> (Ws, String, Fen) {
    let ws = month::month();
    let payments: Vec<Payment> = ws.records();
    let paid = payments
        .iter()
        .find(|x| x.period == p("2026-11"))
        .expect("a November payment")
        .clone();
    let mut ds: Vec<Decision> = ws.records();
    let in_force = ds
        .iter()
        .find(|d| d.case_id == paid.case_id && d.status == DecisionStatus::Effective)
        .unwrap()
        .clone();
    for d in ds
        .iter_mut()
        .filter(|d| d.case_id == paid.case_id && d.status == DecisionStatus::Effective)
    {
        d.status = DecisionStatus::Superseded;
    }
    let stop = Decision {
        decision_id: jiuzhu::domain::decision::decision_id(&paid.case_id, p("2026-11"), DecisionKind::Stop),
        period: p("2026-11"),
        kind: DecisionKind::Stop,
        status: DecisionStatus::Effective,
        amount: Fen(0),
        previous_amount: in_force.amount,
        delta_amount: Fen(-in_force.amount.0),
        reason: "confirmed_exclude_hit".into(),
        derivation: Text("信息比对确认: 财政供养人员; 停发".into()),
        effective_from: Some(p("2026-11")),
        gradual_exit_until: None,
        urgent: false,
        ..in_force.clone()
    };
    ds.push(stop);
    ds.sort_by(|a, b| a.decision_id.cmp(&b.decision_id));
    ws.write_ledger(&ds);
    let mut cases: Vec<Case> = ws.records();
    cases.iter_mut().find(|c| c.case_id == paid.case_id).unwrap().status = CaseStatus::Stopped;
    ws.write_ledger(&cases);
    ws.accept_edits();
    let amount = Fen(payments
        .iter()
        .filter(|x| x.case_id == paid.case_id && x.period == p("2026-11"))
        .map(|x| x.amount.0)
        .sum());
    (ws, paid.case_id, amount)
}

#[test]
fn a_stop_on_a_paid_month_is_recorded_to_recover_and_disburse_goes_on() {
    let (ws, case_id, amount) = stopped_after_payment();
    // Not yet recorded: audit says so (J202, with the command).
    let out = ws.run(&["audit"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("J202 error") && l.contains(&case_id)),
        "{text}"
    );
    assert!(text.contains("jiuzhu recover"), "{text}");

    // disburse records it and issues December (a dry run under zh says so in Chinese, and writes nothing).
    let before = ws.ledgers();
    let out = ws.run_zh(&["disburse", "--period", "2026-12", "--dry-run"]);
    assert!(stdout(&out).contains("登记多发待追回 1 笔"), "{}", stdout(&out));
    assert_chinese(&out);
    assert_same_files(&before, &ws.ledgers(), "a dry run");
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1 overpayments recorded to recover"), "{text}");
    assert!(
        text.contains(&format!("to recover (追回) {case_id}")) && text.contains(&amount.to_string()),
        "{text}"
    );
    let rs: Vec<Recovery> = ws.records();
    assert_eq!(rs.len(), 1);
    let r = &rs[0];
    assert_eq!(
        (r.case_id.as_str(), r.months.as_str(), r.amount),
        (case_id.as_str(), "2026-11", amount)
    );
    assert_eq!(r.status, RecoveryStatus::Open);
    assert!(
        r.reason.as_str().contains("停发决定") && r.reason.as_str().contains("confirmed_exclude_hit"),
        "{}",
        r.reason
    );
    // Nothing paid for December to the stopped case.
    let ps: Vec<Payment> = ws.records();
    assert!(!ps.iter().any(|x| x.case_id == case_id && x.period == p("2026-12")));
    assert!(ps.iter().any(|x| x.period == p("2026-12")), "the batch was issued");
    // The 汇总表 has the sheet 追回.
    let summary = ws.path("reports/disburse-2026-12-汇总表.xlsx");
    let wb = jiuzhu::sheet::reader::read_workbook(&summary, jiuzhu::sheet::reader::Encoding::Detect).unwrap();
    let sheet = wb.sheets.iter().find(|s| s.name == "追回").expect("a 追回 sheet");
    assert!(sheet.rows.iter().any(|r| r.iter().any(|c| c.text == case_id)));
    // The journal says why.
    let events: Vec<Event> = ws.records();
    assert!(events.iter().any(|e| e.case_id == case_id
        && e.detail.contains("overpayment to recover")
        && e.detail.contains("stop decision")));
    // Running disburse again records nothing twice.
    let before = ws.ledgers();
    ws.run(&["disburse", "--period", "2026-12"]);
    assert_same_files(&before, &ws.ledgers(), "disburse again");

    // audit: no J202/J303/J304 for a recorded overpayment; J213 while it is open.
    let out = ws.run(&["audit"]);
    let text = stdout(&out);
    for code in ["J202", "J303", "J304", "J102"] {
        assert!(!text.lines().any(|l| l.starts_with(code)), "{code}:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("J213 warning") && l.contains(&case_id)),
        "{text}"
    );

    // status and report show it, in Chinese under zh.
    let out = ws.run_zh(&["status"]);
    assert!(stdout(&out).contains("1 笔多发款待追回"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!("recover {case_id} --repaid")),
        "{}",
        stdout(&out)
    );
    assert_chinese(&out);
    let out = ws.run(&["report", "--period", "2026-12"]);
    assert!(
        stdout(&out).contains(&format!("1 open with {amount} still to recover")),
        "{}",
        stdout(&out)
    );

    // A repayment of part, then a write-off of the rest by a named approver.
    let half = Fen(amount.0 / 2);
    let out = ws.run(&[
        "recover",
        &case_id,
        "--repaid",
        &half.to_string(),
        "--date",
        "2026-12-05",
        "--by",
        "王芳",
    ]);
    assert_exit(&out, 1); // half is still to recover: a person must collect it
    assert!(
        stdout(&out).contains(&format!("{} still to recover", Fen(amount.0 - half.0))),
        "{}",
        stdout(&out)
    );
    let r = &ws.records::<Recovery>()[0];
    assert_eq!((r.repaid, r.status), (half, RecoveryStatus::Open));
    // More than is owed: refused, nothing written.
    let before = ws.ledgers();
    let out = ws.run(&[
        "recover",
        &case_id,
        "--repaid",
        &amount.to_string(),
        "--date",
        "2026-12-06",
        "--by",
        "王芳",
    ]);
    assert_exit(&out, 2);
    assert_same_files(&before, &ws.ledgers(), "a repayment above what is owed");
    // A write-off needs its approver and reason (clap), and settles the rest.
    let out = ws.run(&["recover", &case_id, "--write-off", "--date", "2026-12-20"]);
    assert_exit(&out, 2);
    let out = ws.run_zh(&[
        "recover",
        &case_id,
        "--write-off",
        "--approver",
        "李局长",
        "--reason",
        "户主无力偿还, 经局务会研究核销",
        "--date",
        "2026-12-20",
    ]);
    assert_exit(&out, 0);
    assert_chinese(&out);
    let r = &ws.records::<Recovery>()[0];
    assert_eq!(r.status, RecoveryStatus::Settled);
    assert_eq!(r.written_off, Fen(amount.0 - half.0));
    assert_eq!(r.settled_by.as_str(), "李局长");
    let out = ws.run(&["audit"]);
    let text = stdout(&out);
    assert!(
        !text.lines().any(|l| l.starts_with("J213") || l.starts_with("J202")),
        "{text}"
    );
    assert!(!stdout(&ws.run(&["status"])).contains("still to recover"));
}

#[test]
fn recover_finds_months_paid_after_a_confirmed_death() {
    let ws = month::month();
    let payments: Vec<Payment> = ws.records();
    let paid = payments.iter().find(|x| x.period == p("2026-11")).unwrap().clone();
    let case: Case = ws
        .records::<Case>()
        .into_iter()
        .find(|c| c.case_id == paid.case_id)
        .unwrap();
    let head: Member = ws
        .records::<Member>()
        .into_iter()
        .find(|m| m.id_number == case.applicant_id_number)
        .unwrap();
    let mut hits: Vec<Match> = if ws.path("ledgers/matches.csv").exists() {
        ws.records()
    } else {
        Vec::new()
    };
    hits.push(Match {
        hit_id: "H-DEATHS-RECOVER".into(),
        case_id: case.case_id.clone(),
        id_number: head.id_number.clone(),
        name: head.name.clone(),
        source: "deaths".into(),
        match_kind: jiuzhu::ledger::MatchKind::Id,
        source_file_sha256: "0".repeat(64),
        source_row: 2,
        evidence: "死亡日期=2026-10-20; 火化地点=青禾县殡仪馆".into(),
        effect: jiuzhu::ledger::Effect::Exclude,
        disposition: jiuzhu::ledger::Disposition::Confirmed,
        note: "火化证明".into(),
        decided_by: "李明".into(),
        batch: String::new(),
    });
    hits.sort_by(|a, b| a.hit_id.cmp(&b.hit_id));
    ws.write_ledger(&hits);
    ws.accept_edits();
    let out = ws.run(&["audit"]);
    assert!(
        stdout(&out).lines().any(|l| l.starts_with("J203 error")),
        "{}",
        stdout(&out)
    );

    let out = ws.run(&["recover", "--dry-run"]);
    assert_exit(&out, 1); // money to recover needs a person
    assert!(!ws.path("ledgers/recoveries.csv").exists(), "a dry run writes nothing");
    let out = ws.run(&["recover"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("recover: 1 overpayments recorded"), "{text}");
    let rs: Vec<Recovery> = ws.records();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].months, "2026-11");
    assert!(rs[0].reason.as_str().contains("2026-10-20 死亡"), "{}", rs[0].reason);
    let owed: i64 = payments
        .iter()
        .filter(|x| x.case_id == case.case_id && x.period == p("2026-11"))
        .map(|x| x.amount.0)
        .sum();
    assert_eq!(rs[0].amount, Fen(owed));
    // Recorded: J203 is no longer a finding; J213 holds it. Again: nothing new.
    let text = stdout(&ws.run(&["audit"]));
    assert!(!text.lines().any(|l| l.starts_with("J203")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("J213")), "{text}");
    let out = ws.run(&["recover"]);
    assert!(
        stdout(&out).contains("recover: 0 overpayments recorded; 1 open"),
        "{}",
        stdout(&out)
    );
    let out = ws.run_zh(&["recover"]);
    assert!(stdout(&out).contains("待追回 1 笔"), "{}", stdout(&out));
    assert_chinese(&out);
    // A case with nothing to recover: refused.
    let other = payments.iter().find(|x| x.case_id != case.case_id).unwrap();
    let out = ws.run(&[
        "recover",
        &other.case_id,
        "--repaid",
        "10",
        "--date",
        "2026-12-05",
        "--by",
        "王芳",
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("nothing to recover"), "{}", stderr(&out));
}
