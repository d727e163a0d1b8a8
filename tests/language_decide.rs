//! One language per run for `compare`, `verify`, `decide` and `explain` (issue 20): under a Chinese locale every
//! line they print is Chinese — the example month, and bad input to each — and the workbooks they write for people
//! are Chinese whatever the terminal's language: the same bytes under `LANG=C` and `LANG=zh_CN.UTF-8`, with no
//! English header, sheet name or cell. The hits and meeting worksheets of workspaces made before (bilingual
//! headers, `编号 hit`, `决定编号 decision`) are still read back.

mod common;
mod month;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::*;
use jiuzhu::ledger::{Decision, DecisionStatus, Match};
use month::{county, s};

/// A language to run in: the value of `LANG` (LC_ALL and LC_MESSAGES removed).
#[derive(Clone, Copy, PartialEq)]
enum Locale {
    C,
    Zh,
}

fn run(ws: &Ws, locale: Locale, args: &[&str]) -> Output {
    let mut cmd = jiuzhu();
    cmd.env_remove("LC_ALL").env_remove("LC_MESSAGES");
    cmd.env(
        "LANG",
        match locale {
            Locale::C => "C",
            Locale::Zh => "zh_CN.UTF-8",
        },
    );
    cmd.arg("-C").arg(ws.root()).args(args);
    cmd.output().expect("run jiuzhu")
}

