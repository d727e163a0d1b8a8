//! `jiuzhu intake`, end to end: a clerk's day with the registers townships send in (see
//! `fixtures/intake/README.md` for what each fixture holds and must give).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use common::*;
use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::{Case, Member, Source};

/// The names of every person in a rejected per-member household (H4–H8).
const REJECTED_PEOPLE: &[&str] = &[
    "李振华",
    "周小红",
    "李明",
    "黄伟",
    "吴丽娟",
    "刘长青",
    "刘小军",
    "刘大军",
    "马静",
    "郭芳",
    "杨帆",
];

fn member<'a>(members: &'a [Member], name: &str) -> &'a Member {
    members
        .iter()
        .find(|m| m.name.as_str() == name)
        .unwrap_or_else(|| panic!("{name} is not in members.csv"))
}

/// A clerk imports 城关镇's merged-cell per-member register: four households enter, five are rejected with
/// reasons, the blank and totals rows are skipped, and the ledgers hold exactly what the register says.
#[test]
fn per_member_register_imports_the_good_households_and_rejects_the_rest() {
    let ws = Ws::new();
    let out = ws.intake(&["per-member.xlsx"]);
    assert_exit(&out, 1);
    let summary = first_line(&out);
    assert!(
        summary.contains("24 rows read = 10 accepted + 12 rejected + 2 skipped"),
        "{summary}"
    );
    assert!(summary.contains("4 households added (10 members)"), "{summary}");
    assert!(summary.contains("5 rejected"), "{summary}");
    assert!(!summary.contains("nothing new"), "{summary}");
    assert!(
        stdout(&out).contains("reports/intake-rejects-per-member-"),
        "{}",
        stdout(&out)
    );

    let cases = ws.records::<Case>();
    let got: BTreeSet<(String, String, String, u32, String)> = cases
        .iter()
        .map(|c| {
            (
                c.applicant_name.to_string(),
                c.applicant_id_number.as_str().to_string(),
                c.scheme.clone(),
                c.household_size,
                c.applied_on.to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String, u32, String)> = [
        ("张建国", "130199197803150132", "urban_dibao", 3, "2026-11-02"),
        ("王德福", "130199195104080316", "tekun", 1, "2026-11-02"),
        ("陈志强", "130199196507120575", "rural_dibao", 4, "2026-11-03"),
        ("朱红梅", "130199196909090620", "temporary", 2, "2026-11-04"),
    ]
    .iter()
    .map(|(n, i, s, k, d)| (n.to_string(), i.to_string(), s.to_string(), *k, d.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(cases.len(), 4);
    for c in &cases {
        assert_eq!(c.status, jiuzhu::ledger::CaseStatus::Received, "{}", c.case_id);
    }
    let by_head: BTreeMap<&str, &Case> = cases.iter().map(|c| (c.applicant_name.as_str(), c)).collect();
    assert_eq!(by_head["张建国"].township.as_str(), "城关镇");
    assert_eq!(by_head["张建国"].village.as_str(), "东街社区");
    assert_eq!(by_head["张建国"].region_code, "130199100");
    assert_eq!(by_head["陈志强"].village.as_str(), "柳树村");
    assert_eq!(by_head["朱红梅"].village.as_str(), "杏园村");
    assert!(by_head["张建国"].case_id.starts_with("CD-2026-"));
    assert!(by_head["王德福"].case_id.starts_with("TK-2026-"));
    assert!(by_head["陈志强"].case_id.starts_with("ND-2026-"));
    assert!(by_head["朱红梅"].case_id.starts_with("LS-2026-"));

    let members = ws.records::<Member>();
    assert_eq!(members.len(), 10);
    let zhao = member(&members, "赵玉梅");
    assert_eq!(zhao.id_number.as_str(), "130123196705120229", "15-digit ID upgraded");
    assert_eq!(zhao.birth_date.to_string(), "1967-05-12");
    assert_eq!(zhao.sex, "F");
    assert_eq!(zhao.case_id, by_head["陈志强"].case_id);
    let hao = member(&members, "陈浩");
    assert_eq!(hao.id_number.as_str(), "13019919900218071X", "full-width ID normalised");
    assert_eq!(hao.sex, "M");
    // Money in the ledger text: the text cell "1,200.00" and the number cell 850.5.
    let text = ws.ledger("members.csv");
    let line_of = |name: &str| {
        text.lines()
            .find(|l| l.split(',').nth(2) == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in members.csv:\n{text}"))
            .to_string()
    };
    let income_col = text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == "monthly_income_amount")
        .expect("monthly_income_amount column");
    assert_eq!(line_of("陈志强").split(',').nth(income_col), Some("1200.00"));
    assert_eq!(line_of("朱红梅").split(',').nth(income_col), Some("850.50"));
    assert_eq!(line_of("张建国").split(',').nth(income_col), Some("980.00"));
    assert!(line_of("赵玉梅").contains(",130123196705120229,赵玉梅,spouse,1967-05-12,F,"));
    assert!(line_of("陈浩").contains(",13019919900218071X,陈浩,son,1990-02-18,M,600.00,"));

    // Nobody from a rejected household is anywhere in the ledgers.
    for (path, bytes) in ws.ledgers() {
        let text = String::from_utf8_lossy(&bytes);
        for name in REJECTED_PEOPLE {
            assert!(
                !text.contains(name),
                "{name} (rejected household) appears in ledgers/{path}"
            );
        }
        for id in [
            "130199197201250152",
            "130199198309100193",
            "130199195503030113",
            "130199198206060512",
        ] {
            assert!(!text.contains(id), "rejected head {id} appears in ledgers/{path}");
        }
    }
    // Provenance: every case and member points back at its sheet row.
    let sources = ws.records::<Source>();
    assert_eq!(sources.len(), 4 + 10);
    assert!(sources
        .iter()
        .all(|s| s.file_name.as_str() == "per-member.xlsx" && s.sheet.as_str() == "申请登记"));
    let rows: BTreeSet<usize> = sources.iter().map(|s| s.row as usize).collect();
    let accepted_rows: BTreeSet<usize> = (4..=11).chain(25..=26).collect();
    assert_eq!(rows, accepted_rows);
}

/// The same register arrives as GBK CSV, UTF-8-with-BOM CSV, old .xls and .ods: each gives exactly the same
/// cases and members as the .xlsx.
#[test]
fn every_format_of_the_per_member_register_gives_identical_ledgers() {
    let reference = Ws::new();
    assert_exit(&reference.intake(&["per-member.xlsx"]), 1);
    let cases = reference.ledger("cases.csv");
    let members = reference.ledger("members.csv");
    for twin in [
        "per-member-gbk.csv",
        "per-member-utf8bom.csv",
        "per-member.xls",
        "per-member.ods",
    ] {
        let ws = Ws::new();
        let out = ws.intake(&[twin]);
        assert_exit(&out, 1);
        assert!(
            first_line(&out).contains("24 rows read = 10 accepted + 12 rejected + 2 skipped"),
            "{twin}: {}",
            first_line(&out)
        );
        assert_eq!(
            ws.ledger("cases.csv"),
            cases,
            "{twin}: cases.csv differs from the xlsx import"
        );
        assert_eq!(
            ws.ledger("members.csv"),
            members,
            "{twin}: members.csv differs from the xlsx import"
        );
    }
}

/// The clerk opens the rejects report to fix the register: every rejected row is there with a reason she can
/// act on, the blank and totals rows are on the skipped sheet, and the accepted rows are on neither.
#[test]
fn rejects_report_lists_every_rejected_and_skipped_row_with_its_reason() {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
    let report = read_report(&ws.report("per-member"));
    assert_eq!(report.len(), 2, "two sheets: rejected, skipped");
    let (rejected, skipped) = (&report[0].1, &report[1].1);

    let rejected_rows: BTreeSet<usize> = rejected.iter().map(|r| r.row).collect();
    assert_eq!(rejected_rows, (13..=24).collect::<BTreeSet<_>>());
    let skipped_rows: BTreeSet<usize> = skipped.iter().map(|r| r.row).collect();
    assert_eq!(skipped_rows, BTreeSet::from([12, 27]));
    assert!(rejected_rows.is_disjoint(&skipped_rows));
    for accepted in (4..=11).chain(25..=26) {
        assert!(
            !rejected_rows.contains(&accepted),
            "accepted row {accepted} listed as rejected"
        );
        assert!(
            !skipped_rows.contains(&accepted),
            "accepted row {accepted} listed as skipped"
        );
    }
    for r in rejected.iter().chain(skipped) {
        assert_eq!(r.cells[0], "per-member.xlsx", "{r:?}");
        assert_eq!(r.cells[1], "申请登记", "{r:?}");
    }

    let about = |row: usize| -> String {
        rejected
            .iter()
            .filter(|r| r.row == row)
            .map(ReportRow::text)
            .collect::<Vec<_>>()
            .join("\n")
    };
    // The workbook is for the clerk: Chinese whatever the terminal's language.
    assert!(about(15).contains("校验码"), "row 15: {}", about(15));
    assert!(
        about(15).contains("130199200804170399"),
        "row 15 shows the value: {}",
        about(15)
    );
    assert!(about(17).contains("Excel"), "row 17: {}", about(17));
    assert!(
        about(19).contains("刘大军"),
        "row 19 names the other household: {}",
        about(19)
    );
    assert!(
        about(22).contains("刘长青"),
        "row 22 names the other household: {}",
        about(22)
    );
    assert!(
        about(23).contains("户主") || about(24).contains("户主"),
        "rows 23/24 name the missing head: {}\n{}",
        about(23),
        about(24)
    );
    // The other rows of a rejected household say why they were not taken either.
    for row in [13, 14, 16, 18, 20, 21] {
        assert!(about(row).contains("整户拒收"), "row {row}: {}", about(row));
    }

    let skip_reason = |row: usize| skipped.iter().find(|r| r.row == row).map(ReportRow::text).unwrap();
    assert!(skip_reason(27).contains("合计行"), "{}", skip_reason(27));
    assert!(skip_reason(12).contains("空行"), "{}", skip_reason(12));
}

/// The clerk imports the same register twice by mistake: the second run says nothing is new and leaves every
/// ledger, report and inbox file byte for byte as it was — and still exits 1, because the register's rejected
/// rows are still rejected and need a person (a script must not take the re-import for a clean one).
#[test]
fn importing_the_same_register_again_changes_nothing() {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
    let ledgers = ws.ledgers();
    let reports = ws.reports();
    let tree = ws.tree(&[".jiuzhu/lock"]);

    let out = ws.intake(&["per-member.xlsx"]);
    assert_exit(&out, 1);
    let summary = first_line(&out);
    assert!(summary.contains("nothing new"), "{summary}");
    assert!(summary.contains("4 already imported"), "{summary}");
    assert!(summary.contains("0 households added"), "{summary}");
    assert_same_files(&ledgers, &ws.ledgers(), "ledgers/ after a re-import");
    assert_same_files(&reports, &ws.reports(), "reports/ after a re-import");
    assert_same_files(&tree, &ws.tree(&[".jiuzhu/lock"]), "workspace after a re-import");
}

/// A register with nothing rejected, imported twice: the second run adds nothing, writes nothing and exits 0.
#[test]
fn importing_a_clean_register_again_exits_0() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let path = write_register(dir.path(), "clean.csv", &[zhang("东街1号", "因病")]);
    assert_exit(&ws.intake_path(&path), 0);
    let tree = ws.tree(&[".jiuzhu/lock"]);
    let out = ws.intake_path(&path);
    assert_exit(&out, 0);
    assert!(first_line(&out).contains("1 already imported"), "{}", first_line(&out));
    assert_same_files(&tree, &ws.tree(&[".jiuzhu/lock"]), "workspace after a clean re-import");
}

/// Two townships' registers on the same day, one per member and one per household: the second adds its four
/// households and eight members next to the first's.
#[test]
fn a_second_register_adds_its_households_to_the_first() {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
    let out = ws.intake(&["per-household.xlsx"]);
    assert_exit(&out, 0);
    let summary = first_line(&out);
    assert!(
        summary.contains("12 rows read = 12 accepted + 0 rejected + 0 skipped"),
        "{summary}"
    );
    assert!(summary.contains("4 households added (8 members)"), "{summary}");

    let cases = ws.records::<Case>();
    let members = ws.records::<Member>();
    assert_eq!(cases.len(), 8);
    assert_eq!(members.len(), 18);
    assert_eq!(ws.ledger("cases.csv").lines().count(), 1 + 8);
    assert_eq!(ws.ledger("members.csv").lines().count(), 1 + 18);
    let heads: BTreeSet<&str> = cases.iter().map(|c| c.applicant_name.as_str()).collect();
    let want: BTreeSet<&str> = [
        "张建国",
        "王德福",
        "陈志强",
        "朱红梅",
        "林淑芬",
        "罗秀英",
        "郭永平",
        "孙海涛",
    ]
    .into();
    assert_eq!(heads, want);
    let size: BTreeMap<&str, u32> = cases
        .iter()
        .map(|c| (c.applicant_name.as_str(), c.household_size))
        .collect();
    assert_eq!(
        (size["林淑芬"], size["罗秀英"], size["郭永平"], size["孙海涛"]),
        (2, 1, 3, 2)
    );
    // Every member belongs to a case, and household sizes add up.
    let ids: BTreeSet<&str> = cases.iter().map(|c| c.case_id.as_str()).collect();
    assert!(members.iter().all(|m| ids.contains(m.case_id.as_str())));
    for c in &cases {
        let n = members.iter().filter(|m| m.case_id == c.case_id).count();
        assert_eq!(n as u32, c.household_size, "{}", c.case_id);
    }
}

/// Before importing for real, the clerk previews with --dry-run: the summary is printed, and not one byte of
/// the workspace changes (fresh or with ledgers already).
#[test]
fn dry_run_writes_nothing() {
    let ws = Ws::new();
    let before = ws.tree(&[]);
    let out = ws.intake_with(&["--dry-run"], &["per-member.xlsx"]);
    assert_exit(&out, 1);
    assert!(stdout(&out).starts_with("dry run:"), "{}", stdout(&out));
    assert!(first_line(&out).contains("24 rows read = 10 accepted + 12 rejected + 2 skipped"));
    assert!(first_line(&out).contains("4 households would be added (10 members)"));
    assert_same_files(&before, &ws.tree(&[]), "workspace after a dry run");

    assert_exit(&ws.intake(&["per-household.xlsx"]), 0);
    let before = ws.tree(&[]);
    let out = ws.intake_with(&["--dry-run"], &["per-member.xlsx"]);
    assert_exit(&out, 1);
    assert!(stdout(&out).starts_with("dry run:"), "{}", stdout(&out));
    assert_same_files(&before, &ws.tree(&[]), "workspace with ledgers after a dry run");
}

/// Files a clerk cannot use at all — password-protected, no register header, not a spreadsheet, empty,
/// truncated, mistyped path — each stop the run with exit 2 and a message saying what is wrong, and the
/// workspace stays as it was.
#[test]
fn unusable_files_stop_the_run_and_change_nothing() {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-household.xlsx"]), 0);
    // The lock file names the last run that held it; it is jiuzhu's private state, not the workspace's content.
    let before = ws.tree(&[".jiuzhu/lock"]);
    let cases: &[(&str, &[&str])] = &[
        ("encrypted.xlsx", &["encrypted.xlsx", "password"]),
        ("no-header.xlsx", &["no-header.xlsx", "姓名", "身份证号", "编号"]),
        // A text file named .xlsx is read as the CSV text it is: no register in it.
        (
            "not-a-spreadsheet.xlsx",
            &["not-a-spreadsheet.xlsx", "holds text", "no application register"],
        ),
        ("empty.csv", &["empty.csv", "empty"]),
        ("truncated.xlsx", &["truncated.xlsx", "xlsx"]),
        ("does-not-exist.xlsx", &["does-not-exist.xlsx", "cannot read"]),
    ];
    for (file, words) in cases {
        let out = ws.intake(&[file]);
        assert_exit(&out, 2);
        let err = stderr(&out);
        for w in *words {
            assert!(err.contains(w), "{file}: stderr should mention `{w}`:\n{err}");
        }
        assert!(
            stdout(&out).is_empty(),
            "{file}: nothing on stdout, got {}",
            stdout(&out)
        );
        assert_same_files(&before, &ws.tree(&[".jiuzhu/lock"]), file);
    }
    // A truncated file is told apart from an unsupported format: the message says it is damaged.
    let err = stderr(&ws.intake(&["truncated.xlsx"])).to_lowercase();
    assert!(err.contains("zip") || err.contains("corrupt"), "truncated.xlsx: {err}");
}

/// The clerk imports a good register together with a password-protected one: nothing at all is imported, not
/// even the good file's households.
#[test]
fn one_unusable_file_among_several_stops_them_all() {
    let ws = Ws::new();
    let before = ws.tree(&[".jiuzhu/lock"]);
    let out = ws.intake(&["per-member.xlsx", "encrypted.xlsx"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("password"), "{}", stderr(&out));
    assert!(!ws.path("ledgers/cases.csv").exists());
    assert_same_files(
        &before,
        &ws.tree(&[".jiuzhu/lock"]),
        "workspace after a failed two-file intake",
    );

    // The same with the bad file first, in a workspace that already has ledgers.
    assert_exit(&ws.intake(&["per-household.xlsx"]), 0);
    let before = ws.tree(&[".jiuzhu/lock"]);
    let out = ws.intake(&["no-header.xlsx", "per-member.xlsx"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no-header.xlsx"), "{}", stderr(&out));
    assert_same_files(
        &before,
        &ws.tree(&[".jiuzhu/lock"]),
        "ledgers after a failed two-file intake",
    );
}

/// A policy edit that breaks jiuzhu.yaml; `expect` are the words stderr must contain.
struct PolicyBreak {
    what: &'static str,
    yaml: String,
    expect: Vec<String>,
}

/// The 1-based line of the first line equal to `line` after the line equal to `after`.
fn line_after(lines: &[String], after: &str, line: &str) -> usize {
    let start = lines
        .iter()
        .position(|l| l == after)
        .unwrap_or_else(|| panic!("no line `{after}`"));
    start
        + 1
        + lines[start..]
            .iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("no line `{line}`"))
}

fn broken_policies(template: &str) -> Vec<PolicyBreak> {
    let lines: Vec<String> = template.lines().map(str::to_string).collect();
    let join = |ls: &[String]| ls.join("\n") + "\n";
    let mut out = Vec::new();

    // (a) an unknown key (a typo of `label`) in a scheme.
    let label_at = line_after(&lines, "  urban_dibao:", "    label: 城市低保");
    let mut a = lines.clone();
    a.insert(label_at, "    lable: 城市低保".to_string());
    out.push(PolicyBreak {
        what: "unknown key",
        yaml: join(&a),
        expect: vec!["lable".into(), format!("line {}", label_at + 1)],
    });

    // (b) a standard without its unit.
    let unit_at = line_after(&lines, "  urban_dibao:", "        unit: per_month");
    let mut b = lines.clone();
    b.remove(unit_at - 1);
    out.push(PolicyBreak {
        what: "missing unit",
        yaml: join(&b),
        expect: vec!["unit".into(), "urban_dibao".into()],
    });

    // (c) a negative amount.
    let amount_at = line_after(&lines, "  urban_dibao:", "        amount: \"820.00\"");
    let mut c = lines.clone();
    c[amount_at - 1] = "        amount: \"-820.00\"".to_string();
    out.push(PolicyBreak {
        what: "negative amount",
        yaml: join(&c),
        expect: vec!["amount".into(), "urban_dibao".into(), "-820.00".into()],
    });

    // (d) standards out of date order.
    let from_at = line_after(&lines, "  urban_dibao:", "      - from: 2026-07-01");
    let mut d = lines.clone();
    d[from_at - 1] = "      - from: 2025-07-01".to_string();
    out.push(PolicyBreak {
        what: "unordered dates",
        yaml: join(&d),
        expect: vec![
            "from".into(),
            "schemes.urban_dibao.standards[1]".into(),
            format!("line {from_at}"),
        ],
    });
    out
}

/// Someone edits jiuzhu.yaml and breaks it: intake refuses to run on a policy it cannot trust, names the key
/// (and line) to fix, and the ledgers stay as they were.
#[test]
fn a_broken_policy_stops_intake_and_names_the_key() {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-household.xlsx"]), 0);
    let template = ws.read("jiuzhu.yaml");
    let before = ws.tree(&[".jiuzhu/lock", "jiuzhu.yaml"]);
    for broken in broken_policies(&template) {
        std::fs::write(ws.path("jiuzhu.yaml"), &broken.yaml).unwrap();
        let out = ws.intake(&["per-member.xlsx"]);
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(err.contains("jiuzhu.yaml"), "{}: {err}", broken.what);
        for w in &broken.expect {
            assert!(
                err.contains(w.as_str()),
                "{}: stderr should mention `{w}`:\n{err}",
                broken.what
            );
        }
        assert_same_files(&before, &ws.tree(&[".jiuzhu/lock", "jiuzhu.yaml"]), broken.what);
        assert_eq!(ws.read("jiuzhu.yaml"), broken.yaml, "jiuzhu never rewrites the policy");
    }
    // The policy repaired, intake works again.
    std::fs::write(ws.path("jiuzhu.yaml"), &template).unwrap();
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
}

/// A colleague's long run holds the workspace: the clerk's intake is refused with who holds it, and nothing
/// changes; once the colleague's run ends, the intake goes through.
#[test]
fn a_locked_workspace_refuses_intake_until_the_lock_is_released() {
    let ws = Ws::new();
    let before = ws.tree(&[".jiuzhu/lock"]);
    let holder_text = "pid 1 running `jiuzhu test`";
    {
        std::fs::create_dir_all(ws.path(".jiuzhu")).unwrap();
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(ws.path(".jiuzhu/lock"))
            .unwrap();
        lock.try_lock().expect("the test takes the lock");
        writeln!(lock, "{holder_text}").unwrap();
        lock.sync_all().unwrap();

        let out = ws.intake(&["per-member.xlsx"]);
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(err.contains("locked"), "{err}");
        assert!(err.contains(holder_text), "{err}");
        assert_same_files(&before, &ws.tree(&[".jiuzhu/lock"]), "workspace while locked");
        assert_eq!(
            ws.read(".jiuzhu/lock").trim(),
            holder_text,
            "the refused run leaves the holder's note"
        );

        // A dry run writes nothing, so it needs no lock.
        assert_exit(&ws.intake_with(&["--dry-run"], &["per-member.xlsx"]), 1);
    }
    let out = ws.intake(&["per-member.xlsx"]);
    assert_exit(&out, 1);
    assert_eq!(ws.records::<Case>().len(), 4);
}

/// The reference state: per-household.xlsx then per-member.xlsx, both uninterrupted.
fn both_imported() -> Ws {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-household.xlsx"]), 0);
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
    ws
}

/// Imports per-household.xlsx, then per-member.xlsx with the debug binary told to die at `point`.
fn crashed_at(point: &str) -> (Ws, BTreeMap<String, Vec<u8>>) {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-household.xlsx"]), 0);
    let before = ws.ledgers();
    let mut args = vec!["intake".to_string()];
    args.push(fixture("per-member.xlsx").display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ws.run_env(&args, Some(point));
    assert!(
        !matches!(out.status.code(), Some(0) | Some(1)),
        "JIUZHU_CRASH_AT={point}: the run should die, got {:?}\n{}{}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    (ws, before)
}

/// After a crash: every ledger still parses, a dry run of what was imported before sees it as imported.
fn assert_ledgers_whole(ws: &Ws, point: &str) {
    ws.records::<Case>();
    ws.records::<Member>();
    ws.records::<Source>();
    ws.records::<Event>();
    let out = ws.intake_with(&["--dry-run"], &["per-household.xlsx"]);
    assert_exit(&out, 0);
    assert!(
        first_line(&out).contains("nothing new"),
        "{point}: {}",
        first_line(&out)
    );
}

/// After recovery, the workspace holds exactly what two uninterrupted imports give.
fn assert_same_as_uninterrupted(ws: &Ws, point: &str) {
    let reference = both_imported();
    for f in ["cases.csv", "members.csv", "sources.csv", "events.csv"] {
        assert_eq!(
            ws.ledger(f),
            reference.ledger(f),
            "{point}: ledgers/{f} differs from an uninterrupted run"
        );
    }
    assert_same_files(&reference.ledgers(), &ws.ledgers(), point);
    assert_same_files(&reference.reports(), &ws.reports(), point);
    assert!(
        !ws.path(".jiuzhu/commit").exists(),
        "{point}: the commit journal is left behind"
    );
    assert!(
        !ws.path(".jiuzhu/staging").exists(),
        "{point}: the staging folder is left behind"
    );
}

/// The power fails while intake stages its files, before the commit point: the ledgers are the old ones, and
/// running the intake again imports the register as if nothing had happened.
#[test]
fn a_crash_before_the_commit_point_leaves_the_old_state() {
    let (ws, before) = crashed_at("before-commit");
    assert_same_files(&before, &ws.ledgers(), "ledgers right after a crash before commit");
    assert!(!ws.report("per-member").exists());
    assert_ledgers_whole(&ws, "before-commit");

    let out = ws.intake(&["per-member.xlsx"]);
    assert_exit(&out, 1);
    assert!(
        first_line(&out).contains("4 households added (10 members)"),
        "{}",
        first_line(&out)
    );
    assert_same_as_uninterrupted(&ws, "before-commit");
}

/// The power fails just after the commit point: the step has happened, and the next writing command finishes
/// it; the clerk's re-run then finds nothing new.
#[test]
fn a_crash_after_the_commit_point_is_completed_by_the_next_run() {
    let (ws, _before) = crashed_at("after-commit");
    assert_ledgers_whole(&ws, "after-commit");

    let out = ws.intake(&["per-member.xlsx"]);
    // 1: the register's rejected rows are still rejected.
    assert_exit(&out, 1);
    assert!(first_line(&out).contains("nothing new"), "{}", first_line(&out));
    assert!(first_line(&out).contains("4 already imported"), "{}", first_line(&out));
    let heads: BTreeSet<String> = ws
        .records::<Case>()
        .iter()
        .map(|c| c.applicant_name.to_string())
        .collect();
    for head in ["张建国", "王德福", "陈志强", "朱红梅"] {
        assert!(
            heads.contains(head),
            "after-commit: {head}'s case was not rolled forward: {heads:?}"
        );
    }
    assert_same_as_uninterrupted(&ws, "after-commit");
}

/// The power fails while the committed files are moved into place: the next run moves the rest, and the
/// workspace is as if the import had never been interrupted.
#[test]
fn a_crash_between_renames_is_completed_by_the_next_run() {
    let (ws, _before) = crashed_at("between-renames");
    assert_ledgers_whole(&ws, "between-renames");

    let out = ws.intake(&["per-member.xlsx"]);
    // 1: the register's rejected rows are still rejected.
    assert_exit(&out, 1);
    assert!(first_line(&out).contains("nothing new"), "{}", first_line(&out));
    assert_same_as_uninterrupted(&ws, "between-renames");
}

/// After a crash past the commit point, the clerk previews the import with --dry-run: the step already
/// happened, so opening the workspace finishes it first and the preview says what a real run would do (nothing
/// new), not offer to add the households again.
#[test]
fn dry_run_after_a_crash_past_the_commit_point_sees_the_committed_step() {
    let (ws, _before) = crashed_at("after-commit");
    let out = ws.intake_with(&["--dry-run"], &["per-member.xlsx"]);
    assert!(!ws.path(".jiuzhu/commit").exists(), "the committed step was completed");
    assert!(first_line(&out).contains("nothing new"), "{}", first_line(&out));
    assert!(first_line(&out).contains("4 already imported"), "{}", first_line(&out));
    assert_exit(&out, 1);
}

/// The clerk works from another folder with -C, or from inside ledgers/: the workspace is found either way;
/// outside any workspace jiuzhu says so.
#[test]
fn the_workspace_is_found_with_dash_c_and_from_a_subfolder() {
    let elsewhere = tempfile::tempdir().unwrap();

    // -C WS from an unrelated folder.
    let ws = Ws::new();
    let out = jiuzhu()
        .current_dir(elsewhere.path())
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(fixture("per-member.xlsx"))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(ws.records::<Case>().len(), 4);
    assert!(
        snapshot(elsewhere.path(), &[]).is_empty(),
        "nothing is written where jiuzhu was started"
    );

    // From WS/ledgers, with the register path relative to that folder.
    let ws = Ws::new();
    let cwd = ws.path("ledgers").canonicalize().unwrap();
    let target = fixture("per-member.xlsx").canonicalize().unwrap();
    let mut relative = PathBuf::new();
    for _ in cwd.components().skip(1) {
        relative.push("..");
    }
    relative.push(target.strip_prefix("/").unwrap());
    assert!(relative.is_relative());
    let out = jiuzhu()
        .current_dir(&cwd)
        .arg("intake")
        .arg(&relative)
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(ws.records::<Case>().len(), 4);
    assert!(ws.report("per-member").exists());
    assert!(!ws.path("ledgers/ledgers").exists());

    // Outside any workspace.
    let out = jiuzhu()
        .current_dir(elsewhere.path())
        .arg("intake")
        .arg(fixture("per-member.xlsx"))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no jiuzhu workspace"), "{}", stderr(&out));
    assert!(snapshot(elsewhere.path(), &[]).is_empty());
}

/// A new county office starts with `jiuzhu init`; running it again by mistake must not reset the county's
/// edited policy.
#[test]
fn init_creates_a_workspace_and_refuses_to_redo_one() {
    let ws = Ws::new();
    for dir in ["ledgers", "inbox", "reports", "archive"] {
        assert!(ws.path(dir).is_dir(), "{dir}/ missing");
    }
    let policy = ws.read("jiuzhu.yaml");
    jiuzhu::policy::Policy::parse(&policy, "jiuzhu.yaml").expect("the new policy loads");
    assert!(
        ws.read(".gitignore").lines().any(|l| l.trim() == ".jiuzhu/"),
        "{}",
        ws.read(".gitignore")
    );
    assert!(
        ws.read(".gitattributes").contains("ledgers/*.csv"),
        "{}",
        ws.read(".gitattributes")
    );

    let edited = policy.replace("name: 青禾县", "name: 青禾县 # edited by the county");
    assert_ne!(edited, policy);
    std::fs::write(ws.path("jiuzhu.yaml"), &edited).unwrap();
    let before = ws.tree(&[]);
    let out = jiuzhu().arg("init").arg(ws.root()).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("already a jiuzhu workspace"), "{}", stderr(&out));
    assert_eq!(ws.read("jiuzhu.yaml"), edited);
    assert_same_files(&before, &ws.tree(&[]), "workspace after a second init");

    // Same with -C and no DIR.
    let out = jiuzhu().arg("-C").arg(ws.root()).arg("init").output().unwrap();
    assert_exit(&out, 2);
    assert_eq!(ws.read("jiuzhu.yaml"), edited);
}

const HEAD_ZHANG: &str = "130199197803150132";

/// A household of one: 张建国, 城市低保, 城关镇 东街社区, 2026-11-02.
fn zhang<'a>(address: &'a str, hardship: &'a str) -> RegRow<'a> {
    RegRow {
        serial: "1",
        key: HEAD_ZHANG,
        name: "张建国",
        id: HEAD_ZHANG,
        relation: "户主",
        scheme: "城市低保",
        township: "城关镇",
        village: "东街社区",
        address,
        applied_on: "2026-11-02",
        hardship,
        income: "980",
    }
}

/// A register cell crafted as an Excel formula is stored neutralised (a leading `'`), so the ledger opens
/// safely in Excel, and jiuzhu reads it back exactly as written.
#[test]
fn formula_text_is_neutralised_in_the_ledger_and_read_back_unchanged() {
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let address = r#"=HYPERLINK("http://x","y")"#;
    let reason = "+SUM(1)";
    let path = write_register(dir.path(), "hostile.csv", &[zhang(address, reason)]);
    let out = ws.intake_path(&path);
    assert_exit(&out, 0);
    assert!(
        first_line(&out).contains("1 rows read = 1 accepted + 0 rejected + 0 skipped"),
        "{}",
        first_line(&out)
    );

    let bytes = ws.bytes("ledgers/cases.csv");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains(r#""'=HYPERLINK(""http://x"",""y"")""#),
        "address not neutralised:\n{text}"
    );
    assert!(text.contains(",'+SUM(1),"), "hardship reason not neutralised:\n{text}");
    for line in text.lines() {
        for field in line.split(',') {
            let field = field.trim_start_matches('"');
            assert!(
                !field.starts_with(['=', '+', '@']),
                "a formula-like field in cases.csv: {line}"
            );
        }
    }
    let cases = jiuzhu::ledger::parse::<Case>("cases.csv", &bytes).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].address.as_str(), address);
    assert_eq!(cases[0].hardship_reason.as_str(), reason);
    assert_eq!(cases[0].applicant_name.as_str(), "张建国");
}

/// A day's register from a township with one of every mistake: each bad household is rejected whole with the
/// column at fault, and the one good household still enters.
#[test]
fn made_up_mistakes_reject_their_households_and_spare_the_good_one() {
    // People, each in one household only.
    let a_head = id("13019919800101001"); // 农村低保, child born after the application
    let a_child = id("13019920261120002");
    let b_head = id("13019919700202003"); // two heads
    let b_other = id("13019919720303004");
    let c_head = id("13019919600404005"); // unknown scheme
    let d_head = id("13019919500505006"); // village not in the policy
    let e_head = id("13019919650606007"); // income with three decimals
    let e_wife = id("13019919660707008");
    let f_head = id("13019919750808009"); // conflicting scheme on the household's rows
    let f_son = id("13019920000909001");
    let blank = RegRow::default();
    let rows = vec![
        // row 2: the good household.
        zhang("城关镇东街社区5号", "因病"),
        // rows 3–4: the child's ID says born 2026-11-20, the application is dated 2026-11-02.
        RegRow {
            serial: "2",
            key: &a_head,
            name: "甲一",
            id: &a_head,
            relation: "户主",
            scheme: "农村低保",
            township: "西岭镇",
            village: "马庄村",
            applied_on: "2026-11-02",
            ..blank.clone()
        },
        RegRow {
            name: "甲二",
            id: &a_child,
            relation: "子",
            ..blank.clone()
        },
        // rows 5–6: two members marked 户主.
        RegRow {
            serial: "3",
            key: &b_head,
            name: "乙一",
            id: &b_head,
            relation: "户主",
            scheme: "城市低保",
            township: "城关镇",
            village: "西街社区",
            applied_on: "2026-11-02",
            ..blank.clone()
        },
        RegRow {
            name: "乙二",
            id: &b_other,
            relation: "户主",
            ..blank.clone()
        },
        // row 7: a scheme the county does not have.
        RegRow {
            serial: "4",
            key: &c_head,
            name: "丙一",
            id: &c_head,
            relation: "户主",
            scheme: "低保户",
            township: "东河乡",
            village: "东河村",
            applied_on: "2026-11-02",
            ..blank.clone()
        },
        // row 8: 马庄村 is in 西岭镇, not 城关镇.
        RegRow {
            serial: "5",
            key: &d_head,
            name: "丁一",
            id: &d_head,
            relation: "户主",
            scheme: "城市低保",
            township: "城关镇",
            village: "马庄村",
            applied_on: "2026-11-02",
            ..blank.clone()
        },
        // rows 9–10: 12.345 yuan.
        RegRow {
            serial: "6",
            key: &e_head,
            name: "戊一",
            id: &e_head,
            relation: "户主",
            scheme: "特困供养",
            township: "东河乡",
            village: "石桥村",
            applied_on: "2026-11-02",
            ..blank.clone()
        },
        RegRow {
            name: "戊二",
            id: &e_wife,
            relation: "配偶",
            income: "12.345",
            ..blank.clone()
        },
        // rows 11–12: the second row of the household says another scheme.
        RegRow {
            serial: "7",
            key: &f_head,
            name: "己一",
            id: &f_head,
            relation: "户主",
            scheme: "城市低保",
            township: "城关镇",
            village: "南关村",
            applied_on: "2026-11-02",
            ..blank.clone()
        },
        RegRow {
            key: &f_head,
            name: "己二",
            id: &f_son,
            relation: "子",
            scheme: "农村低保",
            ..blank.clone()
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = write_register(dir.path(), "东河乡-申请登记.csv", &rows);

    let ws = Ws::new();
    let out = ws.intake_path(&path);
    assert_exit(&out, 1);
    let summary = first_line(&out);
    assert!(
        summary.contains("11 rows read = 1 accepted + 10 rejected + 0 skipped"),
        "{summary}"
    );
    assert!(summary.contains("1 households added (1 members)"), "{summary}");
    assert!(summary.contains("6 rejected"), "{summary}");

    let cases = ws.records::<Case>();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].applicant_name.as_str(), "张建国");
    assert_eq!(cases[0].scheme, "urban_dibao");
    let members = ws.records::<Member>();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].id_number.as_str(), HEAD_ZHANG);

    // Each household's fault, pinned to its row and column in the report.
    let report = read_report(&ws.report("东河乡-申请登记"));
    let rejected = &report[0].1;
    let rejected_rows: BTreeSet<usize> = rejected.iter().map(|r| r.row).collect();
    assert_eq!(rejected_rows, (3..=12).collect::<BTreeSet<_>>());
    assert!(report[1].1.is_empty(), "nothing skipped: {:?}", report[1].1);
    let fault = |row: usize, column: &str| -> String {
        rejected
            .iter()
            .filter(|r| r.row == row && r.cells.get(3).map(String::as_str) == Some(column))
            .map(ReportRow::text)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let born = fault(4, "身份证号");
    assert!(
        born.contains("2026-11-20") && born.contains("2026-11-02"),
        "row 4: {born}"
    );
    let heads = fault(6, "与户主关系");
    assert!(heads.contains("户主"), "row 6: {heads}");
    let scheme = fault(7, "申请类别");
    assert!(scheme.contains("低保户"), "row 7: {scheme}");
    for known in ["城市低保", "农村低保", "特困供养", "临时救助"] {
        assert!(
            scheme.contains(known),
            "row 7 should list the known scheme {known}: {scheme}"
        );
    }
    let village = fault(8, "村(社区)");
    assert!(
        village.contains("马庄村") && village.contains("城关镇"),
        "row 8: {village}"
    );
    let income = fault(10, "月收入(元)");
    assert!(income.contains("12.345"), "row 10: {income}");
    let conflict = fault(12, "申请类别");
    assert!(
        conflict.contains("城市低保") && conflict.contains("农村低保"),
        "row 12: {conflict}"
    );

    // The clerk's screen shows each household's reason with its column.
    let text = stdout(&out);
    for (row, column) in [
        (4, "身份证号"),
        (6, "与户主关系"),
        (7, "申请类别"),
        (8, "村(社区)"),
        (10, "月收入(元)"),
        (12, "申请类别"),
    ] {
        assert!(
            text.contains(&format!("row {row} {column}:")),
            "stdout should show row {row} {column}:\n{text}"
        );
    }
    for name in [
        "甲一", "乙一", "丙一", "丁一", "戊一", "己一", "甲二", "乙二", "戊二", "己二",
    ] {
        for (path, bytes) in ws.ledgers() {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(name),
                "{name} in ledgers/{path}"
            );
        }
    }
}

/// A clerk whose computer is set to Chinese reads the summary and every rejection in Chinese.
#[test]
fn a_chinese_locale_gets_chinese_rejections() {
    let ws = Ws::new();
    let out = jiuzhu()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(fixture("per-member.xlsx"))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.starts_with("导入 ") && text.contains("读取 24 行 = 接收 10 + 拒收 12 + 跳过 2"),
        "{text}"
    );
    assert!(text.contains("第 15 行 身份证号: 身份证号校验码错误"), "{text}");
    assert!(text.contains("身份证号已被 Excel 损坏"), "{text}");
    assert!(text.contains("一人只能属于一户"), "{text}");
    assert!(text.contains("家庭成员中没有户主"), "{text}");
    assert!(!text.contains("check character"), "{text}");
}

/// A fill-down CSV (household cells blank below the head, as CSV exports leave them) lists the same spouse under
/// two households: the two spouse rows are identical cell for cell, yet they are not one row repeated but one
/// person in two households. Both households are rejected, each naming the other — never one accepted a member
/// short.
#[test]
fn the_same_member_row_under_two_households_rejects_both() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("两户同一配偶.csv");
    std::fs::write(
        &path,
        "序号,申请类别,乡镇(街道),村(社区),户主身份证号,姓名,与户主关系,身份证号码,月收入(元),申请日期\n\
         1,城市低保,城关镇,东街社区,130199197803150132,张建国,户主,130199197803150132,500.00,2026-11-02\n\
         ,,,,,王丙,配偶,130199198003033039,300.00,\n\
         2,城市低保,城关镇,西街社区,130199196505050016,李四,户主,130199196505050016,400.00,2026-11-02\n\
         ,,,,,王丙,配偶,130199198003033039,300.00,\n",
    )
    .unwrap();
    let ws = Ws::new();
    let out = ws.intake_path(&path);
    assert_exit(&out, 1);
    let summary = first_line(&out);
    assert!(
        summary.contains("4 rows read = 0 accepted + 4 rejected + 0 skipped"),
        "{summary}"
    );
    assert!(
        !ws.path("ledgers/cases.csv").exists() || ws.records::<Case>().is_empty(),
        "no household enters"
    );
    let report = read_report(&ws.report("两户同一配偶"));
    let rejected = &report[0].1;
    let text: Vec<String> = rejected.iter().map(ReportRow::text).collect();
    let joined = text.join("\n");
    // Each spouse row names the other household (its head and the head's row).
    for (row, other) in [
        (3, "李四 (sheet 两户同一配偶 row 4)"),
        (5, "张建国 (sheet 两户同一配偶 row 2)"),
    ] {
        let line = rejected
            .iter()
            .filter(|r| r.row == row)
            .map(ReportRow::text)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(line.contains(other), "row {row} should name {other}:\n{joined}");
    }
}

