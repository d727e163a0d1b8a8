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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};

static QUIET: AtomicBool = AtomicBool::new(false);
static JSON: AtomicBool = AtomicBool::new(false);
static SUMMARY: Mutex<Option<Map<String, Value>>> = Mutex::new(None);
/// A progress bar is on screen: the step's spinner stays out of its way.
static BAR_SHOWN: AtomicBool = AtomicBool::new(false);

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
    if let Err(e) = stdout().write_fmt(args) {
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
    let _ = std::io::stderr().lock().write_fmt(args);
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

/// How long a step runs before its progress is shown.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress bar over `len` units of work that appears only after a second, on a terminal.
pub struct Progress {
    len: u64,
    pos: u64,
    message: String,
    start: Instant,
    bar: Option<ProgressBar>,
    allowed: bool,
}

impl Progress {
    pub fn new(len: u64, message: impl Into<String>) -> Progress {
        Progress {
            len,
            pos: 0,
            message: message.into(),
            start: Instant::now(),
            bar: None,
            allowed: progress_allowed(),
        }
    }

    /// Advances by `n`.
    pub fn inc(&mut self, n: u64) {
        self.pos += n;
        if !self.allowed {
            return;
        }
        match &self.bar {
            Some(bar) => bar.set_position(self.pos),
            None if self.start.elapsed() >= SHOW_AFTER => {
                let bar = ProgressBar::with_draw_target(Some(self.len), ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                bar.set_style(style);
                bar.set_message(self.message.clone());
                bar.set_position(self.pos);
                BAR_SHOWN.store(true, Ordering::Relaxed);
                self.bar = Some(bar);
            }
            None => {}
        }
    }

    /// Removes the bar (the one-line summary follows).
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
            BAR_SHOWN.store(false, Ordering::Relaxed);
        }
    }
}

/// A spinner for a whole step whose length is unknown: shown after a second on a terminal, with the elapsed
/// time, until the step ends. Every writing step gets one from `main`, so no long step runs silently.
pub struct Spinner {
    bar: Option<ProgressBar>,
    stop: std::sync::Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    pub fn start(message: impl Into<String>) -> Spinner {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        if !progress_allowed() {
            return Spinner {
                bar: None,
                stop,
                thread: None,
            };
        }
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.into());
        let (b, s) = (bar.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            while !s.load(Ordering::Relaxed) {
                let bar_shown = BAR_SHOWN.load(Ordering::Relaxed);
                if bar_shown && !b.is_hidden() {
                    b.finish_and_clear();
                    b.set_draw_target(ProgressDrawTarget::hidden());
                } else if !bar_shown && start.elapsed() >= SHOW_AFTER && b.is_hidden() {
                    b.set_draw_target(ProgressDrawTarget::stderr());
                }
                if !b.is_hidden() {
                    b.tick();
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Spinner {
            bar: Some(bar),
            stop,
            thread: Some(thread),
        }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
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
        let mut p = Progress::new(10, "rows");
        p.inc(5);
        p.finish();
    }
}
