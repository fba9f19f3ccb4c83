"""Agreement entities with kg:party, kg:signedOn and kg:signedIn, on short texts through the real pipeline."""
from __future__ import annotations

import pytest

from kg import config
from kg.extract import extract
from kg.nlp import load_pipeline
from kg.records import ArticleRecord, Document, EntityRecord


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(config.DEFAULT_MODEL)


def run(nlp, text: str, date: str | None = None) -> ArticleRecord:
    return extract(Document(id="t", text=text, date=date), nlp)


def agreements(rec: ArticleRecord) -> list[EntityRecord]:
    return [e for e in rec.entities if e.type == "Agreement"]


def facts(rec: ArticleRecord, agreement: EntityRecord) -> dict[str, set[str]]:
    """predicate -> objects (entity labels or literal values) of one agreement."""
    label = {e.key: e.label for e in rec.entities}
    out: dict[str, set[str]] = {}
    for r in rec.relations:
        if r.subject == agreement.key:
            out.setdefault(r.predicate, set()).add(label[r.object] if r.object else r.value)
    return out


def only_agreement(rec: ArticleRecord) -> dict[str, set[str]]:
    found = agreements(rec)
    assert len(found) == 1, [a.label for a in found]
    return facts(rec, found[0])


@pytest.mark.parametrize("text, parties", [
    ("Russia and North Korea signed a mutual defence treaty.", {"Russia", "North Korea"}),
    ("The treaty was signed by Vladimir Putin and Kim Jong Un.", {"Vladimir Putin", "Kim Jong Un"}),
    ("Boeing has entered into an agreement with Russian manufacturer Sukhoi.", {"Boeing", "Sukhoi"}),
    ("The deal between Aeroflot and Boeing was announced on Friday.", {"Aeroflot", "Boeing"}),
    ("Apple Computer violated an agreement reached between Apple Corps and Apple Computer in 1991.",
     {"Apple Corps", "Apple Computer"}),
    ("General Motors said it was cancelling a deal to sell Opel to Magna International.",
     {"General Motors", "Magna International"}),  # "it" is General Motors; Opel is what is sold
    ("Chrysler filed for bankruptcy, however a deal with Fiat went through.", {"Chrysler", "Fiat"}),
    ("Officials said Japan was not honoring the agreement with the United States.", {"Japan", "United States"}),
])
def test_party_forms(nlp, text: str, parties: set[str]) -> None:
    assert only_agreement(run(nlp, text))["party"] == parties


def test_the_two_countries_are_the_pair_the_article_is_about(nlp) -> None:
    rec = run(nlp, "Russia and North Korea Strengthen Ties\n\n"
                   "Russian Foreign Minister Sergei Lavrov visited North Korea. Ukraine protested. "
                   "North Korea sends shells to Russia. "
                   "Lavrov’s visit aims to reinforce the military agreement struck last year which established a deeper "
                   "strategic partnership between the two countries. "
                   "Western authorities have denounced this alliance.")
    (agreement,) = agreements(rec)
    assert facts(rec, agreement)["party"] == {"Russia", "North Korea"}
    assert "military agreement" in agreement.label
    texts = [m.text for m in agreement.mentions]
    assert "this alliance" in texts  # a later reference to the same agreement, not a new one
    assert [m.named for m in agreement.mentions] == [True, False]
    assert "signedOn" not in facts(rec, agreement)  # "last year", but the article has no date


def test_signing_date_and_place(nlp) -> None:
    got = only_agreement(run(nlp, "Russia and North Korea signed a mutual defence treaty in Pyongyang last year.",
                             date="2025-07-12"))
    assert got["signedOn"] == {"2024"} and got["signedIn"] == {"Pyongyang"}
    got = only_agreement(run(nlp, "The treaty was signed by Vladimir Putin and Kim Jong Un in Pyongyang on June 19, 2024."))
    assert got["signedOn"] == {"2024-06-19"} and got["signedIn"] == {"Pyongyang"}
    got = only_agreement(run(nlp, "Apple Computer violated an agreement reached between Apple Corps and Apple Computer in 1991."))
    assert got["signedOn"] == {"1991"}


def test_a_signing_that_has_not_happened_has_no_date(nlp) -> None:
    got = only_agreement(run(nlp, "Russia and North Korea will sign a treaty in Pyongyang next week.", date="2025-07-12"))
    assert got["party"] == {"Russia", "North Korea"}
    assert "signedOn" not in got and "signedIn" not in got


def test_mentions_of_one_agreement_are_merged_and_different_deals_kept_apart(nlp) -> None:
    rec = run(nlp, "Boeing has entered into an agreement with Russian manufacturer Sukhoi, and has reached a deal "
                   "with Unified Aircraft. The deal between Boeing and Aeroflot was revived. "
                   "Aeroflot said the deal with Boeing does not affect its plans.")
    sides = sorted(sorted(facts(rec, a)["party"]) for a in agreements(rec))
    assert sides == [["Aeroflot", "Boeing"], ["Boeing", "Sukhoi"], ["Boeing", "Unified Aircraft"]]


def test_a_settlement_after_a_lawsuit_is_between_the_litigants(nlp) -> None:
    rec = run(nlp, "IBM sued Mark Papermaster in an attempt to block him from joining Apple, but a settlement "
                   "was reached after he testified.")
    assert only_agreement(rec)["party"] == {"IBM", "Mark Papermaster"}


def test_named_agreements(nlp) -> None:
    rec = run(nlp, "The Paris Agreement was adopted in 2015.")
    assert [a.label for a in agreements(rec)] == ["Paris Agreement"]
    assert not [e for e in rec.entities if e.label == "Paris"]


@pytest.mark.parametrize("text", [
    "The airline approached Boeing regarding a potential deal.",
    "The contract may be signed on September 12.",  # no party named
    "The companies made a great deal of progress.",
    "Israeli settlement construction continued in the West Bank.",
    "History shows that alliances rarely work.",
    "Under the agreement, the airline will receive six aircraft.",  # refers to nothing found before
    "Apple said he had been ousted over various hardware issues.",
    "Russia did not sign the treaty with Ukraine.",
    "Apple had no agreement with Google.",
])
def test_no_agreement_without_a_party_or_when_only_possible(nlp, text: str) -> None:
    assert agreements(run(nlp, text)) == []


def test_the_alliance_is_not_taken_for_an_earlier_treaty(nlp) -> None:
    rec = run(nlp, "Russia and North Korea signed a treaty last year. NATO said the alliance would respond.")
    (agreement,) = agreements(rec)
    assert [m.text for m in agreement.mentions] == ["treaty"]


def test_a_new_deal_between_the_same_parties_is_another_agreement(nlp) -> None:
    rec = run(nlp, "Russia and Ukraine signed the Minsk agreement in 2015. In 2022, Russia and Ukraine discussed "
                   "a new deal between Russia and Ukraine. The deal between Russia and Ukraine was never signed.")
    found = agreements(rec)
    assert len(found) == 2
    assert [len(a.mentions) for a in found] == [1, 2]  # the last sentence is about the new deal
    assert facts(rec, found[0])["signedOn"] == {"2015"} and "signedOn" not in facts(rec, found[1])
