//! The review meeting (评议): its worksheet (written with the proposals, a drop-down 评议结果 per proposal) and
//! `decide --record`, which reads the filled worksheet back and records each verdict.

use super::*;

pub(super) const AGREE: &str = "同意";
pub(super) const DISAGREE: &str = "不同意";
pub(super) const DEFER: &str = "暂缓";

use crate::cmd::compare::row_at;

/// The review-meeting worksheet's headers, with the bilingual ones of the worksheets written before
/// (`决定编号 decision`), which are still read back.
pub(super) const H_DECISION: [&str; 2] = ["决定编号", "决定编号 decision"];
pub(super) const H_CASE: [&str; 2] = ["案件编号", "案件编号 case"];
pub(super) const H_VERDICT: [&str; 2] = ["评议结果", "评议结果 verdict"];
pub(super) const H_NOTE: [&str; 2] = ["说明", "说明 note"];

/// The review-meeting worksheet: proposals with their derivations, a drop-down verdict and a note.
pub(super) fn review_workbook(cases: &[Case], decisions: &[Decision], policy: &Policy, batch: &str) -> Result<Vec<u8>> {
    let cases: HashMap<&str, &Case> = cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let mut proposed: Vec<&Decision> = decisions.iter().filter(|d| on_worksheet(d)).collect();
    // By township, village and case: the order the meeting goes through them.
    proposed.sort_by_cached_key(|&d| {
        let place = cases
            .get(d.case_id.as_str())
            .map(|c| (c.township.as_str(), c.village.as_str()));
        (place, d.case_id.as_str())
    });
    // Built on both cores: the workbook is the last of decide's work, the ledgers written beside it long done.
    let rows = proposed
        .par_iter()
        .map(|d| {
            let c = cases.get(d.case_id.as_str());
            vec![
                Value::from(d.decision_id.as_str()),
                Value::from(d.case_id.as_str()),
                Value::from(c.map(|c| c.applicant_name.0.as_str()).unwrap_or("")),
                Value::from(c.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default()),
                Value::Count(c.map(|c| c.household_size as i64).unwrap_or(0)),
                Value::from(c.map(|c| scheme_label(policy, &c.scheme)).unwrap_or("")),
                Value::from(if awaiting_backfill(d) {
                    format!("{} (先行救助, 补审批)", d.kind.label_zh())
                } else {
                    d.kind.label_zh().to_string()
                }),
                Value::Money(d.previous_amount),
                Value::Money(d.amount),
                Value::Money(d.delta_amount),
                Value::from(d.derivation.as_str()),
                Value::Empty,
                Value::Empty,
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "评议".into(),
        title: Some("民主评议/审批会: 逐户填写评议结果 (同意 / 不同意 / 暂缓) 和说明; 其他列已锁定".into()),
        columns: vec![
            Column::new(H_DECISION[0], Kind::Code),
            Column::new(H_CASE[0], Kind::Code),
            Column::new("户主", Kind::Text),
            Column::new("乡镇村", Kind::Text),
            Column::new("人数", Kind::Count),
            Column::new("救助类别", Kind::Text),
            Column::new("决定类型", Kind::Text),
            Column::new("原金额", Kind::Money),
            Column::new("新金额", Kind::Money),
            Column::new("变化", Kind::Money),
            // Wrapped in its cell, so the verdict and the note stay on the page's width.
            Column {
                width: 40,
                ..Column::new("计算过程", Kind::Text)
            },
            Column {
                width: 12,
                ..Column::answer(
                    H_VERDICT[0],
                    Input::Choice(vec![AGREE.into(), DISAGREE.into(), DEFER.into()]),
                )
            },
            Column {
                width: 24,
                ..Column::answer(H_NOTE[0], Input::Free)
            },
        ],
        rows,
        batch: Some(batch.to_string()),
        // At the table, on the meeting's paper: landscape, and every page signed by the panel.
        print: writer::Print {
            landscape: true,
            heading: Some(format!("{} 民主评议/审批会评议表", policy.region.name)),
            footer_left: Some("评议小组成员签字: ______________________________    日期: ______年____月____日".into()),
            ..Default::default()
        },
    }])
}

