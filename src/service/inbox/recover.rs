//! After a crash: staged copies are dropped (their inbox files remain),
//! files taken but never recorded are put back or dropped, and inbox files
//! whose filing was recorded but which were not yet removed are removed.
//! Afterwards every file is either in the inbox or filed and recorded.

use tracing::{info, warn};

use super::intake::IntakeError;
use super::names::{BESIDE, beside};
use crate::config::Paths;
use crate::io::digest::hash_file;
use crate::io::ledger::Ledger;

/// What recovery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    pub staged_dropped: usize,
    pub unfinished: usize,
    pub inbox_removed: usize,
}

/// Recovers; returns what it did and the inbox files that were taken and
/// recorded but stay in the inbox as they were (thidua could not remove
/// them, or may not read them), which must not be taken again as they are.
pub fn recover(
    paths: &Paths,
    ledger: &mut Ledger,
) -> Result<(Recovered, Vec<std::path::PathBuf>), IntakeError> {
    let mut r = Recovered::default();
    let mut left = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&paths.staging) {
        for e in entries.flatten() {
            if std::fs::remove_file(e.path()).is_ok() {
                r.staged_dropped += 1;
            }
        }
    }
    for sub in ledger.unfinished()? {
        // Filed but not recorded: the inbox copy is the one that counts.
        for suffix in BESIDE {
            let _ = std::fs::remove_file(beside(&sub.stored_path, suffix));
        }
        if std::fs::symlink_metadata(&sub.stored_path).is_ok() {
            let same_in_inbox =
                sub.inbox_path.exists() && hash_file(&sub.inbox_path).is_ok_and(|h| h == sub.hash);
            let back = if same_in_inbox {
                None
            } else if sub.inbox_path.exists() {
                // The unit replaced the file since: keep both, the older under a new name.
                Some(sub.inbox_path.with_file_name(format!(
                        "{}.{}",
                        sub.hash.get(..8).unwrap_or(&sub.hash),
                        sub.inbox_path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    )))
            } else {
                Some(sub.inbox_path.clone())
            };
            match back {
                None => {
                    let _ = std::fs::remove_file(&sub.stored_path);
                }
                Some(to) => {
                    if let Err(e) = std::fs::rename(&sub.stored_path, &to) {
                        warn!(file = %super::shown(&sub.stored_path), error = %e, "cannot put an unfinished file back; it stays where it is");
                        continue;
                    }
                }
            }
        }
        ledger.forget(sub.id)?;
        r.unfinished += 1;
    }
    for sub in ledger.filed()? {
        // Only a file that has not changed since it was received: the same
        // content dropped again later is a new (duplicate) submission.
        let unchanged = std::fs::metadata(&sub.inbox_path)
            .and_then(|m| m.modified())
            .is_ok_and(|m| chrono::DateTime::<chrono::Utc>::from(m) <= sub.received_at);
        if !unchanged {
            continue;
        }
        match hash_file(&sub.inbox_path) {
            Ok(h) if h == sub.hash => {
                // Recorded and filed, but the inbox copy was not removed yet.
                if sub.stored_path.exists() && std::fs::remove_file(&sub.inbox_path).is_ok() {
                    r.inbox_removed += 1;
                } else {
                    left.push(sub.inbox_path.clone());
                }
            }
            // Taken once as unreadable and answered: it stays as it is.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                left.push(sub.inbox_path.clone());
            }
            _ => {}
        }
    }
    if r != Recovered::default() {
        info!(?r, "recovered after an unclean stop");
    }
    Ok((r, left))
}
