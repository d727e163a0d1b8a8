//! `jiuzhu decide` — the decision (救助决策): from verified cases to effective, published, explainable decisions,
//! and every month the re-decision of existing recipients whose circumstances changed (动态管理).
//!
//! The life of a decision: `decide --period P` **proposes** (new approvals, rejections, 增发/减发/停发, 渐退)
//! and writes the review-meeting worksheet; `decide --record` reads the meeting's verdicts back (同意 →
//! **approved** and posted for public notice (公示); 不同意 → rejected; 暂缓 → deferred); a later
//! `decide --period P --as-of D` makes approved decisions **effective** once every posting ran its full period
//! with no upheld objection. Urgent temporary assistance (先行救助) is effective at once and approved after.
//! The arithmetic lives in `domain::benefit`; this file only gathers inputs, applies the procedure and writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{Datelike, Days, NaiveDate};
use rayon::prelude::*;

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::domain::benefit::{self, Basis, Computed, Household, StandardUsed};
use crate::domain::date::{self, Period};
use crate::domain::decision;
use crate::domain::money::Fen;
use crate::domain::records;
use crate::domain::text;
use crate::hash::{HashMap, HashSet};
use crate::i18n::{tr, Lang};
use crate::ledger::events::{self, sha256_hex, NewEvent};
use crate::ledger::{
    self, Case, CaseStatus, Check, CheckResult, Decision, DecisionKind, DecisionStatus, Disposition, Effect, Match,
    Meeting, Member, Notice, Text, Visit, VisitLevel, WorkAbility,
};
use crate::policy::{EffectiveFrom, Policy, Scheme, SchemeKind};
use crate::sheet::reader::{self, Encoding};
use crate::sheet::writer::{self, Column, Input, Kind, Line, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

#[derive(Debug, Clone)]
pub enum Mode {
    /// Propose the period's decisions (and make due ones effective).
    Propose {
        period: String,
        as_of: Option<String>,
        preview: bool,
    },
    /// Record a review meeting's verdicts from the filled worksheet.
    Record {
        file: PathBuf,
        meeting: String,
        date: String,
        attendees: Option<String>,
    },
    /// Approve undisputed proposals without a meeting, where the policy allows.
    Undisputed { cases: Vec<String>, date: String },
    /// Record an objection raised during a public notice.
    Objection {
        case_id: String,
        upheld: bool,
        note: String,
        date: String,
    },
    /// Show which recipients a policy change would move, and by how much.
    Impact {
        old_policy: PathBuf,
        period: Option<String>,
    },
}

// `jiuzhu decide`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Decide benefits (救助决策): propose for a period, record the review meeting, post the public notice, \
record objections, and re-decide existing recipients (增发/减发/停发/渐退)",
        "救助决策: 按期间提出拟救助意见, 记录评议会结果, 张榜公示, 记录异议, 并对已有救助对象重新核定 \
(增发/减发/停发/渐退)",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu decide --period 2026-11\n  \
jiuzhu decide --period 2026-11 --preview\n  \
jiuzhu decide --record reports/review-meeting-2026-11.xlsx \\\n      \
--meeting \"城关镇审批会 纪要第23号\" --date 2026-11-20 --attendees \"张镇长、李主任、王会计\"\n  \
jiuzhu decide --objection CD-2026-0B9A1C744081 --dismissed --note \"经核实收入属实\" --date 2026-11-24\n  \
jiuzhu decide --period 2026-11 --as-of 2026-11-30      # notices over: decisions take effect\n  \
jiuzhu decide --impact old-jiuzhu.yaml",
        "示例:\n  jiuzhu decide --period 2026-11\n  \
jiuzhu decide --period 2026-11 --preview\n  \
jiuzhu decide --record reports/review-meeting-2026-11.xlsx \\\n      \
--meeting \"城关镇审批会 纪要第23号\" --date 2026-11-20 --attendees \"张镇长、李主任、王会计\"\n  \
jiuzhu decide --objection CD-2026-0B9A1C744081 --dismissed --note \"经核实收入属实\" --date 2026-11-24\n  \
jiuzhu decide --period 2026-11 --as-of 2026-11-30      # 公示期满: 决定生效\n  \
jiuzhu decide --impact old-jiuzhu.yaml",
    )),
    after_help = tr("\
Proposals go to ledgers/decisions.csv (status proposed) and to the worksheet reports/review-meeting-PERIOD.xlsx \
with a drop-down 评议结果 (同意/不同意/暂缓). Approved decisions are posted (reports/notice-MONTH.xlsx, one sheet per \
village, only name, village, household size, scheme and amount) and take effect once every posting has run its \
full period with no upheld objection. Dates come from --date/--as-of, never the computer's clock.", "\
拟决定写入 ledgers/decisions.csv (状态为 `proposed`), 并写出工作表 reports/review-meeting-PERIOD.xlsx, 其中 \
评议结果 可下拉选择 (同意/不同意/暂缓)。批准的决定予以公示 (reports/notice-MONTH.xlsx, 每村一个工作表, 只列\
姓名、村、家庭人口、救助类别和金额), 每次公示都期满且没有成立的异议后生效。日期取自 --date/--as-of, \
绝不用电脑的时钟。")
)]
pub struct Args {
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["record", "objection", "undisputed"], help = tr(
        "The month to decide for (YYYY-MM)",
        "决策的月份 (YYYY-MM)",
    ))]
    pub period: Option<String>,
    #[arg(long, value_name = "DATE", requires = "period", help = tr(
        "The date notices are judged on (default: the latest date in the ledgers)",
        "判断公示是否期满所依据的日期 (默认: 台账中最近的日期)",
    ))]
    pub as_of: Option<String>,
    #[arg(long, requires = "period", help = tr(
        "Show counts and the monthly total against the last period; write nothing",
        "显示户数、人数和月度总额, 并与上期比较; 不写任何文件",
    ))]
    pub preview: bool,
    #[arg(long, value_name = "FILE", help = tr(
        "Record the verdicts of a filled review-meeting worksheet",
        "记录已填写的评议会工作表中的评议结果",
    ))]
    pub record: Option<PathBuf>,
    #[arg(long, requires = "record", help = tr(
        "The meeting and its minutes reference (with --record)",
        "会议名称及纪要编号 (与 --record 同用)",
    ))]
    pub meeting: Option<String>,
    #[arg(long, value_name = "DATE", help = tr(
        "The meeting's or objection's date (YYYY-MM-DD)",
        "会议或异议的日期 (YYYY-MM-DD)",
    ))]
    pub date: Option<String>,
    #[arg(long, requires = "record", help = tr(
        "Who attended the meeting (with --record)",
        "参会人员 (与 --record 同用)",
    ))]
    pub attendees: Option<String>,
    #[arg(long, value_name = "CASE", help = tr(
        "Record an objection to a case in public notice",
        "记录对公示中某个案件的异议",
    ))]
    pub objection: Option<String>,
    #[arg(long, requires = "objection", conflicts_with = "dismissed", help = tr(
        "The objection was upheld (the decision is withdrawn)",
        "异议成立 (撤回该决定)",
    ))]
    pub upheld: bool,
    #[arg(long, requires = "objection", help = tr(
        "The objection was dismissed (the notice runs on)",
        "异议不成立 (公示继续)",
    ))]
    pub dismissed: bool,
    #[arg(long, requires = "objection", help = tr(
        "What the objection was and how it was checked",
        "异议的内容及核实情况",
    ))]
    pub note: Option<String>,
    #[arg(long, value_name = "CASE", num_args = 1.., help = tr(
        "Approve these cases' proposals without a meeting (无争议免评议), where the policy allows",
        "不经评议直接批准这些案件的拟决定 (无争议免评议), 须政策允许",
    ))]
    pub undisputed: Vec<String>,
    #[arg(long, value_name = "CASE", num_args = 1.., help = tr(
        "Post these cases though their hardship reason is unknown (with --record or --undisputed), once a person \
         has checked that they are not protected (艾滋病 …); without it they are kept off the public notice",
        "公示这些致困原因不明的案件 (与 --record 或 --undisputed 同用), 须先经人工核实不属于需保护隐私的情形 \
         (艾滋病等); 不加此项时这些案件不上公示",
    ))]
    pub publish_unknown_reason: Vec<String>,
    #[arg(long, value_name = "OLD_POLICY", help = tr(
        "Compare amounts under an older policy file with the current one (read-only)",
        "比较旧政策文件与当前政策下的金额 (只读)",
    ))]
    pub impact: Option<PathBuf>,
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
}

impl Args {
    /// A writing step for its period, unless a dry run, a preview or an impact (which only read).
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run && !self.preview && self.impact.is_none()).then(|| self.period.clone())
    }
}

/// The command line's entry: the mode chosen from the options (each with the options it needs), files taken from
/// `-C DIR` as git does.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let ws = ctx.workspace()?;
    let date = args.date;
    let need_date = || {
        date.clone()
            .ok_or_else(|| anyhow!("{}", tr("give --date YYYY-MM-DD", "请给出 --date YYYY-MM-DD")))
    };
    let mode = if let Some(file) = args.record {
        Mode::Record {
            file: ctx.path(file),
            meeting: args.meeting.ok_or_else(|| {
                anyhow!(
                    "{}",
                    tr(
                        "--record needs --meeting \"…\"",
                        "--record 需要同时给出 --meeting \"会议及纪要编号\""
                    )
                )
            })?,
            date: need_date()?,
            attendees: args.attendees,
        }
    } else if let Some(case_id) = args.objection {
        if !args.upheld && !args.dismissed {
            bail!(
                "{}",
                tr(
                    "--objection needs --upheld or --dismissed",
                    "--objection 需要同时给出 --upheld (异议成立) 或 --dismissed (异议不成立)"
                )
            );
        }
        Mode::Objection {
            case_id,
            upheld: args.upheld,
            note: args.note.unwrap_or_default(),
            date: need_date()?,
        }
    } else if !args.undisputed.is_empty() {
        Mode::Undisputed {
            cases: args.undisputed,
            date: need_date()?,
        }
    } else if let Some(old) = args.impact {
        Mode::Impact {
            old_policy: ctx.path(old),
            period: args.period,
        }
    } else if let Some(period) = args.period {
        Mode::Propose {
            period,
            as_of: args.as_of,
            preview: args.preview,
        }
    } else {
        bail!(
            "{}",
            tr(
                "give --period YYYY-MM, --record FILE, --objection CASE, --undisputed CASE… or --impact FILE",
                "请给出 --period YYYY-MM、--record 文件、--objection 案件、--undisputed 案件… 或 --impact 文件 之一"
            )
        )
    };
    run(
        &ws,
        &Request {
            mode,
            dry_run: args.dry_run,
            quiet: ctx.quiet,
            publish_unknown_reason: args.publish_unknown_reason,
        },
    )
}

// `jiuzhu explain CASE`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Explain how a case's amounts were derived (标准 − 人均收入 … = 月保障金)",
        "说明案件金额的计算过程 (标准 − 人均收入 … = 月保障金)",
    ),
    help_template = examples(tr(
        "Example:\n  jiuzhu explain CD-2026-0B9A1C744081",
        "示例:\n  jiuzhu explain CD-2026-0B9A1C744081",
    ))
)]
pub struct ExplainArgs {
    #[arg(help = tr("The case ID (案件编号)", "案件编号"))]
    pub case: String,
}

impl ExplainArgs {
    /// `explain` only reads.
    pub fn writing_step(&self) -> Option<Option<String>> {
        None
    }
}

/// The command line's entry of `explain`.
pub fn explain_main(args: ExplainArgs, ctx: &Ctx) -> Result<Outcome> {
    explain(&ctx.workspace()?, &args.case)
}

/// What `decide` was asked to do, resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub mode: Mode,
    pub dry_run: bool,
    pub quiet: bool,
    /// Cases whose hardship reason is unknown that the clerk confirms may be posted (`--publish-unknown-reason`).
    pub publish_unknown_reason: Vec<String>,
}

/// Everything decide reads.
struct State {
    cases: Vec<Case>,
    members: Vec<Member>,
    /// The checks that did not pass (see [`read_open_checks`]).
    checks: Vec<Check>,
    /// The latest `as_of` of any check.
    checks_latest: Option<NaiveDate>,
    matches: Vec<Match>,
    decisions: Vec<Decision>,
    notices: Vec<Notice>,
    meetings: Vec<Meeting>,
    chain: events::Journal,
    /// Case ID → position in `cases` (cases are never added or removed by decide).
    case_pos: HashMap<String, usize>,
    /// Case ID → positions in `decisions`; rebuilt by [`State::index_decisions`] after decisions are added.
    decisions_of: HashMap<String, Vec<usize>>,
    /// Case ID → positions in `members`.
    member_pos: HashMap<String, Vec<usize>>,
    /// Case ID → positions in `matches` of its confirmed exclude hits (decide does not change hits).
    exclusions_of: HashMap<String, Vec<usize>>,
    /// Cases whose hardship reason is unknown that the clerk confirmed may be posted.
    publish_unknown_reason: HashSet<String>,
    /// Cases kept off the public notice by this run because their hardship reason is unknown.
    withheld: Vec<String>,
}

/// What decide needs of `checks.csv` — the checks that did not pass, and the latest `as_of` — without building a
/// record for each of the many that passed (12 checks a case: 600,000 rows in a county, 12 million in a province).
/// Any row that does not read cleanly sends the file through the full, validating read, which names the line.
fn read_open_checks(ws: &Workspace) -> Result<(Vec<Check>, Option<NaiveDate>)> {
    let Some(bytes) = ws.read_optional(ledger::path_of::<Check>())? else {
        return Ok((Vec::new(), None));
    };
    let quick = || -> Option<(Vec<Check>, Option<NaiveDate>)> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(&bytes[..]);
        let header_ok = rdr
            .byte_headers()
            .ok()?
            .iter()
            .eq(<Check as ledger::Record>::COLUMNS.iter().map(|c| c.as_bytes()));
        if !header_ok {
            return None;
        }
        let (mut open, mut latest, mut last_date) = (Vec::new(), None, Vec::new());
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).ok()? {
            if rec.len() != 6 || std::str::from_utf8(rec.as_slice()).is_err() {
                return None;
            }
            if &rec[2] != b"pass" {
                open.push(rec.deserialize::<Check>(None).ok()?);
            }
            // Every date is checked; rows of one verify run share theirs, so it is parsed once per run.
            if rec[5] != last_date[..] {
                let d = NaiveDate::parse_from_str(std::str::from_utf8(&rec[5]).ok()?, "%Y-%m-%d").ok()?;
                if rec[5].len() != 10 {
                    return None;
                }
                latest = latest.max(Some(d));
                last_date = rec[5].to_vec();
            }
        }
        Some((open, latest))
    };
    if let Some(r) = quick() {
        return Ok(r);
    }
    let all = ledger::parse::<Check>(<Check as ledger::Record>::FILE, &bytes)?;
    let latest = all.iter().map(|c| c.as_of).max();
    Ok((
        all.into_iter().filter(|c| c.result != CheckResult::Pass).collect(),
        latest,
    ))
}

