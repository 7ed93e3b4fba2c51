"""Moved to :mod:`configurator.needs.models`; old import path kept."""

from configurator.needs.models import (
    MODELS,
    BlendNeeds,
    ChowLiuNeeds,
    MostFrequentNeeds,
    NaiveBayesNeeds,
    NeedsModel,
    SimilarityNeeds,
    make_model,
    ranked,
)

__all__ = [
    "MODELS",
    "BlendNeeds",
    "ChowLiuNeeds",
    "MostFrequentNeeds",
    "NaiveBayesNeeds",
    "NeedsModel",
    "SimilarityNeeds",
    "make_model",
    "ranked",
]
