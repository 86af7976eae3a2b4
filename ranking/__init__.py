"""User profiles, events and the learned ranker.

The assistant ranks through `ranking.ranker.Ranker` (`rank(query, hits, profile)`), builds
profiles with `ranking.profile` from `ranking.events` (stored by the assistant and read here
through the `ranking.profile.ProfileSource` protocol, so ranking never imports the assistant),
and loads the shipped models with `ranking.model.RankerModel` and `ranking.cross_encoder.CrossEncoder`; errors are in
`ranking.errors`. Import those modules directly: `import ranking` loads nothing heavy
(LightGBM, torch) by itself.
"""
