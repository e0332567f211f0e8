#!/usr/bin/env python3
"""Writes numbers.jsonl beside this file: typed phone numbers and what
libphonenumber's reference port (the `phonenumbers` package) reads them as in
an instance's region, with the refusals ryze-contacts adds on top.

Run: pip install phonenumbers==9.0.42 && python3 make_numbers.py
The version must match the metadata of the Rust crate (rlibphonenumber 2.x,
metadata 9.0.42); the first line of the output names it.

Each line is one case: r (the instance's region), f (the form the input was
typed in), in (the input), c (the class), and for c = send: e164, shown
(the international format) and type; for ambiguous and foreign: alt (the
other reading). The classes and the rules that make them:
  send          the reference's reading is a valid number: that is sent;
                or undecorated digits whose reading is not valid, but which
                read with a + in front are a valid number of the instance's
                own region (its own numbers typed with the country code and
                no +): that + reading is sent
  ambiguous     undecorated digits, valid as read and also valid read with
                a + in front, the two readings differ: refused
  foreign       no +, the reading is not valid, the digits with a + in front
                are, but not as a number of the instance's own region (or
                the input is decorated): refused, suggesting the +
  invalid       read, but not a valid number: refused
  no-country, not-a-number, too-short, too-long
                the reference could not read it (its error type)
  extension     the reference found an extension: refused
  letters       letters besides an extension (vanity numbers): refused
  controls      bidi controls: refused before reading
  empty         nothing but spaces (and a BOM)
"""
import json
import os
import random

import phonenumbers as pn
from phonenumbers import PhoneNumberFormat as F
from phonenumbers import PhoneNumberType as T

random.seed(15)

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
PLUS = "+\uff0b"
ERRORS = {
    pn.NumberParseException.INVALID_COUNTRY_CODE: "no-country",
    pn.NumberParseException.NOT_A_NUMBER: "not-a-number",
    pn.NumberParseException.TOO_SHORT_AFTER_IDD: "too-short",
    pn.NumberParseException.TOO_SHORT_NSN: "too-short",
    pn.NumberParseException.TOO_LONG: "too-long",
}
TYPES = {
    T.FIXED_LINE: "fixed-line",
    T.MOBILE: "mobile",
    T.FIXED_LINE_OR_MOBILE: "fixed-line-or-mobile",
    T.TOLL_FREE: "toll-free",
    T.PREMIUM_RATE: "premium-rate",
    T.SHARED_COST: "shared-cost",
    T.VOIP: "voip",
    T.PERSONAL_NUMBER: "personal-number",
    T.PAGER: "pager",
    T.UAN: "uan",
    T.VOICEMAIL: "voicemail",
    T.UNKNOWN: "unknown",
}


def e164(n):
    return pn.format_number(n, F.E164)


def has_letters(text):
    """Letters in the number itself: a tel: scheme and URI parameters are
    not the number."""
    body = text
    if body[:4].lower() == "tel:":
        body = body[4:].split(";")[0]
    return any(c.isalpha() for c in body)


def sent(n):
    """The class of a number that is sent, with how it reads."""
    return {
        "c": "send",
        "e164": e164(n),
        "shown": pn.format_number(n, F.INTERNATIONAL),
        "type": TYPES[pn.number_type(n)],
    }


def decide(text, region):
    """The class of (text, region) and its numbers, by the rules above."""
    t = text.lstrip("\ufeff").strip()
    if any(c in BIDI for c in t):
        return {"c": "controls"}
    if not t:
        return {"c": "empty"}
    try:
        n = pn.parse(t, region)
    except pn.NumberParseException as e:
        return {"c": ERRORS[e.error_type]}
    if n.extension:
        return {"c": "extension"}
    if has_letters(t):
        return {"c": "letters"}
    digits = pn.normalize_digits_only(t)
    plus = None
    if not any(c in PLUS for c in t):
        try:
            m = pn.parse("+" + digits, None)
            if pn.is_valid_number(m):
                plus = m
        except pn.NumberParseException:
            pass
    undecorated = len(digits) == len(t)
    if pn.is_valid_number(n):
        if plus is not None and undecorated and e164(plus) != e164(n):
            return {"c": "ambiguous", "e164": e164(n), "alt": e164(plus)}
        return sent(n)
    if plus is not None:
        if undecorated and pn.region_code_for_number(plus) == region:
            return sent(plus)
        return {"c": "foreign", "alt": e164(plus)}
    return {"c": "invalid"}


