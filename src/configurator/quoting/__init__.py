"""Quoting: the pricing waterfall, quotes and their rendering in the customer's language.

Import order: ``quoting`` sits on top of ``assembly`` and ``solver``; ``jinja2`` is imported only by
:mod:`configurator.quoting.render`.
"""
