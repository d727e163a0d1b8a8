//! `jiuzhu disburse` — payment (发放): the month's batch from effective decisions, written in each bank's file
//! format with control totals; the bank's return file reconciled; failures reissued; in-kind goods (物资) with
//! their receipts.
//!
//! **What is due.** For a case and a month, the amount in force is the one of the latest effective-or-superseded
//! decision whose `effective_from` is on or before the month (superseded decisions still define the months before
//! their successor). A 停发 in force pays nothing; a 渐退 pays up to `gradual_exit_until`. 临时救助 is one one-off
//! payment of the decision's amount, for the month it took effect. A batch pays every month due up to its last
//! month that no payment covers yet (补发 for months before the batch), so arrears are never forgotten and a month
//! is never paid twice.
//!
//! **Never twice.** A batch, once issued, is recorded in `batches.csv` and frozen: a rerun writes the same bytes
//! and adds nothing; money that becomes due later goes into the next batch. A failed payment is paid again (重发)
//! only in a later batch, only once the case's account differs from the one that failed, and the failed payment
//! then becomes `reissued`, so its money is counted once, in the reissue.
//!
//! **Money invariants** (checked on every run; a violation stops the run with exit 2 and the numbers), per
//! scheme and month paid:
//! - *decided* = Σ over the scheme's cases of the amount in force for the month (0 for a stopped case);
//! - *issued* = Σ of the month's payments that are not `reissued` = *paid* + *failed* + *outstanding* (issued);
//! - *unissued* = Σ over cases of (due − issued) where a case's month is due and not (fully) issued — cases
//!   without a valid account, or due after their month's batch was issued;
//! - and **decided = issued + unissued**: no case and month is ever issued more than its amount in force.
//!
//! Per batch, `batches.csv` records the count and sum issued, and these must equal the batch's payments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::domain::date::{self, Period};
use crate::domain::decision;
use crate::domain::mask;
use crate::domain::money::Fen;
use crate::domain::records;
use crate::domain::text;
use crate::hash::{HashMap, HashSet};
use crate::i18n::{tr, Msg};
use crate::ledger::events::{self, sha256_hex, NewEvent};
use crate::ledger::{
    self, Batch, Case, CaseStatus, Decision, Goods, GoodsStatus, Payment, PaymentKind, PaymentStatus, Quantity, Text,
};
use crate::ledger::{Match, Member, Recovery};
use crate::policy::{
    AmountFormat, BankColumn, BankEncoding, BankField, BankFileType, BankProfile, LineEnding, Policy, SchemeKind,
    SummaryPosition,
};
use crate::sheet::reader::{self, Encoding};
use crate::sheet::writer::{self, Column, Input, Kind, SheetSpec, Value};
use crate::workspace::{inbox_path, safe_file_name, Txn, Workspace};
use crate::Outcome;

#[derive(Debug, Clone)]
pub enum Mode {
    /// Issue (or reproduce) the batch of a period.
    Batch {
        period: String,
        override_budget: Option<String>,
    },
    /// Read a bank's return file.
    Reconcile { file: PathBuf, profile: Option<String> },
    /// Record a goods distribution plan and write the distribution list.
    Goods(PathBuf),
    /// Read back a signed distribution list.
    GoodsReceipts(PathBuf),
}

// `jiuzhu disburse`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Pay (发放): the month's batch from effective decisions in each bank's file format, reconciliation of \
the bank's return file, reissues, and in-kind goods (物资) with their receipts",
        "发放: 按生效的决定以各银行的文件格式生成当月发放批次, 核对银行回盘文件, 重新发放, 以及实物 (物资) \
发放及其领取登记",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu disburse --period 2026-12\n  \
jiuzhu disburse --period 2026-12 --override-budget \"县政府常务会议纪要第5号追加预算\"\n  \
jiuzhu disburse --reconcile 回盘-2026-12.csv --profile rcc_csv\n  \
jiuzhu disburse --goods 冬季物资发放计划.xlsx\n  \
jiuzhu disburse --goods-receipts reports/goods-1A2B3C4D.xlsx",
        "示例:\n  jiuzhu disburse --period 2026-12\n  \
jiuzhu disburse --period 2026-12 --override-budget \"县政府常务会议纪要第5号追加预算\"\n  \
jiuzhu disburse --reconcile 回盘-2026-12.csv --profile rcc_csv\n  \
jiuzhu disburse --goods 冬季物资发放计划.xlsx\n  \
jiuzhu disburse --goods-receipts reports/goods-1A2B3C4D.xlsx",
    )),
    after_help = tr("\
--period writes one payment per case and month due (arrears included, stopped cases excluded) to \
ledgers/payments.csv, the bank files under reports/bank/ in the format of each bank's profile \
(`disbursement.profiles` in jiuzhu.yaml) with their control totals, and reports/disburse-PERIOD-汇总表.xlsx to sign. \
A batch is issued once: a rerun reproduces it byte for byte. --reconcile reads the bank's return file and marks \
payments paid or failed, all or nothing; failures are reissued in a later batch once the account is corrected.\n\n\
Exit: 0 done; 1 done, but a case has no valid account or a failed payment waits for a corrected one; \
2 nothing done (refused return file, budget exceeded, money totals that do not balance).", "\
--period 为每个案件的每个应发月份写一笔发放记录 (含补发, 不含已停发的案件) 到 ledgers/payments.csv, \
按各银行的配置 (jiuzhu.yaml 中的 `disbursement.profiles`) 在 reports/bank/ 下写出银行文件及其控制总数, \
并写出待签字的 reports/disburse-PERIOD-汇总表.xlsx。一个批次只生成一次: 重新运行会逐字节重现该批次。\
--reconcile 读入银行回盘文件, 把发放记录标为已发放或失败, 要么全部处理, 要么全不处理; 失败的发放在账户\
改正后于以后的批次中重新发放。\n\n\
退出码: 0 完成; 1 完成, 但有案件没有有效账户, 或有失败的发放在等待改正账户; 2 未做任何事 (回盘文件被拒收、\
超出预算、金额合计不平)。")
)]
pub struct Args {
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["reconcile", "goods", "goods_receipts"], help = tr(
        "The batch to issue (YYYY-MM)",
        "要生成的批次 (YYYY-MM)",
    ))]
    pub period: Option<String>,
    #[arg(long, value_name = "REASON", requires = "period", help = tr(
        "Issue a batch above a scheme's budget, recording why",
        "超出某救助类别的预算时仍生成批次, 并记录原因",
    ))]
    pub override_budget: Option<String>,
    #[arg(long, value_name = "FILE", conflicts_with_all = ["goods", "goods_receipts"], help = tr(
        "Read a bank's return file (回盘) and mark payments paid or failed",
        "读入银行回盘文件, 把发放记录标为已发放或失败",
    ))]
    pub reconcile: Option<PathBuf>,
    #[arg(long, value_name = "NAME", requires = "reconcile", help = tr(
        "The bank profile of the return file (default: disbursement.default_profile)",
        "回盘文件所用的银行配置 (默认: disbursement.default_profile)",
    ))]
    pub profile: Option<String>,
    #[arg(long, value_name = "FILE", conflicts_with = "goods_receipts", help = tr(
        "A goods distribution plan (物资名称, 数量, 单位, and 案件编号 or 村(社区))",
        "物资发放计划 (物资名称、数量、单位, 以及 案件编号 或 村(社区))",
    ))]
    pub goods: Option<PathBuf>,
    #[arg(long, value_name = "FILE", help = tr(
        "A signed goods distribution list (领取登记表) read back",
        "读回已签字的物资领取登记表",
    ))]
    pub goods_receipts: Option<PathBuf>,
    #[arg(long, value_name = "ENC", help = tr(
        "CSV encoding of a goods plan (default: detect)",
        "物资发放计划的 CSV 编码 (默认: 自动识别)",
    ))]
    pub encoding: Option<String>,
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (with its period when `--period`), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then(|| self.period.clone())
    }
}

/// The command line's entry: the mode chosen from the options, files taken from `-C DIR` as git does.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let ws = ctx.workspace()?;
    let mode = if let Some(period) = args.period {
        Mode::Batch {
            period,
            override_budget: args.override_budget,
        }
    } else if let Some(file) = args.reconcile {
        Mode::Reconcile {
            file: ctx.path(file),
            profile: args.profile,
        }
    } else if let Some(file) = args.goods {
        Mode::Goods(ctx.path(file))
    } else if let Some(file) = args.goods_receipts {
        Mode::GoodsReceipts(ctx.path(file))
    } else {
        bail!(
            "{}",
            tr(
                "give --period YYYY-MM, --reconcile FILE, --goods FILE or --goods-receipts FILE",
                "请给出 --period YYYY-MM、--reconcile 文件、--goods 文件 或 --goods-receipts 文件 之一"
            )
        )
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

/// What `disburse` was asked to do, resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub mode: Mode,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    match &args.mode {
        Mode::Batch {
            period,
            override_budget,
        } => {
            let p = Period::parse(period).map_err(|e| {
                anyhow!(
                    "--period {period}: {}",
                    tr(format!("{e} (write e.g. 2026-12)"), format!("{} (如 2026-12)", e.zh()))
                )
            })?;
            let reason = override_budget.as_deref().map(str::trim).filter(|r| !r.is_empty());
            if override_budget.is_some() && reason.is_none() {
                bail!(
                    "{}",
                    tr(
                        "--override-budget needs the reason (e.g. the meeting that approved the extra money)",
                        "--override-budget 须写明原因 (如批准追加资金的会议)"
                    )
                );
            }
            issue(ws, args, p, reason)
        }
        Mode::Reconcile { file, profile } => reconcile(ws, args, file, profile.as_deref()),
        Mode::Goods(file) => goods_plan(ws, args, file),
        Mode::GoodsReceipts(file) => goods_receipts(ws, args, file),
    }
}

/// Everything disburse reads.
struct State {
    cases: Vec<Case>,
    decisions: Vec<Decision>,
    payments: Vec<Payment>,
    batches: Vec<Batch>,
    goods: Vec<Goods>,
    /// Overpayments recorded to recover (追回): their months do not break the money invariants.
    recoveries: Vec<Recovery>,
    chain: events::Journal,
    /// Case ID → position in `cases` (cases are never added or removed by disburse), built on first use.
    case_index: std::sync::OnceLock<HashMap<String, usize>>,
}

impl State {
    fn load(ws: &Workspace) -> Result<State> {
        let chain = events::Journal::read(ws)?;
        Ok(State {
            cases: ledger::read(ws)?,
            decisions: ledger::read(ws)?,
            payments: ledger::read(ws)?,
            batches: ledger::read(ws)?,
            goods: ledger::read(ws)?,
            recoveries: ledger::read(ws)?,
            chain,
            case_index: std::sync::OnceLock::new(),
        })
    }

    fn case(&self, case_id: &str) -> Option<&Case> {
        let index = self.case_index.get_or_init(|| {
            self.cases
                .iter()
                .enumerate()
                .map(|(i, c)| (c.case_id.clone(), i))
                .collect()
        });
        index.get(case_id).map(|&i| &self.cases[i])
    }

    /// Decisions grouped by case (in ledger order).
    fn decisions_by_case(&self) -> HashMap<&str, Vec<&Decision>> {
        records::by_case(&self.decisions)
    }
}

/// SHA-256 of the files a step read, as the journal records them.
fn inputs(ws: &Workspace, ledgers: &[&str], extra: &[(String, String)]) -> Result<String> {
    let mut list = ws.inputs_read(ledgers)?;
    for (n, h) in extra {
        list.push_str(&format!(";{n}={h}"));
    }
    Ok(list)
}

// ---------------------------------------------------------------------------------------------------------------
// What is due: pure.

/// Why an account cannot be paid into, or None when it can.
pub fn account_problem(account: &str, min: u32, max: u32) -> Option<Msg> {
    let a = account.trim();
    if a.is_empty() {
        return Some(Msg::new("no bank account", "无银行账号"));
    }
    if !a.bytes().all(|b| b.is_ascii_digit()) {
        let m = mask::account(a);
        return Some(Msg::new(
            format!("account {m} is not digits only"),
            format!("账号 {m} 含非数字字符"),
        ));
    }
    let n = a.len() as u32;
    if n < min || n > max {
        let m = mask::account(a);
        return Some(Msg::new(
            format!("account {m} has {n} digits, not {min}–{max}"),
            format!("账号 {m} 为 {n} 位, 不在 {min}–{max} 位之间"),
        ));
    }
    None
}

pub(crate) fn payment_id(case_id: &str, month: Period, n: usize) -> String {
    let h = sha256_hex(format!("{case_id}|{month}|{n}").as_bytes());
    format!("P-{}", h[..12].to_uppercase())
}

