//! `decide --period`: the month's proposals — new applications decided, recipients re-decided (增发 / 减发 /
//! 停发 / 渐退, deaths, exclusions, annual caps) — and the approved decisions whose notices are over made effective.

use super::*;

/// Which of the period's proposals (`ids[i]` is the ID of `proposals[i]`) are already decisions in `kept` (the
/// ledger without the period's earlier proposals): decided for that case, period and kind — refused by the meeting
/// (不同意), deferred, approved or in force. A decision's ID is its case, period and kind, so such a proposal would
/// be the same decision twice: a refusal stands for its period, and the case comes up again only with a different
/// decision (something changed) or the next period. An ID that belongs to two cases, periods or kinds (a hand
/// edit, or a collision of the hash) stops the step, nothing written.
pub(super) fn decided_already(
    kept: &[Decision],
    proposals: &[Proposal],
    ids: &[String],
    period: Period,
) -> Result<HashSet<String>> {
    let who = |case: &str, kind: DecisionKind, period: Period| {
        tr(
            format!("case {case}'s {} of {period}", kind.label_zh()),
            format!("案件 {case} {period} 的{}决定", kind.label_zh()),
        )
    };
    let mut wanted: HashMap<&str, &Proposal> = HashMap::with_capacity_and_hasher(ids.len(), Default::default());
    for (id, p) in ids.iter().zip(proposals) {
        if let Some(q) = wanted.insert(id, p) {
            let (a, b) = (who(&q.case_id, q.kind, period), who(&p.case_id, p.kind, period));
            bail!(tr(
                format!("decision {id} would be both {a} and {b}; nothing written"),
                format!("决定 {id} 会同时是{a}和{b}; 未写入任何内容")
            ));
        }
    }
    let mut decided = HashSet::default();
    for d in kept {
        let Some(p) = wanted.get(d.decision_id.as_str()) else {
            continue;
        };
        if d.case_id != p.case_id || d.period != period || d.kind != p.kind {
            let (a, b) = (who(&d.case_id, d.kind, d.period), who(&p.case_id, p.kind, period));
            bail!(tr(
                format!(
                    "ledgers/decisions.csv: decision {} is {a}, but its ID is that of {b}; nothing written (restore \
                     the file from Git)",
                    d.decision_id
                ),
                format!(
                    "ledgers/decisions.csv: 决定 {} 是{a}, 但它的编号属于{b}; 未写入任何内容 (请从 Git 恢复该文件)",
                    d.decision_id
                )
            ));
        }
        decided.insert(d.decision_id.clone());
    }
    Ok(decided)
}

/// A proposal before it is merged into the ledger.
pub(super) struct Proposal {
    pub(super) case_id: String,
    pub(super) kind: DecisionKind,
    pub(super) amount: Fen,
    pub(super) previous: Fen,
    pub(super) reason: String,
    pub(super) derivation: String,
    /// What the amount was computed from; none for a decision made without a computation.
    pub(super) basis: Option<Basis>,
    pub(super) policy_values: String,
    pub(super) gradual_exit_until: Option<Period>,
    pub(super) urgent: bool,
}

/// Why a case was not proposed.
pub(super) struct Blocked {
    pub(super) case_id: String,
    /// What blocks it, for `--json`: `open_hits` (registry hits not resolved) or `not_verified`.
    pub(super) check: &'static str,
    pub(super) why: String,
}

