//! Cadences of dynamic management (动态管理): when each household was last looked at, and whether the next look
//! is overdue. Two rules read the same record of it ([`LastSeen`]):
//!
//! - the **re-check** `audit` holds effective cases to (J401; `audit.recheck_months`: 城市低保 monthly, 农村低保
//!   quarterly, every other scheme yearly, 年审): a home visit (入户调查), a follow-up visit (回访) or a verify
//!   check within that many months before the day audited;
//! - the **follow-up visit** `status` lists as overdue (`followups.cadence_months`, by the household's class of
//!   difficulty, 困难类别): months after the last home or follow-up visit, or after the decision that put the
//!   benefit in force for a household never visited since.
//!
//! A follow-up that checked the household's situation is its re-check, and a home visit is as good as a
//! follow-up; a verify check is a re-check (the case's situation re-examined) but not a visit. Only what happened
//! on or before the day judged counts.

use chrono::{Months, NaiveDate};

use crate::domain::policy::{Policy, SchemeKind};
use crate::domain::records::{Case, CaseStatus, Check, DifficultyClass, Followup, Visit};
use crate::hash::HashMap;

/// What the ledgers show of one case up to the day judged.
#[derive(Debug, Clone, Copy, Default)]
struct Seen<'a> {
    /// The latest home visit (入户调查).
    home_visit: Option<NaiveDate>,
    /// The latest follow-up visit (回访): its class of difficulty sets when the next one is due.
    followup: Option<&'a Followup>,
    /// The latest verify check.
    checked: Option<NaiveDate>,
}

/// When each household was last visited and last re-checked, as of a day: one pass over each ledger.
#[derive(Debug, Default)]
pub struct LastSeen<'a> {
    by_case: HashMap<&'a str, Seen<'a>>,
}

impl<'a> LastSeen<'a> {
    /// The home visits, follow-up visits and verify checks on or before `as_of` (later ones had not happened on
    /// the day judged).
    pub fn new(visits: &'a [Visit], followups: &'a [Followup], checks: &'a [Check], as_of: NaiveDate) -> Self {
        let mut by_case: HashMap<&'a str, Seen<'a>> = HashMap::default();
        for v in visits.iter().filter(|v| v.visited_on <= as_of) {
            let s = by_case.entry(v.case_id.as_str()).or_default();
            s.home_visit = s.home_visit.max(Some(v.visited_on));
        }
        for k in checks.iter().filter(|k| k.as_of <= as_of) {
            let s = by_case.entry(k.case_id.as_str()).or_default();
            s.checked = s.checked.max(Some(k.as_of));
        }
        for f in followups.iter().filter(|f| f.visited_on <= as_of) {
            let s = by_case.entry(f.case_id.as_str()).or_default();
            // Of two follow-ups on one day, the one with the greater ID: the same whatever the ledger's order.
            if s.followup
                .is_none_or(|e| (f.visited_on, &f.followup_id) > (e.visited_on, &e.followup_id))
            {
                s.followup = Some(f);
            }
        }
        LastSeen { by_case }
    }

    fn seen(&self, case_id: &str) -> Seen<'a> {
        self.by_case.get(case_id).copied().unwrap_or_default()
    }

    /// The latest follow-up visit (回访) of a case.
    pub fn latest_followup(&self, case_id: &str) -> Option<&'a Followup> {
        self.seen(case_id).followup
    }

    /// The last visit to the household: a home visit or a follow-up visit.
    pub fn visited(&self, case_id: &str) -> Option<NaiveDate> {
        let s = self.seen(case_id);
        s.home_visit.max(s.followup.map(|f| f.visited_on))
    }

    /// The last re-check of the household's situation: a visit of either kind, or a verify check.
    pub fn rechecked(&self, case_id: &str) -> Option<NaiveDate> {
        self.visited(case_id).max(self.seen(case_id).checked)
    }
}

/// An effective case whose re-check is overdue (J401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckDue {
    pub case_id: String,
    pub scheme: String,
    /// The cadence: months between re-checks.
    pub months: u32,
    /// The last re-check, if any.
    pub last: Option<NaiveDate>,
}

/// Effective cases (临时救助 aside: a one-off) with no re-check within their scheme's cadence
/// (`audit.recheck_months`, else `default_recheck_months`) before `as_of`, in the cases' order.
pub fn overdue_rechecks(policy: &Policy, cases: &[Case], seen: &LastSeen, as_of: NaiveDate) -> Vec<RecheckDue> {
    let rules = &policy.audit;
    let mut out = Vec::new();
    for c in cases.iter().filter(|c| c.status == CaseStatus::Effective) {
        let Some(scheme) = policy.schemes.get(&c.scheme) else {
            continue;
        };
        if scheme.kind == SchemeKind::Temporary {
            continue;
        }
        let months = rules
            .recheck_months
            .get(&c.scheme)
            .copied()
            .unwrap_or(rules.default_recheck_months);
        let since = as_of.checked_sub_months(Months::new(months)).unwrap_or(as_of);
        let last = seen.rechecked(&c.case_id);
        if last.is_none_or(|l| l <= since) {
            out.push(RecheckDue {
                case_id: c.case_id.clone(),
                scheme: c.scheme.clone(),
                months,
                last,
            });
        }
    }
    out
}

