//! `jiuzhu compare`: the county's registries against the example applicants, the clerk's worksheet round trip,
//! tampered sheets, new evidence, mangled registries, and the hashed exchange between two offices.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::{Disposition, Effect, Match, MatchKind};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn registry(name: &str) -> String {
    repo("examples/county/registries").join(name).display().to_string()
}

/// A workspace holding the example county's November applications (48 households).
fn county() -> Ws {
    let ws = Ws::new();
    let inbox = repo("examples/county/inbox/2026-11");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&inbox).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut args = vec!["intake".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_exit(&ws.run(&args), 1);
    ws
}

fn compare_all(ws: &Ws) -> std::process::Output {
    ws.run(&[
        "compare",
        "--source",
        &format!("deaths={}", registry("deaths.xlsx")),
        "--source",
        &format!("vehicles={}", registry("vehicles.csv")),
        "--source",
        &format!("payroll={}", registry("payroll.xlsx")),
        "--source",
        &format!("relatives={}", registry("relatives.xlsx")),
    ])
}

fn hits(ws: &Ws) -> Vec<Match> {
    ws.records::<Match>()
}

fn hit<'a>(hits: &'a [Match], source: &str) -> &'a Match {
    hits.iter()
        .find(|m| m.source == source)
        .unwrap_or_else(|| panic!("a {source} hit"))
}

/// The worksheet compare wrote (the one whose batch is on the open hits).
fn worksheet(ws: &Ws) -> PathBuf {
    let batch = hits(ws)
        .into_iter()
        .find(|m| m.disposition == Disposition::Open)
        .expect("an open hit")
        .batch;
    ws.path(&format!("reports/compare-hits-{batch}.xlsx"))
}

/// Sets the answer cells (处理结果 col 8, 说明 col 9, 处理人 col 10) of the row whose hit ID starts with `prefix`.
fn answer(grid: &mut [Vec<String>], prefix: &str, disposition: &str, note: &str, by: &str) {
    let row = grid
        .iter_mut()
        .find(|r| r.first().is_some_and(|c| c.starts_with(prefix)))
        .expect("the hit's row");
    row.resize(11, String::new());
    row[8] = disposition.into();
    row[9] = note.into();
    row[10] = by.into();
}

/// The clerk runs the four registries the county received: exactly the planted hits, each with its effect,
/// evidence and source row; nobody else.
#[test]
fn the_planted_hits_are_found_and_nothing_else() {
    let ws = county();
    let out = compare_all(&ws);
    assert_exit(&out, 1);
    assert!(
        first_line(&out).contains("134 people in open cases; 4 hits (4 new); 4 open"),
        "{}",
        stdout(&out)
    );
    let hits = hits(&ws);
    assert_eq!(hits.len(), 4, "{hits:#?}");
    let death = hit(&hits, "deaths");
    assert_eq!(
        (death.name.as_str(), death.effect, death.source_row),
        ("黄兰", Effect::Exclude, 57)
    );
    assert_eq!(death.id_number.as_str(), "130199195307187340");
    assert!(death.evidence.contains("死亡日期=2026-09-17"), "{}", death.evidence);
    let car = hit(&hits, "vehicles");
    assert_eq!(
        (car.name.as_str(), car.effect, car.source_row),
        ("张艳芳", Effect::Review, 5)
    );
    assert!(car.evidence.contains("号牌号码=冀F·2NHTY"));
    let pay = hit(&hits, "payroll");
    assert_eq!(
        (pay.name.as_str(), pay.effect, pay.source_row),
        ("徐玉霞", Effect::Exclude, 28)
    );
    let rel = hit(&hits, "relatives");
    assert_eq!(
        (rel.name.as_str(), rel.effect, rel.source_row),
        ("周佳琪", Effect::Review, 12)
    );
    assert!(hits
        .iter()
        .all(|h| h.match_kind == MatchKind::Id && h.disposition == Disposition::Open));
    assert!(worksheet(&ws).exists());
    // Stdout shows masked IDs only.
    assert!(!stdout(&out).contains("130199195307187340"));
    assert!(stdout(&out).contains("130199********7340"));
}

/// The clerk confirms the death and clears the relative on the worksheet; compare records both, and a rerun of
/// the same registries keeps both decisions and adds nothing.
#[test]
fn dispositions_round_trip_and_survive_a_rerun() {
    let ws = county();
    assert_exit(&compare_all(&ws), 1);
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws), &filled, |g| {
        answer(g, "deaths-", "确认", "火化证明已核实", "李明");
        answer(g, "relatives-", "排除", "已备案, 复核无异常", "李明");
    });
    let out = ws.run(&["compare", "--resolve", filled.to_str().unwrap()]);
    assert_exit(&out, 1);
    assert!(
        first_line(&out).contains("1 confirmed, 1 cleared; 2 hits still open"),
        "{}",
        stdout(&out)
    );
    let after = hits(&ws);
    let death = hit(&after, "deaths");
    assert_eq!(death.disposition, Disposition::Confirmed);
    assert_eq!(
        (death.note.as_str(), death.decided_by.as_str()),
        ("火化证明已核实", "李明")
    );
    assert_eq!(hit(&after, "relatives").disposition, Disposition::Cleared);
    assert_eq!(hit(&after, "vehicles").disposition, Disposition::Open);

    let ledgers = ws.ledgers();
    let out = compare_all(&ws);
    assert_exit(&out, 1);
    assert!(first_line(&out).contains("4 hits (0 new); 2 open"), "{}", stdout(&out));
    assert_same_files(&ledgers, &ws.ledgers(), "rerun of compare");
}

