//! Audit's checks of the journal: its hash chain, the ledgers against what it recorded (hand edits), the
//! edits accepted, and the ledgers' canonical form (J101–J104).

use super::*;

/// The ledgers whose recorded hashes J102 holds them to (the journal itself is held by its chain).
const LEDGERS: &[&str] = ledger::LEDGER_FILES;

/// The ledgers each step may write: an edit by one of them after the journal recorded a ledger is not a hand edit.
fn may_write(step: &str, ledger: &str) -> bool {
    let writes: &[&str] = match step {
        "intake" => &["cases.csv", "members.csv", "sources.csv"],
        "verify" => &[
            "cases.csv",
            "checks.csv",
            "policy_values.csv",
            "visits.csv",
            "extensions.csv",
        ],
        "compare" => &["matches.csv", "cases.csv"],
        "decide" => &["cases.csv", "decisions.csv", "notices.csv", "meetings.csv"],
        "disburse" => &["payments.csv", "batches.csv", "goods.csv", "recoveries.csv"],
        "audit" => &["change_reports.csv", "spot_checks.csv"],
        "archive" => &["archive_index.csv"],
        "supplements" | "withdraw" => &["cases.csv"],
        "correct" => &["cases.csv", "members.csv", "confirmations.csv"],
        "recover" => &["recoveries.csv"],
        // A step this audit does not know may write anything.
        _ => return true,
    };
    // A partition (`payments/2026-11.csv`) is written by the step that writes its ledger.
    writes.contains(&ledger::partition::ledger_of(ledger).as_str())
}

/// J101, J102, J104: the journal's chain ([`journal_chain`]), and when it holds, the ledgers against the journal's
/// last seal ([`ledgers_as_sealed`], see [`crate::seal`]), the hand edits accepted since the last audit
/// ([`accepted_edits`]) and, in a journal from before seals, the ledgers against the hashes its steps recorded
/// ([`ledgers_as_recorded`]).
pub(super) fn journal(ctx: &Audit) -> Vec<Finding> {
    let broken = journal_chain(ctx);
    if !broken.is_empty() {
        return broken;
    }
    [ledgers_as_sealed(ctx), accepted_edits(ctx), ledgers_as_recorded(ctx)].concat()
}

/// J101: `ledgers/events.csv`'s hash chain is whole.
pub(super) fn journal_chain(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let d = ctx.d;
    if let Some(events::Broken { seq, why }) = events::verify_chain(&d.chain) {
        f.push(err(
            "J101",
            "",
            m(
                format!("ledgers/events.csv is broken at event {seq}: {}", why.en),
                format!("ledgers/events.csv 在第 {seq} 条事件处断开: {}", why.zh),
            ),
            m(
                "restore events.csv from Git (`git log -p ledgers/events.csv` shows the change)",
                "请从 Git 恢复 events.csv (`git log -p ledgers/events.csv` 可查看改动)",
            ),
        ));
    }
    f
}

/// J101, J102: the ledgers as the journal's last seal recorded them (the breaches found before the ledgers were
/// read, with the rows and columns changed where the workspace's Git history has the recorded version).
pub(super) fn ledgers_as_sealed(ctx: &Audit) -> Vec<Finding> {
    use crate::seal::Breach;
    let mut f = Vec::new();
    let restore = m(
        "look at the change first (`git diff ledgers/`: jiuzhu's own steps not yet committed show there too), then \
         restore only the file edited by hand (`git checkout -- ledgers/FILE`), or record the change with `jiuzhu \
         accept-edits`",
        "请先查看改动 (`git diff ledgers/`: 尚未提交的 jiuzhu 步骤也会显示), 只恢复被手工修改的文件 (`git checkout -- \
         ledgers/文件名`), 或用 `jiuzhu accept-edits` 把改动记入日志",
    );
    for Breached { breach: b, en, zh } in &ctx.breaches {
        let what = m(b.message_in(crate::i18n::Lang::En), b.message_in(crate::i18n::Lang::Zh));
        match b {
            Breach::JournalMissing { .. } | Breach::JournalCut { .. } => f.push(err(
                "J101",
                "",
                what,
                m(
                    "restore ledgers/events.csv from Git (`git checkout -- ledgers/events.csv`) or a backup",
                    "请从 Git (`git checkout -- ledgers/events.csv`) 或备份恢复 ledgers/events.csv",
                ),
            )),
            Breach::Changed { .. } => f.push(err(
                "J102",
                "",
                m(
                    format!("{}: {}", what.en, en.join("; ")),
                    format!("{}: {}", what.zh, zh.join("; ")),
                ),
                restore.clone(),
            )),
            Breach::Missing { .. } | Breach::Unrecorded { .. } => f.push(err("J102", "", what, restore.clone())),
        }
    }
    f
}

