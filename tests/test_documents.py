"""Reading inputs: formats, metadata, and bad inputs that must not stop a build."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import config
from kg.documents import parse_date, read_documents
from kg.errors import InputError
from kg.records import Document


def docs_and_errors(paths):
    items = list(read_documents(paths))
    return [i for i in items if isinstance(i, Document)], [str(i) for i in items if isinstance(i, InputError)]


def test_plain_text_headline_and_dateline(tmp_path: Path) -> None:
    (tmp_path / "a1.txt").write_text("Markets close early\nSeptember 18, 2008\n\nThe markets closed.\n")
    docs, errors = docs_and_errors([tmp_path])
    assert errors == []
    assert docs[0].id == "a1" and docs[0].title == "Markets close early" and docs[0].date == "2008-09-18"


def test_directory_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Zed text.")
    (tmp_path / "a.md").write_text("# Title A\n\nSome *bold* [link](http://x.org) text.")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    docs, errors = docs_and_errors([tmp_path])
    assert [d.id for d in docs] == ["a", "b/z"]
    assert docs[0].title == "Title A" and "bold link text" in docs[0].text
    assert errors == []


def test_ids_are_paths_relative_to_the_input_root(tmp_path: Path) -> None:
    """Two index.html in different folders are two articles; a file given by name keeps its stem,
    so the seed's id is the same whether its folder or the file is built."""
    page = "<html><body><article><h1>{0}</h1><p>{0} was reported on Monday by the ministry.</p></article></body></html>"
    for folder in ("world", "europe"):
        (tmp_path / "site" / folder).mkdir(parents=True)
        (tmp_path / "site" / folder / "index.html").write_text(page.format(f"News from {folder}"))
    (tmp_path / "site" / "top.txt").write_text("Top story.")
    docs, errors = docs_and_errors([tmp_path / "site"])
    assert errors == [] and [d.id for d in docs] == ["europe/index", "top", "world/index"]
    docs, _ = docs_and_errors([tmp_path / "site" / "world" / "index.html", tmp_path / "site" / "top.txt"])
    assert [d.id for d in docs] == ["index", "top"]
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    seed = next(seeds.glob("*.txt"))
    assert [d.id for d in docs_and_errors([seeds])[0]] == [d.id for d in docs_and_errors([seed])[0]] == [
        "000_bf959745413853f3"
    ]


def test_jsonl_metadata_and_malformed_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "n1", "text": "One.", "title": "T", "date": "2024-06-19", "url": "https://e.org/1"}),
        "{not json",
        json.dumps({"id": "n2"}),
        json.dumps({"id": "n3", "text": "Three."}),
    ]
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n")
    docs, errors = docs_and_errors([tmp_path / "c.jsonl"])
    assert [d.id for d in docs] == ["n1", "n3"]
    assert docs[0].date == "2024-06-19" and docs[0].url == "https://e.org/1" and docs[0].title == "T"
    assert any("c.jsonl:2" in e and "malformed JSON" in e for e in errors)
    assert any("c.jsonl:3" in e and "text" in e for e in errors)


def test_html_main_text_title_date_url(tmp_path: Path) -> None:
    html = """<html><head><title>Site | Story</title>
    <meta property="og:title" content="Lavrov visits Pyongyang">
    <meta property="article:published_time" content="2025-07-12T08:00:00Z">
    <link rel="canonical" href="https://news.example/lavrov"></head>
    <body><nav>Home News</nav><article><h1>Lavrov visits Pyongyang</h1>
    <p>Sergei Lavrov arrived in Wonsan.</p><script>var x=1;</script><p>He met Choe Son Hui.</p></article>
    <footer>Copyright</footer></body></html>"""
    (tmp_path / "p.html").write_text(html)
    docs, errors = docs_and_errors([tmp_path / "p.html"])
    doc = docs[0]
    assert doc.title == "Lavrov visits Pyongyang" and doc.date == "2025-07-12"
    assert doc.url == "https://news.example/lavrov"
    assert "arrived in Wonsan." in doc.text and "He met Choe Son Hui." in doc.text
    assert "var x" not in doc.text and "Copyright" not in doc.text and "Home News" not in doc.text


