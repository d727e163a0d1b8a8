//! Ledgers kept in partitions ([`Record::PARTITIONED`]): a ledger that grows with time (payments: ~40,000 rows a
//! county month) is one file per partition — `ledgers/payments/2026-11.csv`, the month of the batch — each with
//! the ledger's header and sorted by key, as every ledger is. A step puts the whole ledger ([`put`]); each
//! partition is a file of the step's commit, whose byte comparison leaves every partition the step did not change
//! untouched, so a month's `disburse` rewrites its own month and not five years of payments.
//!
//! Read ([`read`]), the partitions are one ledger in key order, as the single file was: every partition is
//! validated on its own (header, rows, keys, order — errors name `ledgers/payments/2026-11.csv`), each of its
//! rows must belong to it, no partition is empty (jiuzhu removes a partition it would leave empty), and a key
//! appears in one partition only.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use rayon::prelude::*;

use super::{Payment, Record, Store};

/// The folders of the partitioned ledgers under `ledgers/`, whose `.csv` files the seal holds as ledgers.
pub const FOLDERS: &[&str] = &["payments"];

/// The folder of a partitioned ledger under `ledgers/`: its file name without `.csv` (`payments`).
pub fn folder<R: Record>() -> &'static str {
    R::FILE.strip_suffix(".csv").unwrap_or(R::FILE)
}

/// A partition's name under `ledgers/`, as the seal and messages name it (`payments/2026-11.csv`).
pub fn name_of<R: Record>(partition: &str) -> String {
    format!("{}/{partition}.csv", folder::<R>())
}

/// A partition's workspace-relative path (`ledgers/payments/2026-11.csv`).
pub fn path_of<R: Record>(partition: &str) -> PathBuf {
    PathBuf::from("ledgers").join(name_of::<R>(partition))
}

/// The ledger a file under `ledgers/` belongs to: `payments.csv` for `payments/2026-11.csv`, else the name.
pub fn ledger_of(name: &str) -> String {
    match name.split_once('/') {
        Some((dir, _)) => format!("{dir}.csv"),
        None => name.to_string(),
    }
}

/// The partitions present, by name under `ledgers/` (`payments/2026-11.csv`), in name order.
pub fn names<R: Record>(store: &impl Store) -> Result<Vec<String>> {
    let dir = Path::new("ledgers").join(folder::<R>());
    Ok(store
        .list_ledgers(&dir)?
        .into_iter()
        .map(|f| format!("{}/{f}", folder::<R>()))
        .collect())
}

/// One partition as read: its name under `ledgers/`, its bytes and its records.
pub struct Part<B, R> {
    pub name: String,
    pub bytes: B,
    pub records: Vec<R>,
}

/// Refuses a workspace that still has the ledger as one file (`ledgers/payments.csv`, before issue 21): a
/// step says to run `jiuzhu upgrade`, which moves it into partitions.
pub(crate) fn refuse_former<R: Record>(store: &impl Store) -> Result<()> {
    if store.read_ledger(&super::path_of::<R>())?.is_none() {
        return Ok(());
    }
    let (shown, dir) = (format!("ledgers/{}", R::FILE), format!("ledgers/{}/", folder::<R>()));
    bail!(
        "{}",
        crate::i18n::tr(
            format!(
                "{shown} was written by an earlier version of jiuzhu, which kept it in one file (now one file a month \
                 under {dir}): run `jiuzhu upgrade` once to move the workspace to the present format (a step of its \
                 own, in the journal; nothing is lost)"
            ),
            format!(
                "{shown} 是较早版本的 jiuzhu 写的, 当时存为一个文件 (现在按月分文件存于 {dir}): 请运行一次 \
                 `jiuzhu upgrade`, 把工作区转换为现在的格式 (单独一步, 记入日志; 不丢失任何内容)"
            ),
        )
    )
}