impl State {
    fn load(ws: &Workspace) -> Result<State> {
        // The ledgers are read on both cores; a damaged one stops the step as it would read one by one.
        let (mut chain, mut cases, mut members, mut checks) = (None, None, None, None);
        let (mut matches, mut decisions, mut notices, mut meetings) = (None, None, None, None);
        rayon::scope(|s| {
            s.spawn(|_| chain = Some(events::Journal::read(ws)));
            s.spawn(|_| cases = Some(ledger::read::<Case>(ws)));
            s.spawn(|_| members = Some(ledger::read::<Member>(ws)));
            s.spawn(|_| checks = Some(read_open_checks(ws)));
            s.spawn(|_| matches = Some(ledger::read::<Match>(ws)));
            s.spawn(|_| decisions = Some(ledger::read::<Decision>(ws)));
            s.spawn(|_| notices = Some(ledger::read::<Notice>(ws)));
            s.spawn(|_| meetings = Some(ledger::read::<Meeting>(ws)));
        });
        let read = "every ledger is read";
        let chain = chain.expect(read)?;
        let cases = cases.expect(read)?;
        let case_pos = cases.iter().enumerate().map(|(i, c)| (c.case_id.clone(), i)).collect();
        let members = members.expect(read)?;
        let mut member_pos: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, m) in members.iter().enumerate() {
            member_pos.entry(m.case_id.clone()).or_default().push(i);
        }
        let (checks, checks_latest) = checks.expect(read)?;
        let matches: Vec<Match> = matches.expect(read)?;
        let mut exclusions_of: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, m) in matches.iter().enumerate() {
            if m.disposition == Disposition::Confirmed && m.effect == Effect::Exclude {
                exclusions_of.entry(m.case_id.clone()).or_default().push(i);
            }
        }
        let mut st = State {
            cases,
            members,
            checks,
            checks_latest,
            matches,
            decisions: decisions.expect(read)?,
            notices: notices.expect(read)?,
            meetings: meetings.expect(read)?,
            chain,
            case_pos,
            decisions_of: HashMap::default(),
            member_pos,
            exclusions_of,
            publish_unknown_reason: HashSet::default(),
            withheld: Vec::new(),
        };
        st.index_decisions();
        Ok(st)
    }

    /// Groups decisions by case, once, so per-case look-ups are not a scan of the whole ledger.
    fn index_decisions(&mut self) {
        self.decisions_of.clear();
        for (i, d) in self.decisions.iter().enumerate() {
            self.decisions_of.entry(d.case_id.clone()).or_default().push(i);
        }
    }

    fn case(&self, case_id: &str) -> Option<&Case> {
        self.case_pos.get(case_id).map(|&i| &self.cases[i])
    }

    fn members_of(&self, case_id: &str) -> Vec<&Member> {
        self.member_pos
            .get(case_id)
            .into_iter()
            .flatten()
            .map(|&i| &self.members[i])
            .collect()
    }

    /// The decision in force for a case (the latest effective one).
    fn in_force(&self, case_id: &str) -> Option<&Decision> {
        decision::current(
            self.decisions_of
                .get(case_id)
                .into_iter()
                .flatten()
                .map(|&i| &self.decisions[i])
                .filter(|d| d.case_id == case_id),
        )
    }

    /// The latest date any ledger knows (never the computer's clock).
    fn latest_date(&self) -> Option<NaiveDate> {
        let a = self.cases.iter().map(|c| c.applied_on);
        let b = self.decisions.iter().filter_map(|d| d.decided_on);
        let c = self.notices.iter().map(|n| n.start);
        let d = self.meetings.iter().map(|m| m.date);
        let e = self.checks_latest;
        a.chain(b).chain(c).chain(d).chain(e).max()
    }

    fn write(&self, ws: &Workspace, txn: &mut Txn) -> Result<()> {
        self.write_encoded(ws, txn, ledger::to_bytes(&self.decisions)?)
    }

    /// As [`State::write`], with decisions.csv already encoded.
    fn write_encoded(&self, ws: &Workspace, txn: &mut Txn, decisions: Vec<u8>) -> Result<()> {
        txn.put(ledger::path_of::<Case>(), ledger::to_bytes(&self.cases)?);
        txn.put(ledger::path_of::<Decision>(), decisions);
        if !self.notices.is_empty() || ws.read_optional(ledger::path_of::<Notice>())?.is_some() {
            txn.put(ledger::path_of::<Notice>(), ledger::to_bytes(&self.notices)?);
        }
        if !self.meetings.is_empty() || ws.read_optional(ledger::path_of::<Meeting>())?.is_some() {
            txn.put(ledger::path_of::<Meeting>(), ledger::to_bytes(&self.meetings)?);
        }
        self.chain.put(txn)?;
        Ok(())
    }
}

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    match &args.mode {
        Mode::Propose { period, as_of, preview } => {
            let period = Period::parse(period).map_err(|e| {
                anyhow!(tr(
                    format!("--period {period}: {e} (write e.g. 2026-11)"),
                    format!("--period {period}: 不是有效的月份 (请写成 2026-11 这样)")
                ))
            })?;
            let as_of = as_of.as_deref().map(parse_date_arg).transpose()?;
            propose(ws, args, period, as_of, *preview)
        }
        Mode::Record {
            file,
            meeting,
            date,
            attendees,
        } => record(ws, args, file, meeting, parse_date_arg(date)?, attendees.as_deref()),
        Mode::Undisputed { cases, date } => undisputed(ws, args, cases, parse_date_arg(date)?),
        Mode::Objection {
            case_id,
            upheld,
            note,
            date,
        } => objection(ws, args, case_id, *upheld, note, parse_date_arg(date)?),
        Mode::Impact { old_policy, period } => impact(ws, old_policy, period.as_deref()),
    }
}

fn parse_date_arg(s: &str) -> Result<NaiveDate> {
    date::parse_date(s).map_err(|e| {
        anyhow!(tr(
            format!("date `{s}`: {e} (write e.g. 2026-11-20)"),
            format!("日期 `{s}`: {} (请写成 2026-11-20 这样)", e.zh())
        ))
    })
}

/// The standard in force on a date, as the benefit module uses it.
pub fn standard_used(policy: &Policy, scheme: &Scheme, on: NaiveDate) -> Option<StandardUsed> {
    let s = scheme.standard_on(on)?;
    Some(StandardUsed {
        monthly: s.monthly(&policy.rounding),
        stated: s.amount.0,
        unit: s.unit,
        from: s.from,
    })
}

fn minimum_wage_on(policy: &Policy, on: NaiveDate) -> Option<StandardUsed> {
    let s = policy.benefits.tekun.minimum_wage.iter().rev().find(|s| s.from <= on)?;
    Some(StandardUsed {
        monthly: s.monthly(&policy.rounding),
        stated: s.amount.0,
        unit: s.unit,
        from: s.from,
    })
}

/// What the rules give for a case on a date, with the basis recording the inputs.
pub fn compute(
    policy: &Policy,
    case: &Case,
    members: &[&Member],
    on: NaiveDate,
    without: &BTreeSet<String>,
) -> Result<(Computed, Basis)> {
    let scheme = policy.schemes.get(&case.scheme).ok_or_else(|| {
        anyhow!(tr(
            format!(
                "case {} has scheme `{}`, which the policy no longer defines",
                case.case_id, case.scheme
            ),
            format!(
                "案件 {} 的救助项目 `{}` 在政策文件中已没有定义",
                case.case_id, case.scheme
            )
        ))
    })?;
    let std = standard_used(policy, scheme, on).ok_or_else(|| {
        anyhow!(tr(
            format!(
                "scheme {} has no standard in force on {on}; add one to jiuzhu.yaml",
                case.scheme
            ),
            format!(
                "救助项目 {} 在 {on} 没有有效的保障标准; 请在 jiuzhu.yaml 中添加",
                case.scheme
            )
        ))
    })?;
    let h = Household::of_case(policy, case, members, on, without);
    let basis = Basis::of(&h, &std);
    let computed = match scheme.kind {
        SchemeKind::Dibao => benefit::dibao(&h, &std, &policy.benefits, &policy.rounding),
        SchemeKind::Tekun => {
            let wage = minimum_wage_on(policy, on);
            benefit::tekun(&h, &std, wage.as_ref(), &policy.benefits, &policy.rounding)
        }
        SchemeKind::Temporary => benefit::temporary(&h, &std, &policy.benefits, &policy.rounding),
    };
    Ok((computed, basis))
}

/// Which of the period's proposals (`ids[i]` is the ID of `proposals[i]`) are already decisions in `kept` (the
/// ledger without the period's earlier proposals): decided for that case, period and kind — refused by the meeting
/// (不同意), deferred, approved or in force. A decision's ID is its case, period and kind, so such a proposal would
/// be the same decision twice: a refusal stands for its period, and the case comes up again only with a different
/// decision (something changed) or the next period. An ID that belongs to two cases, periods or kinds (a hand
/// edit, or a collision of the hash) stops the step, nothing written.
fn decided_already(
    kept: &[Decision],
    proposals: &[Proposal],
    ids: &[String],
    period: Period,
) -> Result<HashSet<String>> {
    let who = |case: &str, kind: DecisionKind, period: Period| {
        tr(
            format!("case {case}'s {} of {period}", kind.label_zh()),
            format!("案件 {case} {period} 的{}决定", kind.label_zh()),
        )
    };
    let mut wanted: HashMap<&str, &Proposal> = HashMap::with_capacity_and_hasher(ids.len(), Default::default());
    for (id, p) in ids.iter().zip(proposals) {
        if let Some(q) = wanted.insert(id, p) {
            let (a, b) = (who(&q.case_id, q.kind, period), who(&p.case_id, p.kind, period));
            bail!(tr(
                format!("decision {id} would be both {a} and {b}; nothing written"),
                format!("决定 {id} 会同时是{a}和{b}; 未写入任何内容")
            ));
        }
    }
    let mut decided = HashSet::default();
    for d in kept {
        let Some(p) = wanted.get(d.decision_id.as_str()) else {
            continue;
        };
        if d.case_id != p.case_id || d.period != period || d.kind != p.kind {
            let (a, b) = (who(&d.case_id, d.kind, d.period), who(&p.case_id, p.kind, period));
            bail!(tr(
                format!(
                    "ledgers/decisions.csv: decision {} is {a}, but its ID is that of {b}; nothing written (restore \
                     the file from Git)",
                    d.decision_id
                ),
                format!(
                    "ledgers/decisions.csv: 决定 {} 是{a}, 但它的编号属于{b}; 未写入任何内容 (请从 Git 恢复该文件)",
                    d.decision_id
                )
            ));
        }
        decided.insert(d.decision_id.clone());
    }
    Ok(decided)
}

/// A proposal before it is merged into the ledger.
struct Proposal {
    case_id: String,
    kind: DecisionKind,
    amount: Fen,
    previous: Fen,
    reason: String,
    derivation: String,
    /// What the amount was computed from; none for a decision made without a computation.
    basis: Option<Basis>,
    policy_values: String,
    gradual_exit_until: Option<Period>,
    urgent: bool,
}

/// Why a case was not proposed.
struct Blocked {
    case_id: String,
    /// What blocks it, for `--json`: `open_hits` (registry hits not resolved) or `not_verified`.
    check: &'static str,
    why: String,
}

