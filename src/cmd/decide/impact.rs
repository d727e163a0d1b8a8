//! `decide --impact OLD_POLICY`: which recipients a policy change would move, and by how much (read-only).

use super::*;

/// Which recipients a policy change moves, and by how many fen (read-only).
pub(super) fn impact(ws: &Workspace, old_policy: &Path, period: Option<&str>) -> Result<Outcome> {
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
pub(super) fn signed(f: Fen) -> String {
    if f.is_negative() {
        f.to_string()
    } else {
        format!("+{f}")
    }
}
