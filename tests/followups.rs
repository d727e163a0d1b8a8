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
        .find(|d| d.case_id == f.case_id && d.period.to_string() == "2026-12")
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

    // Under Chinese the note is Chinese, the status named as the office says it.
    let out = run_in(&ws, ZH, &["intake", "--kind", "complaints", &month::s(&sheet)]);
    assert_exit(&out, 0);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "第 2 行: 户主 {} 有 2 个案件; 已登记在最近申请的 {} (已受理, 申请于 2026-12-01) 下",
            &jiuzhu::domain::id_number::mask_any(&head),
            again.case_id
        )),
        "{text}"
    );
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

// ---------------------------------------------------------------------------------------------------------
// One language per run: under a Chinese locale every line these two kinds print is Chinese; the rejects
// workbook is Chinese whatever the terminal.

/// `jiuzhu -C WS ARGS…` under a locale (`LANG`), with LC_ALL and LC_MESSAGES removed so `LANG` decides.
fn run_in(ws: &Ws, lang: &str, args: &[&str]) -> std::process::Output {
    jiuzhu()
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .arg("-C")
        .arg(ws.root())
        .args(args)
        .output()
        .unwrap()
}

const ZH: &str = "zh_CN.UTF-8";

/// Follow-up rows with every kind of fault, about a household headed by `head` with a member `member`; `stranger`
/// heads no case. The first row is good.
fn bad_followups(dir: &std::path::Path, head: &str, member: &str, stranger: &str) -> PathBuf {
    let wrong_check = format!("{}{}", &head[..17], if head.ends_with('0') { '1' } else { '0' });
    let rows = [
        format!(",{head},2026-11-25,韩志勇,一般困难,情况与申报一致,,,"),
        ",,2026-11-25,韩志勇,一般困难,案件编号写错,,,".replace(",,2026", "CD-2026-9999,,2026"),
        format!(",{head},2026-11-31,韩志勇,一般困难,日期写错,,,"),
        format!(",{wrong_check},2026-11-25,韩志勇,一般困难,身份证号写错,,,"),
        format!(",{stranger},2026-11-25,韩志勇,一般困难,无此户,,,"),
        format!(",{head},2026-11-25,韩志勇,很困难,类别写错,,,"),
        format!(",{head},2026-11-25,韩志勇,一般困难,没写金额,收入变化,{member},"),
        format!(",{head},2026-11-25,韩志勇,一般困难,金额写错,收入变化,{member},一千二"),
        format!(",{head},2026-11-25,韩志勇,一般困难,成员身份证号写错,收入变化,12345,100"),
        format!(",{head},2026-11-25,韩志勇,一般困难,户主不能移出,死亡,{head},"),
        format!(",{head},2026-11-25,韩志勇,一般困难,不是本户成员,迁出,{stranger},"),
        format!(",{head},2026-11-25,韩志勇,一般困难,没写成员,迁出,,"),
        format!(",{head},2026-11-25,韩志勇,一般困难,变化类型写错,调动,,"),
        format!(",{head},2026-11-25,,一般困难,没有回访人,,,"),
        ",,2026-11-25,韩志勇,一般困难,没写案件,,,".to_string(),
    ];
    let path = dir.join("回访-有错.csv");
    std::fs::write(
        &path,
        format!(
            "案件编号,户主身份证号,回访日期,回访人,困难类别,回访情况,变化类型,变化成员身份证号,变化后月收入\n{}\n",
            rows.join("\n")
        ),
    )
    .unwrap();
    path
}

/// Complaint rows with every kind of fault; the first row is good.
fn bad_complaints(dir: &std::path::Path, head: &str, stranger: &str) -> PathBuf {
    let wrong_check = format!("{}{}", &head[..17], if head.ends_with('0') { '1' } else { '0' });
    let rows = [
        "2026-11-18,网络,王某,反映公示名单有误,,,王芳,,".to_string(),
        "2026-11-19,传真,赵某,信访方式写错,,,王芳,,".to_string(),
        "2026-11-19,来信,赵某,,,,王芳,,".to_string(),
        "2026-11-19,来信,钱某,答复早于收到,,,王芳,已答复,2026-11-01".to_string(),
        "2026-11-20,来访,孙某,答复了却没有结果,,,王芳,,2026-11-25".to_string(),
        "2026-13-01,电话,周某,日期写错,,,王芳,,".to_string(),
        "2026-11-21,电话,李某,案件编号写错,CD-2026-9999,,王芳,,".to_string(),
        format!("2026-11-21,电话,李某,身份证号写错,,{wrong_check},王芳,,"),
        format!("2026-11-21,电话,李某,无此户,,{stranger},王芳,,"),
        "2026-11-22,电话,李某,咨询申请材料,,,王芳,,".to_string(),
    ];
    let path = dir.join("信访-有错.csv");
    std::fs::write(
        &path,
        format!(
            "收到日期,信访方式,信访人,信访事项,案件编号,户主身份证号,承办人,处理结果,答复日期\n{}\n",
            rows.join("\n")
        ),
    )
    .unwrap();
    path
}

