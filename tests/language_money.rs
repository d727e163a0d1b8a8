//! Issue 20 for the money and record-keeping commands: under a Chinese locale every line `disburse`, `audit`,
//! `archive`, `report`, `status`, `diff`, `cat`, `init`, `sample-data` and `accept-edits` print is Chinese, refusals
//! included; the workbooks they write for people are Chinese whatever the terminal's language, byte for byte.

mod common;
mod month;

use std::path::Path;
use std::process::Output;

use common::*;
use month::*;

/// `jiuzhu -C WS ARGS…` under `LANG=zh_CN.UTF-8` (LC_ALL and LC_MESSAGES removed).
fn zh(ws: &Ws, args: &[&str]) -> Output {
    jiuzhu()
        .arg("-C")
        .arg(ws.root())
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("run jiuzhu")
}

/// `jiuzhu ARGS…` (no workspace) under `--lang zh`.
fn zh_bare(args: &[&str]) -> Output {
    jiuzhu()
        .arg("--lang")
        .arg("zh")
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .output()
        .expect("run jiuzhu")
}

#[track_caller]
fn chinese(out: &Output, code: i32) -> String {
    assert_exit(out, code);
    assert_chinese(out);
    format!("{}{}", stdout(out), stderr(out))
}

/// The 农信社's return file for the month: every payment of that bank paid but the first (账户已冻结).
fn return_file(ws: &Ws) -> std::path::PathBuf {
    let payments: Vec<jiuzhu::ledger::Payment> = ws.records();
    let mut text = String::from("流水号,账号,金额,状态,失败原因\n");
    let mut first = true;
    for p in payments
        .iter()
        .filter(|p| p.bank_name.0 == "青禾县农村信用社" && p.status == jiuzhu::ledger::PaymentStatus::Issued)
    {
        let (status, why) = if first {
            ("失败", "账户已冻结")
        } else {
            ("成功", "")
        };
        first = false;
        text.push_str(&format!(
            "{},{},{},{status},{why}\n",
            p.payment_id, p.account.0, p.amount
        ));
    }
    let path = ws.path("回盘.csv");
    // The bank writes GBK, as its profile says.
    std::fs::write(&path, encoding_rs::GBK.encode(&text).0).unwrap();
    path
}

#[test]
fn the_money_commands_speak_chinese_over_the_example_month() {
    let ws = effective();
    let out = chinese(&zh(&ws, &["disburse", "--period", "2026-11"]), 0);
    assert!(out.contains("发放 2026-11: "), "{out}");
    assert!(out.contains("资金核对"), "{out}");
    assert!(out.contains("待签字"), "{out}");
    let ret = return_file(&ws);
    let out = chinese(
        &zh(&ws, &["disburse", "--reconcile", &s(&ret), "--profile", "rcc_csv"]),
        1,
    );
    assert!(out.contains("失败 P-") && out.contains("账户已冻结"), "{out}");
    // A rerun reproduces the batch and names what was not paid.
    let out = chinese(&zh(&ws, &["disburse", "--period", "2026-11"]), 1);
    assert!(out.contains("未发放"), "{out}");
    // The example's urgent case waits for its back-filled approval (J205).
    let out = chinese(&zh(&ws, &["audit"]), 1);
    assert!(out.contains("J205 错误") && out.contains("审计: 发现"), "{out}");

    let out = chinese(
        &zh(&ws, &["audit", "--sample", "5%", "--seed", "20261201", "--stratify"]),
        0,
    );
    assert!(out.contains("抽查"), "{out}");
    // The drawn sample without results: J503 findings, in Chinese with their codes.
    let out = chinese(&zh(&ws, &["audit", "--dry-run"]), 1);
    assert!(out.contains("J503 警告"), "{out}");
    let out = chinese(&zh(&ws, &["archive"]), 0);
    assert!(out.contains("一户一档") && out.contains("(不予批准)"), "{out}");
    chinese(&zh(&ws, &["archive", "verify"]), 0);
    chinese(&zh(&ws, &["report", "--period", "2026-11"]), 0);
    chinese(&zh(&ws, &["status"]), 1);
    let cases = ws.path("ledgers/cases.csv");
    let before = ws.path("cases-before.csv");
    std::fs::copy(&cases, &before).unwrap();
    let out = chinese(&zh(&ws, &["diff", &s(&before), &s(&cases)]), 0);
    assert!(out.contains("没有差异"), "{out}");
    chinese(&zh(&ws, &["accept-edits", "--by", "张三", "--reason", "测试"]), 0);

    let dir = tempfile::tempdir().unwrap();
    let out = chinese(&zh_bare(&["init", &s(&dir.path().join("新县"))]), 0);
    assert!(out.contains("jiuzhu.yaml"), "{out}");
    let sample = dir.path().join("示例");
    let out = chinese(&zh_bare(&["sample-data", &s(&sample), "--households", "20"]), 0);
    assert!(out.contains("示例数据"), "{out}");
}

