"""Benchmarks that judge the assistant end to end (one evaluation area, outside the product packages)."""
