"""User profiles, events and the learned ranker.

The assistant ranks through `ranking.ranker.Ranker` (`rank(query, hits, profile)`), builds
profiles with `ranking.profile` from `ranking.events`, and loads the shipped models with
`ranking.model.RankerModel` and `ranking.cross_encoder.CrossEncoder`; errors are in
`ranking.errors`. Import those modules directly: `import ranking` loads nothing heavy
(LightGBM, torch) by itself.
"""
