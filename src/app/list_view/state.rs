//! What the Blocklist view holds of its own: shown or not, its filter
//! and rows, the selection, the plan pane, and what waits for the ledger.

/// The Blocklist view's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListView {
    /// Whether the view is shown (instead of the contacts).
    pub shown: bool,
    /// The filter typed with `/`.
    pub filter: String,
    /// The entries shown (indexes into the list's entries), newest first.
    pub rows: Vec<usize>,
    /// The selected position in `rows`.
    pub selected: usize,
    /// The first position on screen.
    pub offset: usize,
    /// Whether the plan shows instead of the entries.
    pub plan_shown: bool,
    /// The first line of the plan on screen.
    pub plan_offset: usize,
    /// `y` was pressed on this plan id: waiting for the ledger's open
    /// batches.
    pub applying: Option<String>,
    /// An apply an earlier run left open, claimed before the plan `y`
    /// was pressed on (batch id, plan id) is sent: its leftovers are
    /// dropped, never sent in the plan's place.
    pub superseding: Option<(i64, String)>,
    /// What `W` gave the ledger, said once it took it.
    pub adding: Option<String>,
    /// How many expired blocks were last offered (asked again only when
    /// more expire).
    pub offered: usize,
}
