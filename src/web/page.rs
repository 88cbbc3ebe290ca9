//! The status page's HTML: `templates/status/page.html.j2`, HTML-escaped.

use std::path::Path;

use crate::overview::Overview;
use crate::template_file::TemplateFile;

#[derive(Debug)]
pub struct Page(TemplateFile);

impl Page {
    pub fn load(dir: Option<&Path>) -> Result<Page, String> {
        TemplateFile::load(
            dir,
            "status/page.html.j2",
            include_str!("../../templates/status/page.html.j2"),
        )
        .map(Page)
    }

    pub fn render(&self, overview: &Overview) -> Result<String, String> {
        self.0.render(minijinja::context! { o => overview })
    }
}
