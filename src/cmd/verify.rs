//! `jiuzhu verify` — the review (审核): work in progress (being written now).

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::workspace::Workspace;
use crate::Outcome;

/// `--extend CASE --days N --approver NAME --reason TEXT`.
#[derive(Debug, Clone)]
pub struct ExtendArgs {
    pub case_id: String,
    pub days: u32,
    pub approver: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Args {
    pub as_of: Option<String>,
    pub visits: Vec<PathBuf>,
    pub extend: Option<ExtendArgs>,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

pub fn run(_ws: &Workspace, _args: &Args) -> Result<Outcome> {
    bail!("verify is not implemented yet")
}
