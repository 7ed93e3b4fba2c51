"""UVL (Universal Variability Language) import and export: our own tokenizer and parser, no eval.

Supported: ``namespace``, ``include`` (language levels, kept as data), ``imports`` of submodels (``sub.Model
as M``; the importing tree names the submodel's root as ``M.Root``, its features become ``M.Name``),
the indentation-based tree with ``mandatory``/``optional``/``or``/``alternative``/``[m..n]``/``[n]``/
``[m..*]`` groups, quoted names, ``Boolean`` features, attributes in ``{...}`` (nested maps, lists, strings,
numbers, booleans; kept as data), ``abstract``, ``constraint``/``constraints`` attributes, and the
``constraints`` section with ``!``, ``&``, ``|``, ``=>``, ``<=>`` and parentheses (precedence in that order,
left associative), ``//`` and ``/* */`` comments.

Outside the Boolean core: ``String``/``Integer``/``Real`` features, feature cardinality
(``cardinality [1..5]``), arithmetic and aggregate constraints (``sum(Weight) < 10``, ``Inch == 22``,
``+ - * /``, numbers and strings in constraints) and attribute references (``"Wheels".Manufacturer``).
A strict import raises :class:`~configurator.errors.ModelFormatError` at the first of them, naming
``file:line:column`` and the construct. ``lenient=True`` keeps typed and cardinality features as plain
Boolean features, skips the constraints, and lists each in :attr:`FeatureModel.unsupported`.

Example:
    >>> model = parse_uvl('''
    ... features
    ...     Car
    ...         mandatory
    ...             Engine
    ...                 alternative
    ...                     Petrol
    ...                     Electric
    ...         optional
    ...             Turbo {Price 500}
    ... constraints
    ...     Turbo => Petrol
    ... ''')
    >>> problem = model.to_problem()
    >>> sum(problem.check(a) for a in problem.assignments())
    3
    >>> print(dump_uvl(model), end="")
    features
        Car
            mandatory
                Engine
                    alternative
                        Petrol
                        Electric
            optional
                Turbo {Price 500}
    constraints
        Turbo => Petrol
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from configurator.errors import ModelFormatError, suggest
from configurator.io._read import read_model_text
from configurator.io.featuremodel import (
    AttributeValue,
    CrossTreeConstraint,
    Feature,
    FeatureModel,
    Group,
    Unsupported,
    rename_formula,
    selected,
)
from configurator.io.uvl_lexer import (
    _AGGREGATES,
    _ARITHMETIC,
    _BINARY,
    _CLOSE,
    _COMPARISONS,
    _CORE_OPS,
    _GROUP_KEYWORDS,
    _MAX_NESTING,
    _OPEN,
    _SECTIONS,
    _TYPES,
    _describe,
    _Line,
    _name,
    _Tok,
    _tokenize,
)
from configurator.io.uvl_writer import dump_uvl
from configurator.solver.problem import And, BoolExpr, Iff, Implies, Not, Or

__all__ = ["dump_uvl", "load_uvl", "parse_uvl"]


@dataclass
class _RawConstraint:
    """A constraint's tokens, resolved once the whole tree is known."""

    tokens: list[_Tok]


@dataclass
class _Import:
    path: str  # dotted reference as written
    alias: str


@dataclass
class _Parsed:
    model: FeatureModel
    placeholders: list[tuple[Feature, _Tok]] = field(default_factory=list)


