"""Job titles: holdsRole and affiliatedWith from the forms news uses (and negatives)."""
from __future__ import annotations

import pytest

from kg import config
from kg.extract import extract
from kg.nlp import load_pipeline
from kg.records import Document


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(config.DEFAULT_MODEL)


def roles(nlp, text: str) -> set[tuple[str, str, str]]:
    rec = extract(Document(id="t", text=text), nlp)
    out = set()
    for r in rec.relations:
        if r.predicate == "holdsRole":
            out.add((rec.entity(r.subject).label, "role", r.value))
        elif r.predicate == "affiliatedWith":
            out.add((rec.entity(r.subject).label, "aff", rec.entity(r.object).label))
    return out


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Russian Foreign Minister Sergei Lavrov arrived.", {("Sergei Lavrov", "role", "Foreign Minister"),
                                                          ("Sergei Lavrov", "aff", "Russia")}),
        ("U.S. Secretary of State Marco Rubio spoke.", {("Marco Rubio", "role", "Secretary of State"),
                                                       ("Marco Rubio", "aff", "United States")}),
        ("Slovak Prime Minister Robert Fico arrived.", {("Robert Fico", "role", "Prime Minister"),
                                                       ("Robert Fico", "aff", "Slovakia")}),
        ("Kaja Kallas, the EU's foreign policy chief, spoke.", {("Kaja Kallas", "role", "foreign policy chief"),
                                                               ("Kaja Kallas", "aff", "EU")}),
        ("Central Bank chairman Sergei Ignatiev announced cuts.", {("Sergei Ignatiev", "role", "chairman"),
                                                                  ("Sergei Ignatiev", "aff", "Central Bank")}),
        ('"It went well," said Jacob Oubina, the currency strategist of Forex.com.',
         {("Jacob Oubina", "role", "currency strategist")}),
        ("GM cut jobs. According to the company's vice president John Smith, costs fell.",
         {("John Smith", "role", "vice president"), ("John Smith", "aff", "GM")}),
    ],
)
def test_title_forms(nlp, text: str, expected: set) -> None:
    assert expected <= roles(nlp, text)


def test_counterpart_takes_the_other_side_title(nlp) -> None:
    got = roles(nlp, "Russian Foreign Minister Sergei Lavrov met his North Korean counterpart Choe Son Hui.")
    assert ("Choe Son Hui", "role", "Foreign Minister") in got and ("Choe Son Hui", "aff", "North Korea") in got


@pytest.mark.parametrize(
    "text",
    [
        "General Motors cut 10,000 jobs in Europe.",  # "General" is part of a company name
        "The minister said nothing.",  # a title without a name
        "Lead manager Hambros Bank Ltd said the bond was priced at par.",  # a company after a title
    ],
)
def test_no_person_role_without_a_named_person(nlp, text: str) -> None:
    assert not any(kind == "role" for _, kind, _ in roles(nlp, text))


def test_firm_after_a_title_is_not_a_person(nlp) -> None:
    rec = extract(Document(id="t", text="Acme Corp is raising 500 mln dlrs via notes, said lead manager "
                                        "Halsey Stuart Captial Markets."), nlp)
    types = {e.label: e.type for e in rec.entities}
    assert types.get("Halsey Stuart Captial Markets") == "Organization"  # "Markets" heads a firm's name


def test_titles_are_tokenised_as_spacys_english_tokenizer_does() -> None:
    """The title matcher's tokenizer keeps only the exceptions that can apply: same tokens."""
    import spacy

    from kg.extract.roles import title_tokenizer
    from kg.gazetteer import gazetteer

    titles = [*gazetteer().roles, "vice-president", "co-founder and ceo", "u.s. attorney gen.", "ex-minister (acting)",
              "sen. o'neill's aide", "dr. who's who", "n.y.c. police commissioner", "it's 5 p.m."]
    full, ours = spacy.blank("en").tokenizer, title_tokenizer(titles)
    assert [[t.text for t in ours(title)] for title in titles] == [[t.text for t in full(title)] for title in titles]
    assert [t.text for t in ours("it's 5 p.m.")] == ["it", "'s", "5", "p.m."]  # the exceptions that apply are kept