pub(super) fn propose(
    ws: &Workspace,
    args: &Request,
    period: Period,
    as_of: Option<NaiveDate>,
    preview: bool,
) -> Result<Outcome> {
    let writing = !(args.dry_run || preview);
    let lock = if writing { Some(ws.lock()?) } else { None };
    let mut kept = crate::kept_to_exit(State::load(ws)?);
    let st: &mut State = &mut kept;
    let as_of_given = as_of.is_some();
    let as_of = as_of.or_else(|| st.latest_date()).unwrap_or_else(|| period.first_day());
    let on = period.first_day();
    let policy = &ws.policy;
    crate::ui::phase("decide: loaded");
    let before_total = monthly_total(st, policy, period.prev());

    // 1. Approved decisions whose notices all ran their full period, with no upheld objection, take effect.
    let made_effective = make_effective(st, policy, as_of);

    crate::ui::phase("decide: made effective");
    // 2. Proposals for the period.
    let mut proposals = Vec::new();
    let mut blocked = Vec::new();
    let open_hits = records::by_case_sorted(
        st.matches
            .iter()
            .filter(|m| m.disposition == Disposition::Open && m.effect != Effect::Info),
    );
    let pending: BTreeSet<&str> = st
        .decisions
        .iter()
        .filter(|d| {
            matches!(d.status, DecisionStatus::Approved) || (d.status == DecisionStatus::Deferred && d.period == period)
        })
        .map(|d| d.case_id.as_str())
        .collect();
    // Members and failed checks by case, built once (a scan per case is quadratic at county scale).
    let members_index = records::by_case(&st.members);
    let failed_index = records::by_case(st.checks.iter().filter(|c| c.result == CheckResult::Fail));
    let caps = CapIndex::new(st, policy);
    // How the commands in the reasons run jiuzhu from where the user is (`-C DIR` when elsewhere).
    let jiuzhu = ws.jiuzhu();
    let progress = crate::ui::Progress::new(
        st.cases.len() as u64,
        tr("decide: households decided", "审核确认: 已处理家庭"),
    );
    for case in &st.cases {
        progress.inc(1);
        if let Some(hits) = open_hits.get(case.case_id.as_str()) {
            if case.status.is_open() && case.status != CaseStatus::Approved {
                let list: Vec<String> = hits
                    .iter()
                    .map(|m| match crate::i18n::current() {
                        Lang::En => format!("{} ({})", m.hit_id, m.source),
                        Lang::Zh => format!("{} ({})", m.hit_id, registry_label(policy, &m.source)),
                    })
                    .collect();
                // The worksheets the hits are on: `--resolve` needs the file.
                let sheets: BTreeSet<&str> = hits.iter().map(|m| m.batch.as_str()).collect();
                let resolve: Vec<String> = sheets
                    .into_iter()
                    .map(|b| format!("`{jiuzhu} compare --resolve reports/compare-hits-{b}.xlsx`"))
                    .collect();
                blocked.push(Blocked {
                    case_id: case.case_id.clone(),
                    check: "open_hits",
                    why: tr(
                        format!(
                            "open registry hits: {} — resolve them with {}",
                            list.join(", "),
                            resolve.join(", ")
                        ),
                        format!(
                            "有未处理的比对结果: {} — 请用 {} 处理",
                            list.join(", "),
                            resolve.join(", ")
                        ),
                    ),
                });
                continue;
            }
        }
        if pending.contains(case.case_id.as_str()) {
            continue;
        }
        let members = members_index.get(case.case_id.as_str()).cloned().unwrap_or_default();
        match case.status {
            CaseStatus::Verified => {
                // A hit confirmed after the case was verified (compare after verify) still decides it: an
                // exclusion refuses the application, a member's death leaves them uncounted, the death of all
                // refuses it.
                let (excluded, dead) = confirmed_exclusions(st, policy, case);
                let all_dead = !dead.is_empty() && members.iter().all(|m| dead.contains(m.id_number.as_str()));
                let head_dead = dead.contains(case.applicant_id_number.as_str());
                let refused = match excluded {
                    Some(why) => Some(("confirmed_exclude_hit", why)),
                    None if all_dead => Some(("death", "信息比对确认: 家庭成员均已死亡".to_string())),
                    // Paid to the head: the others apply again with a living head.
                    None if head_dead => Some((
                        "death",
                        format!(
                            "信息比对确认: 申请人(户主) {} 已死亡, 其他家庭成员可另行申请",
                            case.applicant_name
                        ),
                    )),
                    None => None,
                };
                if let Some((reason, why)) = refused {
                    proposals.push(Proposal {
                        case_id: case.case_id.clone(),
                        kind: DecisionKind::Reject,
                        amount: Fen(0),
                        previous: Fen(0),
                        reason: reason.into(),
                        derivation: format!("{why}；不予批准"),
                        basis: None,
                        policy_values: String::new(),
                        gradual_exit_until: None,
                        urgent: false,
                    });
                    continue;
                }
                let (computed, basis) = compute(policy, case, &members, on, &dead)?;
                proposals.push(match computed {
                    Computed::Pay {
                        amount,
                        single_person,
                        derivation,
                    } => {
                        let (amount, capped) = annual_cap(&caps, policy, case, period, amount);
                        let mut values = derivation.policy_values.join("; ");
                        if let Some((cap, _)) = &capped {
                            values.push_str(&format!("; benefits.annual_caps.{}={cap}", case.scheme));
                        }
                        Proposal {
                            case_id: case.case_id.clone(),
                            kind: DecisionKind::New,
                            amount,
                            previous: Fen(0),
                            reason: if single_person.is_some() {
                                "single_person_household"
                            } else {
                                "new_application"
                            }
                            .into(),
                            derivation: match capped {
                                Some((_, line)) => format!("{}；{line}", derivation.text()),
                                None => derivation.text(),
                            },
                            basis: Some(basis),
                            policy_values: values,
                            gradual_exit_until: None,
                            urgent: case.urgent,
                        }
                    }
                    Computed::Ineligible {
                        reason_code,
                        reason,
                        derivation,
                    } => Proposal {
                        case_id: case.case_id.clone(),
                        kind: DecisionKind::Reject,
                        amount: Fen(0),
                        previous: Fen(0),
                        reason: reason_code.into(),
                        derivation: format!("{reason}；{}", derivation.text()),
                        basis: Some(basis),
                        policy_values: derivation.policy_values.join("; "),
                        gradual_exit_until: None,
                        urgent: false,
                    },
                });
            }
            CaseStatus::Ineligible => {
                let failed: Vec<String> = failed_index
                    .get(case.case_id.as_str())
                    .into_iter()
                    .flatten()
                    .map(|c| format!("{}: {}", crate::domain::eligibility::check_label(&c.check), c.detail))
                    .collect();
                proposals.push(Proposal {
                    case_id: case.case_id.clone(),
                    kind: DecisionKind::Reject,
                    amount: Fen(0),
                    previous: Fen(0),
                    reason: "failed_checks".into(),
                    derivation: if failed.is_empty() {
                        "审核不符合".into()
                    } else {
                        failed.join("；")
                    },
                    basis: None,
                    policy_values: String::new(),
                    gradual_exit_until: None,
                    urgent: false,
                });
            }
            CaseStatus::Received | CaseStatus::NeedsInfo => blocked.push(Blocked {
                case_id: case.case_id.clone(),
                check: "not_verified",
                why: tr(
                    format!("not verified ({}) — run `{jiuzhu} verify`", case.status.as_str()),
                    format!("未审核通过 ({}) — 请运行 `{jiuzhu} verify`", case.status.label_zh()),
                ),
            }),
            CaseStatus::Effective => {
                if let Some(p) = redecide(st, policy, case, &members, period)? {
                    proposals.push(p);
                }
            }
            CaseStatus::Approved
            | CaseStatus::Rejected
            | CaseStatus::Stopped
            | CaseStatus::Closed
            | CaseStatus::Withdrawn => {}
        }
    }

    progress.finish();
    crate::ui::phase("decide: proposals");
    // 3. Merge: this period's proposals replace the earlier ones (a case whose data changed is re-proposed).
    // As written (sorted by key), to tell a re-run that proposes the same decisions from a change.
    let before_decisions = ledger::to_bytes(&st.decisions)?;
    st.decisions
        .retain(|d| !(d.status == DecisionStatus::Proposed && d.period == period));
    let ids: Vec<String> = proposals
        .iter()
        .map(|p| decision::decision_id(&p.case_id, period, p.kind))
        .collect();
    let decided = decided_already(&st.decisions, &proposals, &ids, period)?;
    let mut urgent_now = 0;
    for (p, id) in proposals.iter().zip(ids) {
        // One row per key: a decision of the case, period and kind that the meeting or the notice already
        // decided (不同意, 暂缓, 同意, in force) stands for the period and is not proposed again.
        if decided.contains(&id) {
            continue;
        }
        // Urgent temporary assistance is paid first and approved after (先行救助、后置审批).
        let urgent = p.urgent && p.kind == DecisionKind::New;
        if urgent {
            urgent_now += 1;
        }
        st.decisions.push(Decision {
            decision_id: id,
            case_id: p.case_id.clone(),
            period,
            kind: p.kind,
            status: if urgent {
                DecisionStatus::Effective
            } else {
                DecisionStatus::Proposed
            },
            amount: p.amount,
            previous_amount: p.previous,
            delta_amount: Fen(p.amount.0 - p.previous.0),
            reason: p.reason.clone(),
            derivation: Text(p.derivation.clone()),
            basis: Text(p.basis.map(|b| b.to_string()).unwrap_or_default()),
            policy_values: Text(p.policy_values.clone()),
            effective_from: urgent.then_some(period),
            gradual_exit_until: p.gradual_exit_until,
            urgent,
            meeting: Text::default(),
            decided_on: None,
            batch: String::new(),
        });
        if urgent {
            set_status(
                st,
                &p.case_id,
                CaseStatus::Effective,
                "urgent: 先行救助, approval to be back-filled",
            );
        }
    }
    let batch = assign_batch(&mut st.decisions);
    st.index_decisions();
    let proposed: Vec<&Decision> = st
        .decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Proposed)
        .collect();
    let count = |k: DecisionKind| proposed.iter().filter(|d| d.kind == k).count();
    let backfill = st.decisions.iter().filter(|d| awaiting_backfill(d)).count();
    let after_total = monthly_total(st, policy, period);

    crate::ui::phase("decide: merged");
    let mut out = String::new();
    let prefix = if preview {
        tr("preview: ", "预览: ")
    } else if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let (n_proposed, n_new, n_reject) = (proposed.len(), count(DecisionKind::New), count(DecisionKind::Reject));
    let (n_up, n_down, n_stop) = (
        count(DecisionKind::Increase),
        count(DecisionKind::Decrease),
        count(DecisionKind::Stop),
    );
    let (n_exit, n_now, n_blocked) = (
        count(DecisionKind::GradualExit),
        made_effective + urgent_now,
        blocked.len(),
    );
    let (urgent_en, urgent_zh) = if urgent_now > 0 {
        (
            format!(" ({urgent_now} urgent)"),
            format!(" (其中先行救助 {urgent_now} 件)"),
        )
    } else {
        (String::new(), String::new())
    };
    out.push_str(&tr(
        format!(
            "{prefix}decide {period} (as of {as_of}): {n_proposed} proposed — {n_new} new, {n_reject} rejected, \
             {n_up} increased, {n_down} decreased, {n_stop} stopped, {n_exit} gradual exit; {n_now} effective now{urgent_en}; \
             {n_blocked} blocked"
        ),
        format!(
            "{prefix}救助决策 {period} (截至 {as_of}): 提请评议 {n_proposed} 件 — 新增 {n_new} 件, 不予批准 {n_reject} 件, \
             增发 {n_up} 件, 减发 {n_down} 件, 停发 {n_stop} 件, 渐退 {n_exit} 件; 本次生效 {n_now} 件{urgent_zh}; 暂缓 {n_blocked} 件"
        ),
    ));
    // What the total means depends on what this run did: with proposals it is the total if they are approved; with
    // none, it is the month as decided.
    let prev = period.prev();
    out.push_str(&if n_proposed > 0 {
        tr(
            format!("\n  monthly total in force: {before_total} ({prev}) → {after_total} ({period}) if every proposal is approved"),
            format!("\n  月保障金合计: {before_total} ({prev}) → {after_total} ({period}) (全部提议获批时)"),
        )
    } else {
        tr(
            format!("\n  monthly total in force: {before_total} ({prev}) → {after_total} ({period}); nothing new proposed"),
            format!("\n  月保障金合计: {before_total} ({prev}) → {after_total} ({period}); 本次没有新的提议"),
        )
    });
    let sheet_rel = batch
        .as_ref()
        .map(|_| PathBuf::from("reports").join(format!("review-meeting-{period}.xlsx")));
    // Named only where it is written: a preview writes nothing, and a dry run says what it would write.
    match &sheet_rel {
        Some(rel) if writing => out.push_str(&tr(
            format!(
                "\n  worksheet: {0} (fill in 评议结果, then `{1} decide --record {0} --meeting \"…\" --date \
                 YYYY-MM-DD`)",
                rel.display(),
                ws.jiuzhu()
            ),
            format!(
                "\n  评议表: {0} (填写评议结果后运行 `{1} decide --record {0} --meeting \"…\" --date YYYY-MM-DD`)",
                rel.display(),
                ws.jiuzhu()
            ),
        )),
        Some(rel) if args.dry_run => out.push_str(&tr(
            format!("\n  worksheet would be {}", rel.display()),
            format!("\n  评议表将写到 {} (试运行, 未写入)", rel.display()),
        )),
        _ => {}
    }
    for b in blocked.iter().take(20) {
        out.push_str(&tr(
            format!("\n  blocked {}: {}", b.case_id, b.why),
            format!("\n  暂缓 {}: {}", b.case_id, b.why),
        ));
    }
    if let Some(more) = crate::ui::more(20, blocked.len()) {
        out.push_str(&format!("\n  {more}"));
    }
    if backfill > 0 {
        out.push_str(&tr(
            format!(
                "\n  {backfill} urgent decisions (先行救助) paid first wait for their back-filled approval on the \
                 worksheet"
            ),
            format!("\n  {backfill} 件先行救助已先行发放, 待在评议表上补办审批"),
        ));
    }
    // Approved decisions still in their notice on the date taken: without --as-of that is the latest date the
    // workspace knows (never the clock), so a run after the notice ended makes nothing effective unless told.
    let notice_end: HashMap<&str, NaiveDate> = st.notices.iter().fold(HashMap::default(), |mut acc, n| {
        let e = acc.entry(n.decision_id.as_str()).or_insert(n.end);
        *e = (*e).max(n.end);
        acc
    });
    let waiting: Vec<NaiveDate> = st
        .decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Approved)
        .filter_map(|d| notice_end.get(d.decision_id.as_str()).copied())
        .collect();
    let missing_date = !as_of_given && !waiting.is_empty();
    if missing_date {
        let last = waiting.iter().max().copied().unwrap_or(as_of);
        let after = last.succ_opt().unwrap_or(last);
        out.push_str(&tr(
            format!(
                "\n  {} approved decisions wait for their notice to end (the last on {last}); without --as-of the \
                 date was {as_of}, the latest in the workspace: give --as-of DATE (e.g. --as-of {after}) to make \
                 them effective",
                waiting.len()
            ),
            format!(
                "\n  {} 件已批准的决定等待公示期满 (最晚 {last} 期满); 未给 --as-of, 日期取工作区中最晚的 {as_of}: \
                 请用 --as-of 日期 (如 --as-of {after}) 使其生效",
                waiting.len()
            ),
        ));
    }
    if crate::ui::json() {
        use serde_json::json;
        crate::ui::record("period", period.to_string());
        crate::ui::record("as_of", as_of.to_string());
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("preview", preview);
        let mut by_kind = serde_json::Map::new();
        for d in &proposed {
            let kind = serde_json::to_value(d.kind).unwrap_or_default();
            let key = kind.as_str().unwrap_or_default().to_string();
            let entry = by_kind
                .entry(key)
                .or_insert_with(|| json!({"count": 0, "amount": Fen(0)}));
            let count = entry["count"].as_u64().unwrap_or(0) + 1;
            let amount = entry["amount"].as_i64().unwrap_or(0) + d.amount.0;
            *entry = json!({"count": count, "amount": amount});
        }
        for v in by_kind.values_mut() {
            let amount = Fen(v["amount"].as_i64().unwrap_or(0)).to_string();
            v["amount"] = amount.into();
        }
        crate::ui::record("proposed", proposed.len());
        crate::ui::record("by_kind", by_kind);
        let scheme_of: HashMap<&str, &str> = st
            .cases
            .iter()
            .map(|c| (c.case_id.as_str(), c.scheme.as_str()))
            .collect();
        let list: Vec<serde_json::Value> = proposed
            .iter()
            .map(|d| {
                let scheme = scheme_of.get(d.case_id.as_str()).copied().unwrap_or_default();
                // Counted in the monthly total (低保, 特困), not a one-off payment (临时救助).
                let monthly = policy
                    .schemes
                    .get(scheme)
                    .is_some_and(|s| s.kind != SchemeKind::Temporary);
                json!({
                    "scheme": scheme,
                    "monthly": monthly,
                    "decision_id": d.decision_id,
                    "case_id": d.case_id,
                    "period": d.period,
                    "kind": d.kind,
                    "amount": d.amount.to_string(),
                    "previous_amount": d.previous_amount.to_string(),
                    "delta_amount": d.delta_amount.to_string(),
                })
            })
            .collect();
        crate::ui::record("proposals", list);
        crate::ui::record("made_effective", made_effective + urgent_now);
        crate::ui::record("urgent", urgent_now);
        crate::ui::record("awaiting_backfill", backfill);
        let blocked_list: Vec<serde_json::Value> = blocked
            .iter()
            .map(|b| json!({"case_id": b.case_id, "check": b.check, "reason": b.why}))
            .collect();
        crate::ui::record("blocked", blocked_list);
        crate::ui::record("monthly_total_before", before_total.to_string());
        crate::ui::record("monthly_total_after", after_total.to_string());
        crate::ui::record("waiting_for_notice", waiting.len());
        crate::ui::record("as_of_missing", missing_date);
        crate::ui::record(
            "worksheet",
            sheet_rel
                .as_ref()
                .filter(|_| writing || args.dry_run)
                .map(|r| r.display().to_string()),
        );
    }
    let outcome = if proposed.is_empty() && blocked.is_empty() && backfill == 0 && !missing_date {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if !writing {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    // The review workbook (the longest piece of what is left) on one core, while the other encodes the
    // decisions, compares them with the ledger as read and hashes the ledgers read for the journal.
    let n_proposed = proposed.len();
    let (workbook, encoded) = rayon::join(
        || match (&sheet_rel, &batch) {
            (Some(rel), Some(b)) => review_workbook(&st.cases, &st.decisions, policy, b).map(|w| Some((rel, w))),
            _ => Ok(None),
        },
        || -> Result<Option<(Vec<u8>, String)>> {
            // Compare as written (sorted by key): re-proposing the same decisions is no change.
            let decisions_bytes = ledger::to_bytes(&st.decisions)?;
            if decisions_bytes == before_decisions && made_effective == 0 {
                return Ok(None);
            }
            let input_list = ws.inputs_read(&["cases.csv", "members.csv", "checks.csv", "matches.csv"])?;
            Ok(Some((decisions_bytes, input_list)))
        },
    );
    drop(before_decisions);
    let Some((decisions_bytes, input_list)) = encoded? else {
        if !args.quiet || outcome != Outcome::Done {
            crate::outln!("{out}\n  {}", tr("nothing changed", "没有变化"));
        }
        return Ok(outcome);
    };
    st.chain.append([NewEvent {
        step: "decide".into(),
        detail: format!(
            "{period} as of {as_of}: {n_proposed} proposed, {} effective, {} blocked",
            made_effective + urgent_now,
            blocked.len()
        ),
        inputs: input_list,
        ..NewEvent::default()
    }]);
    crate::ui::phase("decide: summary");
    let mut txn = Txn::new();
    st.write_encoded(ws, &mut txn, decisions_bytes)?;
    if let Some((rel, bytes)) = workbook? {
        txn.put(rel, bytes);
    }
    crate::ui::phase("decide: encoded");
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    crate::ui::phase("decide: committed");
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// What [`annual_cap`] looks up, built once per run for the schemes with a cap (a scan of every case and
/// decision per proposal is quadratic: a county proposes thousands of 临时救助 a month).
#[derive(Default)]
pub(super) struct CapIndex<'a> {
    /// (scheme, applicant's ID number) → the household's cases of that scheme.
    pub(super) cases: crate::hash::HashMap<(&'a str, &'a str), Vec<&'a str>>,
    /// Case ID → its decisions, for those cases.
    pub(super) decisions: crate::hash::HashMap<&'a str, Vec<&'a Decision>>,
}

impl<'a> CapIndex<'a> {
    pub(super) fn new(st: &'a State, policy: &Policy) -> CapIndex<'a> {
        let mut idx = CapIndex::default();
        let capped = |scheme: &str| policy.benefits.annual_caps.contains_key(scheme);
        let mut capped_cases = crate::hash::HashSet::default();
        for c in st.cases.iter().filter(|c| capped(&c.scheme)) {
            idx.cases
                .entry((c.scheme.as_str(), c.applicant_id_number.as_str()))
                .or_default()
                .push(c.case_id.as_str());
            capped_cases.insert(c.case_id.as_str());
        }
        idx.decisions = records::by_case(
            st.decisions
                .iter()
                .filter(|d| capped_cases.contains(d.case_id.as_str())),
        );
        idx
    }
}

/// The annual cap per household of a one-off scheme (e.g. 临时救助, 医疗救助 ≤ 5000 a year): the amount is cut to
/// what is left of the cap after this calendar year's other decisions for the same applicant and scheme.
/// Returns the amount to propose and, when a cap applies, the cap and the derivation line that explains it.
pub(super) fn annual_cap(
    caps: &CapIndex<'_>,
    policy: &Policy,
    case: &Case,
    period: Period,
    amount: Fen,
) -> (Fen, Option<(Fen, String)>) {
    let Some(cap) = policy.benefits.annual_caps.get(&case.scheme).map(|c| c.0) else {
        return (amount, None);
    };
    let year = period.year();
    let same_household = caps
        .cases
        .get(&(case.scheme.as_str(), case.applicant_id_number.as_str()))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let used = Fen::checked_sum(
        same_household
            .iter()
            .filter(|id| **id != case.case_id)
            .flat_map(|id| caps.decisions.get(id).into_iter().flatten())
            .filter(|d| {
                d.period.year() == year && matches!(d.status, DecisionStatus::Approved | DecisionStatus::Effective)
            })
            .map(|d| d.amount),
    )
    .unwrap_or(cap);
    let left = Fen((cap.0 - used.0).max(0));
    let granted = amount.min(left);
    let line = format!(
        "年度上限 {cap}, 本年已救助 {used}, 可救助 {left}{}",
        if granted < amount {
            format!("；按上限核减为 {granted}")
        } else {
            String::new()
        }
    );
    (granted, Some((cap, line)))
}

/// Sum of the monthly amounts in force in a period (dibao and tekun; one-off temporary payments excluded).
pub(super) fn monthly_total(st: &State, policy: &Policy, period: Period) -> Fen {
    // One-off temporary assistance is not a monthly amount.
    let temporary: BTreeSet<&str> = st
        .cases
        .iter()
        .filter(|c| {
            policy
                .schemes
                .get(&c.scheme)
                .is_some_and(|s| s.kind == SchemeKind::Temporary)
        })
        .map(|c| c.case_id.as_str())
        .collect();
    let total = crate::domain::records::by_case_sorted(&st.decisions)
        .into_iter()
        .filter(|(case_id, _)| !temporary.contains(case_id))
        .map(|(_, ds)| decision::projected_amount(ds, period));
    Fen::checked_sum(total).unwrap_or_default()
}

/// A case's confirmed exclude hits (信息比对确认): the first that is not a death, said in Chinese for the
/// derivation (it ends the benefit, or refuses the application), and the ID numbers of the members whose death
/// was confirmed (they are no longer counted).
pub(super) fn confirmed_exclusions(st: &State, policy: &Policy, case: &Case) -> (Option<String>, BTreeSet<String>) {
    let confirmed: Vec<&Match> = st
        .exclusions_of
        .get(&case.case_id)
        .into_iter()
        .flatten()
        .map(|&i| &st.matches[i])
        .collect();
    let dead: BTreeSet<String> = confirmed
        .iter()
        .filter(|m| policy.is_death_registry(&m.source))
        .map(|m| m.id_number.as_str().to_string())
        .collect();
    let excluded = confirmed
        .iter()
        .find(|m| !policy.is_death_registry(&m.source))
        .map(|m| {
            let label = policy
                .registries
                .get(&m.source)
                .map(|r| r.label.as_str())
                .unwrap_or(&m.source);
            format!("信息比对确认: {label} ({}) {}", m.id_number.masked(), m.evidence)
        });
    (excluded, dead)
}

/// The monthly re-decision of a recipient: 增发 / 减发 / 停发 / 渐退, or nothing when nothing changed.
pub(super) fn redecide(
    st: &State,
    policy: &Policy,
    case: &Case,
    members: &[&Member],
    period: Period,
) -> Result<Option<Proposal>> {
    let scheme = &policy.schemes[&case.scheme];
    if scheme.kind == SchemeKind::Temporary {
        return Ok(None); // one-off: nothing to re-decide
    }
    let Some(current) = st.in_force(&case.case_id) else {
        return Ok(None);
    };
    let previous = current.amount;
    let stop = |reason: &str, why: String| Proposal {
        case_id: case.case_id.clone(),
        kind: DecisionKind::Stop,
        amount: Fen(0),
        previous,
        reason: reason.into(),
        derivation: why,
        basis: None,
        policy_values: String::new(),
        gradual_exit_until: None,
        urgent: false,
    };
    // Confirmed exclude hits: a death removes the person; any other (payroll, blacklist, other schemes) stops.
    let (excluded, dead) = confirmed_exclusions(st, policy, case);
    if let Some(why) = excluded {
        return Ok(Some(stop("confirmed_exclude_hit", format!("{why}；停发"))));
    }
    if !dead.is_empty() && members.iter().all(|m| dead.contains(m.id_number.as_str())) {
        return Ok(Some(stop("death", "信息比对确认: 家庭成员均已死亡；停发".into())));
    }
    if dead.contains(case.applicant_id_number.as_str()) {
        // The benefit is paid to the head: never into a dead person's account. The others apply again.
        return Ok(Some(stop(
            "death",
            format!(
                "信息比对确认: 户主 {} 已死亡；停发, 其他家庭成员可另行申请",
                case.applicant_name
            ),
        )));
    }
    // 特困 minors are supported to 18 (未成年人保障至18周岁): one who came in as a minor and is now an adult, able
    // to work and not in school, leaves the scheme.
    if scheme.kind == SchemeKind::Tekun {
        let adult = policy.benefits.tekun.minor_age;
        let grown: Vec<&&Member> = members
            .iter()
            .filter(|m| !dead.contains(m.id_number.as_str()))
            .filter(|m| m.id_number.age_on(case.applied_on) < adult && m.id_number.age_on(period.first_day()) >= adult)
            .collect();
        let all_grown = !grown.is_empty()
            && members.iter().filter(|m| !dead.contains(m.id_number.as_str())).count() == grown.len()
            && grown
                .iter()
                .all(|m| !m.in_school && m.work_ability == WorkAbility::Full);
        if all_grown {
            let names: Vec<&str> = grown.iter().map(|m| m.name.as_str()).collect();
            return Ok(Some(stop(
                "minor_reached_adulthood",
                format!(
                    "{} 已满 {adult} 周岁, 有劳动能力且不在校；特困供养停发",
                    names.join("、")
                ),
            )));
        }
    }
    let (computed, basis) = compute(policy, case, members, period.first_day(), &dead)?;
    // What changed since the decision in force, read from the two bases: members, then the standard, then income.
    let before = Basis::parse(&current.basis);
    let reason_for = |amount: Fen| -> String {
        let counted_before = before.map(|b| b.members);
        if !dead.is_empty() && counted_before != Some(members.len() - dead.len()) {
            "death".into()
        } else if counted_before != Some(basis.members) {
            "member_change".into()
        } else if before.is_some_and(|b| b.standard_differs(&basis)) {
            "standard_change".into()
        } else if amount < previous {
            "income_up".into()
        } else {
            "income_down".into()
        }
    };
    match computed {
        Computed::Pay { amount, derivation, .. } => {
            if amount == previous && current.kind != DecisionKind::GradualExit {
                return Ok(None);
            }
            let kind = if amount >= previous {
                DecisionKind::Increase
            } else {
                DecisionKind::Decrease
            };
            Ok(Some(Proposal {
                case_id: case.case_id.clone(),
                kind,
                amount,
                previous,
                reason: reason_for(amount),
                derivation: derivation.text(),
                basis: Some(basis),
                policy_values: derivation.policy_values.join("; "),
                gradual_exit_until: None,
                urgent: false,
            }))
        }
        Computed::Ineligible {
            reason_code,
            reason,
            derivation,
        } => {
            if current.kind == DecisionKind::GradualExit {
                if let Some(until) = current
                    .gradual_exit_until
                    .filter(|_| decision::gradual_exit_over(current, period))
                {
                    return Ok(Some(stop(
                        "gradual_exit_ended",
                        format!("渐退期至 {until} 结束；{reason}；停发"),
                    )));
                }
                return Ok(None);
            }
            let months = policy.benefits.gradual_exit_months;
            if reason_code == "income_above_standard" && months > 0 {
                let until = decision::gradual_exit_until(period, months);
                return Ok(Some(Proposal {
                    case_id: case.case_id.clone(),
                    kind: DecisionKind::GradualExit,
                    amount: previous,
                    previous,
                    reason: "income_up".into(),
                    derivation: format!(
                        "{reason}；{}；渐退 {months} 个月, 按原金额 {previous} 发放至 {until}",
                        derivation.text()
                    ),
                    basis: Some(basis),
                    policy_values: format!(
                        "{}; benefits.gradual_exit_months={months}",
                        derivation.policy_values.join("; ")
                    ),
                    gradual_exit_until: Some(until),
                    urgent: false,
                }));
            }
            Ok(Some(stop(
                reason_code,
                format!("{reason}；{}；停发", derivation.text()),
            )))
        }
    }
}

/// Approved decisions whose every posting is over (as_of after its end) and not objected to take effect.
pub(super) fn make_effective(st: &mut State, policy: &Policy, as_of: NaiveDate) -> usize {
    let mut notices_of: HashMap<&str, Vec<&Notice>> = HashMap::default();
    for x in &st.notices {
        notices_of.entry(x.decision_id.as_str()).or_default().push(x);
    }
    // First decide what takes effect (reading only), then apply it.
    let mut due: Vec<(usize, Period, CaseStatus)> = Vec::new();
    for (i, d) in st
        .decisions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.status == DecisionStatus::Approved)
    {
        let notices = notices_of.get(d.decision_id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        if notices.is_empty() || notices.iter().any(|x| x.status == "objection_upheld" || x.end >= as_of) {
            continue;
        }
        let approved_month = d.decided_on.map(Period::of).unwrap_or(d.period);
        let from = match (d.kind, policy.decision.effective_from) {
            (DecisionKind::New, EffectiveFrom::ApplicationMonth) => st
                .case(&d.case_id)
                .map(|c| Period::of(c.applied_on))
                .unwrap_or(approved_month),
            (_, EffectiveFrom::NextMonth) => approved_month.next(),
            _ => approved_month,
        };
        let to = match d.kind {
            DecisionKind::Stop => CaseStatus::Stopped,
            DecisionKind::Reject => CaseStatus::Rejected,
            _ => CaseStatus::Effective,
        };
        due.push((i, from, to));
    }
    for (i, from, to) in &due {
        let case_id = st.decisions[*i].case_id.clone();
        for &j in st.decisions_of.get(&case_id).into_iter().flatten() {
            if j != *i && st.decisions[j].status == DecisionStatus::Effective {
                st.decisions[j].status = DecisionStatus::Superseded;
            }
        }
        let d = &mut st.decisions[*i];
        d.status = DecisionStatus::Effective;
        d.effective_from = Some(*from);
        let detail = format!("{} effective from {from}", d.kind.label_zh());
        set_status(st, &case_id, *to, &detail);
    }
    due.len()
}
