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

#[cfg(test)]
mod tests {
    use super::*;

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
