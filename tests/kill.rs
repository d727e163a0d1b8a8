//! Interrupted runs: the power fails, the clerk closes the terminal, the disk fills up, a colleague starts the
//! same step. Over the example county's month (intake → verify → compare → decide), every interruption leaves the
//! workspace exactly as it was before the step or exactly as the step leaves it — never between — and the
//! workspace always opens again.
//!
//! - deterministic faults at every write point of the commit path (`JIUZHU_CRASH_AT=POINT:N`, debug builds);
//! - the real binary killed with SIGKILL at seeded random moments, hundreds of times;
//! - a full disk and a read-only file system (a tiny tmpfs when the test may mount one; chmod otherwise);
//! - two processes on one workspace, and a holder killed while holding the lock.

mod common;
mod month;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use jiuzhu::ledger::events::{verify_chain, Event};
use jiuzhu::ledger::{Case, Member};

type Tree = BTreeMap<String, Vec<u8>>;

fn county(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/county")
        .join(rel)
        .display()
        .to_string()
}

/// The month's steps, each as the arguments of one `jiuzhu` run.
fn steps() -> Vec<(&'static str, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            "intake",
            s(&[
                "intake",
                &county("inbox/2026-11/城关镇-申请登记表.xlsx"),
                &county("inbox/2026-11/东河乡-申请登记.csv"),
                &county("inbox/2026-11/西岭镇-申请登记.xlsx"),
            ]),
        ),
        (
            "verify",
            s(&[
                "verify",
                "--as-of",
                "2026-11-20",
                "--visits",
                &county("visits/2026-11-入户调查.csv"),
            ]),
        ),
        (
            "compare",
            s(&[
                "compare",
                "--source",
                &format!("deaths={}", county("registries/deaths.xlsx")),
                "--source",
                &format!("payroll={}", county("registries/payroll.xlsx")),
                "--source",
                &format!("vehicles={}", county("registries/vehicles.csv")),
                "--source",
                &format!("relatives={}", county("registries/relatives.xlsx")),
            ]),
        ),
        ("decide", s(&["decide", "--period", "2026-11"])),
    ]
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("jiuzhu")
}

fn command(root: &Path, args: &[String]) -> Command {
    let mut c = Command::new(bin());
    c.env_remove("JIUZHU_CRASH_AT")
        .env("LC_ALL", "C")
        .arg("-C")
        .arg(root)
        .args(args);
    c
}

fn run(root: &Path, args: &[String], crash_at: Option<&str>) -> Output {
    let mut c = command(root, args);
    if let Some(p) = crash_at {
        c.env("JIUZHU_CRASH_AT", p);
    }
    c.output().expect("run jiuzhu")
}

/// The workspace's content: everything but Git and jiuzhu's private folder (lock, staging, journal).
fn content(root: &Path) -> Tree {
    snapshot(root, &[".git", ".jiuzhu"])
}

/// A new workspace folder holding `tree` (and an empty `.jiuzhu/`).
fn materialise(tree: &Tree) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("jiuzhu-kill-").tempdir().unwrap();
    write_tree(dir.path(), tree);
    dir
}

fn write_tree(root: &Path, tree: &Tree) {
    std::fs::create_dir_all(root.join(".jiuzhu")).unwrap();
    for (rel, bytes) in tree {
        let p = root.join(rel.trim_end_matches('/'));
        if rel.ends_with('/') {
            std::fs::create_dir_all(&p).unwrap();
        } else {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, bytes).unwrap();
        }
    }
}

/// The states of the month: `states[0]` a fresh workspace, `states[k]` after step k, each step run uninterrupted.
fn reference_states() -> Vec<Tree> {
    let ws = Ws::new();
    let mut states = vec![content(ws.root())];
    for (name, args) in steps() {
        let out = run(ws.root(), &args, None);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{name}: {}", stderr(&out));
        states.push(content(ws.root()));
        // A rerun of a finished step changes nothing (so "after" is well defined).
        let again = run(ws.root(), &args, None);
        assert!(
            matches!(again.status.code(), Some(0 | 1)),
            "{name} again: {}",
            stderr(&again)
        );
        assert_same_files(states.last().unwrap(), &content(ws.root()), &format!("{name} rerun"));
    }
    states
}

