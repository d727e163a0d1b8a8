//! Corrections of a case or a member from a correction sheet (更正登记表, `jiuzhu correct`): applied
//! all-or-nothing with a trail, refused rows named, the review and the decisions taking the corrected facts.

mod common;
mod month;

use std::path::PathBuf;

use common::*;
use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::{Case, CaseStatus, Decision, DecisionKind, DecisionStatus, Member, Payment, PaymentKind};
use jiuzhu::ledger::{PaymentStatus, WorkAbility};
use month::s;

const HEADER: &str = "案件编号,身份证号,字段,原值,新值,更正原因,依据,经办人,更正日期";

/// A correction sheet as Excel saves it as CSV: the header and `rows`.
fn sheet(ws: &Ws, name: &str, rows: &[&str]) -> PathBuf {
    let path = ws.path(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

fn case(ws: &Ws, case_id: &str) -> Case {
    ws.records::<Case>()
        .into_iter()
        .find(|c| c.case_id == case_id)
        .expect("case")
}

fn members(ws: &Ws, case_id: &str) -> Vec<Member> {
    ws.records::<Member>()
        .into_iter()
        .filter(|m| m.case_id == case_id)
        .collect()
}

fn assert_no_hand_edit(ws: &Ws) {
    let out = ws.run(&["audit"]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("J102") && !all.contains("J101"), "{all}");
    assert_ne!(out.status.code(), Some(2), "{all}");
}

/// A verified 城市低保 case of the example month with a member who has an income, not the head.
fn verified_with_earner(ws: &Ws) -> (Case, Member) {
    let cases: Vec<Case> = ws.records();
    let all: Vec<Member> = ws.records();
    cases
        .into_iter()
        .filter(|c| c.status == CaseStatus::Verified && c.scheme == "urban_dibao")
        .find_map(|c| {
            let m = all
                .iter()
                .find(|m| {
                    m.case_id == c.case_id
                        && m.monthly_income_amount.0 > 0
                        && m.relation != jiuzhu::ledger::Relation::Head
                })?
                .clone();
            Some((c, m))
        })
        .expect("a verified case with an earner")
}

#[test]
fn a_correction_sheet_is_applied_whole_with_a_trail() {
    let ws = month::verified();
    let (c, earner) = verified_with_earner(&ws);
    let id = c.case_id.as_str();
    // The blank template, filled in as a clerk would.
    let template = ws.path("更正登记表.xlsx");
    let out = ws.run(&["correct", "--template", &s(&template)]);
    assert_exit(&out, 0);
    let filled = ws.path("更正登记表-11-23.xlsx");
    let income = earner.monthly_income_amount.to_string();
    let rows = vec![
        vec![
            id,
            "",
            "住址",
            c.address.as_str(),
            "城关镇东街社区99号",
            "门牌号录错",
            "户口簿",
            "王芳",
            "2026-11-23",
        ],
        vec![
            id,
            "",
            "联系电话",
            c.phone.as_str(),
            "13800001111",
            "号码录错",
            "本人电话确认",
            "王芳",
            "2026-11-23",
        ],
        vec![
            "",
            earner.id_number.as_str(),
            "月收入",
            &income,
            "1000",
            "工资条核实",
            "工资流水",
            "王芳",
            "2026-11-23",
        ],
    ];
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(String::from).collect())
        .collect();
    refill(&template, &filled, move |grid| {
        let h = grid.iter().position(|r| r.iter().any(|c| c == "字段")).expect("header");
        assert_eq!(
            grid[h],
            [
                "案件编号",
                "身份证号",
                "字段",
                "原值",
                "新值",
                "更正原因",
                "依据",
                "经办人",
                "更正日期"
            ]
        );
        grid.extend(rows.iter().cloned());
    });
    let out = ws.run(&["correct", &s(&filled)]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("3 corrections to 1 cases"), "{}", stdout(&out));
    let after = case(&ws, id);
    assert_eq!(after.address.as_str(), "城关镇东街社区99号");
    assert_eq!(after.phone.as_str(), "13800001111");
    let m = members(&ws, id)
        .into_iter()
        .find(|m| m.id_number == earner.id_number)
        .unwrap();
    assert_eq!(m.monthly_income_amount.to_string(), "1000.00");
    // An income corrected: the case goes back to the review.
    assert_eq!(after.status, CaseStatus::Received);

    // One event per correction: what, old → new (the phone masked), why, evidence, who, the sheet's hash.
    let sha = jiuzhu::ledger::events::sha256_hex(&std::fs::read(&filled).unwrap());
    let events: Vec<Event> = ws.records();
    let mine: Vec<&Event> = events
        .iter()
        .filter(|e| e.step == "correct" && e.case_id == id)
        .collect();
    assert_eq!(mine.len(), 3, "{mine:#?}");
    let all: String = mine.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>().join("\n");
    for part in [
        "住址",
        "城关镇东街社区99号",
        "门牌号录错",
        "户口簿",
        "王芳",
        "2026-11-23",
        "138****1111",
        &sha[..16],
    ] {
        assert!(all.contains(part), "{part} in {all}");
    }
    assert!(
        !all.contains("13800001111"),
        "a phone number is masked in the journal: {all}"
    );
    assert_eq!(
        (mine[0].from_status.as_str(), mine[0].to_status.as_str()),
        ("verified", "received")
    );
    assert!(ws.path(&format!("inbox/{}-更正登记表-11-23.xlsx", &sha[..16])).exists());
    assert_no_hand_edit(&ws);

    // explain lists the corrections, in either language.
    let out = ws.run(&["explain", id]);
    assert!(stdout(&out).contains("corrections (更正):"), "{}", stdout(&out));
    assert!(stdout(&out).contains("门牌号录错"), "{}", stdout(&out));
    let out = ws.run_zh(&["explain", id]);
    assert!(stdout(&out).contains("更正记录:"), "{}", stdout(&out));
    assert!(stdout(&out).contains("原因: 号码录错"), "{}", stdout(&out));
    assert_chinese(&out);

    // The same sheet again changes nothing.
    let before = ws.ledgers();
    let out = ws.run(&["correct", &s(&filled)]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("already applied"), "{}", stdout(&out));
    assert_same_files(&before, &ws.ledgers(), "a sheet applied twice");

    // The next verify checks the case again.
    let out = ws.run(&["verify", "--as-of", "2026-11-23"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_ne!(case(&ws, id).status, CaseStatus::Received);
    assert_no_hand_edit(&ws);

    // A hand edit after the corrections is still J102.
    let mut cases: Vec<Case> = ws.records();
    cases.iter_mut().find(|x| x.case_id == id).unwrap().address.0 = "手改的地址".into();
    ws.write_ledger(&cases);
    let out = ws.run(&["audit"]);
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("J102"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_rows_are_all_named_and_nothing_is_corrected() {
    let ws = month::verified();
    let (c, earner) = verified_with_earner(&ws);
    let id = c.case_id.as_str();
    let e = earner.id_number.as_str();
    let income = earner.monthly_income_amount.to_string();
    let file = sheet(
        &ws,
        "更正-错.csv",
        &[
            // Good.
            &format!("{id},,住址,{},新地址1号,录错,户口簿,王芳,2026-11-23", c.address),
            // 原值 not the ledger's: changed since.
            &format!("{id},,联系电话,13900000000,13800001111,录错,,王芳,2026-11-23"),
            // Amounts and the scheme are not corrected here.
            &format!("{id},,救助金额,100,200,算错,,王芳,2026-11-23"),
            &format!("{id},,申请类别,城市低保,农村低保,填错,,王芳,2026-11-23"),
            &format!("{id},,提供材料,,授权书,补交,,王芳,2026-11-23"),
            // New values intake would refuse.
            &format!("{id},,联系电话,{},电话不详,录错,,王芳,2026-11-23", c.phone),
            &format!(",{e},月收入,{income},一千元,录错,,王芳,2026-11-23"),
            &format!(",{e},身份证号,{e},130199199001011234,录错,,王芳,2026-11-23"),
            // No such case; no reason; a date that is no date.
            "CD-2026-000000000000,,住址,x,y,录错,,王芳,2026-11-23",
            &format!("{id},,开户银行,{},青禾县农村信用社,,,王芳,2026-11-23", c.bank_name),
            &format!("{id},,开户银行,{},青禾县农村信用社,录错,,王芳,2026-13-45", c.bank_name),
        ],
    );
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("10 of 11 rows cannot be applied"), "{err}");
    assert!(err.contains("nothing was corrected"), "{err}");
    for (row, col, what) in [
        (3, "D", "is not the value in the ledger"),
        (4, "C", "救助金额 is not corrected on this sheet"),
        (5, "C", "withdraw this one"),
        (6, "C", "jiuzhu supplements"),
        (7, "E", "the phone number must be digits"),
        (8, "E", "月收入"),
        (9, "E", "身份证号"),
        (10, "A", "CD-2026-000000000000 is not in ledgers/cases.csv"),
        (11, "F", "更正原因 is blank"),
        (12, "I", "更正日期 `2026-13-45`"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("row {row} column {col} ")))
            .unwrap_or_else(|| panic!("row {row} column {col}: {err}"));
        assert!(line.contains(what), "row {row}: {what} in {line}");
        assert!(line.contains("更正-错.csv sheet"), "{line}");
    }
    assert!(!err.contains("row 2 "), "the good row is not named: {err}");
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a sheet with bad rows");

    // Under zh every line is Chinese.
    let out = ws.run_zh(&["correct", &s(&file)]);
    assert_exit(&out, 1);
    assert_chinese(&out);
    assert!(stderr(&out).contains("与台账中的值"), "{}", stderr(&out));
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a sheet with bad rows, zh");
}

#[test]
fn an_unusable_correction_file_stops_with_nothing_written() {
    let ws = month::verified();
    let before = ws.tree(&[".jiuzhu"]);
    let file = ws.path("不是更正.csv");
    std::fs::write(&file, "姓名,电话\n张三,123\n").unwrap();
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("is not a correction sheet"), "{}", stderr(&out));
    let out = ws.run_zh(&["correct", &s(&file)]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    // A sheet without 原值: every correction says what it corrects.
    std::fs::write(
        &file,
        "案件编号,字段,新值,更正原因,经办人,更正日期\nX,住址,y,z,王芳,2026-11-23\n",
    )
    .unwrap();
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no column 原值"), "{}", stderr(&out));
    let out = ws.run(&["correct", &s(&ws.path("没有这个文件.xlsx"))]);
    assert_exit(&out, 2);
    std::fs::remove_file(&file).unwrap();
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "an unusable file");
}

#[test]
fn members_are_added_to_and_removed_from_a_case_under_review() {
    let ws = month::verified();
    let (c, earner) = verified_with_earner(&ws);
    let id = c.case_id.as_str();
    let n = members(&ws, id).len();
    let child = common::id("13019920150301002");
    let file = sheet(
        &ws,
        "成员增减.csv",
        &[
            &format!("{id},{child},增加成员,,王小明、子,漏报的子女,户口簿,王芳,2026-11-23"),
            &format!("{id},{child},在校,否,是,在读小学,学籍证明,王芳,2026-11-23"),
            &format!(
                "{id},{},减少成员,{},,已分户,分户证明,王芳,2026-11-23",
                earner.id_number, earner.name
            ),
        ],
    );
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 0);
    let ms = members(&ws, id);
    assert_eq!(ms.len(), n, "one added, one removed");
    let added = ms.iter().find(|m| m.id_number.as_str() == child).expect("added");
    assert_eq!(added.name.as_str(), "王小明");
    assert!(added.in_school);
    assert!(ms.iter().all(|m| m.id_number != earner.id_number));
    assert_eq!(case(&ws, id).household_size as usize, n);
    assert_eq!(case(&ws, id).status, CaseStatus::Received);
    assert_no_hand_edit(&ws);

    // A second head, or a person of another open case: refused.
    let cases: Vec<Case> = ws.records();
    let other = cases.iter().find(|x| x.case_id != id && x.status.is_open()).unwrap();
    let file = sheet(
        &ws,
        "成员增减-错.csv",
        &[
            &format!(
                "{id},{},增加成员,,某某、子,漏报,户口簿,王芳,2026-11-23",
                other.applicant_id_number
            ),
            &format!("{id},{},与户主关系,子,户主,录错,户口簿,王芳,2026-11-23", child),
        ],
    );
    let before = ws.ledgers();
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("is already in open case {}", other.case_id)),
        "{err}"
    );
    assert!(err.contains("a household has one head"), "{err}");
    assert_same_files(&before, &ws.ledgers(), "refused member changes");
}