pub(super) struct Verdict {
    pub(super) row: writer::RowAt,
    pub(super) decision_id: String,
    pub(super) case_id: String,
    pub(super) verdict: Option<DecisionStatus>,
    pub(super) note: String,
}

pub(super) fn read_verdicts(shown: &str, bytes: &[u8]) -> Result<(String, Vec<Verdict>)> {
    let wb = reader::read_worksheet_bytes(shown, bytes, Encoding::Detect)?;
    let what = tr("review-meeting worksheet", "评议表");
    let sheet = writer::returned(shown, &wb, &what, &H_DECISION)?;
    let col = |labels: &[&str]| sheet.column(shown, labels);
    let (c_id, c_case, c_verdict, c_note) = (col(&H_DECISION)?, col(&H_CASE)?, col(&H_VERDICT)?, col(&H_NOTE)?);
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (at, row) in &sheet.rows {
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let cell = |c: usize| {
            row.get(c)
                .map(|x| text::unneutralise(&x.text).to_string())
                .unwrap_or_default()
        };
        let v = cell(c_verdict);
        let verdict = match v.as_str() {
            "" => None,
            AGREE | "approve" | "approved" => Some(DecisionStatus::Approved),
            DISAGREE | "reject" | "rejected" => Some(DecisionStatus::Rejected),
            DEFER | "defer" | "deferred" => Some(DecisionStatus::Deferred),
            other => {
                bad.push(tr(
                    format!(
                        "{}: 评议结果 `{}` is not one of {AGREE}, {DISAGREE}, {DEFER}",
                        row_at(at),
                        crate::domain::text::excerpt(other)
                    ),
                    format!(
                        "{}: 评议结果 `{}` 不是 {AGREE}、{DISAGREE}、{DEFER} 之一",
                        row_at(at),
                        crate::domain::text::excerpt(other)
                    ),
                ));
                None
            }
        };
        out.push(Verdict {
            row: at.clone(),
            decision_id: cell(c_id),
            case_id: cell(c_case),
            verdict,
            note: cell(c_note),
        });
    }
    if !bad.is_empty() {
        let bad = bad.join("\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {bad}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {bad}")
        ));
    }
    Ok((sheet.batch, out))
}

