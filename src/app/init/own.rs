//! Telling thidua's own files in the inboxes (see `thidua init`) from the
//! units' files: a file whose path under the inbox root and content are
//! what thidua recorded writing is left where it is and not taken.

use std::path::Path;

use crate::io::ledger::{Ledger, LedgerError};

/// The ledger's key for `path`: its path under the inbox root, with `/`.
pub fn key(inbox: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(inbox).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Whether `path` is a file thidua wrote and nobody has changed since.
pub fn untouched(ledger: &Ledger, inbox: &Path, path: &Path) -> Result<bool, LedgerError> {
    let Some(k) = key(inbox, path) else {
        return Ok(false);
    };
    let Some(hash) = ledger.own_file(&k)? else {
        return Ok(false);
    };
    Ok(crate::io::digest::hash_file(path).is_ok_and(|h| h == hash))
}