/// The example month driven through compare, compare --resolve, verify (with visits, one sheet of bad rows, and an
/// extension), decide, the meeting, an objection, the notice over, --impact and explain, each run kept with what
/// it was. `old_headers`: the returned worksheets are typed with the bilingual headers of earlier versions.
fn month_in(locale: Locale, old_headers: bool) -> (Ws, Vec<(String, Output)>) {
    let ws = Ws::new();
    let mut runs: Vec<(String, Output)> = Vec::new();
    let mut step = |ws: &Ws, args: &[&str]| -> Output {
        let out = run(ws, locale, args);
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(1),
            "{args:?}\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        runs.push((args.join(" "), out.clone()));
        out
    };
    // Intake is another step's; it only brings the cases in.
    let out = run(
        &ws,
        locale,
        &[
            "intake",
            &s(&county("inbox/2026-11/城关镇-申请登记表.xlsx")),
            &s(&county("inbox/2026-11/东河乡-申请登记.csv")),
            &s(&county("inbox/2026-11/西岭镇-申请登记.xlsx")),
        ],
    );
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    let reg = |name: &str| format!("{name}={}", s(&county(&format!("registries/{name}"))));
    let (deaths, vehicles, payroll, relatives) = (
        reg("deaths.xlsx").replace("deaths.xlsx=", "deaths="),
        reg("vehicles.csv").replace("vehicles.csv=", "vehicles="),
        reg("payroll.xlsx").replace("payroll.xlsx=", "payroll="),
        reg("relatives.xlsx").replace("relatives.xlsx=", "relatives="),
    );
    step(
        &ws,
        &[
            "compare", "--source", &deaths, "--source", &vehicles, "--source", &payroll, "--source", &relatives,
        ],
    );

    // The hits worksheet answered (as Excel would save it): the relative of staff left blank, so it stays open and
    // blocks its case, and resolve writes a new worksheet for it.
    let matches: Vec<Match> = ws.records();
    let batch = matches[0].batch.clone();
    let mut answers = format!("{},{batch}\n", jiuzhu::sheet::writer::BATCH_LABEL);
    answers.push_str(if old_headers {
        "编号 hit,案件编号 case,姓名 name,身份证号 ID (masked),处理结果 disposition,说明 note,处理人 decided by\n"
    } else {
        "比对编号,案件编号,姓名,身份证号(脱敏),处理结果,说明,处理人\n"
    });
    for m in &matches {
        let (d, note) = match m.source.as_str() {
            "deaths" => ("确认", "火化证明已核实"),
            "payroll" => ("确认", "财政供养人员"),
            "vehicles" => ("排除", "车辆已于申请前过户"),
            _ => ("", ""),
        };
        let by = if d.is_empty() { "" } else { "李明" };
        answers.push_str(&format!(
            "{},{},{},{},{d},{note},{by}\n",
            m.hit_id,
            m.case_id,
            m.name.as_str(),
            m.id_number.masked()
        ));
    }
    let answers_file = ws.path("answers.csv");
    std::fs::write(&answers_file, answers).unwrap();
    let out = step(&ws, &["compare", "--resolve", &s(&answers_file)]);
    assert!(
        stdout(&out).contains("2 confirmed, 1 cleared") || stdout(&out).contains("确认属实 2 条, 排除 1 条"),
        "{}",
        stdout(&out)
    );

    // The month's visits, and a sheet whose rows are each wrong in a way a clerk makes.
    let bad_visits = ws.path("入户调查-有误.csv");
    std::fs::write(
        &bad_visits,
        "案件编号,户主身份证号,调查日期,调查人,调查情况,签字,调查层级\n\
         CD-2026-000000000000,,2026-11-10,郑海波、冯晓梅,一致,是,村\n\
         ,,2026-11-10,郑海波,一致,是,村\n\
         ,130199195809019612,2026-11-10,郑海波,一致,是,村\n\
         ,130199195809019611,2026-11-40,郑海波,一致,是,村\n\
         ,130199195809019611,2026-11-10,,一致,是,村\n\
         ,130199195809019611,2026-11-10,郑海波,一致,也许,村\n\
         ,130199195809019611,2026-11-10,郑海波,一致,是,省\n",
    )
    .unwrap();
    let cases: Vec<jiuzhu::ledger::Case> = ws.records();
    let first = cases[0].case_id.clone();
    step(
        &ws,
        &[
            "verify",
            "--as-of",
            "2026-11-20",
            "--extend",
            &first,
            "--days",
            "10",
            "--approver",
            "张局长",
            "--reason",
            "材料待补",
        ],
    );
    step(
        &ws,
        &[
            "verify",
            "--as-of",
            "2026-11-20",
            "--visits",
            &s(&county("visits/2026-11-入户调查.csv")),
            "--visits",
            &s(&bad_visits),
        ],
    );
    step(&ws, &["decide", "--period", "2026-11"]);
    step(&ws, &["decide", "--period", "2026-11", "--preview"]);
    step(&ws, &["decide", "--period", "2026-12", "--dry-run"]);

    // The meeting agrees with every row of the worksheet.
    let decisions: Vec<Decision> = ws.records();
    let proposed: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed)
        .collect();
    let batch = proposed[0].batch.clone();
    let mut verdicts = format!("{},{batch}\n", jiuzhu::sheet::writer::BATCH_LABEL);
    verdicts.push_str(if old_headers {
        "决定编号 decision,案件编号 case,评议结果 verdict,说明 note\n"
    } else {
        "决定编号,案件编号,评议结果,说明\n"
    });
    for d in decisions.iter().filter(|d| d.batch == batch) {
        verdicts.push_str(&format!("{},{},同意,\n", d.decision_id, d.case_id));
    }
    let verdicts_file = ws.path("verdicts.csv");
    std::fs::write(&verdicts_file, verdicts).unwrap();
    step(
        &ws,
        &[
            "decide",
            "--record",
            &s(&verdicts_file),
            "--meeting",
            "审批会 纪要第11号",
            "--date",
            "2026-11-20",
            "--attendees",
            "张局长、李股长",
        ],
    );
    let decisions: Vec<Decision> = ws.records();
    let posted = decisions
        .iter()
        .find(|d| d.status == DecisionStatus::Approved)
        .expect("an approval in its notice")
        .case_id
        .clone();
    step(
        &ws,
        &[
            "decide",
            "--objection",
            &posted,
            "--dismissed",
            "--note",
            "经核实收入属实",
            "--date",
            "2026-11-24",
        ],
    );
    step(&ws, &["decide", "--period", "2026-11", "--as-of", "2026-11-28"]);
    let policy = std::fs::read_to_string(ws.path("jiuzhu.yaml")).unwrap();
    let old = ws.path("old-jiuzhu.yaml");
    std::fs::write(&old, policy.replace("\"860.00\"", "\"800.00\"")).unwrap();
    step(&ws, &["decide", "--impact", &s(&old)]);
    let mut ids: Vec<String> = cases.iter().map(|c| c.case_id.clone()).collect();
    ids.sort();
    for id in &ids {
        step(&ws, &["explain", id]);
    }
    (ws, runs)
}

