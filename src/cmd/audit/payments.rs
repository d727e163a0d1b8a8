//! Audit's checks of the payments: each on an effective decision of its case, nothing after a stop or a death,
//! overpayments still to recover, urgent payments approved in time, and the money invariants (J201–J205, J213,
//! J304).

use super::*;

/// J201, J204: every payment (of the month audited, with `--period`) names an effective decision of its case, and
/// is for a month from the one it took effect: nothing paid without, or before, approval.
pub(super) fn payments_match_decisions(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let d = ctx.d;
    let by_id: BTreeMap<&str, &Decision> = d.decisions.iter().map(|x| (x.decision_id.as_str(), x)).collect();
    for p in d.payments.iter().filter(|p| ctx.in_scope(p.period)) {
        let month = p.period;
        let dec = by_id.get(p.decision_id.as_str()).copied();
        match dec {
            None => f.push(err(
                "J201",
                &p.case_id,
                m(
                    format!(
                        "payment {} ({month}, {}) names decision `{}`, which is not in decisions.csv",
                        p.payment_id, p.amount, p.decision_id
                    ),
                    format!(
                        "付款 {} ({month}, {} 元) 所依据的决定 `{}` 不在 decisions.csv 中",
                        p.payment_id, p.amount, p.decision_id
                    ),
                ),
                m(
                    "a payment without an effective decision: recover the money or record the decision",
                    "没有生效决定的付款: 请追回资金或补录决定",
                ),
            )),
            Some(x) if x.case_id != p.case_id => f.push(err(
                "J201",
                &p.case_id,
                m(
                    format!(
                        "payment {} names decision {} of another case ({})",
                        p.payment_id, x.decision_id, x.case_id
                    ),
                    format!(
                        "付款 {} 所依据的决定 {} 属于另一案件 ({})",
                        p.payment_id, x.decision_id, x.case_id
                    ),
                ),
                m(
                    "a payment without an effective decision for this case: recover the money",
                    "本案件没有生效决定的付款: 请追回资金",
                ),
            )),
            Some(x) if !defines_amounts(x) && !x.urgent => f.push(err(
                "J204",
                &p.case_id,
                m(
                    format!(
                        "payment {} ({month}) was made on decision {}, which is {:?}, not effective: paid \
                         before approval",
                        p.payment_id, x.decision_id, x.status
                    ),
                    format!(
                        "付款 {} ({month}) 依据的决定 {} 为{}, 尚未生效: 审批前已发放",
                        p.payment_id,
                        x.decision_id,
                        status_zh(x.status)
                    ),
                ),
                m(
                    "complete the approval (meeting, notice) or recover the money",
                    "请完成审批 (评议、公示) 或追回资金",
                ),
            )),
            Some(x) if x.effective_from.is_some_and(|from| month < from) => f.push(err(
                "J204",
                &p.case_id,
                m(
                    format!(
                        "payment {} is for {month}, before decision {} took effect ({})",
                        p.payment_id,
                        x.decision_id,
                        month_text(x.effective_from)
                    ),
                    format!(
                        "付款 {} 属于 {month}, 早于决定 {} 生效的月份 ({})",
                        p.payment_id,
                        x.decision_id,
                        month_text(x.effective_from)
                    ),
                ),
                m(
                    "a month before approval was paid: recover it",
                    "审批前的月份已发放: 请追回",
                ),
            )),
            Some(_) => {}
        }
    }
    f
}

/// J202, J203: nothing paid (of the month audited, with `--period`) for a month the decision in force does not
/// pay — after a stop, or the end of a 渐退 — or for a month after the recipient's confirmed death; months
/// recorded to recover (追回) are held by J213 instead.
pub(super) fn payments_after_stop_or_death(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let d = ctx.d;
    for p in d.payments.iter().filter(|p| ctx.in_scope(p.period)) {
        let month = p.period;
        if p.status == PaymentStatus::Reissued {
            continue;
        }
        // Recorded to recover (追回): held by J213 until settled.
        if ctx.recovered.contains(&(p.case_id.clone(), month)) {
            continue;
        }
        if let Some(inforce) = decision::in_force_on(ctx.decisions_of(&p.case_id), month) {
            if !decision::pays_in(inforce, month) {
                f.push(err(
                    "J202",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} ({month}, {}) after the case was stopped by decision {} (from {})",
                            p.payment_id,
                            p.amount,
                            inforce.decision_id,
                            month_text(inforce.effective_from)
                        ),
                        format!(
                            "付款 {} ({month}, {} 元) 发生在决定 {} 停发之后 (自 {} 起)",
                            p.payment_id,
                            p.amount,
                            inforce.decision_id,
                            month_text(inforce.effective_from)
                        ),
                    ),
                    m(
                        "nothing may be paid after a stop: record it to recover (`jiuzhu recover`) and recover the money",
                        "停发后不得发放: 请登记追回 (`jiuzhu recover`) 并追回资金",
                    ),
                ));
            }
        }
        let Some(case) = d.case(&p.case_id) else {
            continue;
        };
        let members = ctx.members.get(p.case_id.as_str()).cloned().unwrap_or_default();
        let head_death = ctx.deaths.get(case.applicant_id_number.as_str()).copied();
        let all_dead = members
            .iter()
            .map(|m| ctx.deaths.get(m.id_number.as_str()).copied())
            .collect::<Option<Vec<NaiveDate>>>()
            .and_then(|v| v.into_iter().max());
        if let Some(day) = head_death.or(all_dead) {
            if month.first_day() > day {
                f.push(err(
                    "J203",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} for {month} ({}) was made after the recipient died on {day} (confirmed \
                             deaths hit)",
                            p.payment_id, p.amount
                        ),
                        format!(
                            "付款 {} ({month}, {} 元) 发生在救助对象 {day} 死亡之后 (已确认的死亡比对疑点)",
                            p.payment_id, p.amount
                        ),
                    ),
                    m(
                        "stop the case (decide --period) and record the money paid after the death to recover \
                         (`jiuzhu recover`)",
                        "请停发该案件 (decide --period) 并登记追回死亡后发放的资金 (`jiuzhu recover`)",
                    ),
                ));
            }
        }
    }
    f
}