pub(super) fn record(
    ws: &Workspace,
    args: &Request,
    file: &Path,
    meeting: &str,
    date: NaiveDate,
    attendees: Option<&str>,
) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let (batch, verdicts) = read_verdicts(&shown, &bytes)?;
    if meeting.trim().is_empty() {
        bail!(tr(
            "--meeting names the meeting and its minutes (e.g. \"城关镇2026年第11次审批会 纪要第23号\")",
            "--meeting 请写明会议名称和纪要编号 (如 \"城关镇2026年第11次审批会 纪要第23号\")"
        ));
    }
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    st.publish_unknown_reason = args.publish_unknown_reason.iter().cloned().collect();
    let index: BTreeMap<String, usize> = st
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.decision_id.clone(), i))
        .collect();
    // The worksheet's batch already recorded (a run killed after its commit point, run again; or the same sheet
    // twice): said as such, not as proposals that are no longer proposals.
    let pending = |v: &Verdict| {
        index
            .get(&v.decision_id)
            .is_some_and(|&i| on_worksheet(&st.decisions[i]) && st.decisions[i].batch == batch)
    };
    if let Some(m) = st.meetings.iter().find(|m| m.batch == batch) {
        if !verdicts.iter().any(pending) {
            if m.meeting.0 == meeting && m.date == date && !args.publish_unknown_reason.is_empty() {
                return publish_withheld(ws, args, st, lock, &shown, date);
            }
            if m.meeting.0 == meeting && m.date == date {
                if !args.quiet {
                    crate::outln!(
                        "{}",
                        tr(
                            format!(
                                "decide --record {shown}: already recorded (meeting {meeting} on {date}, batch \
                                 {batch}); nothing to do"
                            ),
                            format!("decide --record {shown}: 已记录过 ({date} {meeting}, 批次 {batch}); 无需再做"),
                        )
                    );
                }
                return Ok(Outcome::Done);
            }
            bail!(
                "{}",
                tr(
                    format!(
                        "{shown}: batch {batch} was already recorded at meeting {} on {}; nothing recorded",
                        m.meeting.as_str(),
                        m.date
                    ),
                    format!(
                        "{shown}: 批次 {batch} 已在 {} {} 记录过; 未做任何记录",
                        m.date,
                        m.meeting.as_str()
                    ),
                )
            );
        }
    }
    let mut problems = Vec::new();
    for v in &verdicts {
        let Some(&i) = index.get(&v.decision_id) else {
            problems.push(tr(
                format!(
                    "{}: decision {} is not in ledgers/decisions.csv",
                    row_at(&v.row),
                    v.decision_id
                ),
                format!(
                    "{}: 决定 {} 不在 ledgers/decisions.csv 中",
                    row_at(&v.row),
                    v.decision_id
                ),
            ));
            continue;
        };
        let d = &st.decisions[i];
        if d.case_id != v.case_id {
            problems.push(tr(
                format!("{}: the case of decision {} was changed", row_at(&v.row), v.decision_id),
                format!("{}: 决定 {} 的案件编号被改动", row_at(&v.row), v.decision_id),
            ));
        }
        if !on_worksheet(d) || d.batch != batch {
            problems.push(tr(
                format!(
                    "{}: decision {} is not a proposal of this worksheet's batch {batch} (it is {:?}, batch {})",
                    row_at(&v.row),
                    v.decision_id,
                    d.status,
                    d.batch
                ),
                format!(
                    "{}: 决定 {} 不是本评议表批次 {batch} 的提议 (其状态为{}, 批次 {})",
                    row_at(&v.row),
                    v.decision_id,
                    d.status.label_zh(),
                    if d.batch.is_empty() { "无" } else { &d.batch }
                ),
            ));
        }
    }
    if verdicts.is_empty() {
        problems.push(tr("the worksheet has no proposals", "评议表中没有提议"));
    }
    if !problems.is_empty() {
        let problems = problems.into_iter().take(20).collect::<Vec<_>>().join("\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {problems}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {problems}")
        ));
    }
    let decided_rows = verdicts
        .iter()
        .filter(|v| v.verdict.is_some())
        .filter_map(|v| index.get(&v.decision_id).map(|&i| (row_at(&v.row), &st.decisions[i])));
    refuse_meeting_before_proposals(ws, &st, decided_rows, &shown, date)?;
    let decided: Vec<(String, DecisionStatus, String)> = verdicts
        .iter()
        .filter_map(|v| v.verdict.map(|s| (v.decision_id.clone(), s, v.note.clone())))
        .collect();
    let counted = apply_verdicts(&mut st, &ws.policy, &decided, meeting, date);
    let Verdicts {
        approved,
        refusals_agreed,
        rejected,
        deferred,
    } = counted;
    st.meetings.retain(|m| !(m.date == date && m.meeting.0 == meeting));
    st.meetings.push(Meeting {
        meeting: Text(meeting.to_string()),
        date,
        attendees: Text(attendees.unwrap_or_default().to_string()),
        batch: batch.clone(),
        approved: counted.agreed(),
        rejected,
        deferred,
    });
    // What the meeting left waiting: the batch's proposals that got no verdict, on a row left blank or not on the
    // sheet at all (rows deleted from the worksheet). They stay proposed and need a person, so they are named.
    let given: HashSet<&str> = decided.iter().map(|(id, _, _)| id.as_str()).collect();
    let on_sheet: HashSet<&str> = verdicts.iter().map(|v| v.decision_id.as_str()).collect();
    let waiting: Vec<&Decision> = st
        .decisions
        .iter()
        .filter(|d| on_worksheet(d) && d.batch == batch && !given.contains(d.decision_id.as_str()))
        .collect();
    let pending = waiting.len() as u32;
    let mut out = tr(
        format!(
            "{}decide --record {shown}: {meeting} on {date}: {approved} approved, {refusals_agreed} refusals agreed, \
             {rejected} not approved, {deferred} deferred, {pending} without a verdict",
            if args.dry_run { "dry run: " } else { "" }
        ),
        format!(
            "{}decide --record {shown}: {meeting}（{date}）: 同意 {approved} 件, 同意不予批准 {refusals_agreed} 件, \
             不同意 {rejected} 件, 暂缓 {deferred} 件, 未填评议结果 {pending} 件",
            if args.dry_run { "试运行: " } else { "" }
        ),
    );
    let notice_rel = PathBuf::from("reports").join(format!("notice-{}.xlsx", Period::of(date)));
    out.push_str(&if args.dry_run {
        tr(
            format!("\n  public notice would be {}", notice_rel.display()),
            format!("\n  公示表将写到 {} (试运行, 未写入)", notice_rel.display()),
        )
    } else {
        tr(
            format!("\n  public notice: {}", notice_rel.display()),
            format!("\n  公示表: {}", notice_rel.display()),
        )
    });
    out.push_str(&still_waiting(ws, &waiting, &on_sheet, &batch));
    out.push_str(&withheld_note(&st));
    // Refusals under the 低保边缘 line enter the monitored low-income population (低收入人口动态监测).
    let mut monitored = ledger::read::<crate::ledger::Monitored>(ws)?;
    let enrolled = crate::cmd::monitor::enrol_refused(&ws.policy, &st.cases, &st.decisions, &mut monitored);
    if !enrolled.is_empty() {
        let n = enrolled.len();
        out.push_str(&tr(
            format!("\n  {n} refused households enter the monitored low-income population (ledgers/monitored.csv)"),
            format!("\n  {n} 户不予批准的家庭纳入低收入人口动态监测 (ledgers/monitored.csv)"),
        ));
    }
    if crate::ui::json() {
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("meeting", meeting.to_string());
        crate::ui::record("date", date.to_string());
        crate::ui::record("batch", batch.clone());
        crate::ui::record(
            "verdicts",
            serde_json::json!({
                "approved": approved,
                "refusals_agreed": refusals_agreed,
                "rejected": rejected,
                "deferred": deferred,
                "without_verdict": pending,
            }),
        );
        let ids: Vec<&str> = waiting.iter().map(|d| d.decision_id.as_str()).collect();
        crate::ui::record("without_verdict", ids);
        crate::ui::record("withheld_from_notice", st.withheld.len());
        crate::ui::record("notice", notice_rel.display().to_string());
    }
    let outcome = if pending > 0 || deferred > 0 || !st.withheld.is_empty() {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!(
            "meeting {meeting} {date}: {approved} approved, {refusals_agreed} refusals agreed, {rejected} rejected, \
             {deferred} deferred"
        ),
        inputs: format!(
            "{}={};{POLICY_FILE}={}",
            file.file_name().and_then(|n| n.to_str()).unwrap_or("worksheet"),
            sha256_hex(&bytes),
            ws.policy_sha256()?
        ),
        ..NewEvent::default()
    }]);
    st.chain.append(enrolled.into_iter().map(|(case_id, detail)| NewEvent {
        step: "decide".into(),
        case_id,
        detail,
        ..NewEvent::default()
    }));
    let mut txn = Txn::new();
    st.write(ws, &mut txn)?;
    if !monitored.is_empty() {
        txn.put(
            ledger::path_of::<crate::ledger::Monitored>(),
            ledger::to_bytes(&monitored)?,
        );
    }
    txn.put(&notice_rel, notice_workbook(&st, &ws.policy, Period::of(date))?);
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// The earliest day a meeting can decide a proposal, and why: not before its period begins, nor before the
/// application was received, nor — for a new award — before the household's signed village home visit (逢进必查:
/// the proposal rests on it, and audit's J210 holds every approval to a visit on or before its meeting). An urgent
/// award (先行救助) is paid before the visit and approved after, so only its period and application bound it.
pub(super) fn earliest_meeting(
    d: &Decision,
    case: Option<&Case>,
    first_visit: Option<NaiveDate>,
) -> Option<(NaiveDate, String)> {
    let mut bounds: Vec<(NaiveDate, String)> = Vec::new();
    {
        let p = d.period;
        bounds.push((
            p.first_day(),
            tr(
                format!("its period {p} begins {}", p.first_day()),
                format!("其所属月份 {p} 始于 {}", p.first_day()),
            ),
        ));
    }
    if let Some(c) = case {
        bounds.push((
            c.applied_on,
            tr(
                format!("the application was received {}", c.applied_on),
                format!("申请受理于 {}", c.applied_on),
            ),
        ));
    }
    if let Some(v) = first_visit.filter(|_| d.kind == DecisionKind::New && !d.urgent) {
        bounds.push((
            v,
            tr(
                format!("the household's village home visit (入户调查) was {v}"),
                format!("入户调查于 {v}"),
            ),
        ));
    }
    bounds.into_iter().max_by_key(|(day, _)| *day)
}

