//! `jiuzhu verify [--as-of DATE] [--visits FILE…] [--extend CASE --days N --approver NAME --reason TEXT]` —
//! the review (审核) of every case under review.
//!
//! Reads everything first (visit sheets, ledgers, policy), records the visit rows and the extension, runs the
//! checks of [`crate::domain::eligibility`] on each case (status received, needs_info, verified or
//! ineligible), and writes the outcome of each check to `checks.csv`, each status change to the journal, the
//! review workbook and the 一次性告知 list — in one commit. The date the checks are made on is `--as-of` or
//! the latest date in the workspace, never the computer's clock, so the same inputs always give the same
//! bytes, and a re-run changes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use rayon::prelude::*;

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::domain::date::{self, DateBounds};
use crate::domain::eligibility::{self, CaseFacts, Finding};
use crate::domain::id_number;
use crate::domain::records;
use crate::domain::text;
use crate::hash::HashSet;
use crate::i18n::{tr, Msg};
use crate::ledger::events::{self, sha256_hex, NewEvent};
use crate::ledger::{
    self, Case, CaseStatus, Check, CheckResult, Confirmation, Extension, Match, Member, NewCheck, PolicyValues, Record,
    Text, Visit, VisitLevel,
};
use crate::sheet::fields::HeaderNames;
use crate::sheet::reader::{self, Cell, Encoding, Header};
use crate::sheet::writer::{self, Column, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

/// `--extend CASE --days N --approver NAME --reason TEXT`.
#[derive(Debug, Clone)]
pub struct ExtendArgs {
    pub case_id: String,
    pub days: u32,
    pub approver: String,
    pub reason: String,
}

/// What `verify` was asked to do, resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub as_of: Option<String>,
    pub visits: Vec<PathBuf>,
    pub extend: Option<ExtendArgs>,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

// `jiuzhu verify`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Check every case under review: materials, identity and household, income and assets, exclusions, \
registry hits, home visits, the township re-visit sample, time limits",
        "审核每个在审案件: 申请材料、身份与家庭、收入与财产、排除情形、信息比对命中、入户调查、乡镇抽查复核、\
办理时限",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu verify --as-of 2026-11-20\n  \
jiuzhu verify --as-of 2026-11-20 --visits 入户调查-11月.xlsx\n  \
jiuzhu verify --extend CD-2026-0B9A1C744081 --days 10 --approver 王局长 --reason \"需补充外地收入证明\"",
        "示例:\n  jiuzhu verify --as-of 2026-11-20\n  \
jiuzhu verify --as-of 2026-11-20 --visits 入户调查-11月.xlsx\n  \
jiuzhu verify --extend CD-2026-0B9A1C744081 --days 10 --approver 王局长 --reason \"需补充外地收入证明\"",
    )),
    after_help = tr("\
Records each outcome in ledgers/checks.csv and moves each case to verified, needs_info or ineligible. Writes \
reports/review-DATE.xlsx (one row per case with its verdict and reasons) and reports/supplement-notices-DATE.xlsx \
(一次性告知: everything each household must supplement, with the due date). Without --as-of the date is the \
latest date in the workspace (never the computer's clock).\n\nExit: 0 every case passed; 1 some case needs a \
person; 2 nothing done.", "\
每项结果记入 ledgers/checks.csv, 每个案件转为 `verified` (审核通过)、`needs_info` (需补充材料) 或 \
`ineligible` (不符合条件)。写出 reports/review-DATE.xlsx (每案一行, 含结论和理由) 和 \
reports/supplement-notices-DATE.xlsx (一次性告知: 每户需补充的全部材料及截止日期)。不给 --as-of 时, \
日期取工作区中最近的日期 (绝不用电脑的时钟)。\n\n\
退出码: 0 全部案件通过; 1 有案件需要人工处理; 2 未做任何事。")
)]
pub struct Args {
    #[arg(long, value_name = "DATE", help = tr(
        "The date checks are made on (standards in force, time limits, ages): YYYY-MM-DD",
        "审核所依据的日期 (适用的标准、办理时限、年龄): YYYY-MM-DD",
    ))]
    pub as_of: Option<String>,
    #[arg(long, value_name = "FILE", help = tr(
        "Home-visit sheets (入户调查表) to record first: case or head's ID, date, investigators, findings, signed",
        "先记录的入户调查表: 案件编号或户主身份证号、日期、调查人、调查结论、签字",
    ))]
    pub visits: Vec<PathBuf>,
    #[arg(long, value_name = "CASE", help = tr(
        "Extend a case's time limit (延期): needs --days, --approver and --reason",
        "延长案件的办理时限 (延期): 需同时给出 --days、--approver 和 --reason",
    ))]
    pub extend: Option<String>,
    #[arg(long, requires = "extend", help = tr("Working days added by --extend", "--extend 延长的工作日数"))]
    pub days: Option<u32>,
    #[arg(long, requires = "extend", help = tr(
        "The leader who approved the extension (有决定权的领导)",
        "批准延期的领导 (有决定权的领导)",
    ))]
    pub approver: Option<String>,
    #[arg(long, requires = "extend", help = tr("Why the extension is needed", "延期的原因"))]
    pub reason: Option<String>,
    #[arg(long, value_name = "ENC", help = tr(
        "CSV encoding of visit sheets (default: detect)",
        "入户调查表的 CSV 编码 (默认: 自动识别)",
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

/// The command line's entry: the visit sheets taken from `-C DIR` as git does, `--extend` with its three
/// companions.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let ws = ctx.workspace()?;
    let extend = match args.extend {
        None => None,
        Some(case_id) => Some(ExtendArgs {
            case_id,
            days: args.days.ok_or_else(|| {
                anyhow::anyhow!("{}", tr("--extend needs --days N", "--extend 需要同时给出 --days N"))
            })?,
            approver: args.approver.ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    tr(
                        "--extend needs --approver NAME",
                        "--extend 需要同时给出 --approver 批准人"
                    )
                )
            })?,
            reason: args.reason.ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    tr("--extend needs --reason TEXT", "--extend 需要同时给出 --reason 理由")
                )
            })?,
        }),
    };
    run(
        &ws,
        &Request {
            as_of: args.as_of,
            visits: args.visits.into_iter().map(|f| ctx.path(f)).collect(),
            extend,
            encoding: args.encoding,
            dry_run: args.dry_run,
            quiet: ctx.quiet,
        },
    )
}

/// How many cases needing a person are named on stdout; the review workbook lists them all.
const SHOWN_CASES: usize = 10;

/// One visit sheet as read.
type Input = reader::TableFile;

/// A visit row that could not be recorded, for the clerk who fixes it.
struct Reject {
    file: String,
    sheet: String,
    row: u32,
    value: String,
    reason: Msg,
    fix: Msg,
}