/// J104: the hand edits accepted (`jiuzhu accept-edits`) since the last audit, for a person to look at.
pub(super) fn accepted_edits(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let d = ctx.d;
    // Hand edits accepted since the last audit, for a person to look at.
    let since = d.chain.iter().rposition(|e| e.step == "audit").map_or(0, |i| i + 1);
    for e in d.chain[since..]
        .iter()
        .filter(|e| e.step == crate::cmd::accept_edits::STEP)
    {
        f.push(warn(
            "J104",
            "",
            m(
                format!(
                    "event {}: ledgers changed outside jiuzhu were accepted {}",
                    e.seq,
                    e.detail.as_str()
                ),
                format!(
                    "第 {} 条事件: 在 jiuzhu 之外改动的台账已被承认 ({})",
                    e.seq,
                    e.detail.as_str()
                ),
            ),
            m(
                "check the change against its evidence (`git log -p ledgers/` shows it)",
                "请对照依据核查该改动 (`git log -p ledgers/` 可查看)",
            ),
        ));
    }
    f
}

/// J102: in a journal from before seals, each ledger's bytes against the last hash a step recorded for it, unless
/// a step that writes it ran since (a journal with seals is held to them by [`ledgers_as_sealed`]).
pub(super) fn ledgers_as_recorded(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    let d = ctx.d;
    if d.chain.iter().any(|e| e.step == crate::seal::SEAL_STEP) {
        return Vec::new();
    }
    // For each ledger, the last hash any step recorded for it, and whether a step that writes it ran since.
    let mut last: BTreeMap<String, (u64, String, bool)> = BTreeMap::new();
    for e in &d.chain {
        for (name, entry) in last.iter_mut() {
            if may_write(&e.step, name) {
                entry.2 = true;
            }
        }
        for part in e.inputs.split(';') {
            if let Some((name, hash)) = part.split_once('=') {
                if LEDGERS.contains(&name) {
                    let written = may_write(&e.step, name);
                    last.insert(name.to_string(), (e.seq, hash.to_string(), written));
                }
            }
        }
    }
    for (name, (seq, hash, written)) in last {
        if written {
            continue;
        }
        let now = d.sha.get(&name).map(String::as_str);
        if now != Some(hash.as_str()) {
            f.push(err(
                "J102",
                "",
                m(
                    format!(
                        "ledgers/{name} {} after event {seq} recorded it, and no step that writes it ran since (a \
                         hand edit?)",
                        if now.is_none() { "was removed" } else { "changed" }
                    ),
                    format!(
                        "ledgers/{name} 在第 {seq} 条事件记录之后{}, 此后没有写它的步骤运行过 (手工修改?)",
                        if now.is_none() { "被删除" } else { "被改动" }
                    ),
                ),
                m(
                    "restore it from Git (`git diff ledgers/` shows the edit), or redo the change with the step \
                     that owns it",
                    "请从 Git 恢复 (`git diff ledgers/` 可查看改动), 或用写入它的步骤重做该改动",
                ),
            ));
        }
    }
    f
}

/// J103: ledgers whose bytes are not their canonical form (rows reordered, quoting or spacing changed by hand).
pub(super) fn canonical_ledgers(ctx: &Audit) -> Vec<Finding> {
    let mut f = Vec::new();
    for l in &ctx.d.not_canonical {
        f.push(warn(
            "J103",
            "",
            m(
                format!(
                    "ledgers/{l} is not in its canonical form (rows reordered, quoting or spacing changed by \
                     hand)"
                ),
                format!("ledgers/{l} 不是规范格式 (行序、引号或空格被手工改动)"),
            ),
            m(
                "restore it from Git, or rewrite it with the step that owns it",
                "请从 Git 恢复, 或用写入它的步骤重新生成",
            ),
        ));
    }
    f
}

