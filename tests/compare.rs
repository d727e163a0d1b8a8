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
    std::fs::write(
        &mangled,
        "姓名,身份证号,死亡日期,火化日期,火化地点\n黄兰,1.30199E+17,2026-09-17,2026-09-19,青禾县殡仪馆\n",
    )
    .unwrap();
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

    // Registries are read side by side, but of two unusable ones the message names the first given, in
    // either order, and never both.
    for (first, second, named, not_named) in [
        (&mangled, &wrong, "damaged by Excel", "lacks its declared columns"),
        (&wrong, &mangled, "lacks its declared columns", "damaged by Excel"),
    ] {
        let name = |p: &PathBuf| if p == &mangled { "deaths" } else { "vehicles" };
        let out = ws.run(&[
            "compare",
            "--source",
            &format!("{}={}", name(first), first.display()),
            "--source",
            &format!("{}={}", name(second), second.display()),
        ]);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(named), "{}", stderr(&out));
        assert!(!stderr(&out).contains(not_named), "{}", stderr(&out));
    }

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

/// A registry file without one of its policy's evidence columns (`registries.NAME.evidence` in jiuzhu.yaml)
/// stops compare before it writes anything: its hits would carry less than the policy asks for, and with none of
/// them every row of a person would be one hit (the hit ID hashes the person and the evidence). The message names
/// the file, the columns missing, the columns the file has and what to do, in either language; a streamed CSV
/// file and a workbook alike.
#[test]
fn a_registry_lacking_its_evidence_columns_stops_the_run() {
    let ws = county();
    let before = ws.tree(&[".jiuzhu"]);
    // 张艳芳 (东河乡) owns 冀F·2NHTY; here a second car too.
    let owner = "张艳芳,130123198007011227";

    // vehicles asks for 号牌号码, 车辆类型, 登记日期: this file has no 车辆类型.
    let one = ws.path("vehicles-no-type.csv");
    std::fs::write(
        &one,
        format!("车主姓名,身份证号码,号牌号码,登记日期\n{owner},冀F·2NHTY,2025-06-12\n"),
    )
    .unwrap();
    let out = ws.run(&[
        "--lang",
        "en",
        "compare",
        "--source",
        &format!("vehicles={}", one.display()),
    ]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    for says in [
        "vehicles-no-type.csv",
        "registry `vehicles` (车辆登记) has no evidence column 车辆类型,",
        "row 1 has: 车主姓名 | 身份证号码 | 号牌号码 | 登记日期",
        "Rename the header",
        "`registries.vehicles.evidence` in jiuzhu.yaml",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    assert!(
        !err.contains("号牌号码、") && !err.contains("登记日期、"),
        "only the missing column: {err}"
    );

    // None of them: two cars of one owner would have been one hit with no evidence.
    let none = ws.path("vehicles-ids-only.csv");
    std::fs::write(&none, format!("车主姓名,身份证号码\n{owner}\n{owner}\n")).unwrap();
    let out = ws.run(&[
        "--lang",
        "en",
        "compare",
        "--source",
        &format!("vehicles={}", none.display()),
    ]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("vehicles-ids-only.csv"), "{err}");
    assert!(
        err.contains("no evidence columns 号牌号码、车辆类型、登记日期,"),
        "{err}"
    );
    assert!(err.contains("row 1 has: 车主姓名 | 身份证号码"), "{err}");

    // A workbook (read whole) under a title row, in Chinese: deaths asks for 死亡日期, 火化日期, 火化地点.
    let book_path = ws.path("deaths-10月.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("死亡人员").unwrap();
    for (r, row) in [
        ["青禾县2026年10月死亡人员名单", "", ""],
        ["姓名", "身份证号", "死亡日期"],
        ["黄兰", "130199195307187340", "2026-09-17"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save(&book_path).unwrap();
    let out = ws.run(&[
        "--lang",
        "zh",
        "compare",
        "--source",
        &format!("deaths={}", book_path.display()),
    ]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    for says in [
        "deaths-10月.xlsx",
        "缺少证据列 火化日期、火化地点（",
        "工作表 `死亡人员` 第 2 行的列：姓名 | 身份证号 | 死亡日期",
        "请改正表头",
        "`registries.deaths.evidence`",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    assert!(!err.contains("缺少证据列 死亡日期"), "{err}");

    // With the good files beside them, nothing is written either.
    let out = ws.run(&[
        "compare",
        "--source",
        &format!("vehicles={}", registry("vehicles.csv")),
        "--source",
        &format!("deaths={}", book_path.display()),
    ]);
    assert_exit(&out, 2);
    let mut after = ws.tree(&[".jiuzhu"]);
    for f in ["vehicles-no-type.csv", "vehicles-ids-only.csv", "deaths-10月.xlsx"] {
        after.remove(f);
    }
    assert_same_files(&before, &after, "registries without their evidence columns");
}

/// A death list with the right name and birth date but another ID gives a lead, reported as such.
#[test]
fn name_and_birth_date_alone_make_a_lead_not_a_hit() {
    let ws = county();
    let deaths = ws.path("deaths.csv");
    // 黄兰 was born 1953-07-18; this row carries a different, valid ID with the same birth date.
    let other = id("41010219530718006");
    std::fs::write(
        &deaths,
        format!("姓名,身份证号,死亡日期,火化日期,火化地点\n黄兰,{other},2026-10-02,2026-10-04,市殡仪馆\n"),
    )
    .unwrap();
    assert_exit(
        &ws.run(&["compare", "--source", &format!("deaths={}", deaths.display())]),
        1,
    );
    let all = hits(&ws);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].match_kind, MatchKind::NameBirth);
    assert_eq!(all[0].id_number.as_str(), "130199195307187340");
}

/// A death recorded under a mistyped ID number (one digit wrong, so its check character fails) and no birth date
/// column: the name and the birth date the number's digits 7–14 still spell give a lead, marked as a lead, not a
/// hit; a typo in the date itself leaves the birth date column to find it.
#[test]
fn a_death_under_a_mistyped_id_gives_a_lead() {
    let ws = county();
    // 黄兰 is 130199195307187340; the 16th digit typed 5 for 4.
    let typo = "130199195307187350";
    assert!(jiuzhu::domain::id_number::parse(typo).is_err());
    let deaths = ws.path("deaths.csv");
    std::fs::write(
        &deaths,
        format!("姓名,身份证号,死亡日期,火化日期,火化地点\n黄兰,{typo},2026-10-02,2026-10-04,市殡仪馆\n"),
    )
    .unwrap();
    let out = ws.run(&["compare", "--source", &format!("deaths={}", deaths.display())]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        first_line(&out)
            .starts_with("compare deaths 1 rows (1 with invalid ID numbers, looked up by name and birth date only)"),
        "{text}"
    );
    let all = hits(&ws);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(
        (all[0].match_kind, all[0].id_number.as_str(), all[0].source_row),
        (MatchKind::NameBirth, "130199195307187340", 2)
    );
    assert!(
        text.contains(&format!("open {} 排除类 仅姓名和出生日期一致(线索) ", all[0].hit_id)),
        "{text}"
    );

    // The typo in the birth date (07-19 for 07-18): the ID's date finds nobody, the registry's column does.
    let ws = county();
    let typo = "130199195307197340";
    std::fs::write(
        &deaths,
        format!("姓名,身份证号,出生日期,死亡日期,火化日期,火化地点\n黄兰,{typo},1953-07-18,2026-10-02,2026-10-04,市殡仪馆\n"),
    )
    .unwrap();
    assert_exit(
        &ws.run(&["compare", "--source", &format!("deaths={}", deaths.display())]),
        1,
    );
    let all = hits(&ws);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].match_kind, MatchKind::NameBirth);
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
        "姓名,身份证号,就诊机构,就诊日期,个人自付\n\
         张建国,130199197803150132,县医院,2026-10-08,5000.00\n\
         朱红梅,130199196909090620,县医院,2026-10-09,5000.00\n\
         朱红梅,130199196909090620,市医院,2026-10-21,12000.50\n",
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

/// A hashed exchange file whose values are not SHA-256 digests — cut short, or plain ID numbers sent by mistake —
/// is refused whole (exit 2, nothing written), naming the file, the column and each row, with a plain ID masked:
/// matching its good rows would report "no hit" for exactly the people whose rows were damaged.
#[test]
fn a_hashed_file_of_values_that_are_not_digests_is_refused() {
    let a = Ws::new();
    assert_exit(&a.intake(&["per-member.xlsx"]), 1);
    let file = a.path("a-hashes.csv");
    assert_exit(&a.run(&["compare", "--export-hashed", file.to_str().unwrap()]), 0);
    let good = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    lines[2].truncate(40); // cut short
    lines[4] = "130199197803150132".into(); // a plain ID number
    lines[5].replace_range(..1, "g"); // not hexadecimal
    let bad = a.path("bad-hashes.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();

    let b = Ws::new();
    assert_exit(&b.intake(&["per-member.xlsx"]), 1);
    let before = b.tree(&[".jiuzhu"]);
    let out = b.run(&[
        "compare",
        "--source",
        &format!("other_schemes={}", bad.display()),
        "--hashed",
    ]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    for says in [
        "bad-hashes.csv: registry `other_schemes` was given as a hashed exchange file (--hashed), but column id_hash \
         of 3 rows is not a SHA-256 digest",
        "row 3: `",
        "has 40 characters, not 64",
        "row 5: `130199********0132` has 18 characters, not 64",
        "row 6: `",
        "has characters other than 0–9 and a–f",
        "export the file again",
    ] {
        assert!(err.contains(says), "{says}:\n{err}");
    }
    assert!(!err.contains("130199197803150132"), "{err}");
    assert_same_files(&before, &b.tree(&[".jiuzhu"]), "a hashed file that is not hashes");

    // The good file is taken.
    let out = b.run(&[
        "compare",
        "--source",
        &format!("other_schemes={}", file.display()),
        "--hashed",
    ]);
    assert_exit(&out, 1);
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

/// A valid-looking stranger for a registry: born in the 1920s (nobody in the fixtures), with a valid ID.
fn stranger(i: usize) -> (String, String) {
    const SURNAMES: [&str; 8] = ["王", "李", "赵", "钱", "孙", "周", "吴", "郑"];
    const GIVEN: [&str; 8] = ["秀英", "桂兰", "德明", "春生", "玉珍", "振华", "淑芬", "长海"];
    let name = format!("{}{}", SURNAMES[i % 8], GIVEN[(i / 8) % 8]);
    let (year, month, day, seq) = (1920 + i % 10, 1 + (i / 10) % 12, 1 + (i / 120) % 28, (i / 3360) % 1000);
    (name, id(&format!("130123{year}{month:02}{day:02}{seq:03}")))
}

/// A province's death list is larger than any file jiuzhu reads whole (50 MiB): as CSV it is streamed, every row
/// is counted, and the one person of the workspace on it is found at the row the file shows. (Its rows carry a
/// long note, so that a debug build reads the 50 MiB in a few seconds.)
#[test]
fn a_registry_over_50_mib_is_streamed_and_its_hit_found() {
    use std::io::Write;
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
    let path = ws.path("deaths-province.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "姓名,身份证号,死亡日期,火化日期,火化地点,备注").unwrap();
    let note = "户籍已注销, 丧葬补助已发放, 遗属已告知。".repeat(20);
    let (mut rows, mut size) = (0usize, 0usize);
    let planted = 40_000;
    while size <= 50 << 20 {
        rows += 1;
        let (name, id) = match rows {
            r if r == planted => ("张建国".to_string(), "130199197803150132".to_string()),
            r => stranger(r),
        };
        let line = format!(
            "{name},{id},2026-09-{:02},2026-09-{:02},市殡仪馆,{note}\n",
            1 + rows % 27,
            2 + rows % 27
        );
        size += line.len();
        file.write_all(line.as_bytes()).unwrap();
    }
    drop(file);
    assert!(std::fs::metadata(&path).unwrap().len() > 50 << 20);

    let out = ws.run(&["compare", "--source", &format!("deaths={}", path.display())]);
    assert_exit(&out, 1);
    assert!(
        first_line(&out).starts_with(&format!(
            "compare deaths {rows} rows: 10 people in open cases; 1 hits (1 new)"
        )),
        "{}",
        stdout(&out)
    );
    let hits = hits(&ws);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let death = &hits[0];
    assert_eq!((death.name.as_str(), death.match_kind), ("张建国", MatchKind::Id));
    assert_eq!(death.source_row as usize, planted + 1, "the header is row 1");
    let day = 1 + planted % 27;
    assert_eq!(
        death.evidence.as_str(),
        format!(
            "死亡日期=2026-09-{day:02}; 火化日期=2026-09-{:02}; 火化地点=市殡仪馆",
            day + 1
        )
    );
}

/// The same death list saved three ways — UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), GBK with CRLF (Excel's
/// "CSV" on a Chinese Windows) — under a title row: the same rows, the same hits and leads at the same rows.
#[test]
fn a_registry_reads_the_same_in_utf8_with_or_without_bom_and_gbk() {
    let (stranger_name, stranger_id) = stranger(7);
    // 朱红梅 (born 1969-09-09) under another valid ID: a lead by name and birth date.
    let other = id("41010219690909006");
    let text = format!(
        "青禾县2026年10月死亡人员名单\n\
         姓名,身份证号,死亡日期,火化日期,火化地点\n\
         {stranger_name},{stranger_id},2026-10-01,2026-10-03,市殡仪馆\n\
         张建国,130199197803150132,2026-09-17,2026-09-19,青禾县殡仪馆\n\
         ,,,,\n\
         朱红梅,{other},2026-10-02,2026-10-04,\"市殡仪馆（东区）\"\n\
         李四,12345,2026-10-02,,\n\
         合计,4,,,\n"
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(text.as_bytes());
    let gbk = encoding_rs::GBK.encode(&text.replace('\n', "\r\n")).0.into_owned();
    let mut runs = Vec::new();
    for bytes in [text.as_bytes().to_vec(), bom, gbk] {
        let ws = Ws::new();
        assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
        let path = ws.path("deaths-10月.csv");
        std::fs::write(&path, &bytes).unwrap();
        let out = ws.run(&["compare", "--source", &format!("deaths={}", path.display())]);
        assert_exit(&out, 1);
        let mut hits = hits(&ws);
        for h in &mut hits {
            assert_eq!(h.source_file_sha256, jiuzhu::ledger::events::sha256_hex(&bytes));
            h.source_file_sha256.clear();
        }
        runs.push((first_line(&out), hits));
    }
    let (line, hits) = &runs[0];
    assert!(
        line.starts_with(
            "compare deaths 4 rows (1 with invalid ID numbers, looked up by name and birth date only): 10 people in \
             open cases; 2 hits"
        ),
        "{line}"
    );
    let found: Vec<(&str, MatchKind, u32, &str)> = hits
        .iter()
        .map(|h| (h.name.as_str(), h.match_kind, h.source_row, h.evidence.as_str()))
        .collect();
    assert!(found.contains(&(
        "张建国",
        MatchKind::Id,
        4,
        "死亡日期=2026-09-17; 火化日期=2026-09-19; 火化地点=青禾县殡仪馆"
    )));
    assert!(found.contains(&(
        "朱红梅",
        MatchKind::NameBirth,
        6,
        "死亡日期=2026-10-02; 火化日期=2026-10-04; 火化地点=市殡仪馆(东区)"
    )));
    assert_eq!(runs[1], runs[0], "UTF-8 with a BOM");
    assert_eq!(runs[2], runs[0], "GBK");
}

/// A streamed registry whose damage comes after its hits (a NUL byte, bytes that are no text, an unclosed quote)
/// still stops the run before anything is written, with the message a file read whole gets.
#[test]
fn a_registry_damaged_after_its_hits_stops_the_run() {
    let ws = Ws::new();
    assert_exit(&ws.intake(&["per-member.xlsx"]), 1);
    let before = ws.tree(&[".jiuzhu"]);
    let good =
        "姓名,身份证号,死亡日期,火化日期,火化地点\n张建国,130199197803150132,2026-09-17,2026-09-19,青禾县殡仪馆\n";
    let cases: [(&[u8], &str); 3] = [
        (b"x,\0,y\n", "contains NUL bytes"),
        (b"x,\xFF\xFF\xFF,y\n", "neither UTF-8 nor GBK/GB18030"),
        (b"x,\"y,z\n", "never closed"),
    ];
    for (tail, says) in cases {
        let path = ws.path("deaths.csv");
        std::fs::write(&path, [good.as_bytes(), tail].concat()).unwrap();
        let out = ws.run(&["compare", "--source", &format!("deaths={}", path.display())]);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(says), "{says}: {}", stderr(&out));
        let mut after = ws.tree(&[".jiuzhu"]);
        after.remove("deaths.csv");
        assert_same_files(&before, &after, says);
    }
}

/// A worksheet whose rows were deleted before it came back: the hits not on it stay open, and the summary names
/// them apart from the rows left blank, so nobody takes "2 still open" for the two left undecided on purpose.
#[test]
fn hits_deleted_from_the_worksheet_are_named_as_still_open() {
    let ws = county();
    assert_exit(&compare_all(&ws), 1);
    let all = hits(&ws);
    let filled = ws.path("cut.xlsx");
    refill(&worksheet(&ws), &filled, |g| {
        answer(g, "deaths-", "确认", "火化证明已核实", "李明");
        g.retain(|r| {
            !r.first()
                .is_some_and(|c| c.starts_with("vehicles-") || c.starts_with("payroll-"))
        });
    });
    let out = ws.run(&["compare", "--resolve", filled.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        first_line(&out).contains("1 confirmed, 0 cleared; 3 hits still open"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains("are not on the worksheet (rows removed?)"))
        .unwrap_or_else(|| panic!("no line naming the deleted rows:\n{text}"));
    assert!(line.contains("2 hits of batch "), "{line}");
    for source in ["vehicles", "payroll"] {
        let h = hit(&all, source);
        assert!(line.contains(&format!("{} ({})", h.hit_id, h.case_id)), "{line}");
    }
    let rel = hit(&all, "relatives");
    let blank = text
        .lines()
        .find(|l| l.contains("without a 处理结果 stay open"))
        .unwrap_or_else(|| panic!("no line naming the blank row:\n{text}"));
    assert!(
        blank.contains("1 on the worksheet") && blank.contains(&rel.hit_id),
        "{blank}"
    );
}
