//! One module per subcommand. Each reads, calls the pure core, and writes through the workspace's commit path.

pub mod compare;
pub mod decide;
pub mod init;
pub mod intake;
pub mod verify;