/// Refuses a meeting dated before the proposals it decides (see [`earliest_meeting`]): `--date 2020-01-01` for the
/// proposals of 2026-11 would record approvals that preceded their own facts, and audit would report each (J210).
/// `decided` gives each decision with where it was named (a worksheet row, or `case …` for `--undisputed`). Exit 2,
/// nothing recorded, every such decision named with why and the date the meeting needs.
pub(super) fn refuse_meeting_before_proposals<'d>(
    ws: &Workspace,
    st: &State,
    decided: impl Iterator<Item = (String, &'d Decision)>,
    shown: &str,
    date: NaiveDate,
) -> Result<()> {
    let min = ws.policy.verification.min_investigators;
    let mut first_visit: HashMap<String, NaiveDate> = HashMap::default();
    for v in ledger::read::<Visit>(ws)?
        .into_iter()
        .filter(|v| v.counts_at(VisitLevel::Village, min))
    {
        let day = first_visit.entry(v.case_id).or_insert(v.visited_on);
        *day = (*day).min(v.visited_on);
    }
    let mut early = Vec::new();
    let mut needed = date;
    for (at, d) in decided {
        let visit = first_visit.get(d.case_id.as_str()).copied();
        if let Some((day, why)) = earliest_meeting(d, st.case(&d.case_id), visit).filter(|(day, _)| *day > date) {
            needed = needed.max(day);
            early.push(tr(
                format!("{at}: decision {} (case {}): {why}", d.decision_id, d.case_id),
                format!("{at}: 决定 {} (案件 {}): {why}", d.decision_id, d.case_id),
            ));
        }
    }
    if early.is_empty() {
        return Ok(());
    }
    let n = early.len();
    let list = crate::ui::first_of(&early, 20, "\n  ");
    bail!(
        "{}",
        tr(
            format!(
                "{shown} refused, nothing recorded: the date {date} is before {n} of the proposals it decides:\n  \
                 {list}\nCheck --date: a meeting that decides them all was held on or after {needed}."
            ),
            format!(
                "{shown} 未被接受, 未做任何记录: 日期 {date} 早于其评议的 {n} 件提议:\n  {list}\n请核对 --date: \
                 能评议全部这些提议的会议应在 {needed} 或之后召开。"
            ),
        )
    );
}

