"""Entities of one article: NER spans cleaned, merged, re-typed by gazetteers, aliases resolved.

The raw model makes systematic errors (surnames typed ORG, names split in two, places typed
PRODUCT, headlines run into the next sentence). Each is fixed by a general mechanism:

1. span cleaning: determiners, possessives and trailing demonyms are cut off; a span holding an
   inner possessive ("Lavrov's Visit Russian") is split;
2. span merging: a PERSON span followed directly by a capitalised name token is extended;
3. title patterns (kg/extract/roles.py): the name after a job title is a Person;
4. gazetteers: countries (names, short forms), demonyms, GeoNames places, place/org head nouns;
5. alias resolution: "Lavrov" is the article's "Sergei Lavrov", whatever the model typed it;
6. type voting across all mentions of the same name.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from spacy.tokens import Span

from kg.extract.context import DocContext, columns, doc_ents
from kg.gazetteer import Gazetteer, gazetteer, norm

NER_LABELS = {"PERSON", "GPE", "LOC", "ORG", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"}
POSSESSIVE = {"'s", "’s", "'", "’"}
LEADING_DROP = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our"}
COMPANY_SUFFIXES = {"inc", "corp", "co", "ltd", "plc", "llc", "ag", "sa", "spa", "nv", "bv", "gmbh", "cos", "group"}
#: lowercase particles inside personal names ("Jacques de Larosiere", "Cor van der Klugt")
NAME_PARTICLES = {"de", "van", "der", "von", "da", "del", "della", "di", "du", "dos", "das", "le", "la", "al", "bin", "ben", "ibn", "el", "ter", "ten", "y"}
#: honorifics are not part of a person's name ("Sir Christopher Hogg" is "Christopher Hogg")
HONORIFICS = {"sir", "dame", "lord", "lady", "mr", "mrs", "ms", "miss", "dr", "prof", "rev", "mr.", "mrs.",
              "ms.", "dr.", "prof.", "rev.", "messrs", "mme", "m."}
#: minimum population for a single-word city name to override the model's non-place label
CITY_OVERRIDE_POP = 100_000


@dataclass
class Candidate:
    """A cleaned span with its proposed type and how strong the evidence is."""

    span: Span
    type: str  # Person, Country, Place, Organization
    weight: int  # 1 model, 2 head noun / GeoNames, 3 gazetteer country or title pattern
    code: str | None = None


def extract_entities(ctx: DocContext) -> None:
    """Fill ctx with the article's Person, Country, Place and Organization entities."""
    gaz = gazetteer()
    doc = ctx.doc
    spans = [clean(s, gaz, ctx) for s in doc_ents(doc) if s.label_ in NER_LABELS]
    pieces = [p for group in spans for p in group]
    pieces = [with_admin_head(p, gaz) for p in merge_split_names(pieces)]
    from kg.extract.roles import title_person_spans  # roles know the title lexicon

    titled = title_person_spans(doc, gaz)
    candidates: list[Candidate] = []
    taken: set[int] = set()
    for span in titled:
        candidates.append(Candidate(span, "Person", 3))
        taken.update(range(span.start, span.end))
    from kg.extract.roles import role_spans

    in_titles = {i for r in role_spans(doc) for i in range(r.start, r.end)}
    for span in pieces:
        if any(i in taken for i in range(span.start, span.end)):
            continue
        if all(i in in_titles for i in range(span.start, span.end)):
            continue  # "State" in "Secretary of State" is part of a title, not a name
        cand = classify(span, gaz, ctx)
        if cand is not None:
            candidates.append(cand)
    resolve_in_document(candidates, gaz, ctx)


def _trailing_demonym(doc, s: int, e: int, gaz: Gazetteer) -> int:
    """Length (0, 1 or 2 tokens) of a demonym ending the span s..e ("... North Korean")."""
    for n in (2, 1):
        if e - n > s and gaz.demonym(doc[e - n:e].text) and not gaz.country(doc[s:e].text):
            return n
    return 0


