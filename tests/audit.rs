//! `jiuzhu audit`: a clean month is silent; each planted fault is reported with its code; the 002 L31 change
//! report that does not reconcile; reproducible spot-check samples and their results read back.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::domain::money::Fen;
use jiuzhu::ledger::{Case, Decision, DecisionStatus, Match, Member, Payment, SpotCheck, Visit, VisitLevel};

const HEADER: &str = "序号,户主身份证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),住址,联系电话,申请日期,\
户籍类型,开户银行,银行账号,致困原因,月收入(元),残疾等级,重病,在校,劳动能力,提供材料,救助月数,先行救助";
const ALL: &str = "身份证、户口簿、申请书、授权书、收入证明";
const RCC: &str = "青禾县农村信用社";

pub fn h1() -> String {
    id("13019919800101001") // 张一, 城市低保, alone
}
pub fn h2() -> String {
    id("13019919500303002") // 李二, 城市低保, alone
}
pub fn h3() -> String {
    id("13019919700505003") // 王三, 农村低保, with 孙三
}
pub fn h4() -> String {
    id("13019919720606004") // 孙三
}

/// A register of three dibao households and a temporary one.
fn register(dir: &Path) -> PathBuf {
    let full = format!(",,,,有,{ALL},,");
    let lines = [
        format!("1,{h},张一,{h},户主,城市低保,城关镇,东街社区,东街1号,13800000000,2026-11-02,,{RCC},6229530100000000011,困难,300{full}", h = h1()),
        format!("2,{h},李二,{h},户主,城市低保,城关镇,东街社区,东街2号,13800000000,2026-11-02,,{RCC},6229530100000000012,困难,300{full}", h = h2()),
        format!("3,{h},王三,{h},户主,农村低保,东河乡,柳树村,柳树村3号,13800000000,2026-11-02,,{RCC},6229530100000000013,困难,200{full}", h = h3()),
        format!("3,{h},孙三,{m},配偶,,东河乡,柳树村,柳树村3号,13800000000,2026-11-02,,,,困难,100,,,,有,,,", h = h3(), m = h4()),
        format!("5,{h},周五,{h},户主,临时救助,城关镇,东街社区,东街5号,13800000000,2026-11-02,,{RCC},6229530100000000015,困难,0,,,,有,{ALL},2,", h = id("13019919850808009")),
    ];
    let mut text = format!("{HEADER}\n");
    for l in lines {
        text.push_str(&l);
        text.push('\n');
    }
    let path = dir.join("register.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// A workspace whose households are effective from 2026-11 and paid for it, through the real commands.
pub fn paid_month() -> Ws {
    let ws = Ws::new();
    let reg = register(ws.root());
    assert_exit(&ws.intake_path(&reg), 0);
    let mut visits = String::from("案件编号,调查日期,调查人,调查情况,签字,调查层级\n");
    for c in ws.records::<Case>() {
        visits.push_str(&format!("{},2026-11-10,张伟、李娜,属实,是,村\n", c.case_id));
        visits.push_str(&format!("{},2026-11-12,王强、刘洋,复核属实,是,乡镇\n", c.case_id));
    }
    std::fs::write(ws.path("visits.csv"), visits).unwrap();
    let v = ws.path("visits.csv");
    assert_exit(
        &ws.run(&["verify", "--as-of", "2026-11-13", "--visits", v.to_str().unwrap()]),
        0,
    );
    assert_exit(&ws.run(&["decide", "--period", "2026-11"]), 1);
    let dst = ws.path("meeting.xlsx");
    refill(&ws.path("reports/review-meeting-2026-11.xlsx"), &dst, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "决定编号"))
            .unwrap();
        for row in g.iter_mut().skip(head + 1) {
            row.resize(13, String::new());
            row[11] = "同意".into();
        }
    });
    let out = ws.run(&[
        "decide",
        "--record",
        dst.to_str().unwrap(),
        "--meeting",
        "审批会 第11号",
        "--date",
        "2026-11-20",
    ]);
    assert_exit(&out, 0);
    assert_exit(&ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-28"]), 0);
    assert_exit(&ws.run(&["disburse", "--period", "2026-11"]), 0);
    assert_eq!(ws.records::<Payment>().len(), 4);
    ws
}

