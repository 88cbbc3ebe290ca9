//! The PDF engine: a minijinja template of `templates/documents/` (read
//! through `config::editable`: the configured folder, else the copy
//! compiled in) turns the values `app::papers::context` builds into a small
//! XHTML vocabulary (`markup`); `layout` sets it on A4 pages (`sheet`) in
//! the official format of Decree 30/2020/NĐ-CP with the bundled Liberation
//! Serif (`fonts`), embedded as subsets. Which documents a year has, and
//! when, is `app::papers`.

mod content;
mod fonts;
mod layout;
mod letterhead;
mod lines;
pub mod markup;
pub mod measure;
mod sheet;

use std::path::Path;

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::config::editable::{EditableError, EditableFiles, Shipped, shipped};
use crate::io::templates;

pub use fonts::Fonts;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A template or font file that cannot be read.
    #[error(transparent)]
    File(#[from] EditableError),
    #[error("font {file}: {reason}")]
    Font { file: String, reason: String },
    #[error("template {name}: {reason}")]
    Template { name: String, reason: String },
    #[error("document markup, line {line}: {reason}")]
    Markup { line: u32, reason: String },
    #[error("{0}")]
    Data(String),
}

/// The documents, each with its template in `templates/documents/`.
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

static TEMPLATES: &[Shipped] = &[
    shipped!("templates", "documents/ranking.html.j2"),
    shipped!("templates", "documents/sheet.html.j2"),
    shipped!("templates", "documents/agreement.html.j2"),
    shipped!("templates", "documents/proposals.html.j2"),
    shipped!("templates", "documents/minutes.html.j2"),
];

/// Compiled document templates and the fonts.
#[derive(Debug)]
pub struct Documents {
    env: Environment<'static>,
    fonts: Fonts,
}

fn template_error(name: &str, e: &minijinja::Error) -> DocumentError {
    DocumentError::Template {
        name: name.to_string(),
        reason: templates::reason(e),
    }
}

impl Documents {
    /// Loads and compiles the templates and fonts of `dir` (the templates
    /// folder), or the compiled-in ones when `dir` is `None`.
    pub fn load(dir: Option<&Path>) -> Result<Documents, DocumentError> {
        let mut env = templates::environment();
        // Values (a unit's evidence text, say) can never become markup.
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        for file in EditableFiles::new(dir, TEMPLATES).texts() {
            let file = file?;
            let shown = file.origin.to_string();
            env.add_template_owned(file.name, file.content)
                .map_err(|e| template_error(&shown, &e))?;
        }
        Ok(Documents {
            env,
            fonts: Fonts::load(dir)?,
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