/// Every partition, read and validated on its own (see the module doc), in name order.
pub fn read_parts<R: Record, S: Store>(store: &S) -> Result<Vec<Part<S::Bytes, R>>> {
    refuse_former::<R>(store)?;
    let names = names::<R>(store)?;
    // One partition after another: each is parsed on every core.
    names
        .into_iter()
        .map(|name| {
            let bytes = store
                .read_ledger(&Path::new("ledgers").join(&name))?
                .ok_or_else(|| anyhow::anyhow!("ledgers/{name} vanished while it was read"))?;
            let records = parse_part::<R>(&name, &bytes)?;
            Ok(Part { name, bytes, records })
        })
        .collect()
}

/// Parses one partition (`name` under `ledgers/`): the ledger's checks, then that it holds rows and only its own.
pub fn parse_part<R: Record>(name: &str, bytes: &[u8]) -> Result<Vec<R>> {
    let records = super::parse::<R>(name, bytes)?;
    let stem = name.rsplit('/').next().unwrap_or(name).trim_end_matches(".csv");
    let advice = || {
        crate::i18n::tr(
            format!("restore it from Git (`git checkout -- ledgers/{name}`) rather than editing it by hand"),
            format!("请从 Git 恢复 (`git checkout -- ledgers/{name}`), 不要手工编辑"),
        )
    };
    if records.is_empty() {
        bail!(
            "{}",
            crate::i18n::tr(
                format!(
                    "ledgers/{name} holds no rows (jiuzhu never leaves a partition empty): {}",
                    advice()
                ),
                format!("ledgers/{name} 没有数据行 (jiuzhu 不会留下空的分区文件): {}", advice()),
            )
        );
    }
    if let Some((row, r)) = records.iter().enumerate().find(|(_, r)| r.partition() != stem) {
        let (row, other) = (row + 1, name_of::<R>(&r.partition()));
        bail!(
            "{}",
            crate::i18n::tr(
                format!("ledgers/{name} data row {row} belongs in ledgers/{other}: {}", advice()),
                format!("ledgers/{name} 第 {row} 条数据应在 ledgers/{other} 中: {}", advice()),
            )
        );
    }
    Ok(records)
}

/// The partitions as one ledger, in key order; a key in two partitions is refused.
pub fn join<B, R: Record>(parts: Vec<Part<B, R>>) -> Result<Vec<R>> {
    let total = parts.iter().map(|p| p.records.len()).sum();
    let mut out = Vec::with_capacity(total);
    for p in parts {
        out.extend(p.records);
    }
    // Each partition is in key order: a stable sort finds the runs and merges them.
    if !out.par_windows(2).all(|w| w[0].key_cmp(&w[1]).is_lt()) {
        out.par_sort_by(|a, b| a.key_cmp(b));
    }
    if let Some(w) = out.windows(2).find(|w| w[0].key_cmp(&w[1]).is_eq()) {
        let (key, dir) = (w[0].key(), format!("ledgers/{}/", folder::<R>()));
        let (a, b) = (name_of::<R>(&w[0].partition()), name_of::<R>(&w[1].partition()));
        bail!(
            "{}",
            crate::i18n::tr(
                format!("{dir}: the key {key} appears twice ({a}, {b}): restore the folder from Git rather than editing it by hand"),
                format!("{dir}: 键 {key} 出现了两次 ({a}、{b}): 请从 Git 恢复该文件夹, 不要手工编辑"),
            )
        );
    }
    Ok(out)
}

/// Reads a partitioned ledger whole (see the module doc).
pub fn read<R: Record>(store: &impl Store) -> Result<Vec<R>> {
    join(read_parts::<R, _>(store)?)
}

/// Puts a partitioned ledger into a step's writes: each partition its records' file, sorted by key; a partition
/// present that no record is in any more is removed.
pub fn put<R: Record>(txn: &mut super::txn::Txn, store: &impl Store, records: &[R]) -> Result<()> {
    let written = split(records)?;
    for name in names::<R>(store)? {
        let stem = name.rsplit('/').next().unwrap_or(&name).trim_end_matches(".csv");
        if !written.iter().any(|(p, _)| p == stem) {
            txn.remove(Path::new("ledgers").join(&name));
        }
    }
    for (p, bytes) in written {
        txn.put(path_of::<R>(&p), bytes);
    }
    Ok(())
}

