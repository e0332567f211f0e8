//! Flags on live messages, never automatic blocks: a wave (a sender who
//! is no contact of the instance and wrote to at least N of our numbers
//! within M minutes), a number on the deny list (a calling code, a
//! prefix, or a country), a word of the keyword list. The rules come from
//! `[live]` of the profile; everything here is pure.

use std::collections::{HashMap, VecDeque};

use super::number::Region;

/// The rules of `[live]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// A wave: at least this many of our numbers (N, 2 by default)…
    pub wave_numbers: usize,
    /// …written to within this many minutes (M, 10 by default).
    pub wave_minutes: u32,
    /// Numbers refused outright: calling codes and prefixes (`+62`,
    /// `+1 900`) and countries (`NG`).
    pub deny: Vec<Deny>,
    /// Words that flag a message, folded (lower case, accents off).
    pub keywords: Vec<String>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            wave_numbers: 2,
            wave_minutes: 10,
            deny: Vec::new(),
            keywords: Vec::new(),
        }
    }
}

impl Rules {
    /// The wave's window in seconds.
    pub fn window_secs(&self) -> i64 {
        i64::from(self.wave_minutes) * 60
    }
}

/// One entry of the deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deny {
    /// International digits a number begins with (`62`, `1900`).
    Prefix(String),
    /// A country, by its ISO code: every number libphonenumber places
    /// there.
    Country(Region),
}

impl Deny {
    /// Reads `+62`, `+1 900`, `234` or `NG`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Deny> {
        let text = text.trim();
        if text.len() == 2 && text.chars().all(|c| c.is_ascii_alphabetic()) {
            return Region::from_code(&text.to_ascii_uppercase()).map(Deny::Country);
        }
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let only_number = text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        (only_number && !digits.is_empty() && digits.len() <= 15).then_some(Deny::Prefix(digits))
    }

    /// Whether international `digits` fall under it.
    fn covers(&self, digits: &str) -> bool {
        match self {
            Deny::Prefix(prefix) => digits.starts_with(prefix.as_str()),
            Deny::Country(region) => Region::of_digits(digits) == Some(*region),
        }
    }

    /// How a reason names it: `+62`, `NG (Nigeria)`.
    fn shown(&self) -> String {
        match self {
            Deny::Prefix(prefix) => format!("+{prefix}"),
            Deny::Country(region) => region.name().to_string(),
        }
    }
}

/// Why a message is flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// The sender wrote to this many of our numbers (where it is no
    /// contact) within the wave's window.
    Wave {
        /// Our numbers written to.
        numbers: usize,
        /// The window, in minutes.
        minutes: u32,
    },
    /// The number is on the deny list.
    Denied(String),
    /// The text holds a keyword.
    Keyword(String),
}

impl Flag {
    /// The reason a row shows after `⚑`.
    pub fn reason(&self) -> String {
        match self {
            Flag::Wave { numbers, minutes } => {
                format!("spam wave: {numbers} of our numbers in {minutes} min")
            }
            Flag::Denied(what) => format!("deny list: {what}"),
            Flag::Keyword(word) => format!("keyword: {word}"),
        }
    }

    /// Its kind, for machine output: `wave`, `deny`, `keyword`.
    pub fn kind(&self) -> &'static str {
        match self {
            Flag::Wave { .. } => "wave",
            Flag::Denied(_) => "deny",
            Flag::Keyword(_) => "keyword",
        }
    }
}

/// Text folded for keyword matching: lower case, Latin accents off.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(nucleo_matcher::chars::normalize)
        .collect()
}

/// A word of a plain query (the Live and Blocklist views' filters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryWord {
    /// Digits, matched in a number (`+62 812` is `62812`; typed with a
    /// trunk `0`, without it too).
    Digits(String),
    /// `⚑`: the row is flagged.
    Flag,
    /// Any other word, folded by [`fold`].
    Text(String),
}

/// The words of a plain query: a run of number words is one number, a
/// `⚑` anywhere asks for flagged rows.
pub fn query_words(query: &str) -> Vec<QueryWord> {
    let mut words = Vec::new();
    let mut digits = String::new();
    for word in query.split_whitespace() {
        let is_number = word.chars().any(|c| c.is_ascii_digit())
            && word
                .chars()
                .all(|c| c.is_ascii_digit() || "+-().".contains(c));
        if is_number {
            digits.extend(word.chars().filter(char::is_ascii_digit));
            continue;
        }
        if !digits.is_empty() {
            words.push(QueryWord::Digits(std::mem::take(&mut digits)));
        }
        if word.contains('⚑') {
            words.push(QueryWord::Flag);
        }
        let text = fold(&word.replace('⚑', ""));
        if !text.is_empty() {
            words.push(QueryWord::Text(text));
        }
    }
    if !digits.is_empty() {
        words.push(QueryWord::Digits(digits));
    }
    words
}

/// The flags a message earns on its own: its number on the deny list,
/// a keyword in its text (`folded` by [`fold`]).
pub fn own_flags(rules: &Rules, digits: Option<&str>, folded: &str) -> Vec<Flag> {
    let mut flags = Vec::new();
    if let Some(digits) = digits
        && let Some(deny) = rules.deny.iter().find(|d| d.covers(digits))
    {
        flags.push(Flag::Denied(deny.shown()));
    }
    if let Some(word) = rules.keywords.iter().find(|k| folded.contains(k.as_str())) {
        flags.push(Flag::Keyword(word.clone()));
    }
    flags
}