class _Parser:
    """Parse the logical lines of one UVL file into a FeatureModel."""

    def __init__(self, text: str, source: str, lenient: bool) -> None:
        self.source = source
        self.text = text
        self.lenient = lenient
        self.lines = _tokenize(text, source)
        self.unsupported: list[Unsupported] = []
        self.raw_constraints: list[_RawConstraint] = []
        self.namespace = ""
        self.include: list[str] = []
        self.imports: dict[str, _Import] = {}
        self.placeholders: list[tuple[Feature, _Tok]] = []
        self.root: Feature | None = None
        self.lits: dict[str, BoolExpr] = {}  # one shared Lit per feature

    # --- errors ------------------------------------------------------------------------------------
    def where(self, tok: _Tok) -> str:
        return f"{self.source}:{tok.line}:{tok.col}"

    def error(self, tok: _Tok, message: str) -> ModelFormatError:
        return ModelFormatError(f"{self.where(tok)}: {message}")

    def unsupported_construct(self, tok: _Tok, construct: str, action: str) -> None:
        """Record a construct outside the Boolean core, or raise when strict."""
        if not self.lenient:
            raise self.error(
                tok,
                f"unsupported construct: {construct} (outside UVL's Boolean core; a lenient import "
                f"(--lenient, lenient=True) {action})",
            )
        self.unsupported.append(Unsupported(self.where(tok), construct, action))

    # --- sections ----------------------------------------------------------------------------------
    def parse(self) -> _Parsed:
        i = 0
        seen: set[str] = set()
        while i < len(self.lines):
            line = self.lines[i]
            head = line.tokens[0]
            if line.indent != 0 or head.kind != "id" or head.text not in _SECTIONS:
                expected = "'namespace', 'include', 'imports', 'features' or 'constraints'"
                if line.indent != 0 and not seen:
                    raise self.error(
                        head, f"expected {expected} at the start of a line, found an indented line"
                    )
                raise self.error(
                    head, f"expected {expected}, found {head.text!r} (indent the lines of a section)"
                )
            if head.text in seen:
                raise self.error(head, f"second {head.text!r} section")
            seen.add(head.text)
            j = i + 1
            while j < len(self.lines) and self.lines[j].indent > 0:
                j += 1
            body = self.lines[i + 1 : j]
            if head.text == "namespace":
                self.namespace = self.reference(line.tokens, 1, "a namespace name")[0]
                if body:
                    raise self.error(body[0].tokens[0], "unexpected indented line after 'namespace'")
            else:
                if len(line.tokens) > 1:
                    raise self.error(
                        line.tokens[1], f"unexpected {line.tokens[1].text!r} after {head.text!r}"
                    )
                if head.text == "include":
                    self.include.extend("".join(t.text for t in b.tokens) for b in body)
                elif head.text == "imports":
                    self.parse_imports(body)
                elif head.text == "features":
                    self.parse_tree(head, body)
                else:
                    self.raw_constraints.extend(_RawConstraint(b.tokens) for b in body)
            i = j
        if self.root is None:
            raise ModelFormatError(f"{self.source}: no 'features' section with a root feature")
        model = FeatureModel(
            self.root,
            [],
            name=self.namespace or Path(self.source).stem,
            source=self.source,
            format="uvl",
            unsupported=self.unsupported,
        )
        if self.namespace:
            model.meta["namespace"] = self.namespace
        if self.include:
            model.meta["include"] = tuple(self.include)
        if self.imports:
            model.meta["imports"] = {a: i.path for a, i in self.imports.items()}
        return _Parsed(model, self.placeholders)

    def reference(self, tokens: Sequence[_Tok], start: int, what: str) -> tuple[str, int]:
        """Read ``name(.name)*`` at ``tokens[start]``; return the dotted name and the next index."""
        parts: list[str] = []
        i = start
        while True:
            tok = tokens[i] if i < len(tokens) else None
            if tok is None or tok.kind not in ("id", "qid"):
                raise (
                    self.error(tok, f"expected {what}, found {tok.text!r}") if tok else self.eol(tokens, what)
                )
            parts.append(_name(tok))
            i += 1
            if i < len(tokens) and tokens[i].text == ".":
                i += 1
                continue
            return ".".join(parts), i

    def eol(self, tokens: Sequence[_Tok], what: str) -> ModelFormatError:
        last = tokens[-1]
        return ModelFormatError(
            f"{self.source}:{last.line}:{last.col + len(last.text)}: expected {what}, found the end of the line"
        )

    def parse_imports(self, body: list[_Line]) -> None:
        for line in body:
            toks = line.tokens
            path, i = self.reference(toks, 0, "a model to import")
            alias = path
            if i < len(toks) and toks[i].text == "as" and toks[i].kind == "id":
                alias, i = self.reference(toks, i + 1, "an alias after 'as'")
            if i < len(toks):
                raise self.error(toks[i], f"unexpected {toks[i].text!r} in an import")
            if alias in self.imports:
                raise self.error(toks[0], f"second import named {alias!r}")
            self.imports[alias] = _Import(path, alias)

    # --- the tree ----------------------------------------------------------------------------------
    def parse_tree(self, head: _Tok, body: list[_Line]) -> None:
        # stack entries: [indent, node, indent of its children (0 = none yet)]
        stack: list[tuple[int, Feature | Group | None, list[int]]] = [(0, None, [0])]
        for line in body:
            while stack[-1][0] >= line.indent:
                stack.pop()
            _, node, child_indent = stack[-1]
            first = line.tokens[0]
            if child_indent[0] == 0:
                child_indent[0] = line.indent
            elif child_indent[0] != line.indent:
                raise self.error(first, "indentation does not match the lines above")
            group = self.group_line(line)
            if group is not None:
                if not isinstance(node, Feature):
                    parent = "a group" if isinstance(node, Group) else "'features'"
                    raise self.error(
                        first, f"group {group.describe()!r} must be indented under a feature, not {parent}"
                    )
                node.groups.append(group)
                stack.append((line.indent, group, [0]))
                continue
            if isinstance(node, Feature):
                raise self.error(
                    first,
                    f"feature {_name(first)!r} must be in a group (mandatory, optional, or, alternative, [m..n]) "
                    f"under {node.name!r}",
                )
            feature = self.feature_line(line)
            if node is None:
                if self.root is not None:
                    raise self.error(first, f"second root feature {feature.name!r} (a model has one root)")
                self.root = feature
            else:
                node.children.append(feature)
            stack.append((line.indent, feature, [0]))
        if self.root is None:
            raise self.error(head, "the 'features' section has no root feature (indent it under 'features')")

    def group_line(self, line: _Line) -> Group | None:
        toks = line.tokens
        first = toks[0]
        if first.kind == "id" and first.text in _GROUP_KEYWORDS:
            if len(toks) > 1:
                raise self.error(toks[1], f"unexpected {toks[1].text!r} after {first.text!r}")
            return Group(_GROUP_KEYWORDS[first.text])
        if first.text == "[":
            lower, upper, i = self.cardinality(toks, 0)
            if i < len(toks):
                raise self.error(toks[i], f"unexpected {toks[i].text!r} after a group cardinality")
            return Group("cardinality", lower=lower, upper=upper)
        return None

    def cardinality(self, toks: Sequence[_Tok], i: int) -> tuple[int, int | None, int]:
        """Read ``[n]``, ``[m..n]`` or ``[m..*]`` at ``toks[i]``; return lower, upper, next index."""
        where = toks[i]

        def integer(j: int) -> int:
            if j >= len(toks) or toks[j].kind != "num" or not toks[j].text.isdigit():
                raise self.error(
                    toks[j] if j < len(toks) else where, "expected a whole number in a cardinality"
                )
            return int(toks[j].text)

        lower = integer(i + 1)
        upper: int | None = lower
        j = i + 2
        if j < len(toks) and toks[j].text == "..":
            upper = None if j + 1 < len(toks) and toks[j + 1].text == "*" else integer(j + 1)
            j += 2
        if j >= len(toks) or toks[j].text != "]":
            raise self.error(where, "expected ']' to close the cardinality")
        if upper is not None and upper < lower:
            raise self.error(where, f"cardinality [{lower}..{upper}] has its bounds out of order")
        return lower, upper, j + 1

    def feature_line(self, line: _Line) -> Feature:
        toks = line.tokens
        i = 0
        ftype = ""
        if (
            toks[0].kind == "id"
            and toks[0].text in _TYPES
            and len(toks) > 1
            and toks[1].kind in ("id", "qid")
        ):
            ftype = toks[0].text
            i = 1
        name_tok, start = toks[i], i
        name, i = self.reference(toks, i, "a feature name")
        dotted = i - start > 1  # a dotted reference (a quoted name may hold a dot itself)
        feature = Feature(name, line=name_tok.line)
        if ftype and ftype != "Boolean":
            self.unsupported_construct(
                toks[0],
                f"typed feature '{ftype} {name}'",
                "keeps it as a Boolean feature and drops its value",
            )
        if i < len(toks) and toks[i].kind == "id" and toks[i].text == "cardinality":
            if i + 1 >= len(toks) or toks[i + 1].text != "[":
                raise self.error(toks[i], "expected '[' after 'cardinality'")
            lower, upper, j = self.cardinality(toks, i + 1)
            self.unsupported_construct(
                toks[i],
                f"feature cardinality [{lower}..{'*' if upper is None else upper}] on {name!r}",
                "keeps one instance, as a Boolean feature",
            )
            i = j
        if i < len(toks) and toks[i].text == "{":
            i = self.attributes(toks, i, feature, top=True)[1]
        if i < len(toks):
            raise self.error(toks[i], f"unexpected {toks[i].text!r} after feature {name!r}")
        if dotted:
            alias = name.rsplit(".", 1)[0]
            if alias not in self.imports:
                raise self.error(
                    name_tok, f"{name!r}: a dotted feature name must start with an imported model's alias"
                )
            self.placeholders.append((feature, name_tok))
        return feature

    # --- attributes --------------------------------------------------------------------------------
    def attributes(
        self, toks: Sequence[_Tok], i: int, feature: Feature, top: bool, depth: int = 0
    ) -> tuple[dict[str, AttributeValue], int]:
        """Read ``{ key value, ... }`` at ``toks[i]``; return the map and the index after ``}``.

        At the top level (``top``), ``abstract`` sets the feature's flag and ``constraint``/``constraints``
        entries become cross-tree constraints; everything else is data.
        """
        if depth > _MAX_NESTING:
            raise self.error(toks[i], "attributes nested too deeply")
        values: dict[str, AttributeValue] = {}
        i += 1
        while toks[i].text != "}":  # the tokenizer guarantees a closing '}'
            tok = toks[i]
            if tok.kind not in ("id", "qid"):
                raise self.error(tok, f"expected an attribute name, found {tok.text!r}")
            key = _name(tok)
            keyword = top and tok.kind == "id" and key in ("abstract", "constraint", "constraints")
            i += 1
            if keyword and key == "constraint":
                end = self.until(toks, i, (",", "}"))
                if end == i:
                    raise self.error(toks[i], "expected a constraint after 'constraint'")
                self.raw_constraints.append(_RawConstraint(list(toks[i:end])))
                i = end
            elif keyword and key == "constraints":
                if toks[i].text != "[":
                    raise self.error(toks[i], "expected '[' after 'constraints'")
                i += 1
                while toks[i].text != "]":
                    end = self.until(toks, i, (",", "]"))
                    if end == i:
                        raise self.error(toks[i], "expected a constraint")
                    self.raw_constraints.append(_RawConstraint(list(toks[i:end])))
                    i = end + 1 if toks[end].text == "," else end
                i += 1
            else:
                value: AttributeValue = None
                if toks[i].text not in (",", "}"):
                    value, i = self.value(toks, i, feature, depth)
                if keyword:  # abstract
                    if value not in (None, True, False):
                        raise self.error(tok, "'abstract' takes no value, true or false")
                    feature.abstract = value is not False
                else:
                    values[key] = value
            if toks[i].text == ",":
                i += 1
            elif toks[i].text != "}":
                raise self.error(
                    toks[i], f"expected ',' or '}}' after attribute {key!r}, found {toks[i].text!r}"
                )
        if top:
            feature.attributes.update(values)
        return values, i + 1

    def value(self, toks: Sequence[_Tok], i: int, feature: Feature, depth: int) -> tuple[AttributeValue, int]:
        tok = toks[i]
        if tok.kind == "id" and tok.text in ("true", "false"):
            return tok.text == "true", i + 1
        if tok.kind == "str":
            return tok.text[1:-1], i + 1
        sign = 1
        if tok.text == "-" and toks[i + 1].kind == "num":
            sign, i, tok = -1, i + 1, toks[i + 1]
        if tok.kind == "num":
            return (sign * int(tok.text) if tok.text.isdigit() else sign * float(tok.text)), i + 1
        if tok.text == "{":
            return self.attributes(toks, i, feature, top=False, depth=depth + 1)
        if tok.text == "[":
            items: list[AttributeValue] = []
            i += 1
            while toks[i].text != "]":
                item, i = self.value(toks, i, feature, depth + 1)
                items.append(item)
                if toks[i].text == ",":
                    i += 1
                elif toks[i].text != "]":
                    raise self.error(toks[i], f"expected ',' or ']' in a list, found {toks[i].text!r}")
            return items, i + 1
        raise self.error(tok, f"expected an attribute value, found {tok.text!r}")

    @staticmethod
    def until(toks: Sequence[_Tok], i: int, stops: tuple[str, ...]) -> int:
        """The index of the first token in ``stops`` at bracket depth 0, from ``i``."""
        depth = 0
        while True:
            text = toks[i].text
            if depth == 0 and text in stops:
                return i
            if text in _OPEN:
                depth += 1
            elif text in _CLOSE:
                depth -= 1
            i += 1

    # --- constraints -------------------------------------------------------------------------------
    def resolve_constraints(self, names: set[str]) -> list[CrossTreeConstraint]:
        out: list[CrossTreeConstraint] = []
        for raw in self.raw_constraints:
            construct = self.outside_core(raw.tokens, names)
            if construct is not None:
                tok, what = construct
                self.unsupported_construct(
                    tok, f"{what} in constraint {_text(self.text, raw.tokens)!r}", "skips the constraint"
                )
                continue
            expr, i = _ExprParser(self, raw.tokens, names).parse(0, 0)
            if i < len(raw.tokens):
                tok = raw.tokens[i]
                raise self.error(
                    tok, f"expected '&', '|', '=>', '<=>' or the end of the constraint, found {tok.text!r}"
                )
            out.append(CrossTreeConstraint(expr, line=raw.tokens[0].line))
        return out

    def outside_core(self, toks: Sequence[_Tok], names: set[str]) -> tuple[_Tok, str] | None:
        """The first construct of a constraint outside the Boolean core, if any."""
        if {t.text for t in toks if t.kind == "op"} <= _CORE_OPS and not any(
            t.kind == "num" or t.kind == "str" or (t.kind == "id" and t.text in _AGGREGATES) for t in toks
        ):
            return None
        for k, tok in enumerate(toks):
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if tok.kind == "id" and tok.text in _AGGREGATES and nxt is not None and nxt.text == "(":
                return tok, f"aggregate function {tok.text}(...)"
        for k, tok in enumerate(toks):
            if tok.kind == "op" and tok.text in _COMPARISONS:
                return tok, f"arithmetic comparison {tok.text!r}"
            if tok.kind == "op" and tok.text in _ARITHMETIC:
                return tok, f"arithmetic operator {tok.text!r}"
            if tok.kind == "num":
                return tok, f"number {tok.text}"
            if tok.kind == "str":
                return tok, f"string {tok.text}"
            if tok.kind in ("id", "qid") and (k == 0 or toks[k - 1].text != "."):
                j = k
                parts = [_name(tok)]
                while j + 2 < len(toks) and toks[j + 1].text == "." and toks[j + 2].kind in ("id", "qid"):
                    j += 2
                    parts.append(_name(toks[j]))
                if len(parts) > 1 and ".".join(parts) not in names:
                    for cut in range(len(parts) - 1, 0, -1):
                        if ".".join(parts[:cut]) in names:
                            return tok, f"attribute reference {'.'.join(parts)!r}"
        return None