fn is_live(p: &Payment) -> bool {
    p.status != PaymentStatus::Reissued
}

// ---------------------------------------------------------------------------------------------------------------
// Money invariants.

/// Totals of one scheme and month (see the module doc for the definitions).
#[derive(Debug, Clone, Default, PartialEq)]
struct Totals {
    decided: i64,
    paid: i64,
    failed: i64,
    outstanding: i64,
    unissued: i64,
    /// Issued above what is due, in months recorded to recover (追回).
    overpaid: i64,
}

impl Totals {
    fn issued(&self) -> i64 {
        self.paid + self.failed + self.outstanding
    }
}

struct Invariants {
    by_scheme_month: BTreeMap<(String, Period), Totals>,
    violations: Vec<Msg>,
}

/// Checks the money invariants over every case and month up to `through`.
fn check_invariants(policy: &Policy, st: &State, through: Period) -> Invariants {
    let mut by: BTreeMap<(String, Period), Totals> = BTreeMap::new();
    let mut violations = Vec::new();
    let recovered = crate::cmd::recover::covered(&st.recoveries);
    let mut live: BTreeMap<(&str, Period), i64> = BTreeMap::new();
    for p in st.payments.iter().filter(|p| is_live(p)) {
        let m = p.period;
        *live.entry((p.case_id.as_str(), m)).or_default() += p.amount.0;
        let t = by.entry((p.scheme.clone(), m)).or_default();
        match p.status {
            PaymentStatus::Paid => t.paid += p.amount.0,
            PaymentStatus::Failed => t.failed += p.amount.0,
            _ => t.outstanding += p.amount.0,
        }
    }
    let mut due_of: BTreeMap<(&str, Period), i64> = BTreeMap::new();
    let last = st
        .payments
        .iter()
        .map(|p| p.period)
        .max()
        .map_or(through, |m| m.max(through));
    let decisions_of = st.decisions_by_case();
    for c in &st.cases {
        let Some(scheme) = policy.schemes.get(&c.scheme) else {
            continue;
        };
        let ds: Vec<&Decision> = decisions_of.get(c.case_id.as_str()).cloned().unwrap_or_default();
        for d in decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, last) {
            due_of.insert((c.case_id.as_str(), d.month), d.amount.0);
            let issued = live.get(&(c.case_id.as_str(), d.month)).copied().unwrap_or(0);
            let t = by.entry((c.scheme.clone(), d.month)).or_default();
            t.decided += d.amount.0;
            if d.amount.0 > issued {
                t.unissued += d.amount.0 - issued;
            }
        }
    }
    for ((case_id, m), issued) in &live {
        let due = due_of.get(&(*case_id, *m)).copied().unwrap_or(0);
        if *issued > due && recovered.contains(&(case_id.to_string(), *m)) {
            if let Some(c) = st.case(case_id) {
                by.entry((c.scheme.clone(), *m)).or_default().overpaid += issued - due;
            }
        } else if *issued > due {
            violations.push(Msg::new(
                format!(
                    "case {case_id} month {m}: issued {} but the amount in force is {} (overpaid {}; recover the \
                     money and correct the ledgers, or restore them from Git)",
                    Fen(*issued),
                    Fen(due),
                    Fen(issued - due)
                ),
                format!(
                    "案件 {case_id} {m} 月: 已发放 {}, 而现行金额为 {} (多发 {}; 请追回并更正台账, 或从 Git 恢复台账)",
                    Fen(*issued),
                    Fen(due),
                    Fen(issued - due)
                ),
            ));
        }
    }
    for ((scheme, m), t) in &by {
        if t.decided + t.overpaid != t.issued() + t.unissued && violations.is_empty() {
            violations.push(Msg::new(
                format!(
                    "{scheme} {m}: decided {} ≠ issued {} (paid {} + failed {} + outstanding {}) + unissued {}",
                    Fen(t.decided),
                    Fen(t.issued()),
                    Fen(t.paid),
                    Fen(t.failed),
                    Fen(t.outstanding),
                    Fen(t.unissued)
                ),
                format!(
                    "{} {m}: 核定 {} ≠ 已发放 {} (成功 {} + 失败 {} + 待回盘 {}) + 未发放 {}",
                    scheme_label(policy, scheme),
                    Fen(t.decided),
                    Fen(t.issued()),
                    Fen(t.paid),
                    Fen(t.failed),
                    Fen(t.outstanding),
                    Fen(t.unissued)
                ),
            ));
        }
    }
    let mut of_batch: HashMap<Period, Vec<&Payment>> = HashMap::default();
    for p in &st.payments {
        of_batch.entry(p.batch).or_default().push(p);
    }
    for b in &st.batches {
        let ps: &[&Payment] = of_batch.get(&b.batch).map_or(&[], Vec::as_slice);
        let sum: i64 = ps.iter().map(|p| p.amount.0).sum();
        if ps.len() as u32 != b.payments || sum != b.amount.0 {
            violations.push(Msg::new(
                format!(
                    "batch {}: batches.csv records {} payments, {} but payments.csv holds {} payments, {}",
                    b.batch,
                    b.payments,
                    b.amount,
                    ps.len(),
                    Fen(sum)
                ),
                format!(
                    "批次 {}: batches.csv 记录 {} 笔、{} 元, 而 payments.csv 中为 {} 笔、{} 元",
                    b.batch,
                    b.payments,
                    b.amount,
                    ps.len(),
                    Fen(sum)
                ),
            ));
        }
    }
    let by_id: HashMap<&str, &Payment> = st.payments.iter().map(|p| (p.payment_id.as_str(), p)).collect();
    let reissued: HashSet<&str> = st
        .payments
        .iter()
        .filter(|p| !p.reissue_of.is_empty())
        .map(|p| p.reissue_of.as_str())
        .collect();
    for p in &st.payments {
        if !p.reissue_of.is_empty() {
            match by_id.get(p.reissue_of.as_str()) {
                Some(f) if f.status == PaymentStatus::Reissued && f.amount == p.amount => {}
                _ => violations.push(Msg::new(
                    format!(
                        "payment {} reissues {}, which is not a reissued payment of the same amount",
                        p.payment_id, p.reissue_of
                    ),
                    format!(
                        "付款 {} 重发的 {} 不是金额相同、已标为重发的付款",
                        p.payment_id, p.reissue_of
                    ),
                )),
            }
        }
        if p.status == PaymentStatus::Reissued && !reissued.contains(p.payment_id.as_str()) {
            violations.push(Msg::new(
                format!("payment {} is marked reissued but nothing reissues it", p.payment_id),
                format!("付款 {} 标为已重发, 但没有重发它的付款", p.payment_id),
            ));
        }
    }
    Invariants {
        by_scheme_month: by,
        violations,
    }
}

/// The money invariants over these ledgers, up to the last month paid (for `jiuzhu audit`): one line per violation.
pub(crate) fn money_violations(
    policy: &Policy,
    cases: &[Case],
    decisions: &[Decision],
    payments: &[Payment],
    batches: &[Batch],
    recoveries: &[Recovery],
) -> Vec<Msg> {
    let Some(through) = payments.iter().map(|p| p.period).max() else {
        return Vec::new();
    };
    let st = State {
        cases: cases.to_vec(),
        decisions: decisions.to_vec(),
        payments: payments.to_vec(),
        batches: batches.to_vec(),
        goods: Vec::new(),
        recoveries: recoveries.to_vec(),
        chain: events::Journal::default(),
        case_index: std::sync::OnceLock::new(),
    };
    check_invariants(policy, &st, through).violations
}

fn refuse_on_violation(inv: &Invariants) -> Result<()> {
    if inv.violations.is_empty() {
        return Ok(());
    }
    bail!(
        "{}\n  {}",
        tr(
            "the money does not balance, nothing done:",
            "资金核对不平, 未做任何改动:"
        ),
        inv.violations
            .iter()
            .take(30)
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n  ")
    )
}

// ---------------------------------------------------------------------------------------------------------------
// The batch.

/// A month due and not paid: no valid account, or a failed payment waiting for a corrected account.
#[derive(Debug, Clone)]
struct Unpaid {
    case_id: String,
    month: Period,
    amount: Fen,
    reason: Msg,
}