fn propose(ws: &Workspace, args: &Request, period: Period, as_of: Option<NaiveDate>, preview: bool) -> Result<Outcome> {
    let writing = !(args.dry_run || preview);
    let lock = if writing { Some(ws.lock()?) } else { None };
    let mut kept = crate::kept_to_exit(State::load(ws)?);
    let st: &mut State = &mut kept;
    let as_of_given = as_of.is_some();
    let as_of = as_of.or_else(|| st.latest_date()).unwrap_or_else(|| period.first_day());
    let on = period.first_day();
    let policy = &ws.policy;
    crate::ui::phase("decide: loaded");
    let before_total = monthly_total(st, policy, period.prev());

    // 1. Approved decisions whose notices all ran their full period, with no upheld objection, take effect.
    let made_effective = make_effective(st, policy, as_of);

    crate::ui::phase("decide: made effective");
    // 2. Proposals for the period.
    let mut proposals = Vec::new();
    let mut blocked = Vec::new();
    let open_hits: BTreeMap<&str, Vec<&Match>> = st
        .matches
        .iter()
        .filter(|m| m.disposition == Disposition::Open && m.effect != Effect::Info)
        .fold(BTreeMap::new(), |mut acc, m| {
            acc.entry(m.case_id.as_str()).or_default().push(m);
            acc
        });
    let pending: BTreeSet<&str> = st
        .decisions
        .iter()
        .filter(|d| {
            matches!(d.status, DecisionStatus::Approved) || (d.status == DecisionStatus::Deferred && d.period == period)
        })
        .map(|d| d.case_id.as_str())
        .collect();
    // Members and failed checks by case, built once (a scan per case is quadratic at county scale).
    let members_index = records::by_case(&st.members);
    let failed_index = records::by_case(st.checks.iter().filter(|c| c.result == CheckResult::Fail));
    let caps = CapIndex::new(st, policy);
    // How the commands in the reasons run jiuzhu from where the user is (`-C DIR` when elsewhere).
    let jiuzhu = ws.jiuzhu();
    let progress = crate::ui::Progress::new(
        st.cases.len() as u64,
        tr("decide: households decided", "审核确认: 已处理家庭"),
    );
    for case in &st.cases {
        progress.inc(1);
        if let Some(hits) = open_hits.get(case.case_id.as_str()) {
            if case.status.is_open() && case.status != CaseStatus::Approved {
                let list: Vec<String> = hits
                    .iter()
                    .map(|m| match crate::i18n::current() {
                        Lang::En => format!("{} ({})", m.hit_id, m.source),
                        Lang::Zh => format!("{} ({})", m.hit_id, registry_label(policy, &m.source)),
                    })
                    .collect();
                // The worksheets the hits are on: `--resolve` needs the file.
                let sheets: BTreeSet<&str> = hits.iter().map(|m| m.batch.as_str()).collect();
                let resolve: Vec<String> = sheets
                    .into_iter()
                    .map(|b| format!("`{jiuzhu} compare --resolve reports/compare-hits-{b}.xlsx`"))
                    .collect();
                blocked.push(Blocked {
                    case_id: case.case_id.clone(),
                    check: "open_hits",
                    why: tr(
                        format!(
                            "open registry hits: {} — resolve them with {}",
                            list.join(", "),
                            resolve.join(", ")
                        ),
                        format!(
                            "有未处理的比对结果: {} — 请用 {} 处理",
                            list.join(", "),
                            resolve.join(", ")
                        ),
                    ),
                });
                continue;
            }
        }
        if pending.contains(case.case_id.as_str()) {
            continue;
        }
        let members = members_index.get(case.case_id.as_str()).cloned().unwrap_or_default();
        match case.status {
            CaseStatus::Verified => {
                // A hit confirmed after the case was verified (compare after verify) still decides it: an
                // exclusion refuses the application, a member's death leaves them uncounted, the death of all
                // refuses it.
                let (excluded, dead) = confirmed_exclusions(st, policy, case);
                let all_dead = !dead.is_empty() && members.iter().all(|m| dead.contains(m.id_number.as_str()));
                let head_dead = dead.contains(case.applicant_id_number.as_str());
                let refused = match excluded {
                    Some(why) => Some(("confirmed_exclude_hit", why)),
                    None if all_dead => Some(("death", "信息比对确认: 家庭成员均已死亡".to_string())),
                    // Paid to the head: the others apply again with a living head.
                    None if head_dead => Some((
                        "death",
                        format!(
                            "信息比对确认: 申请人(户主) {} 已死亡, 其他家庭成员可另行申请",
                            case.applicant_name
                        ),
                    )),
                    None => None,
                };
                if let Some((reason, why)) = refused {
                    proposals.push(Proposal {
                        case_id: case.case_id.clone(),
                        kind: DecisionKind::Reject,
                        amount: Fen(0),
                        previous: Fen(0),
                        reason: reason.into(),
                        derivation: format!("{why}；不予批准"),
                        basis: None,
                        policy_values: String::new(),
                        gradual_exit_until: None,
                        urgent: false,
                    });
                    continue;
                }
                let (computed, basis) = compute(policy, case, &members, on, &dead)?;
                proposals.push(match computed {
                    Computed::Pay {
                        amount,
                        single_person,
                        derivation,
                    } => {
                        let (amount, capped) = annual_cap(&caps, policy, case, period, amount);
                        let mut values = derivation.policy_values.join("; ");
                        if let Some((cap, _)) = &capped {
                            values.push_str(&format!("; benefits.annual_caps.{}={cap}", case.scheme));
                        }
                        Proposal {
                            case_id: case.case_id.clone(),
                            kind: DecisionKind::New,
                            amount,
                            previous: Fen(0),
                            reason: if single_person.is_some() {
                                "single_person_household"
                            } else {
                                "new_application"
                            }
                            .into(),
                            derivation: match capped {
                                Some((_, line)) => format!("{}；{line}", derivation.text()),
                                None => derivation.text(),
                            },
                            basis: Some(basis),
                            policy_values: values,
                            gradual_exit_until: None,
                            urgent: case.urgent,
                        }
                    }
                    Computed::Ineligible {
                        reason_code,
                        reason,
                        derivation,
                    } => Proposal {
                        case_id: case.case_id.clone(),
                        kind: DecisionKind::Reject,
                        amount: Fen(0),
                        previous: Fen(0),
                        reason: reason_code.into(),
                        derivation: format!("{reason}；{}", derivation.text()),
                        basis: Some(basis),
                        policy_values: derivation.policy_values.join("; "),
                        gradual_exit_until: None,
                        urgent: false,
                    },
                });
            }
            CaseStatus::Ineligible => {
                let failed: Vec<String> = failed_index
                    .get(case.case_id.as_str())
                    .into_iter()
                    .flatten()
                    .map(|c| format!("{}: {}", crate::domain::eligibility::check_label(&c.check), c.detail))
                    .collect();
                proposals.push(Proposal {
                    case_id: case.case_id.clone(),
                    kind: DecisionKind::Reject,
                    amount: Fen(0),
                    previous: Fen(0),
                    reason: "failed_checks".into(),
                    derivation: if failed.is_empty() {
                        "审核不符合".into()
                    } else {
                        failed.join("；")
                    },
                    basis: None,
                    policy_values: String::new(),
                    gradual_exit_until: None,
                    urgent: false,
                });
            }
            CaseStatus::Received | CaseStatus::NeedsInfo => blocked.push(Blocked {
                case_id: case.case_id.clone(),
                check: "not_verified",
                why: tr(
                    format!("not verified ({}) — run `{jiuzhu} verify`", case.status.as_str()),
                    format!("未审核通过 ({}) — 请运行 `{jiuzhu} verify`", case.status.label_zh()),
                ),
            }),
            CaseStatus::Effective => {
                if let Some(p) = redecide(st, policy, case, &members, period)? {
                    proposals.push(p);
                }
            }
            CaseStatus::Approved
            | CaseStatus::Rejected
            | CaseStatus::Stopped
            | CaseStatus::Closed
            | CaseStatus::Withdrawn => {}
        }
    }

    progress.finish();
    crate::ui::phase("decide: proposals");
    // 3. Merge: this period's proposals replace the earlier ones (a case whose data changed is re-proposed).
    // As written (sorted by key), to tell a re-run that proposes the same decisions from a change.
    let before_decisions = ledger::to_bytes(&st.decisions)?;
    st.decisions
        .retain(|d| !(d.status == DecisionStatus::Proposed && d.period == period));
    let ids: Vec<String> = proposals
        .iter()
        .map(|p| decision::decision_id(&p.case_id, period, p.kind))
        .collect();
    let decided = decided_already(&st.decisions, &proposals, &ids, period)?;
    let mut urgent_now = 0;
    for (p, id) in proposals.iter().zip(ids) {
        // One row per key: a decision of the case, period and kind that the meeting or the notice already
        // decided (不同意, 暂缓, 同意, in force) stands for the period and is not proposed again.
        if decided.contains(&id) {
            continue;
        }
        // Urgent temporary assistance is paid first and approved after (先行救助、后置审批).
        let urgent = p.urgent && p.kind == DecisionKind::New;
        if urgent {
            urgent_now += 1;
        }
        st.decisions.push(Decision {
            decision_id: id,
            case_id: p.case_id.clone(),
            period,
            kind: p.kind,
            status: if urgent {
                DecisionStatus::Effective
            } else {
                DecisionStatus::Proposed
            },
            amount: p.amount,
            previous_amount: p.previous,
            delta_amount: Fen(p.amount.0 - p.previous.0),
            reason: p.reason.clone(),
            derivation: Text(p.derivation.clone()),
            basis: Text(p.basis.map(|b| b.to_string()).unwrap_or_default()),
            policy_values: Text(p.policy_values.clone()),
            effective_from: urgent.then_some(period),
            gradual_exit_until: p.gradual_exit_until,
            urgent,
            meeting: Text::default(),
            decided_on: None,
            batch: String::new(),
        });
        if urgent {
            set_status(
                st,
                &p.case_id,
                CaseStatus::Effective,
                "urgent: 先行救助, approval to be back-filled",
            );
        }
    }
    let batch = assign_batch(&mut st.decisions);
    st.index_decisions();
    let proposed: Vec<&Decision> = st
        .decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed)
        .collect();
    let count = |k: DecisionKind| proposed.iter().filter(|d| d.kind == k).count();
    let backfill = st.decisions.iter().filter(|d| awaiting_backfill(d)).count();
    let after_total = monthly_total(st, policy, period);

    crate::ui::phase("decide: merged");
    let mut out = String::new();
    let prefix = if preview {
        tr("preview: ", "预览: ")
    } else if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let (n_proposed, n_new, n_reject) = (proposed.len(), count(DecisionKind::New), count(DecisionKind::Reject));
    let (n_up, n_down, n_stop) = (
        count(DecisionKind::Increase),
        count(DecisionKind::Decrease),
        count(DecisionKind::Stop),
    );
    let (n_exit, n_now, n_blocked) = (
        count(DecisionKind::GradualExit),
        made_effective + urgent_now,
        blocked.len(),
    );
    let (urgent_en, urgent_zh) = if urgent_now > 0 {
        (
            format!(" ({urgent_now} urgent)"),
            format!(" (其中先行救助 {urgent_now} 件)"),
        )
    } else {
        (String::new(), String::new())
    };
    out.push_str(&tr(
        format!(
            "{prefix}decide {period} (as of {as_of}): {n_proposed} proposed — {n_new} new, {n_reject} rejected, \
             {n_up} increased, {n_down} decreased, {n_stop} stopped, {n_exit} gradual exit; {n_now} effective now{urgent_en}; \
             {n_blocked} blocked"
        ),
        format!(
            "{prefix}救助决策 {period} (截至 {as_of}): 提请评议 {n_proposed} 件 — 新增 {n_new} 件, 不予批准 {n_reject} 件, \
             增发 {n_up} 件, 减发 {n_down} 件, 停发 {n_stop} 件, 渐退 {n_exit} 件; 本次生效 {n_now} 件{urgent_zh}; 暂缓 {n_blocked} 件"
        ),
    ));
    // What the total means depends on what this run did: with proposals it is the total if they are approved; with
    // none, it is the month as decided.
    let prev = period.prev();
    out.push_str(&if n_proposed > 0 {
        tr(
            format!("\n  monthly total in force: {before_total} ({prev}) → {after_total} ({period}) if every proposal is approved"),
            format!("\n  月保障金合计: {before_total} ({prev}) → {after_total} ({period}) (全部提议获批时)"),
        )
    } else {
        tr(
            format!("\n  monthly total in force: {before_total} ({prev}) → {after_total} ({period}); nothing new proposed"),
            format!("\n  月保障金合计: {before_total} ({prev}) → {after_total} ({period}); 本次没有新的提议"),
        )
    });
    let sheet_rel = batch
        .as_ref()
        .map(|_| PathBuf::from("reports").join(format!("review-meeting-{period}.xlsx")));
    // Named only where it is written: a preview writes nothing, and a dry run says what it would write.
    match &sheet_rel {
        Some(rel) if writing => out.push_str(&tr(
            format!(
                "\n  worksheet: {0} (fill in 评议结果, then `{1} decide --record {0} --meeting \"…\" --date \
                 YYYY-MM-DD`)",
                rel.display(),
                ws.jiuzhu()
            ),
            format!(
                "\n  评议表: {0} (填写评议结果后运行 `{1} decide --record {0} --meeting \"…\" --date YYYY-MM-DD`)",
                rel.display(),
                ws.jiuzhu()
            ),
        )),
        Some(rel) if args.dry_run => out.push_str(&tr(
            format!("\n  worksheet would be {}", rel.display()),
            format!("\n  评议表将写到 {} (试运行, 未写入)", rel.display()),
        )),
        _ => {}
    }
    for b in blocked.iter().take(20) {
        out.push_str(&tr(
            format!("\n  blocked {}: {}", b.case_id, b.why),
            format!("\n  暂缓 {}: {}", b.case_id, b.why),
        ));
    }
    if let Some(more) = crate::ui::more(20, blocked.len()) {
        out.push_str(&format!("\n  {more}"));
    }
    if backfill > 0 {
        out.push_str(&tr(
            format!(
                "\n  {backfill} urgent decisions (先行救助) paid first wait for their back-filled approval on the \
                 worksheet"
            ),
            format!("\n  {backfill} 件先行救助已先行发放, 待在评议表上补办审批"),
        ));
    }
    // Approved decisions still in their notice on the date taken: without --as-of that is the latest date the
    // workspace knows (never the clock), so a run after the notice ended makes nothing effective unless told.
    let notice_end: HashMap<&str, NaiveDate> = st.notices.iter().fold(HashMap::default(), |mut acc, n| {
        let e = acc.entry(n.decision_id.as_str()).or_insert(n.end);
        *e = (*e).max(n.end);
        acc
    });
    let waiting: Vec<NaiveDate> = st
        .decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Approved)
        .filter_map(|d| notice_end.get(d.decision_id.as_str()).copied())
        .collect();
    let missing_date = !as_of_given && !waiting.is_empty();
    if missing_date {
        let last = waiting.iter().max().copied().unwrap_or(as_of);
        let after = last.succ_opt().unwrap_or(last);
        out.push_str(&tr(
            format!(
                "\n  {} approved decisions wait for their notice to end (the last on {last}); without --as-of the \
                 date was {as_of}, the latest in the workspace: give --as-of DATE (e.g. --as-of {after}) to make \
                 them effective",
                waiting.len()
            ),
            format!(
                "\n  {} 件已批准的决定等待公示期满 (最晚 {last} 期满); 未给 --as-of, 日期取工作区中最晚的 {as_of}: \
                 请用 --as-of 日期 (如 --as-of {after}) 使其生效",
                waiting.len()
            ),
        ));
    }
    if crate::ui::json() {
        use serde_json::json;
        crate::ui::record("period", period.to_string());
        crate::ui::record("as_of", as_of.to_string());
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("preview", preview);
        let mut by_kind = serde_json::Map::new();
        for d in &proposed {
            let kind = serde_json::to_value(d.kind).unwrap_or_default();
            let key = kind.as_str().unwrap_or_default().to_string();
            let entry = by_kind
                .entry(key)
                .or_insert_with(|| json!({"count": 0, "amount": Fen(0)}));
            let count = entry["count"].as_u64().unwrap_or(0) + 1;
            let amount = entry["amount"].as_i64().unwrap_or(0) + d.amount.0;
            *entry = json!({"count": count, "amount": amount});
        }
        for v in by_kind.values_mut() {
            let amount = Fen(v["amount"].as_i64().unwrap_or(0)).to_string();
            v["amount"] = amount.into();
        }
        crate::ui::record("proposed", proposed.len());
        crate::ui::record("by_kind", by_kind);
        let scheme_of: HashMap<&str, &str> = st
            .cases
            .iter()
            .map(|c| (c.case_id.as_str(), c.scheme.as_str()))
            .collect();
        let list: Vec<serde_json::Value> = proposed
            .iter()
            .map(|d| {
                let scheme = scheme_of.get(d.case_id.as_str()).copied().unwrap_or_default();
                // Counted in the monthly total (低保, 特困), not a one-off payment (临时救助).
                let monthly = policy
                    .schemes
                    .get(scheme)
                    .is_some_and(|s| s.kind != SchemeKind::Temporary);
                json!({
                    "scheme": scheme,
                    "monthly": monthly,
                    "decision_id": d.decision_id,
                    "case_id": d.case_id,
                    "period": d.period,
                    "kind": d.kind,
                    "amount": d.amount.to_string(),
                    "previous_amount": d.previous_amount.to_string(),
                    "delta_amount": d.delta_amount.to_string(),
                })
            })
            .collect();
        crate::ui::record("proposals", list);
        crate::ui::record("made_effective", made_effective + urgent_now);
        crate::ui::record("urgent", urgent_now);
        crate::ui::record("awaiting_backfill", backfill);
        let blocked_list: Vec<serde_json::Value> = blocked
            .iter()
            .map(|b| json!({"case_id": b.case_id, "check": b.check, "reason": b.why}))
            .collect();
        crate::ui::record("blocked", blocked_list);
        crate::ui::record("monthly_total_before", before_total.to_string());
        crate::ui::record("monthly_total_after", after_total.to_string());
        crate::ui::record("waiting_for_notice", waiting.len());
        crate::ui::record("as_of_missing", missing_date);
        crate::ui::record(
            "worksheet",
            sheet_rel
                .as_ref()
                .filter(|_| writing || args.dry_run)
                .map(|r| r.display().to_string()),
        );
    }
    let outcome = if proposed.is_empty() && blocked.is_empty() && backfill == 0 && !missing_date {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if !writing {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    // The review workbook (the longest piece of what is left) on one core, while the other encodes the
    // decisions, compares them with the ledger as read and hashes the ledgers read for the journal.
    let n_proposed = proposed.len();
    let (workbook, encoded) = rayon::join(
        || match (&sheet_rel, &batch) {
            (Some(rel), Some(b)) => review_workbook(&st.cases, &st.decisions, policy, b).map(|w| Some((rel, w))),
            _ => Ok(None),
        },
        || -> Result<Option<(Vec<u8>, String)>> {
            // Compare as written (sorted by key): re-proposing the same decisions is no change.
            let decisions_bytes = ledger::to_bytes(&st.decisions)?;
            if decisions_bytes == before_decisions && made_effective == 0 {
                return Ok(None);
            }
            let input_list = ws.inputs_read(&["cases.csv", "members.csv", "checks.csv", "matches.csv"])?;
            Ok(Some((decisions_bytes, input_list)))
        },
    );
    drop(before_decisions);
    let Some((decisions_bytes, input_list)) = encoded? else {
        if !args.quiet || outcome != Outcome::Done {
            crate::outln!("{out}\n  {}", tr("nothing changed", "没有变化"));
        }
        return Ok(outcome);
    };
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!(
            "{period} as of {as_of}: {n_proposed} proposed, {} effective, {} blocked",
            made_effective + urgent_now,
            blocked.len()
        ),
        inputs: input_list,
        ..NewEvent::default()
    }]);
    crate::ui::phase("decide: summary");
    let mut txn = Txn::new();
    st.write_encoded(ws, &mut txn, decisions_bytes)?;
    if let Some((rel, bytes)) = workbook? {
        txn.put(rel, bytes);
    }
    crate::ui::phase("decide: encoded");
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    crate::ui::phase("decide: committed");
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// What [`annual_cap`] looks up, built once per run for the schemes with a cap (a scan of every case and
/// decision per proposal is quadratic: a county proposes thousands of 临时救助 a month).
#[derive(Default)]
struct CapIndex<'a> {
    /// (scheme, applicant's ID number) → the household's cases of that scheme.
    cases: crate::hash::HashMap<(&'a str, &'a str), Vec<&'a str>>,
    /// Case ID → its decisions, for those cases.
    decisions: crate::hash::HashMap<&'a str, Vec<&'a Decision>>,
}

