//! `jiuzhu compare` — data comparison (信息比对): every applicant and member of an open case is matched against
//! the registries of other departments (deaths, vehicles, real estate, payroll, relatives of staff …), each hit
//! is recorded in `ledgers/matches.csv`, and a person decides each one on a worksheet jiuzhu reads back.
//!
//! Matching is a hash join: the workspace's people (the smaller side) are held in a map keyed by normalised ID
//! number, and each registry row is looked up once — never cases × registry. A hit's ID is a hash of the source,
//! the person and the evidence, so the same evidence is always the same hit: a cleared hit stays cleared on the
//! next run, and new evidence (a new vehicle) opens a new hit.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use csv::StringRecord;
use rayon::prelude::*;

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::domain::id_number::{self, IdError, IdNumber};
use crate::domain::money::Fen;
use crate::domain::{date, text};
use crate::hash::{HashMap, HashSet};
use crate::i18n::tr;
use crate::ledger::events::{self, sha256_hex, NewEvent};
use crate::ledger::{self, Case, Disposition, Effect, Match, MatchKind, Member, Monitored, Text};
use crate::policy::{Policy, Registry, SchemeKind};
use crate::sheet::fields::HeaderNames;
use crate::sheet::reader::{self, find_header, Cell, Encoding, Header, RawSheet, HEADER_SEARCH_ROWS};
use crate::sheet::stream::{self, CsvRecords};
use crate::sheet::writer::{self, Column, Input, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

#[derive(Debug, Clone)]
pub enum Mode {
    /// Match the workspace's people against these registry files (NAME as declared in the policy).
    Match {
        sources: Vec<(String, PathBuf)>,
        hashed: bool,
    },
    /// Read back a filled compare-hits worksheet.
    Resolve { file: PathBuf, by: Option<String> },
    /// Write the workspace's people as salted hashes of their ID numbers.
    ExportHashed(PathBuf),
}

/// What `compare` was asked to do, resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub mode: Mode,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

// `jiuzhu compare`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Match applicants and members against other departments' registries (信息比对), and record what a \
person decided about each hit",
        "把申请人及家庭成员与其他部门的数据进行信息比对, 并记录经办人对每条命中的处理结论",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu compare --source deaths=死亡火化-10月.xlsx --source vehicles=车辆.csv\n  \
jiuzhu compare --resolve reports/compare-hits-3F9A0C21.xlsx\n  \
jiuzhu compare --export-hashed 青禾县-人员哈希.csv\n  \
jiuzhu compare --source other_schemes=邻县-人员哈希.csv --hashed",
        "示例:\n  jiuzhu compare --source deaths=死亡火化-10月.xlsx --source vehicles=车辆.csv\n  \
jiuzhu compare --resolve reports/compare-hits-3F9A0C21.xlsx\n  \
jiuzhu compare --export-hashed 青禾县-人员哈希.csv\n  \
jiuzhu compare --source other_schemes=邻县-人员哈希.csv --hashed",
    )),
    after_help = tr("\
Registries are declared under `registries:` in jiuzhu.yaml (deaths, vehicles, real_estate, business, payroll, \
social_insurance, provident_fund, relatives, blacklist, other_schemes, medical_bills). Hits go to \
ledgers/matches.csv and to a worksheet reports/compare-hits-BATCH.xlsx with a drop-down 处理结果 column \
(确认/排除); --resolve reads it back. A cleared hit stays cleared while its evidence is unchanged.\n\n\
Exit: 0 no open hits; 1 open hits need a person; 2 nothing done.", "\
比对数据在 jiuzhu.yaml 的 `registries:` 下声明 (`deaths`、`vehicles`、`real_estate`、`business`、`payroll`、\
`social_insurance`、`provident_fund`、`relatives`、`blacklist`、`other_schemes`、`medical_bills`)。命中记入 \
ledgers/matches.csv, 并写出工作表 reports/compare-hits-BATCH.xlsx, 其中 处理结果 列可下拉选择 (确认/排除); \
--resolve 读回该表。已排除的命中, 只要证据不变就一直保持排除。\n\n\
退出码: 0 没有待处理的命中; 1 有命中待人工处理; 2 未做任何事。")
)]
pub struct Args {
    #[arg(long, value_name = "NAME=FILE", help = tr(
        "A registry file: NAME=FILE, NAME as declared under `registries:` in jiuzhu.yaml. Repeatable",
        "一个比对数据文件: NAME=FILE, NAME 为 jiuzhu.yaml 中 `registries:` 下声明的名称。可重复给出",
    ))]
    pub source: Vec<String>,
    #[arg(long, requires = "source", help = tr(
        "The --source files hold salted hashes of ID numbers (from another office's --export-hashed)",
        "--source 文件中是身份证号的加盐哈希 (来自另一单位的 --export-hashed)",
    ))]
    pub hashed: bool,
    #[arg(long, value_name = "FILE", conflicts_with_all = ["source", "export_hashed"], help = tr(
        "Read back a filled compare-hits worksheet and record each disposition",
        "读回已填写的比对命中工作表, 记录每条命中的处理结论",
    ))]
    pub resolve: Option<PathBuf>,
    #[arg(long, requires = "resolve", help = tr(
        "Who decided the dispositions read by --resolve, when the sheet's 处理人 cells are blank",
        "--resolve 读入的处理结论由谁作出 (工作表的 处理人 单元格为空时)",
    ))]
    pub by: Option<String>,
    #[arg(long, value_name = "FILE", conflicts_with = "source", help = tr(
        "Write the workspace's people as salted hashes of their ID numbers, for exchange with another office",
        "把工作区人员的身份证号写成加盐哈希, 供与其他单位交换比对",
    ))]
    pub export_hashed: Option<PathBuf>,
    #[arg(long, value_name = "ENC", help = tr(
        "CSV encoding of registry files (default: detect)",
        "比对数据文件的 CSV 编码 (默认: 自动识别)",
    ))]
    pub encoding: Option<String>,
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (no period), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then_some(None)
    }
}

/// The command line's entry: `--source NAME=FILE` split, files taken from `-C DIR` as git does, the mode chosen.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let ws = ctx.workspace()?;
    let mut sources = Vec::new();
    for s in args.source {
        let (name, file) = s.split_once('=').ok_or_else(|| {
            anyhow!(
                "{}",
                tr(
                    format!("--source takes NAME=FILE (e.g. deaths=死亡火化.xlsx), not `{s}`"),
                    format!("--source 的写法是 名称=文件 (如 deaths=死亡火化.xlsx), 不是 `{s}`")
                )
            )
        })?;
        sources.push((name.to_string(), ctx.path(PathBuf::from(file))));
    }
    let mode = match (args.resolve, args.export_hashed) {
        (Some(f), _) => Mode::Resolve {
            file: ctx.path(f),
            by: args.by,
        },
        (None, Some(f)) => Mode::ExportHashed(ctx.path(f)),
        (None, None) if sources.is_empty() => {
            bail!(
                "{}",
                tr(
                    "give --source NAME=FILE, --resolve FILE or --export-hashed FILE",
                    "请给出 --source 名称=文件、--resolve 文件 或 --export-hashed 文件 之一"
                )
            )
        }
        (None, None) => Mode::Match {
            sources,
            hashed: args.hashed,
        },
    };
    run(
        &ws,
        &Request {
            mode,
            encoding: args.encoding,
            dry_run: args.dry_run,
            quiet: ctx.quiet,
        },
    )
}

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    match &args.mode {
        Mode::Match { sources, hashed } => run_match(ws, args, sources, *hashed),
        Mode::Resolve { file, by } => run_resolve(ws, args, file, by.as_deref()),
        Mode::ExportHashed(file) => run_export(ws, args, file),
    }
}

/// A person of an open case, as matched: borrowed from the ledgers read (a province holds millions).
#[derive(Debug, Clone, Copy)]
struct Person<'a> {
    case_id: &'a str,
    id: &'a IdNumber,
    name: &'a str,
    low_income: bool,
}

