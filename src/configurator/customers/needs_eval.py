"""Moved to :mod:`configurator.needs.evaluation`; old import path kept."""

from configurator.needs.evaluation import (
    Evaluation,
    ModelScore,
    SalesQuality,
    clean_sales,
    evaluate,
    make_folds,
)

__all__ = ["Evaluation", "ModelScore", "SalesQuality", "clean_sales", "evaluate", "make_folds"]