/// Registers often carry both a household number (户编号) and the head's ID (户主身份证号): they are read
/// together — the head's ID where a row gives it, the number where it does not — and a household whose rows give
/// two numbers is rejected naming both. The clerk never has to delete a column.
#[test]
fn a_register_with_both_a_household_number_and_the_heads_id_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let (zhang, li) = ("130199197803150132", "130199196505050016");
    let (wang, zhao, sun) = (
        id("13019919800303303"),
        id("13019920100404004"),
        id("13019919660606006"),
    );
    let header = "户编号,申请类别,乡镇(街道),村(社区),户主身份证号,姓名,与户主关系,身份证号码,月收入(元),申请日期\n";
    // The head's ID on the head's row only, the number on every row.
    let both = dir.path().join("户编号与户主身份证号.csv");
    std::fs::write(
        &both,
        format!(
            "{header}\
             H001,城市低保,城关镇,东街社区,{zhang},张建国,户主,{zhang},500.00,2026-11-02\n\
             H001,,,,,王丙,配偶,{wang},300.00,\n\
             H001,,,,,张小丙,子,{zhao},0,\n\
             H002,城市低保,城关镇,西街社区,{li},李四,户主,{li},400.00,2026-11-02\n\
             H002,,,,,孙五,配偶,{sun},0,\n"
        ),
    )
    .unwrap();
    let ws = Ws::new();
    let out = ws.intake_path(&both);
    // 1: the register has no hardship-reason column, so no case can be told to be protected (issue 20, point 9).
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("has no hardship-reason column"),
        "{}",
        stdout(&out)
    );
    assert!(
        first_line(&out).contains("5 rows read = 5 accepted + 0 rejected + 0 skipped; 2 households added (5 members)"),
        "{}",
        stdout(&out)
    );
    let cases = ws.records::<Case>();
    let size_of = |head: &str| {
        cases
            .iter()
            .find(|c| c.applicant_id_number.as_str() == head)
            .map(|c| c.household_size)
    };
    assert_eq!((size_of(zhang), size_of(li)), (Some(3), Some(2)));

    // One household's rows give two numbers: rejected, naming both.
    let clash = dir.path().join("户编号不一致.csv");
    std::fs::write(
        &clash,
        format!(
            "{header}\
             H001,城市低保,城关镇,东街社区,{zhang},张建国,户主,{zhang},500.00,2026-11-02\n\
             H009,城市低保,城关镇,东街社区,{zhang},王丙,配偶,{wang},300.00,2026-11-02\n"
        ),
    )
    .unwrap();
    let ws = Ws::new();
    let out = ws.intake_path(&clash);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("户编号") && text.contains("H001") && text.contains("H009"),
        "{text}"
    );
}