def _split_points(span: Span, gaz: Gazetteer) -> list[int]:
    """Token indices where a span holds two names: at a possessive ("Lavrov's Visit"), and at
    "of" after a company suffix ("Meyer Detective Agency Inc of National Park")."""
    doc = span.doc
    cuts = []
    for i in range(span.start, span.end):
        tok = doc[i]
        if tok.text in POSSESSIVE or tok.tag_ == "POS":
            cuts.append(i)
        elif (span.label_ == "ORG" and tok.lower_ == "of" and i > span.start
              and doc[i - 1].lower_.rstrip(".") in COMPANY_SUFFIXES and i + 1 < span.end
              and doc[span.end - 1].lower_.rstrip(".") not in COMPANY_SUFFIXES):  # "Co of Canada Ltd" is one name
            cuts.append(i)
    return cuts


def clean(span: Span, gaz: Gazetteer, ctx: DocContext) -> list[Span]:
    """Trim and split one NER span into name spans (none when nothing name-like is left)."""
    doc = span.doc
    parts: list[tuple[int, int, str]] = []
    cur = span.start
    for cut in _split_points(span, gaz):
        label = span.label_
        parts.append((cur, cut, label))
        cur = cut + 1
    after_of = bool(parts) and doc[cur - 1].lower_ == "of"
    parts.append((cur, span.end, "GPE" if after_of else span.label_))
    out: list[Span] = []
    for n, (s, e, label) in enumerate(parts):
        while s < e and (doc[s].lower_ in LEADING_DROP or doc[s].is_punct or doc[s].is_space or
                         (label == "PERSON" and doc[s].lower_ in HONORIFICS and e - s > 1)):
            s += 1
        while e > s and (doc[e - 1].is_punct or doc[e - 1].is_space or doc[e - 1].text in POSSESSIVE):
            e -= 1
        # trailing demonyms are adjectives of the next noun, not part of an ORG/PERSON name
        if span.label_ in ("ORG", "PERSON") or n > 0:
            k = _trailing_demonym(doc, s, e, gaz)
            while k:
                for i in range(e - k, e):
                    ctx.demonym_tokens.setdefault(i, "")
                e -= k
                k = _trailing_demonym(doc, s, e, gaz)
        if label in ("ORG", "PERSON"):  # "Boeing Executive": a title word ends no name
            from kg.extract.roles import role_words

            while (e - s > 1 and doc[e - 1].lower_ in role_words() and doc[e - 1].lower_ not in gaz.org_heads
                   and doc[e - 2].tag_ in ("NNP", "NNPS") and doc[e - 2].lower_ not in role_words()):
                e -= 1  # but "Royal Courts of Justice" keeps its last word
        if s >= e:
            continue
        piece = Span(doc, s, e, label=label)
        if n > 0 and label != "GPE":
            # the rest of a span after a possessive is a name only when it looks like one:
            # "Lavrov's Visit" leaves "Visit", a headline word, which is dropped
            heads = gaz.org_heads | gaz.place_heads
            if not (piece[-1].lower_ in heads or (len(piece) >= 2 and all(t.is_title for t in piece))):
                continue
        out.append(piece)
    return out


def merge_split_names(spans: list[Span]) -> list[Span]:
    """Join a PERSON span with the name piece right after it: "Choe Son" + "Hui", "Jacques" + "de
    Larosiere" (lowercase particles between the pieces are part of the name)."""
    if not spans:
        return spans
    spans = sorted(spans, key=lambda s: s.start)
    out = [_extend_particles(spans[0])]
    gaz = gazetteer()
    for span in spans[1:]:
        prev = out[-1]
        doc = span.doc
        gap = range(prev.end, span.start)
        if (
            prev.label_ == "PERSON"
            and len(gap) <= 3
            and all(doc[i].lower_ in NAME_PARTICLES and doc[i].is_lower for i in gap)
            and len(span) <= 2
            and span.label_ in ("NORP", "PERSON", "ORG", "GPE")
            and all(t.is_title for t in span)
            and not gaz.demonym(span.text)
            and not gaz.country(span.text)
            and "\n" not in doc[prev.end - 1].whitespace_
        ):
            out[-1] = Span(doc, prev.start, span.end, label="PERSON")
            continue
        out.append(_extend_particles(span))
    return out


def _extend_particles(span: Span) -> Span:
    """A PERSON span followed by particles and a capitalised name token takes them in."""
    if span.label_ != "PERSON":
        return span
    doc = span.doc
    i = span.end
    while i < len(doc) and doc[i].lower_ in NAME_PARTICLES and doc[i].is_lower and i - span.end < 3:
        i += 1
    if i > span.end and i < len(doc) and doc[i].is_title and doc[i].pos_ == "PROPN" and not doc[i].ent_type_:
        return Span(doc, span.start, i + 1, label="PERSON")
    return span


