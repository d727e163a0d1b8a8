//! `jiuzhu withdraw CASE --date DATE --reason TEXT --by NAME`: an application withdrawn at the applicant's
//! request (申请撤回).
//!
//! The case leaves the review: its status becomes `withdrawn`, a closed status ([`CaseStatus::is_open`] is
//! false), so no later step checks, proposes or pays it, `archive` files it with the closed cases, and its people
//! are free to apply again — a new application of the household is imported as a new case, and the withdrawn
//! one keeps its history. Only a case still under review (received, needs_info, verified, ineligible) with no
//! decision before or after the review meeting may be withdrawn: once a decision is proposed, approved or in
//! force, the meeting's verdict or a stop decision is the way it ends. The journal records who recorded the
//! withdrawal, when the applicant withdrew and why.

use anyhow::{anyhow, bail, Result};

use crate::cmd::cli::{examples, Ctx};
use crate::cmd::step::Step;
use crate::domain::{date, text};
use crate::i18n::tr;
use crate::ledger::events::NewEvent;
use crate::ledger::{self, Case, CaseStatus, Decision, DecisionStatus};
use crate::workspace::Workspace;
use crate::Outcome;

/// The journal step of a withdrawal.
pub const STEP: &str = "withdraw";

// Record an application withdrawn at the applicant's request (申请撤回): the case leaves the review, and the
// household may apply again as a new case.
// Its options and help are in both languages, picked when the command line is built.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Record an application withdrawn at the applicant's request (申请撤回): the case leaves the review; the \
household may apply again as a new case",
        "登记申请人主动撤回申请 (申请撤回): 案件退出审核; 该户可作为新案件重新申请",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu withdraw CD-2026-0B9A1C744081 --date 2026-11-20 --reason 外出务工 --by 王芳",
        "示例:\n  jiuzhu withdraw CD-2026-0B9A1C744081 --date 2026-11-20 --reason 外出务工 --by 王芳",
    )),
)]
pub struct Args {
    #[arg(value_name = "CASE", help = tr("The case ID (案件编号)", "案件编号"))]
    pub case_id: String,
    #[arg(long, value_name = "DATE", help = tr(
        "The day the applicant withdrew the application (e.g. 2026-11-20)",
        "申请人撤回申请的日期 (如 2026-11-20)",
    ))]
    pub date: String,
    #[arg(long, value_name = "TEXT", help = tr(
        "Why, as the applicant said or wrote it",
        "撤回原因 (按申请人的书面或口头说明)",
    ))]
    pub reason: String,
    #[arg(long, value_name = "NAME", help = tr("Who records the withdrawal (经办人)", "登记撤回的经办人"))]
    pub by: String,
    #[arg(long, help = tr("Show what would be done; write nothing", "只显示将做什么; 不写任何文件"))]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (no period), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then_some(None)
    }
}

/// The command line's entry.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(&ctx.workspace()?, &args, ctx.quiet)
}

