"""How the bundled dialogue set is written: a small DSL (`dsl`), the dialogues by theme (`corpus_*`),
a catalog verification that every expected answer exists (`verify`), and `generate`, which writes
`data/dialogues.jsonl` (`python -m evaluation.dialogues.authoring.generate`)."""
