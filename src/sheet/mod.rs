//! Spreadsheets as clerks really have them: the one table reader ([`reader`]) and its streaming path for CSV
//! files too large to hold ([`stream`]), the fields it recognises ([`fields`]), and the one workbook writer
//! ([`writer`]).

pub use crate::domain::fields;
pub mod reader;
pub mod stream;
pub mod writer;
