//! Audit's checks of active discovery (主动发现): investigated in time, assisted applications with their case,
//! none closed against the 三个不放过, referrals answered (J601–J604).

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Active discovery (主动发现): the rules are in `domain::discovery`.

pub(super) fn discovery_chain(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    use crate::domain::discovery as rules;
    let d = ctx.d;
    if d.discoveries.is_empty() {
        return f;
    }
    let as_of = ctx
        .as_of
        .or_else(|| crate::cmd::monitor::latest_known(&d.cases, &d.discoveries, &d.monitored));
    if let Some(as_of) = as_of {
        for x in rules::overdue(&d.discoveries, as_of) {
            f.push(warn(
                "J601",
                "",
                m(
                    format!(
                        "discovery {} ({}, {}) not investigated by {} (as of {as_of})",
                        x.discovery_id, x.name, x.township, x.due_on
                    ),
                    format!(
                        "主动发现 {} ({}, {}) 应于 {} 前入户调查, 截至 {as_of} 仍未办结",
                        x.discovery_id, x.name, x.township, x.due_on
                    ),
                ),
                m(
                    "investigate at the door and return the worksheet of `jiuzhu discover`",
                    "请入户调查并交回 `jiuzhu discover` 写出的入户调查评估表",
                ),
            ));
        }
        for r in rules::overdue_referrals(&d.referrals, as_of) {
            f.push(warn(
                "J604",
                "",
                m(
                    format!(
                        "referral {} to {} unanswered since its due date {} (as of {as_of})",
                        r.referral_id, r.department, r.due_on
                    ),
                    format!(
                        "转介 {} ({}) 超过答复期限 {} 仍未答复 (截至 {as_of})",
                        r.referral_id, r.department, r.due_on
                    ),
                ),
                m(
                    "ask the department and return the referral worksheet",
                    "请催办, 并交回转介答复表",
                ),
            ));
        }
    }
    for x in rules::without_case(&d.discoveries, |c| d.case(c).is_some()) {
        f.push(err(
            "J602",
            &x.case_id,
            m(
                format!(
                    "discovery {} ({}) ended in an assisted application or urgent help, but its case is not in \
                     cases.csv",
                    x.discovery_id, x.name
                ),
                format!(
                    "主动发现 {} ({}) 的处理结果为协助申请或先行救助, 但 cases.csv 中没有其案件",
                    x.discovery_id, x.name
                ),
            ),
            m(
                "register the application (`jiuzhu intake` on the register `jiuzhu discover` pre-filled)",
                "请用 `jiuzhu discover` 预填的申请登记表办理受理 (`jiuzhu intake`)",
            ),
        ));
    }
    for x in rules::closed_against_rules(&d.discoveries, &d.investigations, &ctx.policy.discovery) {
        f.push(err(
            "J603",
            &x.case_id,
            m(
                format!(
                    "discovery {} ({}) is {} without a home investigation that meets the 三个不放过",
                    x.discovery_id,
                    x.name,
                    match x.status {
                        crate::ledger::DiscoveryStatus::Closed => "closed",
                        _ => "followed",
                    }
                ),
                format!(
                    "主动发现 {} ({}) {}, 但没有做到三个不放过的入户调查记录",
                    x.discovery_id,
                    x.name,
                    x.status.label_zh()
                ),
            ),
            m(
                "investigate again at the door; restore discoveries.csv from Git if it was edited by hand",
                "请重新入户调查; 如 discoveries.csv 被手工改动, 请从 Git 恢复",
            ),
        ));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::ledger::{DiscoveryOutcome, DiscoveryStatus};

    #[test]
    fn a_discovery_not_investigated_in_time_or_a_referral_not_answered_is_found() {
        let policy = policy();
        let mut l = Ledgers {
            discoveries: vec![discovery("D-1")],
            ..Ledgers::default()
        };
        // Due 2026-11-12.
        let a = Audit::new(&policy, &l, Some(month("2026-10")), false);
        assert!(discovery_chain(&a).is_empty());
        let a = Audit::new(&policy, &l, Some(month("2026-11")), false);
        assert_eq!(codes(&discovery_chain(&a)), ["J601"]);
        // A referral due 2026-11-26, not answered.
        l.discoveries[0].status = DiscoveryStatus::Following;
        l.referrals.push(referral("D-1"));
        let a = Audit::new(&policy, &l, Some(month("2026-11")), false);
        assert!(codes(&discovery_chain(&a)).contains(&"J604"));
    }

    #[test]
    fn an_assisted_discovery_needs_its_case_and_a_closed_one_its_investigation() {
        let mut x = discovery("D-1");
        x.status = DiscoveryStatus::Closed;
        x.outcome = Some(DiscoveryOutcome::Assisted);
        x.investigated_on = Some(day("2026-11-08"));
        x.case_id = "CD-9".into();
        let l = Ledgers {
            discoveries: vec![x],
            ..Ledgers::default()
        };
        let policy = policy();
        let a = Audit::new(&policy, &l, Some(month("2026-11")), false);
        // No case CD-9; closed with no investigation on record.
        assert_eq!(codes(&discovery_chain(&a)), ["J602", "J603"]);
    }
}
