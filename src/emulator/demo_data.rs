//! Realistic, reproducible address books for the demo and for tests:
//! names in several scripts, emoji, businesses, push-name-only contacts,
//! hidden-number (`@lid`) contacts and a few spammers; the profiles
//! WhatsApp shows of people outside them, drawn from their numbers; and
//! the demo's spammers, who are in no address book.

use std::collections::HashSet;

use serde::Serialize;

/// One contact as the emulator stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EmuContact {
    /// Phone JID, or the `@lid` for hidden-number contacts.
    pub jid: String,
    /// The contact's `@lid`, when it has one.
    pub lid: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Full name.
    pub full_name: Option<String>,
    /// Self-chosen name.
    pub push_name: Option<String>,
    /// Business name.
    pub business_name: Option<String>,
}

/// A small deterministic generator (SplitMix64): the same seed gives the
/// same address book on every machine.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(super) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub(super) fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const FIRST: &[&str] = &[
    "Maria",
    "João",
    "Ana",
    "Pedro",
    "Lucas",
    "Juliana",
    "Fernanda",
    "Rafael",
    "Beatriz",
    "Gabriel",
    "Camila",
    "Thiago",
    "Larissa",
    "Mateus",
    "Letícia",
    "Gonçalo",
    "Inês",
    "José",
    "Conceição",
    "Sofía",
    "Diego",
    "Chloé",
    "Jürgen",
    "Zoë",
    "Søren",
    "Łucja",
    "Emma",
    "Oliver",
];
const LAST: &[&str] = &[
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Pereira",
    "Costa",
    "Rodrigues",
    "Almeida",
    "Nascimento",
    "Araújo",
    "Gonçalves",
    "Fernández",
    "Muñoz",
    "Müller",
    "Dubois",
    "Kowalska",
    "O'Brien",
    "Smith",
    "Nguyễn",
];
const OTHER_SCRIPTS: &[&str] = &[
    "محمد العلي",
    "فاطمة حداد",
    "ليلى منصور",
    "Анна Иванова",
    "Дмитрий Смирнов",
    "Ольга Кузнецова",
    "प्रिया शर्मा",
    "राहुल पटेल",
    "王芳",
    "李伟",
    "张敏",
    "田中 美咲",
    "佐藤 健",
    "김민준",
    "이서연",
    "Νίκος Παπαδόπουλος",
    "Ελένη Γεωργίου",
    "יעל כהן",
    "สมชาย ใจดี",
];
const PUSH: &[&str] = &[
    "Mãe ❤️",
    "Carlos 🚀",
    "🌸 Bia 🌸",
    "Tio Zé 🍺",
    "👨‍💻 dev",
    "Luna 🌙",
    "Rê",
    "Dudu",
    "~ Paulinha ~",
    "Vó Cida 👵",
    "Marcos (trabalho)",
    "Nanda 💅",
    "Gui ⚽",
    "Jess",
    "Kiko",
];
const BUSINESS: &[&str] = &[
    "Padaria Pão Quente",
    "Auto Peças Silva LTDA",
    "Clínica Sorriso",
    "Pet Shop Amigo Fiel",
    "TechFix Assistência",
    "Mercadinho Bom Preço",
    "Farmácia Vida",
    "Café Aroma ☕",
    "Imobiliária Horizonte",
    "Escola de Inglês Speak Up",
    "Oficina do Zé 🔧",
];
const SPAM: &[&str] = &[
    "Promoção 🔥🔥",
    "Ganhe Dinheiro Fácil 💰",
    "Crypto Profits 📈",
    "Oferta Imperdível",
    "Loan Approved ✅",
    "Your package is held 📦",
    "Investimento Garantido",
];
const AREA_BR: &[&str] = &[
    "11", "21", "31", "41", "51", "61", "71", "81", "85", "19", "27",
];