pub fn run(ws: &Workspace, args: &Args, quiet: bool) -> Result<Outcome> {
    let case_id = args.case_id.trim();
    let (by, reason) = (text::normalize(&args.by), text::normalize(&args.reason));
    if text::is_blank(&by) || text::is_blank(&reason) {
        bail!(tr(
            "withdraw needs a non-empty --by (who records it) and --reason (why the applicant withdrew)",
            "撤回需要填写 --by (经办人) 和 --reason (申请人撤回的原因)"
        ));
    }
    let on = date::parse_date(&args.date).map_err(|e| {
        anyhow!(tr(
            format!("--date `{}`: {e}; write the date as 2026-11-20", args.date),
            format!("--date `{}`: {}; 日期请写成 2026-11-20", args.date, e.zh())
        ))
    })?;
    let mut step = Step::begin(ws, STEP, args.dry_run)?;
    let mut cases = step.read::<Case>()?;
    let decisions = step.read::<Decision>()?;
    let Some(i) = cases.iter().position(|c| c.case_id == case_id) else {
        bail!(tr(
            format!("withdraw {case_id}: no such case in ledgers/cases.csv (case IDs look like CD-2026-0B9A1C744081)"),
            format!("撤回 {case_id}: ledgers/cases.csv 中没有这个案件 (案件编号形如 CD-2026-0B9A1C744081)")
        ));
    };
    let from = cases[i].status;
    if from == CaseStatus::Withdrawn {
        bail!(tr(
            format!("withdraw {case_id}: the application was already withdrawn; nothing was done"),
            format!("撤回 {case_id}: 该申请已经撤回; 未做任何改动")
        ));
    }
    if !matches!(
        from,
        CaseStatus::Received | CaseStatus::NeedsInfo | CaseStatus::Verified | CaseStatus::Ineligible
    ) {
        bail!(tr(
            format!(
                "withdraw {case_id}: the case is `{}`, no longer under review; only an application under review can \
                 be withdrawn (a benefit in force ends by a stop decision, `jiuzhu decide`)",
                from.as_str()
            ),
            format!(
                "撤回 {case_id}: 该案件为「{}」, 已不在审核中; 只有审核中的申请可以撤回 (已享受的待遇须作停发决定, `jiuzhu decide`)",
                from.label_zh()
            )
        ));
    }
    if let Some(d) = decisions.iter().find(|d| {
        d.case_id == case_id
            && matches!(
                d.status,
                DecisionStatus::Proposed | DecisionStatus::Approved | DecisionStatus::Deferred
            )
    }) {
        bail!(tr(
            format!(
                "withdraw {case_id}: decision {} is before the review meeting or in public notice ({}); record the \
                 meeting's verdict first (`jiuzhu decide --meeting`), then the case can be closed",
                d.decision_id,
                d.status.label_zh()
            ),
            format!(
                "撤回 {case_id}: 决定 {} 正在评议或公示 ({}); 请先录入评议结论 (`jiuzhu decide --meeting`)",
                d.decision_id,
                d.status.label_zh()
            )
        ));
    }
    if on < cases[i].applied_on {
        bail!(tr(
            format!(
                "withdraw {case_id}: --date {on} is before the application was received ({}); check the date",
                cases[i].applied_on
            ),
            format!(
                "撤回 {case_id}: --date {on} 早于受理日期 ({}); 请核对日期",
                cases[i].applied_on
            )
        ));
    }
    let summary = tr(
        format!(
            "withdraw {case_id} ({}): {} → withdrawn on {on}, recorded by {by}: {reason}",
            cases[i].applicant_name,
            from.as_str()
        ),
        format!(
            "撤回 {case_id} ({}): {} → 已撤回, 撤回日期 {on}, 经办人 {by}, 原因: {reason}",
            cases[i].applicant_name,
            from.label_zh()
        ),
    );
    if step.dry_run() {
        if !quiet {
            crate::outln!("{}{summary}", tr("dry run: ", "试运行: "));
        }
        return Ok(Outcome::Done);
    }
    cases[i].status = CaseStatus::Withdrawn;
    step.put(&cases)?;
    step.event(NewEvent {
        case_id: case_id.to_string(),
        from_status: from.as_str().into(),
        to_status: CaseStatus::Withdrawn.as_str().into(),
        detail: format!(
            "application withdrawn (申请撤回) on {on} at the applicant's request, recorded by {by}: {reason}"
        ),
        ..NewEvent::default()
    });
    step.commit()?;
    if !quiet {
        crate::outln!("{summary}");
        crate::outln!(
            "{}",
            tr(
                "  The household may apply again: its new application is imported by `jiuzhu intake` as a new case.",
                "  该户可重新申请: 新的申请由 `jiuzhu intake` 作为新案件导入。"
            )
        );
    }
    Ok(Outcome::Done)
}

// ---------------------------------------------------------------------------------------------------------------
// Reopening (重新申请): the household's other applications, shown by `explain`, `status` and the dossier.