impl<'a> CapIndex<'a> {
    fn new(st: &'a State, policy: &Policy) -> CapIndex<'a> {
        let mut idx = CapIndex::default();
        let capped = |scheme: &str| policy.benefits.annual_caps.contains_key(scheme);
        let mut capped_cases = crate::hash::HashSet::default();
        for c in st.cases.iter().filter(|c| capped(&c.scheme)) {
            idx.cases
                .entry((c.scheme.as_str(), c.applicant_id_number.as_str()))
                .or_default()
                .push(c.case_id.as_str());
            capped_cases.insert(c.case_id.as_str());
        }
        for d in st
            .decisions
            .iter()
            .filter(|d| capped_cases.contains(d.case_id.as_str()))
        {
            idx.decisions.entry(d.case_id.as_str()).or_default().push(d);
        }
        idx
    }
}

/// The annual cap per household of a one-off scheme (e.g. 临时救助, 医疗救助 ≤ 5000 a year): the amount is cut to
/// what is left of the cap after this calendar year's other decisions for the same applicant and scheme.
/// Returns the amount to propose and, when a cap applies, the cap and the derivation line that explains it.
fn annual_cap(
    caps: &CapIndex<'_>,
    policy: &Policy,
    case: &Case,
    period: Period,
    amount: Fen,
) -> (Fen, Option<(Fen, String)>) {
    let Some(cap) = policy.benefits.annual_caps.get(&case.scheme).map(|c| c.0) else {
        return (amount, None);
    };
    let year = period.year();
    let same_household = caps
        .cases
        .get(&(case.scheme.as_str(), case.applicant_id_number.as_str()))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let used = Fen::checked_sum(
        same_household
            .iter()
            .filter(|id| **id != case.case_id)
            .flat_map(|id| caps.decisions.get(id).into_iter().flatten())
            .filter(|d| {
                d.period.year() == year && matches!(d.status, DecisionStatus::Approved | DecisionStatus::Effective)
            })
            .map(|d| d.amount),
    )
    .unwrap_or(cap);
    let left = Fen((cap.0 - used.0).max(0));
    let granted = amount.min(left);
    let line = format!(
        "年度上限 {cap}, 本年已救助 {used}, 可救助 {left}{}",
        if granted < amount {
            format!("；按上限核减为 {granted}")
        } else {
            String::new()
        }
    );
    (granted, Some((cap, line)))
}

/// Sum of the monthly amounts in force in a period (dibao and tekun; one-off temporary payments excluded).
fn monthly_total(st: &State, policy: &Policy, period: Period) -> Fen {
    let mut per_case: BTreeMap<&str, &Decision> = BTreeMap::new();
    for d in st.decisions.iter().filter(|d| {
        matches!(
            d.status,
            DecisionStatus::Effective | DecisionStatus::Superseded | DecisionStatus::Proposed
        ) && d.kind != DecisionKind::Reject
            && d.effective_from.is_some_and(|f| f <= period)
    }) {
        let e = per_case.entry(d.case_id.as_str()).or_insert(d);
        if (d.effective_from, d.period) > (e.effective_from, e.period) {
            *e = d;
        }
    }
    let proposed: BTreeMap<&str, &Decision> = st
        .decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed && d.period == period && d.kind != DecisionKind::Reject)
        .map(|d| (d.case_id.as_str(), d))
        .collect();
    let temporary: BTreeSet<&str> = st
        .cases
        .iter()
        .filter(|c| {
            policy
                .schemes
                .get(&c.scheme)
                .is_some_and(|s| s.kind == SchemeKind::Temporary)
        })
        .map(|c| c.case_id.as_str())
        .collect();
    let mut cases: BTreeSet<&str> = per_case.keys().copied().collect();
    cases.extend(proposed.keys().copied());
    let total = cases
        .into_iter()
        .filter(|c| !temporary.contains(c))
        .map(|c| match proposed.get(c) {
            Some(d) => d.amount,
            None => per_case
                .get(c)
                .map(|d| if d.kind == DecisionKind::Stop { Fen(0) } else { d.amount })
                .unwrap_or_default(),
        });
    Fen::checked_sum(total).unwrap_or_default()
}

/// A case's confirmed exclude hits (信息比对确认): the first that is not a death, said in Chinese for the
/// derivation (it ends the benefit, or refuses the application), and the ID numbers of the members whose death
/// was confirmed (they are no longer counted).
fn confirmed_exclusions(st: &State, policy: &Policy, case: &Case) -> (Option<String>, BTreeSet<String>) {
    let confirmed: Vec<&Match> = st
        .exclusions_of
        .get(&case.case_id)
        .into_iter()
        .flatten()
        .map(|&i| &st.matches[i])
        .collect();
    let dead: BTreeSet<String> = confirmed
        .iter()
        .filter(|m| policy.is_death_registry(&m.source))
        .map(|m| m.id_number.as_str().to_string())
        .collect();
    let excluded = confirmed
        .iter()
        .find(|m| !policy.is_death_registry(&m.source))
        .map(|m| {
            let label = policy
                .registries
                .get(&m.source)
                .map(|r| r.label.as_str())
                .unwrap_or(&m.source);
            format!("信息比对确认: {label} ({}) {}", m.id_number.masked(), m.evidence)
        });
    (excluded, dead)
}

/// The monthly re-decision of a recipient: 增发 / 减发 / 停发 / 渐退, or nothing when nothing changed.
fn redecide(st: &State, policy: &Policy, case: &Case, members: &[&Member], period: Period) -> Result<Option<Proposal>> {
    let scheme = &policy.schemes[&case.scheme];
    if scheme.kind == SchemeKind::Temporary {
        return Ok(None); // one-off: nothing to re-decide
    }
    let Some(current) = st.in_force(&case.case_id) else {
        return Ok(None);
    };
    let previous = current.amount;
    let stop = |reason: &str, why: String| Proposal {
        case_id: case.case_id.clone(),
        kind: DecisionKind::Stop,
        amount: Fen(0),
        previous,
        reason: reason.into(),
        derivation: why,
        basis: None,
        policy_values: String::new(),
        gradual_exit_until: None,
        urgent: false,
    };
    // Confirmed exclude hits: a death removes the person; any other (payroll, blacklist, other schemes) stops.
    let (excluded, dead) = confirmed_exclusions(st, policy, case);
    if let Some(why) = excluded {
        return Ok(Some(stop("confirmed_exclude_hit", format!("{why}；停发"))));
    }
    if !dead.is_empty() && members.iter().all(|m| dead.contains(m.id_number.as_str())) {
        return Ok(Some(stop("death", "信息比对确认: 家庭成员均已死亡；停发".into())));
    }
    if dead.contains(case.applicant_id_number.as_str()) {
        // The benefit is paid to the head: never into a dead person's account. The others apply again.
        return Ok(Some(stop(
            "death",
            format!(
                "信息比对确认: 户主 {} 已死亡；停发, 其他家庭成员可另行申请",
                case.applicant_name
            ),
        )));
    }
    // 特困 minors are supported to 18 (未成年人保障至18周岁): one who came in as a minor and is now an adult, able
    // to work and not in school, leaves the scheme.
    if scheme.kind == SchemeKind::Tekun {
        let adult = policy.benefits.tekun.minor_age;
        let grown: Vec<&&Member> = members
            .iter()
            .filter(|m| !dead.contains(m.id_number.as_str()))
            .filter(|m| m.id_number.age_on(case.applied_on) < adult && m.id_number.age_on(period.first_day()) >= adult)
            .collect();
        let all_grown = !grown.is_empty()
            && members.iter().filter(|m| !dead.contains(m.id_number.as_str())).count() == grown.len()
            && grown
                .iter()
                .all(|m| !m.in_school && m.work_ability == WorkAbility::Full);
        if all_grown {
            let names: Vec<&str> = grown.iter().map(|m| m.name.as_str()).collect();
            return Ok(Some(stop(
                "minor_reached_adulthood",
                format!(
                    "{} 已满 {adult} 周岁, 有劳动能力且不在校；特困供养停发",
                    names.join("、")
                ),
            )));
        }
    }
    let (computed, basis) = compute(policy, case, members, period.first_day(), &dead)?;
    // What changed since the decision in force, read from the two bases: members, then the standard, then income.
    let before = Basis::parse(&current.basis);
    let reason_for = |amount: Fen| -> String {
        let counted_before = before.map(|b| b.members);
        if !dead.is_empty() && counted_before != Some(members.len() - dead.len()) {
            "death".into()
        } else if counted_before != Some(basis.members) {
            "member_change".into()
        } else if before.is_some_and(|b| b.standard_differs(&basis)) {
            "standard_change".into()
        } else if amount < previous {
            "income_up".into()
        } else {
            "income_down".into()
        }
    };
    match computed {
        Computed::Pay { amount, derivation, .. } => {
            if amount == previous && current.kind != DecisionKind::GradualExit {
                return Ok(None);
            }
            let kind = if amount >= previous {
                DecisionKind::Increase
            } else {
                DecisionKind::Decrease
            };
            Ok(Some(Proposal {
                case_id: case.case_id.clone(),
                kind,
                amount,
                previous,
                reason: reason_for(amount),
                derivation: derivation.text(),
                basis: Some(basis),
                policy_values: derivation.policy_values.join("; "),
                gradual_exit_until: None,
                urgent: false,
            }))
        }
        Computed::Ineligible {
            reason_code,
            reason,
            derivation,
        } => {
            if current.kind == DecisionKind::GradualExit {
                if let Some(until) = current
                    .gradual_exit_until
                    .filter(|_| decision::gradual_exit_over(current, period))
                {
                    return Ok(Some(stop(
                        "gradual_exit_ended",
                        format!("渐退期至 {until} 结束；{reason}；停发"),
                    )));
                }
                return Ok(None);
            }
            let months = policy.benefits.gradual_exit_months;
            if reason_code == "income_above_standard" && months > 0 {
                let until = decision::gradual_exit_until(period, months);
                return Ok(Some(Proposal {
                    case_id: case.case_id.clone(),
                    kind: DecisionKind::GradualExit,
                    amount: previous,
                    previous,
                    reason: "income_up".into(),
                    derivation: format!(
                        "{reason}；{}；渐退 {months} 个月, 按原金额 {previous} 发放至 {until}",
                        derivation.text()
                    ),
                    basis: Some(basis),
                    policy_values: format!(
                        "{}; benefits.gradual_exit_months={months}",
                        derivation.policy_values.join("; ")
                    ),
                    gradual_exit_until: Some(until),
                    urgent: false,
                }));
            }
            Ok(Some(stop(
                reason_code,
                format!("{reason}；{}；停发", derivation.text()),
            )))
        }
    }
}

