"""Resolution across articles (kg.resolve), on hand-made records: which mentions become one node.

Each test builds the records a few short reports would give and checks the nodes a user would
see: one node per real person, place, organisation and agreement, the other spellings kept as
alternative labels, and no merge of two people who only share a surname.
"""
from __future__ import annotations

import random

import pytest

from kg.records import ArticleRecord, Document, EntityRecord, Mention, RelationRecord
from kg.resolve import Resolution, resolve
from kg.resolve.names import fold, same_name, spelled, words

BASE = "https://example.org/kg/"


def article(doc_id: str, *entities: tuple, relations: tuple = (), date: str | None = "2025-07-12") -> ArticleRecord:
    """A record: entities as (type, label[, aliases[, code]]), relations as (subject label,
    predicate, object label or literal)."""
    ents = []
    for n, spec in enumerate(entities):
        type_, label = spec[0], spec[1]
        aliases = list(spec[2]) if len(spec) > 2 else []
        code = spec[3] if len(spec) > 3 else None
        ents.append(EntityRecord(key=f"e{n}", type=type_, label=label, aliases=aliases, code=code,
                                 mentions=[Mention(label, 0, len(label), 0)]))
    by_label = {e.label: e.key for e in ents}
    rels = []
    for subject, predicate, obj in relations:
        if obj in by_label and predicate not in ("holdsRole", "signedOn"):
            rels.append(RelationRecord(by_label[subject], predicate, object=by_label[obj], sent=0))
        else:
            rels.append(RelationRecord(by_label[subject], predicate, value=obj, sent=0))
    return ArticleRecord(Document(doc_id, "", date=date), ["A sentence."], ents, rels)


def node(res: Resolution, rec: ArticleRecord, label: str) -> str | None:
    """The node the entity `label` of `rec` became."""
    return res.iri(rec.doc.id, next(e.key for e in rec.entities if e.label == label))


def build(*records: ArticleRecord, link=None) -> Resolution:
    return resolve(list(records), BASE, link=link)


def nodes_of_type(res: Resolution, type_: str) -> list[str]:
    return sorted(e.label for e in res.entities.values() if e.type == type_)


# -- names -------------------------------------------------------------------------------------
def test_names_fold_accents_dashes_and_case():
    assert fold("Recep Tayyip Erdoğan") == fold("recep tayyip erdogan")
    assert words("Kim Jong-un") == words("Kim Jong Un") == ("kim", "jong", "un")
    assert fold("Lars Løkke Rasmussen") == "lars lokke rasmussen"


def test_transliteration_variants_are_one_spelling():
    assert spelled("sergey") == spelled("sergei")
    assert spelled("zelensky") == spelled("zelenskyy") == spelled("zelenskiy")
    assert spelled("andrey") == spelled("andrei")
    assert same_name(words("Aleksandr Novak"), words("Alexander Novak"))


def test_given_names_that_differ_are_never_one_name():
    assert not same_name(words("Kim Jong Un"), words("Kim Jong Il"))
    assert not same_name(words("Kim Jong Un"), words("Kim Yo Jong"))
    assert not same_name(words("Alexandra Smith"), words("Alexandre Smith"))


# -- people --------------------------------------------------------------------------------------
def test_spelling_variants_of_a_person_are_one_node_with_the_other_spellings_as_alt_labels():
    res = build(
        article("a1", ("Person", "Sergey Lavrov", ["Lavrov"]), ("Person", "Volodymyr Zelensky"), ("Person", "Andrei Rudenko")),
        article("a2", ("Person", "Sergei Lavrov"), ("Person", "Volodymyr Zelenskyy"), ("Person", "Andrey Rudenko")),
        article("a3", ("Person", "Sergei Lavrov"), ("Person", "Volodymyr Zelenskiy")),
    )
    people = {e.label: e for e in res.entities.values() if e.type == "Person"}
    assert len(people) == 3
    assert people["Sergei Lavrov"].alt_labels == ["Lavrov", "Sergey Lavrov"]  # the label most mentioned
    assert people["Sergei Lavrov"].articles == ["a1", "a2", "a3"]
    assert people["Sergei Lavrov"].iri == BASE + "person/sergei-lavrov"
    zelensky = {"Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy"}
    rudenko = {"Andrei Rudenko", "Andrey Rudenko"}
    for names in (zelensky, rudenko):
        (one,) = [e for e in people.values() if e.label in names]  # one label, the others alternatives
        assert {one.label, *one.alt_labels} == names