#[test]
fn refusals_of_the_money_commands_are_chinese() {
    let ws = month();
    // An unknown period, a bad sample, missing files, an unknown check.
    for (args, code) in [
        (vec!["disburse", "--period", "2026-13"], 2),
        (vec!["report", "--period", "2027-99"], 2),
        (vec!["audit", "--period", "2026-13"], 2),
        (vec!["audit", "--sample", "abc", "--seed", "1"], 2),
        (vec!["audit", "--sample", "500%", "--seed", "1"], 2),
        (vec!["audit", "no-such-check"], 2),
        (
            vec![
                "disburse",
                "--reconcile",
                "/nonexistent/回盘.csv",
                "--profile",
                "rcc_csv",
            ],
            2,
        ),
        (
            vec![
                "disburse",
                "--reconcile",
                "/nonexistent/回盘.csv",
                "--profile",
                "no_such_bank",
            ],
            2,
        ),
        (vec!["cat", "/nonexistent/表.xlsx"], 2),
        (vec!["diff", "/nonexistent/a.csv", "/nonexistent/b.csv"], 2),
    ] {
        let out = zh(&ws, &args);
        assert_exit(&out, code);
        assert_chinese(&out);
        assert!(stderr(&out).contains("错误"), "{args:?}: {}", stderr(&out));
    }
    // A return file that does not answer this workspace's payments is refused whole.
    let bad = ws.path("坏回盘.csv");
    std::fs::write(
        &bad,
        encoding_rs::GBK
            .encode("流水号,账号,金额,状态,失败原因\nP-000000000000,622953,1.00,成功,\n")
            .0,
    )
    .unwrap();
    let out = zh(&ws, &["disburse", "--reconcile", &s(&bad), "--profile", "rcc_csv"]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert!(stderr(&out).contains("整个被拒收"), "{}", stderr(&out));
    // init over an existing workspace.
    let out = zh_bare(&["init", &s(ws.root())]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    let out = zh_bare(&["sample-data", &s(ws.root())]);
    assert_exit(&out, 2);
    assert_chinese(&out);

    // A hand-edited ledger (November's payments moved to a December batch by hand): the seal refuses the step,
    // audit names it (J102, J304), accept-edits records it.
    let payments = ws.read("ledgers/payments/2026-11.csv");
    std::fs::write(
        ws.path("ledgers/payments/2026-12.csv"),
        payments.replace(",2026-11,", ",2026-12,"),
    )
    .unwrap();
    std::fs::remove_file(ws.path("ledgers/payments/2026-11.csv")).unwrap();
    let out = zh(&ws, &["disburse", "--period", "2026-11"]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    let out = zh(&ws, &["audit"]);
    let text = chinese(&out, 1);
    assert!(text.contains("J102 错误"), "{text}");
    assert!(text.contains("J304 错误"), "{text}");
    let out = zh(&ws, &["accept-edits", "--by", "张三", "--reason", "测试"]);
    let text = chinese(&out, 0);
    assert!(text.contains("被删除") && text.contains("被添加"), "{text}");
    // The money no longer balances: disburse says so in Chinese.
    let out = zh(&ws, &["disburse", "--period", "2026-11"]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert!(stderr(&out).contains("资金核对不平"), "{}", stderr(&out));
}

#[test]
fn a_locked_workspace_refuses_in_chinese() {
    let ws = effective();
    // Another run holds the lock (this test's process).
    std::fs::create_dir_all(ws.path(".jiuzhu")).unwrap();
    let lock = ws.path(".jiuzhu/lock");
    std::fs::write(&lock, format!("pid {} running `jiuzhu disburse`\n", std::process::id())).unwrap();
    let held = std::fs::OpenOptions::new().read(true).write(true).open(&lock).unwrap();
    held.try_lock().unwrap();
    for args in [
        vec!["disburse", "--period", "2026-11"],
        vec!["archive"],
        vec!["audit", "--sample", "5%", "--seed", "3"],
    ] {
        let out = zh(&ws, &args);
        assert_exit(&out, 2);
        assert_chinese(&out);
        assert!(stderr(&out).contains("另一个 jiuzhu 进程"), "{}", stderr(&out));
    }
    drop(held);
}

/// Every workbook under `dir` (relative path → bytes).
fn workbooks(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    snapshot(dir, &[])
        .into_iter()
        .filter(|(k, _)| k.ends_with(".xlsx"))
        .collect()
}

/// Runs the month's money steps in a workspace under one language.
fn money_steps(ws: &Ws, lang: &str) {
    let run = |args: &[&str]| {
        let out = jiuzhu()
            .arg("-C")
            .arg(ws.root())
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", lang)
            .output()
            .unwrap();
        assert!(out.status.code() != Some(2), "{args:?}: {}", stderr(&out));
    };
    run(&["disburse", "--period", "2026-11"]);
    let ret = return_file(ws);
    run(&["disburse", "--reconcile", &s(&ret), "--profile", "rcc_csv"]);
    run(&["audit", "--sample", "5%", "--seed", "20261201", "--stratify"]);
    // A hand edit audit reports: the findings workbook.
    let meetings = ws.ledger("meetings.csv");
    std::fs::write(ws.path("ledgers/meetings.csv"), meetings.replace("审批会", "审批会 ")).unwrap();
    run(&["audit"]);
    std::fs::write(ws.path("ledgers/meetings.csv"), meetings).unwrap();
    run(&["archive"]);
    run(&["report", "--period", "2026-11"]);
}

#[test]
fn the_workbooks_are_the_same_chinese_bytes_under_any_locale() {
    let (en, zh) = (effective(), effective());
    money_steps(&en, "C");
    money_steps(&zh, "zh_CN.UTF-8");
    let (a, b) = (workbooks(en.root()), workbooks(zh.root()));
    let keys: Vec<&String> = a.keys().collect();
    assert_eq!(keys, b.keys().collect::<Vec<_>>(), "the same workbooks are written");
    for want in [
        "disburse-2026-11-汇总表.xlsx",
        "audit-findings.xlsx",
        "spot-check-20261201.xlsx",
        "统计报表-2026-11.xlsx",
        "dossier.xlsx",
    ] {
        assert!(keys.iter().any(|k| k.ends_with(want)), "{want} is written: {keys:?}");
    }
    for (k, v) in &a {
        // Bank files keep the bank's format; the workbooks for people are checked.
        if k.starts_with("reports/bank/") {
            continue;
        }
        assert!(b[k] == *v, "{k} differs between LANG=C and LANG=zh_CN.UTF-8");
        if k.starts_with("reports/intake-")
            || k.starts_with("reports/review")
            || k.starts_with("reports/supplement")
            || k.starts_with("reports/notice")
            || k.starts_with("reports/decide")
            || k.starts_with("reports/compare")
        {
            continue; // other steps' workbooks
        }
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = calamine::open_workbook(en.path(k)).unwrap();
        for name in book.sheet_names() {
            let words = jiuzhu::i18n::english_words(&name);
            assert!(words.is_empty(), "{k}: sheet name `{name}` is English: {words:?}");
            let range = book.worksheet_range(&name).unwrap();
            // The header: the first row with three or more cells filled, below an optional title and batch row.
            let header = range
                .rows()
                .find(|r| r.iter().filter(|c| !c.to_string().trim().is_empty()).count() >= 3);
            for cell in header.into_iter().flatten() {
                let text = cell.to_string();
                let words = jiuzhu::i18n::english_words(&text);
                assert!(
                    words.is_empty(),
                    "{k} sheet {name}: header `{text}` is English: {words:?}"
                );
            }
            for row in range.rows() {
                for cell in row {
                    let text = cell.to_string();
                    assert!(
                        text != "true" && text != "false",
                        "{k} sheet {name}: a cell says `{text}`"
                    );
                    assert!(
                        !text.contains("urban_dibao") && !text.contains("rural_dibao"),
                        "{k} sheet {name}: `{text}`"
                    );
                }
            }
        }
    }
}

#[test]
fn spot_check_worksheets_of_older_versions_are_still_read_back() {
    let ws = month();
    let out = ws.run(&["audit", "--sample", "5%", "--seed", "7"]);
    assert_exit(&out, 0);
    let sheet = ws.path("reports/spot-check-7.xlsx");
    let filled = ws.path("spot-check-7-filled.xlsx");
    // An older worksheet: the headers as they were (`案件编号 case`, …), every case found true.
    refill(&sheet, &filled, |grid| {
        let head = grid
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "案件编号"))
            .unwrap();
        let old = [
            "案件编号 case",
            "户主 head",
            "乡镇村 village",
            "救助类别 scheme",
            "抽取序号 rank",
            "核查结果 result",
            "说明 note",
            "核查人 checker",
            "核查日期 date",
        ];
        for (i, h) in old.iter().enumerate() {
            grid[head][i] = h.to_string();
        }
        for r in grid.iter_mut().skip(head + 1) {
            if r.first().is_some_and(|c| !c.is_empty()) {
                r.resize(9, String::new());
                r[5] = "属实".into();
                r[7] = "李明".into();
                r[8] = "2026-12-05".into();
            }
        }
    });
    let out = zh(&ws, &["audit", "--record", &s(&filled)]);
    let text = chinese(&out, 0);
    assert!(text.contains("属实"), "{text}");
}