/// Approved decisions whose every posting is over (as_of after its end) and not objected to take effect.
fn make_effective(st: &mut State, policy: &Policy, as_of: NaiveDate) -> usize {
    let mut notices_of: HashMap<&str, Vec<&Notice>> = HashMap::default();
    for x in &st.notices {
        notices_of.entry(x.decision_id.as_str()).or_default().push(x);
    }
    // First decide what takes effect (reading only), then apply it.
    let mut due: Vec<(usize, Period, CaseStatus)> = Vec::new();
    for (i, d) in st
        .decisions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.status == DecisionStatus::Approved)
    {
        let notices = notices_of.get(d.decision_id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        if notices.is_empty() || notices.iter().any(|x| x.status == "objection_upheld" || x.end >= as_of) {
            continue;
        }
        let approved_month = d.decided_on.map(Period::of).unwrap_or(d.period);
        let from = match (d.kind, policy.decision.effective_from) {
            (DecisionKind::New, EffectiveFrom::ApplicationMonth) => st
                .case(&d.case_id)
                .map(|c| Period::of(c.applied_on))
                .unwrap_or(approved_month),
            (_, EffectiveFrom::NextMonth) => approved_month.next(),
            _ => approved_month,
        };
        let to = match d.kind {
            DecisionKind::Stop => CaseStatus::Stopped,
            DecisionKind::Reject => CaseStatus::Rejected,
            _ => CaseStatus::Effective,
        };
        due.push((i, from, to));
    }
    for (i, from, to) in &due {
        let case_id = st.decisions[*i].case_id.clone();
        for &j in st.decisions_of.get(&case_id).into_iter().flatten() {
            if j != *i && st.decisions[j].status == DecisionStatus::Effective {
                st.decisions[j].status = DecisionStatus::Superseded;
            }
        }
        let d = &mut st.decisions[*i];
        d.status = DecisionStatus::Effective;
        d.effective_from = Some(*from);
        let detail = format!("{} effective from {from}", d.kind.label_zh());
        set_status(st, &case_id, *to, &detail);
    }
    due.len()
}

/// Moves a case to a status, journalling the change.
fn set_status(st: &mut State, case_id: &str, to: CaseStatus, detail: &str) {
    let Some(&i) = st.case_pos.get(case_id) else {
        return;
    };
    let case = &mut st.cases[i];
    if case.status == to {
        return;
    }
    let from = case.status;
    case.status = to;
    st.chain.append([NewEvent {
        step: "decide".into(),
        case_id: case_id.to_string(),
        from_status: from.as_str().into(),
        to_status: to.as_str().into(),
        detail: detail.to_string(),
        inputs: String::new(),
    }]);
}

/// Sets `batch` on every proposed decision to the ID of the proposal list; None when nothing is proposed.
/// Whether a decision belongs on the review-meeting worksheet: a proposal, or an urgent decision (先行救助) that was
/// paid first and still waits for its back-filled approval (后置审批).
fn on_worksheet(d: &Decision) -> bool {
    d.status == DecisionStatus::Proposed || awaiting_backfill(d)
}

fn awaiting_backfill(d: &Decision) -> bool {
    d.urgent && d.status == DecisionStatus::Effective && d.meeting.is_empty()
}

fn assign_batch(decisions: &mut [Decision]) -> Option<String> {
    let mut ids: Vec<(String, String)> = decisions
        .iter()
        .filter(|d| on_worksheet(d))
        .map(|d| (d.decision_id.clone(), format!("{}|{}", d.amount, d.derivation)))
        .collect();
    if ids.is_empty() {
        return None;
    }
    ids.sort();
    let joined: Vec<String> = ids.into_iter().map(|(a, b)| format!("{a}|{b}")).collect();
    let batch = sha256_hex(joined.join("\n").as_bytes())[..8].to_uppercase();
    for d in decisions.iter_mut().filter(|d| on_worksheet(d)) {
        d.batch = batch.clone();
    }
    Some(batch)
}

const AGREE: &str = "同意";
const DISAGREE: &str = "不同意";
const DEFER: &str = "暂缓";

fn scheme_label<'a>(policy: &'a Policy, key: &'a str) -> &'a str {
    policy.schemes.get(key).map(|s| s.label.as_str()).unwrap_or(key)
}

fn registry_label<'a>(policy: &'a Policy, key: &'a str) -> &'a str {
    policy.registries.get(key).map(|r| r.label.as_str()).unwrap_or(key)
}

use crate::cmd::compare::row_at;

/// The review-meeting worksheet's headers, with the bilingual ones of the worksheets written before
/// (`决定编号 decision`), which are still read back.
const H_DECISION: [&str; 2] = ["决定编号", "决定编号 decision"];
const H_CASE: [&str; 2] = ["案件编号", "案件编号 case"];
const H_VERDICT: [&str; 2] = ["评议结果", "评议结果 verdict"];
const H_NOTE: [&str; 2] = ["说明", "说明 note"];

/// A decision's reason code as a clerk reads it.
pub fn reason_zh(code: &str) -> &str {
    match code {
        "new_application" => "新申请",
        "single_person_household" => "单人户纳入",
        "income_above_standard" => "收入高于标准",
        "failed_checks" => "审核不符合",
        "income_up" => "收入增加",
        "income_down" => "收入减少",
        "death" => "家庭成员死亡",
        "member_change" => "家庭成员变化",
        "standard_change" => "保障标准调整",
        "confirmed_exclude_hit" => "信息比对确认不符合",
        "gradual_exit_ended" => "渐退期满",
        "no_members" => "无家庭成员",
        "amount_overflow" => "金额超出范围",
        "months_missing" => "未填救助月数",
        "months_out_of_range" => "救助月数超出范围",
        other => other,
    }
}

/// The review-meeting worksheet: proposals with their derivations, a drop-down verdict and a note.
fn review_workbook(cases: &[Case], decisions: &[Decision], policy: &Policy, batch: &str) -> Result<Vec<u8>> {
    let cases: HashMap<&str, &Case> = cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let mut proposed: Vec<&Decision> = decisions.iter().filter(|d| on_worksheet(d)).collect();
    // By township, village and case: the order the meeting goes through them.
    proposed.sort_by_cached_key(|&d| {
        let place = cases
            .get(d.case_id.as_str())
            .map(|c| (c.township.as_str(), c.village.as_str()));
        (place, d.case_id.as_str())
    });
    // Built on both cores: the workbook is the last of decide's work, the ledgers written beside it long done.
    let rows = proposed
        .par_iter()
        .map(|d| {
            let c = cases.get(d.case_id.as_str());
            vec![
                Value::from(d.decision_id.as_str()),
                Value::from(d.case_id.as_str()),
                Value::from(c.map(|c| c.applicant_name.0.as_str()).unwrap_or("")),
                Value::from(c.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default()),
                Value::Count(c.map(|c| c.household_size as i64).unwrap_or(0)),
                Value::from(c.map(|c| scheme_label(policy, &c.scheme)).unwrap_or("")),
                Value::from(if awaiting_backfill(d) {
                    format!("{} (先行救助, 补审批)", d.kind.label_zh())
                } else {
                    d.kind.label_zh().to_string()
                }),
                Value::Money(d.previous_amount),
                Value::Money(d.amount),
                Value::Money(d.delta_amount),
                Value::from(d.derivation.as_str()),
                Value::Empty,
                Value::Empty,
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "评议".into(),
        title: Some("民主评议/审批会: 逐户填写评议结果 (同意 / 不同意 / 暂缓) 和说明; 其他列已锁定".into()),
        columns: vec![
            Column::new(H_DECISION[0], Kind::Code),
            Column::new(H_CASE[0], Kind::Code),
            Column::new("户主", Kind::Text),
            Column::new("乡镇村", Kind::Text),
            Column::new("人数", Kind::Count),
            Column::new("救助类别", Kind::Text),
            Column::new("决定类型", Kind::Text),
            Column::new("原金额", Kind::Money),
            Column::new("新金额", Kind::Money),
            Column::new("变化", Kind::Money),
            // Wrapped in its cell, so the verdict and the note stay on the page's width.
            Column {
                width: 40,
                ..Column::new("计算过程", Kind::Text)
            },
            Column {
                width: 12,
                ..Column::answer(
                    H_VERDICT[0],
                    Input::Choice(vec![AGREE.into(), DISAGREE.into(), DEFER.into()]),
                )
            },
            Column {
                width: 24,
                ..Column::answer(H_NOTE[0], Input::Free)
            },
        ],
        rows,
        batch: Some(batch.to_string()),
        // At the table, on the meeting's paper: landscape, and every page signed by the panel.
        print: writer::Print {
            landscape: true,
            heading: Some(format!("{} 民主评议/审批会评议表", policy.region.name)),
            footer_left: Some("评议小组成员签字: ______________________________    日期: ______年____月____日".into()),
            ..Default::default()
        },
    }])
}

struct Verdict {
    row: writer::RowAt,
    decision_id: String,
    case_id: String,
    verdict: Option<DecisionStatus>,
    note: String,
}

fn read_verdicts(shown: &str, bytes: &[u8]) -> Result<(String, Vec<Verdict>)> {
    let wb = reader::read_worksheet_bytes(shown, bytes, Encoding::Detect)?;
    let what = tr("review-meeting worksheet", "评议表");
    let sheet = writer::returned(shown, &wb, &what, &H_DECISION)?;
    let col = |labels: &[&str]| sheet.column(shown, labels);
    let (c_id, c_case, c_verdict, c_note) = (col(&H_DECISION)?, col(&H_CASE)?, col(&H_VERDICT)?, col(&H_NOTE)?);
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (at, row) in &sheet.rows {
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let cell = |c: usize| {
            row.get(c)
                .map(|x| text::unneutralise(&x.text).to_string())
                .unwrap_or_default()
        };
        let v = cell(c_verdict);
        let verdict = match v.as_str() {
            "" => None,
            AGREE | "approve" | "approved" => Some(DecisionStatus::Approved),
            DISAGREE | "reject" | "rejected" => Some(DecisionStatus::Rejected),
            DEFER | "defer" | "deferred" => Some(DecisionStatus::Deferred),
            other => {
                bad.push(tr(
                    format!(
                        "{}: 评议结果 `{}` is not one of {AGREE}, {DISAGREE}, {DEFER}",
                        row_at(at),
                        crate::domain::text::excerpt(other)
                    ),
                    format!(
                        "{}: 评议结果 `{}` 不是 {AGREE}、{DISAGREE}、{DEFER} 之一",
                        row_at(at),
                        crate::domain::text::excerpt(other)
                    ),
                ));
                None
            }
        };
        out.push(Verdict {
            row: at.clone(),
            decision_id: cell(c_id),
            case_id: cell(c_case),
            verdict,
            note: cell(c_note),
        });
    }
    if !bad.is_empty() {
        let bad = bad.join("\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {bad}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {bad}")
        ));
    }
    Ok((sheet.batch, out))
}