/// One message of a sender, as waves count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wrote {
    at: i64,
    instance: usize,
    /// The sender is no contact of that instance.
    stranger: bool,
}

/// Who wrote to which of our numbers when, for the last window: enough
/// to tell waves and to say on how many numbers a sender wrote lately.
/// Memory stays bounded: what is older than the window is dropped.
#[derive(Debug, Clone, Default)]
pub struct Waves {
    senders: HashMap<String, VecDeque<Wrote>>,
    /// The window, in seconds.
    window: i64,
}

impl Waves {
    /// Counting within `window_secs`.
    pub fn new(window_secs: i64) -> Waves {
        Waves {
            senders: HashMap::new(),
            window: window_secs.max(1),
        }
    }

    /// Records that `sender` wrote to `instance` at `at` (`stranger`: it
    /// is no contact there); returns on how many of our numbers, where it
    /// is no contact, it wrote within the window of `at`.
    pub fn record(&mut self, sender: &str, instance: usize, at: i64, stranger: bool) -> usize {
        let window = self.window;
        let wrote = self.senders.entry(sender.to_string()).or_default();
        let place = wrote.iter().rposition(|w| w.at <= at).map_or(0, |p| p + 1);
        wrote.insert(
            place,
            Wrote {
                at,
                instance,
                stranger,
            },
        );
        // In arrival order every other message is older; one that comes
        // late counts with those of its own time, before or after it.
        let numbers = distinct(
            wrote
                .iter()
                .filter(|w| w.stranger && (w.at - at).abs() <= window),
        );
        let latest = wrote.back().map_or(at, |w| w.at);
        while wrote.front().is_some_and(|w| w.at < latest - window) {
            wrote.pop_front();
        }
        numbers
    }

    /// On how many of our numbers `sender` wrote in the window before
    /// `now` (contacts or not).
    pub fn reach(&self, sender: &str, now: i64) -> usize {
        self.senders.get(sender).map_or(0, |wrote| {
            distinct(wrote.iter().filter(|w| w.at > now - self.window))
        })
    }

    /// Drops what is older than the window before `now`.
    pub fn prune(&mut self, now: i64) {
        let window = self.window;
        self.senders.retain(|_, wrote| {
            while wrote.front().is_some_and(|w| w.at <= now - window) {
                wrote.pop_front();
            }
            !wrote.is_empty()
        });
    }

    /// How many senders are remembered.
    pub fn len(&self) -> usize {
        self.senders.len()
    }

    /// Whether no sender is remembered.
    pub fn is_empty(&self) -> bool {
        self.senders.is_empty()
    }
}

/// How many different instances `wrote` names.
fn distinct<'a>(wrote: impl Iterator<Item = &'a Wrote>) -> usize {
    let mut seen: Vec<usize> = wrote.map(|w| w.instance).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_is_two_numbers_where_it_is_no_contact_within_the_window() {
        let mut waves = Waves::new(600);
        assert_eq!(waves.record("62811", 0, 1_000, true), 1);
        assert_eq!(
            waves.record("62811", 0, 1_010, true),
            1,
            "the same number twice"
        );
        assert_eq!(waves.record("62811", 1, 1_300, false), 1, "a contact there");
        assert_eq!(waves.record("62811", 2, 1_500, true), 2);
        assert_eq!(waves.reach("62811", 1_500), 3, "every number it wrote to");
        assert_eq!(waves.record("62899", 0, 1_000, true), 1);
        assert_eq!(
            waves.record("62899", 1, 1_700, true),
            1,
            "eleven minutes apart"
        );
        waves.prune(1_000 + 601);
        assert_eq!(waves.reach("62899", 1_601), 1);
        waves.prune(100_000);
        assert!(waves.is_empty(), "memory is bounded by the window");
    }

    #[test]
    fn messages_out_of_order_count_in_their_own_window() {
        let mut waves = Waves::new(600);
        waves.record("1", 0, 2_000, true);
        assert_eq!(
            waves.record("1", 1, 1_900, true),
            2,
            "an older message arrives late"
        );
        assert_eq!(
            waves.record("1", 2, 500, true),
            1,
            "far older: alone in its window"
        );
    }

    #[test]
    fn deny_list_and_keywords() {
        let rules = Rules {
            deny: ["+62", "+1 900", "NG", "nope", "+"]
                .iter()
                .filter_map(|d| Deny::parse(d))
                .collect(),
            keywords: vec![fold("Investimento"), fold("pix")],
            ..Rules::default()
        };
        assert_eq!(
            rules.deny.len(),
            3,
            "what is no number nor country is not kept"
        );
        let flags = own_flags(
            &rules,
            Some("6281234567890"),
            &fold("Olá! INVESTIMENTO garantido"),
        );
        assert_eq!(
            flags.iter().map(Flag::reason).collect::<Vec<_>>(),
            ["deny list: +62", "keyword: investimento"]
        );
        let nigeria = own_flags(&rules, Some("2348031234567"), "");
        assert_eq!(nigeria[0].kind(), "deny");
        assert!(
            own_flags(&rules, Some("19005550100"), "")[0]
                .reason()
                .contains("+1900")
        );
        assert!(own_flags(&rules, Some("5511999999999"), &fold("bom dia")).is_empty());
        assert!(
            own_flags(&rules, None, &fold("Pix agora"))
                .iter()
                .any(|f| f.kind() == "keyword")
        );
        assert_eq!(fold("Ação"), "acao");
    }
}
