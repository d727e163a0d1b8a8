//! The life of a decision over the months, in one place: its ID, which decision is in force in a month, whether
//! that month is paid (a 停发 pays nothing, a 渐退 pays to its last month), the months due to a case, and the last
//! month of a 渐退. `decide`, `disburse`, `audit` and `report` all ask these questions; they ask them here.
//!
//! A case's decisions that **define amounts** are the effective and superseded ones (a superseded decision defined
//! the months before its successor took effect) that are not refusals and have an effective month. Among them,
//! the one **in force** in a month is the latest by (effective month, period, ID) whose effective month is on or
//! before it: later effective months win, and of two decisions effective from the same month the later period's
//! wins (a re-decision of the same month, ordered last by ID so the choice never depends on the ledger's order).

use crate::domain::date::Period;
use crate::domain::money::Fen;
use crate::domain::records::{Decision, DecisionKind, DecisionStatus};

/// A decision's ID: `D-` and 12 upper-case hex of SHA-256(case|period|kind). Stable, so the same proposal made
/// twice is the same decision, and an auditor can recompute it.
pub fn decision_id(case_id: &str, period: Period, kind: DecisionKind) -> String {
    let h = crate::domain::digest::sha256_hex(format!("{case_id}|{period}|{kind:?}").as_bytes());
    format!("D-{}", h[..12].to_uppercase())
}

/// Whether a decision defines the amounts of the months from its effective month (see the module doc).
pub fn defines_amounts(d: &Decision) -> bool {
    matches!(d.status, DecisionStatus::Effective | DecisionStatus::Superseded)
        && d.kind != DecisionKind::Reject
        && d.effective_from.is_some()
}

/// The order among a case's decisions that decides which is in force: effective month, period, ID.
fn order(d: &Decision) -> (Option<Period>, Period, &str) {
    (d.effective_from, d.period, d.decision_id.as_str())
}

/// The decision in force in `month` among `decisions` (one case's): the latest that defines amounts and took
/// effect on or before `month`.
pub fn in_force_on<'a>(decisions: impl IntoIterator<Item = &'a Decision>, month: Period) -> Option<&'a Decision> {
    decisions
        .into_iter()
        .filter(|d| defines_amounts(d) && d.effective_from.is_some_and(|f| f <= month))
        .max_by(|a, b| order(a).cmp(&order(b)))
}

/// The decision in force now among `decisions` (one case's): the latest effective one, whatever its month — what
/// a re-decision compares against.
pub fn current<'a>(decisions: impl IntoIterator<Item = &'a Decision>) -> Option<&'a Decision> {
    decisions
        .into_iter()
        .filter(|d| d.status == DecisionStatus::Effective && d.kind != DecisionKind::Reject)
        .max_by(|a, b| order(a).cmp(&order(b)))
}

/// Whether the 渐退 of `d` is over in `month` (its last month paid is before it). False for other kinds.
pub fn gradual_exit_over(d: &Decision, month: Period) -> bool {
    d.kind == DecisionKind::GradualExit && d.gradual_exit_until.is_some_and(|until| month > until)
}

/// Whether a decision in force in `month` pays that month: not a 停发, not a 渐退 past its last month.
pub fn pays_in(d: &Decision, month: Period) -> bool {
    d.kind != DecisionKind::Stop && !gradual_exit_over(d, month)
}

/// The last month of a 渐退 of `months` months that starts in `from` (`months` 0 or 1: `from` itself).
pub fn gradual_exit_until(from: Period, months: u32) -> Period {
    (1..months.max(1)).fold(from, |m, _| m.next())
}

/// What a case would be paid in `month` if every proposal were approved — decide's monthly total before the
/// meeting: its proposal for that month (not a refusal) if it has one, else the latest decision in force or
/// proposed that takes effect by `month` (by the order of [`in_force_on`]); nothing when that is a 停发 or a
/// 渐退 that is over ([`pays_in`]).
pub fn projected_amount<'a>(decisions: impl IntoIterator<Item = &'a Decision>, month: Period) -> Fen {
    let ds: Vec<&Decision> = decisions
        .into_iter()
        .filter(|d| d.kind != DecisionKind::Reject)
        .collect();
    let proposal = ds
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed && d.period == month)
        .max_by(|a, b| order(a).cmp(&order(b)));
    let standing = || {
        ds.iter()
            .filter(|d| {
                matches!(
                    d.status,
                    DecisionStatus::Effective | DecisionStatus::Superseded | DecisionStatus::Proposed
                ) && d.effective_from.is_some_and(|f| f <= month)
            })
            .max_by(|a, b| order(a).cmp(&order(b)))
    };
    match proposal.or_else(standing) {
        Some(d) if pays_in(d, month) => d.amount,
        _ => Fen(0),
    }
}