/// How the household's closed applications ended: withdrawals from the journal, refusals from their decisions,
/// indexed once (a dossier run looks up many cases).
pub struct Endings<'a> {
    withdrawn: crate::hash::HashMap<&'a str, &'a crate::ledger::events::Event>,
    refused: crate::hash::HashMap<&'a str, &'a Decision>,
    /// Applicant's ID number → the household's cases.
    by_applicant: crate::hash::HashMap<&'a str, Vec<&'a Case>>,
}

impl<'a> Endings<'a> {
    pub fn new(cases: &'a [Case], chain: &'a [crate::ledger::events::Event], decisions: &'a [Decision]) -> Self {
        let withdrawn = chain
            .iter()
            .filter(|e| e.step == STEP && !e.case_id.is_empty())
            .map(|e| (e.case_id.as_str(), e))
            .collect();
        let refused = decisions
            .iter()
            .filter(|d| d.kind == crate::ledger::DecisionKind::Reject && d.status == DecisionStatus::Effective)
            .map(|d| (d.case_id.as_str(), d))
            .collect();
        let mut by_applicant: crate::hash::HashMap<&str, Vec<&Case>> = Default::default();
        for c in cases {
            by_applicant.entry(c.applicant_id_number.as_str()).or_default().push(c);
        }
        Endings {
            withdrawn,
            refused,
            by_applicant,
        }
    }

    /// The household's other applications of `case`, in the order received.
    pub fn applications(&self, case: &Case) -> Vec<(&'a Case, crate::domain::reopen::Link)> {
        let theirs = self.by_applicant.get(case.applicant_id_number.as_str());
        crate::domain::reopen::household_applications(case, theirs.into_iter().flatten().copied())
    }

    /// The refused or withdrawn application `case` reopens (see [`crate::domain::reopen::reopens`]).
    pub fn reopens(&self, case: &Case) -> Option<&'a Case> {
        let theirs = self.by_applicant.get(case.applicant_id_number.as_str());
        crate::domain::reopen::reopens(case, theirs.into_iter().flatten().copied())
    }

    /// How a closed application ended, in `lang` (empty for one still open or ended otherwise).
    pub fn ending(&self, c: &Case, lang: crate::i18n::Lang) -> String {
        let zh = lang == crate::i18n::Lang::Zh;
        if let Some(e) = self.withdrawn.get(c.case_id.as_str()) {
            // `application withdrawn (申请撤回) on DATE at the applicant's request, recorded by NAME: REASON`
            let d = e.detail.as_str();
            let on = d.split(" on ").nth(1).and_then(|r| r.split(' ').next()).unwrap_or("");
            let (head, reason) = d.split_once(": ").unwrap_or((d, ""));
            let by = head.rsplit_once("recorded by ").map(|(_, b)| b).unwrap_or("");
            return if zh {
                format!("{on} 申请人撤回, 原因: {reason} (经办人 {by})")
            } else {
                format!("withdrawn on {on} at the applicant's request: {reason} (recorded by {by})")
            };
        }
        if let Some(d) = self.refused.get(c.case_id.as_str()) {
            let on = d.decided_on.map(|x| x.to_string()).unwrap_or_default();
            return if zh {
                format!("{on} 不予批准: {}", crate::cmd::decide::reason_zh(&d.reason))
            } else {
                format!("refused on {on} ({})", d.reason)
            };
        }
        String::new()
    }

    /// One line for another application of the household, in `lang`.
    pub fn line(
        &self,
        policy: &crate::policy::Policy,
        c: &Case,
        link: crate::domain::reopen::Link,
        lang: crate::i18n::Lang,
    ) -> String {
        use crate::domain::reopen::Link;
        let scheme = policy
            .schemes
            .get(&c.scheme)
            .map(|s| s.label.as_str())
            .unwrap_or(&c.scheme);
        let ending = self.ending(c, lang);
        if lang == crate::i18n::Lang::Zh {
            let what = if link == Link::Earlier {
                "此前申请"
            } else {
                "再次申请"
            };
            let tail = if ending.is_empty() {
                String::new()
            } else {
                format!("; {ending}")
            };
            format!(
                "{what} {} ({} 受理, {scheme}): {}{tail}",
                c.case_id,
                c.applied_on,
                c.status.label_zh()
            )
        } else {
            let what = if link == Link::Earlier {
                "earlier application"
            } else {
                "applied again"
            };
            let tail = if ending.is_empty() {
                String::new()
            } else {
                format!("; {ending}")
            };
            format!(
                "{what} {} (received {}, {}): {}{tail}",
                c.case_id,
                c.applied_on,
                c.scheme,
                c.status.as_str()
            )
        }
    }
}

