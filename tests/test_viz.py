"""kg viz: the page's data (SPARQL on a store -> JSON), the page file, the CLI, and the page itself
in headless Chromium (search, panels, filters, size limits, offline from file://).

The browser tests need Debian's chromium and chromium-driver and the selenium package (the `test`
extra); without them they skip saying so (in CI they fail: .ci/run installs them).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from browser import open_page, requested_urls, skip_without_chromium, start_chromium
from conftest import DATA
from kg.cli import app
from kg.namespaces import KG, KGR
from kg.stores import EmbeddedStore, load_files, open_store
from kg.viz import graph_data, render_page, write_viz

LAYOUT = DATA / "viz-layout.trig"
LAVROV = KGR + "person/sergei-lavrov"
ENTITIES_GRAPH = KGR + "graph/entities"


def data_of(*files: Path) -> dict[str, Any]:
    store = open_store(graph_files=list(files))
    try:
        return graph_data(store)
    finally:
        store.close()


def node(data: dict[str, Any], iri: str) -> dict[str, Any]:
    found = [n for n in data["nodes"] if n["iri"] == iri]
    assert len(found) == 1, f"{iri}: {len(found)} nodes"
    return found[0]


def edges_from(data: dict[str, Any], iri: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(relation, other node's label) -> edge, for the edges that touch the node."""
    i = [n["iri"] for n in data["nodes"]].index(iri)
    out = {}
    for e in data["edges"]:
        if i in (e["s"], e["o"]):
            other = e["o"] if e["s"] == i else e["s"]
            out[(e["p"], data["nodes"][other]["label"])] = e
    return out


def page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert found, "no data block in the page"
    return json.loads(found.group(1))


# --------------------------------------------------------------------------- the data


def test_seed_data_has_lavrov_his_relations_and_the_claims_with_evidence(seed_trig: Path) -> None:
    data = data_of(seed_trig)
    lavrov = node(data, LAVROV)
    assert lavrov["label"] == "Sergei Lavrov" and lavrov["class"] == "Person" and "Lavrov" in lavrov["alt"]
    assert {(f["p"], f["value"]) for f in lavrov["facts"]} == {("holdsRole", "Foreign Minister")}
    edges = edges_from(data, LAVROV)
    assert {("affiliatedWith", "Russia"), ("visited", "Wonsan"), ("metWith", "Choe Son Hui")} <= set(edges)
    article = data["articles"][edges[("visited", "Wonsan")]["articles"][0]]
    assert article["identifier"] == "000_bf959745413853f3"
    ammunition = [c for c in data["claims"] if "ammunition" in c["text"] and c.get("quantityText") == "nearly 40%"]
    assert len(ammunition) == 1
    assert ammunition[0]["evidence"] == [
        "As Ukrainian military intelligence points out, North Korea is now a vital supplier of ammunition "
        "for Russia, contributing nearly 40% of its needs."
    ]
    claimant = data["nodes"][ammunition[0]["claimant"][0]]
    assert claimant["label"] == "Ukrainian military intelligence"


def test_relation_evidence_comes_from_statements_with_its_article() -> None:
    data = data_of(LAYOUT)
    titles = [a.get("title") for a in data["articles"]]
    met = edges_from(data, LAVROV)[("metWith", "Wang Yi")]
    assert [(titles[a], s) for a, s in met["evidence"]] == [
        ("Lavrov meets Wang Yi in Beijing", "Lavrov held talks with his Chinese counterpart Wang Yi."),
        ("Russia and China sign an energy deal", "A day after meeting Wang Yi, Lavrov watched the signing."),
    ]
    assert [titles[a] for a in met["articles"]] == ["Lavrov meets Wang Yi in Beijing", "Russia and China sign an energy deal"]
    role = node(data, LAVROV)["facts"]
    assert role == [{"p": "holdsRole", "value": "Foreign Minister", "articles": [0],
                     "evidence": [[0, "Russian Foreign Minister Sergei Lavrov arrived in Beijing on Monday."]]}]
    deal = node(data, KGR + "agreement/russia-china-energy-deal")
    assert deal["class"] == "Agreement" and deal["alt"] == ["gas agreement"]
    assert {f["p"]: f["value"] for f in deal["facts"]} == {"signedOn": "2025-07-15"}
    assert deal["evidence"] == [[1, "Russia and China signed the energy deal in Beijing on Tuesday."]]
    assert {k for k in edges_from(data, deal["iri"])} == {("party", "Russia"), ("party", "China"), ("signedIn", "Beijing")}
    assert data["articles"][0]["url"] == "https://news.example.org/2025/07/14/lavrov-wang"


