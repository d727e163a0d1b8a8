//! Spot checks (抽查): the findings of the samples drawn (J501–J504), drawing a sample (`audit --sample`) and
//! recording the results of its worksheet (`audit --record`).

use super::cases::acted_on;
use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Spot checks (抽查).

const TRUE: &str = "属实";
const NOT_TRUE: &str = "不属实";
const NOT_FOUND: &str = "未找到";

pub(super) fn spot_checks(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    for s in &ctx.d.spot_checks {
        if s.scheme == NO_ASSISTANCE {
            turned_away_finding(ctx, s, &mut f);
            continue;
        }
        let Some(case) = ctx.d.case(&s.case_id) else {
            continue;
        };
        let since = s.checked_on.map(Period::of);
        match s.result.as_str() {
            "not_true" if !acted_on(ctx, case, since) => f.push(err(
                "J501",
                &s.case_id,
                m(
                    format!(
                        "spot check {} found the case 不属实 ({}, {}) and it is still {}",
                        s.sample,
                        s.note,
                        s.checker,
                        case.status.as_str()
                    ),
                    format!(
                        "抽查 {} 核查结果为不属实 ({}, {}), 而案件仍为 `{}`",
                        s.sample,
                        s.note,
                        s.checker,
                        case.status.as_str()
                    ),
                ),
                m(
                    "re-verify and re-decide the case (decrease, stop or refuse)",
                    "请重新核查并审核确认该案件 (减发、停发或不予批准)",
                ),
            )),
            "not_found" if !acted_on(ctx, case, since) => f.push(warn(
                "J502",
                &s.case_id,
                m(
                    format!(
                        "spot check {}: the household was not found (未找到, {})",
                        s.sample, s.note
                    ),
                    format!("抽查 {}: 未找到该户 ({})", s.sample, s.note),
                ),
                m(
                    "visit again; a household that cannot be found is re-verified",
                    "请再次入户; 找不到的家庭须重新核查",
                ),
            )),
            "" => f.push(warn(
                "J503",
                &s.case_id,
                m(
                    format!("spot check {}: drawn, no result recorded yet", s.sample),
                    format!("抽查 {}: 已抽中, 尚未记录核查结果", s.sample),
                ),
                {
                    // The worksheet `audit --sample` wrote for this sample (its seed).
                    let sheet = spot_check_sheet(&s.sample);
                    m(
                        format!("fill in {0} and `jiuzhu audit --record {0}`", sheet.display()),
                        format!("请填写 {0} 后运行 `jiuzhu audit --record {0}`", sheet.display()),
                    )
                },
            )),
            _ => {}
        }
    }
    f
}

/// The spot-check worksheet of a sample (named by its seed), relative to the workspace.
pub(super) fn spot_check_sheet(sample: &str) -> PathBuf {
    PathBuf::from("reports").join(format!("spot-check-{sample}.xlsx"))
}

/// A percentage in hundredths of a percent (`5%` → 500, `2.5` → 250).
fn parse_percent(s: &str) -> Result<u32> {
    let t = s.trim().trim_end_matches(['%', '％']);
    let f = Fen::parse_yuan(t).map_err(|_| {
        anyhow!(
            "--sample `{s}`: {}",
            tr("give a percentage such as 5% or 2.5", "请给出百分比, 如 5% 或 2.5")
        )
    })?;
    if f.0 <= 0 || f.0 > 10_000 {
        bail!(
            "--sample `{s}`: {}",
            tr("a percentage above 0 and at most 100", "百分比须大于 0 且不超过 100")
        );
    }
    Ok(f.0 as u32)
}

