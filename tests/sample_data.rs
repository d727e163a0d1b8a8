//! `jiuzhu sample-data`: deterministic bytes, valid IDs everywhere, a workspace that takes its own registers,
//! passes verify with its own visits, and whose registries give exactly the planted hits. Small sizes only:
//! timings belong to `bench/`, never to a test.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::domain::id_number;

fn generate(dir: &Path, households: usize, seed: u64, extra: &[&str]) {
    let mut args = vec![
        "sample-data".to_string(),
        "--households".into(),
        households.to_string(),
        "--seed".into(),
        seed.to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(dir.display().to_string());
    let out = jiuzhu().args(&args).output().unwrap();
    assert_exit(&out, 0);
}

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_path(path).unwrap();
    let header = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn same_seed_same_bytes_other_seed_other_people() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    generate(&a, 120, 7, &["--xlsx-rows", "300"]);
    generate(&b, 120, 7, &["--xlsx-rows", "300"]);
    generate(&c, 120, 8, &["--xlsx-rows", "300"]);
    let (ta, tb, tc) = (tree(&a), tree(&b), tree(&c));
    assert!(ta.contains_key(Path::new("jiuzhu.yaml")));
    assert!(ta.contains_key(Path::new("inputs/registers/register-100k.xlsx")));
    assert!(ta.contains_key(Path::new("inputs/expected-hits.csv")));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(
            tb[k] == *v,
            "{} differs between two runs with the same seed",
            k.display()
        );
    }
    let reg = Path::new("inputs/registers/城关镇-申请登记.csv");
    assert_ne!(ta[reg], tc[reg], "another seed gives other households");
    // A second run into a workspace is refused: sample-data never overwrites one.
    let out = jiuzhu()
        .args(["sample-data", "--households", "5"])
        .arg(&a)
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

#[test]
fn every_id_is_valid_and_households_are_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    generate(&dir, 300, 11, &[]);
    let mut people = BTreeSet::new();
    let mut households = 0;
    for f in files_in(&dir.join("inputs/registers"), "csv") {
        let (header, rows) = csv_rows(&f);
        assert_eq!(header[0], "序号");
        let id_col = header.iter().position(|h| h == "身份证号").unwrap();
        let key_col = header.iter().position(|h| h == "户主身份证号").unwrap();
        let rel_col = header.iter().position(|h| h == "与户主关系").unwrap();
        for r in &rows {
            let id = id_number::parse(&r[id_col]).unwrap_or_else(|e| panic!("{}: {e}", r[id_col]));
            assert!(id.as_str().starts_with("130199"), "county region code: {}", id.as_str());
            assert!(people.insert(id.as_str().to_string()), "a person in two households");
            // Household fields on the head's row only.
            if r[rel_col] == "户主" {
                households += 1;
                assert_eq!(r[key_col], r[id_col]);
            } else {
                assert_eq!(r[key_col], "");
            }
        }
    }
    assert_eq!(households, 300);
    for f in files_in(&dir.join("inputs/registries"), "csv") {
        let (header, rows) = csv_rows(&f);
        let id_col = header
            .iter()
            .position(|h| ["身份证号", "身份证号码", "公民身份号码", "证件号码"].contains(&h.as_str()))
            .unwrap();
        assert!(!rows.is_empty(), "{}", f.display());
        for r in &rows {
            assert!(id_number::parse(&r[id_col]).is_ok(), "{}: {}", f.display(), r[id_col]);
        }
    }
    let (_, visits) = csv_rows(&dir.join("inputs/visits.csv"));
    assert_eq!(
        visits.len(),
        600,
        "a village visit and a township re-visit per household"
    );
}

#[test]
fn the_workspace_takes_its_registers_verifies_and_finds_exactly_the_planted_hits() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    generate(&dir, 400, 2026, &["--registry-rows", "3000", "--hit-percent", "2"]);
    let registers: Vec<PathBuf> = files_in(&dir.join("inputs/registers"), "csv");
    let members: usize = registers.iter().map(|f| csv_rows(f).1.len()).sum();

    let out = jiuzhu()
        .arg("-C")
        .arg(&dir)
        .arg("intake")
        .args(&registers)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let (_, cases) = csv_rows(&dir.join("ledgers/cases.csv"));
    let (_, ledger_members) = csv_rows(&dir.join("ledgers/members.csv"));
    assert_eq!(cases.len(), 400);
    assert_eq!(ledger_members.len(), members);

    // Every household has its visits: no home-visit or re-visit check asks for anything.
    let out = jiuzhu()
        .arg("-C")
        .arg(&dir)
        .args(["verify", "--as-of", "2026-11-20", "--visits", "inputs/visits.csv"])
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    let (header, checks) = csv_rows(&dir.join("ledgers/checks.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    for c in &checks {
        if [
            "home_visit",
            "revisit",
            "time_limit",
            "identity",
            "relations",
            "duplicate_person",
        ]
        .contains(&c[col("check")].as_str())
        {
            assert_eq!(c[col("result")], "pass", "{c:?}");
        }
    }
    let income_fail = checks
        .iter()
        .filter(|c| c[col("check")] == "income" && c[col("result")] == "fail")
        .count();
    assert!(
        income_fail > 20 && income_fail < 160,
        "about a quarter above the standard: {income_fail}"
    );

    let mut args = vec!["compare".to_string()];
    for r in [
        "deaths",
        "vehicles",
        "real_estate",
        "payroll",
        "relatives",
        "other_schemes",
    ] {
        args.push("--source".into());
        args.push(format!("{r}=inputs/registries/{r}.csv"));
    }
    let out = jiuzhu().arg("-C").arg(&dir).args(&args).output().unwrap();
    let (_, expected) = csv_rows(&dir.join("inputs/expected-hits.csv"));
    assert!(!expected.is_empty());
    assert_exit(&out, 1);
    let (header, matches) = csv_rows(&dir.join("ledgers/matches.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let found: BTreeSet<(String, String, String)> = matches
        .iter()
        .map(|m| {
            (
                m[col("source")].clone(),
                m[col("source_row")].clone(),
                m[col("id_number")].clone(),
            )
        })
        .collect();
    let planted: BTreeSet<(String, String, String)> = expected
        .iter()
        .map(|e| (e[0].clone(), e[1].clone(), e[2].clone()))
        .collect();
    assert_eq!(matches.len(), expected.len(), "no name-and-birth leads, no duplicates");
    assert_eq!(found, planted);
}

#[test]
fn the_province_region_is_valid_and_its_registers_are_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    // The province's region (50 townships) with few households.
    let out = jiuzhu()
        .args([
            "sample-data",
            "--size",
            "province",
            "--households",
            "300",
            "--registry-rows",
            "100",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let policy = jiuzhu::policy::Policy::load(&dir.join("jiuzhu.yaml")).unwrap();
    assert_eq!(policy.region.townships.len(), 50);
    let registers = files_in(&dir.join("inputs/registers"), "csv");
    assert!(registers.len() > 40, "one register per township with applicants");
    let out = jiuzhu()
        .arg("-C")
        .arg(&dir)
        .arg("intake")
        .args(&registers)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(csv_rows(&dir.join("ledgers/cases.csv")).1.len(), 300);
}
