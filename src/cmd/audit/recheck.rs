//! Audit's check of the re-check cadence: cases overdue for a re-check (J401).

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Cadence.

pub(super) fn recheck_cadence(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let Some(as_of) = ctx.as_of else {
        return f;
    };
    let seen = cadence::LastSeen::new(&ctx.d.visits, &ctx.d.followups, &ctx.d.checks, as_of);
    for due in cadence::overdue_rechecks(ctx.policy, &ctx.d.cases, &seen, as_of) {
        f.push(warn(
            "J401",
            &due.case_id,
            m(
                format!(
                    "{} case overdue for re-check as of {as_of}: every {} month(s), last {}",
                    due.scheme,
                    due.months,
                    due.last.map_or("never".to_string(), |l| l.to_string())
                ),
                format!(
                    "{}案件截至 {as_of} 逾期未复核: 每 {} 个月一次, 上次 {}",
                    scheme_zh(ctx.policy, &due.scheme),
                    due.months,
                    due.last.map_or("从未复核".to_string(), |l| l.to_string())
                ),
            ),
            m(
                "visit or re-verify the household (`jiuzhu verify --visits`), or record the follow-up visit that \
                 checked it (`jiuzhu intake --kind followups`), 动态管理",
                "请入户或重新核查该户 (`jiuzhu verify --visits`), 或录入核查它的回访 (`jiuzhu intake --kind followups`), \
                 动态管理",
            ),
        ));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_case_overdue_for_its_recheck_is_found() {
        let l = paid_case("CD-1");
        let policy = policy();
        // Visited 2026-11-10: 城市低保 is re-checked monthly.
        let a = Audit::new(&policy, &l, Some(month("2026-11")), false);
        assert!(recheck_cadence(&a).is_empty());
        let a = Audit::new(&policy, &l, Some(month("2027-03")), false);
        assert_eq!(codes(&recheck_cadence(&a)), ["J401"]);
        // Without a month audited, nothing is due.
        let a = Audit::new(&policy, &l, None, false);
        assert!(recheck_cadence(&a).is_empty());
    }
}
