"""Alembic migration environment of the configurator schema (run through ``configurator.storage.upgrade``)."""
