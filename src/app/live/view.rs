//! The Live view's rows: newest first, narrowed by the filter (every
//! word typed, case and accents ignored, in the sender's name, the text,
//! the instance, the chat or the flags; number fragments in the number,
//! as the list reads them; `⚑` keeps the flagged rows), and a selection
//! that follows the newest row until it is moved down.

use std::collections::VecDeque;

use super::feed::{Live, Row, What};
use crate::model::flags::{QueryWord as Word, fold, query_words as words_of};

/// How many rows the view shows.
pub fn shown_len(live: &Live) -> usize {
    match &live.view.matches {
        Some(m) => m.len(),
        None => live.len(),
    }
}

/// The row shown at position `i` (0 is the newest).
pub fn seq_at(live: &Live, i: usize) -> Option<u64> {
    match &live.view.matches {
        Some(m) => m.len().checked_sub(i + 1).and_then(|at| m.get(at).copied()),
        None => live
            .newest()
            .and_then(|newest| newest.checked_sub(i as u64))
            .filter(|&seq| live.row(seq).is_some()),
    }
}

/// Where row `seq` is shown, if it is.
pub fn position(live: &Live, seq: u64) -> Option<usize> {
    match &live.view.matches {
        Some(m) => {
            let at = m.binary_search(&seq).ok()?;
            Some(m.len() - 1 - at)
        }
        None => {
            live.row(seq)?;
            Some((live.newest()? - seq) as usize)
        }
    }
}

/// The selected row's position, when it is shown.
pub fn selected_pos(live: &Live) -> Option<usize> {
    live.view.selected.and_then(|seq| position(live, seq))
}

/// The selected row, when it is shown.
pub fn selected_row(live: &Live) -> Option<&Row> {
    selected_pos(live)?;
    live.view.selected.and_then(|seq| live.row(seq))
}

/// Moves the selection by `delta` rows (down is older).
pub fn move_by(live: &mut Live, delta: isize) {
    let len = shown_len(live);
    if len == 0 {
        return;
    }
    let from = selected_pos(live).unwrap_or(0) as isize;
    let to = (from + delta).clamp(0, len as isize - 1) as usize;
    live.view.selected = seq_at(live, to);
}

/// Selects the row at position `pos` (the last one when past the end).
pub fn move_to(live: &mut Live, pos: usize) {
    let len = shown_len(live);
    if len > 0 {
        live.view.selected = seq_at(live, pos.min(len - 1));
    }
}

/// A row was added: it joins the filter's rows when it matches. A
/// selection on the newest row follows to the new one (as a log viewer
/// follows its end); one moved down to read stays on its row.
pub fn on_added(live: &mut Live, seq: u64, names: &[String]) {
    let shown = match &live.view.matches {
        None => true,
        Some(_) => {
            let words = words_of(&live.view.filter);
            live.row(seq)
                .is_some_and(|row| matches_row(row, &words, names))
        }
    };
    if let (true, Some(m)) = (shown, live.view.matches.as_mut()) {
        m.push_back(seq);
    }
    let following = live.view.selected.is_none() || live.view.selected == seq_at(live, 1);
    if shown && following {
        live.view.selected = Some(seq);
    }
    if selected_pos(live).is_none() {
        live.view.selected = seq_at(live, 0);
    }
}

/// The filter changed: the rows it keeps are found again, and the
/// selection stays on its row when that is still shown, else goes to the
/// newest.
pub fn refilter(live: &mut Live, names: &[String]) {
    let words = words_of(&live.view.filter);
    if words.is_empty() {
        live.view.matches = None;
    } else {
        let seqs: VecDeque<u64> = live
            .rows()
            .filter(|row| matches_row(row, &words, names))
            .map(|row| row.seq)
            .collect();
        live.view.matches = Some(seqs);
    }
    live.view.offset = 0;
    if selected_pos(live).is_none() {
        live.view.selected = seq_at(live, 0);
    }
}

/// Lines the Live view may give its summary and feed problems in a
/// list area of `rows` rows (the rest shows the header and the rows).
pub fn health_room(rows: usize) -> usize {
    match rows {
        0..=5 => 1,
        6..=11 => 2,
        _ => 4,
    }
}

/// Rows of the feed on screen, and the health lines above them.
pub fn layout(core: &crate::app::core::Core) -> (usize, Vec<String>) {
    let rows = core.list_height();
    let health = super::words::health_lines(core, health_room(rows));
    (rows.saturating_sub(health.len()).max(1), health)
}

