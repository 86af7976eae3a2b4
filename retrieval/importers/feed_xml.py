"""Lenient reading of Google Merchant Center XML feeds (RSS 2.0 `<item>`s or Atom 1.0 `<entry>`s).

Real feeds are often not well-formed: a bare `&` in a URL, an HTML entity such
as `&nbsp;` that XML does not define, a control character, one truncated item.
A strict parser gives up on the whole file at the first of these. Here each
item is cut out and parsed on its own, after repairing what can be repaired
(bare `&` -> `&amp;`, HTML entities -> character references, control characters
dropped), so every good item is kept and each broken one is named by its line.
"""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from retrieval.ingest import RowError

G_NS = "http://base.google.com/ns/1.0"
_OPEN = re.compile(r"<(?P<tag>(?:\w+:)?(?:item|entry))\b[^>]*>")
_ID = re.compile(r"<g:id>([^<]{1,200})</g:id>")
_NS_DECL = re.compile(r"""\bxmlns(?::(\w+))?\s*=\s*(["'])(.*?)\2""")
_BARE_AMP = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_PLAIN_FIELDS = {"title", "link", "description", "summary", "content"}  # RSS/Atom elements outside g:


@dataclass
class FeedItem:
    """One offer of a feed: the line it starts on and its fields (name -> values, in order)."""

    line: int
    fields: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0].strip() if values else ""

    def all(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]


def repair(fragment: str) -> str:
    """What a lenient reader can fix: bare ampersands, HTML-only entities, control characters."""
    fragment = _CONTROL.sub("", fragment)
    fragment = _BARE_AMP.sub("&amp;", fragment)

    def entity(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        codepoint = html.entities.name2codepoint.get(name)
        return f"&#{codepoint};" if codepoint is not None else f"&amp;{name};"

    return _NAMED_ENTITY.sub(entity, fragment)


def is_feed(head: str) -> bool:
    """Whether the start of a text is an RSS or Atom document."""
    return bool(re.search(r"<(?:rss|feed|rdf:RDF)\b", head[:4096]))


def read_items(text: str) -> tuple[list[FeedItem], list[RowError]]:
    """Every item of a feed, each parsed on its own; broken items come back as errors with their line.

    Items are cut at their opening tags, so an item that never closes costs only itself.
    """
    openings = list(_OPEN.finditer(text))
    prologue = text[: openings[0].start()] if openings else text
    declarations = {prefix or "": uri for prefix, _, uri in _NS_DECL.findall(prologue)}
    declarations.setdefault("g", G_NS)
    wrapper = "<wrap " + " ".join(
        f'xmlns:{prefix}="{uri}"' if prefix else f'xmlns="{uri}"' for prefix, uri in declarations.items()
    ) + ">"
    items: list[FeedItem] = []
    errors: list[RowError] = []
    line, position = 1, 0
    for i, opening in enumerate(openings):
        line += text.count("\n", position, opening.start())
        position = opening.start()
        end = openings[i + 1].start() if i + 1 < len(openings) else len(text)
        closing = re.compile(rf"</{re.escape(opening.group('tag'))}\s*>").search(text, opening.end(), end)
        if closing is None:
            errors.append(RowError(line, f"<{opening.group('tag')}> is never closed"))
            continue
        fragment = text[opening.start() : closing.end()]
        try:
            element = ET.fromstring(wrapper + repair(fragment) + "</wrap>")[0]
        except ET.ParseError as exc:
            where = line + (exc.position[0] - 1 if exc.position else 0)
            found = _ID.search(fragment)
            name = f"item {found.group(1).strip()!r}" if found else "item"
            errors.append(RowError(where, f"{name} is not well-formed XML ({_reason(exc)}); it was skipped"))
            continue
        items.append(FeedItem(line, _fields(element)))
    return items, errors


def _fields(element: ET.Element) -> dict[str, list[str]]:
    """name -> values of an item's direct children: g: fields, then RSS/Atom title, link, description."""
    fields: dict[str, list[str]] = {}
    plain: dict[str, list[str]] = {}
    for child in element:
        namespace, _, local = child.tag.rpartition("}")
        local = local.lower()
        if len(child):  # nested (g:shipping, g:product_detail): not used here
            continue
        text = (child.text or "").strip()
        if local == "link" and not text:
            text = child.get("href", "").strip()
        if namespace.lstrip("{") == G_NS:
            fields.setdefault(local, []).append(text)
        elif local in _PLAIN_FIELDS:
            plain.setdefault(local, []).append(text)
    for name, values in plain.items():
        key = "description" if name in ("summary", "content") else name
        fields.setdefault(key, values)
    return fields


def _reason(exc: ET.ParseError) -> str:
    return str(exc).split(":", 1)[0]
