//! Marks belong to contacts; the bulk dialog says who, and what happens
//! on each instance; an instance never blocks its own number.

use super::*;
use crate::protocol::ConnState;
use crate::protocol::InstanceStatus;

#[test]
fn marks_follow_their_contacts_and_vanished_ones_are_unmarked_with_a_word() {
    let mut s = loaded();
    update(&mut s, ch(' ')); // Ana
    update(&mut s, ch(' ')); // Bruno
    assert_eq!(s.instance().marks.len(), 2);
    // The refreshed list has neither Ana nor Bruno's phone JID, but lists
    // Bruno by his @lid, in another order.
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("14155550123", "Carla Dias", None),
            RemoteContact {
                jid: "777@lid".into(),
                ..contact("0", "Bruno Costa", None)
            },
        ],
    );
    let marks: Vec<&String> = s.instance().marks.iter().collect();
    assert_eq!(marks, [&"777@lid".to_string()], "Bruno's mark follows him");
    assert!(
        status_text(&s).contains("1 marked contact left the address book of sales: unmarked"),
        "{}",
        status_text(&s)
    );
    // B acts on the mark, never on the selection (Carla).
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = &s.overlay else {
        panic!("the dialog opens")
    };
    assert_eq!(d.targets, vec![("777@lid".to_string(), None)]);
    assert_eq!(d.names, ["Bruno Costa (hidden number)"]);
}

#[test]
fn every_mark_gone_the_next_b_acts_on_nobody_and_says_so() {
    for bulk in ['B', 'U', 'W'] {
        let mut s = loaded();
        update(&mut s, ch(' '));
        update(&mut s, ch(' '));
        contacts_arrive(&mut s, 0, vec![contact("14155550123", "Carla Dias", None)]);
        assert!(s.instance().marks.is_empty());
        assert!(status_text(&s).contains("2 marked contacts left"));
        // Carla is selected now: the B meant for the marks must not reach
        // her.
        let effects = update(&mut s, ch(bulk));
        assert!(effects.is_empty(), "{effects:?}");
        assert!(s.overlay.is_none(), "{bulk}: no dialog: {:?}", s.overlay);
        assert_eq!(
            status_text(&s),
            "the 2 marked contacts left the address book: nothing is marked"
        );
        // Said once: the next one names the selection, as without marks.
        update(&mut s, ch(bulk));
        match &s.overlay {
            Some(Overlay::Targets(d)) => {
                assert_eq!(d.names, ["Carla Dias (+1 415-555-0123)"], "it says who")
            }
            Some(Overlay::ListAdd(ask)) => assert_eq!(ask.adding.targets.len(), 1),
            other => panic!("{bulk}: the question opens: {other:?}"),
        }
    }
}

#[test]
fn marking_anew_after_marks_vanished_acts_on_the_new_marks() {
    let mut s = loaded();
    update(&mut s, ch(' '));
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110002", "Bruno Costa", None),
            contact("14155550123", "Carla Dias", None),
        ],
    );
    assert!(status_text(&s).contains("1 marked contact left"));
    update(&mut s, ch('g'));
    update(&mut s, ch(' ')); // Bruno
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = &s.overlay else {
        panic!("the dialog opens: {}", status_text(&s))
    };
    assert_eq!(d.names, ["Bruno Costa (+55 11 91111-0002)"]);
}

#[test]
fn a_mark_that_stays_is_what_b_acts_on_when_others_vanished() {
    let mut s = loaded();
    update(&mut s, ch(' ')); // Ana
    update(&mut s, ch(' ')); // Bruno
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110002", "Bruno Costa", None),
            contact("14155550123", "Carla Dias", None),
        ],
    );
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = &s.overlay else {
        panic!("the dialog opens: {}", status_text(&s))
    };
    assert_eq!(d.names, ["Bruno Costa (+55 11 91111-0002)"]);
}

#[test]
fn duplicate_rows_count_once_and_the_dialog_names_every_one() {
    let mut s = loaded();
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110001", "Ana Silva", None),
            contact("5511911110001", "Ana (work)", None),
            contact("5511911110002", "Bruno Costa", None),
            contact("5511911110003", "Clara Souza", None),
            contact("5511911110004", "Duda Lima", None),
        ],
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = &s.overlay else {
        panic!("the dialog opens")
    };
    assert_eq!(d.targets.len(), 4, "the JID listed twice counts once");
    assert_eq!(
        d.names,
        [
            "Ana Silva (+55 11 91111-0001)",
            "Bruno Costa (+55 11 91111-0002)",
            "Clara Souza (+55 11 91111-0003)",
            "Duda Lima (+55 11 91111-0004)"
        ],
        "every one is named"
    );
    assert_eq!(d.per_instance, [(false, "sales: 4 contacts".to_string())]);
}

#[test]
fn the_dialog_says_per_instance_what_will_happen_there() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![
                (
                    0,
                    Ok(Some(InstanceStatus {
                        state: ConnState::Connected,
                        own_region: None,
                        own_jid: None,
                    })),
                ),
                (
                    1,
                    Ok(Some(InstanceStatus {
                        state: ConnState::Connected,
                        own_region: None,
                        own_jid: None,
                    })),
                ),
            ],
            complete: true,
        }),
    );
    contacts_arrive(&mut s, 1, vec![contact("5511911110001", "Ana Silva", None)]);
    update(&mut s, ch(' ')); // Ana
    update(&mut s, ch(' ')); // Bruno (with an @lid)
    update(&mut s, ch('B'));
    update(&mut s, ch('a')); // every instance
    let Some(Overlay::Targets(d)) = &s.overlay else {
        panic!("the dialog opens")
    };
    let lines: Vec<&str> = d.per_instance.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(
        lines,
        [
            "sales: 2 contacts",
            "support: 1 contact · 1 number that is not a contact there"
        ]
    );
}

