//! Fitting text into terminal columns: width-aware truncation with an
//! ellipsis, so wide characters and emoji keep columns aligned.

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
}
