//! The filter and the blocked view.

use super::*;

#[test]
fn filter_by_name_and_number_as_you_type() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    assert_eq!(s.overlay, Some(Overlay::Filter));
    keys(&mut s, "bru");
    assert_eq!(s.visible, vec![1]);
    // Typing a command key while filtering never runs the command.
    let effects = update(&mut s, ch('q'));
    assert!(effects.is_empty());
    assert_eq!(s.filter, "bruq");
    assert!(s.visible.is_empty());
    update(&mut s, key(KeyCode::Backspace));
    assert_eq!(s.visible, vec![1]);
    update(&mut s, key(KeyCode::Enter));
    assert!(s.overlay.is_none());
    assert_eq!(s.filter, "bru", "Enter keeps the filter");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.filter.is_empty(), "Esc in the list clears the filter");
    assert_eq!(s.visible.len(), 3);

    update(&mut s, ch('/'));
    keys(&mut s, "+1 (415)");
    assert_eq!(s.visible, vec![2], "number formatting is ignored");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlay.is_none());
    assert!(s.filter.is_empty(), "Esc while typing clears the filter");
    update(&mut s, ch('/'));
    update(&mut s, ch('x'));
    update(&mut s, ctrl('u'));
    assert!(s.filter.is_empty(), "Ctrl-U clears the typed filter");
}

#[test]
fn filter_is_case_insensitive_and_multi_term() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    keys(&mut s, "ANA sil");
    assert_eq!(s.visible, vec![0]);
}

#[test]
fn v_shows_only_known_blocked() {
    let known = [known_blocked("777@lid", 5)];
    let mut s = State::new(&names(), &known, 0);
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110001", "Ana Silva", None),
            contact("5511911110002", "Bruno Costa", Some("777@lid")),
        ],
    );
    update(&mut s, ch('v'));
    assert_eq!(s.view, View::Blocked);
    assert_eq!(s.visible, vec![1], "matched through the @lid");
    update(&mut s, ch('v'));
    assert_eq!(s.visible, vec![0, 1]);
}

#[test]
fn large_lists_filter_off_the_ui_path_latest_result_wins() {
    let mut s = loaded();
    s.sync_filter_limit = 0;
    update(&mut s, ch('/'));
    let first = update(&mut s, ch('b'));
    let second = update(&mut s, ch('r'));
    let (Some(Effect::Filter(job1)), Some(Effect::Filter(job2))) = (first.first(), second.first())
    else {
        panic!("expected filter jobs: {first:?} {second:?}")
    };
    assert!(job2.generation > job1.generation);
    assert_eq!(s.visible, vec![0, 1, 2], "rows stay until a result arrives");
    let rows2 = job2.run();
    let rows1 = job1.run();
    update(
        &mut s,
        Msg::Filtered {
            instance: 0,
            generation: job2.generation,
            rows: rows2.clone(),
        },
    );
    assert_eq!(s.visible, rows2);
    update(
        &mut s,
        Msg::Filtered {
            instance: 0,
            generation: job1.generation,
            rows: rows1,
        },
    );
    assert_eq!(
        s.visible, rows2,
        "an older result never replaces a newer one"
    );
    assert_eq!(
        s.visible
            .iter()
            .map(|&i| s.instance().contacts.get(i).unwrap().name().to_string())
            .collect::<Vec<_>>(),
        ["Bruno Costa"]
    );
}

#[test]
fn filter_results_for_another_instance_are_dropped() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Filtered {
            instance: 1,
            generation: 99,
            rows: vec![0],
        },
    );
    assert_eq!(s.visible, vec![0, 1, 2]);
}

