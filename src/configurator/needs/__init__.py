"""Learned needs: population models, one customer's needs, catalog terms, evaluation and simulation.

=====================================  ==================================================================
module                                 concept
=====================================  ==================================================================
:mod:`configurator.needs.models`       population models, ``P(value | partial configuration)`` learned
                                       from sold configurations (scikit-learn shaped)
:mod:`configurator.needs.customer`     one customer's needs: the population as the prior, updated by
                                       this customer's evidence; segments for the cold start
:mod:`configurator.needs.catalog`      a catalog's need variables: events as evidence, utilities per
                                       option (the weights the solver optimizes)
:mod:`configurator.needs.masked`       a pairwise model learned by masked pseudo-likelihood (per variable,
                                       a logistic regression on the others, trained on masked sales)
:mod:`configurator.needs.evaluation`   cross-validated value recommendation on a sales history
:mod:`configurator.needs.simulation`   the per-customer learning curve on simulated customers
=====================================  ==================================================================

Needs sit above customers (their events are the evidence) and never reach the solver as anything but plain
objective weights: utilities per ``module.option``.

Example:
    >>> sales = [{"body": 1, "color": 2}] * 2 + [{"body": 2, "color": 3}] * 2
    >>> me = CustomerNeeds(make_model("blend").fit(sales)).observe(Evidence("color", 2, "purchased", "o-1"))
    >>> me.recommend("color", {"body": 2})[0][0], me.why("color", 2)
    (2, ['o-1'])
"""

from configurator.needs.catalog import CONFIGURED_PARTIAL_IMPORTANCE, CatalogNeedsView
from configurator.needs.customer import DEFAULT_STRENGTHS, CustomerNeeds, Evidence, fit_segments
from configurator.needs.evaluation import (
    Evaluation,
    ModelScore,
    SalesQuality,
    clean_sales,
    evaluate,
    make_folds,
)
from configurator.needs.masked import MaskedLogisticNeeds
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
from configurator.needs.simulation import CurvePoint, LearningCurve, learning_curve

__all__ = [
    "CONFIGURED_PARTIAL_IMPORTANCE",
    "DEFAULT_STRENGTHS",
    "MODELS",
    "BlendNeeds",
    "CatalogNeedsView",
    "ChowLiuNeeds",
    "CurvePoint",
    "CustomerNeeds",
    "Evaluation",
    "Evidence",
    "LearningCurve",
    "MaskedLogisticNeeds",
    "ModelScore",
    "MostFrequentNeeds",
    "NaiveBayesNeeds",
    "NeedsModel",
    "SalesQuality",
    "SimilarityNeeds",
    "clean_sales",
    "evaluate",
    "fit_segments",
    "learning_curve",
    "make_folds",
    "make_model",
    "ranked",
]