def test_hyphens_spacing_and_accents_do_not_split_a_person():
    res = build(
        article("a1", ("Person", "Kim Jong Un"), ("Person", "Recep Tayyip Erdoğan")),
        article("a2", ("Person", "Kim Jong-un"), ("Person", "Recep Tayyip Erdogan")),
        article("a3", ("Person", "Kim Jongun")),
    )
    assert nodes_of_type(res, "Person") == ["Kim Jong Un", "Recep Tayyip Erdoğan"]


def test_people_who_share_a_surname_stay_apart():
    res = build(
        article("a1", ("Person", "Kim Jong Un"), ("Person", "Kim Yo Jong")),
        article("a2", ("Person", "Kim Jong Il"), ("Person", "Kim")),
        article("a3", ("Person", "Kim Jong")),  # a shortened name that fits two people: left alone
    )
    assert nodes_of_type(res, "Person") == ["Kim", "Kim Jong", "Kim Jong Il", "Kim Jong Un", "Kim Yo Jong"]


def test_one_name_in_two_countries_is_two_people():
    a1, a2, a3 = (
        article(doc, ("Person", name), ("Country", country, [], code), relations=((name, "affiliatedWith", country),))
        for doc, name, country, code in (("a1", "Kim Min-jae", "South Korea", "KR"), ("a2", "Kim Min Jae", "North Korea", "KP"),
                                         ("a3", "Kim Min-jae", "South Korea", "KR")))
    res = build(a1, a2, a3)
    assert node(res, a1, "Kim Min-jae") == node(res, a3, "Kim Min-jae") != node(res, a2, "Kim Min Jae")
    assert len({e.iri for e in res.entities.values() if e.type == "Person"}) == 2


def test_a_surname_alone_joins_the_one_person_of_that_name_when_roles_agree():
    a1 = article("a1", ("Person", "Sergei Lavrov"), ("Person", "John Smith"),
                 relations=(("Sergei Lavrov", "holdsRole", "Foreign Minister"), ("John Smith", "holdsRole", "vice president")))
    a2 = article("a2", ("Person", "Lavrov"), ("Person", "Smith"),
                 relations=(("Lavrov", "holdsRole", "Russian Foreign Minister"), ("Smith", "holdsRole", "goalkeeper")))
    res = build(a1, a2)
    assert node(res, a2, "Lavrov") == node(res, a1, "Sergei Lavrov")
    assert node(res, a2, "Smith") != node(res, a1, "John Smith")


def test_a_shortened_name_joins_the_one_full_name():
    res = build(article("a1", ("Person", "Choe Son Hui")), article("a2", ("Person", "Choe Son")),
                article("a3", ("Person", "Rafael Mariano Grossi")), article("a4", ("Person", "Rafael Grossi")))
    assert nodes_of_type(res, "Person") == ["Choe Son Hui", "Rafael Mariano Grossi"]


def test_a_person_and_a_country_of_one_name_stay_apart():
    res = build(article("a1", ("Person", "Jordan")), article("a2", ("Country", "Jordan", [], "JO")))
    assert sorted((e.type, e.label) for e in res.entities.values()) == [("Country", "Jordan"), ("Person", "Jordan")]