/// The cases and members ledgers, read on both cores.
fn read_people(ws: &Workspace) -> Result<(Vec<Case>, Vec<Member>)> {
    let (cases, members) = rayon::join(|| ledger::read::<Case>(ws), || ledger::read::<Member>(ws));
    Ok((cases?, members?))
}

/// The people of every open case (applicants and members), keyed by normalised ID. An ID in two open cases is
/// the person of the later one in the members ledger's order.
fn people<'a>(policy: &Policy, cases: &'a [Case], members: &'a [Member]) -> HashMap<&'a str, Person<'a>> {
    let open: HashMap<&str, &Case> = cases
        .iter()
        .filter(|c| c.status.is_open())
        .map(|c| (c.case_id.as_str(), c))
        .collect();
    let mut out = HashMap::with_capacity_and_hasher(members.len(), Default::default());
    for m in members {
        let Some(case) = open.get(m.case_id.as_str()) else {
            continue;
        };
        let low_income = policy
            .schemes
            .get(&case.scheme)
            .is_some_and(|s| matches!(s.kind, SchemeKind::Dibao | SchemeKind::Tekun));
        out.insert(
            m.id_number.as_str(),
            Person {
                case_id: &m.case_id,
                id: &m.id_number,
                name: &m.name.0,
                low_income,
            },
        );
    }
    out
}

pub use crate::domain::digest::id_hash;

fn salt(policy: &Policy) -> Result<&str> {
    policy.exchange.as_ref().map(|x| x.salt.as_str()).ok_or_else(|| {
        anyhow!(tr(
            "hashed exchange needs `exchange: {salt: …}` in jiuzhu.yaml, agreed with the other office",
            "哈希交换需要在 jiuzhu.yaml 中设置与对方单位约定的 `exchange: {salt: …}`"
        ))
    })
}

/// A registry row that matched someone.
#[derive(Debug, Clone)]
struct Found<'a> {
    person: Person<'a>,
    source: String,
    kind: MatchKind,
    row: u32,
    evidence: String,
    effect: Effect,
}

impl Found<'_> {
    /// Stable hit ID: the source and a hash of the person and the evidence.
    fn hit_id(&self) -> String {
        let h = sha256_hex(format!("{}|{}|{}", self.source, self.person.id.as_str(), self.evidence).as_bytes());
        format!("{}-{}", self.source, h[..10].to_uppercase())
    }
}

/// What a registry file gave.
struct Scanned<'a> {
    rows: usize,
    skipped_invalid: usize,
    /// What to say of the registry's columns matching did not read ([`reader::unused_lines`]), and how many
    /// of them look like a column meant.
    unused: (Vec<String>, usize),
    found: Vec<Found<'a>>,
    /// Rows about people in no open case that are warnings of active discovery (监测预警, [`Warned`]).
    warned: Vec<Warned>,
    /// The file's SHA-256.
    sha: String,
}

/// A registry row about a person in no open case that the policy's warning rules flag (监测预警): a bill over the
/// registry's amount line (the low-income line for a monitored household), or a death or a row of a `warning`
/// registry in a monitored household. `compare` records it as a discovery.
#[derive(Debug, Clone)]
struct Warned {
    id: IdNumber,
    name: String,
    row: u32,
    evidence: String,
}

