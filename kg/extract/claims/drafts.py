"""Claims under construction: the cue, the content tokens and the phrases naming who made it.

Forms read: a reporting verb with a clause ("Kudrin announced that ..."), beside a quotation
("'...,' Medvedev said"), with "describe Y as Z" or "estimate Y to be Z", or under "as X points
out"; "X's claim that ...", "X's description of Y as Z"; "according to X, ..."; a hedge adverb
("North Korea is reportedly supplying ..."); a quotation continuing the previous speaker's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.claims.reader import CLAIMANT_TYPES, Reader
from kg.extract.claims.text import has_word
from kg.extract.reference import realized
from kg.records import EntityRecord

#: the dependencies of a noun or adjective ("the report", "a noted author"), not a reporting verb
NOMINAL_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "compound", "amod", "appos", "poss", "npadvmod"}
#: children that make such a word a verb after all
VERBAL_CHILD_DEPS = {"nsubj", "nsubjpass", "ccomp", "prt", "aux", "auxpass", "mark", "neg"}
CONTINUED_QUOTE_CUE = "continued quotation"
Structure = tuple[str, dict[str, int]]  # a structure pattern's name and roles


@dataclass
class Draft:
    """A claim before its claimant is resolved: the cue, the content tokens and who made it."""

    cue: int
    cue_text: str
    content: set[int]
    agents: list[int] = field(default_factory=list)  # noun-phrase heads naming the claimant
    fallback_agents: list[int] = field(default_factory=list)  # "according to X" when the subject is unnamed
    entities: list[EntityRecord] = field(default_factory=list)  # claimants already known
    quoted: bool = False  # the content is (or holds) a direct quotation
    topics: list[int] = field(default_factory=list)  # tokens whose referent the claim is about (describe Y as)


def is_source(r: Reader, i: int) -> bool:
    """Whether a subject can be the source of a report (for weak verbs like "suggest")."""
    ent = r.entity(i)
    if ent is not None:
        return ent.type in CLAIMANT_TYPES
    p = r.p
    if p.pos[i] == "PRON":
        return p.lower[i] in r.gaz.words.person_pronouns or p.lower[i] in ("they", "we", "i")
    lemma = p.lemma[i]
    return lemma in r.words("source_nouns") or lemma in r.gaz.role_heads or lemma in r.gaz.org_heads \
        or any(p.dep[c] == "appos" and r.entity(c) is not None for c in p.children[i])


def verb_claim(r: Reader, cue: int, structures: list[Structure]) -> Draft | None:
    """The claim a reporting verb makes: its content (a clause, a "describe Y as Z", an "estimate Y
    to be Z", the clause an "as X points out" hangs on, or the quotations beside it) and its
    speakers; None when it reports nothing, did not happen, or is not a report at all."""
    p = r.p
    dep, lower = p.dep, p.lower
    flags = r.lex.verb_flags(p, cue)
    if flags is None or r.quotes.inside(cue) or not realized(r.ctx, cue, r.lex.words, report=True):
        return None
    if dep[cue] == "pcomp" and lower[p.head[cue]] == "as":  # "quoted X as saying": the governing verb reports
        return None
    if dep[cue] in NOMINAL_DEPS and not any(dep[c] in VERBAL_CHILD_DEPS for c in p.children[cue]):
        return None  # a noun or adjective ("the report", "a noted author")
    found = {name: roles for name, roles in reversed(structures)}
    content: set[int] = set()
    topics: list[int] = []
    if "clause" in flags and "clause" in found:
        content = r.subtree(found["clause"]["content"])
    elif "clause" in flags and "statement_clause" in found:  # "said in a statement that ..."
        content = r.subtree(found["statement_clause"]["content"])
    elif "as" in flags and "describe_as" in found:
        obj, as_ = found["describe_as"]["object"], found["describe_as"]["as"]
        content = r.subtree(obj) | r.subtree(as_)
        topics.append(obj)
    elif "ecm" in flags and "ecm" in found:  # "estimates the deal to be worth", "is said to be"
        xcomp = found["ecm"]["content"]
        objs = [c for c in p.children[cue] if dep[c] in ("dobj", "nsubjpass")]
        if dep[cue] == "relcl" and any(lower[t] in ("which", "that") and dep[t] in ("dobj", "nsubjpass")
                                       for t in r.subtree(xcomp)):  # "VSMPO, which Boeing estimates to be"
            content = (r.subtree(p.head[cue]) - r.subtree(cue)) | r.subtree(xcomp)
        elif objs:
            content = r.subtree(objs[0]) | r.subtree(xcomp)
    elif "clause" in flags and "as_clause" in found:  # "As X points out, CLAUSE"
        content = r.subtree(found["as_clause"]["content"]) - r.subtree(cue)
    if "speaker" in flags and "speaker_object" in found:
        agents = [found["speaker_object"]["speaker"]]
    else:
        agents = subjects(r, cue)
    if any(a in content for a in agents):  # the parser hung the subject inside the "clause"
        content = set()
    quoted = False
    if "quote" in flags and (not content or not r.quotes.quoted.isdisjoint(content)):
        for q in r.quotes.beside(cue, r.subtree(cue)):
            content |= set(q.inner())
            quoted = True
    if content:
        content, extended = r.quotes.extend(content)
        quoted = quoted or extended
    content = {j for j in content if j != cue and not p.is_space[j]}
    if not has_word(p, content):
        return None
    cue_text = " ".join([lower[cue]] + [lower[c] for c in p.children[cue] if dep[c] == "prt"])  # "point out"
    if "weak" in flags and not any(is_source(r, t) for t in agents):
        return None
    if agents and all(lower[a] in r.gaz.words.first_second_person for a in agents):
        return None  # "I believe ..." in a quotation the text does not mark: the speaker's tag reports it
    return Draft(cue, cue_text, content, agents=agents, quoted=quoted, topics=topics)


def subjects(r: Reader, verb: int, depth: int = 0) -> list[int]:
    """The noun-phrase heads that say `verb`: its subject (or passive agent), coordinated subjects,
    or the subject of the clause it hangs on ("..., describing ...", "and described ...")."""
    p = r.p
    dep, kids = p.dep, p.children
    heads: list[int] = []
    agents: list[int] = []
    passive = False
    for c in kids[verb]:
        if dep[c] in ("nsubj", "csubj"):
            heads.append(c)
        elif dep[c] == "agent":
            agents.append(c)
        elif dep[c] in ("nsubjpass", "expl"):
            passive = True
    heads += [o for c in agents for o in kids[c] if dep[o] == "pobj"]
    if passive and not heads:
        if 0 < depth < 3 and dep[verb] in ("ccomp", "advcl", "conj", "xcomp"):
            # "X stated that there was ..., saying ...": the participle belongs to the reporter
            return subjects(r, p.head[verb], depth + 1)
        return []  # "It has been reported that ...": no named source
    if len(heads) > 1:  # "the Iranian news agency IRNA said": two heads for one phrase, keep the name
        named = [h for h in heads if r.entity(h) is not None]
        if named and not any(h2 in p.conjuncts(h) for h in heads for h2 in heads):
            heads = named
    if heads:
        out: list[int] = []
        for h in heads:
            for t in sorted([h, *p.conjuncts(h)]):
                if t not in out:
                    out.append(t)
        return out
    if depth < 3 and dep[verb] in ("conj", "advcl", "xcomp") and p.head[verb] != verb:
        return subjects(r, p.head[verb], depth + 1)
    if depth > 0:
        return []
    finite = p.tag[verb] in ("VBD", "VBZ", "VBP")
    if finite and dep[verb] not in ("relcl", "acl", "amod"):
        j = verb - 1  # "..., Boeing Executive Vice President Scott Carson replied": a name right before
        while j >= 0 and dep[j] == "advmod" and p.pos[j] == "ADV":
            j -= 1
        ent = r.entity(j) if j >= 0 else None
        if ent is not None and ent.type in CLAIMANT_TYPES and not r.quotes.inside(j):
            return [j]
    if finite and dep[verb] in ("ROOT", "parataxis"):
        # a subject the parser hung elsewhere ("A statement on Apple's website, ..., states: ...")
        start, _ = p.sent_of(verb)
        for t in range(start, verb):
            if dep[t] == "nsubj" and not r.quotes.inside(t) and p.head[t] < verb:
                return [t]
    return []


def nominal_claim(r: Reader, name: str, roles: dict[str, int]) -> Draft | None:
    """ "X's claim that CLAUSE", "X's description of Y as Z"."""
    cue = roles["cue"]
    if r.quotes.inside(cue):
        return None
    if name == "nominal_that":
        content = r.subtree(roles["content"])
        topics: list[int] = []
    else:
        content = r.subtree(roles["object"]) | r.subtree(roles["as"])
        topics = [roles["object"]]
    content, quoted = r.quotes.extend(content)
    if not has_word(r.p, content):
        return None
    return Draft(cue, r.p.lower[cue], content, agents=[roles["source"]], quoted=quoted, topics=topics)


def according_to(r: Reader, roles: dict[str, int], drafts: list[Draft]) -> None:
    """ "According to X, CLAUSE": X is the claimant (of a reporting verb's claim when its subject
    is unnamed, else of a claim of its own)."""
    p = r.p
    cue, source = roles["cue"], roles["source"]
    if r.quotes.inside(cue):
        return
    head = p.head[cue]
    while p.pos[head] not in ("VERB", "AUX") and p.head[head] != head:
        head = p.head[head]
    if head == cue:
        return
    for d in drafts:
        if d.cue == head:
            d.fallback_agents.append(source)
            return
    content, quoted = r.quotes.extend(r.subtree(head) - r.subtree(cue))
    content = {i for i in content if not p.is_space[i]}
    if has_word(p, content):
        drafts.append(Draft(cue, "according to", content, agents=[source], quoted=quoted))


def hedged_claim(r: Reader, cue: int, drafts: list[Draft]) -> Draft | None:
    """ "North Korea is reportedly supplying ...": a claim without a named source."""
    p = r.p
    if r.quotes.inside(cue):
        return None
    head = p.head[cue]
    if head == cue or any(head in d.content for d in drafts):
        return None
    content = {i for i in r.subtree(head) if not p.is_space[i]}
    if not has_word(p, content):
        return None
    return Draft(cue, p.lower[cue], content)


def continued_quotes(r: Reader, drafts: list[Draft]) -> list[Draft]:
    """A quotation that opens the sentence after a quoted claim and has no speaker of its own
    ("'...,' Medvedev said. 'The market should be given ...'") continues that speaker's claim."""
    p = r.p
    used = set().union(*(d.content for d in drafts)) if drafts else set()
    out: list[Draft] = []
    quoted = [d for d in drafts if d.quoted]
    for q in r.quotes.all:
        inner = set(q.inner())
        if inner & used or not r.quotes.is_statement(q):
            continue
        if not (p.sent_start[q.open] or (q.open + 1 < p.n and p.sent_start[q.open + 1])):
            continue
        here = p.sent_index(q.open + 1)
        prev = [d for d in quoted if p.sent_index(d.cue) == here - 1 and max(d.content) < q.open]
        if not prev:
            continue
        last = prev[-1]
        out.append(Draft(q.open + 1, CONTINUED_QUOTE_CUE, inner, agents=list(last.agents),
                         fallback_agents=list(last.fallback_agents), quoted=True))
        quoted.append(out[-1])  # a third quoted sentence continues the same claim again
        used |= inner
    return out
