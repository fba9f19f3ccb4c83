"""The Wikidata clients against a local server in Wikidata's JSON formats that misbehaves on cue:
429 with Retry-After, 503, a 200 that is not JSON / not SPARQL results, and the 50-id limit."""
from __future__ import annotations

import pytest

from kg.errors import LinkError
from kg.link.cache import AnswerCache
from kg.link.http import Polite, retry_after
from kg.link.settings import LinkSettings
from kg.link.wikidata import ApiSource, SparqlSource

from link_fixtures import FakeWikidataAPI, free_port

HTML = (200, {"Content-Type": "text/html"}, b"<html><body>Please set a user-agent</body></html>")


@pytest.fixture(scope="module")
def server():
    s = FakeWikidataAPI()
    yield s
    s.stop()


@pytest.fixture
def fake(server):
    server.faults.clear()
    server.log.clear()
    return server


def clients(fake, **kw):
    waits: list[float] = []
    settings = LinkSettings(api=fake.url, endpoint=fake.sparql_url, cache_dir=None, sleep=waits.append, **kw)
    polite = Polite(settings)
    cache = AnswerCache(None)
    return ApiSource(settings, polite, cache), SparqlSource(settings, polite, cache), polite, waits


def test_search_answers_in_wbsearchentities_format(fake):
    api, _sparql, _p, _w = clients(fake)
    hits = api.search("Georgia")
    assert [h["id"] for h in hits][:2] == ["Q230", "Q1428"]
    req = fake.requests("wbsearchentities")[0]["params"]
    assert req["search"] == "Georgia" and req["type"] == "item" and req["format"] == "json"


def test_429_waits_for_retry_after_then_succeeds(fake):
    api, _sparql, polite, waits = clients(fake)
    fake.faults.append((429, {"Retry-After": "7", "Content-Type": "text/plain"}, b"slow down"))
    assert api.search("Paris")
    assert waits == [7.0]
    assert polite.requests == 2


def test_a_retry_after_longer_than_allowed_is_an_error_not_a_wait(fake):
    api, _sparql, _p, waits = clients(fake, max_wait=10)
    fake.faults.append((429, {"Retry-After": "3600"}, b""))
    with pytest.raises(LinkError, match="rate limited"):
        api.search("Paris")
    assert waits == []


def test_503_backs_off_exponentially_then_succeeds(fake):
    api, _sparql, _p, waits = clients(fake, backoff=0.5)
    fake.faults += [(503, {}, b"busy"), (503, {}, b"busy")]
    assert api.search("Moscow")
    assert waits == [0.5, 1.0]


def test_a_server_that_keeps_failing_gives_up_with_a_clear_error(fake):
    api, _sparql, polite, _w = clients(fake, retries=2)
    fake.faults += [(503, {}, b"busy")] * 3
    with pytest.raises(LinkError, match="still failing after 3 tries"):
        api.search("Moscow")
    assert polite.requests == 3


def test_a_200_that_is_not_json_is_an_error(fake):
    api, _sparql, _p, _w = clients(fake)
    fake.faults.append(HTML)
    with pytest.raises(LinkError, match="not with JSON"):
        api.search("Paris")


def test_an_api_error_is_reported(fake):
    api, _sparql, _p, _w = clients(fake)
    fake.faults.append((200, {"Content-Type": "application/json"},
                        b'{"error": {"code": "maxlag", "info": "Waiting for a database server"}}'))
    with pytest.raises(LinkError, match="maxlag"):
        api.search("Paris")


def test_wbgetentities_asks_for_at_most_50_ids_at_once(fake):
    api, _sparql, _p, _w = clients(fake)
    ids = [f"Q{n}" for n in range(1, 121)] + ["Q7747"]
    found = api.entities(ids)
    calls = [r["params"]["ids"].split("|") for r in fake.requests("wbgetentities")]
    assert len(calls) >= 3 and max(len(c) for c in calls) <= 50
    putin = found["Q7747"]
    assert putin.label == "Vladimir Putin" and "Person" in putin.kinds and putin.p27 == ["Q159"]
    assert putin.p39_labels == ["President of Russia"]  # the position's label, fetched too


def test_sparql_reply_that_is_not_results_is_an_error(fake):
    _api, sparql, _p, _w = clients(fake)
    fake.faults.append(HTML)
    with pytest.raises(LinkError, match="not with SPARQL JSON results"):
        sparql.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_sparql_429_and_503_are_retried(fake):
    _api, sparql, _p, waits = clients(fake, backoff=2)
    fake.faults += [(429, {"Retry-After": "1"}, b""), (503, {}, b"")]
    assert sparql.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1") == []
    assert waits == [1.0, 4.0]
    assert {r["user_agent"] for r in fake.log} == {LinkSettings().user_agent}


def test_an_unreachable_service_is_a_link_error_with_advice():
    port = free_port()  # nothing listens there
    settings = LinkSettings(api=f"http://127.0.0.1:{port}/w/api.php", endpoint=None, cache_dir=None)
    api = ApiSource(settings, Polite(settings), AnswerCache(None))
    with pytest.raises(LinkError, match="--link offline"):
        api.search("Paris")


def test_retry_after_reads_seconds_and_dates():
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert retry_after("soon") is None
