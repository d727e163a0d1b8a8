//! Brief fuzzing of the table reader and register parser: every fixture (the seed corpus, `fixtures/intake/`)
//! is mutated — bytes flipped, runs overwritten, the file cut short — and fed through the same path `intake`
//! uses. Whatever the bytes, the reader must answer with sheets or an error, never a panic or a hang.
//! Failing inputs are kept by proptest in `proptest-regressions/` and replayed first on every run.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiuzhu::policy::Policy;
use jiuzhu::register::read_register;
use jiuzhu::sheet::fields::HeaderNames;
use jiuzhu::sheet::reader::{read_workbook_bytes, Encoding};
use proptest::prelude::*;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/intake");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixtures/intake exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("xlsx" | "xls" | "ods" | "csv")
            )
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn policy() -> Policy {
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates/jiuzhu.yaml")).unwrap();
    Policy::parse(&text, "jiuzhu.yaml").unwrap()
}

/// Reads bytes the way intake does; the result is irrelevant, only that it returns.
fn read_any(name: &str, bytes: &[u8], policy: &Policy, names: &HeaderNames) {
    if let Ok(wb) = read_workbook_bytes(name, bytes, Encoding::Detect) {
        if let Ok(Ok(mut read)) = read_register(&wb, 0, policy, names, &[]) {
            let dates = jiuzhu::domain::date::DateBounds::new([], jiuzhu::register::applied_dates(&read.households));
            for h in read.households.iter_mut() {
                let _ = jiuzhu::register::check_household(h, policy, &dates);
            }
        }
    }
}

#[test]
fn every_fixture_reads_without_panic() {
    let policy = policy();
    let names = HeaderNames::new(&BTreeMap::new());
    let corpus = corpus();
    assert!(corpus.len() >= 10, "the seed corpus is fixtures/intake");
    for (name, bytes) in &corpus {
        read_any(name, bytes, &policy, &names);
    }
}

proptest! {
    // A fixed seed keeps CI reproducible; explore new inputs with `JIUZHU_FUZZ_SEED=N cargo test --test fuzz_reader`.
    #![proptest_config(ProptestConfig {
        cases: 500,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("JIUZHU_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261122),
        ),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_fixtures_never_panic(
        pick in 0usize..64,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let corpus = corpus();
        let (name, original) = &corpus[pick % corpus.len()];
        let mut bytes = original.clone();
        if !bytes.is_empty() {
            for (at, b) in &flips {
                let i = at.index(bytes.len());
                bytes[i] = *b;
            }
            if let Some(c) = cut {
                bytes.truncate(c.index(bytes.len()) + 1);
            }
        }
        read_any(name, &bytes, &policy(), &HeaderNames::new(&BTreeMap::new()));
    }

    #[test]
    fn arbitrary_csv_text_never_panics(text in "\\PC{0,400}") {
        read_any("x.csv", text.as_bytes(), &policy(), &HeaderNames::new(&BTreeMap::new()));
    }

    #[test]
    fn register_shaped_csv_never_panics(rows in proptest::collection::vec(
        proptest::collection::vec("[0-9X.E+,，、 序号姓名身份证号与户主关系申请类别合计户主配偶子女城市低保城关镇东街社区-]{0,20}", 0..8), 0..12))
    {
        let mut text = String::from("序号,户主身份证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),申请日期,月收入(元)\n");
        for r in rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        read_any("r.csv", text.as_bytes(), &policy(), &HeaderNames::new(&BTreeMap::new()));
    }
}
