//! Audit's checks of the cases: one open case per person, confirmed exclude hits acted on, relatives of staff
//! reviewed (J206–J209).

use super::*;

pub(super) fn one_case_per_person(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let d = ctx.d;
    let mut by_person: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in &d.members {
        if d.case(&m.case_id).is_some_and(|c| c.status.is_open()) {
            by_person
                .entry(m.id_number.as_str())
                .or_default()
                .insert(m.case_id.as_str());
        }
    }
    let exclusive = |a: &str, b: &str| {
        ctx.policy
            .audit
            .exclusive_schemes
            .iter()
            .any(|[x, y]| (x == a && y == b) || (x == b && y == a))
    };
    // Cases whose duplicate_person check did not pass, found once (not a scan of every check per pair).
    let flagged: crate::hash::HashSet<&str> = d
        .checks
        .iter()
        .filter(|k| k.check == "duplicate_person" && k.result != CheckResult::Pass)
        .map(|k| k.case_id.as_str())
        .collect();
    for (person, cases) in by_person.iter().filter(|(_, c)| c.len() > 1) {
        let cases: Vec<&Case> = cases.iter().filter_map(|c| d.case(c)).collect();
        let masked = crate::domain::id_number::mask_any(person);
        for (i, a) in cases.iter().enumerate() {
            for b in &cases[i + 1..] {
                let live = |c: &Case| ctx.in_force_or_approved(c);
                let caught_by_verify = |c: &Case| flagged.contains(c.case_id.as_str());
                let report = match (live(a), live(b)) {
                    (true, true) => true,
                    (true, false) => !caught_by_verify(b),
                    (false, true) => !caught_by_verify(a),
                    (false, false) => false,
                };
                if !report {
                    continue;
                }
                if exclusive(&a.scheme, &b.scheme) {
                    f.push(err(
                        "J207",
                        &a.case_id,
                        m(
                            format!(
                                "person {masked} is in {} ({}) and {} ({}), schemes that exclude each other",
                                a.case_id, a.scheme, b.case_id, b.scheme
                            ),
                            format!(
                                "{masked} 同时在 {} ({}) 和 {} ({}) 中, 这两类救助不能同时享受",
                                a.case_id,
                                scheme_zh(ctx.policy, &a.scheme),
                                b.case_id,
                                scheme_zh(ctx.policy, &b.scheme)
                            ),
                        ),
                        m(
                            "stop one of the two cases (audit.exclusive_schemes in jiuzhu.yaml)",
                            "请停发其中一个案件 (见 jiuzhu.yaml 的 audit.exclusive_schemes)",
                        ),
                    ));
                } else {
                    f.push(err(
                        "J206",
                        &a.case_id,
                        m(
                            format!("person {masked} is in two open cases: {} and {}", a.case_id, b.case_id),
                            format!("{masked} 同时在两个在办案件中: {} 和 {}", a.case_id, b.case_id),
                        ),
                        m(
                            "remove the person from one household (re-intake) and re-decide it",
                            "请把此人从其中一户移出 (重新导入) 并重新审核确认",
                        ),
                    ));
                }
            }
        }
    }
    f
}

/// Whether a case was acted on: no longer receiving, or a stop/decrease/refusal/gradual exit decided for it (from
/// `since` on, when given).
pub(super) fn acted_on(ctx: &Audit, case: &Case, since: Option<Period>) -> bool {
    if !ctx.in_force_or_approved(case) {
        return true;
    }
    ctx.decisions_of(&case.case_id).iter().any(|x| {
        matches!(
            x.kind,
            DecisionKind::Stop | DecisionKind::Decrease | DecisionKind::Reject | DecisionKind::GradualExit
        ) && !matches!(x.status, DecisionStatus::Rejected | DecisionStatus::Deferred)
            && since.is_none_or(|s| x.period >= s)
    })
}