fn issue(ws: &Workspace, args: &Request, period: Period, override_reason: Option<&str>) -> Result<Outcome> {
    let policy = &ws.policy;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = crate::kept_to_exit(State::load(ws)?);
    let batch = period;
    let mut months: Vec<Period> = Vec::new();
    for m in policy.disbursement.months_of(&batch.to_string()) {
        months.push(Period::parse(&m).map_err(|e| anyhow!("disbursement.combine {m}: {}", tr(e.to_string(), e.zh())))?);
    }
    let through = months.iter().copied().max().unwrap_or(period);
    let first = months.iter().copied().min().unwrap_or(period);
    let frozen = st.batches.iter().any(|b| b.batch == batch);
    if !frozen {
        if let Some(later) = st.batches.iter().filter(|b| b.batch > batch).map(|b| b.batch).max() {
            bail!(
                "{}",
                tr(
                    format!(
                        "batch {later} is already issued; money due for {batch} goes into the next batch (run \
                         --period after {later})"
                    ),
                    format!(
                        "批次 {later} 已发放; {batch} 应发的资金并入下一批次 (请用 {later} 之后的月份运行 --period)"
                    ),
                )
            );
        }
        if let Some(b) = st
            .batches
            .iter()
            .find(|b| b.months.split(';').any(|m| Period::parse(m).is_ok_and(|m| m == batch)))
        {
            bail!(
                "{}",
                tr(
                    format!("{batch} was paid in the combined batch {}; nothing to issue", b.batch),
                    format!("{batch} 已在合并批次 {} 中发放; 无需再发", b.batch),
                )
            );
        }
    }
    let (min_d, max_d) = (
        policy.disbursement.account_min_digits,
        policy.disbursement.account_max_digits,
    );
    let mut unpaid: Vec<Unpaid> = Vec::new();
    let mut new_payments: Vec<Payment> = Vec::new();
    let mut pending_next = 0usize;
    let cases: Vec<Case> = st.cases.clone();
    let mut paid_so_far = 0;
    // Decisions and earlier payments by case, built once: a scan of both ledgers per case is quadratic at county
    // scale. A case's new payments are the ones added since its turn began.
    let decisions_of = st.decisions_by_case();
    let paid_of = records::by_case(&st.payments);
    let progress = crate::ui::Progress::new(cases.len() as u64, tr("disburse: households", "发放: 已处理家庭"))
        .with_hits(tr("payments", "笔发放"));
    for case in &cases {
        progress.inc(1);
        progress.hit((new_payments.len() - paid_so_far) as u64);
        paid_so_far = new_payments.len();
        let Some(scheme) = policy.schemes.get(&case.scheme) else {
            continue;
        };
        let ds: Vec<&Decision> = decisions_of.get(case.case_id.as_str()).cloned().unwrap_or_default();
        let first_new = new_payments.len();
        for due in decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, through) {
            let month = due.month;
            let existing: Vec<&Payment> = paid_of
                .get(case.case_id.as_str())
                .into_iter()
                .flatten()
                .copied()
                .chain(new_payments[first_new..].iter())
                .filter(|p| p.period == month)
                .collect();
            let live: i64 = existing.iter().filter(|p| is_live(p)).map(|p| p.amount.0).sum();
            if live >= due.amount.0 {
                continue;
            }
            let amount = Fen(due.amount.0 - live);
            let kind = if !existing.is_empty() {
                PaymentKind::Adjustment
            } else if scheme.kind == SchemeKind::Temporary {
                PaymentKind::OneOff
            } else if due.month < first {
                PaymentKind::Arrears
            } else {
                PaymentKind::Regular
            };
            if let Some(why) = account_problem(&case.bank_account, min_d, max_d) {
                unpaid.push(Unpaid {
                    case_id: case.case_id.clone(),
                    month: due.month,
                    amount,
                    reason: why,
                });
                continue;
            }
            if frozen {
                pending_next += 1;
                continue;
            }
            new_payments.push(Payment {
                payment_id: payment_id(&case.case_id, due.month, existing.len()),
                batch,
                period: due.month,
                case_id: case.case_id.clone(),
                scheme: case.scheme.clone(),
                payee_name: case.applicant_name.clone(),
                bank_name: case.bank_name.clone(),
                account: Text(case.bank_account.trim().to_string()),
                amount,
                kind,
                urgent: due.urgent,
                decision_id: due.decision_id.clone(),
                status: PaymentStatus::Issued,
                reissue_of: String::new(),
                reason: Text::default(),
                return_file: String::new(),
            });
        }
    }
    progress.finish();
    // 重发: failed payments of earlier batches, once the account was corrected.
    let mut reissued: Vec<String> = Vec::new();
    let failed: Vec<Payment> = st
        .payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Failed)
        .cloned()
        .collect();
    // Payments so far for each (case, month) a failed payment is of, counted once (the reissue's ID is the next
    // sequence number of its month): not a scan of every payment per failed one.
    let mut in_month: HashMap<(String, Period), usize> =
        failed.iter().map(|f| ((f.case_id.clone(), f.period), 0)).collect();
    let failed_cases: crate::hash::HashSet<&str> = failed.iter().map(|f| f.case_id.as_str()).collect();
    for p in st.payments.iter().chain(new_payments.iter()) {
        if failed_cases.contains(p.case_id.as_str()) {
            if let Some(n) = in_month.get_mut(&(p.case_id.clone(), p.period)) {
                *n += 1;
            }
        }
    }
    for f in failed {
        let case = st.case(&f.case_id);
        let account = case.map(|c| c.bank_account.trim().to_string()).unwrap_or_default();
        let why = if f.batch >= batch {
            Some(Msg::new(
                format!("returned by the bank: {} — reissued in a later batch", f.reason),
                format!("银行退回: {} — 在下一批次重发", f.reason),
            ))
        } else if let Some(p) = account_problem(&account, min_d, max_d) {
            Some(Msg::new(
                format!("returned by the bank: {}; {}", f.reason, p.en),
                format!("银行退回: {}; {}", f.reason, p.zh),
            ))
        } else if account == f.account.0 {
            Some(Msg::new(
                format!(
                    "returned by the bank: {}; the account is not corrected yet, reissued once it is",
                    f.reason
                ),
                format!("银行退回: {}; 账号未更正, 等待更正后重发", f.reason),
            ))
        } else {
            None
        };
        if let Some(reason) = why {
            unpaid.push(Unpaid {
                case_id: f.case_id.clone(),
                month: f.period,
                amount: f.amount,
                reason,
            });
            continue;
        }
        if frozen {
            pending_next += 1;
            continue;
        }
        let case = case.expect("account came from the case");
        let count = in_month.get_mut(&(f.case_id.clone(), f.period)).expect("counted above");
        let n = *count;
        *count += 1;
        new_payments.push(Payment {
            payment_id: payment_id(&f.case_id, f.period, n),
            batch,
            period: f.period,
            case_id: f.case_id.clone(),
            scheme: f.scheme.clone(),
            payee_name: case.applicant_name.clone(),
            bank_name: case.bank_name.clone(),
            account: Text(account),
            amount: f.amount,
            kind: PaymentKind::Reissue,
            urgent: f.urgent,
            decision_id: f.decision_id.clone(),
            status: PaymentStatus::Issued,
            reissue_of: f.payment_id.clone(),
            reason: Text::default(),
            return_file: String::new(),
        });
        reissued.push(f.payment_id.clone());
    }
    let reissued: crate::hash::HashSet<String> = reissued.into_iter().collect();
    for p in st.payments.iter_mut().filter(|p| reissued.contains(&p.payment_id)) {
        p.status = PaymentStatus::Reissued;
    }

    // Budgets: the batch's amount under each scheme against the scheme's budget for the period.
    let mut per_scheme: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    for p in &new_payments {
        let e = per_scheme.entry(p.scheme.clone()).or_default();
        e.0 += 1;
        e.1 += p.amount.0;
    }
    let mut over: Vec<(String, Fen, Fen)> = Vec::new();
    for b in policy
        .disbursement
        .budgets
        .iter()
        .filter(|b| b.period == batch.to_string())
    {
        let spent = per_scheme.get(&b.scheme).map_or(0, |x| x.1);
        if spent > b.amount.0 .0 {
            over.push((b.scheme.clone(), Fen(spent), b.amount.0));
        }
    }
    let over_text: Vec<Msg> = over
        .iter()
        .map(|(s, spent, budget)| {
            Msg::new(
                format!(
                    "{}: batch {spent} > budget {budget} (over by {})",
                    scheme_label(policy, s),
                    Fen(spent.0 - budget.0)
                ),
                format!(
                    "{}: 本批次 {spent} 元 > 预算 {budget} 元 (超出 {} 元)",
                    scheme_label(policy, s),
                    Fen(spent.0 - budget.0)
                ),
            )
        })
        .collect();
    if !over.is_empty() && override_reason.is_none() {
        let lines: Vec<String> = over_text.iter().map(|m| m.to_string()).collect();
        bail!(
            "{}",
            tr(
                format!(
                    "batch {batch} exceeds the budget, nothing issued:\n  {}\nAsk for more budget \
                     (disbursement.budgets in jiuzhu.yaml), or issue it anyway with --override-budget \"REASON\" \
                     (recorded in the journal and the 汇总表).",
                    lines.join("\n  ")
                ),
                format!(
                    "批次 {batch} 超出预算, 未发放:\n  {}\n请申请追加预算 (jiuzhu.yaml 中的 disbursement.budgets), \
                     或用 --override-budget \"原因\" 超预算发放 (原因记入日志和汇总表)。",
                    lines.join("\n  ")
                ),
            )
        );
    }
    let override_used = if over.is_empty() { None } else { override_reason };

    if !frozen && !new_payments.is_empty() {
        let sum = Fen::checked_sum(new_payments.iter().map(|p| p.amount))
            .ok_or_else(|| anyhow!("{}", tr("batch total overflows", "批次合计金额溢出")))?;

        st.batches.push(Batch {
            batch,
            months: months.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(";"),
            payments: new_payments.len() as u32,
            amount: sum,
            budget_override: Text(override_used.unwrap_or_default().to_string()),
        });
    }
    let added = new_payments.len();
    let arrears = new_payments.iter().filter(|p| p.kind == PaymentKind::Arrears).count();
    let urgent = new_payments.iter().filter(|p| p.urgent).count();
    st.payments.extend(new_payments);
    // 追回: months paid that a later decision or a confirmed death made overpaid are recorded to recover, not a
    // reason to stop the batch.
    let found = {
        let (members, matches) = (ledger::read::<Member>(ws)?, ledger::read::<Match>(ws)?);
        let books = crate::cmd::recover::Books {
            cases: &st.cases,
            decisions: &st.decisions,
            payments: &st.payments,
            members: &members,
            matches: &matches,
        };
        crate::cmd::recover::find_new(policy, &books, &st.recoveries, batch)
    };
    let recovery_events: Vec<NewEvent> = found
        .iter()
        .map(|(r, over)| crate::cmd::recover::found_event("disburse", r, over))
        .collect();
    let found_lines: Vec<String> = found
        .iter()
        .map(|(r, _)| {
            let name = st
                .case(&r.case_id)
                .map(|c| c.applicant_name.0.clone())
                .unwrap_or_default();
            crate::cmd::recover::found_line(r, &name)
        })
        .collect();
    st.recoveries.extend(found.into_iter().map(|(r, _)| r));
    st.recoveries.sort_by(|a, b| a.recovery_id.cmp(&b.recovery_id));
    let inv = check_invariants(policy, &st, through);
    refuse_on_violation(&inv)?;

    let in_batch: Vec<&Payment> = st.payments.iter().filter(|p| p.batch == batch).collect();
    let recorded = st.batches.iter().find(|b| b.batch == batch).cloned();
    unpaid.sort_by(|a, b| (&a.case_id, a.month).cmp(&(&b.case_id, b.month)));
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let total = Fen(in_batch.iter().map(|p| p.amount.0).sum());
    // Each part said once in each language: what a part says is decided once.
    let (n, n_reissued, n_unpaid) = (in_batch.len(), reissued.len(), unpaid.len());
    let part = |on: bool, en: String, zh: String| if on { (en, zh) } else { Default::default() };
    let (arrears_en, arrears_zh) = part(
        arrears > 0,
        format!(" ({arrears} arrears)"),
        format!(" (含补发 {arrears} 笔)"),
    );
    let (reissued_en, reissued_zh) = part(
        n_reissued > 0,
        format!(", {n_reissued} reissued"),
        format!(", 重发 {n_reissued} 笔"),
    );
    let (frozen_en, frozen_zh) = part(
        frozen,
        " (batch already issued: reproduced, nothing added)".into(),
        " (该批次已发放: 按原样重新生成, 未新增)".into(),
    );
    let mut out = tr(
        format!(
            "{prefix}disburse {batch}: {n} payments, {total}{arrears_en}{reissued_en}; {n_unpaid} not paid{frozen_en}"
        ),
        format!("{prefix}发放 {batch}: {n} 笔, {total} 元{arrears_zh}{reissued_zh}; 未发放 {n_unpaid} 笔{frozen_zh}"),
    );
    if urgent > 0 {
        out.push_str(&tr(
            format!("\n  {urgent} urgent (先行救助) payments, marked in the note and the 汇总表"),
            format!("\n  先行救助 {urgent} 笔, 已在附言和汇总表中标明"),
        ));
    }
    let mut per: BTreeMap<&str, Totals> = BTreeMap::new();
    for ((scheme, m), t) in &inv.by_scheme_month {
        if *m <= through {
            let e = per.entry(scheme.as_str()).or_default();
            e.decided += t.decided;
            e.paid += t.paid;
            e.failed += t.failed;
            e.outstanding += t.outstanding;
            e.unissued += t.unissued;
        }
    }
    for (scheme, t) in &per {
        let (d, i, p, f, o, u) = (
            Fen(t.decided),
            Fen(t.issued()),
            Fen(t.paid),
            Fen(t.failed),
            Fen(t.outstanding),
            Fen(t.unissued),
        );
        let label = scheme_label(policy, scheme);
        out.push_str(&tr(
            format!(
                "\n  money check {label} to {through}: decided {d} = issued {i} (paid {p} + failed {f} + outstanding \
                 {o}) + unissued {u}"
            ),
            format!(
                "\n  资金核对 {label} 截至 {through}: 核定 {d} = 已发放 {i} (成功 {p} + 失败 {f} + 待回盘 {o}) + 未发放 {u}"
            ),
        ));
    }
    let mut txn = Txn::new();
    // What `--json` says of the files written (docs/json.md).
    let mut files_json: Vec<serde_json::Value> = Vec::new();
    let mut summary_json = None;
    if let Some(rec) = &recorded {
        let files = bank_files(policy, &st, rec, &in_batch)?;
        for f in &files {
            files_json.push(serde_json::json!({
                "path": f.path.display().to_string(),
                "bank": f.bank,
                "profile": f.profile,
                "payments": f.count,
                "amount": Fen(f.sum).to_string(),
            }));
            out.push_str(&tr(
                format!(
                    "\n  {}: {} payments, {} ({})",
                    f.path.display(),
                    f.count,
                    Fen(f.sum),
                    f.profile
                ),
                format!(
                    "\n  {}: {} 笔, {} 元 (格式 `{}`)",
                    f.path.display(),
                    f.count,
                    Fen(f.sum),
                    f.profile
                ),
            ));
            txn.put(&f.path, f.bytes.clone());
            if !f.unlisted.is_empty() {
                let banks = f.unlisted.join("、");
                let profile = &f.profile;
                out.push_str(&tr(
                    format!(
                        "\n  warning: {banks} has no bank profile of its own: written in the layout of `{profile}` \
                         (disbursement.default_profile); check that the bank reads it, or map the bank under \
                         disbursement.banks in jiuzhu.yaml"
                    ),
                    format!(
                        "\n  注意: {banks} 没有自己的银行格式, 已按 `{profile}` (disbursement.default_profile) 的格式写出; \
                         请向银行确认能否读取, 或在 jiuzhu.yaml 的 disbursement.banks 下为该银行指定格式"
                    ),
                ));
            }
        }
        let replaced: usize = files.iter().map(|f| f.replaced.len()).sum();
        if replaced > 0 {
            out.push_str(&crate::i18n::tr(
                format!(
                    "\n  {replaced} values hold characters their bank file's encoding cannot hold (rare characters, \
                     生僻字): written with the profile's replacement and listed in the 汇总表 (sheet 替换字符); check \
                     those payments with the bank, or use `encoding: gb18030` if the bank reads it"
                ),
                format!(
                    "\n  {replaced} 处内容含银行文件编码无法表示的字符 (生僻字): 已按 replacement 替换写入, 并列在汇总表的 \
                     「替换字符」表中; 请与银行核对这些付款, 若银行支持 GB18030 可设 `encoding: gb18030`"
                ),
            ));
        }
        let summary_rel = PathBuf::from("reports").join(format!("disburse-{batch}-汇总表.xlsx"));
        txn.put(
            &summary_rel,
            summary_workbook(policy, &st, rec, &in_batch, &files, &unpaid, &over_text)?,
        );
        summary_json = Some(summary_rel.display().to_string());
        out.push_str(&tr(
            format!("\n  to sign: {}", summary_rel.display()),
            format!("\n  待签字: {}", summary_rel.display()),
        ));
        if !rec.budget_override.is_empty() {
            out.push_str(&tr(
                format!("\n  budget overridden: {}", rec.budget_override),
                format!("\n  超预算发放: {}", rec.budget_override),
            ));
        }
    } else {
        out.push_str(&tr("\n  nothing due: no batch issued", "\n  没有应发款项: 未生成批次"));
    }
    if !found_lines.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} overpayments recorded to recover (追回, ledgers/recoveries.csv):",
                found_lines.len()
            ),
            format!("\n  登记多发待追回 {} 笔 (ledgers/recoveries.csv):", found_lines.len()),
        ));
        for l in &found_lines {
            out.push('\n');
            out.push_str(l);
        }
    }
    let open_recoveries: Vec<&Recovery> = st
        .recoveries
        .iter()
        .filter(|r| r.status == crate::ledger::RecoveryStatus::Open)
        .collect();
    if !open_recoveries.is_empty() {
        let sum = Fen(open_recoveries.iter().map(|r| r.outstanding().0).sum());
        out.push_str(&tr(
            format!(
                "\n  {} overpayments still to recover, {sum} (sheet 追回 of the 汇总表; `{} recover` lists them)",
                open_recoveries.len(),
                ws.jiuzhu()
            ),
            format!(
                "\n  待追回多发款 {} 笔, 共 {sum} 元 (见汇总表「追回」表; `{} recover` 可列出)",
                open_recoveries.len(),
                ws.jiuzhu()
            ),
        ));
    }
    if pending_next > 0 {
        out.push_str(&tr(
            format!("\n  {pending_next} payments became due after this batch was issued: they go into the next batch"),
            format!("\n  {pending_next} 笔在本批次发放后才到期: 并入下一批次"),
        ));
    }
    for u in unpaid.iter().take(50) {
        let name = st
            .case(&u.case_id)
            .map(|c| c.applicant_name.0.clone())
            .unwrap_or_default();
        out.push_str(&tr(
            format!(
                "\n  not paid {} {name} {} {}: {}",
                u.case_id, u.month, u.amount, u.reason.en
            ),
            format!(
                "\n  未发放 {} {name} {} {}: {}",
                u.case_id, u.month, u.amount, u.reason.zh
            ),
        ));
    }
    // Approved decisions not yet in force pay nothing: say so, since a decide run without --as-of after the notice
    // leaves them approved (the date it takes is the latest in the workspace, never the clock).
    let approved = st
        .decisions
        .iter()
        .filter(|d| d.status == crate::ledger::DecisionStatus::Approved)
        .count();
    if approved > 0 {
        out.push_str(&tr(
            format!(
                "\n  {approved} approved decisions are not in force yet and pay nothing: once their notice is over, \
                 run `{} decide --period {period} --as-of DATE`, then this step again",
                ws.jiuzhu()
            ),
            format!(
                "\n  {approved} 个已批准的决定尚未生效, 不发放: 公示期满后运行 `{} decide --period {period} --as-of 日期`, \
                 再运行本步骤",
                ws.jiuzhu()
            ),
        ));
    }
    if crate::ui::json() {
        use serde_json::json;
        let sums = |key: &dyn Fn(&Payment) -> String| -> serde_json::Map<String, serde_json::Value> {
            let mut by: BTreeMap<String, (usize, i64)> = BTreeMap::new();
            for p in &in_batch {
                let e = by.entry(key(p)).or_default();
                e.0 += 1;
                e.1 += p.amount.0;
            }
            by.into_iter()
                .map(|(k, (n, sum))| (k, json!({"payments": n, "amount": Fen(sum).to_string()})))
                .collect()
        };
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("period", period.to_string());
        crate::ui::record("batch", recorded.as_ref().map(|_| batch.to_string()));
        crate::ui::record("already_issued", frozen);
        crate::ui::record("payments", in_batch.len());
        crate::ui::record("total", total.to_string());
        crate::ui::record("arrears", arrears);
        crate::ui::record("urgent", urgent);
        crate::ui::record("reissued", reissued.len());
        crate::ui::record("by_bank", sums(&|p| p.bank_name.0.clone()));
        crate::ui::record("by_scheme", sums(&|p| p.scheme.clone()));
        crate::ui::record(
            "by_township",
            sums(&|p| st.case(&p.case_id).map(|c| c.township.0.clone()).unwrap_or_default()),
        );
        let not_paid: Vec<serde_json::Value> = unpaid
            .iter()
            .map(|u| {
                json!({"case_id": u.case_id, "month": u.month.to_string(), "amount": u.amount.to_string(),
                       "reason": crate::i18n::tr(u.reason.en.clone(), u.reason.zh.clone())})
            })
            .collect();
        crate::ui::record("not_paid", not_paid);
        crate::ui::record("approved_not_in_force", approved);
        crate::ui::record("payments_for_next_batch", pending_next);
        crate::ui::record("files", std::mem::take(&mut files_json));
        crate::ui::record("summary", summary_json.take());
    }
    let outcome = if unpaid.is_empty() && approved == 0 {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    if !recovery_events.is_empty() {
        st.chain.append(recovery_events);
        txn.put(ledger::path_of::<Recovery>(), ledger::to_bytes(&st.recoveries)?);
        if added == 0 {
            st.chain.put(&mut txn)?;
        }
    }
    if added > 0 {
        st.chain.append([NewEvent {
            step: "disburse".into(),
            detail: format!(
                "batch {batch} ({}): {added} payments, {total}; {arrears} arrears, {} reissued, {} not paid{}",
                recorded.as_ref().map(|b| b.months.clone()).unwrap_or_default(),
                reissued.len(),
                unpaid.len(),
                match override_used {
                    Some(r) => format!(
                        "; budget override: {r} ({})",
                        over_text.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join("; ")
                    ),
                    None => String::new(),
                }
            ),
            inputs: inputs(ws, &["cases.csv", "decisions.csv", "payments.csv"], &[])?,
            ..NewEvent::default()
        }]);
        txn.put(ledger::path_of::<Payment>(), ledger::to_bytes(&st.payments)?);
        txn.put(ledger::path_of::<Batch>(), ledger::to_bytes(&st.batches)?);
        st.chain.put(&mut txn)?;
    }
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

fn scheme_label<'a>(policy: &'a Policy, key: &'a str) -> &'a str {
    policy.schemes.get(key).map(|s| s.label.as_str()).unwrap_or(key)
}

// ---------------------------------------------------------------------------------------------------------------
// Bank files.

/// One bank file of a batch with its control totals.
struct BankFile {
    path: PathBuf,
    profile: String,
    bank: String,
    count: usize,
    sum: i64,
    bytes: Vec<u8>,
    /// Values written otherwise than they are, because the file's encoding cannot hold a character of theirs.
    replaced: Vec<Replaced>,
    /// The banks of this file that have no profile of their own (not under `disbursement.banks`): written in the
    /// default profile's layout, which they may not read.
    unlisted: Vec<String>,
}

/// A value of a payment's line with a character the bank file's encoding cannot hold (a rare character, 生僻字,
/// under GBK), written with the profile's replacement instead: listed in the 汇总表 for the clerk to check.
struct Replaced {
    payment_id: String,
    case_id: String,
    column: String,
    original: String,
    written: String,
}

/// The batch's payments grouped by the file their bank's profile names, each rendered in that format.
fn bank_files(policy: &Policy, st: &State, batch: &Batch, payments: &[&Payment]) -> Result<Vec<BankFile>> {
    let mut groups: BTreeMap<(String, PathBuf), (String, Vec<&Payment>)> = BTreeMap::new();
    let mut missing = BTreeSet::new();
    // The file's path → the banks in it that have no profile of their own.
    let mut unlisted: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for p in payments {
        let bank = p.bank_name.trim().to_string();
        let Some((name, profile)) = policy.disbursement.profile_for(&bank) else {
            missing.insert(if bank.is_empty() {
                tr("(开户银行 blank)", "(开户银行为空)")
            } else {
                bank
            });
            continue;
        };
        let file = profile
            .file_name
            .replace("{bank}", &safe_file_name(if bank.is_empty() { name } else { &bank }))
            .replace("{period}", &batch.batch.to_string())
            .replace("{profile}", name);
        let path = PathBuf::from("reports").join("bank").join(file);
        if !bank.is_empty() && !policy.disbursement.banks.contains_key(&bank) {
            unlisted.entry(path.clone()).or_default().insert(bank.clone());
        }
        groups
            .entry((name.to_string(), path))
            .or_insert_with(|| (bank.clone(), Vec::new()))
            .1
            .push(p);
    }
    if !missing.is_empty() {
        let banks = missing.into_iter().collect::<Vec<_>>().join("、");
        bail!(
            "{}",
            tr(
                format!(
                    "no bank profile for {banks}: map the bank to a profile under disbursement.banks in jiuzhu.yaml, \
                     or set disbursement.default_profile"
                ),
                format!(
                    "{banks} 没有对应的银行格式: 请在 jiuzhu.yaml 的 disbursement.banks 下为该银行指定格式, 或设置 \
                     disbursement.default_profile"
                ),
            )
        );
    }
    if policy.disbursement.unlisted_bank == crate::policy::UnlistedBank::Refuse && !unlisted.is_empty() {
        let banks = unlisted.values().flatten().cloned().collect::<Vec<_>>().join("、");
        bail!(
            "{}",
            tr(
                format!(
                    "{banks}: no bank profile of its own, and disbursement.unlisted_bank is `refuse`: map the bank to \
                     the profile of the file it reads under disbursement.banks in jiuzhu.yaml; nothing was issued"
                ),
                format!(
                    "{banks} 没有自己的银行格式, 且 disbursement.unlisted_bank 为 `refuse`: 请在 jiuzhu.yaml 的 \
                     disbursement.banks 下为该银行指定它能读取的格式; 未生成任何批次"
                ),
            )
        );
    }
    let mut out = Vec::new();
    for ((name, path), (bank, mut ps)) in groups {
        ps.sort_by(|a, b| (&a.case_id, &a.period, &a.payment_id).cmp(&(&b.case_id, &b.period, &b.payment_id)));
        let profile = &policy.disbursement.profiles[&name];
        let sum: i64 = ps.iter().map(|p| p.amount.0).sum();
        let (bytes, replaced) = render_bank_file(policy, st, profile, batch.batch, &bank, &ps).with_context(|| {
            tr(
                format!("bank file {} (profile {name})", path.display()),
                format!("银行文件 {} (格式 `{name}`)", path.display()),
            )
        })?;
        out.push(BankFile {
            unlisted: unlisted
                .remove(&path)
                .map(|b| b.into_iter().collect())
                .unwrap_or_default(),
            path,
            bank,
            count: ps.len(),
            sum,
            bytes,
            replaced,
            profile: name,
        });
    }
    Ok(out)
}

fn amount_text(f: Fen, format: AmountFormat) -> String {
    match format {
        AmountFormat::Yuan => f.to_string(),
        AmountFormat::Fen => f.0.to_string(),
    }
}

/// 附言: the month, the scheme, and what kind of payment it is.
fn note(policy: &Policy, p: &Payment) -> String {
    let mut s = format!("{} {}", p.period, scheme_label(policy, &p.scheme));
    if p.kind != PaymentKind::Regular {
        s.push(' ');
        s.push_str(p.kind.label_zh());
    }
    if p.urgent {
        s.push_str(" 先行救助");
    }
    s
}

fn field_value(policy: &Policy, st: &State, col: &BankColumn, seq: usize, p: &Payment, bank: &str) -> String {
    let case = st.case(&p.case_id);
    match col.field {
        BankField::Seq => seq.to_string(),
        BankField::PaymentId => p.payment_id.clone(),
        BankField::CaseId => p.case_id.clone(),
        BankField::Name => p.payee_name.0.clone(),
        BankField::Account => p.account.0.clone(),
        BankField::Amount => String::new(), // formatted by the caller
        BankField::IdMasked => case.map(|c| c.applicant_id_number.masked()).unwrap_or_default(),
        BankField::IdNumber => case
            .map(|c| c.applicant_id_number.as_str().to_string())
            .unwrap_or_default(),
        BankField::Bank => bank.to_string(),
        BankField::Period => p.period.to_string(),
        BankField::Scheme => scheme_label(policy, &p.scheme).to_string(),
        BankField::Village => case.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default(),
        BankField::Note => note(policy, p),
        BankField::Text => col.text.clone(),
        BankField::Status | BankField::Reason | BankField::Skip => String::new(),
    }
}

/// `s` as the bank file's encoding can hold it: each character it cannot hold is written as the profile's
/// `replacement` (which the policy holds to the encoding).
fn fit<'a>(s: &'a str, profile: &BankProfile) -> std::borrow::Cow<'a, str> {
    if s.chars().all(|c| profile.encoding.holds(c)) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if profile.encoding.holds(c) {
                c.to_string()
            } else {
                profile.replacement.clone()
            }
        })
        .collect::<String>()
        .into()
}