/// The lines naming what a meeting left waiting (see `record`): the proposals not on the worksheet (rows removed)
/// and those on it without a verdict, the first 20 of each, and how to bring them to a meeting.
pub(super) fn still_waiting(ws: &Workspace, waiting: &[&Decision], on_sheet: &HashSet<&str>, batch: &str) -> String {
    if waiting.is_empty() {
        return String::new();
    }
    let named = |ds: &[&&Decision]| -> String {
        let ids: Vec<String> = ds
            .iter()
            .map(|d| format!("{} ({})", d.decision_id, d.case_id))
            .collect();
        crate::ui::first_of(&ids, 20, ", ")
    };
    let (blank, removed): (Vec<&&Decision>, Vec<&&Decision>) =
        waiting.iter().partition(|d| on_sheet.contains(d.decision_id.as_str()));
    let mut out = String::new();
    if !removed.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} proposals of batch {batch} are not on the worksheet (rows removed?) and stay proposed: {}",
                removed.len(),
                named(&removed)
            ),
            format!(
                "\n  批次 {batch} 中 {} 件提议不在评议表上 (行被删除?), 仍为待评议: {}",
                removed.len(),
                named(&removed)
            ),
        ));
    }
    if !blank.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} on the worksheet without a verdict stay proposed: {}",
                blank.len(),
                named(&blank)
            ),
            format!("\n  {} 行未填评议结果, 仍为待评议: {}", blank.len(), named(&blank)),
        ));
    }
    // `decide --period` lists every proposal still waiting (and urgent awards still to be back-filled) on a new
    // worksheet of its own batch.
    let period = waiting
        .iter()
        .map(|d| d.period)
        .max()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let jiuzhu = ws.jiuzhu();
    out.push_str(&tr(
        format!(
            "\n  next: `{jiuzhu} decide --period {period}` writes a worksheet of the proposals still waiting, for the \
             meeting that decides them"
        ),
        format!("\n  下一步: `{jiuzhu} decide --period {period}` 生成仍待评议提议的评议表, 交评议会议评议"),
    ));
    out
}

