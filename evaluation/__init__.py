"""The evaluation area: every benchmark, the training of every shipped model, and their data.

    metrics.py          nDCG@k, recall@k, HR/nDCG from ranks, the percentile, the paired bootstrap interval
    paths.py            where the public data sets are ($SHOPASSIST_SHARED_DATA, else ../shared/data)
    embcache.py         text -> vector cache on disk, so benches and training embed each text once
    datasets/           one reader and one split per data set: homedepot, amazon, bitext, clinc,
                        queries (WebShop, WANDS), scenes (the scene sets, built from the others)
    training/           ranker, cross_encoder, scene, support_intents (`shopassist train ...`)
    retrieval.py ranking.py personalization.py scene.py support.py grounding.py turns.py
    redteam/ load/      the benchmarks (`shopassist bench ...`), thin over metrics + datasets
    dialogues/          multi-turn shopper dialogues judged end to end (`shopassist bench dialogues`)

Product packages (assistant, retrieval, ranking, scene, ui except the CLI) never import from
here; this area imports them.
"""
