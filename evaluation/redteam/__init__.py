"""Red-team cases (`cases.jsonl`) and the bench that runs them through the assistant (`bench.py`)."""