/// Sheets that must be refused whole, with nothing recorded: an edited key cell, a sheet from an earlier run,
/// an answer outside the list, a decision with nobody named.
#[test]
fn tampered_or_foreign_worksheets_are_refused() {
    let ws = county();
    assert_exit(&compare_all(&ws), 1);
    let sheet = worksheet(&ws);
    let before = ws.ledgers();
    type Edit = Box<dyn Fn(&mut Vec<Vec<String>>)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "edited key",
            Box::new(|g: &mut Vec<Vec<String>>| {
                answer(g, "deaths-", "确认", "n", "李明");
                let row = g.iter_mut().find(|r| r[0].starts_with("deaths-")).unwrap();
                row[1] = "CD-2026-000000000000".into();
            }),
            "key cells",
        ),
        (
            "bad value",
            Box::new(|g: &mut Vec<Vec<String>>| answer(g, "deaths-", "也许", "n", "李明")),
            "not one of",
        ),
        (
            "no decider",
            Box::new(|g: &mut Vec<Vec<String>>| answer(g, "deaths-", "确认", "n", "")),
            "处理人",
        ),
        (
            "unknown hit",
            Box::new(|g: &mut Vec<Vec<String>>| {
                answer(g, "deaths-", "确认", "n", "李明");
                let row = g.iter_mut().find(|r| r[0].starts_with("deaths-")).unwrap();
                row[0] = "deaths-FFFFFFFFFF".into();
            }),
            "not in ledgers/matches.csv",
        ),
    ];
    for (what, edit, says) in cases {
        let bad = ws.path("bad.xlsx");
        refill(&sheet, &bad, edit);
        let out = ws.run(&["compare", "--resolve", bad.to_str().unwrap()]);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(says), "{what}: {}", stderr(&out));
        assert_same_files(&before, &ws.ledgers(), what);
    }

    // A sheet from an earlier run: resolve one hit (the batch of the others moves on), then hand in the old sheet.
    let first = ws.path("first.xlsx");
    refill(&sheet, &first, |g| answer(g, "deaths-", "确认", "n", "李明"));
    assert_exit(&ws.run(&["compare", "--resolve", first.to_str().unwrap()]), 1);
    let before = ws.ledgers();
    let old = ws.path("old.xlsx");
    refill(&sheet, &old, |g| answer(g, "vehicles-", "排除", "n", "李明"));
    let out = ws.run(&["compare", "--resolve", old.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("belongs to batch"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("The current worksheet is reports/compare-hits-"),
        "{}",
        stderr(&out)
    );
    assert_same_files(&before, &ws.ledgers(), "a sheet from another run");
}

/// A cleared hit never reopens with the same evidence; a new vehicle is new evidence and opens a new hit.
#[test]
fn new_evidence_opens_a_new_hit_and_cleared_stays_cleared() {
    let ws = county();
    assert_exit(&compare_all(&ws), 1);
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws), &filled, |g| {
        answer(g, "vehicles-", "排除", "车辆已过户", "王芳")
    });
    assert_exit(&ws.run(&["compare", "--resolve", filled.to_str().unwrap()]), 1);

    let mut text = std::fs::read_to_string(repo("examples/county/registries/vehicles.csv")).unwrap();
    text.push_str("张艳芳,130123198007011227,冀F·99999,小型普通客车,2026-10-30\n");
    let newer = ws.path("vehicles-11月.csv");
    std::fs::write(&newer, text).unwrap();
    let out = ws.run(&["compare", "--source", &format!("vehicles={}", newer.display())]);
    assert_exit(&out, 1);
    let all = hits(&ws);
    let cars: Vec<&Match> = all.iter().filter(|m| m.source == "vehicles").collect();
    assert_eq!(cars.len(), 2);
    assert_eq!(cars.iter().filter(|m| m.disposition == Disposition::Cleared).count(), 1);
    let new = cars.iter().find(|m| m.disposition == Disposition::Open).unwrap();
    assert!(new.evidence.contains("冀F·99999"), "{}", new.evidence);
}