#[test]
fn an_instance_never_blocks_its_own_number() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![(
                0,
                Ok(Some(InstanceStatus {
                    state: ConnState::Connected,
                    own_region: None,
                    own_jid: Some(jid("5511911110001")),
                })),
            )],
            complete: true,
        }),
    );
    // b on the instance's own contact row.
    let effects = update(&mut s, ch('b'));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(status_text(&s).contains("this instance's own number"));
    // Typed, it is refused too.
    update(&mut s, ch('a'));
    for c in "+5511911110001".chars() {
        update(&mut s, ch(c));
    }
    let effects = confirm(&mut s, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(status_text(&s).contains("an instance cannot block itself"));
}

#[test]
fn the_dialog_counts_the_own_number_once_when_it_is_also_a_contact() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![(
                0,
                Ok(Some(InstanceStatus {
                    state: ConnState::Connected,
                    own_region: None,
                    own_jid: Some(jid("5511911110001")),
                })),
            )],
            complete: true,
        }),
    );
    update(&mut s, ch('*')); // Ana (the instance's own number), Bruno, Carla
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = &s.overlay else {
        panic!("the dialog opens")
    };
    let lines: Vec<&str> = d.per_instance.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(lines, ["sales: 2 contacts · its own number left out"]);
}

#[test]
fn space_says_what_it_marked_and_how_many_as_it_moves_down() {
    let mut s = loaded();
    update(&mut s, ch(' '));
    assert_eq!(
        status_text(&s),
        "marked Ana Silva (+55 11 91111-0001) · 1 marked"
    );
    assert_eq!(s.selected, 1, "Space moves down");
    // Back up and Space again: it unmarks, and says nothing is left.
    update(&mut s, ch('k'));
    update(&mut s, ch(' '));
    assert!(s.instance().marks.is_empty());
    assert_eq!(
        status_text(&s),
        "nothing marked: B acts on the selected contact · unmarked Ana Silva (+55 11 91111-0001)"
    );
}

/// Sales with `n` contacts, each marked; 24 rows of screen.
fn many_marked(n: usize) -> State {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    contacts_arrive(
        &mut s,
        0,
        (0..n)
            .map(|i| {
                contact(
                    &format!("55119{:08}", i + 1),
                    &format!("Person {i:02}"),
                    None,
                )
            })
            .collect(),
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    s
}

fn dialog(s: &State) -> &crate::app::overlays::targets::BatchDialog {
    match &s.overlay {
        Some(Overlay::Targets(d)) => d,
        other => panic!("the dialog is open: {other:?}"),
    }
}

#[test]
fn the_dialogs_names_scroll_with_j_and_k_and_j_from_the_buttons_still_moves_the_instances() {
    use crate::app::overlays::targets::DialogFocus;
    let mut s = many_marked(30);
    assert_eq!(dialog(&s).names.len(), 30, "every target is named");
    assert_eq!(dialog(&s).focus, DialogFocus::Cancel);
    // From the buttons j moves the instance cursor, however many names:
    // `B j j Space y` means the same with 3 marks or 30.
    update(&mut s, ch('j'));
    assert_eq!(dialog(&s).focus, DialogFocus::List);
    assert_eq!(dialog(&s).cursor, 1);
    assert_eq!(dialog(&s).names_top, 0);
    // Above the first instance: the names, and k scrolls no further.
    update(&mut s, ch('k'));
    update(&mut s, ch('k'));
    assert_eq!(dialog(&s).focus, DialogFocus::Names);
    update(&mut s, ch('k'));
    assert_eq!(dialog(&s).names_top, 0, "no further than the first");
    // 80x24 shows ten names: twenty steps to the last one.
    for _ in 0..20 {
        update(&mut s, ch('j'));
    }
    assert_eq!(dialog(&s).names_top, 20);
    assert_eq!(dialog(&s).focus, DialogFocus::Names);
    update(&mut s, ch('j'));
    assert_eq!(dialog(&s).focus, DialogFocus::List, "past the last name");
    assert_eq!(dialog(&s).names_top, 20);
    assert_eq!(dialog(&s).cursor, 0);
    update(&mut s, ch('j'));
    assert_eq!(dialog(&s).cursor, 1, "then the instance cursor moves");
    // Tab goes round the instances, the buttons and the names.
    for focus in [
        DialogFocus::Cancel,
        DialogFocus::Confirm,
        DialogFocus::Names,
        DialogFocus::List,
    ] {
        update(&mut s, key(KeyCode::Tab));
        assert_eq!(dialog(&s).focus, focus);
    }
    // Enter on the names does nothing; the dialog stays.
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(dialog(&s).focus, DialogFocus::Names);
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(matches!(s.overlay, Some(Overlay::Targets(_))));
}

#[test]
fn names_that_fit_leave_j_and_k_to_the_instances() {
    use crate::app::overlays::targets::DialogFocus;
    let mut s = many_marked(3);
    update(&mut s, ch('j'));
    assert_eq!(dialog(&s).focus, DialogFocus::List);
    assert_eq!(dialog(&s).cursor, 1);
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(dialog(&s).focus, DialogFocus::List, "no names to focus");
}
