//! Oversight of active discovery (主动发现): the 主动发现 sheet of the monthly statistics workbook (`jiuzhu report
//! --period 2026-11`) and the quarterly township inspection report for the county (`jiuzhu report --period
//! 2026Q4`, 乡镇主动发现督查表): discoveries by channel and township, investigated in time, outcomes, referrals
//! answered, and the monitored population by category. Pure over the ledgers read.

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use chrono::NaiveDate;

use crate::domain::discovery as rules;
use crate::i18n::tr;
use crate::ledger::{
    Discovery, DiscoveryChannel, DiscoveryOutcome, DiscoveryStatus, Investigation, MonitorCategory, Monitored, Referral,
};
use crate::sheet::writer::{ChartKind, ChartSpec, Column, Kind, SheetSpec, Value};

/// Counts of one township (or of the county) over a range of dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Discoveries found in the range.
    pub found: i64,
    /// Of them, investigated (to the 三个不放过) by their due date.
    pub in_time: i64,
    /// Investigated after their due date.
    pub late: i64,
    /// Still not investigated, past their due date at the range's end.
    pub overdue: i64,
    /// Still not investigated, within their limit.
    pub open: i64,
    /// Home visits that fell short of the 三个不放过 (recorded, the discovery kept open).
    pub visits_short: i64,
    pub outcomes: BTreeMap<DiscoveryOutcome, i64>,
    /// Referrals of these discoveries: sent, answered, unanswered past their date.
    pub referred: i64,
    pub answered: i64,
    pub referrals_overdue: i64,
    /// Monitored households at the range's end.
    pub monitored: i64,
}

/// What the sheets show.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub by_channel: BTreeMap<DiscoveryChannel, i64>,
    pub by_township: BTreeMap<String, Counts>,
    pub total: Counts,
    pub monitored_by_category: BTreeMap<MonitorCategory, i64>,
}

/// Tallies the discoveries found from `from` to `to` (inclusive), with their visits and referrals, and the monitored
/// population as it stood on `to`.
pub fn tally(
    discoveries: &[Discovery],
    investigations: &[Investigation],
    referrals: &[Referral],
    monitored: &[Monitored],
    (from, to): (NaiveDate, NaiveDate),
) -> Tally {
    let mut t = Tally::default();
    for d in discoveries.iter().filter(|d| d.found_on >= from && d.found_on <= to) {
        *t.by_channel.entry(d.channel).or_default() += 1;
        let town = if d.township.is_empty() {
            "(未填乡镇)".to_string()
        } else {
            d.township.to_string()
        };
        for c in [t.by_township.entry(town).or_default(), &mut t.total] {
            c.found += 1;
            match d.investigated_on {
                Some(_) if rules::in_time(d) => c.in_time += 1,
                Some(_) => c.late += 1,
                None if d.status == DiscoveryStatus::Open && d.due_on < to => c.overdue += 1,
                None => c.open += 1,
            }
            if let Some(o) = d.outcome {
                *c.outcomes.entry(o).or_default() += 1;
            }
            c.visits_short += investigations
                .iter()
                .filter(|v| v.discovery_id == d.discovery_id && !v.closes)
                .count() as i64;
            for r in referrals.iter().filter(|r| r.discovery_id == d.discovery_id) {
                c.referred += 1;
                if r.answered_on.is_some_and(|on| on <= to) {
                    c.answered += 1;
                } else if r.due_on < to {
                    c.referrals_overdue += 1;
                }
            }
        }
    }
    for m in monitored.iter().filter(|m| m.since <= to) {
        *t.monitored_by_category.entry(m.category).or_default() += 1;
        t.by_township.entry(m.township.to_string()).or_default().monitored += 1;
        t.total.monitored += 1;
    }
    t
}

/// The 主动发现 sheet of the monthly statistics workbook: (项目, 分项, 数量) rows — by channel first (the chart's
/// rows), then by township, investigation in time, outcomes, referrals and the monitored population — and its
/// chart (discoveries by channel) when the sheet is `at` the given index of the workbook.
pub fn month_sheet(t: &Tally, month_zh: &str, at: usize) -> (SheetSpec, Vec<ChartSpec>) {
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut row = |group: &str, item: &str, n: i64| {
        rows.push(vec![Value::from(group), Value::from(item), Value::Count(n)]);
    };
    for c in DiscoveryChannel::ALL {
        row("发现渠道", c.label_zh(), t.by_channel.get(&c).copied().unwrap_or(0));
    }
    let channels = DiscoveryChannel::ALL.len();
    for (town, c) in t.by_township.iter().filter(|(_, c)| c.found > 0) {
        row("乡镇(街道)", town, c.found);
    }
    let c = &t.total;
    row("入户调查", "发现总数", c.found);
    row("入户调查", "按时调查 (做到三个不放过)", c.in_time);
    row("入户调查", "超时限调查", c.late);
    row("入户调查", "超时限未调查", c.overdue);
    row("入户调查", "时限内待调查", c.open);
    row("入户调查", "未做到三个不放过的走访次数", c.visits_short);
    for o in DiscoveryOutcome::ALL {
        row("处理结果", o.label_zh(), c.outcomes.get(&o).copied().unwrap_or(0));
    }
    row("转介", "转介件数", c.referred);
    row("转介", "已答复", c.answered);
    row("转介", "超期未答复", c.referrals_overdue);
    for cat in MonitorCategory::ALL {
        row(
            "低收入人口监测",
            cat.label_zh(),
            t.monitored_by_category.get(&cat).copied().unwrap_or(0),
        );
    }
    row("低收入人口监测", "合计", c.monitored);
    let sheet = SheetSpec {
        name: "主动发现".into(),
        title: Some(format!(
            "{month_zh} 主动发现: 按渠道和乡镇的发现数、按时入户调查、处理结果、转介答复和低收入人口监测 (监测对象不公示)"
        )),
        columns: vec![
            Column::new("项目", Kind::Text),
            Column::new("分项", Kind::Text),
            Column::new("数量", Kind::Count),
        ],
        rows,
        batch: None,
        print: Default::default(),
    };
    let chart = ChartSpec {
        kind: ChartKind::Column,
        title: format!("{month_zh} 按渠道的主动发现"),
        on_sheet: at,
        at: (1, 4),
        data_sheet: at,
        categories: 1,
        values: vec![2],
        rows: 0..channels,
    };
    (sheet, vec![chart])
}