fn run_match(ws: &Workspace, args: &Request, sources: &[(String, PathBuf)], hashed: bool) -> Result<Outcome> {
    let encoding = match &args.encoding {
        Some(e) => Encoding::parse(e)?,
        None => Encoding::Detect,
    };
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let (cases, members) = read_people(ws)?;
    let (cases, members) = (crate::kept_to_exit(cases), crate::kept_to_exit(members));
    let people = crate::kept_to_exit(people(&ws.policy, &cases, &members));
    crate::ui::phase("compare: people");
    let salt = if hashed { Some(salt(&ws.policy)?) } else { None };
    let by_hash: HashMap<String, Person> = match salt {
        Some(s) => people.values().map(|p| (id_hash(s, p.id), *p)).collect(),
        None => HashMap::default(),
    };
    // The name + birth-date index only when a registry given asks for such leads (it costs as much as the people).
    let wants_leads = sources
        .iter()
        .any(|(name, _)| ws.policy.registries.get(name).is_some_and(|r| r.name_birth_match));
    let by_name_birth: HashMap<(String, NaiveDate), Vec<&Person>> = if wants_leads {
        let mut m: HashMap<(String, NaiveDate), Vec<&Person>> = HashMap::default();
        for p in people.values() {
            m.entry((text::normalize_key(p.name), p.id.birth_date()))
                .or_default()
                .push(p);
        }
        // The leads of a name and birth date in ID order, whatever order the map gave them in.
        for ps in m.values_mut() {
            ps.sort_unstable_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        }
        m
    } else {
        HashMap::default()
    };

    // Every registry is known and given once before any is read.
    let mut seen_names = BTreeSet::new();
    let mut registries = Vec::with_capacity(sources.len());
    for (name, path) in sources {
        let registry = ws.policy.registries.get(name).ok_or_else(|| {
            let known: Vec<&str> = ws.policy.registries.keys().map(String::as_str).collect();
            anyhow!(tr(
                format!(
                    "no registry `{name}` in jiuzhu.yaml; declared: {} (add it under `registries:`)",
                    known.join(", ")
                ),
                format!(
                    "jiuzhu.yaml 中没有比对库 `{name}`; 已定义的有: {} (请在 `registries:` 下添加)",
                    known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join("、")
                )
            ))
        })?;
        if !seen_names.insert(name.clone()) {
            bail!(tr(
                format!("--source {name} is given twice; give each registry once (combine its files first)"),
                format!("--source {name} 给了两次; 每个比对库只能给一次 (请先合并它的文件)")
            ));
        }
        registries.push((name, registry, path, path.display().to_string()));
    }
    // Read and match every file first, a file to a core: a file that cannot be used stops the run before
    // anything is written (the first such file in the order given is the one named).
    let n = registries.len();
    let progress = crate::ui::Progress::counter(tr(
        format!("compare: rows read from {n} registries"),
        format!("信息比对: 已读取 {n} 个比对库的记录"),
    ))
    .with_hits(tr("matched", "命中"));
    let monitored = ledger::read::<Monitored>(ws)?;
    let monitored_heads: HashSet<&str> = monitored.iter().map(|m| m.id_number.as_str()).collect();
    let scans: Vec<Result<Scanned>> = registries
        .par_iter()
        .map(|(name, registry, path, shown)| {
            let ctx = ScanCtx {
                name,
                registry,
                file: shown,
                by_id: &people,
                by_hash: &by_hash,
                by_name_birth: &by_name_birth,
                monitored: &monitored_heads,
                warns_monitored: registry.warning || ws.policy.is_death_registry(name),
                hashed,
                progress: progress.counts(),
            };
            scan_file(&ctx, path, encoding)
        })
        .collect();
    progress.finish();
    crate::ui::phase("compare: registries scanned");
    let mut inputs: Vec<(String, String)> = Vec::new();
    let mut scanned = Vec::new();
    for ((name, _, path, _), s) in registries.iter().zip(scans) {
        let s = s?;
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("registry")
            .to_string();
        inputs.push((format!("{name}:{file_name}"), s.sha.clone()));
        scanned.push((name.to_string(), s));
    }

    let mut matches = crate::kept_to_exit(ledger::read::<Match>(ws)?);
    // The hits known: those recorded before, and those added as they are found.
    let mut known: HashSet<String> = matches.iter().map(|m| m.hit_id.clone()).collect();
    let mut new_hits = 0usize;
    let mut total_found = 0usize;
    for (_, s) in &scanned {
        for f in &s.found {
            total_found += 1;
            let id = f.hit_id();
            if !known.insert(id.clone()) {
                continue;
            }
            new_hits += 1;
            matches.push(Match {
                hit_id: id,
                case_id: f.person.case_id.to_string(),
                id_number: f.person.id.clone(),
                name: Text(f.person.name.to_string()),
                source: f.source.clone(),
                match_kind: f.kind,
                source_file_sha256: s.sha.clone(),
                source_row: f.row,
                evidence: Text(f.evidence.clone()),
                effect: f.effect,
                disposition: Disposition::Open,
                note: Text::default(),
                decided_by: Text::default(),
                batch: String::new(),
            });
        }
    }
    // The worksheet lists every open hit; its batch ID names exactly that list.
    let batch = assign_batch(&mut matches);
    let open = matches.iter().filter(|m| m.disposition == Disposition::Open).count();

    let mut out = String::new();
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let per_source: Vec<String> = scanned
        .iter()
        .map(|(n, s)| {
            let label = ws.policy.registries.get(n).map_or(n.as_str(), |r| r.label.as_str());
            let mut t = tr(format!("{n} {} rows", s.rows), format!("{label} {} 行", s.rows));
            if s.skipped_invalid > 0 {
                // Where the registry asks for leads, a row whose ID is invalid is still looked up by name and birth
                // date; elsewhere it cannot be matched at all.
                let leads = ws.policy.registries.get(n).is_some_and(|r| r.name_birth_match);
                t.push_str(&if leads {
                    tr(
                        format!(
                            " ({} with invalid ID numbers, looked up by name and birth date only)",
                            s.skipped_invalid
                        ),
                        format!(
                            " (其中 {} 行身份证号无效, 仅按姓名和出生日期查找线索)",
                            s.skipped_invalid
                        ),
                    )
                } else {
                    tr(
                        format!(" ({} with invalid ID numbers skipped)", s.skipped_invalid),
                        format!(" (其中 {} 行身份证号无效, 已跳过)", s.skipped_invalid),
                    )
                });
            }
            t
        })
        .collect();
    let near_misses: usize = scanned.iter().map(|(_, s)| s.unused.1).sum();
    out.push_str(&tr(
        format!(
            "{prefix}compare {}: {} people in open cases; {total_found} hits ({new_hits} new); {open} open",
            per_source.join(", "),
            people.len()
        ),
        format!(
            "{prefix}信息比对 {}: 在办案件共 {} 人; 比中 {total_found} 条 (新增 {new_hits} 条); 待处理 {open} 条",
            per_source.join(", "),
            people.len()
        ),
    ));
    for line in scanned.iter().flat_map(|(_, s)| &s.unused.0) {
        out.push_str(&format!("\n  {line}"));
    }
    let sheet_rel = batch
        .as_ref()
        .map(|b| PathBuf::from("reports").join(format!("compare-hits-{b}.xlsx")));
    // Named only where it is written: a dry run says what it would write.
    match &sheet_rel {
        Some(rel) if args.dry_run => out.push_str(&tr(
            format!("\n  worksheet would be {}", rel.display()),
            format!("\n  处理表将写到 {} (试运行, 未写入)", rel.display()),
        )),
        Some(rel) => out.push_str(&tr(
            format!(
                "\n  worksheet: {0} (fill in 处理结果, then `{1} compare --resolve {0}`)",
                rel.display(),
                ws.jiuzhu()
            ),
            format!(
                "\n  处理表: {0} (填写处理结果后运行 `{1} compare --resolve {0}`)",
                rel.display(),
                ws.jiuzhu()
            ),
        )),
        None => {}
    }
    // Warnings of active discovery (监测预警): people in no open case whom a warning rule flags become discoveries.
    let mut discoveries = ledger::read::<crate::ledger::Discovery>(ws)?;
    let found_on = crate::cmd::monitor::latest_known(&cases, &discoveries, &monitored);
    let mut raised: Vec<String> = Vec::new();
    if let Some(found_on) = found_on {
        for (name, s) in &scanned {
            let label = ws
                .policy
                .registries
                .get(name)
                .map_or(name.as_str(), |r| r.label.as_str());
            for w in &s.warned {
                let m = monitored.iter().find(|m| m.id_number == w.id);
                let d = crate::cmd::monitor::registry_warning(
                    &ws.policy,
                    (&w.id, &w.name),
                    m,
                    (name, label, w.row, &w.evidence),
                    found_on,
                );
                if discoveries.iter().any(|x| x.discovery_id == d.discovery_id) {
                    continue;
                }
                raised.push(format!("{} {} ({})", d.discovery_id, d.name, label));
                discoveries.push(d);
            }
        }
    }
    if !raised.is_empty() {
        discoveries.sort_by(|a, b| a.discovery_id.cmp(&b.discovery_id));
        out.push_str(&tr(
            format!(
                "\n  {} warnings (监测预警) about people in no open case recorded as discoveries — `{} discover` \
                 writes their investigation worksheet: {}",
                raised.len(),
                ws.jiuzhu(),
                crate::ui::first_of(&raised, 10, ", ")
            ),
            format!(
                "\n  {} 条监测预警 (不在在办案件中的人员) 已登记为主动发现 — `{} discover` 写出入户调查评估表: {}",
                raised.len(),
                ws.jiuzhu(),
                crate::ui::first_of(&raised, 10, "、")
            ),
        ));
    }
    crate::ui::record("warnings_raised", raised.len());
    let open_total = matches.iter().filter(|m| m.disposition == Disposition::Open).count();
    let cut_short = crate::ui::more(20, open_total);
    for m in matches.iter().filter(|m| m.disposition == Disposition::Open).take(20) {
        let evidence = if m.evidence.is_empty() {
            tr(
                format!("{} row {}", m.source, m.source_row),
                format!("{} 第 {} 行", m.source, m.source_row),
            )
        } else {
            m.evidence.0.clone()
        };
        // A lead says so on its line: it is not an ID match, and a person must confirm it is the same person.
        let lead = if m.match_kind == MatchKind::NameBirth {
            format!(" {}", m.match_kind.label_zh())
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\n  {} {} {}{lead} {} {} ({}): {evidence}",
            tr("open", "待处理"),
            m.hit_id,
            m.effect.label_zh(),
            m.case_id,
            m.name,
            m.id_number.masked(),
        ));
    }
    if let Some(more) = cut_short {
        out.push_str(&format!("\n  {more}"));
    }
    if crate::ui::json() {
        use serde_json::json;
        let mut by_registry: std::collections::BTreeMap<String, serde_json::Value> = Default::default();
        let mut by_effect: std::collections::BTreeMap<String, usize> = Default::default();
        for (name, s) in &scanned {
            let effect = |e: Effect| serde_json::to_value(e).ok().and_then(|v| v.as_str().map(String::from));
            for f in &s.found {
                *by_effect.entry(effect(f.effect).unwrap_or_default()).or_default() += 1;
            }
            by_registry.insert(
                name.clone(),
                json!({"rows": s.rows, "hits": s.found.len(), "skipped_invalid": s.skipped_invalid}),
            );
        }
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("people", people.len());
        crate::ui::record("hits", total_found);
        crate::ui::record("new", new_hits);
        crate::ui::record("open", open);
        crate::ui::record_serialized("by_registry", &by_registry);
        crate::ui::record_serialized("by_effect", &by_effect);
        let open_list: Vec<serde_json::Value> = matches
            .iter()
            .filter(|m| m.disposition == Disposition::Open)
            .map(|m| {
                json!({"hit_id": m.hit_id, "case_id": m.case_id, "registry": m.source,
                       "effect": m.effect, "match_kind": m.match_kind})
            })
            .collect();
        crate::ui::record("open_hits", open_list);
        crate::ui::record("worksheet", sheet_rel.as_ref().map(|r| r.display().to_string()));
    }
    let outcome = if open > 0 || near_misses > 0 {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }

    let mut txn = Txn::new();
    let bytes = ledger::to_bytes(&matches)?;
    let changed = ws.differs(ledger::path_of::<Match>(), &bytes)?;
    if changed || !raised.is_empty() {
        if changed {
            txn.put_compared(ledger::path_of::<Match>(), bytes, true);
        }
        if !raised.is_empty() {
            txn.put(
                ledger::path_of::<crate::ledger::Discovery>(),
                ledger::to_bytes(&discoveries)?,
            );
        }
        let mut chain = events::Journal::read(ws)?;
        let mut input_list: Vec<String> = inputs.iter().map(|(n, s)| format!("{n}={s}")).collect();
        input_list.push(format!("{POLICY_FILE}={}", ws.policy_sha256()?));
        chain.append([NewEvent {
            step: "compare".into(),
            detail: format!("{total_found} hits, {new_hits} new, {open} open"),
            inputs: input_list.join(";"),
            ..NewEvent::default()
        }]);
        chain.append(raised.iter().map(|r| NewEvent {
            step: "compare".into(),
            detail: format!("监测预警登记为主动发现: {r}"),
            ..NewEvent::default()
        }));
        chain.put(&mut txn)?;
    }
    if let (Some(rel), Some(b)) = (&sheet_rel, &batch) {
        txn.put(rel, hits_workbook(&ws.policy, &matches, b)?);
    }
    crate::ui::phase("compare: encoded");
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    crate::ui::phase("compare: committed");
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// Sets `batch` on every open hit to the ID of the list of open hits, and returns it (None when none is open).
fn assign_batch(matches: &mut [Match]) -> Option<String> {
    let open: Vec<&str> = {
        let mut v: Vec<&str> = matches
            .iter()
            .filter(|m| m.disposition == Disposition::Open)
            .map(|m| m.hit_id.as_str())
            .collect();
        v.sort();
        v
    };
    if open.is_empty() {
        return None;
    }
    let batch = sha256_hex(open.join("\n").as_bytes())[..8].to_uppercase();
    for m in matches.iter_mut().filter(|m| m.disposition == Disposition::Open) {
        m.batch = batch.clone();
    }
    Some(batch)
}