fn record(
    ws: &Workspace,
    args: &Request,
    file: &Path,
    meeting: &str,
    date: NaiveDate,
    attendees: Option<&str>,
) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let (batch, verdicts) = read_verdicts(&shown, &bytes)?;
    if meeting.trim().is_empty() {
        bail!(tr(
            "--meeting names the meeting and its minutes (e.g. \"城关镇2026年第11次审批会 纪要第23号\")",
            "--meeting 请写明会议名称和纪要编号 (如 \"城关镇2026年第11次审批会 纪要第23号\")"
        ));
    }
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    st.publish_unknown_reason = args.publish_unknown_reason.iter().cloned().collect();
    let index: BTreeMap<String, usize> = st
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.decision_id.clone(), i))
        .collect();
    // The worksheet's batch already recorded (a run killed after its commit point, run again; or the same sheet
    // twice): said as such, not as proposals that are no longer proposals.
    let pending = |v: &Verdict| {
        index
            .get(&v.decision_id)
            .is_some_and(|&i| on_worksheet(&st.decisions[i]) && st.decisions[i].batch == batch)
    };
    if let Some(m) = st.meetings.iter().find(|m| m.batch == batch) {
        if !verdicts.iter().any(pending) {
            if m.meeting.0 == meeting && m.date == date && !args.publish_unknown_reason.is_empty() {
                return publish_withheld(ws, args, st, lock, &shown, date);
            }
            if m.meeting.0 == meeting && m.date == date {
                if !args.quiet {
                    crate::outln!(
                        "{}",
                        tr(
                            format!(
                                "decide --record {shown}: already recorded (meeting {meeting} on {date}, batch \
                                 {batch}); nothing to do"
                            ),
                            format!("decide --record {shown}: 已记录过 ({date} {meeting}, 批次 {batch}); 无需再做"),
                        )
                    );
                }
                return Ok(Outcome::Done);
            }
            bail!(
                "{}",
                tr(
                    format!(
                        "{shown}: batch {batch} was already recorded at meeting {} on {}; nothing recorded",
                        m.meeting.as_str(),
                        m.date
                    ),
                    format!(
                        "{shown}: 批次 {batch} 已在 {} {} 记录过; 未做任何记录",
                        m.date,
                        m.meeting.as_str()
                    ),
                )
            );
        }
    }
    let mut problems = Vec::new();
    for v in &verdicts {
        let Some(&i) = index.get(&v.decision_id) else {
            problems.push(tr(
                format!(
                    "{}: decision {} is not in ledgers/decisions.csv",
                    row_at(&v.row),
                    v.decision_id
                ),
                format!(
                    "{}: 决定 {} 不在 ledgers/decisions.csv 中",
                    row_at(&v.row),
                    v.decision_id
                ),
            ));
            continue;
        };
        let d = &st.decisions[i];
        if d.case_id != v.case_id {
            problems.push(tr(
                format!("{}: the case of decision {} was changed", row_at(&v.row), v.decision_id),
                format!("{}: 决定 {} 的案件编号被改动", row_at(&v.row), v.decision_id),
            ));
        }
        if !on_worksheet(d) || d.batch != batch {
            problems.push(tr(
                format!(
                    "{}: decision {} is not a proposal of this worksheet's batch {batch} (it is {:?}, batch {})",
                    row_at(&v.row),
                    v.decision_id,
                    d.status,
                    d.batch
                ),
                format!(
                    "{}: 决定 {} 不是本评议表批次 {batch} 的提议 (其状态为{}, 批次 {})",
                    row_at(&v.row),
                    v.decision_id,
                    d.status.label_zh(),
                    if d.batch.is_empty() { "无" } else { &d.batch }
                ),
            ));
        }
    }
    if verdicts.is_empty() {
        problems.push(tr("the worksheet has no proposals", "评议表中没有提议"));
    }
    if !problems.is_empty() {
        let problems = problems.into_iter().take(20).collect::<Vec<_>>().join("\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {problems}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {problems}")
        ));
    }
    let decided_rows = verdicts
        .iter()
        .filter(|v| v.verdict.is_some())
        .filter_map(|v| index.get(&v.decision_id).map(|&i| (row_at(&v.row), &st.decisions[i])));
    refuse_meeting_before_proposals(ws, &st, decided_rows, &shown, date)?;
    let decided: Vec<(String, DecisionStatus, String)> = verdicts
        .iter()
        .filter_map(|v| v.verdict.map(|s| (v.decision_id.clone(), s, v.note.clone())))
        .collect();
    let counted = apply_verdicts(&mut st, &ws.policy, &decided, meeting, date);
    let Verdicts {
        approved,
        refusals_agreed,
        rejected,
        deferred,
    } = counted;
    st.meetings.retain(|m| !(m.date == date && m.meeting.0 == meeting));
    st.meetings.push(Meeting {
        meeting: Text(meeting.to_string()),
        date,
        attendees: Text(attendees.unwrap_or_default().to_string()),
        batch: batch.clone(),
        approved: counted.agreed(),
        rejected,
        deferred,
    });
    // What the meeting left waiting: the batch's proposals that got no verdict, on a row left blank or not on the
    // sheet at all (rows deleted from the worksheet). They stay proposed and need a person, so they are named.
    let given: HashSet<&str> = decided.iter().map(|(id, _, _)| id.as_str()).collect();
    let on_sheet: HashSet<&str> = verdicts.iter().map(|v| v.decision_id.as_str()).collect();
    let waiting: Vec<&Decision> = st
        .decisions
        .iter()
        .filter(|d| on_worksheet(d) && d.batch == batch && !given.contains(d.decision_id.as_str()))
        .collect();
    let pending = waiting.len() as u32;
    let mut out = tr(
        format!(
            "{}decide --record {shown}: {meeting} on {date}: {approved} approved, {refusals_agreed} refusals agreed, \
             {rejected} not approved, {deferred} deferred, {pending} without a verdict",
            if args.dry_run { "dry run: " } else { "" }
        ),
        format!(
            "{}decide --record {shown}: {meeting}（{date}）: 同意 {approved} 件, 同意不予批准 {refusals_agreed} 件, \
             不同意 {rejected} 件, 暂缓 {deferred} 件, 未填评议结果 {pending} 件",
            if args.dry_run { "试运行: " } else { "" }
        ),
    );
    let notice_rel = PathBuf::from("reports").join(format!("notice-{}.xlsx", Period::of(date)));
    out.push_str(&if args.dry_run {
        tr(
            format!("\n  public notice would be {}", notice_rel.display()),
            format!("\n  公示表将写到 {} (试运行, 未写入)", notice_rel.display()),
        )
    } else {
        tr(
            format!("\n  public notice: {}", notice_rel.display()),
            format!("\n  公示表: {}", notice_rel.display()),
        )
    });
    out.push_str(&still_waiting(ws, &waiting, &on_sheet, &batch));
    out.push_str(&withheld_note(&st));
    // Refusals under the 低保边缘 line enter the monitored low-income population (低收入人口动态监测).
    let mut monitored = ledger::read::<crate::ledger::Monitored>(ws)?;
    let enrolled = crate::cmd::monitor::enrol_refused(&ws.policy, &st.cases, &st.decisions, &mut monitored);
    if !enrolled.is_empty() {
        let n = enrolled.len();
        out.push_str(&tr(
            format!("\n  {n} refused households enter the monitored low-income population (ledgers/monitored.csv)"),
            format!("\n  {n} 户不予批准的家庭纳入低收入人口动态监测 (ledgers/monitored.csv)"),
        ));
    }
    if crate::ui::json() {
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("meeting", meeting.to_string());
        crate::ui::record("date", date.to_string());
        crate::ui::record("batch", batch.clone());
        crate::ui::record(
            "verdicts",
            serde_json::json!({
                "approved": approved,
                "refusals_agreed": refusals_agreed,
                "rejected": rejected,
                "deferred": deferred,
                "without_verdict": pending,
            }),
        );
        let ids: Vec<&str> = waiting.iter().map(|d| d.decision_id.as_str()).collect();
        crate::ui::record("without_verdict", ids);
        crate::ui::record("withheld_from_notice", st.withheld.len());
        crate::ui::record("notice", notice_rel.display().to_string());
    }
    let outcome = if pending > 0 || deferred > 0 || !st.withheld.is_empty() {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!(
            "meeting {meeting} {date}: {approved} approved, {refusals_agreed} refusals agreed, {rejected} rejected, \
             {deferred} deferred"
        ),
        inputs: format!(
            "{}={};{POLICY_FILE}={}",
            file.file_name().and_then(|n| n.to_str()).unwrap_or("worksheet"),
            sha256_hex(&bytes),
            ws.policy_sha256()?
        ),
        ..NewEvent::default()
    }]);
    st.chain.append(enrolled.into_iter().map(|(case_id, detail)| NewEvent {
        step: "decide".into(),
        case_id,
        detail,
        ..NewEvent::default()
    }));
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    if !monitored.is_empty() {
        txn.put(
            ledger::path_of::<crate::ledger::Monitored>(),
            ledger::to_bytes(&monitored)?,
        );
    }
    txn.put(&notice_rel, notice_workbook(&st, &ws.policy, Period::of(date))?);
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// The earliest day a meeting can decide a proposal, and why: not before its period begins, nor before the
/// application was received, nor — for a new award — before the household's signed village home visit (逢进必查:
/// the proposal rests on it, and audit's J210 holds every approval to a visit on or before its meeting). An urgent
/// award (先行救助) is paid before the visit and approved after, so only its period and application bound it.
fn earliest_meeting(d: &Decision, case: Option<&Case>, first_visit: Option<NaiveDate>) -> Option<(NaiveDate, String)> {
    let mut bounds: Vec<(NaiveDate, String)> = Vec::new();
    {
        let p = d.period;
        bounds.push((
            p.first_day(),
            tr(
                format!("its period {p} begins {}", p.first_day()),
                format!("其所属月份 {p} 始于 {}", p.first_day()),
            ),
        ));
    }
    if let Some(c) = case {
        bounds.push((
            c.applied_on,
            tr(
                format!("the application was received {}", c.applied_on),
                format!("申请受理于 {}", c.applied_on),
            ),
        ));
    }
    if let Some(v) = first_visit.filter(|_| d.kind == DecisionKind::New && !d.urgent) {
        bounds.push((
            v,
            tr(
                format!("the household's village home visit (入户调查) was {v}"),
                format!("入户调查于 {v}"),
            ),
        ));
    }
    bounds.into_iter().max_by_key(|(day, _)| *day)
}

/// Refuses a meeting dated before the proposals it decides (see [`earliest_meeting`]): `--date 2020-01-01` for the
/// proposals of 2026-11 would record approvals that preceded their own facts, and audit would report each (J210).
/// `decided` gives each decision with where it was named (a worksheet row, or `case …` for `--undisputed`). Exit 2,
/// nothing recorded, every such decision named with why and the date the meeting needs.
fn refuse_meeting_before_proposals<'d>(
    ws: &Workspace,
    st: &State,
    decided: impl Iterator<Item = (String, &'d Decision)>,
    shown: &str,
    date: NaiveDate,
) -> Result<()> {
    let min = ws.policy.verification.min_investigators;
    let mut first_visit: HashMap<String, NaiveDate> = HashMap::default();
    for v in ledger::read::<Visit>(ws)?
        .into_iter()
        .filter(|v| v.counts_at(VisitLevel::Village, min))
    {
        let day = first_visit.entry(v.case_id).or_insert(v.visited_on);
        *day = (*day).min(v.visited_on);
    }
    let mut early = Vec::new();
    let mut needed = date;
    for (at, d) in decided {
        let visit = first_visit.get(d.case_id.as_str()).copied();
        if let Some((day, why)) = earliest_meeting(d, st.case(&d.case_id), visit).filter(|(day, _)| *day > date) {
            needed = needed.max(day);
            early.push(tr(
                format!("{at}: decision {} (case {}): {why}", d.decision_id, d.case_id),
                format!("{at}: 决定 {} (案件 {}): {why}", d.decision_id, d.case_id),
            ));
        }
    }
    if early.is_empty() {
        return Ok(());
    }
    let n = early.len();
    let list = crate::ui::first_of(&early, 20, "\n  ");
    bail!(
        "{}",
        tr(
            format!(
                "{shown} refused, nothing recorded: the date {date} is before {n} of the proposals it decides:\n  \
                 {list}\nCheck --date: a meeting that decides them all was held on or after {needed}."
            ),
            format!(
                "{shown} 未被接受, 未做任何记录: 日期 {date} 早于其评议的 {n} 件提议:\n  {list}\n请核对 --date: \
                 能评议全部这些提议的会议应在 {needed} 或之后召开。"
            ),
        )
    );
}

/// The lines naming what a meeting left waiting (see `record`): the proposals not on the worksheet (rows removed)
/// and those on it without a verdict, the first 20 of each, and how to bring them to a meeting.
fn still_waiting(ws: &Workspace, waiting: &[&Decision], on_sheet: &HashSet<&str>, batch: &str) -> String {
    if waiting.is_empty() {
        return String::new();
    }
    let named = |ds: &[&&Decision]| -> String {
        let ids: Vec<String> = ds
            .iter()
            .map(|d| format!("{} ({})", d.decision_id, d.case_id))
            .collect();
        crate::ui::first_of(&ids, 20, ", ")
    };
    let (blank, removed): (Vec<&&Decision>, Vec<&&Decision>) =
        waiting.iter().partition(|d| on_sheet.contains(d.decision_id.as_str()));
    let mut out = String::new();
    if !removed.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} proposals of batch {batch} are not on the worksheet (rows removed?) and stay proposed: {}",
                removed.len(),
                named(&removed)
            ),
            format!(
                "\n  批次 {batch} 中 {} 件提议不在评议表上 (行被删除?), 仍为待评议: {}",
                removed.len(),
                named(&removed)
            ),
        ));
    }
    if !blank.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} on the worksheet without a verdict stay proposed: {}",
                blank.len(),
                named(&blank)
            ),
            format!("\n  {} 行未填评议结果, 仍为待评议: {}", blank.len(), named(&blank)),
        ));
    }
    // `decide --period` lists every proposal still waiting (and urgent awards still to be back-filled) on a new
    // worksheet of its own batch.
    let period = waiting
        .iter()
        .map(|d| d.period)
        .max()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let jiuzhu = ws.jiuzhu();
    out.push_str(&tr(
        format!(
            "\n  next: `{jiuzhu} decide --period {period}` writes a worksheet of the proposals still waiting, for the \
             meeting that decides them"
        ),
        format!("\n  下一步: `{jiuzhu} decide --period {period}` 生成仍待评议提议的评议表, 交评议会议评议"),
    ));
    out
}

/// Applies verdicts: approvals are posted for notice (or take effect at once for refusals); returns counts.
/// How a meeting's verdicts went. A 同意 to a proposed 不予批准 is the meeting agreeing to refuse: counted apart
/// from the awards it approved, so a summary never calls a refusal an approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Verdicts {
    /// 同意 to a proposal that pays or changes an amount (or a back-filled urgent payment).
    approved: u32,
    /// 同意 to a proposed 不予批准: the refusal stands.
    refusals_agreed: u32,
    /// 不同意: the proposal is not approved.
    rejected: u32,
    deferred: u32,
}

impl Verdicts {
    /// Every verdict 同意, as `meetings.csv` counts them.
    fn agreed(&self) -> u32 {
        self.approved + self.refusals_agreed
    }
}

