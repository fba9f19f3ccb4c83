"""One article's parse as plain columns: the one way kg's extraction reads a parse.

spaCy's Token objects are made anew on every access (`doc[i]`, `tok.head`, `tok.children`), and
making one costs more than most tests then done with it. So each article's parse is read once,
through `Doc.to_array`, into a `ParsedDoc`: lists indexed by token (`p.dep[i]`, `p.head[i]`,
`p.children[i]`), its sentences and its named-entity spans. Every stage gets the same object and
reads the parse through it, by token index; only the pattern matchers hand `p.doc`, the spaCy Doc,
to spaCy's own matchers.

Each column equals the spaCy attribute it is named for (tests/test_parsed_doc.py checks them all
against the Token API on real articles): `words` is `Token.text`, `lower` `lower_`, `lemma`
`lemma_.lower()` (`cased_lemma`: `lemma_`), `pos`/`tag`/`dep` `pos_`/`tag_`/`dep_`, `ent_type` and
`ent_iob` `ent_type_`/`ent_iob_`, `space` the truth of `whitespace_` (spaCy never puts a line break
there: a line break is a token of its own), `is_*`/`like_num` the lexical flags, `head` and
`children` the tree by index, `sent_start` `is_sent_start`. Methods give what spaCy derives from
these (`subtree`, `conjuncts`, `ancestors`, `root`, sentences, text).

Dependency-free within kg: it knows spaCy and nothing of kg's stages.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy
from spacy.attrs import (DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, IS_ALPHA, IS_LOWER, IS_PUNCT, IS_SPACE, IS_TITLE,
                         IS_UPPER, LEMMA, LIKE_NUM, ORTH, POS, SENT_START, SPACY, TAG)
from spacy.tokens import Doc

#: `Token.ent_iob_` by `ENT_IOB` value
IOB_STRINGS = ("", "I", "O", "B")
#: the attributes read for every article, in the order of `ParsedDoc.ids`' array; the first ones
#: are string IDs, turned into the string columns
_STRING_ATTRS = (ORTH, LEMMA, POS, TAG, DEP, ENT_TYPE)
_OTHER_ATTRS = (IDX, SPACY, HEAD, ENT_IOB, SENT_START, IS_ALPHA, IS_PUNCT, IS_TITLE, IS_UPPER, IS_LOWER, IS_SPACE,
                LIKE_NUM)
_ATTRS = _STRING_ATTRS + _OTHER_ATTRS


@dataclass(frozen=True, slots=True)
class TokenSpan:
    """Tokens start..end (end excluded) of an article, with a label (an NER label, or "")."""

    start: int
    end: int
    label: str = ""

    def __len__(self) -> int:
        return self.end - self.start

    def __contains__(self, i: object) -> bool:
        return isinstance(i, int) and self.start <= i < self.end

    def tokens(self) -> range:
        return range(self.start, self.end)


class ParsedDoc:
    """One article's text and parse, read once (see the module's docstring)."""

    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc  # for spaCy's matchers only
        self.text = text  # `doc.text`, character for character
        n = self.n = len(doc)
        array = doc.to_array(list(_ATTRS)) if n else numpy.zeros((0, len(_ATTRS)), dtype="uint64")
        self._array = array
        self._more_ids: dict[int, numpy.ndarray] = {}  # attributes read later (`ids`)
        # each distinct string ID is looked up once, and its string spread over the tokens by numpy
        ids = array[:, :len(_STRING_ATTRS)].T
        keys, where = numpy.unique(ids.ravel(), return_inverse=True)
        strings = doc.vocab.strings
        table = [strings[h] if h else "" for h in keys.tolist()]
        by_id = numpy.array(table, dtype=object)
        lower_by_id = numpy.array([s.lower() for s in table], dtype=object)
        where = where.reshape(ids.shape)
        self.words: list[str] = by_id[where[0]].tolist()
        self.lower: list[str] = lower_by_id[where[0]].tolist()
        self.cased_lemma: list[str] = by_id[where[1]].tolist()
        self.lemma: list[str] = lower_by_id[where[1]].tolist()  # in lower case
        self.pos: list[str] = by_id[where[2]].tolist()
        self.tag: list[str] = by_id[where[3]].tolist()
        self.dep: list[str] = by_id[where[4]].tolist()
        self.ent_type: list[str] = by_id[where[5]].tolist()
        other = array[:, len(_STRING_ATTRS):]
        idx, space, head, iob, sent_start, *flags = other.T
        self.idx: list[int] = idx.tolist()  # where each word starts in `text`
        self.space: list[bool] = space.astype(bool).tolist()  # followed by a space
        self.head: list[int] = (numpy.arange(n) + head.astype("int64")).tolist()
        self.ent_iob: list[str] = [IOB_STRINGS[k] for k in iob.tolist()]
        self.sent_start: list[bool] = (sent_start == 1).tolist()
        is_alpha, is_punct, is_title, is_upper, is_lower, is_space, like_num = (f.astype(bool).tolist() for f in flags)
        self.is_alpha: list[bool] = is_alpha
        self.is_punct: list[bool] = is_punct
        self.is_title: list[bool] = is_title
        self.is_upper: list[bool] = is_upper
        self.is_lower: list[bool] = is_lower
        self.is_space: list[bool] = is_space
        self.like_num: list[bool] = like_num
        self.children: list[list[int]] = [[] for _ in range(n)]  # in text order
        for i, h in enumerate(self.head):
            if h != i:
                self.children[h].append(i)
        starts = [0] + [i for i in range(1, n) if self.sent_start[i]] if n else []
        #: each sentence as (start, end), as `Doc.sents` gives them
        self.sents: list[tuple[int, int]] = list(zip(starts, starts[1:] + [n]))
        self._sent_starts = starts
        #: the named-entity spans (`Doc.ents`), with their labels
        self.ents: list[TokenSpan] = [TokenSpan(e.start, e.end, strings[e.label]) for e in doc.ents]

    # -- the text -------------------------------------------------------------------------------
    def text_of(self, start: int, end: int) -> str:
        """The text of tokens start..end (`doc[start:end].text`)."""
        if end <= start:
            return ""
        return self.text[self.idx[start]:self.idx[end - 1] + len(self.words[end - 1])]

    def span_text(self, span: TokenSpan) -> str:
        return self.text_of(span.start, span.end)

    def start_char(self, i: int) -> int:
        return self.idx[i]

    def end_char(self, i: int) -> int:
        """Where token i's text ends."""
        return self.idx[i] + len(self.words[i])

    # -- the tree -------------------------------------------------------------------------------
    def ancestors(self, i: int) -> Iterator[int]:
        """Token i's head, its head's head, ... up to the sentence root (`Token.ancestors`)."""
        head = self.head
        while head[i] != i:
            i = head[i]
            yield i

    def is_under(self, i: int, top: int) -> bool:
        """Whether token i is `top` or one of its descendants."""
        head = self.head
        while i != top:
            if head[i] == i:
                return False
            i = head[i]
        return True

    def subtree(self, i: int) -> list[int]:
        """Token i and its descendants in spaCy's order (`Token.subtree`: each word's left
        children's subtrees, the word, its right children's subtrees)."""
        out: list[int] = []
        children = self.children

        def visit(j: int) -> None:
            kids = children[j]
            for c in kids:
                if c < j:
                    visit(c)
            out.append(j)
            for c in kids:
                if c > j:
                    visit(c)

        visit(i)
        return out

    def conjuncts(self, i: int) -> list[int]:
        """The tokens coordinated with token i, without i (`Token.conjuncts`): from the first
        conjunct, each "conj" child to the right, breadth first."""
        start = i
        while self.head[start] != start and self.dep[start] == "conj":
            start = self.head[start]
        out = [start]
        for word in out:  # (the list grows while it is read)
            out += [c for c in self.children[word] if c > word and self.dep[c] == "conj"]
        return [w for w in out if w != i]

    def root(self, start: int, end: int) -> int:
        """The token of start..end nearest the sentence root (`Span.root`): a sentence root in
        the span, else the word with the fewest steps to the root among those whose head is
        outside (a childless space or punctuation word counts as far; the first wins ties)."""
        head = self.head
        for i in range(start, end):
            if head[i] == i:
                return i
        best, root = self.n, -1
        for i in range(start, end):
            if start <= head[i] < end:
                continue
            if (self.is_space[i] or self.is_punct[i]) and not self.children[i]:
                steps = self.n - 1
            else:
                steps = sum(1 for _ in self.ancestors(i))
            if steps < best:
                best, root = steps, i
        return start if root == -1 else root

    # -- sentences ------------------------------------------------------------------------------
    def sent_index(self, i: int) -> int:
        """The index (in `sents`) of the sentence holding token i."""
        return max(0, bisect_right(self._sent_starts, i) - 1)

    def sent_of(self, i: int) -> tuple[int, int]:
        """(start, end) of the sentence holding token i."""
        return self.sents[self.sent_index(i)]

    def sentence_text(self, index: int) -> str:
        """A sentence's text without surrounding whitespace ("" for no such sentence)."""
        if not 0 <= index < len(self.sents):
            return ""
        return self.text_of(*self.sents[index]).strip()

    # -- words ----------------------------------------------------------------------------------
    @cached_property
    def word_set(self) -> frozenset[str]:
        """The words and lemmas of the whole article, in lower case: a pattern that needs a word
        the article lacks cannot match anywhere in it."""
        return frozenset(self.lower + self.lemma)

    @cached_property
    def sentence_words(self) -> list[frozenset[str]]:
        """The words and lemmas of each sentence (as `sents`), in lower case."""
        return [frozenset(self.lower[s:e] + self.lemma[s:e]) for s, e in self.sents]

    def positions(self, words: frozenset[str] | set[str]) -> list[int]:
        """The tokens whose lower-case text is one of `words`, in text order."""
        if words.isdisjoint(self.word_set):
            return []
        return [i for i, word in enumerate(self.lower) if word in words]

    @cached_property
    def lowercase_words(self) -> frozenset[str]:
        """The words the article writes in lower case (letters only) somewhere."""
        return frozenset(w for w, low, alpha in zip(self.words, self.is_lower, self.is_alpha) if low and alpha)

    # -- string IDs, for spaCy's matchers ------------------------------------------------------------
    def ids(self, attr: int) -> numpy.ndarray:
        """Each token's `attr` as spaCy stores it (string IDs for ORTH, LEMMA, POS, ...), for the
        pattern matchers, which compare IDs; read once per article and attribute."""
        if attr in _ATTRS:
            return self._array[:, _ATTRS.index(attr)]
        column = self._more_ids.get(attr)
        if column is None:
            column = self._more_ids[attr] = self.doc.to_array(attr) if self.n else numpy.zeros(0, dtype="uint64")
        return column
