//! Importing the ministry's criteria table from its annex ("Phụ lục"), as
//! it is published: a table in a Word document or a spreadsheet, handed
//! over as blocks of cells ([`Annex`]) by `io`. Reading the rows into a
//! tree (`read`), then completing it with the values an annex does not
//! print and checking it (`import`); and the other way, a table laid out
//! as the ministry prints it (`print`). Pure: no files here.

mod header;
mod import;
mod model;
pub mod print;
mod read;
mod text;

pub use import::{Given, Imported, Origin, Source, Why, import, parse_classes};
pub use model::{Annex, Block, Grid, Item, Naming, Place, Problem, Severity};
pub use text::kind_of;
