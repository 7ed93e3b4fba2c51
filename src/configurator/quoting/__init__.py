"""Quoting: quotes built from assembled bundles, their lifecycle and their rendering in the customer's language.

Import order: ``quoting`` sits on top of ``assembly`` and ``offer`` (lines, reasons, the pricing waterfall and
tax, which :mod:`configurator.quoting.model`, :mod:`configurator.quoting.pricing` and
:mod:`configurator.quoting.tax` re-export); ``jinja2`` is imported only by :mod:`configurator.quoting.render`.
"""
