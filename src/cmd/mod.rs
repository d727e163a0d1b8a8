//! One module per subcommand. Each reads, calls the pure core, and writes through the workspace's commit path.

pub mod accept_edits;
pub mod archive;
pub mod audit;
pub mod cat;
pub mod cli;
pub mod commit;
pub mod compare;
pub mod correct;
pub mod decide;
pub mod diff;
pub mod disburse;
pub mod discover;
pub mod discovery_report;
pub mod followup;
pub mod init;
pub mod intake;
pub mod monitor;
pub mod recover;
pub mod report;
pub mod rollup;
pub mod sample_data;
pub mod status;
pub mod step;
pub mod supplements;
pub mod verify;
pub mod withdraw;
