//! `jiuzhu supplements FILE [--by NAME]`: the materials a household supplemented (补正) after the 一次性告知,
//! recorded on its case.
//!
//! The sheet is the supplement-notice workbook `verify` writes (`reports/supplement-notices-DATE.xlsx`) with its
//! answer columns filled in — 收到日期 (the day the materials arrived), 已收材料 (what arrived) and 经办人 (who
//! took them in) — or any sheet with those columns and 案件编号 (or 户主身份证号). A row whose answer columns are
//! blank is a household that has not supplemented yet and is left as it is. Every other row must name a case
//! under review, a real date not before the application, and only materials the case was asked for (those it
//! still lacks); the sheet is recorded all-or-nothing: one bad row and nothing is written (exit 1), the rows
//! named with their reasons. A file that cannot be read as such a sheet stops the run (exit 2).
//!
//! What is recorded: each case's `materials` in `cases.csv` gains what arrived, one journal event per case
//! (what, when, by whom, the sheet's SHA-256), the sheet kept in `inbox/`. The case's status is left to the next
//! `verify`, which checks it again (a case that lacked only those materials becomes verified). The time limit
//! still counts from the day after the application was received (受理次日, as the policy's
//! `time_limit_working_days` says); the day the materials arrived does not restart it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Result};
use chrono::NaiveDate;

use crate::cmd::cli::{examples, Ctx};
use crate::cmd::step::Step;
use crate::domain::date::DateBounds;
use crate::domain::eligibility;
use crate::domain::text;
use crate::i18n::{tr, Msg};
use crate::ledger::events::NewEvent;
use crate::ledger::{Case, CaseStatus, Text};
use crate::sheet::fields::HeaderNames;
use crate::sheet::reader::{self, Cell, Encoding};
use crate::workspace::{Workspace, POLICY_FILE};
use crate::Outcome;

/// The journal step of recorded supplements.
pub const STEP: &str = "supplements";

// Record the materials households supplemented (补正) after the 一次性告知.
// Its options and help are in both languages, picked when the command line is built.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Record the materials households supplemented (补正) after the 一次性告知: the returned \
supplement-notice workbook with 收到日期, 已收材料 and 经办人 filled in; the next verify checks the cases again",
        "登记一次性告知后家庭补交的材料 (补正): 填好 收到日期、已收材料 和 经办人 的一次性告知书; \
下次 verify 重新审核这些案件",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --dry-run\n  \
jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --by 王芳",
        "示例:\n  jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --dry-run\n  \
jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --by 王芳",
    )),
    after_help = tr("\
A row with 收到日期 and 已收材料 blank is a household that has not supplemented yet. Every other row must name a \
case under review, a date not before the application and only materials the case still lacks; one bad row and \
nothing is recorded (exit 1). The time limit still counts from the day after the application was received.", "\
收到日期和已收材料都为空的行表示该户尚未补正。其余各行须指明审核中的案件、不早于受理日期的日期, 且只登记该案件\
仍缺的材料; 有一行不符即整表不登记 (退出码 1)。办理时限仍自受理次日起算。")
)]
pub struct Args {
    #[arg(value_name = "FILE", help = tr(
        "The returned supplement-notice workbook (reports/supplement-notices-DATE.xlsx with 收到日期, 已收材料 \
         and 经办人 filled in), or a sheet with those columns and 案件编号",
        "填好 收到日期、已收材料 和 经办人 的一次性告知书 (reports/supplement-notices-DATE.xlsx), 或含这些列及 \
         案件编号 的表",
    ))]
    pub file: PathBuf,
    #[arg(long, value_name = "NAME", help = tr(
        "Who took the materials in, for rows whose 经办人 is blank",
        "经办人 (用于 经办人 一栏空白的行)",
    ))]
    pub by: Option<String>,
    #[arg(long, value_name = "ENCODING", help = tr(
        "The CSV file's encoding when it cannot be told (gb18030, utf-8)",
        "无法识别时 CSV 文件的编码 (gb18030, utf-8)",
    ))]
    pub encoding: Option<String>,
    #[arg(long, help = tr("Show what would be recorded; write nothing", "只显示将记录什么; 不写任何文件"))]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (no period), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then_some(None)
    }
}

/// The command line's entry: the workbook taken from `-C DIR` as git does.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let mut args = args;
    args.file = ctx.path(&args.file);
    run(&ctx.workspace()?, &args, ctx.quiet)
}

/// A row that cannot be recorded.
struct Reject {
    row: u32,
    reason: Msg,
}