def _text(source_text: str, tokens: Sequence[_Tok]) -> str:
    """The source text a token run spans, on one line."""
    span = source_text[tokens[0].pos : tokens[-1].pos + len(tokens[-1].text)]
    return " ".join(span.split())


class _ExprParser:
    """Precedence climbing over the Boolean constraint grammar (operands are feature references)."""

    def __init__(self, parser: _Parser, tokens: Sequence[_Tok], names: set[str]) -> None:
        self.p = parser
        self.toks = tokens
        self.names = names

    def parse(self, i: int, min_prec: int, depth: int = 0) -> tuple[BoolExpr, int]:
        if depth > _MAX_NESTING:
            raise self.p.error(self.toks[i], "constraint nested too deeply")
        toks = self.toks
        left, i = self.atom(i, depth)
        while i < len(toks) and toks[i].kind == "op" and toks[i].text in _BINARY:
            op = toks[i].text
            prec = _BINARY[op]
            if prec < min_prec:
                break
            right, i = self.parse(i + 1, prec + 1, depth + 1)
            if op == "=>":
                left = Implies(left, right)
            elif op == "<=>":
                left = Iff(left, right)
            else:  # a chain of one operator becomes one n-ary And/Or (a parenthesised left one joins it)
                kind = And if op == "&" else Or
                args = [*left.args] if isinstance(left, kind) else [left]
                args.append(right)
                while i < len(toks) and toks[i].kind == "op" and toks[i].text == op:
                    right, i = self.parse(i + 1, prec + 1, depth + 1)
                    args.append(right)
                left = kind(tuple(args))
        return left, i

    def atom(self, i: int, depth: int) -> tuple[BoolExpr, int]:
        if i >= len(self.toks):
            raise self.p.eol(self.toks, "a feature, '!' or '('")
        tok = self.toks[i]
        if tok.text == "!" and tok.kind == "op":
            arg, i = self.parse(i + 1, 5, depth + 1)
            return Not(arg), i
        if tok.text == "(":
            inner, i = self.parse(i + 1, 0, depth + 1)
            if i >= len(self.toks) or self.toks[i].text != ")":
                found = _describe(self.toks[i] if i < len(self.toks) else None)
                raise self.p.error(tok, f"expected ')' to close this '(', found {found}")
            return inner, i + 1
        if tok.kind in ("id", "qid"):
            name, j = self.p.reference(self.toks, i, "a feature name")
            if name not in self.names:
                hint = suggest(name, self.names)
                raise self.p.error(tok, f"unknown feature {name!r}" + (f" ({hint})" if hint else ""))
            lit = self.p.lits.get(name)
            if lit is None:
                lit = self.p.lits[name] = selected(name)
            return lit, j
        raise self.p.error(tok, f"expected a feature, '!' or '(', found {tok.text!r}")


