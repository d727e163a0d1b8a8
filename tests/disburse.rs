//! `jiuzhu disburse`: a county's December batch built from decisions made by the real commands (intake → verify
//! → decide → meeting → notice over), with arrears, a 减发 and a 停发 written into decisions.csv, a one-off and an
//! urgent 临时救助, and a case without an account; the bank file to the byte; reruns; the bank's return file with
//! two failures; the reissue once one account is corrected; refused return files; budgets; goods.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::domain::money::Fen;
use jiuzhu::ledger::{
    Batch, Case, Decision, DecisionKind, DecisionStatus, Goods, GoodsStatus, Payment, PaymentKind, PaymentStatus,
};
use jiuzhu::sheet::reader::{read_workbook, Encoding};

const HEADER: &str = "序号,户主身份证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),住址,联系电话,申请日期,\
户籍类型,开户银行,银行账号,致困原因,月收入(元),残疾等级,重病,在校,劳动能力,提供材料,救助月数,先行救助";

const ALL: &str = "身份证、户口簿、申请书、授权书、收入证明";
const RCC: &str = "青禾县农村信用社";
const PSBC: &str = "中国邮政储蓄银行";

fn h1() -> String {
    id("13019919800101001") // 张一, 城市低保, alone, income 300 → 560.00
}
fn h2() -> String {
    id("13019919500303002") // 李二, 76, 城市低保, income 300 → 560.00 + elderly 86.00 = 646.00
}
fn h3() -> String {
    id("13019919700505003") // 王三, 农村低保, 2 people, income 300 → 550×2 − 300 = 800.00 (邮储)
}
fn h5() -> String {
    id("13019919850808009") // 周五, 临时救助 2 months → 1720.00
}
fn h6() -> String {
    id("13019919860909001") // 吴六, 临时救助 urgent → 2000.00, effective at once
}
fn h7() -> String {
    id("13019919871010002") // 郑七, 城市低保, income 0 → 860.00, no bank account
}