#: a one-word "person" ending in one of these is a company ("Gazprombank", "Sberbank")
ORG_WORD_ENDINGS = ("bank", "corp", "tech", "soft", "com", "net")
#: verbs whose object (or passive subject) is an organisation, never a person
ORG_OBJECT_VERBS = {"acquire", "buy", "purchase", "merge", "list", "delist", "privatize", "privatise", "nationalize",
                    "nationalise", "spin"}
#: lowercase nouns that turn a place name into the region around it: "Kursk region"
ADMIN_HEADS = {"region", "province", "oblast", "krai", "county", "district", "prefecture", "governorate",
               "municipality", "canton", "territory", "state", "area"}


def with_admin_head(span: Span, gaz: Gazetteer) -> Span:
    """ "Kursk" + "region" -> "Kursk region": the region, not the city of that name."""
    doc = span.doc
    if span.label_ in ("PERSON", "NORP", "ORG") or span.end >= len(doc):
        return span
    nxt = doc[span.end]
    if nxt.is_lower and nxt.lower_ in ADMIN_HEADS and not gaz.country(span.text) and "\n" not in span[-1].whitespace_:
        return Span(doc, span.start, span.end + 1, label="LOC")
    return span


def apposition_kind(span: Span, gaz: Gazetteer) -> str | None:
    """What an apposition says the name is: "Magna, a Canadian automobile parts company" is an
    Organization, "Craiova, a city in Romania" a Place, "Kaja Kallas, the EU's foreign policy
    chief" a Person (job titles mark people)."""
    from kg.extract.roles import role_words

    root = span.root
    nouns = [t for t in root.children if t.dep_ == "appos" and t.i >= span.end]
    if root.dep_ == "appos" and root.head.i < span.start:
        nouns.append(root.head)
    for noun in nouns:
        if noun.pos_ != "NOUN":
            continue
        lemma = noun.lemma_.lower()
        if lemma in gaz.kinds:
            return gaz.kinds[lemma]
        if noun.lower_ in role_words() and noun.lower_ not in gaz.org_heads:
            return "Person"
    return None


def _org_by_form(span: Span, gaz: Gazetteer) -> bool:
    """Forms no personal name has: one word ending in an organisation noun ("Gazprombank"), or a
    plural after "the" ("the Beatles")."""
    doc = span.doc
    word = span.text.lower()
    if len(span) == 1 and any(word.endswith(h) and len(word) > len(h) + 2 for h in ORG_WORD_ENDINGS):
        return True
    before = doc[span.start - 1] if span.start > 0 else None
    return bool(before is not None and before.lower_ == "the" and span[-1].tag_ == "NNPS")


def _org_by_verb(span: Span) -> bool:
    """Organisations, not people, are bought, acquired, listed or merged ("he bought Pixar")."""
    root = span.root
    verb = root.head
    return root.dep_ in ("dobj", "nsubjpass") and verb.lemma_ in ORG_OBJECT_VERBS


def _lowercase_words(doc) -> set[str]:
    """Words the document writes in lowercase somewhere (cached on the doc)."""
    words = doc.user_data.get("kg_lower")
    if words is None:
        cols = columns(doc)
        words = doc.user_data["kg_lower"] = {w for w, keep in zip(cols.text, cols.lower_alpha) if keep}
    return words


def _name_like(span: Span) -> bool:
    """A name starts with a capital letter and is not a number ("five", "206p" are not places)."""
    first = span[0]
    return first.text[:1].isupper() and not any(t.like_num or any(c.isdigit() for c in t.text) for t in span)


def head_word(span: Span) -> str:
    return span[-1].lower_