/// A household due for a follow-up visit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FollowupDue {
    pub case_id: String,
    pub difficulty_class: DifficultyClass,
    /// The last follow-up or home visit, or the date the benefit was decided when there was none since.
    pub last_seen: NaiveDate,
    pub due_on: NaiveDate,
}

/// Households receiving a benefit whose next follow-up is overdue as of a date: the class is the latest
/// follow-up's (else the policy's default), the cadence the policy's months for that class, counted from the
/// latest follow-up, home visit, or (for a household never visited since) the decision that put it in force
/// (`decided_on`, by case). Earliest due first.
pub fn overdue_followups(
    policy: &Policy,
    cases: &[Case],
    seen: &LastSeen,
    decided_on: &HashMap<&str, NaiveDate>,
    as_of: NaiveDate,
) -> Vec<FollowupDue> {
    let mut out = Vec::new();
    for c in cases.iter().filter(|c| c.status == CaseStatus::Effective) {
        let class = seen
            .latest_followup(&c.case_id)
            .map_or(policy.followups.default_class, |f| f.difficulty_class);
        let decided = decided_on.get(c.case_id.as_str()).copied();
        let Some(last_seen) = seen.visited(&c.case_id).max(decided) else {
            continue;
        };
        let due_on = last_seen
            .checked_add_months(Months::new(policy.followups.months(class)))
            .unwrap_or(last_seen);
        if due_on < as_of {
            out.push(FollowupDue {
                case_id: c.case_id.clone(),
                difficulty_class: class,
                last_seen,
                due_on,
            });
        }
    }
    out.sort_by(|a, b| (a.due_on, &a.case_id).cmp(&(b.due_on, &b.case_id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::{ChangeKind, CheckResult, Text, VisitLevel};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn visit(case: &str, on: NaiveDate) -> Visit {
        Visit {
            visit_id: format!("V-{case}-{on}"),
            case_id: case.into(),
            visited_on: on,
            level: VisitLevel::Village,
            investigators: Text("张伟、李娜".into()),
            investigator_count: 2,
            findings: Text::default(),
            signed: true,
            file_sha256: String::new(),
            row: 2,
        }
    }

    fn check(case: &str, on: NaiveDate) -> Check {
        Check {
            case_id: case.into(),
            check: "income".into(),
            result: CheckResult::Pass,
            detail: Text::default(),
            policy: String::new(),
            as_of: on,
        }
    }

    fn followup(case: &str, on: NaiveDate, class: DifficultyClass) -> Followup {
        Followup {
            followup_id: format!("F-{case}-{on}-{class:?}"),
            case_id: case.into(),
            visited_on: on,
            visitors: Text("郑海波、冯晓梅".into()),
            visitor_count: 2,
            outcome: Text::default(),
            difficulty_class: class,
            change: ChangeKind::None,
            member_id_number: String::new(),
            old_income_amount: None,
            new_income_amount: None,
            file_sha256: String::new(),
            row: 2,
        }
    }

    const TEMPLATE: &str = include_str!("../../templates/jiuzhu.yaml");

    fn policy() -> Policy {
        Policy::parse(TEMPLATE, "t").unwrap()
    }

    fn case(id: &str, scheme: &str) -> Case {
        Case {
            case_id: id.into(),
            scheme: scheme.into(),
            status: CaseStatus::Effective,
            applicant_id_number: crate::domain::id_number::parse("11010519491231002X").unwrap(),
            applicant_name: Text("张一".into()),
            region_code: "130199100".into(),
            township: Text("城关镇".into()),
            village: Text("东街社区".into()),
            address: Text::default(),
            phone: Text::default(),
            hukou: "urban".into(),
            household_size: 1,
            applied_on: d(2026, 11, 2),
            bank_name: Text::default(),
            bank_account: Text::default(),
            hardship_reason: Text::default(),
            materials: Text::default(),
            deposits_amount: None,
            vehicles: None,
            properties: None,
            deduction_amount: None,
            deduction_kind: Text::default(),
            deduction_evidence: Text::default(),
            exclusions: Text::default(),
            support_mode: None,
            temporary_months: None,
            urgent: false,
            private: false,
        }
    }

    #[test]
    fn a_follow_up_is_a_re_check_and_a_verify_check_is_not_a_visit() {
        let visits = [visit("A", d(2026, 11, 10))];
        let checks = [check("A", d(2026, 11, 13)), check("B", d(2026, 11, 13))];
        let followups = [followup("A", d(2027, 1, 15), DifficultyClass::General)];
        let seen = LastSeen::new(&visits, &followups, &checks, d(2027, 1, 31));
        assert_eq!(seen.rechecked("A"), Some(d(2027, 1, 15)));
        assert_eq!(seen.visited("A"), Some(d(2027, 1, 15)));
        assert_eq!(seen.rechecked("B"), Some(d(2026, 11, 13)));
        assert_eq!(seen.visited("B"), None, "a verify check is not a visit");
        assert_eq!(seen.rechecked("C"), None);
        // Judged on an earlier day, what came after has not happened.
        let seen = LastSeen::new(&visits, &followups, &checks, d(2026, 12, 31));
        assert_eq!(seen.rechecked("A"), Some(d(2026, 11, 13)));
        assert_eq!(seen.visited("A"), Some(d(2026, 11, 10)));
        assert_eq!(seen.latest_followup("A"), None);
    }

    #[test]
    fn the_latest_follow_up_is_the_same_in_any_order() {
        // Two on the latest day: the greater ID, whatever the ledger's order.
        let a = followup("A", d(2026, 11, 25), DifficultyClass::Special);
        let b = followup("A", d(2026, 11, 25), DifficultyClass::General);
        let c = followup("A", d(2026, 10, 1), DifficultyClass::Temporary);
        let want = a.followup_id.clone().max(b.followup_id.clone());
        for order in [[&a, &b, &c], [&c, &b, &a], [&b, &c, &a]] {
            let fs: Vec<Followup> = order.iter().map(|f| (*f).clone()).collect();
            let seen = LastSeen::new(&[], &fs, &[], d(2026, 12, 31));
            assert_eq!(seen.latest_followup("A").map(|f| &f.followup_id), Some(&want));
        }
    }

    #[test]
    fn re_checks_are_overdue_by_scheme_cadence() {
        let policy = policy();
        let cases = [
            case("U", "urban_dibao"),
            case("R", "rural_dibao"),
            case("T", "tekun"),
            case("N", "urban_dibao"),
            case("F", "urban_dibao"),
        ];
        let checks = [
            check("U", d(2026, 11, 13)),
            check("R", d(2026, 11, 13)),
            check("T", d(2026, 1, 20)),
            check("F", d(2026, 11, 13)),
        ];
        let followups = [followup("F", d(2027, 1, 2), DifficultyClass::General)];
        let as_of = d(2027, 1, 31);
        let seen = LastSeen::new(&[], &followups, &checks, as_of);
        let due = overdue_rechecks(&policy, &cases, &seen, as_of);
        let due: Vec<(&str, u32, Option<NaiveDate>)> =
            due.iter().map(|r| (r.case_id.as_str(), r.months, r.last)).collect();
        assert_eq!(
            due,
            [
                ("U", 1, Some(d(2026, 11, 13))),
                ("T", 12, Some(d(2026, 1, 20))),
                ("N", 1, None)
            ]
        );
        // The edge: a re-check exactly the cadence before the day audited is one too old.
        let checks = [check("U", d(2026, 12, 31))];
        let seen = LastSeen::new(&[], &[], &checks, as_of);
        assert_eq!(overdue_rechecks(&policy, &cases[..1], &seen, as_of).len(), 1);
        let checks = [check("U", d(2027, 1, 1))];
        let seen = LastSeen::new(&[], &[], &checks, as_of);
        assert!(overdue_rechecks(&policy, &cases[..1], &seen, as_of).is_empty());
    }

    #[test]
    fn follow_ups_come_due_by_class_from_the_last_visit_or_the_decision() {
        let policy = policy();
        let cases = [
            case("S", "urban_dibao"),
            case("G", "urban_dibao"),
            case("D", "rural_dibao"),
        ];
        let followups = [followup("S", d(2026, 11, 25), DifficultyClass::Special)];
        let visits = [visit("G", d(2026, 10, 1))];
        // A verify check is not a visit: it does not put off a follow-up.
        let checks = [check("G", d(2026, 12, 20))];
        let decided: HashMap<&str, NaiveDate> = [("D", d(2026, 11, 20)), ("G", d(2026, 9, 1))].into_iter().collect();
        let as_of = d(2027, 1, 5);
        let seen = LastSeen::new(&visits, &followups, &checks, as_of);
        let due = overdue_followups(&policy, &cases, &seen, &decided, as_of);
        let got: Vec<(&str, NaiveDate)> = due.iter().map(|f| (f.case_id.as_str(), f.due_on)).collect();
        // S: special, monthly from 11-25; G: general (the default), quarterly from the 10-01 visit; D: general
        // from its decision, due 2027-02-20, not yet.
        assert_eq!(got, [("S", d(2026, 12, 25)), ("G", d(2027, 1, 1))]);
        assert_eq!(due[0].difficulty_class, DifficultyClass::Special);
        assert_eq!(due[1].last_seen, d(2026, 10, 1));
    }
}
