"""Tests of configurator.solver.session on the example catalogs (catalogs/*.yaml on 2026-11-23) and tiny ones.

Completions, bundles and reconfigurations are judged by the independent checker; the domains the session shows
must be backtrack-free (every option shown can be selected and completed) and exact (every option hidden
cannot).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration, load_configuration
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.errors import ConfigurationError, SolverError
from configurator.solver.backend import Result, get_backend
from configurator.solver.problem import Constraint, Lit, Not, Problem
from configurator.solver.session import Choice, ConfigurationSession, Conflict, Weights
from strategies import catalogs
from support import ROOT, make_catalog, open_single_choices

DAY = dt.date(2026, 11, 23)
CATALOGS = ("ebike", "kitchen", "laptop", "valve")


@cache
def catalog(name: str) -> Catalog:
    """An example catalog, loaded once."""
    return load_catalog(ROOT / "catalogs" / f"{name}.yaml")


def session(name: str) -> ConfigurationSession:
    """A fresh session on an example catalog, on the reference date."""
    return ConfigurationSession(catalog(name), on=DAY)


def price(cat: Catalog, configuration: Configuration) -> Decimal:
    """The list price of a configuration, sub-assemblies included (once per unit of their option)."""
    total = sum((cat.option(m, o).price * q for m, o, q in configuration.items()), start=Decimal(0))
    for (m, o), sub in configuration.sub.items():
        total += price(cat.products[(m, o)], sub) * configuration.quantity(m, o)
    return total


def rule_ids(cat: Catalog) -> set[str]:
    """Ids of the catalog's rules and of the structural constraints the solver adds."""
    structure = {f"module:{m}:choose" for m in cat.modules}
    structure |= {
        f"option:{m}.{o}:{k}"
        for m, mod in cat.modules.items()
        for o in mod.options
        for k in ("qty", "effective")
    }
    return {r.id for r in cat.rules} | structure