/// The sample: in each stratum (village and scheme when stratified, else all), the effective cases ranked by
/// SHA-256 of `seed|case_id`, the first ceil(pct × n) taken (at least 1 per non-empty stratum when stratified).
pub fn draw(cases: &[Case], seed: u64, basis_points: u32, stratify: bool) -> Vec<(String, u32, String)> {
    let mut strata: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in cases.iter().filter(|c| c.status == CaseStatus::Effective) {
        let key = if stratify {
            format!("{}{} / {}", c.township, c.village, c.scheme)
        } else {
            String::new()
        };
        strata.entry(key).or_default().push(c.case_id.clone());
    }
    let mut out = Vec::new();
    for (key, ids) in strata {
        let n = ids.len();
        let mut take = (basis_points as usize * n).div_ceil(10_000);
        if n > 0 {
            take = take.max(1);
        }
        for (i, (_, id)) in eligibility::ranked(seed, &ids).into_iter().take(take).enumerate() {
            out.push((id, i as u32 + 1, key.clone()));
        }
    }
    out
}

pub(super) fn draw_sample(ws: &Workspace, args: &Args, pct: &str, seed: u64) -> Result<Outcome> {
    let bp = parse_percent(pct)?;
    let percent = Fen(i64::from(bp)).to_string();
    let percent = percent.trim_end_matches('0').trim_end_matches('.').to_string();
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let cases = ledger::read::<Case>(ws)?;
    let mut spot = ledger::read::<SpotCheck>(ws)?;
    let sample = seed.to_string();
    let drawn = draw(&cases, seed, bp, args.stratify);
    let population = cases.iter().filter(|c| c.status == CaseStatus::Effective).count();
    // 防止漏保: the discoveries closed as 无需救助 are re-checked at the same rate (at least one), so a household
    // turned away at the door is looked at again.
    let discoveries = ledger::read::<crate::ledger::Discovery>(ws)?;
    let turned_away = draw_turned_away(&discoveries, seed, bp);
    if drawn.is_empty() {
        bail!(
            "{}",
            tr(
                "no effective cases to draw a spot-check sample from",
                "没有正在享受救助的案件可供抽查"
            )
        );
    }
    if spot.iter().any(|s| s.sample == sample && !s.result.is_empty()) {
        let same: BTreeSet<&str> = spot
            .iter()
            .filter(|s| s.sample == sample)
            .map(|s| s.case_id.as_str())
            .collect();
        let now: BTreeSet<&str> = drawn
            .iter()
            .map(|(id, _, _)| id.as_str())
            .chain(turned_away.iter().map(|(d, _)| d.discovery_id.as_str()))
            .collect();
        if same != now {
            bail!(
                "{}",
                tr(
                    format!(
                        "sample {sample} was already drawn and has results recorded; draw another with a new --seed"
                    ),
                    format!("样本 {sample} 已抽取且已记录核查结果; 请用新的 --seed 另行抽取"),
                )
            );
        }
    }
    let by_id: BTreeMap<&str, &Case> = cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let old: BTreeMap<String, SpotCheck> = spot
        .iter()
        .filter(|s| s.sample == sample)
        .map(|s| (s.case_id.clone(), s.clone()))
        .collect();
    spot.retain(|s| s.sample != sample);
    for (d, rank) in &turned_away {
        let prev = old.get(&d.discovery_id);
        spot.push(SpotCheck {
            sample: sample.clone(),
            case_id: d.discovery_id.clone(),
            scheme: NO_ASSISTANCE.into(),
            village: Text(format!("{}{}", d.township, d.village)),
            percent: percent.clone(),
            stratified: args.stratify,
            rank: *rank,
            result: prev.map(|p| p.result.clone()).unwrap_or_default(),
            note: prev.map(|p| p.note.clone()).unwrap_or_default(),
            checker: prev.map(|p| p.checker.clone()).unwrap_or_default(),
            checked_on: prev.and_then(|p| p.checked_on),
        });
    }
    for (id, rank, _) in &drawn {
        let c = by_id[id.as_str()];
        let prev = old.get(id);
        spot.push(SpotCheck {
            sample: sample.clone(),
            case_id: id.clone(),
            scheme: c.scheme.clone(),
            village: Text(format!("{}{}", c.township, c.village)),
            percent: percent.clone(),
            stratified: args.stratify,
            rank: *rank,
            result: prev.map(|p| p.result.clone()).unwrap_or_default(),
            note: prev.map(|p| p.note.clone()).unwrap_or_default(),
            checker: prev.map(|p| p.checker.clone()).unwrap_or_default(),
            checked_on: prev.and_then(|p| p.checked_on),
        });
    }
    let rel = spot_check_sheet(&sample);
    let out = tr(
        format!(
            "audit --sample {percent}% --seed {seed}{}: {} of {population} effective cases drawn{}; worksheet {}{}",
            if args.stratify { " --stratify" } else { "" },
            drawn.len(),
            if turned_away.is_empty() {
                String::new()
            } else {
                format!(", and {} discoveries closed as 无需救助", turned_away.len())
            },
            if args.dry_run { "would be " } else { "" },
            rel.display()
        ),
        format!(
            "抽查 `--sample {percent}% --seed {seed}{}`: 从 {population} 户享受救助的案件中抽出 {} 户{}; 核查表{} {}",
            if args.stratify { " --stratify" } else { "" },
            drawn.len(),
            if turned_away.is_empty() {
                String::new()
            } else {
                format!(", 另抽 {} 条以无需救助办结的主动发现回查", turned_away.len())
            },
            if args.dry_run { "将写入" } else { "" },
            rel.display()
        ),
    );
    if crate::ui::json() {
        crate::ui::record("sample", sample.clone());
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("population", population);
        let ids: Vec<&str> = drawn.iter().map(|(id, _, _)| id.as_str()).collect();
        crate::ui::record("drawn", ids);
        crate::ui::record("worksheet", rel.display().to_string());
    }
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        for (id, rank, stratum) in &drawn {
            crate::outln!("  {id} #{rank} {stratum}");
        }
        return Ok(Outcome::Done);
    }
    let mut txn = Txn::new();
    let bytes = ledger::to_bytes(&spot)?;
    if ws.differs(ledger::path_of::<SpotCheck>(), &bytes)? {
        let mut chain = ledger::read::<Event>(ws)?;
        let cases_sha = sha256_hex(&ws.read_optional(ledger::path_of::<Case>())?.unwrap_or_default());
        events::append(
            &mut chain,
            [NewEvent {
                step: "audit".into(),
                detail: format!(
                    "spot-check sample {sample}: {} of {population} cases ({percent}%{})",
                    drawn.len(),
                    if args.stratify { ", stratified" } else { "" }
                ),
                inputs: format!("{POLICY_FILE}={};cases.csv={cases_sha}", ws.policy_sha256()?),
                ..NewEvent::default()
            }],
        );
        txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
    }
    txn.put(ledger::path_of::<SpotCheck>(), bytes);
    let names: BTreeMap<&str, &str> = by_id
        .iter()
        .map(|(id, c)| (*id, c.applicant_name.as_str()))
        .chain(discoveries.iter().map(|d| (d.discovery_id.as_str(), d.name.as_str())))
        .collect();
    txn.put(&rel, spot_workbook(&ws.policy, &spot, &sample, &names)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

const H_CASE: &str = "案件编号";
const H_NAME: &str = "户主";
const H_VILLAGE: &str = "乡镇村";
const H_SCHEME: &str = "救助类别";
const H_RANK: &str = "抽取序号";
const H_RESULT: &str = "核查结果";
const H_NOTE: &str = "说明";
const H_CHECKER: &str = "核查人";
const H_DATE: &str = "核查日期";

/// The headers as worksheets before these were Chinese only wrote them (`案件编号 case`, …): still read back.
fn old_label(label: &str) -> &'static str {
    match label {
        H_CASE => "案件编号 case",
        H_VILLAGE => "乡镇村 village",
        H_SCHEME => "救助类别 scheme",
        H_RESULT => "核查结果 result",
        H_NOTE => "说明 note",
        H_CHECKER => "核查人 checker",
        H_DATE => "核查日期 date",
        _ => "",
    }
}

