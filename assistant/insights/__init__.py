"""The store owner's view: what the assistant logs per turn and action, and the queries over it.

| module | job |
|---|---|
| `trace` | `TurnTrace`: what a turn's skills note for the log (treatment, unanswered kind, ranking features) |
| `record` | writes a turn with its cards, an action, a handoff; never lets a logging failure reach the shopper |
| `queries` | the insights over a period: activity, unanswered questions, handoffs, funnel, model health |
| `report` | `insights(...)`: every query plus the experiments' statistics, as one JSON-ready dict |
"""