TINY = make_catalog(
    {
        "frame": {"default": "alu", "options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
        "motor": {
            "choose": "optional",
            "recommended": ["hub"],
            "options": {"hub": {"price": 700}, "mid": {"price": 900}},
        },
        "extras": {
            "choose": "any",
            "options": {"bell": {"price": 10}, "cage": {"price": 5, "qty": {"max": 3}}},
        },
    },
    [
        {"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]},
        {"id": "mid-bell", "if": "motor.mid", "requires": "extras.bell"},
    ],
)


# --- choices ---------------------------------------------------------------------------------------------


def test_choices_are_set_and_unset_in_any_order() -> None:
    """select, deselect, unset and clear edit the choices; a later choice about an option replaces the earlier."""
    s = ConfigurationSession(TINY)
    s.select("frame", "carbon")
    s.deselect("extras", "bell")
    s.select("extras", "cage", 2)
    assert s.choices == (
        Choice("frame", "carbon"),
        Choice("extras", "bell", selected=False),
        Choice("extras", "cage", qty=2),
    )
    s.select("extras", "bell")
    assert s.choices[-1] == Choice("extras", "bell") and len(s.choices) == 3
    s.unset("frame", "carbon")
    s.unset("frame", "carbon")
    assert [c.key for c in s.choices] == ["extras.cage", "extras.bell"]
    s.clear()
    assert not s.choices


def test_unknown_modules_and_options_are_refused() -> None:
    """Choices naming unknown modules or options are ConfigurationErrors with a suggestion."""
    s = ConfigurationSession(TINY)
    with pytest.raises(ConfigurationError, match=r"unknown module 'frme'.*did you mean 'frame'"):
        s.select("frme", "alu")
    with pytest.raises(ConfigurationError, match=r"unknown option frame\.carbn.*did you mean 'carbon'"):
        s.deselect("frame", "carbn")
    with pytest.raises(ConfigurationError, match="unknown option"):
        s.why("motor", "nope")


def test_tiny_domains_why_count_and_quantity_choices() -> None:
    """Domains follow the choices, why names the choice and the rule, count is exact, quantities are choices."""
    s = ConfigurationSession(TINY)
    assert s.domains() == {"frame": ("alu", "carbon"), "motor": ("hub", "mid"), "extras": ("bell", "cage")}
    total = s.count()
    assert (
        total == (2 * 3 - 1) * 8 - 2 * 4
    )  # frame x motor without carbon+hub, times extras, minus mid without bell
    s.select("frame", "carbon")
    assert s.domains()["motor"] == ("mid",)
    assert s.why("motor", "hub") == Conflict(("frame.carbon",), ("no-hub",))
    assert s.why("motor", "mid") is None
    s.select("extras", "cage", 3)
    assert s.count() == 2 * 2 - 1  # no motor or mid; bell free unless mid
    s.deselect("extras", "bell")
    assert s.domains()["motor"] == ()
    assert s.why("motor", "mid") == Conflict(("extras.bell",), ("mid-bell",))
    configuration = s.complete()
    assert configuration is not None and configuration.quantity("extras", "cage") == 3
    assert find_violations(TINY, configuration) == []


@pytest.mark.parametrize("backend", ["python_constraint", "exhaustive"])
def test_other_backends_give_the_same_answers(backend: str) -> None:
    """A session works with any backend and gives the same domains and counts as CP-SAT."""
    reference, other = ConfigurationSession(TINY), ConfigurationSession(TINY, backend=backend)
    for s in (reference, other):
        s.select("motor", "mid")
    assert other.domains() == reference.domains()
    assert other.count() == reference.count()
    assert other.why("frame", "carbon") == reference.why("frame", "carbon") is None


def test_explain_and_repair_a_conflict() -> None:
    """``explain`` names the conflicting choices and rule; repair gives up the cheapest choice."""
    s = ConfigurationSession(TINY)
    s.select("frame", "carbon")
    s.select("motor", "hub")
    assert s.explain() == Conflict(("frame.carbon", "motor.hub"), ("no-hub",))
    assert s.complete() is None
    fix = s.repair({"frame.carbon": 5})
    assert fix is not None and fix.drop == ("motor.hub",) and fix.cost == 1
    fix = s.repair({"frame.carbon": 1, "motor.hub": 3})
    assert fix is not None and fix.drop == ("frame.carbon",) and fix.cost == 1
    s.unset("motor", "hub")
    assert s.explain() is None
    fix = s.repair()
    assert fix is not None and fix.drop == ()


def test_unknown_strategy_and_empty_objectives() -> None:
    """``complete`` refuses an unknown strategy; optimize needs at least one set of weights."""
    s = ConfigurationSession(TINY)
    with pytest.raises(SolverError, match="unknown completion strategy 'best'"):
        s.complete("best")
    with pytest.raises(SolverError, match="at least one"):
        s.optimize([])


def test_lexicographic_weights() -> None:
    """A list of weights is lexicographic: the second only breaks the ties of the first."""
    s = ConfigurationSession(TINY)
    first = Weights(options={"motor.hub": 1, "motor.mid": 1})
    second = Weights(price=-1.0, scale=100)
    bundle = s.optimize([first, second])
    assert bundle is not None and bundle.status == "optimal"
    assert bundle.configuration.selections == {"frame": {"alu": 1}, "motor": {"hub": 1}}
    assert bundle.utility == 1 and bundle.price == Decimal(1100)


@pytest.mark.parametrize("price_weight", [0.0, -1e-7, -0.4e-3])
def test_a_unit_too_cheap_to_weigh_is_still_never_free(price_weight: float) -> None:
    """Extra units are never proposed for nothing: a per-unit weight that rounds to 0 still asks for fewer."""
    shop = make_catalog(
        {
            "cabinets": {"options": {"base": {"price": 300, "qty": {"min": 1, "max": 6}}}},
            "handles": {"options": {"knob": {"price": 1, "qty": {"min": 1, "max": 40}}}},
        },
        [{"id": "a-handle-per-cabinet", "constraint": "count(handles) >= count(cabinets)"}],
    )
    s = ConfigurationSession(shop)
    s.select("cabinets", "base", qty=3)
    bundle = s.optimize(Weights(options={"handles.knob": 1.0}, price=price_weight))
    assert bundle is not None
    assert bundle.configuration.selections == {"cabinets": {"base": 3}, "handles": {"knob": 3}}


# --- the example catalogs ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CATALOGS)
def test_completions_pass_the_checker(name: str) -> None:
    """complete('defaults' | 'recommended' | 'cheapest') gives configurations the checker accepts."""
    s = session(name)
    found = {}
    for strategy in ("defaults", "recommended", "cheapest"):
        configuration = s.complete(strategy)
        assert configuration is not None, strategy
        assert find_violations(s.catalog, configuration, on=DAY) == [], strategy
        found[strategy] = configuration
    cheapest = price(s.catalog, found["cheapest"])
    assert cheapest <= price(s.catalog, found["defaults"])
    assert cheapest <= price(s.catalog, found["recommended"])


@pytest.mark.parametrize("name", CATALOGS)
def test_example_configurations_validate(name: str) -> None:
    """The session's validate accepts the valid example configuration and rejects the invalid one."""
    s = session(name)
    prefix = {
        "ebike": "ebike-urban",
        "kitchen": "kitchen-modular",
        "laptop": "laptop-pro14",
        "valve": "valve-pn5",
    }[name]
    examples = ROOT / "catalogs" / "examples"
    assert s.validate(load_configuration(examples / f"{prefix}.yaml")) == []
    assert s.validate(load_configuration(examples / f"{prefix}-invalid.yaml")) != []


@pytest.mark.parametrize("name", CATALOGS)
def test_domains_are_backtrack_free_and_exact(name: str) -> None:
    """After random choices, every option shown completes to a valid configuration, and no hidden one does."""
    s = session(name)
    rng = random.Random(name)
    for _ in range(2):
        domains = s.domains()
        chosen = {c.key for c in s.choices}
        candidates = [(m, o) for m, options in domains.items() for o in options if f"{m}.{o}" not in chosen]
        s.select(*rng.choice(candidates))
    domains = s.domains()
    for module, mod in s.catalog.modules.items():
        for option in mod.options:
            key = f"{module}.{option}"
            if any(c.key == key or (c.module == module and mod.max_choices <= 1) for c in s.choices):
                continue  # chosen, or selecting it would replace the module's choice
            s.select(module, option)
            configuration = s.complete()
            s.unset(module, option)
            if option in domains[module]:
                assert configuration is not None, key
                assert configuration.quantity(module, option) > 0
                assert find_violations(s.catalog, configuration, on=DAY) == [], key
            else:
                assert configuration is None, key


@pytest.mark.parametrize("name", CATALOGS)
def test_why_names_the_choices_and_rules(name: str) -> None:
    """When a choice removes an option, why names user choices and rule ids that exist."""
    s = session(name)
    before = s.domains()
    rng = random.Random(f"why-{name}")
    pairs = [(m, o) for m, options in before.items() for o in options]
    rng.shuffle(pairs)
    for module, option in pairs:
        s.clear()
        s.select(module, option)
        after = s.domains()
        removed = [
            (m, o) for m, options in before.items() for o in options if o not in after[m] and m != module
        ]
        if removed:
            break
    else:  # pragma: no cover - every example catalog has rules that bite
        pytest.fail("no choice removes an option")
    target = removed[0]
    conflict = s.why(*target)
    assert conflict is not None
    assert conflict.choices == (f"{module}.{option}",)
    assert conflict.constraints and set(conflict.constraints) <= rule_ids(s.catalog)
    assert s.why(module, option) is None


def test_why_an_option_is_off_sale() -> None:
    """An option not on sale on the date is explained by its effective dates."""
    s = session("ebike")
    off = [
        (m, o)
        for m, mod in s.catalog.modules.items()
        for o, opt in mod.options.items()
        if not (mod.effective(DAY) and opt.effective(DAY))
    ]
    assert off
    module, option = off[0]
    assert s.why(module, option) == Conflict((), (f"option:{module}.{option}:effective",))
    assert option not in s.domains()[module]


@pytest.mark.parametrize("name", CATALOGS)
def test_optimize_respects_the_budget(name: str) -> None:
    """``optimize`` with a budget returns a valid bundle within it, or None when nothing fits."""
    s = session(name)
    cheapest = s.complete("cheapest")
    assert cheapest is not None
    floor = price(s.catalog, cheapest)
    rng = random.Random(name)
    weights = Weights(
        options={f"{m}.{o}": rng.uniform(0, 5) for m, mod in s.catalog.modules.items() for o in mod.options}
    )
    free = s.optimize(weights)
    assert free is not None and free.status == "optimal"
    budget = floor + (free.price - floor) / 2
    bundle = s.optimize(weights, budget=budget)
    assert bundle is not None and bundle.status == "optimal"
    assert bundle.price <= budget and bundle.utility <= free.utility
    assert bundle.price == price(s.catalog, bundle.configuration)
    assert find_violations(s.catalog, bundle.configuration, on=DAY) == []
    assert s.optimize(weights, budget=floor - Decimal("0.01")) is None


@pytest.mark.parametrize("name", CATALOGS)
def test_repair_ranks_by_weights(name: str) -> None:
    """Two conflicting choices: repair gives up the one with the smaller weight."""
    s = session(name)
    before = s.domains()
    first = second = None
    for module, options in before.items():
        for option in options:
            s.clear()
            s.select(module, option)
            after = s.domains()
            lost = [(m, o) for m, opts in before.items() if m != module for o in opts if o not in after[m]]
            if lost:
                first, second = (module, option), lost[0]
                break
        if first:
            break
    assert first is not None and second is not None
    s.select(*second)
    a, b = f"{first[0]}.{first[1]}", f"{second[0]}.{second[1]}"
    conflict = s.explain()
    assert conflict is not None and set(conflict.choices) == {a, b}
    keep_first = s.repair({a: 5, b: 1})
    assert keep_first is not None and keep_first.drop == (b,) and keep_first.cost == 1
    keep_second = s.repair({a: 1, b: 5})
    assert keep_second is not None and keep_second.drop == (a,) and keep_second.cost == 1


def test_top_k_bundles_on_a_catalog() -> None:
    """``top_k`` gives diverse valid bundles in non-increasing utility, within the budget."""
    s = session("laptop")
    weights = Weights(price=-1.0, scale=100)
    cheapest = s.complete("cheapest")
    assert cheapest is not None
    budget = price(s.catalog, cheapest) * 2
    bundles = s.top_k(weights, 3, distance=2, budget=budget)
    assert len(bundles) == 3
    utilities = [b.utility for b in bundles]
    assert utilities == sorted(utilities, reverse=True)
    for b in bundles:
        assert find_violations(s.catalog, b.configuration, on=DAY) == []
        assert b.price <= budget
    over = [v.name for v in s.cp.problem.variables if "#" not in v.name]  # module choices, not quantities
    picks = [s.cp.to_assignment(b.configuration) for b in bundles]
    for i in range(3):
        for j in range(i + 1, 3):
            assert sum(picks[i][n] != picks[j][n] for n in over) >= 2


def test_reconfigure_meets_requirements_with_few_changes() -> None:
    """``reconfigure`` keeps an installed configuration where it can and meets the new requirement."""
    s = session("ebike")
    installed = s.complete("defaults")
    assert installed is not None
    same = s.reconfigure(installed)
    assert same is not None and same.selections == installed.selections
    domains = s.domains()
    module, option = next(
        (m, o) for m, options in domains.items() for o in options if installed.quantity(m, o) == 0
    )
    changed = s.reconfigure(installed, [f"{module}.{option}"])
    assert changed is not None and changed.quantity(module, option) > 0
    assert find_violations(s.catalog, changed, on=DAY) == []
    before = {(m, o) for m, o, _ in installed.items()}
    after = {(m, o) for m, o, _ in changed.items()}
    s.select(module, option)
    other = s.complete("defaults")
    assert other is not None
    assert len(before ^ after) <= len(before ^ {(m, o) for m, o, _ in other.items()})


@pytest.mark.parametrize("name", ["laptop", "valve"])
def test_count_partitions_over_a_mandatory_module(name: str) -> None:
    """The count equals the sum of the counts with each option of a mandatory single-choice module selected."""
    s = session(name)
    total = s.count()
    assert type(total) is int and total > 0
    module = next(m for m, mod in s.catalog.modules.items() if mod.choose.min == 1 and mod.max_choices == 1)
    parts = []
    for option in s.catalog.modules[module].options:
        s.clear()
        s.select(module, option)
        parts.append(s.count())
    assert sum(parts) == total


def test_removed_lists_every_hidden_option_with_its_reason() -> None:
    """removed() gives a reason for exactly the options the domains hide."""
    s = ConfigurationSession(TINY)
    s.select("frame", "carbon")
    s.deselect("extras", "bell")
    domains = s.domains()
    hidden = {f"{m}.{o}" for m, mod in TINY.modules.items() for o in mod.options if o not in domains[m]}
    reasons = s.removed()
    assert set(reasons) == hidden == {"frame.alu", "motor.hub", "motor.mid", "extras.bell"}
    assert reasons["motor.mid"] == Conflict(("extras.bell",), ("mid-bell",))


def test_unknown_propagation_engine() -> None:
    """An unknown propagation engine is a SolverError."""
    with pytest.raises(SolverError, match="unknown propagation engine"):
        ConfigurationSession(TINY, propagation="magic")


@st.composite
def sessions_with_choices(draw: st.DrawFn) -> tuple[Catalog, dt.date | None, list[Choice]]:
    """A random small catalog, a date (or None) and random choices: selections, quantities, exclusions."""
    cat = draw(catalogs(max_modules=3, max_options=3))
    on = draw(st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))))
    options = [(m, o) for m, mod in cat.modules.items() for o in mod.options]
    picked = draw(st.lists(st.sampled_from(options), unique=True, max_size=3))
    choices = []
    for module, option in picked:
        kind = draw(st.sampled_from(["select", "select", "deselect", "qty"]))
        if kind == "qty":
            qty = cat.modules[module].options[option].qty
            choices.append(Choice(module, option, True, draw(st.integers(qty.min, qty.max + 1))))
        else:
            choices.append(Choice(module, option, kind == "select"))
    return cat, on, choices


