//! `thidua mail retry [--failed] [ID…]`: mails that failed for good go back
//! in the outbox, due now; the daemon (or the next `thidua run --once`)
//! sends them.

use std::fmt::Write as _;

use super::exit::{Exit, Failure};
use super::output::emit;
use crate::config::Settings;
use crate::io::ledger::Ledger;

pub(super) fn retry(settings: &Settings, all_failed: bool, ids: &[i64]) -> Result<Exit, Failure> {
    if !all_failed && ids.is_empty() {
        return Err(Failure::usage(
            "name the mails to send again by their numbers (as `thidua status` shows them), or give --failed for every mail that failed",
        ));
    }
    if !settings.paths.ledger.is_file() {
        return Err(Failure::usage(format!(
            "{}: no ledger here (check paths.data)",
            settings.paths.ledger.display()
        )));
    }
    let mut ledger = Ledger::open(&settings.paths.ledger)?;
    let back = ledger.retry_failed(if all_failed { &[] } else { ids }, chrono::Utc::now())?;
    let mut text = format!("Đã đưa lại {} thư vào hộp thư đi", back.len());
    if back.is_empty() {
        text.push_str(".\n");
    } else {
        let shown: Vec<String> = back.iter().map(ToString::to_string).collect();
        let _ = writeln!(text, " (số {}); thư sẽ được gửi lại.", shown.join(", "));
    }
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !back.contains(id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            text,
            "Không phải thư bị lỗi (không có, đang chờ hoặc đã gửi): số {}.",
            missing.join(", ")
        );
    }
    emit(&text);
    Ok(if missing.is_empty() {
        Exit::Done
    } else {
        Exit::Rejected
    })
}