/// J213: an overpayment recorded to recover (追回) and not yet settled — by a repayment or a write-off.
pub(super) fn open_recoveries(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    for r in ctx.d.recoveries.iter().filter(|r| r.status == RecoveryStatus::Open) {
        f.push(warn(
            "J213",
            &r.case_id,
            m(
                format!(
                    "overpayment {} ({}): {} of {} still to recover — {}",
                    r.recovery_id,
                    r.months.replace(';', ", "),
                    r.outstanding(),
                    r.amount,
                    r.reason
                ),
                format!(
                    "多发款 {} ({}): 应追回 {} 元, 尚有 {} 元未追回 — {}",
                    r.recovery_id,
                    r.months.replace(';', "、"),
                    r.amount,
                    r.outstanding(),
                    r.reason
                ),
            ),
            m(
                "record the repayment (`jiuzhu recover CASE --repaid AMOUNT --date DATE --by NAME`) or the approved \
                 write-off (`jiuzhu recover CASE --write-off --approver NAME --reason TEXT --date DATE`)",
                "登记退回款 (`jiuzhu recover 案件编号 --repaid 金额 --date 日期 --by 经办人`) 或经审批的核销 \
                 (`jiuzhu recover 案件编号 --write-off --approver 审批人 --reason 原因 --date 日期`)",
            ),
        ));
    }
    f
}

pub(super) fn urgent_backfill(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let v = &ctx.policy.verification;
    let n = ctx.policy.benefits.temporary.backfill_working_days;
    // The first month paid of each urgent decision, in one pass over the payments (not a scan per decision).
    let urgent: crate::hash::HashSet<&str> = ctx
        .d
        .decisions
        .iter()
        .filter(|x| x.urgent)
        .map(|x| x.decision_id.as_str())
        .collect();
    let mut first_paid: crate::hash::HashMap<&str, Period> = crate::hash::HashMap::default();
    for p in ctx
        .d
        .payments
        .iter()
        .filter(|p| urgent.contains(p.decision_id.as_str()))
    {
        {
            let month = p.period;
            first_paid
                .entry(p.decision_id.as_str())
                .and_modify(|m| *m = (*m).min(month))
                .or_insert(month);
        }
    }
    for x in ctx.d.decisions.iter().filter(|x| x.urgent) {
        let Some(&first) = first_paid.get(x.decision_id.as_str()) else {
            continue;
        };
        // The back-fill limit: n working days counted from the day after the application (the emergency, when the
        // money was paid first); the first day of the month paid when the case is not found.
        let start = ctx
            .d
            .case(&x.case_id)
            .map(|c| c.applied_on)
            .unwrap_or_else(|| first.first_day());
        let deadline = date::add_working_days(start, n, &v.holidays, &v.extra_workdays);
        let backfilled = !x.meeting.is_empty() && x.decided_on.is_some_and(|day| day <= deadline);
        let due = ctx.as_of.is_none_or(|a| a > deadline) || x.decided_on.is_some();
        if !backfilled && due {
            let (late_en, late_zh) = match x.decided_on {
                Some(day) if !x.meeting.is_empty() => {
                    (format!("its approval only on {day}"), format!("迟至 {day} 才审批"))
                }
                _ => ("no back-filled approval".to_string(), "没有补办审批".to_string()),
            };
            f.push(err(
                "J205",
                &x.case_id,
                m(
                    format!(
                        "urgent decision {} (先行救助, paid for {first}) has {late_en} — the approval was due by \
                         {deadline} ({n} working days after {start})",
                        x.decision_id,
                    ),
                    format!(
                        "先行救助决定 {} (已发放 {first}) {late_zh} — 应在 {deadline} 前完成审批 ({start} 后 {n} 个工作日)",
                        x.decision_id,
                    ),
                ),
                m(
                    "put the case before the review meeting and record its approval (后置审批)",
                    "请将该案件提交评议会并记录其审批 (后置审批)",
                ),
            ));
        }
    }
    f
}