def international_prefix(region):
    meta = pn.PhoneMetadata.metadata_for_region(region)
    for p in (meta.preferred_international_prefix, meta.international_prefix):
        if p and p.isdigit():
            return p
    return None


def random_valid(region, kind, rng=random):
    """A valid number of the region near its example: the example's last
    digits changed until it is valid."""
    ex = pn.example_number_for_type(region, kind)
    if ex is None:
        return None
    nsn = pn.national_significant_number(ex)
    for _ in range(50):
        k = min(3, len(nsn) - 1)
        cand = nsn[: len(nsn) - k] + "".join(rng.choice("0123456789") for _ in range(k))
        try:
            n = pn.parse("+%d%s" % (ex.country_code, cand), None)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(n) and e164(n) != e164(ex):
            return n
    return None


FULLWIDTH = {str(i): chr(0xFF10 + i) for i in range(10)}


def odd_punctuation(n):
    intl = pn.format_number(n, F.INTERNATIONAL)
    cc, _, rest = intl.partition(" ")
    return {
        "paren-plus": "(%s) %s" % (cc, rest),
        "nbsp": intl.replace(" ", "\u00a0"),
        "unicode-dash": intl.replace(" ", "\u2010", 1).replace(" ", "\u2212"),
        "dots": intl.replace(" ", "."),
        "fullwidth": "\uff0b" + "".join(FULLWIDTH.get(c, c) for c in intl[1:]),
        "bom": "\ufeff" + intl,
        "bidi": "\u202e" + intl,
        "extension": intl + " ext. 12",
        "tel-ext": pn.format_number(n, F.RFC3966) + ";ext=12",
    }


def forms(n, region, foreign):
    """What people type for n, in an instance of region."""
    nat = pn.format_number(n, F.NATIONAL)
    nsn = pn.national_significant_number(n)
    cc = str(n.country_code)
    out = {
        "e164": e164(n),
        "international": pn.format_number(n, F.INTERNATIONAL),
        "national": nat,
        "rfc3966": pn.format_number(n, F.RFC3966),
        "bare-national": pn.normalize_digits_only(nat),
        "bare-international": cc + nsn,
        "added-digit": e164(n) + random.choice("0123456789"),
        "dropped-digit": e164(n)[:-1],
        "national-added-digit": nat + random.choice("0123456789"),
        "national-dropped-digit": nat[:-1],
    }
    if foreign is not None:
        fcc = str(foreign.country_code)
        fnsn = pn.national_significant_number(foreign)
        fnat = pn.normalize_digits_only(pn.format_number(foreign, F.NATIONAL))
        idd = international_prefix(region)
        if idd:
            out["own-idd"] = "%s %s %s" % (idd, fcc, fnsn)
            out["own-idd-trunk"] = "%s %s %s" % (idd, fcc, fnat)
        other = "011" if idd != "011" else "00"
        out["other-idd"] = "%s %s %s" % (other, fcc, fnsn)
    return out


