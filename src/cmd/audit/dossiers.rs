//! Audit's check of the archive (一户一档): every dossier `ledgers/archive_index.csv` lists as archived is in
//! `archive/`, with every file its `MANIFEST.csv` lists (J106). Whether the files are as they were archived (their
//! SHA-256) is for `jiuzhu archive verify`; a dossier purged after its retention (`status` `purged`) is gone by
//! right.

use super::*;

/// The manifest of a dossier, which lists its other files.
const MANIFEST: &str = "MANIFEST.csv";

/// What is on disk of one dossier the index lists as archived, read before the checks run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct OnDisk {
    /// The files in the dossier's folder, by their path inside it (`cases.csv`); none when there is no folder.
    pub files: BTreeSet<String>,
    /// The files its `MANIFEST.csv` lists; none when the manifest is missing or cannot be read.
    pub listed: Vec<String>,
}

fn archived(e: &&ArchiveEntry) -> bool {
    e.status == "archived"
}

/// What is on disk of every dossier of `index` still archived, by its path (`archive/2026/CASE_ID`).
pub(super) fn read_dossiers(ws: &Workspace, index: &[ArchiveEntry]) -> BTreeMap<String, OnDisk> {
    index
        .par_iter()
        .filter(archived)
        .map(|e| {
            let dir = ws.path(&e.path);
            let mut files = BTreeSet::new();
            files_under(&dir, "", &mut files);
            let listed = if files.contains(MANIFEST) {
                listed_in(&std::fs::read(dir.join(MANIFEST)).unwrap_or_default())
            } else {
                Vec::new()
            };
            (e.path.clone(), OnDisk { files, listed })
        })
        .collect()
}

/// The files under `dir`, as paths relative to it (`prefix` joined before each name).
fn files_under(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            files_under(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name);
        }
    }
}

/// The file names a manifest lists (its first column, `file`); as many as can be read.
fn listed_in(manifest: &[u8]) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(manifest)
        .records()
        .map_while(|r| r.ok())
        .filter_map(|r| r.get(0).map(str::to_string))
        .filter(|name| !name.is_empty())
        .collect()
}

/// J106: a dossier listed as archived that is missing from `archive/`, or lacks its manifest or a file the manifest
/// lists.
pub(super) fn archive_dossiers(ctx: &Audit) -> Vec<Finding> {
    let none = OnDisk::default();
    let mut f = Vec::new();
    for e in ctx.d.archive.iter().filter(archived) {
        let on_disk = ctx.d.dossiers.get(&e.path).unwrap_or(&none);
        let path = &e.path;
        let fix = m(
            format!(
                "restore it from Git (`git checkout -- {path}`) or a backup (`jiuzhu archive` does not make an archived \
                 dossier again), then run `jiuzhu archive verify`"
            ),
            format!(
                "请从 Git (`git checkout -- {path}`) 或备份恢复 (`jiuzhu archive` 不会重新生成已归档的档案), \
                 再运行 `jiuzhu archive verify` 核验"
            ),
        );
        if on_disk.files.is_empty() {
            f.push(err(
                "J106",
                &e.case_id,
                m(
                    format!("dossier {path} (archived, in ledgers/archive_index.csv) is missing from archive/"),
                    format!("档案 `{path}` 已登记在 `ledgers/archive_index.csv` 中, 但 `archive/` 中没有这份档案"),
                ),
                fix,
            ));
            continue;
        }
        let missing: Vec<&str> = std::iter::once(MANIFEST)
            .chain(on_disk.listed.iter().map(String::as_str))
            .filter(|name| !on_disk.files.contains(*name))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let en: Vec<String> = missing.iter().map(|n| format!("{path}/{n}")).collect();
        let zh: Vec<String> = missing.iter().map(|n| format!("`{path}/{n}`")).collect();
        f.push(err(
            "J106",
            &e.case_id,
            m(
                format!(
                    "dossier {path} (in ledgers/archive_index.csv) lacks {} file(s): {}",
                    missing.len(),
                    en.join(", ")
                ),
                format!(
                    "档案 `{path}` (登记在 `ledgers/archive_index.csv` 中) 缺少 {} 个文件: {}",
                    missing.len(),
                    zh.join("、")
                ),
            ),
            fix,
        ));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn entry(case_id: &str, status: &str) -> ArchiveEntry {
        let mut e: ArchiveEntry = row(&format!(
            "{case_id},2026,archive/2026/{case_id},2026-11-20,2031-11-20,\
             9f2c0a3c6d1f4b2e8a7d5c3b1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f,,{status},"
        ));
        e.case_id = case_id.into();
        e
    }

    fn on_disk(files: &[&str], listed: &[&str]) -> OnDisk {
        OnDisk {
            files: files.iter().map(|s| s.to_string()).collect(),
            listed: listed.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn found(l: &Ledgers) -> Vec<(String, String)> {
        let policy = policy();
        let a = Audit::new(&policy, l, None, false);
        archive_dossiers(&a)
            .into_iter()
            .map(|x| {
                assert_eq!((x.code, x.severity), ("J106", Severity::Error));
                (x.case_id, x.what.en)
            })
            .collect()
    }

    #[test]
    fn a_dossier_with_every_file_is_no_finding() {
        let listed = ["cases.csv", "dossier.xlsx"];
        let l = Ledgers {
            archive: vec![entry("CD-1", "archived")],
            dossiers: [(
                "archive/2026/CD-1".to_string(),
                on_disk(&["MANIFEST.csv", "cases.csv", "dossier.xlsx"], &listed),
            )]
            .into(),
            ..Ledgers::default()
        };
        assert_eq!(found(&l), []);
    }

    #[test]
    fn a_missing_dossier_or_file_is_named_with_its_case_and_path() {
        let l = Ledgers {
            archive: vec![
                entry("CD-1", "archived"),
                entry("CD-2", "archived"),
                entry("CD-3", "archived"),
                // Purged after retention: gone by right.
                entry("CD-4", "purged"),
            ],
            dossiers: [
                (
                    "archive/2026/CD-2".to_string(),
                    on_disk(&["MANIFEST.csv", "cases.csv"], &["cases.csv", "dossier.xlsx"]),
                ),
                ("archive/2026/CD-3".to_string(), on_disk(&["cases.csv"], &[])),
            ]
            .into(),
            ..Ledgers::default()
        };
        let f = found(&l);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(f[0].0, "CD-1");
        assert!(
            f[0].1.contains("archive/2026/CD-1") && f[0].1.contains("missing"),
            "{f:?}"
        );
        assert_eq!(f[1].0, "CD-2");
        assert!(f[1].1.contains("archive/2026/CD-2/dossier.xlsx"), "{f:?}");
        assert!(!f[1].1.contains("cases.csv"), "{f:?}");
        assert_eq!(f[2].0, "CD-3");
        assert!(f[2].1.contains("archive/2026/CD-3/MANIFEST.csv"), "{f:?}");
    }

    #[test]
    fn a_manifest_lists_its_files_in_its_first_column() {
        let manifest = b"file,bytes,rows,sha256\ncases.csv,10,1,ab\ndossier.xlsx,20,,cd\n";
        assert_eq!(listed_in(manifest), ["cases.csv", "dossier.xlsx"]);
        assert_eq!(listed_in(b""), Vec::<String>::new());
    }
}