/// A mobile-looking number of one of the demo's countries (mostly
/// Brazil), drawn again until libphonenumber calls it valid, so the demo
/// shows numbers as their countries write them.
fn phone_number(rng: &mut Rng) -> String {
    let draw = |rng: &mut Rng| match rng.below(20) {
        0 => format!(
            "1{}{}{}",
            rng.pick(&["415", "212", "305", "646"]),
            rng.pick(&["2", "3", "4", "5", "6", "7", "8", "9"]),
            rng.digits(6)
        ),
        1 => format!(
            "447{}{}",
            rng.pick(&["4", "5", "7", "8", "9"]),
            rng.digits(8)
        ),
        2 => format!(
            "491{}{}",
            rng.pick(&["51", "52", "60", "70", "71", "76"]),
            rng.digits(7)
        ),
        3 => format!("3519{}{}", rng.pick(&["1", "2", "3", "6"]), rng.digits(7)),
        4 => format!("346{}", rng.digits(8)),
        5 => format!("919{}", rng.digits(9)),
        _ => format!("55{}9{}", rng.pick(AREA_BR), rng.digits(8)),
    };
    let mut number = draw(rng);
    for _ in 0..20 {
        if is_valid(&number) {
            break;
        }
        number = draw(rng);
    }
    number
}

/// Whether international `digits` are a valid number, as libphonenumber's
/// metadata says (the emulator reads numbers on its own, as a server
/// would, not through the app's rules).
fn is_valid(digits: &str) -> bool {
    let util = &*rlibphonenumber::PHONE_NUMBER_UTIL;
    util.parse(format!("+{digits}"), None)
        .is_ok_and(|n| util.is_valid_number(&n))
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

/// `count` contacts for the instance called `seed_name`.
pub fn address_book(seed_name: &str, count: usize) -> Vec<EmuContact> {
    let mut rng = Rng(seed_of(seed_name));
    let mut seen = HashSet::new();
    let mut contacts = Vec::with_capacity(count);
    while contacts.len() < count {
        let number = phone_number(&mut rng);
        if !seen.insert(number.clone()) {
            continue;
        }
        let lid = (rng.below(10) < 3).then(|| format!("{}@lid", rng.digits(15)));
        let mut c = EmuContact {
            jid: format!("{number}@s.whatsapp.net"),
            lid,
            ..EmuContact::default()
        };
        match rng.below(100) {
            0..=44 => {
                let first = rng.pick(FIRST);
                c.first_name = some(first);
                c.full_name = Some(format!("{first} {}", rng.pick(LAST)));
                if rng.below(2) == 0 {
                    c.push_name = some(rng.pick(PUSH));
                }
            }
            45..=56 => {
                let name = rng.pick(OTHER_SCRIPTS);
                c.full_name = some(name);
                c.first_name = name.split(' ').next().map(str::to_string);
            }
            57..=68 => {
                c.business_name = some(rng.pick(BUSINESS));
                c.push_name = some(rng.pick(BUSINESS));
            }
            69..=82 => c.push_name = some(rng.pick(PUSH)),
            83..=88 => c.first_name = some(rng.pick(FIRST)),
            89..=93 => c.push_name = some(rng.pick(SPAM)),
            94..=96 => {
                // A hidden-number contact: its JID is the @lid itself.
                c.jid = format!("{}@lid", rng.digits(15));
                c.lid = None;
                c.push_name = some(rng.pick(PUSH));
            }
            _ => {}
        }
        contacts.push(c);
    }
    contacts
}

/// A spammer of the demo: on WhatsApp, in no instance's address book,
/// with a telling profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpammer {
    /// The number as people type it, in international digits.
    pub number: &'static str,
    /// The JID WhatsApp keys the person by (for a Brazilian mobile outside
    /// area codes 11–28, the old 8-digit ID).
    pub jid: &'static str,
    /// Its `@lid`, when it has one (a block answer then names it).
    pub lid: Option<&'static str>,
    /// The profile name.
    pub name: &'static str,
    /// The About text.
    pub about: &'static str,
    /// Whether it has a profile picture.
    pub picture: bool,
}

