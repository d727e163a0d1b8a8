//! The unit tests' builder: records in memory, each from a row of the example month (`examples/run-month.sh`)
//! read in its ledger's columns, with the few fields a test is about set by the builder; the policy is the one
//! `init` writes. A check's test is then a few records, `audited(&ledgers)` and the codes it finds.

use super::*;

/// One record read from a row in its ledger's columns, as `ledger::parse` reads the file.
pub fn row<R: Record>(row: &str) -> R {
    let text = format!("{}\n{row}\n", R::COLUMNS.join(","));
    let mut recs = ledger::parse::<R>(R::FILE, text.as_bytes()).expect("a valid test row");
    recs.remove(0)
}

pub fn month(p: &str) -> Period {
    Period::parse(p).unwrap()
}

pub fn day(d: &str) -> NaiveDate {
    date::parse_date(d).unwrap()
}

/// The policy `jiuzhu init` writes.
pub fn policy() -> Policy {
    Policy::parse(crate::cmd::init::POLICY_TEMPLATE, "jiuzhu.yaml").unwrap()
}

/// An effective 城市低保 case applied for on 2026-10-12, its head 周佳琪.
pub fn case(case_id: &str) -> Case {
    let mut c: Case = row(
        "CD-2026-0B9A1C744081,urban_dibao,effective,130199199303022985,周佳琪,130199100,城关镇,\
         东街社区,城关镇东街社区5号楼3单元502,13677594913,urban,3,2026-10-12,中国邮政储蓄银行,6221880653343050406,\
         因残,户口簿、申请书、身份证,,,,,,,,,,false",
    );
    c.case_id = case_id.into();
    c
}

/// A member of a case, by ID number.
pub fn member(case_id: &str, id_number: &str) -> Member {
    let mut m: Member =
        row("CD-2026-0B9A1C744081,130102199203017119,王子豪,spouse,1992-03-01,M,3410.00,0,false,false,full,,unknown");
    m.case_id = case_id.into();
    m.id_number = crate::domain::id_number::parse(id_number).unwrap();
    m
}

/// A new 城市低保 decision of 728.00 a month for 2026-11, effective from 2026-11, approved at the month's meeting
/// on 2026-11-20 (its ID is the one `decide` gives).
pub fn decision(case_id: &str) -> Decision {
    let mut x: Decision = row(
        "D-AED6CC52FEAD,CD-2026-2D629C9D9D7E,2026-11,new,effective,728.00,0.00,728.00,\
         new_application,月保障金 728.00,members=3;income=2024.00;deduction=0.00;standard=860.00@2026-07-01,\
         standard=860.00/month from 2026-07-01,2026-11,,false,青禾县2026年11月社会救助审批会 纪要第11号,2026-11-20,\
         EFB646E8",
    );
    x.case_id = case_id.into();
    x.decision_id = decision::decision_id(case_id, x.period, x.kind);
    x
}

/// A regular payment of a decision for a month, of the decision's amount.
pub fn payment(x: &Decision, period: &str) -> Payment {
    let mut p: Payment = row(
        "P-0D49D6527A68,2026-11,2026-11,CD-2026-2D629C9D9D7E,urban_dibao,郭小红,中国邮政储蓄银行,\
         6221889380287397604,728.00,regular,false,D-AED6CC52FEAD,issued,,,",
    );
    p.case_id = x.case_id.clone();
    p.decision_id = x.decision_id.clone();
    p.period = month(period);
    p.batch = month(period);
    p.amount = x.amount;
    p.payment_id = disburse::payment_id(&p.case_id, p.period, 0);
    p
}

/// A confirmed hit of a registry on a case's person, with its evidence.
pub fn hit(case_id: &str, id_number: &str, source: &str, evidence: &str) -> Match {
    let mut m: Match = row(
        "deaths-A7F802D31C,CD-2026-2B0F98E533C9,130199195307187340,黄兰,deaths,id,\
         69e7083d617a53aaa9b19c660c77f38e3246b605f3ec23fb7352a8800503d320,57,死亡日期=2026-09-17,exclude,confirmed,\
         火化证明已核实,李明,0A0C49B9",
    );
    m.hit_id = format!("{source}-{case_id}");
    m.case_id = case_id.into();
    m.id_number = crate::domain::id_number::parse(id_number).unwrap();
    m.source = source.into();
    m.evidence = evidence.into();
    m
}

/// A village visit of a case by two investigators on a day.
pub fn visit(case_id: &str, on: &str) -> Visit {
    let mut v: Visit = row(
        "V-02D34B2C2C5A0C1C,ND-2026-0D8953A7AA53,2026-11-10,village,彭建新、邓玉洁,2,\
         家庭情况与申报一致,true,34072b1a24f25b52eb315fa9063e5cb43ca513fd55208af9c6b520e0690c44e4,23",
    );
    v.visit_id = format!("V-{case_id}-{on}");
    v.case_id = case_id.into();
    v.visited_on = day(on);
    v
}