/// The November register of six households.
fn register(dir: &Path) -> PathBuf {
    #[allow(clippy::too_many_arguments)]
    fn row(
        serial: &str,
        key: &str,
        name: &str,
        idn: &str,
        rel: &str,
        scheme: &str,
        place: (&str, &str),
        bank: (&str, &str),
        income: &str,
        tail: &str,
    ) -> String {
        format!(
            "{serial},{key},{name},{idn},{rel},{scheme},{},{},{}{serial}号,13800000000,2026-11-02,,{},{},困难,{income},{tail}",
            place.0, place.1, place.1, bank.0, bank.1
        )
    }
    let urban = ("城关镇", "东街社区");
    let rural = ("东河乡", "柳树村");
    let full = format!(",,,有,{ALL},,");
    let lines = [
        row(
            "1",
            &h1(),
            "张一",
            &h1(),
            "户主",
            "城市低保",
            urban,
            (RCC, "6229530100000000011"),
            "300",
            &full,
        ),
        row(
            "2",
            &h2(),
            "李二",
            &h2(),
            "户主",
            "城市低保",
            urban,
            (RCC, "6229530100000000012"),
            "300",
            &format!(",,,无,{ALL},,"),
        ),
        row(
            "3",
            &h3(),
            "王三",
            &h3(),
            "户主",
            "农村低保",
            rural,
            (PSBC, "6210980000000000013"),
            "200",
            &full,
        ),
        row(
            "3",
            &h3(),
            "孙三",
            &id("13019919720606004"),
            "配偶",
            "",
            rural,
            ("", ""),
            "100",
            ",,,有,,,",
        ),
        row(
            "5",
            &h5(),
            "周五",
            &h5(),
            "户主",
            "临时救助",
            urban,
            (RCC, "6229530100000000015"),
            "0",
            &format!(",,,有,{ALL},2,"),
        ),
        row(
            "6",
            &h6(),
            "吴六",
            &h6(),
            "户主",
            "临时救助",
            rural,
            (RCC, "6229530100000000016"),
            "0",
            &format!(",,,有,{ALL},3,是"),
        ),
        row(
            "7",
            &h7(),
            "郑七",
            &h7(),
            "户主",
            "城市低保",
            urban,
            ("", ""),
            "0",
            &format!(",,,无,{ALL},,"),
        ),
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

/// A workspace whose six households are effective from 2026-11 through the real commands.
fn effective() -> Ws {
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
    let src = ws.path("reports/review-meeting-2026-11.xlsx");
    let dst = ws.path("meeting.xlsx");
    refill(&src, &dst, |g| {
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
    let ds = ws.records::<Decision>();
    assert_eq!(ds.len(), 6, "{ds:#?}");
    assert!(
        ds.iter()
            .all(|d| d.status == DecisionStatus::Effective
                && d.effective_from.is_some_and(|f| f.to_string() == "2026-11")),
        "{ds:#?}"
    );
    ws
}

fn case_id(ws: &Ws, head: &str) -> String {
    ws.records::<Case>()
        .into_iter()
        .find(|c| c.applicant_id_number.as_str() == head)
        .expect("the case")
        .case_id
}

/// Writes a decision into decisions.csv the way decide would: the previous one superseded.
fn add_decision(ws: &Ws, head: &str, kind: DecisionKind, amount: &str, from: &str) {
    let c = case_id(ws, head);
    let mut ds = ws.records::<Decision>();
    let prev = ds
        .iter()
        .find(|d| d.case_id == c && d.status == DecisionStatus::Effective)
        .unwrap()
        .clone();
    for d in ds.iter_mut().filter(|d| d.case_id == c) {
        d.status = DecisionStatus::Superseded;
    }
    ds.push(Decision {
        decision_id: format!("D-TEST{}", ds.len()),
        period: from.parse().unwrap(),
        kind,
        status: DecisionStatus::Effective,
        amount: Fen::parse_yuan(amount).unwrap(),
        previous_amount: prev.amount,
        delta_amount: Fen(Fen::parse_yuan(amount).unwrap().0 - prev.amount.0),
        effective_from: Some(from.parse().unwrap()),
        ..prev
    });
    ws.write_ledger(&ds);
    ws.accept_edits();
}

/// (case, month, amount, kind) of every payment, sorted.
fn payments(ws: &Ws) -> Vec<(String, String, String, PaymentKind)> {
    let mut v: Vec<_> = ws
        .records::<Payment>()
        .into_iter()
        .map(|p| (p.case_id, p.period.to_string(), p.amount.to_string(), p.kind))
        .collect();
    v.sort();
    v
}

fn gbk(s: &str) -> Vec<u8> {
    let (b, _, bad) = encoding_rs::GBK.encode(s);
    assert!(!bad);
    b.into_owned()
}

/// The December batch: exactly the right payments, the bank file to the byte, and a rerun that adds nothing.
#[test]
fn a_batch_pays_arrears_changes_stops_and_urgent_cases_exactly() {
    let ws = effective();
    let (c1, c2, c3, c5, c6, c7) = (
        case_id(&ws, &h1()),
        case_id(&ws, &h2()),
        case_id(&ws, &h3()),
        case_id(&ws, &h5()),
        case_id(&ws, &h6()),
        case_id(&ws, &h7()),
    );
    // 停发 from December for 张一; 减发 to 500.00 from December for 李二; 王三 effective from October
    // (two months before the batch: three payments); 增发 for 王三 from January (not yet in force).
    add_decision(&ws, &h1(), DecisionKind::Stop, "0.00", "2026-12");
    add_decision(&ws, &h2(), DecisionKind::Decrease, "500.00", "2026-12");
    let mut ds = ws.records::<Decision>();
    ds.iter_mut().find(|d| d.case_id == c3).unwrap().effective_from = Some("2026-10".parse().unwrap());
    ws.write_ledger(&ds);
    ws.accept_edits();
    add_decision(&ws, &h3(), DecisionKind::Increase, "900.00", "2027-01");

    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_exit(&out, 1); // 郑七 has no account: both his months are listed
    let text = stdout(&out);
    assert!(
        first_line(&out).starts_with("disburse 2026-12: 8 payments, 7826.00 (4 arrears); 2 not paid"),
        "{text}"
    );
    assert!(
        text.contains(&format!("not paid {c7} 郑七 2026-11 860.00: no bank account")),
        "{text}"
    );
    assert!(text.contains(&format!("not paid {c7} 郑七 2026-12 860.00")), "{text}");
    use PaymentKind::*;
    let s = |x: &str| x.to_string();
    let mut want = vec![
        (c1.clone(), s("2026-11"), s("560.00"), Arrears),
        (c2.clone(), s("2026-11"), s("646.00"), Arrears),
        (c2.clone(), s("2026-12"), s("500.00"), Regular),
        (c3.clone(), s("2026-10"), s("800.00"), Arrears),
        (c3.clone(), s("2026-11"), s("800.00"), Arrears),
        (c3.clone(), s("2026-12"), s("800.00"), Regular),
        (c5.clone(), s("2026-11"), s("1720.00"), OneOff),
        (c6.clone(), s("2026-11"), s("2000.00"), OneOff),
    ];
    want.sort();
    assert_eq!(payments(&ws), want);
    let all = ws.records::<Payment>();
    assert!(all
        .iter()
        .all(|p| p.status == PaymentStatus::Issued && p.batch.to_string() == "2026-12"));
    assert_eq!(
        all.iter()
            .filter(|p| p.urgent)
            .map(|p| p.case_id.clone())
            .collect::<Vec<_>>(),
        vec![c6.clone()]
    );
    let batch = &ws.records::<Batch>()[0];
    assert_eq!((batch.payments, batch.amount.to_string()), (8, "7826.00".to_string()));

    // The 农信社 file, built here from the profile in the template: GBK, CRLF, header, 合计 row.
    let mut rcc: Vec<&Payment> = all.iter().filter(|p| p.bank_name.as_str() == RCC).collect();
    rcc.sort_by(|a, b| (&a.case_id, &a.period, &a.payment_id).cmp(&(&b.case_id, &b.period, &b.payment_id)));
    let cases = ws.records::<Case>();
    let mut expected = String::from("流水号,户名,账号,金额,证件号码,摘要\r\n");
    for p in &rcc {
        let c = cases.iter().find(|c| c.case_id == p.case_id).unwrap();
        let scheme = if c.scheme == "urban_dibao" {
            "城市低保"
        } else {
            "临时救助"
        };
        let kind = match p.kind {
            Arrears => " 补发",
            OneOff => " 一次性",
            _ => "",
        };
        let urgent = if p.urgent { " 先行救助" } else { "" };
        expected.push_str(&format!(
            "{},{},{},{},{},{} {scheme}{kind}{urgent}\r\n",
            p.payment_id,
            c.applicant_name,
            p.account,
            p.amount,
            c.applicant_id_number.masked(),
            p.period
        ));
    }
    expected.push_str("合计,5,5426.00\r\n");
    assert_eq!(
        ws.bytes("reports/bank/代发-青禾县农村信用社-2026-12.csv"),
        gbk(&expected)
    );
    // 王三's three payments go to the postal bank's workbook, with its control totals in the title.
    let wb = read_workbook(
        &ws.path("reports/bank/代发-中国邮政储蓄银行-2026-12.xlsx"),
        Encoding::Detect,
    )
    .unwrap();
    assert_eq!(wb.sheets[0].rows[0][0].text, "笔数 3 金额 2400.00");
    assert_eq!(wb.sheets[0].rows.len(), 5);
    assert!(ws.path("reports/disburse-2026-12-汇总表.xlsx").is_file());

    // Again: the same bytes everywhere, no new payments.
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_exit(&out, 1);
    assert!(
        first_line(&out).contains("reproduced, nothing added"),
        "{}",
        stdout(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "rerun of disburse");
}

/// The bank's return file in the 农信社 format (GBK CSV): every payment of the file, `failures` marked 失败.
fn return_file(ws: &Ws, name: &str, lines: &[(String, String, String, &str, &str)]) -> PathBuf {
    let mut text = String::from("流水号,账号,金额,状态,失败原因\r\n");
    for (id, account, amount, status, reason) in lines {
        text.push_str(&format!("{id},{account},{amount},{status},{reason}\r\n"));
    }
    text.push_str(&format!("合计,{},\r\n", lines.len()));
    let path = ws.path(name);
    std::fs::write(&path, gbk(&text)).unwrap();
    path
}

fn rcc_lines(ws: &Ws, failing: &[&str]) -> Vec<(String, String, String, &'static str, &'static str)> {
    ws.records::<Payment>()
        .into_iter()
        .filter(|p| p.bank_name.as_str() == RCC && p.status == PaymentStatus::Issued)
        .map(|p| {
            let fail = failing.contains(&p.case_id.as_str());
            (
                p.payment_id,
                p.account.0,
                p.amount.to_string(),
                if fail { "失败" } else { "成功" },
                if fail { "账户已销户" } else { "" },
            )
        })
        .collect()
}

#[test]
fn reconcile_marks_failures_and_the_next_batch_reissues_only_the_corrected_account() {
    let ws = effective();
    let (c1, c2) = (case_id(&ws, &h1()), case_id(&ws, &h2()));
    assert_exit(&ws.run(&["disburse", "--period", "2026-12"]), 1);
    // 张一 and 李二 each have two payments (November arrears and December): all four fail.
    let lines = rcc_lines(&ws, &[&c1, &c2]);
    let ret = return_file(&ws, "回盘-2026-12.csv", &lines);
    let out = ws.run(&["disburse", "--reconcile", ret.to_str().unwrap(), "--profile", "rcc_csv"]);
    assert_exit(&out, 1);
    assert!(first_line(&out).contains("2 paid, 4 failed"), "{}", stdout(&out));
    assert!(stdout(&out).contains("账户已销户"), "{}", stdout(&out));
    let ps = ws.records::<Payment>();
    let failed: Vec<&Payment> = ps.iter().filter(|p| p.status == PaymentStatus::Failed).collect();
    assert_eq!(failed.len(), 4);
    assert!(failed.iter().all(|p| p.case_id == c1 || p.case_id == c2));
    assert!(ps
        .iter()
        .filter(|p| p.bank_name.as_str() == PSBC)
        .all(|p| p.status == PaymentStatus::Issued));

    // The same return again: those payments are reconciled already → refused whole.
    let before = ws.ledgers();
    let out = ws.run(&["disburse", "--reconcile", ret.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("already reconciled"), "{}", stderr(&out));
    assert_same_files(&before, &ws.ledgers(), "a return file reconciled twice");

    // 张一's account is corrected; 李二's is not.
    let mut cases = ws.records::<Case>();
    cases.iter_mut().find(|c| c.case_id == c1).unwrap().bank_account.0 = "6229530100000000099".into();
    ws.write_ledger(&cases);
    ws.accept_edits();
    // January and February are paid together before the Spring Festival.
    let policy = ws.read("jiuzhu.yaml").replace(
        "  combine: []\n",
        "  combine:\n    - {batch: \"2027-01\", months: [\"2027-01\", \"2027-02\"]}\n",
    );
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    let out = ws.run(&["disburse", "--period", "2027-01"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("2 reissued"), "{text}");
    assert!(text.contains("the account is not corrected yet"), "{text}");
    let ps = ws.records::<Payment>();
    let reissues: Vec<&Payment> = ps.iter().filter(|p| p.kind == PaymentKind::Reissue).collect();
    assert_eq!(reissues.len(), 2, "{reissues:#?}");
    for r in &reissues {
        assert_eq!(
            (r.case_id.as_str(), r.batch.to_string().as_str(), r.account.as_str()),
            (c1.as_str(), "2027-01", "6229530100000000099")
        );
        let orig = ps.iter().find(|p| p.payment_id == r.reissue_of).unwrap();
        assert_eq!((orig.status, orig.amount), (PaymentStatus::Reissued, r.amount));
    }
    assert!(ps
        .iter()
        .filter(|p| p.case_id == c2)
        .all(|p| p.status == PaymentStatus::Failed || p.batch.to_string() == "2027-01"));
    // January and February in one batch. 李二's account is still valid, so his new
    // months are issued as usual; only the failed ones wait for a corrected account.
    assert_eq!(
        ps.iter()
            .filter(|p| p.case_id == c2 && p.batch.to_string() == "2027-01")
            .count(),
        2
    );
    // Once only: the rerun adds nothing.
    let before = ws.tree(&[".jiuzhu"]);
    assert_exit(&ws.run(&["disburse", "--period", "2027-01"]), 1);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "rerun of the reissuing batch");
}

#[test]
fn refused_return_files_change_nothing() {
    let ws = effective();
    assert_exit(&ws.run(&["disburse", "--period", "2026-12"]), 1);
    let good = rcc_lines(&ws, &[]);
    let before = ws.ledgers();
    let mut wrong_amount = good.clone();
    wrong_amount[0].2 = "1.00".into();
    let mut unknown = good.clone();
    unknown[1].0 = "P-000000000000".into();
    let mut duplicate = good.clone();
    duplicate.push(good[2].clone());
    for (name, lines, why) in [
        ("amount.csv", wrong_amount, "differs from"),
        ("unknown.csv", unknown, "not an outstanding payment"),
        ("duplicate.csv", duplicate, "appears twice"),
    ] {
        let f = return_file(&ws, name, &lines);
        let out = ws.run(&["disburse", "--reconcile", f.to_str().unwrap()]);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(why), "{name}: {}", stderr(&out));
        assert_same_files(&before, &ws.ledgers(), name);
    }
    // The good one is taken.
    let f = return_file(&ws, "good.csv", &good);
    assert_exit(&ws.run(&["disburse", "--reconcile", f.to_str().unwrap()]), 0);
}

/// A bank's return with a line deleted: the payments it does answer are reconciled, and the one it leaves out is
/// named as still outstanding with exit 1 (the other bank's payments, which come back in its own file, are not).
#[test]
fn a_payment_missing_from_the_bank_return_is_named() {
    let ws = effective();
    assert_exit(&ws.run(&["disburse", "--period", "2026-12"]), 1);
    let mut lines = rcc_lines(&ws, &[]);
    let dropped = lines.remove(1).0;
    let f = return_file(&ws, "short.csv", &lines);
    let out = ws.run(&["disburse", "--reconcile", f.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        first_line(&out).contains(&format!("{} paid, 0 failed", lines.len())),
        "{text}"
    );
    let p = ws
        .records::<Payment>()
        .into_iter()
        .find(|p| p.payment_id == dropped)
        .unwrap();
    assert_eq!(p.status, PaymentStatus::Issued);
    let line = text
        .lines()
        .find(|l| l.contains("have no line in this return"))
        .unwrap_or_else(|| panic!("the missing payment is not named:\n{text}"));
    assert!(
        line.contains(&format!("1 payments to {RCC} ({})", p.amount))
            && line.contains(&format!("{} ({} {})", p.payment_id, p.case_id, p.period)),
        "{line}"
    );
    let psbc = ws
        .records::<Payment>()
        .into_iter()
        .find(|p| p.bank_name.as_str() == PSBC)
        .unwrap();
    assert!(!text.contains(&psbc.payment_id), "{text}");
}

#[test]
fn a_batch_over_budget_is_refused_unless_overridden() {
    let ws = effective();
    let policy = ws.read("jiuzhu.yaml").replace(
        "  budgets: []\n",
        "  budgets:\n    - {scheme: urban_dibao, period: \"2026-12\", amount: \"2000.00\"}\n",
    );
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("batch 2412.00 > budget 2000.00"),
        "{}",
        stderr(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "refused over budget");

    let out = ws.run(&[
        "disburse",
        "--period",
        "2026-12",
        "--override-budget",
        "县政府追加预算 (会议纪要第5号)",
    ]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("budget overridden: 县政府追加预算"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        ws.records::<Batch>()[0].budget_override.as_str(),
        "县政府追加预算 (会议纪要第5号)"
    );
    assert!(ws.ledger("events.csv").contains("budget override: 县政府追加预算"));
}

#[test]
fn a_payment_edited_in_the_ledger_breaks_the_money_invariant() {
    let ws = effective();
    assert_exit(&ws.run(&["disburse", "--period", "2026-12"]), 1);
    let mut ps = ws.records::<Payment>();
    ps[0].amount = Fen(ps[0].amount.0 + 100);
    ws.write_ledger(&ps);
    ws.accept_edits();
    let out = ws.run(&["disburse", "--period", "2026-12"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("the money does not balance"), "{}", stderr(&out));
    assert!(stderr(&out).contains("overpaid 1.00"), "{}", stderr(&out));
}

#[test]
fn goods_plan_list_and_receipts() {
    let ws = effective();
    let (c1, c3) = (case_id(&ws, &h1()), case_id(&ws, &h3()));
    let plan = ws.path("冬季物资.csv");
    std::fs::write(
        &plan,
        format!("物资名称,数量,单位,案件编号,村(社区)\n大米,2,袋,{c1},\n食用油,1.5,桶,,柳树村\n"),
    )
    .unwrap();
    // A village written after its township finds the same households; one planned twice refuses the plan whole.
    let twice = ws.path("两次.csv");
    std::fs::write(
        &twice,
        "物资名称,数量,单位,案件编号,村(社区)\n食用油,1,桶,,东河乡柳树村\n食用油,1,桶,,柳树村\n",
    )
    .unwrap();
    let before = ws.ledgers();
    let out = ws.run(&["disburse", "--goods", twice.to_str().unwrap()]);
    assert_exit(&out, 2);
    let refused = stderr(&out);
    assert_eq!(refused.matches("is planned twice").count(), 2, "{refused}");
    assert_same_files(&before, &ws.ledgers(), "a plan refused whole");

    let out = ws.run(&["disburse", "--goods", plan.to_str().unwrap()]);
    assert_exit(&out, 0);
    // 柳树村: 王三 and 吴六 (the urgent temporary case is effective too).
    assert!(
        first_line(&out).contains("3 recipients, 大米 2 袋, 食用油 3 桶"),
        "{}",
        stdout(&out)
    );
    let goods = ws.records::<Goods>();
    assert_eq!(goods.len(), 3);
    assert!(goods.iter().all(|g| g.status == GoodsStatus::Planned));
    let list = std::fs::read_dir(ws.path("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("goods-"))
        .unwrap();
    let wb = read_workbook(&list, Encoding::Detect).unwrap();
    let cells: Vec<String> = wb.sheets[0].rows.iter().flatten().map(|c| c.text.clone()).collect();
    for c in ws.records::<Case>() {
        assert!(
            !cells.iter().any(|x| x.contains(c.applicant_id_number.as_str())),
            "a full ID in the list"
        );
    }
    assert!(cells.contains(&jiuzhu::domain::id_number::mask_any(&h1())));
    assert!(cells.contains(&"签字".to_string()) && cells.contains(&"领取日期".to_string()));

    // 张一 signs with his name and takes 2 bags; 王三 writes 是 but takes 1 barrel; 吴六 has not come.
    let filled = ws.path("signed.xlsx");
    refill(&list, &filled, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "登记编号"))
            .unwrap();
        for row in g.iter_mut().skip(head + 1) {
            row.resize(11, String::new());
            if row[1] == c1 {
                row[8] = "张一".into();
                row[9] = "2026-12-20".into();
            } else if row[1] == c3 {
                row[8] = "是".into();
                row[9] = "2026-12-21".into();
                row[10] = "1".into();
            }
        }
    });
    let out = ws.run(&["disburse", "--goods-receipts", filled.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(first_line(&out).contains("2 of 3 received"), "{text}");
    assert!(text.contains("received 大米 2 袋, 食用油 1 桶"), "{text}");
    assert!(text.contains("planned 1.5 桶, received 1 桶"), "{text}");
    assert!(text.contains("not yet received"), "{text}");
    let g1 = ws.records::<Goods>().into_iter().find(|g| g.case_id == c1).unwrap();
    assert_eq!((g1.status, g1.signed_by.as_str()), (GoodsStatus::Received, "张一"));
    assert_eq!(g1.received_on.unwrap().to_string(), "2026-12-20");

    // A list whose quantity was changed is refused whole.
    let tampered = ws.path("tampered.xlsx");
    refill(&filled, &tampered, |g| {
        let last = g.len() - 1;
        g[last][6] = "9".into();
    });
    let before = ws.ledgers();
    let out = ws.run(&["disburse", "--goods-receipts", tampered.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("was changed"), "{}", stderr(&out));
    assert_same_files(&before, &ws.ledgers(), "tampered receipts");
}

/// A fixed-width GBK profile: the control line first, every line the sum of the widths in bytes; its return
/// file is read by the same widths.
#[test]
fn a_fixed_width_bank_file_and_its_return() {
    let ws = effective();
    let policy = ws
        .read("jiuzhu.yaml")
        .replace("  default_profile: rcc_csv\n", "  default_profile: fixed_txt\n")
        .replace(
            "    青禾县农村信用社: rcc_csv\n    中国邮政储蓄银行: psbc_xlsx\n",
            "    中国邮政储蓄银行: fixed_txt\n",
        );
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    assert_exit(&ws.run(&["disburse", "--period", "2026-12"]), 1);
    let bytes = ws.bytes("reports/bank/DF2026-12-fixed_txt.txt");
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let ps = ws.records::<Payment>();
    let sum: i64 = ps.iter().map(|p| p.amount.0).sum();
    assert_eq!(lines[0], format!("H{}|{sum}\r", ps.len()).as_bytes());
    assert_eq!(lines.len(), ps.len() + 1);
    assert!(
        lines[1..].iter().all(|l| l.len() == 16 + 20 + 20 + 12 + 1),
        "CR included"
    );
    let zhang = ps.iter().find(|p| p.payee_name.as_str() == "张一").unwrap();
    let mut want = format!("{:<16}{:<20}", zhang.payment_id, zhang.account.as_str()).into_bytes();
    let mut name = gbk("张一");
    name.resize(20, b' ');
    want.extend(name);
    want.extend(format!("{:0>12}\r", zhang.amount.0).into_bytes());
    assert!(
        lines.contains(&want.as_slice()),
        "{:?} not in {:?}",
        String::from_utf8_lossy(&want),
        lines.iter().map(|l| String::from_utf8_lossy(l)).collect::<Vec<_>>()
    );

    let mut ret = Vec::new();
    for p in &ps {
        ret.extend(format!("{:<16}{:<12}", p.payment_id, p.amount.0).into_bytes());
        let status = if p.payment_id == zhang.payment_id {
            "失败"
        } else {
            "成功"
        };
        ret.extend(gbk(status));
        ret.extend(gbk("户名不符\r\n"));
    }
    std::fs::write(ws.path("ret.txt"), ret).unwrap();
    let out = ws.run(&["disburse", "--reconcile", ws.path("ret.txt").to_str().unwrap()]);
    assert_exit(&out, 1);
    assert!(
        first_line(&out).contains(&format!("{} paid, 1 failed", ps.len() - 1)),
        "{}",
        stdout(&out)
    );
}

/// A payee whose name holds a character GBK has no code for (𠮷, only in GB18030) under the GBK profile: the whole
/// batch was refused, and the refusal printed the line with the full bank account. Now the batch is issued, the
/// character is written as the profile's replacement (`?`), the value is listed in the 汇总表 (sheet 替换字符),
/// and no message shows an account.
#[test]
fn a_name_gbk_cannot_hold_is_written_with_the_replacement_and_listed_not_refused() {
    let ws = effective();
    let c1 = case_id(&ws, &h1());
    let mut cases = ws.records::<Case>();
    cases.iter_mut().find(|c| c.case_id == c1).unwrap().applicant_name = jiuzhu::ledger::Text("𠮷一".into());
    ws.write_ledger(&cases);
    ws.accept_edits();

    let out = ws.run(&["disburse", "--period", "2026-11"]);
    assert_exit(&out, 1); // 郑七 has no account
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("1 values hold characters"), "{said}");
    assert!(said.contains("替换字符"), "{said}");
    for c in &cases {
        assert!(
            c.bank_account.as_str().is_empty() || !said.contains(c.bank_account.as_str()),
            "a full account is shown:\n{said}"
        );
    }
    let payment = ws
        .records::<Payment>()
        .into_iter()
        .find(|p| p.case_id == c1)
        .expect("张一 is paid");
    let file = std::fs::read(ws.path("reports/bank/代发-青禾县农村信用社-2026-11.csv")).unwrap();
    let text = encoding_rs::GBK.decode(&file).0.into_owned();
    assert!(text.contains(&format!("{},?一,", payment.payment_id)), "{text}");
    let book = read_workbook(&ws.path("reports/disburse-2026-11-汇总表.xlsx"), Encoding::Detect).unwrap();
    let sheet = book
        .sheets
        .iter()
        .find(|s| s.name == "替换字符")
        .expect("the 汇总表 lists the replaced value");
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.clone()).collect())
        .collect();
    assert!(
        rows.iter().any(|r| r.contains(&payment.payment_id)
            && r.contains(&"𠮷一".to_string())
            && r.contains(&"?一".to_string())),
        "{rows:?}"
    );
}
