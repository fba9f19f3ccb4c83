"""Name forms for comparing names across articles: folded, tokenised, spelled one way.

Two articles write one name differently: "Sergey"/"Sergei", "Kim Jong-un"/"Kim Jong Un",
"Erdoğan"/"Erdogan", "Apple Inc."/"Apple", "IAEA"/"International Atomic Energy Agency". The
functions here turn a name into forms that meet when the names are variants of each other, and
decide whether two word lists are the same name. unidecode transliterates, rapidfuzz measures the
distance of two words; the spelling rules and word lists are data files under kg/data/resolve/.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

from kg.gazetteer import norm

DATA = resources.files("kg") / "data" / "resolve"
#: words of a name that its initials skip ("Atomic Energy Organization of Iran" = AEOI)
INITIALS_SKIP = frozenset({"of", "the", "and", "for", "on", "in", "at", "to", "de", "du", "des", "la", "le", "y", "und"})
#: words of an agreement's name that do not tell two agreements apart
AGREEMENT_NAME_SKIP = frozenset({"the", "a", "an", "of", "on", "and", "for", "to", "in", "with", "between", "s"})
#: a word shorter than this must be spelled the same (after transliteration) to match: "Un" is not "Il"
FUZZY_MIN_LENGTH = 7
#: two roles are compatible from this rapidfuzz token-set ratio ("foreign minister" ~ "russian foreign minister")
ROLE_RATIO = 80.0
_DOUBLED = re.compile(r"(.)\1+")
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,6}$")


def _rows(name: str) -> list[list[str]]:
    rows = []
    for line in DATA.joinpath(name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


@lru_cache(maxsize=1)
def transliteration_rules() -> tuple[tuple[str, str], ...]:
    return tuple((r[0], r[1]) for r in _rows("transliteration.tsv"))


@lru_cache(maxsize=1)
def company_designators() -> frozenset[str]:
    return frozenset(r[0] for r in _rows("company_designators.txt"))


@lru_cache(maxsize=1)
def agreement_kinds() -> dict[str, str]:
    """Head noun -> kind ("deal" -> "agreement")."""
    return {r[1]: r[0] for r in _rows("agreement_kinds.tsv")}


@lru_cache(maxsize=1)
def agreement_words() -> frozenset[str]:
    return frozenset(r[0] for r in _rows("agreement_words.txt"))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """ASCII, case-folded, dashes as spaces, no punctuation: "Kim Jong-un" -> "kim jong un",
    "Erdoğan" -> "erdogan", "Løkke" -> "lokke", "U.S." -> "us"."""
    return norm(text if text.isascii() else unidecode(text))


def words(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())


@lru_cache(maxsize=65536)
def spelled(word: str) -> str:
    """One spelling for transliteration variants of a folded word: "sergey" and "sergei" ->
    "sergei", "zelenskyy" and "zelenskiy" -> "zelenski", "aleksandr" and "alexandr" -> "aleksandr"."""
    for old, new in transliteration_rules():
        word = word.replace(old, new)
    return _DOUBLED.sub(r"\1", word)


def same_word(a: str, b: str) -> bool:
    """Whether two folded words are one name word: equal once spelled one way, or long words one
    edit apart that is not in the last letter ("Mohammad"/"Mohammed", not "Alexandra"/"Alexandre")."""
    if a == b:
        return True
    sa, sb = spelled(a), spelled(b)
    if sa == sb:
        return True
    if min(len(sa), len(sb)) < FUZZY_MIN_LENGTH or sa[0] != sb[0] or sa[-1] != sb[-1]:
        return False
    return Levenshtein.distance(sa, sb, score_cutoff=1) <= 1


def compact(name: tuple[str, ...]) -> str:
    """The words spelled one way and run together: "Kim Jong Un" and "Kim Jongun" meet."""
    return "".join(spelled(w) for w in name)


def same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two names of one person (or place, or organisation) written differently: word by word the
    same ("Sergey Lavrov"/"Sergei Lavrov"), or the same once run together ("Kim Jong-un"/"Kim Jongun").
    Two people who share a surname but not every given name are never the same name."""
    if len(a) == len(b) and all(same_word(x, y) for x, y in zip(a, b)):
        return True
    return compact(a) == compact(b)


def shortened(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """`short` (two words or more) is `full` with words left off: the first words ("Choe Son" of
    "Choe Son Hui") or the middle ones ("Rafael Grossi" of "Rafael Mariano Grossi")."""
    if not 2 <= len(short) < len(full):
        return False
    if all(same_word(x, y) for x, y in zip(short, full)):
        return True
    return len(short) == 2 and same_word(short[0], full[0]) and same_word(short[1], full[-1])


def organization_name(name: tuple[str, ...]) -> tuple[str, ...]:
    """An organisation's name without its company form: "Aer Lingus Group PLC" -> "aer lingus"."""
    designators = company_designators()
    end = len(name)
    while end > 1 and name[end - 1] in designators:
        end -= 1
    return name[:end]


def acronym(label: str) -> str | None:
    """ "IAEA", "U.N." -> "iaea", "un"; None for a name that is not an acronym."""
    text = label.replace(" ", "")
    if not _ACRONYM.match(text):
        return None
    return text.replace(".", "").lower()


def initials(name: tuple[str, ...]) -> str | None:
    """ "international atomic energy agency" -> "iaea"; None for a one-word name."""
    kept = [w for w in name if w not in INITIALS_SKIP]
    return "".join(w[0] for w in kept) if len(kept) >= 2 else None


def roles_agree(a: set[str], b: set[str]) -> bool:
    """Roles that one person can hold in two reports: none known on one side, or two titles of
    which one is (nearly) in the other ("Foreign Minister" ~ "Russian Foreign Minister", not
    "President" ~ "Foreign Minister")."""
    if not a or not b:
        return True
    return any(fuzz.token_set_ratio(x, y) >= ROLE_RATIO for x in sorted(a) for y in sorted(b))


def agreement_name(label: str) -> str:
    """The words of an agreement's name, in sorted order, without the small words: "Treaty on
    Comprehensive Strategic Partnership" and "the comprehensive strategic partnership treaty"
    give one key."""
    return " ".join(sorted({w for w in words(label) if w not in AGREEMENT_NAME_SKIP}))


def agreement_core(label: str) -> str:
    """A described agreement's phrase without the parties kg adds to its label:
    "military agreement between Russia and North Korea" -> "military agreement"."""
    return label.split(" between ", 1)[0]
