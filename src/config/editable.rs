//! The one loader of the files an operator may edit without recompiling:
//! the templates (mail texts, documents, the status page, the inbox guide),
//! the fonts (`paths.templates`) and the criteria tables (`paths.criteria`).
//! Each comes from the configured folder, else from the copy compiled into
//! the program ([`Shipped`], made with [`shipped!`]).
//!
//! The rule, the same for every user: when a folder is configured, every
//! file is read from it and a missing or unreadable file is an error naming
//! its path; thidua never falls back to the compiled-in copy for some files
//! of a configured folder, so what runs is what the operator sees there. A
//! folder that is not configured means the compiled-in copies, all of them.
//! Criteria tables are a set, not a fixed list: a configured folder gives
//! every `*.toml` file in it, the compiled-in set is the shipped tables.
//!
//! Why it lives in `config`, not `io`: the criteria tables are read while
//! the settings are checked (`check.rs` refuses a configuration whose
//! awards or tie-breaks name a class or criterion no table has), and
//! `config` may use only `domain`. `config` already reads a file (the
//! configuration itself), so reading the folders it names belongs here as
//! well; `io` and `app` use this loader from below. The parsing of what is
//! read stays with each user: criteria tables in `domain::criteria`
//! (text in, table out), templates in `io::templates`, fonts in `io::pdf`.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// A file compiled into the program: its folder in the repository
/// (`templates`, `config/criteria`), its name in that folder (which is also
/// its name in the configured folder), and its bytes.
#[derive(Debug)]
pub struct Shipped {
    pub dir: &'static str,
    pub name: &'static str,
    pub bytes: &'static [u8],
}

/// `shipped!("templates", "mail/receipt.txt.j2")`: the [`Shipped`] file
/// `templates/mail/receipt.txt.j2` of the repository, compiled in.
macro_rules! shipped {
    ($dir:literal, $name:literal) => {
        $crate::config::editable::Shipped {
            dir: $dir,
            name: $name,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir, "/", $name)),
        }
    };
}
pub(crate) use shipped;

/// A file that cannot be had; the message names its path.
#[derive(Debug, thiserror::Error)]
pub enum EditableError {
    #[error("{path}: cannot read the file: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: cannot read the folder: {reason}")]
    Folder { path: String, reason: String },
    #[error("{path}: the file is not UTF-8 text: {reason}")]
    NotUtf8 { path: String, reason: String },
    /// A name the program asked for but does not ship (a bug, not a
    /// configuration mistake).
    #[error("{name}: not one of the files compiled into the program")]
    NotShipped { name: String },
}

/// Where a file came from, for messages and logs: its path in the
/// configured folder, or `<embedded>/templates/…` for the compiled-in copy.
#[derive(Debug, Clone)]
pub enum Origin {
    Folder(PathBuf),
    Embedded(&'static Shipped),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Folder(path) => write!(f, "{}", path.display()),
            Origin::Embedded(s) => write!(f, "<embedded>/{}/{}", s.dir, s.name),
        }
    }
}

/// One file as loaded: its name in the folder, where it came from, and its
/// content (bytes, or text).
#[derive(Debug)]
pub struct Loaded<T> {
    pub name: Cow<'static, str>,
    pub origin: Origin,
    pub content: T,
}

/// Bytes of a file.
pub type Bytes = Cow<'static, [u8]>;
/// Text of a file.
pub type Text = Cow<'static, str>;

/// The configured folder (if any) and the files compiled in for it.
#[derive(Debug, Clone, Copy)]
pub struct EditableFiles<'a> {
    folder: Option<&'a Path>,
    shipped: &'static [Shipped],
}

impl<'a> EditableFiles<'a> {
    /// `folder` is the configured folder (`None`: the compiled-in copies);
    /// `shipped` every file the program knows, all in one repository folder.
    pub fn new(folder: Option<&'a Path>, shipped: &'static [Shipped]) -> EditableFiles<'a> {
        EditableFiles { folder, shipped }
    }

    /// Where the files come from, for logs: the folder, or `<embedded>/…`.
    pub fn source(&self) -> String {
        match (self.folder, self.shipped.first()) {
            (Some(d), _) => d.display().to_string(),
            (None, Some(s)) => format!("<embedded>/{}", s.dir),
            (None, None) => "<embedded>".to_string(),
        }
    }

    /// The shipped file `name`: from the folder when one is configured.
    pub fn bytes(&self, name: &str) -> Result<Loaded<Bytes>, EditableError> {
        let shipped = self
            .shipped
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| EditableError::NotShipped {
                name: name.to_string(),
            })?;
        self.load(shipped)
    }

    /// [`EditableFiles::bytes`] as UTF-8 text.
    pub fn text(&self, name: &str) -> Result<Loaded<Text>, EditableError> {
        self.bytes(name).and_then(into_text)
    }

    /// Every shipped file in order, each from the folder when one is
    /// configured.
    pub fn all(&self) -> impl Iterator<Item = Result<Loaded<Bytes>, EditableError>> + '_ {
        self.shipped.iter().map(|s| self.load(s))
    }

    /// [`EditableFiles::all`] as UTF-8 texts.
    pub fn texts(&self) -> impl Iterator<Item = Result<Loaded<Text>, EditableError>> + '_ {
        self.all().map(|file| file.and_then(into_text))
    }

    /// Every file of the folder whose name ends `.{extension}`, by name,
    /// when a folder is configured; else every shipped file, in order.
    pub fn texts_with_extension(
        &self,
        extension: &str,
    ) -> Result<Vec<Loaded<Text>>, EditableError> {
        let Some(folder) = self.folder else {
            return self.texts().collect();
        };
        let listing = std::fs::read_dir(folder).map_err(|e| EditableError::Folder {
            path: folder.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut paths: Vec<PathBuf> = listing
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == extension))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|path| {
                let name = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                into_text(read(path, Cow::Owned(name))?)
            })
            .collect()
    }

    fn load(&self, shipped: &'static Shipped) -> Result<Loaded<Bytes>, EditableError> {
        match self.folder {
            Some(d) => read(d.join(shipped.name), Cow::Borrowed(shipped.name)),
            None => Ok(Loaded {
                name: Cow::Borrowed(shipped.name),
                origin: Origin::Embedded(shipped),
                content: Cow::Borrowed(shipped.bytes),
            }),
        }
    }
}

