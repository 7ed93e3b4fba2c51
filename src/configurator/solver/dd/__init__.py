"""Knowledge compilation: a problem as a decision diagram (see :mod:`configurator.solver.dd.diagram`)."""

from configurator.solver.dd.diagram import CompiledDiagram, DiagramStats, elimination_order

__all__ = ["CompiledDiagram", "DiagramStats", "elimination_order"]
