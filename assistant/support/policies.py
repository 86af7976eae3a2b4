"""The store's policy/FAQ documents: markdown files with numbered `## N.M Title` sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

POLICY_DIR = Path(__file__).parent / "policies"
_SECTION = re.compile(r"^##\s+(\d+\.\d+)\s+(.+?)\s*$", re.MULTILINE)
_DOC = re.compile(r"^#\s+\d+\.\s+(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class PolicySection:
    id: str  # "1.3"
    title: str  # "Cancelling an order"
    document: str  # "Orders"
    text: str

    @property
    def citation(self) -> str:
        return f"Policy §{self.id} {self.title}"

    def embedding_text(self) -> str:
        return f"{self.document}: {self.title}. {self.text}"


def parse_policy(markdown: str) -> list[PolicySection]:
    doc_match = _DOC.search(markdown)
    document = doc_match.group(1) if doc_match else ""
    matches = list(_SECTION.finditer(markdown))
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(markdown)
        body = " ".join(markdown[m.end() : end].split()).replace("**", "").replace("`", "")
        out.append(PolicySection(id=m.group(1), title=m.group(2), document=document, text=body))
    return out


@lru_cache(maxsize=4)
def load_policies(folder: Path = POLICY_DIR) -> tuple[PolicySection, ...]:
    sections: list[PolicySection] = []
    for path in sorted(folder.glob("*.md")):
        sections.extend(parse_policy(path.read_text(encoding="utf-8")))
    return tuple(sections)


def section_by_id(section_id: str, folder: Path = POLICY_DIR) -> PolicySection:
    for s in load_policies(folder):
        if s.id == section_id:
            return s
    raise KeyError(f"No policy section {section_id}")