/// The example month's follow-ups and complaints, the fixtures' bad rows, rows with every fault made up here, and
/// files that are not the sheet asked for: under `LANG=zh_CN.UTF-8` every line printed is Chinese.
#[test]
fn under_a_chinese_locale_follow_ups_and_complaints_speak_chinese() {
    let ws = month::month();
    let visits = month::s(&month::county("followups/2026-11-回访.csv"));
    let out = run_in(&ws, ZH, &["intake", "--kind", "followups", &visits]);
    assert_exit(&out, 0);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(first_line(&out).contains("读取 3 行 = 记录 3"), "{text}");
    assert!(
        text.contains("下一步"),
        "the changed household is to be decided again: {text}"
    );
    // Again: nothing new, still Chinese.
    let out = run_in(&ws, ZH, &["intake", "--kind", "followups", &visits]);
    assert_exit(&out, 0);
    assert_chinese(&out);

    let complaints = month::s(&month::county("complaints/2026-11-信访.csv"));
    let out = run_in(&ws, ZH, &["intake", "--kind", "complaints", &complaints]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_chinese(&out);
    assert!(first_line(&out).starts_with("信访"), "{}", stdout(&out));

    // The fixtures' bad rows.
    let out = run_in(
        &ws,
        ZH,
        &["intake", "--kind", "followups", &month::s(&fixture("bad.csv"))],
    );
    assert_exit(&out, 1);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(
        text.contains("拒收 bad.csv 第 3 行 困难类别: 困难类别「很困难」无法识别"),
        "{text}"
    );
    assert!(text.contains("户主 ") || text.contains("是户主"), "{text}");
    let out = run_in(
        &ws,
        ZH,
        &["intake", "--kind", "complaints", &month::s(&fixture("complaints.csv"))],
    );
    assert_exit(&out, 1);
    assert_chinese(&out);
    assert!(stdout(&out).contains("答复日期早于收到日期"), "{}", stdout(&out));

    // Rows with every fault: each refused in Chinese, with what to do.
    let zhou_case = ws
        .records::<Case>()
        .into_iter()
        .find(|c| c.applicant_id_number.as_str() == ZHOU && c.status.is_open())
        .expect("周志强's case")
        .case_id;
    let member = ws
        .records::<Member>()
        .into_iter()
        .find(|m| m.case_id == zhou_case && m.id_number.as_str() != ZHOU)
        .expect("周志强's household has other members")
        .id_number
        .as_str()
        .to_string();
    let stranger = id("13019919600101001");
    let sheet = bad_followups(ws.root(), ZHOU, &member, &stranger);
    let out = run_in(&ws, ZH, &["intake", "--kind", "followups", &month::s(&sheet)]);
    assert_exit(&out, 1);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(first_line(&out).contains("读取 15 行 = 记录 1"), "{text}");
    for said in [
        "案件编号「CD-2026-9999」不存在",
        "第 4 行 回访日期: 2026-11-31 不是真实的日期",
        "身份证号校验码错误",
        "没有户主为",
        "请填写 特殊困难、一般困难 或 临时困难",
        "未填写变化后月收入",
        "另有 4 项",
    ] {
        assert!(text.contains(said), "missing `{said}` in\n{text}");
    }
    // The rows past the first ten are in the report, in Chinese too.
    let report = std::fs::read_dir(ws.path("reports"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("followups-rejects-回访-有错-")
        })
        .expect("a rejects report");
    let rows = &read_report(&report.path())[0].1;
    assert_eq!(rows.len(), 14);
    let all: String = rows.iter().map(|r| r.text() + "\n").collect();
    for said in [
        "金额不是数字",
        "身份证号有 5 位",
        "是户主; 不能在回访中把户主移出家庭",
        "不是案件",
        "未写明是哪位成员",
        "变化类型「调动」无法识别",
        "回访人未填写",
        "案件编号和户主身份证号都为空",
    ] {
        assert!(all.contains(said), "missing `{said}` in\n{all}");
    }

    let sheet = bad_complaints(ws.root(), ZHOU, &stranger);
    let out = run_in(&ws, ZH, &["intake", "--kind", "complaints", &month::s(&sheet)]);
    assert_exit(&out, 1);
    assert_chinese(&out);
    let text = stdout(&out);
    for said in [
        "信访方式「传真」无法识别",
        "信访事项未填写",
        "答复日期早于收到日期",
        "填写了答复日期, 但没有处理结果",
        "没有 13 月",
        "案件编号「CD-2026-9999」不存在",
        "身份证号校验码错误",
        "没有户主为",
    ] {
        assert!(text.contains(said), "missing `{said}` in\n{text}");
    }

    // Files that are not the sheet asked for.
    let missing = ws.path("回访-缺列.csv");
    std::fs::write(
        &missing,
        format!("户主身份证号,回访日期,困难类别\n{ZHOU},2026-11-25,一般困难\n"),
    )
    .unwrap();
    let prose = ws.path("回访总结.csv");
    std::fs::write(&prose, "本月回访工作总结\n各村按计划完成了回访, 未发现异常。\n").unwrap();
    let pdf = ws.path("信访.csv");
    std::fs::write(&pdf, "%PDF-1.4\n%\u{e2}\u{e3}\n1 0 obj\n").unwrap();
    let header_only = ws.path("回访-只有表头.csv");
    std::fs::write(&header_only, "户主身份证号,回访日期,回访人,困难类别\r\n").unwrap();
    for (kind, file) in [
        ("followups", &missing),
        ("followups", &header_only),
        ("followups", &prose),
        ("complaints", &prose),
        ("complaints", &pdf),
    ] {
        let out = run_in(&ws, ZH, &["intake", "--kind", kind, &month::s(file)]);
        assert_exit(&out, 2);
        assert_chinese(&out);
        assert!(stderr(&out).contains("错误"), "{}", stderr(&out));
    }
}

/// The rejects workbook of the same files is the same bytes under `LANG=C` and `LANG=zh_CN.UTF-8`: Chinese
/// sheet name, title and headers with no English in them, and Chinese reasons and what to do.
#[test]
fn the_rejects_workbook_is_chinese_and_the_same_under_any_locale() {
    let head = id("13019919700101001");
    let spouse = id("13019919720202002");
    let stranger = id("13019919600101001");
    let reports = |lang: &str| {
        let ws = Ws::new();
        let reg = write_register(
            ws.root(),
            "register.csv",
            &[
                RegRow {
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
                },
                RegRow {
                    serial: "1",
                    key: &head,
                    name: "李美",
                    id: &spouse,
                    relation: "配偶",
                    scheme: "城市低保",
                    township: "城关镇",
                    village: "东街社区",
                    applied_on: "2026-11-02",
                    income: "0",
                    ..RegRow::default()
                },
            ],
        );
        assert_exit(&ws.intake_path(&reg), 0);
        let visits = bad_followups(ws.root(), &head, &spouse, &stranger);
        let out = run_in(&ws, lang, &["intake", "--kind", "followups", &month::s(&visits)]);
        assert_exit(&out, 1);
        let complaints = bad_complaints(ws.root(), &head, &stranger);
        let out = run_in(&ws, lang, &["intake", "--kind", "complaints", &month::s(&complaints)]);
        assert_exit(&out, 1);
        let found: std::collections::BTreeMap<String, Vec<u8>> = ws
            .reports()
            .into_iter()
            .filter(|(name, _)| name.contains("-rejects-") && !name.starts_with("intake"))
            .collect();
        assert_eq!(found.len(), 2, "{:?}", found.keys().collect::<Vec<_>>());
        (ws, found)
    };
    let (_c_ws, c) = reports("C");
    let (zh_ws, zh) = reports(ZH);
    assert_eq!(
        c.keys().collect::<Vec<_>>(),
        zh.keys().collect::<Vec<_>>(),
        "the same report names"
    );
    for (name, bytes) in &c {
        assert!(zh[name] == *bytes, "{name} differs between LANG=C and zh");
    }
    for name in zh.keys() {
        let wb = jiuzhu::sheet::reader::read_workbook(
            &zh_ws.path("reports").join(name),
            jiuzhu::sheet::reader::Encoding::Detect,
        )
        .unwrap();
        for sheet in &wb.sheets {
            assert!(
                jiuzhu::i18n::english_words(&sheet.name).is_empty(),
                "{name}: sheet {}",
                sheet.name
            );
            let header_at = sheet
                .rows
                .iter()
                .position(|r| r.first().is_some_and(|c| c.text == "文件"))
                .unwrap_or_else(|| panic!("{name}: no header row"));
            // The title above and the header: no English.
            for row in &sheet.rows[..=header_at] {
                for cell in row {
                    let words = jiuzhu::i18n::english_words(&cell.text);
                    assert!(words.is_empty(), "{name}: `{}` has {words:?}", cell.text);
                }
            }
            // Reasons and what to do (the last two columns): Chinese.
            let rows = &sheet.rows[header_at + 1..];
            assert!(rows.len() >= 8, "{name}: {} rows", rows.len());
            for row in rows {
                for cell in row.iter().skip(5) {
                    let words = jiuzhu::i18n::english_words(&cell.text);
                    assert!(words.is_empty(), "{name}: `{}` has {words:?}", cell.text);
                }
            }
        }
    }
}