fn case_of(ws: &Ws, head: &str) -> String {
    ws.records::<Case>()
        .into_iter()
        .find(|c| c.applicant_id_number.as_str() == head)
        .unwrap()
        .case_id
}

/// Runs `audit` and asserts exit 1 with a line starting with `code`; returns stdout.
#[track_caller]
fn assert_finding(ws: &Ws, code: &str) -> String {
    let out = ws.run(&["audit"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.starts_with(&format!("{code} "))),
        "expected {code}:\n{text}"
    );
    assert!(ws.path("reports/audit-findings.xlsx").exists());
    text
}

/// The journal is the bytes it was before the audit, followed by one audit event: appended to, not rewritten.
fn assert_audit_event_appended(ws: &Ws, before: &str) {
    let journal = ws.ledger("events.csv");
    let added = journal
        .strip_prefix(before)
        .expect("the journal is appended to, not rewritten");
    // The audit's event, then the seal of the ledgers after it.
    let lines: Vec<&str> = added.lines().collect();
    assert_eq!(lines.len(), 2, "{added}");
    assert!(lines[0].contains(",audit,"), "{added}");
    assert!(lines[1].contains(",seal,"), "{added}");
}

#[test]
fn a_clean_month_is_silent_and_writes_the_change_report() {
    let ws = paid_month();
    let journal_before = ws.ledger("events.csv");
    let out = ws.run(&["audit"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "", "a clean audit prints nothing");
    // The audit's event is appended to the journal, which is not rewritten, and the chain still holds.
    assert_audit_event_appended(&ws, &journal_before);
    assert_exit(&ws.run(&["audit", "journal"]), 0);
    let reports = ws.ledger("change_reports.csv");
    // One row per month and paying scheme, 临时救助 excluded; November: every household new.
    assert!(reports.contains("2026-11,urban_dibao,0,0,0.00,2,2,"), "{reports}");
    assert!(reports.contains("2026-11,rural_dibao,0,0,0.00,1,2,"), "{reports}");
    assert!(!ws.path("reports/audit-findings.xlsx").exists());
    // A rerun changes nothing and appends nothing.
    let before = ws.ledgers();
    assert_exit(&ws.run(&["audit"]), 0);
    assert_same_files(&before, &ws.ledgers(), "a second audit");
    // A named check alone, and the list of checks in --help.
    assert_exit(&ws.run(&["audit", "payments-match-decisions", "replay-decisions"]), 0);
    let help = stdout(&ws.run(&["audit", "--help"]));
    assert!(
        help.contains("payments-match-decisions") && help.contains("J301"),
        "{help}"
    );
    assert_exit(&ws.run(&["audit", "no-such-check"]), 2);
}

#[test]
fn an_audit_appends_its_event_and_leaves_a_hand_reformatted_journal_as_found() {
    let ws = paid_month();
    // Quotes added by hand around a field of the first event: the chain still holds (the values are the same),
    // but the file is no longer in its canonical form.
    let edited = ws.ledger("events.csv").replacen(",intake,", ",\"intake\",", 1);
    std::fs::write(ws.path("ledgers/events.csv"), &edited).unwrap();
    let out = ws.run(&["audit"]);
    assert_exit(&out, 1);
    assert!(stdout(&out).contains("J103"), "{}", stdout(&out));
    // The audit records its run after the edited bytes instead of rewriting the journal, so the edit stays for
    // the next auditor to see.
    assert_audit_event_appended(&ws, &edited);
    assert!(stdout(&ws.run(&["audit", "journal", "canonical-ledgers"])).contains("J103"));
}

#[test]
fn a_hand_edited_decision_amount_is_caught_by_replay() {
    let ws = paid_month();
    assert_exit(&ws.run(&["audit"]), 0);
    let mut ds = ws.records::<Decision>();
    let c = case_of(&ws, &h1());
    let d = ds.iter_mut().find(|d| d.case_id == c).unwrap();
    d.amount = Fen(d.amount.0 + 10000);
    d.delta_amount = Fen(d.delta_amount.0 + 10000);
    ws.write_ledger(&ds);
    let text = assert_finding(&ws, "J301");
    assert!(text.contains(&c), "{text}");
    assert!(text.contains("J102 "), "the journal names the hand edit too:\n{text}");
}

#[test]
fn a_hand_edited_payment_amount_is_caught() {
    let ws = paid_month();
    assert_exit(&ws.run(&["audit"]), 0);
    let mut ps = ws.records::<Payment>();
    ps[0].amount = Fen(ps[0].amount.0 + 1);
    ws.write_ledger(&ps);
    let text = assert_finding(&ws, "J303");
    assert!(text.contains("J304 "), "and the money invariant:\n{text}");
}

#[test]
fn a_payment_after_death_is_caught() {
    let ws = paid_month();
    let c = case_of(&ws, &h1());
    let m = ws.records::<Member>().into_iter().find(|m| m.case_id == c).unwrap();
    let hit = Match {
        hit_id: "H-DEATHS-TEST".into(),
        case_id: c.clone(),
        id_number: m.id_number.clone(),
        name: m.name.clone(),
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
    };
    let mut hits = if ws.path("ledgers/matches.csv").exists() {
        ws.records::<Match>()
    } else {
        Vec::new()
    };
    hits.push(hit);
    ws.write_ledger(&hits);
    let text = assert_finding(&ws, "J203");
    assert!(
        text.lines().any(|l| l.starts_with("J203 error ") && l.contains(&c)),
        "{text}"
    );
    assert!(
        !text.contains(m.id_number.as_str()),
        "no whole ID number is printed:\n{text}"
    );
}

#[test]
fn a_deleted_event_is_caught_with_where() {
    let ws = paid_month();
    let text = ws.read("ledgers/events.csv");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(3);
    std::fs::write(ws.path("ledgers/events.csv"), lines.join("\n") + "\n").unwrap();
    let out = assert_finding(&ws, "J101");
    assert!(out.contains("at event"), "{out}");
}

/// Rows added at the journal's end without a hash (or with one made up) are a finding of audit, not a stop: there
/// is no seal left to hold the ledgers to, and nothing is written.
#[test]
fn rows_added_at_the_journals_end_are_a_finding() {
    let ws = paid_month();
    let text = ws.read("ledgers/events.csv");
    let last: u64 = text.lines().last().unwrap().split(',').next().unwrap().parse().unwrap();
    for (row, why) in [
        (
            format!("{},decide,CD-X,effective,stopped,forged,,,\n", last + 1),
            format!("event {} carries no hash", last + 1),
        ),
        (
            format!(
                "{},decide,CD-X,effective,stopped,forged,,{},{}\n",
                last + 1,
                "0".repeat(64),
                "f".repeat(64)
            ),
            format!("at event {}: prev_hash does not match", last + 1),
        ),
    ] {
        std::fs::write(ws.path("ledgers/events.csv"), format!("{text}{row}")).unwrap();
        let out = assert_finding(&ws, "J101");
        assert!(out.contains(&why), "{out}");
        assert_eq!(
            ws.read("ledgers/events.csv"),
            format!("{text}{row}"),
            "nothing appended"
        );
        let zh = ws.run_zh(&["audit"]);
        assert_exit(&zh, 1);
        assert_chinese(&zh);
    }
}

/// The journal is hashed per step: an event edited inside a step's events (a status changed by hand) is caught,
/// naming the step's events; under Chinese in Chinese.
#[test]
fn an_event_edited_inside_a_step_is_caught_naming_the_steps_events() {
    let ws = paid_month();
    let text = ws.read("ledgers/events.csv");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Intake's events: its step-run row (event 1), then a row per household, the last carrying the hash.
    assert!(
        lines[2].starts_with("2,intake,") && lines[2].ends_with(",,"),
        "{}",
        lines[2]
    );
    let block_end = 1 + lines[1..].iter().position(|l| !l.ends_with(",,")).unwrap();
    let last_intake: u64 = lines[block_end].split(',').next().unwrap().parse().unwrap();
    lines[2] = lines[2].replace(",received,", ",approved,");
    std::fs::write(ws.path("ledgers/events.csv"), lines.join("\n") + "\n").unwrap();
    let out = assert_finding(&ws, "J101");
    assert!(
        out.contains(&format!(
            "at event 1: the hash on event {last_intake} does not match events 1–{last_intake}"
        )),
        "{out}"
    );
    let zh = ws.run_zh(&["audit"]);
    assert_exit(&zh, 1);
    assert_chinese(&zh);
    assert!(
        stdout(&zh).contains(&format!("第 1–{last_intake} 条事件不符")),
        "{}",
        stdout(&zh)
    );
    // A writing step does not build on it: exit 2, nothing written, and the way back is Git's (not a command the
    // workspace may refuse for another reason, such as an older format).
    let before = ws.read("ledgers/decisions.csv");
    let out = ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-30"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("git diff ledgers/events.csv") && !stderr(&out).contains("jiuzhu audit"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ws.read("ledgers/decisions.csv"), before);
    let zh = ws.run_zh(&["decide", "--period", "2026-11", "--as-of", "2026-11-30"]);
    assert_exit(&zh, 2);
    assert_chinese(&zh);
}

#[test]
fn a_missing_visit_is_caught() {
    let ws = paid_month();
    let c = case_of(&ws, &h2());
    let vs: Vec<Visit> = ws
        .records::<Visit>()
        .into_iter()
        .filter(|v| !(v.case_id == c && v.level == VisitLevel::Village))
        .collect();
    ws.write_ledger(&vs);
    let text = assert_finding(&ws, "J210");
    assert!(
        text.lines().any(|l| l.starts_with("J210 error ") && l.contains(&c)),
        "{text}"
    );
}

/// A follow-up visit (回访) that checked the household is its re-check (J401): audited for 2027-01, both urban
/// households (城市低保, monthly) are overdue by verify's dates and their home visits (2026-11); a follow-up of
/// 张一 within the month takes him off the list, 李二 without one stays on it, and a follow-up after the day
/// audited does not count for an earlier month.
#[test]
fn a_follow_up_visit_counts_as_the_re_check() {
    let ws = paid_month();
    let (zhang, li, wang) = (case_of(&ws, &h1()), case_of(&ws, &h2()), case_of(&ws, &h3()));
    let overdue = |period: &str| -> Vec<String> {
        let out = ws.run(&["audit", "--period", period, "recheck-cadence"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("J401 "))
            .map(String::from)
            .collect()
    };
    let on = |lines: &[String], case: &str| lines.iter().any(|l| l.contains(case));
    let before = overdue("2027-01");
    assert!(on(&before, &zhang) && on(&before, &li), "{before:#?}");
    assert!(!on(&before, &wang), "农村低保 is quarterly: {before:#?}");
    assert!(
        before
            .iter()
            .any(|l| l.contains(&zhang) && l.contains("last 2026-11-13")),
        "{before:#?}"
    );

    let file = ws.path("回访-2027-01.csv");
    std::fs::write(
        &file,
        format!(
            "户主身份证号,回访日期,回访人,困难类别,回访情况,变化类型,变化成员身份证号,变化后月收入\n\
             {},2027-01-15,郑海波、冯晓梅,一般困难,情况与申报一致,无变化,,\n",
            h1()
        ),
    )
    .unwrap();
    assert_exit(&ws.run(&["intake", "--kind", "followups", file.to_str().unwrap()]), 0);

    let after = overdue("2027-01");
    assert!(
        !on(&after, &zhang),
        "the follow-up of 2027-01-15 is 张一's re-check: {after:#?}"
    );
    assert!(on(&after, &li), "李二 had no follow-up: {after:#?}");
    // Audited for 2026-12 (as of 12-31), the January follow-up had not happened yet.
    let december = overdue("2026-12");
    assert!(on(&december, &zhang) && on(&december, &li), "{december:#?}");
}

/// Audit reads the follow-ups it counts as re-checks, so it records their hash like every other ledger's: a hand
/// edit of `followups.csv` after an audit is J102.
#[test]
fn a_hand_edited_follow_up_is_caught() {
    let ws = paid_month();
    let file = ws.path("回访.csv");
    std::fs::write(
        &file,
        format!(
            "户主身份证号,回访日期,回访人,困难类别,回访情况,变化类型,变化成员身份证号,变化后月收入\n\
             {},2026-11-25,郑海波、冯晓梅,一般困难,情况与申报一致,无变化,,\n",
            h1()
        ),
    )
    .unwrap();
    assert_exit(&ws.run(&["intake", "--kind", "followups", file.to_str().unwrap()]), 0);
    assert_exit(&ws.run(&["audit"]), 0);
    let edited = ws.ledger("followups.csv").replace("情况与申报一致", "户主已务工");
    std::fs::write(ws.path("ledgers/followups.csv"), edited).unwrap();
    let text = assert_finding(&ws, "J102");
    assert!(
        text.contains("ledgers/followups.csv is not what the journal recorded"),
        "{text}"
    );
}

#[test]
fn a_person_in_two_open_cases_is_caught() {
    let ws = paid_month();
    let (a, b) = (case_of(&ws, &h1()), case_of(&ws, &h2()));
    let mut ms = ws.records::<Member>();
    let mut extra = ms.iter().find(|m| m.case_id == a).unwrap().clone();
    extra.case_id = b.clone();
    extra.relation = jiuzhu::ledger::Relation::Sibling;
    ms.push(extra);
    ws.write_ledger(&ms);
    let text = assert_finding(&ws, "J206");
    assert!(text.contains(&a) && text.contains(&b), "{text}");
}

#[test]
fn the_002_annual_review_does_not_reconcile() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/audit/002-L31-annual-review.csv");
    let ws = Ws::new();
    let out = ws.run(&["audit", "--change-report", fixture.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let j305: Vec<&str> = text.lines().filter(|l| l.starts_with("J305 error")).collect();
    assert_eq!(j305.len(), 2, "persons and money, not households:\n{text}");
    assert!(text.contains("= 24980.00, but it says 26784.00"), "{text}");
    assert!(text.contains("= 87, but it says 86"), "{text}");
    // A report that reconciles passes.
    let good = ws.path("good.csv");
    let bytes = std::fs::read_to_string(&fixture)
        .unwrap()
        .replace("52,86,26784.00", "52,87,24980.00");
    std::fs::write(&good, bytes).unwrap();
    assert_exit(&ws.run(&["audit", "--change-report", good.to_str().unwrap()]), 0);
}

#[test]
fn the_same_seed_draws_the_same_sample_and_results_are_read_back() {
    let (a, b) = (paid_month(), paid_month());
    for ws in [&a, &b] {
        let out = ws.run(&["audit", "--sample", "50%", "--seed", "7", "--stratify"]);
        assert_exit(&out, 0);
    }
    let sample = |ws: &Ws| -> Vec<(String, u32)> {
        ws.records::<SpotCheck>()
            .into_iter()
            .map(|s| (s.case_id, s.rank))
            .collect()
    };
    assert_eq!(sample(&a), sample(&b));
    assert_eq!(a.ledger("spot_checks.csv"), b.ledger("spot_checks.csv"));
    assert_eq!(
        a.bytes("reports/spot-check-7.xlsx"),
        b.bytes("reports/spot-check-7.xlsx")
    );
    // Stratified: at least one case per village and scheme (东街社区 urban and temporary, 柳树村 rural).
    assert_eq!(sample(&a).len(), 3, "{:?}", sample(&a));
    let other = a.run(&["audit", "--sample", "50%", "--seed", "8", "--stratify"]);
    assert_exit(&other, 0);

    // Drawn, not yet checked: a warning.
    let out = a.run(&["audit", "spot-checks"]);
    assert_exit(&out, 1);
    assert!(stdout(&out).contains("J503 warning"), "{}", stdout(&out));

    // The checker finds the first household 不属实: recorded, and reported until acted on.
    let filled = a.path("spot-filled.xlsx");
    refill(&a.path("reports/spot-check-7.xlsx"), &filled, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "案件编号"))
            .unwrap();
        for (i, row) in g.iter_mut().skip(head + 1).enumerate() {
            row.resize(9, String::new());
            row[5] = if i == 0 { "不属实" } else { "属实" }.into();
            row[6] = "入户核查".into();
            row[7] = "赵审计".into();
            row[8] = "2026-12-05".into();
        }
    });
    assert_exit(&a.run(&["audit", "--record", filled.to_str().unwrap()]), 1);
    let recorded = a.records::<SpotCheck>();
    assert!(recorded.iter().any(|s| s.result == "not_true"), "{recorded:#?}");
    let out = a.run(&["audit", "spot-checks"]);
    assert!(stdout(&out).contains("J501 error"), "{}", stdout(&out));

    // A worksheet whose locked cells were changed is refused whole.
    let tampered = a.path("spot-tampered.xlsx");
    refill(&a.path("reports/spot-check-8.xlsx"), &tampered, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "案件编号"))
            .unwrap();
        let row = &mut g[head + 1];
        row.resize(9, String::new());
        row[2] = "别的村".into();
        row[5] = "属实".into();
        row[7] = "赵审计".into();
        row[8] = "2026-12-05".into();
    });
    let before = a.ledgers();
    let out = a.run(&["audit", "--record", tampered.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("locked cells"), "{}", stderr(&out));
    assert_same_files(&before, &a.ledgers(), "a refused worksheet");
}

