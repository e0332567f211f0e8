//! Lookups in the SQLite ledger: one row per number, the newest kept.

use rusqlite::params;

use super::handle::SqliteLedger;
use crate::store::ledger::contract::{LedgerError, LookedUp};
use crate::store::ledger::identity_rows::{Columns, columns, looked_up};

/// Keeps what a lookup said of a number, replacing an older lookup (a
/// number sent unverified never replaces what a lookup said).
pub(super) fn record(l: &SqliteLedger, looked: &LookedUp) -> Result<(), LedgerError> {
    let c = columns(&looked.identity);
    l.conn
        .execute(
            "INSERT INTO identities (number, state, jid, lid, name, about, message, looked_up_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (number) DO UPDATE SET state = ?2, jid = ?3, lid = ?4, name = ?5,
                 about = ?6, message = ?7, looked_up_at = ?8
             WHERE excluded.looked_up_at >= identities.looked_up_at
               AND (excluded.state != 'unverified' OR identities.state = 'unverified')",
            params![
                looked.number,
                c.state,
                c.jid,
                c.lid,
                c.name,
                c.about,
                c.message,
                looked.at
            ],
        )
        .map_err(|e| l.err(e))?;
    Ok(())
}

/// What lookups made at `since` or later said of `numbers`; a row that
/// holds no lookup (see [`looked_up`]) is skipped.
pub(super) fn read(
    l: &SqliteLedger,
    numbers: &[String],
    since: i64,
) -> Result<Vec<LookedUp>, LedgerError> {
    let mut stmt = l
        .conn
        .prepare_cached(
            "SELECT number, looked_up_at, state, jid, lid, name, about, message
             FROM identities WHERE number = ?1 AND looked_up_at >= ?2",
        )
        .map_err(|e| l.err(e))?;
    let mut out = Vec::new();
    for number in numbers {
        let mut rows = stmt.query(params![number, since]).map_err(|e| l.err(e))?;
        while let Some(row) = rows.next().map_err(|e| l.err(e))? {
            let text = |i| row.get::<_, Option<String>>(i).ok().flatten();
            let (state, jid, lid) = (text(2), text(3), text(4));
            let (name, about, message) = (text(5), text(6), text(7));
            let (Ok(number), Ok(at)) = (row.get::<_, String>(0), row.get::<_, i64>(1)) else {
                l.skipped.set(l.skipped.get() + 1);
                continue;
            };
            let c = Columns {
                state: state.as_deref().unwrap_or_default(),
                jid: jid.as_deref(),
                lid: lid.as_deref(),
                name: name.as_deref(),
                about: about.as_deref(),
                message: message.as_deref(),
            };
            out.extend(looked_up(number, at, c));
        }
    }
    Ok(out)
}
