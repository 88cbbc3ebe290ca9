//! The inbox: one folder per unit under the inbox root, watched and
//! rescanned. This module finds candidate files, skips the names the
//! contract ignores, waits until a file has held still for the stability
//! window, and names where a file is filed. Taking a file in is
//! [`intake`]; bringing folders and ledger back into agreement after a
//! crash is [`recover`].

pub mod events;
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

/// How deep folders are entered: far deeper than any unit nests them, and
/// a bound even so.
const MAX_DEPTH: usize = 64;

/// Every file under `root` that is not ignored, in a stable order. Folders
/// are entered but never through a symbolic link, except a unit folder
/// directly under the root that the operator made as a link to a folder
/// (a share mounted elsewhere, say): that one is followed, and links inside
/// it are not. A symbolic link to a file is listed (it is filed as
/// rejected, never followed).
pub fn scan(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(root, &mut out, 0);
    out.sort();
    out
}

/// Whether `path` is a symbolic link to a folder.
pub fn linked_folder(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_ok_and(|m| m.is_dir())
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
        if kind.is_dir() || (depth == 0 && kind.is_symlink() && linked_folder(&path)) {
            if depth < MAX_DEPTH {
                walk(&path, out, depth + 1);
            }
        } else if kind.is_file() || kind.is_symlink() {
            // FIFOs, sockets and devices are never opened (a FIFO would block).
            out.push(path);
        }
    }
}

/// Where in the inbox a file lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Folder {
    /// The inbox root: the file is attributed by the unit it declares.
    Root,
    /// Under a unit's folder (its code).
    Unit(String),
    /// Under a folder named after no unit: answered to the secretariat,
    /// taken for no unit.
    Stray(String),
}

/// Where `path` lies under the inbox `root`: the first folder under the
/// root names the unit.
pub fn folder(root: &Path, path: &Path, cluster: &Cluster) -> Folder {
    let Ok(rel) = path.strip_prefix(root) else {
        return Folder::Root;
    };
    let mut parts = rel.components();
    let (Some(first), Some(_)) = (parts.next(), parts.next()) else {
        return Folder::Root;
    };
    let name = first.as_os_str().to_string_lossy();
    cluster
        .units
        .iter()
        .find(|u| u.code.eq_ignore_ascii_case(&name))
        .map_or_else(
            || Folder::Stray(name.into_owned()),
            |u| Folder::Unit(u.code.clone()),
        )
}

/// The unit whose folder holds `path`: the first folder under the inbox
/// root, when it is a unit's code. `None` for the root itself or a folder
/// that is no unit's.
pub fn folder_unit(root: &Path, path: &Path, cluster: &Cluster) -> Option<String> {
    match folder(root, path, cluster) {
        Folder::Unit(code) => Some(code),
        Folder::Root | Folder::Stray(_) => None,
    }
}

/// A path as one log line: control characters (a newline in a unit's file
/// name) escaped.
pub fn shown(path: &Path) -> String {
    path.to_string_lossy().escape_debug().to_string()
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

/// What was last seen of a candidate.
#[derive(Debug, Clone, Copy)]
struct Seen {
    shape: Shape,
    since: Instant,
    /// Its writer closed it (inotify close-write or moved-to) with this shape.
    closed: bool,
}

/// Tracks candidates until their size and modification time have held for
/// the stability window, or until their writer has closed them (a local
/// folder's close-write or moved-to event), whichever comes first.
#[derive(Debug)]
pub struct Stability {
    window: Duration,
    seen: HashMap<PathBuf, Seen>,
}

impl Stability {
    pub fn new(window: Duration) -> Stability {
        Stability {
            window,
            seen: HashMap::new(),
        }
    }

    /// Looks at `path` at `now`; returns its shape once it has held still
    /// for the window, or at once if its writer closed it with that shape.
    /// A vanished file is forgotten.
    pub fn observe(&mut self, path: &Path, now: Instant) -> Option<Shape> {
        let Some(shape) = Shape::of(path) else {
            self.seen.remove(path);
            return None;
        };
        match self.seen.get(path) {
            Some(old) if old.shape == shape => {
                (old.closed || now.duration_since(old.since) >= self.window).then_some(shape)
            }
            _ => {
                self.seen.insert(
                    path.to_path_buf(),
                    Seen {
                        shape,
                        since: now,
                        closed: false,
                    },
                );
                None
            }
        }
    }

    /// Its writer closed `path` (or renamed it into place): as it is now,
    /// it is complete, and ready without waiting out the window.
    pub fn closed(&mut self, path: &Path, now: Instant) {
        if let Some(shape) = Shape::of(path) {
            self.seen.insert(
                path.to_path_buf(),
                Seen {
                    shape,
                    since: now,
                    closed: true,
                },
            );
        }
    }

    /// `path` looked ready but a writer still holds it open: it waits for
    /// the window again (or for its writer's close).
    pub fn hold(&mut self, path: &Path, now: Instant) {
        if let Some(shape) = Shape::of(path) {
            self.seen.insert(
                path.to_path_buf(),
                Seen {
                    shape,
                    since: now,
                    closed: false,
                },
            );
        }
    }

    pub fn forget(&mut self, path: &Path) {
        self.seen.remove(path);
    }

    /// When the earliest file being watched will be ready, if it does not
    /// change meanwhile.
    pub fn next_due(&self) -> Option<Instant> {
        self.seen
            .values()
            .map(|s| {
                if s.closed {
                    s.since
                } else {
                    s.since + self.window
                }
            })
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

    #[test]
    fn a_newline_in_a_name_stays_on_one_log_line() {
        let shown = shown(Path::new("/inbox/STP-QTR/bảng\nmới.xlsx"));
        assert_eq!(shown, "/inbox/STP-QTR/bảng\\nmới.xlsx");
        assert!(!shown.contains('\n'));
    }

    #[test]
    fn a_file_its_writer_closed_is_ready_at_once_until_it_changes() {
        let dir = tempfile::TempDir::new().unwrap();
        let p = dir.path().join("a.xlsx");
        std::fs::write(&p, b"abc").unwrap();
        let mut s = Stability::new(Duration::from_secs(2));
        let t0 = Instant::now();
        s.closed(&p, t0);
        assert_eq!(s.next_due(), Some(t0));
        assert_eq!(s.observe(&p, t0).unwrap().size, 3);
        std::fs::write(&p, b"abcdef").unwrap();
        assert!(s.observe(&p, t0).is_none(), "changed after the close");
        assert!(s.observe(&p, t0 + Duration::from_secs(1)).is_none());
        s.hold(&p, t0 + Duration::from_secs(1));
        assert!(s.observe(&p, t0 + Duration::from_millis(2500)).is_none());
        assert!(s.observe(&p, t0 + Duration::from_secs(3)).is_some());
    }
}
