//! Overpayments (多发, to be recovered — 追回): the months of a case paid more than is now due, and why. Money goes
//! out by the decision in force when a batch is made; a decision that takes effect later from an earlier month (a
//! 停发 for an exclusion confirmed after payment, a lower amount), or a death confirmed after the months following
//! it were paid, leaves money paid that should not have been. What is due is [`decision::due_months`]; a month is
//! overpaid by the part of what was paid in it above what is due — or all of it, for a month that begins after the
//! recipient died (the rule `audit` holds payments to, J203).
//!
//! A payment made under the decision still in force and above its amount is not an overpayment to recover: no
//! decision explains it, so it is a ledger that does not balance (disburse refuses, audit reports it).

use chrono::NaiveDate;

use crate::domain::date::Period;
use crate::domain::decision::{self, Due};
use crate::domain::money::Fen;
use crate::domain::records::{Decision, DecisionKind};

/// Why a month is overpaid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The decision in force that month pays nothing (停发): its ID, reason code and first month.
    Stopped {
        decision_id: String,
        reason: String,
        from: Period,
    },
    /// The decision in force that month pays less than was paid (减发 from an earlier month).
    Lowered { decision_id: String, from: Period },
    /// The recipient died before the month began (a confirmed death).
    Died { on: NaiveDate },
}

impl Cause {
    /// The reason as the ledger and the workbooks say it, in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Cause::Stopped {
                decision_id,
                reason,
                from,
            } => {
                format!("停发决定 {decision_id} ({reason}) 自 {from} 起生效, 该月已发放")
            }
            Cause::Lowered { decision_id, from } => {
                format!("减发决定 {decision_id} 自 {from} 起生效, 该月按原金额发放")
            }
            Cause::Died { on } => format!("救助对象已于 {on} 死亡 (比对属实), 之后的月份已发放"),
        }
    }

    /// The reason in English (for the journal).
    pub fn en(&self) -> String {
        match self {
            Cause::Stopped {
                decision_id,
                reason,
                from,
            } => {
                format!("stop decision {decision_id} ({reason}) effective from {from}, after the month was paid")
            }
            Cause::Lowered { decision_id, from } => {
                format!("decision {decision_id} effective from {from} lowered the amount of a month already paid")
            }
            Cause::Died { on } => format!("the recipient died on {on} (confirmed); later months were paid"),
        }
    }
}

/// One month paid more than is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overpaid {
    pub month: Period,
    /// Money out for the month (paid, or sent and not returned).
    pub paid: Fen,
    /// What is due for it now.
    pub due: Fen,
    /// `paid − due`: the amount to recover.
    pub over: Fen,
    pub cause: Cause,
}

/// A payment as the computation needs it: its month, amount, and the decision it was made under.
#[derive(Debug, Clone, Copy)]
pub struct Paid<'a> {
    pub month: Period,
    pub amount: Fen,
    pub decision_id: &'a str,
}

