"""Assembly: a customer and a catalog -> needs as objective weights -> solver -> ranked, explained bundles.

Sits above the solver and the customers package: the solver never sees customers, only the plain
:class:`~configurator.solver.session.Weights` that :func:`weights_for` makes of a customer's learned needs.
"""

from configurator.assembly.needs import needs_for, recommendations, weights_for

__all__ = ["needs_for", "recommendations", "weights_for"]

# Assembly of bundles (appended: the needs exports above come first).
from configurator.assembly.assemble import (
    AssembledBundle,
    AssemblyError,
    RepairProposal,
    assemble,
    next_best,
    repairs,
    repeat_purchase,
)
from configurator.assembly.context import CustomerContext, context_from_events, customer_context
from configurator.assembly.policy import PolicyBook, TierPolicy, load_policy

__all__ += [
    "AssembledBundle",
    "AssemblyError",
    "CustomerContext",
    "PolicyBook",
    "RepairProposal",
    "TierPolicy",
    "assemble",
    "context_from_events",
    "customer_context",
    "load_policy",
    "next_best",
    "repairs",
    "repeat_purchase",
]