/// The demo's spammers, for the demo and the tests: each answers a
/// lookup with this profile, and is a contact of no demo instance.
pub const DEMO_SPAMMERS: &[DemoSpammer] = &[
    DemoSpammer {
        number: "5511987654321",
        jid: "5511987654321@s.whatsapp.net",
        lid: Some("120987654321987@lid"),
        name: "Joana Promo",
        about: "Ofertas!",
        picture: true,
    },
    DemoSpammer {
        number: "5581988887777",
        jid: "558188887777@s.whatsapp.net",
        lid: None,
        name: "Crédito Fácil 💰",
        about: "Empréstimo na hora, sem consulta ao SPC",
        picture: true,
    },
    DemoSpammer {
        number: "5521976543210",
        jid: "5521976543210@s.whatsapp.net",
        lid: None,
        name: "Entrega Pendente 📦",
        about: "Sua encomenda está retida: confirme o endereço",
        picture: false,
    },
    DemoSpammer {
        number: "447911123456",
        jid: "447911123456@s.whatsapp.net",
        lid: Some("230447911123456@lid"),
        name: "Crypto Profits 📈",
        about: "Guaranteed 30% a month. DM me!",
        picture: true,
    },
];

const ABOUT: &[&str] = &[
    "Hey there! I am using WhatsApp.",
    "Disponível",
    "Ocupado",
    "Só chamadas urgentes",
    "Em reunião 📅",
    "Vivendo um dia de cada vez ✨",
    "Deus é fiel 🙏",
    "En el trabajo 💼",
    "La vida es bella",
    "Bei der Arbeit",
    "Always learning 📚",
    "No calls, text only",
    "😴",
    "Urgente? Liga!",
    "Доступен",
    "متاح",
    "忙碌中",
    "Carpe diem",
];

/// What WhatsApp shows of a person the emulator knows only by number: a
/// profile drawn from the number's digits, the same on every run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DrawnProfile {
    /// The profile name (some have none).
    pub(super) name: Option<String>,
    /// The About text (some have none).
    pub(super) about: Option<String>,
    /// A CDN-looking picture URL (some have none).
    pub(super) picture: Option<String>,
    /// Whether the person has an `@lid`.
    pub(super) has_lid: bool,
}

/// The seed of a string: FNV-1a of its bytes.
fn seed_of(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
    })
}

/// The phone number of a hidden-number contact (whose JID is its
/// `@lid`), drawn from the `@lid`: a São Paulo mobile, the same on every
/// run.
pub(super) fn hidden_number(lid: &str) -> String {
    let mut rng = Rng(seed_of(lid));
    format!("55119{}{}", rng.pick(&["6", "7", "8", "9"]), rng.digits(7))
}

/// A picture URL as WhatsApp's CDN writes them, drawn from `seed`.
pub(super) fn picture_url(seed: &str) -> String {
    let mut rng = Rng(seed_of(seed) ^ 0x5EED);
    format!(
        "https://pps.whatsapp.net/v/t61.24694-24/{}_{}_{}_n.jpg?ccb=11-4&oh=01_Q5Aa{}&oe={:X}",
        rng.digits(9),
        rng.digits(15),
        rng.digits(16),
        rng.digits(12),
        0x6800_0000 + rng.below(0x0100_0000)
    )
}

