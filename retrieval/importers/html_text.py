"""Product descriptions written as HTML (Shopify's Body (HTML), WooCommerce, some feeds) -> plain text.

The standard library's `HTMLParser` tolerates the broken markup real exports hold.
Block elements end a line so words of adjacent paragraphs never run together;
scripts, styles and comments are dropped; entities are decoded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
          "section", "article", "header", "footer", "blockquote", "pre", "hr", "dt", "dd"}
_SKIP = {"script", "style", "template", "noscript", "svg", "iframe"}
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z!/][^>]*>|&[a-zA-Z]+;|&#\d+;")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment: one line per block, single spaces inside a line."""
    if not markup or not _LOOKS_LIKE_HTML.search(markup):
        return " ".join(markup.split()) if markup else ""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)
