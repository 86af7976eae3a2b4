"""Write the bundled dialogue set: `python -m evaluation.dialogues.authoring.generate [--check]`.

Every dialogue is validated against the schema and verified against the demo catalog and policies
(`verify`); the split is stratified: within each (category, language) group, dialogues alternate
between dev and test in a stable order, so each half has about half of every group.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from evaluation.dialogues.authoring import corpus_flows, corpus_products, corpus_store, corpus_support
from evaluation.dialogues.authoring.corpus_followups import FOLLOW_UPS
from evaluation.dialogues.authoring.verify import problems
from evaluation.dialogues.schema import DEFAULT_DATA, Dialogue, dump_dialogues, load_dialogues

MIN_TURNS, MAX_TURNS = 2, 5


def drafts() -> list[dict[str, Any]]:
    """Every dialogue, its follow-up turn (if any) appended."""
    items = [
        *corpus_products.REFERENCES, *corpus_products.FILTERS, *corpus_products.REFINES,
        *corpus_support.SUPPORT_ROUTING, *corpus_support.POLICY_FAITHFUL,
        *corpus_store.ORDER_DIALOGUES, *corpus_store.PROMOTIONS, *corpus_store.MIXED_MESSAGES,
        *corpus_flows.FLOW_SEARCH, *corpus_flows.FLOW_COMPARE_QA, *corpus_flows.FLOW_CART,
        *corpus_flows.FLOW_SUPPORT, *corpus_flows.FLOW_CHAT, *corpus_flows.LANGUAGE_DIALOGUES,
        *corpus_flows.EXPLANATIONS,
    ]
    return [{**d, "turns": [*d["turns"], FOLLOW_UPS[d["id"]]] if d["id"] in FOLLOW_UPS else d["turns"]}
            for d in items]


def assign_splits(items: list[dict[str, Any]]) -> list[Dialogue]:
    """dev/test alternating within each (category, language) group; groups alternate which half starts."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[(item["category"], item["language"])].append(item)
    split_of: dict[str, str] = {}
    for g, key in enumerate(sorted(groups)):
        for i, item in enumerate(groups[key]):
            split_of[item["id"]] = ("dev", "test")[(i + g) % 2]
    return [Dialogue.model_validate({**item, "split": split_of[item["id"]]}) for item in items]


def build() -> tuple[list[Dialogue], list[str]]:
    from assistant.store_profile import DEMO_DIR
    from assistant.support.policies import load_policies
    from retrieval.ingest import load_demo_catalog

    dialogues = assign_splits(drafts())
    ids = Counter(d.id for d in dialogues)
    errors = [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    errors += [f"follow-up for unknown dialogue {i}" for i in FOLLOW_UPS if i not in ids]
    errors += [f"{d.id}: {len(d.turns)} turns (want {MIN_TURNS}-{MAX_TURNS})" for d in dialogues
               if not MIN_TURNS <= len(d.turns) <= MAX_TURNS]
    products = list(load_demo_catalog())
    sections = {s.id for s in load_policies(DEMO_DIR / "policies")}
    for d in dialogues:
        errors += [f"{d.id}: {p}" for p in problems(d, products, sections)]
    return dialogues, errors


def stats(dialogues: list[Dialogue]) -> str:
    by_cat = Counter(d.category for d in dialogues)
    zh = sum(d.language == "zh" for d in dialogues)
    turns = sum(len(d.turns) for d in dialogues)
    checks = sum(len(t.checks) for d in dialogues for t in d.turns)
    splits = Counter(d.split for d in dialogues)
    return (f"{len(dialogues)} dialogues ({zh} Chinese, {zh / len(dialogues):.0%}), {turns} turns, {checks} checks; "
            f"splits {dict(splits)}\n" + "\n".join(f"  {c}: {n}" for c, n in sorted(by_cat.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--check", action="store_true", help="only verify that --out is what would be written")
    args = parser.parse_args(argv)
    dialogues, errors = build()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    if args.check:
        same = args.out.exists() and load_dialogues(args.out) == dialogues
        print("up to date" if same else f"{args.out} differs from the corpus: regenerate it")
        return 0 if same else 1
    dump_dialogues(dialogues, args.out)
    print(stats(dialogues))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