pub(super) fn exclude_hits_acted_on(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    // The decisions whose money went out (issued or paid), gathered the first time a one-off case needs them: a
    // one-off (临时救助) paid leaves nothing to stop.
    let paid = std::cell::OnceCell::<HashSet<&str>>::new();
    let one_off_paid = |case: &Case| {
        if !ctx
            .policy
            .schemes
            .get(&case.scheme)
            .is_some_and(|s| s.kind == SchemeKind::Temporary)
        {
            return false;
        }
        let paid = paid.get_or_init(|| {
            ctx.d
                .payments
                .iter()
                .filter(|p| matches!(p.status, PaymentStatus::Issued | PaymentStatus::Paid))
                .map(|p| p.decision_id.as_str())
                .collect()
        });
        ctx.decisions_of(&case.case_id)
            .iter()
            .filter(|x| x.status == DecisionStatus::Effective && defines_amounts(x))
            .all(|x| paid.contains(x.decision_id.as_str()))
    };
    for m in ctx
        .d
        .matches
        .iter()
        .filter(|m| m.effect == Effect::Exclude && m.disposition == Disposition::Confirmed)
    {
        let Some(case) = ctx.d.case(&m.case_id) else {
            continue;
        };
        if acted_on(ctx, case, None) || one_off_paid(case) {
            continue;
        }
        // The person is no longer a member of the case (moved out, removed by a correction): the case's records
        // have taken them out; what that does to the amount is decide's (a member change), not this hit's.
        let members_now = ctx.members.get(case.case_id.as_str());
        if !members_now.is_some_and(|ms| ms.iter().any(|x| x.id_number == m.id_number)) {
            continue;
        }
        // A member's death is acted on when the decision in force no longer counts them.
        let members = ctx.members.get(case.case_id.as_str()).map_or(0, Vec::len);
        let counted_less = ctx
            .decisions_of(&case.case_id)
            .iter()
            .any(|x| defines_amounts(x) && Basis::parse(&x.basis).is_some_and(|b| b.members < members));
        if ctx.policy.is_death_registry(&m.source) && counted_less {
            continue;
        }
        f.push(err(
            "J208",
            &m.case_id,
            self::m(
                format!(
                    "confirmed {} hit {} ({}) is not acted on: the case is still {}",
                    m.source,
                    m.hit_id,
                    m.id_number.masked(),
                    case.status.as_str()
                ),
                format!(
                    "已确认的比对疑点 {} ({}, `{}`) 未处理: 案件仍为 `{}`",
                    m.hit_id,
                    m.id_number.masked(),
                    m.source,
                    case.status.as_str()
                ),
            ),
            self::m(
                "re-decide the case (`jiuzhu decide --period P` proposes the stop or decrease)",
                "请重新审核确认该案件 (`jiuzhu decide --period P` 会提出停发或减发)",
            ),
        ));
    }
    f
}

