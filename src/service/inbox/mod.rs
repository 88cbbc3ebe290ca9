//! The inbox: one folder per unit under the inbox root, watched and
//! rescanned. This module finds candidate files, skips the names the
//! contract ignores, waits until a file has held still for the stability
//! window, and names where a file is filed. Taking a file in is
//! [`intake`]; bringing folders and ledger back into agreement after a
//! crash is [`recover`].

pub mod intake;
pub mod names;
pub mod recover;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::domain::cluster::Cluster;

/// Whether the contract says to ignore this file name: `~$…` (Office lock
/// files), dot files, and `.tmp`, `.part`, `.crdownload` downloads.
pub fn ignored(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with("~$")
        || name.starts_with('.')
        || [".tmp", ".part", ".crdownload"]
            .iter()
            .any(|s| lower.ends_with(s))
}

/// Every file under `root` that is not ignored, in a stable order. Folders
/// are entered but never through a symbolic link; a symbolic link to a file
/// is listed (it is filed as rejected, never followed).
pub fn scan(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(root, &mut out, 0);
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if ignored(&name) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if depth < 8 {
                walk(&path, out, depth + 1);
            }
        } else if kind.is_file() || kind.is_symlink() {
            // FIFOs, sockets and devices are never opened (a FIFO would block).
            out.push(path);
        }
    }
}

/// The unit whose folder holds `path`: the first folder under the inbox
/// root, when it is a unit's code. `None` for the root itself or a folder
/// that is no unit's.
pub fn folder_unit(root: &Path, path: &Path, cluster: &Cluster) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    let first = parts.next()?;
    parts.next()?;
    let name = first.as_os_str().to_str()?;
    cluster
        .units
        .iter()
        .find(|u| u.code.eq_ignore_ascii_case(name))
        .map(|u| u.code.clone())
}

/// What a file looked like when last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub size: u64,
    pub modified: Option<SystemTime>,
}

impl Shape {
    /// The file's size and modification time, not following a symbolic link.
    pub fn of(path: &Path) -> Option<Shape> {
        let m = std::fs::symlink_metadata(path).ok()?;
        Some(Shape {
            size: m.len(),
            modified: m.modified().ok(),
        })
    }
}

/// Tracks candidates until their size and modification time have held for
/// the stability window.
#[derive(Debug)]
pub struct Stability {
    window: Duration,
    seen: HashMap<PathBuf, (Shape, Instant)>,
}

impl Stability {
    pub fn new(window: Duration) -> Stability {
        Stability {
            window,
            seen: HashMap::new(),
        }
    }

    /// Looks at `path` at `now`; returns its shape once it has held still
    /// for the window. A vanished file is forgotten.
    pub fn observe(&mut self, path: &Path, now: Instant) -> Option<Shape> {
        let Some(shape) = Shape::of(path) else {
            self.seen.remove(path);
            return None;
        };
        match self.seen.get(path) {
            Some((old, since)) if *old == shape => {
                (now.duration_since(*since) >= self.window).then_some(shape)
            }
            _ => {
                self.seen.insert(path.to_path_buf(), (shape, now));
                None
            }
        }
    }

    pub fn forget(&mut self, path: &Path) {
        self.seen.remove(path);
    }

    /// When the earliest file being watched will have held still for the
    /// window, if it does not change meanwhile.
    pub fn next_due(&self) -> Option<Instant> {
        self.seen
            .values()
            .map(|(_, since)| *since + self.window)
            .min()
    }

    /// Paths being watched, so a tick can look at them again.
    pub fn pending(&self) -> Vec<PathBuf> {
        self.seen.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_ignored_names() {
        for n in [
            "~$bang.xlsx",
            ".~lock.bang.xlsx#",
            "bang.xlsx.tmp",
            "bang.xlsx.part",
            "bang.xlsx.crdownload",
            "x.TMP",
        ] {
            assert!(ignored(n), "{n}");
        }
        for n in ["bang.xlsx", "bảng tự chấm.ods", "tmp.xlsx"] {
            assert!(!ignored(n), "{n}");
        }
    }

    #[test]
    fn a_file_is_ready_only_after_holding_still() {
        let dir = tempfile::TempDir::new().unwrap();
        let p = dir.path().join("a.xlsx");
        std::fs::write(&p, b"abc").unwrap();
        let mut s = Stability::new(Duration::from_secs(2));
        let t0 = Instant::now();
        assert!(s.observe(&p, t0).is_none());
        assert!(s.observe(&p, t0 + Duration::from_secs(1)).is_none());
        std::fs::write(&p, b"abcdef").unwrap();
        assert!(
            s.observe(&p, t0 + Duration::from_millis(2500)).is_none(),
            "grew: the clock restarts"
        );
        assert!(s.observe(&p, t0 + Duration::from_secs(4)).is_none());
        assert_eq!(
            s.observe(&p, t0 + Duration::from_millis(4600))
                .unwrap()
                .size,
            6
        );
    }
}