struct ScanCtx<'a> {
    name: &'a str,
    registry: &'a Registry,
    file: &'a str,
    by_id: &'a HashMap<&'a str, Person<'a>>,
    by_hash: &'a HashMap<String, Person<'a>>,
    by_name_birth: &'a HashMap<(String, NaiveDate), Vec<&'a Person<'a>>>,
    /// The heads of monitored households (`monitored.csv`), for the warnings of active discovery.
    monitored: &'a HashSet<&'a str>,
    /// Whether a row about a monitored household warns without an amount (a death registry, or `warning: true`).
    warns_monitored: bool,
    hashed: bool,
    /// Rows read and hits found, counted for the progress line every [`PROGRESS_ROWS`] rows.
    progress: crate::ui::Counts,
}

/// How many rows a scan reads between two updates of the progress line (a registry is scanned per core).
const PROGRESS_ROWS: usize = 1024;

/// Reads a registry and looks up every row. A CSV registry is streamed: a province's run to hundreds of
/// megabytes and millions of rows, and memory is bounded by the people held, not by the file. A workbook is read
/// whole (within the reader's size limit).
fn scan_file<'a>(ctx: &ScanCtx<'a>, path: &Path, encoding: Encoding) -> Result<Scanned<'a>> {
    // By content too: an xlsx exported as `.csv` is read as the workbook it is.
    let mut head = Vec::new();
    {
        use std::io::Read;
        std::fs::File::open(path)
            .and_then(|f| f.take(reader::HEAD_BYTES as u64).read_to_end(&mut head))
            .with_context(|| tr(format!("cannot read {}", ctx.file), format!("无法读取 {}", ctx.file)))?;
    }
    if reader::is_csv_content(ctx.file, &head) {
        let (mut scanned, sha) = stream::read_csv(path, ctx.file, encoding, |records| scan_records(ctx, records))?;
        scanned.sha = sha;
        return Ok(scanned);
    }
    let bytes = std::fs::read(path)
        .with_context(|| tr(format!("cannot read {}", ctx.file), format!("无法读取 {}", ctx.file)))?;
    let wb = reader::read_workbook_bytes(ctx.file, &bytes, encoding)?;
    let (sheet, header) = registry_header(ctx, &wb.sheets)?;
    reader::refuse_flawed_cells(ctx.file, sheet, header.row + 1, Some(&header))?;
    let mut scan = Scan::new(ctx, sheet, header)?;
    for (i, row) in sheet.rows.iter().enumerate().skip(scan.header.row + 1) {
        scan.row((i + 1) as u32, row.as_slice())?;
    }
    scan.finish(sha256_hex(&bytes))
}

/// A streamed CSV registry: its header is looked for in the top rows, held as a whole read holds them, and the
/// rows below are looked up one record at a time.
fn scan_records<'a>(ctx: &ScanCtx<'a>, records: &mut CsvRecords) -> Result<Scanned<'a>> {
    let mut rec = StringRecord::new();
    let mut top = RawSheet::new(records.sheet_name(), Vec::new());
    while top.rows.len() < HEADER_SEARCH_ROWS && records.next(&mut rec)? {
        top.rows.push(rec.iter().map(Cell::text).collect());
    }
    let (_, header) = registry_header(ctx, std::slice::from_ref(&top))?;
    let mut scan = Scan::new(ctx, &top, header)?;
    for (i, row) in top.rows.iter().enumerate().skip(scan.header.row + 1) {
        scan.row((i + 1) as u32, row.as_slice())?;
    }
    let mut excel_row = top.rows.len() as u32;
    while records.next(&mut rec)? {
        excel_row += 1;
        scan.row(excel_row, &rec)?;
    }
    // The stream gives the file's hash once it has read all of it.
    scan.finish(String::new())
}

/// The registry's header (by the names of its declared columns): the first sheet that has it.
fn registry_header<'s>(ctx: &ScanCtx, sheets: &'s [RawSheet]) -> Result<(&'s RawSheet, Header)> {
    let names = HeaderNames::new(&ctx.registry.columns);
    let key: &'static str = if ctx.hashed { "id_hash" } else { "id_number" };
    let mut required = vec![key];
    if ctx.registry.amount_above.is_some() {
        required.push("amount");
    }
    let mut misses = Vec::new();
    // Visible sheets first: a hidden sheet is often an old copy kept out of sight.
    for sheet in sheets
        .iter()
        .filter(|s| !s.hidden)
        .chain(sheets.iter().filter(|s| s.hidden))
    {
        match find_header(sheet, &names, &required, &[])? {
            Ok(h) => return Ok((sheet, h)),
            Err(m) => misses.push(m.to_string()),
        }
    }
    bail!(tr(
        format!(
            "{}: registry `{}` ({}) lacks its declared columns; nothing was written.\n  {}\n\
             Rename the headers, or add names under `registries.{}.columns` in jiuzhu.yaml.",
            ctx.file,
            ctx.name,
            ctx.registry.label,
            misses.join("\n  "),
            ctx.name
        ),
        format!(
            "{}: 比对库 `{}` ({}) 缺少政策文件规定的列, 未写入任何内容。\n  {}\n\
             请改正表头, 或在 jiuzhu.yaml 的 `registries.{}.columns` 下添加列名。",
            ctx.file,
            ctx.name,
            ctx.registry.label,
            misses.join("\n  "),
            ctx.name
        )
    ));
}

/// A cell as matching reads it: its normalised text, and the number or date the file stored there (a CSV file
/// stores neither: its cells are text).
#[derive(Default)]
struct CellRef<'a> {
    text: Cow<'a, str>,
    number: Option<f64>,
    date: Option<NaiveDate>,
}

/// A registry row: a row of a workbook read whole, or a streamed CSV record, read in place (a cell is normalised
/// when looked at, and copied only when normalising changes it).
trait RegistryRow {
    fn width(&self) -> usize;
    fn cell(&self, c: usize) -> Option<CellRef<'_>>;
    fn is_blank_at(&self, c: usize) -> bool;
}

impl RegistryRow for [Cell] {
    fn width(&self) -> usize {
        self.len()
    }

    fn cell(&self, c: usize) -> Option<CellRef<'_>> {
        self.get(c).map(|x| CellRef {
            text: Cow::Borrowed(&x.text),
            number: x.number,
            date: x.date,
        })
    }

    fn is_blank_at(&self, c: usize) -> bool {
        self.get(c).is_none_or(Cell::is_blank)
    }
}

