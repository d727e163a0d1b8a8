//! `disburse --period`: the month's batch — one payment per case and month due (arrears, reissues of failed
//! payments once the account is corrected, stops respected), the budget check, and the sign-off summary (汇总表).

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// The batch.

/// A month due and not paid: no valid account, or a failed payment waiting for a corrected account.
#[derive(Debug, Clone)]
pub(super) struct Unpaid {
    pub(super) case_id: String,
    pub(super) month: Period,
    pub(super) amount: Fen,
    pub(super) reason: Msg,
}

pub(super) fn issue(ws: &Workspace, args: &Request, period: Period, override_reason: Option<&str>) -> Result<Outcome> {
    let policy = &ws.policy;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = crate::kept_to_exit(State::load(ws)?);
    let batch = period;
    let mut months: Vec<Period> = Vec::new();
    for m in policy.disbursement.months_of(&batch.to_string()) {
        months.push(Period::parse(&m).map_err(|e| anyhow!("disbursement.combine {m}: {}", tr(e.to_string(), e.zh())))?);
    }
    let through = months.iter().copied().max().unwrap_or(period);
    let first = months.iter().copied().min().unwrap_or(period);
    let frozen = st.batches.iter().any(|b| b.batch == batch);
    if !frozen {
        if let Some(later) = st.batches.iter().filter(|b| b.batch > batch).map(|b| b.batch).max() {
            bail!(
                "{}",
                tr(
                    format!(
                        "batch {later} is already issued; money due for {batch} goes into the next batch (run \
                         --period after {later})"
                    ),
                    format!(
                        "批次 {later} 已发放; {batch} 应发的资金并入下一批次 (请用 {later} 之后的月份运行 --period)"
                    ),
                )
            );
        }
        if let Some(b) = st
            .batches
            .iter()
            .find(|b| b.months.split(';').any(|m| Period::parse(m).is_ok_and(|m| m == batch)))
        {
            bail!(
                "{}",
                tr(
                    format!("{batch} was paid in the combined batch {}; nothing to issue", b.batch),
                    format!("{batch} 已在合并批次 {} 中发放; 无需再发", b.batch),
                )
            );
        }
    }
    let (min_d, max_d) = (
        policy.disbursement.account_min_digits,
        policy.disbursement.account_max_digits,
    );
    let mut unpaid: Vec<Unpaid> = Vec::new();
    let mut new_payments: Vec<Payment> = Vec::new();
    let mut pending_next = 0usize;
    let cases: Vec<Case> = st.cases.clone();
    let mut paid_so_far = 0;
    // Decisions and earlier payments by case, built once: a scan of both ledgers per case is quadratic at county
    // scale. A case's new payments are the ones added since its turn began.
    let decisions_of = st.decisions_by_case();
    let paid_of = records::by_case(&st.payments);
    let progress = crate::ui::Progress::new(cases.len() as u64, tr("disburse: households", "发放: 已处理家庭"))
        .with_hits(tr("payments", "笔发放"));
    for case in &cases {
        progress.inc(1);
        progress.hit((new_payments.len() - paid_so_far) as u64);
        paid_so_far = new_payments.len();
        let Some(scheme) = policy.schemes.get(&case.scheme) else {
            continue;
        };
        let ds: Vec<&Decision> = decisions_of.get(case.case_id.as_str()).cloned().unwrap_or_default();
        let first_new = new_payments.len();
        for due in decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, through) {
            let month = due.month;
            let existing: Vec<&Payment> = paid_of
                .get(case.case_id.as_str())
                .into_iter()
                .flatten()
                .copied()
                .chain(new_payments[first_new..].iter())
                .filter(|p| p.period == month)
                .collect();
            let live: i64 = existing.iter().filter(|p| is_live(p)).map(|p| p.amount.0).sum();
            if live >= due.amount.0 {
                continue;
            }
            let amount = Fen(due.amount.0 - live);
            let kind = if !existing.is_empty() {
                PaymentKind::Adjustment
            } else if scheme.kind == SchemeKind::Temporary {
                PaymentKind::OneOff
            } else if due.month < first {
                PaymentKind::Arrears
            } else {
                PaymentKind::Regular
            };
            if let Some(why) = account_problem(&case.bank_account, min_d, max_d) {
                unpaid.push(Unpaid {
                    case_id: case.case_id.clone(),
                    month: due.month,
                    amount,
                    reason: why,
                });
                continue;
            }
            if frozen {
                pending_next += 1;
                continue;
            }
            new_payments.push(Payment {
                payment_id: payment_id(&case.case_id, due.month, existing.len()),
                batch,
                period: due.month,
                case_id: case.case_id.clone(),
                scheme: case.scheme.clone(),
                payee_name: case.applicant_name.clone(),
                bank_name: case.bank_name.clone(),
                account: Text(case.bank_account.trim().to_string()),
                amount,
                kind,
                urgent: due.urgent,
                decision_id: due.decision_id.clone(),
                status: PaymentStatus::Issued,
                reissue_of: String::new(),
                reason: Text::default(),
                return_file: String::new(),
            });
        }
    }
    progress.finish();
    // 重发: failed payments of earlier batches, once the account was corrected.
    let mut reissued: Vec<String> = Vec::new();
    let failed: Vec<Payment> = st
        .payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Failed)
        .cloned()
        .collect();
    // Payments so far for each (case, month) a failed payment is of, counted once (the reissue's ID is the next
    // sequence number of its month): not a scan of every payment per failed one.
    let mut in_month: HashMap<(String, Period), usize> =
        failed.iter().map(|f| ((f.case_id.clone(), f.period), 0)).collect();
    let failed_cases: crate::hash::HashSet<&str> = failed.iter().map(|f| f.case_id.as_str()).collect();
    for p in st.payments.iter().chain(new_payments.iter()) {
        if failed_cases.contains(p.case_id.as_str()) {
            if let Some(n) = in_month.get_mut(&(p.case_id.clone(), p.period)) {
                *n += 1;
            }
        }
    }
    for f in failed {
        let case = st.case(&f.case_id);
        let account = case.map(|c| c.bank_account.trim().to_string()).unwrap_or_default();
        let why = if f.batch >= batch {
            Some(Msg::new(
                format!("returned by the bank: {} — reissued in a later batch", f.reason),
                format!("银行退回: {} — 在下一批次重发", f.reason),
            ))
        } else if let Some(p) = account_problem(&account, min_d, max_d) {
            Some(Msg::new(
                format!("returned by the bank: {}; {}", f.reason, p.en),
                format!("银行退回: {}; {}", f.reason, p.zh),
            ))
        } else if account == f.account.0 {
            Some(Msg::new(
                format!(
                    "returned by the bank: {}; the account is not corrected yet, reissued once it is",
                    f.reason
                ),
                format!("银行退回: {}; 账号未更正, 等待更正后重发", f.reason),
            ))
        } else {
            None
        };
        if let Some(reason) = why {
            unpaid.push(Unpaid {
                case_id: f.case_id.clone(),
                month: f.period,
                amount: f.amount,
                reason,
            });
            continue;
        }
        if frozen {
            pending_next += 1;
            continue;
        }
        let case = case.expect("account came from the case");
        let count = in_month.get_mut(&(f.case_id.clone(), f.period)).expect("counted above");
        let n = *count;
        *count += 1;
        new_payments.push(Payment {
            payment_id: payment_id(&f.case_id, f.period, n),
            batch,
            period: f.period,
            case_id: f.case_id.clone(),
            scheme: f.scheme.clone(),
            payee_name: case.applicant_name.clone(),
            bank_name: case.bank_name.clone(),
            account: Text(account),
            amount: f.amount,
            kind: PaymentKind::Reissue,
            urgent: f.urgent,
            decision_id: f.decision_id.clone(),
            status: PaymentStatus::Issued,
            reissue_of: f.payment_id.clone(),
            reason: Text::default(),
            return_file: String::new(),
        });
        reissued.push(f.payment_id.clone());
    }
    let reissued: crate::hash::HashSet<String> = reissued.into_iter().collect();
    for p in st.payments.iter_mut().filter(|p| reissued.contains(&p.payment_id)) {
        p.status = PaymentStatus::Reissued;
    }

    // Budgets: the batch's amount under each scheme against the scheme's budget for the period.
    let mut per_scheme: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    for p in &new_payments {
        let e = per_scheme.entry(p.scheme.clone()).or_default();
        e.0 += 1;
        e.1 += p.amount.0;
    }
    let mut over: Vec<(String, Fen, Fen)> = Vec::new();
    for b in policy
        .disbursement
        .budgets
        .iter()
        .filter(|b| b.period == batch.to_string())
    {
        let spent = per_scheme.get(&b.scheme).map_or(0, |x| x.1);
        if spent > b.amount.0 .0 {
            over.push((b.scheme.clone(), Fen(spent), b.amount.0));
        }
    }
    let over_text: Vec<Msg> = over
        .iter()
        .map(|(s, spent, budget)| {
            Msg::new(
                format!(
                    "{}: batch {spent} > budget {budget} (over by {})",
                    scheme_label(policy, s),
                    Fen(spent.0 - budget.0)
                ),
                format!(
                    "{}: 本批次 {spent} 元 > 预算 {budget} 元 (超出 {} 元)",
                    scheme_label(policy, s),
                    Fen(spent.0 - budget.0)
                ),
            )
        })
        .collect();
    if !over.is_empty() && override_reason.is_none() {
        let lines: Vec<String> = over_text.iter().map(|m| m.to_string()).collect();
        bail!(
            "{}",
            tr(
                format!(
                    "batch {batch} exceeds the budget, nothing issued:\n  {}\nAsk for more budget \
                     (disbursement.budgets in jiuzhu.yaml), or issue it anyway with --override-budget \"REASON\" \
                     (recorded in the journal and the 汇总表).",
                    lines.join("\n  ")
                ),
                format!(
                    "批次 {batch} 超出预算, 未发放:\n  {}\n请申请追加预算 (jiuzhu.yaml 中的 disbursement.budgets), \
                     或用 --override-budget \"原因\" 超预算发放 (原因记入日志和汇总表)。",
                    lines.join("\n  ")
                ),
            )
        );
    }
    let override_used = if over.is_empty() { None } else { override_reason };

    if !frozen && !new_payments.is_empty() {
        let sum = Fen::checked_sum(new_payments.iter().map(|p| p.amount))
            .ok_or_else(|| anyhow!("{}", tr("batch total overflows", "批次合计金额溢出")))?;

        st.batches.push(Batch {
            batch,
            months: months.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(";"),
            payments: new_payments.len() as u32,
            amount: sum,
            budget_override: Text(override_used.unwrap_or_default().to_string()),
        });
    }
    let added = new_payments.len();
    let arrears = new_payments.iter().filter(|p| p.kind == PaymentKind::Arrears).count();
    let urgent = new_payments.iter().filter(|p| p.urgent).count();
    st.payments.extend(new_payments);
    // 追回: months paid that a later decision or a confirmed death made overpaid are recorded to recover, not a
    // reason to stop the batch.
    let found = {
        let (members, matches) = (ledger::read::<Member>(ws)?, ledger::read::<Match>(ws)?);
        let books = crate::cmd::recover::Books {
            cases: &st.cases,
            decisions: &st.decisions,
            payments: &st.payments,
            members: &members,
            matches: &matches,
        };
        crate::cmd::recover::find_new(policy, &books, &st.recoveries, batch)
    };
    let recovery_events: Vec<NewEvent> = found
        .iter()
        .map(|(r, over)| crate::cmd::recover::found_event("disburse", r, over))
        .collect();
    let found_lines: Vec<String> = found
        .iter()
        .map(|(r, _)| {
            let name = st
                .case(&r.case_id)
                .map(|c| c.applicant_name.0.clone())
                .unwrap_or_default();
            crate::cmd::recover::found_line(r, &name)
        })
        .collect();
    st.recoveries.extend(found.into_iter().map(|(r, _)| r));
    st.recoveries.sort_by(|a, b| a.recovery_id.cmp(&b.recovery_id));
    let inv = check_invariants(policy, &st, through);
    refuse_on_violation(&inv)?;

    let in_batch: Vec<&Payment> = st.payments.iter().filter(|p| p.batch == batch).collect();
    let recorded = st.batches.iter().find(|b| b.batch == batch).cloned();
    unpaid.sort_by(|a, b| (&a.case_id, a.month).cmp(&(&b.case_id, b.month)));
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let total = Fen(in_batch.iter().map(|p| p.amount.0).sum());
    // Each part said once in each language: what a part says is decided once.
    let (n, n_reissued, n_unpaid) = (in_batch.len(), reissued.len(), unpaid.len());
    let part = |on: bool, en: String, zh: String| if on { (en, zh) } else { Default::default() };
    let (arrears_en, arrears_zh) = part(
        arrears > 0,
        format!(" ({arrears} arrears)"),
        format!(" (含补发 {arrears} 笔)"),
    );
    let (reissued_en, reissued_zh) = part(
        n_reissued > 0,
        format!(", {n_reissued} reissued"),
        format!(", 重发 {n_reissued} 笔"),
    );
    let (frozen_en, frozen_zh) = part(
        frozen,
        " (batch already issued: reproduced, nothing added)".into(),
        " (该批次已发放: 按原样重新生成, 未新增)".into(),
    );
    let mut out = tr(
        format!(
            "{prefix}disburse {batch}: {n} payments, {total}{arrears_en}{reissued_en}; {n_unpaid} not paid{frozen_en}"
        ),
        format!("{prefix}发放 {batch}: {n} 笔, {total} 元{arrears_zh}{reissued_zh}; 未发放 {n_unpaid} 笔{frozen_zh}"),
    );
    if urgent > 0 {
        out.push_str(&tr(
            format!("\n  {urgent} urgent (先行救助) payments, marked in the note and the 汇总表"),
            format!("\n  先行救助 {urgent} 笔, 已在附言和汇总表中标明"),
        ));
    }
    let mut per: BTreeMap<&str, Totals> = BTreeMap::new();
    for ((scheme, m), t) in &inv.by_scheme_month {
        if *m <= through {
            let e = per.entry(scheme.as_str()).or_default();
            e.decided += t.decided;
            e.paid += t.paid;
            e.failed += t.failed;
            e.outstanding += t.outstanding;
            e.unissued += t.unissued;
        }
    }
    for (scheme, t) in &per {
        let (d, i, p, f, o, u) = (
            Fen(t.decided),
            Fen(t.issued()),
            Fen(t.paid),
            Fen(t.failed),
            Fen(t.outstanding),
            Fen(t.unissued),
        );
        let label = scheme_label(policy, scheme);
        out.push_str(&tr(
            format!(
                "\n  money check {label} to {through}: decided {d} = issued {i} (paid {p} + failed {f} + outstanding \
                 {o}) + unissued {u}"
            ),
            format!(
                "\n  资金核对 {label} 截至 {through}: 核定 {d} = 已发放 {i} (成功 {p} + 失败 {f} + 待回盘 {o}) + 未发放 {u}"
            ),
        ));
    }
    let mut txn = Txn::new();
    // What `--json` says of the files written (docs/json.md).
    let mut files_json: Vec<serde_json::Value> = Vec::new();
    let mut summary_json = None;
    if let Some(rec) = &recorded {
        let files = bank_files(policy, &st, rec, &in_batch)?;
        for f in &files {
            files_json.push(serde_json::json!({
                "path": f.path.display().to_string(),
                "bank": f.bank,
                "profile": f.profile,
                "payments": f.count,
                "amount": Fen(f.sum).to_string(),
            }));
            out.push_str(&tr(
                format!(
                    "\n  {}: {} payments, {} ({})",
                    f.path.display(),
                    f.count,
                    Fen(f.sum),
                    f.profile
                ),
                format!(
                    "\n  {}: {} 笔, {} 元 (格式 `{}`)",
                    f.path.display(),
                    f.count,
                    Fen(f.sum),
                    f.profile
                ),
            ));
            txn.put(&f.path, f.bytes.clone());
            if !f.unlisted.is_empty() {
                let banks = f.unlisted.join("、");
                let profile = &f.profile;
                out.push_str(&tr(
                    format!(
                        "\n  warning: {banks} has no bank profile of its own: written in the layout of `{profile}` \
                         (disbursement.default_profile); check that the bank reads it, or map the bank under \
                         disbursement.banks in jiuzhu.yaml"
                    ),
                    format!(
                        "\n  注意: {banks} 没有自己的银行格式, 已按 `{profile}` (disbursement.default_profile) 的格式写出; \
                         请向银行确认能否读取, 或在 jiuzhu.yaml 的 disbursement.banks 下为该银行指定格式"
                    ),
                ));
            }
        }
        let replaced: usize = files.iter().map(|f| f.replaced.len()).sum();
        if replaced > 0 {
            out.push_str(&crate::i18n::tr(
                format!(
                    "\n  {replaced} values hold characters their bank file's encoding cannot hold (rare characters, \
                     生僻字): written with the profile's replacement and listed in the 汇总表 (sheet 替换字符); check \
                     those payments with the bank, or use `encoding: gb18030` if the bank reads it"
                ),
                format!(
                    "\n  {replaced} 处内容含银行文件编码无法表示的字符 (生僻字): 已按 replacement 替换写入, 并列在汇总表的 \
                     「替换字符」表中; 请与银行核对这些付款, 若银行支持 GB18030 可设 `encoding: gb18030`"
                ),
            ));
        }
        let summary_rel = PathBuf::from("reports").join(format!("disburse-{batch}-汇总表.xlsx"));
        txn.put(
            &summary_rel,
            summary_workbook(policy, &st, rec, &in_batch, &files, &unpaid, &over_text)?,
        );
        summary_json = Some(summary_rel.display().to_string());
        out.push_str(&tr(
            format!("\n  to sign: {}", summary_rel.display()),
            format!("\n  待签字: {}", summary_rel.display()),
        ));
        if !rec.budget_override.is_empty() {
            out.push_str(&tr(
                format!("\n  budget overridden: {}", rec.budget_override),
                format!("\n  超预算发放: {}", rec.budget_override),
            ));
        }
    } else {
        out.push_str(&tr("\n  nothing due: no batch issued", "\n  没有应发款项: 未生成批次"));
    }
    if !found_lines.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} overpayments recorded to recover (追回, ledgers/recoveries.csv):",
                found_lines.len()
            ),
            format!("\n  登记多发待追回 {} 笔 (ledgers/recoveries.csv):", found_lines.len()),
        ));
        for l in &found_lines {
            out.push('\n');
            out.push_str(l);
        }
    }
    let open_recoveries: Vec<&Recovery> = st
        .recoveries
        .iter()
        .filter(|r| r.status == crate::ledger::RecoveryStatus::Open)
        .collect();
    if !open_recoveries.is_empty() {
        let sum = Fen(open_recoveries.iter().map(|r| r.outstanding().0).sum());
        out.push_str(&tr(
            format!(
                "\n  {} overpayments still to recover, {sum} (sheet 追回 of the 汇总表; `{} recover` lists them)",
                open_recoveries.len(),
                ws.jiuzhu()
            ),
            format!(
                "\n  待追回多发款 {} 笔, 共 {sum} 元 (见汇总表「追回」表; `{} recover` 可列出)",
                open_recoveries.len(),
                ws.jiuzhu()
            ),
        ));
    }
    if pending_next > 0 {
        out.push_str(&tr(
            format!("\n  {pending_next} payments became due after this batch was issued: they go into the next batch"),
            format!("\n  {pending_next} 笔在本批次发放后才到期: 并入下一批次"),
        ));
    }
    for u in unpaid.iter().take(50) {
        let name = st
            .case(&u.case_id)
            .map(|c| c.applicant_name.0.clone())
            .unwrap_or_default();
        out.push_str(&tr(
            format!(
                "\n  not paid {} {name} {} {}: {}",
                u.case_id, u.month, u.amount, u.reason.en
            ),
            format!(
                "\n  未发放 {} {name} {} {}: {}",
                u.case_id, u.month, u.amount, u.reason.zh
            ),
        ));
    }
    // Approved decisions not yet in force pay nothing: say so, since a decide run without --as-of after the notice
    // leaves them approved (the date it takes is the latest in the workspace, never the clock).
    let approved = st
        .decisions
        .iter()
        .filter(|d| d.status == crate::ledger::DecisionStatus::Approved)
        .count();
    if approved > 0 {
        out.push_str(&tr(
            format!(
                "\n  {approved} approved decisions are not in force yet and pay nothing: once their notice is over, \
                 run `{} decide --period {period} --as-of DATE`, then this step again",
                ws.jiuzhu()
            ),
            format!(
                "\n  {approved} 个已批准的决定尚未生效, 不发放: 公示期满后运行 `{} decide --period {period} --as-of 日期`, \
                 再运行本步骤",
                ws.jiuzhu()
            ),
        ));
    }
    if crate::ui::json() {
        use serde_json::json;
        let sums = |key: &dyn Fn(&Payment) -> String| -> serde_json::Map<String, serde_json::Value> {
            let mut by: BTreeMap<String, (usize, i64)> = BTreeMap::new();
            for p in &in_batch {
                let e = by.entry(key(p)).or_default();
                e.0 += 1;
                e.1 += p.amount.0;
            }
            by.into_iter()
                .map(|(k, (n, sum))| (k, json!({"payments": n, "amount": Fen(sum).to_string()})))
                .collect()
        };
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("period", period.to_string());
        crate::ui::record("batch", recorded.as_ref().map(|_| batch.to_string()));
        crate::ui::record("already_issued", frozen);
        crate::ui::record("payments", in_batch.len());
        crate::ui::record("total", total.to_string());
        crate::ui::record("arrears", arrears);
        crate::ui::record("urgent", urgent);
        crate::ui::record("reissued", reissued.len());
        crate::ui::record("by_bank", sums(&|p| p.bank_name.0.clone()));
        crate::ui::record("by_scheme", sums(&|p| p.scheme.clone()));
        crate::ui::record(
            "by_township",
            sums(&|p| st.case(&p.case_id).map(|c| c.township.0.clone()).unwrap_or_default()),
        );
        let not_paid: Vec<serde_json::Value> = unpaid
            .iter()
            .map(|u| {
                json!({"case_id": u.case_id, "month": u.month.to_string(), "amount": u.amount.to_string(),
                       "reason": crate::i18n::tr(u.reason.en.clone(), u.reason.zh.clone())})
            })
            .collect();
        crate::ui::record("not_paid", not_paid);
        crate::ui::record("approved_not_in_force", approved);
        crate::ui::record("payments_for_next_batch", pending_next);
        crate::ui::record("files", std::mem::take(&mut files_json));
        crate::ui::record("summary", summary_json.take());
    }
    let outcome = if unpaid.is_empty() && approved == 0 {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    if !recovery_events.is_empty() {
        st.chain.append(recovery_events);
        txn.put(ledger::path_of::<Recovery>(), ledger::to_bytes(&st.recoveries)?);
        if added == 0 {
            st.chain.put(&mut txn)?;
        }
    }
    if added > 0 {
        st.chain.append([NewEvent {
            step: "disburse".into(),
            detail: format!(
                "batch {batch} ({}): {added} payments, {total}; {arrears} arrears, {} reissued, {} not paid{}",
                recorded.as_ref().map(|b| b.months.clone()).unwrap_or_default(),
                reissued.len(),
                unpaid.len(),
                match override_used {
                    Some(r) => format!(
                        "; budget override: {r} ({})",
                        over_text.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join("; ")
                    ),
                    None => String::new(),
                }
            ),
            inputs: inputs(ws, &["cases.csv", "decisions.csv", "payments.csv"], &[])?,
            ..NewEvent::default()
        }]);
        ledger::put(&mut txn, ws, &st.payments)?;
        txn.put(ledger::path_of::<Batch>(), ledger::to_bytes(&st.batches)?);
        st.chain.put(&mut txn)?;
    }
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// The sign-off summary (汇总表): totals by scheme and village, the bank files' control totals, every payment,
/// what was not paid and why, and any budget override.
pub(super) fn summary_workbook(
    policy: &Policy,
    st: &State,
    batch: &Batch,
    payments: &[&Payment],
    files: &[BankFile],
    unpaid: &[Unpaid],
    over: &[Msg],
) -> Result<Vec<u8>> {
    // (scheme, township, village) → (cases, payments, fen)
    type Place = (String, String, String);
    let mut by: BTreeMap<Place, (BTreeSet<&str>, i64, i64)> = BTreeMap::new();
    for p in payments {
        let c = st.case(&p.case_id);
        let key = (
            scheme_label(policy, &p.scheme).to_string(),
            c.map(|c| c.township.0.clone()).unwrap_or_default(),
            c.map(|c| c.village.0.clone()).unwrap_or_default(),
        );
        let e = by.entry(key).or_default();
        e.0.insert(p.case_id.as_str());
        e.1 += 1;
        e.2 += p.amount.0;
    }
    let mut rows: Vec<Vec<Value>> = by
        .iter()
        .map(|((s, t, v), (cases, n, sum))| {
            vec![
                Value::from(s.as_str()),
                Value::from(t.as_str()),
                Value::from(v.as_str()),
                Value::Count(cases.len() as i64),
                Value::Count(*n),
                Value::Money(Fen(*sum)),
            ]
        })
        .collect();
    let all_cases: BTreeSet<&str> = payments.iter().map(|p| p.case_id.as_str()).collect();
    rows.push(vec![
        Value::from("合计"),
        Value::Empty,
        Value::Empty,
        Value::Count(all_cases.len() as i64),
        Value::Count(payments.len() as i64),
        Value::Money(batch.amount),
    ]);
    if !batch.budget_override.is_empty() {
        rows.push(vec![Value::from(format!("超预算发放: {}", batch.budget_override))]);
        for o in over {
            rows.push(vec![Value::from(o.zh())]);
        }
    }
    for who in ["经办人签字:", "审核人签字:", "单位负责人签字:"] {
        rows.push(vec![Value::from(who)]);
    }
    let mut sheets = vec![SheetSpec {
        name: "汇总".into(),
        title: Some(format!(
            "{} 社会救助资金发放汇总表 批次 {} (所属月份 {})",
            policy.region.name,
            batch.batch,
            batch.months.replace(';', "、")
        )),
        columns: vec![
            Column::new("救助类别", Kind::Text),
            Column::new("乡镇(街道)", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("户数", Kind::Count),
            Column::new("笔数", Kind::Count),
            Column::new("金额(元)", Kind::Money),
        ],
        rows,
        batch: None,
        print: Default::default(),
    }];
    sheets.push(SheetSpec {
        name: "银行文件".into(),
        title: Some("银行代发文件及控制数".into()),
        columns: vec![
            Column::new("文件", Kind::Text),
            Column::new("开户银行", Kind::Text),
            Column::new("格式", Kind::Text),
            Column::new("笔数", Kind::Count),
            Column::new("金额(元)", Kind::Money),
        ],
        rows: files
            .iter()
            .map(|f| {
                vec![
                    Value::from(f.path.display().to_string()),
                    Value::from(f.bank.as_str()),
                    Value::from(f.profile.as_str()),
                    Value::Count(f.count as i64),
                    Value::Money(Fen(f.sum)),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    });
    let mut detail: Vec<&&Payment> = payments.iter().collect();
    detail.sort_by(|a, b| (&a.case_id, &a.period, &a.payment_id).cmp(&(&b.case_id, &b.period, &b.payment_id)));
    sheets.push(SheetSpec {
        name: "明细".into(),
        title: None,
        columns: vec![
            Column::new("流水号", Kind::Code),
            Column::new("案件编号", Kind::Code),
            Column::new("姓名", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("救助类别", Kind::Text),
            Column::new("所属月份", Kind::Code),
            Column::new("类型", Kind::Text),
            Column::new("先行救助", Kind::Text),
            Column::new("开户银行", Kind::Text),
            Column::new("账号", Kind::Code),
            Column::new("金额(元)", Kind::Money),
        ],
        rows: detail
            .iter()
            .map(|p| {
                let c = st.case(&p.case_id);
                vec![
                    Value::from(p.payment_id.as_str()),
                    Value::from(p.case_id.as_str()),
                    Value::from(p.payee_name.as_str()),
                    Value::from(c.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default()),
                    Value::from(scheme_label(policy, &p.scheme)),
                    Value::from(p.period.to_string()),
                    Value::from(p.kind.label_zh()),
                    Value::from(if p.urgent { "是" } else { "" }),
                    Value::from(p.bank_name.as_str()),
                    Value::from(mask::account(&p.account)),
                    Value::Money(p.amount),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    });
    let replaced: Vec<(&BankFile, &Replaced)> = files
        .iter()
        .flat_map(|f| f.replaced.iter().map(move |r| (f, r)))
        .collect();
    if !replaced.is_empty() {
        sheets.push(SheetSpec {
            name: "替换字符".into(),
            title: Some(
                "银行文件编码无法表示的字符 (生僻字) 已按银行格式设定的替代字符写入: 请与银行核对这些付款".into(),
            ),
            columns: vec![
                Column::new("流水号", Kind::Code),
                Column::new("案件编号", Kind::Code),
                Column::new("银行文件", Kind::Text),
                Column::new("栏目", Kind::Text),
                Column::new("原文", Kind::Text),
                Column::new("写入银行文件", Kind::Text),
            ],
            rows: replaced
                .iter()
                .map(|(f, r)| {
                    vec![
                        Value::from(r.payment_id.as_str()),
                        Value::from(r.case_id.as_str()),
                        Value::from(f.path.display().to_string()),
                        Value::from(r.column.as_str()),
                        Value::from(r.original.as_str()),
                        Value::from(r.written.as_str()),
                    ]
                })
                .collect(),
            batch: None,
            print: Default::default(),
        });
    }
    sheets.push(SheetSpec {
        name: "未发放".into(),
        title: Some("未发放: 更正账号后下一批次发放".into()),

        columns: vec![
            Column::new("案件编号", Kind::Code),
            Column::new("姓名", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("所属月份", Kind::Code),
            Column::new("金额(元)", Kind::Money),
            Column::new("原因", Kind::Text),
        ],
        rows: unpaid
            .iter()
            .map(|u| {
                let c = st.case(&u.case_id);
                vec![
                    Value::from(u.case_id.as_str()),
                    Value::from(c.map(|c| c.applicant_name.0.clone()).unwrap_or_default()),
                    Value::from(c.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default()),
                    Value::from(u.month.to_string()),
                    Value::Money(u.amount),
                    Value::from(u.reason.zh()),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    });
    if !st.recoveries.is_empty() {
        sheets.push(crate::cmd::recover::sheet(policy, &st.recoveries, &st.cases));
    }
    writer::workbook_bytes(&sheets)
}
