//! Active discovery (主动发现): `jiuzhu intake --kind discoveries FILE…` records the people villages, the data
//! platform, the hotline or other departments found in difficulty (遇困人员花名册); `jiuzhu discover` writes the
//! home-investigation worksheet (入户调查评估表) of every discovery still open and the worksheet of referrals
//! awaiting a department's answer, and `jiuzhu discover --resolve FILE` reads either back.
//!
//! A discovery is closed only by a visit that meets the 三个不放过 (the person seen, the situation established,
//! a measure proposed — [`crate::domain::discovery::gaps`]); any other visit is recorded with what it lacked and
//! the discovery stays open, overdue in `status` once its time limit (working days per channel) has passed. The
//! outcome leads on: an assisted application or urgent help is followed until the household's case is decided; a
//! referral until the department answers; monitoring enters the household in `monitored.csv`; "no assistance
//! needed" records the reason and that the policy was explained.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use crate::cmd::cli::{examples, Ctx};
use crate::cmd::followup::{self, refuse, Reject, RowError};
use crate::domain::date::{add_working_days, DateBounds};
use crate::domain::discovery::{self as rules, Gap, Visit};
use crate::domain::id_number;
use crate::hash::HashMap;
use crate::i18n::{tr, Msg};
use crate::ledger::events::{self, sha256_hex, NewEvent};
use crate::ledger::{
    self, Case, CaseStatus, DifficultyClass, Discovery, DiscoveryChannel, DiscoveryOutcome, DiscoveryStatus,
    Investigation, MonitorCategory, Monitored, Referral, Text,
};
use crate::policy::Policy;
use crate::sheet::fields::HeaderNames;
use crate::sheet::reader::{self, Cell, Encoding, Header};
use crate::sheet::writer::{self, Column, Input as AnswerInput, Kind as ColKind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

/// The journal step of discoveries.
pub const STEP: &str = "discover";

// Investigate what was found (入户调查评估) and follow its outcome: writes the worksheets of open discoveries and
// of unanswered referrals, or reads one back.
// Its options and help are in both languages, picked when the command line is built.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Active discovery (主动发现): write the home-investigation worksheet of the people found in difficulty and \
the referral worksheet, or read one back (三个不放过, time limits, outcomes)",
        "主动发现: 写出遇困人员的入户调查评估表和转介答复表, 或读回填好的表 (三个不放过、调查时限、处理结果)",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu intake --kind discoveries 2026-11-遇困人员花名册.xlsx\n  jiuzhu discover\n  \
jiuzhu discover --resolve reports/discover-investigations-1A2B3C4D.xlsx",
        "示例:\n  jiuzhu intake --kind discoveries 2026-11-遇困人员花名册.xlsx\n  jiuzhu discover\n  \
jiuzhu discover --resolve reports/discover-investigations-1A2B3C4D.xlsx",
    )),
    after_help = tr("\
A discovery is closed only by a visit that saw the person, established the situation and proposed a measure \
(三个不放过), with at least discovery.min_investigators investigators; any other visit is recorded and the discovery \
stays open (exit 1). Outcomes: 协助申请 and 先行救助 are followed until the household's case is decided, 转介 until \
the department answers, 纳入监测 enters ledgers/monitored.csv, 无需救助 needs the reason and 已做政策解释 = 是.", "\
只有见到本人、查清困难情况并提出对策建议 (三个不放过)、且调查人不少于 discovery.min_investigators 人的入户调查\
才能办结一条发现; 其他调查照样登记, 该发现仍待调查 (退出码 1)。处理结果: 协助申请和先行救助跟踪到案件作出决定, \
转介跟踪到部门答复, 纳入监测的家庭记入 ledgers/monitored.csv, 无需救助的须写明原因并填 已做政策解释 = 是。")
)]
pub struct Args {
    #[arg(long, value_name = "FILE", help = tr(
        "Read back an investigation worksheet (入户调查评估表) or a referral worksheet (转介答复表) filled in",
        "读回填好的入户调查评估表或转介答复表",
    ))]
    pub resolve: Option<PathBuf>,
    #[arg(long, help = tr("Show what would be done; write nothing", "只显示将做什么; 不写任何文件"))]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (no period), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then_some(None)
    }
}

/// The command line's entry.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(&ctx.workspace()?, &args, ctx.quiet)
}