pub(super) fn relatives_reviewed(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let regs = &ctx.policy.audit.relatives_registries;
    // Cases re-visited by the township or county, found once.
    let revisited: crate::hash::HashSet<&str> = ctx
        .d
        .visits
        .iter()
        .filter(|v| matches!(v.level, VisitLevel::Township | VisitLevel::County))
        .map(|v| v.case_id.as_str())
        .collect();
    for m in ctx.d.matches.iter().filter(|m| regs.contains(&m.source)) {
        let Some(case) = ctx.d.case(&m.case_id) else {
            continue;
        };
        if !ctx.in_force_or_approved(case) {
            continue;
        }
        if m.disposition == Disposition::Open || m.decided_by.trim().is_empty() {
            f.push(err(
                "J209",
                &m.case_id,
                self::m(
                    format!(
                        "relative of staff (近亲属备案, hit {}) approved without the hit decided by a named person",
                        m.hit_id
                    ),
                    format!("近亲属备案 (疑点 {}) 未经具名人员处理即获批准", m.hit_id),
                ),
                // An open hit is on the current worksheet, named by its batch.
                if m.disposition == Disposition::Open && !m.batch.is_empty() {
                    self::m(
                        format!(
                            "decide the hit with `jiuzhu compare --resolve reports/compare-hits-{}.xlsx` naming \
                             who decided",
                            m.batch
                        ),
                        format!(
                            "请用 `jiuzhu compare --resolve reports/compare-hits-{}.xlsx` 处理该疑点, 并写明处理人",
                            m.batch
                        ),
                    )
                } else {
                    self::m(
                        "decide the hit with `jiuzhu compare --resolve` naming who decided",
                        "请用 `jiuzhu compare --resolve` 处理该疑点, 并写明处理人",
                    )
                },
            ));
        }
        if !revisited.contains(m.case_id.as_str()) {
            f.push(err(
                "J209",
                &m.case_id,
                self::m(
                    format!(
                        "relative of staff (近亲属备案, hit {}) approved without a township re-visit",
                        m.hit_id
                    ),
                    format!("近亲属备案 (疑点 {}) 未经乡镇复查入户即获批准", m.hit_id),
                ),
                self::m(
                    "have the township re-visit the household and record it with `jiuzhu verify --visits`",
                    "请乡镇入户复查, 并用 `jiuzhu verify --visits` 记录",
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

    /// Two paid cases with one person in both (the second case's scheme given).
    fn two_cases(scheme: &str) -> Ledgers {
        let mut l = paid_case("CD-1");
        let other = paid_case("CD-2");
        l.cases.extend(other.cases);
        l.cases[1].scheme = scheme.into();
        l.members.extend(other.members);
        l
    }

    #[test]
    fn a_person_in_two_open_cases_is_found() {
        assert!(one_case_per_person(&audited(&paid_case("CD-1"))).is_empty());
        assert_eq!(
            codes(&one_case_per_person(&audited(&two_cases("rural_dibao")))),
            ["J206"]
        );
        // 城市低保 and 特困 exclude each other (audit.exclusive_schemes).
        assert_eq!(codes(&one_case_per_person(&audited(&two_cases("tekun")))), ["J207"]);
        // A closed case is not open.
        let mut l = two_cases("rural_dibao");
        l.cases[1].status = CaseStatus::Closed;
        assert!(one_case_per_person(&audited(&l)).is_empty());
    }

    #[test]
    fn a_confirmed_exclude_hit_must_be_acted_on() {
        let mut l = paid_case("CD-1");
        l.matches
            .push(hit("CD-1", "130199199303022985", "payroll", "月工资=4870"));
        assert_eq!(codes(&exclude_hits_acted_on(&audited(&l))), ["J208"]);
        // A stop decided for the case acts on it.
        let mut stop = decision("CD-1");
        stop.kind = DecisionKind::Stop;
        stop.status = DecisionStatus::Proposed;
        l.decisions.push(stop);
        assert!(exclude_hits_acted_on(&audited(&l)).is_empty());
    }

    /// A death confirmed and acted on in one month (the decision no longer counts the member), the member then
    /// removed by a follow-up (moved out): the hit is not raised again as not acted on.
    #[test]
    fn a_hit_on_a_person_no_longer_a_member_is_not_raised_again() {
        let mut l = paid_case("CD-1");
        l.matches
            .push(hit("CD-1", "130199195307187340", "deaths", "死亡日期=2026-09-17"));
        // The person is not (or no longer) in members.csv: nothing to act on in this case.
        assert!(exclude_hits_acted_on(&audited(&l)).is_empty());
        // A member still in the case is.
        l.members.push(member("CD-1", "130199195307187340"));
        l.decisions[0].basis = "members=2;income=2024.00;deduction=0.00;standard=860.00@2026-07-01".into();
        assert_eq!(codes(&exclude_hits_acted_on(&audited(&l))), ["J208"]);
    }

    /// A 临时救助 is paid once: a hit confirmed after its payment leaves nothing to stop (whether money must be
    /// recovered is `recover`'s question); before its payment, the case must still be acted on.
    #[test]
    fn a_one_off_already_paid_has_nothing_left_to_stop() {
        let mut l = paid_case("CD-1");
        l.cases[0].scheme = "temporary".into();
        l.decisions[0].kind = DecisionKind::New;
        l.matches
            .push(hit("CD-1", "130199199303022985", "vehicles", "车辆=冀A12345"));
        assert!(exclude_hits_acted_on(&audited(&l)).is_empty());
        l.payments.clear();
        assert_eq!(codes(&exclude_hits_acted_on(&audited(&l))), ["J208"]);
        // A monthly scheme paid is still to be stopped.
        let mut l = paid_case("CD-1");
        l.matches
            .push(hit("CD-1", "130199199303022985", "vehicles", "车辆=冀A12345"));
        assert_eq!(codes(&exclude_hits_acted_on(&audited(&l))), ["J208"]);
    }

    #[test]
    fn a_relative_of_staff_is_decided_by_a_named_person_and_re_visited() {
        let mut l = paid_case("CD-1");
        assert!(relatives_reviewed(&audited(&l)).is_empty());
        l.matches
            .push(hit("CD-1", "130199199303022985", "relatives", "关系=村干部之妻"));
        l.matches[0].decided_by = Text::default();
        // Neither decided by a named person nor re-visited by the township.
        assert_eq!(codes(&relatives_reviewed(&audited(&l))), ["J209", "J209"]);
        l.matches[0].decided_by = "李明".into();
        let mut v = visit("CD-1", "2026-11-15");
        v.level = VisitLevel::Township;
        l.visits.push(v);
        assert!(relatives_reviewed(&audited(&l)).is_empty());
    }
}