def copy_descriptions_into_articles(source: Path, target: Path) -> None:
    """The same graph in today's layout: each entity's description repeated in every article graph
    that mentions it, and no entities graph."""
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.TRIG))
    entities = ox.NamedNode(ENTITIES_GRAPH)
    described = [q for q in quads if q.graph_name == entities]
    out = [q for q in quads if q.graph_name != entities]
    mentioned = ox.NamedNode(KG + "mentionedIn")
    for q in quads:
        if q.predicate == mentioned:
            owner = q.subject.value.split("#")[0]
            out += [ox.Quad(d.subject, d.predicate, d.object, q.graph_name) for d in described
                    if d.subject.value.split("#")[0] == owner]
    assert len(out) > len(quads)  # some descriptions are copied into more than one article
    target.write_bytes(ox.serialize(out, format=ox.RdfFormat.TRIG))


def test_descriptions_read_once_whichever_graph_holds_them(tmp_path: Path) -> None:
    repeated = tmp_path / "repeated.trig"
    copy_descriptions_into_articles(LAYOUT, repeated)
    assert data_of(repeated) == data_of(LAYOUT)
    assert node(data_of(repeated), LAVROV)["alt"] == ["Lavrov", "Sergey Lavrov"]


def test_turtle_input_is_the_union_without_articles_per_relation(tmp_path: Path) -> None:
    quads = ox.parse(path=str(LAYOUT), format=ox.RdfFormat.TRIG)
    union = tmp_path / "union.ttl"
    union.write_bytes(ox.serialize({q.triple for q in quads}, format=ox.RdfFormat.TURTLE))
    flat, named = data_of(union), data_of(LAYOUT)
    def described(data: dict[str, Any]) -> list[tuple]:
        return [(n["iri"], n["label"], n["class"], n.get("alt"), n.get("sameAs"), n["articles"]) for n in data["nodes"]]

    assert described(flat) == described(named)
    assert [(c["iri"], c["articles"]) for c in flat["claims"]] == [(c["iri"], c["articles"]) for c in named["claims"]]
    met = edges_from(flat, LAVROV)[("metWith", "Wang Yi")]
    assert met["articles"] == [] and len(met["evidence"]) == 2 and all(a is None for a, _ in met["evidence"])


def test_store_gives_the_same_data_as_the_file(tmp_path: Path) -> None:
    report = load_files([LAYOUT], store=tmp_path / "store")
    assert report.ok
    with EmbeddedStore(tmp_path / "store", read_only=True) as store:
        assert graph_data(store) == data_of(LAYOUT)


@pytest.mark.server
def test_endpoint_gives_the_same_data_as_the_file(tmp_path: Path) -> None:
    from servers import oxigraph_server

    server = oxigraph_server(tmp_path / "oxigraph").start()
    try:
        assert load_files([LAYOUT], endpoint=server.url).ok
        out = tmp_path / "page.html"
        write_viz(endpoint=server.url, output=out)
        assert page_data(out.read_text(encoding="utf-8"))["nodes"] == data_of(LAYOUT)["nodes"]
    finally:
        server.stop()


# --------------------------------------------------------------------------- the page file


def test_page_is_one_file_that_fetches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    report = write_viz([LAYOUT], output=out)
    html = out.read_text(encoding="utf-8")
    assert report.bytes == len(html.encode("utf-8")) and report.entities == 6 and report.claims == 2
    assert "default-src 'none'" in html  # the Content-Security-Policy forbids every request
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link\b", html, re.I)
    assert "cytoscape" in html and "window.kgViz" in html


