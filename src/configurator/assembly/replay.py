"""Replay: what the customer chose before, proposed again under the occasion they chose it for.

A customer who bought (or configured in full) a configuration under some requirements and a budget showed what
they prefer among everything valid there. The learned needs weigh their choices option by option, so two
purchases made for different occasions can average into weights under which the product would propose
neither again: a kitchen bought with a tall oven housing and a bigger budget, then one without, leaves each
cabinet at one purchase in two.

:func:`replayed` replays each recorded occasion with the weights of the request at hand: its requirements as
session choices, its budget judged on the payable total as assembly judges it. Where the proposal differs from
what the customer chose, it moves the weights toward their choice, up by :data:`REPLAY_STEP` for each option
they chose that the proposal left out and down as much for each option the proposal had that they did not (a
structured perceptron over their own occasions), for at most :data:`REPLAY_EPOCHS` passes over the
:data:`REPLAY_LIMIT` most recent occasions. Their trade-offs (this cabinet over that one within this budget)
then carry to the next occasion. :func:`past_choices` reads the occasions from the customer's events: the
lines of their orders and their complete ``configured`` events, each with the requirements and budget it
carries; the same configuration for the same occasion counts once.

Configurations the catalog no longer accepts (an option withdrawn, a rule added), requirements it no longer
knows and budgets nothing valid meets any more are not replayed: the product cannot propose them, so they
could only push the weights without end.

Measured on the simulated learning loop (seed 1, acceptance of the first proposal at purchase 3, mean edits),
without / with: e-bike (120 customers) 60.8 % (0.82) / 64.2 % (0.79), laptop (120) 63.3 % (0.68) /
65.0 % (0.63), valve (120) 66.7 % (0.69) / 68.3 % (0.68), kitchen (80) 36.2 % (2.17) / 38.8 % (2.10); e-bike
at purchase 5: 65.8 % (1.00) / 74.2 % (0.78) (docs/simulate.md). It costs one optimisation per occasion and
pass, less the occasions already proposed as chosen that the later moves cannot change (:func:`_still_chosen`),
and it is remembered per session (:data:`REPLAY_MEMO`): a customer's later requests, whatever their budget
or requirements, replay nothing until their past, their needs or the policy change. ``assemble`` (k=1) for 40
simulated customers with 5 past occasions each, side by side (median ms): e-bike 60 before the two changes,
55 on a first request, 18 on a later one, 11 without the past; kitchen 524, 472, 35 and 23 (docs/needs.md).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.customers.events import validate_event
    >>> from configurator.solver.session import ConfigurationSession, Weights
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 900}}},
    ...                 "rack": {"choose": "optional", "options": {"cargo": {"price": 100}}}}})
    >>> bought = validate_event({"event_id": "p1", "type": "configured", "customer_id": "ann", "channel": "web",
    ...     "ts": "2026-05-01T12:00:00Z", "catalog": "bike", "complete": True,
    ...     "selections": {"frame": "carbon"}}, tenant="shop")
    >>> past = past_choices(bike, [bought])
    >>> [(p.source, p.configuration.selections) for p in past]
    [('p1', {'frame': {'carbon': 1}})]
    >>> likes_alu = Weights(options={"frame.alu": 0.4, "rack.cargo": 0.2})
    >>> replayed(ConfigurationSession(bike), past, lambda required: likes_alu, lambda budget: None)
    {'frame.carbon': 0.5, 'frame.alu': -0.5, 'rack.cargo': -0.5}
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from configurator.assembly.requirements import parse_requirement, recorded
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.customers.events import Event
from configurator.errors import ConfiguratorError
from configurator.solver.memo import Recent
from configurator.solver.session import Bundle, ConfigurationSession, Weights

__all__ = [
    "REPLAY_EPOCHS",
    "REPLAY_LIMIT",
    "REPLAY_STEP",
    "PastChoice",
    "past_choices",
    "replayed",
    "with_offsets",
]

REPLAY_STEP = 0.5
"""How far one replay moves an option's weight (in the learned needs' log-odds, before the tier's needs weight).

