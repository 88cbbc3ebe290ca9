//! The status page's HTML: `templates/status/page.html.j2`, HTML-escaped.

use std::path::Path;

use crate::app::overview::Overview;
use crate::config::editable::{Shipped, shipped};
use crate::io::templates::TemplateFile;

static TEMPLATE: Shipped = shipped!("templates", "status/page.html.j2");

#[derive(Debug)]
pub struct Page(TemplateFile);

impl Page {
    pub fn load(dir: Option<&Path>) -> Result<Page, String> {
        TemplateFile::load(dir, &TEMPLATE).map(Page)
    }

    pub fn render(&self, overview: &Overview) -> Result<String, String> {
        self.0.render(minijinja::context! { o => overview })
    }
}