/// As the whole-file reader reads a CSV cell ([`Cell::text`]): normalised text, no number, no date.
impl RegistryRow for StringRecord {
    fn width(&self) -> usize {
        self.len()
    }

    fn cell(&self, c: usize) -> Option<CellRef<'_>> {
        self.get(c).map(|f| CellRef {
            text: text::normalized(f),
            ..CellRef::default()
        })
    }

    fn is_blank_at(&self, c: usize) -> bool {
        self.get(c).is_none_or(text::is_blank)
    }
}

/// One registry being looked up, row by row, below its header.
struct Scan<'c, 'a> {
    ctx: &'c ScanCtx<'a>,
    header: Header,
    evidence_cols: Vec<(String, usize)>,
    out: Scanned<'a>,
    mangled: Vec<u32>,
    /// `--hashed`: the rows whose `id_hash` is no SHA-256 digest, with what it is instead.
    not_hashes: Vec<(u32, String)>,
    /// Rows and hits already counted for the progress line.
    counted: (usize, usize),
}

impl<'c, 'a> Scan<'c, 'a> {
    /// Refuses a file that lacks one of the registry's evidence columns ([`evidence_columns`]).
    fn new(ctx: &'c ScanCtx<'a>, sheet: &RawSheet, header: Header) -> Result<Self> {
        let evidence_cols = evidence_columns(ctx, &sheet.name, header.row, &sheet.rows[header.row])?;
        // Every column accounted for: those matching reads (the key, name, birth date, amount) and the
        // evidence it copies; the others are listed.
        let reads = [
            if ctx.hashed { "id_hash" } else { "id_number" },
            "name",
            "birth_date",
            "amount",
        ];
        let names = HeaderNames::new(&ctx.registry.columns);
        let unused: Vec<_> = header
            .unused_columns(&sheet.name, &reads, &names)
            .into_iter()
            .filter(|u| !evidence_cols.iter().any(|(_, c)| *c == u.column))
            .collect();
        Ok(Scan {
            ctx,
            evidence_cols,
            header,
            out: Scanned {
                rows: 0,
                skipped_invalid: 0,
                unused: reader::unused_lines(ctx.file, true, &unused, &format!("registries.{}.columns", ctx.name)),
                found: Vec::new(),
                warned: Vec::new(),
                sha: String::new(),
            },
            mangled: Vec::new(),
            not_hashes: Vec::new(),
            counted: (0, 0),
        })
    }