# --- public API ----------------------------------------------------------------------------------------
def parse_uvl(
    text: str, source: str = "<string>", *, lenient: bool = False, base_dir: str | Path | None = None
) -> FeatureModel:
    """Parse UVL text into a :class:`FeatureModel`.

    Args:
        text: the UVL document.
        source: the file name used in messages.
        lenient: keep going past constructs outside the Boolean core (see the module docstring); each is
            listed in the model's ``unsupported``.
        base_dir: where ``imports`` are looked up (``a.b as X`` reads ``base_dir/a/b.uvl``).

    Raises:
        ModelFormatError: naming ``file:line:column`` for malformed input or (strict) an unsupported construct.
    """
    return _parse(text, source, lenient, Path(base_dir) if base_dir is not None else None, ())


def load_uvl(path: str | Path, *, lenient: bool = False) -> FeatureModel:
    """Read and parse a UVL file (imports are resolved next to it); see :func:`parse_uvl`."""
    path = Path(path)
    return _parse(_read(path), str(path), lenient, path.parent, (path.resolve(),))


def _read(path: Path) -> str:
    return read_model_text(path, encoding="utf-8-sig")


def _parse(
    text: str, source: str, lenient: bool, base_dir: Path | None, chain: tuple[Path, ...]
) -> FeatureModel:
    parser = _Parser(text.removeprefix("\ufeff"), source, lenient)
    parsed = parser.parse()
    model = parsed.model
    for feature, tok in parsed.placeholders:
        _graft(parser, feature, tok, base_dir, chain, model)
    names = {f.name for f in model.root.walk()}
    model.validate()  # duplicate names, with lines
    model.constraints = parser.resolve_constraints(names) + model.constraints
    return model