/// Keeps the selected row on screen, moving the window as little as it
/// can (the table draws with the same window).
pub fn keep_in_view(core: &mut crate::app::core::Core) {
    if !core.live.shown {
        return;
    }
    let (rows, _) = layout(core);
    let selected = selected_pos(&core.live).unwrap_or(0);
    let len = shown_len(&core.live);
    core.live.view.offset = crate::app::layout::window(selected, core.live.view.offset, rows, len);
}

/// Whether `row` holds every word of the query.
fn matches_row(row: &Row, words: &[Word], names: &[String]) -> bool {
    let instance = names.get(row.instance).map_or("", String::as_str);
    let (number, text) = match &row.what {
        What::Message(m) => (
            m.sender.digits.clone().unwrap_or_default(),
            format!(
                "{} {} {} {instance} {} {}",
                m.sender.name.as_deref().unwrap_or_default(),
                m.sender.lid.as_deref().unwrap_or_default(),
                m.text,
                m.chat.word(),
                m.chat_name.as_deref().unwrap_or_default()
            ),
        ),
        What::State(word) => (String::new(), format!("{word} {instance} state")),
    };
    let text = fold(&format!("{text} {}", row.reasons()));
    words.iter().all(|w| match w {
        Word::Flag => row.is_flagged(),
        Word::Text(t) => text.contains(t.as_str()),
        Word::Digits(d) => {
            number.contains(d.as_str())
                || (d.starts_with('0') && number.contains(d.trim_start_matches('0')))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::flags::Rules;
    use crate::model::live::{ChatKind, Incoming, Sender};

    fn add(live: &mut Live, instance: usize, at: i64, digits: &str, name: &str, text: &str) -> u64 {
        let m = Incoming {
            id: None,
            at: None,
            chat: ChatKind::Private,
            chat_name: None,
            sender: Sender {
                digits: Some(digits.into()),
                lid: None,
                name: Some(name.into()),
            },
            text: text.into(),
        };
        let seq = live.add_message(instance, at, m, true).seq;
        on_added(live, seq, &names());
        seq
    }

    fn names() -> Vec<String> {
        vec!["sales".into(), "support".into()]
    }

    #[test]
    fn newest_first_following_the_newest_until_moved_down() {
        let mut live = Live::new(2, Rules::default());
        let a = add(&mut live, 0, 0, "5511911110001", "Ana", "bom dia");
        assert_eq!(live.view.selected, Some(a), "the first row is selected");
        let b = add(&mut live, 1, 1, "5511911110002", "Bia", "oi");
        assert_eq!(seq_at(&live, 0), Some(b));
        assert_eq!(live.view.selected, Some(b), "on the newest row, it follows");
        move_by(&mut live, 1);
        assert_eq!(live.view.selected, Some(a));
        let c = add(&mut live, 1, 2, "5511911110003", "Caio", "olá");
        assert_eq!(
            live.view.selected,
            Some(a),
            "moved down to read: it stays on its row"
        );
        assert_eq!(selected_pos(&live), Some(2));
        move_by(&mut live, -5);
        assert_eq!(live.view.selected, Some(c));
        move_to(&mut live, 99);
        assert_eq!(live.view.selected, Some(a));
    }

    #[test]
    fn the_filter_reads_names_numbers_text_instances_and_flags() {
        let mut live = Live::new(2, Rules::default());
        let ana = add(&mut live, 0, 0, "5511911110001", "Ana", "bom dia");
        let spam = add(&mut live, 0, 10, "6281234567890", "Promo", "Ganhe dinheiro");
        let spam2 = add(&mut live, 1, 20, "6281234567890", "Promo", "Ganhe dinheiro");
        for (query, want) in [
            ("ana", vec![ana]),
            ("+62 812", vec![spam2, spam]),
            ("dinheiro", vec![spam2, spam]),
            ("support", vec![spam2]),
            ("⚑", vec![spam2, spam]),
        ] {
            live.view.filter = query.into();
            refilter(&mut live, &names());
            let shown: Vec<u64> = (0..shown_len(&live))
                .filter_map(|i| seq_at(&live, i))
                .collect();
            assert_eq!(shown, want, "{query}");
        }
        live.view.filter = "dinheiro".into();
        refilter(&mut live, &names());
        let later = add(
            &mut live,
            1,
            30,
            "6281234567891",
            "Promo 2",
            "dinheiro fácil",
        );
        add(&mut live, 1, 31, "5511911110009", "Caio", "tudo bem?");
        assert_eq!(
            seq_at(&live, 0),
            Some(later),
            "a new row joins when it matches"
        );
        assert_eq!(shown_len(&live), 3);
    }
}
