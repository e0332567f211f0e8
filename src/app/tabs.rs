//! Where the instance tabs sit on the top line, decided once for both the
//! drawing and the mouse: which tabs show their connection word, whether
//! the app's name fits, and each tab's columns.

use unicode_width::UnicodeWidthStr;

use super::core::Core;

/// The app's name as shown left of the tabs.
pub const BRAND: &str = " ryze-contacts ";

/// One tab's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabPlace {
    /// The instance.
    pub instance: usize,
    /// Whether its connection word is shown (else only the symbol).
    pub with_state: bool,
    /// First column.
    pub start: u16,
    /// One past the last column.
    pub end: u16,
}

/// Marks the tab line's left end when tabs before it are scrolled away.
pub const MORE_LEFT: &str = "‹";

/// The tab line's layout at `width` columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabLayout {
    /// Whether the app's name is shown.
    pub brand: bool,
    /// Whether tabs before the first one shown are scrolled away (the
    /// line then starts with [`MORE_LEFT`]).
    pub more_left: bool,
    /// The tabs, left to right.
    pub tabs: Vec<TabPlace>,
}

/// Lays the tabs out: every connection word if it fits, else only the
/// shown instance's, and the app's name only if there is room left.
pub fn layout(state: &Core, width: u16) -> TabLayout {
    let fits = |(w, _): &(usize, TabLayout)| *w <= width as usize;
    let full = place_from(state, 0, true, true);
    if fits(&full) {
        return full.1;
    }
    let short = place_from(state, 0, true, false);
    if fits(&short) {
        return short.1;
    }
    scrolled(state, width)
}

/// Too many tabs: the line scrolls so that the shown instance's tab is
/// always on it, as far left as it needs (no name, no other connection
/// word).
fn scrolled(state: &Core, width: u16) -> TabLayout {
    let mut first = 0;
    loop {
        let (_, layout) = place_from(state, first, false, false);
        let current_fits = layout
            .tabs
            .iter()
            .find(|t| t.instance == state.current)
            .is_some_and(|t| usize::from(t.end) <= width as usize);
        if current_fits || first >= state.current {
            return layout;
        }
        first += 1;
    }
}

/// The tabs from instance `first` on, after the app's name (`brand`) and
/// with every connection word (`all_states`) or only the shown one's; and
/// the width they take.
fn place_from(state: &Core, first: usize, brand: bool, all_states: bool) -> (usize, TabLayout) {
    let mut x = if brand { BRAND.width() } else { 0 };
    let more_left = first > 0;
    if more_left {
        x += MORE_LEFT.width();
    }
    let mut tabs = Vec::new();
    for i in first..state.instances.len() {
        let with_state = all_states || i == state.current;
        let w = tab_width(state, i, with_state);
        tabs.push(TabPlace {
            instance: i,
            with_state,
            start: (x + 1).min(u16::MAX as usize) as u16,
            end: (x + w).min(u16::MAX as usize) as u16,
        });
        x += w;
    }
    (
        x,
        TabLayout {
            brand,
            more_left,
            tabs,
        },
    )
}

/// The columns instance `i`'s tab takes, with or without its connection
/// word.
fn tab_width(state: &Core, i: usize, with_state: bool) -> usize {
    let inst = &state.instances[i];
    // "│" + " title " + symbol + (" state " | " ")
    let state_part = if with_state {
        inst.connection.label().width() + 2
    } else {
        1
    };
    1 + inst.title().width() + 2 + 1 + state_part
}

/// The instance whose tab is at `column`, if any.
pub fn tab_at(state: &Core, width: u16, column: u16) -> Option<usize> {
    layout(state, width)
        .tabs
        .into_iter()
        .find(|t| (t.start..t.end).contains(&column))
        .map(|t| t.instance)
}
