"""The scene detector's training and test sets (built by evaluation.datasets.scenes; see SOURCES.md)."""
