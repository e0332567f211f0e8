//! Lookups in the team's ledger: one row per number, the newest kept,
//! shared by every desk (a number one desk looked up is not asked again
//! by another the same day).

use tokio_postgres::Client;

use super::contract::LookedUp;
use super::identity_rows::{Columns, columns, looked_up};

/// Keeps what a lookup said of a number, replacing an older lookup (a
/// number sent unverified never replaces what a lookup said).
pub(super) async fn record(c: &mut Client, looked: &LookedUp) -> Result<(), tokio_postgres::Error> {
    let k = columns(&looked.identity);
    c.execute(
        "INSERT INTO ryze_identities (number, state, jid, lid, name, about, message, looked_up_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (number) DO UPDATE SET state = $2, jid = $3, lid = $4, name = $5,
             about = $6, message = $7, looked_up_at = $8
         WHERE EXCLUDED.looked_up_at >= ryze_identities.looked_up_at
           AND (EXCLUDED.state != 'unverified' OR ryze_identities.state = 'unverified')",
        &[
            &looked.number,
            &k.state,
            &k.jid,
            &k.lid,
            &k.name,
            &k.about,
            &k.message,
            &looked.at,
        ],
    )
    .await?;
    Ok(())
}

/// What lookups made at `since` or later said of `numbers`; a row that
/// holds no lookup is skipped.
pub(super) async fn read(
    c: &mut Client,
    numbers: &[String],
    since: i64,
) -> Result<Vec<LookedUp>, tokio_postgres::Error> {
    let rows = c
        .query(
            "SELECT number, looked_up_at, state, jid, lid, name, about, message
             FROM ryze_identities WHERE number = ANY($1) AND looked_up_at >= $2",
            &[&numbers, &since],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let text = |i| r.try_get::<_, Option<String>>(i).ok().flatten();
        let (state, jid, lid) = (text(2), text(3), text(4));
        let (name, about, message) = (text(5), text(6), text(7));
        let (Ok(number), Ok(at)) = (r.try_get::<_, String>(0), r.try_get::<_, i64>(1)) else {
            continue;
        };
        let k = Columns {
            state: state.as_deref().unwrap_or_default(),
            jid: jid.as_deref(),
            lid: lid.as_deref(),
            name: name.as_deref(),
            about: about.as_deref(),
            message: message.as_deref(),
        };
        out.extend(looked_up(number, at, k));
    }
    Ok(out)
}
