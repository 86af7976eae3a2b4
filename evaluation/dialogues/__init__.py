"""`shopassist bench dialogues`: multi-turn shopper dialogues judged turn by turn (issue 15).

Each dialogue (JSONL, `schema.Dialogue`) is played through the real assistant, in
process (`runner_local`) or through the HTTP API as the widget does (`runner_api`);
after every turn its checks (`checks`) are judged against what the shopper got
(cards, text, cart, handoff) and the catalog's own facts (`facts`). A dialogue
passes when every check of every turn passes; later turns still run after a
failure, as a conversation does. `report` aggregates the numbers.
"""
