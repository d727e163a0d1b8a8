//! Audit's replay: every decision recomputed from its basis and the policy, every payment from the decisions
//! (J301–J303).

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Replay.

pub(super) fn replay_decisions(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    // Confirmed deaths that exclude a member, by case, found once (a scan of the hits per decision is quadratic).
    let mut dead_of: HashMap<&str, BTreeSet<String>> = HashMap::default();
    for m in ctx.d.matches.iter().filter(|m| {
        ctx.policy.is_death_registry(&m.source)
            && m.disposition == Disposition::Confirmed
            && m.effect == Effect::Exclude
    }) {
        dead_of
            .entry(m.case_id.as_str())
            .or_default()
            .insert(m.id_number.as_str().to_string());
    }
    // Each decision is replayed on its own, on both cores; the findings are joined in the ledger's order.
    let found: Vec<Vec<Finding>> = ctx
        .d
        .decisions
        .par_iter()
        .map(|x| {
            let mut found = Vec::new();
            replay_one(ctx, &dead_of, x, &mut found);
            found
        })
        .collect();
    f.extend(found.into_iter().flatten());
    f
}

/// Replays one decision from its basis (see [`replay_decisions`]); `dead_of`: the confirmed deaths by case.
fn replay_one(ctx: &Audit, dead_of: &HashMap<&str, BTreeSet<String>>, x: &Decision, f: &mut Vec<Finding>) {
    let policy = ctx.policy;
    let fix = m(
        "restore decisions.csv from Git; amounts are only ever changed by `jiuzhu decide`",
        "请从 Git 恢复 decisions.csv; 金额只能由 `jiuzhu decide` 改动",
    );
    if decision::decision_id(&x.case_id, x.period, x.kind) != x.decision_id {
        f.push(err(
            "J302",
            &x.case_id,
            m(
                format!(
                    "decision {}: its ID does not belong to case {}, period {} and kind {:?}",
                    x.decision_id, x.case_id, x.period, x.kind
                ),
                format!(
                    "决定 {}: 其编号与案件 {}、月份 {}、类型{}不符",
                    x.decision_id,
                    x.case_id,
                    x.period,
                    x.kind.label_zh()
                ),
            ),
            fix.clone(),
        ));
    }
    if x.delta_amount.0 != x.amount.0 - x.previous_amount.0 {
        f.push(err(
            "J302",
            &x.case_id,
            m(
                format!(
                    "decision {}: delta {} ≠ amount {} − previous {}",
                    x.decision_id, x.delta_amount, x.amount, x.previous_amount
                ),
                format!(
                    "决定 {}: 变动 {} ≠ 金额 {} − 原金额 {}",
                    x.decision_id, x.delta_amount, x.amount, x.previous_amount
                ),
            ),
            fix.clone(),
        ));
    }
    let expect_fixed = match x.kind {
        DecisionKind::Stop | DecisionKind::Reject => Some(Fen(0)),
        DecisionKind::GradualExit => Some(x.previous_amount),
        _ => None,
    };
    if let Some(want) = expect_fixed {
        if x.amount != want {
            f.push(err(
                "J301",
                &x.case_id,
                m(
                    format!(
                        "decision {} ({}): amount {} but a {} pays {want}",
                        x.decision_id,
                        x.kind.label_zh(),
                        x.amount,
                        x.kind.label_zh()
                    ),
                    format!(
                        "决定 {} ({}): 金额为 {}, 而{}应为 {want}",
                        x.decision_id,
                        x.kind.label_zh(),
                        x.amount,
                        x.kind.label_zh()
                    ),
                ),
                fix.clone(),
            ));
        }
        return;
    }
    let (p, Some(case)) = (x.period, ctx.d.case(&x.case_id)) else {
        return;
    };
    if x.basis.is_empty() {
        f.push(err(
            "J302",
            &x.case_id,
            m(
                format!(
                    "decision {} ({}) records no basis, so it cannot be replayed",
                    x.decision_id,
                    x.kind.label_zh()
                ),
                format!(
                    "决定 {} ({}) 没有记录计算依据, 无法复算",
                    x.decision_id,
                    x.kind.label_zh()
                ),
            ),
            fix.clone(),
        ));
        return;
    }
    let members = ctx.members.get(x.case_id.as_str()).cloned().unwrap_or_default();
    let dead = dead_of.get(x.case_id.as_str()).cloned().unwrap_or_default();
    let mut replayed = None;
    for without in [BTreeSet::new(), dead] {
        if let Ok((computed, basis)) = decide::compute(policy, case, &members, p.first_day(), &without) {
            if Basis::parse(&x.basis).is_some_and(|recorded| basis.reproduces(&recorded)) {
                replayed = Some(computed);
                break;
            }
        }
    }
    // The case's data changed since the decision: its basis no longer reproduces, nothing to replay.
    let Some(computed) = replayed else {
        return;
    };
    match computed {
        Computed::Pay { amount, derivation, .. } => {
            if amount != x.amount {
                f.push(err(
                    "J301",
                    &x.case_id,
                    m(
                        format!(
                            "decision {} ({} {}): amount {} but the replay from its basis gives {amount}",
                            x.decision_id,
                            x.kind.label_zh(),
                            x.period,
                            x.amount
                        ),
                        format!(
                            "决定 {} ({} {}): 金额为 {}, 按其依据复算为 {amount}",
                            x.decision_id,
                            x.kind.label_zh(),
                            x.period,
                            x.amount
                        ),
                    ),
                    fix,
                ));
            } else if derivation.text() != x.derivation.0 || derivation.policy_values.join("; ") != x.policy_values.0 {
                f.push(err(
                    "J301",
                    &x.case_id,
                    m(
                        format!(
                            "decision {}: its derivation or policy values differ from the replay from its basis",
                            x.decision_id
                        ),
                        format!("决定 {}: 计算过程或政策取值与按其依据复算的结果不符", x.decision_id),
                    ),
                    fix,
                ));
            }
        }
        Computed::Ineligible { reason, .. } => f.push(err(
            "J301",
            &x.case_id,
            m(
                format!(
                    "decision {} pays {} but the replay from its basis finds the household ineligible ({reason})",
                    x.decision_id, x.amount
                ),
                format!(
                    "决定 {} 发放 {} 元, 但按其依据复算该户不符合条件 ({reason})",
                    x.decision_id, x.amount
                ),
            ),
            fix,
        )),
    }
}

