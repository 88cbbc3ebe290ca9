//! One editable template outside the mail texts and the documents: the
//! status page and the inbox guide. It is read from the templates folder
//! when one is configured, else the copy compiled into the program, and
//! compiled once; errors name the file.

use std::path::Path;

use minijinja::Environment;
use serde::Serialize;

#[derive(Debug)]
pub struct TemplateFile {
    env: Environment<'static>,
    name: &'static str,
}

impl TemplateFile {
    /// `name` is the path under the templates folder; `embedded` the
    /// compiled-in text. Names ending `.html.j2` are HTML-escaped.
    pub fn load(
        dir: Option<&Path>,
        name: &'static str,
        embedded: &'static str,
    ) -> Result<TemplateFile, String> {
        let (shown, text) = match dir {
            Some(d) => {
                let path = d.join(name);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                (path.display().to_string(), text)
            }
            None => (format!("<embedded>/templates/{name}"), embedded.to_string()),
        };
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_template_owned(name, text)
            .map_err(|e| format!("{shown}: {e}"))?;
        Ok(TemplateFile { env, name })
    }

    pub fn render(&self, ctx: impl Serialize) -> Result<String, String> {
        self.env
            .get_template(self.name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| format!("{}: {e}", self.name))
    }
}