/// The overpaid months of one case: `decisions` (the case's), `one_off` for 临时救助, `paid` the money out
/// (payments not failed and not superseded by a reissue), `died_on` the day the recipient died (the head, or the
/// last of the household), if confirmed.
pub fn overpaid_months(
    decisions: &[&Decision],
    one_off: bool,
    paid: &[Paid<'_>],
    died_on: Option<NaiveDate>,
) -> Vec<Overpaid> {
    let Some(through) = paid.iter().map(|p| p.month).max() else {
        return Vec::new();
    };
    let due: std::collections::BTreeMap<Period, Due> = decision::due_months(decisions, one_off, through)
        .into_iter()
        .map(|d| (d.month, d))
        .collect();
    let mut by_month: std::collections::BTreeMap<Period, (i64, Vec<&str>)> = Default::default();
    for p in paid {
        let e = by_month.entry(p.month).or_default();
        e.0 += p.amount.0;
        e.1.push(p.decision_id);
    }
    let mut out = Vec::new();
    for (month, (sum, under)) in by_month {
        let paid = Fen(sum);
        if let Some(on) = died_on.filter(|d| month.first_day() > *d) {
            if sum > 0 {
                out.push(Overpaid {
                    month,
                    paid,
                    due: Fen(0),
                    over: paid,
                    cause: Cause::Died { on },
                });
            }
            continue;
        }
        let owed = due.get(&month).map_or(Fen(0), |d| d.amount);
        if sum <= owed.0 {
            continue;
        }
        // Only a decision that took effect after the payment explains it.
        let Some(in_force) = decision::in_force_on(decisions.iter().copied(), month) else {
            continue;
        };
        if under.contains(&in_force.decision_id.as_str()) {
            continue;
        }
        let from = in_force.effective_from.unwrap_or(month);
        let cause = if in_force.kind == DecisionKind::Stop || !decision::pays_in(in_force, month) {
            Cause::Stopped {
                decision_id: in_force.decision_id.clone(),
                reason: in_force.reason.clone(),
                from,
            }
        } else {
            Cause::Lowered {
                decision_id: in_force.decision_id.clone(),
                from,
            }
        };
        out.push(Overpaid {
            month,
            paid,
            due: owed,
            over: Fen(sum - owed.0),
            cause,
        });
    }
    out
}

/// The day a case's recipient died, for [`overpaid_months`]: the head's confirmed death, else the last death
/// when every member's is confirmed; None while someone lives.
pub fn died_on(head: Option<NaiveDate>, members: &[Option<NaiveDate>]) -> Option<NaiveDate> {
    head.or_else(|| {
        if members.is_empty() {
            return None;
        }
        members
            .iter()
            .copied()
            .collect::<Option<Vec<NaiveDate>>>()?
            .into_iter()
            .max()
    })
}

/// A recovery's ID: `OP-` and 12 upper-case hex of SHA-256(case|months).
pub fn recovery_id(case_id: &str, months: &[Period]) -> String {
    let joined: Vec<String> = months.iter().map(|m| m.to_string()).collect();
    let h = crate::domain::digest::sha256_hex(format!("{case_id}|{}", joined.join(";")).as_bytes());
    format!("OP-{}", h[..12].to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::{DecisionStatus, Text};

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
            reason: "death".into(),
            derivation: Text::default(),
            basis: Text::default(),
            policy_values: Text::default(),
            effective_from: Some(p(from)),
            gradual_exit_until: None,
            urgent: false,
            meeting: Text::default(),
            decided_on: None,
            batch: String::new(),
        }
    }

    fn paid<'a>(month: &str, amount: i64, under: &'a str) -> Paid<'a> {
        Paid {
            month: p(month),
            amount: Fen(amount),
            decision_id: under,
        }
    }

    use DecisionKind::*;
    use DecisionStatus::*;

    #[test]
    fn a_stop_effective_from_a_paid_month_overpays_that_month_and_later_ones() {
        let new = d("D-A", "2026-09", New, Superseded, 50000, "2026-09");
        let stop = d("D-B", "2026-11", Stop, Effective, 0, "2026-11");
        let ps = [
            paid("2026-10", 50000, "D-A"),
            paid("2026-11", 50000, "D-A"),
            paid("2026-12", 50000, "D-A"),
        ];
        let o = overpaid_months(&[&new, &stop], false, &ps, None);
        assert_eq!(
            o.iter().map(|x| x.month).collect::<Vec<_>>(),
            [p("2026-11"), p("2026-12")]
        );
        assert!(o.iter().all(|x| x.over == Fen(50000) && x.due == Fen(0)));
        assert!(
            matches!(&o[0].cause, Cause::Stopped { decision_id, from, .. } if decision_id == "D-B" && *from == p("2026-11"))
        );
        assert!(o[0].cause.zh().contains("停发决定 D-B"));
    }

    #[test]
    fn a_lower_amount_from_a_paid_month_overpays_the_difference() {
        let new = d("D-A", "2026-09", New, Superseded, 50000, "2026-09");
        let down = d("D-B", "2026-11", Decrease, Effective, 30000, "2026-11");
        let o = overpaid_months(&[&new, &down], false, &[paid("2026-11", 50000, "D-A")], None);
        assert_eq!(o.len(), 1);
        assert_eq!((o[0].paid, o[0].due, o[0].over), (Fen(50000), Fen(30000), Fen(20000)));
        assert!(matches!(o[0].cause, Cause::Lowered { .. }));
        // Paid under the decision now in force: not explained by a decision, not a recovery.
        assert!(overpaid_months(&[&new, &down], false, &[paid("2026-11", 50000, "D-B")], None).is_empty());
        // Paid what is due: nothing.
        assert!(overpaid_months(&[&new, &down], false, &[paid("2026-11", 30000, "D-A")], None).is_empty());
    }

    #[test]
    fn months_beginning_after_a_death_are_overpaid_in_full() {
        let new = d("D-A", "2026-09", New, Effective, 50000, "2026-09");
        let ps = [
            paid("2026-10", 50000, "D-A"),
            paid("2026-11", 50000, "D-A"),
            paid("2026-12", 50000, "D-A"),
        ];
        let died = NaiveDate::from_ymd_opt(2026, 10, 15);
        let o = overpaid_months(&[&new], false, &ps, died);
        // October began before the death: due. November and December: overpaid.
        assert_eq!(
            o.iter().map(|x| x.month).collect::<Vec<_>>(),
            [p("2026-11"), p("2026-12")]
        );
        assert_eq!(o[0].over, Fen(50000));
        assert!(o[0].cause.zh().contains("2026-10-15 死亡"));
        // Died on the last day of October: November still overpaid; died on 11-01: November was due.
        let o = overpaid_months(&[&new], false, &ps, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(o.iter().map(|x| x.month).collect::<Vec<_>>(), [p("2026-12")]);
    }

    #[test]
    fn nothing_paid_nothing_overpaid() {
        let new = d("D-A", "2026-09", New, Effective, 50000, "2026-09");
        assert!(overpaid_months(&[&new], false, &[], None).is_empty());
    }

    #[test]
    fn the_recipient_died_when_the_head_or_the_last_member_did() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d);
        assert_eq!(died_on(day(3), &[None]), day(3));
        assert_eq!(died_on(None, &[day(3), None]), None);
        assert_eq!(died_on(None, &[day(3), day(9)]), day(9));
        assert_eq!(died_on(None, &[]), None);
    }

    #[test]
    fn the_id_is_stable_per_case_and_months() {
        let a = recovery_id("C1", &[p("2026-11"), p("2026-12")]);
        assert_eq!(a, recovery_id("C1", &[p("2026-11"), p("2026-12")]));
        assert_ne!(a, recovery_id("C1", &[p("2026-11")]));
        assert!(a.starts_with("OP-") && a.len() == 15);
    }
}
