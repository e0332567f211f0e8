//! The demo's live feed: ordinary messages from contacts every couple
//! of seconds, a group now and then, and every two minutes a spam wave
//! (a few numbers that are in no address book, each writing to every
//! connected demo instance within a minute: a disconnected number
//! receives nothing), so `--demo` shows the Live view with `⚑` rows
//! without any server. Reproducible: a seeded generator.

use std::time::Duration;

use super::demo_data::Rng;
use super::live::EmuMessage;
use super::world::EmulatorHandle;

/// One round of the script.
const CYCLE: Duration = Duration::from_secs(120);

const EVERYDAY: &[&str] = &[
    "Bom dia! Vocês abrem amanhã?",
    "Obrigado pela ajuda 🙏",
    "Can you send me the invoice for March?",
    "O pedido 4512 já saiu para entrega?",
    "Oi, tudo bem? Preciso remarcar a visita.",
    "¿Tienen el modelo en azul?",
    "Perfect, see you at 3pm.",
    "Pode me mandar o boleto de novo? O outro venceu.",
    "Qual o horário de funcionamento no sábado?",
    "Recebi, obrigado!",
];

/// The wave's senders: (calling code and prefix, digits after it, name,
/// text).
const SPAMMERS: &[(&str, usize, Option<&str>, &str)] = &[
    (
        "62812",
        8,
        Some("Promoções Top 🔥"),
        "Ganhe R$ 500 por dia trabalhando de casa! Vagas limitadas: bit.ly/renda-extra-hoje",
    ),
    (
        "234803",
        7,
        None,
        "Congratulations! Your number won an iPhone 17. Claim now: win-prize.example/claim",
    ),
    (
        "55819",
        8,
        Some("Crypto Gains 💰"),
        "Investimento garantido: 30% ao mês com cripto. Me chama no pix!",
    ),
];

/// An instance and its contacts: (number, name) each.
type Book = (String, Vec<(String, Option<String>)>);

/// The instances connected to WhatsApp now and their contacts (a
/// disconnected number receives no message).
fn books(handle: &EmulatorHandle) -> Vec<Book> {
    let shared = handle.lock();
    shared
        .instances
        .iter()
        .filter(|i| i.state == "connected")
        .map(|i| {
            let people = i
                .contacts
                .iter()
                .filter_map(|c| {
                    let digits = c.jid.strip_suffix("@s.whatsapp.net")?;
                    let name = c.push_name.clone().or_else(|| c.full_name.clone());
                    Some((digits.to_string(), name))
                })
                .collect();
            (i.name.clone(), people)
        })
        .collect()
}

/// One round: (when, instance, message), in time order.
fn round(books: &[Book], rng: &mut Rng) -> Vec<(Duration, String, EmuMessage)> {
    let mut plan = Vec::new();
    if books.is_empty() {
        return plan;
    }
    // Everyday messages from contacts, every 2 s or so.
    for n in 0..58 {
        let (instance, people) = &books[rng.below(books.len())];
        if people.is_empty() {
            continue;
        }
        let (number, name) = people[rng.below(people.len())].clone();
        let group = (n % 20 == 7).then(|| "Equipe de vendas".to_string());
        let m = EmuMessage {
            number: Some(number),
            lid: None,
            name,
            text: EVERYDAY[rng.below(EVERYDAY.len())].to_string(),
            group,
        };
        plan.push((
            Duration::from_millis(1_000 + n * 2_000 + rng.below(900) as u64),
            instance.clone(),
            m,
        ));
    }
    // The wave: each spammer writes to every instance within a minute.
    for (s, (prefix, len, name, text)) in SPAMMERS.iter().enumerate() {
        // Never a number the lookups take for no account (ending in 404).
        let mut number = format!("{prefix}{}", rng.digits(*len));
        while number.ends_with("404") {
            number = format!("{prefix}{}", rng.digits(*len));
        }
        for (j, (instance, _)) in books.iter().enumerate() {
            let at = 4_000 + s as u64 * 3_000 + ((j + s) % books.len()) as u64 * 8_000;
            let m = EmuMessage {
                number: Some(number.clone()),
                lid: None,
                name: name.map(str::to_string),
                text: text.to_string(),
                group: None,
            };
            plan.push((
                Duration::from_millis(at + rng.below(1_500) as u64),
                instance.clone(),
                m,
            ));
        }
    }
    plan.sort_by_key(|(at, _, _)| *at);
    plan
}

/// Plays the script for as long as the task runs; each round goes to
/// the instances connected when it starts.
pub(super) async fn play(handle: EmulatorHandle) {
    let mut rng = Rng(0x5EED_0026);
    let start = tokio::time::Instant::now();
    for cycle in 0u32.. {
        let base = start + CYCLE * cycle;
        for (at, instance, m) in round(&books(&handle), &mut rng) {
            tokio::time::sleep_until(base + at).await;
            handle.push_message(&instance, &m);
        }
        tokio::time::sleep_until(base + CYCLE).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_has_a_wave_on_every_instance_within_a_minute() {
        let books: Vec<Book> = ["sales", "support", "marketing", "billing"]
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    vec![("5511912345678".to_string(), Some("Ana".to_string()))],
                )
            })
            .collect();
        let plan = round(&books, &mut Rng(1));
        let first = &plan
            .iter()
            .find(|(_, _, m)| m.text.starts_with("Ganhe"))
            .unwrap()
            .2;
        let hits: Vec<&(Duration, String, EmuMessage)> = plan
            .iter()
            .filter(|(_, _, m)| m.number == first.number)
            .collect();
        assert_eq!(hits.len(), 4, "every instance");
        let span = hits.last().unwrap().0 - hits[0].0;
        assert!(span < Duration::from_secs(60), "{span:?}");
        assert!(
            plan.iter().any(|(_, _, m)| m.group.is_some()),
            "a group now and then"
        );
        assert!(plan.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
    }

    #[test]
    fn the_demo_wave_reaches_its_connected_instances_only() {
        use crate::emulator::EmulatorConfig;
        use crate::emulator::world::Shared;
        let handle = EmulatorHandle::new(Shared::new(EmulatorConfig::demo(Some(5))));
        let plan = round(&books(&handle), &mut Rng(1));
        let mut reached: Vec<&str> = plan
            .iter()
            .filter(|(_, _, m)| m.text.starts_with("Ganhe"))
            .map(|(_, instance, _)| instance.as_str())
            .collect();
        reached.sort_unstable();
        assert_eq!(
            reached,
            ["billing", "sales", "support"],
            "marketing is disconnected"
        );
        assert!(
            plan.iter().all(|(_, instance, _)| instance != "marketing"),
            "nor any everyday message"
        );
        handle.set_state("marketing", "connected");
        let plan = round(&books(&handle), &mut Rng(1));
        let hits = plan.iter().filter(|(_, _, m)| m.text.starts_with("Ganhe"));
        assert_eq!(hits.count(), 4, "once it connects, it gets the wave too");
        handle.lock().instances.clear();
        assert!(
            round(&books(&handle), &mut Rng(1)).is_empty(),
            "no instance, no round"
        );
    }
}
