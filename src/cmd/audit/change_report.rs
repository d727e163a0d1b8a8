//! The monthly change report (月度变动报告): computed from the decisions, reconciled, compared with the one
//! recorded (J305, J306, J402); `audit --change-report FILE` reconciles an external one.

use super::*;

/// The monthly change reports from the decisions: every month from the first decided to the audited one, every
/// scheme that pays monthly (临时救助 is one-off and has no monthly total), zero rows included.
pub(super) fn change_reports(ctx: &Audit) -> Vec<ChangeReport> {
    let d = ctx.d;
    let Some(last) = ctx.period else {
        return Vec::new();
    };
    let last = d
        .payments
        .iter()
        .map(|p| p.period)
        .chain(std::iter::once(last))
        .max()
        .unwrap_or(last);
    let Some(first) = d
        .decisions
        .iter()
        .filter(|x| defines_amounts(x))
        .filter_map(|x| x.effective_from)
        .min()
    else {
        return Vec::new();
    };
    // Amount and persons in force per case and month.
    let mut force: BTreeMap<(&str, Period), (i64, i64)> = BTreeMap::new();
    for c in &d.cases {
        let Some(scheme) = ctx.policy.schemes.get(&c.scheme) else {
            continue;
        };
        if scheme.kind == SchemeKind::Temporary {
            continue;
        }
        let ds = ctx.decisions_of(&c.case_id);
        let by_id: BTreeMap<&str, &&Decision> = ds.iter().map(|x| (x.decision_id.as_str(), x)).collect();
        for due in decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, last) {
            let persons = by_id
                .get(due.decision_id.as_str())
                .and_then(|x| {
                    x.basis
                        .0
                        .split(';')
                        .find_map(|b| b.strip_prefix("members=").and_then(|n| n.parse::<i64>().ok()))
                })
                .unwrap_or(i64::from(c.household_size));
            force.insert((c.case_id.as_str(), due.month), (due.amount.0, persons));
        }
    }
    let mut out = Vec::new();
    let mut m = first;
    while m <= last {
        for (key, scheme) in &ctx.policy.schemes {
            if scheme.kind == SchemeKind::Temporary {
                continue;
            }
            let mut r = ChangeReport {
                period: m.to_string(),
                scheme: key.clone(),
                households_before: 0,
                persons_before: 0,
                before_amount: Fen(0),
                new_households: 0,
                new_persons: 0,
                new_amount: Fen(0),
                increase_households: 0,
                increase_persons: 0,
                increase_amount: Fen(0),
                decrease_households: 0,
                decrease_persons: 0,
                decrease_amount: Fen(0),
                stop_households: 0,
                stop_persons: 0,
                stop_amount: Fen(0),
                households_after: 0,
                persons_after: 0,
                after_amount: Fen(0),
            };
            for c in d.cases.iter().filter(|c| &c.scheme == key) {
                let (b, pb) = force.get(&(c.case_id.as_str(), m.prev())).copied().unwrap_or((0, 0));
                let (a, pa) = force.get(&(c.case_id.as_str(), m)).copied().unwrap_or((0, 0));
                if b > 0 {
                    r.households_before += 1;
                    r.persons_before += pb;
                    r.before_amount.0 += b;
                }
                if a > 0 {
                    r.households_after += 1;
                    r.persons_after += pa;
                    r.after_amount.0 += a;
                }
                match (b > 0, a > 0) {
                    (false, true) => {
                        r.new_households += 1;
                        r.new_persons += pa;
                        r.new_amount.0 += a;
                    }
                    (true, false) => {
                        r.stop_households += 1;
                        r.stop_persons += pb;
                        r.stop_amount.0 += b;
                    }
                    (true, true) => {
                        if a > b {
                            r.increase_households += 1;
                            r.increase_amount.0 += a - b;
                        } else if a < b {
                            r.decrease_households += 1;
                            r.decrease_amount.0 += b - a;
                        }
                        if pa > pb {
                            r.increase_persons += pa - pb;
                        } else {
                            r.decrease_persons += pb - pa;
                        }
                    }
                    (false, false) => {}
                }
            }
            out.push(r);
        }
        m = m.next();
    }
    out
}

