//! thidua: the yearly emulation scoring ("thi đua, khen thưởng") of a
//! cluster of Vietnamese justice agencies. Units drop self-scoring workbooks
//! into a folder; thidua validates them against the year's criteria table
//! and answers. See `README.md` for the tour and `docs/` for the contract.

pub mod atomic_file;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod criteria;
pub mod daemon;
pub mod demo;
pub mod digest;
pub mod documents;
pub mod findings;
pub mod inbox;
pub mod init;
pub mod jobs;
pub mod ledger;
pub mod mail;
pub mod memory;
pub mod overview;
pub mod papers;
pub mod private;
pub mod receipts;
pub mod review;
pub mod sample;
pub mod scoring;
pub mod standings;
pub mod submission;
pub mod template_file;
pub mod validate;
pub mod vn;
pub mod vote;
pub mod web;
pub mod workbook;