    /// Looks up one row; `excel_row` is the row as the file shows it (1-based).
    fn row<R: RegistryRow + ?Sized>(&mut self, excel_row: u32, row: &R) -> Result<()> {
        if self.out.rows - self.counted.0 >= PROGRESS_ROWS {
            self.count();
        }
        let Scan {
            ctx,
            header,
            evidence_cols,
            out,
            mangled,
            not_hashes,
            ..
        } = self;
        if (0..row.width()).all(|c| row.is_blank_at(c)) || is_totals(row) {
            return Ok(());
        }
        out.rows += 1;
        let field = |f: &str| header.columns.get(f).and_then(|&c| row.cell(c));
        let evidence = || -> String {
            let mut parts: Vec<String> = evidence_cols
                .iter()
                .filter_map(|(label, c)| {
                    row.cell(*c)
                        .filter(|x| !x.text.is_empty())
                        .map(|x| format!("{label}={}", x.text))
                })
                .collect();
            if let Some(a) = field("amount").filter(|c| !c.text.is_empty()) {
                if !evidence_cols
                    .iter()
                    .any(|(_, c)| Some(c) == header.columns.get("amount"))
                {
                    parts.push(format!("金额={}", a.text));
                }
            }
            parts.join("; ")
        };
        // Amount registries (medical bills): only rows above the threshold are hits.
        let over = |low_income: bool| -> Result<bool> {
            let Some(limit) = ctx.registry.amount_above else {
                return Ok(true);
            };
            let low = ctx
                .registry
                .low_income_amount_above
                .filter(|_| low_income)
                .unwrap_or(limit);
            let cell = field("amount").unwrap_or_default();
            let amount = match cell.number {
                Some(v) => Fen::from_number_cell(v),
                None => Fen::parse_yuan(&cell.text),
            }
            .map_err(|e| {
                anyhow!(tr(
                    format!(
                        "{} row {excel_row}: the amount `{}` is not money: {e}",
                        ctx.file,
                        text::excerpt(&cell.text)
                    ),
                    format!(
                        "{} 第 {excel_row} 行: 金额 `{}` 不是有效的金额",
                        ctx.file,
                        text::excerpt(&cell.text)
                    )
                ))
            })?;
            Ok(amount > low.0)
        };
        let mut push = |p: &Person<'a>, kind: MatchKind| -> Result<()> {
            if over(p.low_income)? {
                out.found.push(Found {
                    person: *p,
                    source: ctx.name.to_string(),
                    kind,
                    row: excel_row,
                    evidence: evidence(),
                    effect: ctx.registry.effect,
                });
            }
            Ok(())
        };
        if ctx.hashed {
            let cell = field("id_hash").unwrap_or_default();
            let h = cell.text.trim();
            if let Some(what) = not_a_hash(h) {
                not_hashes.push((excel_row, what));
                return Ok(());
            }
            let h = match h.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(h.to_ascii_lowercase()),
                false => Cow::Borrowed(h),
            };
            if let Some(p) = ctx.by_hash.get(h.as_ref()) {
                push(p, MatchKind::IdHash)?;
            }
            return Ok(());
        }
        let cell = field("id_number").unwrap_or_default();
        let parsed = id_number::parse_cell(&cell.text, cell.number.is_some());
        match &parsed {
            Ok(id) => {
                if let Some(p) = ctx.by_id.get(id.as_str()) {
                    return push(p, MatchKind::Id);
                }
                // In no open case: a warning of active discovery when the policy's rules flag the row.
                let monitored = ctx.monitored.contains(id.as_str());
                let flagged = if ctx.registry.amount_above.is_some() {
                    over(monitored)?
                } else {
                    monitored && ctx.warns_monitored
                };
                if flagged {
                    out.warned.push(Warned {
                        id: id.clone(),
                        name: field("name").map(|c| c.text.trim().to_string()).unwrap_or_default(),
                        row: excel_row,
                        evidence: evidence(),
                    });
                }
            }
            Err(IdError::ExcelMangled) => {
                mangled.push(excel_row);
                return Ok(());
            }
            Err(_) if !cell.text.is_empty() => out.skipped_invalid += 1,
            Err(_) => {}
        }
        // A weaker lead: same name and birth date, but not the same ID — another number, or this one mistyped (its
        // check character fails). Reported as such, never confirmed by itself. The birth date is the file's birth
        // date column and the one the ID's digits 7–14 spell, valid or not: a one-digit typo elsewhere in the
        // number leaves the date, and a typo in the date may leave the column right.
        if ctx.registry.name_birth_match {
            let name = field("name").map(|c| c.text).unwrap_or_default();
            if name.is_empty() {
                return Ok(());
            }
            let from_column = field("birth_date").and_then(|c| c.date.or_else(|| date::parse_date(&c.text).ok()));
            let from_id = match &parsed {
                Ok(id) => Some(id.birth_date()),
                Err(_) => id_number::birth_date_in(&cell.text),
            };
            let key = text::normalize_key(&name);
            for b in [from_column, from_id.filter(|d| Some(*d) != from_column)]
                .into_iter()
                .flatten()
            {
                if let Some(ps) = ctx.by_name_birth.get(&(key.clone(), b)) {
                    for p in ps {
                        push(p, MatchKind::NameBirth)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// What the registry gave (`sha`: the file's SHA-256), or why it cannot be used.
    /// Adds the rows read and hits found since the last time to the progress line.
    fn count(&mut self) {
        let (rows, hits) = (self.out.rows, self.out.found.len());
        self.ctx.progress.inc((rows - self.counted.0) as u64);
        self.ctx.progress.hit(hits.saturating_sub(self.counted.1) as u64);
        self.counted = (rows, hits);
    }

    fn finish(mut self, sha: String) -> Result<Scanned<'a>> {
        self.count();
        if !self.mangled.is_empty() {
            let rows: Vec<String> = self.mangled.iter().take(10).map(u32::to_string).collect();
            let more = if self.mangled.len() > 10 { ", …" } else { "" };
            bail!(tr(
                format!(
                    "{}: the ID column of registry `{}` was damaged by Excel (numbers instead of text, last \
                     digits lost) in {} rows (rows {}{more}); nothing was written. Ask the sending department to \
                     export the ID column as text.",
                    self.ctx.file,
                    self.ctx.name,
                    self.mangled.len(),
                    rows.join(", "),
                ),
                format!(
                    "{}: 比对库 `{}` 的身份证号列被 Excel 损坏 (存成了数字, 末几位丢失), 共 {} 行 (第 {}{more} 行); \
                     未写入任何内容。请提供数据的部门把身份证号列按文本格式重新导出。",
                    self.ctx.file,
                    self.ctx.name,
                    self.mangled.len(),
                    rows.join(", "),
                )
            ));
        }
        if !self.not_hashes.is_empty() {
            // The whole file is refused, not its bad rows: a clerk cannot correct a hash by hand, and matching the
            // rest would report no hit for exactly the people whose rows were damaged. Values that are not digests
            // mean the other office's export went wrong (another algorithm, cut by a spreadsheet, plain ID numbers
            // — which is why a value is shown masked), so the file must be exported again.
            let (file, name) = (self.ctx.file, self.ctx.name);
            let column = self
                .header
                .columns
                .get("id_hash")
                .and_then(|&c| self.header.texts.get(c))
                .map_or("id_hash", String::as_str);
            let n = self.not_hashes.len();
            let rows: Vec<String> = self
                .not_hashes
                .iter()
                .map(|(row, what)| tr(format!("row {row}: {what}"), format!("第 {row} 行: {what}")))
                .collect();
            let rows = crate::ui::first_of(&rows, 10, "\n  ");
            bail!(
                "{}",
                tr(
                    format!(
                        "{file}: registry `{name}` was given as a hashed exchange file (--hashed), but column \
                         {column} of {n} rows is not a SHA-256 digest (64 hexadecimal digits, as `jiuzhu compare \
                         --export-hashed` writes); nothing was written.\n  {rows}\n\
                         Ask the other office to export the file again with `jiuzhu compare --export-hashed` and the \
                         agreed salt; a file of plain ID numbers is compared without --hashed."
                    ),
                    format!(
                        "{file}：比对库 `{name}` 作为哈希交换文件 (--hashed) 读取，但其 {column} 列有 {n} 行不是 \
                         SHA-256 摘要（64 位十六进制，即 `jiuzhu compare --export-hashed` 所写），未写入任何内容。\n  \
                         {rows}\n请对方用 `jiuzhu compare --export-hashed` 和约定的盐重新导出；明文身份证号文件请不加 \
                         --hashed 比对。"
                    ),
                )
            );
        }
        Ok(Scanned { sha, ..self.out })
    }
}

/// Why a hashed exchange value is not a SHA-256 digest as `--export-hashed` writes it (64 hexadecimal digits,
/// either case), or None when it is one. The value is named masked: it may be a plain ID number.
fn not_a_hash(h: &str) -> Option<String> {
    let n = h.chars().count();
    if n == 0 {
        return Some(tr("empty", "为空"));
    }
    let shown = id_number::mask_any(h);
    if n != 64 {
        return Some(tr(
            format!("`{shown}` has {n} characters, not 64"),
            format!("`{shown}` 共 {n} 个字符，不是 64 个"),
        ));
    }
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(tr(
            format!("`{shown}` has characters other than 0–9 and a–f"),
            format!("`{shown}` 含有 0–9、a–f 以外的字符"),
        ));
    }
    None
}

/// A totals row (合计, 总计, 小计 in one of its first two filled cells, spaces ignored).
fn is_totals<R: RegistryRow + ?Sized>(row: &R) -> bool {
    (0..row.width()).filter(|&c| !row.is_blank_at(c)).take(2).any(|c| {
        let cell = row.cell(c).unwrap_or_default();
        ["合计", "总计", "小计"].iter().any(|w| {
            let mut t = cell.text.chars().filter(|ch| !ch.is_whitespace());
            w.chars().all(|wc| t.next() == Some(wc))
        })
    })
}

/// The registry's evidence columns (`evidence:` in the policy) in its header row, found by exact, normalised
/// header text, with their labels.
///
/// A file that lacks one cannot be used: its hits would carry less evidence than the policy asks for, and since
/// a hit's ID hashes the person and the evidence, a file with none would fold all of a person's rows into one
/// hit (every vehicle of an owner one hit, cleared together). A hashed exchange file (`--hashed`) carries only
/// `id_hash` by design (`--export-hashed` writes nothing else): its evidence columns are kept where it has them,
/// and not asked for.
fn evidence_columns(ctx: &ScanCtx, sheet: &str, header_row: usize, cells: &[Cell]) -> Result<Vec<(String, usize)>> {
    let mut found = Vec::with_capacity(ctx.registry.evidence.len());
    let mut missing = Vec::new();
    for w in &ctx.registry.evidence {
        let want = text::normalize_key(w);
        match cells.iter().position(|c| text::normalize_key(&c.text) == want) {
            Some(c) => found.push((w.clone(), c)),
            None => missing.push(w.as_str()),
        }
    }
    if missing.is_empty() || ctx.hashed {
        return Ok(found);
    }
    let columns = if missing.len() == 1 { "column" } else { "columns" };
    let missing = missing.join("、");
    let has: Vec<&str> = cells
        .iter()
        .filter(|c| !c.is_blank())
        .map(|c| c.text.as_str())
        .collect();
    let has = has.join(" | ");
    let (file, name, label, row) = (ctx.file, ctx.name, &ctx.registry.label, header_row + 1);
    bail!(
        "{}",
        tr(
            format!(
                "{file}: registry `{name}` ({label}) has no evidence {columns} {missing}, which \
                 `registries.{name}.evidence` in jiuzhu.yaml asks for; nothing was written.\n  \
                 sheet `{sheet}` row {row} has: {has}\n\
                 Rename the header in the file if the column is there under another name, or change \
                 `registries.{name}.evidence` in jiuzhu.yaml to the columns this registry has."
            ),
            format!(
                "{file}：比对库 `{name}`（{label}）缺少证据列 {missing}（jiuzhu.yaml 中 \
                 `registries.{name}.evidence` 所列），未写入任何内容。\n  \
                 工作表 `{sheet}` 第 {row} 行的列：{has}\n\
                 如该列在文件中用了别的名称，请改正表头；否则在 jiuzhu.yaml 中把 `registries.{name}.evidence` \
                 改为该库实有的列。"
            )
        )
    );
}

/// The hits worksheet's headers, with the bilingual ones of the worksheets written before (`编号 hit`), which
/// are still read back.
const H_HIT: [&str; 2] = ["比对编号", "编号 hit"];
const H_CASE: [&str; 2] = ["案件编号", "案件编号 case"];
const H_ID: [&str; 2] = ["身份证号(脱敏)", "身份证号 ID (masked)"];
const H_DISPOSITION: [&str; 2] = ["处理结果", "处理结果 disposition"];
const H_NOTE: [&str; 2] = ["说明", "说明 note"];
const H_BY: [&str; 2] = ["处理人", "处理人 decided by"];

/// Where a row of a returned worksheet is, in the run's language.
pub(crate) fn row_at(at: &writer::RowAt) -> String {
    match &at.sheet {
        None => tr(format!("row {}", at.row), format!("第 {} 行", at.row)),
        Some(s) => tr(
            format!("sheet `{s}` row {}", at.row),
            format!("工作表 `{s}` 第 {} 行", at.row),
        ),
    }
}

const CONFIRM: &str = "确认";
const CLEAR: &str = "排除";
const PENDING: &str = "待定";

/// The worksheet of open hits: keys locked, 处理结果 a drop-down, 说明 and 处理人 free text.
fn hits_workbook(policy: &Policy, matches: &[Match], batch: &str) -> Result<Vec<u8>> {
    let columns = vec![
        Column::new(H_HIT[0], Kind::Code),
        Column::new(H_CASE[0], Kind::Code),
        Column::new("姓名", Kind::Text),
        Column::new(H_ID[0], Kind::Code),
        Column::new("比对来源", Kind::Text),
        Column::new("匹配方式", Kind::Text),
        Column::new("证据", Kind::Text),
        Column::new("影响", Kind::Text),
        Column::answer(
            H_DISPOSITION[0],
            Input::Choice(vec![CONFIRM.into(), CLEAR.into(), PENDING.into()]),
        ),
        Column::answer(H_NOTE[0], Input::Free),
        Column::answer(H_BY[0], Input::Free),
    ];
    // In the ledger's order (by hit ID), not the order the hits were found in: a rerun that finds nothing new
    // must write the same bytes.
    let mut open: Vec<&Match> = matches.iter().filter(|m| m.disposition == Disposition::Open).collect();
    open.sort_by(|a, b| a.hit_id.cmp(&b.hit_id));
    let rows = open
        .into_iter()
        .map(|m| {
            let label = policy
                .registries
                .get(&m.source)
                .map(|r| r.label.as_str())
                .unwrap_or(&m.source);
            vec![
                Value::from(m.hit_id.as_str()),
                Value::from(m.case_id.as_str()),
                Value::from(m.name.as_str()),
                Value::from(m.id_number.masked()),
                Value::from(label),
                Value::from(m.match_kind.label_zh()),
                Value::from(m.evidence.as_str()),
                Value::from(m.effect.label_zh()),
                Value::Empty,
                Value::Empty,
                Value::Empty,
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "比对结果".into(),
        title: Some(
            "信息比对结果: 逐条填写处理结果 (确认 = 属实, 影响资格或金额; 排除 = 核实无关), 说明和处理人; 其他列已锁定"
                .into(),
        ),
        columns,
        rows,
        batch: Some(batch.to_string()),
        print: Default::default(),
    }])
}

/// One answered row of a hits worksheet.
struct Answer {
    row: writer::RowAt,
    hit_id: String,
    case_id: String,
    masked_id: String,
    disposition: Option<Disposition>,
    note: String,
    by: String,
}

fn run_resolve(ws: &Workspace, args: &Request, file: &Path, by_default: Option<&str>) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let wb = reader::read_worksheet_bytes(&shown, &bytes, Encoding::Detect)?;
    let what = tr("compare-hits worksheet", "比对结果处理表");
    let sheet = writer::returned(&shown, &wb, &what, &H_HIT)?;
    let answers = read_answers(&shown, &sheet)?;
    let batch = sheet.batch;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut matches = ledger::read::<Match>(ws)?;
    let index: HashMap<String, usize> = matches.iter().enumerate().map(|(i, m)| (m.hit_id.clone(), i)).collect();

    // All or nothing: any tampered key, foreign row or missing decider refuses the whole sheet.
    let mut problems = Vec::new();
    for a in &answers {
        let Some(&i) = index.get(&a.hit_id) else {
            problems.push(tr(
                format!("{}: hit {} is not in ledgers/matches.csv", row_at(&a.row), a.hit_id),
                format!("{}: 比对结果 {} 不在 ledgers/matches.csv 中", row_at(&a.row), a.hit_id),
            ));
            continue;
        };
        let m = &matches[i];
        if m.case_id != a.case_id || m.id_number.masked() != a.masked_id {
            problems.push(tr(
                format!(
                    "{}: the key cells of hit {} were changed (case or ID differ from the ledger)",
                    row_at(&a.row),
                    a.hit_id
                ),
                format!(
                    "{}: 比对结果 {} 的关键单元格被改动 (案件编号或身份证号与台账不符)",
                    row_at(&a.row),
                    a.hit_id
                ),
            ));
        }
        if m.batch != batch {
            let theirs = if m.batch.is_empty() {
                tr("(none)", "(无)")
            } else {
                m.batch.clone()
            };
            problems.push(tr(
                format!(
                    "{}: hit {} belongs to batch {theirs}, not to this worksheet's batch {batch}",
                    row_at(&a.row),
                    a.hit_id,
                ),
                format!(
                    "{}: 比对结果 {} 属于批次 {theirs}, 不是本处理表的批次 {batch}",
                    row_at(&a.row),
                    a.hit_id,
                ),
            ));
        }
        if m.disposition != Disposition::Open && a.disposition.is_some_and(|d| d != m.disposition) {
            problems.push(tr(
                format!(
                    "{}: hit {} was already decided ({:?}); it is not open any more",
                    row_at(&a.row),
                    a.hit_id,
                    m.disposition
                ),
                format!(
                    "{}: 比对结果 {} 已经处理过 ({}), 不再待处理",
                    row_at(&a.row),
                    a.hit_id,
                    m.disposition.label_zh()
                ),
            ));
        }
        if a.disposition.is_some_and(|d| d != Disposition::Open) && a.by.is_empty() && by_default.is_none() {
            problems.push(tr(
                format!("{}: 处理人 is empty (or give --by NAME)", row_at(&a.row)),
                format!("{}: 处理人为空 (或用 --by 姓名 指定)", row_at(&a.row)),
            ));
        }
    }
    let current = matches
        .iter()
        .find(|m| m.disposition == Disposition::Open)
        .map(|m| m.batch.clone());
    if answers.is_empty() {
        problems.push(tr("the worksheet has no hit rows", "处理表中没有比对结果行"));
    }
    if !problems.is_empty() {
        let hint = match current {
            Some(b) if b != batch => tr(
                format!("\nThe current worksheet is reports/compare-hits-{b}.xlsx."),
                format!("\n当前的处理表是 reports/compare-hits-{b}.xlsx。"),
            ),
            _ => String::new(),
        };
        let problems = crate::ui::first_of(&problems, 20, "\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {problems}{hint}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {problems}{hint}")
        ));
    }

    let mut confirmed = 0;
    let mut cleared = 0;
    for a in &answers {
        let Some(d) = a.disposition.filter(|d| *d != Disposition::Open) else {
            continue;
        };
        let m = &mut matches[index[&a.hit_id]];
        if m.disposition == d {
            continue;
        }
        m.disposition = d;
        m.note = Text(a.note.clone());
        m.decided_by = Text(if a.by.is_empty() {
            by_default.unwrap_or_default().to_string()
        } else {
            a.by.clone()
        });
        match d {
            Disposition::Confirmed => confirmed += 1,
            Disposition::Cleared => cleared += 1,
            Disposition::Open => {}
        }
    }
    // The batch's hits that got no answer stay open: name those whose rows were deleted from the sheet and those
    // left blank (an answer of 待定 keeps a hit open on purpose), before the open hits get their new batch.
    let on_sheet: HashSet<&str> = answers.iter().map(|a| a.hit_id.as_str()).collect();
    let blank: HashSet<&str> = answers
        .iter()
        .filter(|a| a.disposition.is_none())
        .map(|a| a.hit_id.as_str())
        .collect();
    let (mut removed, mut unanswered) = (Vec::new(), Vec::new());
    for m in matches
        .iter()
        .filter(|m| m.batch == batch && m.disposition == Disposition::Open)
    {
        let named = format!("{} ({})", m.hit_id, m.case_id);
        if !on_sheet.contains(m.hit_id.as_str()) {
            removed.push(named);
        } else if blank.contains(m.hit_id.as_str()) {
            unanswered.push(named);
        }
    }
    let batch_after = assign_batch(&mut matches);
    let open = matches.iter().filter(|m| m.disposition == Disposition::Open).count();
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let mut out = tr(
        format!("{prefix}compare --resolve {shown}: {confirmed} confirmed, {cleared} cleared; {open} hits still open"),
        format!("{prefix}compare --resolve {shown}: 确认属实 {confirmed} 条, 排除 {cleared} 条; 仍待处理 {open} 条"),
    );
    if !removed.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} hits of batch {batch} are not on the worksheet (rows removed?) and stay open: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, ", ")
            ),
            format!(
                "\n  批次 {batch} 中 {} 条比对结果不在处理表上 (行被删除?), 仍待处理: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, ", ")
            ),
        ));
    }
    if !unanswered.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} on the worksheet without a 处理结果 stay open: {}",
                unanswered.len(),
                crate::ui::first_of(&unanswered, 20, ", ")
            ),
            format!(
                "\n  {} 条未填处理结果, 仍待处理: {}",
                unanswered.len(),
                crate::ui::first_of(&unanswered, 20, ", ")
            ),
        ));
    }
    let sheet_rel = batch_after
        .as_ref()
        .map(|b| PathBuf::from("reports").join(format!("compare-hits-{b}.xlsx")));
    if let Some(rel) = &sheet_rel {
        out.push_str(&if args.dry_run {
            tr(
                format!("\n  worksheet of the open hits would be {}", rel.display()),
                format!("\n  待处理比对结果的处理表将写到 {} (试运行, 未写入)", rel.display()),
            )
        } else {
            tr(
                format!("\n  worksheet of the open hits: {}", rel.display()),
                format!("\n  待处理比对结果的处理表: {}", rel.display()),
            )
        });
    }
    if crate::ui::json() {
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("confirmed", confirmed);
        crate::ui::record("cleared", cleared);
        crate::ui::record("open", open);
        crate::ui::record("removed", removed.len());
        crate::ui::record("unanswered", unanswered.len());
        crate::ui::record("worksheet", sheet_rel.as_ref().map(|r| r.display().to_string()));
    }
    let outcome = if open > 0 {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    let mut txn = Txn::new();
    if confirmed + cleared > 0 {
        txn.put(ledger::path_of::<Match>(), ledger::to_bytes(&matches)?);
        let mut chain = events::Journal::read(ws)?;
        let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("worksheet");
        chain.append([NewEvent {
            step: "compare".into(),
            detail: format!("resolved batch {batch}: {confirmed} confirmed, {cleared} cleared"),
            inputs: format!(
                "{file_name}={};{POLICY_FILE}={}",
                sha256_hex(&bytes),
                ws.policy_sha256()?
            ),
            ..NewEvent::default()
        }]);
        chain.put(&mut txn)?;
    }
    if let (Some(rel), Some(b)) = (&sheet_rel, &batch_after) {
        txn.put(rel, hits_workbook(&ws.policy, &matches, b)?);
    }
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

fn read_answers(shown: &str, sheet: &writer::Returned) -> Result<Vec<Answer>> {
    // The header is the row whose first cell is the hit label; columns are found by their labels.
    let col = |labels: &[&str]| sheet.column(shown, labels);
    let (c_hit, c_case, c_id) = (col(&H_HIT)?, col(&H_CASE)?, col(&H_ID)?);
    let (c_disp, c_note, c_by) = (col(&H_DISPOSITION)?, col(&H_NOTE)?, col(&H_BY)?);
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (at, row) in &sheet.rows {
        let cell = |c: usize| {
            row.get(c)
                .map(|x| text::unneutralise(&x.text).to_string())
                .unwrap_or_default()
        };
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let d = cell(c_disp);
        let disposition = match d.as_str() {
            "" => None,
            CONFIRM | "confirmed" | "属实" => Some(Disposition::Confirmed),
            CLEAR | "cleared" | "不属实" => Some(Disposition::Cleared),
            PENDING | "open" => Some(Disposition::Open),
            other => {
                bad.push(tr(
                    format!(
                        "{}: 处理结果 `{}` is not one of {CONFIRM}, {CLEAR}, {PENDING}",
                        row_at(at),
                        text::excerpt(other)
                    ),
                    format!(
                        "{}: 处理结果 `{}` 不是 {CONFIRM}、{CLEAR}、{PENDING} 之一",
                        row_at(at),
                        text::excerpt(other)
                    ),
                ));
                None
            }
        };
        out.push(Answer {
            row: at.clone(),
            hit_id: cell(c_hit),
            case_id: cell(c_case),
            masked_id: cell(c_id),
            disposition,
            note: cell(c_note),
            by: cell(c_by),
        });
    }
    if !bad.is_empty() {
        let bad = bad.join("\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {bad}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {bad}")
        ));
    }
    Ok(out)
}

