//! `jiuzhu decide` — the decision (救助决策): from verified cases to effective, published, explainable decisions,
//! and every month the re-decision of existing recipients whose circumstances changed (动态管理).
//!
//! The life of a decision: `decide --period P` **proposes** (new approvals, rejections, 增发/减发/停发, 渐退)
//! and writes the review-meeting worksheet; `decide --record` reads the meeting's verdicts back (同意 →
//! **approved** and posted for public notice (公示); 不同意 → rejected; 暂缓 → deferred); a later
//! `decide --period P --as-of D` makes approved decisions **effective** once every posting ran its full period
//! with no upheld objection. Urgent temporary assistance (先行救助) is effective at once and approved after.
//! The arithmetic lives in `domain::benefit`; this file only gathers inputs, applies the procedure and writes.
//!
//! By workflow: [`propose`] (the month's proposals and re-decisions; notices over made effective), [`record`]
//! (the review meeting: its worksheet and `--record`), [`notice`] (the public notice, `--undisputed`,
//! `--objection`), [`impact`] (`--impact`: what a policy change would move), [`explain`] (`jiuzhu explain`). This
//! file holds the command line, what every workflow reads ([`State`]) and the rules they share.

mod impact;
mod notice;
mod propose;
mod record;

pub mod explain;

pub use self::explain::explain;
use self::impact::*;
use self::notice::*;
use self::propose::*;
use self::record::*;

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

fn scheme_label<'a>(policy: &'a Policy, key: &'a str) -> &'a str {
    policy.schemes.get(key).map(|s| s.label.as_str()).unwrap_or(key)
}

fn registry_label<'a>(policy: &'a Policy, key: &'a str) -> &'a str {
    policy.registries.get(key).map(|r| r.label.as_str()).unwrap_or(key)
}

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