/// The village notice of a decision, 2026-11-21 to 2026-11-27 (seven days).
pub fn notice(x: &Decision) -> Notice {
    let mut n: Notice = row(
        "D-018FBA212C27-village,D-018FBA212C27,TK-2026-4871EAEDCA10,village,2026-11-21,2026-11-27,\
         posted,",
    );
    n.notice_id = format!("{}-village", x.decision_id);
    n.decision_id = x.decision_id.clone();
    n.case_id = x.case_id.clone();
    n
}

/// The month's meeting (2026-11-20), as the decisions name it.
pub fn meeting() -> Meeting {
    row("青禾县2026年11月社会救助审批会 纪要第11号,2026-11-20,张局长、李股长、王会计、村代表赵某,EFB646E8,42,0,0")
}

/// The change report of 2026-11 for 城市低保: one new household of three persons, 728.00.
pub fn change_report_row() -> ChangeReport {
    row("2026-11,urban_dibao,0,0,0.00,1,3,728.00,0,0,0.00,0,0,0.00,0,0,0.00,1,3,728.00")
}

/// A spot check of a case drawn in sample 20261201, with its result (`not_true`, `not_found`, or none yet).
pub fn spot_check(case_id: &str, result: &str) -> SpotCheck {
    let mut s: SpotCheck = row("20261201,CD-2026-0B9A1C744081,urban_dibao,城关镇东街社区,5,true,1,,,,");
    s.case_id = case_id.into();
    s.result = result.into();
    if !result.is_empty() {
        s.note = "家中有经营性收入".into();
        s.checker = "李明".into();
        s.checked_on = Some(day("2026-12-03"));
    }
    s
}

/// An overpayment recorded to recover, still open.
pub fn recovery(case_id: &str) -> Recovery {
    let mut r: Recovery =
        row("R-1,CD-2026-0B9A1C744081,urban_dibao,2026-11,728.00,死亡后发放,2026-11,0.00,0.00,open,,,");
    r.case_id = case_id.into();
    r
}

/// A journal event of a step, with the inputs it recorded (not chained: see [`chained`]).
pub fn event(seq: u64, step: &str, inputs: &str) -> Event {
    let mut e: Event = row("1,intake,,,,added,,,");
    e.seq = seq;
    e.step = step.into();
    e.inputs = inputs.into();
    e
}

/// Events chained as the journal chains them (each one's hash over the one before).
pub fn chained(steps: &[(&str, &str)]) -> Vec<Event> {
    let mut chain = Vec::new();
    events::append(
        &mut chain,
        steps.iter().map(|(step, inputs)| NewEvent {
            step: step.to_string(),
            detail: "done".into(),
            inputs: inputs.to_string(),
            ..NewEvent::default()
        }),
    );
    chain
}

/// The audit of ledgers in memory: the policy `init` writes, the month of the latest payment or decision (as
/// `jiuzhu audit` without `--period`).
pub fn audited(l: &Ledgers) -> Audit<'_> {
    audit_with(Box::leak(Box::new(policy())), l)
}

/// [`audited`] under a given policy.
pub fn audit_with<'a>(policy: &'a Policy, l: &'a Ledgers) -> Audit<'a> {
    let period = audit_period(l, None).unwrap();
    Audit::new(policy, l, period, false)
}

/// The codes of findings, in order.
pub fn codes(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|x| x.code).collect()
}

/// A case with its decision in force and that decision's payment for 2026-11, all in order: the clean set most
/// checks start from.
pub fn paid_case(case_id: &str) -> Ledgers {
    let x = decision(case_id);
    let mut l = Ledgers {
        cases: vec![case(case_id)],
        members: vec![member(case_id, "130199199303022985")],
        payments: vec![payment(&x, "2026-11")],
        visits: vec![visit(case_id, "2026-11-10")],
        notices: vec![notice(&x)],
        meetings: vec![meeting()],
        decisions: vec![x],
        ..Ledgers::default()
    };
    l.members[0].relation = crate::domain::records::Relation::Head;
    l
}

/// An open discovery (主动发现) found on 2026-11-05, to be investigated by 2026-11-12.
pub fn discovery(discovery_id: &str) -> crate::ledger::Discovery {
    let mut x: crate::ledger::Discovery = row(
        "D-007BB17C0D8EEBC4,2026-11-05,petition,周大勇,130199196509090066,西岭镇,\
         马庄村,务工受伤失去收入,县信访局,2026-11-12,open,,,,7D5916FE,\
         c2a0e6d374af55330a962a8452bab18609ab8cda92ed3cde306860f78036ad0c,6",
    );
    x.discovery_id = discovery_id.into();
    x
}

/// A referral of a discovery to another department, sent 2026-11-05, to be answered by 2026-11-26.
pub fn referral(discovery_id: &str) -> crate::ledger::Referral {
    let mut r: crate::ledger::Referral =
        row("R-5C8CD4A95A7D0FA5,D-B9F20C0D1D04BF18,医疗保障局,2026-11-05,2026-11-26,,,69DF9373");
    r.discovery_id = discovery_id.into();
    r
}