/// A spot-check worksheet that comes back with a row deleted and another left blank: the one answered is recorded,
/// and the two cases still unchecked are named (the deleted one as not on the worksheet) with exit 1, not a silent
/// "1 recorded"; the worksheet filled in later records them, keeping the first result.
#[test]
fn spot_checks_deleted_from_the_worksheet_are_named_as_unchecked() {
    let ws = paid_month();
    assert_exit(&ws.run(&["audit", "--sample", "50%", "--seed", "7", "--stratify"]), 0);
    let drawn: Vec<String> = ws.records::<SpotCheck>().into_iter().map(|s| s.case_id).collect();
    assert_eq!(drawn.len(), 3, "{drawn:?}");
    let fill = |g: &mut Vec<Vec<String>>, keep: &dyn Fn(&str) -> bool, answered: &dyn Fn(&str) -> bool| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "案件编号"))
            .unwrap();
        let mut i = 0;
        g.retain(|r| {
            i += 1;
            i <= head + 1 || keep(r.first().map_or("", String::as_str))
        });
        for row in g.iter_mut().skip(head + 1).filter(|r| answered(&r[0])) {
            row.resize(9, String::new());
            row[5] = "属实".into();
            row[7] = "赵审计".into();
            row[8] = "2026-12-05".into();
        }
    };
    let (first, blank, deleted) = (&drawn[0], &drawn[1], &drawn[2]);
    let cut = ws.path("spot-cut.xlsx");
    refill(&ws.path("reports/spot-check-7.xlsx"), &cut, |g| {
        fill(g, &|c| c != deleted.as_str(), &|c| c == first.as_str())
    });
    let out = ws.run(&["audit", "--record", cut.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(first_line(&out).contains("sample 7: 1 recorded"), "{text}");
    assert!(
        text.contains(&format!(
            "1 cases of sample 7 are not on the worksheet (rows removed?) and have no result: {deleted}"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("1 on the worksheet have no 核查结果 yet: {blank}")),
        "{text}"
    );
    assert!(text.contains(" audit --record reports/spot-check-7.xlsx`"), "{text}");

    // The whole worksheet, filled in later: the two are recorded, the first result stands.
    let full = ws.path("spot-full.xlsx");
    refill(&ws.path("reports/spot-check-7.xlsx"), &full, |g| {
        fill(g, &|_| true, &|_| true)
    });
    let out = ws.run(&["audit", "--record", full.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert!(first_line(&out).contains("2 recorded"), "{}", stdout(&out));
    assert!(ws.records::<SpotCheck>().iter().all(|s| s.result == "true"));
}

/// J503 names the worksheet the sample wrote (`reports/spot-check-SEED.xlsx` with the seed filled in), in the
/// file to fill in and in the command that reads it back.
#[test]
fn a_sample_without_results_names_its_own_worksheet() {
    let ws = paid_month();
    assert_exit(&ws.run(&["audit", "--sample", "50%", "--seed", "20261201"]), 0);
    let out = ws.run(&["audit", "spot-checks"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("J503 "))
        .unwrap_or_else(|| panic!("no J503:\n{text}"));
    let file = line
        .split("fill in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no file to fill in: {line}"));
    assert_eq!(file, "reports/spot-check-20261201.xlsx", "{line}");
    assert!(ws.path(file).exists(), "{file} was not written: {line}");
    assert!(line.contains(&format!("`jiuzhu audit --record {file}`")), "{line}");
}

#[test]
fn decisions_not_yet_effective_are_not_paid_and_statuses_are_consistent() {
    // The month's decisions are effective, so nothing is reported before approval.
    let ws = paid_month();
    assert!(ws
        .records::<Decision>()
        .iter()
        .all(|d| d.status == DecisionStatus::Effective));
    let mut ds = ws.records::<Decision>();
    let c = case_of(&ws, &h3());
    ds.iter_mut().find(|d| d.case_id == c).unwrap().status = DecisionStatus::Approved;
    ws.write_ledger(&ds);
    assert_finding(&ws, "J204");
}