/// `intake --kind discoveries`.
#[derive(Debug, Clone)]
pub struct ImportArgs {
    pub files: Vec<PathBuf>,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

const YES: &str = "是";
const NO: &str = "否";
const PENDING: &str = "待定";

// Worksheet labels (the first of each is the key column a returned sheet is recognised by).
const H_DISCOVERY: &str = "发现编号";
const H_REFERRAL: &str = "转介编号";
const H_NAME: &str = "姓名";
const H_ID: &str = "身份证号(脱敏)";
const H_DATE: &str = "调查日期";
const H_INVESTIGATORS: &str = "调查人";
const H_SEEN: &str = "见到本人";
const H_SITUATION: &str = "调查情况";
const H_MEASURES: &str = "对策建议";
const H_OUTCOME: &str = "处理结果";
const H_DEPARTMENT: &str = "转介部门";
const H_SCHEME: &str = "申请类别";
const H_CATEGORY: &str = "监测类别";
const H_CLASS: &str = "困难类别";
const H_REASON: &str = "未予救助原因";
const H_EXPLAINED: &str = "已做政策解释";
const H_ANSWERED: &str = "答复日期";
const H_ANSWER: &str = "办理结果";

// ---------------------------------------------------------------------------------------------------------
// Import: `intake --kind discoveries`.

pub fn import(ws: &Workspace, args: &ImportArgs) -> Result<Outcome> {
    if args.files.is_empty() {
        bail!(
            "{}",
            tr(
                "give at least one file: jiuzhu intake --kind discoveries FILE…",
                "请给出至少一个文件: jiuzhu intake --kind discoveries 文件…"
            )
        );
    }
    let encoding = match &args.encoding {
        Some(e) => Encoding::parse(e)?,
        None => Encoding::Detect,
    };
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let names = HeaderNames::new(&ws.policy.columns);
    let mut inputs = Vec::new();
    for path in &args.files {
        inputs.push(read_input(path, encoding, &names)?);
    }
    let mut discoveries = ledger::read::<Discovery>(ws)?;
    let mut chain = events::Journal::read(ws)?;
    let dates = followup::date_bounds(&inputs, "found_on", discoveries.iter().map(|d| d.found_on));
    let mut known: BTreeSet<String> = discoveries.iter().map(|d| d.discovery_id.clone()).collect();
    let (mut read, mut recorded, mut already) = (0usize, 0usize, 0usize);
    let mut rejects: Vec<Reject> = Vec::new();
    let mut case_events = Vec::new();
    for input in &inputs {
        let hold = followup::held(input);
        for (excel_row, row) in followup::data_rows(input) {
            read += 1;
            let parsed = hold
                .clone()
                .map_or_else(|| discovery_of_row(row, &input.header, &ws.policy, &dates), Err);
            match parsed {
                Err(e) => rejects.push(followup::reject(input, excel_row, *e)),
                Ok(mut d) => {
                    if !known.insert(d.discovery_id.clone()) {
                        already += 1;
                        continue;
                    }
                    d.file_sha256 = input.sha256.clone();
                    d.row = excel_row;
                    case_events.push(NewEvent {
                        step: STEP.into(),
                        detail: format!(
                            "主动发现 {} {} ({}) {} 发现, {}; 应于 {} 前入户调查",
                            d.discovery_id,
                            d.name,
                            d.id_number.masked(),
                            d.found_on,
                            d.channel.label_zh(),
                            d.due_on
                        ),
                        ..NewEvent::default()
                    });
                    discoveries.push(d);
                    recorded += 1;
                }
            }
        }
    }
    let mut txn = Txn::new();
    let changed = recorded > 0;
    let mut worksheet = None;
    if changed {
        discoveries.sort_by(|a, b| a.discovery_id.cmp(&b.discovery_id));
        worksheet = investigation_worksheet(&ws.policy, &mut discoveries, &mut txn)?;
        txn.put(ledger::path_of::<Discovery>(), ledger::to_bytes(&discoveries)?);
        let mut input_list: Vec<String> = inputs.iter().map(|i| format!("{}={}", i.name, i.sha256)).collect();
        input_list.push(format!("{POLICY_FILE}={}", ws.policy_sha256()?));
        let mut new_events = vec![NewEvent {
            step: "discoveries".into(),
            detail: format!("{recorded} discoveries recorded; {} rejected", rejects.len()),
            inputs: input_list.join(";"),
            ..NewEvent::default()
        }];
        new_events.extend(case_events);
        chain.append(new_events);
        chain.put(&mut txn)?;
        for input in &inputs {
            crate::workspace::keep_input(&mut txn, &input.input);
        }
    }
    let report = rejects_path(&inputs);
    if !rejects.is_empty() && changed {
        txn.put(&report, rejects_workbook(&rejects)?);
    }

    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let files = if inputs.len() == 1 {
        inputs[0].shown.clone()
    } else {
        tr(format!("{} files", inputs.len()), format!("{} 个文件", inputs.len()))
    };
    let rejected = rejects.len();
    let mut out = tr(
        format!(
            "{prefix}discoveries {files}: {read} rows read = {recorded} recorded + {already} already recorded + \
             {rejected} rejected"
        ),
        format!("{prefix}主动发现 {files}: 读取 {read} 行 = 登记 {recorded} + 已登记 {already} + 拒收 {rejected}"),
    );
    if let Some(rel) = &worksheet {
        out.push_str(&tr(
            format!(
                "\n  investigation worksheet: {} — fill in after the home visits, then `{} discover --resolve {}`",
                rel.display(),
                ws.jiuzhu(),
                rel.display()
            ),
            format!(
                "\n  入户调查评估表: {} — 入户调查后填写, 再 `{} discover --resolve {}`",
                rel.display(),
                ws.jiuzhu(),
                rel.display()
            ),
        ));
    }
    for n in inputs.iter().flat_map(|i| &i.notes) {
        out.push_str(&format!("\n  {} {n}", tr("note:", "说明:")));
    }
    let mut near_misses = 0;
    for input in &inputs {
        let (lines, near) = reader::unused_lines(&input.name, inputs.len() > 1, &input.unused, "columns");
        near_misses += near;
        for l in lines {
            out.push_str(&format!("\n  {l}"));
        }
    }
    if !rejects.is_empty() && changed {
        out.push_str(&format!("\n  {} {}", tr("report:", "报告:"), report.display()));
    }
    followup::list_rejects(&mut out, &rejects);
    crate::ui::record("rows_read", read);
    crate::ui::record("recorded", recorded);
    crate::ui::record("already_recorded", already);
    crate::ui::record("rejected", rejected);
    let outcome = if rejects.is_empty() && near_misses == 0 {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

fn read_input(path: &Path, encoding: Encoding, names: &HeaderNames) -> Result<reader::TableFile> {
    let shown = path.display().to_string();
    let required: &[&'static str] = &["found_on", "discovery_channel", "name", "id_number"];
    let reads: &[&'static str] = &[
        "found_on",
        "discovery_channel",
        "name",
        "id_number",
        "township",
        "village",
        "difficulty",
        "reported_by",
    ];
    let misses = match reader::read_table_file(path, encoding, names, (required, &[]), reads)? {
        Ok(input) => return Ok(input),
        Err(misses) => misses,
    };
    bail!(
        "{}\n  {}",
        tr(
            format!(
                "{shown} is not a register of people found in difficulty (遇困人员花名册): it needs the columns \
                 发现日期, 发现渠道, 姓名 and 身份证号 (乡镇(街道), 村(社区), 困难情况 and 报告人 are read too)"
            ),
            format!(
                "{shown} 不是遇困人员花名册: 需要 发现日期、发现渠道、姓名、身份证号 列 (乡镇(街道)、村(社区)、困难情况、\
                 报告人 也会读取)"
            ),
        ),
        misses.join("\n  ")
    )
}

fn discovery_of_row(
    row: &[Cell],
    h: &Header,
    policy: &Policy,
    dates: &DateBounds,
) -> std::result::Result<Discovery, RowError> {
    let found_on = followup::date_of(&h.get(row, "found_on").cloned().unwrap_or_default(), "发现日期", dates)?;
    let channel_text = h.text(row, "discovery_channel");
    let channel = DiscoveryChannel::parse(channel_text).ok_or_else(|| {
        let t = crate::domain::text::excerpt(channel_text);
        let all = DiscoveryChannel::ALL.map(|c| c.label_zh()).join("、");
        refuse(
            "发现渠道",
            channel_text,
            Msg::new(
                format!("发现渠道 `{t}` is not one of {all}"),
                format!("发现渠道「{t}」无法识别, 应为 {all} 之一"),
            ),
            Msg::new(format!("write one of {all}"), format!("请填写 {all} 之一")),
        )
    })?;
    let name = h.text(row, "name").trim().to_string();
    if name.is_empty() {
        return Err(refuse(
            "姓名",
            "",
            Msg::new("no name (姓名 is blank)", "姓名未填写"),
            Msg::new("write the person's name", "请填写遇困人员姓名"),
        ));
    }
    let cell = h.get(row, "id_number").cloned().unwrap_or_default();
    if cell.is_blank() {
        return Err(refuse(
            "身份证号",
            "",
            Msg::new("no ID number (身份证号 is blank)", "身份证号未填写"),
            Msg::new(
                "write the person's ID number from the ID card or household register",
                "请按身份证或户口簿填写身份证号",
            ),
        ));
    }
    let id = id_number::parse_cell(&cell.text, cell.number.is_some()).map_err(|e| {
        refuse(
            "身份证号",
            id_number::mask_any(&cell.text),
            Msg::new(e.to_string(), e.message_zh()),
            followup::id_fix(&e),
        )
    })?;
    let township = h.text(row, "township").trim().to_string();
    let towns = &policy.region.townships;
    if !towns.iter().any(|t| t.name == township) {
        let all = towns.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join("、");
        let t = crate::domain::text::excerpt(&township);
        return Err(refuse(
            "乡镇(街道)",
            township.clone(),
            if township.is_empty() {
                Msg::new("no township (乡镇 is blank)", "乡镇(街道)未填写")
            } else {
                Msg::new(
                    format!("township `{t}` is not in the policy's region ({all})"),
                    format!("乡镇「{t}」不在本县的乡镇列表中 ({all})"),
                )
            },
            Msg::new(
                format!("write the township that investigates: one of {all}"),
                format!("请填写负责入户调查的乡镇: {all} 之一"),
            ),
        ));
    }
    // The village, when given, is one of the township's (a village of another township is a mistyped row, as on
    // an application register).
    let village = h.text(row, "village").trim().to_string();
    if let Some(town) = towns.iter().find(|t| t.name == township) {
        if !village.is_empty() && !town.villages.contains(&village) {
            let all = town.villages.join("、");
            let v = crate::domain::text::excerpt(&village);
            return Err(refuse(
                "村(社区)",
                village.clone(),
                Msg::new(
                    format!("village `{v}` is not a village of {township} ({all})"),
                    format!("村(社区)「{v}」不是{township}的村(社区) ({all})"),
                ),
                Msg::new(
                    format!("check the township and the village: {township} has {all}"),
                    format!("请核对乡镇和村(社区): {township}下辖 {all}"),
                ),
            ));
        }
    }
    let difficulty = h.text(row, "difficulty").trim().to_string();
    if difficulty.is_empty() {
        return Err(refuse(
            "困难情况",
            "",
            Msg::new("no difficulty described (困难情况 is blank)", "困难情况未填写"),
            Msg::new(
                "describe the difficulty found (e.g. 独居老人, 大病住院)",
                "请简要填写发现的困难情况 (如 独居老人、大病住院)",
            ),
        ));
    }
    let v = &policy.verification;
    let due_on = rules::due_on(found_on, channel, &policy.discovery, &v.holidays, &v.extra_workdays);
    let hash = sha256_hex(format!("{}|{found_on}|{}", id.as_str(), channel.as_str()).as_bytes());
    Ok(Discovery {
        discovery_id: format!("D-{}", hash[..16].to_uppercase()),
        found_on,
        channel,
        name: Text(name),
        id_number: id,
        township: Text(township),
        village: Text(village),
        difficulty: Text(difficulty),
        reported_by: Text(h.text(row, "reported_by").trim().to_string()),
        due_on,
        status: DiscoveryStatus::Open,
        outcome: None,
        investigated_on: None,
        case_id: String::new(),
        batch: String::new(),
        file_sha256: String::new(),
        row: 0,
    })
}

fn rejects_path(inputs: &[reader::TableFile]) -> PathBuf {
    let stem = inputs
        .first()
        .and_then(|i| Path::new(&i.name).file_stem().and_then(|s| s.to_str()))
        .unwrap_or("input");
    let sha = inputs.first().map(|i| &i.sha256[..8]).unwrap_or("");
    PathBuf::from("reports").join(format!(
        "discoveries-rejects-{}-{sha}.xlsx",
        crate::workspace::safe_file_name(stem)
    ))
}

fn rejects_workbook(rejects: &[Reject]) -> Result<Vec<u8>> {
    followup::rejects_sheet(
        "未能登记的遇困人员行 — 改正后重新导入 (`jiuzhu intake --kind discoveries`)".into(),
        rejects,
    )
}

// ---------------------------------------------------------------------------------------------------------
// The worksheets.

/// Sets `batch` on every open discovery to the ID of the list of them, and puts their worksheet in `txn`; returns
/// its path (None when none is open). A closed discovery keeps the batch it was closed in.
fn investigation_worksheet(policy: &Policy, discoveries: &mut [Discovery], txn: &mut Txn) -> Result<Option<PathBuf>> {
    let open: Vec<&str> = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Open)
        .map(|d| d.discovery_id.as_str())
        .collect();
    if open.is_empty() {
        return Ok(None);
    }
    let batch = sha256_hex(open.join("\n").as_bytes())[..8].to_uppercase();
    for d in discoveries.iter_mut().filter(|d| d.status == DiscoveryStatus::Open) {
        d.batch = batch.clone();
    }
    let rel = PathBuf::from("reports").join(format!("discover-investigations-{batch}.xlsx"));
    txn.put(&rel, investigations_workbook(policy, discoveries, &batch)?);
    Ok(Some(rel))
}

fn investigations_workbook(policy: &Policy, discoveries: &[Discovery], batch: &str) -> Result<Vec<u8>> {
    let yes_no = AnswerInput::Choice(vec![YES.into(), NO.into()]);
    let mut outcomes: Vec<String> = DiscoveryOutcome::ALL.iter().map(|o| o.label_zh().to_string()).collect();
    outcomes.push(PENDING.into());
    let schemes: Vec<String> = policy.schemes.values().map(|s| s.label.clone()).collect();
    let columns = vec![
        Column::new(H_DISCOVERY, ColKind::Code),
        Column::new(H_NAME, ColKind::Text),
        Column::new(H_ID, ColKind::Code),
        Column::new("乡镇(街道)", ColKind::Text),
        Column::new("村(社区)", ColKind::Text),
        Column::new("发现渠道", ColKind::Text),
        Column::new("发现日期", ColKind::Code),
        Column::new("困难情况", ColKind::Text),
        Column::new("调查期限", ColKind::Code),
        Column::answer(H_DATE, AnswerInput::Free),
        Column::answer(H_INVESTIGATORS, AnswerInput::Free),
        Column::answer(H_SEEN, yes_no.clone()),
        Column::answer(H_SITUATION, AnswerInput::Free),
        Column::answer(H_MEASURES, AnswerInput::Free),
        Column::answer(H_OUTCOME, AnswerInput::Choice(outcomes)),
        Column::answer(H_DEPARTMENT, AnswerInput::Choice(policy.discovery.departments.clone())),
        Column::answer(H_SCHEME, AnswerInput::Choice(schemes)),
        Column::answer(
            H_CATEGORY,
            AnswerInput::Choice(MonitorCategory::ALL.iter().map(|c| c.label_zh().to_string()).collect()),
        ),
        Column::answer(
            H_CLASS,
            AnswerInput::Choice(
                [
                    DifficultyClass::Special,
                    DifficultyClass::General,
                    DifficultyClass::Temporary,
                ]
                .iter()
                .map(|c| c.label_zh().to_string())
                .collect(),
            ),
        ),
        Column::answer(H_REASON, AnswerInput::Free),
        Column::answer(H_EXPLAINED, yes_no),
    ];
    let rows = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Open)
        .map(|d| {
            let mut r = vec![
                Value::from(d.discovery_id.as_str()),
                Value::from(d.name.as_str()),
                Value::from(d.id_number.masked()),
                Value::from(d.township.as_str()),
                Value::from(d.village.as_str()),
                Value::from(d.channel.label_zh()),
                Value::from(d.found_on.to_string()),
                Value::from(d.difficulty.as_str()),
                Value::from(d.due_on.to_string()),
            ];
            r.resize(columns.len(), Value::Empty);
            r
        })
        .collect();
    writer::workbook_bytes(&[SheetSpec {
        name: "入户调查评估".into(),
        title: Some(format!(
            "入户调查评估表: 逐户入户调查, 做到三个不放过 (走访到户不见人不放过, 困难情况不调查清楚不放过, 针对问题不提出\
             对策建议不放过); 调查人不少于 {} 人; 处理结果为转介的写明转介部门, 协助申请或先行救助的写明申请类别, 纳入监测的\
             写明监测类别和困难类别, 无需救助的写明原因并做好政策解释",
            policy.discovery.min_investigators
        )),
        columns,
        rows,
        batch: Some(batch.to_string()),
        print: Default::default(),
    }])
}

/// Sets `batch` on every unanswered referral and puts their worksheet in `txn`; returns its path (None when every
/// referral is answered).
fn referral_worksheet(discoveries: &[Discovery], referrals: &mut [Referral], txn: &mut Txn) -> Result<Option<PathBuf>> {
    let open: Vec<&str> = referrals
        .iter()
        .filter(|r| r.answered_on.is_none())
        .map(|r| r.referral_id.as_str())
        .collect();
    if open.is_empty() {
        return Ok(None);
    }
    let batch = sha256_hex(open.join("\n").as_bytes())[..8].to_uppercase();
    for r in referrals.iter_mut().filter(|r| r.answered_on.is_none()) {
        r.batch = batch.clone();
    }
    let by_id: HashMap<&str, &Discovery> = discoveries.iter().map(|d| (d.discovery_id.as_str(), d)).collect();
    let columns = vec![
        Column::new(H_REFERRAL, ColKind::Code),
        Column::new(H_DISCOVERY, ColKind::Code),
        Column::new(H_NAME, ColKind::Text),
        Column::new(H_ID, ColKind::Code),
        Column::new("乡镇(街道)", ColKind::Text),
        Column::new(H_DEPARTMENT, ColKind::Text),
        Column::new("转介日期", ColKind::Code),
        Column::new("答复期限", ColKind::Code),
        Column::answer(H_ANSWERED, AnswerInput::Free),
        Column::answer(H_ANSWER, AnswerInput::Free),
    ];
    let rows = referrals
        .iter()
        .filter(|r| r.answered_on.is_none())
        .map(|r| {
            let d = by_id.get(r.discovery_id.as_str());
            vec![
                Value::from(r.referral_id.as_str()),
                Value::from(r.discovery_id.as_str()),
                Value::from(d.map(|d| d.name.to_string()).unwrap_or_default()),
                Value::from(d.map(|d| d.id_number.masked()).unwrap_or_default()),
                Value::from(d.map(|d| d.township.to_string()).unwrap_or_default()),
                Value::from(r.department.as_str()),
                Value::from(r.sent_on.to_string()),
                Value::from(r.due_on.to_string()),
                Value::Empty,
                Value::Empty,
            ]
        })
        .collect();
    let rel = PathBuf::from("reports").join(format!("discover-referrals-{batch}.xlsx"));
    txn.put(
        &rel,
        writer::workbook_bytes(&[SheetSpec {
            name: "转介答复".into(),
            title: Some("转介答复表 (一门受理、协同办理): 部门答复后填写答复日期和办理结果".into()),
            columns,
            rows,
            batch: Some(batch),
            print: Default::default(),
        }])?,
    );
    Ok(Some(rel))
}

/// The pre-filled application register (申请登记表) of the assisted applications and urgent help not yet in
/// `cases.csv`: one head row per household, in the register `jiuzhu intake` reads, with what the discovery and its
/// investigation already know (name, ID, township, village, scheme, the date of the visit as 申请日期, the situation
/// as 致困原因, 先行救助 = 是 for urgent help). The clerk adds the members, incomes and bank account and runs
/// `jiuzhu intake` on it: nothing is typed twice. Returns its path (None when no application waits).
fn application_register(
    policy: &Policy,
    discoveries: &[Discovery],
    investigations: &[Investigation],
    txn: &mut Txn,
) -> Result<Option<PathBuf>> {
    let waiting = rules::awaiting_case(discoveries);
    if waiting.is_empty() {
        return Ok(None);
    }
    let closing: HashMap<&str, &Investigation> = investigations
        .iter()
        .filter(|v| v.closes)
        .map(|v| (v.discovery_id.as_str(), v))
        .collect();
    let ids: Vec<&str> = waiting.iter().map(|d| d.discovery_id.as_str()).collect();
    let batch = sha256_hex(ids.join("\n").as_bytes())[..8].to_uppercase();
    let labels = [
        "户主身份证号",
        "姓名",
        "身份证号",
        "与户主关系",
        "申请类别",
        "乡镇(街道)",
        "村(社区)",
        "住址",
        "联系电话",
        "申请日期",
        "户籍类型",
        "开户银行",
        "银行账号",
        "致困原因",
        "月收入(元)",
        "先行救助",
        "救助月数",
        "提供材料",
    ];
    let columns: Vec<Column> = labels
        .iter()
        .map(|l| {
            let kind = if matches!(*l, "户主身份证号" | "身份证号" | "联系电话" | "银行账号" | "申请日期")
            {
                ColKind::Code
            } else {
                ColKind::Text
            };
            Column::new(l, kind)
        })
        .collect();
    let rows = waiting
        .iter()
        .map(|d| {
            let v = closing.get(d.discovery_id.as_str());
            let scheme = v
                .and_then(|v| policy.schemes.get(&v.scheme))
                .map(|s| s.label.clone())
                .unwrap_or_default();
            let on = d.investigated_on.unwrap_or(d.found_on);
            let reason = v
                .map(|v| v.situation.to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| d.difficulty.to_string());
            let urgent = if d.outcome == Some(DiscoveryOutcome::Urgent) {
                YES
            } else {
                ""
            };
            let mut r = vec![Value::Empty; labels.len()];
            r[0] = Value::from(d.id_number.as_str());
            r[1] = Value::from(d.name.as_str());
            r[2] = Value::from(d.id_number.as_str());
            r[3] = Value::from("户主");
            r[4] = Value::from(scheme);
            r[5] = Value::from(d.township.as_str());
            r[6] = Value::from(d.village.as_str());
            r[9] = Value::from(on.to_string());
            r[13] = Value::from(reason);
            r[15] = Value::from(urgent);
            r
        })
        .collect();
    let rel = PathBuf::from("reports").join(format!("discover-applications-{batch}.xlsx"));
    txn.put(
        &rel,
        writer::workbook_bytes(&[SheetSpec {
            name: "申请登记".into(),
            title: Some(
                "协助申请登记表 (主动发现): 已按入户调查评估预填户主; 请补全家庭成员、月收入、开户银行和银行账号等, \
                 再 `jiuzhu intake` 导入"
                    .into(),
            ),
            columns,
            rows,
            batch: None,
            print: Default::default(),
        }])?,
    );
    Ok(Some(rel))
}

// ---------------------------------------------------------------------------------------------------------
// `jiuzhu discover`.

pub fn run(ws: &Workspace, args: &Args, quiet: bool) -> Result<Outcome> {
    if let Some(file) = &args.resolve {
        return resolve(ws, args, file, quiet);
    }
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut discoveries = ledger::read::<Discovery>(ws)?;
    let mut referrals = ledger::read::<Referral>(ws)?;
    let cases = ledger::read::<Case>(ws)?;
    let mut chain = events::Journal::read(ws)?;
    let linked = link_cases(&mut discoveries, &cases);
    let mut txn = Txn::new();
    let sheet = investigation_worksheet(&ws.policy, &mut discoveries, &mut txn)?;
    let referral_sheet = referral_worksheet(&discoveries, &mut referrals, &mut txn)?;
    let investigations = ledger::read::<Investigation>(ws)?;
    let register = application_register(&ws.policy, &discoveries, &investigations, &mut txn)?;
    txn.put(ledger::path_of::<Discovery>(), ledger::to_bytes(&discoveries)?);
    if !referrals.is_empty() {
        txn.put(ledger::path_of::<Referral>(), ledger::to_bytes(&referrals)?);
    }
    if !linked.is_empty() {
        chain.append(linked.iter().map(|(case_id, detail)| NewEvent {
            step: STEP.into(),
            case_id: case_id.clone(),
            detail: detail.clone(),
            ..NewEvent::default()
        }));
        chain.put(&mut txn)?;
    }
    let out = summary(
        ws,
        &discoveries,
        &referrals,
        sheet.as_deref(),
        referral_sheet.as_deref(),
        register.as_deref(),
        &linked,
    );
    if let Some(lock) = lock {
        ws.commit(&lock, txn)?;
    }
    // A worksheet to answer (discoveries to investigate, referrals awaiting a department) needs a person.
    let outcome = if sheet.is_some() || referral_sheet.is_some() {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if !quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// Links assisted applications and urgent help to the household's case (its head's case applied for on or after
/// the date found), and closes them once the case is decided. Returns the journal lines (case, detail).
fn link_cases(discoveries: &mut [Discovery], cases: &[Case]) -> Vec<(String, String)> {
    let mut by_head: HashMap<&str, Vec<&Case>> = HashMap::default();
    for c in cases {
        by_head.entry(c.applicant_id_number.as_str()).or_default().push(c);
    }
    let mut out = Vec::new();
    for d in discoveries.iter_mut().filter(|d| {
        d.status == DiscoveryStatus::Following
            && matches!(d.outcome, Some(DiscoveryOutcome::Assisted | DiscoveryOutcome::Urgent))
    }) {
        let case = if d.case_id.is_empty() {
            by_head.get(d.id_number.as_str()).and_then(|cs| {
                cs.iter()
                    .filter(|c| c.applied_on >= d.found_on)
                    .min_by_key(|c| (c.applied_on, c.case_id.clone()))
                    .copied()
            })
        } else {
            cases.iter().find(|c| c.case_id == d.case_id)
        };
        let Some(case) = case else { continue };
        if d.case_id.is_empty() {
            d.case_id = case.case_id.clone();
            out.push((
                case.case_id.clone(),
                format!("主动发现 {} 的申请已受理为案件 {}", d.discovery_id, case.case_id),
            ));
        }
        if decided(case.status) {
            d.status = DiscoveryStatus::Closed;
            out.push((
                case.case_id.clone(),
                format!(
                    "主动发现 {} 办结: 案件 {} {}",
                    d.discovery_id,
                    case.case_id,
                    case.status.label_zh()
                ),
            ));
        }
    }
    out
}

/// Whether a case has been decided (its review is over).
fn decided(s: CaseStatus) -> bool {
    !matches!(s, CaseStatus::Received | CaseStatus::NeedsInfo | CaseStatus::Verified)
}

fn summary(
    ws: &Workspace,
    discoveries: &[Discovery],
    referrals: &[Referral],
    sheet: Option<&Path>,
    referral_sheet: Option<&Path>,
    register: Option<&Path>,
    linked: &[(String, String)],
) -> String {
    let count = |s: DiscoveryStatus| discoveries.iter().filter(|d| d.status == s).count();
    let (open, following, closed) = (
        count(DiscoveryStatus::Open),
        count(DiscoveryStatus::Following),
        count(DiscoveryStatus::Closed),
    );
    let unanswered = referrals.iter().filter(|r| r.answered_on.is_none()).count();
    let mut out = tr(
        format!(
            "discoveries: {} in all = {open} to investigate + {following} being followed + {closed} closed; {unanswered} \
             referrals awaiting an answer",
            discoveries.len()
        ),
        format!(
            "主动发现: 共 {} 条 = 待调查 {open} + 跟踪办理中 {following} + 已办结 {closed}; 转介待答复 {unanswered} 件",
            discoveries.len()
        ),
    );
    for (_, l) in linked {
        out.push_str(&format!("\n  {l}"));
    }
    let jiuzhu = ws.jiuzhu();
    if let Some(p) = sheet {
        out.push_str(&tr(
            format!(
                "\n  investigation worksheet: {} — then `{jiuzhu} discover --resolve {}`",
                p.display(),
                p.display()
            ),
            format!(
                "\n  入户调查评估表: {} — 填好后 `{jiuzhu} discover --resolve {}`",
                p.display(),
                p.display()
            ),
        ));
    }
    if let Some(p) = register {
        out.push_str(&register_line(&jiuzhu, p));
    }
    if let Some(p) = referral_sheet {
        out.push_str(&tr(
            format!(
                "\n  referral worksheet: {} — then `{jiuzhu} discover --resolve {}`",
                p.display(),
                p.display()
            ),
            format!(
                "\n  转介答复表: {} — 填好后 `{jiuzhu} discover --resolve {}`",
                p.display(),
                p.display()
            ),
        ));
    }
    out
}

/// The line that points to the pre-filled application register.
fn register_line(jiuzhu: &str, p: &Path) -> String {
    tr(
        format!(
            "\n  application register (协助申请): {} — add the members, incomes and bank account, then `{jiuzhu} \
             intake {}`",
            p.display(),
            p.display()
        ),
        format!(
            "\n  协助申请登记表: {} — 补全家庭成员、收入和银行账号后 `{jiuzhu} intake {}`",
            p.display(),
            p.display()
        ),
    )
}

// ---------------------------------------------------------------------------------------------------------
// `jiuzhu discover --resolve FILE`.

fn resolve(ws: &Workspace, args: &Args, file: &Path, quiet: bool) -> Result<Outcome> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| tr(format!("cannot read {shown}"), format!("无法读取 {shown}")))?;
    let wb = reader::read_worksheet_bytes(&shown, &bytes, Encoding::Detect)?;
    let is_referrals = wb.sheets.first().is_some_and(|s| {
        s.rows
            .iter()
            .take(5)
            .any(|r| r.first().is_some_and(|c| c.text == H_REFERRAL))
    });
    if is_referrals {
        return resolve_referrals(ws, args, &shown, &wb, quiet);
    }
    let what = tr("investigation worksheet", "入户调查评估表");
    let sheet = writer::returned(&shown, &wb, &what, &[H_DISCOVERY])?;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut discoveries = ledger::read::<Discovery>(ws)?;
    let mut investigations = ledger::read::<Investigation>(ws)?;
    let mut referrals = ledger::read::<Referral>(ws)?;
    let mut monitored = ledger::read::<Monitored>(ws)?;
    let cases = ledger::read::<Case>(ws)?;
    let mut chain = events::Journal::read(ws)?;
    let index: HashMap<String, usize> = discoveries
        .iter()
        .enumerate()
        .map(|(i, d)| (d.discovery_id.clone(), i))
        .collect();
    let col = |label: &str| sheet.column(&shown, &[label]);
    let c_id = col(H_DISCOVERY)?;
    let c_name = col(H_NAME)?;
    let c_masked = col(H_ID)?;
    let c_date = col(H_DATE)?;
    let c_by = col(H_INVESTIGATORS)?;
    let c_seen = col(H_SEEN)?;
    let c_situation = col(H_SITUATION)?;
    let c_measures = col(H_MEASURES)?;
    let c_outcome = col(H_OUTCOME)?;
    let c_department = col(H_DEPARTMENT)?;
    let c_scheme = col(H_SCHEME)?;
    let c_category = col(H_CATEGORY)?;
    let c_class = col(H_CLASS)?;
    let c_reason = col(H_REASON)?;
    let c_explained = col(H_EXPLAINED)?;
    let text = |row: &[Cell], c: usize| row.get(c).map(|c| c.text.trim().to_string()).unwrap_or_default();
    let batch = sheet.batch.clone();

    let mut problems: Vec<String> = Vec::new();
    let mut visits: Vec<Investigation> = Vec::new();
    let mut on_sheet: BTreeSet<String> = BTreeSet::new();
    let mut blank: Vec<String> = Vec::new();
    for (at, row) in &sheet.rows {
        if row.iter().all(Cell::is_blank) {
            continue;
        }
        let at_s = crate::cmd::compare::row_at(at);
        let id = text(row, c_id);
        let Some(&i) = index.get(&id) else {
            problems.push(tr(
                format!("{at_s}: discovery {id} is not in ledgers/discoveries.csv"),
                format!("{at_s}: 发现编号 {id} 不在 ledgers/discoveries.csv 中"),
            ));
            continue;
        };
        let d = &discoveries[i];
        on_sheet.insert(id.clone());
        if d.name.as_str() != text(row, c_name) || d.id_number.masked() != text(row, c_masked) {
            problems.push(tr(
                format!("{at_s}: the key cells of discovery {id} were changed (name or ID differ from the ledger)"),
                format!("{at_s}: 发现编号 {id} 的关键单元格被改动 (姓名或身份证号与台账不符)"),
            ));
            continue;
        }
        if d.batch != batch {
            problems.push(tr(
                format!("{at_s}: discovery {id} is not on this worksheet's batch {batch} (an older worksheet?)"),
                format!("{at_s}: 发现编号 {id} 不属于本表的批次 {batch} (是旧表吗?)"),
            ));
            continue;
        }
        let date_cell = row.get(c_date).cloned().unwrap_or_default();
        if date_cell.is_blank() {
            blank.push(format!("{id} ({})", d.name));
            continue;
        }
        let on = match date_cell.as_date() {
            Ok(on) if on >= d.found_on => on,
            Ok(on) => {
                problems.push(tr(
                    format!("{at_s}: {H_DATE} {on} is before the date found ({})", d.found_on),
                    format!("{at_s}: {H_DATE} {on} 早于发现日期 {}", d.found_on),
                ));
                continue;
            }
            Err(e) => {
                problems.push(tr(
                    format!("{at_s}: {H_DATE} `{}`: {e}", date_cell.text),
                    format!("{at_s}: {H_DATE}「{}」: {}", date_cell.text, e.zh()),
                ));
                continue;
            }
        };
        let investigators = followup::split_names(&text(row, c_by));
        let yes_no = |c: usize, label: &str, problems: &mut Vec<String>| match text(row, c).as_str() {
            "是" | "有" | "已" | "√" | "yes" => Some(true),
            "否" | "无" | "未" | "" | "no" => Some(false),
            other => {
                problems.push(tr(
                    format!("{at_s}: {label} `{other}` is not 是 or 否"),
                    format!("{at_s}: {label}「{other}」应为 是 或 否"),
                ));
                None
            }
        };
        let (Some(seen), Some(explained)) = (
            yes_no(c_seen, H_SEEN, &mut problems),
            yes_no(c_explained, H_EXPLAINED, &mut problems),
        ) else {
            continue;
        };
        let outcome_text = text(row, c_outcome);
        let outcome = match outcome_text.as_str() {
            "" | PENDING => None,
            t => match DiscoveryOutcome::parse(t) {
                Some(o) => Some(o),
                None => {
                    let all = DiscoveryOutcome::ALL.map(|o| o.label_zh()).join("、");
                    problems.push(tr(
                        format!("{at_s}: {H_OUTCOME} `{t}` is not one of {all}"),
                        format!("{at_s}: {H_OUTCOME}「{t}」无法识别, 应为 {all} 之一"),
                    ));
                    continue;
                }
            },
        };
        let department = text(row, c_department);
        let scheme_text = text(row, c_scheme);
        let scheme = ws.policy.scheme_by_name(&scheme_text).map(|(k, _)| k.to_string());
        let category_text = text(row, c_category);
        let category = MonitorCategory::parse(&category_text);
        let class_text = text(row, c_class);
        let class = DifficultyClass::parse(&class_text);
        for (given, ok, label) in [
            (!scheme_text.is_empty(), scheme.is_some(), H_SCHEME),
            (!category_text.is_empty(), category.is_some(), H_CATEGORY),
            (!class_text.is_empty(), class.is_some(), H_CLASS),
        ] {
            if given && !ok {
                let t = match label {
                    H_SCHEME => &scheme_text,
                    H_CATEGORY => &category_text,
                    _ => &class_text,
                };
                problems.push(tr(
                    format!("{at_s}: {label} `{t}` is not one of the list's values"),
                    format!("{at_s}: {label}「{t}」无法识别, 请从下拉列表中选择"),
                ));
            }
        }
        let reason = text(row, c_reason);
        let situation = text(row, c_situation);
        let measures = text(row, c_measures);
        let gaps = rules::gaps(
            &Visit {
                investigators: investigators.len(),
                seen,
                situation: &situation,
                measures: &measures,
                outcome,
                department_known: ws.policy.discovery.departments.contains(&department),
                scheme_known: scheme.is_some(),
                category_known: category.is_some() && class.is_some(),
                reason: &reason,
                explained,
            },
            &ws.policy.discovery,
        );
        let joined = investigators.join("、");
        let hash = sha256_hex(format!("{id}|{on}|{joined}").as_bytes());
        visits.push(Investigation {
            investigation_id: format!("V-{}", hash[..16].to_uppercase()),
            discovery_id: id,
            investigated_on: on,
            investigators: Text(joined),
            investigator_count: investigators.len() as u32,
            seen,
            situation: Text(situation),
            measures: Text(measures),
            outcome,
            department: Text(department),
            scheme: scheme.unwrap_or_default(),
            category: Text(category.map(|c| c.label_zh().to_string()).unwrap_or_default()),
            difficulty_class: class,
            reason: Text(reason),
            explained,
            closes: gaps.is_empty(),
            gaps: Text(gaps.iter().map(|g| g.label_zh()).collect::<Vec<_>>().join("; ")),
            batch: batch.clone(),
        });
    }
    if sheet.rows.iter().all(|(_, r)| r.iter().all(Cell::is_blank)) {
        problems.push(tr("the worksheet has no rows", "调查评估表中没有数据行"));
    }
    if !problems.is_empty() {
        let problems = crate::ui::first_of(&problems, 20, "\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {problems}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {problems}")
        ));
    }