/// What arrived for one case, from all its rows.
struct Received {
    index: usize,
    materials: Vec<String>,
    on: NaiveDate,
    clerks: Vec<String>,
}

pub fn run(ws: &Workspace, args: &Args, quiet: bool) -> Result<Outcome> {
    let encoding = match &args.encoding {
        Some(e) => Encoding::parse(e)?,
        None => Encoding::Detect,
    };
    let mut step = Step::begin(ws, STEP, args.dry_run)?;
    let names = HeaderNames::new(&ws.policy.columns);
    let required = ["received_on", "received_materials"];
    let any_of = ["case_id", "household_key"];
    let reads = ["case_id", "household_key", "received_on", "received_materials", "clerk"];
    let input = match reader::read_table_file(&args.file, encoding, &names, (&required, &any_of), &reads)? {
        Ok(input) => input,
        Err(misses) => bail!(tr(
            format!(
                "{} is not a supplement sheet (补正登记): it needs the columns 案件编号 (or 户主身份证号), 收到日期 \
                 and 已收材料 (经办人 optional) — fill them in on the 一次性告知 workbook verify wrote \
                 (reports/supplement-notices-DATE.xlsx).\n  {}",
                args.file.display(),
                misses.join("\n  ")
            ),
            format!(
                "{} 不是补正登记表: 需要以下列: 案件编号 (或户主身份证号)、收到日期和已收材料 (经办人可以没有) — \
                 请在 verify 生成的一次性告知书 (reports/supplement-notices-DATE.xlsx) 上填写。\n  {}",
                args.file.display(),
                misses.join("\n  ")
            )
        )),
    };
    let mut cases = step.read::<Case>()?;
    let shown = input.name.clone();
    if step.journal()?.took(STEP, &input.sha256) {
        if !quiet {
            crate::outln!(
                "{}",
                tr(
                    format!("supplements: {shown} was already recorded (the same file); nothing to do"),
                    format!("补正登记: {shown} 已经登记过 (同一文件); 无需处理")
                )
            );
        }
        return Ok(Outcome::Done);
    }
    // Every column accounted for: those not read are listed with the summary; one that looks like a column the
    // sheet is read from stops the whole sheet (it is recorded whole), lest what it says be lost.
    let (unused, near_misses) = reader::unused_lines(&input.name, false, &input.unused, "columns");
    let unused: Vec<String> = unused.into_iter().map(|l| format!("  {l}")).collect();
    if near_misses > 0 {
        for l in &unused {
            crate::errln!("{l}");
        }
        crate::errln!(
            "{}",
            tr(
                format!("supplements: {shown}: nothing was recorded — map the column above and run again"),
                format!("补正登记: {shown}: 未登记任何内容 — 请按上面的提示对应好该列后重新运行"),
            )
        );
        return Ok(Outcome::NeedsAttention);
    }

    let h = &input.header;
    let by_id: BTreeMap<&str, usize> = cases.iter().enumerate().map(|(i, c)| (c.case_id.as_str(), i)).collect();
    let mut open_by_head: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate().filter(|(_, c)| c.status.is_open()) {
        open_by_head.entry(c.applicant_id_number.as_str()).or_default().push(i);
    }
    let under_review = |s: CaseStatus| {
        matches!(
            s,
            CaseStatus::Received | CaseStatus::NeedsInfo | CaseStatus::Verified | CaseStatus::Ineligible
        )
    };
    let read_dates = input
        .sheet
        .rows
        .iter()
        .skip(h.row + 1)
        .filter_map(|row| h.get(row, "received_on")?.as_date().ok())
        .collect();
    let dates = DateBounds::new(cases.iter().map(|c| c.applied_on), read_dates);
    let default_clerk = args.by.as_deref().map(text::normalize).filter(|s| !text::is_blank(s));

    let (mut rejects, mut waiting, mut rows_read) = (Vec::new(), 0usize, 0usize);
    let mut received: BTreeMap<usize, Received> = BTreeMap::new();
    for (i, row) in input.sheet.rows.iter().enumerate().skip(h.row + 1) {
        if row.iter().all(Cell::is_blank) {
            continue;
        }
        rows_read += 1;
        let row_no = (i + 1) as u32;
        let mut reject = |reason: Msg| rejects.push(Reject { row: row_no, reason });
        let (date_cell, what) = (h.text(row, "received_on"), h.text(row, "received_materials"));
        if text::is_blank(date_cell) && text::is_blank(what) {
            waiting += 1;
            continue;
        }
        // The case.
        let id = h.text(row, "case_id").trim();
        let head = h.text(row, "household_key").trim();
        let index = if !id.is_empty() {
            match by_id.get(id) {
                Some(&i) => i,
                None => {
                    reject(Msg::new(
                        format!("case {id} is not in ledgers/cases.csv; check the 案件编号"),
                        format!("案件 {id} 不在 ledgers/cases.csv 中; 请核对案件编号"),
                    ));
                    continue;
                }
            }
        } else {
            match open_by_head.get(head).map(Vec::as_slice) {
                Some([i]) => *i,
                Some(_) => {
                    reject(Msg::new(
                        "the head's ID number is in more than one open case; give the 案件编号",
                        "该户主身份证号对应多个在办案件; 请填写案件编号",
                    ));
                    continue;
                }
                None => {
                    reject(Msg::new(
                        "no case named: give the 案件编号 (or the head's full ID number in 户主身份证号)",
                        "未指明案件: 请填写案件编号 (或在户主身份证号一栏填写完整身份证号)",
                    ));
                    continue;
                }
            }
        };
        let case = &cases[index];
        if !under_review(case.status) {
            reject(Msg::new(
                format!(
                    "case {} is `{}`, no longer under review: materials are recorded only for a case under review",
                    case.case_id,
                    case.status.as_str()
                ),
                format!(
                    "案件 {} 为「{}」, 已不在审核中: 只有审核中的案件可以登记补正材料",
                    case.case_id,
                    case.status.label_zh()
                ),
            ));
            continue;
        }
        // The date.
        let on = match h.get(row, "received_on") {
            Some(c) if !c.is_blank() => match c.as_date().and_then(|d| dates.check(d)) {
                Ok(d) => d,
                Err(e) => {
                    reject(Msg::new(
                        format!("收到日期 `{}`: {e}; write the date as 2026-11-20", c.text),
                        format!("收到日期 `{}`: {}; 日期请写成 2026-11-20", c.text, e.zh()),
                    ));
                    continue;
                }
            },
            _ => {
                reject(Msg::new(
                    "收到日期 is blank: write the day the materials arrived",
                    "收到日期为空: 请填写收到材料的日期",
                ));
                continue;
            }
        };
        if on < case.applied_on {
            reject(Msg::new(
                format!(
                    "收到日期 {on} is before the application was received ({}); check the date",
                    case.applied_on
                ),
                format!("收到日期 {on} 早于受理日期 ({}); 请核对日期", case.applied_on),
            ));
            continue;
        }
        // The materials: each one the case was asked for (it lacks it now).
        let scheme = &ws.policy.schemes[&case.scheme];
        let provided = eligibility::split_list(&case.materials);
        let missing = eligibility::missing_materials(
            &scheme.required_materials,
            &ws.policy.verification.minimal_materials,
            &provided,
        );
        let written: Vec<&str> = what
            .split(['、', ',', '，', ';', '；', '/', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if written.is_empty() {
            reject(Msg::new(
                "已收材料 is blank: write what arrived (e.g. 授权书、收入证明)",
                "已收材料为空: 请填写收到的材料 (如 授权书、收入证明)",
            ));
            continue;
        }
        let asked = if missing.is_empty() {
            "-".to_string()
        } else {
            missing.join("、")
        };
        let mut materials = Vec::new();
        let mut bad = None;
        for w in written {
            let m = ws.policy.material(w).unwrap_or_else(|| w.to_string());
            if missing.contains(&m) {
                materials.push(m);
            } else {
                bad = Some((w.to_string(), m));
                break;
            }
        }
        if let Some((w, m)) = bad {
            let already = provided.contains(&m);
            reject(if already {
                Msg::new(
                    format!("已收材料 `{w}`: the case already holds {m}; it was not asked for (asked: {asked})"),
                    format!("已收材料「{w}」: 该案件已有{m}, 未要求补充 (需补充: {asked})"),
                )
            } else {
                Msg::new(
                    format!("已收材料 `{w}`: not a material this case was asked for (asked: {asked})"),
                    format!("已收材料「{w}」: 不是该案件需补充的材料 (需补充: {asked})"),
                )
            });
            continue;
        }
        let clerk = text::normalize(h.text(row, "clerk"));
        let clerk = if text::is_blank(&clerk) {
            match &default_clerk {
                Some(c) => c.clone(),
                None => {
                    reject(Msg::new(
                        "经办人 is blank: write who took the materials in (or give --by NAME)",
                        "经办人为空: 请填写收取材料的经办人 (或用 --by 指定)",
                    ));
                    continue;
                }
            }
        } else {
            clerk
        };
        let r = received.entry(index).or_insert_with(|| Received {
            index,
            materials: Vec::new(),
            on,
            clerks: Vec::new(),
        });
        r.materials.extend(materials);
        r.on = r.on.max(on);
        if !r.clerks.contains(&clerk) {
            r.clerks.push(clerk);
        }
    }

    if !rejects.is_empty() {
        crate::errln!(
            "{}",
            tr(
                format!(
                    "supplements: {shown}: {} of {rows_read} rows cannot be recorded; nothing was recorded (the sheet \
                     is recorded whole) — correct these rows and run again:",
                    rejects.len()
                ),
                format!(
                    "补正登记: {shown}: {rows_read} 行中有 {} 行不能登记; 未登记任何内容 (整表一并登记) — \
                     请改正以下各行后重新运行:",
                    rejects.len()
                )
            )
        );
        let lines: Vec<String> = rejects
            .iter()
            .map(|r| {
                tr(
                    format!("  row {}: {}", r.row, r.reason),
                    format!("  第 {} 行: {}", r.row, r.reason),
                )
            })
            .collect();
        crate::errln!("{}", crate::ui::first_of(&lines, 20, "\n"));
        return Ok(Outcome::NeedsAttention);
    }
    if received.is_empty() {
        if !quiet {
            crate::outln!(
                "{}",
                tr(
                    format!(
                        "supplements: {shown}: no row says what arrived ({waiting} households not yet \
                         supplemented); fill in 收到日期 and 已收材料; nothing was recorded"
                    ),
                    format!(
                        "补正登记: {shown}: 没有填写收到材料的行 ({waiting} 户尚未补正); 请填写 收到日期 和 已收材料; \
                         未登记任何内容"
                    )
                )
            );
        }
        return Ok(Outcome::NeedsAttention);
    }

    // The new materials, each case's list sorted as intake writes it; one event per case.
    let short = &input.sha256[..16];
    let mut events = vec![NewEvent {
        detail: format!(
            "supplements recorded for {} cases from {shown}; {waiting} rows not yet supplemented",
            received.len()
        ),
        inputs: format!("{}={};{POLICY_FILE}={}", input.name, input.sha256, ws.policy_sha256()?),
        ..NewEvent::default()
    }];
    let mut lines = Vec::new();
    for r in received.values() {
        let c = &mut cases[r.index];
        let mut all = eligibility::split_list(&c.materials);
        let mut new = r.materials.clone();
        new.sort();
        new.dedup();
        all.extend(new.iter().cloned());
        all.sort();
        all.dedup();
        c.materials = Text(all.join("、"));
        let clerks = r.clerks.join("、");
        events.push(NewEvent {
            case_id: c.case_id.clone(),
            detail: format!(
                "supplement received (补正) on {}: {}; taken in by {clerks}; sheet {shown} sha256 {short}",
                r.on,
                new.join("、")
            ),
            inputs: format!("{}={}", input.name, input.sha256),
            ..NewEvent::default()
        });
        lines.push(tr(
            format!(
                "  {} {}: {} received on {} by {clerks}",
                c.case_id,
                c.applicant_name,
                new.join("、"),
                r.on
            ),
            format!(
                "  {} {}: {} 收到 {}, 经办人 {clerks}",
                c.case_id,
                c.applicant_name,
                new.join("、"),
                r.on
            ),
        ));
    }
    let jiuzhu = ws.jiuzhu();
    let summary = tr(
        format!(
            "supplements: {shown}: materials recorded for {} cases; {waiting} households not yet supplemented",
            received.len()
        ),
        format!(
            "补正登记: {shown}: 已登记 {} 个案件的补正材料; {waiting} 户尚未补正",
            received.len()
        ),
    );
    if step.dry_run() {
        if !quiet {
            crate::outln!("{}{summary}", tr("dry run: ", "试运行: "));
            for l in lines.iter().chain(&unused) {
                crate::outln!("{l}");
            }
        }
        return Ok(Outcome::Done);
    }
    step.events(events);
    step.put(&cases)?;
    step.keep_input(&input.input);
    step.commit()?;
    if !quiet {
        crate::outln!("{summary}");
        for l in lines.iter().chain(&unused) {
            crate::outln!("{l}");
        }
        crate::outln!(
            "{}",
            tr(
                format!("  next: `{jiuzhu} verify` checks these cases again"),
                format!("  下一步: `{jiuzhu} verify` 重新审核这些案件")
            )
        );
    }
    Ok(Outcome::Done)
}