# Inputs seen to go wrong, each in its region.
NAMED = [
    ("BD", "+880271112345"), ("PH", "023234567"), ("MY", "01234567895"),
    ("CN", "0101234567"), ("DE", "4915123456789"), ("ID", "62812345678"),
    ("IT", "390 212 3456"), ("BR", "(55) 99123-4567"), ("US", "011 49 15123456789"),
    ("GB", "00 241 06031234"), ("RU", "810 46 8123456"), ("US", "20155501235"),
    ("IT", "31234567895"), ("BR", "(51) 97767-5866"), ("BR", "(+44) 7400 123456"),
    ("BR", "tel:+44-7400-123456"), ("BR", "+55\u00a011\u00a099999\u20109999"),
    ("BR", "\u221255 11 99999-9999"), ("BR", "\uff0b55 11 99999 9999"),
    ("BR", "\ufeff+55 11 99999-9999"), ("BR", "5511999999999"),
    ("BR", "(11) 99999-8888"), ("GB", "07912 345678"), ("GB", "0044 7912 345678"),
    ("BR", "+44 (0) 7912 345678"), ("US", "1-800-FLOWERS"), ("US", "+1 650 253 0000 x12"),
    ("BR", "+55 11 99999-8888 ramal 12"), ("US", "(650) 253-0000"),
    ("IN", "098765 43210"), ("DE", "0151 23456789"), ("BR", "call me"),
    ("BR", "+999 123456789"), ("BR", "+55 11 9999"), ("BR", "99999-9999"),
    ("BR", "1" * 40), ("BR", "+"), ("BR", "   "), ("BR", "\u202e+55 11 99999-9999"),
    ("CO", "3001234567"), ("CN", "13800138000"), ("IT", "02 1234 5678"),
    # Bare digits with the country code (issue 25): the instance's own
    # numbers are sent, another country's keep the refusal, spaces say
    # "national".
    ("BR", "5511999998888"), ("BR", "55800123456"), ("BR", "5581988887777"),
    ("BR", "447912345678"), ("BR", "55 800 123 456"),
]


def own_bare(regions):
    """For every region, its own numbers of every type the metadata has an
    example of, typed as bare digits with the country code and no +: the
    example and a number near it."""
    rng = random.Random(25)
    cases = []
    for r in regions:
        for kind, name in TYPES.items():
            ex = pn.example_number_for_type(r, kind)
            if ex is None or not pn.is_valid_number(ex):
                continue
            if pn.region_code_for_number(ex) != r:
                continue
            near = random_valid(r, kind, rng)
            for form, n in (("own-bare-" + name, ex), ("own-bare-near-" + name, near)):
                if n is not None and pn.region_code_for_number(n) == r:
                    cases.append((r, form, str(n.country_code) + pn.national_significant_number(n)))
    return cases


def main():
    regions = sorted(pn.SUPPORTED_REGIONS)
    numbers = {}
    for r in regions:
        found = []
        for kind in (T.MOBILE, T.FIXED_LINE):
            ex = pn.example_number_for_type(r, kind)
            if ex is not None and pn.is_valid_number(ex):
                found.append(ex)
                break
        extra = random_valid(r, random.choice((T.MOBILE, T.FIXED_LINE)))
        if extra is not None:
            found.append(extra)
        numbers[r] = found
    cases = []
    for r in regions:
        if not numbers[r]:
            continue
        for i, n in enumerate(numbers[r]):
            other = random.choice([x for x in regions if x != r and numbers[x]])
            foreign = numbers[other][0] if i == 0 else None
            for form, text in forms(n, r, foreign).items():
                cases.append((r, form, text))
            if i == 0:
                for form, text in odd_punctuation(n).items():
                    cases.append((r, form, text))
        # a number of another country, typed the ways people do abroad
        other = random.choice([x for x in regions if x != r and numbers[x]])
        n = numbers[other][0]
        cases.append((r, "foreign-international", pn.format_number(n, F.INTERNATIONAL)))
        cases.append((r, "foreign-bare-international", e164(n)[1:]))
    for r, text in NAMED:
        cases.append((r, "named", text))
    cases.extend(own_bare(regions))
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "numbers.jsonl"), "w", encoding="ascii") as out:
        out.write(json.dumps({"reference": "phonenumbers " + pn.__version__, "cases": len(cases)}) + "\n")
        for r, form, text in cases:
            line = {"r": r, "f": form, "in": text}
            line.update(decide(text, r))
            out.write(json.dumps(line, ensure_ascii=True) + "\n")
    counts = {}
    for r, form, text in cases:
        c = decide(text, r)["c"]
        counts[c] = counts.get(c, 0) + 1
    print(len(cases), "cases:", ", ".join("%s %d" % kv for kv in sorted(counts.items())))


if __name__ == "__main__":
    main()
