//! What the inbox's events say (a file changed, or its writer closed it or
//! renamed it into place), and the unit folders the operator made as links,
//! checked at start.

use std::path::{Path, PathBuf};

use tracing::info;

use crate::domain::cluster::Cluster;

/// What an inbox event says about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Created, written or changed: it must hold still for the window.
    Changed,
    /// Its writer closed it after writing, or it was renamed into place:
    /// complete as it is.
    Closed,
}

/// The paths an event is about, and what it says of them.
pub fn seen(ev: &notify::Event) -> Vec<(PathBuf, Seen)> {
    use notify::EventKind::{Access, Modify};
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    match ev.kind {
        Access(AccessKind::Close(AccessMode::Write)) => {
            ev.paths.iter().map(|p| (p.clone(), Seen::Closed)).collect()
        }
        // Renamed into place: the last path is where it now is.
        Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => ev
            .paths
            .last()
            .map(|p| vec![(p.clone(), Seen::Closed)])
            .unwrap_or_default(),
        // Opening or reading a file (thidua hashing its own files, a unit's
        // antivirus) changes nothing and must not put it back in the queue.
        Access(_) => Vec::new(),
        _ => ev
            .paths
            .iter()
            .map(|p| (p.clone(), Seen::Changed))
            .collect(),
    }
}

/// A unit folder the operator made as a symbolic link is followed; one
/// whose target is missing or not a folder stops the start with one line.
pub fn refuse_unreadable_unit_links(
    root: &Path,
    cluster: &Cluster,
) -> Result<(), (String, String)> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let path = e.path();
        let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
        if !is_link {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let is_unit = cluster
            .units
            .iter()
            .any(|u| u.code.eq_ignore_ascii_case(&name));
        if is_unit && !super::linked_folder(&path) {
            let target = std::fs::read_link(&path).unwrap_or_default();
            return Err((
                path.display().to_string(),
                format!(
                    "the unit folder is a symbolic link to {}, which is not a folder thidua can enter; point it at the unit's folder or replace it with one",
                    target.display()
                ),
            ));
        }
        if is_unit {
            info!(folder = %super::shown(&path), target = %std::fs::read_link(&path).unwrap_or_default().display(), "a unit folder is a link made by the operator: followed");
        }
    }
    Ok(())
}