/// The fate of each input file's rows.
#[derive(Default, Clone, Copy)]
struct VisitTally {
    read: usize,
    recorded: usize,
    already: usize,
    rejected: usize,
}

/// One case's review.
struct Reviewed<'a> {
    case: &'a Case,
    findings: Vec<Finding>,
    status: CaseStatus,
    overdue: bool,
}

/// A case's rows of checks.csv: kept as they were (a case not under review now), or its new findings.
enum CaseChecks<'a> {
    Kept(&'a [&'a Check]),
    New(&'a Reviewed<'a>),
}

/// The bytes of cases.csv (when statuses changed), checks.csv and visits.csv (when visits were recorded).
type EncodedLedgers = (Option<Vec<u8>>, Vec<u8>, Option<Vec<u8>>);

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    let encoding = match &args.encoding {
        Some(e) => Encoding::parse(e)?,
        None => Encoding::Detect,
    };
    let explicit_as_of = match &args.as_of {
        None => None,
        Some(s) => Some(date::parse_date(s).map_err(|e| {
            anyhow!(tr(
                format!("--as-of `{s}`: {e}; write the date as 2026-11-20"),
                format!("--as-of `{s}`: {}; 日期请写成 2026-11-20", e.zh())
            ))
        })?),
    };
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };

    // Visit sheets first: a file that cannot be used at all stops the run before anything is written.
    // The files are read in parallel (the first unusable one in the order given is reported), then the ledgers
    // on both cores.
    let names = HeaderNames::new(&ws.policy.columns);
    let read: Vec<Result<Input>> = args
        .visits
        .par_iter()
        .map(|path| read_visit_file(path, encoding, &names))
        .collect();
    let inputs = read.into_iter().collect::<Result<Vec<Input>>>()?;

    crate::ui::phase("verify: inputs read");
    let (mut cases, mut members, mut visits, mut extensions) = (None, None, None, None);
    let (mut matches, mut old_checks, mut chain, mut confirmations) = (None, None, None, None);
    let mut old_values = None;
    rayon::scope(|s| {
        s.spawn(|_| cases = Some(ledger::read::<Case>(ws)));
        s.spawn(|_| members = Some(ledger::read::<Member>(ws)));
        s.spawn(|_| visits = Some(ledger::read::<Visit>(ws)));
        s.spawn(|_| extensions = Some(ledger::read::<Extension>(ws)));
        s.spawn(|_| matches = Some(ledger::read::<Match>(ws)));
        s.spawn(|_| old_checks = Some(ledger::read::<Check>(ws)));
        s.spawn(|_| old_values = Some(ledger::read::<PolicyValues>(ws)));
        s.spawn(|_| chain = Some(events::Journal::read(ws)));
        s.spawn(|_| confirmations = Some(ledger::read::<Confirmation>(ws)));
    });
    let every = "every ledger is read";
    let cases = crate::kept_to_exit(cases.expect(every)?);
    let members = crate::kept_to_exit(members.expect(every)?);
    let mut visits = crate::kept_to_exit(visits.expect(every)?);
    let mut extensions = extensions.expect(every)?;
    let matches = crate::kept_to_exit(matches.expect(every)?);
    let old_checks = old_checks.expect(every)?;
    let old_values = old_values.expect(every)?;
    let confirmations = confirmations.expect(every)?;
    let mut chain = chain.expect(every)?;
    for c in cases.iter() {
        if !ws.policy.schemes.contains_key(&c.scheme) {
            bail!(tr(
                format!(
                    "case {} has scheme `{}`, which jiuzhu.yaml does not define; restore the scheme in the policy",
                    c.case_id, c.scheme
                ),
                format!(
                    "案件 {} 的救助项目 `{}` 在 jiuzhu.yaml 中没有定义; 请在政策文件中恢复该项目",
                    c.case_id, c.scheme
                )
            ));
        }
    }

    // The extension (延期): replaces any earlier one for the case; the journal keeps old → new.
    let mut extension_event = None;
    if let Some(x) = &args.extend {
        let Some(case) = cases.iter().find(|c| c.case_id == x.case_id) else {
            bail!(tr(
                format!(
                    "--extend {}: no such case in ledgers/cases.csv (case IDs look like CD-2026-0B9A1C744081)",
                    x.case_id
                ),
                format!(
                    "--extend {}: ledgers/cases.csv 中没有这个案件 (案件编号形如 CD-2026-0B9A1C744081)",
                    x.case_id
                )
            ));
        };
        if x.days == 0 {
            bail!(tr("--days must be at least 1 working day", "--days 至少为 1 个工作日"));
        }
        if text::is_blank(&x.approver) || text::is_blank(&x.reason) {
            bail!(tr(
                "--extend needs a non-empty --approver (the leader who approved it) and --reason",
                "--extend 需要填写 --approver (有决定权的领导) 和 --reason (延期理由)"
            ));
        }
        let new = Extension {
            case_id: case.case_id.clone(),
            extra_working_days: x.days,
            approver: Text(text::normalize(&x.approver)),
            reason: Text(text::normalize(&x.reason)),
        };
        let old = extensions.iter().position(|e| e.case_id == new.case_id);
        let old_days = old.map(|i| extensions[i].extra_working_days).unwrap_or(0);
        if old.map(|i| &extensions[i]) != Some(&new) {
            extension_event = Some(NewEvent {
                step: "verify".into(),
                case_id: new.case_id.clone(),
                detail: format!(
                    "time limit extended (延期): {old_days} → {} working days, approved by {}: {}",
                    new.extra_working_days, new.approver, new.reason
                ),
                ..NewEvent::default()
            });
            match old {
                Some(i) => extensions[i] = new.clone(),
                None => extensions.push(new.clone()),
            }
        }
    }

    // Visit rows → visits.csv.
    crate::ui::phase("verify: ledgers read");
    let (new_visits, rejects, tallies) = read_visit_rows(&inputs, &cases, &visits, explicit_as_of);
    let files_with_new: BTreeSet<String> = new_visits.iter().map(|v| v.file_sha256.clone()).collect();
    let n_new_visits = new_visits.len();
    visits.extend(new_visits);

    crate::ui::phase("verify: visit rows");
    let under_review = |s: CaseStatus| {
        matches!(
            s,
            CaseStatus::Received | CaseStatus::NeedsInfo | CaseStatus::Verified | CaseStatus::Ineligible
        )
    };
    let as_of = match explicit_as_of {
        Some(d) => d,
        None => {
            let latest = cases
                .iter()
                .map(|c| c.applied_on)
                .chain(visits.iter().map(|v| v.visited_on))
                .max();
            match latest {
                Some(d) => d,
                None => {
                    crate::outln!(
                        "{}",
                        tr(
                            "verify: no cases in the workspace — nothing to do",
                            "核实: 工作区中没有案件, 无需处理"
                        )
                    );
                    return Ok(Outcome::Done);
                }
            }
        }
    };

    // Who is in which open case (a person may be in one only).
    let open: crate::hash::HashSet<&str> = cases
        .iter()
        .filter(|c| c.status.is_open())
        .map(|c| c.case_id.as_str())
        .collect();
    // Each person's open cases, in case order.
    let mut cases_of_person: crate::hash::HashMap<&str, Vec<&str>> =
        crate::hash::HashMap::with_capacity_and_hasher(members.len(), Default::default());
    for m in members.iter().filter(|m| open.contains(m.case_id.as_str())) {
        cases_of_person
            .entry(m.id_number.as_str())
            .or_default()
            .push(m.case_id.as_str());
    }
    for ids in cases_of_person.values_mut().filter(|ids| ids.len() > 1) {
        ids.sort_unstable();
        ids.dedup();
    }

    // The township re-visit sample, drawn over the cases under review.
    let v = &ws.policy.verification;
    let mut by_township: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in cases.iter().filter(|c| under_review(c.status)) {
        by_township
            .entry(c.township.0.clone())
            .or_default()
            .push(c.case_id.clone());
    }
    crate::ui::phase("verify: indexes");
    let sample = eligibility::revisit_sample(v.revisit_seed, &by_township, v.revisit_percent);

    crate::ui::phase("verify: sample");
    // The checks.
    // Per-case groups built once (in ledger order), not a scan of every ledger per case.
    let members_by_case = records::by_case(members.iter());
    let visits_by_case = records::by_case(visits.iter());
    let matches_by_case = records::by_case(matches.iter());
    let confirmations_by_case = records::by_case(confirmations.iter());
    let extension_of: crate::hash::HashMap<&str, &Extension> =
        extensions.iter().map(|e| (e.case_id.as_str(), e)).collect();
    // Each case is checked on its own: in parallel, collected in ledger order.
    let under: Vec<&Case> = cases.iter().filter(|c| under_review(c.status)).collect();
    let progress = crate::ui::Progress::new(under.len() as u64, tr("verify: cases checked", "审核: 已检查案件"));
    let reviewed: Vec<Reviewed<'_>> = under
        .par_iter()
        .map(|&c| {
            progress.inc(1);
            let case_members: Vec<&Member> = members_by_case.get(c.case_id.as_str()).cloned().unwrap_or_default();
            let mut also_in = BTreeMap::new();
            for m in &case_members {
                let others: Vec<String> = cases_of_person
                    .get(m.id_number.as_str())
                    .into_iter()
                    .flatten()
                    .filter(|id| **id != c.case_id)
                    .map(|s| s.to_string())
                    .collect();
                if !others.is_empty() {
                    also_in.insert(m.id_number.as_str().to_string(), others);
                }
            }
            let facts = CaseFacts {
                case: c,
                scheme: &ws.policy.schemes[&c.scheme],
                members: case_members,
                visits: visits_by_case.get(c.case_id.as_str()).cloned().unwrap_or_default(),
                hits: matches_by_case.get(c.case_id.as_str()).cloned().unwrap_or_default(),
                extension: extension_of.get(c.case_id.as_str()).copied(),
                in_sample: sample.contains(&c.case_id),
                also_in,
                confirmations: confirmations_by_case
                    .get(c.case_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
            };
            let findings = eligibility::check_case(&ws.policy, &facts, as_of);
            let status = eligibility::status_from(&findings);
            let overdue = findings
                .iter()
                .any(|f| f.check == "time_limit" && f.result == CheckResult::NeedsInfo);
            Reviewed {
                case: c,
                findings,
                status,
                overdue,
            }
        })
        .collect();
    progress.finish();

    crate::ui::phase("verify: checked");
    // The policy values the checks used, each text once with its key: checks.csv names the key.
    let mut keys: crate::hash::HashMap<&str, String> = crate::hash::HashMap::default();
    for f in reviewed.iter().flat_map(|r| &r.findings) {
        if !keys.contains_key(f.policy_values.as_str()) {
            keys.insert(f.policy_values.as_str(), PolicyValues::key_of(&f.policy_values));
        }
    }
    let values_bytes = {
        let mut values: std::collections::BTreeMap<String, PolicyValues> =
            old_values.into_iter().map(|v| (v.key.clone(), v)).collect();
        for (text, key) in keys.iter().filter(|(_, key)| !key.is_empty()) {
            let known = values.entry(key.clone()).or_insert_with(|| PolicyValues::of(text));
            if known.values.0 != *text {
                bail!(
                    "internal error: two texts of policy values have the key {key} in {}",
                    PolicyValues::FILE
                );
            }
        }
        ledger::to_bytes(&values.into_values().collect::<Vec<_>>())?
    };
    // The new ledgers. checks.csv (twelve rows a case) is encoded beside the workbooks, case by case from the
    // findings themselves: no record is built, nor a row held, for what is only written.
    let encode_checks = || -> Result<Vec<u8>> {
        let reviewed_ids: HashSet<&str> = reviewed.iter().map(|r| r.case.case_id.as_str()).collect();
        let mut kept: Vec<&Check> = old_checks
            .iter()
            .filter(|k| !reviewed_ids.contains(k.case_id.as_str()))
            .collect();
        if !kept.windows(2).all(|w| w[0].key_cmp(w[1]).is_le()) {
            kept.sort_by(|a, b| a.key_cmp(b));
        }
        let mut cases: Vec<(&str, CaseChecks<'_>)> = kept
            .chunk_by(|a, b| a.case_id == b.case_id)
            .map(|rows| (rows[0].case_id.as_str(), CaseChecks::Kept(rows)))
            .collect();
        cases.extend(reviewed.iter().map(|r| (r.case.case_id.as_str(), CaseChecks::New(r))));
        // Every row of a case starts `case_id/`, so the cases go in the order of that.
        let case_cmp = |a: &str, b: &str| ledger::cmp_joined([a, ""], [b, ""]);
        if !cases.windows(2).all(|w| case_cmp(w[0].0, w[1].0).is_le()) {
            cases.par_sort_by(|a, b| case_cmp(a.0, b.0));
        }
        ledger::encode_groups::<Check, _>(&cases, 12, |w, (_, case)| match case {
            CaseChecks::Kept(rows) => rows.iter().try_for_each(|c| w.serialize(c)),
            CaseChecks::New(r) => {
                // In the ledger's order (by the check's name), not the order the rules run in.
                let mut findings: Vec<&Finding> = r.findings.iter().collect();
                findings.sort_by(|a, b| a.check.cmp(b.check));
                findings.iter().try_for_each(|f| {
                    w.serialize(NewCheck {
                        case_id: &r.case.case_id,
                        check: f.check,
                        result: f.result,
                        detail: &f.detail,
                        policy: &keys[f.policy_values.as_str()],
                        as_of,
                    })
                })
            }
        })
    };
    let changes: Vec<(String, CaseStatus, CaseStatus, String)> = reviewed
        .iter()
        .filter(|r| r.status != r.case.status)
        .map(|r| {
            (
                r.case.case_id.clone(),
                r.case.status,
                r.status,
                short_reasons(&r.findings),
            )
        })
        .collect();

    // Counts and the summary.
    let count = |s: CaseStatus| reviewed.iter().filter(|r| r.status == s).count();
    let (n_verified, n_needs, n_inel) = (
        count(CaseStatus::Verified),
        count(CaseStatus::NeedsInfo),
        count(CaseStatus::Ineligible),
    );
    let n_overdue = reviewed.iter().filter(|r| r.overdue).count();
    let notices = notice_rows(&reviewed, v);
    let review_rel = PathBuf::from("reports").join(format!("review-{as_of}.xlsx"));
    let notices_rel = PathBuf::from("reports").join(format!("supplement-notices-{as_of}.xlsx"));

    let mut out = String::new();
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let inferred = if explicit_as_of.is_none() {
        tr(
            " (the latest date in the workspace; give --as-of DATE to choose)",
            " (工作区中最晚的日期; 可用 --as-of DATE 指定)",
        )
    } else {
        String::new()
    };
    out.push_str(&tr(
        format!(
            "{prefix}verify as of {as_of}{inferred}: {} cases: {n_verified} verified, {n_needs} needs_info, \
             {n_inel} ineligible; {n_overdue} overdue; {} in the township re-visit sample",
            reviewed.len(),
            sample.len()
        ),
        format!(
            "{prefix}审核 截至 {as_of}{inferred}: 共 {} 件: 审核通过 {n_verified} 件, 待补充材料 {n_needs} 件, \
             审核不符合 {n_inel} 件; 超过办理时限 {n_overdue} 件; 乡镇复核抽样 {} 件",
            reviewed.len(),
            sample.len()
        ),
    ));
    let mut near_misses = 0;
    for (input, t) in inputs.iter().zip(&tallies) {
        out.push_str(&tr(
            format!(
                "\n  visits {}: {} rows read = {} recorded + {} already recorded + {} rejected",
                input.shown, t.read, t.recorded, t.already, t.rejected
            ),
            format!(
                "\n  入户调查 {}: 读取 {} 行 = 新记录 {} 行 + 已记录过 {} 行 + 拒收 {} 行",
                input.shown, t.read, t.recorded, t.already, t.rejected
            ),
        ));
        for n in &input.notes {
            out.push_str(&format!("\n  {} {n}", tr("note:", "说明:")));
        }
        // Every column accounted for: the visit sheet's columns not read, and any that looks like one meant.
        let (lines, near) = reader::unused_lines(&input.name, false, &input.unused, "columns");
        near_misses += near;
        for l in lines {
            out.push_str(&format!("\n  {l}"));
        }
    }
    if let (Some(x), Some(_)) = (&args.extend, &extension_event) {
        out.push_str(&tr(
            format!(
                "\n  extension: {} +{} working days, approved by {}",
                x.case_id, x.days, x.approver
            ),
            format!(
                "\n  延期: {} 延长 {} 个工作日, 批准人 {}",
                x.case_id, x.days, x.approver
            ),
        ));
    }
    let (would, will) = if args.dry_run {
        (tr("would be ", "将"), tr(" (not written)", " (试运行, 未写入)"))
    } else {
        (String::new(), String::new())
    };
    out.push_str(&tr(
        format!("\n  review {would}in {}", review_rel.display()),
        format!("\n  审核结果{would}见 {}{will}", review_rel.display()),
    ));
    if !notices.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  一次性告知 {would}in {} ({} households to supplement materials)",
                notices_rel.display(),
                notices.len()
            ),
            format!(
                "\n  一次性告知{would}见 {}{will} (需补充材料 {} 户)",
                notices_rel.display(),
                notices.len()
            ),
        ));
    }
    for r in &rejects {
        out.push_str(&tr(
            format!("\n  rejected visit {} row {}: {}", r.file, r.row, r.reason),
            format!("\n  拒收入户调查 {} 第 {} 行: {}", r.file, r.row, r.reason),
        ));
    }
    let mut attention: Vec<&Reviewed<'_>> = reviewed
        .iter()
        .filter(|r| r.status != CaseStatus::Verified || r.overdue)
        .collect();
    attention.sort_by_key(|r| (status_rank(r.status), r.case.case_id.clone()));
    for r in attention.iter().take(SHOWN_CASES) {
        let status = match crate::i18n::current() {
            crate::i18n::Lang::En => r.status.as_str(),
            crate::i18n::Lang::Zh => r.status.label_zh(),
        };
        out.push_str(&format!(
            "\n  {} {} {} ({}): {}",
            status,
            r.case.case_id,
            r.case.applicant_name,
            r.case.applicant_id_number.masked(),
            attention_labels(&r.findings)
        ));
    }
    if attention.len() > SHOWN_CASES {
        let more = attention.len() - SHOWN_CASES;
        out.push_str(&if args.dry_run {
            tr(
                format!("\n  … and {more} more cases that need a person (the review would list them)"),
                format!("\n  … 另有 {more} 件需要人工处理 (审核结果表会列出)"),
            )
        } else {
            tr(
                format!(
                    "\n  … and {more} more cases that need a person: see {}",
                    review_rel.display()
                ),
                format!("\n  … 另有 {more} 件需要人工处理: 见 {}", review_rel.display()),
            )
        });
    }
    if crate::ui::json() {
        use serde_json::json;
        crate::ui::record("as_of", as_of.to_string());
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("cases", reviewed.len());
        crate::ui::record(
            "by_outcome",
            json!({"verified": n_verified, "needs_info": n_needs, "ineligible": n_inel}),
        );
        crate::ui::record("overdue", n_overdue);
        let needs: Vec<serde_json::Value> = attention
            .iter()
            .map(|r| {
                let failed: Vec<serde_json::Value> = r
                    .findings
                    .iter()
                    .filter(|f| f.result != CheckResult::Pass)
                    .map(|f| json!({"check": f.check, "result": f.result, "detail": f.detail}))
                    .collect();
                json!({
                    "case_id": r.case.case_id,
                    "status": r.status.as_str(),
                    "overdue": r.overdue,
                    "failed_checks": failed,
                })
            })
            .collect();
        crate::ui::record("needs_person", needs);
        crate::ui::record("revisit_sample", sample.iter().cloned().collect::<Vec<String>>());
        let visits: Vec<serde_json::Value> = inputs
            .iter()
            .zip(&tallies)
            .map(|(input, t)| {
                json!({"file": input.name, "rows_read": t.read, "recorded": t.recorded,
                       "already_recorded": t.already, "rejected": t.rejected})
            })
            .collect();
        crate::ui::record("visits", visits);
        let rejected: Vec<serde_json::Value> = rejects
            .iter()
            .map(|r| json!({"file": r.file, "sheet": r.sheet, "row": r.row, "reason": r.reason.to_string(), "fix": r.fix.to_string()}))
            .collect();
        crate::ui::record("rejected_visits", rejected);
        crate::ui::record("review", review_rel.display().to_string());
        crate::ui::record(
            "supplement_notices",
            (!notices.is_empty()).then(|| notices_rel.display().to_string()),
        );
        crate::ui::record("households_to_supplement", notices.len());
    }
    let outcome = if attention.is_empty() && rejects.is_empty() && near_misses == 0 {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };

    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }

    // Write: ledgers, journal, inbox copies and reports — together or not at all.
    let mut txn = Txn::new();
    let mut ledger_changed = false;
    let mut put_ledger = |txn: &mut Txn, rel: PathBuf, bytes: Vec<u8>| -> Result<()> {
        let differs = ws.differs(&rel, &bytes)?;
        ledger_changed |= differs;
        txn.put_compared(rel, bytes, differs);
        Ok(())
    };
    let new_cases = (!changes.is_empty()).then(|| {
        let mut new_cases = Vec::clone(&cases);
        let to_of: crate::hash::HashMap<&str, CaseStatus> =
            changes.iter().map(|(id, _, to, _)| (id.as_str(), *to)).collect();
        for c in new_cases.iter_mut() {
            if let Some(to) = to_of.get(c.case_id.as_str()) {
                c.status = *to;
            }
        }
        new_cases
    });
    // The workbooks on one core, the ledgers on the other.
    crate::ui::phase("verify: summary");
    let (workbooks, ledgers) = rayon::join(
        || -> Result<(Vec<u8>, Vec<u8>)> {
            let r = (
                review_workbook(&ws.policy, &reviewed, &sample, &by_township, &visits, &rejects)?,
                notices_workbook(as_of, v.supplement_working_days, &notices)?,
            );
            crate::ui::phase("verify: workbooks");
            Ok(r)
        },
        || -> Result<EncodedLedgers> {
            // Tasks of their own, for whichever core is free (the workbooks take one for a while).
            let (checks_bytes, (cases_bytes, visits_bytes)) = rayon::join(encode_checks, || {
                rayon::join(
                    || new_cases.as_deref().map(ledger::to_bytes).transpose(),
                    || (n_new_visits > 0).then(|| ledger::to_bytes(&visits)).transpose(),
                )
            });
            let r = (cases_bytes?, checks_bytes?, visits_bytes?);
            crate::ui::phase("verify: ledgers encoded");
            Ok(r)
        },
    );
    let (review_bytes, notices_bytes) = workbooks?;
    let (cases_bytes, checks_bytes, visits_bytes) = ledgers?;
    if let Some(bytes) = cases_bytes {
        put_ledger(&mut txn, ledger::path_of::<Case>(), bytes)?;
    }
    put_ledger(&mut txn, ledger::path_of::<Check>(), checks_bytes)?;
    put_ledger(&mut txn, ledger::path_of::<PolicyValues>(), values_bytes)?;
    if let Some(bytes) = visits_bytes {
        put_ledger(&mut txn, ledger::path_of::<Visit>(), bytes)?;
    }
    if extension_event.is_some() {
        put_ledger(&mut txn, ledger::path_of::<Extension>(), ledger::to_bytes(&extensions)?)?;
    }
    if ledger_changed {
        let mut input_list: Vec<String> = inputs.iter().map(|i| format!("{}={}", i.name, i.sha256)).collect();
        if let Some(bytes) = ws.read_optional(ledger::path_of::<Match>())? {
            input_list.push(format!("{}={}", Match::FILE, sha256_hex(&bytes)));
        }
        let policy_sha = ws.policy_sha256()?;
        input_list.push(format!("{POLICY_FILE}={policy_sha}"));
        let mut new_events = vec![NewEvent {
            step: "verify".into(),
            detail: format!(
                "as of {as_of}: {} cases: {n_verified} verified, {n_needs} needs_info, {n_inel} ineligible; \
                 {n_overdue} overdue; {} visits recorded",
                reviewed.len(),
                n_new_visits
            ),
            inputs: input_list.join(";"),
            ..NewEvent::default()
        }];
        new_events.extend(extension_event);
        new_events.extend(changes.iter().map(|(id, from, to, why)| NewEvent {
            step: "verify".into(),
            case_id: id.clone(),
            from_status: from.as_str().into(),
            to_status: to.as_str().into(),
            detail: why.clone(),
            inputs: String::new(),
        }));
        chain.append(new_events);
        chain.put(&mut txn)?;
        for input in inputs.iter().filter(|i| files_with_new.contains(&i.sha256)) {
            crate::workspace::keep_input(&mut txn, &input.input);
        }
    }
    txn.put(&review_rel, review_bytes);
    txn.put(&notices_rel, notices_bytes);
    crate::ui::phase("verify: encoded");
    let lock = lock.expect("a writing run holds the lock");
    // What the step built and holds to its end is left for the process's exit, not freed value by value.
    crate::kept_to_exit((
        old_checks,
        new_cases,
        notices,
        reviewed,
        (members_by_case, visits_by_case, matches_by_case, cases_of_person),
    ));
    ws.commit(&lock, txn)?;
    crate::ui::phase("verify: committed");
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

