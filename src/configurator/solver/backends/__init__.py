"""Solver backends: cpsat (default), python_constraint (readable reference), exhaustive (test oracle)."""