/// J305, J306, J402: the change reports in `ledgers/change_reports.csv` (of the month audited, with `--period`)
/// reconcile, agree with the decisions, and exist for every month paid (J402 only when the audit does not write
/// them itself).
pub(super) fn change_report(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    for r in &ctx.d.change_reports {
        if ctx.given_period.as_ref().is_none_or(|p| &r.period == p) {
            reconcile(r, "ledgers/change_reports.csv", &mut f);
        }
    }
    let computed: BTreeMap<String, &ChangeReport> = ctx.computed_reports().iter().map(|r| (r.key(), r)).collect();
    for r in &ctx.d.change_reports {
        if let Some(c) = computed.get(&r.key()) {
            if *c != r {
                f.push(warn(
                    "J306",
                    "",
                    m(
                        format!(
                            "the change report of {} {} in ledgers/change_reports.csv differs from the \
                             decisions (after: {} households, {} persons, {} recorded; {} , {}, {} now)",
                            r.period,
                            r.scheme,
                            r.households_after,
                            r.persons_after,
                            r.after_amount,
                            c.households_after,
                            c.persons_after,
                            c.after_amount
                        ),
                        format!(
                            "ledgers/change_reports.csv 中 {} {} 的变动报告与决定不符 (期末: 记录为 {} 户 {} 人 \
                             {} 元; 现为 {} 户 {} 人 {} 元)",
                            r.period,
                            scheme_zh(ctx.policy, &r.scheme),
                            r.households_after,
                            r.persons_after,
                            r.after_amount,
                            c.households_after,
                            c.persons_after,
                            c.after_amount
                        ),
                    ),
                    m(
                        "a decision changed a month already reported, or the file was edited: report the \
                         correction",
                        "有决定改动了已上报的月份, 或该文件被手工改动: 请报送更正",
                    ),
                ));
            }
        }
    }
    if !ctx.writing {
        let have: BTreeSet<String> = ctx.d.change_reports.iter().map(|r| r.period.clone()).collect();
        let paid: BTreeSet<String> = ctx.d.payments.iter().map(|p| p.period.to_string()).collect();
        for month in paid.difference(&have) {
            f.push(err(
                "J402",
                "",
                m(
                    format!("month {month} had payments but ledgers/change_reports.csv has no change report for it"),
                    format!("{month} 有发放, 但 ledgers/change_reports.csv 中没有该月的变动报告"),
                ),
                m(
                    "run `jiuzhu audit` (it writes the report)",
                    "请运行 `jiuzhu audit` (它会写出变动报告)",
                ),
            ));
        }
    }
    f
}

/// Reports each way a change report does not reconcile (households, persons, money).
pub(super) fn reconcile(r: &ChangeReport, source: &str, f: &mut Vec<Finding>) {
    let fix = m(
        "find the missing or miscounted change (新增/增发/减发/停发) and correct the report",
        "请找出遗漏或计错的变动 (新增/增发/减发/停发) 并更正报告",
    );
    let h = r.households_before + r.new_households - r.stop_households;
    if h != r.households_after {
        f.push(err(
            "J305",
            "",
            m(
                format!(
                    "{source}: change report {} {} does not reconcile in households: {} + {} new − {} stopped = \
                     {h}, but it says {}",
                    r.period, r.scheme, r.households_before, r.new_households, r.stop_households, r.households_after
                ),
                format!(
                    "{source}: {} {} 的变动报告户数不平: {} + 新增 {} − 停发 {} = {h}, 而报告为 {}",
                    r.period, r.scheme, r.households_before, r.new_households, r.stop_households, r.households_after
                ),
            ),
            fix.clone(),
        ));
    }
    let p = r.persons_before + r.new_persons + r.increase_persons - r.decrease_persons - r.stop_persons;
    if p != r.persons_after {
        f.push(err(
            "J305",
            "",
            m(
                format!(
                    "{source}: change report {} {} does not reconcile in persons: {} + {} new + {} − {} − {} \
                     stopped = {p}, but it says {}",
                    r.period,
                    r.scheme,
                    r.persons_before,
                    r.new_persons,
                    r.increase_persons,
                    r.decrease_persons,
                    r.stop_persons,
                    r.persons_after
                ),
                format!(
                    "{source}: {} {} 的变动报告人数不平: {} + 新增 {} + {} − {} − 停发 {} = {p}, 而报告为 {}",
                    r.period,
                    r.scheme,
                    r.persons_before,
                    r.new_persons,
                    r.increase_persons,
                    r.decrease_persons,
                    r.stop_persons,
                    r.persons_after
                ),
            ),
            fix.clone(),
        ));
    }
    let a = r.before_amount.0 + r.new_amount.0 + r.increase_amount.0 - r.decrease_amount.0 - r.stop_amount.0;
    if a != r.after_amount.0 {
        f.push(err(
            "J305",
            "",
            m(
                format!(
                    "{source}: change report {} {} does not reconcile in money: {} + {} new + {} increases − {} \
                     decreases − {} stops = {}, but it says {}",
                    r.period,
                    r.scheme,
                    r.before_amount,
                    r.new_amount,
                    r.increase_amount,
                    r.decrease_amount,
                    r.stop_amount,
                    Fen(a),
                    r.after_amount
                ),
                format!(
                    "{source}: {} {} 的变动报告金额不平: {} + 新增 {} + 增发 {} − 减发 {} − 停发 {} = {}, 而报告为 {}",
                    r.period,
                    r.scheme,
                    r.before_amount,
                    r.new_amount,
                    r.increase_amount,
                    r.decrease_amount,
                    r.stop_amount,
                    Fen(a),
                    r.after_amount
                ),
            ),
            fix,
        ));
    }
}

