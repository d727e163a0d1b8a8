//! What every command's command-line entry shares: the global options a command needs ([`Ctx`]) and the help
//! layout with examples ([`examples`]). Each command's options and help sit beside its `run`, in its own
//! module (`cmd::NAME::Args`, with `#[command(about = …, help_template = examples(…), after_help = …)]`), and
//! the binary's dispatch is one line per command.

use std::path::{Path, PathBuf};

use crate::i18n::tr;
use crate::workspace::Workspace;

/// The global options a command's entry needs: `-C DIR`, `--quiet`.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// `-C DIR`: run as if started in DIR.
    pub change_dir: Option<PathBuf>,
    /// `--quiet`: print nothing on success.
    pub quiet: bool,
}

impl Ctx {
    /// The folder the workspace is looked for from (`-C DIR`, else the current folder).
    pub fn start(&self) -> PathBuf {
        self.change_dir.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    /// As with `git -C`, a relative path given with `-C DIR` is relative to DIR.
    pub fn path(&self, p: impl AsRef<Path>) -> PathBuf {
        let p = p.as_ref();
        match &self.change_dir {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    /// The workspace the command runs in (found from [`Ctx::start`] upward, like git).
    pub fn workspace(&self) -> anyhow::Result<Workspace> {
        Workspace::open(&self.start())
    }

    /// The workspace, whatever the format of its ledgers ([`Workspace::open_any_format`]).
    pub fn workspace_any_format(&self) -> anyhow::Result<Workspace> {
        Workspace::open_any_format(&self.start())
    }
}

/// The help of a command with examples: clap's own layout (about, usage, options), then the examples exactly as
/// written, then the command's `after_help`. clap wraps `after_help` to the terminal's width, which broke a long
/// example mid-command (pasted, its two halves ran as two broken commands); the text of a help template is
/// printed as it is, so the examples go there, and a line too long for the terminal is wrapped by the terminal
/// only on screen. Under Chinese the headings are Chinese (`用法:`; the others are set by the binary).
pub fn examples(examples: String) -> String {
    format!(
        "{{before-help}}{{about-with-newline}}\n{}\n\n{{all-args}}\n\n{examples}{{after-help}}",
        tr("{usage-heading} {usage}", "用法: {usage}")
    )
}

/// The help of `--dry-run` on the steps that write.
pub fn dry_run_help() -> String {
    tr(
        "Show what would happen; write nothing",
        "只显示将会做什么; 不写任何文件",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_path_is_taken_from_the_folder_of_dash_c() {
        let ctx = Ctx {
            change_dir: Some(PathBuf::from("county")),
            quiet: false,
        };
        assert_eq!(ctx.path("in.csv"), PathBuf::from("county/in.csv"));
        assert_eq!(ctx.path("/tmp/in.csv"), PathBuf::from("/tmp/in.csv"));
        assert_eq!(Ctx::default().path("in.csv"), PathBuf::from("in.csv"));
        assert_eq!(Ctx::default().start(), PathBuf::from("."));
    }
}
