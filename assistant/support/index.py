"""Policy sections in a Chroma collection, searched by meaning with an intent prior.

Collections are created with `embedding_function=None` and cosine space; vectors
always come from our own `retrieval.embedding` embedder (Chroma's default ONNX
model would try to download). When the support sub-intent is known, its routed
section gets a bonus proportional to the classifier's confidence, so a confident
intent decides and an unsure one leaves the choice to the text similarity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.support.policies import PolicyRouting, PolicySection, load_policies, load_routing
from retrieval.embedding import Embedder

COLLECTION = "store_policies"
INTENT_BONUS = 1.0


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
        routing: PolicyRouting | None = None,
        path: Path | None = None,
        client: Any = None,
    ) -> None:
        import chromadb

        if not sections:
            raise ValueError("no policy sections: the policies folder has no `## N.M Title` sections")
        self.embedder = embedder
        self.sections = sections
        self.routing = routing or PolicyRouting()
        self._by_id = {s.id: s for s in self.sections}
        if client is None:
            client = chromadb.PersistentClient(path=str(path)) if path else chromadb.EphemeralClient()
        self.client = client
        # One collection per set of sections: two stores' policies in one process (or one Chroma) never mix.
        layout = hashlib.sha1("|".join(f"{s.id} {s.title}" for s in sections).encode()).hexdigest()[:10]
        self.collection = client.get_or_create_collection(
            f"{COLLECTION}_{getattr(embedder, 'dim', 0)}_{layout}",
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )
        self._sync()

    @classmethod
    def from_folder(cls, embedder: Embedder, folder: Path, *, path: Path | None = None,
                    client: Any = None) -> PolicyIndex:
        """The index of a store's policies folder (its sections and its `routing.toml`)."""
        folder = Path(folder).resolve()
        return cls(embedder, load_policies(folder), routing=load_routing(folder), path=path, client=client)

    def _sync(self) -> None:
        """(Re)embed sections whose text changed; drop sections that no longer exist."""
        hashes = {
            s.id: hashlib.sha1((self.embedder.name + s.embedding_text()).encode()).hexdigest()[:16]
            for s in self.sections
        }
        existing = self.collection.get(include=["metadatas"])
        have = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"] or [], strict=False)}
        stale = [i for i in have if i not in hashes]
        if stale:
            self.collection.delete(ids=stale)
        todo = [s for s in self.sections if have.get(s.id) != hashes[s.id]]
        if todo:
            vectors = self.embedder.embed([s.embedding_text() for s in todo])
            self.collection.upsert(
                ids=[s.id for s in todo],
                embeddings=vectors,
                documents=[s.text for s in todo],
                metadatas=[{"hash": hashes[s.id], "title": s.title, "document": s.document} for s in todo],
            )

    def search(self, query: str, *, intent: str | None = None, confidence: float = 1.0, k: int = 3) -> list[PolicyHit]:
        vector = self.embedder.embed([query])
        n = min(len(self.sections), max(k, 10))
        res = self.collection.query(query_embeddings=vector, n_results=n, include=["distances"])
        sims = {i: 1.0 - float(d) for i, d in zip(res["ids"][0], res["distances"][0], strict=False)}
        routed = self.routing.section_for(intent) if intent else None
        if routed and routed not in sims and routed in self._by_id:
            sims[routed] = 0.0
        hits = [
            PolicyHit(self._by_id[i], sim + (INTENT_BONUS * confidence if i == routed else 0.0), sim)
            for i, sim in sims.items()
            if i in self._by_id
        ]
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]
