//! In-kind goods (物资): `disburse --goods` records a distribution plan and writes the distribution list to sign;
//! `disburse --goods-receipts` reads the signed list (领取登记表) back.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// In-kind goods (物资).

pub(super) const GOODS_ID: &str = "登记编号";
/// The ID column's header as versions before 0.x wrote it (their lists are still read back).
pub(super) const GOODS_ID_OLD: &str = "登记编号 goods";
pub(super) const SIGN: &str = "签字";
pub(super) const RECEIVED_ON: &str = "领取日期";
pub(super) const RECEIVED_QTY: &str = "实领数量";

pub(super) fn header_index(row: &[String], names: &[&str]) -> Option<usize> {
    let keys: Vec<String> = names.iter().map(|n| text::normalize_key(n)).collect();
    row.iter().position(|c| keys.contains(&text::normalize_key(c)))
}

pub(super) fn goods_plan(ws: &Workspace, args: &Request, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let sha = sha256_hex(&bytes);
    let plan = sha[..8].to_uppercase();
    let enc = args
        .encoding
        .as_deref()
        .map(Encoding::parse)
        .transpose()?
        .unwrap_or(Encoding::Detect);
    let wb = reader::read_workbook_bytes(&shown, &bytes, enc)?;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    let mut problems = Vec::new();
    let mut planned: Vec<Goods> = Vec::new();
    // The IDs planned so far, and the effective cases by their village's key (as written alone, and after the
    // township), found once: a scan per recipient or per village row is quadratic for a county-wide plan.
    let mut planned_ids: HashSet<String> = HashSet::default();
    let mut in_village: Option<HashMap<String, Vec<usize>>> = None;
    let mut found = false;
    for sheet in &wb.sheets {
        let grid: Vec<Vec<String>> = sheet
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.clone()).collect())
            .collect();
        let Some((h, cols)) = grid.iter().enumerate().take(30).find_map(|(i, r)| {
            let item = header_index(r, &["物资名称", "物资", "品名"])?;
            let qty = header_index(r, &["数量", "发放数量"])?;
            let unit = header_index(r, &["单位", "计量单位"])?;
            let case = header_index(r, &["案件编号", "case_id", "案件编号 case"]);
            let village = header_index(r, &["村(社区)", "村", "社区", "村居"]);
            (case.is_some() || village.is_some()).then_some((i, (item, qty, unit, case, village)))
        }) else {
            continue;
        };
        found = true;
        let (c_item, c_qty, c_unit, c_case, c_village) = cols;
        for (i, r) in grid.iter().enumerate().skip(h + 1) {
            let cell = |c: Option<usize>| {
                c.and_then(|c| r.get(c))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            if r.iter().all(|c| c.trim().is_empty()) || r.iter().any(|c| c.starts_with("合计") || c.starts_with("总计"))
            {
                continue;
            }
            let at = tr(
                format!("{} row {}", sheet.name, i + 1),
                format!("{} 第 {} 行", sheet.name, i + 1),
            );
            let item = cell(Some(c_item));
            let unit = cell(Some(c_unit));
            let Some(qty) = Quantity::parse(&cell(Some(c_qty))).filter(|q| q.0 > 0) else {
                let q = crate::domain::text::excerpt(&cell(Some(c_qty))).to_string();
                problems.push(tr(
                    format!("{at}: 数量 `{q}` is not a positive quantity"),
                    format!("{at}: 数量 `{q}` 不是正数"),
                ));
                continue;
            };
            if item.is_empty() || unit.is_empty() {
                problems.push(tr(
                    format!("{at}: 物资名称 and 单位 are required"),
                    format!("{at}: 须填写物资名称和单位"),
                ));
                continue;
            }
            let (case_id, village) = (cell(c_case), cell(c_village));
            let recipients: Vec<&Case> = if !case_id.is_empty() {
                match st.case(&case_id) {
                    Some(c) if c.status == CaseStatus::Effective => vec![c],
                    Some(c) => {
                        problems.push(tr(
                            format!(
                                "{at}: case {case_id} is {}, not receiving assistance",
                                c.status.as_str()
                            ),
                            format!("{at}: 案件 {case_id} 的状态为 `{}`, 不在享受救助", c.status.as_str()),
                        ));
                        continue;
                    }
                    None => {
                        problems.push(tr(
                            format!("{at}: no case {case_id}"),
                            format!("{at}: 没有案件 {case_id}"),
                        ));
                        continue;
                    }
                }
            } else if !village.is_empty() {
                let want = text::normalize_key(&village);
                let index = in_village.get_or_insert_with(|| {
                    let mut index: HashMap<String, Vec<usize>> = HashMap::default();
                    for (i, c) in st.cases.iter().enumerate() {
                        if c.status != CaseStatus::Effective {
                            continue;
                        }
                        let alone = text::normalize_key(&c.village);
                        let full = text::normalize_key(&format!("{}{}", c.township, c.village));
                        if full != alone {
                            index.entry(full).or_default().push(i);
                        }
                        index.entry(alone).or_default().push(i);
                    }
                    index
                });
                // In ledger order, each case once (it matches by either key).
                let v: Vec<&Case> = index
                    .get(&want)
                    .map(|is| is.iter().map(|&i| &st.cases[i]).collect())
                    .unwrap_or_default();
                if v.is_empty() {
                    problems.push(tr(
                        format!("{at}: no case receiving assistance in {village}"),
                        format!("{at}: {village} 没有正在享受救助的案件"),
                    ));
                    continue;
                }
                v
            } else {
                problems.push(tr(
                    format!("{at}: give 案件编号 or 村(社区)"),
                    format!("{at}: 请填写案件编号或村(社区)"),
                ));
                continue;
            };
            for c in recipients {
                let id = format!(
                    "G-{}",
                    &sha256_hex(format!("{plan}|{}|{item}", c.case_id).as_bytes())[..12].to_uppercase()
                );
                if !planned_ids.insert(id.clone()) {
                    problems.push(tr(
                        format!("{at}: {item} for case {} is planned twice", c.case_id),
                        format!("{at}: 案件 {} 的{item}计划了两次", c.case_id),
                    ));
                    continue;
                }
                planned.push(Goods {
                    goods_id: id,
                    plan: plan.clone(),
                    case_id: c.case_id.clone(),
                    village: Text(format!("{}{}", c.township, c.village)),
                    item: Text(item.clone()),
                    quantity: qty,
                    unit: Text(unit.clone()),
                    status: GoodsStatus::Planned,
                    received_on: None,
                    signed_by: Text::default(),
                    received_quantity: None,
                });
            }
        }
    }
    if !found {
        problems.push(tr(
            "no sheet with the columns 物资名称, 数量, 单位 and 案件编号 or 村(社区)",
            "没有含物资名称、数量、单位以及案件编号或村(社区)各列的工作表",
        ));
    } else if planned.is_empty() && problems.is_empty() {
        problems.push(tr("the plan has no rows", "计划中没有数据行"));
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused, nothing recorded:"),
                format!("{shown} 被拒收, 未记录任何内容:")
            ),
            problems.into_iter().take(30).collect::<Vec<_>>().join("\n  ")
        );
    }
    let known: BTreeSet<String> = st.goods.iter().map(|g| g.goods_id.clone()).collect();
    let new: Vec<Goods> = planned
        .iter()
        .filter(|g| !known.contains(&g.goods_id))
        .cloned()
        .collect();
    st.goods.extend(new.iter().cloned());
    let list: Vec<Goods> = st.goods.iter().filter(|g| g.plan == plan).cloned().collect();
    let rel = PathBuf::from("reports").join(format!("goods-{plan}.xlsx"));
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let recipients = list.iter().map(|g| g.case_id.as_str()).collect::<BTreeSet<_>>().len();
    let totals = item_totals(&list, |g| Some(g.quantity)).join(", ");
    let mut out = tr(
        format!("{prefix}disburse --goods {shown}: plan {plan}: {recipients} recipients, {totals}"),
        format!("{prefix}物资发放 {shown}: 计划 {plan}: {recipients} 户, {totals}"),
    );
    // Named only where it is written: a dry run says what it would write.
    if args.dry_run {
        out.push_str(&tr(
            format!("\n  distribution list would be {}", rel.display()),
            format!("\n  领取登记表将写入 {}", rel.display()),
        ));
    } else {
        out.push_str(&tr(
            format!(
                "\n  distribution list: {0} (recipients sign, then `{1} disburse --goods-receipts {0}`)",
                rel.display(),
                ws.jiuzhu()
            ),
            format!(
                "\n  领取登记表: {0} (领取人签字后运行 `{1} disburse --goods-receipts {0}`)",
                rel.display(),
                ws.jiuzhu()
            ),
        ));
    }
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(Outcome::Done);
    }
    let mut txn = Txn::new();
    if !new.is_empty() {
        let base = file.file_name().and_then(|n| n.to_str()).unwrap_or("plan").to_string();
        st.chain.append([NewEvent {
            step: "disburse".into(),
            detail: format!("goods plan {plan}: {} rows planned", new.len()),
            inputs: inputs(ws, &["cases.csv"], &[(base.clone(), sha.clone())])?,
            ..NewEvent::default()
        }]);
        txn.put(inbox_path(&base, &sha), bytes);
        txn.put(ledger::path_of::<Goods>(), ledger::to_bytes(&st.goods)?);
        st.chain.put(&mut txn)?;
    }
    txn.put(&rel, goods_list(&ws.policy, &st, &plan, &list)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

/// `大米 20 袋`-style totals per item and unit.
pub(super) fn item_totals(goods: &[Goods], qty: impl Fn(&Goods) -> Option<Quantity>) -> Vec<String> {
    let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
    for g in goods {
        *by.entry((g.item.0.clone(), g.unit.0.clone())).or_default() += qty(g).map_or(0, |q| q.0);
    }
    by.into_iter()
        .map(|((i, u), q)| format!("{i} {} {u}", Quantity(q)))
        .collect()
}

/// The distribution list (领取登记表): a round-trip worksheet; recipients sign, the clerk fills the date.
pub(super) fn goods_list(policy: &Policy, st: &State, plan: &str, goods: &[Goods]) -> Result<Vec<u8>> {
    let mut gs: Vec<&Goods> = goods.iter().collect();
    gs.sort_by(|a, b| (&a.village, &a.case_id, &a.item).cmp(&(&b.village, &b.case_id, &b.item)));
    let rows = gs
        .iter()
        .map(|g| {
            let c = st.case(&g.case_id);
            vec![
                Value::from(g.goods_id.as_str()),
                Value::from(g.case_id.as_str()),
                Value::from(c.map(|c| c.applicant_name.0.clone()).unwrap_or_default()),
                Value::from(g.village.as_str()),
                Value::from(c.map(|c| c.applicant_id_number.masked()).unwrap_or_default()),
                Value::from(g.item.as_str()),
                Value::from(g.quantity.to_string()),
                Value::from(g.unit.as_str()),
                Value::Empty,
                Value::Empty,
                Value::Empty,
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "领取登记".into(),
        title: Some(format!(
            "{} 救助物资领取登记表 (计划 {plan}): 领取人签字 (或填\"是\"), 填写领取日期; 实领数量与计划不同时填写",
            policy.region.name
        )),
        columns: vec![
            Column::new(GOODS_ID, Kind::Code),
            Column::new("案件编号", Kind::Code),
            Column::new("姓名", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("身份证号", Kind::Code),
            Column::new("物资名称", Kind::Text),
            Column::new("数量", Kind::Code),
            Column::new("单位", Kind::Text),
            Column::answer(SIGN, Input::Free),
            Column::answer(RECEIVED_ON, Input::Free),
            Column::answer(RECEIVED_QTY, Input::Free),
        ],
        rows,
        batch: Some(plan.to_string()),
        print: Default::default(),
    }])
}

pub(super) fn goods_receipts(ws: &Workspace, args: &Request, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let sha = sha256_hex(&bytes);
    let wb = reader::read_worksheet_bytes(&shown, &bytes, Encoding::Detect)?;
    let what = tr("distribution list", "领取登记表");
    // Lists written before the header was Chinese only are still read back.
    let sheet = writer::returned(&shown, &wb, &what, &[GOODS_ID, GOODS_ID_OLD])?;
    let plan = sheet.batch.clone();
    let col = |l: &str| sheet.column(&shown, &[l]);
    let (c_id, c_case, c_item, c_qty, c_sign, c_date, c_real) = (
        sheet.column(&shown, &[GOODS_ID, GOODS_ID_OLD])?,
        col("案件编号")?,
        col("物资名称")?,
        col("数量")?,
        col(SIGN)?,
        col(RECEIVED_ON)?,
        col(RECEIVED_QTY)?,
    );
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut st = State::load(ws)?;
    if !st.goods.iter().any(|g| g.plan == plan) {
        bail!(
            "{}",
            tr(
                format!("{shown}: plan {plan} is not in ledgers/goods.csv (was the list made in this workspace?)"),
                format!("{shown}: 计划 {plan} 不在 ledgers/goods.csv 中 (该表是否由本工作区生成?)"),
            )
        );
    }
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    // The plan's rows by goods ID (the first, as a scan would find), built once: not a scan of every plan ever
    // made per signed row.
    let mut row_of: HashMap<&str, usize> = HashMap::default();
    for (i, g) in st.goods.iter().enumerate().filter(|(_, g)| g.plan == plan) {
        row_of.entry(g.goods_id.as_str()).or_insert(i);
    }
    let mut marks: Vec<(usize, NaiveDate, String, Quantity)> = Vec::new();
    for (at, row) in &sheet.rows {
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let cell = |c: usize| {
            row.get(c)
                .map(|x| text::unneutralise(&x.text).trim().to_string())
                .unwrap_or_default()
        };
        let id = cell(c_id);
        let Some(&i) = row_of.get(id.as_str()) else {
            let shown_id = crate::domain::text::excerpt(&id);
            problems.push(tr(
                format!("{at}: {GOODS_ID} `{shown_id}` is not a row of plan {plan}"),
                format!("{at}: {GOODS_ID} `{shown_id}` 不是计划 {plan} 中的行"),
            ));
            continue;
        };
        if !seen.insert(id.clone()) {
            problems.push(tr(format!("{at}: {id} appears twice"), format!("{at}: {id} 出现两次")));
            continue;
        }
        let g = &st.goods[i];
        if cell(c_case) != g.case_id || cell(c_item) != g.item.0 || Quantity::parse(&cell(c_qty)) != Some(g.quantity) {
            problems.push(tr(
                format!("{at}: the case, item or quantity of {id} was changed"),
                format!("{at}: {id} 的案件、物资或数量被改动"),
            ));
            continue;
        }
        let sign = cell(c_sign);
        if sign.is_empty() || matches!(sign.as_str(), "否" | "未签" | "未领") {
            continue;
        }
        let date_cell = row.get(c_date);
        let date = match date_cell
            .and_then(|c| c.date)
            .map(Ok)
            .unwrap_or_else(|| date::parse_date(&cell(c_date)))
        {
            Ok(d) => d,
            Err(_) => {
                let d = crate::domain::text::excerpt(&cell(c_date)).to_string();
                problems.push(tr(
                    format!("{at}: signed, but {RECEIVED_ON} `{d}` is not a date"),
                    format!("{at}: 已签字, 但{RECEIVED_ON} `{d}` 不是日期"),
                ));
                continue;
            }
        };
        let real = cell(c_real);
        let qty = if real.is_empty() {
            g.quantity
        } else {
            match Quantity::parse(&real) {
                Some(q) => q,
                None => {
                    let q = crate::domain::text::excerpt(&real);
                    problems.push(tr(
                        format!("{at}: {RECEIVED_QTY} `{q}` is not a quantity"),
                        format!("{at}: {RECEIVED_QTY} `{q}` 不是数量"),
                    ));
                    continue;
                }
            }
        };
        let by = if matches!(sign.as_str(), "是" | "已签" | "已领" | "√" | "✓") {
            String::new()
        } else {
            sign
        };
        marks.push((i, date, by, qty));
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused whole, nothing recorded:"),
                format!("{shown} 整个被拒收, 未记录任何内容:")
            ),
            problems.into_iter().take(30).collect::<Vec<_>>().join("\n  ")
        );
    }
    let mut changed = 0;
    for (i, date, by, qty) in marks {
        let g = &mut st.goods[i];
        let new = (GoodsStatus::Received, Some(date), Text(by), Some(qty));
        if (g.status, g.received_on, g.signed_by.clone(), g.received_quantity) != new {
            changed += 1;
            (g.status, g.received_on, g.signed_by, g.received_quantity) = new;
        }
    }
    let list: Vec<Goods> = st.goods.iter().filter(|g| g.plan == plan).cloned().collect();
    let received: Vec<Goods> = list
        .iter()
        .filter(|g| g.status == GoodsStatus::Received)
        .cloned()
        .collect();
    let differ: Vec<&Goods> = received
        .iter()
        .filter(|g| g.received_quantity != Some(g.quantity))
        .collect();
    let waiting = list.len() - received.len();
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let (r, n) = (received.len(), list.len());
    let (planned_t, received_t) = (
        item_totals(&list, |g| Some(g.quantity)).join(", "),
        item_totals(&list, |g| g.received_quantity).join(", "),
    );
    let mut out = tr(
        format!(
            "{prefix}disburse --goods-receipts {shown}: plan {plan}: {r} of {n} received; planned {planned_t}; \
             received {received_t}"
        ),
        format!("{prefix}物资领取 {shown}: 计划 {plan}: {n} 户中已领 {r} 户; 计划 {planned_t}; 实领 {received_t}"),
    );
    for g in &differ {
        let got = g.received_quantity.unwrap_or_default();
        out.push_str(&tr(
            format!(
                "\n  {} {} {}: planned {} {}, received {got} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit, g.unit
            ),
            format!(
                "\n  {} {} {}: 计划 {} {}, 实领 {got} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit, g.unit
            ),
        ));
    }
    for g in list.iter().filter(|g| g.status == GoodsStatus::Planned).take(50) {
        out.push_str(&tr(
            format!(
                "\n  not yet received: {} {} {} {} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit
            ),
            format!(
                "\n  尚未领取: {} {} {} {} {}",
                g.goods_id, g.case_id, g.item, g.quantity, g.unit
            ),
        ));
    }

    let outcome = if waiting == 0 && differ.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run || changed == 0 {
        if args.dry_run || !args.quiet || outcome != Outcome::Done {
            crate::outln!("{out}");
        }
        return Ok(outcome);
    }
    let base = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("receipts")
        .to_string();
    st.chain.append([NewEvent {
        step: "disburse".into(),
        detail: format!(
            "goods receipts {plan}: {changed} received, {waiting} waiting, {} differ from the plan",
            differ.len()
        ),
        inputs: inputs(ws, &["goods.csv"], &[(base.clone(), sha.clone())])?,
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    txn.put(inbox_path(&base, &sha), bytes);
    txn.put(ledger::path_of::<Goods>(), ledger::to_bytes(&st.goods)?);
    st.chain.put(&mut txn)?;
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}
