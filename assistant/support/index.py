"""Policy sections in a Chroma collection, searched by meaning with an intent prior.

Collections are created with `embedding_function=None` and cosine space; vectors
always come from our own `retrieval.embedding` embedder (Chroma's default ONNX
model would try to download). When the support sub-intent is known, its routed
section gets a bonus proportional to the classifier's confidence, so a confident
intent decides and an unsure one leaves the choice to the text similarity.

The index holds the store's policies in every language it has them in (see
`policies.load_translations`); a search names the shopper's language and ranks that
language's sections (the default language's when the store has none in it). Beside the
embedding, a lexical score (the share of the question's words the section uses) decides
questions that name the policy's own terms, in languages the embedder reads poorly too.
A follow-up is searched with the open support topic (the previous question) as context.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.support.policies import (
    PolicyRouting,
    PolicySection,
    load_policies,
    load_routing,
    load_translations,
)
from assistant.support.text import LexicalScorer, acronyms, expand_acronyms, expand_shopper_words, words
from retrieval.embedding import Embedder

COLLECTION = "store_policies"
INTENT_BONUS = 0.5
LEXICAL_WEIGHT = 0.8  # the lexical score's weight beside the cosine similarity
CONTEXT_WEIGHT = 0.5  # the previous question's share in the score of a follow-up
TOPIC_BONUS = 0.08  # the section cited last (a follow-up usually stays on it)
# A follow-up of one or two topic words ("and UPI?", "信用卡呢") leans on the open topic much more.
ELLIPTIC_WORDS = 1
ELLIPTIC_CONTEXT_WEIGHT = 1.0
ELLIPTIC_TOPIC_BONUS = 0.25
HEADING_WEIGHT = 0.4
# The embedder is the store's (chosen for its default language): in a translation's language its cosine is
# a weaker signal than the words the translated policy uses.
TRANSLATED_EMBEDDING_WEIGHT = 0.4  # the share of the question's words in the section's document and title names
OVERVIEW_BONUS = 0.05  # a document's first section (its overview) for a question that fits several
PREFER_BONUS = 1.0  # the section an order answer cites (the order's status, return window, cancellation)


@dataclass(frozen=True)
class PolicyHit:
    section: PolicySection
    score: float
    similarity: float


class PolicyIndex:
    def __init__(
        self,
        embedder: Embedder,
        sections: tuple[PolicySection, ...],
        *,
        translations: dict[str, tuple[PolicySection, ...]] | None = None,
        default_language: str = "en",
        routing: PolicyRouting | None = None,
        path: Path | None = None,
        client: Any = None,
    ) -> None:
        import chromadb

        if not sections:
            raise ValueError("no policy sections: the policies folder has no `## N.M Title` sections")
        self.embedder = embedder
        self.default_language = default_language
        self.sections = sections
        self.by_language: dict[str, tuple[PolicySection, ...]] = {default_language: sections}
        for lang, translated in (translations or {}).items():
            if lang != default_language:
                self.by_language[lang] = translated
        self.all_sections = tuple(s for group in self.by_language.values() for s in group)
        self.routing = routing or PolicyRouting()
        self._by_id = {s.id: s for s in self.sections}
        self._by_key = {s.key: s for s in self.all_sections}
        self._words = {s.key: words(f"{s.document}. {s.title}. {s.text}") for s in self.all_sections}
        self._heading = {s.key: words(s.title) for s in self.all_sections}
        self._lexical = {lang: LexicalScorer(f"{s.document}. {s.title}. {s.text}" for s in group)
                         for lang, group in self.by_language.items()}
        first: dict[tuple[str, str], str] = {}
        for s in self.all_sections:
            first.setdefault((s.language, s.id.split(".")[0]), s.key)
        self._overview = set(first.values())
        # "COD" -> "cash on delivery": the short forms shoppers type for the policies' own phrases
        self._acronyms = acronyms(s.text for s in self.all_sections)
        if client is None:
            client = chromadb.PersistentClient(path=str(path)) if path else chromadb.EphemeralClient()
        self.client = client
        # One collection per set of sections: two stores' policies in one process (or one Chroma) never mix.
        layout = hashlib.sha1("|".join(f"{s.key} {s.title}" for s in self.all_sections).encode()).hexdigest()[:10]
        self.collection = client.get_or_create_collection(
            f"{COLLECTION}_{getattr(embedder, 'dim', 0)}_{layout}",
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )
        self._sync()

    @classmethod
    def from_folder(cls, embedder: Embedder, folder: Path, *, path: Path | None = None,
                    client: Any = None, default_language: str = "en") -> PolicyIndex:
        """The index of a store's policies folder (its sections, their translations and its `routing.toml`)."""
        folder = Path(folder).resolve()
        return cls(embedder, load_policies(folder), translations=load_translations(folder),
                   default_language=default_language, routing=load_routing(folder), path=path, client=client)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.by_language)

    def language_for(self, language: str | None) -> str:
        """The language whose sections answer a shopper writing `language` (the default one without them)."""
        return language if language and language in self.by_language else self.default_language

    def section(self, section_id: str, language: str | None = None) -> PolicySection | None:
        """Section `section_id` in `language` (in the default language when it has no translation)."""
        lang = self.language_for(language)
        key = f"{lang}/{section_id}" if lang != self.default_language else section_id
        return self._by_key.get(key) or self._by_id.get(section_id)

    def _sync(self) -> None:
        """(Re)embed sections whose text changed; drop sections that no longer exist."""
        hashes = {
            # the language is part of the hash: records written before languages existed get their tag
            s.key: hashlib.sha1(f"{self.embedder.name}{s.language or self.default_language}{s.embedding_text()}"
                                .encode()).hexdigest()[:16]
            for s in self.all_sections
        }
        existing = self.collection.get(include=["metadatas"])
        have = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"] or [], strict=False)}
        stale = [i for i in have if i not in hashes]
        if stale:
            self.collection.delete(ids=stale)
        todo = [s for s in self.all_sections if have.get(s.key) != hashes[s.key]]
        if todo:
            vectors = self.embedder.embed([s.embedding_text() for s in todo])
            self.collection.upsert(
                ids=[s.key for s in todo],
                embeddings=vectors,
                documents=[s.text for s in todo],
                metadatas=[{"hash": hashes[s.key], "title": s.title, "document": s.document,
                            "language": s.language or self.default_language} for s in todo],
            )

    def _similarities(self, query: str, lang: str) -> dict[str, float]:
        """Section key -> cosine similarity plus weighted lexical coverage, over the sections of `lang`."""
        group = self.by_language[lang]
        query = expand_shopper_words(expand_acronyms(query, self._acronyms))
        vector = self.embedder.embed([query])
        res = self.collection.query(query_embeddings=vector, n_results=len(group), include=["distances"],
                                    where={"language": lang})
        weight = 1.0 if lang == self.default_language else TRANSLATED_EMBEDDING_WEIGHT
        sims = {i: weight * (1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=False)}
        q = words(query)
        lexical = self._lexical[lang]
        out = {}
        for s in group:
            lex = lexical.score(q, self._words[s.key]) + HEADING_WEIGHT * lexical.score(q, self._heading[s.key])
            overview = OVERVIEW_BONUS if s.key in self._overview else 0.0
            out[s.key] = sims.get(s.key, 0.0) + LEXICAL_WEIGHT * lex + overview
        return out

    def search(self, query: str, *, intent: str | None = None, confidence: float = 1.0, k: int = 3,
               language: str | None = None, context: str = "", topic: str | None = None,
               prefer: str | None = None) -> list[PolicyHit]:
        """The best sections for `query` in the shopper's `language`.

        `context` is the open support question of a follow-up ("is delivery free?" before "and for
        300 rupees?") and `topic` the section id it cited: both pull the follow-up towards that topic
        without deciding it, so a follow-up that names another topic still moves on. `prefer` is the
        section an order answer cites."""
        lang = self.language_for(language)
        sims = self._similarities(query, lang)
        elliptic = len(set(w for w in words(query) if self._lexical[lang].df.get(w))) <= ELLIPTIC_WORDS
        topic_bonus = ELLIPTIC_TOPIC_BONUS if elliptic else TOPIC_BONUS
        if context.strip():
            before = self._similarities(context, lang)
            weight = ELLIPTIC_CONTEXT_WEIGHT if elliptic else CONTEXT_WEIGHT
            sims = {key: sim + weight * before.get(key, 0.0) for key, sim in sims.items()}
        routed = self.routing.section_for(intent) if intent else None
        hits = []
        for key, sim in sims.items():
            section = self._by_key[key]
            bonus = INTENT_BONUS * confidence if section.id == routed else 0.0
            if topic and section.id == topic:
                bonus += topic_bonus
            if prefer and section.id == prefer:
                bonus += PREFER_BONUS
            hits.append(PolicyHit(section, sim + bonus, sim))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]