pub(super) fn replay_payments(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let d = ctx.d;
    let fix = m(
        "restore the payments (ledgers/payments/) from Git; payments are only ever written by `jiuzhu disburse`",
        "请从 Git 恢复发放记录 (ledgers/payments/); 付款只能由 `jiuzhu disburse` 写入",
    );
    let by_id: BTreeMap<&str, &Decision> = d.decisions.iter().map(|x| (x.decision_id.as_str(), x)).collect();
    let mut per_month: BTreeMap<(&str, Period), usize> = BTreeMap::new();
    for p in &d.payments {
        *per_month.entry((p.case_id.as_str(), p.period)).or_default() += 1;
    }
    let payments: BTreeMap<&str, &Payment> = d.payments.iter().map(|p| (p.payment_id.as_str(), p)).collect();
    // The months due to each case, up to the last month it was paid for, worked out once per case (whether a
    // month is due does not depend on how far the months are counted): not once per payment, which grows with
    // the square of a case's history.
    let mut last_paid: crate::hash::HashMap<&str, Period> = crate::hash::HashMap::default();
    for p in d.payments.iter().filter(|p| ctx.in_scope(p.period)) {
        {
            let month = p.period;
            last_paid
                .entry(p.case_id.as_str())
                .and_modify(|m| *m = (*m).max(month))
                .or_insert(month);
        }
    }
    let mut due_of: crate::hash::HashMap<&str, BTreeSet<Period>> = crate::hash::HashMap::default();
    for p in d.payments.iter().filter(|p| ctx.in_scope(p.period)) {
        let month = p.period;
        let n = per_month.get(&(p.case_id.as_str(), p.period)).copied().unwrap_or(0);
        if !(0..n).any(|i| disburse::payment_id(&p.case_id, month, i) == p.payment_id) {
            f.push(err(
                "J303",
                &p.case_id,
                m(
                    format!(
                        "payment {}: its ID does not belong to case {} and month {month}",
                        p.payment_id, p.case_id
                    ),
                    format!("付款 {}: 其流水号与案件 {}、月份 {month} 不符", p.payment_id, p.case_id),
                ),
                fix.clone(),
            ));
        }
        match d.case(&p.case_id) {
            None => f.push(err(
                "J303",
                &p.case_id,
                m(
                    format!("payment {}: no such case", p.payment_id),
                    format!("付款 {}: 没有该案件", p.payment_id),
                ),
                fix.clone(),
            )),
            Some(c) if c.scheme != p.scheme => f.push(err(
                "J303",
                &p.case_id,
                m(
                    format!(
                        "payment {}: scheme {} but the case is {}",
                        p.payment_id, p.scheme, c.scheme
                    ),
                    format!(
                        "付款 {}: 救助类别为 {}, 而案件为 {}",
                        p.payment_id,
                        scheme_zh(ctx.policy, &p.scheme),
                        scheme_zh(ctx.policy, &c.scheme)
                    ),
                ),
                fix.clone(),
            )),
            _ => {}
        }
        let Some(x) = by_id.get(p.decision_id.as_str()) else {
            continue; // J201
        };
        let want = match p.kind {
            PaymentKind::Regular | PaymentKind::Arrears | PaymentKind::OneOff => Some(x.amount),
            PaymentKind::Reissue => payments.get(p.reissue_of.as_str()).map(|o| o.amount),
            PaymentKind::Adjustment => None,
        };
        if let Some(want) = want {
            if want != p.amount {
                f.push(err(
                    "J303",
                    &p.case_id,
                    m(
                        format!(
                            "payment {} ({month}, {}): paid {} but its decision {} gives {want}",
                            p.payment_id,
                            p.kind.label_zh(),
                            p.amount,
                            x.decision_id
                        ),
                        format!(
                            "付款 {} ({month}, {}): 发放 {}, 而其决定 {} 应为 {want}",
                            p.payment_id,
                            p.kind.label_zh(),
                            p.amount,
                            x.decision_id
                        ),
                    ),
                    fix.clone(),
                ));
            }
        }
        if let Some(case) = d.case(&p.case_id) {
            if let Some(scheme) = ctx.policy.schemes.get(&case.scheme) {
                let due = due_of.entry(p.case_id.as_str()).or_insert_with(|| {
                    let ds = ctx.decisions_of(&p.case_id);
                    decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, last_paid[p.case_id.as_str()])
                        .into_iter()
                        .map(|u| u.month)
                        .collect()
                });
                if !due.contains(&month)
                    && p.status != PaymentStatus::Reissued
                    && p.kind != PaymentKind::OneOff
                    && !ctx.recovered.contains(&(p.case_id.clone(), month))
                {
                    f.push(err(
                        "J303",
                        &p.case_id,
                        m(
                            format!(
                                "payment {} ({month}, {}): nothing is due to the case that month",
                                p.payment_id, p.amount
                            ),
                            format!(
                                "付款 {} ({month}, {} 元): 该案件当月没有应发款项",
                                p.payment_id, p.amount
                            ),
                        ),
                        fix.clone(),
                    ));
                }
            }
        }
    }
    f
}

