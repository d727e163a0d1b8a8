//! Spreadsheets as clerks really have them: the one table reader ([`reader`]), the fields it recognises
//! ([`fields`]), and the one workbook writer ([`writer`]).

pub mod fields;
pub mod reader;
pub mod writer;