def classify(span: Span, gaz: Gazetteer, ctx: DocContext) -> Candidate | None:
    """Propose a type for a cleaned span (None: not an entity of ours)."""
    label = span.label_
    text = span.text
    country = gaz.country(text)
    if country is None and len(span) == 1 and text.endswith("s") and text[:1].isupper():
        country = gaz.country(text[:-1])  # a possessive that lost its apostrophe: "Iraqs forces"
    if country and not (label == "PERSON" and len(span) > 1):
        return Candidate(span, "Country", 3, country.code)
    if label == "NORP":
        dem = gaz.demonym(text)
        if dem:
            for tok in span:
                ctx.demonym_tokens[tok.i] = ""  # resolved to a country key later
        return None
    head = head_word(span)
    if not _name_like(span):
        return None
    kind = apposition_kind(span, gaz)
    if kind is not None and label in ("PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT"):
        place = gaz.place(text) if kind == "Place" else None
        return Candidate(span, kind, 2, place.country if place else None)
    if label in ("GPE", "LOC", "FAC"):
        place = gaz.place(text)
        if place is None and len(span) == 1 and span[0].lower_ in _lowercase_words(span.doc):
            return None  # "Sorghum was harvested": a common noun the text also writes in lowercase
        return Candidate(span, "Place", 2 if place else 1, place.country if place else None)
    if head in gaz.place_heads and len(span) > 1 and label not in ("PERSON",):
        return Candidate(span, "Place", 2)
    if label == "ORG":
        if head in gaz.org_heads or len(span) > 1:
            return Candidate(span, "Organization", 2 if head in gaz.org_heads else 1)
        place = gaz.place(text)
        if place and place.population >= CITY_OVERRIDE_POP:
            return Candidate(span, "Place", 2, place.country)
        return Candidate(span, "Organization", 1)
    if label == "PERSON":
        if len(span) > 1 and (head in COMPANY_SUFFIXES or head in gaz.org_heads):
            return Candidate(span, "Organization", 2)
        if _org_by_form(span, gaz) or _org_by_verb(span):
            return Candidate(span, "Organization", 2)
        place = gaz.place(text) if len(span) == 1 else None
        if place and place.population >= CITY_OVERRIDE_POP:
            return Candidate(span, "Place", 1, place.country)
        return Candidate(span, "Person", 1)
    # PRODUCT, EVENT, WORK_OF_ART: only when a gazetteer says it is a place
    place = gaz.place(text)
    if place and place.population >= CITY_OVERRIDE_POP:
        return Candidate(span, "Place", 2, place.country)
    return None


def _tokens(text: str) -> list[str]:
    return norm(text).split()


def resolve_in_document(cands: list[Candidate], gaz: Gazetteer, ctx: DocContext) -> None:
    """Group candidates into entities: aliases of full person names, then votes per name."""
    cands.sort(key=lambda c: c.span.start)
    persons = [c for c in cands if c.type == "Person" and len(_tokens(c.span.text)) >= 2]
    # 1. short forms of a person's name ("Lavrov", "Kim") join that person, whatever their type
    alias_of: dict[int, Candidate] = {}
    for c in cands:
        if c.type == "Country" or (c.type == "Place" and c.weight >= 2 and c.code):
            continue
        toks = _tokens(c.span.text)
        if toks and toks[-1].endswith("s") and len(toks[-1]) > 3:  # "Ashers" (lost apostrophe)
            stem = toks[:-1] + [toks[-1][:-1]]
            if any(_is_subsequence(stem, _tokens(p.span.text)) for p in persons):
                toks = stem
        best = _best_full_name(c, toks, persons, cands)
        if best is not None:
            alias_of[id(c)] = best
            c.type, c.weight = "Person", 2  # being a short form of a person's name is evidence
    # 1b. a model-only "person" that is part of a longer organisation name in the article is that
    # organisation ("Garuda Indonesia" / "Garuda Indonesia Flight", "Music Store" / "iTunes Music Store")
    orgs = [c for c in cands if c.type == "Organization" and len(c.span) >= 2]
    for c in cands:
        if c.type != "Person" or c.weight > 1 or id(c) in alias_of:
            continue
        toks = _tokens(c.span.text)
        if toks and toks[-1].endswith("s") and len(toks[-1]) > 3:  # "Eastman Kodaks"
            toks = toks[:-1] + [toks[-1][:-1]]
        host = [o for o in orgs if len(_tokens(o.span.text)) > len(toks) and _is_subsequence(toks, _tokens(o.span.text))]
        if host:
            alias_of[id(c)] = min(host, key=lambda o: abs(o.span.start - c.span.start))
            c.type = "Organization"
    # 2. votes: a name's type is the one with the most evidence over all its mentions
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        target = alias_of.get(id(c))
        groups[norm(target.span.text) if target else _group_key(c)].append(c)
    # "Texacos" / "Eastman Kodaks": a possessive that lost its apostrophe joins the plain name
    for key in sorted(groups):
        for stem in (key[:-1], key[:-2]) if key.endswith("s") and len(key) > 4 else ():
            if stem in groups and stem != key:
                groups[stem].extend(groups.pop(key))
                break
    order = sorted(groups, key=lambda k: min(c.span.start for c in groups[k]))
    for key in order:
        members = groups[key]
        votes: Counter[str] = Counter()
        for c in members:
            votes[c.type] += c.weight
        type_ = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        label, code = canonical(members, type_, gaz)
        ent = ctx.add_entity(type_, label, code=code)
        for c in members:
            ctx.add_mention(ent, c.span)
    # 3. demonyms ("Russian", "North Korean") refer to their country, but are not names of it
    i_sorted = sorted(ctx.demonym_tokens)
    done: set[int] = set()
    for i in i_sorted:
        if i in done:
            continue
        j = i + 1
        while j in ctx.demonym_tokens:
            j += 1
        span = ctx.doc[i:j]
        country = gaz.demonym(span.text) or gaz.demonym(ctx.doc[j - 1].text)
        done.update(range(i, j))
        if country is None:
            for k in range(i, j):
                del ctx.demonym_tokens[k]
            continue
        ent = next((e for e in ctx.entities if e.type == "Country" and e.code == country.code), None)
        if ent is not None:
            ctx.add_mention(ent, span, alias=False)
        # a country known only by its demonym becomes a node only when a relation needs it
        # (DocContext.country_at): alone, "Canadian dollars" does not make an article about Canada
        for k in range(i, j):
            ctx.demonym_tokens[k] = ent.key if ent is not None else f"country:{country.code}"


