//! `jiuzhu intake --kind followups|complaints`: follow-up visits that change a member's income (and the next
//! `decide` proposing a 减发), rows refused with their reasons, re-imports that change nothing, complaints
//! overdue in `status` and answered later.

mod common;
mod month;

use std::path::PathBuf;

use common::*;
use jiuzhu::domain::money::Fen;
use jiuzhu::ledger::{
    Case, CaseStatus, ChangeKind, Complaint, Decision, DecisionKind, DecisionStatus, DifficultyClass, Followup, Member,
};

fn fixture(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/followups")
        .join(name)
}

const ZHOU: &str = "130199198907040338"; // 周志强, head of an urban dibao household of 4, income 0

#[test]
fn a_follow_up_that_finds_new_income_leads_to_a_decrease() {
    let ws = month::month();
    let file = month::s(&month::county("followups/2026-11-回访.csv"));
    let out = ws.run(&["intake", "--kind", "followups", &file]);
    assert_exit(&out, 0);
    assert!(
        first_line(&out).contains("3 rows read = 3 recorded"),
        "{}",
        stdout(&out)
    );
    let members: Vec<Member> = ws.records();
    let zhou = members.iter().find(|m| m.id_number.as_str() == ZHOU).unwrap();
    assert_eq!(zhou.monthly_income_amount, Fen(120000));
    let followups: Vec<Followup> = ws.records();
    assert_eq!(followups.len(), 3);
    let f = followups.iter().find(|f| f.change == ChangeKind::Income).unwrap();
    assert_eq!(
        (f.old_income_amount, f.new_income_amount),
        (Some(Fen(0)), Some(Fen(120000)))
    );
    assert_eq!(f.difficulty_class, DifficultyClass::General);
    assert!(ws.ledger("events.csv").contains("月收入 0.00 → 1200.00"));

    // Again: nothing changes.
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["intake", "--kind", "followups", &file]);
    assert_exit(&out, 0);
    assert!(
        first_line(&out).contains("0 recorded + 3 already recorded"),
        "{}",
        stdout(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "re-import");

    let out = ws.run(&["decide", "--period", "2026-12"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    let decisions: Vec<Decision> = ws.records();
    let d = decisions
        .iter()
        .find(|d| d.case_id == f.case_id && d.period == "2026-12")
        .expect("a decision for the changed household");
    assert_eq!((d.kind, d.status), (DecisionKind::Decrease, DecisionStatus::Proposed));
    assert_eq!(d.reason, "income_up");
    assert!(d.amount < d.previous_amount);
    assert!(d.basis.contains("income=2180.00"), "{}", d.basis.0);
}

#[test]
fn bad_rows_are_refused_with_reasons_and_the_rest_taken() {
    let ws = month::month();
    let out = ws.run(&["intake", "--kind", "followups", &month::s(&fixture("bad.csv"))]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        first_line(&out).contains("8 rows read = 1 recorded + 0 already recorded + 7 rejected"),
        "{text}"
    );
    for reason in [
        "困难类别 `很困难`",
        "回访日期",
        "no visitors",
        "without the new monthly income",
        "is not a member of case",
        "is the head of household",
        "no open case whose head",
    ] {
        assert!(text.contains(reason), "missing `{reason}` in\n{text}");
    }
    let report = std::fs::read_dir(ws.path("reports"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("followups-rejects-bad-"))
        .expect("a rejects report");
    let rows = read_report(&report.path());
    assert_eq!(rows[0].1.len(), 7);
    // The good row was taken; a re-import changes nothing.
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["intake", "--kind", "followups", &month::s(&fixture("bad.csv"))]);
    assert_exit(&out, 1);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "re-import");

    let out = ws.run(&[
        "intake",
        "--kind",
        "followups",
        &month::s(&fixture("not-followups.csv")),
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("not a follow-up sheet"), "{}", stderr(&out));
}

#[test]
fn overdue_complaints_are_listed_until_answered() {
    let ws = month::month();
    let out = ws.run(&["intake", "--kind", "complaints", &month::s(&fixture("complaints.csv"))]);
    assert_exit(&out, 1);
    assert!(first_line(&out).contains("5 rows read = 2 recorded + 0 updated + 0 already recorded + 3 rejected"));
    let complaints: Vec<Complaint> = ws.records();
    let old = complaints
        .iter()
        .find(|c| c.received_on.to_string() == "2026-08-20")
        .unwrap();
    assert_eq!(old.due_on.to_string(), "2026-10-19", "60 days by default");

    let out = ws.run(&["--json", "status"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "complaints_overdue")
        .expect("the overdue complaint is listed");
    assert_eq!(item["count"], 1);
    assert!(item["command"].as_str().unwrap().contains(" intake --kind complaints"));

    let out = ws.run(&[
        "intake",
        "--kind",
        "complaints",
        &month::s(&fixture("complaints-answered.csv")),
    ]);
    assert_exit(&out, 0);
    assert!(first_line(&out).contains("1 updated"), "{}", stdout(&out));
    let complaints: Vec<Complaint> = ws.records();
    assert_eq!(complaints.len(), 2);
    let out = ws.run(&["status"]);
    assert!(!stdout(&out).contains("past their reply date"), "{}", stdout(&out));

    let out = jiuzhu()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .arg("-C")
        .arg(ws.root())
        .args(["intake", "--kind", "complaints", &month::s(&fixture("complaints.csv"))])
        .output()
        .unwrap();
    assert!(first_line(&out).starts_with("信访"), "{}", stdout(&out));
}

/// A complaint about a refused application names its head: it is filed under that case, though the case is no
/// longer open. When the head has applied again since, the complaint goes to the latest case and says which.
#[test]
fn a_complaint_about_a_refused_application_finds_its_case() {
    let ws = month::effective();
    let refused = ws
        .records::<Case>()
        .into_iter()
        .find(|c| c.status == CaseStatus::Rejected)
        .expect("a case the meeting refused");
    let head = refused.applicant_id_number.as_str().to_string();
    let sheet = ws.path("信访-12月.csv");
    std::fs::write(
        &sheet,
        format!(
            "收到日期,信访方式,信访人,信访事项,户主身份证号\n2026-12-02,来访,{},对不予批准有异议,{head}\n",
            refused.applicant_name
        ),
    )
    .unwrap();
    let out = ws.run(&["intake", "--kind", "complaints", &month::s(&sheet)]);
    assert_exit(&out, 0);
    assert!(first_line(&out).contains("1 recorded"), "{}", stdout(&out));
    let complaints: Vec<Complaint> = ws.records();
    assert_eq!(complaints[0].case_id, refused.case_id);

    // The head applies again in December; a complaint by the head's ID now goes to the new application, and the
    // summary says so.
    let register = write_register(
        ws.root(),
        "再次申请.csv",
        &[RegRow {
            serial: "1",
            key: &head,
            name: refused.applicant_name.as_str(),
            id: &head,
            relation: "户主",
            scheme: "临时救助",
            township: &refused.township,
            village: &refused.village,
            address: refused.address.as_str(),
            applied_on: "2026-12-01",
            hardship: "因病",
            income: "0",
        }],
    );
    let out = ws.run(&["intake", &month::s(&register)]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let again = ws
        .records::<Case>()
        .into_iter()
        .find(|c| c.applicant_id_number.as_str() == head && c.case_id != refused.case_id)
        .unwrap_or_else(|| panic!("the new application was taken: {}", stdout(&out)));
    std::fs::write(
        &sheet,
        format!(
            "收到日期,信访方式,信访人,信访事项,户主身份证号\n2026-12-03,电话,{},询问再次申请进度,{head}\n",
            refused.applicant_name
        ),
    )
    .unwrap();
    let out = ws.run(&["intake", "--kind", "complaints", &month::s(&sheet)]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "row 2: {} heads 2 cases; filed under the latest, {} (received, applied 2026-12-01)",
            &jiuzhu::domain::id_number::mask_any(&head),
            again.case_id
        )),
        "{text}"
    );
    let complaints: Vec<Complaint> = ws.records();
    let latest = complaints
        .iter()
        .find(|c| c.received_on.to_string() == "2026-12-03")
        .unwrap();
    assert_eq!(latest.case_id, again.case_id);
}

#[test]
fn follow_ups_come_due_by_difficulty_class() {
    let ws = month::month();
    let out = ws.run(&[
        "intake",
        "--kind",
        "followups",
        &month::s(&month::county("followups/2026-11-回访.csv")),
    ]);
    assert_exit(&out, 0);
    // 特殊困难 monthly: the household visited 2026-11-25 is due by 2026-12-25; in January everything is overdue.
    let v: serde_json::Value =
        serde_json::from_slice(&ws.run(&["--json", "status", "--as-of", "2026-12-26"]).stdout).unwrap();
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "followups_overdue");
    assert_eq!(item.map(|i| i["count"].clone()), Some(serde_json::json!(1)));
    let v: serde_json::Value =
        serde_json::from_slice(&ws.run(&["--json", "status", "--as-of", "2027-03-01"]).stdout).unwrap();
    let n = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "followups_overdue")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert!(n > 20, "{n}");
}

