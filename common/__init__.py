"""Leaf modules every package may import: the error base, the LLM wire types, the clock.

Nothing here imports another package of ours, so it can never close a cycle."""