def meets(choice: Choice, configuration: Configuration) -> bool:
    """Whether a configuration honours a choice."""
    qty = configuration.quantity(choice.module, choice.option)
    if not choice.selected:
        return qty == 0
    return qty > 0 and (choice.qty is None or qty == choice.qty)


@settings(max_examples=80, deadline=None)
@given(sessions_with_choices())
def test_random_domains_and_counts_from_diagram_and_solver(
    drawn: tuple[Catalog, dt.date | None, list[Choice]],
) -> None:
    """Domains (diagram and solver engines) and counts equal brute force over the valid configurations."""
    cat, on, choices = drawn
    try:
        by_diagram = ConfigurationSession(cat, on=on, propagation="diagram")
    except SolverError:  # a non-linear rule
        assume(False)
        raise
    assume(by_diagram.cp.problem.size() <= 5_000)
    by_solver = ConfigurationSession(cat, on=on, propagation="solver")
    for s in (by_diagram, by_solver):
        for c in choices:
            try:
                if c.selected:
                    s.select(c.module, c.option, c.qty)
                else:
                    s.deselect(c.module, c.option)
            except ConfigurationError:
                continue  # a quantity out of range or one option too many: refused, nothing changed
    assert by_diagram.choices == by_solver.choices
    choices = list(by_diagram.choices)
    valid = [
        configuration
        for configuration in (
            by_solver.cp.to_configuration(a)
            for a in get_backend("exhaustive").solutions(by_solver.cp.problem)
        )
        if all(meets(c, configuration) for c in choices)
    ]
    expected = {
        m: tuple(o for o in mod.options if any(v.quantity(m, o) > 0 for v in valid))
        for m, mod in cat.modules.items()
    }
    assert by_diagram.domains() == expected
    assert by_solver.domains() == expected
    assert by_diagram.count() == len(valid)
    configuration = by_solver.complete()
    assert (configuration is None) is (not valid)
    if configuration is not None:
        assert find_violations(cat, configuration, on=on) == []
        assert all(meets(c, configuration) for c in choices)