    // Record the visits; close what they close.
    let known: BTreeSet<String> = investigations.iter().map(|v| v.investigation_id.clone()).collect();
    let mut new_events: Vec<NewEvent> = Vec::new();
    let mut kept_open: Vec<String> = Vec::new();
    let (mut recorded, mut closed) = (0usize, 0usize);
    let policy = &ws.policy;
    let cal = (&policy.verification.holidays, &policy.verification.extra_workdays);
    for v in visits {
        if known.contains(&v.investigation_id) {
            continue;
        }
        recorded += 1;
        let d = &mut discoveries[index[&v.discovery_id]];
        if !v.closes {
            kept_open.push(tr(
                format!(
                    "{} ({}) stays open: {}",
                    d.discovery_id,
                    d.name,
                    v.gaps
                        .split("; ")
                        .filter_map(|g| gap_en(g))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                format!("{} ({}) 仍未办结: {}", d.discovery_id, d.name, v.gaps),
            ));
            new_events.push(NewEvent {
                step: STEP.into(),
                detail: format!("入户调查 {} {}: 未办结 — {}", d.discovery_id, v.investigated_on, v.gaps),
                ..NewEvent::default()
            });
            investigations.push(v);
            continue;
        }
        closed += 1;
        let outcome = v.outcome.expect("a closing visit has an outcome");
        d.outcome = Some(outcome);
        d.investigated_on = Some(v.investigated_on);
        d.status = match outcome {
            DiscoveryOutcome::Assisted | DiscoveryOutcome::Urgent | DiscoveryOutcome::Referral => {
                DiscoveryStatus::Following
            }
            DiscoveryOutcome::Monitoring | DiscoveryOutcome::NoAssistance => DiscoveryStatus::Closed,
        };
        let mut detail = format!(
            "入户调查 {} {}: {}",
            d.discovery_id,
            v.investigated_on,
            outcome.label_zh()
        );
        match outcome {
            DiscoveryOutcome::Referral => {
                let hash = sha256_hex(format!("{}|{}", d.discovery_id, v.department).as_bytes());
                let referral_id = format!("R-{}", hash[..16].to_uppercase());
                if !referrals.iter().any(|r| r.referral_id == referral_id) {
                    referrals.push(Referral {
                        referral_id,
                        discovery_id: d.discovery_id.clone(),
                        department: v.department.clone(),
                        sent_on: v.investigated_on,
                        due_on: add_working_days(
                            v.investigated_on,
                            policy.discovery.referral_due_working_days,
                            cal.0,
                            cal.1,
                        ),
                        answered_on: None,
                        answer: Text::default(),
                        batch: String::new(),
                    });
                }
                detail.push_str(&format!(" 转介 {}", v.department));
            }
            DiscoveryOutcome::Monitoring => {
                let category = MonitorCategory::parse(&v.category).unwrap_or(MonitorCategory::Other);
                let class = v.difficulty_class.unwrap_or(DifficultyClass::General);
                match monitored.iter_mut().find(|m| m.id_number == d.id_number) {
                    Some(m) => {
                        m.category = category;
                        m.difficulty_class = class;
                    }
                    None => monitored.push(Monitored {
                        id_number: d.id_number.clone(),
                        name: d.name.clone(),
                        township: d.township.clone(),
                        village: d.village.clone(),
                        category,
                        difficulty_class: class,
                        rule: Text(format!("入户调查评估 ({})", d.channel.label_zh())),
                        since: v.investigated_on,
                        discovery_id: d.discovery_id.clone(),
                        case_id: String::new(),
                        last_visit_on: None,
                        per_capita_income: None,
                    }),
                }
                detail.push_str(&format!(" {} {}", category.label_zh(), class.label_zh()));
            }
            DiscoveryOutcome::Assisted | DiscoveryOutcome::Urgent => {
                detail.push_str(&format!(" {}", v.scheme));
            }
            DiscoveryOutcome::NoAssistance => {
                detail.push_str(&format!(" 原因: {}; 已做政策解释", v.reason));
            }
        }
        new_events.push(NewEvent {
            step: STEP.into(),
            detail,
            ..NewEvent::default()
        });
        investigations.push(v);
    }
    let linked = link_cases(&mut discoveries, &cases);
    for (case_id, detail) in &linked {
        new_events.push(NewEvent {
            step: STEP.into(),
            case_id: case_id.clone(),
            detail: detail.clone(),
            ..NewEvent::default()
        });
    }
    // Rows of the batch left blank or deleted stay open.
    let removed: Vec<String> = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Open && d.batch == batch && !on_sheet.contains(&d.discovery_id))
        .map(|d| format!("{} ({})", d.discovery_id, d.name))
        .collect();
    let mut txn = Txn::new();
    investigations.sort_by(|a, b| a.investigation_id.cmp(&b.investigation_id));
    referrals.sort_by(|a, b| a.referral_id.cmp(&b.referral_id));
    monitored.sort_by(|a, b| a.id_number.as_str().cmp(b.id_number.as_str()));
    let sheet_after = investigation_worksheet(policy, &mut discoveries, &mut txn)?;
    let referral_sheet = referral_worksheet(&discoveries, &mut referrals, &mut txn)?;
    let register = application_register(policy, &discoveries, &investigations, &mut txn)?;
    if recorded > 0 || !linked.is_empty() {
        txn.put(ledger::path_of::<Discovery>(), ledger::to_bytes(&discoveries)?);
        txn.put(ledger::path_of::<Investigation>(), ledger::to_bytes(&investigations)?);
        if !referrals.is_empty() {
            txn.put(ledger::path_of::<Referral>(), ledger::to_bytes(&referrals)?);
        }
        if !monitored.is_empty() {
            txn.put(ledger::path_of::<Monitored>(), ledger::to_bytes(&monitored)?);
        }
        let mut events = vec![NewEvent {
            step: STEP.into(),
            detail: format!("resolved investigation batch {batch}: {recorded} visits recorded, {closed} closed"),
            // The file's name, not the path given: the journal does not depend on where the sheet was saved.
            inputs: format!(
                "{}={}",
                file.file_name().and_then(|n| n.to_str()).unwrap_or("worksheet"),
                sha256_hex(&bytes)
            ),
            ..NewEvent::default()
        }];
        events.extend(new_events);
        chain.append(events);
        chain.put(&mut txn)?;
    }
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let mut out = tr(
        format!(
            "{prefix}discover --resolve {shown}: {recorded} home investigations recorded, {closed} meet the 三个不放过"
        ),
        format!("{prefix}入户调查评估表 {shown}: 登记入户调查 {recorded} 次, 其中 {closed} 次做到三个不放过"),
    );
    for l in &kept_open {
        out.push_str(&format!("\n  {l}"));
    }
    if !blank.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} rows have no {H_DATE} and stay open: {}",
                blank.len(),
                crate::ui::first_of(&blank, 20, ", ")
            ),
            format!(
                "\n  {} 行未填写{H_DATE}, 仍待调查: {}",
                blank.len(),
                crate::ui::first_of(&blank, 20, "、")
            ),
        ));
    }
    if !removed.is_empty() {
        out.push_str(&tr(
            format!(
                "\n  {} discoveries of batch {batch} are not on the worksheet (rows removed?) and stay open: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, ", ")
            ),
            format!(
                "\n  批次 {batch} 中 {} 条发现不在表上 (行被删除?), 仍待调查: {}",
                removed.len(),
                crate::ui::first_of(&removed, 20, "、")
            ),
        ));
    }
    for (_, l) in &linked {
        out.push_str(&format!("\n  {l}"));
    }
    let jiuzhu = ws.jiuzhu();
    if let Some(p) = &sheet_after {
        out.push_str(&tr(
            format!(
                "\n  still open: {} — then `{jiuzhu} discover --resolve {}`",
                p.display(),
                p.display()
            ),
            format!(
                "\n  仍待调查: {} — 填好后 `{jiuzhu} discover --resolve {}`",
                p.display(),
                p.display()
            ),
        ));
    }
    if let Some(p) = &referral_sheet {
        out.push_str(&tr(
            format!("\n  referral worksheet: {}", p.display()),
            format!("\n  转介答复表: {}", p.display()),
        ));
    }
    if let Some(p) = &register {
        out.push_str(&register_line(&jiuzhu, p));
    }
    let outcome = if kept_open.is_empty() && blank.is_empty() && removed.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    crate::ui::record("recorded", recorded);
    crate::ui::record("closed", closed);
    if let Some(lock) = lock {
        if recorded > 0 || !linked.is_empty() {
            ws.commit(&lock, txn)?;
        }
    }
    if !quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