/// A spot-check row's kind as the worksheet shows it: the scheme's label, or 无需救助回查 for a discovery.
fn spot_kind_label(policy: &Policy, scheme: &str) -> String {
    if scheme == NO_ASSISTANCE {
        return NO_ASSISTANCE_LABEL.into();
    }
    policy
        .schemes
        .get(scheme)
        .map(|x| x.label.clone())
        .unwrap_or(scheme.to_string())
}

/// The `scheme` of a spot check that re-checks a discovery closed as 无需救助 (its `case_id` is the discovery's).
const NO_ASSISTANCE: &str = "no_assistance";
const NO_ASSISTANCE_LABEL: &str = "无需救助回查";

/// The discoveries closed as 无需救助 drawn for re-checking: `basis_points` of them (at least one when there are
/// any), ranked by SHA-256 of `seed|discovery_id` as the cases are, with their rank.
fn draw_turned_away(
    discoveries: &[crate::ledger::Discovery],
    seed: u64,
    basis_points: u32,
) -> Vec<(&crate::ledger::Discovery, u32)> {
    use crate::ledger::{DiscoveryOutcome, DiscoveryStatus};
    let closed: Vec<&crate::ledger::Discovery> = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Closed && d.outcome == Some(DiscoveryOutcome::NoAssistance))
        .collect();
    if closed.is_empty() {
        return Vec::new();
    }
    let take = (basis_points as usize * closed.len()).div_ceil(10_000).max(1);
    let ids: Vec<String> = closed.iter().map(|d| d.discovery_id.clone()).collect();
    let by_id: BTreeMap<&str, &crate::ledger::Discovery> =
        closed.iter().map(|d| (d.discovery_id.as_str(), *d)).collect();
    eligibility::ranked(seed, &ids)
        .into_iter()
        .take(take)
        .enumerate()
        .map(|(i, (_, id))| (by_id[id.as_str()], i as u32 + 1))
        .collect()
}