/// Text in the bank file's encoding; `s` has been [`fit`] to it.
fn encode(s: &str, enc: BankEncoding) -> Vec<u8> {
    match enc {
        BankEncoding::Utf8 => s.as_bytes().to_vec(),
        BankEncoding::Gbk => encoding_rs::GBK.encode(s).0.into_owned(),
        BankEncoding::Gb18030 => encoding_rs::GB18030.encode(s).0.into_owned(),
    }
}

fn decode(bytes: &[u8], enc: BankEncoding) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match enc {
        BankEncoding::Utf8 => std::str::from_utf8(bytes).map(str::to_string).map_err(|_| {
            anyhow!(
                "{}",
                tr(
                    "the file is not UTF-8; is the profile's encoding right?",
                    "文件不是 UTF-8 编码; 请检查银行格式中的 `encoding` 设置"
                )
            )
        }),
        BankEncoding::Gbk | BankEncoding::Gb18030 => {
            let (s, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                bail!(
                    "{}",
                    tr(
                        "the file is not GBK text; is the profile's encoding right?",
                        "文件不是 GBK 编码的文本; 请检查银行格式中的 `encoding` 设置"
                    )
                );
            }
            Ok(s.into_owned())
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn pad(bytes: Vec<u8>, col: &BankColumn) -> Result<Vec<u8>> {
    if bytes.len() > col.width {
        let value = String::from_utf8_lossy(&bytes);
        let shown = match col.field {
            BankField::Account => mask::account(&value),
            BankField::IdNumber => mask::id(&value),
            _ => value.into_owned(),
        };
        bail!(
            "{}",
            tr(
                format!(
                    "`{shown}` is {} bytes, wider than the column `{}` ({} bytes)",
                    bytes.len(),
                    col.label,
                    col.width
                ),
                format!(
                    "`{shown}` 占 {} 字节, 超过栏目 `{}` 的宽度 ({} 字节)",
                    bytes.len(),
                    col.label,
                    col.width
                ),
            )
        );
    }
    let fill = vec![col.pad as u8; col.width - bytes.len()];
    Ok(match col.align {
        crate::policy::Align::Left => [bytes, fill].concat(),
        crate::policy::Align::Right => [fill, bytes].concat(),
    })
}

/// Renders a bank file: header (if any), one line per payment, and the control-total row where the profile
/// puts it; and the values written with a replacement character, for the 汇总表.
fn render_bank_file(
    policy: &Policy,
    st: &State,
    profile: &BankProfile,
    batch: Period,
    bank: &str,
    ps: &[&Payment],
) -> Result<(Vec<u8>, Vec<Replaced>)> {
    let sum = Fen(ps.iter().map(|p| p.amount.0).sum());
    let summary = profile.summary.as_ref().map(|s| {
        let text = s
            .format
            .replace("{count}", &ps.len().to_string())
            .replace("{sum_yuan}", &sum.to_string())
            .replace("{sum_fen}", &sum.0.to_string())
            .replace("{sum}", &amount_text(sum, profile.amount_format))
            .replace("{period}", &batch.to_string())
            .replace("{bank}", bank);
        (s.position, text)
    });
    let cells = |seq: usize, p: &Payment| -> Vec<String> {
        profile
            .columns
            .iter()
            .map(|c| match c.field {
                BankField::Amount => amount_text(p.amount, profile.amount_format),
                _ => field_value(policy, st, c, seq, p, bank),
            })
            .collect()
    };
    if profile.file_type == BankFileType::Xlsx {
        let columns = profile
            .columns
            .iter()
            .map(|c| {
                let kind = match c.field {
                    BankField::Amount if profile.amount_format == AmountFormat::Yuan => Kind::Money,
                    BankField::Seq => Kind::Count,
                    BankField::Name | BankField::Note | BankField::Bank | BankField::Scheme | BankField::Village => {
                        Kind::Text
                    }
                    _ => Kind::Code,
                };
                Column::new(&c.label, kind)
            })
            .collect();
        let mut rows: Vec<Vec<Value>> = ps
            .iter()
            .enumerate()
            .map(|(i, p)| {
                profile
                    .columns
                    .iter()
                    .zip(cells(i + 1, p))
                    .map(|(c, v)| match c.field {
                        BankField::Amount if profile.amount_format == AmountFormat::Yuan => Value::Money(p.amount),
                        BankField::Seq => Value::Count(i as i64 + 1),
                        _ => Value::Text(v),
                    })
                    .collect()
            })
            .collect();
        let mut title = None;
        match &summary {
            Some((SummaryPosition::First, t)) => title = Some(t.clone()),
            Some((SummaryPosition::Last, t)) => rows.push(t.split(',').map(|x| Value::Text(x.to_string())).collect()),
            None => {}
        }
        let bytes = writer::workbook_bytes(&[SheetSpec {
            name: "代发".into(),
            title,
            columns,
            rows,
            batch: None,
            print: Default::default(),
        }])?;
        return Ok((bytes, Vec::new()));
    }
    let eol: &[u8] = match profile.line_ending {
        LineEnding::Crlf => b"\r\n",
        LineEnding::Lf => b"\n",
    };
    // Each value fit to the file's encoding; what a payment's line had replaced is listed.
    let mut replaced = Vec::new();
    let mut line = |values: Vec<String>, payment: Option<&Payment>| -> Result<Vec<u8>> {
        let values: Vec<String> = profile
            .columns
            .iter()
            .zip(values)
            .map(|(c, v)| {
                let written = fit(&v, profile).into_owned();
                if let (Some(p), true) = (payment, written != v) {
                    replaced.push(Replaced {
                        payment_id: p.payment_id.clone(),
                        case_id: p.case_id.clone(),
                        column: c.label.clone(),
                        original: v,
                        written: written.clone(),
                    });
                }
                written
            })
            .collect();
        match profile.file_type {
            BankFileType::Fixed => {
                let mut out = Vec::new();
                for (c, v) in profile.columns.iter().zip(values) {
                    out.extend(pad(encode(&v, profile.encoding), c)?);
                }
                Ok(out)
            }
            _ => {
                let joined: Vec<String> = values.iter().map(|v| csv_field(&text::neutralise(v))).collect();
                Ok(encode(&joined.join(","), profile.encoding))
            }
        }
    };
    let mut out = Vec::new();
    let mut push = |bytes: Vec<u8>| {
        out.extend(bytes);
        out.extend_from_slice(eol);
    };
    if let Some((SummaryPosition::First, t)) = &summary {
        push(encode(&fit(t, profile), profile.encoding));
    }
    if profile.header {
        let labels: Vec<String> = profile.columns.iter().map(|c| c.label.clone()).collect();
        push(line(labels, None)?);
    }
    for (i, p) in ps.iter().enumerate() {
        push(line(cells(i + 1, p), Some(p))?);
    }
    if let Some((SummaryPosition::Last, t)) = &summary {
        push(encode(&fit(t, profile), profile.encoding));
    }
    Ok((out, replaced))
}

/// The sign-off summary (汇总表): totals by scheme and village, the bank files' control totals, every payment,
/// what was not paid and why, and any budget override.
fn summary_workbook(
    policy: &Policy,
    st: &State,
    batch: &Batch,
    payments: &[&Payment],
    files: &[BankFile],
    unpaid: &[Unpaid],
    over: &[Msg],
) -> Result<Vec<u8>> {
    // (scheme, township, village) → (cases, payments, fen)
    type Place = (String, String, String);
    let mut by: BTreeMap<Place, (BTreeSet<&str>, i64, i64)> = BTreeMap::new();
    for p in payments {
        let c = st.case(&p.case_id);
        let key = (
            scheme_label(policy, &p.scheme).to_string(),
            c.map(|c| c.township.0.clone()).unwrap_or_default(),
            c.map(|c| c.village.0.clone()).unwrap_or_default(),
        );
        let e = by.entry(key).or_default();
        e.0.insert(p.case_id.as_str());
        e.1 += 1;
        e.2 += p.amount.0;
    }
    let mut rows: Vec<Vec<Value>> = by
        .iter()
        .map(|((s, t, v), (cases, n, sum))| {
            vec![
                Value::from(s.as_str()),
                Value::from(t.as_str()),
                Value::from(v.as_str()),
                Value::Count(cases.len() as i64),
                Value::Count(*n),
                Value::Money(Fen(*sum)),
            ]
        })
        .collect();
    let all_cases: BTreeSet<&str> = payments.iter().map(|p| p.case_id.as_str()).collect();
    rows.push(vec![
        Value::from("合计"),
        Value::Empty,
        Value::Empty,
        Value::Count(all_cases.len() as i64),
        Value::Count(payments.len() as i64),
        Value::Money(batch.amount),
    ]);
    if !batch.budget_override.is_empty() {
        rows.push(vec![Value::from(format!("超预算发放: {}", batch.budget_override))]);
        for o in over {
            rows.push(vec![Value::from(o.zh())]);
        }
    }
    for who in ["经办人签字:", "审核人签字:", "单位负责人签字:"] {
        rows.push(vec![Value::from(who)]);
    }
    let mut sheets = vec![SheetSpec {
        name: "汇总".into(),
        title: Some(format!(
            "{} 社会救助资金发放汇总表 批次 {} (所属月份 {})",
            policy.region.name,
            batch.batch,
            batch.months.replace(';', "、")
        )),
        columns: vec![
            Column::new("救助类别", Kind::Text),
            Column::new("乡镇(街道)", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("户数", Kind::Count),
            Column::new("笔数", Kind::Count),
            Column::new("金额(元)", Kind::Money),
        ],
        rows,
        batch: None,
        print: Default::default(),
    }];
    sheets.push(SheetSpec {
        name: "银行文件".into(),
        title: Some("银行代发文件及控制数".into()),
        columns: vec![
            Column::new("文件", Kind::Text),
            Column::new("开户银行", Kind::Text),
            Column::new("格式", Kind::Text),
            Column::new("笔数", Kind::Count),
            Column::new("金额(元)", Kind::Money),
        ],
        rows: files
            .iter()
            .map(|f| {
                vec![
                    Value::from(f.path.display().to_string()),
                    Value::from(f.bank.as_str()),
                    Value::from(f.profile.as_str()),
                    Value::Count(f.count as i64),
                    Value::Money(Fen(f.sum)),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    });
    let mut detail: Vec<&&Payment> = payments.iter().collect();
    detail.sort_by(|a, b| (&a.case_id, &a.period, &a.payment_id).cmp(&(&b.case_id, &b.period, &b.payment_id)));
    sheets.push(SheetSpec {
        name: "明细".into(),
        title: None,
        columns: vec![
            Column::new("流水号", Kind::Code),
            Column::new("案件编号", Kind::Code),
            Column::new("姓名", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("救助类别", Kind::Text),
            Column::new("所属月份", Kind::Code),
            Column::new("类型", Kind::Text),
            Column::new("先行救助", Kind::Text),
            Column::new("开户银行", Kind::Text),
            Column::new("账号", Kind::Code),
            Column::new("金额(元)", Kind::Money),
        ],
        rows: detail
            .iter()
            .map(|p| {
                let c = st.case(&p.case_id);
                vec![
                    Value::from(p.payment_id.as_str()),
                    Value::from(p.case_id.as_str()),
                    Value::from(p.payee_name.as_str()),
                    Value::from(c.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default()),
                    Value::from(scheme_label(policy, &p.scheme)),
                    Value::from(p.period.to_string()),
                    Value::from(p.kind.label_zh()),
                    Value::from(if p.urgent { "是" } else { "" }),
                    Value::from(p.bank_name.as_str()),
                    Value::from(mask::account(&p.account)),
                    Value::Money(p.amount),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    });
    let replaced: Vec<(&BankFile, &Replaced)> = files
        .iter()
        .flat_map(|f| f.replaced.iter().map(move |r| (f, r)))
        .collect();
    if !replaced.is_empty() {
        sheets.push(SheetSpec {
            name: "替换字符".into(),
            title: Some(
                "银行文件编码无法表示的字符 (生僻字) 已按银行格式设定的替代字符写入: 请与银行核对这些付款".into(),
            ),
            columns: vec![
                Column::new("流水号", Kind::Code),
                Column::new("案件编号", Kind::Code),
                Column::new("银行文件", Kind::Text),
                Column::new("栏目", Kind::Text),
                Column::new("原文", Kind::Text),
                Column::new("写入银行文件", Kind::Text),
            ],
            rows: replaced
                .iter()
                .map(|(f, r)| {
                    vec![
                        Value::from(r.payment_id.as_str()),
                        Value::from(r.case_id.as_str()),
                        Value::from(f.path.display().to_string()),
                        Value::from(r.column.as_str()),
                        Value::from(r.original.as_str()),
                        Value::from(r.written.as_str()),
                    ]
                })
                .collect(),
            batch: None,
            print: Default::default(),
        });
    }
    sheets.push(SheetSpec {
        name: "未发放".into(),
        title: Some("未发放: 更正账号后下一批次发放".into()),

        columns: vec![
            Column::new("案件编号", Kind::Code),
            Column::new("姓名", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("所属月份", Kind::Code),
            Column::new("金额(元)", Kind::Money),
            Column::new("原因", Kind::Text),
        ],
        rows: unpaid
            .iter()
            .map(|u| {
                let c = st.case(&u.case_id);
                vec![
                    Value::from(u.case_id.as_str()),
                    Value::from(c.map(|c| c.applicant_name.0.clone()).unwrap_or_default()),
                    Value::from(c.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default()),
                    Value::from(u.month.to_string()),
                    Value::Money(u.amount),
                    Value::from(u.reason.zh()),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    });
    if !st.recoveries.is_empty() {
        sheets.push(crate::cmd::recover::sheet(policy, &st.recoveries, &st.cases));
    }
    writer::workbook_bytes(&sheets)
}

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation.

/// One line of a bank's return file.
#[derive(Debug, Clone)]
struct ReturnLine {
    line: usize,
    payment_id: String,
    account: String,
    amount: Option<Fen>,
    ok: Option<bool>,
    status_text: String,
    reason: String,
}

/// Reads a return file by its profile: csv/xlsx by header labels (or positions), fixed-width by byte widths.
fn parse_return(profile: &BankProfile, shown: &str, bytes: &[u8]) -> Result<Vec<ReturnLine>> {
    let rf = &profile.returns;
    let ftype = rf.file_type.unwrap_or(profile.file_type);
    let enc = rf.encoding.unwrap_or(profile.encoding);
    let amount_format = profile.amount_format;
    let rows: Vec<Vec<String>> = match ftype {
        BankFileType::Xlsx => {
            let wb = reader::read_workbook_bytes(&format!("{shown}.xlsx"), bytes, Encoding::Detect)?;
            let sheet = wb.sheets.first().ok_or_else(|| {
                anyhow!(
                    "{}",
                    tr(format!("{shown} has no sheets"), format!("{shown} 没有工作表"))
                )
            })?;
            sheet
                .rows
                .iter()
                .map(|r| r.iter().map(|c| c.text.clone()).collect())
                .collect()
        }
        BankFileType::Csv => {
            let text = decode(bytes, enc).with_context(|| shown.to_string())?;
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for r in rdr.records() {
                let r = r.with_context(|| {
                    tr(
                        format!("{shown}: not readable as CSV"),
                        format!("{shown}: 无法按 CSV 读取"),
                    )
                })?;
                rows.push(r.iter().map(text::normalize).collect());
            }
            rows
        }
        BankFileType::Fixed => {
            let mut rows = Vec::new();
            for raw in bytes.split(|&b| b == b'\n') {
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                let mut cells = Vec::new();
                let mut at = 0;
                for c in &rf.columns {
                    let end = (at + c.width).min(raw.len());
                    let piece = raw.get(at..end).unwrap_or(&[]);
                    cells.push(text::normalize(
                        decode(piece, enc).with_context(|| shown.to_string())?.trim(),
                    ));
                    at = end;
                }
                rows.push(cells);
            }
            rows
        }
    };
    // Column positions: by label under a header, else by order.
    let mut start = 0;
    let mut pos: Vec<Option<usize>> = (0..rf.columns.len()).map(Some).collect();
    if rf.header && ftype != BankFileType::Fixed {
        let wanted: Vec<String> = rf.columns.iter().map(|c| text::normalize_key(&c.label)).collect();
        let found = rows.iter().enumerate().take(30).find_map(|(i, r)| {
            let keys: Vec<String> = r.iter().map(|c| text::normalize_key(c)).collect();
            let p: Vec<Option<usize>> = wanted.iter().map(|w| keys.iter().position(|k| k == w)).collect();
            let essential = rf
                .columns
                .iter()
                .zip(&p)
                .all(|(c, x)| x.is_some() || !matches!(c.field, BankField::Status | BankField::Amount))
                && rf
                    .columns
                    .iter()
                    .zip(&p)
                    .any(|(c, x)| x.is_some() && matches!(c.field, BankField::PaymentId | BankField::Account));
            essential.then_some((i, p))
        });
        let (i, p) = found.ok_or_else(|| {
            let cols = rf
                .columns
                .iter()
                .map(|c| c.label.as_str())
                .collect::<Vec<_>>()
                .join("、");
            anyhow!(
                "{}",
                tr(
                    format!("{shown}: no header row with the columns {cols} (profile returns.columns)"),
                    format!("{shown}: 找不到含 {cols} 各列的表头行 (银行格式的 returns.columns)"),
                )
            )
        })?;
        start = i + 1;
        pos = p;
    } else if rf.header {
        start = 1;
    }
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate().skip(start) {
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if r.iter()
            .any(|c| c.starts_with("合计") || c.starts_with("总计") || c.starts_with("汇总"))
        {
            continue;
        }
        let get = |field: BankField| -> String {
            rf.columns
                .iter()
                .zip(&pos)
                .find(|(c, _)| c.field == field)
                .and_then(|(_, p)| p.and_then(|p| r.get(p)))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let amount_raw = get(BankField::Amount);
        let amount = match amount_format {
            AmountFormat::Yuan => Fen::parse_yuan(&amount_raw).ok(),
            AmountFormat::Fen => amount_raw.trim().parse::<i64>().ok().map(Fen),
        };
        let status_text = get(BankField::Status);
        let ok = if rf.success.contains(&status_text) {
            Some(true)
        } else if rf.failure.contains(&status_text) {
            Some(false)
        } else {
            None
        };
        out.push(ReturnLine {
            line: i + 1,
            payment_id: get(BankField::PaymentId),
            account: get(BankField::Account),
            amount,
            ok,
            status_text,
            reason: get(BankField::Reason),
        });
    }
    Ok(out)
}

fn reconcile(ws: &Workspace, args: &Request, file: &Path, profile: Option<&str>) -> Result<Outcome> {
    let policy = &ws.policy;
    let d = &policy.disbursement;
    let name = match profile {
        Some(p) => p.to_string(),
        None => match (&d.default_profile, d.profiles.len()) {
            (Some(p), _) => p.clone(),
            (None, 1) => d.profiles.keys().next().cloned().unwrap_or_default(),
            _ => {
                let names = d.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
                bail!(
                    "{}",
                    tr(
                        format!("give --profile NAME: which bank's return file is it? (profiles: {names})"),
                        format!("请用 --profile 指明这是哪家银行的回盘文件 (可选格式: {names})"),
                    )
                )
            }
        },
    };
    let prof = d.profiles.get(&name).ok_or_else(|| {
        anyhow!(
            "{}",
            tr(
                format!("no bank profile `{name}` under disbursement.profiles in jiuzhu.yaml"),
                format!("jiuzhu.yaml 的 disbursement.profiles 下没有银行格式 `{name}`"),
            )
        )
    })?;
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let sha = sha256_hex(&bytes);
    let lines = parse_return(prof, &shown, &bytes)?;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut marks: Vec<(usize, bool, String)> = Vec::new();
    if lines.is_empty() {
        problems.push(tr("the file has no payment lines", "文件中没有付款记录"));
    }
    // Payments found by ID, and outstanding ones by account, indexed once (a return file can list every payment
    // of a province: a scan per line is quadratic). Payments are not added or removed while the lines are read.
    let by_id: HashMap<&str, usize> = st
        .payments
        .iter()
        .enumerate()
        .map(|(i, p)| (p.payment_id.as_str(), i))
        .collect();
    let mut issued_to: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, p) in st.payments.iter().enumerate() {
        if p.status == PaymentStatus::Issued {
            issued_to.entry(p.account.0.as_str()).or_default().push(i);
        }
    }
    for l in &lines {
        let idx = if !l.payment_id.is_empty() {
            by_id.get(l.payment_id.as_str()).copied()
        } else {
            let hits: Vec<usize> = issued_to
                .get(l.account.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| Some(st.payments[i].amount) == l.amount)
                .collect();
            if hits.len() > 1 {
                problems.push(tr(
                    format!(
                        "line {}: account {} matches {} outstanding payments of the same amount; the bank must \
                         return payment IDs (流水号)",
                        l.line,
                        mask::account(&l.account),
                        hits.len()
                    ),
                    format!(
                        "第 {} 行: 账号 {} 对应 {} 笔金额相同的未回盘付款; 银行回盘须带流水号",
                        l.line,
                        mask::account(&l.account),
                        hits.len()
                    ),
                ));
                continue;
            }
            hits.first().copied()
        };
        let what = if l.payment_id.is_empty() {
            tr(
                format!("account {}", mask::account(&l.account)),
                format!("账号 {}", mask::account(&l.account)),
            )
        } else {
            tr(format!("payment {}", l.payment_id), format!("流水号 {}", l.payment_id))
        };
        let line = l.line;
        let Some(i) = idx else {
            problems.push(tr(
                format!("line {line}: {what} is not an outstanding payment of this workspace"),
                format!("第 {line} 行: {what} 不是本工作区未回盘的付款"),
            ));
            continue;
        };
        let p = &st.payments[i];
        let id = &p.payment_id;
        if let Some(prev) = seen.insert(p.payment_id.clone(), l.line) {
            problems.push(tr(
                format!("line {line}: {id} appears twice (also line {prev})"),
                format!("第 {line} 行: {id} 出现两次 (另见第 {prev} 行)"),
            ));
            continue;
        }
        match l.amount {
            None => problems.push(tr(
                format!("line {line}: amount is not readable"),
                format!("第 {line} 行: 金额无法识别"),
            )),
            Some(a) if a != p.amount => problems.push(tr(
                format!("line {line}: {id} amount {a} differs from the {} issued", p.amount),
                format!("第 {line} 行: {id} 的金额 {a} 与发放的 {} 不符", p.amount),
            )),
            _ => {}
        }
        if !l.account.is_empty() && l.account != p.account.0 {
            problems.push(tr(
                format!("line {line}: {id} account differs from the one issued"),
                format!("第 {line} 行: {id} 的账号与发放时的不符"),
            ));
        }
        if p.status != PaymentStatus::Issued {
            problems.push(tr(
                format!(
                    "line {line}: {id} of batch {} is already reconciled ({})",
                    p.batch,
                    p.status.as_str()
                ),
                format!(
                    "第 {line} 行: 批次 {} 的 {id} 已回盘 ({})",
                    p.batch,
                    p.status.label_zh()
                ),
            ));
        }
        match l.ok {
            None => {
                let (ok, bad) = (prof.returns.success.join("、"), prof.returns.failure.join("、"));
                problems.push(tr(
                    format!("line {line}: status `{}` is not one of {ok} / {bad}", l.status_text),
                    format!("第 {line} 行: 状态 `{}` 不是 {ok} / {bad} 之一", l.status_text),
                ))
            }
            Some(ok) => marks.push((i, ok, l.reason.clone())),
        }
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused whole, nothing changed:"),
                format!("{shown} 整个被拒收, 未做任何改动:")
            ),
            problems.into_iter().take(30).collect::<Vec<_>>().join("\n  ")
        );
    }
    let mut failed = Vec::new();
    let mut batches = BTreeSet::new();
    for (i, ok, reason) in &marks {
        let p = &mut st.payments[*i];
        batches.insert(p.batch);
        p.return_file = sha[..16].to_string();
        if *ok {
            p.status = PaymentStatus::Paid;
        } else {
            p.status = PaymentStatus::Failed;
            p.reason = Text(if reason.is_empty() {
                "未说明原因".into()
            } else {
                reason.clone()
            });
            failed.push(p.clone());
        }
    }
    let through = st
        .payments
        .iter()
        .map(|p| p.period)
        .max()
        .unwrap_or(Period::of(NaiveDate::MIN));
    let inv = check_invariants(policy, &st, through);
    refuse_on_violation(&inv)?;
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let (n, paid_n, failed_n) = (marks.len(), marks.len() - failed.len(), failed.len());
    let mut out = tr(
        format!("{prefix}disburse --reconcile {shown}: {n} lines: {paid_n} paid, {failed_n} failed"),
        format!("{prefix}回盘 {shown}: {n} 条: 成功 {paid_n} 笔, 失败 {failed_n} 笔"),
    );
    for b in &batches {
        let ps: Vec<&Payment> = st.payments.iter().filter(|p| &p.batch == b).collect();
        let sum = |s: PaymentStatus| Fen(ps.iter().filter(|p| p.status == s).map(|p| p.amount.0).sum());
        let (p, f, o, r) = (
            sum(PaymentStatus::Paid),
            sum(PaymentStatus::Failed),
            sum(PaymentStatus::Issued),
            sum(PaymentStatus::Reissued),
        );
        out.push_str(&tr(
            format!("\n  batch {b}: paid {p}, failed {f}, outstanding {o}, reissued {r}"),
            format!("\n  批次 {b}: 成功 {p}, 失败 {f}, 待回盘 {o}, 已重发 {r}"),
        ));
    }
    for f in &failed {
        out.push_str(&tr(
            format!(
                "\n  failed {} {} {} {} {}: {} — correct the account with a correction sheet (`jiuzhu correct`, field \
                 银行账号); the next batch reissues it",
                f.payment_id, f.case_id, f.payee_name, f.period, f.amount, f.reason
            ),
            format!(
                "\n  失败 {} {} {} {} {}: {} — 请用更正登记表更正银行账号 (`jiuzhu correct`); 下一批次将重发",
                f.payment_id, f.case_id, f.payee_name, f.period, f.amount, f.reason
            ),
        ));
    }

    // The payments this return should have answered and did not: of the batches and banks it answers, still
    // issued (lines deleted from the bank's file, or not yet returned). Other banks' payments of the batch come
    // back in their own files and are not named here.
    let answered: HashSet<usize> = marks.iter().map(|(i, _, _)| *i).collect();
    let banks: BTreeSet<&str> = marks.iter().map(|(i, _, _)| st.payments[*i].bank_name.trim()).collect();
    let (unanswered, unanswered_sum): (Vec<String>, i64) = st
        .payments
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            p.status == PaymentStatus::Issued
                && !answered.contains(i)
                && batches.contains(&p.batch)
                && banks.contains(p.bank_name.trim())
        })
        .fold((Vec::new(), 0), |(mut v, sum), (_, p)| {
            v.push(format!("{} ({} {})", p.payment_id, p.case_id, p.period));
            (v, sum + p.amount.0)
        });
    if !unanswered.is_empty() {
        let bank_list = banks.iter().copied().collect::<Vec<_>>().join("、");
        out.push_str(&tr(
            format!(
                "\n  {} payments to {bank_list} ({}) have no line in this return (rows removed, or not yet \
                 returned) and stay outstanding: {} — ask the bank for their result",
                unanswered.len(),
                Fen(unanswered_sum),
                crate::ui::first_of(&unanswered, 20, ", ")
            ),
            format!(
                "\n  {bank_list} 的 {} 笔发放 ({}) 在本回盘中没有记录 (行被删除或尚未回盘), 仍为未回盘: {} — 请向银行索取其结果",
                unanswered.len(),
                Fen(unanswered_sum),
                crate::ui::first_of(&unanswered, 20, ", ")
            ),
        ));
    }
    if crate::ui::json() {
        use serde_json::json;
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("lines", n);
        crate::ui::record("paid", paid_n);
        crate::ui::record("failed", failed_n);
        let by_batch: serde_json::Map<String, serde_json::Value> = batches
            .iter()
            .map(|b| {
                let ps: Vec<&Payment> = st.payments.iter().filter(|p| &p.batch == b).collect();
                let sum =
                    |s: PaymentStatus| Fen(ps.iter().filter(|p| p.status == s).map(|p| p.amount.0).sum()).to_string();
                (
                    b.to_string(),
                    json!({"paid": sum(PaymentStatus::Paid), "failed": sum(PaymentStatus::Failed),
                           "outstanding": sum(PaymentStatus::Issued), "reissued": sum(PaymentStatus::Reissued)}),
                )
            })
            .collect();
        crate::ui::record("batches", by_batch);
        let failed_list: Vec<serde_json::Value> = failed
            .iter()
            .map(|f| {
                json!({"payment_id": f.payment_id, "case_id": f.case_id, "period": f.period,
                       "amount": f.amount.to_string(), "reason": f.reason.to_string()})
            })
            .collect();
        crate::ui::record("failed_payments", failed_list);
        crate::ui::record("unanswered", unanswered.len());
        crate::ui::record("unanswered_amount", Fen(unanswered_sum).to_string());
    }
    let outcome = if failed.is_empty() && unanswered.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    let base = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("return")
        .to_string();
    st.chain.append([NewEvent {
        step: "disburse".into(),
        detail: format!(
            "reconcile {base} (profile {name}): {} paid, {} failed",
            marks.len() - failed.len(),
            failed.len()
        ),
        inputs: inputs(ws, &["payments.csv"], &[(base.clone(), sha.clone())])?,
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    txn.put(inbox_path(&base, &sha), bytes);
    txn.put(ledger::path_of::<Payment>(), ledger::to_bytes(&st.payments)?);
    st.chain.put(&mut txn)?;
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

// ---------------------------------------------------------------------------------------------------------------
// In-kind goods (物资).

const GOODS_ID: &str = "登记编号";
/// The ID column's header as versions before 0.x wrote it (their lists are still read back).
const GOODS_ID_OLD: &str = "登记编号 goods";
const SIGN: &str = "签字";
const RECEIVED_ON: &str = "领取日期";
const RECEIVED_QTY: &str = "实领数量";

fn header_index(row: &[String], names: &[&str]) -> Option<usize> {
    let keys: Vec<String> = names.iter().map(|n| text::normalize_key(n)).collect();
    row.iter().position(|c| keys.contains(&text::normalize_key(c)))
}

fn goods_plan(ws: &Workspace, args: &Request, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let sha = sha256_hex(&bytes);
    let plan = sha[..8].to_uppercase();
    let enc = args
        .encoding
        .as_deref()
        .map(Encoding::parse)
        .transpose()?
        .unwrap_or(Encoding::Detect);
    let wb = reader::read_workbook_bytes(&shown, &bytes, enc)?;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    let mut problems = Vec::new();
    let mut planned: Vec<Goods> = Vec::new();
    // The IDs planned so far, and the effective cases by their village's key (as written alone, and after the
    // township), found once: a scan per recipient or per village row is quadratic for a county-wide plan.
    let mut planned_ids: HashSet<String> = HashSet::default();
    let mut in_village: Option<HashMap<String, Vec<usize>>> = None;
    let mut found = false;
    for sheet in &wb.sheets {
        let grid: Vec<Vec<String>> = sheet
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.clone()).collect())
            .collect();
        let Some((h, cols)) = grid.iter().enumerate().take(30).find_map(|(i, r)| {
            let item = header_index(r, &["物资名称", "物资", "品名"])?;
            let qty = header_index(r, &["数量", "发放数量"])?;
            let unit = header_index(r, &["单位", "计量单位"])?;
            let case = header_index(r, &["案件编号", "case_id", "案件编号 case"]);
            let village = header_index(r, &["村(社区)", "村", "社区", "村居"]);
            (case.is_some() || village.is_some()).then_some((i, (item, qty, unit, case, village)))
        }) else {
            continue;
        };
        found = true;
        let (c_item, c_qty, c_unit, c_case, c_village) = cols;
        for (i, r) in grid.iter().enumerate().skip(h + 1) {
            let cell = |c: Option<usize>| {
                c.and_then(|c| r.get(c))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            if r.iter().all(|c| c.trim().is_empty()) || r.iter().any(|c| c.starts_with("合计") || c.starts_with("总计"))
            {
                continue;
            }
            let at = tr(
                format!("{} row {}", sheet.name, i + 1),
                format!("{} 第 {} 行", sheet.name, i + 1),
            );
            let item = cell(Some(c_item));
            let unit = cell(Some(c_unit));
            let Some(qty) = Quantity::parse(&cell(Some(c_qty))).filter(|q| q.0 > 0) else {
                let q = crate::domain::text::excerpt(&cell(Some(c_qty))).to_string();
                problems.push(tr(
                    format!("{at}: 数量 `{q}` is not a positive quantity"),
                    format!("{at}: 数量 `{q}` 不是正数"),
                ));
                continue;
            };
            if item.is_empty() || unit.is_empty() {
                problems.push(tr(
                    format!("{at}: 物资名称 and 单位 are required"),
                    format!("{at}: 须填写物资名称和单位"),
                ));
                continue;
            }
            let (case_id, village) = (cell(c_case), cell(c_village));
            let recipients: Vec<&Case> = if !case_id.is_empty() {
                match st.case(&case_id) {
                    Some(c) if c.status == CaseStatus::Effective => vec![c],
                    Some(c) => {
                        problems.push(tr(
                            format!(
                                "{at}: case {case_id} is {}, not receiving assistance",
                                c.status.as_str()
                            ),
                            format!("{at}: 案件 {case_id} 的状态为 `{}`, 不在享受救助", c.status.as_str()),
                        ));
                        continue;
                    }
                    None => {
                        problems.push(tr(
                            format!("{at}: no case {case_id}"),
                            format!("{at}: 没有案件 {case_id}"),
                        ));
                        continue;
                    }
                }
            } else if !village.is_empty() {
                let want = text::normalize_key(&village);
                let index = in_village.get_or_insert_with(|| {
                    let mut index: HashMap<String, Vec<usize>> = HashMap::default();
                    for (i, c) in st.cases.iter().enumerate() {
                        if c.status != CaseStatus::Effective {
                            continue;
                        }
                        let alone = text::normalize_key(&c.village);
                        let full = text::normalize_key(&format!("{}{}", c.township, c.village));
                        if full != alone {
                            index.entry(full).or_default().push(i);
                        }
                        index.entry(alone).or_default().push(i);
                    }
                    index
                });
                // In ledger order, each case once (it matches by either key).
                let v: Vec<&Case> = index
                    .get(&want)
                    .map(|is| is.iter().map(|&i| &st.cases[i]).collect())
                    .unwrap_or_default();
                if v.is_empty() {
                    problems.push(tr(
                        format!("{at}: no case receiving assistance in {village}"),
                        format!("{at}: {village} 没有正在享受救助的案件"),
                    ));
                    continue;
                }
                v
            } else {
                problems.push(tr(
                    format!("{at}: give 案件编号 or 村(社区)"),
                    format!("{at}: 请填写案件编号或村(社区)"),
                ));
                continue;
            };
            for c in recipients {
                let id = format!(
                    "G-{}",
                    &sha256_hex(format!("{plan}|{}|{item}", c.case_id).as_bytes())[..12].to_uppercase()
                );
                if !planned_ids.insert(id.clone()) {
                    problems.push(tr(
                        format!("{at}: {item} for case {} is planned twice", c.case_id),
                        format!("{at}: 案件 {} 的{item}计划了两次", c.case_id),
                    ));
                    continue;
                }
                planned.push(Goods {
                    goods_id: id,
                    plan: plan.clone(),
                    case_id: c.case_id.clone(),
                    village: Text(format!("{}{}", c.township, c.village)),
                    item: Text(item.clone()),
                    quantity: qty,
                    unit: Text(unit.clone()),
                    status: GoodsStatus::Planned,
                    received_on: None,
                    signed_by: Text::default(),
                    received_quantity: None,
                });
            }
        }
    }
    if !found {
        problems.push(tr(
            "no sheet with the columns 物资名称, 数量, 单位 and 案件编号 or 村(社区)",
            "没有含物资名称、数量、单位以及案件编号或村(社区)各列的工作表",
        ));
    } else if planned.is_empty() && problems.is_empty() {
        problems.push(tr("the plan has no rows", "计划中没有数据行"));
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused, nothing recorded:"),
                format!("{shown} 被拒收, 未记录任何内容:")
            ),
            problems.into_iter().take(30).collect::<Vec<_>>().join("\n  ")
        );
    }
    let known: BTreeSet<String> = st.goods.iter().map(|g| g.goods_id.clone()).collect();
    let new: Vec<Goods> = planned
        .iter()
        .filter(|g| !known.contains(&g.goods_id))
        .cloned()
        .collect();
    st.goods.extend(new.iter().cloned());
    let list: Vec<Goods> = st.goods.iter().filter(|g| g.plan == plan).cloned().collect();
    let rel = PathBuf::from("reports").join(format!("goods-{plan}.xlsx"));
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let recipients = list.iter().map(|g| g.case_id.as_str()).collect::<BTreeSet<_>>().len();
    let totals = item_totals(&list, |g| Some(g.quantity)).join(", ");
    let mut out = tr(
        format!("{prefix}disburse --goods {shown}: plan {plan}: {recipients} recipients, {totals}"),
        format!("{prefix}物资发放 {shown}: 计划 {plan}: {recipients} 户, {totals}"),
    );
    // Named only where it is written: a dry run says what it would write.
    if args.dry_run {
        out.push_str(&tr(
            format!("\n  distribution list would be {}", rel.display()),
            format!("\n  领取登记表将写入 {}", rel.display()),
        ));
    } else {
        out.push_str(&tr(
            format!(
                "\n  distribution list: {0} (recipients sign, then `{1} disburse --goods-receipts {0}`)",
                rel.display(),
                ws.jiuzhu()
            ),
            format!(
                "\n  领取登记表: {0} (领取人签字后运行 `{1} disburse --goods-receipts {0}`)",
                rel.display(),
                ws.jiuzhu()
            ),
        ));
    }
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(Outcome::Done);
    }
    let mut txn = Txn::new();
    if !new.is_empty() {
        let base = file.file_name().and_then(|n| n.to_str()).unwrap_or("plan").to_string();
        st.chain.append([NewEvent {
            step: "disburse".into(),
            detail: format!("goods plan {plan}: {} rows planned", new.len()),
            inputs: inputs(ws, &["cases.csv"], &[(base.clone(), sha.clone())])?,
            ..NewEvent::default()
        }]);
        txn.put(inbox_path(&base, &sha), bytes);
        txn.put(ledger::path_of::<Goods>(), ledger::to_bytes(&st.goods)?);
        st.chain.put(&mut txn)?;
    }
    txn.put(&rel, goods_list(&ws.policy, &st, &plan, &list)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

/// `大米 20 袋`-style totals per item and unit.
fn item_totals(goods: &[Goods], qty: impl Fn(&Goods) -> Option<Quantity>) -> Vec<String> {
    let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
    for g in goods {
        *by.entry((g.item.0.clone(), g.unit.0.clone())).or_default() += qty(g).map_or(0, |q| q.0);
    }
    by.into_iter()
        .map(|((i, u), q)| format!("{i} {} {u}", Quantity(q)))
        .collect()
}

/// The distribution list (领取登记表): a round-trip worksheet; recipients sign, the clerk fills the date.
fn goods_list(policy: &Policy, st: &State, plan: &str, goods: &[Goods]) -> Result<Vec<u8>> {
    let mut gs: Vec<&Goods> = goods.iter().collect();
    gs.sort_by(|a, b| (&a.village, &a.case_id, &a.item).cmp(&(&b.village, &b.case_id, &b.item)));
    let rows = gs
        .iter()
        .map(|g| {
            let c = st.case(&g.case_id);
            vec![
                Value::from(g.goods_id.as_str()),
                Value::from(g.case_id.as_str()),
                Value::from(c.map(|c| c.applicant_name.0.clone()).unwrap_or_default()),
                Value::from(g.village.as_str()),
                Value::from(c.map(|c| c.applicant_id_number.masked()).unwrap_or_default()),
                Value::from(g.item.as_str()),
                Value::from(g.quantity.to_string()),
                Value::from(g.unit.as_str()),
                Value::Empty,
                Value::Empty,
                Value::Empty,
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "领取登记".into(),
        title: Some(format!(
            "{} 救助物资领取登记表 (计划 {plan}): 领取人签字 (或填\"是\"), 填写领取日期; 实领数量与计划不同时填写",
            policy.region.name
        )),
        columns: vec![
            Column::new(GOODS_ID, Kind::Code),
            Column::new("案件编号", Kind::Code),
            Column::new("姓名", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("身份证号", Kind::Code),
            Column::new("物资名称", Kind::Text),
            Column::new("数量", Kind::Code),
            Column::new("单位", Kind::Text),
            Column::answer(SIGN, Input::Free),
            Column::answer(RECEIVED_ON, Input::Free),
            Column::answer(RECEIVED_QTY, Input::Free),
        ],
        rows,
        batch: Some(plan.to_string()),
        print: Default::default(),
    }])
}

fn goods_receipts(ws: &Workspace, args: &Request, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let sha = sha256_hex(&bytes);
    let wb = reader::read_worksheet_bytes(&shown, &bytes, Encoding::Detect)?;
    let what = tr("distribution list", "领取登记表");
    // Lists written before the header was Chinese only are still read back.
    let sheet = writer::returned(&shown, &wb, &what, &[GOODS_ID, GOODS_ID_OLD])?;
    let plan = sheet.batch.clone();
    let col = |l: &str| sheet.column(&shown, &[l]);
    let (c_id, c_case, c_item, c_qty, c_sign, c_date, c_real) = (
        sheet.column(&shown, &[GOODS_ID, GOODS_ID_OLD])?,
        col("案件编号")?,
        col("物资名称")?,
        col("数量")?,
        col(SIGN)?,
        col(RECEIVED_ON)?,
        col(RECEIVED_QTY)?,
    );
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    if !st.goods.iter().any(|g| g.plan == plan) {
        bail!(
            "{}",
            tr(
                format!("{shown}: plan {plan} is not in ledgers/goods.csv (was the list made in this workspace?)"),
                format!("{shown}: 计划 {plan} 不在 ledgers/goods.csv 中 (该表是否由本工作区生成?)"),
            )
        );
    }
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    // The plan's rows by goods ID (the first, as a scan would find), built once: not a scan of every plan ever
    // made per signed row.
    let mut row_of: HashMap<&str, usize> = HashMap::default();
    for (i, g) in st.goods.iter().enumerate().filter(|(_, g)| g.plan == plan) {
        row_of.entry(g.goods_id.as_str()).or_insert(i);
    }
    let mut marks: Vec<(usize, NaiveDate, String, Quantity)> = Vec::new();
    for (at, row) in &sheet.rows {
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let cell = |c: usize| {
            row.get(c)
                .map(|x| text::unneutralise(&x.text).trim().to_string())
                .unwrap_or_default()
        };
        let id = cell(c_id);
        let Some(&i) = row_of.get(id.as_str()) else {
            let shown_id = crate::domain::text::excerpt(&id);
            problems.push(tr(
                format!("{at}: {GOODS_ID} `{shown_id}` is not a row of plan {plan}"),
                format!("{at}: {GOODS_ID} `{shown_id}` 不是计划 {plan} 中的行"),
            ));
            continue;
        };
        if !seen.insert(id.clone()) {
            problems.push(tr(format!("{at}: {id} appears twice"), format!("{at}: {id} 出现两次")));
            continue;
        }
        let g = &st.goods[i];
        if cell(c_case) != g.case_id || cell(c_item) != g.item.0 || Quantity::parse(&cell(c_qty)) != Some(g.quantity) {
            problems.push(tr(
                format!("{at}: the case, item or quantity of {id} was changed"),
                format!("{at}: {id} 的案件、物资或数量被改动"),
            ));
            continue;
        }
        let sign = cell(c_sign);
        if sign.is_empty() || matches!(sign.as_str(), "否" | "未签" | "未领") {
            continue;
        }
        let date_cell = row.get(c_date);
        let date = match date_cell
            .and_then(|c| c.date)
            .map(Ok)
            .unwrap_or_else(|| date::parse_date(&cell(c_date)))
        {
            Ok(d) => d,
            Err(_) => {
                let d = crate::domain::text::excerpt(&cell(c_date)).to_string();
                problems.push(tr(
                    format!("{at}: signed, but {RECEIVED_ON} `{d}` is not a date"),
                    format!("{at}: 已签字, 但{RECEIVED_ON} `{d}` 不是日期"),
                ));
                continue;
            }
        };
        let real = cell(c_real);
        let qty = if real.is_empty() {
            g.quantity
        } else {
            match Quantity::parse(&real) {
                Some(q) => q,
                None => {
                    let q = crate::domain::text::excerpt(&real);
                    problems.push(tr(
                        format!("{at}: {RECEIVED_QTY} `{q}` is not a quantity"),
                        format!("{at}: {RECEIVED_QTY} `{q}` 不是数量"),
                    ));
                    continue;
                }
            }
        };
        let by = if matches!(sign.as_str(), "是" | "已签" | "已领" | "√" | "✓") {
            String::new()
        } else {
            sign
        };
        marks.push((i, date, by, qty));
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused whole, nothing recorded:"),
                format!("{shown} 整个被拒收, 未记录任何内容:")
            ),
            problems.into_iter().take(30).collect::<Vec<_>>().join("\n  ")
        );
    }
    let mut changed = 0;
    for (i, date, by, qty) in marks {
        let g = &mut st.goods[i];
        let new = (GoodsStatus::Received, Some(date), Text(by), Some(qty));
        if (g.status, g.received_on, g.signed_by.clone(), g.received_quantity) != new {
            changed += 1;
            (g.status, g.received_on, g.signed_by, g.received_quantity) = new;
        }
    }
    let list: Vec<Goods> = st.goods.iter().filter(|g| g.plan == plan).cloned().collect();
    let received: Vec<Goods> = list
        .iter()
        .filter(|g| g.status == GoodsStatus::Received)
        .cloned()
        .collect();
    let differ: Vec<&Goods> = received
        .iter()
        .filter(|g| g.received_quantity != Some(g.quantity))
        .collect();
    let waiting = list.len() - received.len();
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let (r, n) = (received.len(), list.len());
    let (planned_t, received_t) = (
        item_totals(&list, |g| Some(g.quantity)).join(", "),
        item_totals(&list, |g| g.received_quantity).join(", "),
    );
    let mut out = tr(
        format!(
            "{prefix}disburse --goods-receipts {shown}: plan {plan}: {r} of {n} received; planned {planned_t}; \
             received {received_t}"
        ),
        format!("{prefix}物资领取 {shown}: 计划 {plan}: {n} 户中已领 {r} 户; 计划 {planned_t}; 实领 {received_t}"),
    );
    for g in &differ {
        let got = g.received_quantity.unwrap_or_default();
        out.push_str(&tr(
            format!(
                "\n  {} {} {}: planned {} {}, received {got} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit, g.unit
            ),
            format!(
                "\n  {} {} {}: 计划 {} {}, 实领 {got} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit, g.unit
            ),
        ));
    }
    for g in list.iter().filter(|g| g.status == GoodsStatus::Planned).take(50) {
        out.push_str(&tr(
            format!(
                "\n  not yet received: {} {} {} {} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit
            ),
            format!(
                "\n  尚未领取: {} {} {} {} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit
            ),
        ));
    }

    let outcome = if waiting == 0 && differ.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run || changed == 0 {
        if args.dry_run || !args.quiet || outcome != Outcome::Done {
            crate::outln!("{out}");
        }
        return Ok(outcome);
    }
    let base = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("receipts")
        .to_string();
    st.chain.append([NewEvent {
        step: "disburse".into(),
        detail: format!(
            "goods receipts {plan}: {changed} received, {waiting} waiting, {} differ from the plan",
            differ.len()
        ),
        inputs: inputs(ws, &["goods.csv"], &[(base.clone(), sha.clone())])?,
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    txn.put(inbox_path(&base, &sha), bytes);
    txn.put(ledger::path_of::<Goods>(), ledger::to_bytes(&st.goods)?);
    st.chain.put(&mut txn)?;
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_digits_of_a_plausible_length() {
        assert!(account_problem("6229530100000000001", 10, 30).is_none());
        assert!(account_problem("", 10, 30).unwrap().zh().contains("无银行账号"));
        assert!(account_problem("6229 5301", 10, 30).is_some());
        assert!(account_problem("123", 10, 30).is_some());
    }

    #[test]
    fn fixed_width_columns_pad_by_encoded_bytes() {
        let col = BankColumn {
            field: BankField::Name,
            label: "户名".into(),
            width: 8,
            align: crate::policy::Align::Left,
            pad: ' ',
            text: String::new(),
        };
        let out = pad(encode("张三", BankEncoding::Gbk), &col).unwrap();
        assert_eq!(out.len(), 8);
        assert!(pad(encode("欧阳娜娜娜", BankEncoding::Gbk), &col).is_err());
    }

    /// 𠮷 (U+20BB7) has a code in GB18030 only: a `gb18030` profile writes it as it is, a `gbk` one writes the
    /// profile's replacement.
    #[test]
    fn a_rare_character_is_kept_under_gb18030_and_replaced_under_gbk() {
        let policy = Policy::parse(crate::cmd::init::POLICY_TEMPLATE, "t").unwrap();
        let mut profile = policy.disbursement.profiles["rcc_csv"].clone();
        assert_eq!(profile.encoding, BankEncoding::Gbk);
        assert_eq!(fit("𠮷一", &profile), "?一");
        profile.replacement = "□".into();
        assert_eq!(fit("𠮷一", &profile), "□一");
        profile.encoding = BankEncoding::Gb18030;
        assert_eq!(fit("𠮷一", &profile), "𠮷一");
        let bytes = encode("𠮷一", BankEncoding::Gb18030);
        assert_eq!(encoding_rs::GB18030.decode(&bytes).0, "𠮷一");
        assert_eq!(
            &bytes[..4],
            &[0x95, 0x34, 0xB2, 0x35],
            "GB18030's four bytes for U+20BB7"
        );
    }
}