/// The English of a gap's Chinese label (for the terminal under English).
fn gap_en(zh: &str) -> Option<&'static str> {
    [
        Gap::NotSeen,
        Gap::Unclear,
        Gap::NoMeasure,
        Gap::TooFewInvestigators,
        Gap::NoDepartment,
        Gap::NotExplained,
        Gap::NoScheme,
        Gap::NoCategory,
    ]
    .into_iter()
    .find(|g| g.label_zh() == zh)
    .map(Gap::label_en)
}

fn resolve_referrals(ws: &Workspace, args: &Args, shown: &str, wb: &reader::Workbook, quiet: bool) -> Result<Outcome> {
    let what = tr("referral worksheet", "转介答复表");
    let sheet = writer::returned(shown, wb, &what, &[H_REFERRAL])?;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut discoveries = ledger::read::<Discovery>(ws)?;
    let mut referrals = ledger::read::<Referral>(ws)?;
    let mut chain = events::Journal::read(ws)?;
    let c_id = sheet.column(shown, &[H_REFERRAL])?;
    let c_on = sheet.column(shown, &[H_ANSWERED])?;
    let c_answer = sheet.column(shown, &[H_ANSWER])?;
    let index: HashMap<String, usize> = referrals
        .iter()
        .enumerate()
        .map(|(i, r)| (r.referral_id.clone(), i))
        .collect();
    let mut problems = Vec::new();
    let mut answers: Vec<(usize, NaiveDate, String)> = Vec::new();
    let mut blank = 0usize;
    for (at, row) in &sheet.rows {
        if row.iter().all(Cell::is_blank) {
            continue;
        }
        let at_s = crate::cmd::compare::row_at(at);
        let id = row.get(c_id).map(|c| c.text.trim().to_string()).unwrap_or_default();
        let Some(&i) = index.get(&id) else {
            problems.push(tr(
                format!("{at_s}: referral {id} is not in ledgers/referrals.csv"),
                format!("{at_s}: 转介编号 {id} 不在 ledgers/referrals.csv 中"),
            ));
            continue;
        };
        if referrals[i].batch != sheet.batch {
            problems.push(tr(
                format!("{at_s}: referral {id} is not on this worksheet's batch {}", sheet.batch),
                format!("{at_s}: 转介编号 {id} 不属于本表的批次 {}", sheet.batch),
            ));
            continue;
        }
        let cell = row.get(c_on).cloned().unwrap_or_default();
        let answer = row.get(c_answer).map(|c| c.text.trim().to_string()).unwrap_or_default();
        if cell.is_blank() && answer.is_empty() {
            blank += 1;
            continue;
        }
        match cell.as_date() {
            Ok(on) if on >= referrals[i].sent_on && !answer.is_empty() => answers.push((i, on, answer)),
            Ok(_) if answer.is_empty() => problems.push(tr(
                format!("{at_s}: {H_ANSWERED} given but no {H_ANSWER}"),
                format!("{at_s}: 填写了{H_ANSWERED}, 但没有{H_ANSWER}"),
            )),
            Ok(on) => problems.push(tr(
                format!(
                    "{at_s}: {H_ANSWERED} {on} is before the referral ({})",
                    referrals[i].sent_on
                ),
                format!("{at_s}: {H_ANSWERED} {on} 早于转介日期 {}", referrals[i].sent_on),
            )),
            Err(e) => problems.push(tr(
                format!("{at_s}: {H_ANSWERED} `{}`: {e}", cell.text),
                format!("{at_s}: {H_ANSWERED}「{}」: {}", cell.text, e.zh()),
            )),
        }
    }
    if !problems.is_empty() {
        let problems = crate::ui::first_of(&problems, 20, "\n  ");
        bail!(tr(
            format!("{shown} refused, nothing recorded:\n  {problems}"),
            format!("{shown} 被拒收, 未记录任何内容:\n  {problems}")
        ));
    }
    let mut new_events = Vec::new();
    let mut answered = 0usize;
    for (i, on, answer) in answers {
        let r = &mut referrals[i];
        if r.answered_on.is_some() {
            continue;
        }
        r.answered_on = Some(on);
        r.answer = Text(answer);
        answered += 1;
        new_events.push(NewEvent {
            step: STEP.into(),
            detail: format!("转介 {} ({}) {} 答复: {}", r.referral_id, r.department, on, r.answer),
            ..NewEvent::default()
        });
    }
    // A referred discovery is closed once all its referrals are answered.
    for d in discoveries
        .iter_mut()
        .filter(|d| d.status == DiscoveryStatus::Following && d.outcome == Some(DiscoveryOutcome::Referral))
    {
        let mine: Vec<&Referral> = referrals.iter().filter(|r| r.discovery_id == d.discovery_id).collect();
        if !mine.is_empty() && mine.iter().all(|r| r.answered_on.is_some()) {
            d.status = DiscoveryStatus::Closed;
        }
    }
    let mut txn = Txn::new();
    let next = referral_worksheet(&discoveries, &mut referrals, &mut txn)?;
    if answered > 0 {
        txn.put(ledger::path_of::<Discovery>(), ledger::to_bytes(&discoveries)?);
        txn.put(ledger::path_of::<Referral>(), ledger::to_bytes(&referrals)?);
        let mut events = vec![NewEvent {
            step: STEP.into(),
            detail: format!("resolved referral batch {}: {answered} answered", sheet.batch),
            ..NewEvent::default()
        }];
        events.extend(new_events);
        chain.append(events);
        chain.put(&mut txn)?;
    }
    let mut out = tr(
        format!("discover --resolve {shown}: {answered} referral answers recorded; {blank} still awaiting an answer"),
        format!("转介答复表 {shown}: 登记转介答复 {answered} 件; 仍待答复 {blank} 件"),
    );
    if let Some(p) = next {
        out.push_str(&tr(
            format!("\n  referral worksheet: {}", p.display()),
            format!("\n  转介答复表: {}", p.display()),
        ));
    }
    if let Some(lock) = lock {
        if answered > 0 {
            ws.commit(&lock, txn)?;
        }
    }
    if !quiet || blank > 0 {
        crate::outln!("{out}");
    }
    Ok(if blank > 0 {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    })
}

