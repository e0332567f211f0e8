//! Lookups in the app: a typed number is looked up once typing pauses
//! (after `a` and after `:block`, not after `:unblock`); a lookup made
//! minutes into a run is trusted; a hidden-number contact is matched on
//! another instance by the number its lookup gives, on the contact there
//! that has it.

use super::*;
use crate::model::identity::{Identity, LookedUp};

/// `loaded()` with lookups on, support loaded with `support` contacts.
fn looking(support: Vec<RemoteContact>) -> State {
    let mut s = loaded();
    s.lookups.enabled = true;
    contacts_arrive(&mut s, 1, support);
    s
}

/// The lookups `effects` ask: of the ledger (numbers), of the server
/// (instance, number).
fn asked(effects: &[Effect]) -> (Vec<String>, Vec<(usize, String)>) {
    let mut ledger = Vec::new();
    let mut server = Vec::new();
    for e in effects {
        match e {
            Effect::Job(Job::Read(LedgerRead::Identities { numbers })) => {
                ledger.extend(numbers.iter().cloned())
            }
            Effect::Job(Job::Api(ApiCall::Lookup { instance, number })) => {
                server.push((*instance, number.clone()))
            }
            _ => {}
        }
    }
    (ledger, server)
}

fn tick(s: &mut State) -> Vec<Effect> {
    let now = s.now;
    update(s, Msg::Tick { now })
}

/// The ledger knows none of `numbers`.
fn ledger_knows_none(s: &mut State, numbers: Vec<String>) -> Vec<Effect> {
    update(
        s,
        Msg::Worker(JobResult::Identities {
            numbers,
            result: Ok(Vec::new()),
        }),
    )
}

/// The server says `number` is `identity`, looked up at `at`.
fn looked_up(s: &mut State, number: &str, identity: Identity, at: i64) -> Vec<Effect> {
    update(
        s,
        Msg::Worker(JobResult::Lookup {
            instance: 0,
            number: number.to_string(),
            result: Ok(LookedUp {
                number: number.to_string(),
                identity,
                at,
            }),
        }),
    )
}

fn on_whatsapp(jid: &str, lid: Option<&str>) -> Identity {
    Identity::OnWhatsApp {
        jid: jid.to_string(),
        lid: lid.map(str::to_string),
        name: None,
        about: None,
    }
}

#[test]
fn a_typed_number_is_looked_up_once_typing_pauses() {
    let mut s = looking(Vec::new());
    let mut effects = keys(&mut s, "a+55 21 98765-1234");
    effects.extend(tick(&mut s));
    assert_eq!(asked(&effects), (vec![], vec![]), "not while typing");
    let (ledger, _) = asked(&tick(&mut s));
    assert_eq!(ledger, ["5521987651234"], "once, when typing paused");
    assert_eq!(asked(&tick(&mut s)), (vec![], vec![]), "and not again");
    // After `:block`, the same; after `:unblock`, nothing is looked up.
    update(&mut s, key(KeyCode::Esc));
    keys(&mut s, ":block +55 21 98765-9999");
    tick(&mut s);
    let (ledger, _) = asked(&tick(&mut s));
    assert_eq!(ledger, ["5521987659999"]);
    update(&mut s, key(KeyCode::Esc));
    keys(&mut s, ":unblock +55 21 98765-8888");
    tick(&mut s);
    assert_eq!(asked(&tick(&mut s)), (vec![], vec![]));
}

#[test]
fn a_lookup_made_minutes_into_a_run_is_trusted() {
    // A headless run has no ticks: its clock stays where it started.
    let mut s = looking(Vec::new());
    let started = s.now;
    // `:block` asks why first; Enter sends without a reason.
    assert!(type_line(&mut s, "block +55 21 98765-0404").is_empty());
    let effects = update(&mut s, key(KeyCode::Enter));
    let (ledger, _) = asked(&effects);
    let (_, server) = asked(&ledger_knows_none(&mut s, ledger));
    assert_eq!(server, [(0, "5521987650404".to_string())]);
    let absent = Identity::NotOnWhatsApp {
        message: "Number is not on WhatsApp".into(),
    };
    let effects = looked_up(&mut s, "5521987650404", absent, started + 600);
    assert!(block_jobs(&effects).is_empty(), "{effects:?}");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Job(Job::Write(LedgerWrite::CreateBatch { .. })))),
        "nothing recorded: {effects:?}"
    );
    assert!(s.batch.is_none());
    assert!(
        status_text(&s).contains("not on WhatsApp"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn a_hidden_number_is_matched_on_the_contact_that_has_its_number_there() {
    // Bruno is a hidden-number contact on sales; support knows him by
    // his number.
    let mut s = looking(vec![contact("5511933330000", "Bruno C.", None)]);
    contacts_arrive(
        &mut s,
        0,
        vec![RemoteContact {
            jid: "777@lid".into(),
            ..contact("0", "Bruno", None)
        }],
    );
    update(&mut s, ch('B'));
    update(&mut s, ch('a'));
    let Some(Overlay::Targets(d)) = &s.overlay else {
        panic!("the bulk dialog: {:?}", s.overlay)
    };
    assert_eq!(
        d.per_instance[1].1,
        "support: 1 hidden number(s) matched by lookup"
    );
    update(&mut s, ch('y'));
    let effects = update(&mut s, key(KeyCode::Enter));
    let (ledger, _) = asked(&effects);
    assert_eq!(ledger, ["777@lid"]);
    let (_, server) = asked(&ledger_knows_none(&mut s, ledger));
    assert_eq!(server, [(0, "777@lid".to_string())], "asked through sales");
    let now = s.now;
    let effects = looked_up(
        &mut s,
        "777@lid",
        on_whatsapp(&jid("5511933330000"), Some("777@lid")),
        now,
    );
    let created = effects.iter().find_map(|e| match e {
        Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, .. })) => Some(tuples(items)),
        _ => None,
    });
    assert_eq!(
        created,
        Some(vec![
            (0, "777@lid".to_string(), None, true),
            (1, jid("5511933330000"), Some("777@lid".to_string()), true),
        ])
    );
}