@pytest.mark.parametrize("name", ["ebike", "laptop", "valve"])
def test_every_removed_option_comes_back_when_its_named_choices_are_undone(name: str) -> None:
    """After each random choice, undoing a removed option's named choices (from the diagram) makes it available."""
    catalog = load_catalog(ROOT / "catalogs" / f"{name}.yaml")
    session = ConfigurationSession(catalog, on=DAY)
    rng = random.Random(7)
    rule_ids = {r.id for r in catalog.rules}
    checked = 0
    for _ in range(5):
        free = open_single_choices(session)
        if not free:
            break
        session.select(*rng.choice(free))
        reasons = session.removed()
        choices = session.choices
        if session._assumption_pairs() is None:
            continue  # a choice the diagram cannot take as one value: the solver's minimal conflicts answer
        for key, reason in reasons.items():
            module, _, option = key.partition(".")
            assert set(reason.choices) <= {c.key for c in choices}
            assert all(r in rule_ids or r.startswith("module:") or ":" in r for r in reason.constraints)
            if not reason.choices:
                continue  # dead or out of date whatever is chosen
            other = ConfigurationSession(catalog, on=DAY)
            for c in choices:
                if c.key not in reason.choices:
                    other.select(c.module, c.option, c.qty) if c.selected else other.deselect(
                        c.module, c.option
                    )
            assert option in other.domains()[module], (key, reason)
            assert _rules_rule_it_out(session, module, option, reason.constraints), (key, reason)
            checked += 1
    assert checked