/// A quarter `2026Q4`: its first and last day, and its name in Chinese; None when `s` is not one.
pub fn parse_quarter(s: &str) -> Option<Result<(NaiveDate, NaiveDate, String)>> {
    let (y, q) = s.trim().split_once(['Q', 'q'])?;
    let bad = || {
        anyhow!(tr(
            format!("--period `{s}`: not a quarter; write it as 2026Q4"),
            format!("--period `{s}`: 不是有效的季度, 请写成 2026Q4 这样"),
        ))
    };
    let (Ok(y), Ok(q)) = (y.parse::<i32>(), q.parse::<u32>()) else {
        return Some(Err(bad()));
    };
    if !(1..=4).contains(&q) {
        return Some(Err(bad()));
    }
    let from = NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1);
    let to = if q == 4 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, q * 3 + 1, 1)
    }
    .and_then(|d| d.pred_opt());
    match (from, to) {
        (Some(f), Some(t)) => Some(Ok((f, t, format!("{y}年第{q}季度")))),
        _ => Some(Err(bad())),
    }
}

/// The quarterly township inspection report (乡镇主动发现督查表): one row per township, then the county's total.
pub fn quarter_workbook(t: &Tally, quarter_zh: &str, townships: &[String]) -> Result<Vec<u8>> {
    let columns = vec![
        Column::new("乡镇(街道)", Kind::Text),
        Column::new("发现数", Kind::Count),
        Column::new("按时调查", Kind::Count),
        Column::new("超时限调查", Kind::Count),
        Column::new("超时限未调查", Kind::Count),
        Column::new("时限内待调查", Kind::Count),
        Column::new("未做到三个不放过的走访", Kind::Count),
        Column::new("协助申请", Kind::Count),
        Column::new("转介", Kind::Count),
        Column::new("先行救助", Kind::Count),
        Column::new("纳入监测", Kind::Count),
        Column::new("无需救助", Kind::Count),
        Column::new("转介已答复", Kind::Count),
        Column::new("转介超期未答复", Kind::Count),
        Column::new("监测户数", Kind::Count),
    ];
    let cells = |name: &str, c: &Counts| {
        let o = |x: DiscoveryOutcome| Value::Count(c.outcomes.get(&x).copied().unwrap_or(0));
        vec![
            Value::from(name),
            Value::Count(c.found),
            Value::Count(c.in_time),
            Value::Count(c.late),
            Value::Count(c.overdue),
            Value::Count(c.open),
            Value::Count(c.visits_short),
            o(DiscoveryOutcome::Assisted),
            o(DiscoveryOutcome::Referral),
            o(DiscoveryOutcome::Urgent),
            o(DiscoveryOutcome::Monitoring),
            o(DiscoveryOutcome::NoAssistance),
            Value::Count(c.answered),
            Value::Count(c.referrals_overdue),
            Value::Count(c.monitored),
        ]
    };
    // Every township of the policy, in its order, also those with nothing found (a township that reports nothing
    // is itself a finding of the inspection); then any other the ledgers name.
    let empty = Counts::default();
    let mut rows: Vec<Vec<Value>> = townships
        .iter()
        .map(|n| cells(n, t.by_township.get(n).unwrap_or(&empty)))
        .collect();
    for (n, c) in t.by_township.iter().filter(|(n, _)| !townships.contains(n)) {
        rows.push(cells(n, c));
    }
    rows.push(cells("合计", &t.total));
    crate::sheet::writer::workbook_bytes(&[SheetSpec {
        name: "乡镇督查".into(),
        title: Some(format!(
            "{quarter_zh} 乡镇主动发现督查表: 入户调查是否及时、是否做到三个不放过、处理结果和转介答复 (县级每季度督查)"
        )),
        columns,
        rows,
        batch: None,
        print: Default::default(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_is_three_months() {
        let (from, to, zh) = parse_quarter("2026Q4").unwrap().unwrap();
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        assert_eq!(zh, "2026年第4季度");
        let (from, to, _) = parse_quarter("2027q1").unwrap().unwrap();
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2027-01-01".into(), "2027-03-31".into())
        );
        assert!(parse_quarter("2026Q5").unwrap().is_err());
        assert!(parse_quarter("2026-11").is_none(), "a month is no quarter");
    }
}