/// One month due to a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub month: Period,
    pub amount: Fen,
    pub decision_id: String,
    pub urgent: bool,
}

/// Every month due to one case up to `through`, with the amount in force that month. A monthly benefit is due
/// each month its decision in force pays a positive amount; a one-off (临时救助, `one_off`) once per decision, in
/// the month it took effect (the latest decision of a month wins), unless it is a stop.
pub fn due_months(decisions: &[&Decision], one_off: bool, through: Period) -> Vec<Due> {
    let ds: Vec<&Decision> = decisions.iter().copied().filter(|d| defines_amounts(d)).collect();
    let due = |month, d: &Decision| Due {
        month,
        amount: d.amount,
        decision_id: d.decision_id.clone(),
        urgent: d.urgent,
    };
    if one_off {
        let mut by_month: std::collections::BTreeMap<Period, &Decision> = Default::default();
        for d in &ds {
            let Some(m) = d.effective_from else { continue };
            if m <= through && d.kind != DecisionKind::Stop {
                let e = by_month.entry(m).or_insert(d);
                if (d.period, &d.decision_id) > (e.period, &e.decision_id) {
                    *e = d;
                }
            }
        }
        return by_month
            .into_iter()
            .filter(|(_, d)| d.amount.0 > 0)
            .map(|(m, d)| due(m, d))
            .collect();
    }
    let Some(start) = ds.iter().filter_map(|d| d.effective_from).min() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut m = start;
    while m <= through {
        if let Some(d) = in_force_on(ds.iter().copied(), m) {
            if pays_in(d, m) && d.amount.0 > 0 {
                out.push(due(m, d));
            }
        }
        match m.checked_next() {
            Some(n) => m = n,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::Text;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn d(id: &str, period: &str, kind: DecisionKind, status: DecisionStatus, amount: i64, from: &str) -> Decision {
        Decision {
            decision_id: id.into(),
            case_id: "C1".into(),
            period: p(period),
            kind,
            status,
            amount: Fen(amount),
            previous_amount: Fen(0),
            delta_amount: Fen(amount),
            reason: String::new(),
            derivation: Text::default(),
            basis: Text::default(),
            policy_values: Text::default(),
            effective_from: (!from.is_empty()).then(|| p(from)),
            gradual_exit_until: None,
            urgent: false,
            meeting: Text::default(),
            decided_on: None,
            batch: String::new(),
        }
    }

    use DecisionKind::*;
    use DecisionStatus::*;

    #[test]
    fn the_projected_amount_counts_the_month_s_proposal_else_what_stands() {
        let paid = d("D-A", "2026-09", New, Effective, 50_000, "2026-09");
        // Nothing proposed: what is in force.
        assert_eq!(projected_amount([&paid], p("2026-11")), Fen(50_000));
        // Not yet in force in an earlier month.
        assert_eq!(projected_amount([&paid], p("2026-08")), Fen(0));
        // The month's proposal counts, as if approved; a refusal does not.
        let up = d("D-B", "2026-11", Increase, Proposed, 62_000, "2026-11");
        assert_eq!(projected_amount([&paid, &up], p("2026-11")), Fen(62_000));
        let no = d("D-C", "2026-11", Reject, Proposed, 0, "");
        assert_eq!(projected_amount([&paid, &no], p("2026-11")), Fen(50_000));
        // A proposal of an earlier month still awaiting its meeting stands from its effective month.
        assert_eq!(projected_amount([&paid, &up], p("2026-12")), Fen(62_000));
        // A 停发 pays nothing; a 渐退 pays to its last month, then nothing.
        let stop = d("D-D", "2026-11", Stop, Proposed, 0, "2026-11");
        assert_eq!(projected_amount([&paid, &stop], p("2026-11")), Fen(0));
        let mut exit = d("D-E", "2026-10", GradualExit, Effective, 50_000, "2026-10");
        exit.gradual_exit_until = Some(p("2026-11"));
        assert_eq!(projected_amount([&paid, &exit], p("2026-11")), Fen(50_000));
        assert_eq!(projected_amount([&paid, &exit], p("2026-12")), Fen(0));
    }

    #[test]
    fn the_id_is_case_period_and_kind() {
        let a = decision_id("C1", p("2026-11"), New);
        assert_eq!(a, decision_id("C1", p("2026-11"), New));
        assert_ne!(a, decision_id("C1", p("2026-12"), New));
        assert_ne!(a, decision_id("C1", p("2026-11"), Increase));
        assert_ne!(a, decision_id("C2", p("2026-11"), New));
        assert!(a.starts_with("D-") && a.len() == 14 && a[2..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a[2..], a[2..].to_uppercase());
    }

    #[test]
    fn the_latest_effective_month_is_in_force_and_superseded_ones_keep_their_months() {
        let new = d("D-A", "2026-09", New, Superseded, 50000, "2026-09");
        let up = d("D-B", "2026-11", Increase, Effective, 60000, "2026-11");
        let ds = [&new, &up];
        assert_eq!(in_force_on(ds, p("2026-08")), None);
        assert_eq!(in_force_on(ds, p("2026-10")).unwrap().decision_id, "D-A");
        assert_eq!(in_force_on(ds, p("2026-11")).unwrap().decision_id, "D-B");
        assert_eq!(in_force_on(ds, p("2027-05")).unwrap().decision_id, "D-B");
        // `current` looks only at effective ones.
        assert_eq!(current(ds).unwrap().decision_id, "D-B");
    }

    #[test]
    fn proposals_refusals_and_undated_decisions_define_no_amounts() {
        let proposed = d("D-A", "2026-11", Increase, Proposed, 60000, "");
        let approved = d("D-B", "2026-11", Increase, Approved, 60000, "");
        let refused = d("D-C", "2026-11", Reject, Effective, 0, "2026-11");
        let rejected = d("D-D", "2026-11", New, Rejected, 60000, "2026-11");
        for x in [&proposed, &approved, &refused, &rejected] {
            assert!(!defines_amounts(x), "{}", x.decision_id);
            assert_eq!(in_force_on([x], p("2026-12")), None);
        }
        assert_eq!(current([&refused, &proposed]), None);
    }

    #[test]
    fn of_two_effective_from_the_same_month_the_later_period_then_id_wins() {
        let a = d("D-Z", "2026-10", Increase, Effective, 1, "2026-11");
        let b = d("D-A", "2026-11", Decrease, Effective, 2, "2026-11");
        assert_eq!(in_force_on([&a, &b], p("2026-11")).unwrap().decision_id, "D-A");
        assert_eq!(in_force_on([&b, &a], p("2026-11")).unwrap().decision_id, "D-A");
        let c = d("D-B", "2026-11", Increase, Effective, 3, "2026-11");
        assert_eq!(in_force_on([&c, &b], p("2026-11")).unwrap().decision_id, "D-B");
    }

    #[test]
    fn a_gradual_exit_pays_through_its_last_month_and_a_stop_pays_nothing() {
        let mut exit = d("D-E", "2026-11", GradualExit, Effective, 50000, "2026-11");
        exit.gradual_exit_until = Some(p("2027-01"));
        assert!(pays_in(&exit, p("2026-11")) && pays_in(&exit, p("2027-01")));
        assert!(!pays_in(&exit, p("2027-02")) && gradual_exit_over(&exit, p("2027-02")));
        let stop = d("D-S", "2026-11", Stop, Effective, 0, "2026-11");
        assert!(!pays_in(&stop, p("2026-11")));
        assert_eq!(gradual_exit_until(p("2026-11"), 3), p("2027-01"));
        assert_eq!(gradual_exit_until(p("2026-11"), 1), p("2026-11"));
        assert_eq!(gradual_exit_until(p("2026-11"), 0), p("2026-11"));
    }

    #[test]
    fn months_due_follow_the_decisions_across_a_year_end() {
        let new = d("D-A", "2026-11", New, Superseded, 50000, "2026-11");
        let mut exit = d("D-E", "2027-01", GradualExit, Effective, 50000, "2027-01");
        exit.gradual_exit_until = Some(p("2027-02"));
        let due = due_months(&[&new, &exit], false, p("2027-06"));
        let months: Vec<String> = due.iter().map(|x| x.month.to_string()).collect();
        assert_eq!(months, ["2026-11", "2026-12", "2027-01", "2027-02"]);
        assert_eq!(due[1].decision_id, "D-A");
        assert_eq!(due[2].decision_id, "D-E");
        assert!(due_months(&[&new], false, p("2026-10")).is_empty());
    }

    #[test]
    fn a_one_off_is_due_once_in_its_month_the_latest_of_a_month_winning() {
        let a = d("D-A", "2026-11", New, Effective, 100000, "2026-11");
        let b = d("D-B", "2026-12", New, Effective, 80000, "2026-11");
        let c = d("D-C", "2027-01", New, Effective, 30000, "2027-01");
        let due = due_months(&[&a, &b, &c], true, p("2027-12"));
        assert_eq!(due.len(), 2);
        assert_eq!(
            (due[0].month, due[0].amount, due[0].decision_id.as_str()),
            (p("2026-11"), Fen(80000), "D-B")
        );
        assert_eq!(due[1].month, p("2027-01"));
    }

    fn dec(id: &str, kind: DecisionKind, status: DecisionStatus, amount: i64, from: &str, until: &str) -> Decision {
        Decision {
            decision_id: id.into(),
            case_id: "C".into(),
            period: p(from),
            kind,
            status,
            amount: Fen(amount),
            previous_amount: Fen(0),
            delta_amount: Fen(0),
            reason: String::new(),
            derivation: Text::default(),
            basis: Text::default(),
            policy_values: Text::default(),
            effective_from: Some(p(from)),
            gradual_exit_until: (!until.is_empty()).then(|| p(until)),
            urgent: false,
            meeting: Text::default(),
            decided_on: None,
            batch: String::new(),
        }
    }

    fn months(ds: &[Decision], one_off: bool, through: &str) -> Vec<(String, i64)> {
        let refs: Vec<&Decision> = ds.iter().collect();
        due_months(&refs, one_off, p(through))
            .into_iter()
            .map(|d| (d.month.to_string(), d.amount.0))
            .collect()
    }

    #[test]
    fn arrears_run_from_the_effective_month_across_a_year_end() {
        let ds = [dec(
            "A",
            DecisionKind::New,
            DecisionStatus::Effective,
            50000,
            "2026-11",
            "",
        )];
        assert_eq!(
            months(&ds, false, "2027-01"),
            vec![
                ("2026-11".into(), 50000),
                ("2026-12".into(), 50000),
                ("2027-01".into(), 50000)
            ]
        );
    }

    #[test]
    fn superseded_decisions_define_the_months_before_their_successor() {
        let ds = [
            dec("A", DecisionKind::New, DecisionStatus::Superseded, 50000, "2026-10", ""),
            dec(
                "B",
                DecisionKind::Decrease,
                DecisionStatus::Effective,
                30000,
                "2026-12",
                "",
            ),
            dec(
                "X",
                DecisionKind::Increase,
                DecisionStatus::Proposed,
                90000,
                "2026-11",
                "",
            ),
        ];
        assert_eq!(
            months(&ds, false, "2027-01"),
            vec![
                ("2026-10".into(), 50000),
                ("2026-11".into(), 50000),
                ("2026-12".into(), 30000),
                ("2027-01".into(), 30000)
            ]
        );
    }

    #[test]
    fn a_stop_ends_payment_and_gradual_exit_pays_to_its_last_month() {
        let ds = [
            dec("A", DecisionKind::New, DecisionStatus::Superseded, 50000, "2026-10", ""),
            dec("B", DecisionKind::Stop, DecisionStatus::Effective, 0, "2026-12", ""),
        ];
        assert_eq!(months(&ds, false, "2027-02").len(), 2);
        let ds = [
            dec("A", DecisionKind::New, DecisionStatus::Superseded, 50000, "2026-10", ""),
            dec(
                "B",
                DecisionKind::GradualExit,
                DecisionStatus::Effective,
                50000,
                "2026-11",
                "2026-12",
            ),
        ];
        let got = months(&ds, false, "2027-03");
        assert_eq!(got.last().unwrap().0, "2026-12");
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn temporary_assistance_is_one_payment() {
        let ds = [dec(
            "A",
            DecisionKind::New,
            DecisionStatus::Effective,
            172000,
            "2026-11",
            "",
        )];
        assert_eq!(months(&ds, true, "2027-03"), vec![("2026-11".into(), 172000)]);
        assert!(months(&ds, true, "2026-10").is_empty());
    }
}