#[test]
fn a_case_in_force_is_re_decided_and_a_corrected_account_is_reissued() {
    let ws = month::month();
    // The 农信社 returns the November file with its first payment failed (as run-month.sh does).
    let payments: Vec<Payment> = ws.records();
    let rcc: Vec<&Payment> = payments
        .iter()
        .filter(|p| p.bank_name.as_str() == "青禾县农村信用社" && p.status == PaymentStatus::Issued)
        .collect();
    let failed = rcc[0].clone();
    let mut text = String::from("流水号,账号,金额,状态,失败原因\n");
    for (i, p) in rcc.iter().enumerate() {
        let (status, why) = if i == 0 {
            ("失败", "账户已冻结")
        } else {
            ("成功", "")
        };
        text.push_str(&format!("{},{},{},{status},{why}\n", p.payment_id, p.account, p.amount));
    }
    let ret = ws.path("回盘-2026-11.csv");
    std::fs::write(&ret, encoding_rs::GBK.encode(&text).0).unwrap();
    let out = ws.run(&["disburse", "--reconcile", &s(&ret), "--profile", "rcc_csv"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    // The failure needs a person: correct the account with the correction sheet, never by hand.
    let said = stdout(&ws.run(&["status"]));
    assert!(
        said.contains("failed at the bank") && said.contains("correct --template"),
        "{said}"
    );
    assert!(!said.contains("ledgers/cases.csv"), "{said}");
    let zh = stdout(&ws.run_zh(&["status"]));
    assert!(zh.contains("用更正登记表更正银行账号"), "{zh}");

    // The account corrected, and an income of a case in force.
    let c = case(&ws, &failed.case_id);
    assert_eq!(c.status, CaseStatus::Effective);
    let head = members(&ws, &c.case_id)
        .into_iter()
        .find(|m| m.relation == jiuzhu::ledger::Relation::Head)
        .unwrap();
    let file = sheet(
        &ws,
        "更正-账号.csv",
        &[
            &format!(
                "{},,银行账号,{},6228480000000000017,账户冻结后新开户,银行卡复印件,王芳,2026-12-02",
                c.case_id, c.bank_account
            ),
            &format!(
                ",{},月收入,{},{},收入核实有误,收入证明,王芳,2026-12-02",
                head.id_number,
                head.monthly_income_amount,
                jiuzhu::domain::money::Fen(head.monthly_income_amount.0 + 10000)
            ),
        ],
    );
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("disburse` reissues"), "{text}");
    assert!(
        text.contains("decide --period YYYY-MM` (the next month) re-decides"),
        "{text}"
    );
    // In force: no status change; money already paid untouched.
    assert_eq!(case(&ws, &c.case_id).status, CaseStatus::Effective);
    assert_eq!(case(&ws, &c.case_id).bank_account.as_str(), "6228480000000000017");
    assert_no_hand_edit(&ws);
    // The failure no longer needs a person: the next batch reissues it.
    let said = stdout(&ws.run(&["status"]));
    assert!(!said.contains("failed at the bank"), "{said}");
    assert!(said.contains("the account is corrected"), "{said}");
    let zh = stdout(&ws.run_zh(&["status"]));
    assert!(zh.contains("账号已更正"), "{zh}");

    // The next decide re-decides the case: an income 100 yuan higher lowers the benefit.
    let out = ws.run(&["decide", "--period", "2026-12"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let decisions: Vec<Decision> = ws.records();
    assert!(
        decisions.iter().any(|d| d.case_id == c.case_id
            && d.period.to_string() == "2026-12"
            && d.status == DecisionStatus::Proposed
            && matches!(
                d.kind,
                DecisionKind::Decrease | DecisionKind::Stop | DecisionKind::GradualExit
            )),
        "{:#?}",
        decisions.iter().filter(|d| d.case_id == c.case_id).collect::<Vec<_>>()
    );

    // The next disburse reissues the returned payment to the corrected account.
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let ps: Vec<Payment> = ws.records();
    let reissue = ps
        .iter()
        .find(|p| p.kind == PaymentKind::Reissue && p.reissue_of == failed.payment_id)
        .expect("reissued");
    assert_eq!(reissue.account.as_str(), "6228480000000000017");
    assert_eq!(reissue.amount, failed.amount);
    assert_no_hand_edit(&ws);
}

#[test]
fn what_a_case_in_force_may_not_have_corrected_here_names_the_step() {
    let ws = month::effective();
    let cases: Vec<Case> = ws.records();
    let c = cases.iter().find(|c| c.status == CaseStatus::Effective).unwrap();
    let ms = members(&ws, &c.case_id);
    let m = &ms[0];
    let file = sheet(
        &ws,
        "更正-在保.csv",
        &[
            &format!(
                "{},{},减少成员,{},,外出,证明,王芳,2026-12-02",
                c.case_id, m.id_number, m.name
            ),
            &format!(
                "{},{},劳动能力,{},无劳动能力,鉴定,鉴定书,王芳,2026-12-02",
                c.case_id,
                m.id_number,
                if m.work_ability == WorkAbility::Unknown {
                    ""
                } else {
                    m.work_ability.label_zh()
                }
            ),
        ],
    );
    let before = ws.ledgers();
    let out = ws.run(&["correct", &s(&file)]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("jiuzhu intake --kind followups"), "{err}");
    assert!(
        err.contains("1 of 2 rows"),
        "the work ability of a case in force may be corrected: {err}"
    );
    assert_same_files(&before, &ws.ledgers(), "a refused sheet");
}

#[test]
fn the_dossier_lists_the_corrections_of_a_case() {
    let ws = month::verified();
    let (c, _) = verified_with_earner(&ws);
    let id = c.case_id.as_str();
    let file = sheet(
        &ws,
        "更正-地址.csv",
        &[&format!(
            "{id},,住址,{},城关镇东街社区99号,门牌号录错,户口簿,王芳,2026-11-23",
            c.address
        )],
    );
    assert_exit(&ws.run(&["correct", &s(&file)]), 0);
    let out = ws.run(&[
        "withdraw",
        id,
        "--date",
        "2026-11-24",
        "--reason",
        "外出务工",
        "--by",
        "王芳",
    ]);
    assert_exit(&out, 0);
    let out = ws.run(&["archive"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let dossier = ws.path(&format!("archive/2026/{id}/corrections.csv"));
    let text = std::fs::read_to_string(&dossier).unwrap_or_else(|e| panic!("{}: {e}", dossier.display()));
    assert!(text.starts_with("序号,更正内容\n"), "{text}");
    assert!(
        text.contains("住址: 「") && text.contains("原因: 门牌号录错; 依据: 户口簿; 经办人 王芳, 2026-11-23"),
        "{text}"
    );
    let out = ws.run(&["archive", "verify"]);
    assert_exit(&out, 0);
}

/// A member whose death was confirmed holds the case (家庭成员已死亡 … 请更正家庭成员后重新审核); once the clerk
/// removes them with the correction sheet (减少成员), the next verify no longer holds it for that hit.
#[test]
fn removing_a_member_whose_death_was_confirmed_releases_the_case() {
    let ws = month::verified();
    let (c, member) = verified_with_earner(&ws);
    let id = c.case_id.as_str();
    let deaths = ws.path("deaths-12.csv");
    std::fs::write(
        &deaths,
        format!(
            "姓名,身份证号,死亡日期,火化日期,火化地点\n{},{},2026-11-21,2026-11-22,青禾县殡仪馆\n",
            member.name, member.id_number
        ),
    )
    .unwrap();
    assert_exit(&ws.run(&["compare", "--source", &format!("deaths={}", s(&deaths))]), 1);
    let batch = ws
        .records::<jiuzhu::ledger::Match>()
        .into_iter()
        .find(|m| m.id_number == member.id_number)
        .unwrap()
        .batch;
    let filled = ws.path("hits.xlsx");
    refill(&ws.path(&format!("reports/compare-hits-{batch}.xlsx")), &filled, |g| {
        let at = g.iter().position(|r| r.iter().any(|c| c == "处理结果")).unwrap();
        let col = |name: &str| g[at].iter().position(|c| c == name).unwrap();
        let (disp, note, by) = (col("处理结果"), col("说明"), col("处理人"));
        for row in g
            .iter_mut()
            .skip(at + 1)
            .filter(|r| r.first().is_some_and(|c| c.starts_with("deaths-")))
        {
            row.resize(row.len().max(by + 1), String::new());
            row[disp] = "确认".into();
            row[note] = "火化证明".into();
            row[by] = "李明".into();
        }
    });
    assert_exit(&ws.run(&["compare", "--resolve", &s(&filled)]), 0);
    ws.run(&["verify", "--as-of", "2026-11-23"]);
    let held = ws
        .records::<jiuzhu::ledger::Check>()
        .into_iter()
        .find(|k| k.case_id == id && k.check == "registry_hits")
        .unwrap();
    assert!(held.detail.contains("家庭成员已死亡"), "{}", held.detail);
    assert_eq!(case(&ws, id).status, CaseStatus::NeedsInfo);

    let file = sheet(
        &ws,
        "减员.csv",
        &[&format!(
            "{id},{},减少成员,{},,死亡,火化证明,王芳,2026-11-23",
            member.id_number, member.name
        )],
    );
    assert_exit(&ws.run(&["correct", &s(&file)]), 0);
    ws.run(&["verify", "--as-of", "2026-11-23"]);
    let after = ws
        .records::<jiuzhu::ledger::Check>()
        .into_iter()
        .find(|k| k.case_id == id && k.check == "registry_hits")
        .unwrap();
    assert!(!after.detail.contains("家庭成员已死亡"), "{}", after.detail);
    assert_ne!(
        case(&ws, id).status,
        CaseStatus::NeedsInfo,
        "the hit no longer holds the case"
    );
}