#[test]
fn the_blocked_view_shows_numbers_that_are_not_contacts() {
    let known = [
        KnownState {
            instance: "sales".into(),
            jid: jid("5511911110001"),
            lid: None,
            blocked: true,
            changed_at: 1,
            operator: None,
            reason: None,
            contest: None,
        },
        KnownState {
            instance: "sales".into(),
            jid: jid("447912345678"),
            lid: None,
            blocked: true,
            changed_at: 2,
            operator: None,
            reason: None,
            contest: None,
        },
        KnownState {
            instance: "sales".into(),
            jid: jid("447400123456"),
            lid: None,
            blocked: false,
            changed_at: 3,
            operator: None,
            reason: None,
            contest: None,
        },
    ];
    let mut s = State::new(&names(), &known, 0);
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110001", "Ana Silva", None),
            contact("5511911110002", "Bruno", None),
        ],
    );
    assert_eq!(s.visible.len(), 2, "every contact, no outsider");
    update(&mut s, ch('v'));
    assert_eq!(
        s.visible,
        vec![0, 2],
        "Ana, then the number not in contacts"
    );
    let inst = s.instance();
    assert!(inst.is_outsider(2));
    assert_eq!(inst.row(2).unwrap().jid(), jid("447912345678"));
    assert_eq!(s.instance().known_blocked(), 2);
    // The filter reaches it too, and b unblocks it.
    update(&mut s, ch('/'));
    keys(&mut s, "7912");
    assert_eq!(s.visible, vec![2]);
    update(&mut s, key(KeyCode::Enter));
    let effects = update(&mut s, ch('b'));
    assert_eq!(effects, [block_job(0, "447912345678", None, false)]);
}

#[test]
fn esc_after_a_kept_filter_keeps_the_selection() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    keys(&mut s, "bruno");
    update(&mut s, key(KeyCode::Enter));
    let jid_before = s.selected_contact().unwrap().jid().to_string();
    update(&mut s, key(KeyCode::Esc));
    assert!(s.filter.is_empty());
    assert_eq!(s.selected_contact().unwrap().jid(), jid_before);
    assert!(s.selected > 0, "not back at the top");
}

/// Sales with two spammers, and two people whose names hold the letters
/// p-r-o-m-o in order.
fn promo_desk() -> State {
    let mut s = loaded();
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5527945472109", "Promoção 🔥🔥", None),
            contact("5585950730137", "Pedro Muñoz", None),
            contact("5527963396636", "PROMOÇÃO relâmpago", None),
            contact("5571934360618", "Paulo Roberto Moraes", None),
        ],
    );
    s
}

fn shown_names(s: &State) -> Vec<String> {
    s.visible
        .iter()
        .map(|&i| s.instance().contacts.get(i).unwrap().name().to_string())
        .collect()
}

#[test]
fn the_filter_finds_words_as_typed_and_fuzzy_only_when_asked() {
    let mut s = promo_desk();
    update(&mut s, ch('/'));
    keys(&mut s, "promo");
    assert_eq!(
        shown_names(&s),
        ["Promoção 🔥🔥", "PROMOÇÃO relâmpago"],
        "letters in order are not a match"
    );
    // Ctrl-F while filtering: fuzzy, said, and the list widens.
    update(&mut s, ctrl('f'));
    assert_eq!(s.overlay, Some(Overlay::Filter), "still filtering");
    assert_eq!(s.filter, "promo", "Ctrl-F is not typed");
    assert_eq!(s.visible.len(), 4);
    assert!(
        status_text(&s).starts_with("fuzzy filter"),
        "{}",
        status_text(&s)
    );
    update(&mut s, ctrl('f'));
    assert_eq!(s.visible.len(), 2, "and back to substring");
    assert!(status_text(&s).starts_with("substring filter"));
}

#[test]
fn each_view_keeps_its_own_matching() {
    let mut s = promo_desk();
    update(&mut s, ch('/'));
    keys(&mut s, "promo");
    update(&mut s, ctrl('f'));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.visible.len(), 4);
    update(&mut s, ch('v'));
    assert_eq!(
        s.matching(),
        crate::model::filter::Matching::Substring,
        "the blocked view has its own mode"
    );
    update(&mut s, ch('v'));
    assert_eq!(s.matching(), crate::model::filter::Matching::Fuzzy);
    assert_eq!(s.visible.len(), 4, "remembered for every contact");
    // Cleared and typed again, the view's mode stays.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('/'));
    keys(&mut s, "promo");
    assert_eq!(s.visible.len(), 4);
}

