"""Simulation of the learning loop: simulated customers buy through the product, purchase after purchase.

Sits on top of the services it drives (store, tiers and needs, assembly, quoting), beside ``api``: nothing in
the product imports it. :func:`simulate` runs the loop (:mod:`configurator.simulate.cycle`) for a seeded
population with hidden tastes (:mod:`configurator.simulate.tastes`) on differing occasions
(:mod:`configurator.simulate.occasions`), side by side with baselines and an oracle
(:mod:`configurator.simulate.baselines`), and measures each purchase (:mod:`configurator.simulate.metrics`);
:mod:`configurator.simulate.report` prints the tables and the JSON of ``configurator simulate``.

Example:
    >>> import configurator.simulate as simulate
    >>> simulate.simulate.__module__, simulate.draw_population.__module__
    ('configurator.simulate.cycle', 'configurator.simulate.tastes')
"""

from configurator.simulate.baselines import BASELINES, History, baseline_proposals
from configurator.simulate.cycle import Simulation, edits_between, simulate
from configurator.simulate.guided import answer, ask
from configurator.simulate.history import earlier_customers, seed_history
from configurator.simulate.metrics import Series, mean_interval, wilson
from configurator.simulate.occasions import Occasion, Searcher, draw_occasion
from configurator.simulate.tastes import AttributeTaste, PopulationSpec, Taste, draw_population

__all__ = [
    "BASELINES",
    "AttributeTaste",
    "History",
    "Occasion",
    "PopulationSpec",
    "Searcher",
    "Series",
    "Simulation",
    "Taste",
    "answer",
    "ask",
    "baseline_proposals",
    "draw_occasion",
    "draw_population",
    "earlier_customers",
    "edits_between",
    "mean_interval",
    "seed_history",
    "simulate",
    "wilson",
]
