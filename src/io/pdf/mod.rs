//! The papers people sign and file, as PDF: the ranking report, a unit's
//! score sheet and the next year's emulation agreement. A minijinja
//! template in `templates/documents/` (editable without recompiling; the
//! shipped copies are compiled in as the fallback) turns plain values
//! (`context`) into a small XHTML vocabulary (`markup`); `layout` sets it
//! on A4 pages in the official format of Decree 30/2020/NĐ-CP with the
//! bundled Liberation Serif (`fonts`), embedded as subsets.

mod content;
mod fonts;
mod layout;
mod letterhead;
mod lines;
pub mod markup;
pub mod measure;
mod sheet;

use std::path::Path;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

pub use fonts::Fonts;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("font {file}: {reason}")]
    Font { file: String, reason: String },
    #[error("template {name}: {reason}")]
    Template { name: String, reason: String },
    #[error("document markup, line {line}: {reason}")]
    Markup { line: u32, reason: String },
    #[error("{0}")]
    Data(String),
}

/// The three documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ranking,
    Sheet,
    Agreement,
    /// The commendation proposals sent to the ministry (the ranking's values).
    Proposals,
    /// The minutes of the commendation vote.
    Minutes,
}

impl Kind {
    pub fn template(self) -> &'static str {
        match self {
            Kind::Ranking => "documents/ranking.html.j2",
            Kind::Sheet => "documents/sheet.html.j2",
            Kind::Agreement => "documents/agreement.html.j2",
            Kind::Proposals => "documents/proposals.html.j2",
            Kind::Minutes => "documents/minutes.html.j2",
        }
    }
}

const EMBEDDED: &[(Kind, &str)] = &[
    (
        Kind::Ranking,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/documents/ranking.html.j2"
        )),
    ),
    (
        Kind::Sheet,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/documents/sheet.html.j2"
        )),
    ),
    (
        Kind::Agreement,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/documents/agreement.html.j2"
        )),
    ),
    (
        Kind::Proposals,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/documents/proposals.html.j2"
        )),
    ),
    (
        Kind::Minutes,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/documents/minutes.html.j2"
        )),
    ),
];

/// Compiled document templates and the fonts.
#[derive(Debug)]
pub struct Documents {
    env: Environment<'static>,
    fonts: Fonts,
    /// Where the templates came from, for messages.
    pub source: String,
}

fn template_error(name: &str, e: &minijinja::Error) -> DocumentError {
    let mut reason = e.to_string();
    if let Some(line) = e.line() {
        reason = format!("line {line}: {reason}");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    DocumentError::Template {
        name: name.to_string(),
        reason,
    }
}

impl Documents {
    /// Loads and compiles the templates and fonts of `dir` (the templates
    /// folder), or the compiled-in ones when `dir` is `None`.
    pub fn load(dir: Option<&Path>) -> Result<Documents, DocumentError> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Values (a unit's evidence text, say) can never become markup.
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        for (kind, text) in EMBEDDED {
            let name = kind.template();
            let (text, shown) = match dir {
                Some(d) => {
                    let path = d.join(name);
                    let text =
                        std::fs::read_to_string(&path).map_err(|e| DocumentError::Template {
                            name: path.display().to_string(),
                            reason: e.to_string(),
                        })?;
                    (text, path.display().to_string())
                }
                None => ((*text).to_string(), format!("<embedded>/templates/{name}")),
            };
            env.add_template_owned(name, text)
                .map_err(|e| template_error(&shown, &e))?;
        }
        Ok(Documents {
            env,
            fonts: Fonts::load(dir)?,
            source: dir.map_or_else(
                || "<embedded>/templates/documents".to_string(),
                |d| d.join("documents").display().to_string(),
            ),
        })
    }

    /// The HTML step: the template's markup for `ctx`.
    pub fn markup(&self, kind: Kind, ctx: &impl Serialize) -> Result<String, DocumentError> {
        let name = kind.template();
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| template_error(name, &e))
    }

    /// The block tree of a document: the template's markup for `ctx`,
    /// parsed. The PDF and the Word file are both drawn from it.
    pub fn doc(&self, kind: Kind, ctx: &impl Serialize) -> Result<markup::Doc, DocumentError> {
        let xml = self.markup(kind, ctx)?;
        markup::parse(&xml).map_err(|e| match e {
            DocumentError::Markup { line, reason } => DocumentError::Template {
                name: kind.template().to_string(),
                reason: format!("the output's line {line}: {reason}"),
            },
            other => other,
        })
    }

    /// Sets a parsed document on A4 pages as PDF bytes; `title` goes into
    /// the PDF's metadata.
    pub fn typeset(&self, doc: &markup::Doc, title: &str) -> Result<Vec<u8>, DocumentError> {
        layout::typeset(doc, &self.fonts, title)
    }

    /// The bundled fonts, for measuring text as the PDF sets it.
    pub fn fonts(&self) -> &Fonts {
        &self.fonts
    }

    /// Renders a document to PDF bytes; `title` goes into the PDF's metadata.
    pub fn render(
        &self,
        kind: Kind,
        ctx: &impl Serialize,
        title: &str,
    ) -> Result<Vec<u8>, DocumentError> {
        self.typeset(&self.doc(kind, ctx)?, title)
    }
}
