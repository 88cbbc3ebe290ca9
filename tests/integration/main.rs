//! The one integration-test binary: runs the real `thidua` on workbooks the
//! tests write. A module per topic.

mod architecture;
mod ballots;
mod cli;
mod config;
mod criteria;
mod demo;
mod documents;
mod docx;
mod form;
mod hostile;
mod imap;
mod imap_support;
mod inbox;
mod init;
mod jobs;
mod mail;
mod mail_server_days;
mod realworld;
mod reload;
mod scoring;
mod service;
mod status_page;
mod support;
mod validate;
mod writers;