/// Applies verdicts: approvals are posted for notice (or take effect at once for refusals); returns counts.
/// How a meeting's verdicts went. A 同意 to a proposed 不予批准 is the meeting agreeing to refuse: counted apart
/// from the awards it approved, so a summary never calls a refusal an approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Verdicts {
    /// 同意 to a proposal that pays or changes an amount (or a back-filled urgent payment).
    pub(super) approved: u32,
    /// 同意 to a proposed 不予批准: the refusal stands.
    pub(super) refusals_agreed: u32,
    /// 不同意: the proposal is not approved.
    pub(super) rejected: u32,
    pub(super) deferred: u32,
}

impl Verdicts {
    /// Every verdict 同意, as `meetings.csv` counts them.
    pub(super) fn agreed(&self) -> u32 {
        self.approved + self.refusals_agreed
    }
}

pub(super) fn apply_verdicts(
    st: &mut State,
    policy: &Policy,
    decided: &[(String, DecisionStatus, String)],
    meeting: &str,
    date: NaiveDate,
) -> Verdicts {
    let mut v = Verdicts::default();
    // Decisions found by ID, and the earlier notices of the decisions this meeting posts removed in one pass (a
    // meeting can approve every case of a county: a scan per verdict is quadratic). Decisions are not added here.
    let pos: HashMap<String, usize> = st
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.decision_id.clone(), i))
        .collect();
    let posts = |d: &Decision, verdict: &DecisionStatus| {
        *verdict == DecisionStatus::Approved && !awaiting_backfill(d) && d.kind != DecisionKind::Reject && !d.urgent
    };
    let reposted: HashSet<&str> = decided
        .iter()
        .filter(|(id, verdict, _)| pos.get(id).is_some_and(|&i| posts(&st.decisions[i], verdict)))
        .map(|(id, _, _)| id.as_str())
        .collect();
    st.notices.retain(|n| !reposted.contains(n.decision_id.as_str()));
    let mut posted: HashSet<String> = HashSet::default();
    for (id, verdict, note) in decided {
        let Some(&i) = pos.get(id) else {
            continue;
        };
        let d = &mut st.decisions[i];
        let backfill = awaiting_backfill(d);
        d.meeting = Text(if note.is_empty() {
            meeting.to_string()
        } else {
            format!("{meeting}: {note}")
        });
        d.decided_on = Some(date);
        if backfill {
            // 后置审批 of an urgent payment: approval keeps it in force; a refusal is recorded (the money was paid
            // in the emergency; audit and the dossier keep the trail); deferral leaves it waiting.
            match verdict {
                DecisionStatus::Approved => v.approved += 1,
                DecisionStatus::Rejected => {
                    d.status = DecisionStatus::Rejected;
                    let case_id = d.case_id.clone();
                    set_status(
                        st,
                        &case_id,
                        CaseStatus::Rejected,
                        &format!("先行救助未获补批 ({meeting})"),
                    );
                    v.rejected += 1;
                }
                _ => {
                    d.meeting = Text::default();
                    d.decided_on = None;
                    v.deferred += 1;
                }
            }
            continue;
        }
        d.status = *verdict;
        let d = d.clone();
        match verdict {
            DecisionStatus::Approved => {
                if d.kind == DecisionKind::Reject {
                    v.refusals_agreed += 1;
                    // A refusal is not posted; it takes effect at once and the applicant is told in writing.
                    let x = &mut st.decisions[i];
                    x.status = DecisionStatus::Effective;
                    x.effective_from = Some(Period::of(date));
                    set_status(st, &d.case_id, CaseStatus::Rejected, &format!("不予批准 ({meeting})"));
                } else if d.urgent {
                    // 先行救助: already effective; the meeting back-fills the approval.
                    v.approved += 1;
                } else {
                    v.approved += 1;
                    if !posted.insert(d.decision_id.clone()) {
                        // The same decision twice on the sheet: the later verdict's notices replace the earlier's.
                        st.notices.retain(|n| n.decision_id != d.decision_id);
                    }
                    post_notices(st, policy, &d, date);
                    set_status(
                        st,
                        &d.case_id,
                        CaseStatus::Approved,
                        &format!("{} approved ({meeting})", d.kind.label_zh()),
                    );
                }
            }
            DecisionStatus::Rejected => v.rejected += 1,
            _ => v.deferred += 1,
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A review-meeting sheet named `name` of batch `batch` with one proposal per verdict given.
    fn sheet(name: &str, batch: &str, verdicts: &[&str]) -> SheetSpec {
        SheetSpec {
            name: name.into(),
            title: None,
            columns: vec![
                Column::new("决定编号 decision", Kind::Code),
                Column::new("案件编号 case", Kind::Code),
                Column::answer("评议结果 verdict", Input::Free),
                Column::answer("说明 note", Input::Free),
            ],
            rows: verdicts
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    vec![
                        format!("{name}-D{i}").into(),
                        format!("C{i}").into(),
                        (*v).into(),
                        Value::Empty,
                    ]
                })
                .collect(),
            batch: Some(batch.into()),
            print: Default::default(),
        }
    }

    #[test]
    fn verdicts_are_read_from_every_sheet_the_worksheet_went_on_to() {
        // 4 rows a sheet: the batch line and the header leave 2 for proposals.
        let three = sheet("评议 review", "RV-1", &[AGREE, DEFER, DISAGREE]);
        let bytes = writer::workbook_bytes_within(&[three], &[], 4).unwrap();
        let (batch, verdicts) = read_verdicts("r.xlsx", &bytes).unwrap();
        assert_eq!(batch, "RV-1");
        let got: Vec<(String, &str, Option<DecisionStatus>)> = verdicts
            .iter()
            .map(|v| (v.row.to_string(), v.decision_id.as_str(), v.verdict))
            .collect();
        assert_eq!(
            got,
            [
                ("row 3".to_string(), "评议 review-D0", Some(DecisionStatus::Approved)),
                ("row 4".to_string(), "评议 review-D1", Some(DecisionStatus::Deferred)),
                (
                    "sheet `评议 review (2)` row 3".to_string(),
                    "评议 review-D2",
                    Some(DecisionStatus::Rejected)
                ),
            ]
        );
        // A wrong answer on a later sheet is named by its sheet and row.
        let bytes =
            writer::workbook_bytes_within(&[sheet("评议 review", "RV-1", &[AGREE, AGREE, "也许"])], &[], 4).unwrap();
        let err = read_verdicts("r.xlsx", &bytes).err().unwrap().to_string();
        assert!(err.contains("sheet `评议 review (2)` row 3: 评议结果 `也许`"), "{err}");
    }
}