fn status_rank(s: CaseStatus) -> u8 {
    match s {
        CaseStatus::Ineligible => 0,
        CaseStatus::NeedsInfo => 1,
        _ => 2,
    }
}

/// The labels of the checks that did not pass (`收入, 入户调查`), for stdout.
fn attention_labels(findings: &[Finding]) -> String {
    let labels: Vec<&str> = findings
        .iter()
        .filter(|f| f.result != CheckResult::Pass)
        .map(|f| eligibility::check_label(f.check))
        .collect();
    labels.join(", ")
}

/// Why a case's status changed, for the journal: each non-passing check with its detail.
fn short_reasons(findings: &[Finding]) -> String {
    let parts: Vec<String> = findings
        .iter()
        .filter(|f| f.result != CheckResult::Pass && f.check != "time_limit")
        .map(|f| format!("{}: {}", eligibility::check_label(f.check), f.detail))
        .collect();
    if parts.is_empty() {
        "审核通过".into()
    } else {
        parts.join("; ")
    }
}

fn verdict_zh(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Verified => "通过",
        CaseStatus::NeedsInfo => "待补充",
        CaseStatus::Ineligible => "不符合",
        other => other.label_zh(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Visit sheets (入户调查表)

fn read_visit_file(path: &Path, encoding: Encoding, names: &HeaderNames) -> Result<Input> {
    let required = ["visited_on", "investigators", "signed"];
    let any_of = ["case_id", "household_key"];
    // Every column the visit rows are read from (`read_visit_rows`).
    let reads = [
        "case_id",
        "household_key",
        "visited_on",
        "investigators",
        "signed",
        "findings",
        "visit_level",
    ];
    match reader::read_table_file(path, encoding, names, (&required, &any_of), &reads)? {
        Ok(input) => Ok(input),
        Err(misses) => bail!(tr(
            format!(
                "{} is not a home-visit sheet (入户调查表): it needs the columns 案件编号 or 户主身份证号, \
                 调查日期, 调查人 and 签字 (调查情况 and 调查层级 are optional).\n  {}",
                path.display(),
                misses.join("\n  ")
            ),
            format!(
                "{} 不是入户调查表: 需要以下列: 案件编号或户主身份证号、调查日期、调查人和签字 \
                 (调查情况和调查层级可以没有)。\n  {}",
                path.display(),
                misses.join("\n  ")
            )
        )),
    }
}

/// Reads every visit row: recorded (new), already recorded (same case, date, level, investigators), or rejected.
/// The visit rows of the sheets, each recorded, already recorded or rejected. A visit's date is held to what
/// the workspace knows (its applications and visits, and `as_of` when given) and to the middle of the sheets' own
/// dates ([`DateBounds`]).
fn read_visit_rows(
    inputs: &[Input],
    cases: &[Case],
    existing: &[Visit],
    as_of: Option<NaiveDate>,
) -> (Vec<Visit>, Vec<Reject>, Vec<VisitTally>) {
    let read_dates = inputs
        .iter()
        .flat_map(|input| {
            let h = &input.header;
            input
                .sheet
                .rows
                .iter()
                .skip(h.row + 1)
                .filter_map(|row| h.get(row, "visited_on")?.as_date().ok())
        })
        .collect();
    let known_dates = cases
        .iter()
        .map(|c| c.applied_on)
        .chain(existing.iter().map(|v| v.visited_on))
        .chain(as_of);
    let dates = DateBounds::new(known_dates, read_dates);
    let known: crate::hash::HashSet<&str> = existing.iter().map(|v| v.visit_id.as_str()).collect();
    let mut seen: crate::hash::HashSet<String> = crate::hash::HashSet::default();
    // Indexes for the lookups of every row (a scan of all cases per row is quadratic at county scale).
    let mut index = CaseIndex::default();
    for c in cases {
        index.by_id.insert(c.case_id.as_str(), c);
        if c.status.is_open() {
            index
                .open_by_head
                .entry(c.applicant_id_number.as_str())
                .or_default()
                .push(c);
        }
    }
    let mut out = Vec::new();
    let mut rejects = Vec::new();
    let mut tallies = Vec::new();
    for input in inputs {
        let mut t = VisitTally::default();
        let h = &input.header;
        // Each row is read on its own, on both cores; what was seen before is settled in order below.
        let read: Vec<(usize, std::result::Result<Visit, RowError>)> = input
            .sheet
            .rows
            .par_iter()
            .enumerate()
            .skip(h.row + 1)
            .filter(|(_, row)| !row.iter().all(Cell::is_blank))
            .map(|(i, row)| (i, visit_of_row(row, h, &index, &dates)))
            .collect();
        // A near miss of a column the visits need: no row is taken until it is mapped (its value would be lost).
        let hold = reader::near_miss_hold(&input.name, &input.unused, "columns");
        for (i, visit) in read {
            t.read += 1;
            let visit = match &hold {
                Some((header, reason, fix)) => Err((header.clone(), reason.clone(), fix.clone())),
                None => visit,
            };
            let excel_row = (i + 1) as u32;
            let mut reject = |value: &str, reason: Msg, fix: Msg| {
                rejects.push(Reject {
                    file: input.name.clone(),
                    sheet: input.sheet.name.clone(),
                    row: excel_row,
                    value: value.to_string(),
                    reason,
                    fix,
                });
            };
            match visit {
                Err((value, reason, fix)) => {
                    reject(&value, reason, fix);
                    t.rejected += 1;
                }
                Ok(mut v) => {
                    v.file_sha256 = input.sha256.clone();
                    v.row = excel_row;
                    if known.contains(v.visit_id.as_str()) || !seen.insert(v.visit_id.clone()) {
                        t.already += 1;
                    } else {
                        t.recorded += 1;
                        out.push(v);
                    }
                }
            }
        }
        tallies.push(t);
    }
    (out, rejects, tallies)
}

type RowError = (String, Msg, Msg);

/// Cases by ID, and open cases by their head's ID number (in ledger order).
#[derive(Default)]
struct CaseIndex<'a> {
    by_id: crate::hash::HashMap<&'a str, &'a Case>,
    open_by_head: crate::hash::HashMap<&'a str, Vec<&'a Case>>,
}

fn visit_of_row(
    row: &[Cell],
    h: &Header,
    index: &CaseIndex<'_>,
    dates: &DateBounds,
) -> std::result::Result<Visit, RowError> {
    let case_text = h.text(row, "case_id").trim().to_uppercase();
    let case_id = if !case_text.is_empty() {
        match index.by_id.get(case_text.as_str()) {
            Some(c) => c.case_id.clone(),
            None => {
                return Err((
                    case_text.clone(),
                    Msg::new(format!("unknown case {case_text}"), format!("没有案件 {case_text}")),
                    Msg::new(
                        "copy the 案件编号 from the review workbook",
                        "请从审核结果表中复制案件编号",
                    ),
                ))
            }
        }
    } else {
        let cell = h.get(row, "household_key").cloned().unwrap_or_default();
        if cell.is_blank() {
            return Err((
                String::new(),
                Msg::new(
                    "no case: 案件编号 and 户主身份证号 are both blank",
                    "无法确定案件: 案件编号和户主身份证号都是空的",
                ),
                Msg::new(
                    "fill in the 案件编号 (or the head's ID)",
                    "请填写案件编号 (或户主身份证号)",
                ),
            ));
        }
        let id = id_number::parse_cell(&cell.text, cell.number.is_some()).map_err(|e| {
            (
                id_number::mask_any(&cell.text),
                Msg::new(
                    format!("户主身份证号: {e}"),
                    format!("户主身份证号: {}", e.message_zh()),
                ),
                Msg::new(
                    "format the column as text and write the head's 18-character ID",
                    "请把该列设为文本格式, 填写户主的 18 位身份证号",
                ),
            )
        })?;
        let open: Vec<&Case> = index.open_by_head.get(id.as_str()).cloned().unwrap_or_default();
        match open.as_slice() {
            [one] => one.case_id.clone(),
            [] => {
                return Err((
                    id.masked(),
                    Msg::new(
                        format!("unknown case: no open case whose head is {}", id.masked()),
                        format!("找不到案件: 没有户主为 {} 的在办案件", id.masked()),
                    ),
                    Msg::new("check the ID, or write the 案件编号", "请核对身份证号, 或填写案件编号"),
                ))
            }
            _ => {
                return Err((
                    id.masked(),
                    Msg::new(
                        format!(
                            "{} heads {} open cases; the row does not say which",
                            id.masked(),
                            open.len()
                        ),
                        format!(
                            "{} 是 {} 个在办案件的户主, 这一行没有写明是哪一个",
                            id.masked(),
                            open.len()
                        ),
                    ),
                    Msg::new("write the 案件编号", "请填写案件编号"),
                ))
            }
        }
    };
    let date_cell = h.get(row, "visited_on").cloned().unwrap_or_default();
    let visited_on = date_cell.as_date().and_then(|d| dates.check(d)).map_err(|e| {
        (
            date_cell.text.clone(),
            Msg::new(format!("调查日期: {e}"), format!("调查日期: {}", e.zh())),
            Msg::new("write the date as 2026-11-03", "日期请写成 2026-11-03"),
        )
    })?;
    let investigators = split_names(h.text(row, "investigators"));
    if investigators.is_empty() {
        return Err((
            String::new(),
            Msg::new("no investigators (调查人 is blank)", "没有调查人 (调查人为空)"),
            Msg::new(
                "write the investigators' names, separated by 、",
                "请填写调查人姓名, 多人用 、 分隔",
            ),
        ));
    }
    let signed_text = h.text(row, "signed");
    let signed = crate::register::yes_no(signed_text).ok_or_else(|| {
        (
            signed_text.to_string(),
            Msg::new(
                format!("签字 `{}` is not 是 or 否", text::excerpt(signed_text)),
                format!("签字 `{}` 不是 是 或 否", text::excerpt(signed_text)),
            ),
            Msg::new(
                "write 是 when the record is signed, 否 when not",
                "已签字填 是, 未签字填 否",
            ),
        )
    })?;
    let level_text = h.text(row, "visit_level");
    let level = visit_level(level_text).ok_or_else(|| {
        (
            level_text.to_string(),
            Msg::new(
                format!("调查层级 `{}` is not 村, 乡镇 or 县", text::excerpt(level_text)),
                format!("调查层级 `{}` 不是 村、乡镇 或 县", text::excerpt(level_text)),
            ),
            Msg::new(
                "write 村, 乡镇 or 县 (blank means 村)",
                "请填写 村、乡镇 或 县 (空白视为 村)",
            ),
        )
    })?;
    let joined = investigators.join("、");
    let level_key = match level {
        VisitLevel::Village => "village",
        VisitLevel::Township => "township",
        VisitLevel::County => "county",
    };
    let hash = sha256_hex(format!("{case_id}|{visited_on}|{level_key}|{joined}").as_bytes());
    Ok(Visit {
        visit_id: format!("V-{}", hash[..16].to_uppercase()),
        case_id,
        visited_on,
        level,
        investigator_count: investigators.len() as u32,
        investigators: Text(joined),
        findings: Text(h.text(row, "findings").to_string()),
        signed,
        file_sha256: String::new(),
        row: 0,
    })
}

/// Investigators' names, separated by `、`, commas, semicolons, slashes or spaces; each once, in order.
fn split_names(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in s.split(['、', ',', '，', ';', '；', '/', ' ', '\n']) {
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|x| x == n) {
            out.push(n.to_string());
        }
    }
    out
}

