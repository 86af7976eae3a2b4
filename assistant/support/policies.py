"""The store's policy/FAQ documents: a folder of Markdown files with numbered `## N.M Title` sections.

The folder is the store's (`[store] policies` in its profile; the demo store's is
`assistant/demo_store/policies`). An optional `routing.toml` in it says which section
answers each support intent and which sections order actions cite (see `PolicyRouting`);
without it, questions are matched to sections by meaning alone.

The folder's own `*.md` files are written in the store's default language (the first of the
profile's `languages`). The same policies in another language live beside them, either in a
subfolder named by the language (`policies/zh/*.md`) or as `<name>.<lang>.md` files, with the
same section numbers, so an answer cites the same § in every language.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.support.routing import normalize_intent

_SECTION = re.compile(r"^##\s+(\d+\.\d+)\s+(.+?)\s*$", re.MULTILINE)
_DOC = re.compile(r"^#\s+\d+\.\s+(.+?)\s*$", re.MULTILINE)
_LANG = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?$")
# The citation line's words per language (other languages use the English ones).
CITATION_WORDS = {"en": ("Source", "Policy", "see also"), "zh": ("来源", "政策", "另见")}


class PolicyError(ValueError):
    """The policies folder cannot be read; the message names the file."""


@dataclass(frozen=True)
class PolicySection:
    id: str  # "1.3"
    title: str  # "Cancelling an order"
    document: str  # "Orders"
    text: str
    language: str = ""  # "" or the language code of the file it came from

    @property
    def key(self) -> str:
        """Unique over every language of a store ("3.1" in the default language, "zh/3.1" otherwise)."""
        return f"{self.language}/{self.id}" if self.language else self.id

    @property
    def citation(self) -> str:
        return f"{citation_words(self.language)[1]} §{self.id} {self.title}"

    def embedding_text(self) -> str:
        return f"{self.document}: {self.title}. {self.text}"


@dataclass(frozen=True)
class PolicyRouting:
    """intent -> section id ("cancel_order" -> "1.3"), and order action -> section id it cites."""

    intents: dict[str, str] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)

    def section_for(self, intent: str) -> str | None:
        return self.intents.get(normalize_intent(intent))


def citation_words(language: str) -> tuple[str, str, str]:
    """("Source", "Policy", "see also") in `language` (English for a language without its own)."""
    return CITATION_WORDS.get(language.split("-")[0].lower(), CITATION_WORDS["en"])


def parse_policy(markdown: str, language: str = "") -> list[PolicySection]:
    doc_match = _DOC.search(markdown)
    document = doc_match.group(1) if doc_match else ""
    matches = list(_SECTION.finditer(markdown))
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(markdown)
        body = " ".join(markdown[m.end() : end].split()).replace("**", "").replace("`", "")
        out.append(PolicySection(id=m.group(1), title=m.group(2), document=document, text=body, language=language))
    return out


@lru_cache(maxsize=8)
def load_policies(folder: Path) -> tuple[PolicySection, ...]:
    """Every section of the folder's `*.md` files, in file order."""
    if not folder.is_dir():
        raise PolicyError(f"policies folder not found: {folder}")
    sections: list[PolicySection] = []
    for path in sorted(folder.glob("*.md")):
        if _file_language(path) is None:
            sections.extend(parse_policy(path.read_text(encoding="utf-8")))
    return tuple(sections)


def _file_language(path: Path) -> str | None:
    """"zh" for `returns.zh.md`, None for `returns.md` (the default language)."""
    parts = path.name.split(".")
    return parts[-2] if len(parts) >= 3 and _LANG.match(parts[-2]) else None


@lru_cache(maxsize=8)
def load_translations(folder: Path) -> dict[str, tuple[PolicySection, ...]]:
    """The folder's policies in other languages: language -> sections (from `<lang>/*.md` and `*.<lang>.md`)."""
    if not folder.is_dir():
        raise PolicyError(f"policies folder not found: {folder}")
    files: dict[str, list[Path]] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and _LANG.match(p.name)):
        files.setdefault(sub.name.lower(), []).extend(sorted(sub.glob("*.md")))
    for path in sorted(folder.glob("*.md")):
        lang = _file_language(path)
        if lang:
            files.setdefault(lang.lower(), []).append(path)
    out: dict[str, tuple[PolicySection, ...]] = {}
    for lang, paths in files.items():
        sections = [s for path in paths for s in parse_policy(path.read_text(encoding="utf-8"), lang)]
        if sections:
            out[lang] = tuple(sections)
    return out


@lru_cache(maxsize=8)
def load_routing(folder: Path) -> PolicyRouting:
    """The folder's `routing.toml` (empty routing without one)."""
    path = folder / "routing.toml"
    if not path.is_file():
        return PolicyRouting()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc})") from exc
    intents = {normalize_intent(k): str(v) for k, v in data.get("intents", {}).items()}
    return PolicyRouting(intents, {str(k): str(v) for k, v in data.get("actions", {}).items()})


def action_citations(folder: Path) -> dict[str, str]:
    """Order action topic -> the citation line of the section the folder's routing names for it."""
    folder = Path(folder).resolve()
    sections = {s.id: s for s in load_policies(folder)}
    routing = load_routing(folder)
    return {topic: f"(Source: {sections[sid].citation})" for topic, sid in routing.actions.items() if sid in sections}


def section_by_id(section_id: str, folder: Path) -> PolicySection:
    for s in load_policies(folder):
        if s.id == section_id:
            return s
    raise KeyError(f"No policy section {section_id}")