// ---------------------------------------------------------------------------------------------------------
// For `status`: pure over ledgers already read.

/// The date the discovery ledgers know last (for `status`'s as-of).
pub fn latest_date(discoveries: &[Discovery]) -> Option<NaiveDate> {
    discoveries
        .iter()
        .flat_map(|d| [Some(d.found_on), d.investigated_on])
        .flatten()
        .max()
}

/// `status`'s items of active discovery: investigations and referrals overdue (a person must act), discoveries
/// still to investigate and outcomes still followed (information).
pub fn status_items(
    discoveries: &[Discovery],
    referrals: &[Referral],
    as_of: NaiveDate,
    jiuzhu: &str,
    push: &mut impl FnMut(&'static str, usize, String, String, bool),
) {
    let late = rules::overdue(discoveries, as_of);
    if let Some(first) = late.first() {
        push(
            "discoveries_overdue",
            late.len(),
            tr(
                format!(
                    "{} discoveries (主动发现) are past their investigation limit (earliest due {}: {}, {})",
                    late.len(),
                    first.due_on,
                    first.township,
                    first.discovery_id
                ),
                format!(
                    "{} 条主动发现超过入户调查时限 (最早应于 {} 调查: {} {})",
                    late.len(),
                    first.due_on,
                    first.township,
                    first.discovery_id
                ),
            ),
            tr(
                format!("investigate at the door, fill in the worksheet of `{jiuzhu} discover`, then `{jiuzhu} discover --resolve FILE`"),
                format!("入户调查后填写 `{jiuzhu} discover` 写出的评估表, 再 `{jiuzhu} discover --resolve 文件`"),
            ),
            false,
        );
    }
    let open = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Open && d.due_on >= as_of)
        .count();
    push(
        "discoveries_open",
        open,
        tr(
            format!("{open} discoveries (主动发现) to investigate within their limit"),
            format!("{open} 条主动发现待入户调查 (未超时限)"),
        ),
        format!("{jiuzhu} discover"),
        true,
    );
    let late = rules::overdue_referrals(referrals, as_of);
    if let Some(first) = late.first() {
        push(
            "referrals_overdue",
            late.len(),
            tr(
                format!(
                    "{} referrals (转介) are unanswered past their date (earliest due {}: {})",
                    late.len(),
                    first.due_on,
                    first.department
                ),
                format!(
                    "{} 件转介超期未答复 (最早应于 {} 答复: {})",
                    late.len(),
                    first.due_on,
                    first.department
                ),
            ),
            tr(
                format!("ask the department, fill in the referral worksheet, then `{jiuzhu} discover --resolve FILE`"),
                format!("催办后填写转介答复表, 再 `{jiuzhu} discover --resolve 文件`"),
            ),
            false,
        );
    }
    let following = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Following)
        .count();
    push(
        "discoveries_following",
        following,
        tr(
            format!("{following} discoveries investigated whose outcome is still followed (case or referral)"),
            format!("{following} 条主动发现已调查, 处理结果跟踪办理中 (案件或转介)"),
        ),
        format!("{jiuzhu} discover"),
        true,
    );
}