def _rules_rule_it_out(session: ConfigurationSession, module: str, option: str, named: Sequence[str]) -> bool:
    """Whether the named rules, the modules' cardinalities and the session's choices exclude the option."""
    problem = session.cp.problem
    kept = [c for c in problem.constraints if c.kind in ("cardinality", "quantity") or c.id in set(named)]
    target = Constraint("target", session.cp.selected(module, option), "target")
    choices = [
        Constraint(c.key, literal if c.selected else Not(literal), "choice")
        for c in session.choices
        if isinstance(literal := session.cp.selected(c.module, c.option), Lit)
    ]
    restricted = Problem(problem.variables, (*kept, target, *choices))
    return get_backend("cpsat").solve(restricted).status == "infeasible"


def test_the_choices_kept_take_part_in_a_reason_when_those_to_undo_cannot_alone() -> None:
    """Undoing one choice brings the child seat back, and the reason names the rules with the other choices kept."""
    catalog = load_catalog(ROOT / "catalogs" / "ebike.yaml")
    session = ConfigurationSession(catalog, on=DAY)
    for module, option in (
        ("brakes", "tektro_md_c550"),
        ("paint", "signal_orange"),
        ("drivetrain", "rohloff_e14_belt"),
    ):
        session.select(module, option)
    reason = session.removed()["accessories.thule_yepp2_maxi"]
    # undoing either the belt drive or the brakes brings it back: the diagram's order picks one of the two
    assert reason.choices in (("drivetrain.rohloff_e14_belt",), ("brakes.tektro_md_c550",))
    assert {"heavy-hydraulic", "child-seat-kickstand"} <= set(reason.constraints)
    assert _rules_rule_it_out(session, "accessories", "thule_yepp2_maxi", reason.constraints)