/// A follow-up dated 2926 and a complaint received in 2036 (a year typed wrong) were recorded, and the cadence
/// and due dates computed from them. Each is rejected naming the year it probably stands for; the rest taken.
#[test]
fn follow_ups_and_complaints_dated_far_ahead_are_rejected_naming_the_year_meant() {
    let ws = Ws::new();
    let head = id("13019919700101001");
    let reg = write_register(
        ws.root(),
        "register.csv",
        &[RegRow {
            serial: "1",
            key: &head,
            name: "张好",
            id: &head,
            relation: "户主",
            scheme: "城市低保",
            township: "城关镇",
            village: "东街社区",
            applied_on: "2026-11-02",
            income: "300",
            hardship: "因病",
            ..RegRow::default()
        }],
    );
    assert_exit(&ws.intake_path(&reg), 0);
    let visits = ws.path("回访.csv");
    std::fs::write(
        &visits,
        format!(
            "户主身份证号,回访日期,回访人,困难类别\n{head},2026-11-25,郑海波、冯晓梅,一般困难\n\
             {head},2926-12-25,郑海波、冯晓梅,一般困难\n"
        ),
    )
    .unwrap();
    let out = ws.run(&["intake", "--kind", "followups", visits.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("1 recorded") && text.contains("1 rejected"), "{text}");
    assert!(text.contains("2926 is probably 2026"), "{text}");
    assert_eq!(ws.records::<Followup>().len(), 1);

    let complaints = ws.path("信访.csv");
    std::fs::write(
        &complaints,
        "收到日期,信访方式,信访人,信访事项\n2026-11-18,网络,王某,反映公示名单有误\n2026-11-19,电话,钱某,咨询申请材料\n\
         2036-11-19,来信,赵某,反映补助未到账\n",
    )
    .unwrap();
    let out = ws.run(&["intake", "--kind", "complaints", complaints.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("2036-11-19 is more than a year after 2026-11-19") && text.contains("2036 is probably 2026"),
        "{text}"
    );
    assert_eq!(ws.records::<Complaint>().len(), 2);
}
