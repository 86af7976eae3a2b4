"""Builds the scene detector's labelled training set and held-out test set from real data.

Every real source is sampled deterministically (seeded shuffle): a test slice is taken first
and never used for training. Hand-written examples come from `scene_data/handwritten_train.json`
(templates, training only) and `scene_data/handwritten_test.jsonl` (different sentences and
products, test only). The files are read through the one reader of each data set
(evaluation.datasets.*). See scene_data/SOURCES.md.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from evaluation.datasets import bitext as bitext_data
from evaluation.datasets import homedepot
from evaluation.datasets.clinc import read_clinc
from evaluation.datasets.errors import DatasetError, require_file
from evaluation.datasets.queries import wands_queries, webshop_goals
from evaluation.paths import shared_data_dir
from scene.taxonomy import SCENES, bitext_label, clinc_label

DATA_DIR = Path(__file__).resolve().parent / "scene_data"
TRAIN_FILE = DATA_DIR / "train_scenes.jsonl"
TEST_FILE = DATA_DIR / "test_scenes.jsonl"
HANDWRITTEN_TRAIN = DATA_DIR / "handwritten_train.json"
HANDWRITTEN_TEST = DATA_DIR / "handwritten_test.jsonl"
SEED = 13


@dataclass(frozen=True)
class Example:
    text: str
    scene: str
    sub_intent: str | None = None
    source: str = ""
    context: tuple[str, ...] = ()

    def to_json(self) -> str:
        row = asdict(self)
        row["context"] = list(self.context)
        if not row["context"]:
            del row["context"]
        return json.dumps(row, ensure_ascii=False)


def _split(items: list, n_test: int, n_train: int, salt: str) -> tuple[list, list]:
    rng = random.Random(f"{SEED}:{salt}")
    items = list(items)
    rng.shuffle(items)
    return items[:n_test], items[n_test : n_test + n_train]


# ---------------------------------------------------------------- real sources


def bitext(shared: Path, per_intent_train: int, per_intent_test: int) -> tuple[list[Example], list[Example]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for utterance, intent in bitext_data.read_intents(shared / "support" / "bitext_intents.csv"):
        if text := utterance.strip():
            by_intent[intent.strip()].append(text)
    train: list[Example] = []
    test: list[Example] = []
    for intent in sorted(by_intent):
        uniq = sorted(set(by_intent[intent]))
        boost = intent == "contact_human_agent"
        te, tr = _split(uniq, per_intent_test * (4 if boost else 1), per_intent_train * (3 if boost else 1), intent)
        scene, sub = bitext_label(intent)
        test += [Example(t, scene, sub, "bitext") for t in te]
        train += [Example(t, scene, sub, "bitext") for t in tr]
    return train, test


def clinc(shared: Path, per_intent_train: dict[str, int]) -> tuple[list[Example], list[Example], list[Example]]:
    """(train, val, oos_val) examples; `per_intent_train` caps train rows per target scene."""
    data = read_clinc(shared / "clinc150" / "train_val.json")
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in data["train"]:
        by_intent[intent].append(text)
    train: list[Example] = []
    for intent in sorted(by_intent):
        label = clinc_label(intent)
        if label is None:
            continue
        scene, sub = label
        _, tr = _split(by_intent[intent], 0, per_intent_train.get(scene, 8), intent)
        train += [Example(t, scene, sub, "clinc_train") for t in tr]
    train += [Example(t, "out_of_scope", None, "clinc_oos_train") for t, _ in data["oos_train"]]
    val: list[Example] = []
    for text, intent in data["val"]:
        label = clinc_label(intent)
        if label is not None:
            val.append(Example(text, label[0], label[1], f"clinc_val:{intent}"))
    oos_val = [Example(t, "out_of_scope", None, "clinc_oos_val") for t, _ in data["oos_val"]]
    return train, val, oos_val


def search_queries(
    shared: Path, n_train: dict[str, int], n_test: dict[str, int]
) -> tuple[list[Example], list[Example]]:
    goals = webshop_goals(shared / "webshop" / "human_goals.json")
    hd = {j.search_term for j in homedepot.read_judgements(shared / "homedepot" / "relevance_train.csv")}
    wands = wands_queries(shared / "wands" / "query.csv")
    train: list[Example] = []
    test: list[Example] = []
    for name, items in (("webshop", sorted(goals)), ("homedepot", sorted(hd)), ("wands", sorted(wands))):
        te, tr = _split(items, n_test[name], n_train[name], name)
        train += [Example(t, "search", None, name) for t in tr]
        test += [Example(t, "search", None, name) for t in te]
    return train, test


def catalog_category_nouns(shared: Path, min_products: int = 2) -> list[str]:
    """Product-type names from the Flipkart category tree ("coffee mugs", "power banks", "bedsheets").

    Levels 2-3 of the tree name kinds of products across the whole store (kitchen, baby, electronics,
    fashion), which the home-improvement search queries lack. Names used by fewer than `min_products`
    products are left out, and so is a brand glued to a type ("titan wrist watches" when "wrist watches"
    is there).
    """
    counts: dict[str, int] = defaultdict(int)
    with require_file(shared / "flipkart" / "products.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            tree = re.findall(r"'([^']*)'|\"([^\"]*)\"", row.get("product_category_tree") or "")
            names = [a or b for a, b in tree]
            for name in {" ".join(n.lower().replace("&", " ").split()) for n in names[1:3]}:
                if 1 <= len(name.split()) <= 3 and re.fullmatch(r"[a-z' -]+", name):
                    counts[name] += 1
    kept = {n for n, c in counts.items() if c >= min_products}
    return sorted(n for n in kept if n.split(" ", 1)[-1] not in kept or " " not in n)


# ---------------------------------------------------------------- hand-written

_SLOT = re.compile(r"\{(\w+)\}")


def _fill(rng: random.Random, fillers: dict[str, list[str]], m: re.Match[str]) -> str:
    return rng.choice(fillers[m.group(1)])


def expand_templates(path: Path = HANDWRITTEN_TRAIN, per_template: int = 10,
                     extra_products: list[str] | None = None) -> list[Example]:
    """Fill each template `per_template` times with random fillers (deduplicated).

    `extra_products` (real product nouns, e.g. short shopper queries) widen the
    English `{p}` filler so the hand-written scenes do not hinge on a few products.
    """
    spec = json.loads(require_file(path).read_text(encoding="utf-8"))
    if extra_products:
        spec["fillers"]["en"]["p"] = spec["fillers"]["en"]["p"] + extra_products
    rng = random.Random(SEED)
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for group in spec["templates"]:
        fillers = spec["fillers"][group["lang"]]
        for template in group["texts"]:
            times = per_template if _SLOT.search(template) else max(2, per_template // 2)
            for _ in range(times):
                text = _SLOT.sub(partial(_fill, rng, fillers), template)
                text = (rng.choice(fillers["pre"]) + text.rstrip("?？") + rng.choice(fillers["suf"])).strip()
                key = (text, group["scene"])
                if key in seen:
                    continue
                seen.add(key)
                out.append(Example(text, group["scene"], group.get("sub_intent"), f"handwritten_{group['lang']}"))
    return out


def handwritten_test(path: Path = HANDWRITTEN_TEST) -> list[Example]:
    rows = []
    for line in require_file(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            rows.append(
                Example(r["text"], r["scene"], r.get("sub_intent"), r.get("source", "handwritten_test"),
                        tuple(r.get("context", [])))
            )
    return rows


# ---------------------------------------------------------------- assembled sets

TRAIN_SEARCH = {"webshop": 400, "homedepot": 350, "wands": 150}
TEST_SEARCH = {"webshop": 40, "homedepot": 30, "wands": 15}
CLINC_TRAIN = {"out_of_scope": 10, "chitchat": 35, "support": 60, "search": 60}


def build(shared: Path | None = None) -> tuple[list[Example], list[Example]]:
    """(training examples, held-out test examples) from all sources."""
    shared = shared or shared_data_dir()
    bt_train, bt_test = bitext(shared, per_intent_train=50, per_intent_test=4)
    cl_train, cl_val, cl_oos_val = clinc(shared, CLINC_TRAIN)
    sq_train, sq_test = search_queries(shared, TRAIN_SEARCH, TEST_SEARCH)
    nouns = sorted({e.text.lower() for e in sq_train if e.source in ("homedepot", "wands")
                    and 1 <= len(e.text.split()) <= 3 and re.fullmatch(r"[a-z ]+", e.text.lower())})
    nouns = random.Random(SEED).sample(nouns, min(200, len(nouns))) + catalog_category_nouns(shared)
    train = bt_train + cl_train + sq_train + expand_templates(extra_products=nouns)
    rng = random.Random(SEED)
    val_by_scene: dict[str, list[Example]] = defaultdict(list)
    for ex in cl_val:
        val_by_scene[ex.scene].append(ex)
    clinc_test = (
        rng.sample(val_by_scene["out_of_scope"], 70)
        + rng.sample(val_by_scene["chitchat"], 50)
        + rng.sample(val_by_scene["support"], 10)
        + rng.sample(val_by_scene["search"], 5)
        + rng.sample(cl_oos_val, 40)
    )
    test = bt_test + sq_test + clinc_test + handwritten_test()
    train_texts = {e.text.lower() for e in train}
    test = [e for e in test if e.context or e.text.lower() not in train_texts]
    return train, test


def examples_digest(examples: Sequence[Example]) -> str:
    """Identifies a training set, so a cached model built from an older one is not preferred."""
    h = hashlib.sha1()
    for e in examples:
        h.update(f"{e.text}\t{e.scene}\t{e.sub_intent}\n".encode())
    return h.hexdigest()


def write_jsonl(path: Path, rows: list[Example]) -> None:
    path.write_text("".join(r.to_json() + "\n" for r in rows), encoding="utf-8")


def read_jsonl(path: Path) -> Iterator[Example]:
    """Rows `{text, scene, sub_intent?, source?, context?}` of a scene set, checked line by line."""
    for i, line in enumerate(require_file(path, "scene rows file").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            example = Example(str(r["text"]), str(r["scene"]), r.get("sub_intent"), r.get("source", ""),
                              tuple(str(c) for c in r.get("context") or []))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path}:{i}: expected {{\"text\", \"scene\", \"context\"?}} JSON ({exc})") from exc
        if example.scene not in SCENES:
            raise DatasetError(f"{path}:{i}: unknown scene {example.scene!r}; scenes are {', '.join(SCENES)}")
        yield example