fn apply_verdicts(
    st: &mut State,
    policy: &Policy,
    decided: &[(String, DecisionStatus, String)],
    meeting: &str,
    date: NaiveDate,
) -> Verdicts {
    let mut v = Verdicts::default();
    // Decisions found by ID, and the earlier notices of the decisions this meeting posts removed in one pass (a
    // meeting can approve every case of a county: a scan per verdict is quadratic). Decisions are not added here.
    let pos: HashMap<String, usize> = st
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.decision_id.clone(), i))
        .collect();
    let posts = |d: &Decision, verdict: &DecisionStatus| {
        *verdict == DecisionStatus::Approved && !awaiting_backfill(d) && d.kind != DecisionKind::Reject && !d.urgent
    };
    let reposted: HashSet<&str> = decided
        .iter()
        .filter(|(id, verdict, _)| pos.get(id).is_some_and(|&i| posts(&st.decisions[i], verdict)))
        .map(|(id, _, _)| id.as_str())
        .collect();
    st.notices.retain(|n| !reposted.contains(n.decision_id.as_str()));
    let mut posted: HashSet<String> = HashSet::default();
    for (id, verdict, note) in decided {
        let Some(&i) = pos.get(id) else {
            continue;
        };
        let d = &mut st.decisions[i];
        let backfill = awaiting_backfill(d);
        d.meeting = Text(if note.is_empty() {
            meeting.to_string()
        } else {
            format!("{meeting}: {note}")
        });
        d.decided_on = Some(date);
        if backfill {
            // 后置审批 of an urgent payment: approval keeps it in force; a refusal is recorded (the money was paid
            // in the emergency; audit and the dossier keep the trail); deferral leaves it waiting.
            match verdict {
                DecisionStatus::Approved => v.approved += 1,
                DecisionStatus::Rejected => {
                    d.status = DecisionStatus::Rejected;
                    let case_id = d.case_id.clone();
                    set_status(
                        st,
                        &case_id,
                        CaseStatus::Rejected,
                        &format!("先行救助未获补批 ({meeting})"),
                    );
                    v.rejected += 1;
                }
                _ => {
                    d.meeting = Text::default();
                    d.decided_on = None;
                    v.deferred += 1;
                }
            }
            continue;
        }
        d.status = *verdict;
        let d = d.clone();
        match verdict {
            DecisionStatus::Approved => {
                if d.kind == DecisionKind::Reject {
                    v.refusals_agreed += 1;
                    // A refusal is not posted; it takes effect at once and the applicant is told in writing.
                    let x = &mut st.decisions[i];
                    x.status = DecisionStatus::Effective;
                    x.effective_from = Some(Period::of(date));
                    set_status(st, &d.case_id, CaseStatus::Rejected, &format!("不予批准 ({meeting})"));
                } else if d.urgent {
                    // 先行救助: already effective; the meeting back-fills the approval.
                    v.approved += 1;
                } else {
                    v.approved += 1;
                    if !posted.insert(d.decision_id.clone()) {
                        // The same decision twice on the sheet: the later verdict's notices replace the earlier's.
                        st.notices.retain(|n| n.decision_id != d.decision_id);
                    }
                    post_notices(st, policy, &d, date);
                    set_status(
                        st,
                        &d.case_id,
                        CaseStatus::Approved,
                        &format!("{} approved ({meeting})", d.kind.label_zh()),
                    );
                }
            }
            DecisionStatus::Rejected => v.rejected += 1,
            _ => v.deferred += 1,
        }
    }
    v
}

/// Whether a case must never appear on a public list: marked 不公示 in the register, or a hardship reason among
/// the policy's `private_reasons` (e.g. 艾滋病).
fn is_private(policy: &Policy, case: &Case) -> bool {
    case.private
        || policy
            .decision
            .private_reasons
            .iter()
            .any(|r| !r.is_empty() && case.hardship_reason.contains(r.as_str()))
}

/// Whether a case's hardship reason is unknown (blank, and not marked 不公示): it cannot be told whether it is
/// protected, so it is not posted without the clerk's confirmation (`--publish-unknown-reason CASE`).
fn reason_unknown(case: &Case) -> bool {
    !case.private && case.hardship_reason.trim().is_empty()
}

