//! Folders only their owner can enter: the data folder holds units'
//! workbooks, the ledger and the mail, so it is created `rwx------` (the
//! operator may open it up on purpose; folders that already exist keep
//! their permissions).

use std::io;
use std::path::Path;

/// `create_dir_all`, with every folder it creates owner-only.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(path)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(unix)]
    fn new_folders_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b");
        super::create_dir_all(&p).unwrap();
        for d in [dir.path().join("a"), p] {
            let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", d.display());
        }
    }
}