fn spot_workbook(policy: &Policy, spot: &[SpotCheck], sample: &str, names: &BTreeMap<&str, &str>) -> Result<Vec<u8>> {
    let columns = vec![
        Column::new(H_CASE, Kind::Code),
        Column::new(H_NAME, Kind::Text),
        Column::new(H_VILLAGE, Kind::Text),
        Column::new(H_SCHEME, Kind::Text),
        Column::new(H_RANK, Kind::Count),
        Column::answer(
            H_RESULT,
            Input::Choice(vec![TRUE.into(), NOT_TRUE.into(), NOT_FOUND.into()]),
        ),
        Column::answer(H_NOTE, Input::Free),
        Column::answer(H_CHECKER, Input::Free),
        Column::answer(H_DATE, Input::Free),
    ];
    let rows = spot
        .iter()
        .filter(|s| s.sample == sample)
        .map(|s| {
            vec![
                Value::from(s.case_id.as_str()),
                Value::from(names.get(s.case_id.as_str()).copied().unwrap_or_default()),
                Value::from(s.village.0.as_str()),
                Value::from(spot_kind_label(policy, &s.scheme)),
                Value::Count(i64::from(s.rank)),
                Value::from(result_zh(&s.result)),
                Value::from(s.note.0.as_str()),
                Value::from(s.checker.0.as_str()),
                Value::from(s.checked_on.map(|d| d.to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "抽查".into(),
        title: Some(
            "抽查核实: 逐户入户核查, 填写核查结果 (属实/不属实/未找到)、说明、核查人和核查日期; 其他列已锁定".into(),
        ),
        columns,
        rows,
        batch: Some(sample.to_string()),
        print: Default::default(),
    }])
}

/// A re-check of a discovery closed as 无需救助 (防止漏保): not yet done (J503), or found 不属实 / 未找到 while
/// the discovery is still closed that way (J504: the household is to be investigated again).
fn turned_away_finding(ctx: &Audit, s: &SpotCheck, f: &mut Vec<Finding>) {
    use crate::ledger::{DiscoveryOutcome, DiscoveryStatus};
    let still_closed = ctx.d.discoveries.iter().any(|d| {
        d.discovery_id == s.case_id
            && d.status == DiscoveryStatus::Closed
            && d.outcome == Some(DiscoveryOutcome::NoAssistance)
    });
    match s.result.as_str() {
        "" => f.push(warn(
            "J503",
            &s.case_id,
            m(
                format!(
                    "spot check {}: discovery {} (closed as 无需救助) drawn for re-checking, no result recorded yet",
                    s.sample, s.case_id
                ),
                format!(
                    "抽查 {}: 以无需救助办结的主动发现 {} 已抽中回查, 尚未记录核查结果",
                    s.sample, s.case_id
                ),
            ),
            {
                let sheet = spot_check_sheet(&s.sample);
                m(
                    format!("fill in {0} and `jiuzhu audit --record {0}`", sheet.display()),
                    format!("请填写 {0} 后运行 `jiuzhu audit --record {0}`", sheet.display()),
                )
            },
        )),
        "not_true" | "not_found" if still_closed => f.push(err(
            "J504",
            &s.case_id,
            m(
                format!(
                    "spot check {}: discovery {} was closed as 无需救助, and the re-check found that {} ({}, {})",
                    s.sample,
                    s.case_id,
                    if s.result == "not_true" {
                        "not true"
                    } else {
                        "the household was not found"
                    },
                    s.note,
                    s.checker
                ),
                format!(
                    "抽查 {}: 主动发现 {} 以无需救助办结, 回查结果为{} ({}, {})",
                    s.sample,
                    s.case_id,
                    result_zh(&s.result),
                    s.note,
                    s.checker
                ),
            ),
            m(
                "investigate the household again (防止漏保): record the discovery anew with `jiuzhu intake --kind \
                 discoveries` and answer its investigation worksheet",
                "请重新入户调查 (防止漏保): 用 `jiuzhu intake --kind discoveries` 重新登记该户, 并填写入户调查评估表",
            ),
        )),
        _ => {}
    }
}

fn result_zh(r: &str) -> &'static str {
    match r {
        "true" => TRUE,
        "not_true" => NOT_TRUE,
        "not_found" => NOT_FOUND,
        _ => "",
    }
}

pub(super) fn record_results(ws: &Workspace, args: &Args, file: &Path) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let wb = reader::read_worksheet_bytes(&shown, &bytes, Encoding::Detect)?;
    let what = tr("spot-check worksheet", "抽查核查表");
    // A worksheet of an older version names its columns in both languages.
    let sheet = writer::returned(&shown, &wb, &what, &[H_CASE, old_label(H_CASE)])?;
    let sample = sheet.batch.clone();
    let col = |l: &str| sheet.column(&shown, &[l, old_label(l)]);
    let (c_case, c_village, c_scheme) = (col(H_CASE)?, col(H_VILLAGE)?, col(H_SCHEME)?);
    let (c_res, c_note, c_checker, c_date) = (col(H_RESULT)?, col(H_NOTE)?, col(H_CHECKER)?, col(H_DATE)?);
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut spot = ledger::read::<SpotCheck>(ws)?;
    let policy = &ws.policy;
    let mut problems = Vec::new();
    let mut answers = Vec::new();
    // Where each case of this sample is in the ledger (the first row, as a scan would find): one lookup per
    // answered row, not a scan of every sample ever drawn.
    let mut row_of: HashMap<String, usize> = HashMap::default();
    for (i, s) in spot.iter().enumerate().filter(|(_, s)| s.sample == sample) {
        row_of.entry(s.case_id.clone()).or_insert(i);
    }
    // The sample's cases the worksheet lists (a row deleted from it leaves its case unchecked, and named below).
    let mut on_sheet: HashSet<String> = HashSet::default();
    for (n, row) in &sheet.rows {
        if row.iter().all(|c| c.is_blank()) {
            continue;
        }
        let cell = |c: usize| {
            row.get(c)
                .map(|x| text::unneutralise(x.text.trim()).to_string())
                .unwrap_or_default()
        };
        let case_id = cell(c_case);
        let Some(s) = row_of.get(&case_id).map(|&i| &spot[i]) else {
            problems.push(tr(
                format!("{n}: case {case_id} is not in spot-check sample {sample}"),
                format!("{n}: 案件 {case_id} 不在抽查样本 {sample} 中"),
            ));
            continue;
        };
        on_sheet.insert(case_id.clone());
        let label = spot_kind_label(policy, &s.scheme);
        if cell(c_village) != s.village.0 || cell(c_scheme) != label {
            problems.push(tr(
                format!("{n}: the locked cells of case {case_id} were changed"),
                format!("{n}: 案件 {case_id} 的锁定单元格被改动"),
            ));
        }
        let result = match cell(c_res).as_str() {
            "" => continue,
            TRUE => "true",
            NOT_TRUE => "not_true",
            NOT_FOUND => "not_found",
            other => {
                let v = crate::domain::text::excerpt(other);
                problems.push(tr(
                    format!("{n}: 核查结果 `{v}` is not one of {TRUE}, {NOT_TRUE}, {NOT_FOUND}"),
                    format!("{n}: 核查结果 `{v}` 不是 {TRUE}、{NOT_TRUE}、{NOT_FOUND} 之一"),
                ));
                continue;
            }
        };
        let checker = cell(c_checker);
        if checker.is_empty() {
            problems.push(tr(format!("{n}: 核查人 is empty"), format!("{n}: 核查人为空")));
        }
        let day = match date::parse_date(&cell(c_date)) {
            Ok(d) => Some(d),
            Err(_) => {
                let v = crate::domain::text::excerpt(&cell(c_date)).to_string();
                problems.push(tr(
                    format!("{n}: 核查日期 `{v}` is not a date (write 2026-12-05)"),
                    format!("{n}: 核查日期 `{v}` 不是日期 (如 2026-12-05)"),
                ));
                None
            }
        };
        if !s.result.is_empty() && s.result != result {
            problems.push(tr(
                format!(
                    "{n}: case {case_id} already has a recorded result ({})",
                    result_zh(&s.result)
                ),
                format!("{n}: 案件 {case_id} 已记录了核查结果 ({})", result_zh(&s.result)),
            ));
        }
        answers.push((case_id, result.to_string(), cell(c_note), checker, day));
    }
    if answers.is_empty() && problems.is_empty() {
        problems.push(tr("no row has a 核查结果", "没有任何一行填写了核查结果"));
    }
    if !problems.is_empty() {
        bail!(
            "{}\n  {}",
            tr(
                format!("{shown} refused, nothing recorded:"),
                format!("{shown} 被拒收, 未记录任何内容:")
            ),
            crate::ui::first_of(&problems, 20, "\n  ")
        );
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (case_id, result, note, checker, day) in &answers {
        if let Some(s) = row_of.get(case_id).map(|&i| &mut spot[i]) {
            if s.result.is_empty() {
                *counts.entry(result_zh(result).to_string()).or_default() += 1;
            }
            s.result = result.clone();
            s.note = Text(note.clone());
            s.checker = Text(checker.clone());
            s.checked_on = *day;
        }
    }
    if crate::ui::json() {
        let mut by_result: BTreeMap<&str, usize> = BTreeMap::new();
        for (case_id, result, ..) in &answers {
            if row_of.contains_key(case_id) {
                *by_result.entry(result.as_str()).or_default() += 1;
            }
        }
        crate::ui::record("sample", sample.clone());
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("recorded", counts.values().sum::<usize>());
        crate::ui::record_serialized("by_result", &by_result);
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let summary_zh: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v} 户")).collect();
    let recorded = counts.values().sum::<usize>();
    let mut out = tr(
        format!(
            "audit --record {shown}: sample {sample}: {recorded} recorded{}",
            if summary.is_empty() {
                String::new()
            } else {
                format!(" ({})", summary.join(", "))
            }
        ),
        format!(
            "抽查结果 {shown}: 样本 {sample}: 记录 {recorded} 户{}",
            if summary_zh.is_empty() {
                String::new()
            } else {
                format!(" ({})", summary_zh.join(", "))
            }
        ),
    );
    // The sample's cases still without a result need a person: those whose rows were deleted from the worksheet
    // and those left blank on it, named.
    let (mut removed, mut blank) = (Vec::new(), Vec::new());
    for s in spot.iter().filter(|s| s.sample == sample && s.result.is_empty()) {
        if on_sheet.contains(&s.case_id) {
            blank.push(s.case_id.clone());
        } else {
            removed.push(s.case_id.clone());
        }
    }
    if !removed.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} cases of sample {sample} are not on the worksheet (rows removed?) and have no result: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, ", ")
            ),
            format!(
                "\n  样本 {sample} 中 {} 户不在核查表上 (行被删除?), 尚无核查结果: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, ", ")
            ),
        ));
    }
    if !blank.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} on the worksheet have no 核查结果 yet: {}",
                blank.len(),
                crate::ui::first_of(&blank, 20, ", ")
            ),
            format!(
                "\n  {} 户未填核查结果: {}",
                blank.len(),
                crate::ui::first_of(&blank, 20, ", ")
            ),
        ));
    }
    if !(removed.is_empty() && blank.is_empty()) {
        let sheet = spot_check_sheet(&sample);
        let jiuzhu = ws.jiuzhu();
        out.push_str(&tr(
            format!(
                "\n  next: check them, fill in {0} and `{jiuzhu} audit --record {0}` (results recorded stay)",
                sheet.display()
            ),
            format!(
                "\n  下一步: 核查后填写 {0}, 再运行 `{jiuzhu} audit --record {0}` (已记录的结果保留)",
                sheet.display()
            ),
        ));
    }
    let outcome = if !(removed.is_empty() && blank.is_empty())
        || spot.iter().any(|s| s.sample == sample && s.result == "not_true")
    {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if args.dry_run {
        crate::outln!("{}{out}", tr("dry run: ", "试运行: "));
        return Ok(outcome);
    }
    let mut txn = Txn::new();
    if counts.values().sum::<usize>() > 0 {
        let mut chain = ledger::read::<Event>(ws)?;
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("worksheet");
        events::append(
            &mut chain,
            [NewEvent {
                step: "audit".into(),
                detail: format!("spot-check sample {sample} recorded: {}", summary.join(", ")),
                inputs: format!("{name}={};{POLICY_FILE}={}", sha256_hex(&bytes), ws.policy_sha256()?),
                ..NewEvent::default()
            }],
        );
        txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
        txn.put(ledger::path_of::<SpotCheck>(), ledger::to_bytes(&spot)?);
    }
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_spot_check_found_untrue_or_not_found_must_be_acted_on() {
        let mut l = paid_case("CD-1");
        l.spot_checks.push(spot_check("CD-1", "true"));
        assert!(spot_checks(&audited(&l)).is_empty());
        l.spot_checks[0] = spot_check("CD-1", "not_true");
        assert_eq!(codes(&spot_checks(&audited(&l))), ["J501"]);
        l.spot_checks[0] = spot_check("CD-1", "not_found");
        assert_eq!(codes(&spot_checks(&audited(&l))), ["J502"]);
        l.spot_checks[0] = spot_check("CD-1", "");
        assert_eq!(codes(&spot_checks(&audited(&l))), ["J503"]);
        // A stop decided after the check acts on it.
        l.spot_checks[0] = spot_check("CD-1", "not_true");
        let mut stop = decision("CD-1");
        stop.kind = DecisionKind::Stop;
        stop.period = month("2026-12");
        l.decisions.push(stop);
        assert!(spot_checks(&audited(&l)).is_empty());
    }

    #[test]
    fn a_household_turned_away_and_found_otherwise_on_re_check_is_investigated_again() {
        use crate::ledger::{DiscoveryOutcome, DiscoveryStatus};
        let mut x = discovery("D-1");
        x.status = DiscoveryStatus::Closed;
        x.outcome = Some(DiscoveryOutcome::NoAssistance);
        let mut s = spot_check("D-1", "");
        s.scheme = NO_ASSISTANCE.into();
        let mut l = Ledgers {
            discoveries: vec![x],
            spot_checks: vec![s],
            ..Ledgers::default()
        };
        assert_eq!(codes(&spot_checks(&audited(&l))), ["J503"]);
        l.spot_checks[0].result = "not_true".into();
        assert_eq!(codes(&spot_checks(&audited(&l))), ["J504"]);
        l.spot_checks[0].result = "true".into();
        assert!(spot_checks(&audited(&l)).is_empty());
    }
}
