"""Checks on the hand-compiled gazetteers in kg/data/gazetteers/.

The entity extractor trusts these files blindly, so a malformed row, an
unknown country code or a form that points at two countries would silently
mistype entities in every article. These tests catch that at edit time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GAZ = ROOT / "kg" / "data" / "gazetteers"
TSV_FILES = ("demonyms.tsv", "country_aliases.tsv")
WORD_FILES = ("place_heads.txt", "org_heads.txt", "roles.txt", "org_words.txt", "state_organs.txt")

# The 193 UN member states (ISO 3166-1 alpha-2).
UN_MEMBERS = frozenset(
    """
    AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT
    BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC
    EE EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU
    ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI
    LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ
    NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY QA RO RS RU RW SA
    SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO
    TR TT TV TZ UA UG US UY UZ VC VE VN VU WS YE ZA ZM ZW
    """.split()
)
EXTRA_REQUIRED = frozenset({"TW", "XK", "PS", "HK", "MO", "GL", "PR"})
# Countries whose only demonyms are shared with another country
# (Congolese: CD/CG; Dominican: DM/DO) or with a region (Central African).
NO_UNAMBIGUOUS_DEMONYM = frozenset({"CD", "CG", "CF", "DM", "DO"})


COUNTRY_TABLE = ROOT / "kg" / "data" / "countries.tsv"  # kg's own table of countries (package data)


def _known_iso2() -> set[str]:
    lines = COUNTRY_TABLE.read_text(encoding="utf-8").splitlines()
    codes = {ln.split("\t")[0] for ln in lines[1:] if ln and not ln.startswith("#")}
    assert len(codes) > 190, f"{COUNTRY_TABLE}: {len(codes)} countries"
    return codes


def _data_rows(name: str) -> list[str]:
    """Rows after the one-line '#' header, as text (at least one: every caller loops over them)."""
    text = (GAZ / name).read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{name}: last line has no newline"
    lines = text.split("\n")[:-1]
    assert lines and lines[0].startswith("# "), f"{name}: first line must be a '# ' header"
    assert "Source:" in lines[0] and "Columns:" in lines[0], f"{name}: header lacks Columns:/Source:"
    assert len(lines) > 1, f"{name}: no data rows"
    return lines[1:]


def _pairs(name: str) -> list[tuple[str, str]]:
    return [tuple(r.split("\t")) for r in _data_rows(name)]  # type: ignore[misc]


@pytest.mark.parametrize("name", TSV_FILES + WORD_FILES + ("us_state_abbreviations.tsv",))
def test_rows_are_clean_sorted_and_unique(name: str) -> None:
    rows = _data_rows(name)
    assert rows, f"{name}: no data rows"
    for i, row in enumerate(rows, start=2):
        assert row.strip() == row and row, f"{name}:{i}: blank row or stray whitespace {row!r}"
        assert not row.startswith("#"), f"{name}:{i}: comment after the header"
        assert "\r" not in row, f"{name}:{i}: CRLF line ending"
    assert rows == sorted(rows), f"{name}: rows are not sorted (codepoint order, LC_ALL=C sort)"
    assert len(rows) == len(set(rows)), f"{name}: duplicate rows"


@pytest.mark.parametrize("name", TSV_FILES)
def test_tsv_has_two_columns_and_known_codes(name: str) -> None:
    known = _known_iso2()
    for i, row in enumerate(_data_rows(name), start=2):
        cols = row.split("\t")
        assert len(cols) == 2, f"{name}:{i}: expected iso2<TAB>form, got {row!r}"
        iso2, form = cols
        assert iso2 in known, f"{name}:{i}: {iso2!r} is not in {COUNTRY_TABLE}"
        assert form.strip() == form and form, f"{name}:{i}: empty or padded form"


@pytest.mark.parametrize("name", WORD_FILES)
def test_word_lists_are_lowercase_single_column(name: str) -> None:
    for i, row in enumerate(_data_rows(name), start=2):
        assert "\t" not in row, f"{name}:{i}: one entry per line, no tabs"
        assert row == row.lower(), f"{name}:{i}: {row!r} must be lowercase"
        assert "  " not in row, f"{name}:{i}: double space in {row!r}"


def test_heads_are_single_words_and_not_both_place_and_org() -> None:
    places = set(_data_rows("place_heads.txt"))
    orgs = set(_data_rows("org_heads.txt"))
    assert all(" " not in w for w in places | orgs)
    assert places & orgs == set(), "a head noun cannot make a name both a Place and an Organization"


def test_no_form_names_two_countries() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for name in TSV_FILES:
        for iso2, form in _pairs(name):
            key = form.casefold()
            if key in seen:
                other_iso, other_file = seen[key]
                assert other_iso == iso2, f"{form!r}: {other_iso} in {other_file} but {iso2} in {name}"
            seen[key] = (iso2, name)


def test_every_required_country_has_a_demonym() -> None:
    have = {iso2 for iso2, _ in _pairs("demonyms.tsv")}
    missing = (UN_MEMBERS | EXTRA_REQUIRED) - NO_UNAMBIGUOUS_DEMONYM - have
    assert not missing, f"no demonym for {sorted(missing)}"


@pytest.mark.parametrize(
    ("name", "form", "iso2"),
    [
        ("demonyms.tsv", "North Korean", "KP"),
        ("demonyms.tsv", "South Koreans", "KR"),
        ("demonyms.tsv", "Dutch", "NL"),
        ("demonyms.tsv", "American", "US"),
        ("demonyms.tsv", "Swiss", "CH"),
        ("demonyms.tsv", "Russian", "RU"),
        ("demonyms.tsv", "Britons", "GB"),
        ("demonyms.tsv", "Scottish", "GB"),
        ("demonyms.tsv", "Filipino", "PH"),
        ("demonyms.tsv", "Palestinian", "PS"),
        ("demonyms.tsv", "Kosovar", "XK"),
        ("demonyms.tsv", "Taiwanese", "TW"),
        ("country_aliases.tsv", "DPRK", "KP"),
        ("country_aliases.tsv", "ROK", "KR"),
        ("country_aliases.tsv", "U.S.", "US"),
        ("country_aliases.tsv", "UK", "GB"),
        ("country_aliases.tsv", "Holland", "NL"),
        ("country_aliases.tsv", "Ivory Coast", "CI"),
        ("country_aliases.tsv", "Burma", "MM"),
        ("country_aliases.tsv", "DRC", "CD"),
        ("country_aliases.tsv", "Congo-Brazzaville", "CG"),
        ("country_aliases.tsv", "Republic of China", "TW"),
        ("country_aliases.tsv", "PRC", "CN"),
        ("country_aliases.tsv", "Swaziland", "SZ"),
    ],
)
def test_spot_checks(name: str, form: str, iso2: str) -> None:
    assert (iso2, form) in _pairs(name)


@pytest.mark.parametrize(
    "form", ["Korean", "Koreans", "Korea", "Arab", "Arabs", "Congolese", "Congo", "Dominican", "Soviet Union"]
)
def test_ambiguous_or_defunct_forms_are_absent(form: str) -> None:
    for name in TSV_FILES:
        assert form.casefold() not in {f.casefold() for _, f in _pairs(name)}, f"{form!r} in {name}"


def test_word_lists_cover_the_core_vocabulary() -> None:
    places = set(_data_rows("place_heads.txt"))
    orgs = set(_data_rows("org_heads.txt"))
    roles = set(_data_rows("roles.txt"))
    assert {"region", "oblast", "province", "strip", "island", "airport", "zone", "heights"} <= places
    assert "state" not in places and "emirate" not in places
    assert {"ministry", "bank", "party", "agency", "federation", "council", "army", "news"} <= orgs
    assert {
        "foreign minister",
        "secretary of state",
        "chairman",
        "counterpart",
        "prime minister",
        "secretary-general",
        "supreme leader",
        "sen.",
    } <= roles
    assert not {"mr.", "mrs.", "ms.", "dr."} & roles, "honorifics are not job titles"


def test_state_abbreviations_name_one_state_each() -> None:
    seen: dict[str, str] = {}
    for i, row in enumerate(_data_rows("us_state_abbreviations.tsv"), start=2):
        cols = row.split("\t")
        assert len(cols) == 2 and all(c.strip() == c and c for c in cols), f"us_state_abbreviations.tsv:{i}: {row!r}"
        state, abbr = cols
        assert seen.setdefault(abbr, state) == state, f"{abbr!r} names {seen[abbr]} and {state}"


def test_word_lists_are_lowercase_sorted_and_documented() -> None:
    """kg/data/gazetteers/word_lists.json: every list the rules read (`WordLists`) is there, says
    what it is for, and holds sorted, unique, lower-case words."""
    import json
    from dataclasses import fields

    from kg.gazetteer import WordLists, load_word_lists

    raw = json.loads((GAZ / "word_lists.json").read_text(encoding="utf-8"))
    names = [f.name for f in fields(WordLists)]
    assert names and sorted(set(raw) - {"_doc"}) == sorted(names)
    for name in names:
        entry = raw[name]
        assert entry["_doc"], f"{name}: no _doc"
        words = entry.get("words", list(entry.get("values", {})))
        assert words, f"{name}: empty"
        assert all(w == w.lower() and w.strip() == w for w in words), f"{name}: not lower case"
        if "words" in entry:
            assert words == sorted(set(words)), f"{name}: not sorted and unique"
        assert entry.get("also") in (None, *names), f"{name}: 'also' names no list"
    lists = load_word_lists()
    assert "de" in lists.place_particles and "do" in lists.place_particles  # with the name particles
    assert lists.scales["bln"] == 10**9 and lists.number_words["two"] == 2
