//! The terminal: progress bars, colour and the `--json` summary.
//!
//! - **Progress** is drawn on stderr, only when stderr is a terminal, not with `--quiet` or `--json`, and only
//!   once a step has run for more than a second — a quick step never flickers a bar.
//! - **Colour** only when the stream is a terminal and `NO_COLOR` is not set (<https://no-color.org>).
//! - **`--json`**: stdout holds exactly one JSON object, printed when the command ends: `command`, `exit`, and
//!   the counts the command recorded with [`record`] (commands that record nothing get the workspace's counts).
//!   Every human-readable line goes to stderr meanwhile, so a script can parse stdout whole.
//! - **Output** goes through [`outln!`](crate::outln), [`out!`](crate::out) and [`errln!`](crate::errln) (or
//!   [`stdout`] for a command whose product is its stdout, `cat` and `diff`), never `println!`: a reader that
//!   has gone away (`jiuzhu … | head -1`) is not an error of the step. `println!` panics on the broken pipe
//!   (exit 101, after the step may have committed) and `?` on a write exits 2; here the rest of the output is
//!   dropped and the step's own exit code comes out. (Rust ignores `SIGPIPE`, so the write fails with `EPIPE`
//!   instead of killing the process; restoring `SIG_DFL` would kill it instead, changing the exit code too.)

use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};

static QUIET: AtomicBool = AtomicBool::new(false);
static JSON: AtomicBool = AtomicBool::new(false);
static SUMMARY: Mutex<Option<Map<String, Value>>> = Mutex::new(None);

/// stdout was found closed (a broken pipe): the rest of the output is dropped without trying.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// A write to stdout failed otherwise (a full disk): said once on stderr.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// The process's stdout, where a closed reader is not an error: a write to a broken pipe succeeds without
/// writing, and so does every later one. Other errors are returned.
pub struct Stdout(std::io::StdoutLock<'static>);

/// stdout for a command's output, locked for as long as the writer lives.
pub fn stdout() -> Stdout {
    Stdout(std::io::stdout().lock())
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        closed_is_ok(self.0.write(buf), buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            return Ok(());
        }
        closed_is_ok(self.0.flush(), ())
    }
}

fn closed_is_ok<T>(result: std::io::Result<T>, instead: T) -> std::io::Result<T> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(instead)
        }
        r => r,
    }
}

/// What [`outln!`](crate::outln) and [`out!`](crate::out) do: prints on stdout. A closed stdout drops the text;
/// any other failure is said once on stderr. Never panics, and never fails the step: what is printed is the
/// summary of work already done (and committed).
#[doc(hidden)]
pub fn print_out(args: fmt::Arguments<'_>) {
    let mut result = Ok(());
    around_progress(|| result = stdout().write_fmt(args));
    if let Err(e) = result {
        if !STDOUT_FAILED.swap(true, Ordering::Relaxed) {
            let warning = crate::i18n::tr("warning: cannot print to stdout:", "警告: 无法输出到标准输出:");
            print_err(format_args!("{warning} {e}\n"));
        }
    }
}

/// What [`errln!`](crate::errln) does: prints on stderr, dropping the text where stderr cannot be written (a
/// closed pipe): there is nowhere left to say so, and it must not panic (exit 101) or change the exit code.
#[doc(hidden)]
pub fn print_err(args: fmt::Arguments<'_>) {
    around_progress(|| {
        let _ = std::io::stderr().lock().write_fmt(args);
    });
}