# -- places, countries, organisations --------------------------------------------------------------
def test_a_place_named_like_a_country_is_the_country():
    res = build(article("a1", ("Country", "Tuvalu", [], "TV"), ("Place", "Tuvalu")),
                article("a2", ("Place", "Paraguay")), article("a3", ("Country", "Paraguay", [], "PY")))
    assert sorted((e.type, e.label) for e in res.entities.values()) == [("Country", "Paraguay"), ("Country", "Tuvalu")]


def test_places_of_one_name_in_two_countries_stay_apart():
    res = build(article("a1", ("Place", "Paris", [], "FR")), article("a2", ("Place", "Paris", [], "US")),
                article("a3", ("Place", "PARIS", ["Paris"], "FR")))
    paris = sorted((e.label, e.code, len(e.articles)) for e in res.entities.values())
    assert paris == [("Paris", "FR", 2), ("Paris", "US", 1)]


def test_acronyms_and_company_forms_join_their_organisation():
    res = build(
        article("a1", ("Organization", "International Atomic Energy Agency"), ("Organization", "European Union"),
                ("Organization", "Apple Inc.", ["Apple"])),
        article("a2", ("Organization", "IAEA"), ("Organization", "EU"), ("Organization", "EU Council", ["EU"]),
                ("Organization", "Apple")),
        article("a3", ("Organization", "U.N."), ("Organization", "United Nations"), ("Organization", "Apple Corps")),
    )
    orgs = {e.label: sorted(e.alt_labels) for e in res.entities.values()}
    assert orgs == {
        "International Atomic Energy Agency": ["IAEA"], "European Union": ["EU"], "EU Council": ["EU"],
        "Apple Inc.": ["Apple"], "United Nations": ["U.N."], "Apple Corps": [],
    }


# -- agreements ----------------------------------------------------------------------------------
def test_a_named_agreement_in_any_case_and_word_order_is_one_node_without_an_article_id():
    res = build(
        article("a1", ("Agreement", "Treaty on Comprehensive Strategic Partnership"), ("Country", "Russia", [], "RU")),
        article("a2", ("Agreement", "Comprehensive Strategic Partnership Treaty")),
        article("a3", ("Agreement", "comprehensive strategic partnership treaty between Russia and North Korea",
                       ["comprehensive strategic partnership treaty"]),
                ("Country", "Russia", [], "RU"), ("Country", "North Korea", [], "KP"),
                relations=(("comprehensive strategic partnership treaty between Russia and North Korea", "party", "Russia"),)),
    )
    treaties = [e for e in res.entities.values() if e.type == "Agreement"]
    assert len(treaties) == 1
    assert treaties[0].label == "Treaty on Comprehensive Strategic Partnership"  # a name, the fullest
    assert treaties[0].iri == BASE + "agreement/treaty-on-comprehensive-strategic-partnership"
    assert set(treaties[0].alt_labels) == {"Comprehensive Strategic Partnership Treaty", "comprehensive strategic partnership treaty",
                                           "comprehensive strategic partnership treaty between Russia and North Korea"}
    assert treaties[0].articles == ["a1", "a2", "a3"]


def _deal(doc_id: str, label: str, date: str | None, signed: str | None = None, parties=("Russia", "North Korea")):
    rels = [(label, "party", p) for p in parties] + ([(label, "signedOn", signed)] if signed else [])
    return article(doc_id, ("Agreement", label), ("Country", "Russia", [], "RU"), ("Country", "North Korea", [], "KP"),
                   ("Country", "China", [], "CN"), relations=tuple(rels), date=date)


def test_unnamed_agreements_of_one_kind_parties_and_weeks_are_one_node():
    res = build(
        _deal("a1", "tourism agreement between Russia and North Korea", "2025-07-13", signed="2025-07-13"),
        _deal("a2", "tourism deal between Russia and North Korea", "2025-07-14"),
        _deal("a3", "agreement between Russia and North Korea", "2025-08-01"),  # chained: 18 days later
    )
    deals = [e for e in res.entities.values() if e.type == "Agreement"]
    assert len(deals) == 1 and sorted(deals[0].articles) == ["a1", "a2", "a3"]
    assert deals[0].iri == BASE + "agreement/tourism-agreement-between-russia-and-north-korea"


