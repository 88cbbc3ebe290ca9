//! The pure core: Vietnamese text, numbers and dates, Viet Nam's time zone,
//! the cluster, criteria tables, findings, the cell grid and the workbook
//! contract, submission parsing, validation, scoring, the vote and schedule
//! values. Values in, values out: no files, clocks, servers or settings
//! here, and nothing from the layers above.

pub mod cells;
pub mod cluster;
pub mod conference;
pub mod criteria;
pub mod findings;
pub mod schedule;
pub mod scoring;
pub mod submission;
pub mod time;
pub mod validate;
pub mod vn;
pub mod vote;
