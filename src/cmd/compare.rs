//! `jiuzhu compare` — registry matching (信息比对): work in progress (being written now).

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::workspace::Workspace;
use crate::Outcome;

#[derive(Debug, Clone)]
pub enum Mode {
    Match { sources: Vec<(String, PathBuf)>, hashed: bool },
    Resolve { file: PathBuf, by: Option<String> },
    ExportHashed(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Args {
    pub mode: Mode,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

pub fn run(_ws: &Workspace, _args: &Args) -> Result<Outcome> {
    bail!("compare is not implemented yet")
}
