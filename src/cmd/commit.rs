//! `--commit` after a step: what the step appended to the journal, the commit message made from it, and the
//! commit of the workspace's files (through `git::commit_workspace`).

use std::path::{Path, PathBuf};

use crate::git::{commit_workspace, Committed};
use crate::ledger::events::Event;
use crate::policy::{Policy, POLICY_FILE};

/// The step-run events (those without a case) among `after` that are newer than `before_seq`.
pub fn new_step_events(after: &[Event], before_seq: u64) -> Vec<&Event> {
    // A step's seal (the ledgers' hashes after it) is part of its record, not what the step did.
    let new: Vec<&Event> = after
        .iter()
        .filter(|e| e.seq > before_seq && e.step != crate::seal::SEAL_STEP)
        .collect();
    let runs: Vec<&Event> = new.iter().copied().filter(|e| e.case_id.is_empty()).collect();
    if runs.is_empty() {
        // A step that recorded only status changes still names itself through them.
        new.into_iter().take(1).collect()
    } else {
        runs
    }
}

/// The commit message for a step: a subject naming the step, the period and what happened, and a body
/// with each step-run event's inputs and their SHA-256.
pub fn commit_message(events: &[&Event], period: Option<&str>) -> String {
    let Some(first) = events.first() else {
        return "jiuzhu".to_string();
    };
    let period = period.map(str::to_string).or_else(|| leading_period(&first.detail));
    let mut subject = format!("jiuzhu {}", first.step);
    if let Some(p) = &period {
        if !first.detail.starts_with(p.as_str()) {
            subject.push(' ');
            subject.push_str(p);
        }
    }
    if !first.detail.is_empty() {
        subject.push_str(": ");
        subject.push_str(&first.detail);
    }
    let mut body = String::new();
    for e in events {
        body.push_str(&format!("\nstep: {} (event {} in ledgers/events.csv)\n", e.step, e.seq));
        if let Some(p) = &period {
            body.push_str(&format!("period: {p}\n"));
        }
        if events.len() > 1 && !e.detail.is_empty() {
            body.push_str(&format!("detail: {}\n", e.detail));
        }
        let inputs: Vec<&str> = e.inputs.split(';').filter(|s| !s.is_empty()).collect();
        if !inputs.is_empty() {
            body.push_str("inputs (sha256):\n");
            for i in inputs {
                match i.rsplit_once('=') {
                    Some((name, sha)) => body.push_str(&format!("  {name} {sha}\n")),
                    None => body.push_str(&format!("  {i}\n")),
                }
            }
        }
        // Only the last row of a step's events carries their hash (see `ledger::events`).
        if !e.hash.is_empty() {
            body.push_str(&format!("event hash: {}\n", e.hash));
        }
    }
    format!("{subject}\n{body}")
}

/// The commit message's last line: the journal's last event and its hash, which chains every event before it —
/// what this commit's journal is, for an auditor comparing a clone with it.
pub fn journal_line(after: &[Event]) -> Option<String> {
    let last = after.last().filter(|e| !e.hash.is_empty())?;
    Some(format!("journal: {} events, hash {}\n", last.seq, last.hash))
}

/// A `YYYY-MM` at the start of an event's detail (decide and disburse name their period first).
fn leading_period(detail: &str) -> Option<String> {
    let b = detail.as_bytes();
    let ok = b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b.get(7).is_none_or(|c| !c.is_ascii_digit());
    ok.then(|| detail[..7].to_string())
}

/// What a writing step needs from Git around it: where the journal stood before, the commit after.
#[derive(Debug)]
pub struct StepWatch {
    root: PathBuf,
    commit: bool,
    quiet: bool,
    last_seq: u64,
}

/// Before a writing step run from `start`: warns (stderr) about uncommitted ledger changes, and notes where
/// the journal stands so [`StepWatch::finish`] can tell what the step appended. `None` when `start` is in no
/// workspace (the step itself will say so).
pub fn watch_step(start: &Path, commit_flag: bool, quiet: bool) -> Option<StepWatch> {
    let root = crate::workspace::Workspace::find(start).ok()?;
    keep_state_out(&root);
    let commit = commit_flag || Policy::load(&root.join(POLICY_FILE)).is_ok_and(|p| p.git.commit);
    // Ledgers changed outside jiuzhu are not warned about here: the step itself refuses them, naming the rows
    // and columns (see `crate::seal`), and jiuzhu's own writes not yet committed to Git are no hand edits.
    // Only a step that will commit needs to know where the journal stood.
    let last_seq = if commit { last_event_seq(&root) } else { 0 };
    Some(StepWatch {
        root,
        commit,
        quiet,
        last_seq,
    })
}

/// The lines that keep jiuzhu's private state folder out of Git.
const STATE_EXCLUDE: &str =
    "# jiuzhu's private state (lock, staging of an unfinished step): never committed\n.jiuzhu/\n";

