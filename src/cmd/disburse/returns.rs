//! `disburse --reconcile FILE`: a bank's return file (回盘) read in its profile's format and the payments marked
//! paid or failed, all or nothing.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation.

/// One line of a bank's return file.
#[derive(Debug, Clone)]
pub(super) struct ReturnLine {
    pub(super) line: usize,
    pub(super) payment_id: String,
    pub(super) account: String,
    pub(super) amount: Option<Fen>,
    pub(super) ok: Option<bool>,
    pub(super) status_text: String,
    pub(super) reason: String,
}

/// Reads a return file by its profile: csv/xlsx by header labels (or positions), fixed-width by byte widths.
pub(super) fn parse_return(profile: &BankProfile, shown: &str, bytes: &[u8]) -> Result<Vec<ReturnLine>> {
    let rf = &profile.returns;
    let ftype = rf.file_type.unwrap_or(profile.file_type);
    let enc = rf.encoding.unwrap_or(profile.encoding);
    let amount_format = profile.amount_format;
    let rows: Vec<Vec<String>> = match ftype {
        BankFileType::Xlsx => {
            let wb = reader::read_workbook_bytes(&format!("{shown}.xlsx"), bytes, Encoding::Detect)?;
            let sheet = wb.sheets.first().ok_or_else(|| {
                anyhow!(
                    "{}",
                    tr(format!("{shown} has no sheets"), format!("{shown} 没有工作表"))
                )
            })?;
            sheet
                .rows
                .iter()
                .map(|r| r.iter().map(|c| c.text.clone()).collect())
                .collect()
        }
        BankFileType::Csv => {
            let text = decode(bytes, enc).with_context(|| shown.to_string())?;
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for r in rdr.records() {
                let r = r.with_context(|| {
                    tr(
                        format!("{shown}: not readable as CSV"),
                        format!("{shown}: 无法按 CSV 读取"),
                    )
                })?;
                rows.push(r.iter().map(text::normalize).collect());
            }
            rows
        }
        BankFileType::Fixed => {
            let mut rows = Vec::new();
            for raw in bytes.split(|&b| b == b'\n') {
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                let mut cells = Vec::new();
                let mut at = 0;
                for c in &rf.columns {
                    let end = (at + c.width).min(raw.len());
                    let piece = raw.get(at..end).unwrap_or(&[]);
                    cells.push(text::normalize(
                        decode(piece, enc).with_context(|| shown.to_string())?.trim(),
                    ));
                    at = end;
                }
                rows.push(cells);
            }
            rows
        }
    };
    // Column positions: by label under a header, else by order.
    let mut start = 0;
    let mut pos: Vec<Option<usize>> = (0..rf.columns.len()).map(Some).collect();
    if rf.header && ftype != BankFileType::Fixed {
        let wanted: Vec<String> = rf.columns.iter().map(|c| text::normalize_key(&c.label)).collect();
        let found = rows.iter().enumerate().take(30).find_map(|(i, r)| {
            let keys: Vec<String> = r.iter().map(|c| text::normalize_key(c)).collect();
            let p: Vec<Option<usize>> = wanted.iter().map(|w| keys.iter().position(|k| k == w)).collect();
            let essential = rf
                .columns
                .iter()
                .zip(&p)
                .all(|(c, x)| x.is_some() || !matches!(c.field, BankField::Status | BankField::Amount))
                && rf
                    .columns
                    .iter()
                    .zip(&p)
                    .any(|(c, x)| x.is_some() && matches!(c.field, BankField::PaymentId | BankField::Account));
            essential.then_some((i, p))
        });
        let (i, p) = found.ok_or_else(|| {
            let cols = rf
                .columns
                .iter()
                .map(|c| c.label.as_str())
                .collect::<Vec<_>>()
                .join("、");
            anyhow!(
                "{}",
                tr(
                    format!("{shown}: no header row with the columns {cols} (profile returns.columns)"),
                    format!("{shown}: 找不到含 {cols} 各列的表头行 (银行格式的 returns.columns)"),
                )
            )
        })?;
        start = i + 1;
        pos = p;
    } else if rf.header {
        start = 1;
    }
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate().skip(start) {
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if r.iter()
            .any(|c| c.starts_with("合计") || c.starts_with("总计") || c.starts_with("汇总"))
        {
            continue;
        }
        let get = |field: BankField| -> String {
            rf.columns
                .iter()
                .zip(&pos)
                .find(|(c, _)| c.field == field)
                .and_then(|(_, p)| p.and_then(|p| r.get(p)))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let amount_raw = get(BankField::Amount);
        let amount = match amount_format {
            AmountFormat::Yuan => Fen::parse_yuan(&amount_raw).ok(),
            AmountFormat::Fen => amount_raw.trim().parse::<i64>().ok().map(Fen),
        };
        let status_text = get(BankField::Status);
        let ok = if rf.success.contains(&status_text) {
            Some(true)
        } else if rf.failure.contains(&status_text) {
            Some(false)
        } else {
            None
        };
        out.push(ReturnLine {
            line: i + 1,
            payment_id: get(BankField::PaymentId),
            account: get(BankField::Account),
            amount,
            ok,
            status_text,
            reason: get(BankField::Reason),
        });
    }
    Ok(out)
}

pub(super) fn reconcile(ws: &Workspace, args: &Request, file: &Path, profile: Option<&str>) -> Result<Outcome> {
    let policy = &ws.policy;
    let d = &policy.disbursement;
    let name = match profile {
        Some(p) => p.to_string(),
        None => match (&d.default_profile, d.profiles.len()) {
            (Some(p), _) => p.clone(),
            (None, 1) => d.profiles.keys().next().cloned().unwrap_or_default(),
            _ => {
                let names = d.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
                bail!(
                    "{}",
                    tr(
                        format!("give --profile NAME: which bank's return file is it? (profiles: {names})"),
                        format!("请用 --profile 指明这是哪家银行的回盘文件 (可选格式: {names})"),
                    )
                )
            }
        },
    };
    let prof = d.profiles.get(&name).ok_or_else(|| {
        anyhow!(
            "{}",
            tr(
                format!("no bank profile `{name}` under disbursement.profiles in jiuzhu.yaml"),
                format!("jiuzhu.yaml 的 disbursement.profiles 下没有银行格式 `{name}`"),
            )
        )
    })?;
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let sha = sha256_hex(&bytes);
    let lines = parse_return(prof, &shown, &bytes)?;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut marks: Vec<(usize, bool, String)> = Vec::new();
    if lines.is_empty() {
        problems.push(tr("the file has no payment lines", "文件中没有付款记录"));
    }
    // Payments found by ID, and outstanding ones by account, indexed once (a return file can list every payment
    // of a province: a scan per line is quadratic). Payments are not added or removed while the lines are read.
    let by_id: HashMap<&str, usize> = st
        .payments
        .iter()
        .enumerate()
        .map(|(i, p)| (p.payment_id.as_str(), i))
        .collect();
    let mut issued_to: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, p) in st.payments.iter().enumerate() {
        if p.status == PaymentStatus::Issued {
            issued_to.entry(p.account.0.as_str()).or_default().push(i);
        }
    }
    for l in &lines {
        let idx = if !l.payment_id.is_empty() {
            by_id.get(l.payment_id.as_str()).copied()
        } else {
            let hits: Vec<usize> = issued_to
                .get(l.account.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| Some(st.payments[i].amount) == l.amount)
                .collect();
            if hits.len() > 1 {
                problems.push(tr(
                    format!(
                        "line {}: account {} matches {} outstanding payments of the same amount; the bank must \
                         return payment IDs (流水号)",
                        l.line,
                        mask::account(&l.account),
                        hits.len()
                    ),
                    format!(
                        "第 {} 行: 账号 {} 对应 {} 笔金额相同的未回盘付款; 银行回盘须带流水号",
                        l.line,
                        mask::account(&l.account),
                        hits.len()
                    ),
                ));
                continue;
            }
            hits.first().copied()
        };
        let what = if l.payment_id.is_empty() {
            tr(
                format!("account {}", mask::account(&l.account)),
                format!("账号 {}", mask::account(&l.account)),
            )
        } else {
            tr(format!("payment {}", l.payment_id), format!("流水号 {}", l.payment_id))
        };
        let line = l.line;
        let Some(i) = idx else {
            problems.push(tr(
                format!("line {line}: {what} is not an outstanding payment of this workspace"),
                format!("第 {line} 行: {what} 不是本工作区未回盘的付款"),
            ));
            continue;
        };
        let p = &st.payments[i];
        let id = &p.payment_id;
        if let Some(prev) = seen.insert(p.payment_id.clone(), l.line) {
            problems.push(tr(
                format!("line {line}: {id} appears twice (also line {prev})"),
                format!("第 {line} 行: {id} 出现两次 (另见第 {prev} 行)"),
            ));
            continue;
        }
        match l.amount {
            None => problems.push(tr(
                format!("line {line}: amount is not readable"),
                format!("第 {line} 行: 金额无法识别"),
            )),
            Some(a) if a != p.amount => problems.push(tr(
                format!("line {line}: {id} amount {a} differs from the {} issued", p.amount),
                format!("第 {line} 行: {id} 的金额 {a} 与发放的 {} 不符", p.amount),
            )),
            _ => {}
        }
        if !l.account.is_empty() && l.account != p.account.0 {
            problems.push(tr(
                format!("line {line}: {id} account differs from the one issued"),
                format!("第 {line} 行: {id} 的账号与发放时的不符"),
            ));
        }
        if p.status != PaymentStatus::Issued {
            problems.push(tr(
                format!(
                    "line {line}: {id} of batch {} is already reconciled ({})",
                    p.batch,
                    p.status.as_str()
                ),
                format!(
                    "第 {line} 行: 批次 {} 的 {id} 已回盘 ({})",
                    p.batch,
                    p.status.label_zh()
                ),
            ));
        }
        match l.ok {
            None => {
                let (ok, bad) = (prof.returns.success.join("、"), prof.returns.failure.join("、"));
                problems.push(tr(
                    format!("line {line}: status `{}` is not one of {ok} / {bad}", l.status_text),
                    format!("第 {line} 行: 状态 `{}` 不是 {ok} / {bad} 之一", l.status_text),
                ))
            }
            Some(ok) => marks.push((i, ok, l.reason.clone())),
        }
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused whole, nothing changed:"),
                format!("{shown} 整个被拒收, 未做任何改动:")
            ),
            problems.into_iter().take(30).collect::<Vec<_>>().join("\n  ")
        );
    }
    let mut failed = Vec::new();
    let mut batches = BTreeSet::new();
    for (i, ok, reason) in &marks {
        let p = &mut st.payments[*i];
        batches.insert(p.batch);
        p.return_file = sha[..16].to_string();
        if *ok {
            p.status = PaymentStatus::Paid;
        } else {
            p.status = PaymentStatus::Failed;
            p.reason = Text(if reason.is_empty() {
                "未说明原因".into()
            } else {
                reason.clone()
            });
            failed.push(p.clone());
        }
    }
    let through = st
        .payments
        .iter()
        .map(|p| p.period)
        .max()
        .unwrap_or(Period::of(NaiveDate::MIN));
    let inv = check_invariants(policy, &st, through);
    refuse_on_violation(&inv)?;
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let (n, paid_n, failed_n) = (marks.len(), marks.len() - failed.len(), failed.len());
    let mut out = tr(
        format!("{prefix}disburse --reconcile {shown}: {n} lines: {paid_n} paid, {failed_n} failed"),
        format!("{prefix}回盘 {shown}: {n} 条: 成功 {paid_n} 笔, 失败 {failed_n} 笔"),
    );
    for b in &batches {
        let ps: Vec<&Payment> = st.payments.iter().filter(|p| &p.batch == b).collect();
        let sum = |s: PaymentStatus| Fen(ps.iter().filter(|p| p.status == s).map(|p| p.amount.0).sum());
        let (p, f, o, r) = (
            sum(PaymentStatus::Paid),
            sum(PaymentStatus::Failed),
            sum(PaymentStatus::Issued),
            sum(PaymentStatus::Reissued),
        );
        out.push_str(&tr(
            format!("\n  batch {b}: paid {p}, failed {f}, outstanding {o}, reissued {r}"),
            format!("\n  批次 {b}: 成功 {p}, 失败 {f}, 待回盘 {o}, 已重发 {r}"),
        ));
    }
    for f in &failed {
        out.push_str(&tr(
            format!(
                "\n  failed {} {} {} {} {}: {} — correct the account with a correction sheet (`jiuzhu correct`, field \
                 银行账号); the next batch reissues it",
                f.payment_id, f.case_id, f.payee_name, f.period, f.amount, f.reason
            ),
            format!(
                "\n  失败 {} {} {} {} {}: {} — 请用更正登记表更正银行账号 (`jiuzhu correct`); 下一批次将重发",
                f.payment_id, f.case_id, f.payee_name, f.period, f.amount, f.reason
            ),
        ));
    }

    // The payments this return should have answered and did not: of the batches and banks it answers, still
    // issued (lines deleted from the bank's file, or not yet returned). Other banks' payments of the batch come
    // back in their own files and are not named here.
    let answered: HashSet<usize> = marks.iter().map(|(i, _, _)| *i).collect();
    let banks: BTreeSet<&str> = marks.iter().map(|(i, _, _)| st.payments[*i].bank_name.trim()).collect();
    let (unanswered, unanswered_sum): (Vec<String>, i64) = st
        .payments
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            p.status == PaymentStatus::Issued
                && !answered.contains(i)
                && batches.contains(&p.batch)
                && banks.contains(p.bank_name.trim())
        })
        .fold((Vec::new(), 0), |(mut v, sum), (_, p)| {
            v.push(format!("{} ({} {})", p.payment_id, p.case_id, p.period));
            (v, sum + p.amount.0)
        });
    if !unanswered.is_empty() {
        let bank_list = banks.iter().copied().collect::<Vec<_>>().join("、");
        out.push_str(&tr(
            format!(
                "\n  {} payments to {bank_list} ({}) have no line in this return (rows removed, or not yet \
                 returned) and stay outstanding: {} — ask the bank for their result",
                unanswered.len(),
                Fen(unanswered_sum),
                crate::ui::first_of(&unanswered, 20, ", ")
            ),
            format!(
                "\n  {bank_list} 的 {} 笔发放 ({}) 在本回盘中没有记录 (行被删除或尚未回盘), 仍为未回盘: {} — 请向银行索取其结果",
                unanswered.len(),
                Fen(unanswered_sum),
                crate::ui::first_of(&unanswered, 20, ", ")
            ),
        ));
    }
    if crate::ui::json() {
        use serde_json::json;
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("lines", n);
        crate::ui::record("paid", paid_n);
        crate::ui::record("failed", failed_n);
        let by_batch: serde_json::Map<String, serde_json::Value> = batches
            .iter()
            .map(|b| {
                let ps: Vec<&Payment> = st.payments.iter().filter(|p| &p.batch == b).collect();
                let sum =
                    |s: PaymentStatus| Fen(ps.iter().filter(|p| p.status == s).map(|p| p.amount.0).sum()).to_string();
                (
                    b.to_string(),
                    json!({"paid": sum(PaymentStatus::Paid), "failed": sum(PaymentStatus::Failed),
                           "outstanding": sum(PaymentStatus::Issued), "reissued": sum(PaymentStatus::Reissued)}),
                )
            })
            .collect();
        crate::ui::record("batches", by_batch);
        let failed_list: Vec<serde_json::Value> = failed
            .iter()
            .map(|f| {
                json!({"payment_id": f.payment_id, "case_id": f.case_id, "period": f.period,
                       "amount": f.amount.to_string(), "reason": f.reason.to_string()})
            })
            .collect();
        crate::ui::record("failed_payments", failed_list);
        crate::ui::record("unanswered", unanswered.len());
        crate::ui::record("unanswered_amount", Fen(unanswered_sum).to_string());
    }
    let outcome = if failed.is_empty() && unanswered.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    let base = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("return")
        .to_string();
    st.chain.append([NewEvent {
        step: "disburse".into(),
        detail: format!(
            "reconcile {base} (profile {name}): {} paid, {} failed",
            marks.len() - failed.len(),
            failed.len()
        ),
        inputs: inputs(ws, &["payments.csv"], &[(base.clone(), sha.clone())])?,
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    txn.put(inbox_path(&base, &sha), bytes);
    ledger::put(&mut txn, ws, &st.payments)?;
    st.chain.put(&mut txn)?;
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}