#[test]
fn star_on_a_fuzzy_result_says_how_many_and_asks_first() {
    let mut s = promo_desk();
    update(&mut s, ch('/'));
    keys(&mut s, "promo");
    update(&mut s, ctrl('f'));
    update(&mut s, key(KeyCode::Enter));
    assert!(update(&mut s, ch('*')).is_empty());
    let Some(Overlay::MarkAll(ask)) = &s.overlay else {
        panic!("* on a fuzzy result asks: {:?}", s.overlay)
    };
    assert_eq!(ask.jids.len(), 4);
    assert!(
        ask.lines(&s)[0].starts_with("Mark 4 contacts found by the fuzzy filter \"promo\"?"),
        "{:?}",
        ask.lines(&s)
    );
    assert!(
        s.instance().marks.is_empty(),
        "nothing marked before the yes"
    );
    // Enter on Cancel (the focus starts there) marks nothing.
    update(&mut s, key(KeyCode::Enter));
    assert!(s.overlay.is_none());
    assert!(s.instance().marks.is_empty());
    assert_eq!(status_text(&s), "nothing marked");
    update(&mut s, ch('*'));
    update(&mut s, ch('y'));
    assert_eq!(s.instance().marks.len(), 4);
    assert!(status_text(&s).starts_with("marked 4 shown contacts"));
    // Again: unmarks at once (nothing is acted on by unmarking).
    update(&mut s, ch('*'));
    assert!(s.overlay.is_none());
    assert!(s.instance().marks.is_empty());
}

#[test]
fn star_on_a_substring_result_marks_at_once() {
    let mut s = promo_desk();
    update(&mut s, ch('/'));
    keys(&mut s, "promo");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, ch('*'));
    assert!(s.overlay.is_none());
    let mut marked: Vec<&String> = s.instance().marks.iter().collect();
    marked.sort();
    assert_eq!(marked, [&jid("5527945472109"), &jid("5527963396636")]);
}

#[test]
fn star_waits_for_a_background_filter_and_never_marks_the_rows_it_replaces() {
    let mut s = promo_desk();
    s.sync_filter_limit = 0;
    update(&mut s, ch('/'));
    let effects = keys(&mut s, "promo");
    let Some(Effect::Filter(job)) = effects.last().cloned() else {
        panic!("a background filter: {effects:?}")
    };
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.visible.len(), 4, "the unfiltered rows still show");
    update(&mut s, ch('*'));
    assert!(
        s.instance().marks.is_empty(),
        "Pedro and Paulo stay unmarked"
    );
    assert!(
        status_text(&s).contains("still running"),
        "{}",
        status_text(&s)
    );
    update(
        &mut s,
        Msg::Filtered {
            instance: 0,
            generation: job.generation,
            rows: job.run(),
        },
    );
    update(&mut s, ch('*'));
    assert_eq!(s.instance().marks.len(), 2, "the two Promoção once shown");
}

#[test]
fn large_lists_are_filtered_in_the_background_with_the_views_matching() {
    let mut s = promo_desk();
    s.sync_filter_limit = 0;
    update(&mut s, ch('/'));
    let effects = keys(&mut s, "promo");
    let Some(Effect::Filter(job)) = effects.last() else {
        panic!("a background filter: {effects:?}")
    };
    assert_eq!(job.matching, crate::model::filter::Matching::Substring);
    assert_eq!(job.run().len(), 2);
    let effects = update(&mut s, ctrl('f'));
    let Some(Effect::Filter(job)) = effects.last() else {
        panic!("a background filter: {effects:?}")
    };
    assert_eq!(job.matching, crate::model::filter::Matching::Fuzzy);
    assert_eq!(job.run().len(), 4);
}
