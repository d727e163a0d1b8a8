//! One module per subcommand. Each reads, calls the pure core, and writes through the workspace's commit path.

pub mod cat;
pub mod compare;
pub mod decide;
pub mod diff;
pub mod disburse;
pub mod init;
pub mod intake;
pub mod sample_data;
pub mod verify;
