"""Moved to :mod:`configurator.needs.customer` and :mod:`configurator.needs.models`; old import path kept."""

from configurator.needs.customer import DEFAULT_STRENGTHS, CustomerNeeds, Evidence, fit_segments
from configurator.needs.models import (
    MODELS,
    MostFrequentNeeds,
    NaiveBayesNeeds,
    NeedsModel,
    SimilarityNeeds,
    make_model,
)

__all__ = [
    "DEFAULT_STRENGTHS",
    "MODELS",
    "CustomerNeeds",
    "Evidence",
    "MostFrequentNeeds",
    "NaiveBayesNeeds",
    "NeedsModel",
    "SimilarityNeeds",
    "fit_segments",
    "make_model",
]
