//! Where each part of the screen goes, for the UI that draws it and the
//! app that pages and hit-tests the mouse: one place, so they agree.
//!
//! From the top: the instance tabs, the column header, the contact rows,
//! the footer, the error lines (when an error shows, at most three), the
//! status bar. Overlays that page through text cover all but the status
//! bar: a border, their lines, a search line, a border.

use ratatui::layout::Rect;

/// Rows of the instance tabs.
pub const TABS: u16 = 1;
/// Rows of the column header above the contacts.
pub const HEADER: u16 = 1;
/// Screen row of the first contact.
pub const LIST_TOP: u16 = TABS + HEADER;
/// Rows that are never contact rows: tabs, header, footer, status bar.
pub const CHROME_ROWS: u16 = TABS + HEADER + 1 + 1;
/// Rows of a text overlay's area that are not its lines: two borders and
/// the search line.
pub const OVERLAY_FRAME: u16 = 3;
/// Rows of the screen that are not a text overlay's lines: its frame and
/// the status bar below it.
const OVERLAY_CHROME: u16 = OVERLAY_FRAME + 1;

/// The areas of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Instance tabs.
    pub tabs: Rect,
    /// Column header and contact rows.
    pub list: Rect,
    /// Keys, the line being typed, or a batch's progress.
    pub footer: Rect,
    /// The error lines (zero rows when no error shows).
    pub error: Rect,
    /// The status bar.
    pub status: Rect,
    /// Where a text overlay goes: all but the status bar.
    pub overlay: Rect,
}

/// The areas of `screen` with `error_rows` error lines.
pub fn areas(screen: Rect, error_rows: u16) -> Areas {
    let row = |y: u16, height: u16| Rect {
        x: screen.x,
        y,
        width: screen.width,
        height,
    };
    let bottom = screen.y + screen.height;
    let status_y = bottom.saturating_sub(1).max(screen.y);
    let error_rows = error_rows.min(screen.height.saturating_sub(CHROME_ROWS + 1));
    let error_y = status_y.saturating_sub(error_rows);
    let footer_y = error_y.saturating_sub(1);
    let list_y = screen.y + TABS;
    Areas {
        tabs: row(screen.y, TABS.min(screen.height)),
        list: row(list_y, footer_y.saturating_sub(list_y)),
        footer: row(footer_y, u16::from(screen.height > 2)),
        error: row(error_y, error_rows),
        status: row(status_y, u16::from(screen.height > 0)),
        overlay: row(screen.y, screen.height.saturating_sub(1)),
    }
}

/// Contact rows in a terminal of `height` rows with `error_rows` error
/// lines (at least one).
pub fn list_rows(height: u16, error_rows: usize) -> usize {
    (height.saturating_sub(CHROME_ROWS) as usize)
        .saturating_sub(error_rows)
        .max(1)
}

/// The first row of a window of `rows` rows over a list of `len` rows that
/// shows `selected`, moving as little as possible from `offset`. The app
/// keeps its window with it and the table draws with it, so the row drawn
/// highlighted is always the selected one.
pub fn window(selected: usize, offset: usize, rows: usize, len: usize) -> usize {
    let rows = rows.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    };
    offset.min(len.saturating_sub(rows))
}

/// Lines a text overlay shows in a terminal of `height` rows.
pub fn overlay_rows(height: u16) -> usize {
    height.saturating_sub(OVERLAY_CHROME).max(1) as usize
}

/// Rows of each part of the bulk dialog (`B`/`U`) that a terminal gives
/// it; the heading (with the count of every target) and the buttons
/// always have theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BulkRows {
    /// Names of the targets (they scroll when fewer than the targets).
    pub names: usize,
    /// Instances of the picker (a window around the cursor).
    pub picker: usize,
    /// Lines of what happens on each chosen instance.
    pub plan: usize,
    /// Whether the line of keys shows.
    pub keys: bool,
    /// Whether the blank lines between the parts show.
    pub gaps: bool,
}

/// The most names the bulk dialog shows at once.
pub const BULK_NAMES_MAX: usize = 10;

/// How the bulk dialog shares a terminal of `height` rows among its
/// parts, for `names` targets, `instances` to pick from and `plan`
/// lines: beyond the borders, the heading and the buttons, first a row
/// each for a name, the plan, the picker and the keys; then the whole
/// plan, three names, every instance, up to [`BULK_NAMES_MAX`] names,
/// and the gaps.
pub fn bulk_rows(height: u16, names: usize, instances: usize, plan: usize) -> BulkRows {
    let mut left = usize::from(height).saturating_sub(4);
    let mut take = |want: usize| {
        let n = want.min(left);
        left -= n;
        n
    };
    let mut rows = BulkRows {
        names: take(names.min(1)),
        plan: take(plan.min(1)),
        picker: take(instances.min(1)),
        ..BulkRows::default()
    };
    rows.keys = take(1) == 1;
    rows.plan += take(plan - rows.plan);
    rows.names += take(names.min(3) - rows.names);
    rows.picker += take(instances - rows.picker);
    rows.names += take(names.min(BULK_NAMES_MAX) - rows.names);
    rows.gaps = take(2) == 2;
    rows
}

/// The contact row (index on screen) at `row`, if it is one.
pub fn row_at(row: u16, height: u16, error_rows: usize) -> Option<usize> {
    let index = row.checked_sub(LIST_TOP)? as usize;
    (index < list_rows(height, error_rows)).then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_tile_the_screen() {
        for (width, height, errors) in [(80, 24, 0), (80, 24, 3), (40, 10, 2), (200, 50, 1)] {
            let a = areas(Rect::new(0, 0, width, height), errors);
            assert_eq!(a.tabs.y, 0);
            assert_eq!(a.list.y, 1);
            assert_eq!(a.list.y + a.list.height, a.footer.y);
            assert_eq!(a.footer.y + 1, a.error.y);
            assert_eq!(a.error.y + a.error.height, a.status.y);
            assert_eq!(a.status.y, height - 1);
            // The list area holds the header and the contact rows.
            assert_eq!(
                a.list.height as usize - 1,
                list_rows(height, errors as usize)
            );
            assert_eq!(a.overlay.height, height - 1);
        }
        assert_eq!(row_at(2, 24, 0), Some(0));
        assert_eq!(row_at(1, 24, 0), None, "the header");
        assert_eq!(row_at(21, 24, 0), Some(19));
        assert_eq!(row_at(22, 24, 0), None, "the footer");
        assert_eq!(overlay_rows(24), 20);
    }

    #[test]
    fn the_bulk_dialog_keeps_its_heading_and_buttons_at_any_height() {
        let rows = bulk_rows(10, 30, 4, 1);
        assert_eq!(
            (rows.names, rows.plan, rows.picker, rows.keys, rows.gaps),
            (3, 1, 1, true, false),
            "40x10: a few names, the plan, the cursor's instance, the keys"
        );
        let rows = bulk_rows(24, 30, 4, 1);
        assert_eq!((rows.names, rows.picker, rows.gaps), (10, 4, true));
        let rows = bulk_rows(24, 2, 4, 1);
        assert_eq!(rows.names, 2, "no more rows than names");
        for height in 0..60 {
            let r = bulk_rows(height, 500, 9, 9);
            let used =
                4 + r.names + r.picker + r.plan + usize::from(r.keys) + 2 * usize::from(r.gaps);
            assert!(used <= usize::from(height).max(4), "{height}: {r:?}");
        }
    }
}
