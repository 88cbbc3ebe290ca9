//! The status page's HTML: `templates/status/page.html.j2` (from the
//! templates folder when one is configured, else the compiled-in copy),
//! rendered by minijinja with HTML escaping.

use std::path::Path;

use minijinja::Environment;

use crate::overview::Overview;

const NAME: &str = "status/page.html.j2";
const EMBEDDED: &str = include_str!("../../templates/status/page.html.j2");

#[derive(Debug)]
pub struct Page {
    env: Environment<'static>,
}

impl Page {
    /// Loads and compiles the template; the error names its file.
    pub fn load(dir: Option<&Path>) -> Result<Page, String> {
        let (shown, text) = match dir {
            Some(d) => {
                let path = d.join(NAME);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                (path.display().to_string(), text)
            }
            None => (format!("<embedded>/templates/{NAME}"), EMBEDDED.to_string()),
        };
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_template_owned(NAME, text)
            .map_err(|e| format!("{shown}: {e}"))?;
        Ok(Page { env })
    }

    pub fn render(&self, overview: &Overview) -> Result<String, String> {
        self.env
            .get_template(NAME)
            .and_then(|t| t.render(minijinja::context! { o => overview }))
            .map_err(|e| format!("{NAME}: {e}"))
    }
}