/// `jiuzhu audit --change-report FILE`: reconciles an external report in the change_reports.csv columns.
pub fn external_change_report(args: &Args, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let rows = ledger::parse_from::<ChangeReport>(ledger::Origin::File(&shown), &bytes).with_context(|| {
        crate::i18n::tr(
            format!("{shown} is not a change report in the columns of ledgers/change_reports.csv"),
            format!("{shown} 不是按 ledgers/change_reports.csv 的列写的变动报告"),
        )
    })?;
    let mut f = Vec::new();
    for r in &rows {
        reconcile(r, &shown, &mut f);
    }
    if crate::ui::json() {
        crate::ui::record("rows", rows.len());
        record_findings(&f);
    }
    if f.is_empty() {
        if !args.quiet {
            let n = rows.len();
            crate::outln!(
                "{}",
                tr(
                    format!("audit --change-report {shown}: {n} rows, every one reconciles"),
                    format!("审计变动报告 {shown}: {n} 行, 全部平衡"),
                )
            );
        }
        return Ok(Outcome::Done);
    }
    for x in &f {
        crate::outln!("{}", x.line());
    }
    let n = f.len();
    crate::outln!(
        "{}",
        tr(
            format!("audit: {n} findings in {shown}"),
            format!("审计: {shown} 中发现 {n} 项")
        )
    );
    Ok(Outcome::NeedsAttention)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    /// The paid case with its month's change report recorded.
    fn reported() -> Ledgers {
        let mut l = paid_case("CD-1");
        l.change_reports.push(change_report_row());
        l
    }

    #[test]
    fn a_recorded_change_report_that_does_not_reconcile_is_found() {
        let l = reported();
        assert!(!codes(&change_report(&audited(&l))).contains(&"J305"));
        let mut l = reported();
        l.change_reports[0].households_after = 2;
        assert!(codes(&change_report(&audited(&l))).contains(&"J305"));
        // The same sums, for an external report.
        let mut f = Vec::new();
        reconcile(&l.change_reports[0], "年审变动报告.csv", &mut f);
        assert_eq!(codes(&f), ["J305"]);
        assert!(f[0].what.en.starts_with("年审变动报告.csv: "));
    }

    #[test]
    fn a_recorded_change_report_unlike_the_decisions_is_found() {
        let l = reported();
        let a = audited(&l);
        let mut recorded = a.computed_reports().to_vec();
        assert!(!recorded.is_empty());
        let mut l = reported();
        l.change_reports = recorded.clone();
        assert!(change_report(&audited(&l)).is_empty());
        recorded[0].households_after += 1;
        recorded[0].households_before += 1;
        l.change_reports = recorded;
        assert_eq!(codes(&change_report(&audited(&l))), ["J306"]);
    }

    #[test]
    fn a_month_paid_without_a_change_report_is_found_unless_the_audit_writes_it() {
        let l = paid_case("CD-1");
        assert_eq!(codes(&change_report(&audited(&l))), ["J402"]);
        let mut a = audited(&l);
        a.writing = true;
        assert!(change_report(&a).is_empty());
    }
}