/// After an interruption: the workspace opens (a dry run exits 0 or 1, never 2), every ledger parses, the journal
/// chain holds, no journal or staging folder is left once a writer has run, and the content is `before` or
/// `after`. Returns true for "after".
#[track_caller]
fn assert_before_or_after(root: &Path, before: &Tree, after: &Tree, what: &str) -> bool {
    let probe = run(
        root,
        &[
            "verify".into(),
            "--dry-run".into(),
            "--as-of".into(),
            "2026-11-20".into(),
        ],
        None,
    );
    assert!(
        matches!(probe.status.code(), Some(0 | 1)),
        "{what}: the workspace does not open after the interruption: {:?}\n{}",
        probe.status,
        stderr(&probe)
    );
    assert!(
        !root.join(".jiuzhu/commit").exists(),
        "{what}: a committed step was not finished on open"
    );
    let now = content(root);
    for (rel, bytes) in &now {
        let name = rel.trim_start_matches("ledgers/");
        let ok = match name {
            "cases.csv" => jiuzhu::ledger::parse::<Case>(name, bytes).is_ok(),
            "members.csv" => jiuzhu::ledger::parse::<Member>(name, bytes).is_ok(),
            "events.csv" => jiuzhu::ledger::parse::<Event>(name, bytes).is_ok_and(|c| verify_chain(&c).is_none()),
            _ => true,
        };
        assert!(ok, "{what}: {rel} does not parse or its chain is broken");
    }
    if &now == after {
        true
    } else {
        assert_same_files(
            before,
            &now,
            &format!("{what}: neither the state before nor after the step"),
        );
        false
    }
}

/// Every write point of the commit path, for every step: the Nth staged file, the commit point from both sides,
/// every rename into place, the journal's removal. Before the commit point the step did not happen; after it, the
/// next open finishes it. Either way a rerun of the step gives exactly the uninterrupted result.
#[test]
fn a_crash_at_every_write_point_leaves_before_or_after() {
    let states = reference_states();
    let (mut crashes, mut befores, mut afters) = (0, 0, 0);
    for (k, (name, args)) in steps().into_iter().enumerate() {
        let (before, after) = (&states[k], &states[k + 1]);
        for point in [
            "staged",
            "before-commit",
            "after-commit",
            "between-renames",
            "journal-cleanup",
        ] {
            for n in 1.. {
                let dir = materialise(before);
                let at = format!("{point}:{n}");
                let out = run(dir.path(), &args, Some(&at));
                if matches!(out.status.code(), Some(0 | 1)) {
                    // Past the last file: the run did not pass this point n times.
                    assert!(n > 1, "{name}: JIUZHU_CRASH_AT={at} never fired");
                    assert_same_files(after, &content(dir.path()), &format!("{name} past {at}"));
                    break;
                }
                assert_eq!(
                    out.status.code(),
                    None,
                    "{name} {at}: died by a signal: {}",
                    stderr(&out)
                );
                crashes += 1;
                let what = format!("{name} crashed at {at}");
                let is_after = assert_before_or_after(dir.path(), before, after, &what);
                let expect_after = !matches!(point, "staged" | "before-commit");
                assert_eq!(is_after, expect_after, "{what}: wrong side of the commit point");
                if is_after {
                    afters += 1;
                } else {
                    befores += 1;
                }
                // The clerk runs the step again: the uninterrupted result.
                let again = run(dir.path(), &args, None);
                assert!(
                    matches!(again.status.code(), Some(0 | 1)),
                    "{what}: rerun: {}",
                    stderr(&again)
                );
                assert_same_files(after, &content(dir.path()), &format!("{what}, then rerun"));
                if matches!(point, "before-commit" | "after-commit") {
                    break;
                }
            }
        }
    }
    println!("write-point crashes survived: {crashes} ({befores} left the state before, {afters} after)");
    assert!(crashes >= 20, "{crashes}");
}