def test_text_from_the_graph_cannot_close_the_data_block() -> None:
    data = {"title": "x", "classes": [], "relations": [], "articles": [], "edges": [], "claims": [],
            "nodes": [{"iri": "urn:x", "label": "</script><script>alert(1)</script><!--", "class": "Person", "articles": []}]}
    html = render_page(data)
    assert "alert(1)</script>" not in html and "<!--" not in html.split('id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert page_data(html) == data


def test_same_graph_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    write_viz([LAYOUT], output=a)
    write_viz([LAYOUT], output=b)
    assert a.read_bytes() == b.read_bytes()


def test_cli_writes_the_page_and_reports_counts(tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    result = CliRunner().invoke(app, ["viz", str(LAYOUT), "-o", str(out), "--title", "Lavrov & Wang"])
    assert result.exit_code == 0, result.output
    assert "6 entities, 7 relations, 2 claims, 2 articles" in result.output
    assert "<title>Lavrov &amp; Wang</title>" in out.read_text(encoding="utf-8")


def test_cli_refuses_a_missing_file_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    result = CliRunner().invoke(app, ["viz", str(tmp_path / "nope.trig"), "-o", str(out)])
    assert result.exit_code == 2 and "nope.trig: no such file" in result.output
    assert not out.exists()


def test_cli_takes_one_source_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["viz", str(LAYOUT), "--store", str(tmp_path / "s"), "-o", str(tmp_path / "g.html")])
    assert result.exit_code == 3 and "only one of them" in result.output


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    browser, driver = skip_without_chromium()
    session = start_chromium(browser, driver)
    try:
        yield session
    finally:
        session.quit()


@pytest.fixture(scope="module")
def seed_page(seed_trig: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("viz") / "seed.html"
    write_viz([seed_trig], output=out)
    return out


def js(chrome: Any, script: str) -> Any:
    return chrome.execute_script(script)


def search(chrome: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = chrome.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def panel_text(chrome: Any) -> str:
    from selenium.webdriver.common.by import By

    return chrome.find_element(By.ID, "panel").text


def selected_labels(chrome: Any) -> list[str]:
    return js(chrome, "return kgViz.cy.$('node:selected').map(function (n) { return n.data('label'); })")


def console_errors(chrome: Any) -> list[dict]:
    return [e for e in chrome.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


@pytest.mark.browser
def test_seed_page_lavrov(chrome: Any, seed_page: Path, tmp_path: Path) -> None:
    from PIL import Image

    open_page(chrome, seed_page)
    assert js(chrome, "return kgViz.cy.nodes().length") >= 14
    search(chrome, "Lavrov")
    assert selected_labels(chrome) == ["Sergei Lavrov"]
    text = panel_text(chrome)
    assert text.startswith("Sergei Lavrov\nPerson")
    for expected in ("Foreign Minister", "AFFILIATED WITH\nRussia", "VISITED", "Wonsan", "MET WITH\nChoe Son Hui",
                     "nearly 40%",
                     "As Ukrainian military intelligence points out, North Korea is now a vital supplier of "
                     "ammunition for Russia, contributing nearly 40% of its needs."):
        assert expected in text, expected
    shot = tmp_path / "seed.png"
    assert chrome.save_screenshot(str(shot))
    image = Image.open(shot).convert("RGB")
    assert image.size[0] >= 1000
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, nodes in several class colours, edges
    graph_area = image.crop((260, 60, 980, 860))
    assert len(graph_area.getcolors(maxcolors=1 << 20) or []) > 20, "the graph area is blank"
    assert console_errors(chrome) == []


@pytest.mark.browser
def test_page_works_offline_from_file_url(chrome: Any, seed_page: Path) -> None:
    conditions = chrome.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    assert conditions == {}
    open_page(chrome, seed_page)
    urls = requested_urls(chrome)
    assert urls and urls[0] == seed_page.resolve().as_uri()
    assert [u for u in urls if not u.startswith(("file:", "data:", "blob:"))] == []
    assert js(chrome, "return navigator.onLine") is False
    assert js(chrome, "return kgViz.cy.nodes().length") > 0
    assert console_errors(chrome) == []


@pytest.mark.browser
def test_alias_search_article_panel_and_evidence(chrome: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page = tmp_path / "layout.html"
    write_viz([LAYOUT], output=page)
    open_page(chrome, page)
    search(chrome, "sergey")
    assert selected_labels(chrome) == ["Sergei Lavrov"]
    text = panel_text(chrome)
    assert "Wikidata Q80837" in text
    assert "Lavrov held talks with his Chinese counterpart Wang Yi." in text
    assert "A day after meeting Wang Yi, Lavrov watched the signing." in text
    link = chrome.find_element(By.LINK_TEXT, "Wikidata Q80837")
    assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q80837" and link.get_attribute("target") == "_blank"
    chrome.find_element(By.XPATH, "//*[@id='panel']//span[@class='link' and starts-with(., 'Russia and China sign')]").click()
    text = panel_text(chrome)
    assert text.startswith("Russia and China sign an energy deal\nArticle · 2025-07-15")
    assert "Contributed 6 entities, 4 relations, 1 claim." in text
    assert "the deal will double gas deliveries by 2030" in text and "energy deal signed in Beijing" in text
    assert console_errors(chrome) == []


def drawn(chrome: Any) -> dict[str, Any]:
    return js(chrome, """return {
        classes: kgViz.cy.nodes().map(function (n) { return n.data('cls'); }),
        labels: kgViz.cy.nodes().map(function (n) { return n.data('label'); }),
        relations: kgViz.cy.edges().map(function (e) { return e.data('kind'); })};""")


@pytest.mark.browser
def test_filters_by_class_relation_and_article(chrome: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = tmp_path / "layout.html"
    write_viz([LAYOUT], output=page)
    open_page(chrome, page)
    before = drawn(chrome)
    assert "Country" in before["classes"] and "metWith" in before["relations"]
    chrome.find_element(By.XPATH, "//div[@id='class-filters']/label[contains(., 'Country')]/input").click()
    after = drawn(chrome)
    assert "Country" not in after["classes"] and "Person" in after["classes"]
    chrome.find_element(By.XPATH, "//div[@id='relation-filters']/label[contains(., 'metWith')]/input").click()
    assert "metWith" not in drawn(chrome)["relations"]
    chrome.find_element(By.XPATH, "//div[@id='class-filters']/label[contains(., 'Country')]/input").click()
    Select(chrome.find_element(By.ID, "article-filter")).select_by_visible_text("2025-07-14 · Lavrov meets Wang Yi in Beijing")
    only = drawn(chrome)
    assert "energy deal" not in only["labels"] and "Sergei Lavrov" in only["labels"] and "party" not in only["relations"]
    assert panel_text(chrome).startswith("Lavrov meets Wang Yi in Beijing")
    assert console_errors(chrome) == []


def big_graph(path: Path, people: int = 400) -> None:
    """A graph bigger than the page draws at first: a hub everyone met, and pairs that met."""
    article = KGR + "article/big-001"
    lines = [f"<{article}> {{", f"<{article}> a <{KG}Article> ; <http://purl.org/dc/terms/title> \"Big\" ."]
    for i in range(people):
        p = f"<{KGR}person/p{i:04d}>"
        lines.append(f'{p} a <{KG}Person> ; <http://www.w3.org/2000/01/rdf-schema#label> "Person {i:04d}"@en ; <{KG}mentionedIn> <{article}> .')
        lines.append(f"{p} <{KG}metWith> <{KGR}person/p{(i + 1) % people:04d}> .")
        if i % 2 == 0 and i:
            lines.append(f"{p} <{KG}metWith> <{KGR}person/p0000> .")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.browser
def test_a_big_graph_starts_from_the_most_connected_and_search_opens_a_neighbourhood(chrome: Any, tmp_path: Path) -> None:
    source, page = tmp_path / "big.trig", tmp_path / "big.html"
    big_graph(source)
    write_viz([source], output=page)
    open_page(chrome, page)
    first = drawn(chrome)
    assert len(first["labels"]) == 150 and "Person 0000" in first["labels"]
    assert "most connected" in chrome.find_element("id", "status").text
    search(chrome, "Person 0399")
    assert selected_labels(chrome) == ["Person 0399"]
    around = drawn(chrome)
    assert sorted(around["labels"]) == ["Person 0000", "Person 0398", "Person 0399"]
    assert console_errors(chrome) == []


@pytest.mark.browser
def test_a_graph_without_entities_opens_and_says_so(chrome: Any, tmp_path: Path) -> None:
    source, page = tmp_path / "other.ttl", tmp_path / "other.html"
    source.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    write_viz([source], output=page)
    open_page(chrome, page)
    assert chrome.find_element("id", "status").text.startswith("The graph has no entities.")
    assert console_errors(chrome) == []