fn read(path: PathBuf, name: Cow<'static, str>) -> Result<Loaded<Bytes>, EditableError> {
    let bytes = std::fs::read(&path).map_err(|e| EditableError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(Loaded {
        name,
        origin: Origin::Folder(path),
        content: Cow::Owned(bytes),
    })
}

fn into_text(file: Loaded<Bytes>) -> Result<Loaded<Text>, EditableError> {
    let Loaded {
        name,
        origin,
        content,
    } = file;
    let content = match content {
        Cow::Borrowed(b) => std::str::from_utf8(b)
            .map(Cow::Borrowed)
            .map_err(|e| e.to_string()),
        Cow::Owned(b) => String::from_utf8(b)
            .map(Cow::Owned)
            .map_err(|e| e.utf8_error().to_string()),
    };
    match content {
        Ok(content) => Ok(Loaded {
            name,
            origin,
            content,
        }),
        Err(reason) => Err(EditableError::NotUtf8 {
            path: origin.to_string(),
            reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SHIPPED: &[Shipped] = &[
        shipped!("templates", "status/page.html.j2"),
        shipped!("templates", "init/huong-dan.txt.j2"),
    ];

    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("status")).unwrap();
        std::fs::write(dir.path().join("status/page.html.j2"), "edited").unwrap();
        dir
    }

    #[test]
    fn without_a_folder_the_compiled_in_copies_are_used() {
        let files = EditableFiles::new(None, SHIPPED);
        let page = files.text("status/page.html.j2").unwrap();
        assert_eq!(
            page.origin.to_string(),
            "<embedded>/templates/status/page.html.j2"
        );
        assert_eq!(
            page.content,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/status/page.html.j2"
            ))
        );
        assert!(matches!(page.content, Cow::Borrowed(_)));
        assert_eq!(files.source(), "<embedded>/templates");
        assert_eq!(files.texts().count(), 2);
    }

    #[test]
    fn a_configured_folder_is_read_and_a_missing_file_is_an_error() {
        let dir = folder();
        let files = EditableFiles::new(Some(dir.path()), SHIPPED);
        let page = files.text("status/page.html.j2").unwrap();
        assert_eq!(page.content, "edited");
        assert_eq!(
            page.origin.to_string(),
            dir.path().join("status/page.html.j2").display().to_string()
        );
        // No fallback to the compiled-in guide: the error names the path.
        let e = files.text("init/huong-dan.txt.j2").unwrap_err().to_string();
        assert!(
            e.starts_with(
                &dir.path()
                    .join("init/huong-dan.txt.j2")
                    .display()
                    .to_string()
            ),
            "{e}"
        );
        assert!(e.contains("cannot read the file"), "{e}");
        let loaded: Vec<_> = files.texts().collect();
        assert!(loaded[0].is_ok() && loaded[1].is_err());
    }

    #[test]
    fn a_file_that_is_not_utf8_is_named() {
        let dir = folder();
        std::fs::write(dir.path().join("status/page.html.j2"), b"tr\xe1i").unwrap();
        let files = EditableFiles::new(Some(dir.path()), SHIPPED);
        assert!(files.bytes("status/page.html.j2").is_ok());
        let e = files.text("status/page.html.j2").unwrap_err().to_string();
        assert!(e.contains("page.html.j2") && e.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn a_name_not_shipped_is_refused_with_or_without_a_folder() {
        let dir = folder();
        for files in [
            EditableFiles::new(None, SHIPPED),
            EditableFiles::new(Some(dir.path()), SHIPPED),
        ] {
            let e = files.text("status/other.html.j2").unwrap_err().to_string();
            assert!(e.contains("status/other.html.j2"), "{e}");
        }
    }

    #[test]
    fn a_folder_gives_every_file_with_the_extension_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.toml", "a.toml", "notes.txt"] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let files = EditableFiles::new(Some(dir.path()), SHIPPED);
        let names: Vec<_> = files
            .texts_with_extension("toml")
            .unwrap()
            .into_iter()
            .map(|f| f.name.into_owned())
            .collect();
        assert_eq!(names, ["a.toml", "b.toml"]);
        let shipped = EditableFiles::new(None, SHIPPED)
            .texts_with_extension("toml")
            .unwrap();
        assert_eq!(shipped.len(), 2);
        let gone = dir.path().join("gone");
        let e = EditableFiles::new(Some(&gone), SHIPPED)
            .texts_with_extension("toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("gone") && e.contains("folder"), "{e}");
    }
}
