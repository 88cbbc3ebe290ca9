//! Whether some process still holds a file open for writing. On a local
//! file system Linux answers exactly: a read lease (`F_SETLEASE`) is refused
//! while any process has the file open for writing. Where leases are not
//! available (a network share, a daemon that neither owns the file nor has
//! `CAP_LEASE`) the answer is "unknown", and the caller keeps to its
//! stability window.

use std::path::Path;

/// `Some(true)` if a process holds `path` open for writing, `Some(false)`
/// if none does, `None` if this cannot be told here.
#[allow(unsafe_code)]
pub fn held_for_writing(path: &Path) -> Option<bool> {
    use std::os::fd::AsRawFd;
    static IGNORE_SIGIO: std::sync::Once = std::sync::Once::new();
    IGNORE_SIGIO.call_once(|| {
        // A writer opening the file in the microseconds the lease is held
        // makes the kernel send SIGIO, whose default action ends the
        // process; the lease is let go at once anyway.
        // SAFETY: sets a signal's disposition to "ignore"; no handler runs.
        unsafe {
            libc::signal(libc::SIGIO, libc::SIG_IGN);
        }
    });
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function owns, with integer arguments.
    let taken = unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) };
    if taken == 0 {
        // SAFETY: as above; lets the lease go before the file is closed.
        unsafe {
            libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK);
        }
        return Some(false);
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::EAGAIN) => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_open_for_writing_is_told_apart() {
        let dir = tempfile::TempDir::new().unwrap();
        let p = dir.path().join("a.xlsx");
        let mut w = std::fs::File::create(&p).unwrap();
        w.write_all(b"half").unwrap();
        // Leases need the file's owner or CAP_LEASE: skip where neither.
        let Some(open) = held_for_writing(&p) else {
            // CI runs as the file's owner: a skip there would pass untested.
            assert!(
                std::env::var_os("CI").is_none(),
                "leases must be available under CI"
            );
            eprintln!("leases not available here; skipped");
            return;
        };
        assert!(open, "the writer still holds it");
        drop(w);
        assert_eq!(held_for_writing(&p), Some(false));
    }
}