fn run_export(ws: &Workspace, args: &Request, file: &Path) -> Result<Outcome> {
    let salt = salt(&ws.policy)?;
    let (cases, members) = read_people(ws)?;
    let people = people(&ws.policy, &cases, &members);
    let mut hashes: Vec<String> = people.values().map(|p| id_hash(salt, p.id)).collect();
    hashes.sort();
    let mut body = String::from("id_hash\n");
    for h in &hashes {
        body.push_str(h);
        body.push('\n');
    }
    let shown = file.display().to_string();
    if args.dry_run {
        crate::outln!(
            "{}",
            tr(
                format!("dry run: would write {} hashed ID numbers to {shown}", hashes.len()),
                format!("试运行: 将把 {} 个身份证号的哈希写到 {shown}", hashes.len()),
            )
        );
        return Ok(Outcome::Done);
    }
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).with_context(|| {
        tr(
            format!("cannot write in {}", dir.display()),
            format!("无法在 {} 中写入", dir.display()),
        )
    })?;
    std::io::Write::write_all(&mut tmp, body.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(file).map_err(|e| {
        anyhow!(tr(
            format!("cannot write {shown}: {e}"),
            format!("无法写入 {shown}: {e}")
        ))
    })?;
    if !args.quiet {
        crate::outln!(
            "{}",
            tr(
                format!(
                    "compare --export-hashed: {} people of open cases written to {shown} as salted SHA-256 hashes \
                     (no ID numbers); the other office matches it with `jiuzhu compare --source NAME=FILE --hashed`",
                    hashes.len()
                ),
                format!(
                    "compare --export-hashed: 在办案件 {} 人以加盐 SHA-256 哈希写到 {shown} (不含身份证号); \
                     对方单位用 `jiuzhu compare --source NAME=FILE --hashed` 比对",
                    hashes.len()
                ),
            )
        );
    }
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str, d: Disposition) -> Match {
        Match {
            hit_id: id.into(),
            case_id: "C".into(),
            id_number: id_number::parse("11010519491231002X").unwrap(),
            name: Text::default(),
            source: "deaths".into(),
            match_kind: MatchKind::Id,
            source_file_sha256: String::new(),
            source_row: 1,
            evidence: Text::default(),
            effect: Effect::Exclude,
            disposition: d,
            note: Text::default(),
            decided_by: Text::default(),
            batch: String::new(),
        }
    }

    #[test]
    fn the_batch_names_the_open_hits_only() {
        let mut a = vec![m("A", Disposition::Open), m("B", Disposition::Cleared)];
        let mut b = vec![m("A", Disposition::Open)];
        assert_eq!(assign_batch(&mut a), assign_batch(&mut b));
        assert_eq!(a[0].batch, b[0].batch);
        assert!(a[1].batch.is_empty(), "a decided hit keeps the batch it was decided in");
        let mut c = vec![m("A", Disposition::Open), m("C", Disposition::Open)];
        assert_ne!(assign_batch(&mut c), assign_batch(&mut b));
        let mut none = vec![m("B", Disposition::Cleared)];
        assert_eq!(assign_batch(&mut none), None);
    }

    #[test]
    fn hashes_are_salted() {
        let id = id_number::parse("11010519491231002X").unwrap();
        assert_ne!(id_hash("salt-one-0123456789", &id), id_hash("salt-two-0123456789", &id));
        assert_eq!(id_hash("s", &id), sha256_hex(b"s|11010519491231002X"));
    }
}
