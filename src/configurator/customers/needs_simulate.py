"""Moved to :mod:`configurator.needs.simulation`; old import path kept."""

from configurator.needs.simulation import CurvePoint, LearningCurve, learning_curve

__all__ = ["CurvePoint", "LearningCurve", "learning_curve"]