/// `println!` for the commands' output: a closed stdout is not an error (see [`print_out`]).
#[macro_export]
macro_rules! outln {
    () => {
        $crate::ui::print_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::ui::print_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for the commands' output: a closed stdout is not an error (see [`print_out`]).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::ui::print_out(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics: a closed stderr drops the text (see [`print_err`]).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::ui::print_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// A word for a POSIX shell: as it is when it has nothing the shell would read as syntax, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// How a hint names the folder `dir` for a shell in the current folder, so that a command printed for the user
/// works when pasted where they are: `None` when `dir` is the current folder; its path from here when it is
/// below it (`big`, not `/home/…/big`); else its absolute path. Quoted for the shell.
pub fn dir_from_here(dir: &std::path::Path) -> Option<String> {
    let here = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let shown = match here.as_deref().map(|h| dir.strip_prefix(h)) {
        Some(Ok(rel)) if rel.as_os_str().is_empty() => return None,
        // `./` keeps a folder named `-x` from reading as an option.
        Some(Ok(rel)) if rel.to_string_lossy().starts_with('-') => std::path::Path::new(".").join(rel),
        Some(Ok(rel)) => rel.to_path_buf(),
        _ => dir,
    };
    Some(shell_quote(&shown.to_string_lossy()))
}

/// `cd DIR && ` for a hint of commands to run in `dir` (nothing when it is the current folder): relative paths
/// and globs in them are then read in `dir`, as the shell expands a glob where it stands, not in `-C DIR`.
pub fn cd_to(dir: &std::path::Path) -> String {
    dir_from_here(dir).map_or(String::new(), |d| format!("cd {d} && "))
}

/// A list too long for a message, cut to its first `shown` items joined by `sep`: `a, b, c … and 169 more`
/// (`… 另有 169 项`). What a person must deal with is named, and how many more there are is said, never left out.
pub fn first_of(items: &[String], shown: usize, sep: &str) -> String {
    let mut out = items.iter().take(shown).cloned().collect::<Vec<_>>().join(sep);
    if let Some(more) = more(shown, items.len()) {
        if shown > 0 {
            out.push(' ');
        }
        out.push_str(&more);
    }
    out
}

/// Sets `--quiet` for progress bars.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Sets `--json`.
pub fn set_json(json: bool) {
    JSON.store(json, Ordering::Relaxed);
}

pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// Records a count (or any value) for the `--json` summary.
pub fn record(key: &str, value: impl Into<Value>) {
    let mut s = SUMMARY.lock().unwrap_or_else(|e| e.into_inner());
    s.get_or_insert_with(Map::new).insert(key.to_string(), value.into());
}

/// Records a serialisable value (e.g. a whole status) for the `--json` summary.
pub fn record_serialized(key: &str, value: &impl serde::Serialize) {
    if let Ok(v) = serde_json::to_value(value) {
        record(key, v);
    }
}

/// What commands recorded, taken (empty when nothing was recorded).
pub fn take_summary() -> Option<Map<String, Value>> {
    SUMMARY.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Whether to colour a stream: a terminal, and no `NO_COLOR` (any non-empty value) in the environment.
pub fn colour_on(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Colour for stdout.
pub fn colour_stdout() -> bool {
    !json() && colour_on(std::io::stdout().is_terminal())
}

/// Text in red (something needs a person), when `on`.
pub fn red(s: &str, on: bool) -> String {
    paint(s, "31", on)
}

/// Text in green (all is well), when `on`.
pub fn green(s: &str, on: bool) -> String {
    paint(s, "32", on)
}

/// Text in bold, when `on`.
pub fn bold(s: &str, on: bool) -> String {
    paint(s, "1", on)
}

fn paint(s: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Whether progress may be drawn at all.
fn progress_allowed() -> bool {
    !QUIET.load(Ordering::Relaxed) && !json() && std::io::stderr().is_terminal()
}

/// How long a step runs before its progress is shown: a second, or `JIUZHU_PROGRESS_AFTER_MS` milliseconds (a
/// knob for tests, which draw the bar at once with `0`).
fn show_after() -> Duration {
    std::env::var("JIUZHU_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// How often the line is redrawn: the only time the counters are read.
const TICK: Duration = Duration::from_millis(100);

/// The step's display is running ([`Spinner::start`] on a terminal): phases count, else they cost one branch.
static DRAWING: AtomicBool = AtomicBool::new(false);
/// The phases under way, innermost last (the one drawn), each with the count of its enclosing phase saved.
static PHASES: Mutex<Vec<Phase>> = Mutex::new(Vec::new());
/// The innermost phase's count of units done, and of things found (hits), added to without a lock.
static POS: AtomicU64 = AtomicU64::new(0);
static HITS: AtomicU64 = AtomicU64::new(0);
/// The line on screen, once shown: output printed meanwhile clears it first (see [`print_out`]).
static SHOWN: Mutex<Option<ProgressBar>> = Mutex::new(None);

#[derive(Clone)]
struct Phase {
    label: String,
    len: u64,
    hits_label: Option<String>,
    saved: (u64, u64),
}

/// The progress of one phase of a step: a bar over `len` units ([`Progress::new`]) or a counter when the total is
/// not known ([`Progress::counter`]), drawn on stderr in place of the step's spinner, in the run's language
/// ("审核: 已检查案件 [=====>   ] 1,204/3,000"). Nothing is drawn, and nothing counted, when stderr is not a
/// terminal, with `--quiet` or `--json`. Counting is one relaxed atomic add (no lock: a phase may be counted from
/// many threads); the line is redrawn by the display's own thread every 100 ms. Dropping the phase ends it.
pub struct Progress {
    on: bool,
}

impl Progress {
    /// A bar over `len` units: `label` names the phase and what is counted ("verify: cases checked").
    pub fn new(len: u64, label: impl Into<String>) -> Progress {
        Progress::begin(len, label.into(), None)
    }

    /// A counter of units read when their number is not known beforehand (a streamed file).
    pub fn counter(label: impl Into<String>) -> Progress {
        Progress::begin(0, label.into(), None)
    }

    /// Also counts things found ([`Progress::hit`]), shown after `hits_label` ("matched", "命中").
    pub fn with_hits(self, hits_label: impl Into<String>) -> Progress {
        if self.on {
            if let Some(p) = lock(&PHASES).last_mut() {
                p.hits_label = Some(hits_label.into());
            }
        }
        self
    }

    fn begin(len: u64, label: String, hits_label: Option<String>) -> Progress {
        let on = DRAWING.load(Ordering::Relaxed);
        if on {
            let mut phases = lock(&PHASES);
            let saved = (POS.swap(0, Ordering::Relaxed), HITS.swap(0, Ordering::Relaxed));
            phases.push(Phase {
                label,
                len,
                hits_label,
                saved,
            });
        }
        Progress { on }
    }

    /// Advances by `n` units.
    #[inline]
    pub fn inc(&self, n: u64) {
        if self.on {
            POS.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts `n` things found.
    #[inline]
    pub fn hit(&self, n: u64) {
        if self.on {
            HITS.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// A handle that counts for this phase and may be kept where a borrow of the phase cannot (it counts for
    /// whatever phase is innermost, so it is used while this one is).
    pub fn counts(&self) -> Counts {
        Counts { on: self.on }
    }

    /// Ends the phase (the same as dropping it): the step's spinner, or the enclosing phase, is drawn again.
    pub fn finish(self) {}
}

/// Counts for the phase under way ([`Progress::counts`]).
#[derive(Clone, Copy)]
pub struct Counts {
    on: bool,
}

impl Counts {
    /// Advances by `n` units.
    #[inline]
    pub fn inc(&self, n: u64) {
        if self.on {
            POS.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts `n` things found.
    #[inline]
    pub fn hit(&self, n: u64) {
        if self.on {
            HITS.fetch_add(n, Ordering::Relaxed);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.on {
            if let Some(p) = lock(&PHASES).pop() {
                POS.store(p.saved.0, Ordering::Relaxed);
                HITS.store(p.saved.1, Ordering::Relaxed);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `12,345`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The step's display: a spinner with the step's name and the elapsed time, shown after a second on a terminal
/// (never otherwise), replaced by the bar or counter of the [`Progress`] phase under way. Every step gets one
/// from `main`, so no long step runs silently; [`Spinner::finish`] erases the line, leaving nothing on screen.
pub struct Spinner {
    stop: std::sync::Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    pub fn start(message: impl Into<String>) -> Spinner {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        if !progress_allowed() {
            return Spinner { stop, thread: None };
        }
        DRAWING.store(true, Ordering::Relaxed);
        let step = message.into();
        let after = show_after();
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            let mut tick = 0;
            while !s.load(Ordering::Relaxed) {
                if tick == 0 && start.elapsed() >= after {
                    bar.set_style(
                        ProgressStyle::with_template("{msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    *lock(&SHOWN) = Some(bar.clone());
                    tick = 1;
                }
                if tick > 0 {
                    bar.set_message(frame(&step, tick, start.elapsed()));
                    tick += 1;
                }
                std::thread::park_timeout(TICK);
            }
        });
        Spinner {
            stop,
            thread: Some(thread),
        }
    }

    /// Ends the display and erases its line.
    pub fn finish(mut self) {
        self.end();
    }

    fn end(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
        DRAWING.store(false, Ordering::Relaxed);
        if let Some(bar) = lock(&SHOWN).take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.end();
    }
}

/// The spinner's frames.
const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// One frame, drawn whole in one write: the spinner with the step's name, or the innermost phase's bar or counter
/// with its counts as they are now; the elapsed time last.
fn frame(step: &str, tick: usize, elapsed: Duration) -> String {
    let top = lock(&PHASES).last().cloned();
    let (pos, hits) = (POS.load(Ordering::Relaxed), HITS.load(Ordering::Relaxed));
    let spin = FRAMES[tick % FRAMES.len()];
    let secs = elapsed.as_secs();
    let clock = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    let Some(p) = top else {
        return format!("{spin} {step}  {clock}");
    };
    let mut line = if p.len > 0 {
        const WIDTH: u64 = 30;
        let done = pos.min(p.len);
        let filled = (done * WIDTH / p.len) as usize;
        let mut bar = "=".repeat(filled);
        if filled < WIDTH as usize {
            bar.push('>');
            bar.push_str(&" ".repeat(WIDTH as usize - filled - 1));
        }
        format!("{} [{bar}] {}/{}", p.label, grouped(done), grouped(p.len))
    } else {
        format!("{spin} {}: {}", p.label, grouped(pos))
    };
    if let Some(h) = p.hits_label {
        line.push_str(&format!(", {h} {}", grouped(hits)));
    }
    line.push_str("  ");
    line.push_str(&clock);
    line
}

/// Runs `print` with the progress line, if one is on screen, cleared first (and drawn again after), so that
/// output never lands in the middle of the line or leaves a frame behind.
fn around_progress(print: impl FnOnce()) {
    let shown = if DRAWING.load(Ordering::Relaxed) {
        lock(&SHOWN).clone()
    } else {
        None
    };
    match shown {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}

/// With `--json`, stdout is kept for the JSON object: this sends everything else printed to stdout (the
/// commands' human summaries) to stderr until [`JsonOut::emit`], which prints the object on the real stdout.
pub struct JsonOut {
    saved: Option<std::fs::File>,
}

impl JsonOut {
    /// Redirects stdout to stderr (Unix); elsewhere stdout is left alone and the object is printed last.
    pub fn begin() -> JsonOut {
        #[cfg(unix)]
        {
            use std::os::fd::FromRawFd;
            let _ = std::io::stdout().flush();
            // SAFETY: plain descriptor calls on this process's own stdout/stderr; the duplicate is owned by the
            // File made from it and closed with it.
            let saved = unsafe {
                let fd = libc::dup(1);
                if fd >= 0 && libc::dup2(2, 1) >= 0 {
                    Some(std::fs::File::from_raw_fd(fd))
                } else {
                    None
                }
            };
            JsonOut { saved }
        }
        #[cfg(not(unix))]
        {
            JsonOut { saved: None }
        }
    }

    /// Prints the object (one line) on the real stdout.
    pub fn emit(self, object: &Value) {
        let _ = std::io::stdout().flush();
        let line = format!("{object}\n");
        match self.saved {
            Some(mut f) => {
                let _ = f.write_all(line.as_bytes());
                let _ = f.flush();
            }
            None => {
                let _ = std::io::stdout().write_all(line.as_bytes());
            }
        }
    }
}

/// For measuring where a step spends its time: with `JIUZHU_TIMING=1` in the environment, prints the time since
/// the first call, the memory the process holds now and at most so far (Linux), and the phase's name on stderr.
/// Nothing otherwise (the check is one cached read).
pub fn phase(name: &str) {
    static START: std::sync::OnceLock<Option<Instant>> = std::sync::OnceLock::new();
    let start = START.get_or_init(|| std::env::var_os("JIUZHU_TIMING").map(|_| Instant::now()));
    if let Some(s) = start {
        crate::errln!("[{:>8.3} s] {}{name}", s.elapsed().as_secs_f64(), resident());
    }
}

/// "RSS now / peak MiB " from /proc/self/status, or nothing where there is none.
fn resident() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let mib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map(|kib| kib / 1024)
    };
    match (mib("VmRSS:"), mib("VmHWM:")) {
        (Some(now), Some(peak)) => format!("{now:>6} / {peak:>6} MiB  "),
        _ => String::new(),
    }
}

/// The line that says a list was cut short: `  … and 2,445 more` (`  … 另有 2445 项`); `None` when all were shown.
pub fn more(shown: usize, total: usize) -> Option<String> {
    (total > shown).then(|| {
        let n = total - shown;
        crate::i18n::tr(format!("… and {n} more"), format!("… 另有 {n} 项"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal() {
        assert!(!colour_on(false));
        assert_eq!(red("x", false), "x");
        assert_eq!(green("x", true), "\x1b[32mx\x1b[0m");
    }

    #[test]
    fn quoting_for_the_shell() {
        assert_eq!(shell_quote("/usr/bin/jiuzhu"), "/usr/bin/jiuzhu");
        assert_eq!(shell_quote("/a b/it's"), "'/a b/it'\\''s'");
        assert_eq!(shell_quote("青禾县"), "'青禾县'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn folders_are_named_from_here() {
        let here = std::env::current_dir().unwrap();
        assert_eq!(dir_from_here(&here), None);
        assert_eq!(cd_to(&here), "");
        assert_eq!(dir_from_here(&here.join("src")).as_deref(), Some("src"));
        assert_eq!(cd_to(&here.join("src")), "cd src && ");
        let root = here.ancestors().last().unwrap().to_path_buf();
        assert_eq!(dir_from_here(&root), Some(shell_quote(&root.to_string_lossy())));
    }

    #[test]
    fn a_long_list_says_how_many_more() {
        let items: Vec<String> = (1..=5).map(|i| format!("D-{i}")).collect();
        assert_eq!(first_of(&items, 5, ", "), "D-1, D-2, D-3, D-4, D-5");
        assert_eq!(first_of(&items, 9, ", "), "D-1, D-2, D-3, D-4, D-5");
        let cut = first_of(&items, 2, ", ");
        assert!(cut.starts_with("D-1, D-2 … ") && cut.contains(" 3 "), "{cut}");
        assert!(first_of(&items, 2, "\n").starts_with("D-1\nD-2 … "));
        assert_eq!(first_of(&[], 3, ", "), "");
    }

    #[test]
    fn progress_off_the_terminal_draws_nothing() {
        let p = Progress::new(10, "rows");
        p.inc(5);
        p.finish();
        assert!(lock(&PHASES).is_empty());
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
    }
}
