//! The one integration-test binary: runs the real `thidua` on workbooks the
//! tests write. A module per topic.

mod architecture;
mod ballots;
mod cli;
mod config;
mod demo;
mod documents;
mod form;
mod hostile;
mod inbox;
mod init;
mod jobs;
mod mail;
mod realworld;
mod scoring;
mod status_page;
mod support;
mod validate;
mod writers;