def test_unnamed_agreements_apart_in_time_topic_kind_or_parties_stay_apart():
    res = build(
        _deal("a1", "tourism agreement between Russia and North Korea", "2025-07-13"),
        _deal("a2", "tourism agreement between Russia and North Korea", "2025-12-01"),  # months later
        _deal("a3", "military agreement between Russia and North Korea", "2025-07-13"),  # another topic
        _deal("a4", "treaty between Russia and North Korea", "2025-07-13"),  # another kind
        _deal("a5", "tourism agreement between Russia and China", "2025-07-13", parties=("Russia", "China")),
    )
    deals = sorted(e.iri for e in res.entities.values() if e.type == "Agreement")
    assert len(deals) == 5
    assert all(iri.startswith(BASE + "agreement/a") for iri in deals)  # each in one article: its id in the IRI


def test_an_agreement_signed_last_year_joins_the_one_signed_then():
    res = build(
        _deal("a1", "military agreement between Russia and North Korea", "2024-06-20", signed="2024-06-19"),
        _deal("a2", "military agreement between Russia and North Korea", "2025-07-11", signed="2024"),
    )
    assert len([e for e in res.entities.values() if e.type == "Agreement"]) == 1


# -- links and determinism ------------------------------------------------------------------------
WD = "http://www.wikidata.org/entity/"


def test_a_wikidata_link_decides_a_merge_both_ways():
    qids = {"Volodymyr Zelensky": "Q3874799", "Vladimir Zelensky": "Q3874799",
            "Sergey Lavrov": "Q83300", "Sergei Lavrov": "Q11111111"}

    def link(nodes: Resolution) -> None:
        for ent in nodes.entities.values():
            if ent.label in qids:
                ent.links = [(WD + qids[ent.label], 0.9, "test")]

    res = build(article("a1", ("Person", "Volodymyr Zelensky"), ("Person", "Sergey Lavrov")),
                article("a2", ("Person", "Vladimir Zelensky"), ("Person", "Sergei Lavrov")), link=link)
    people = [({e.label, *e.alt_labels}, [t for t, _, _ in e.links]) for e in res.entities.values()]
    assert sorted(people, key=str) == sorted([
        ({"Sergei Lavrov"}, [WD + "Q11111111"]), ({"Sergey Lavrov"}, [WD + "Q83300"]),  # same name, two items: two people
        ({"Volodymyr Zelensky", "Vladimir Zelensky"}, [WD + "Q3874799"]),  # two names, one item: one person
    ], key=str)


def test_the_same_records_in_any_order_give_the_same_nodes():
    records = [
        article("a1", ("Person", "Sergey Lavrov"), ("Person", "Kim Jong Un"), ("Organization", "IAEA")),
        article("a2", ("Person", "Sergei Lavrov"), ("Person", "Kim Jong-un"), ("Person", "Lavrov")),
        article("a3", ("Person", "Sergei Lavrov"), ("Organization", "International Atomic Energy Agency")),
        _deal("a4", "tourism agreement between Russia and North Korea", "2025-07-13"),
        _deal("a5", "tourism agreement between Russia and North Korea", "2025-07-14"),
    ]
    first = build(*records)
    for seed in range(5):
        shuffled = list(records)
        random.Random(seed).shuffle(shuffled)
        again = build(*shuffled)
        assert again.node_of == first.node_of
        assert again.entities == first.entities


@pytest.mark.parametrize("label", ["", "—"])
def test_a_unit_without_a_name_is_a_node_of_its_own(label):
    res = build(article("a1", ("Person", label)), article("a2", ("Person", label)))
    assert len(res.entities) == 2
