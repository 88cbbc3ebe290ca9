//! The minijinja side of the editable templates: the environment every
//! template is compiled in, the reason of a template's error, and one
//! template on its own (the status page, the inbox guide). The files
//! themselves come through the one loader, [`EditableFiles`] (the
//! templates folder, else the copies compiled in); errors name the file.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::config::editable::{EditableFiles, Shipped};

/// An environment as every thidua template expects it: block tags take
/// their line with them, and an undefined value is an error.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

/// A template error as one line: its line in the template, what went
/// wrong, and what caused it.
pub fn reason(e: &minijinja::Error) -> String {
    let mut reason = e.to_string();
    if let Some(line) = e.line() {
        reason = format!("line {line}: {reason}");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    reason
}

/// One template compiled on its own.
#[derive(Debug)]
pub struct TemplateFile {
    env: Environment<'static>,
    name: &'static str,
}

impl TemplateFile {
    /// `file` from the templates folder `dir`, else compiled in. Names
    /// ending `.html.j2` are HTML-escaped.
    pub fn load(dir: Option<&Path>, file: &'static Shipped) -> Result<TemplateFile, String> {
        let loaded = EditableFiles::new(dir, std::slice::from_ref(file))
            .text(file.name)
            .map_err(|e| e.to_string())?;
        let mut env = environment();
        env.set_keep_trailing_newline(true);
        env.add_template_owned(file.name, loaded.content)
            .map_err(|e| format!("{}: {}", loaded.origin, reason(&e)))?;
        Ok(TemplateFile {
            env,
            name: file.name,
        })
    }

    pub fn render(&self, ctx: impl Serialize) -> Result<String, String> {
        self.env
            .get_template(self.name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| format!("{}: {e}", self.name))
    }
}
