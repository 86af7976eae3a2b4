"""A/B experiments with a permanent holdout.

| module | job |
|---|---|
| `config` | the frozen experiment definitions `AssistantConfig` carries (built from `Settings.experiments`) |
| `assign` | which arm a shopper is in: a hash of (experiment, shopper), stored so it never changes; the `Treatment` |
| `stats` | per-arm shoppers, click-through and add-to-cart with shopper-clustered 95 % intervals, vs control |
"""