fn visit_level(s: &str) -> Option<VisitLevel> {
    Some(match s.trim() {
        "" | "村" | "村级" | "社区" | "村(社区)" | "village" => VisitLevel::Village,
        "乡镇" | "乡" | "镇" | "街道" | "乡镇级" | "乡镇(街道)" | "township" => VisitLevel::Township,
        "县" | "县级" | "区县" | "county" => VisitLevel::County,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------------------
// Workbooks

/// One household's consolidated notice (一次性告知).
struct Notice<'a> {
    case: &'a Case,
    missing: String,
    due: NaiveDate,
}

fn notice_rows<'a>(reviewed: &[Reviewed<'a>], v: &crate::policy::Verification) -> Vec<Notice<'a>> {
    reviewed
        .iter()
        .filter_map(|r| {
            let f = r
                .findings
                .iter()
                .find(|f| f.check == "materials" && f.result == CheckResult::NeedsInfo)?;
            Some(Notice {
                case: r.case,
                missing: f.detail.trim_start_matches('缺').to_string(),
                due: eligibility::supplement_due(r.case.applied_on, v),
            })
        })
        .collect()
}

fn scheme_label(policy: &crate::policy::Policy, key: &str) -> String {
    policy
        .schemes
        .get(key)
        .map(|s| s.label.clone())
        .unwrap_or_else(|| key.to_string())
}

