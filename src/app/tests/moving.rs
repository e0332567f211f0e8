//! Moving in the list, paging, switching instances, the mouse, sorting.

use super::*;

#[test]
fn movement_keys() {
    let mut s = loaded();
    update(&mut s, ch('j'));
    assert_eq!(s.selected, 1);
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selected, 2, "stops at the last row");
    update(&mut s, ch('k'));
    assert_eq!(s.selected, 1);
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    assert_eq!(s.selected, 0, "stops at the first row");
    update(&mut s, ch('G'));
    assert_eq!(s.selected, 2);
    update(&mut s, ch('g'));
    assert_eq!(s.selected, 0);
    update(&mut s, key(KeyCode::End));
    assert_eq!(s.selected, 2);
    update(&mut s, key(KeyCode::Home));
    assert_eq!(s.selected, 0);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.selected, 2);
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(s.selected, 0);
}

#[test]
fn paging_scrolls_a_long_list() {
    let mut s = State::new(&names(), &[], 0);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 14,
        },
    ); // 10 rows
    let many = (0..100)
        .map(|i| contact(&format!("55119{i:08}"), &format!("C{i}"), None))
        .collect();
    contacts_arrive(&mut s, 0, many);
    assert_eq!(s.list_height(), 10);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!((s.selected, s.offset), (10, 1));
    update(&mut s, ctrl('d'));
    assert_eq!((s.selected, s.offset), (20, 11));
    update(&mut s, ch('G'));
    assert_eq!((s.selected, s.offset), (99, 90));
    update(&mut s, ctrl('u'));
    assert_eq!((s.selected, s.offset), (89, 89));
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 8,
        },
    );
    assert!(s.selected >= s.offset && s.selected < s.offset + s.list_height());
}

#[test]
fn tab_switches_instances_and_keeps_positions() {
    let mut s = loaded();
    update(&mut s, ch('j'));
    let effects = update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.current, 1);
    assert!(
        effects.is_empty(),
        "support was already loading since start"
    );
    contacts_arrive(&mut s, 1, vec![contact("5511922220001", "Zé", None)]);
    assert_eq!(s.visible, vec![0]);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(s.current, 0);
    assert_eq!(s.selected, 1, "selection remembered per instance");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.current, 1, "wraps around");
}

#[test]
fn unknown_keys_do_nothing() {
    let mut s = loaded();
    let before = (s.selected, s.overlay.clone(), s.filter.clone());
    assert!(update(&mut s, ch('z')).is_empty());
    assert_eq!(before, (s.selected, s.overlay.clone(), s.filter.clone()));
}

#[test]
fn s_cycles_the_sort_and_keeps_the_selection() {
    let mut s = loaded();
    update(&mut s, ch('G')); // Carla (14155550123), last as listed
    update(&mut s, ch('s'));
    assert_eq!(s.sort, crate::model::contacts::Sort::Name);
    let names: Vec<String> = s
        .visible
        .iter()
        .map(|&i| s.instance().contacts.get(i).unwrap().name().to_string())
        .collect();
    assert_eq!(names, ["Ana Silva", "Bruno Costa", "Carla Dias"]);
    assert_eq!(s.selected_contact().unwrap().name(), "Carla Dias");
    update(&mut s, ch('s'));
    assert_eq!(s.sort, crate::model::contacts::Sort::Number);
    assert_eq!(s.visible[0], 2, "+1 sorts before +55");
    update(&mut s, ch('s'));
    assert_eq!(s.sort, crate::model::contacts::Sort::Listed);
    assert_eq!(s.visible, vec![0, 1, 2]);
}

#[test]
fn the_mouse_never_moves_the_hidden_contact_list_from_the_live_or_blocklist_view() {
    use ratatui::crossterm::event::{MouseButton, MouseEventKind};
    for view in ['L', 'T'] {
        let mut s = loaded();
        update(
            &mut s,
            Msg::Resize {
                width: 100,
                height: 34,
            },
        );
        update(&mut s, ch(view));
        update(
            &mut s,
            mouse(MouseEventKind::Down(MouseButton::Left), 10, 4),
        );
        update(&mut s, mouse(MouseEventKind::ScrollDown, 10, 10));
        assert_eq!(s.selected, 0, "{view}: the contact selection stays");
    }
}

#[test]
fn the_mouse_scrolls_selects_and_switches_tabs() {
    use ratatui::crossterm::event::{MouseButton, MouseEventKind};
    let mut s = loaded();
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 34,
        },
    );
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 4),
    );
    assert_eq!(s.selected, 2, "row 4 is the third contact");
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 30),
    );
    assert_eq!(s.selected, 2, "a click below the list changes nothing");
    update(&mut s, mouse(MouseEventKind::ScrollUp, 10, 10));
    assert_eq!(s.selected, 0);
    update(&mut s, mouse(MouseEventKind::ScrollDown, 10, 10));
    assert_eq!(s.selected, 2);
    let support = tabs::layout(&s, 100).tabs[1];
    update(
        &mut s,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            support.start + 2,
            0,
        ),
    );
    assert_eq!(s.current, 1, "a click on a tab switches to it");
    update(&mut s, ch('?'));
    update(&mut s, mouse(MouseEventKind::ScrollDown, 10, 10));
    assert!(
        matches!(s.overlay, Some(Overlay::Help(_))),
        "overlays keep the keyboard's attention"
    );
}

#[test]
fn tab_layout_drops_state_words_then_the_name_when_narrow() {
    let s = loaded();
    let wide = tabs::layout(&s, 200);
    assert!(wide.brand && wide.tabs.iter().all(|t| t.with_state));
    assert_eq!(wide.tabs[0].start, tabs::BRAND.len() as u16 + 1);
    let narrow = tabs::layout(&s, 40);
    assert!(
        narrow
            .tabs
            .iter()
            .filter(|t| t.with_state)
            .all(|t| t.instance == s.current)
    );
    let tiny = tabs::layout(&s, 10);
    assert!(!tiny.brand);
    assert_eq!(tabs::tab_at(&s, 200, 0), None, "the name is not a tab");
    assert_eq!(tabs::tab_at(&s, 200, wide.tabs[1].start), Some(1));
}

#[test]
fn with_hundreds_of_instances_the_tab_line_scrolls_to_the_shown_one() {
    let names: Vec<(String, Option<String>)> =
        (0..300).map(|i| (format!("desk-{i:03}"), None)).collect();
    let mut s = State::new(&names, &[], 250);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    let layout = tabs::layout(&s, 80);
    let current = layout
        .tabs
        .iter()
        .find(|t| t.instance == 250)
        .expect("the shown tab is laid out");
    assert!(current.end <= 80, "{current:?}");
    assert!(layout.more_left, "the line says tabs are scrolled away");
    assert_eq!(tabs::tab_at(&s, 80, current.start), Some(250));
    // The first instance needs no scrolling.
    s.current = 0;
    assert!(!tabs::layout(&s, 80).more_left);
}
