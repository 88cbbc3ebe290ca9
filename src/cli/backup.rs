//! `thidua backup -o FILE`: a consistent copy of the ledger through
//! `SQLite`'s online backup, safe while the daemon runs.

use super::exit::{Exit, Failure};
use super::output::emit;
use crate::config::Settings;
use crate::io::ledger::Ledger;

pub(super) fn backup(settings: &Settings, out: &std::path::Path) -> Result<Exit, Failure> {
    let pages = Ledger::backup(&settings.paths.ledger, out)?;
    emit(&format!(
        "Đã sao lưu sổ dữ liệu {} vào {} ({pages} trang).\n",
        settings.paths.ledger.display(),
        out.display()
    ));
    Ok(Exit::Done)
}