fn review_workbook(
    policy: &crate::policy::Policy,
    reviewed: &[Reviewed<'_>],
    sample: &BTreeSet<String>,
    by_township: &BTreeMap<String, Vec<String>>,
    visits: &[Visit],
    rejects: &[Reject],
) -> Result<Vec<u8>> {
    let v = &policy.verification;
    let review = SheetSpec {
        name: "审核结果".into(),
        title: Some("审核结果 — 每户一行: 通过 / 待补充 / 不符合, 及原因".into()),
        columns: vec![
            Column::new("案件编号", Kind::Code),
            Column::new("户主", Kind::Text),
            Column::new("身份证号(脱敏)", Kind::Code),
            Column::new("乡镇", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("救助项目", Kind::Text),
            Column::new("受理日期", Kind::Code),
            Column::new("审核结论", Kind::Text),
            Column::new("办理时限", Kind::Text),
            Column::new("原因", Kind::Text),
        ],
        rows: reviewed
            .iter()
            .map(|r| {
                let reasons: Vec<String> = r
                    .findings
                    .iter()
                    .filter(|f| f.result != CheckResult::Pass && f.check != "time_limit")
                    .map(|f| format!("{}: {}", eligibility::check_label(f.check), f.detail))
                    .collect();
                let time = r
                    .findings
                    .iter()
                    .find(|f| f.check == "time_limit")
                    .map(|f| f.detail.clone())
                    .unwrap_or_default();
                vec![
                    Value::from(r.case.case_id.as_str()),
                    Value::from(r.case.applicant_name.as_str()),
                    Value::from(r.case.applicant_id_number.masked()),
                    Value::from(r.case.township.as_str()),
                    Value::from(r.case.village.as_str()),
                    Value::from(scheme_label(policy, &r.case.scheme)),
                    Value::from(r.case.applied_on.to_string()),
                    Value::from(verdict_zh(r.status)),
                    Value::from(time),
                    Value::from(reasons.join("；")),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    };
    let by_id: BTreeMap<&str, &Case> = reviewed.iter().map(|r| (r.case.case_id.as_str(), r.case)).collect();
    // Cases with a signed township re-visit by enough investigators, found once (not a scan of every visit per case).
    let revisited: BTreeSet<&str> = visits
        .iter()
        .filter(|x| x.level == VisitLevel::Township && x.signed && x.investigator_count >= v.min_investigators)
        .map(|x| x.case_id.as_str())
        .collect();
    let mut sample_rows = Vec::new();
    for (township, ids) in by_township {
        for (rank, (_, id)) in eligibility::ranked(v.revisit_seed, ids).iter().enumerate() {
            if !sample.contains(id) {
                continue;
            }
            let Some(c) = by_id.get(id.as_str()) else { continue };
            let done = revisited.contains(id.as_str());
            sample_rows.push(vec![
                Value::from(township.as_str()),
                Value::Count(rank as i64 + 1),
                Value::from(id.as_str()),
                Value::from(c.applicant_name.as_str()),
                Value::from(c.village.as_str()),
                Value::from(if done { "已复核" } else { "待复核" }),
            ]);
        }
    }
    let sample_sheet = SheetSpec {
        name: "复核抽样".into(),
        title: Some(format!(
            "乡镇复核抽查: 每个乡镇的待审案件按 SHA-256(\"{}|案件编号\") 排序, 取前 {}% (向上取整); 种子 {}",
            v.revisit_seed, v.revisit_percent, v.revisit_seed
        )),
        columns: vec![
            Column::new("乡镇", Kind::Text),
            Column::new("顺序", Kind::Count),
            Column::new("案件编号", Kind::Code),
            Column::new("户主", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("复核入户", Kind::Text),
        ],
        rows: sample_rows,
        batch: None,
        print: Default::default(),
    };
    let checks_sheet = SheetSpec {
        name: "检查明细".into(),
        // Only what did not pass: the passes are in ledgers/checks.csv, and at county scale listing them here
        // would make a workbook of hundreds of thousands of rows nobody reads.
        title: Some("未通过的检查: 结果、说明和所用政策取值 (全部检查见 ledgers/checks.csv)".into()),
        columns: vec![
            Column::new("案件编号", Kind::Code),
            Column::new("检查项目", Kind::Text),
            Column::new("结果", Kind::Text),
            Column::new("说明", Kind::Text),
            Column::new("政策取值", Kind::Text),
        ],
        rows: reviewed
            .iter()
            .flat_map(|r| {
                r.findings.iter().filter(|f| f.result != CheckResult::Pass).map(|f| {
                    vec![
                        Value::from(r.case.case_id.as_str()),
                        Value::from(eligibility::check_label(f.check)),
                        Value::from(f.result.label_zh()),
                        Value::from(f.detail.as_str()),
                        Value::from(crate::domain::benefit::policy_values_zh(&f.policy_values)),
                    ]
                })
            })
            .collect(),
        batch: None,
        print: Default::default(),
    };
    let mut sheets = vec![review, sample_sheet, checks_sheet];
    if !rejects.is_empty() {
        sheets.push(SheetSpec {
            name: "入户调查拒收".into(),
            title: Some("未能记录的入户调查行 — 改正后重新导入 (jiuzhu verify --visits 文件)".into()),
            columns: vec![
                Column::new("文件", Kind::Text),
                Column::new("工作表", Kind::Text),
                Column::new("行号", Kind::Count),
                Column::new("值", Kind::Code),
                Column::new("原因", Kind::Text),
                Column::new("处理办法", Kind::Text),
            ],
            rows: rejects
                .iter()
                .map(|r| {
                    vec![
                        Value::from(r.file.as_str()),
                        Value::from(r.sheet.as_str()),
                        Value::Count(i64::from(r.row)),
                        Value::from(r.value.as_str()),
                        Value::from(r.reason.zh()),
                        Value::from(r.fix.zh()),
                    ]
                })
                .collect(),
            batch: None,
            print: Default::default(),
        });
    }
    writer::workbook_bytes(&sheets)
}

fn notices_workbook(as_of: NaiveDate, days: u32, notices: &[Notice<'_>]) -> Result<Vec<u8>> {
    let sheet = SheetSpec {
        name: "一次性告知".into(),
        title: Some(format!(
            "一次性告知: 需补充材料的家庭 (截至 {as_of}); 告知期限为受理次日起 {days} 个工作日; \
             材料收到后填写 收到日期、已收材料、经办人, 再运行 jiuzhu supplements 本文件"
        )),
        columns: vec![
            Column::new("案件编号", Kind::Code),
            Column::new("户主", Kind::Text),
            Column::new("身份证号(脱敏)", Kind::Code),
            Column::new("乡镇", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("联系电话", Kind::Code),
            Column::new("受理日期", Kind::Code),
            Column::new("需补充材料", Kind::Text),
            Column::new("告知期限", Kind::Code),
            // Answer columns, filled in when the materials arrive and read back by `jiuzhu supplements`.
            Column::new("收到日期", Kind::Code),
            Column::new("已收材料", Kind::Text),
            Column::new("经办人", Kind::Text),
        ],
        rows: notices
            .iter()
            .map(|n| {
                vec![
                    Value::from(n.case.case_id.as_str()),
                    Value::from(n.case.applicant_name.as_str()),
                    Value::from(n.case.applicant_id_number.masked()),
                    Value::from(n.case.township.as_str()),
                    Value::from(n.case.village.as_str()),
                    Value::from(n.case.phone.as_str()),
                    Value::from(n.case.applied_on.to_string()),
                    Value::from(n.missing.as_str()),
                    Value::from(n.due.to_string()),
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    };
    writer::workbook_bytes(&[sheet])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn investigators_are_split_on_the_usual_separators() {
        assert_eq!(split_names("张三、李四"), vec!["张三", "李四"]);
        assert_eq!(split_names("张三,李四，王五 张三"), vec!["张三", "李四", "王五"]);
        assert!(split_names("  ").is_empty());
    }

    #[test]
    fn levels_and_signatures_are_read_as_clerks_write_them() {
        assert_eq!(visit_level(""), Some(VisitLevel::Village));
        assert_eq!(visit_level("乡镇"), Some(VisitLevel::Township));
        assert_eq!(visit_level("县"), Some(VisitLevel::County));
        assert_eq!(visit_level("省"), None);
        assert_eq!(crate::register::yes_no("是"), Some(true));
        assert_eq!(crate::register::yes_no("否"), Some(false));
        assert_eq!(crate::register::yes_no("也许"), None);
    }
}
