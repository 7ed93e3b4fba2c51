"""A Bayesian network of needs: a structure searched on the sales, exact inference given the chosen values.

:class:`BayesianNetworkNeeds` learns a directed acyclic graph over the need variables by greedy hill climbing
on the BDeu score (Heckerman, Geiger and Chickering 1995), each variable with at most ``max_parents`` parents,
then one conditional probability table per variable from the smoothed counts. ``P(value | partial)`` is exact in
that network: the variables that are neither the predicted one, nor chosen, nor an ancestor of either are
dropped (they sum to one), the chosen values are clamped, and the rest is summed out by variable elimination
(smallest merged factor first, given the evidence; choices in another connected part of the network are left
out). Many questions on the same choices (guided selling asks about every variable) are answered by one pass
over the network's junction tree instead, where its cliques fit.

A column the sales always gave one value (an option nobody bought, a part everybody got) gets no parents: it
has nothing to explain, though BDeu scores it higher beside a rare option, and inference would have to join
the parents given to it (on a catalog of hundreds of options with few sales, that made every query slow).

Why: a tree (:class:`~configurator.needs.models.ChowLiuNeeds`) gives each variable one parent; option packs
and the constraints between three variables (a version, a trim level and an engine, say) need two. On the
Renault medium history the network is the most precise model measured (docs/benchmarks.md, "Learned
needs").

Missing cells (a variable a sale did not record): a sale teaches every variable it recorded; a parent it did
not record counts as an "unrecorded" value of that parent when the structure is scored (so every candidate
family of a variable is judged on the same sales), and the tables are read from the sales that recorded the
whole family.

Example:
    >>> rows = [{"trim": t, "engine": e, "pack": int(t == e == 1)} for t in (0, 1) for e in (0, 1)] * 5
    >>> model = BayesianNetworkNeeds().fit(rows)
    >>> model.recommend("pack", {"trim": 1, "engine": 1})[0][0], model.recommend("pack", {"trim": 1})[0][0]
    (1, 0)
    >>> sorted(model.parents_of("pack"))
    ['engine', 'trim']
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np
from scipy.special import gammaln

from configurator.errors import ConfiguratorError
from configurator.needs.base import FloatArray, NeedsModel

__all__ = ["BayesianNetworkNeeds"]

_Factor = tuple[list[int], FloatArray]

MAX_CELLS = 4_000_000
"""The largest factor inference builds. A junction tree with a larger clique is not built (queries are then
eliminated on their evidence: Renault big's tree would be, its queries never come close), and a query whose
elimination would build one answers the variable's marginal instead."""


class BayesianNetworkNeeds(NeedsModel):
    """A Bayesian network learned by hill climbing on BDeu, with exact inference (see the module docstring).

    Args:
        max_parents: at most this many parents per variable (>= 0; 0 makes every variable independent).
        ess: BDeu's equivalent sample size (> 0): the prior's weight in the structure score; smaller keeps
            fewer edges.
        alpha: pseudo-count added to every cell of a table (> 0).
        max_table: a family (a variable and its parents) whose table would hold more cells is not considered.

    Learned state: ``parents_`` (the parent columns of each column), ``tables_`` (each column's conditional
    probabilities, indexed by its parents' codes then its own) and ``score_`` (the network's BDeu score).
    """

    name = "bayes_net"

    def __init__(
        self, max_parents: int = 2, ess: float = 1.0, alpha: float = 0.5, max_table: int = 20_000
    ) -> None:
        super().__init__()
        if max_parents < 0 or not ess > 0 or not alpha > 0 or max_table < 1:
            raise ConfiguratorError(
                "BayesianNetworkNeeds: expected max_parents >= 0, ess > 0, alpha > 0 and max_table >= 1, got "
                f"{max_parents}, {ess}, {alpha}, {max_table}"
            )
        self.max_parents = max_parents
        self.ess = ess
        self.alpha = alpha
        self.max_table = max_table

    def parents_of(self, variable: str) -> list[str]:
        """The parents of a variable in the learned network.

        Raises:
            ConfiguratorError: a variable the model did not learn.
        """
        self._check()
        column = self._column.get(variable)
        if column is None:
            raise ConfiguratorError(
                f"unknown variable {variable!r}: the model learned {len(self.variables_)}"
            )
        return [self.variables_[p] for p in self.parents_[column]]

    # -- learning ---------------------------------------------------------------------------------------------

    def _counts(self, child: int, parents: tuple[int, ...]) -> FloatArray:
        """Counts of (parents' joint value, child value) over the rows that recorded the child.

        A parent the row did not record counts as one more value of that parent ("unrecorded"), so every family
        of a child is scored on the same rows (scored on the rows recording the whole family, a parent that is
        seldom recorded would look better for leaving fewer rows to explain).
        """
        sizes = self._cells
        rows = self._recorded[child]  # the rows that recorded the child
        index = np.zeros(len(rows), dtype=np.int64)
        for p in parents:
            index = index * (sizes[p] + 1) + self._filled[rows, p]
        index = index * sizes[child] + self._filled[rows, child]
        q = math.prod(sizes[p] + 1 for p in parents)
        return np.bincount(index, minlength=q * sizes[child]).reshape(q, sizes[child]).astype(np.float64)

    def _local(self, child: int, parents: tuple[int, ...]) -> float:
        """The BDeu score of one family (memoised for the search)."""
        key = (child, parents)
        found = self._memo.get(key)
        if found is None:
            counts = self._counts(child, parents)
            q, r = counts.shape
            per_row, per_cell = self.ess / q, self.ess / (q * r)
            found = float(
                np.sum(gammaln(per_row) - gammaln(per_row + counts.sum(axis=1)))
                + np.sum(gammaln(per_cell + counts) - gammaln(per_cell))
            )
            self._memo[key] = found
        return found

    def _moves(
        self, child: int, parents: tuple[int, ...], current: float
    ) -> list[tuple[float, int, tuple[int, ...]]]:
        """Every improving change of one variable's parents: (gain, child, new parents), best first."""
        sizes = self._cells
        if not self._varying[child]:
            return []  # one value in every row that recorded it: nothing for parents to explain
        found: list[tuple[float, int, tuple[int, ...]]] = []
        for p in parents:
            fewer = tuple(x for x in parents if x != p)
            found.append((self._local(child, fewer) - current, child, fewer))
        if len(parents) < self.max_parents:
            table = math.prod(sizes[x] + 1 for x in parents) * sizes[child]
            for p in range(len(sizes)):
                if p != child and p not in parents and table * (sizes[p] + 1) <= self.max_table:
                    more = tuple(sorted((*parents, p)))
                    found.append((self._local(child, more) - current, child, more))
        return sorted((move for move in found if move[0] > 1e-9), key=lambda move: (-move[0], move[2]))

    def _fit(self) -> None:
        self._cells = sizes = self._sizes()  # each column's number of values, read on every family and query
        codes = self._codes
        # an unrecorded cell as one more value of its column, and each column's recorded rows: read by every
        # family scored (hundreds of thousands on a catalog of hundreds of modules)
        self._filled = np.where(codes >= 0, codes, np.asarray(sizes, dtype=codes.dtype)).astype(np.int64)
        self._recorded = [np.flatnonzero(codes[:, v] >= 0) for v in range(len(sizes))]
        # a column sold with one value has nothing for parents to explain; BDeu would still give it parents (a
        # smaller prior per parent value scores a deterministic column higher), tying them in the moral graph
        self._varying = [bool(np.unique(codes[self._recorded[v], v]).size > 1) for v in range(len(sizes))]
        c = len(sizes)
        self._memo: dict[tuple[int, tuple[int, ...]], float] = {}
        parents: list[tuple[int, ...]] = [() for _ in range(c)]
        children: list[set[int]] = [set() for _ in range(c)]
        current = [self._local(v, ()) for v in range(c)]
        moves = [self._moves(v, (), current[v]) for v in range(c)]

        def below(a: int) -> set[int]:
            """``a`` and every variable a directed path leads to from ``a``."""
            stack, seen = [a], {a}
            while stack:
                fresh = children[stack.pop()] - seen
                seen |= fresh
                stack.extend(fresh)
            return seen

        while True:
            # Each variable's moves are sorted best first, so merging them lazily visits the moves in the order
            # of one sort of them all and stops at the first that keeps the graph acyclic; the graph does not
            # change until then, so each child's descendants are walked once.
            ranked = heapq.merge(*moves, key=lambda m: (-m[0], m[1], m[2]))
            descendants: dict[int, set[int]] = {}
            for gain, child, new in ranked:
                added = set(new) - set(parents[child])
                if added:
                    reached = descendants.get(child)
                    if reached is None:
                        reached = descendants[child] = below(child)
                    if not added.isdisjoint(reached):
                        continue  # the edge would close a cycle
                for p in parents[child]:
                    children[p].discard(child)
                for p in new:
                    children[p].add(child)
                parents[child] = new
                current[child] += gain
                moves[child] = self._moves(child, new, current[child])
                break
            else:
                break
        self.parents_ = tuple(parents)
        self.score_ = sum(current)
        order, cliques = _elimination(self.parents_, sizes)
        self._tree = _JunctionTree(order, cliques, self.parents_, sizes)
        self._calibrated: tuple[tuple[tuple[int, int], ...], list[FloatArray]] | None = None
        self._asked: tuple[tuple[int, int], ...] | None = None
        self._memo = {}
        self.tables_: list[FloatArray] = []
        for v in range(c):
            counts = self._counts(v, parents[v]).reshape([sizes[p] + 1 for p in parents[v]] + [sizes[v]])
            counts = (
                counts[tuple(slice(0, sizes[p]) for p in parents[v])] + self.alpha
            )  # recorded parents only
            self.tables_.append(counts / counts.sum(axis=-1, keepdims=True))
        # the search's working state: not kept with the learned model
        del self._filled, self._recorded, self._varying
        self._ancestors: list[frozenset[int]] = []
        for v in range(c):
            seen, stack = {v}, [v]
            while stack:
                for p in parents[stack.pop()]:
                    if p not in seen:
                        seen.add(p)
                        stack.append(p)
            self._ancestors.append(frozenset(seen))
        self._component = _components(self.parents_)

    # -- inference --------------------------------------------------------------------------------------------

    def _scores(self, j: int, partial: list[tuple[int, int]]) -> FloatArray:
        evidence = {column: code for column, code in partial if code >= 0 and column != j}
        key = tuple(sorted(evidence.items()))
        calibrated = self._calibrated
        if calibrated is not None and calibrated[0] == key:
            return calibrated[1][j]
        if self._asked == key and self._tree.fits:
            # a second question on the same choices (guided selling asks about every variable): one pass over
            # the junction tree answers them all
            marginals = self._tree.marginals(self.tables_, evidence)
            self._calibrated = (key, marginals)
            return marginals[j]
        self._asked = key
        # choices in another connected part of the network multiply j's belief by a constant: left out
        mine = self._component[j]
        relevant = set(self._ancestors[j]).union(
            *(self._ancestors[column] for column in evidence if self._component[column] == mine)
        )
        sizes = self._cells
        factors: list[_Factor | None] = []
        holding: dict[int, list[int]] = {}
        for v in sorted(relevant):
            scope = [*self.parents_[v], v]
            index = tuple(evidence[x] if x in evidence else slice(None) for x in scope)
            _add(factors, holding, ([x for x in scope if x not in evidence], self.tables_[v][index]))
        hidden = {v for v in relevant if v != j and v not in evidence}
        if not _sum_out(factors, holding, hidden, sizes):
            return self.counts_[self.variables_[j]] + self.alpha  # too big to be exact: the marginal
        belief = np.ones(sizes[j])
        for factor in factors:
            if factor is not None and factor[0]:  # only j is left in any scope
                belief = belief * factor[1]
        return belief


def _components(parents: tuple[tuple[int, ...], ...]) -> list[int]:
    """Each variable's connected part of the network (links taken either way), numbered by its lowest variable.

    Example:
        >>> _components(((), (0,), (), (2,), ()))
        [0, 0, 2, 2, 4]
    """
    part = list(range(len(parents)))

    def root(v: int) -> int:
        while part[v] != v:
            part[v] = part[part[v]]
            v = part[v]
        return v

    for child, mine in enumerate(parents):
        for p in mine:
            a, b = root(child), root(p)
            part[max(a, b)] = min(a, b)
    return [root(v) for v in range(len(parents))]


def _sum_out(
    factors: list[_Factor | None], holding: dict[int, list[int]], hidden: set[int], sizes: list[int]
) -> bool:
    """Eliminate the hidden variables, the smallest merged factor first (given the evidence), then the lowest id.

    Eliminating ``x`` changes the merged factor of the variables that shared a factor with it only, so only
    theirs are worked out again (a heap keeps the rest): the order is that of taking the minimum over every
    hidden variable at each step, in time near linear in the network rather than quadratic.

    Returns:
        False (leaving ``factors`` half eliminated) when the next elimination would build a factor of more than
        :data:`MAX_CELLS` cells.
    """

    def merged(x: int) -> int:
        """Cells of the product of the live factors holding ``x``."""
        union = {u for i in holding.get(x, ()) if (f := factors[i]) is not None for u in f[0]}
        return math.prod(sizes[u] for u in union)

    cost = {h: merged(h) for h in hidden}
    heap = [(c, h) for h, c in cost.items()]
    heapq.heapify(heap)
    while heap:
        c, x = heapq.heappop(heap)
        if cost.get(x) != c:
            continue  # eliminated already, or its merged factor has changed since
        if c > MAX_CELLS:
            return False
        del cost[x]
        ids = [i for i in holding.pop(x, ()) if factors[i] is not None]
        inside = [factor for i in ids if (factor := factors[i]) is not None]
        for i in ids:
            factors[i] = None
        _add(factors, holding, _eliminate(inside, x))
        for u in {u for scope, _ in inside for u in scope}:
            if u in cost:
                cost[u] = merged(u)
                heapq.heappush(heap, (cost[u], u))
    return True


def _add(factors: list[_Factor | None], holding: dict[int, list[int]], factor: _Factor) -> None:
    """Append a factor and index it under each variable of its scope."""
    for x in factor[0]:
        holding.setdefault(x, []).append(len(factors))
    factors.append(factor)


def _elimination(parents: tuple[tuple[int, ...], ...], sizes: list[int]) -> tuple[list[int], list[list[int]]]:
    """A min-weight elimination order of the network's moral graph, and the clique each elimination forms.

    The moral graph links each variable to its parents and their co-parents; a clique is the variable and its
    neighbours still left, sorted. Each step eliminates the variable whose clique has the fewest cells (then the
    fewest fill-in links). Computed once per fit: the cliques are the junction tree's.

    Example:
        >>> _elimination(((), (0,), (0, 1), (2,)), [2, 2, 2, 2])  # 3 is a leaf: its clique is the smallest
        ([3, 0, 1, 2], [[2, 3], [0, 1, 2], [1, 2], [2]])
    """
    n = len(parents)
    links: list[set[int]] = [set() for _ in range(n)]
    for child, mine in enumerate(parents):
        for p in mine:
            links[child].add(p)
            links[p].add(child)
        for a in mine:
            links[a].update(q for q in mine if q != a)
    order: list[int] = []
    cliques: list[list[int]] = []
    left = set(range(n))
    while left:

        def fill(v: int) -> tuple[int, int, int]:
            near = sorted(links[v] & left)
            return (
                math.prod(sizes[x] for x in (*near, v)),
                sum(1 for k, a in enumerate(near) for b in near[k + 1 :] if b not in links[a]),
                v,
            )

        v = min(left, key=fill)
        near = links[v] & left - {v}
        for a in near:
            links[a].update(near - {a})
        left.remove(v)
        order.append(v)
        cliques.append(sorted(near | {v}))
    return order, cliques


class _JunctionTree:
    """The elimination cliques as a junction tree: one pass of messages gives every variable's marginal.

    Clique ``k`` is formed by eliminating ``order[k]``; its neighbour towards the root is the clique of the
    first of its other variables to be eliminated after it. Each table goes to the clique of the first of its
    family's variables to be eliminated (that clique holds the whole family, a clique of the moral graph).
    """

    def __init__(
        self,
        order: list[int],
        cliques: list[list[int]],
        parents: tuple[tuple[int, ...], ...],
        sizes: list[int],
    ) -> None:
        rank = {v: k for k, v in enumerate(order)}
        self.order, self.cliques, self.rank = order, cliques, rank
        self.up = [
            min((rank[x] for x in clique if x != order[k]), default=-1) for k, clique in enumerate(cliques)
        ]
        self.below: list[list[int]] = [[] for _ in cliques]
        for k, u in enumerate(self.up):
            if u >= 0:
                self.below[u].append(k)
        self.tables: list[list[int]] = [[] for _ in cliques]
        for v, mine in enumerate(parents):
            self.tables[min(rank[x] for x in (*mine, v))].append(v)
        self.parents, self.sizes = parents, sizes
        self.fits = all(math.prod(sizes[x] for x in clique) <= MAX_CELLS for clique in cliques)
        """Whether every clique's table fits (else queries eliminate variable by variable)."""

    def marginals(self, tables: list[FloatArray], evidence: dict[int, int]) -> list[FloatArray]:
        """Every variable's unnormalised marginal given the evidence (an evidence variable: its clamped value)."""
        n = len(self.cliques)
        scopes = [[x for x in clique if x not in evidence] for clique in self.cliques]
        potentials: list[_Factor] = []
        for k in range(n):
            factors: list[_Factor] = []
            for v in self.tables[k]:
                scope = [*self.parents[v], v]
                index = tuple(evidence[x] if x in evidence else slice(None) for x in scope)
                factors.append(([x for x in scope if x not in evidence], tables[v][index]))
            ones: _Factor = (scopes[k], np.ones([self.sizes[x] for x in scopes[k]]))
            potentials.append(_product([ones, *factors], scopes[k]))
        upward: list[_Factor | None] = [None] * n
        for k in range(n):  # a clique's children come before it in the order
            u = self.up[k]
            if u >= 0:
                inside = [potentials[k], *(f for c in self.below[k] if (f := upward[c]) is not None)]
                upward[k] = _product(inside, [x for x in scopes[k] if x in scopes[u]])
        downward: list[_Factor | None] = [None] * n
        for k in reversed(range(n)):
            mine = [potentials[k], *(f for f in [downward[k]] if f is not None)]
            for c in self.below[k]:
                others = [f for d in self.below[k] if d != c and (f := upward[d]) is not None]
                downward[c] = _product([*mine, *others], [x for x in scopes[c] if x in scopes[k]])
        out: list[FloatArray] = []
        for v in range(len(self.parents)):
            if v in evidence:
                clamped = np.zeros(tables[v].shape[-1])
                clamped[evidence[v]] = 1.0
                out.append(clamped)
                continue
            k = self.rank[v]
            inside = [potentials[k], *(f for f in [downward[k]] if f is not None)]
            inside.extend(f for c in self.below[k] if (f := upward[c]) is not None)
            out.append(_product(inside, [v])[1])
        return out


def _product(factors: list[_Factor], out: list[int]) -> _Factor:
    """The product of factors (whose scopes cover ``out``) summed onto ``out``, rescaled: only ratios matter."""
    label = {u: k for k, u in enumerate(sorted({u for scope, _ in factors for u in scope}))}
    operands: list[Any] = []
    for scope, table in factors:
        operands.extend((table, [label[u] for u in scope]))
    merged = np.asarray(np.einsum(*operands, [label[u] for u in out]), dtype=np.float64)
    top = float(merged.max()) if merged.size else 0.0
    if top > 0:
        merged = merged / top
    return (out, merged)


def _eliminate(inside: list[_Factor], x: int) -> _Factor:
    """Multiply the factors holding ``x`` and sum ``x`` out."""
    return _product(inside, sorted({u for scope, _ in inside for u in scope} - {x}))