def _graft(
    parser: _Parser,
    feature: Feature,
    tok: _Tok,
    base_dir: Path | None,
    chain: tuple[Path, ...],
    model: FeatureModel,
) -> None:
    """Replace the placeholder ``Alias.Root`` by the imported model's tree, names prefixed ``Alias.``."""
    alias, root_name = feature.name.rsplit(".", 1)
    spec = parser.imports[alias]
    if base_dir is None:
        raise parser.error(tok, f"cannot resolve import {spec.path!r} without a file location (use load_uvl)")
    parts = spec.path.split(".")
    if any(not part or "/" in part or "\\" in part or ":" in part for part in parts):
        raise parser.error(tok, f"import {spec.path!r} must be a dotted path of file and folder names")
    path = base_dir.joinpath(*parts).with_suffix(".uvl")
    resolved = path.resolve()
    if not resolved.is_relative_to(base_dir.resolve()):
        raise parser.error(tok, f"import {spec.path!r} leaves the folder of the importing model")
    if resolved in chain:
        raise parser.error(tok, f"import cycle through {path}")
    if not path.is_file():
        raise parser.error(tok, f"imported model {spec.path!r} not found at {path}")
    sub = _parse(_read(path), str(path), parser.lenient, path.parent, (*chain, resolved))
    if sub.root.name != root_name:
        raise parser.error(
            tok, f"{feature.name!r} must name the root of {spec.path!r}, which is {alias}.{sub.root.name}"
        )
    if feature.groups or feature.attributes or feature.abstract:
        raise parser.error(tok, f"imported feature {feature.name!r} cannot have groups or attributes here")

    def rename(name: str) -> str:
        return f"{alias}.{name}"

    for node in sub.root.walk():
        node.name = rename(node.name)
    feature.groups, feature.abstract, feature.attributes = (
        sub.root.groups,
        sub.root.abstract,
        sub.root.attributes,
    )
    feature.line = 0
    for number, ctc in enumerate(sub.constraints, 1):
        model.constraints.append(
            CrossTreeConstraint(rename_formula(ctc.formula, rename), f"{alias}.{ctc.id or number}", 0)
        )
    model.unsupported.extend(sub.unsupported)


# --- export --------------------------------------------------------------------------------------------