def _best_full_name(c: Candidate, toks: list[str], persons: list[Candidate], cands: list[Candidate]) -> Candidate | None:
    """The full name a short form stands for. A surname beats a first name; among several people
    ("Steve" for Steve Jobs and Steve Ballmer) the one the article names most, then the nearest
    mention before it."""
    hosts = [p for p in persons if len(toks) < len(_tokens(p.span.text)) and _is_subsequence(toks, _tokens(p.span.text))]
    if not hosts:
        return None
    by_surname = [p for p in hosts if _tokens(p.span.text)[-len(toks):] == toks]
    hosts = by_surname or hosts
    if len({norm(p.span.text) for p in hosts}) == 1:
        return min(hosts, key=lambda p: abs(p.span.start - c.span.start))
    surnames = Counter(_tokens(x.span.text)[-1] for x in cands if x.type in ("Person", "Organization"))

    def rank(p: Candidate) -> tuple[int, int, int]:
        before = p.span.start < c.span.start
        return (-surnames[_tokens(p.span.text)[-1]], 0 if before else 1, abs(p.span.start - c.span.start))

    return min(hosts, key=rank)


def _group_key(c: Candidate) -> str:
    if c.type == "Country" and c.code:
        return "country:" + c.code
    return norm(c.span.text)


def _is_subsequence(short: list[str], full: list[str]) -> bool:
    n = len(short)
    return any(full[i:i + n] == short for i in range(len(full) - n + 1))


def canonical(members: list[Candidate], type_: str, gaz: Gazetteer) -> tuple[str, str | None]:
    """The entity's label: a country's gazetteer name, else the longest (then most frequent) form."""
    if type_ == "Country":
        code = next((c.code for c in members if c.code), None)
        if code:
            return gaz.countries[code].name, code
    forms = Counter(c.span.text for c in members if c.type == type_) or Counter(c.span.text for c in members)
    label = sorted(forms.items(), key=lambda kv: (-len(kv[0].split()), -kv[1], kv[0]))[0][0]
    code = next((c.code for c in members if c.code and c.type == type_), None)
    return label, code


def ensure_country(ctx: DocContext, code: str) -> str:
    """The key of the article's entity for country `code`, creating it (without a mention) if needed."""
    for e in ctx.entities:
        if e.type == "Country" and e.code == code:
            return e.key
    gaz = gazetteer()
    return ctx.add_entity("Country", gaz.countries[code].name, code=code).key