/// `explain CASE`: the household's other applications — the refused or withdrawn one this case reopens, or the
/// new application that reopened it.
pub fn explain(ws: &Workspace, case_id: &str) -> Result<()> {
    let cases = ledger::read::<Case>(ws)?;
    let Some(case) = cases.iter().find(|c| c.case_id == case_id) else {
        return Ok(());
    };
    let chain = ledger::read::<crate::ledger::events::Event>(ws)?;
    let decisions = ledger::read::<Decision>(ws)?;
    let endings = Endings::new(&cases, &chain, &decisions);
    let apps = endings.applications(case);
    let lang = crate::i18n::current();
    crate::ui::record(
        "applications",
        apps.iter()
            .map(|(c, link)| {
                serde_json::json!({
                    "case_id": c.case_id,
                    "applied_on": c.applied_on.to_string(),
                    "status": c.status.as_str(),
                    "link": if *link == crate::domain::reopen::Link::Earlier { "earlier" } else { "later" },
                    "ending": endings.ending(c, lang),
                })
            })
            .collect::<Vec<_>>(),
    );
    if apps.is_empty() {
        return Ok(());
    }
    let reopens = endings.reopens(case);
    crate::outln!(
        "{}",
        match reopens {
            Some(old) => tr(
                format!("applications of the household (this case reopens {}):", old.case_id),
                format!("本户的其他申请 (本案为 {} 之后的重新申请):", old.case_id)
            ),
            None => tr("applications of the household:", "本户的其他申请:"),
        }
    );
    for (c, link) in &apps {
        crate::outln!("  {}", endings.line(&ws.policy, c, *link, lang));
    }
    Ok(())
}

/// Intake's notes for new applications that reopen a household's refused or withdrawn one (the first 20, then
/// how many more): the old case keeps its history, `explain` shows the link.
pub fn reopened_notes(cases: &[Case], new_cases: &[Case], jiuzhu: &str) -> Vec<String> {
    if new_cases.is_empty() {
        return Vec::new();
    }
    let mut closed: crate::hash::HashMap<&str, Vec<&Case>> = Default::default();
    for c in cases
        .iter()
        .filter(|c| matches!(c.status, CaseStatus::Rejected | CaseStatus::Withdrawn))
    {
        closed.entry(c.applicant_id_number.as_str()).or_default().push(c);
    }
    if closed.is_empty() {
        return Vec::new();
    }
    let lines: Vec<String> = new_cases
        .iter()
        .filter_map(|new| {
            let theirs = closed.get(new.applicant_id_number.as_str())?;
            let old = crate::domain::reopen::reopens(new, theirs.iter().copied())?;
            Some(tr(
                format!(
                    "{} {} reopens the household's {} application {} (its history is kept; `{jiuzhu} explain {}`)",
                    new.case_id,
                    new.applicant_name,
                    old.status.as_str(),
                    old.case_id,
                    new.case_id
                ),
                format!(
                    "{} {} 为该户 {} ({}) 之后的重新申请 (原案件记录保留; `{jiuzhu} explain {}`)",
                    new.case_id,
                    new.applicant_name,
                    old.case_id,
                    old.status.label_zh(),
                    new.case_id
                ),
            ))
        })
        .collect();
    if lines.len() <= 20 {
        return lines;
    }
    let more = lines.len() - 20;
    let mut out: Vec<String> = lines.into_iter().take(20).collect();
    out.push(tr(
        format!("… and {more} more reopened applications"),
        format!("… 另有 {more} 件重新申请"),
    ));
    out
}