/// J304: the money adds up — decided = issued + unissued; issued = paid + failed + outstanding (see
/// `disburse::money_violations`).
pub(super) fn money_invariants(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    for v in disburse::money_violations(
        ctx.policy,
        &ctx.d.cases,
        &ctx.d.decisions,
        &ctx.d.payments,
        &ctx.d.batches,
        &ctx.d.recoveries,
    ) {
        f.push(err(
            "J304",
            "",
            m(format!("money invariant: {}", v.en), format!("资金核对不平: {}", v.zh)),
            m(
                "find the edit in `git log -p ledgers/`",
                "请用 `git log -p ledgers/` 找出改动",
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
    fn a_payment_without_its_effective_decision_is_found() {
        let clean = paid_case("CD-1");
        assert!(payments_match_decisions(&audited(&clean)).is_empty());

        let mut l = paid_case("CD-1");
        l.payments[0].decision_id = "D-NONE".into();
        assert_eq!(codes(&payments_match_decisions(&audited(&l))), ["J201"]);

        let mut l = paid_case("CD-1");
        l.decisions[0].status = DecisionStatus::Approved;
        assert_eq!(codes(&payments_match_decisions(&audited(&l))), ["J204"]);

        let mut l = paid_case("CD-1");
        l.decisions[0].effective_from = Some(month("2026-12"));
        assert_eq!(codes(&payments_match_decisions(&audited(&l))), ["J204"]);
    }

    #[test]
    fn a_payment_after_a_stop_or_a_death_is_found() {
        let clean = paid_case("CD-1");
        assert!(payments_after_stop_or_death(&audited(&clean)).is_empty());

        // Stopped from 2026-11, paid for 2026-11.
        let mut l = paid_case("CD-1");
        l.decisions[0].period = month("2026-10");
        l.decisions[0].effective_from = Some(month("2026-10"));
        let mut stop = decision("CD-1");
        stop.kind = DecisionKind::Stop;
        stop.amount = Fen(0);
        stop.decision_id = decision::decision_id("CD-1", stop.period, stop.kind);
        l.decisions.push(stop);
        assert_eq!(codes(&payments_after_stop_or_death(&audited(&l))), ["J202"]);
        // Recorded to recover: held by J213 instead.
        l.recoveries.push(recovery("CD-1"));
        assert!(payments_after_stop_or_death(&audited(&l)).is_empty());

        // The head died in October; November was paid.
        let mut l = paid_case("CD-1");
        l.matches
            .push(hit("CD-1", "130199199303022985", "deaths", "死亡日期=2026-10-15"));
        assert_eq!(codes(&payments_after_stop_or_death(&audited(&l))), ["J203"]);
    }

    #[test]
    fn an_open_recovery_is_listed_until_settled() {
        let mut l = paid_case("CD-1");
        assert!(open_recoveries(&audited(&l)).is_empty());
        l.recoveries.push(recovery("CD-1"));
        assert_eq!(codes(&open_recoveries(&audited(&l))), ["J213"]);
        l.recoveries[0].status = RecoveryStatus::Settled;
        assert!(open_recoveries(&audited(&l)).is_empty());
    }

    #[test]
    fn an_urgent_payment_needs_its_approval_back_filled_in_time() {
        let mut l = paid_case("CD-1");
        l.decisions[0].urgent = true;
        // Approved at the meeting of 2026-11-20, 30 working days after the application of 2026-10-12: in time.
        assert!(urgent_backfill(&audited(&l)).is_empty());
        // Applied for on 2026-09-01: the approval was due in October.
        l.cases[0].applied_on = day("2026-09-01");
        assert_eq!(codes(&urgent_backfill(&audited(&l))), ["J205"]);
        l.cases[0].applied_on = day("2026-11-16");
        assert!(urgent_backfill(&audited(&l)).is_empty());
        // No approval at all.
        l.decisions[0].meeting = Text::default();
        assert_eq!(codes(&urgent_backfill(&audited(&l))), ["J205"]);
    }

    #[test]
    fn money_that_does_not_add_up_is_found() {
        let mut l = paid_case("CD-1");
        assert!(money_invariants(&audited(&l)).is_empty());
        l.batches.push(row("2026-11,2026-11,1,999.00,"));
        assert!(codes(&money_invariants(&audited(&l))).iter().all(|c| *c == "J304"));
        assert!(!money_invariants(&audited(&l)).is_empty());
    }
}