/// The per-household shape joined by a household number (户编号) instead of the head's ID: the households
/// sheet and the members sheet both carry it, and every member finds its household.
#[test]
fn a_per_household_register_joined_by_household_number_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("按户编号.xlsx");
    let (zhang, wang) = ("130199197803150132", id("13019919800303303"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let households = book.add_worksheet().set_name("家庭").unwrap();
    for (r, row) in [
        vec!["户编号", "户主姓名", "申请类别", "乡镇(街道)", "村(社区)", "申请日期"],
        vec!["H-7", "张建国", "城市低保", "城关镇", "东街社区", "2026-11-02"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            households.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let members = book.add_worksheet().set_name("成员").unwrap();
    for (r, row) in [
        vec!["户编号", "姓名", "身份证号", "与户主关系", "月收入(元)"],
        vec!["H-7", "张建国", zhang, "户主", "500"],
        vec!["H-7", "王丙", wang.as_str(), "配偶", "0"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            members.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save(&path).unwrap();
    let ws = Ws::new();
    let out = ws.intake_path(&path);
    // 1: the register has no hardship-reason column, so no case can be told to be protected (issue 20, point 9).
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("has no hardship-reason column"),
        "{}",
        stdout(&out)
    );
    assert!(
        first_line(&out).contains("1 households added (2 members)"),
        "{}",
        stdout(&out)
    );
}

/// A year mistyped in 申请日期 (`2926-11-05` for 2026-11-05) was taken: the case's time limit, its re-check and
/// every date computed from it were nonsense. Rejected with the year it probably stands for, the other household
/// taken; the bound is what the workspace and the register know, so next year's register is still taken.
#[test]
fn a_mistyped_year_in_the_application_date_is_rejected_naming_the_year_meant() {
    let dir = tempfile::tempdir().unwrap();
    let (good, typo) = (id("13019919700101001"), id("13019919750202002"));
    let base = RegRow {
        scheme: "城市低保",
        township: "城关镇",
        village: "东街社区",
        address: "东街1号",
        relation: "户主",
        hardship: "因病",
        income: "300",
        ..RegRow::default()
    };
    let path = write_register(
        dir.path(),
        "年份笔误.csv",
        &[
            RegRow {
                serial: "1",
                key: &good,
                name: "张好",
                id: &good,
                applied_on: "2026-11-03",
                ..base.clone()
            },
            RegRow {
                serial: "2",
                key: &typo,
                name: "李误",
                id: &typo,
                applied_on: "2926-11-05",
                ..base.clone()
            },
        ],
    );
    let ws = Ws::new();
    let out = ws.intake_path(&path);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("row 3 申请日期: 2926-11-05") && text.contains("2926 is probably 2026"),
        "{text}"
    );
    let cases = ws.records::<Case>();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].applicant_id_number.as_str(), good);

    // A register of the next year is a year after what the workspace knows, and taken.
    let next = write_register(
        dir.path(),
        "次年.csv",
        &[RegRow {
            serial: "1",
            key: &typo,
            name: "李误",
            id: &typo,
            applied_on: "2027-10-05",
            ..base.clone()
        }],
    );
    assert_exit(&ws.intake_path(&next), 0);
}

/// Rejected rows are listed once per reason, at the first row; the summary says how many more rows share those
/// reasons (the report has every one), so five households with one bad income are not shown as one.
#[test]
fn rows_rejected_for_a_listed_reason_are_counted_not_hidden() {
    let ws = Ws::new();
    let ids: Vec<String> = (0..5)
        .map(|i| id(&format!("130123196001{:02}{:03}", i + 1, 100 + i)))
        .collect();
    let names: Vec<String> = (0..5).map(|i| format!("王{i}")).collect();
    let serials: Vec<String> = (1..=5).map(|i| i.to_string()).collect();
    let rows: Vec<RegRow<'_>> = (0..5)
        .map(|i| RegRow {
            serial: &serials[i],
            key: &ids[i],
            name: &names[i],
            id: &ids[i],
            relation: "户主",
            scheme: "农村低保",
            township: "西岭镇",
            village: "马庄村",
            address: "西岭镇马庄村",
            applied_on: "2026-11-02",
            hardship: "因病",
            income: "abc",
        })
        .collect();
    let reg = write_register(ws.root(), "reg.csv", &rows);
    let out = ws.run(&["intake", reg.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert_eq!(text.matches("\n  rejected reg.csv row").count(), 1, "{text}");
    assert!(
        text.contains("… and 4 more rows rejected for the reasons above: every one is in the report"),
        "{text}"
    );
    let out = ws.run_zh(&["intake", "--dry-run", reg.to_str().unwrap()]);
    assert_chinese(&out);
    assert!(
        stdout(&out).contains("另有 4 行因以上同样原因被拒收"),
        "{}",
        stdout(&out)
    );
}
