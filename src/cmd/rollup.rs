//! `jiuzhu rollup WS… --period P [--out FILE.xlsx]`: a city or province bureau reads many county workspaces
//! without merging them (汇总): the month's combined statistics, per county and in total, and the people receiving
//! assistance in more than one county, found by the salted hash of their ID number.
//!
//! - **The figures are each county's `jiuzhu report`**: [`report::compute`] over the county's ledgers (households,
//!   persons and amounts in force by scheme, paid in the month and in the year to date), added up. Nothing is
//!   counted here that the county's own report does not count.
//! - **People in several counties** are matched by the hash the hashed exchange uses ([`compare::id_hash`]:
//!   SHA-256 of `salt|ID`), so every county must have the same `exchange.salt`; otherwise the run stops before
//!   reading a ledger. A person is found when, in some month of the year up to P, a case of theirs is in force in
//!   two counties or more (by [`report::in_force`], the report's own rule). The output names them by masked ID,
//!   hash, county, case, scheme and months — never by a plain ID number. Found people need a person: exit 1.
//! - **Streaming memory**: one county's ledgers are read at a time and dropped before the next; what is kept is
//!   the county's totals and, for each person in force in the year, the 32 bytes of the hash with where they are
//!   in force (county, scheme, case, months).
//! - **Read-only**: a county's workspace is opened without its lock and nothing is written into it; a path that is
//!   not a workspace (no `jiuzhu.yaml` in it), a workspace with a step left unfinished, or ledgers that do not read
//!   is an error naming it (exit 2), and nothing is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;

use crate::cmd::cli::{examples, Ctx};
use crate::cmd::compare::id_hash;
use crate::cmd::report::{self, Figures};
use crate::domain::date::Period;
use crate::domain::digest;
use crate::domain::mask;
use crate::domain::money::Fen;
use crate::hash::HashMap;
use crate::i18n::tr;
use crate::ledger::{self, Case, Decision, Member, Payment};
use crate::policy::{Policy, POLICY_FILE};
use crate::sheet::writer::{self, Column, Kind, SheetSpec, Value};
use crate::Outcome;

/// The step's name in messages and `--json`.
pub const STEP: &str = "rollup";

/// People found in several counties shown on the terminal; the workbook and `--json` hold them all.
const SHOWN: usize = 20;

// Combine the month's statistics of many county workspaces without merging them, and find the people receiving
// assistance in more than one county by hashed ID.
// Its options and help are in both languages, picked when the command line is built.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Combine many county workspaces without merging them (汇总): the month's statistics per county and in \
total, and the people in force in more than one county, found by hashed ID",
        "汇总多个县的工作区 (不合并): 当月各县及合计的统计数字, 并按身份证号哈希查出在两个以上县同时在保的人员",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu rollup 青禾县 禾丰县 --period 2026-11\n  \
