//! The application: what thidua does with the domain through the I/O
//! layer. One file reviewed (read, then check), a year's standings, the
//! papers of a year, the ranking as a workbook, the answers to units and
//! their mail texts, the operator's overview, the scheduled jobs, `init`
//! and the demo; mail to the submission mailbox judged and answered
//! (`mail_in`).

pub mod answers;
pub mod criteria;
pub mod demo;
pub mod init;
pub mod jobs;
pub mod mail_in;
pub mod mail_texts;
pub mod overview;
pub mod papers;
pub mod ranking_book;
pub mod review;
pub mod standings;
