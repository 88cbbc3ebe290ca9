//! Input and output: reading and writing workbooks, the ledger (`SQLite`)
//! with typed rows, the PDF engine and the Word writer that draws the same
//! documents, the templates (compiled from the files of
//! `config::editable`, the one loader of "the configured folder, else the
//! copy compiled in"), composing and sending mail, and the file helpers.
//! Uses the domain and the settings.

pub mod atomic_file;
pub mod criteria_toml;
pub mod digest;
pub mod docx;
pub mod docx_annex;
pub mod docx_tables;
pub mod ledger;
pub mod mail;
pub mod pdf;
pub mod private;
pub mod templates;
pub mod workbook;
pub mod writers;