/// A registry whose ID column Excel destroyed, or that lacks the declared columns, stops compare before it
/// writes anything; so does an undeclared registry name.
#[test]
fn unusable_registries_stop_the_run() {
    let ws = county();
    let before = ws.tree(&[".jiuzhu"]);
    let mangled = ws.path("deaths-mangled.csv");
    std::fs::write(&mangled, "姓名,身份证号,死亡日期\n黄兰,1.30199E+17,2026-09-17\n").unwrap();
    let out = ws.run(&["compare", "--source", &format!("deaths={}", mangled.display())]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("damaged by Excel"), "{}", stderr(&out));

    let wrong = ws.path("vehicles-wrong.csv");
    std::fs::write(&wrong, "车主,号牌\n张三,冀A·1\n").unwrap();
    let out = ws.run(&["compare", "--source", &format!("vehicles={}", wrong.display())]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("lacks its declared columns"), "{}", stderr(&out));

    let out = ws.run(&["compare", "--source", &format!("ufo={}", registry("deaths.xlsx"))]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no registry `ufo`"), "{}", stderr(&out));

    // One good file and one bad one: nothing from the good one either.
    let out = ws.run(&[
        "compare",
        "--source",
        &format!("deaths={}", registry("deaths.xlsx")),
        "--source",
        &format!("vehicles={}", wrong.display()),
    ]);
    assert_exit(&out, 2);
    let mut after = ws.tree(&[".jiuzhu"]);
    for f in ["deaths-mangled.csv", "vehicles-wrong.csv"] {
        after.remove(f);
    }
    assert_same_files(&before, &after, "refused registries");
}

/// A death list with the right name and birth date but another ID gives a lead, reported as such.
#[test]
fn name_and_birth_date_alone_make_a_lead_not_a_hit() {
    let ws = county();
    let deaths = ws.path("deaths.csv");
    // 黄兰 was born 1953-07-18; this row carries a different, valid ID with the same birth date.
    let other = id("41010219530718006");
    std::fs::write(&deaths, format!("姓名,身份证号,死亡日期\n黄兰,{other},2026-10-02\n")).unwrap();
    assert_exit(
        &ws.run(&["compare", "--source", &format!("deaths={}", deaths.display())]),
        1,
    );
    let all = hits(&ws);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].match_kind, MatchKind::NameBirth);
    assert_eq!(all[0].id_number.as_str(), "130199195307187340");
}

/// Medical bills are referrals above a threshold: 4000 for members of 低保/特困 households, 10000 otherwise.
#[test]
fn medical_bills_use_the_low_income_threshold() {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
    // 张建国 (城市低保), 朱红梅 (临时救助).
    let bills = ws.path("bills.csv");
    std::fs::write(
        &bills,
        "姓名,身份证号,就诊机构,个人自付\n\
         张建国,130199197803150132,县医院,5000.00\n\
         朱红梅,130199196909090620,县医院,5000.00\n\
         朱红梅,130199196909090620,市医院,12000.50\n",
    )
    .unwrap();
    let out = ws.run(&["compare", "--source", &format!("medical_bills={}", bills.display())]);
    assert_exit(&out, 1);
    let all = hits(&ws);
    let rows: Vec<(String, u32)> = all.iter().map(|m| (m.name.0.clone(), m.source_row)).collect();
    assert_eq!(all.len(), 2, "{rows:?}");
    assert!(rows.contains(&("张建国".to_string(), 2)));
    assert!(rows.contains(&("朱红梅".to_string(), 4)));
}

/// Two offices exchange their people as salted hashes: the file holds no ID number, and the other office finds
/// exactly the people both have.
#[test]
fn hashed_exchange_finds_shared_people_without_plain_ids() {
    let a = Ws::new();
    assert_exit(&a.intake(&["per-member.xlsx"]), 1);
    let file = a.path("a-hashes.csv");
    let out = a.run(&["compare", "--export-hashed", file.to_str().unwrap()]);
    assert_exit(&out, 0);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 1 + 10);
    assert!(!text.contains("130199"), "no plain ID numbers in an exchange file");

    let b = Ws::new();
    assert_exit(&b.intake(&["per-member.xlsx", "per-household.xlsx"]), 1);
    let out = b.run(&[
        "compare",
        "--source",
        &format!("other_schemes={}", file.display()),
        "--hashed",
    ]);
    assert_exit(&out, 1);
    let all = b.records::<Match>();
    assert_eq!(all.len(), 10);
    assert!(all
        .iter()
        .all(|m| m.match_kind == MatchKind::IdHash && m.effect == Effect::Exclude));
    // The run is journalled with the file's hash.
    let events = b.records::<Event>();
    assert!(events
        .iter()
        .any(|e| e.step == "compare" && e.inputs.starts_with("other_schemes:a-hashes.csv=")));
}

/// --dry-run matches and reports, and writes nothing.
#[test]
fn dry_run_writes_nothing() {
    let ws = county();
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&[
        "compare",
        "--dry-run",
        "--source",
        &format!("deaths={}", registry("deaths.xlsx")),
    ]);
    assert_exit(&out, 1);
    assert!(
        first_line(&out).starts_with("dry run: compare deaths 61 rows"),
        "{}",
        stdout(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "dry run");
}
