//! `jiuzhu rollup`: many county workspaces read without merging them — the month's figures per county and in
//! total (each county's own `jiuzhu report`, added up), and the people in force in more than one county, found by
//! the salted hash of their ID number, never shown in plain. Read-only; a path that is not a workspace, ledgers
//! that do not read or different salts stop it (exit 2) with nothing written.

mod common;
mod month;

use common::*;
use jiuzhu::ledger::{Case, Decision, Member, Payment};

/// Sets a workspace's county name (`region.name`) and, when given, its exchange salt, in its jiuzhu.yaml.
fn rename(ws: &Ws, name: &str, salt: Option<&str>) {
    let path = ws.path("jiuzhu.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replacen("  name: 青禾县", &format!("  name: {name}"), 1);
    if let Some(salt) = salt {
        text = text.replacen(
            "salt: \"qinghe-2026-change-this-salt\"",
            &format!("salt: \"{salt}\""),
            1,
        );
    }
    assert!(text.contains(name));
    std::fs::write(&path, text).unwrap();
}

/// A second county holding one case of `a`'s, its only member in force in both: the case, its member, its
/// decisions and payments copied by hand. Returns the county and the person's ID number.
fn second_county(a: &Ws) -> (Ws, String) {
    let cases: Vec<Case> = a.records();
    let members: Vec<Member> = a.records();
    let decisions: Vec<Decision> = a.records();
    let payments: Vec<Payment> = a.records();
    let in_force = |c: &Case| {
        decisions
            .iter()
            .any(|d| d.case_id == c.case_id && d.status == jiuzhu::ledger::DecisionStatus::Effective && d.amount.0 > 0)
    };
    let case = cases
        .iter()
        .find(|c| members.iter().filter(|m| m.case_id == c.case_id).count() == 1 && in_force(c))
        .expect("a one-person household in force in the example month")
        .clone();
    let member = members.iter().find(|m| m.case_id == case.case_id).unwrap().clone();
    let b = Ws::new();
    rename(&b, "禾丰县", None);
    b.write_ledger(std::slice::from_ref(&case));
    b.write_ledger(std::slice::from_ref(&member));
    b.write_ledger(
        &decisions
            .iter()
            .filter(|d| d.case_id == case.case_id)
            .cloned()
            .collect::<Vec<_>>(),
    );
    b.write_ledger(
        &payments
            .iter()
            .filter(|p| p.case_id == case.case_id)
            .cloned()
            .collect::<Vec<_>>(),
    );
    (b, member.id_number.as_str().to_string())
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn money(v: &serde_json::Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("money as a string: {v}"));
    let (yuan, fen) = s.split_once('.').unwrap();
    yuan.replace(',', "").parse::<i64>().unwrap() * 100 + fen.parse::<i64>().unwrap()
}

/// The keys of a `--json` object, `command` and `exit` left out.
fn object_keys(o: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = o
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "command" && *k != "exit")
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// The keys docs/json.md lists under `### \`rollup\``.
fn doc_keys() -> Vec<String> {
    let doc = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md")).unwrap();
    let section = doc
        .split("### `rollup`")
        .nth(1)
        .expect("docs/json.md has a `rollup` section");
    let section = section.split("\n### ").next().unwrap();
    let mut keys: Vec<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(k, _)| k.to_string()))
        .collect();
    keys.sort();
    keys
}

fn rollup(args: &[&str]) -> std::process::Output {
    jiuzhu().arg("rollup").args(args).output().unwrap()
}