def test_html_cookie_banner_and_boilerplate_are_not_text(tmp_path: Path) -> None:
    """A consent notice naming trackers would become organisations in the graph."""
    html = """<!DOCTYPE html><html lang="en"><head><title>Geneva talks | News Example</title></head><body>
    <div id="cookie-banner" class="cookie-consent"><p>We use cookies from Google Analytics and Facebook
    Pixel to improve your experience. Accept all cookies?</p><button>Accept</button></div>
    <header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
    <div class="content"><h1>Leaders meet in Geneva</h1>
    <p>Emmanuel Macron met Olaf Scholz in Geneva on Tuesday to discuss the trade agreement.</p>
    <script>window.dataLayer = []; function track() {}</script>
    <p>The two leaders said the European Union would sign the deal next month.</p></div>
    <aside><h3>Most read</h3><ul><li>Celebrity news</li></ul></aside>
    <footer>Copyright 2025 News Example. All rights reserved.</footer></body></html>"""
    (tmp_path / "geneva.html").write_text(html)
    docs, errors = docs_and_errors([tmp_path])
    assert errors == [] and len(docs) == 1
    text = docs[0].text
    assert "Emmanuel Macron met Olaf Scholz in Geneva" in text and "sign the deal next month" in text
    for junk in ("Google Analytics", "cookies", "dataLayer", "Most read", "Celebrity", "Copyright", "Home"):
        assert junk not in text


def test_html_windows_1252_page_is_read_in_its_declared_charset(tmp_path: Path) -> None:
    html = ("<html><head><meta charset=\"windows-1252\"><title>Caf\u00e9 talks</title></head><body><article>"
            "<p>The na\u00efve \u2018plan\u2019 would cost \u20ac5 billion \u2014 the minister said in M\u00fcnchen.</p>"
            "</article></body></html>")
    (tmp_path / "cp1252.html").write_bytes(html.encode("cp1252"))
    docs, errors = docs_and_errors([tmp_path])
    assert errors == [] and docs[0].title == "Caf\u00e9 talks"
    assert "The na\u00efve \u2018plan\u2019 would cost \u20ac5 billion \u2014 the minister said in M\u00fcnchen." in docs[0].text


def test_html_without_text_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_text("<html><head><title>Nothing</title></head><body><script>x()</script></body></html>")
    docs, errors = docs_and_errors([tmp_path])
    assert docs == [] and len(errors) == 1 and "empty.html" in errors[0] and "no article text" in errors[0]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", b"   \n", "empty"),
        ("bin.txt", b"abc\x00def", "binary"),
        ("latin.txt", "caf\xe9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_inputs_are_errors_naming_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text("Fine text.")
    docs, errors = docs_and_errors([tmp_path])
    assert [d.id for d in docs] == ["good"]
    assert len(errors) == 1 and name in errors[0] and message in errors[0]


def test_oversized_input_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_INPUT_BYTES", 100)
    (tmp_path / "big.txt").write_text("x" * 101)
    docs, errors = docs_and_errors([tmp_path / "big.txt"])
    assert docs == [] and "over the 100 byte limit" in errors[0]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    docs, errors = docs_and_errors([tmp_path / "nope.txt"])
    assert docs == [] and "no such file" in errors[0]


@pytest.mark.parametrize(
    "value,expected",
    [("2024-06-19", "2024-06-19"), ("June 19, 2024", "2024-06-19"), ("19 June 2024", "2024-06-19"),
     ("2024-06-19T10:00:00+02:00", "2024-06-19"), ("yesterday", None), ("", None)],
)
def test_parse_date(value: str, expected: str | None) -> None:
    assert parse_date(value) == expected


def test_jsonl_feed_is_streamed_and_the_cap_is_per_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed bigger than the cap is read; only an article line over it is refused, and a line
    that is not UTF-8 loses only itself."""
    monkeypatch.setattr(config, "MAX_INPUT_BYTES", 200)
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps({"id": f"a{i}", "text": f"Article number {i} is fine."}).encode() for i in range(10)]
    lines.insert(3, json.dumps({"id": "big", "text": "x" * 300}).encode())
    lines.insert(6, b'{"id": "latin", "text": "caf\xe9"}')
    lines.append(json.dumps({"id": "sep", "text": "One\u2028line."}, ensure_ascii=False).encode())
    feed.write_bytes(b"\n".join(lines) + b"\n")
    assert feed.stat().st_size > 200
    docs, errors = docs_and_errors([feed])
    assert [d.id for d in docs] == [f"a{i}" for i in range(10)] + ["sep"]
    assert len(errors) == 2
    assert "feed.jsonl:4" in errors[0] and "over the 200 byte limit" in errors[0]
    assert "feed.jsonl:7" in errors[1] and "not UTF-8" in errors[1]


def test_empty_or_binary_jsonl_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"\n  \n")
    (tmp_path / "bin.jsonl").write_bytes(b'{"id": 1}\x00\x01')
    docs, errors = docs_and_errors([tmp_path / "empty.jsonl", tmp_path / "bin.jsonl"])
    assert docs == [] and len(errors) == 2
    assert "empty input" in errors[0] and "binary" in errors[1]
