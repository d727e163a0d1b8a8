//! `jiuzhu explain CASE`: how a case's amounts were derived (标准 − 人均收入 … = 月保障金), as a person would read
//! it.

use super::*;

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
pub struct Args {
    #[arg(help = tr("The case ID (案件编号)", "案件编号"))]
    pub case: String,
}

impl Args {
    /// `explain` only reads.
    pub fn writing_step(&self) -> Option<Option<String>> {
        None
    }
}

/// The command line's entry of `explain`.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    explain(&ctx.workspace()?, &args.case)
}

/// A value's code as the ledger writes it (`new`, `effective`), for a line in English.
pub(super) fn ledger_code(v: &impl serde::Serialize) -> String {
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
