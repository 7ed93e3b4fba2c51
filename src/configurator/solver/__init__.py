"""Solver engine: backend-neutral problems, catalog compilation, backends and operations."""
