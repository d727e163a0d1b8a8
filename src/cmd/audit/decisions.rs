//! Audit's check of the approval procedure: the village visit, the meeting and the completed notice of every
//! approval (J210–J212).

use super::*;

pub(super) fn approval_procedure(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let policy = ctx.policy;
    let min = policy.verification.min_investigators;
    // Visits by case, notices by decision and meetings by day, grouped once (a scan per decision is quadratic).
    let visits = records::by_case(&ctx.d.visits);
    let mut notices_of: HashMap<&str, Vec<&Notice>> = HashMap::default();
    for n in &ctx.d.notices {
        notices_of.entry(n.decision_id.as_str()).or_default().push(n);
    }
    let mut meetings_on: HashMap<NaiveDate, Vec<&Meeting>> = HashMap::default();
    for m in &ctx.d.meetings {
        meetings_on.entry(m.date).or_default().push(m);
    }
    for x in ctx.d.decisions.iter().filter(|x| {
        matches!(
            x.status,
            DecisionStatus::Approved | DecisionStatus::Effective | DecisionStatus::Superseded
        ) && x.kind != DecisionKind::Reject
            && !x.urgent
    }) {
        if x.kind == DecisionKind::New {
            let ok =
                visits.get(x.case_id.as_str()).into_iter().flatten().any(|v| {
                    v.counts_at(VisitLevel::Village, min) && x.decided_on.is_none_or(|day| v.visited_on <= day)
                });
            if !ok {
                f.push(err(
                    "J210",
                    &x.case_id,
                    m(
                        format!(
                            "decision {} approved without a signed village home visit (入户调查) by at least {min} \
                             investigators",
                            x.decision_id
                        ),
                        format!(
                            "决定 {} 获批准时没有至少 {min} 名调查人员签字的村级入户调查",
                            x.decision_id
                        ),
                    ),
                    m(
                        "逢进必查: visit the household and record it (`jiuzhu verify --visits`), then review the \
                         approval",
                        "逢进必查: 请入户调查并记录 (`jiuzhu verify --visits`), 再复核该审批",
                    ),
                ));
            }
        }
        let meeting_ok = if x.meeting.is_empty() {
            false
        } else if x.meeting.starts_with("无争议免评议") {
            policy.decision.skip_appraisal_when_undisputed
        } else {
            x.decided_on
                .and_then(|day| meetings_on.get(&day))
                .into_iter()
                .flatten()
                .any(|m| x.meeting.0 == m.meeting.0 || x.meeting.starts_with(&format!("{}: ", m.meeting.0)))
        };
        if !meeting_ok {
            let day = x.decided_on.map(|d| d.to_string()).unwrap_or_default();
            f.push(err(
                "J211",
                &x.case_id,
                m(
                    format!(
                        "decision {} is {:?} without a recorded review meeting{}",
                        x.decision_id,
                        x.status,
                        if x.meeting.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " (`{}` on {:?} is not in meetings.csv, or 免评议 is not allowed)",
                                x.meeting, x.decided_on
                            )
                        }
                    ),
                    format!(
                        "决定 {} 为{}, 但没有评议会记录{}",
                        x.decision_id,
                        status_zh(x.status),
                        if x.meeting.is_empty() {
                            String::new()
                        } else {
                            format!(" ({day} 的「{}」不在 meetings.csv 中, 或不允许免评议)", x.meeting)
                        }
                    ),
                ),
                m(
                    "无评议记录不予审批: record the meeting with `jiuzhu decide --record`",
                    "无评议记录不予审批: 请用 `jiuzhu decide --record` 记录评议会",
                ),
            ));
        }
        let notices: &[&Notice] = notices_of.get(x.decision_id.as_str()).map_or(&[], Vec::as_slice);
        let private = notices.iter().any(|n| n.level == "private");
        let missing: Vec<&String> = policy
            .decision
            .notice_levels
            .iter()
            .filter(|l| !notices.iter().any(|n| &n.level == *l))
            .collect();
        let short: Vec<String> = notices
            .iter()
            .filter(|n| n.level != "private")
            .filter(|n| (n.end - n.start).num_days() + 1 < i64::from(policy.decision.notice_days))
            .map(|n| format!("{} {}–{}", n.level, n.start, n.end))
            .collect();
        let upheld = notices.iter().any(|n| n.status == "objection_upheld");
        if (!private && !missing.is_empty()) || !short.is_empty() || upheld {
            let levels = missing.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("、");
            f.push(err(
                "J212",
                &x.case_id,
                m(
                    format!(
                        "decision {} has no completed public notice ({}{}{})",
                        x.decision_id,
                        if !private && !missing.is_empty() {
                            format!("no posting at {:?}; ", missing)
                        } else {
                            String::new()
                        },
                        if short.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "shorter than {} days: {}; ",
                                policy.decision.notice_days,
                                short.join(", ")
                            )
                        },
                        if upheld { "an objection was upheld" } else { "" }
                    ),
                    format!(
                        "决定 {} 没有完成公示 ({}{}{})",
                        x.decision_id,
                        if !private && !missing.is_empty() {
                            format!("未在 {levels} 张贴; ")
                        } else {
                            String::new()
                        },
                        if short.is_empty() {
                            String::new()
                        } else {
                            format!("不足 {} 天: {}; ", policy.decision.notice_days, short.join(", "))
                        },
                        if upheld { "有异议成立" } else { "" }
                    ),
                ),
                m(
                    "post the notice for its full period (decide --record posts it) before the decision takes \
                     effect",
                    "决定生效前须公示满期 (decide --record 会张贴公示)",
                ),
            ));
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn an_approval_needs_its_village_visit_meeting_and_notice() {
        assert!(approval_procedure(&audited(&paid_case("CD-1"))).is_empty());

        let mut l = paid_case("CD-1");
        l.visits.clear();
        assert_eq!(codes(&approval_procedure(&audited(&l))), ["J210"]);
        // A visit after the decision does not count.
        l.visits.push(visit("CD-1", "2026-11-25"));
        assert_eq!(codes(&approval_procedure(&audited(&l))), ["J210"]);

        let mut l = paid_case("CD-1");
        l.meetings.clear();
        assert_eq!(codes(&approval_procedure(&audited(&l))), ["J211"]);

        let mut l = paid_case("CD-1");
        l.notices.clear();
        assert_eq!(codes(&approval_procedure(&audited(&l))), ["J212"]);
        // A notice shorter than notice_days (7).
        let mut n = notice(&l.decisions[0]);
        n.end = day("2026-11-23");
        l.notices.push(n);
        assert_eq!(codes(&approval_procedure(&audited(&l))), ["J212"]);
    }
}