def test_a_session_refuses_impossible_quantities_and_replaces_a_one_option_choice() -> None:
    """A quantity out of range or one option too many is refused with the range; one-option modules replace."""
    cat = make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {}}},
            "cushions": {
                "choose": {"min": 0, "max": 2},
                "options": {"a": {"qty": {"min": 2, "max": 6}}, "b": {}, "c": {}},
            },
        }
    )
    s = ConfigurationSession(cat)
    s.select("frame", "alu")
    s.select("frame", "carbon")
    assert [c.key for c in s.choices] == ["frame.carbon"]
    with pytest.raises(ConfigurationError, match=r"cushions\.a: the quantity must be 2 to 6, got 7"):
        s.select("cushions", "a", 7)
    s.select("cushions", "a", 2)
    s.select("cushions", "b")
    with pytest.raises(ConfigurationError, match="cushions takes at most 2 options"):
        s.select("cushions", "c")
    assert [c.key for c in s.choices] == ["frame.carbon", "cushions.a", "cushions.b"]


def test_after_warming_a_single_choice_is_explained_without_the_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """warm_reasons answers once what only the solver knows; a later session choosing one option never asks it."""
    from configurator.solver.reasons import warm_reasons

    catalog = load_catalog(ROOT / "catalogs" / "valve.yaml")
    assert warm_reasons(ConfigurationSession(catalog, on=DAY)) > 0

    def no_solver(*args: object) -> None:
        raise AssertionError("the solver was asked")

    monkeypatch.setattr(ConfigurationSession, "_why_with", no_solver)
    session = ConfigurationSession(catalog, on=DAY)
    session.select("connector", "m8")
    reasons = session.removed()
    assert reasons and all(r.choices == ("connector.m8",) for r in reasons.values() if r.choices)


def test_a_copy_has_the_same_choices_and_domains_and_changes_apart() -> None:
    """A session's copy answers the same domains and reasons; choices made on either stay their own."""
    catalog = load_catalog(ROOT / "catalogs" / "ebike.yaml")
    session = ConfigurationSession(catalog, on=DAY)
    session.select("brakes", "tektro_md_c550")
    twin = session.copy()
    assert twin.choices == session.choices and twin.domains() == session.domains()
    assert twin.removed() == session.removed()
    twin.select("drivetrain", "rohloff_e14_belt")
    assert [c.key for c in session.choices] == ["brakes.tektro_md_c550"]
    assert twin.domains() != session.domains()


