"""Assembly: a customer and a catalog -> needs as objective weights -> solver -> ranked, explained bundles.

Sits above the solver and the customers package: the solver never sees customers, only the plain
:class:`~configurator.solver.session.Weights` that :func:`weights_for` makes of a customer's learned needs.
"""

from configurator.assembly.needs import needs_for, recommendations, weights_for

__all__ = ["needs_for", "recommendations", "weights_for"]