/// A tiny seeded generator (xorshift64*), so a failing run can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The real binary, SIGKILLed at random moments of each step of the month (seeded; 200 runs). After every kill the
/// workspace opens and holds the state before or after the step.
#[test]
fn sigkill_at_random_moments_leaves_before_or_after() {
    let states = reference_states();
    let steps = steps();
    // How long each step takes here, so the kills spread over the whole run.
    let durations: Vec<u64> = steps
        .iter()
        .enumerate()
        .map(|(k, (_, args))| {
            let dir = materialise(&states[k]);
            let t = Instant::now();
            run(dir.path(), args, None);
            t.elapsed().as_micros() as u64
        })
        .collect();
    let seed = 0x6A69_757A_6875_u64;
    let mut rng = Rng(seed);
    let runs = 200;
    let (mut killed, mut finished, mut befores, mut afters, mut mid_commit) = (0, 0, 0, 0, 0);
    let started = Instant::now();
    for i in 0..runs {
        let k = i % steps.len();
        let (name, args) = &steps[k];
        let (before, after) = (&states[k], &states[k + 1]);
        let dir = materialise(before);
        let delay = Duration::from_micros(rng.below(durations[k] * 11 / 10));
        let mut child = command(dir.path(), args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let was_running = child.try_wait().unwrap().is_none();
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if was_running && status.code().is_none() {
            killed += 1;
            if dir.path().join(".jiuzhu/commit").exists() || dir.path().join(".jiuzhu/staging").exists() {
                mid_commit += 1;
            }
        } else {
            finished += 1;
        }
        let what = format!("run {i} (seed {seed:#x}): {name} killed after {delay:?}");
        if assert_before_or_after(dir.path(), before, after, &what) {
            afters += 1;
        } else {
            befores += 1;
        }
    }
    println!(
        "SIGKILL: {runs} runs in {:?}: {killed} killed mid-run ({mid_commit} inside the commit path), {finished} \
         finished first; afterwards {befores} at the state before, {afters} after — all whole",
        started.elapsed()
    );
    assert!(killed >= runs / 4, "too few kills landed mid-run: {killed}");
}

/// Unmounts a tmpfs when dropped (also when the test fails).
struct Mount(PathBuf);
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A tmpfs of `size` at `dir`, or None when this test may not mount (not root, no mount): then the caller says so.
fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Mount(dir.to_path_buf()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The disk fills up while verify writes: exit 2 naming the problem, the previous state intact; once space is
/// freed, the same command gives exactly the uninterrupted result.
#[test]
fn a_full_disk_gives_exit_2_and_the_previous_state() {
    let states = reference_states();
    let (name, args) = &steps()[1];
    let holder = tempfile::tempdir().unwrap();
    let Some(_mount) = tmpfs(holder.path(), "4m") else {
        println!("NOTE: full-disk case skipped: cannot mount a tmpfs here (needs root); the read-only case still runs");
        return;
    };
    let root = holder.path().join("ws");
    write_tree(&root, &states[1]);
    // Fill the file system.
    let filler = holder.path().join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while f.write_all(&small).is_ok() {}
        let _ = f.sync_all();
    }
    let out = run(&root, args, None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{name} on a full disk: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("No space left") || err.contains("disk full"), "{err}");
    assert_same_files(&states[1], &content(&root), "after a full disk");
    std::fs::remove_file(&filler).unwrap();
    let out = run(&root, args, None);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_same_files(&states[2], &content(&root), "verify once space was freed");
    println!("full disk: exit 2, previous state kept, rerun completes");
}

/// A read-only file system (a tmpfs remounted read-only when this test may mount, else folders made read-only for
/// a user who is not root): exit 2, nothing changed.
#[test]
fn a_read_only_workspace_gives_exit_2_and_the_previous_state() {
    let states = reference_states();
    let (name, args) = &steps()[1];
    let holder = tempfile::tempdir().unwrap();
    if let Some(_mount) = tmpfs(holder.path(), "16m") {
        let root = holder.path().join("ws");
        write_tree(&root, &states[1]);
        let ro = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(holder.path())
            .status()
            .unwrap();
        assert!(ro.success());
        let out = run(&root, args, None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name} on a read-only file system: {err}");
        assert!(err.contains("Read-only") || err.contains("read-only"), "{err}");
        assert_same_files(&states[1], &content(&root), "after a read-only file system");
        println!("read-only file system (tmpfs remounted ro): exit 2, nothing changed");
    } else if is_root() {
        println!("NOTE: read-only case skipped: root ignores permissions and no tmpfs could be mounted");
    } else {
        use std::os::unix::fs::PermissionsExt;
        let root = holder.path().join("ws");
        write_tree(&root, &states[1]);
        // The lock can still be taken (it exists); nothing can be staged or replaced.
        std::fs::write(root.join(".jiuzhu/lock"), "").unwrap();
        for d in [".jiuzhu", "ledgers", "reports", "inbox"] {
            std::fs::set_permissions(root.join(d), std::fs::Permissions::from_mode(0o555)).unwrap();
        }
        let out = run(&root, args, None);
        for d in [".jiuzhu", "ledgers", "reports", "inbox"] {
            std::fs::set_permissions(root.join(d), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        assert_eq!(out.status.code(), Some(2), "{name} read-only: {}", stderr(&out));
        assert_same_files(&states[1], &content(&root), "after read-only folders");
        println!("read-only folders (chmod 555): exit 2, nothing changed");
    }
}

/// A register big enough that intake holds the lock for a while (3000 households).
fn big_register(dir: &Path) -> PathBuf {
    let mut text = format!("{PER_MEMBER_HEADER}\n");
    for i in 0..3000u32 {
        let first17 = format!("1301991970{:02}{:02}{:03}", 1 + i % 12, 1 + i % 28, i % 1000);
        let head = id(&first17);
        text.push_str(&format!(
            "{n},{head},户主{n},{head},户主,城市低保,城关镇,东街社区,东街{n}号,,2026-11-02,,,,因病,100,,,,,\n",
            n = i + 1
        ));
    }
    let p = dir.join("big.csv");
    std::fs::write(&p, text).unwrap();
    p
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill").arg(sig).arg(pid.to_string()).status().unwrap();
    assert!(ok.success(), "kill {sig} {pid}");
}

/// Two clerks, one workspace: while a real jiuzhu run holds the workspace (caught inside its run and paused), a
/// second run is refused with exit 2 naming the first (its pid and command) and changes nothing. Then the holder is
/// SIGKILLed: the kernel releases its lock, and the next run goes through — a killed run leaves no stale lock.
#[test]
fn a_second_process_is_refused_and_a_killed_holder_leaves_no_stale_lock() {
    let ws = Ws::new();
    let reg = big_register(ws.root());
    let args = vec!["intake".to_string(), reg.display().to_string()];
    for attempt in 0..10 {
        let before = ws.tree(&[".jiuzhu", ".git"]);
        let mut holder = command(ws.root(), &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pid = holder.id();
        // Wait until it holds the lock (the lock file names it), then freeze it there.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut caught = false;
        while Instant::now() < deadline {
            let text = std::fs::read_to_string(ws.path(".jiuzhu/lock")).unwrap_or_default();
            if text.contains(&format!("pid {pid} ")) {
                signal(pid, "-STOP");
                caught = holder.try_wait().unwrap().is_none();
                break;
            }
            if holder.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        if !caught {
            let _ = holder.kill();
            let _ = holder.wait();
            // It finished before it could be paused; start again from an empty workspace.
            assert!(attempt < 9, "could not catch the holder inside its run");
            for f in ["cases.csv", "members.csv", "sources.csv", "events.csv"] {
                let _ = std::fs::remove_file(ws.path(&format!("ledgers/{f}")));
            }
            continue;
        }
        let second = run(ws.root(), &args, None);
        let err = stderr(&second);
        assert_eq!(second.status.code(), Some(2), "{err}");
        assert!(
            err.contains("locked") && err.contains(&format!("pid {pid}")) && err.contains("intake"),
            "{err}"
        );
        // Still paused mid-run: the ledgers are as before (it commits at the end).
        assert_same_files(
            &before,
            &ws.tree(&[".jiuzhu", ".git"]),
            "while the first run holds the lock",
        );

        // The holder dies with the lock held.
        holder.kill().unwrap();
        let _ = holder.wait();
        let third = run(ws.root(), &args, None);
        assert!(
            matches!(third.status.code(), Some(0 | 1)),
            "after the holder was killed: {}",
            stderr(&third)
        );
        assert!(
            ws.records::<Case>().len() >= 3000,
            "the third run imported the register"
        );
        println!(
            "lock: second run refused naming pid {pid}; holder SIGKILLed; next run went through (attempt {attempt})"
        );
        return;
    }
}

/// The payment step under the same attacks: a crash at every write point of `disburse --period`, then 40 SIGKILLs
/// at random moments; each leaves the batch not written at all, or written whole — never half a batch, so a case
/// is never paid twice or half paid.
#[test]
fn disburse_survives_crashes_and_kills() {
    let ws = month::effective();
    let before = content(ws.root());
    let args: Vec<String> = ["disburse", "--period", "2026-11"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let dir = materialise(&before);
    let t = Instant::now();
    let out = run(dir.path(), &args, None);
    let took = t.elapsed().as_micros() as u64;
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let after = content(dir.path());
    assert!(
        after.keys().any(|k| k == "ledgers/payments/2026-11.csv"),
        "the batch was written"
    );
    let mut crashes = 0;
    for point in [
        "staged",
        "before-commit",
        "after-commit",
        "between-renames",
        "journal-cleanup",
    ] {
        for n in 1.. {
            let dir = materialise(&before);
            let at = format!("{point}:{n}");
            let out = run(dir.path(), &args, Some(&at));
            if matches!(out.status.code(), Some(0 | 1)) {
                assert!(n > 1, "disburse: JIUZHU_CRASH_AT={at} never fired");
                break;
            }
            crashes += 1;
            let what = format!("disburse crashed at {at}");
            let is_after = assert_before_or_after(dir.path(), &before, &after, &what);
            assert_eq!(
                is_after,
                !matches!(point, "staged" | "before-commit"),
                "{what}: wrong side"
            );
            let again = run(dir.path(), &args, None);
            assert!(
                matches!(again.status.code(), Some(0 | 1)),
                "{what}: rerun: {}",
                stderr(&again)
            );
            assert_same_files(&after, &content(dir.path()), &format!("{what}, then rerun"));
            if matches!(point, "before-commit" | "after-commit") {
                break;
            }
        }
    }
    let mut rng = Rng(0x6469_7362_7572_7365);
    let (mut killed, mut befores, mut afters) = (0, 0, 0);
    for i in 0..40 {
        let dir = materialise(&before);
        let delay = Duration::from_micros(rng.below(took * 11 / 10));
        let mut child = command(dir.path(), &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        if assert_before_or_after(
            dir.path(),
            &before,
            &after,
            &format!("disburse run {i} killed after {delay:?}"),
        ) {
            afters += 1;
        } else {
            befores += 1;
        }
    }
    println!(
        "disburse: {crashes} write-point crashes survived; 40 SIGKILLs ({killed} mid-run): {befores} before, \
         {afters} after — all whole"
    );
    assert!(crashes >= 5, "{crashes}");
}
