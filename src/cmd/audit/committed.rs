//! Audit's check of the journal against Git (J107): the journal committed last (`HEAD:ledgers/events.csv`) must be
//! the start of the journal in the workspace — every step only appends to it. A journal cut back to an earlier step
//! together with the ledgers of that step (`git checkout OLD -- ledgers/`), or rewritten with every hash
//! recomputed, holds together on its own (its hashes use no secret) and matches its seal; only the history it was
//! committed in tells. Without Git, or before the first commit of the journal, there is nothing to compare.

use super::*;

/// A workspace's journal that is not the one of the last commit with events appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Committed {
    /// The commit (`git rev-parse --short HEAD`).
    pub commit: String,
    /// Events in the committed journal.
    pub events: usize,
    /// The first committed event the workspace's journal does not hold as committed.
    pub differs_at: u64,
}

/// The journal of the last commit against `now` (the bytes of the workspace's `ledgers/events.csv`, read as
/// `chain`), when `now` does not start with it; `None` when it does, and without Git, a commit or a committed
/// journal. Line endings are compared as Git stores them.
pub(super) fn read_committed(ws: &Workspace, now: &[u8], chain: &[Event]) -> Option<Committed> {
    let root = ws.root.as_path();
    let head = crate::git::git(root, &["rev-parse", "--short", "HEAD"]).ok()?;
    if !head.status.success() {
        return None;
    }
    let then = crate::git::git(root, &["show", "HEAD:./ledgers/events.csv"]).ok()?;
    if !then.status.success() || then.stdout.is_empty() {
        return None;
    }
    let commit = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let then_lf = lf(&then.stdout);
    if lf(now).starts_with(&then_lf[..]) {
        return None;
    }
    // Which event: the first committed one the workspace does not hold as it was committed.
    let (events, differs_at) = match ledger::parse::<Event>(Event::FILE, &then_lf) {
        Ok(committed) => {
            let at = committed
                .iter()
                .zip(chain.iter().map(Some).chain(std::iter::repeat(None)))
                .find(|(c, n)| Some(*c) != *n)
                .map_or(1, |(c, _)| c.seq);
            (committed.len(), at)
        }
        Err(_) => (0, 1),
    };
    Some(Committed {
        commit,
        events,
        differs_at,
    })
}

/// The bytes with CRLF line ends as LF, as Git stores a ledger (`text eol=lf`); copied only when there is a CR to
/// drop (a journal jiuzhu wrote has none).
fn lf(b: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !b.contains(&b'\r') {
        return std::borrow::Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        if !(c == b'\r' && b.get(i + 1) == Some(&b'\n')) {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// J107: the workspace's journal is the committed one with events appended.
pub(super) fn journal_as_committed(ctx: &Audit) -> Vec<Finding> {
    let Some(Committed {
        commit,
        events,
        differs_at: at,
    }) = &ctx.d.committed
    else {
        return Vec::new();
    };
    let now = ctx.d.chain.len();
    let (en, zh) = if now < *events && ctx.d.chain.iter().zip(1..).all(|(e, i)| e.seq == i) && *at as usize > now {
        (
            format!(
                "ledgers/events.csv holds {now} events, but the journal committed in Git (commit {commit}) holds \
                 {events}: the journal was cut back (with the ledgers, to an earlier step) outside jiuzhu"
            ),
            format!(
                "ledgers/events.csv 只有 {now} 条事件, 而 Git 中已提交的日志 (提交 {commit}) 有 {events} 条: 日志 \
                 (连同台账) 在 jiuzhu 之外被退回到了较早的步骤"
            ),
        )
    } else {
        (
            format!(
                "ledgers/events.csv is not the journal committed in Git (commit {commit}) with events appended: from \
                 event {at} on it differs from what was committed (rewritten outside jiuzhu)"
            ),
            format!(
                "ledgers/events.csv 不是 Git 中已提交的日志 (提交 {commit}) 加上其后追加的事件: 自第 {at} 条事件起与已提交的\
                 内容不同 (在 jiuzhu 之外被改写)"
            ),
        )
    };
    vec![err(
        "J107",
        "",
        m(en, zh),
        m(
            format!(
                "see what changed with `git diff {commit} -- ledgers/`; restore the committed ledgers and journal \
                 (`git checkout {commit} -- ledgers/`); steps undone on purpose are undone in Git (`git revert`), so \
                 the history says so"
            ),
            format!(
                "用 `git diff {commit} -- ledgers/` 查看改动; 恢复已提交的台账和日志 (`git checkout {commit} -- ledgers/`); \
                 确需撤销的步骤请在 Git 中撤销 (`git revert`), 使历史有据可查"
            ),
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn with(committed: Option<Committed>) -> Ledgers {
        let mut l = paid_case("CD-1");
        l.chain = chained(&[("intake", ""), ("verify", "")]);
        l.committed = committed;
        l
    }

    #[test]
    fn a_journal_not_as_committed_is_found() {
        let head = |events, differs_at| {
            Some(Committed {
                commit: "abc1234".into(),
                events,
                differs_at,
            })
        };
        // The committed journal is the start of the workspace's (or there is none): nothing found.
        assert!(journal_as_committed(&audited(&with(None))).is_empty());
        // Cut back: two events now, five committed.
        let f = journal_as_committed(&audited(&with(head(5, 3))));
        assert_eq!(codes(&f), ["J107"]);
        assert!(
            f[0].what.en.contains("holds 2 events") && f[0].what.en.contains("holds 5"),
            "{}",
            f[0].what.en
        );
        assert!(f[0].what.zh.contains("被退回"), "{}", f[0].what.zh);
        // Rewritten from event 2 on.
        let f = journal_as_committed(&audited(&with(head(2, 2))));
        assert_eq!(codes(&f), ["J107"]);
        assert!(f[0].what.en.contains("from event 2 on"), "{}", f[0].what.en);
    }
}