Measured on the simulated kitchen (80 customers x 3 purchases, seed 1, acceptance at purchase 3 with mean
edits): 0.5 for 10 passes 38.8 % (2.10); 1.0 for 5 passes 37.5 % (2.21); without replay 36.2 % (2.17)."""

REPLAY_EPOCHS = 10
"""The most passes over the occasions (a pass with every occasion proposed as chosen ends the replay early)."""

REPLAY_LIMIT = 6
"""The most recent occasions replayed (each pass costs one optimisation per occasion)."""

REPLAY_MEMO = 4096
"""Replays remembered per session (the most recently used), under a digest of everything their offsets depend on."""


@dataclasses.dataclass(frozen=True)
class PastChoice:
    """A complete configuration the customer chose, with the occasion they chose it for.

    Attributes:
        configuration: what they chose (top-level selections).
        required: what they required of it (``module.option``, ``!module.option``).
        budget: the most they would pay for it (payable total, tax included), if recorded.
        source: the event that records it.
    """

    configuration: Configuration
    required: tuple[str, ...]
    budget: Decimal | None
    source: str


class _Judge(Protocol):
    @property
    def key(self) -> Hashable: ...

    def optimize_within_cap(
        self, session: ConfigurationSession, weights: Weights
    ) -> tuple[Bundle | None, bool]: ...


_REMEMBERED: weakref.WeakKeyDictionary[ConfigurationSession, Recent[bytes, dict[str, float]]] = (
    weakref.WeakKeyDictionary()
)
_REMEMBERED_LOCK = threading.Lock()


def past_choices(
    catalog: Catalog, events: Iterable[Event], *, limit: int = REPLAY_LIMIT
) -> tuple[PastChoice, ...]:
    """The ``limit`` most recent complete configurations of ``catalog`` the events record, oldest first.

    Order lines and complete ``configured`` events count; partial configurations do not (they are not a choice
    among everything valid). The same selections with the same requirements and budget count once (an order
    and the configuration it was made from). Modules and options the catalog does not know leave the
    configuration out.
    """
    seen: set[tuple[object, ...]] = set()
    found: list[PastChoice] = []
    for event in sorted(events, key=lambda e: e.ts):
        for record in recorded(event, catalog.catalog):
            if not record.complete:
                continue
            selections, required, budget = record.selections, record.required, record.budget
            key = (_selections_key(selections), required, budget)
            if key in seen or not _known(catalog, selections):
                continue
            seen.add(key)
            chosen = Configuration({m: dict(o) for m, o in selections.items() if o})
            found.append(PastChoice(chosen, required, budget, event.event_id))
    return tuple(found[-limit:]) if limit > 0 else ()


def _selections_key(selections: Mapping[str, Mapping[str, int]]) -> tuple[object, ...]:
    chosen = (
        (m, tuple(sorted((o, q) for o, q in options.items() if q))) for m, options in selections.items()
    )
    return tuple(sorted((m, options) for m, options in chosen if options))


def _digest(key: object) -> bytes:
    """A short fingerprint of a key made of tuples, strings and numbers (their reprs are exact)."""
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def _weights_key(weights: Weights) -> tuple[object, ...]:
    options, attributes = tuple(sorted(weights.options.items())), tuple(sorted(weights.attributes.items()))
    return (options, attributes, weights.price, weights.scale)


def _known(catalog: Catalog, selections: Mapping[str, Mapping[str, int]]) -> bool:
    return all(
        m in catalog.modules and all(o in catalog.modules[m].options for o in options)
        for m, options in selections.items()
    )


def _options(configuration: Configuration) -> set[str]:
    return {f"{m}.{o}" for m, options in configuration.selections.items() for o, q in options.items() if q}


def with_offsets(weights: Weights, offsets: Mapping[str, float]) -> Weights:
    """``weights`` with ``offsets`` added to the options' utilities.

    Example:
        >>> with_offsets(Weights(options={"frame.alu": 1.0}), {"frame.alu": -0.5, "rack.cargo": 0.5}).options
        {'frame.alu': 0.5, 'rack.cargo': 0.5}
    """
    if not offsets:
        return weights
    options = dict(weights.options)
    for key, value in offsets.items():
        options[key] = options.get(key, 0.0) + value
    return dataclasses.replace(weights, options=options)


def _propose(
    session: ConfigurationSession, past: PastChoice, weights: Weights, judge: _Judge | None
) -> tuple[Configuration | None, bool]:
    """The proposal for a past occasion, and whether it is the best of a set the weights do not shape.

    That set is every configuration meeting the occasion's requirements, within the budget's list-price cap
    when there is a budget (:meth:`~configurator.assembly.budget.BudgetJudge.optimize_within_cap`).
    """
    session.clear()
    try:
        for text in past.required:
            choice = parse_requirement(text)
            if choice.selected:
                session.select(choice.module, choice.option, choice.qty)
            else:
                session.deselect(choice.module, choice.option)
        if judge is None:
            found, settled = session.optimize(weights), True
        else:
            found, settled = judge.optimize_within_cap(session, weights)
    except ConfiguratorError:
        return None, False
    finally:
        session.clear()
    return (None, False) if found is None else (found.configuration, settled)


def _usable(
    session: ConfigurationSession,
    past: PastChoice,
    weights: Callable[[tuple[str, ...]], Weights],
    judge: Callable[[Decimal], _Judge | None],
) -> tuple[PastChoice, Weights, _Judge | None] | None:
    """An occasion with its weights and budget judge, or None when it cannot be replayed on this catalog."""
    try:
        if session.validate(past.configuration):
            return None
        return past, weights(past.required), judge(past.budget) if past.budget is not None else None
    except ConfiguratorError:
        return None


def replayed(
    session: ConfigurationSession,
    past: Sequence[PastChoice],
    weights: Callable[[tuple[str, ...]], Weights],
    judge: Callable[[Decimal], _Judge | None],
    *,
    step: float = REPLAY_STEP,
    epochs: int = REPLAY_EPOCHS,
) -> dict[str, float]:
    """Offsets to the options' utilities under which the customer's past choices are proposed again.

    Args:
        session: a session of the catalog with no choices (left with none).
        past: the occasions to replay (:func:`past_choices`).
        weights: the request's weights for an occasion's requirements (needs conditioned on them).
        judge: the budget judge for an occasion's budget (None: no budget).
        step: how far one replay moves an option's utility.
        epochs: the most passes over ``past``.

    Returns:
        The offset of every option whose utility moved (empty when every occasion is proposed as chosen).

    The answer is remembered per session (:data:`REPLAY_MEMO` answers) under what it depends on: each occasion's
    configuration and requirements, its weights and its judge's :attr:`key`. A customer's later requests
    replay nothing until their past, the learned needs or the policy change.
    """
    usable = [u for p in past if (u := _usable(session, p, weights, judge)) is not None] if step > 0 else []
    if not usable or epochs <= 0:
        return {}
    key = _digest(
        (
            step,
            epochs,
            tuple(
                (
                    _selections_key(c.configuration.selections),
                    c.required,
                    _weights_key(w),
                    None if j is None else j.key,
                )
                for c, w, j in usable
            ),
        )
    )
    with _REMEMBERED_LOCK:
        memo = _REMEMBERED.get(session)
        if memo is None:
            memo = _REMEMBERED[session] = Recent(REPLAY_MEMO)
    found = memo.get(key)
    if found is None:
        found = _perceptron(session, usable, step, epochs)
        memo.put(key, found)
    return dict(found)


def _perceptron(
    session: ConfigurationSession,
    usable: Sequence[tuple[PastChoice, Weights, _Judge | None]],
    step: float,
    epochs: int,
) -> dict[str, float]:
    """Passes over the occasions, moving the offsets toward each choice the proposal missed, until none is missed.

    An occasion proposed as chosen is proposed again only when a later move could change that (see
    :func:`_still_chosen`); one whose budget needed a second try at the list-price cap, every pass.
    """
    offsets: dict[str, float] = {}
    theirs = [_options(choice.configuration) for choice, _, _ in usable]
    moved: list[dict[str, float] | None] = [None] * len(usable)  # since proposed as chosen; None: to propose
    for _ in range(epochs):
        wrong = False
        for i, (choice, base, budget_judge) in enumerate(usable):
            since = moved[i]
            if since is not None and _still_chosen(theirs[i], since):
                continue
            proposed, settled = _propose(session, choice, with_offsets(base, offsets), budget_judge)
            if proposed is None:
                moved[i] = None
                continue
            ours = _options(proposed)
            if theirs[i] == ours:
                moved[i] = {} if settled else None
                continue
            wrong = True
            update = {key: step for key in sorted(theirs[i] - ours)}
            update.update({key: -step for key in sorted(ours - theirs[i])})
            for key, delta in update.items():
                offsets[key] = offsets.get(key, 0.0) + delta
            for since_j in moved:
                if since_j is not None:
                    for key, delta in update.items():
                        since_j[key] = since_j.get(key, 0.0) + delta
            moved[i] = None
        if not wrong:
            break
    return {key: value for key, value in offsets.items() if value}


def _still_chosen(chosen: set[str], moved: Mapping[str, float]) -> bool:
    """Whether moves of ``moved`` keep a configuration with options ``chosen`` best, if it was (no solve needed).

    Raising only options it has and lowering only options it lacks adds the most any configuration can gain to
    its utility, so it stays the best one of any set that holds it and that the weights do not shape (what the
    requirements allow within the budget's list-price cap: see :func:`_propose`). A configuration tied with it
    before the move and moved as much stays tied, and the solver may break that tie either way: the one case
    where proposing again could answer otherwise.
    """
    return all(delta == 0 or (delta > 0) == (key in chosen) for key, delta in moved.items())
