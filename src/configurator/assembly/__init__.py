"""Assembly: a customer and a catalog -> needs as objective weights -> solver -> ranked, explained bundles.

Sits above the solver and the customers package: the solver never sees customers, only the plain
:class:`~configurator.solver.session.Weights` that :func:`weights_for` makes of a customer's learned needs.
It reaches the store through the Protocols of :mod:`configurator.assembly.ports` only.

The package imports its submodules at once (the function :func:`assemble` shares its name with its module, so
it is bound here eagerly; the command line imports assembly only inside the commands that use it).

Example:
    >>> import configurator.assembly as assembly
    >>> assembly.assemble.__module__, assembly.NeedsStore.__module__
    ('configurator.assembly.assemble', 'configurator.assembly.ports')
"""

from configurator.assembly.assemble import (
    AssembledBundle,
    RepairProposal,
    assemble,
    next_best,
    repairs,
    repeat_purchase,
)
from configurator.assembly.context import CustomerContext, context_from_events, customer_context
from configurator.assembly.needs import needs_for, recommendations, weights_for
from configurator.assembly.policy import PolicyBook, TierPolicy, load_policy
from configurator.assembly.ports import CustomerStore, NeedsStore
from configurator.errors import AssemblyError

__all__ = [
    "AssembledBundle",
    "AssemblyError",
    "CustomerContext",
    "CustomerStore",
    "NeedsStore",
    "PolicyBook",
    "RepairProposal",
    "TierPolicy",
    "assemble",
    "context_from_events",
    "customer_context",
    "load_policy",
    "needs_for",
    "next_best",
    "recommendations",
    "repairs",
    "repeat_purchase",
    "weights_for",
]