#[test]
fn counties_are_added_up_and_a_person_in_two_of_them_is_found_by_hash() {
    let a = month::month();
    let (b, id) = second_county(&a);
    let c = Ws::new();
    rename(&c, "石门县", None);
    let (pa, pb, pc) = (month::s(a.root()), month::s(b.root()), month::s(c.root()));
    let out_dir = tempfile::tempdir().unwrap();
    let book = out_dir.path().join("2026-11-汇总表.xlsx");
    let before: Vec<_> = [&a, &b, &c].iter().map(|w| snapshot(w.root(), &[])).collect();

    // The totals are the sum of each county's own report.
    let out = rollup(&[
        "--json",
        &pa,
        &pb,
        &pc,
        "--period",
        "2026-11",
        "--out",
        &month::s(&book),
    ]);
    assert_exit(&out, 1);
    let o = json(&out);
    assert_eq!(o["command"], "rollup");
    assert_eq!(
        object_keys(&o),
        doc_keys(),
        "docs/json.md's `rollup` table and the object"
    );
    let mut sums = [0i64; 4];
    for ws in [&a, &b, &c] {
        let r = ws.run(&["--json", "report", "--period", "2026-11", "--dry-run"]);
        assert!(r.status.code() != Some(2), "{}", stderr(&r));
        let r = json(&r);
        sums[0] += r["households"].as_i64().unwrap();
        sums[1] += r["persons"].as_i64().unwrap();
        sums[2] += money(&r["amount"]);
        sums[3] += money(&r["paid_year_to_date"]);
    }
    assert!(sums[0] > 1, "the example month has households in force: {sums:?}");
    assert_eq!(o["households"].as_i64().unwrap(), sums[0]);
    assert_eq!(o["persons"].as_i64().unwrap(), sums[1]);
    assert_eq!(money(&o["amount"]), sums[2]);
    assert_eq!(money(&o["paid_year_to_date"]), sums[3]);
    let counties = o["counties"].as_array().unwrap();
    assert_eq!(
        counties.iter().map(|c| c["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["青禾县", "禾丰县", "石门县"]
    );
    assert_eq!(counties[1]["households"], 1);
    assert_eq!(counties[2]["households"], 0);

    // The one person in force in both is found, by masked ID and hash, never in plain.
    assert_eq!(o["in_several_counties"], 1, "{o:#}");
    let found = &o["people"][0];
    assert_eq!(found["id_masked"], jiuzhu::domain::mask::id(&id));
    assert_eq!(found["id_hash"].as_str().unwrap().len(), 64);
    assert_eq!(found["overlap"], "2026-11");
    let places = found["places"].as_array().unwrap();
    assert_eq!(
        places.iter().map(|p| p["county"].as_str().unwrap()).collect::<Vec<_>>(),
        ["禾丰县", "青禾县"]
    );
    assert!(!stdout(&out).contains(&id) && !stderr(&out).contains(&id));

    // The workbook: the counties, the schemes, the person — and no plain ID number in any cell.
    let wb = jiuzhu::sheet::reader::read_workbook(&book, jiuzhu::sheet::reader::Encoding::Detect).unwrap();
    let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["汇总", "按类别", "按县按类别", "跨县重复享受"]);
    let text = |i: usize| {
        wb.sheets[i]
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.clone()).collect::<Vec<_>>().join("|"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(text(0).contains("青禾县") && text(0).contains("石门县") && text(0).contains("合计"));
    let dups = text(3);
    assert!(dups.contains(found["id_hash"].as_str().unwrap()), "{dups}");
    assert!(dups.contains("禾丰县") && dups.contains("青禾县"), "{dups}");
    for (i, name) in names.iter().enumerate() {
        assert!(!text(i).contains(&id), "a plain ID number in sheet {name}");
    }

    // Nothing was written into any county.
    for (w, snap) in [&a, &b, &c].iter().zip(&before) {
        assert_same_files(snap, &snapshot(w.root(), &[]), "rollup");
    }

    // Under Chinese every line is Chinese; without the shared person, nothing needs a person.
    let out = zh(jiuzhu())
        .args(["rollup", &pa, &pb, "--period", "2026-11"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_chinese(&out);
    assert!(stdout(&out).contains("跨县重复享受"), "{}", stdout(&out));
    assert!(!stdout(&out).contains(&id));
    let out = zh(jiuzhu())
        .args(["rollup", &pa, &pc, "--period", "2026-11"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_chinese(&out);
    let out = rollup(&[&pa, &pc, "--period", "2026-11"]);
    assert_exit(&out, 0);
    assert!(
        first_line(&out).starts_with("rollup 2026-11: 2 counties"),
        "{}",
        stdout(&out)
    );

    // A county whose ledgers do not read is named, and nothing is written.
    let decisions = b.read("ledgers/decisions.csv");
    let (header, rows) = decisions.split_once('\n').unwrap();
    std::fs::write(
        b.path("ledgers/decisions.csv"),
        format!("{header}\n{}", rows.replacen(",2026-11,", ",2026-13,", 1)),
    )
    .unwrap();
    let bad = out_dir.path().join("bad.xlsx");
    let out = zh(jiuzhu())
        .args(["rollup", &pa, &pb, "--period", "2026-11", "--out", &month::s(&bad)])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert!(
        stderr(&out).contains(&pb) && stderr(&out).contains("decisions.csv"),
        "{}",
        stderr(&out)
    );
    assert!(!bad.exists());
}

#[test]
fn counties_with_different_salts_are_refused() {
    let (a, b, c) = (Ws::new(), Ws::new(), Ws::new());
    rename(&b, "禾丰县", Some("hefeng-county-own-salt-2026"));
    rename(&c, "石门县", None);
    let out_dir = tempfile::tempdir().unwrap();
    let book = out_dir.path().join("汇总表.xlsx");
    let args = |lang_zh: bool| {
        let mut cmd = if lang_zh { zh(jiuzhu()) } else { jiuzhu() };
        cmd.args(["rollup", &month::s(a.root()), &month::s(b.root()), &month::s(c.root())])
            .args(["--period", "2026-11", "--out", &month::s(&book)]);
        cmd.output().unwrap()
    };
    let out = args(false);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("exchange.salt"), "{err}");
    assert!(
        err.contains("salt 1: 青禾县") && err.contains("石门县") && err.contains("salt 2: 禾丰县"),
        "{err}"
    );
    assert!(
        !err.contains("hefeng-county-own-salt-2026"),
        "a salt is a secret: {err}"
    );
    assert!(!book.exists());
    let out = args(true);
    assert_exit(&out, 2);
    assert_chinese(&out);
    assert!(
        stderr(&out).contains("盐不一致") || stderr(&out).contains("不一致"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_folder_that_is_not_a_workspace_is_refused() {
    let a = Ws::new();
    let not = tempfile::tempdir().unwrap();
    let book = not.path().join("汇总表.xlsx");
    for lang_zh in [false, true] {
        let mut cmd = if lang_zh { zh(jiuzhu()) } else { jiuzhu() };
        let out = cmd
            .args(["rollup", &month::s(a.root()), &month::s(not.path())])
            .args(["--period", "2026-11", "--out", &month::s(&book)])
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(&month::s(not.path())), "{}", stderr(&out));
        if lang_zh {
            assert_chinese(&out);
        } else {
            assert!(stderr(&out).contains("is not a jiuzhu workspace"), "{}", stderr(&out));
        }
        assert!(!book.exists());
    }
    // A step interrupted after its commit point is left for the county's own jiuzhu to finish: rollup writes nothing.
    let b = Ws::new();
    std::fs::create_dir_all(b.path(".jiuzhu/commit")).unwrap();
    let before = snapshot(b.root(), &[]);
    let out = rollup(&[&month::s(a.root()), &month::s(b.root()), "--period", "2026-11"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    assert_same_files(&before, &snapshot(b.root(), &[]), "rollup");
    // The same workspace twice would be counted twice.
    let out = rollup(&[&month::s(a.root()), &month::s(a.root()), "--period", "2026-11"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("same workspace"), "{}", stderr(&out));
}