jiuzhu rollup counties/* --period 2026-11 --out 2026-11-汇总表.xlsx\n  \
jiuzhu --json rollup counties/* --period 2026-11",
        "示例:\n  jiuzhu rollup 青禾县 禾丰县 --period 2026-11\n  \
jiuzhu rollup counties/* --period 2026-11 --out 2026-11-汇总表.xlsx\n  \
jiuzhu --json rollup counties/* --period 2026-11",
    )),
    after_help = tr("\
Each county's figures are its own `jiuzhu report` for the month (in force: households, persons, amounts by scheme; \
paid in the month and the year to date), added up. People are matched by the salted SHA-256 of their ID number that \
`compare --export-hashed` uses, so every county must have the same exchange.salt in jiuzhu.yaml (else nothing is \
read). Someone in force in two counties or more in the same month of the year is listed by masked ID, hash, county, \
case, scheme and months, never by a plain ID number. The workspaces are read one at a time, without their lock, and \
nothing is written into them. Beyond this, docs/rollup.md shows how to query many counties' ledgers with DuckDB.\n\n\
Exit: 0 done; 1 people in more than one county were found (they need a person); 2 nothing done (a path that is not \
a workspace, ledgers that do not read, different salts).", "\
各县的数字即该县当月的 `jiuzhu report` (在保户数、人数、按类别的保障金额; 本月实发和本年累计发放), 相加得合计。\
人员按 `compare --export-hashed` 所用的加盐 SHA-256 身份证号哈希比对, 所以各县 jiuzhu.yaml 中的 `exchange.salt` \
必须相同 (否则不读取任何台账)。本年内同一月份在两个以上县在保的人员, 按脱敏身份证号、哈希、县、案件、救助类别和月份\
列出, 从不输出明文身份证号。各工作区逐个读取, 不加锁, 不写入任何内容。更多分析见 `docs/rollup.md`: 用 `duckdb` \
查询多个县的台账。\n\n\
退出码: 0 完成; 1 查出跨县重复享受的人员 (需要人工核实); 2 未做任何事 (路径不是工作区、台账无法读取、盐不一致)。")
)]
pub struct Args {
    #[arg(required = true, value_name = "WS", help = tr(
        "The county workspaces (folders with a jiuzhu.yaml), each read without its lock and left untouched",
        "各县的工作区 (含 jiuzhu.yaml 的文件夹); 只读取, 不加锁, 不改动",
    ))]
    pub workspaces: Vec<PathBuf>,
    #[arg(long, value_name = "YYYY-MM", help = tr("The month (YYYY-MM)", "月份 (YYYY-MM)"))]
    pub period: String,
    #[arg(long, value_name = "FILE.xlsx", help = tr(
        "Write the combined workbook (汇总表) here; without it only the summary is printed",
        "把汇总表工作簿写到此处; 不给出时只输出汇总",
    ))]
    pub out: Option<PathBuf>,
}

impl Args {
    /// `rollup` only reads (the workspaces it reads are not written).
    pub fn writing_step(&self) -> Option<Option<String>> {
        None
    }
}

/// The command line's entry: the workspaces and the workbook taken from `-C DIR` as git does.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let mut args = args;
    args.workspaces = args.workspaces.into_iter().map(|w| ctx.path(w)).collect();
    args.out = args.out.map(|f| ctx.path(f));
    run(&args, ctx.quiet)
}

/// A workspace's ledgers, read straight from its folder: no lock, no roll-forward, nothing written.
struct ReadOnly<'a>(&'a Path);

impl ledger::Store for ReadOnly<'_> {
    type Bytes = Vec<u8>;
    fn read_ledger(&self, rel: &Path) -> Result<Option<Vec<u8>>> {
        let path = self.0.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| {
                tr(
                    format!("cannot read {}", path.display()),
                    format!("无法读取 {}", path.display()),
                )
            }),
        }
    }
    fn list_ledgers(&self, rel: &Path) -> Result<Vec<String>> {
        ledger::list_csv_files(&self.0.join(rel))
    }
}

/// One county's figures for the month, as its `jiuzhu report` gives them.
#[derive(Debug, Clone, Serialize)]
pub struct County {
    pub name: String,
    pub code: String,
    pub workspace: String,
    pub total: Figures,
    pub by_scheme: BTreeMap<String, Figures>,
    pub paid_month: BTreeMap<String, Fen>,
    pub paid_year: BTreeMap<String, Fen>,
}

impl County {
    fn paid_month(&self) -> Fen {
        Fen(self.paid_month.values().map(|f| f.0).sum())
    }
    fn paid_year(&self) -> Fen {
        Fen(self.paid_year.values().map(|f| f.0).sum())
    }
}

/// Where a person is in force: a county (index), a case and its scheme, and the months of the year (bit 0 is
/// January).
#[derive(Debug, Clone)]
struct Place {
    county: u16,
    scheme: u16,
    case_id: Box<str>,
    months: u16,
}

/// A person in force somewhere in the year, kept by hash.
#[derive(Debug, Clone)]
struct Person {
    masked: Box<str>,
    places: Vec<Place>,
}

/// The months in which a person is in force in two counties or more (bits, January first).
fn overlap(places: &[Place]) -> u16 {
    let mut out = 0u16;
    for m in 0..12 {
        let bit = 1u16 << m;
        let mut counties: Vec<u16> = places
            .iter()
            .filter(|p| p.months & bit != 0)
            .map(|p| p.county)
            .collect();
        counties.sort_unstable();
        counties.dedup();
        if counties.len() >= 2 {
            out |= bit;
        }
    }
    out
}

/// The months of `bits` in `year`, runs joined: `2026-01~2026-03, 2026-05`.
fn months_text(year: i32, bits: u16) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for m in 1..=12u32 {
        if bits & (1 << (m - 1)) == 0 {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == m => *end = m,
            _ => runs.push((m, m)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                format!("{year}-{a:02}")
            } else {
                format!("{year}-{a:02}~{year}-{b:02}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A person found in two counties or more, as the output shows them (no plain ID number).
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub id_hash: String,
    pub id_masked: String,
    /// The months in force in two counties or more.
    pub overlap: String,
    pub places: Vec<FoundPlace>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FoundPlace {
    pub county: String,
    pub case_id: String,
    pub scheme: String,
    pub months: String,
}

/// Each workspace's root and policy, checked to be a workspace and to have no step left unfinished.
fn open(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, Policy)>> {
    let mut out: Vec<(PathBuf, Policy)> = Vec::new();
    for dir in dirs {
        let shown = dir.display();
        let root = dir.canonicalize().with_context(|| {
            tr(
                format!("cannot open the workspace {shown}"),
                format!("无法打开工作区 {shown}"),
            )
        })?;
        if !root.join(POLICY_FILE).is_file() {
            bail!(tr(
                format!("{shown} is not a jiuzhu workspace (no {POLICY_FILE} in it); nothing was written"),
                format!("{shown} 不是 jiuzhu 工作区 (其中没有 {POLICY_FILE}); 未写入任何文件"),
            ));
        }
        if root.join(crate::workspace::STATE_DIR).join("commit").exists() {
            bail!(tr(
                format!(
                    "{shown}: a step there was interrupted after its commit point and is not finished; run \
                     `jiuzhu -C {shown} status` there (it finishes the step), then the rollup again; nothing was \
                     written"
                ),
                format!(
                    "{shown}: 该工作区有一个步骤在提交后被中断, 尚未完成; 请在那里运行 `jiuzhu -C {shown} status` \
                     (它会完成该步骤), 再运行汇总; 未写入任何文件"
                ),
            ));
        }
        if let Some((other, _)) = out.iter().find(|(r, _)| *r == root) {
            bail!(tr(
                format!(
                    "{shown} and {} are the same workspace: it would be counted twice; nothing was written",
                    other.display()
                ),
                format!(
                    "{shown} 与 {} 是同一个工作区, 会被重复计算; 未写入任何文件",
                    other.display()
                ),
            ));
        }
        let policy = Policy::load(&root.join(POLICY_FILE)).with_context(|| {
            tr(
                format!("workspace {shown}: its policy does not read"),
                format!("工作区 {shown}: 政策文件无法读取"),
            )
        })?;
        out.push((root, policy));
    }
    Ok(out)
}

/// The one salt every county shares, or an error naming which counties differ (never the salts themselves).
fn shared_salt<'a>(dirs: &[PathBuf], opened: &'a [(PathBuf, Policy)]) -> Result<&'a str> {
    let mut groups: Vec<(Option<&str>, Vec<String>)> = Vec::new();
    for (dir, (_, policy)) in dirs.iter().zip(opened) {
        let salt = policy.exchange.as_ref().map(|x| x.salt.as_str());
        let name = format!("{} ({})", policy.region.name, dir.display());
        match groups.iter_mut().find(|(s, _)| *s == salt) {
            Some((_, names)) => names.push(name),
            None => groups.push((salt, vec![name])),
        }
    }
    if let [(Some(salt), _)] = groups.as_slice() {
        return Ok(salt);
    }
    let mut lines = Vec::new();
    let mut n = 0;
    for (salt, names) in &groups {
        match salt {
            Some(_) => {
                n += 1;
                lines.push(tr(
                    format!("  salt {n}: {}", names.join(", ")),
                    format!("  第 {n} 种盐: {}", names.join("、")),
                ));
            }
            None => lines.push(tr(
                format!("  no `exchange: {{salt: …}}`: {}", names.join(", ")),
                format!("  未设 `exchange: {{salt: …}}`: {}", names.join("、")),
            )),
        }
    }
    bail!(
        "{}\n{}",
        tr(
            "the counties do not share one exchange.salt in jiuzhu.yaml, so the same person's hashed ID differs \
             between them and people in more than one county cannot be found; nothing was read or written:",
            "各县 jiuzhu.yaml 中的 `exchange.salt` 不一致, 同一人的身份证号哈希在各县不同, 无法查出跨县重复享受的人员; \
             未读取台账, 未写入任何文件:",
        ),
        lines.join("\n")
            + &tr(
                "\nAgree one salt for all the counties (at least 16 characters), set it in each jiuzhu.yaml, and run \
                 the rollup again.",
                "\n请为各县约定同一个盐 (至少 16 个字符), 写入各县的 jiuzhu.yaml, 再运行汇总。",
            )
    )
}

fn unhex(h: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap_or(0);
    }
    out
}

/// The scheme keys met, each once (a person's place keeps the index).
#[derive(Default)]
struct Schemes(Vec<String>);

impl Schemes {
    fn index(&mut self, key: &str) -> u16 {
        match self.0.iter().position(|k| k == key) {
            Some(i) => i as u16,
            None => {
                self.0.push(key.to_string());
                (self.0.len() - 1) as u16
            }
        }
    }
}

/// Reads one county: its figures, and its people in force in the year into `people`. Its ledgers are dropped
/// when this returns.
fn read_county(
    index: u16,
    root: &Path,
    policy: &Policy,
    period: Period,
    salt: &str,
    people: &mut HashMap<[u8; 32], Person>,
    schemes: &mut Schemes,
) -> Result<County> {
    let store = ReadOnly(root);
    let (cases, decisions, payments, members) = (
        ledger::read::<Case>(&store)?,
        ledger::read::<Decision>(&store)?,
        ledger::read::<Payment>(&store)?,
        ledger::read::<Member>(&store)?,
    );
    let stats = report::compute(policy, &cases, &decisions, &payments, period);
    drop(payments);
    // The months of the year up to P in which each case is in force.
    let mut months: HashMap<String, (u16, u16)> = HashMap::default();
    for m in 1..=period.month() {
        let month = Period::new(period.year(), m).unwrap_or(period);
        for (case_id, f) in report::in_force(policy, &cases, &decisions, month) {
            let scheme = schemes.index(&f.scheme);
            months.entry(case_id).or_insert((scheme, 0)).1 |= 1 << (m - 1);
        }
    }
    drop((cases, decisions));
    for member in &members {
        let Some(&(scheme, bits)) = months.get(member.case_id.as_str()) else {
            continue;
        };
        let key = unhex(&id_hash(salt, &member.id_number));
        let person = people.entry(key).or_insert_with(|| Person {
            masked: mask::id(member.id_number.as_str()).into(),
            places: Vec::new(),
        });
        person.places.push(Place {
            county: index,
            scheme,
            case_id: member.case_id.as_str().into(),
            months: bits,
        });
    }
    Ok(County {
        name: policy.region.name.clone(),
        code: policy.region.code.clone(),
        workspace: root.display().to_string(),
        total: stats.total,
        by_scheme: stats.by_scheme,
        paid_month: stats.paid_month,
        paid_year: stats.paid_year,
    })
}

fn add(a: &mut Figures, b: &Figures) {
    a.households += b.households;
    a.persons += b.persons;
    a.amount = Fen(a.amount.0 + b.amount.0);
}

pub fn run(args: &Args, quiet: bool) -> Result<Outcome> {
    let period = Period::parse(&args.period).map_err(|e| {
        anyhow!(
            "{}",
            tr(
                format!("--period `{}`: {e}; write the month as 2026-11", args.period),
                format!("--period `{}`: {}", args.period, e.zh())
            )
        )
    })?;
    if let Some(out) = &args.out {
        if out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
            != Some("xlsx")
        {
            bail!(tr(
                format!(
                    "--out {}: the workbook is written as .xlsx; name the file FILE.xlsx",
                    out.display()
                ),
                format!(
                    "--out {}: 汇总表为 .xlsx 工作簿, 请把文件命名为 文件名.xlsx",
                    out.display()
                ),
            ));
        }
    }
    let opened = open(&args.workspaces)?;
    let salt = shared_salt(&args.workspaces, &opened)?;
    writer::set_paper(opened[0].1.print.paper);

    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for (_, policy) in &opened {
        for (k, s) in &policy.schemes {
            labels.entry(k.clone()).or_insert_with(|| s.label.clone());
        }
    }
    let mut people: HashMap<[u8; 32], Person> = HashMap::default();
    let mut schemes = Schemes::default();
    let mut counties: Vec<County> = Vec::new();
    for (i, ((root, policy), dir)) in opened.iter().zip(&args.workspaces).enumerate() {
        let county =
            read_county(i as u16, root, policy, period, salt, &mut people, &mut schemes).with_context(|| {
                tr(
                    format!(
                        "workspace {}: its ledgers do not read; nothing was written",
                        dir.display()
                    ),
                    format!("工作区 {}: 台账无法读取; 未写入任何文件", dir.display()),
                )
            })?;
        counties.push(county);
    }
    // Two counties of the same name are told apart by their folders.
    let mut named: Vec<String> = counties.iter().map(|c| c.name.clone()).collect();
    for (i, c) in counties.iter().enumerate() {
        if counties.iter().filter(|o| o.name == c.name).count() > 1 {
            named[i] = format!("{} ({})", c.name, args.workspaces[i].display());
        }
    }

    let label = |key: &str| labels.get(key).cloned().unwrap_or_else(|| key.to_string());
    let mut found: Vec<Found> = people
        .into_iter()
        .filter_map(|(hash, p)| {
            let both = overlap(&p.places);
            (both != 0).then(|| {
                let mut places: Vec<FoundPlace> = p
                    .places
                    .iter()
                    .map(|pl| FoundPlace {
                        county: named[pl.county as usize].clone(),
                        case_id: pl.case_id.to_string(),
                        scheme: schemes.0[pl.scheme as usize].clone(),
                        months: months_text(period.year(), pl.months),
                    })
                    .collect();
                places.sort_by(|a, b| (&a.county, &a.case_id).cmp(&(&b.county, &b.case_id)));
                Found {
                    id_hash: digest::hex(&hash),
                    id_masked: p.masked.to_string(),
                    overlap: months_text(period.year(), both),
                    places,
                }
            })
        })
        .collect();
    found.sort_by(|a, b| {
        (&a.places[0].county, &a.places[0].case_id, &a.id_hash).cmp(&(
            &b.places[0].county,
            &b.places[0].case_id,
            &b.id_hash,
        ))
    });

    let mut total = Figures::default();
    let mut by_scheme: BTreeMap<String, Figures> = BTreeMap::new();
    let (mut paid_month, mut paid_year) = (BTreeMap::<String, Fen>::new(), BTreeMap::<String, Fen>::new());
    for c in &counties {
        add(&mut total, &c.total);
        for (k, f) in &c.by_scheme {
            add(by_scheme.entry(k.clone()).or_default(), f);
        }
        for (k, f) in &c.paid_month {
            let e = paid_month.entry(k.clone()).or_default();
            *e = Fen(e.0 + f.0);
        }
        for (k, f) in &c.paid_year {
            let e = paid_year.entry(k.clone()).or_default();
            *e = Fen(e.0 + f.0);
        }
    }
    let sum_month = Fen(paid_month.values().map(|f| f.0).sum());
    let sum_year = Fen(paid_year.values().map(|f| f.0).sum());

    if let Some(out) = &args.out {
        let bytes = workbook(period, &counties, &named, &labels, &found, &label)?;
        write_file(out, &bytes)?;
    }

    crate::ui::record("period", period.to_string());
    crate::ui::record_serialized(
        "counties",
        &counties
            .iter()
            .zip(&named)
            .map(|(c, n)| {
                serde_json::json!({
                    "name": n,
                    "code": c.code,
                    "workspace": c.workspace,
                    "households": c.total.households,
                    "persons": c.total.persons,
                    "amount": c.total.amount.to_string(),
                    "paid_month": c.paid_month().to_string(),
                    "paid_year_to_date": c.paid_year().to_string(),
                })
            })
            .collect::<Vec<_>>(),
    );
    crate::ui::record("households", total.households);
    crate::ui::record("persons", total.persons);
    crate::ui::record("amount", total.amount.to_string());
    crate::ui::record("paid_month", sum_month.to_string());
    crate::ui::record("paid_year_to_date", sum_year.to_string());
    crate::ui::record_serialized(
        "by_scheme",
        &by_scheme
            .iter()
            .map(|(k, f)| {
                (
                    k.clone(),
                    serde_json::json!({
                        "households": f.households,
                        "persons": f.persons,
                        "amount": f.amount.to_string(),
                        "paid_month": paid_month.get(k).copied().unwrap_or_default().to_string(),
                        "paid_year_to_date": paid_year.get(k).copied().unwrap_or_default().to_string(),
                    }),
                )
            })
            .collect::<BTreeMap<_, _>>(),
    );
    crate::ui::record("in_several_counties", found.len());
    crate::ui::record_serialized("people", &found);
    crate::ui::record(
        "workbook",
        args.out
            .as_ref()
            .map(|p| serde_json::Value::from(p.display().to_string()))
            .unwrap_or(serde_json::Value::Null),
    );

    let outcome = if found.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if quiet && outcome == Outcome::Done {
        return Ok(outcome);
    }
    crate::outln!(
        "{}",
        tr(
            format!(
                "rollup {period}: {} counties, {} households, {} persons in force, {} this month; paid {} this \
                 month, {} this year",
                counties.len(),
                total.households,
                total.persons,
                total.amount,
                sum_month,
                sum_year
            ),
            format!(
                "汇总 {period}: {} 个县, 在保 {} 户 {} 人, 本月保障金额 {} 元; 本月实发 {} 元, 本年累计发放 {} 元",
                counties.len(),
                total.households,
                total.persons,
                total.amount,
                sum_month,
                sum_year
            ),
        )
    );
    for (c, n) in counties.iter().zip(&named) {
        crate::outln!(
            "  {}",
            tr(
                format!(
                    "{n}: {} households, {} persons, {}; paid {} this month, {} this year",
                    c.total.households,
                    c.total.persons,
                    c.total.amount,
                    c.paid_month(),
                    c.paid_year()
                ),
                format!(
                    "{n}: {} 户 {} 人, {} 元; 本月实发 {} 元, 本年累计 {} 元",
                    c.total.households,
                    c.total.persons,
                    c.total.amount,
                    c.paid_month(),
                    c.paid_year()
                ),
            )
        );
    }
    if found.is_empty() {
        crate::outln!(
            "{}",
            tr(
                "No one is in force in more than one county.",
                "没有在两个以上县同时在保的人员。"
            )
        );
    } else {
        crate::outln!(
            "{}",
            tr(
                format!(
                    "in force in more than one county in the same month: {} people (they need a person: ask the \
                     counties to check these cases):",
                    found.len()
                ),
                format!(
                    "{} 人同月在两个以上县在保 (跨县重复享受, 需要人工核实: 请有关县核查下列案件):",
                    found.len()
                ),
            )
        );
        for f in found.iter().take(SHOWN) {
            let places: Vec<String> = f
                .places
                .iter()
                .map(|p| format!("{} `{}` {} {}", p.county, p.case_id, label(&p.scheme), p.months))
                .collect();
            crate::outln!("  {} ({}…): {}", f.id_masked, &f.id_hash[..12], places.join("; "));
        }
        if found.len() > SHOWN {
            crate::outln!(
                "  {}",
                tr(
                    format!("… and {} more (all in the workbook and --json)", found.len() - SHOWN),
                    format!("… 另有 {} 人 (全部见汇总表和 --json)", found.len() - SHOWN),
                )
            );
        }
    }
    match &args.out {
        Some(out) => crate::outln!(
            "  {}",
            tr(
                format!("workbook: {}", out.display()),
                format!("汇总表: {}", out.display())
            )
        ),
        None => crate::outln!(
            "  {}",
            tr(
                "(--out FILE.xlsx writes the workbook)",
                "(加 --out 文件名.xlsx 写出汇总表工作簿)"
            )
        ),
    }
    Ok(outcome)
}

/// Writes the workbook whole or not at all (a temporary file beside it, renamed into place).
fn write_file(out: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let shown = out.display().to_string();
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).with_context(|| {
        tr(
            format!("cannot write in {}", dir.display()),
            format!("无法在 {} 中写入", dir.display()),
        )
    })?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(out).map_err(|e| {
        anyhow!(tr(
            format!("cannot write {shown}: {e}"),
            format!("无法写入 {shown}: {e}")
        ))
    })?;
    Ok(())
}

/// The workbook (always Chinese): 汇总 (by county), 按类别, 按县按类别, 跨县重复.
fn workbook(
    period: Period,
    counties: &[County],
    named: &[String],
    labels: &BTreeMap<String, String>,
    found: &[Found],
    label: &dyn Fn(&str) -> String,
) -> Result<Vec<u8>> {
    let month_zh = format!("{}年{}月", period.year(), period.month());
    let made = {
        use chrono::Datelike;
        let d = period.last_day();
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    };
    let above = |extra: &str| writer::Print {
        above: vec![writer::Line::left(format!(
            "统计期: {month_zh}    汇总县数: {}    制表日期: {made}{extra}",
            counties.len()
        ))],
        ..Default::default()
    };
    let figures = |f: &Figures| {
        [
            Value::Count(f.households),
            Value::Count(f.persons),
            Value::Money(f.amount),
        ]
    };

    let mut total = Figures::default();
    let mut rows = Vec::new();
    let (mut month_sum, mut year_sum) = (0i64, 0i64);
    for (c, n) in counties.iter().zip(named) {
        add(&mut total, &c.total);
        month_sum += c.paid_month().0;
        year_sum += c.paid_year().0;
        let mut row = vec![Value::from(n.as_str()), Value::from(c.code.as_str())];
        row.extend(figures(&c.total));
        row.push(Value::Money(c.paid_month()));
        row.push(Value::Money(c.paid_year()));
        row.push(Value::from(c.workspace.as_str()));
        rows.push(row);
    }
    let mut row = vec![Value::from("合计"), Value::from("")];
    row.extend(figures(&total));
    row.push(Value::Money(Fen(month_sum)));
    row.push(Value::Money(Fen(year_sum)));
    row.push(Value::from(""));
    rows.push(row);
    let summary = SheetSpec {
        name: "汇总".into(),
        title: Some(format!("{month_zh} 社会救助汇总表 (按县)")),
        columns: vec![
            Column::new("县(市、区)", Kind::Text),
            Column::new("行政区划代码", Kind::Code),
            Column::new("在保户数", Kind::Count),
            Column::new("在保人数", Kind::Count),
            Column::new("本月保障金额(元)", Kind::Money),
            Column::new("本月实发(元)", Kind::Money),
            Column::new("本年累计发放(元)", Kind::Money),
            Column::new("工作区", Kind::Text),
        ],
        rows,
        batch: None,
        print: writer::Print {
            landscape: true,
            ..above(&format!("    跨县重复享受: {} 人", found.len()))
        },
    };

    let mut by_scheme: BTreeMap<&str, (Figures, i64, i64)> = BTreeMap::new();
    let mut county_rows = Vec::new();
    for (c, n) in counties.iter().zip(named) {
        for (k, f) in &c.by_scheme {
            let pm = c.paid_month.get(k).copied().unwrap_or_default();
            let py = c.paid_year.get(k).copied().unwrap_or_default();
            let e = by_scheme.entry(k.as_str()).or_default();
            add(&mut e.0, f);
            e.1 += pm.0;
            e.2 += py.0;
            let mut row = vec![Value::from(n.as_str()), Value::from(label(k))];
            row.extend(figures(f));
            row.push(Value::Money(pm));
            row.push(Value::Money(py));
            county_rows.push(row);
        }
    }
    let scheme_columns = |first: &[&str]| {
        let mut cols: Vec<Column> = first.iter().map(|l| Column::new(l, Kind::Text)).collect();
        cols.extend([
            Column::new("户数", Kind::Count),
            Column::new("人数", Kind::Count),
            Column::new("本月保障金额(元)", Kind::Money),
            Column::new("本月实发(元)", Kind::Money),
            Column::new("本年累计发放(元)", Kind::Money),
        ]);
        cols
    };
    let mut scheme_rows: Vec<Vec<Value>> = by_scheme
        .iter()
        .map(|(k, (f, pm, py))| {
            let mut row = vec![Value::from(labels.get(*k).cloned().unwrap_or_else(|| k.to_string()))];
            row.extend(figures(f));
            row.push(Value::Money(Fen(*pm)));
            row.push(Value::Money(Fen(*py)));
            row
        })
        .collect();
    let mut row = vec![Value::from("合计")];
    row.extend(figures(&total));
    row.push(Value::Money(Fen(month_sum)));
    row.push(Value::Money(Fen(year_sum)));
    scheme_rows.push(row);
    let schemes = SheetSpec {
        name: "按类别".into(),
        title: Some(format!("{month_zh} 分类别汇总 (临时救助为当月一次性)")),
        columns: scheme_columns(&["救助类别"]),
        rows: scheme_rows,
        batch: None,
        print: above(""),
    };
    let county_schemes = SheetSpec {
        name: "按县按类别".into(),
        title: Some(format!("{month_zh} 各县分类别统计")),
        columns: scheme_columns(&["县(市、区)", "救助类别"]),
        rows: county_rows,
        batch: None,
        print: above(""),
    };

    let mut dup_rows = Vec::new();
    for (i, f) in found.iter().enumerate() {
        for p in &f.places {
            dup_rows.push(vec![
                Value::Count(i as i64 + 1),
                Value::from(f.id_masked.as_str()),
                Value::from(f.id_hash.as_str()),
                Value::from(p.county.as_str()),
                Value::from(p.case_id.as_str()),
                Value::from(label(&p.scheme)),
                Value::from(p.months.as_str()),
                Value::from(f.overlap.as_str()),
            ]);
        }
    }
    let dups = SheetSpec {
        name: "跨县重复享受".into(),
        title: Some(format!(
            "{month_zh} 跨县重复享受人员 (本年内同月在两个以上县在保, 按身份证号加盐哈希比对; 请有关县核查)"
        )),
        columns: vec![
            Column::new("序号", Kind::Count),
            Column::new("身份证号(脱敏)", Kind::Code),
            Column::new("身份证号哈希", Kind::Code),
            Column::new("县(市、区)", Kind::Text),
            Column::new("案件编号", Kind::Code),
            Column::new("救助类别", Kind::Text),
            Column::new("在保月份", Kind::Text),
            Column::new("重叠月份", Kind::Text),
        ],
        rows: dup_rows,
        batch: None,
        print: writer::Print {
            landscape: true,
            ..above("")
        },
    };
    writer::workbook_bytes(&[summary, schemes, county_schemes, dups])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(county: u16, months: u16) -> Place {
        Place {
            county,
            scheme: 0,
            case_id: "C".into(),
            months,
        }
    }

    #[test]
    fn a_person_is_found_only_in_months_shared_by_two_counties() {
        // One county, two cases: not across counties.
        assert_eq!(overlap(&[place(0, 0b111), place(0, 0b111)]), 0);
        // Moved: county 0 January–March, county 1 April on.
        assert_eq!(overlap(&[place(0, 0b0111), place(1, 0b1_1000)]), 0);
        // Both in March.
        assert_eq!(overlap(&[place(0, 0b0111), place(1, 0b1100)]), 0b0100);
    }

    #[test]
    fn months_are_written_as_runs() {
        assert_eq!(months_text(2026, 0b1_0111), "2026-01~2026-03, 2026-05");
        assert_eq!(months_text(2026, 1 << 10), "2026-11");
        assert_eq!(months_text(2026, 0), "");
    }

    #[test]
    fn a_hash_is_kept_as_its_32_bytes() {
        let h = crate::domain::digest::sha256_hex(b"abc");
        assert_eq!(digest::hex(&unhex(&h)), h);
    }
}
