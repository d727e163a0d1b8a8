//! The domain core: pure rules with no file system, clock or randomness in them, unit-tested exhaustively.

pub mod date;
pub mod id_number;
pub mod money;
pub mod text;
