//! Realistic, reproducible address books for the demo and for tests:
//! names in several scripts, emoji, businesses, push-name-only contacts,
//! hidden-number (`@lid`) contacts and a few spammers.

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
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
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
    let seed = seed_name.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
    });
    let mut rng = Rng(seed);
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
}