/// Before a writing step: makes sure the workspace's own Git repository ignores jiuzhu's private state folder
/// (`.jiuzhu/`: the lock, an unfinished step's staging), so that neither `git status` shows it nor a clerk's
/// `git add -A` commits it (`--commit` stages only [`crate::git::WORKSPACE_PATHS`]). `jiuzhu init` writes the rule
/// into `.gitignore`; a workspace made by an earlier version may lack it, and then the rule goes into the
/// repository's `.git/info/exclude`: no tracked file changes under the clerk (a `.gitignore` changed by a step would
/// show as modified, and no step commits it), and every repository a step runs in — the one where `.jiuzhu/` is
/// made — gets it. An outer repository (a workspace that is not its own) is not jiuzhu's to configure. Best effort:
/// a repository that cannot be written is left as it is.
fn keep_state_out(root: &Path) {
    use crate::workspace::STATE_DIR;
    let names_state = |file: &Path| {
        std::fs::read_to_string(file).is_ok_and(|text| {
            text.lines()
                .map(|l| l.trim().trim_start_matches('/').trim_end_matches('/'))
                .any(|l| l == STATE_DIR)
        })
    };
    // Cheap first: the rule `init` writes, or the one an earlier step wrote (no git run on every step).
    if names_state(&root.join(".gitignore")) || names_state(&root.join(".git/info/exclude")) {
        return;
    }
    if !root.join(".git").exists() || crate::git::ignores(root, &format!("{STATE_DIR}/")) {
        return;
    }
    let _ = crate::git::add_local_excludes(root, STATE_EXCLUDE);
}

fn read_events(root: &Path) -> Vec<Event> {
    let path = root.join("ledgers").join("events.csv");
    match std::fs::read(&path) {
        Ok(bytes) => crate::ledger::parse::<Event>("events.csv", &bytes).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The `seq` of the journal's last event, read without parsing every event (the journal grows every month).
fn last_event_seq(root: &Path) -> u64 {
    let Ok(bytes) = std::fs::read(root.join("ledgers").join("events.csv")) else {
        return 0;
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let mut rec = csv::ByteRecord::new();
    let mut last = 0;
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        if let Some(seq) = rec
            .get(0)
            .and_then(|f| std::str::from_utf8(f).ok())
            .and_then(|s| s.parse().ok())
        {
            last = seq;
        }
    }
    last
}

impl StepWatch {
    /// After the step succeeded: with `--commit` (or `git: {commit: true}`), commits what it wrote. Problems
    /// are warnings; they never change the step's exit code.
    pub fn finish(&self, period: Option<&str>) {
        if !self.commit {
            return;
        }
        let events = read_events(&self.root);
        let new = new_step_events(&events, self.last_seq);
        if new.is_empty() {
            if !self.quiet {
                crate::outln!(
                    "{}",
                    crate::i18n::tr(
                        "--commit: nothing to commit (the step changed nothing)",
                        "--commit: 没有可提交的内容 (该步骤未作改动)",
                    )
                );
            }
            return;
        }
        let mut message = commit_message(&new, period);
        if let Some(line) = journal_line(&events) {
            message.push('\n');
            message.push_str(&line);
        }
        match commit_workspace(&self.root, &message) {
            Ok(Committed::Commit { hash, subject }) => {
                if !self.quiet {
                    // The commit message is in English, as the journal is, whatever the locale: under Chinese the
                    // line names the commit and where to read it.
                    crate::outln!(
                        "{}",
                        crate::i18n::tr(
                            format!("committed {hash}: {subject}"),
                            format!("已提交 {hash} (提交说明见 `git log -1`)"),
                        )
                    );
                }
            }
            Ok(Committed::Nothing) => {
                if !self.quiet {
                    crate::outln!(
                        "{}",
                        crate::i18n::tr(
                            "--commit: nothing to commit (the workspace files are as committed)",
                            "--commit: 没有可提交的内容 (工作区文件与已提交的相同)",
                        )
                    );
                }
            }
            Err(e) => crate::errln!(
                "{}",
                crate::i18n::tr(
                    format!("warning: --commit: nothing was committed: {e:#}"),
                    format!("注意: --commit: 未提交任何内容: {e:#}"),
                )
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Text;

    fn event(seq: u64, step: &str, case: &str, detail: &str, inputs: &str) -> Event {
        Event {
            seq,
            step: step.into(),
            case_id: case.into(),
            from_status: String::new(),
            to_status: String::new(),
            detail: Text(detail.into()),
            inputs: inputs.into(),
            prev_hash: String::new(),
            hash: format!("h{seq}"),
        }
    }

    #[test]
    fn the_message_names_step_period_and_inputs() {
        let events = [
            event(1, "intake", "", "old", ""),
            event(
                2,
                "decide",
                "",
                "2026-11 as of 2026-11-30: 3 proposed",
                "cases.csv=abc;jiuzhu.yaml=def",
            ),
            event(3, "decide", "C1", "approved", ""),
        ];
        let new = new_step_events(&events, 1);
        assert_eq!(new.len(), 1);
        let msg = commit_message(&new, None);
        assert!(
            msg.starts_with("jiuzhu decide: 2026-11 as of 2026-11-30: 3 proposed\n"),
            "{msg}"
        );
        assert!(
            msg.contains("period: 2026-11\n") && msg.contains("  cases.csv abc\n"),
            "{msg}"
        );
        assert_eq!(journal_line(&events).as_deref(), Some("journal: 3 events, hash h3\n"));
        let msg = commit_message(&[&event(4, "disburse", "", "paid", "")], Some("2026-12"));
        assert!(msg.starts_with("jiuzhu disburse 2026-12: paid\n"), "{msg}");
    }
}
