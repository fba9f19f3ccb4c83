"""Reading documents: paths, directories, JSONL lines and HTML pages become `Document`s.

Bad inputs never stop a build: `read_documents` yields an `InputError` in place of each input it
cannot read (naming the file and line), and the caller reports it and goes on with the rest.
An article's id is its JSONL "id", or for a file its path relative to the input root without
the suffix (two `index.html` in different folders stay two articles); HTML pages go through the
same extractor as fetched pages (kg.pages).
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Union

from kg import config
from kg.errors import InputError
from kg.records import Document

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%A, %B %d, %Y")

Item = Union[Document, InputError]


def parse_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) from common news date forms, or None when it is not a date."""
    if not value:
        return None
    text = value.strip().rstrip(".")
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", text)
    if m:
        text = m.group(1)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Expand directories recursively (sorted, known suffixes only); keep explicit files as given."""
    for item in iter_inputs(paths):
        yield item if isinstance(item, InputError) else item[0]


def iter_inputs(paths: Iterable[Path]) -> Iterator[tuple[Path, str] | InputError]:
    """(file, article id) of every input file: the id is the path relative to the input root
    (the directory given, or the file's own directory) without its suffix, so `kg build dir/`
    names dir/a.txt "a" and dir/x/index.html "x/index", and `kg build dir/a.txt` names it "a"."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = child.relative_to(path)
                if child.suffix.lower() in SUFFIXES and not any(part.startswith(".") for part in rel.parts):
                    yield child, rel.with_suffix("").as_posix()
        elif path.exists():
            yield path, path.stem
        else:
            yield InputError(f"{path}: no such file or directory")


def read_documents(paths: Iterable[Path]) -> Iterator[Item]:
    """Every document under `paths`, in a stable order, or an InputError for each bad input."""
    for item in iter_inputs(paths):
        if isinstance(item, InputError):
            yield item
            continue
        path, doc_id = item
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:  # a feed: streamed line by line, any size
            yield from read_jsonl(path)
            continue
        try:
            data = read_bytes(path)
            if suffix in HTML_SUFFIXES:  # decoded as a browser does: the page may declare its charset
                yield parse_html(data, path, doc_id)
                continue
            text = decode_utf8(data, path)
            if suffix in MARKDOWN_SUFFIXES:
                yield parse_markdown(text, path, doc_id)
            else:
                yield parse_plain(text, path, doc_id)
        except InputError as exc:
            yield exc


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing what is not a news article: too large, empty, binary."""
    try:
        size = path.stat().st_size
        if size > config.MAX_INPUT_BYTES:
            raise InputError(
                f"{path}: {size} bytes is over the {config.MAX_INPUT_BYTES} byte limit for one input; "
                "split it (e.g. into JSONL lines)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(f"{path}: empty input")
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file, not text")
    return data


def decode_utf8(data: bytes, path: Path) -> str:
    """A text or Markdown file's text: these declare no encoding, so it must be UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start}); re-encode it as UTF-8") from None


def _leading_meta(lines: list[str]) -> tuple[str | None, str | None]:
    """Title and date from the head of a plain-text article: a headline line, then a dateline."""
    head = [ln.strip() for ln in lines[:4] if ln.strip()]
    title = None
    if head and len(head[0]) <= 200 and not head[0].endswith((".", "!", "?", ":")) or (
        head and head[0].endswith("?")
    ):
        title = head[0]
    day = parse_date(head[1]) if len(head) > 1 else None
    return title, day


def parse_plain(text: str, path: Path, doc_id: str) -> Document:
    title, day = _leading_meta(text.splitlines())
    return Document(id=doc_id, text=text, title=title, date=day, source=str(path))


MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MD_MARK = re.compile(r"(\*\*|__|\*|_|`)")


def parse_markdown(text: str, path: Path, doc_id: str) -> Document:
    """Strip Markdown syntax but keep the line structure (headings stay separate lines)."""
    lines = []
    title = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("!["):
            continue
        heading = re.match(r"^#{1,6}\s+(.*)$", stripped)
        if heading:
            stripped = heading.group(1).strip()
            title = title or stripped
        stripped = re.sub(r"^([-*+]|\d+\.)\s+", "• ", stripped)
        stripped = re.sub(r"^>\s?", "", stripped)
        stripped = MD_LINK.sub(r"\1", stripped)
        stripped = MD_MARK.sub("", stripped)
        lines.append(stripped)
    body = "\n".join(lines)
    t2, day = _leading_meta(lines)
    return Document(id=doc_id, text=body, title=title or t2, date=day, source=str(path))


def parse_html(data: bytes, path: Path, doc_id: str) -> Document:
    """The article in a saved web page (kg.pages: trafilatura, the encoding found as a browser does)."""
    from kg.pages import extract_page

    page = extract_page(data)
    if page is None:
        raise InputError(f"{path}: no article text found in the HTML page")
    return Document(id=doc_id, text=page.text, title=page.title, date=parse_date(page.date),
                    url=page.url, source=str(path))


def read_jsonl(path: Path) -> Iterator[Item]:
    """The documents of a JSONL feed, read line by line: a feed may be any size, and only a line
    (one article) over MAX_INPUT_BYTES is refused. A line that is not UTF-8 is an error of its
    own; the other lines are still read."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputError(f"{path}: cannot read: {exc.strerror or exc}")
        return
    with fh:
        head = fh.read(8192)
        if b"\x00" in head:
            yield InputError(f"{path}: binary file, not text")
            return
        fh.seek(0)
        seen = False
        n = 0
        while True:
            try:
                raw = fh.readline(config.MAX_INPUT_BYTES + 1)
            except OSError as exc:
                yield InputError(f"{path}:{n + 1}: cannot read: {exc.strerror or exc}")
                return
            if not raw:
                break
            n += 1
            if len(raw) > config.MAX_INPUT_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = fh.readline(1 << 20)
                yield InputError(f"{path}:{n}: line over the {config.MAX_INPUT_BYTES} byte limit for one article; skipped")
                continue
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield InputError(f"{path}:{n}: not UTF-8 (byte {exc.start}); re-encode it as UTF-8")
                continue
            if line.strip():
                seen = True
                yield from parse_jsonl(line, path, first_line=n)
    if not seen:
        yield InputError(f"{path}: empty input")


def parse_jsonl(text: str, path: Path, first_line: int = 1) -> Iterator[Item]:
    """One {"id", "text"} object per line (optional "title", "date", "url"); bad lines become errors."""
    # split on "\n" only: a JSON string may hold U+2028 or U+0085 unescaped, which splitlines() splits on
    for n, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{where}: malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield InputError(f"{where}: expected a JSON object with \"id\" and \"text\"")
            continue
        doc_id, body = obj.get("id"), obj.get("text")
        if doc_id is None or str(doc_id).strip() == "":
            yield InputError(f"{where}: missing \"id\"")
            continue
        if not isinstance(body, str) or not body.strip():
            yield InputError(f"{where}: missing or empty \"text\"")
            continue
        raw_date = obj.get("date")
        day = parse_date(str(raw_date)) if raw_date else None
        if raw_date and not day:
            yield InputError(f"{where}: unreadable \"date\" {raw_date!r} (use YYYY-MM-DD); the article is read without a date")
        yield Document(
            id=str(doc_id), text=body, title=(obj.get("title") or None), date=day,
            url=(obj.get("url") or None), source=where,
        )

