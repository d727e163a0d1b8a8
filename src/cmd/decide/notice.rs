//! The public notice (公示) and what happens during it: the notice workbook and its postings, cases kept off it
//! (private, hardship reason unknown), approval without a meeting (`--undisputed`) and objections (`--objection`).

use super::*;

/// Whether a case must never appear on a public list: marked 不公示 in the register, or a hardship reason among
/// the policy's `private_reasons` (e.g. 艾滋病).
pub(super) fn is_private(policy: &Policy, case: &Case) -> bool {
    case.private
        || policy
            .decision
            .private_reasons
            .iter()
            .any(|r| !r.is_empty() && case.hardship_reason.contains(r.as_str()))
}

/// Whether a case's hardship reason is unknown (blank, and not marked 不公示): it cannot be told whether it is
/// protected, so it is not posted without the clerk's confirmation (`--publish-unknown-reason CASE`).
pub(super) fn reason_unknown(case: &Case) -> bool {
    !case.private && case.hardship_reason.trim().is_empty()
}

/// `decide --record FILE … --publish-unknown-reason CASE…` for a meeting already recorded: the clerk has checked
/// the named cases, kept off the notice because their hardship reason was unknown, and they are posted now (their
/// withheld notices replaced by the policy's postings from the meeting's date).
pub(super) fn publish_withheld(
    ws: &Workspace,
    args: &Request,
    mut st: State,
    lock: Option<crate::workspace::Lock>,
    shown: &str,
    date: NaiveDate,
) -> Result<Outcome> {
    let mut posted = Vec::new();
    for case_id in &args.publish_unknown_reason {
        let Some(case) = st.case(case_id) else {
            bail!("{}", tr(format!("no case {case_id}"), format!("没有案件 {case_id}")));
        };
        if is_private(&ws.policy, case) {
            bail!(
                "{}",
                tr(
                    format!("case {case_id} is protected (不公示 or its hardship reason) and is never posted"),
                    format!("案件 {case_id} 属于不得公示的情形 (标明不公示或致困原因所致), 不能公示"),
                )
            );
        }
        let withheld: Vec<Decision> = st
            .decisions
            .iter()
            .filter(|d| &d.case_id == case_id && d.status == DecisionStatus::Approved)
            .filter(|d| {
                st.notices
                    .iter()
                    .any(|n| n.decision_id == d.decision_id && n.level == "private")
            })
            .cloned()
            .collect();
        for d in withheld {
            st.notices.retain(|n| n.decision_id != d.decision_id);
            post_notices(&mut st, &ws.policy, &d, date);
            posted.push(case_id.clone());
        }
    }
    let ids = posted.join(" ");
    let out = tr(
        format!("decide --record {shown}: posted after the clerk's confirmation: {ids}"),
        format!("decide --record {shown}: 经办人确认后列入公示: {ids}"),
    );
    if posted.is_empty() || args.dry_run {
        crate::outln!(
            "{}",
            tr(
                format!("decide --record {shown}: none of the cases named was kept off the notice; nothing to do"),
                format!("decide --record {shown}: 所列案件都不在未公示之列; 无需再做"),
            )
        );
        return Ok(Outcome::Done);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!("posted after confirmation of an unknown hardship reason: {ids}"),
        inputs: format!("{POLICY_FILE}={}", ws.policy_sha256()?),
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    txn.put(
        PathBuf::from("reports").join(format!("notice-{}.xlsx", Period::of(date))),
        notice_workbook(&st, &ws.policy, Period::of(date))?,
    );
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

/// The cases this run kept off the public notice because their hardship reason is unknown, and what the clerk
/// does: empty when there are none.
pub(super) fn withheld_note(st: &State) -> String {
    if st.withheld.is_empty() {
        return String::new();
    }
    let ids = st.withheld.join(" ");
    format!(
        "\n  {}",
        tr(
            format!(
                "kept off the public notice, hardship reason unknown (a protected case such as 艾滋病 cannot be told \
                 apart): {ids}; fill in the reason or mark the case 不公示, or, once a person has checked that it may \
                 be posted, run this command again with --publish-unknown-reason {ids}"
            ),
            format!(
                "致困原因不明, 未列入公示 (无法排除艾滋病等不得公示的情形): {ids}; 请补填致困原因或标明不公示; \
                 经核实可以公示的, 请加 --publish-unknown-reason {ids} 重新运行本命令"
            ),
        )
    )
}

/// Posts an approved decision: one notice per level, each starting the day after the previous ends. The caller
/// has removed the decision's earlier notices. A case whose hardship reason is unknown and that the clerk has not
/// confirmed is treated as protected (not posted) and listed in [`State::withheld`].
pub(super) fn post_notices(st: &mut State, policy: &Policy, d: &Decision, date: NaiveDate) {
    let unknown = st
        .case(&d.case_id)
        .is_some_and(|c| !is_private(policy, c) && reason_unknown(c))
        && !st.publish_unknown_reason.contains(&d.case_id);
    if unknown {
        st.withheld.push(d.case_id.clone());
    }
    let private = unknown || st.case(&d.case_id).is_some_and(|c| is_private(policy, c));
    let days = policy.decision.notice_days as u64;
    let mut start = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let levels: Vec<String> = if private {
        vec!["private".to_string()]
    } else {
        policy.decision.notice_levels.clone()
    };
    for level in levels {
        // A protected case is not posted; its "notice" ends the day it starts, so the procedure can go on.
        let end = if level == "private" {
            start
        } else {
            start.checked_add_days(Days::new(days - 1)).unwrap_or(start)
        };
        st.notices.push(Notice {
            notice_id: format!("{}-{level}", d.decision_id),
            decision_id: d.decision_id.clone(),
            case_id: d.case_id.clone(),
            level,
            start,
            end,
            status: "posted".into(),
            objection: Text::default(),
        });
        start = end.checked_add_days(Days::new(1)).unwrap_or(end);
    }
}

/// The body that issues a notice (policy `print.notice_issuer`): the township's 人民政府 (a 街道's 办事处) or the
/// county's 民政局.
pub(super) fn notice_issuer(policy: &Policy, township: &str) -> String {
    match policy.print.notice_issuer {
        crate::policy::NoticeIssuer::County => format!("{}民政局", policy.region.name),
        crate::policy::NoticeIssuer::Township if township.ends_with("街道") => format!("{township}办事处"),
        crate::policy::NoticeIssuer::Township => format!("{township}人民政府"),
    }
}

/// A date as a notice writes it: 2026年11月21日.
pub(super) fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The public notice (公示), ready to post: one sheet per village, on one page up to 25 households — its title,
/// issuing body and period, the monthly and the one-off amounts under their own headings, where objections go
/// and the 监督电话, then the stamp line and the date. Only what the policy allows is shown.
pub(super) fn notice_workbook(st: &State, policy: &Policy, month: Period) -> Result<Vec<u8>> {
    let cases: BTreeMap<&str, &Case> = st.cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let decisions: BTreeMap<&str, &Decision> = st.decisions.iter().map(|d| (d.decision_id.as_str(), d)).collect();
    type Posting<'a> = (&'a Notice, &'a Case, &'a Decision);
    let mut by_village: BTreeMap<(String, String), Vec<Posting>> = BTreeMap::new();
    for n in st
        .notices
        .iter()
        .filter(|n| n.level == "village" && Period::of(n.start) <= month.next() && Period::of(n.end) >= month)
    {
        let (Some(c), Some(d)) = (cases.get(n.case_id.as_str()), decisions.get(n.decision_id.as_str())) else {
            continue;
        };
        if is_private(policy, c) {
            continue;
        }
        by_village
            .entry((c.township.0.clone(), c.village.0.clone()))
            .or_default()
            .push((n, c, d));
    }
    let fields = &policy.decision.notice_fields;
    let mut sheets = Vec::new();
    for ((township, village), mut rows) in by_village {
        // Monthly amounts first, then the one-off 临时救助 under its own heading, each in case order.
        let one_off = |c: &Case| {
            policy
                .schemes
                .get(&c.scheme)
                .is_some_and(|s| s.kind == SchemeKind::Temporary)
        };
        rows.sort_by(|a, b| (one_off(a.1), &a.1.case_id).cmp(&(one_off(b.1), &b.1.case_id)));
        let (start, end) = (rows.iter().map(|r| r.0.start).min(), rows.iter().map(|r| r.0.end).max());
        let mut columns = vec![Column::new("序号", Kind::Count)];
        for f in fields {
            columns.push(match f.as_str() {
                "name" => Column::new("姓名", Kind::Text),
                "village" => Column::new("村(社区)", Kind::Text),
                "household_size" => Column::new("家庭人口", Kind::Count),
                "scheme" => Column::new("救助类别", Kind::Text),
                "amount" => Column::new("救助金额(元)", Kind::Money),
                _ => Column::new("身份证号", Kind::Code),
            });
        }
        columns.push(Column::new("变动", Kind::Text));
        let monthly = rows.iter().filter(|r| !one_off(r.1)).count();
        let body = rows
            .iter()
            .enumerate()
            .map(|(i, (_, c, d))| {
                // Numbered from 1 under each heading.
                let n = if i < monthly { i + 1 } else { i - monthly + 1 };
                let mut r = vec![Value::Count(n as i64)];
                for f in fields {
                    r.push(match f.as_str() {
                        "name" => Value::from(c.applicant_name.as_str()),
                        "village" => Value::from(format!("{township}{village}")),
                        "household_size" => Value::Count(c.household_size as i64),
                        "scheme" => Value::from(scheme_label(policy, &c.scheme)),
                        "amount" => Value::Money(d.amount),
                        _ => Value::from(c.applicant_id_number.masked()),
                    });
                }
                r.push(Value::from(d.kind.label_zh()));
                r
            })
            .collect();
        let mut headings = Vec::new();
        if monthly > 0 {
            headings.push((0, "一、按月救助 (救助金额为每月金额)".to_string()));
        }
        if monthly < rows.len() {
            let n = if monthly > 0 { "二" } else { "一" };
            headings.push((monthly, format!("{n}、临时救助 (救助金额为一次性发放金额)")));
        }
        let issuer = notice_issuer(policy, &township);
        let (from, to) = (
            start.map(date_zh).unwrap_or_default(),
            end.map(date_zh).unwrap_or_default(),
        );
        let title = format!("{}{township}{village}社会救助对象公示", policy.region.name);
        let hotline = match policy.print.hotline.trim() {
            "" => "____________".to_string(),
            h => h.to_string(),
        };
        sheets.push(SheetSpec {
            name: format!("{township}{village}"),
            title: None,
            columns,
            rows: body,
            batch: None,
            print: writer::Print {
                heading: Some(String::new()),
                above: vec![
                    Line::center(&title).bold(),
                    Line::left(format!(
                        "根据社会救助审核确认的有关规定, 经入户调查、信息比对和民主评议, 现将本村(社区)拟给予或变更社会\
                         救助的家庭予以公示。公示期: {from} 至 {to}。"
                    )),
                ],
                headings,
                below: vec![
                    Line::left(format!(
                        "公示期间, 对以上对象有异议的, 请向{issuer}或{}民政局反映 (实名反映的, 予以保密)。\
                         监督电话: {hotline}。",
                        policy.region.name
                    )),
                    Line::right(format!("{issuer} (盖章)")),
                    Line::right(start.map(date_zh).unwrap_or_default()),
                ],
                ..Default::default()
            },
        });
    }
    if sheets.is_empty() {
        sheets.push(SheetSpec {
            name: "公示".into(),
            title: Some(format!("{} 本期无公示对象", policy.region.name)),
            columns: vec![Column::new("说明", Kind::Text)],
            rows: Vec::new(),
            batch: None,
            print: Default::default(),
        });
    }
    writer::workbook_bytes(&sheets)
}

pub(super) fn undisputed(ws: &Workspace, args: &Request, case_ids: &[String], date: NaiveDate) -> Result<Outcome> {
    if !ws.policy.decision.skip_appraisal_when_undisputed {
        bail!(tr(
            "the policy does not allow approving without a review meeting: set \
             `decision.skip_appraisal_when_undisputed: true` in jiuzhu.yaml only where local rules allow 无争议免评议",
            "政策文件不允许不经评议会议审批: 仅在当地规定允许无争议免评议时, 才在 jiuzhu.yaml 中设置 \
             `decision.skip_appraisal_when_undisputed: true`"
        ));
    }
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    st.publish_unknown_reason = args.publish_unknown_reason.iter().cloned().collect();
    let mut proposed = Vec::new();
    for c in case_ids {
        let d = st
            .decisions_of
            .get(c.as_str())
            .into_iter()
            .flatten()
            .map(|&i| &st.decisions[i])
            .find(|d| d.status == DecisionStatus::Proposed)
            .ok_or_else(|| {
                anyhow!(tr(
                    format!("case {c} has no proposed decision; run `jiuzhu decide --period P` first"),
                    format!("案件 {c} 没有待评议的提议; 请先运行 `jiuzhu decide --period P`")
                ))
            })?;
        proposed.push((tr(format!("case {c}"), format!("案件 {c}")), d));
    }
    refuse_meeting_before_proposals(ws, &st, proposed.iter().cloned(), "decide --undisputed", date)?;
    let decided: Vec<(String, DecisionStatus, String)> = proposed
        .into_iter()
        .map(|(_, d)| (d.decision_id.clone(), DecisionStatus::Approved, String::new()))
        .collect();
    let counted = apply_verdicts(&mut st, &ws.policy, &decided, "无争议免评议", date);
    let (approved, refusals) = (counted.approved, counted.refusals_agreed);
    let out = tr(
        format!("decide --undisputed: {approved} approved, {refusals} refusals agreed, without a meeting on {date}"),
        format!("decide --undisputed: 无争议免评议（{date}）: 同意 {approved} 件, 同意不予批准 {refusals} 件"),
    ) + &withheld_note(&st);
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        return Ok(Outcome::Done);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!("无争议免评议 {date}: {}", case_ids.join(", ")),
        inputs: format!("{POLICY_FILE}={}", ws.policy_sha256()?),
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    txn.put(
        PathBuf::from("reports").join(format!("notice-{}.xlsx", Period::of(date))),
        notice_workbook(&st, &ws.policy, Period::of(date))?,
    );
    ws.commit(&lock.expect("writing run holds the lock"), txn)?;
    let outcome = if st.withheld.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

pub(super) fn objection(
    ws: &Workspace,
    args: &Request,
    case_id: &str,
    upheld: bool,
    note: &str,
    date: NaiveDate,
) -> Result<Outcome> {
    if note.trim().is_empty() {
        bail!(tr(
            "--note says what the objection was and how it was checked",
            "--note 请写明异议内容和核实情况"
        ));
    }
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    let d = st
        .decisions
        .iter()
        .find(|d| d.case_id == case_id && d.status == DecisionStatus::Approved)
        .cloned()
        .ok_or_else(|| {
            anyhow!(tr(
                format!("case {case_id} has no approved decision in public notice"),
                format!("案件 {case_id} 没有正在公示的已批准决定")
            ))
        })?;
    let status = if upheld {
        "objection_upheld"
    } else {
        "objection_dismissed"
    };
    let mut touched = 0;
    for n in st
        .notices
        .iter_mut()
        .filter(|n| n.decision_id == d.decision_id && n.start <= date)
    {
        n.status = status.into();
        n.objection = Text(format!("{date}: {note}"));
        touched += 1;
    }
    if touched == 0 {
        bail!(tr(
            format!("the notice of case {case_id} had not started on {date}"),
            format!("案件 {case_id} 的公示在 {date} 尚未开始")
        ));
    }
    if upheld {
        if let Some(x) = st.decisions.iter_mut().find(|x| x.decision_id == d.decision_id) {
            x.status = DecisionStatus::Rejected;
        }
        // Back to review: the objection is checked like any new fact.
        set_status(
            &mut st,
            case_id,
            CaseStatus::NeedsInfo,
            &format!("objection upheld {date}: {note}"),
        );
    }
    let out = if upheld {
        tr(
            format!("decide --objection {case_id}: upheld on {date}; the decision is withdrawn and the case goes back to review"),
            format!("decide --objection {case_id}: {date} 异议成立; 撤销该决定, 案件退回重新审核"),
        )
    } else {
        tr(
            format!("decide --objection {case_id}: dismissed on {date}; the notice runs on"),
            format!("decide --objection {case_id}: {date} 异议不成立; 公示继续"),
        )
    };
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        return Ok(Outcome::Done);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        case_id: case_id.to_string(),
        detail: format!("objection {status} {date}: {note}"),
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    ws.commit(&lock.expect("writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(if upheld { Outcome::NeedsAttention } else { Outcome::Done })
}
