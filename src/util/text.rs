//! Fitting text into terminal columns: width-aware truncation with an
//! ellipsis and word wrapping, so wide characters and emoji keep columns
//! aligned. Pure: the app uses it to size the message line, the UI to
//! draw it.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width of `text` in terminal columns.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` columns, ending in `…` when cut.
pub fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` cut to at most `max` columns between words, ending in ` …` when
/// cut, so no number or name is cut in the middle: a bracketed group
/// (`(+55 11 99999-8888)`) counts as one word. When not even the first
/// word fits, it is cut as [`fit`] does.
pub fn shorten(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut kept = 0;
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ' ' if depth == 0 => {
                if width(&text[..i]) + 2 > max {
                    break;
                }
                kept = i;
            }
            _ => {}
        }
    }
    let head = text[..kept].trim_end_matches([' ', '·', ',', ':']);
    if head.is_empty() {
        return fit(text, max);
    }
    format!("{head} …")
}

/// `text` wrapped into lines of at most `max` columns, breaking at spaces
/// and, for a word longer than a line, inside the word.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = width(word) + usize::from(!line.is_empty());
        if width(&line) + needed <= max {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if width(&line) + c.width().unwrap_or(0) > max {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// ` and 3 more` after a list that names some of `all`, `named` of them;
/// nothing when it names them all.
pub fn and_more(all: usize, named: usize) -> String {
    match all.saturating_sub(named) {
        0 => String::new(),
        more => format!(" and {more} more"),
    }
}

/// Pasted text as one line: line breaks and tabs become spaces, other
/// controls are dropped.
pub fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\t' => line.push(' '),
            c if c.is_control() => {}
            c => line.push(c),
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_is_one_line_without_controls() {
        assert_eq!(one_line("Harriet\r\nb\tq\x1b[2J"), "Harriet  b q[2J");
    }

    #[test]
    fn shorten_never_cuts_a_number_or_a_word() {
        let text = "blocked 李伟 (+91 91022 34429) on sales · server: Contact blocked";
        assert_eq!(shorten(text, 200), text);
        assert_eq!(
            shorten(text, 41),
            "blocked 李伟 (+91 91022 34429) on sales …"
        );
        assert_eq!(shorten(text, 40), "blocked 李伟 (+91 91022 34429) on …");
        for max in 14..31 {
            assert_eq!(
                shorten(text, max),
                "blocked 李伟 …",
                "the number whole or not at all"
            );
        }
        assert_eq!(shorten(text, 5), "bloc…", "one word longer than the room");
    }

    #[test]
    fn fits_by_columns_not_bytes() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("Conceição Gonçalves", 10), "Conceição…");
        assert_eq!(fit("王芳王芳王芳", 5), "王芳…");
        assert!(width(&fit("王芳王芳王芳", 6)) <= 6);
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("abcdef", 1), "…");
    }

    #[test]
    fn wraps_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("王芳 王芳王芳", 4), ["王芳", "王芳", "王芳"]);
        assert_eq!(wrap("", 5), [""]);
        for line in wrap(
            "Instance is not connected to WhatsApp (HTTP 503) · block Caio",
            20,
        ) {
            assert!(width(&line) <= 20, "{line}");
        }
    }
}