/// Bad input to each command: the run refuses (exit 2) and says why.
fn bad_runs(ws: &Ws, locale: Locale) -> Vec<(String, Output)> {
    let verdicts = s(&ws.path("verdicts.csv"));
    let answers = s(&ws.path("answers.csv"));
    let old = s(&ws.path("old-jiuzhu.yaml"));
    let odd_verdict = ws.path("odd-verdict.csv");
    let text = std::fs::read_to_string(ws.path("verdicts.csv")).unwrap();
    std::fs::write(&odd_verdict, text.replacen(",同意,", ",也许,", 1)).unwrap();
    let odd_answer = ws.path("odd-answer.csv");
    let text = std::fs::read_to_string(ws.path("answers.csv")).unwrap();
    std::fs::write(&odd_answer, text.replacen(",确认,", ",也许,", 1)).unwrap();
    let not_a_sheet = ws.path("notes.csv");
    std::fs::write(&not_a_sheet, "随便,写点\n什么,东西\n").unwrap();
    let bad: Vec<Vec<String>> = vec![
        vec!["verify", "--as-of", "2026-11-40"],
        vec!["verify", "--visits", &s(&not_a_sheet)],
        vec![
            "verify",
            "--extend",
            "CD-2026-000000000000",
            "--days",
            "5",
            "--approver",
            "张",
            "--reason",
            "x",
        ],
        vec!["decide", "--period", "2026-13"],
        vec!["decide", "--period", "2026-11", "--as-of", "2026-02-30"],
        vec!["explain", "CD-2026-000000000000"],
        vec!["compare", "--resolve", &verdicts],
        vec!["compare", "--resolve", &s(&odd_answer)],
        vec!["compare", "--resolve", &s(&not_a_sheet)],
        vec!["compare", "--source", "nowhere=nothing.csv"],
        vec![
            "decide",
            "--record",
            &answers,
            "--meeting",
            "审批会",
            "--date",
            "2026-11-20",
        ],
        vec![
            "decide",
            "--record",
            &s(&odd_verdict),
            "--meeting",
            "审批会",
            "--date",
            "2026-11-21",
        ],
        vec![
            "decide",
            "--objection",
            "CD-2026-000000000000",
            "--dismissed",
            "--note",
            "无",
            "--date",
            "2026-11-24",
        ],
        vec!["decide", "--undisputed", "CD-2026-000000000000", "--date", "2026-11-24"],
        vec!["decide", "--impact", &old, "--period", "2026-99"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(str::to_string).collect())
    .collect();
    bad.iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(ws, locale, &args);
            assert_exit(&out, 2);
            (args.join(" "), out)
        })
        .collect()
}