/// The bytes of each partition of `records` (by partition, in name order), each sorted by key.
pub fn split<R: Record>(records: &[R]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut groups: std::collections::BTreeMap<String, Vec<&R>> = Default::default();
    for r in records {
        groups.entry(r.partition()).or_default().push(r);
    }
    groups
        .into_par_iter()
        .map(|(p, recs)| Ok((p, super::refs_to_bytes(&recs)?)))
        .collect()
}

/// Whether `name` (under `ledgers/`) is a partition of a partitioned ledger: validated as one, else `None`.
pub fn validate(name: &str, bytes: &[u8]) -> Option<Result<()>> {
    let (dir, _) = name.split_once('/')?;
    (dir == folder::<Payment>()).then(|| parse_part::<Payment>(name, bytes).map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folders_are_the_partitioned_ledgers() {
        assert_eq!(FOLDERS, [folder::<Payment>()]);
        const { assert!(<Payment as Record>::PARTITIONED) };
        assert_eq!(name_of::<Payment>("2026-11"), "payments/2026-11.csv");
        assert_eq!(ledger_of("payments/2026-11.csv"), "payments.csv");
        assert_eq!(ledger_of("cases.csv"), "cases.csv");
        let key = Some(&["payment_id"][..]);
        assert_eq!(crate::ledger::diff::ledger_key("ledgers/payments/2026-11.csv"), key);
        assert_eq!(crate::ledger::diff::ledger_key("payments/2026-11.csv"), key);
        assert_eq!(crate::ledger::diff::ledger_key("cases.csv"), Some(&["case_id"][..]));
    }

    fn payment(id: &str, batch: &str) -> String {
        format!(
            "{id},{batch},{batch},CD-1,urban_dibao,张好,青禾县农村信用社,6229530100000000001,560.00,regular,false,D-1,\
             issued,,,\n"
        )
    }

    fn file(rows: &[String]) -> Vec<u8> {
        format!("{}\n{}", Payment::COLUMNS.join(","), rows.concat()).into_bytes()
    }

    #[test]
    fn a_partition_holds_rows_and_only_its_own() {
        let good = file(&[payment("P-1", "2026-11"), payment("P-2", "2026-11")]);
        assert_eq!(parse_part::<Payment>("payments/2026-11.csv", &good).unwrap().len(), 2);
        assert!(crate::ledger::validate_named("payments/2026-11.csv", &good).is_ok());
        // Another month's row.
        let e = parse_part::<Payment>("payments/2026-12.csv", &good)
            .unwrap_err()
            .to_string();
        assert!(e.contains("data row 1 belongs in ledgers/payments/2026-11.csv"), "{e}");
        // No rows at all.
        let e = parse_part::<Payment>("payments/2026-11.csv", &file(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds no rows"), "{e}");
        // Another folder is no ledger.
        assert!(crate::ledger::validate_named("other/2026-11.csv", &good).is_err());
    }

    #[test]
    fn partitions_are_one_ledger_in_key_order_and_a_key_is_in_one_only() {
        let parts = |a: &[(&str, &str)]| -> Vec<Part<(), Payment>> {
            a.iter()
                .map(|(id, b)| Part {
                    name: name_of::<Payment>(b),
                    bytes: (),
                    records: crate::ledger::parse(b, &file(&[payment(id, b)])).unwrap(),
                })
                .collect()
        };
        let joined = join(parts(&[("P-3", "2026-11"), ("P-1", "2026-12"), ("P-2", "2027-01")])).unwrap();
        let ids: Vec<&str> = joined.iter().map(|p| p.payment_id.as_str()).collect();
        assert_eq!(ids, ["P-1", "P-2", "P-3"]);
        let e = join(parts(&[("P-1", "2026-11"), ("P-1", "2026-12")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("the key P-1 appears twice"), "{e}");
        // Written back: each partition its rows, in key order.
        let split = split(&joined).unwrap();
        let names: Vec<&str> = split.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["2026-11", "2026-12", "2027-01"]);
        assert_eq!(split[0].1, file(&[payment("P-3", "2026-11")]));
    }
}