/// J105: the policy values each check used are recoverable — every key a check names is in `policy_values.csv`,
/// and every text there is under its own key (the first 12 hex digits of its SHA-256), so no text can be swapped
/// for another under a key the checks name.
pub(super) fn policy_values(ctx: &Audit) -> Vec<Finding> {
    use crate::ledger::PolicyValues;
    let mut f = Vec::new();
    let held: crate::hash::HashMap<&str, &PolicyValues> =
        ctx.d.policy_values.iter().map(|v| (v.key.as_str(), v)).collect();
    for v in &ctx.d.policy_values {
        if PolicyValues::key_of(&v.values) != v.key {
            f.push(err(
                "J105",
                "",
                m(
                    format!(
                        "ledgers/policy_values.csv: the text under key {} is not the text of that key",
                        v.key
                    ),
                    format!(
                        "ledgers/policy_values.csv: 编号 {} 下的政策取值不是该编号所对应的内容",
                        v.key
                    ),
                ),
                m(
                    "restore the file from Git: the checks' policy values are not recoverable as it is",
                    "请从 Git 恢复该文件: 按现在的内容无法还原审核所用的政策取值",
                ),
            ));
        }
    }
    let mut missing: Vec<(&str, &str)> = ctx
        .d
        .checks
        .iter()
        .filter(|c| !c.policy.is_empty() && !held.contains_key(c.policy.as_str()))
        .map(|c| (c.policy.as_str(), c.case_id.as_str()))
        .collect();
    missing.sort_unstable();
    missing.dedup_by_key(|(key, _)| *key);
    for (key, case_id) in missing {
        f.push(err(
            "J105",
            case_id,
            m(
                format!("its checks name policy values {key}, which ledgers/policy_values.csv does not hold"),
                format!("其审核记录引用的政策取值 {key} 不在 ledgers/policy_values.csv 中"),
            ),
            m(
                "restore ledgers/policy_values.csv from Git, or run `jiuzhu verify` again for the case",
                "请从 Git 恢复 ledgers/policy_values.csv, 或重新对该案件运行 `jiuzhu verify`",
            ),
        ));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::seal::Breach;

    #[test]
    fn every_check_s_policy_values_are_held_under_their_own_key() {
        use crate::ledger::{Check, PolicyValues};
        let values = PolicyValues::of("standard=860.00/month from 2026-07-01");
        let check: Check = row(&format!(
            "CD-2026-0B9A1C744081,income,pass,人均月收入,{},2026-11-20",
            values.key
        ));
        let mut l = Ledgers {
            checks: vec![check],
            policy_values: vec![values.clone()],
            ..Ledgers::default()
        };
        assert!(policy_values(&audited(&l)).is_empty());
        // Another text under the key the check names.
        l.policy_values[0].values = crate::ledger::Text("standard=960.00/month from 2026-07-01".into());
        assert_eq!(codes(&policy_values(&audited(&l))), ["J105"]);
        // The key the check names is gone.
        l.policy_values.clear();
        let f = policy_values(&audited(&l));
        assert_eq!(codes(&f), ["J105"]);
        assert_eq!(f[0].case_id, "CD-2026-0B9A1C744081");
        // A check that used no policy values names none.
        l.checks[0].policy = String::new();
        assert!(policy_values(&audited(&l)).is_empty());
    }

    #[test]
    fn a_broken_chain_is_found_and_stops_the_journal_check() {
        let mut l = Ledgers {
            chain: chained(&[("intake", ""), ("verify", "")]),
            ..Ledgers::default()
        };
        assert!(journal(&audited(&l)).is_empty());
        l.chain[0].detail = "edited".into();
        assert_eq!(codes(&journal_chain(&audited(&l))), ["J101"]);
        // The chain broken, nothing else is reported.
        l.chain.push(event(3, crate::cmd::accept_edits::STEP, ""));
        assert_eq!(codes(&journal(&audited(&l))), ["J101"]);
    }

    #[test]
    fn the_seals_breaches_are_findings() {
        let l = Ledgers::default();
        let mut a = audited(&l);
        assert!(ledgers_as_sealed(&a).is_empty());
        a.breaches = vec![
            Breached {
                breach: Breach::JournalMissing {
                    ledgers: vec!["cases.csv".into()],
                },
                en: vec![],
                zh: vec![],
            },
            Breached {
                breach: Breach::Changed {
                    file: "payments.csv".into(),
                    seq: 3,
                    recorded: "ab".into(),
                },
                en: vec!["row 2, amount: 728.00 → 928.00".into()],
                zh: vec!["第 2 行, amount: 728.00 → 928.00".into()],
            },
        ];
        let f = ledgers_as_sealed(&a);
        assert_eq!(codes(&f), ["J101", "J102"]);
        assert!(
            f[1].what.en.ends_with(": row 2, amount: 728.00 → 928.00"),
            "{}",
            f[1].what.en
        );
    }

    #[test]
    fn edits_accepted_since_the_last_audit_are_listed() {
        let step = crate::cmd::accept_edits::STEP;
        let l = Ledgers {
            chain: chained(&[("intake", ""), (step, ""), ("audit", ""), ("verify", "")]),
            ..Ledgers::default()
        };
        assert!(accepted_edits(&audited(&l)).is_empty());
        let l = Ledgers {
            chain: chained(&[("intake", ""), ("audit", ""), (step, "")]),
            ..Ledgers::default()
        };
        assert_eq!(codes(&accepted_edits(&audited(&l))), ["J104"]);
    }

    #[test]
    fn a_ledger_changed_after_a_step_recorded_it_is_found_in_a_journal_without_seals() {
        let mut l = Ledgers {
            chain: chained(&[("compare", "cases.csv=aa;members.csv=bb")]),
            ..Ledgers::default()
        };
        l.sha.insert("members.csv".into(), "bb".into());
        // cases.csv: compare writes it. members.csv: as recorded.
        assert!(ledgers_as_recorded(&audited(&l)).is_empty());
        l.sha.insert("members.csv".into(), "cc".into());
        assert_eq!(codes(&ledgers_as_recorded(&audited(&l))), ["J102"]);
        // A journal with seals is held to them instead.
        l.chain = chained(&[("compare", "members.csv=bb"), (crate::seal::SEAL_STEP, "")]);
        assert!(ledgers_as_recorded(&audited(&l)).is_empty());
    }

    #[test]
    fn a_ledger_not_in_canonical_form_is_found() {
        let mut l = Ledgers::default();
        assert!(canonical_ledgers(&audited(&l)).is_empty());
        l.not_canonical.push("cases.csv".into());
        assert_eq!(codes(&canonical_ledgers(&audited(&l))), ["J103"]);
    }
}