// ---------------------------------------------------------------------------------------------------------------
// The monthly change report.

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_decision_whose_id_or_amounts_do_not_replay_is_found() {
        let l = paid_case("CD-1");
        let clean: Vec<&str> = codes(&replay_decisions(&audited(&l)));
        assert!(!clean.contains(&"J302"), "{clean:?}");

        let mut l = paid_case("CD-1");
        l.decisions[0].decision_id = "D-000000000000".into();
        assert!(codes(&replay_decisions(&audited(&l))).contains(&"J302"));

        let mut l = paid_case("CD-1");
        l.decisions[0].delta_amount = Fen(1);
        assert!(codes(&replay_decisions(&audited(&l))).contains(&"J302"));

        // A stop pays nothing.
        let mut l = paid_case("CD-1");
        let mut stop = decision("CD-1");
        stop.kind = DecisionKind::Stop;
        stop.period = month("2026-12");
        stop.decision_id = decision::decision_id("CD-1", stop.period, stop.kind);
        stop.previous_amount = stop.amount;
        stop.delta_amount = Fen(0);
        l.decisions.push(stop);
        assert!(codes(&replay_decisions(&audited(&l))).contains(&"J301"));
    }

    /// A paid case of two (the head earning 300.00 and a 16-year-old son without income) whose decision is what `decide` gives.
    fn decided_case() -> Ledgers {
        let mut l = paid_case("CD-1");
        l.members[0].monthly_income_amount = Fen(30_000);
        let mut son = member("CD-1", "130199201003071232");
        son.relation = crate::domain::records::Relation::Son;
        son.birth_date = day("2010-03-07");
        son.monthly_income_amount = Fen(0);
        l.members.push(son);
        let p = policy();
        let members: Vec<&Member> = l.members.iter().collect();
        let x = &mut l.decisions[0];
        let (computed, basis) =
            decide::compute(&p, &l.cases[0], &members, x.period.first_day(), &BTreeSet::new()).expect("a computation");
        let Computed::Pay { amount, derivation, .. } = computed else {
            panic!("the household is paid")
        };
        (x.amount, x.delta_amount, x.basis) = (amount, amount, Text(basis.to_string()));
        x.derivation = Text(derivation.text());
        x.policy_values = Text(derivation.policy_values.join("; "));
        l
    }

    #[test]
    fn a_decision_is_replayed_only_from_the_household_it_was_made_for() {
        let l = decided_case();
        assert!(
            replay_decisions(&audited(&l)).is_empty(),
            "{:?}",
            codes(&replay_decisions(&audited(&l)))
        );
        // An amount edited by hand: replayed, found.
        let mut edited = decided_case();
        edited.decisions[0].amount = Fen(edited.decisions[0].amount.0 + 100);
        edited.decisions[0].delta_amount = edited.decisions[0].amount;
        assert_eq!(codes(&replay_decisions(&audited(&edited))), ["J301"]);
        // Since the decision, the son has gone to school (a top-up), the household's size and income as they
        // were: the decision was made for another household, so there is nothing to replay — no false alarm.
        let mut schooled = decided_case();
        schooled.members[1].in_school = true;
        assert!(replay_decisions(&audited(&schooled)).is_empty());
        // A decision from before the members counted were recorded is replayed as before (by size and income).
        let mut old = decided_case();
        old.members[1].in_school = true;
        let basis = old.decisions[0].basis.0.clone();
        old.decisions[0].basis = Text(basis[..basis.find(";household=").expect("recorded")].to_string());
        assert_eq!(codes(&replay_decisions(&audited(&old))), ["J301"]);
    }

    #[test]
    fn a_payment_that_does_not_replay_from_the_decisions_is_found() {
        let l = paid_case("CD-1");
        assert!(replay_payments(&audited(&l)).is_empty());

        let mut l = paid_case("CD-1");
        l.payments[0].amount = Fen(1);
        assert_eq!(codes(&replay_payments(&audited(&l))), ["J303"]);

        let mut l = paid_case("CD-1");
        l.cases.clear();
        assert!(codes(&replay_payments(&audited(&l))).contains(&"J303"));
    }
}