#[track_caller]
fn assert_runs_chinese(runs: &[(String, Output)]) {
    let mut found = Vec::new();
    for (what, out) in runs {
        let lines = english_lines(out);
        if !lines.is_empty() {
            found.push(format!("$ jiuzhu {what}\n  {}", lines.join("\n  ")));
        }
    }
    assert!(
        found.is_empty(),
        "English reached a Chinese user:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_month_and_bad_input_speak_chinese_under_a_chinese_locale() {
    let (ws, runs) = month_in(Locale::Zh, false);
    assert!(runs.iter().any(|(w, o)| w.starts_with("decide --period 2026-11")
        && stdout(o).contains("暂缓 ")
        && stdout(o).contains("请运行 `jiuzhu")));
    assert!(runs
        .iter()
        .any(|(w, o)| w.starts_with("verify --as-of 2026-11-20 --visits") && stdout(o).contains("拒收入户调查")));
    assert_runs_chinese(&runs);
    assert_runs_chinese(&bad_runs(&ws, Locale::Zh));
    // `--lang zh` is the same as the locale.
    let out = jiuzhu()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .arg("-C")
        .arg(ws.root())
        .args(["--lang", "zh", "explain", &runs.last().unwrap().0["explain ".len()..]])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_chinese(&out);
}

#[test]
fn english_runs_stay_english() {
    let (ws, runs) = month_in(Locale::C, false);
    let decide = runs
        .iter()
        .find(|(w, _)| w == "decide --period 2026-11")
        .map(|(_, o)| stdout(o))
        .unwrap();
    assert!(
        decide.contains("blocked ") && decide.contains("proposed — "),
        "{decide}"
    );
    for (what, out) in bad_runs(&ws, Locale::C) {
        assert!(
            !jiuzhu::i18n::english_words(&stderr(&out)).is_empty(),
            "$ jiuzhu {what}: not English under LANG=C\n{}",
            stderr(&out)
        );
    }
}

/// The workbooks these commands write for people.
fn workbooks(ws: &Ws) -> BTreeMap<String, Vec<u8>> {
    const MINE: [&str; 5] = [
        "compare-hits-",
        "review-",
        "supplement-notices-",
        "review-meeting-",
        "notice-",
    ];
    ws.reports()
        .into_iter()
        .filter(|(name, _)| name.ends_with(".xlsx") && MINE.iter().any(|p| name.starts_with(p)))
        .collect()
}

/// Every sheet name and cell of a workbook with an English word in it.
fn english_cells(path: &Path) -> Vec<String> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let mut found = Vec::new();
    for name in wb.sheet_names() {
        if !jiuzhu::i18n::english_words(&name).is_empty() {
            found.push(format!("sheet name `{name}`"));
        }
        let range = wb.worksheet_range(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let text = cell.to_string();
                // The round-trip marker in A1 (and C1 of a worksheet in parts) is sheet::writer's, not these steps'.
                if text == jiuzhu::sheet::writer::BATCH_LABEL || text.starts_with(jiuzhu::sheet::writer::PART_LABEL) {
                    continue;
                }
                let words = jiuzhu::i18n::english_words(&text);
                if !words.is_empty() {
                    found.push(format!("{name}!R{}C{}: {text} <- {}", r + 1, c + 1, words.join(" ")));
                }
            }
        }
    }
    found
}

#[test]
fn workbooks_are_chinese_and_the_same_bytes_in_any_locale_and_old_headers_are_read_back() {
    // The English run types the returned worksheets with the headers of earlier versions: read back the same.
    let (en, _) = month_in(Locale::C, true);
    let (zh, _) = month_in(Locale::Zh, false);
    let (a, b) = (workbooks(&en), workbooks(&zh));
    let names: Vec<&String> = a.keys().collect();
    let review = en.path(&format!(
        "reports/{}",
        names.iter().find(|n| n.starts_with("review-2026")).unwrap()
    ));
    let sheets = calamine::Reader::sheet_names(&calamine::open_workbook_auto(&review).unwrap());
    assert_eq!(sheets, ["审核结果", "复核抽样", "检查明细", "入户调查拒收"]);
    for want in [
        "compare-hits-",
        "review-2026-11-20",
        "supplement-notices-",
        "review-meeting-2026-11",
        "notice-2026-11",
    ] {
        assert!(names.iter().any(|n| n.starts_with(want)), "no {want}* in {names:?}");
    }
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(&b[name] == bytes, "{name} differs between LANG=C and LANG=zh_CN.UTF-8");
    }
    let mut found = Vec::new();
    for name in a.keys() {
        found.extend(
            english_cells(&en.path(&format!("reports/{name}")))
                .into_iter()
                .map(|c| format!("{name}: {c}")),
        );
    }
    assert!(
        found.is_empty(),
        "English in a workbook for people:\n{}",
        found.join("\n")
    );
    // The ledgers came out the same too: the old headers were read as the new ones.
    assert_eq!(en.ledger("matches.csv"), zh.ledger("matches.csv"));
    assert_eq!(en.ledger("decisions.csv"), zh.ledger("decisions.csv"));
}
