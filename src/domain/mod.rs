//! The domain core: pure rules with no file system, clock or randomness in them, unit-tested exhaustively.

pub mod benefit;
pub mod cadence;
pub mod date;
pub mod decision;
pub mod digest;
pub mod discovery;
pub mod eligibility;
pub mod fields;
pub mod id_number;
pub mod ids;
pub mod mask;
pub mod money;
pub mod policy;
pub mod record;
pub mod records;
pub mod recovery;
pub mod reopen;
pub mod text;
