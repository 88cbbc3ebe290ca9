//! thidua: the yearly emulation scoring ("thi đua, khen thưởng") of a
//! cluster of Vietnamese justice agencies. Units drop self-scoring workbooks
//! into a folder; thidua validates them against the year's criteria table
//! and answers. See `README.md` for the tour and `docs/architecture.md` for
//! the map.
//!
//! The modules are layers, bottom first; each uses only itself and the
//! ones listed before it (`tests/integration/architecture.rs` keeps it so):
//! - [`domain`]: the pure core, values in and values out;
//! - [`config`]: the settings, loaded and checked into domain values;
//! - [`io`]: files, workbooks, the ledger, PDFs, templates, mail transports;
//! - [`app`]: what thidua does with them: a file reviewed, standings,
//!   papers, answers, jobs, init, demo;
//! - [`service`]: the daemon: inbox, scheduler, outbox worker, status page;
//! - [`cli`]: one file per command.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod io;
pub mod service;