/// The profile of the person WhatsApp keys by `digits`: a name in one of
/// several languages (or a business, or none), an About text (or none),
/// a picture (or none), an `@lid` for some.
pub(super) fn drawn_profile(digits: &str) -> DrawnProfile {
    let mut rng = Rng(seed_of(digits));
    let name = match rng.below(100) {
        0..=39 => Some(format!("{} {}", rng.pick(FIRST), rng.pick(LAST))),
        40..=54 => some(rng.pick(OTHER_SCRIPTS)),
        55..=66 => some(rng.pick(BUSINESS)),
        67..=81 => some(rng.pick(PUSH)),
        _ => None,
    };
    let about = (rng.below(10) < 7).then(|| rng.pick(ABOUT).to_string());
    let picture = (rng.below(10) < 6).then(|| picture_url(digits));
    DrawnProfile {
        name,
        about,
        picture,
        has_lid: rng.below(10) < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_unique_and_varied() {
        let a = address_book("sales", 400);
        assert_eq!(a, address_book("sales", 400));
        assert_ne!(a, address_book("support", 400));
        let jids: HashSet<_> = a.iter().map(|c| &c.jid).collect();
        assert_eq!(jids.len(), 400);
        assert!(a.iter().any(|c| c.lid.is_some()));
        assert!(a.iter().any(|c| c.jid.ends_with("@lid")));
        assert!(a.iter().any(|c| c.business_name.is_some()));
        assert!(
            a.iter()
                .any(|c| c.full_name.is_none() && c.push_name.is_some())
        );
        let phones: Vec<&str> = a
            .iter()
            .filter_map(|c| c.jid.strip_suffix("@s.whatsapp.net"))
            .collect();
        assert!(
            phones.iter().all(|d| is_valid(d)),
            "every demo number is valid for its country"
        );
        let countries: HashSet<_> = phones.iter().map(|d| &d[..2]).collect();
        assert!(countries.len() >= 6, "{countries:?}");
    }

    #[test]
    fn the_demo_spammers_are_on_whatsapp_and_in_no_address_book() {
        let books: Vec<EmuContact> = ["sales", "support", "marketing", "billing"]
            .iter()
            .flat_map(|name| address_book(name, 480))
            .collect();
        for s in DEMO_SPAMMERS {
            assert!(is_valid(s.number), "{}", s.number);
            assert!(!s.number.ends_with("404"), "{}", s.number);
            let jids = [s.jid.to_string(), format!("{}@s.whatsapp.net", s.number)];
            assert!(
                !books.iter().any(|c| jids.contains(&c.jid)),
                "{} is a contact",
                s.number
            );
        }
        assert!(
            DEMO_SPAMMERS
                .iter()
                .any(|s| s.name == "Joana Promo" && s.about == "Ofertas!")
        );
    }

    #[test]
    fn drawn_profiles_are_reproducible_and_varied() {
        let numbers: Vec<String> = (0..300).map(|i| format!("5511987{:06}", i * 37)).collect();
        let drawn: Vec<DrawnProfile> = numbers.iter().map(|n| drawn_profile(n)).collect();
        assert_eq!(drawn[7], drawn_profile(&numbers[7]));
        assert!(drawn.iter().any(|p| p.name.is_none()));
        assert!(drawn.iter().any(|p| p.about.is_none()));
        assert!(drawn.iter().any(|p| p.picture.is_none()));
        assert!(drawn.iter().any(|p| !p.has_lid));
        assert!(drawn.iter().any(|p| p.has_lid));
        let scripts: HashSet<bool> = drawn
            .iter()
            .filter_map(|p| p.name.as_deref())
            .map(|n| n.is_ascii())
            .collect();
        assert_eq!(scripts.len(), 2, "names in Latin and other scripts");
        for p in drawn.iter().filter_map(|p| p.picture.as_deref()) {
            assert!(p.starts_with("https://pps.whatsapp.net/"), "{p}");
        }
    }

    #[test]
    fn hidden_number_contacts_have_valid_numbers() {
        for c in address_book("sales", 480)
            .iter()
            .filter(|c| c.jid.ends_with("@lid"))
        {
            let number = hidden_number(&c.jid);
            assert!(is_valid(&number), "{number}");
            assert_eq!(number, hidden_number(&c.jid));
        }
    }
}