class _Fresh:
    """CP-SAT without a kept model: every call builds and solves a fresh one (the reference path)."""

    name = "cpsat-fresh"

    def __init__(self) -> None:
        self._inner = get_backend("cpsat")

    @property
    def capabilities(self) -> frozenset[str]:
        return self._inner.capabilities

    def solve(self, problem: Problem, **kwargs: Any) -> Result:
        return self._inner.solve(problem, **kwargs)

    def solutions(self, problem: Problem, **kwargs: Any) -> Iterator[dict[str, int]]:
        return self._inner.solutions(problem, **kwargs)

    def count(self, problem: Problem, **kwargs: Any) -> int:
        return self._inner.count(problem, **kwargs)


def _changes(a: Configuration, b: Configuration) -> tuple[int, int]:
    """Options added or removed, then quantities changed."""
    return (
        len({(m, o) for m, o, _ in a.items()} ^ {(m, o) for m, o, _ in b.items()}),
        len({(m, o, q) for m, o, q in a.items()} ^ {(m, o, q) for m, o, q in b.items()}),
    )


@pytest.mark.parametrize("name", CATALOGS)
def test_reconfigure_on_the_kept_model_changes_as_little_as_a_fresh_model(name: str) -> None:
    """The session's kept model finds reconfigurations as close (options, then quantities) as a fresh model."""
    s = session(name)
    fresh = ConfigurationSession(s.catalog, on=DAY, backend=_Fresh(), propagation="solver")
    rng = random.Random(11)
    installed = s.complete("defaults")
    assert installed is not None
    options = [(m, o) for m, mod in s.catalog.modules.items() for o in mod.options]
    for module, option in rng.sample(options, 6):
        kept = s.reconfigure(installed, [f"{module}.{option}"])
        reference = fresh.reconfigure(installed, [f"{module}.{option}"])
        assert (kept is None) == (reference is None), f"{module}.{option}"
        if kept is not None and reference is not None:
            assert find_violations(s.catalog, kept, on=DAY) == []
            assert _changes(installed, kept) == _changes(installed, reference), f"{module}.{option}"


def test_reconfigure_memo_answers_the_same_question_without_solving() -> None:
    """With a memo, the same installed configuration and requirement share one solve; other choices do not."""
    catalog = session("ebike").catalog
    s = ConfigurationSession(catalog, on=DAY, memo=8)
    installed = s.complete("defaults")
    assert installed is not None
    module, option = next(
        (m, o) for m, mod in catalog.modules.items() for o in mod.options if installed.quantity(m, o) == 0
    )
    first = s.reconfigure(installed, [f"{module}.{option}"])
    optimizer = s._kept_optimizer()
    assert optimizer is not None and first is not None
    solves = optimizer.solves  # type: ignore[attr-defined]
    again = s.reconfigure(Configuration(dict(installed.selections)), [f"{module}.{option}"])
    assert again is first and optimizer.solves == solves  # type: ignore[attr-defined]
    s.select(module, option)
    assert s.reconfigure(installed, [f"{module}.{option}"]) is not None
    assert optimizer.solves == solves + 1  # type: ignore[attr-defined]
    plain = ConfigurationSession(catalog, on=DAY)
    assert plain.reconfigure(installed, [f"{module}.{option}"]) is not first


def test_reconfigure_without_a_solve_when_the_plain_change_is_valid() -> None:
    """Putting the option in alone is valid: that is the answer, and the solver is not asked."""
    catalog = session("ebike").catalog
    s = ConfigurationSession(catalog, on=DAY)
    installed = s.complete("defaults")
    assert installed is not None
    optimizer = s._kept_optimizer()
    assert optimizer is not None
    direct = 0
    for module_id, module in catalog.modules.items():
        for option_id in module.options:
            plain = {m: dict(o) for m, o in installed.selections.items()}
            if module.max_choices <= 1:
                plain[module_id] = {}
            plain.setdefault(module_id, {})[option_id] = max(1, module.options[option_id].qty.min)
            if find_violations(catalog, Configuration(plain), on=DAY):
                continue
            solves = optimizer.solves  # type: ignore[attr-defined]
            found = s.reconfigure(installed, [f"{module_id}.{option_id}"])
            assert found is not None and {m: dict(o) for m, o in found.selections.items()} == plain
            assert optimizer.solves == solves  # type: ignore[attr-defined]
            direct += 1
    assert direct >= 3
