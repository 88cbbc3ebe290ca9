//! `thidua init`: the data folder of a year: an inbox folder per member
//! unit with its guide and blank forms, keeping every file a unit changed;
//! then what to do next.

use super::args;
use super::exit::{Exit, Failure};
use super::output::progress;
use crate::config::Settings;

pub(super) fn init(settings: &Settings, year: Option<i32>) -> Result<Exit, Failure> {
    let members = settings.cluster.members(args::year(settings, year)).count();
    let pb = progress(members, "Tạo thư mục, hướng dẫn và mẫu trống");
    let report = crate::app::init::init(settings, year, &mut |_| pb.inc(1))?;
    pb.finish_and_clear();
    say!(
        "Đã chuẩn bị thư mục dữ liệu {} cho năm {}: {} thư mục nhận tệp trong {}.",
        settings.paths.data.display(),
        report.year,
        report.folders.len(),
        settings.paths.inbox.display()
    );
    say!(
        "Mỗi thư mục có {} và mẫu bảng tự chấm trống của đơn vị; {} tệp đã ghi.",
        crate::app::init::GUIDE,
        report.written.len()
    );
    if !report.kept.is_empty() {
        say!(
            "Giữ nguyên {} tệp đã có mà thidua không ghi hoặc đã được sửa:",
            report.kept.len()
        );
        for p in &report.kept {
            say!("  {}", p.display());
        }
    }
    say!(
        "Chia sẻ từng thư mục cho đơn vị tương ứng (xem docs/operator.md), rồi chạy `thidua run`."
    );
    Ok(Exit::Done)
}