/// `decide --record FILE … --publish-unknown-reason CASE…` for a meeting already recorded: the clerk has checked
/// the named cases, kept off the notice because their hardship reason was unknown, and they are posted now (their
/// withheld notices replaced by the policy's postings from the meeting's date).
fn publish_withheld(
    ws: &Workspace,
    args: &Request,
    mut st: State,
    lock: Option<crate::workspace::Lock>,
    shown: &str,
    date: NaiveDate,
) -> Result<Outcome> {
    let mut posted = Vec::new();
    for case_id in &args.publish_unknown_reason {
        let Some(case) = st.case(case_id) else {
            bail!("{}", tr(format!("no case {case_id}"), format!("没有案件 {case_id}")));
        };
        if is_private(&ws.policy, case) {
            bail!(
                "{}",
                tr(
                    format!("case {case_id} is protected (不公示 or its hardship reason) and is never posted"),
                    format!("案件 {case_id} 属于不得公示的情形 (标明不公示或致困原因所致), 不能公示"),
                )
            );
        }
        let withheld: Vec<Decision> = st
            .decisions
            .iter()
            .filter(|d| &d.case_id == case_id && d.status == DecisionStatus::Approved)
            .filter(|d| {
                st.notices
                    .iter()
                    .any(|n| n.decision_id == d.decision_id && n.level == "private")
            })
            .cloned()
            .collect();
        for d in withheld {
            st.notices.retain(|n| n.decision_id != d.decision_id);
            post_notices(&mut st, &ws.policy, &d, date);
            posted.push(case_id.clone());
        }
    }
    let ids = posted.join(" ");
    let out = tr(
        format!("decide --record {shown}: posted after the clerk's confirmation: {ids}"),
        format!("decide --record {shown}: 经办人确认后列入公示: {ids}"),
    );
    if posted.is_empty() || args.dry_run {
        crate::outln!(
            "{}",
            tr(
                format!("decide --record {shown}: none of the cases named was kept off the notice; nothing to do"),
                format!("decide --record {shown}: 所列案件都不在未公示之列; 无需再做"),
            )
        );
        return Ok(Outcome::Done);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!("posted after confirmation of an unknown hardship reason: {ids}"),
        inputs: format!("{POLICY_FILE}={}", ws.policy_sha256()?),
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    txn.put(
        PathBuf::from("reports").join(format!("notice-{}.xlsx", Period::of(date))),
        notice_workbook(&st, &ws.policy, Period::of(date))?,
    );
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

/// The cases this run kept off the public notice because their hardship reason is unknown, and what the clerk
/// does: empty when there are none.
fn withheld_note(st: &State) -> String {
    if st.withheld.is_empty() {
        return String::new();
    }
    let ids = st.withheld.join(" ");
    format!(
        "\n  {}",
        tr(
            format!(
                "kept off the public notice, hardship reason unknown (a protected case such as 艾滋病 cannot be told \
                 apart): {ids}; fill in the reason or mark the case 不公示, or, once a person has checked that it may \
                 be posted, run this command again with --publish-unknown-reason {ids}"
            ),
            format!(
                "致困原因不明, 未列入公示 (无法排除艾滋病等不得公示的情形): {ids}; 请补填致困原因或标明不公示; \
                 经核实可以公示的, 请加 --publish-unknown-reason {ids} 重新运行本命令"
            ),
        )
    )
}

/// Posts an approved decision: one notice per level, each starting the day after the previous ends. The caller
/// has removed the decision's earlier notices. A case whose hardship reason is unknown and that the clerk has not
/// confirmed is treated as protected (not posted) and listed in [`State::withheld`].
fn post_notices(st: &mut State, policy: &Policy, d: &Decision, date: NaiveDate) {
    let unknown = st
        .case(&d.case_id)
        .is_some_and(|c| !is_private(policy, c) && reason_unknown(c))
        && !st.publish_unknown_reason.contains(&d.case_id);
    if unknown {
        st.withheld.push(d.case_id.clone());
    }
    let private = unknown || st.case(&d.case_id).is_some_and(|c| is_private(policy, c));
    let days = policy.decision.notice_days as u64;
    let mut start = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let levels: Vec<String> = if private {
        vec!["private".to_string()]
    } else {
        policy.decision.notice_levels.clone()
    };
    for level in levels {
        // A protected case is not posted; its "notice" ends the day it starts, so the procedure can go on.
        let end = if level == "private" {
            start
        } else {
            start.checked_add_days(Days::new(days - 1)).unwrap_or(start)
        };
        st.notices.push(Notice {
            notice_id: format!("{}-{level}", d.decision_id),
            decision_id: d.decision_id.clone(),
            case_id: d.case_id.clone(),
            level,
            start,
            end,
            status: "posted".into(),
            objection: Text::default(),
        });
        start = end.checked_add_days(Days::new(1)).unwrap_or(end);
    }
}

/// The body that issues a notice (policy `print.notice_issuer`): the township's 人民政府 (a 街道's 办事处) or the
/// county's 民政局.
fn notice_issuer(policy: &Policy, township: &str) -> String {
    match policy.print.notice_issuer {
        crate::policy::NoticeIssuer::County => format!("{}民政局", policy.region.name),
        crate::policy::NoticeIssuer::Township if township.ends_with("街道") => format!("{township}办事处"),
        crate::policy::NoticeIssuer::Township => format!("{township}人民政府"),
    }
}

/// A date as a notice writes it: 2026年11月21日.
fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The public notice (公示), ready to post: one sheet per village, on one page up to 25 households — its title,
/// issuing body and period, the monthly and the one-off amounts under their own headings, where objections go
/// and the 监督电话, then the stamp line and the date. Only what the policy allows is shown.
fn notice_workbook(st: &State, policy: &Policy, month: Period) -> Result<Vec<u8>> {
    let cases: BTreeMap<&str, &Case> = st.cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let decisions: BTreeMap<&str, &Decision> = st.decisions.iter().map(|d| (d.decision_id.as_str(), d)).collect();
    type Posting<'a> = (&'a Notice, &'a Case, &'a Decision);
    let mut by_village: BTreeMap<(String, String), Vec<Posting>> = BTreeMap::new();
    for n in st
        .notices
        .iter()
        .filter(|n| n.level == "village" && Period::of(n.start) <= month.next() && Period::of(n.end) >= month)
    {
        let (Some(c), Some(d)) = (cases.get(n.case_id.as_str()), decisions.get(n.decision_id.as_str())) else {
            continue;
        };
        if is_private(policy, c) {
            continue;
        }
        by_village
            .entry((c.township.0.clone(), c.village.0.clone()))
            .or_default()
            .push((n, c, d));
    }
    let fields = &policy.decision.notice_fields;
    let mut sheets = Vec::new();
    for ((township, village), mut rows) in by_village {
        // Monthly amounts first, then the one-off 临时救助 under its own heading, each in case order.
        let one_off = |c: &Case| {
            policy
                .schemes
                .get(&c.scheme)
                .is_some_and(|s| s.kind == SchemeKind::Temporary)
        };
        rows.sort_by(|a, b| (one_off(a.1), &a.1.case_id).cmp(&(one_off(b.1), &b.1.case_id)));
        let (start, end) = (rows.iter().map(|r| r.0.start).min(), rows.iter().map(|r| r.0.end).max());
        let mut columns = vec![Column::new("序号", Kind::Count)];
        for f in fields {
            columns.push(match f.as_str() {
                "name" => Column::new("姓名", Kind::Text),
                "village" => Column::new("村(社区)", Kind::Text),
                "household_size" => Column::new("家庭人口", Kind::Count),
                "scheme" => Column::new("救助类别", Kind::Text),
                "amount" => Column::new("救助金额(元)", Kind::Money),
                _ => Column::new("身份证号", Kind::Code),
            });
        }
        columns.push(Column::new("变动", Kind::Text));
        let monthly = rows.iter().filter(|r| !one_off(r.1)).count();
        let body = rows
            .iter()
            .enumerate()
            .map(|(i, (_, c, d))| {
                // Numbered from 1 under each heading.
                let n = if i < monthly { i + 1 } else { i - monthly + 1 };
                let mut r = vec![Value::Count(n as i64)];
                for f in fields {
                    r.push(match f.as_str() {
                        "name" => Value::from(c.applicant_name.as_str()),
                        "village" => Value::from(format!("{township}{village}")),
                        "household_size" => Value::Count(c.household_size as i64),
                        "scheme" => Value::from(scheme_label(policy, &c.scheme)),
                        "amount" => Value::Money(d.amount),
                        _ => Value::from(c.applicant_id_number.masked()),
                    });
                }
                r.push(Value::from(d.kind.label_zh()));
                r
            })
            .collect();
        let mut headings = Vec::new();
        if monthly > 0 {
            headings.push((0, "一、按月救助 (救助金额为每月金额)".to_string()));
        }
        if monthly < rows.len() {
            let n = if monthly > 0 { "二" } else { "一" };
            headings.push((monthly, format!("{n}、临时救助 (救助金额为一次性发放金额)")));
        }
        let issuer = notice_issuer(policy, &township);
        let (from, to) = (
            start.map(date_zh).unwrap_or_default(),
            end.map(date_zh).unwrap_or_default(),
        );
        let title = format!("{}{township}{village}社会救助对象公示", policy.region.name);
        let hotline = match policy.print.hotline.trim() {
            "" => "____________".to_string(),
            h => h.to_string(),
        };
        sheets.push(SheetSpec {
            name: format!("{township}{village}"),
            title: None,
            columns,
            rows: body,
            batch: None,
            print: writer::Print {
                heading: Some(String::new()),
                above: vec![
                    Line::center(&title).bold(),
                    Line::left(format!(
                        "根据社会救助审核确认的有关规定, 经入户调查、信息比对和民主评议, 现将本村(社区)拟给予或变更社会\
                         救助的家庭予以公示。公示期: {from} 至 {to}。"
                    )),
                ],
                headings,
                below: vec![
                    Line::left(format!(
                        "公示期间, 对以上对象有异议的, 请向{issuer}或{}民政局反映 (实名反映的, 予以保密)。\
                         监督电话: {hotline}。",
                        policy.region.name
                    )),
                    Line::right(format!("{issuer} (盖章)")),
                    Line::right(start.map(date_zh).unwrap_or_default()),
                ],
                ..Default::default()
            },
        });
    }
    if sheets.is_empty() {
        sheets.push(SheetSpec {
            name: "公示".into(),
            title: Some(format!("{} 本期无公示对象", policy.region.name)),
            columns: vec![Column::new("说明", Kind::Text)],
            rows: Vec::new(),
            batch: None,
            print: Default::default(),
        });
    }
    writer::workbook_bytes(&sheets)
}

fn undisputed(ws: &Workspace, args: &Request, case_ids: &[String], date: NaiveDate) -> Result<Outcome> {
    if !ws.policy.decision.skip_appraisal_when_undisputed {
        bail!(tr(
            "the policy does not allow approving without a review meeting: set \
             `decision.skip_appraisal_when_undisputed: true` in jiuzhu.yaml only where local rules allow 无争议免评议",
            "政策文件不允许不经评议会议审批: 仅在当地规定允许无争议免评议时, 才在 jiuzhu.yaml 中设置 \
             `decision.skip_appraisal_when_undisputed: true`"
        ));
    }
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    st.publish_unknown_reason = args.publish_unknown_reason.iter().cloned().collect();
    let mut proposed = Vec::new();
    for c in case_ids {
        let d = st
            .decisions_of
            .get(c.as_str())
            .into_iter()
            .flatten()
            .map(|&i| &st.decisions[i])
            .find(|d| d.status == DecisionStatus::Proposed)
            .ok_or_else(|| {
                anyhow!(tr(
                    format!("case {c} has no proposed decision; run `jiuzhu decide --period P` first"),
                    format!("案件 {c} 没有待评议的提议; 请先运行 `jiuzhu decide --period P`")
                ))
            })?;
        proposed.push((tr(format!("case {c}"), format!("案件 {c}")), d));
    }
    refuse_meeting_before_proposals(ws, &st, proposed.iter().cloned(), "decide --undisputed", date)?;
    let decided: Vec<(String, DecisionStatus, String)> = proposed
        .into_iter()
        .map(|(_, d)| (d.decision_id.clone(), DecisionStatus::Approved, String::new()))
        .collect();
    let counted = apply_verdicts(&mut st, &ws.policy, &decided, "无争议免评议", date);
    let (approved, refusals) = (counted.approved, counted.refusals_agreed);
    let out = tr(
        format!("decide --undisputed: {approved} approved, {refusals} refusals agreed, without a meeting on {date}"),
        format!("decide --undisputed: 无争议免评议（{date}）: 同意 {approved} 件, 同意不予批准 {refusals} 件"),
    ) + &withheld_note(&st);
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        return Ok(Outcome::Done);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!("无争议免评议 {date}: {}", case_ids.join(", ")),
        inputs: format!("{POLICY_FILE}={}", ws.policy_sha256()?),
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    txn.put(
        PathBuf::from("reports").join(format!("notice-{}.xlsx", Period::of(date))),
        notice_workbook(&st, &ws.policy, Period::of(date))?,
    );
    ws.commit(&lock.expect("writing run holds the lock"), txn)?;
    let outcome = if st.withheld.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

fn objection(
    ws: &Workspace,
    args: &Request,
    case_id: &str,
    upheld: bool,
    note: &str,
    date: NaiveDate,
) -> Result<Outcome> {
    if note.trim().is_empty() {
        bail!(tr(
            "--note says what the objection was and how it was checked",
            "--note 请写明异议内容和核实情况"
        ));
    }
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    let d = st
        .decisions
        .iter()
        .find(|d| d.case_id == case_id && d.status == DecisionStatus::Approved)
        .cloned()
        .ok_or_else(|| {
            anyhow!(tr(
                format!("case {case_id} has no approved decision in public notice"),
                format!("案件 {case_id} 没有正在公示的已批准决定")
            ))
        })?;
    let status = if upheld {
        "objection_upheld"
    } else {
        "objection_dismissed"
    };
    let mut touched = 0;
    for n in st
        .notices
        .iter_mut()
        .filter(|n| n.decision_id == d.decision_id && n.start <= date)
    {
        n.status = status.into();
        n.objection = Text(format!("{date}: {note}"));
        touched += 1;
    }
    if touched == 0 {
        bail!(tr(
            format!("the notice of case {case_id} had not started on {date}"),
            format!("案件 {case_id} 的公示在 {date} 尚未开始")
        ));
    }
    if upheld {
        if let Some(x) = st.decisions.iter_mut().find(|x| x.decision_id == d.decision_id) {
            x.status = DecisionStatus::Rejected;
        }
        // Back to review: the objection is checked like any new fact.
        set_status(
            &mut st,
            case_id,
            CaseStatus::NeedsInfo,
            &format!("objection upheld {date}: {note}"),
        );
    }
    let out = if upheld {
        tr(
            format!("decide --objection {case_id}: upheld on {date}; the decision is withdrawn and the case goes back to review"),
            format!("decide --objection {case_id}: {date} 异议成立; 撤销该决定, 案件退回重新审核"),
        )
    } else {
        tr(
            format!("decide --objection {case_id}: dismissed on {date}; the notice runs on"),
            format!("decide --objection {case_id}: {date} 异议不成立; 公示继续"),
        )
    };
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        return Ok(Outcome::Done);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        case_id: case_id.to_string(),
        detail: format!("objection {status} {date}: {note}"),
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    ws.commit(&lock.expect("writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(if upheld { Outcome::NeedsAttention } else { Outcome::Done })
}

/// Which recipients a policy change moves, and by how many fen (read-only).
fn impact(ws: &Workspace, old_policy: &Path, period: Option<&str>) -> Result<Outcome> {
    let old = Policy::load(old_policy)?;
    let st = State::load(ws)?;
    let period = match period {
        Some(p) => Period::parse(p).map_err(|e| {
            anyhow!(tr(
                format!("--period {p}: {e}"),
                format!("--period {p}: 不是有效的月份 (请写成 2026-11 这样)")
            ))
        })?,
        None => st.decisions.iter().map(|d| d.period).max().ok_or_else(|| {
            anyhow!(tr(
                "no decisions yet: give --period P",
                "还没有任何决定: 请给出 --period 月份"
            ))
        })?,
    };
    let on = period.first_day();
    // Recipients in force make the monthly total; applications not yet in force are listed apart, and one-off
    // 临时救助 already paid is neither monthly nor moved by a policy change.
    let (mut in_force_lines, mut pending_lines) = (Vec::new(), Vec::new());
    let (mut total_old, mut total_new, mut one_offs_paid) = (Fen(0), Fen(0), 0);
    let none = BTreeSet::new();
    for case in st.cases.iter().filter(|c| {
        matches!(
            c.status,
            CaseStatus::Effective | CaseStatus::Verified | CaseStatus::Approved
        )
    }) {
        let in_force = case.status == CaseStatus::Effective;
        let one_off = ws
            .policy
            .schemes
            .get(&case.scheme)
            .is_some_and(|s| s.kind == SchemeKind::Temporary);
        if one_off && in_force {
            one_offs_paid += 1;
            continue;
        }
        // A household in 渐退 is paid its amount to the end of the period whatever the rules now give it.
        let gradual = st
            .in_force(&case.case_id)
            .filter(|d| d.kind == DecisionKind::GradualExit)
            .map(|d| d.amount);
        let members = st.members_of(&case.case_id);
        let amount = |p: &Policy| -> Result<Fen> {
            Ok(match compute(p, case, &members, on, &none)?.0 {
                Computed::Pay { amount, .. } => amount,
                Computed::Ineligible { .. } => gradual.unwrap_or_default(),
            })
        };
        let (a, b) = (amount(&old)?, amount(&ws.policy)?);
        if in_force {
            total_old = Fen(total_old.0 + a.0);
            total_new = Fen(total_new.0 + b.0);
        }
        if a != b {
            let line = format!(
                "  {} {} {}: {a} → {b} ({})",
                case.case_id,
                case.applicant_name,
                scheme_label(&ws.policy, &case.scheme),
                signed(Fen(b.0 - a.0))
            );
            if in_force {
                in_force_lines.push(line);
            } else {
                pending_lines.push(line);
            }
        }
    }
    let (moved, pending) = (in_force_lines.len(), pending_lines.len());
    let delta = signed(Fen(total_new.0 - total_old.0));
    let old_shown = old_policy.display();
    crate::outln!(
        "{}",
        tr(
            format!(
                "decide --impact {old_shown} for {period}: {moved} recipients in force change; monthly total in \
                 force {total_old} → {total_new} ({delta})"
            ),
            format!(
                "decide --impact {old_shown}（{period}）: 在保对象 {moved} 户金额变化; 在保月保障金合计 {total_old} → \
                 {total_new} ({delta})"
            )
        )
    );
    for l in in_force_lines {
        crate::outln!("{l}");
    }
    if pending > 0 {
        crate::outln!(
            "{}",
            tr(
                format!("{pending} applications not yet in force change:"),
                format!("尚未生效的申请 {pending} 户金额变化:")
            )
        );
        for l in pending_lines {
            crate::outln!("{l}");
        }
    }
    if one_offs_paid > 0 {
        crate::outln!(
            "{}",
            tr(
                format!("{one_offs_paid} one-off payments (temporary assistance) already in force are not monthly and not counted"),
                format!("已生效的临时救助 {one_offs_paid} 户为一次性救助, 不计入月保障金")
            )
        );
    }
    Ok(Outcome::Done)
}

/// An amount with its sign: `+140.00`, `-200.00`, `+0.00`.
fn signed(f: Fen) -> String {
    if f.is_negative() {
        f.to_string()
    } else {
        format!("+{f}")
    }
}

/// A value's code as the ledger writes it (`new`, `effective`), for a line in English.
fn ledger_code(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// `jiuzhu explain CASE`: how the case's amounts were derived, as a person would read it.
pub fn explain(ws: &Workspace, case_id: &str) -> Result<Outcome> {
    let st = State::load(ws)?;
    let case = st.cases.iter().find(|c| c.case_id == case_id).ok_or_else(|| {
        anyhow!(tr(
            format!("no case {case_id} in ledgers/cases.csv"),
            format!("ledgers/cases.csv 中没有案件 {case_id} (案件编号形如 CD-2026-0B9A1C744081)")
        ))
    })?;
    let zh = crate::i18n::current() == Lang::Zh;
    crate::outln!(
        "{} {} {}{} {} 人 {} — {}",
        case.case_id,
        case.applicant_name,
        case.township,
        case.village,
        case.household_size,
        scheme_label(&ws.policy, &case.scheme),
        if zh {
            case.status.label_zh()
        } else {
            case.status.as_str()
        }
    );
    let mut ds: Vec<&Decision> = st.decisions.iter().filter(|d| d.case_id == case_id).collect();
    ds.sort_by(|a, b| (&a.period, &a.decision_id).cmp(&(&b.period, &b.decision_id)));
    if ds.is_empty() {
        crate::outln!("  {}", tr("no decision yet", "尚无决定"));
    }
    crate::ui::record("case_id", case_id);
    crate::ui::record(
        "decisions",
        ds.iter()
            .map(|d| {
                serde_json::json!({
                    "decision_id": d.decision_id,
                    "period": d.period,
                    "kind": ledger_code(&d.kind),
                    "status": ledger_code(&d.status),
                    "previous_amount": d.previous_amount.to_string(),
                    "amount": d.amount.to_string(),
                    "reason": d.reason,
                    "effective_from": d.effective_from,
                    "derivation": d.derivation.split('；').collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>(),
    );
    for d in ds {
        if zh {
            crate::outln!(
                "{} {} {}{}: {} → {} ({})",
                d.period,
                d.kind.label_zh(),
                d.status.label_zh(),
                d.effective_from.map(|f| format!(", 自 {f} 起")).unwrap_or_default(),
                d.previous_amount,
                d.amount,
                reason_zh(&d.reason)
            );
        } else {
            crate::outln!(
                "{} {} {}{}: {} → {} ({})",
                d.period,
                ledger_code(&d.kind),
                ledger_code(&d.status),
                d.effective_from.map(|f| format!(" from {f}")).unwrap_or_default(),
                d.previous_amount,
                d.amount,
                d.reason
            );
        }
        for step in d.derivation.split('；') {
            crate::outln!("  {step}");
        }
        if !d.policy_values.is_empty() {
            if zh {
                crate::outln!("  政策取值: {}", benefit::policy_values_zh(&d.policy_values));
            } else {
                crate::outln!("  policy: {}", d.policy_values);
            }
        }
        if !d.meeting.is_empty() {
            crate::outln!(
                "  {} {}{}",
                tr("meeting:", "审批会议:"),
                d.meeting,
                d.decided_on.map(|x| format!(" ({x})")).unwrap_or_default()
            );
        }
    }
    crate::cmd::correct::explain(ws, case_id)?;
    crate::cmd::withdraw::explain(ws, case_id)?;
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A review-meeting sheet named `name` of batch `batch` with one proposal per verdict given.
    fn sheet(name: &str, batch: &str, verdicts: &[&str]) -> SheetSpec {
        SheetSpec {
            name: name.into(),
            title: None,
            columns: vec![
                Column::new("决定编号 decision", Kind::Code),
                Column::new("案件编号 case", Kind::Code),
                Column::answer("评议结果 verdict", Input::Free),
                Column::answer("说明 note", Input::Free),
            ],
            rows: verdicts
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    vec![
                        format!("{name}-D{i}").into(),
                        format!("C{i}").into(),
                        (*v).into(),
                        Value::Empty,
                    ]
                })
                .collect(),
            batch: Some(batch.into()),
            print: Default::default(),
        }
    }

    #[test]
    fn verdicts_are_read_from_every_sheet_the_worksheet_went_on_to() {
        // 4 rows a sheet: the batch line and the header leave 2 for proposals.
        let three = sheet("评议 review", "RV-1", &[AGREE, DEFER, DISAGREE]);
        let bytes = writer::workbook_bytes_within(&[three], &[], 4).unwrap();
        let (batch, verdicts) = read_verdicts("r.xlsx", &bytes).unwrap();
        assert_eq!(batch, "RV-1");
        let got: Vec<(String, &str, Option<DecisionStatus>)> = verdicts
            .iter()
            .map(|v| (v.row.to_string(), v.decision_id.as_str(), v.verdict))
            .collect();
        assert_eq!(
            got,
            [
                ("row 3".to_string(), "评议 review-D0", Some(DecisionStatus::Approved)),
                ("row 4".to_string(), "评议 review-D1", Some(DecisionStatus::Deferred)),
                (
                    "sheet `评议 review (2)` row 3".to_string(),
                    "评议 review-D2",
                    Some(DecisionStatus::Rejected)
                ),
            ]
        );
        // A wrong answer on a later sheet is named by its sheet and row.
        let bytes =
            writer::workbook_bytes_within(&[sheet("评议 review", "RV-1", &[AGREE, AGREE, "也许"])], &[], 4).unwrap();
        let err = read_verdicts("r.xlsx", &bytes).err().unwrap().to_string();
        assert!(err.contains("sheet `评议 review (2)` row 3: 评议结果 `也许`"), "{err}");
    }
}
