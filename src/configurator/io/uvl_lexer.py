"""UVL tokens: the lexer shared by the UVL parser and writer (keywords, identifiers, layout by indentation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from configurator.errors import ModelFormatError
from configurator.io.featuremodel import GroupKind

_TOKEN = re.compile(
    r"""[ \t\f]*(?:
       (?P<nl>\r\n|\r|\n)
      |(?P<id>[^\W\d][\w#§%?\\';]*)
      |(?P<op><=>|=>|==|!=|<=|>=|\.\.|/(?![/*])|[!&|<>+\-*()\[\]{},.])
      |(?P<qid>"[^"\r\n]*")
      |(?P<comment>//[^\r\n]*|/\*(?s:.*?)\*/)
      |(?P<unclosed>/\*)
      |(?P<str>'[^'\r\n]*')
      |(?P<num>[0-9]+\.[0-9]+|\.[0-9]+|[0-9]+)
      |(?P<eof>\Z)
      |(?P<bad>.))
    """,
    re.VERBOSE,
)
_NEWLINES = re.compile(r"\r\n|\r|\n")
_STRICT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_#§%?\\'äüöß;]*")
_KEYWORDS = frozenset(
    {
        "namespace", "include", "imports", "as", "features", "constraints", "constraint", "cardinality",
        "String", "Boolean", "Integer", "Real", "len", "sum", "avg", "floor", "ceil", "type", "arithmetic",
        "or", "alternative", "optional", "mandatory", "true", "false",
    }
)  # fmt: skip
_SECTIONS = ("namespace", "include", "imports", "features", "constraints")
_GROUP_KEYWORDS: dict[str, GroupKind] = {
    "mandatory": "mandatory",
    "optional": "optional",
    "or": "or",
    "alternative": "alternative",
}
_TYPES = frozenset({"String", "Boolean", "Integer", "Real"})
_AGGREGATES = frozenset({"sum", "avg", "len", "floor", "ceil"})
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_ARITHMETIC = frozenset({"+", "-", "*", "/"})
_CORE_OPS = frozenset({"!", "&", "|", "=>", "<=>", "(", ")"})
_BINARY = {"<=>": 1, "=>": 2, "|": 3, "&": 4}
_MAX_NESTING = 200
_INDENT = "    "
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())


class _Tok(NamedTuple):
    kind: str  # qid | str | num | id | op
    text: str
    line: int
    col: int
    pos: int  # offset in the source text


@dataclass
class _Line:
    """A logical line: its indentation width and tokens (brackets may span physical lines)."""

    indent: int
    tokens: list[_Tok]


def _describe(tok: _Tok | None) -> str:
    return "the end of the line" if tok is None else repr(tok.text)


def _name(tok: _Tok) -> str:
    return tok.text[1:-1] if tok.kind == "qid" else tok.text


def _tokenize(text: str, source: str) -> list[_Line]:
    """Split ``text`` into logical lines of tokens, with Python-like indentation (tab stops of 8)."""
    lines: list[_Line] = []
    tokens: list[_Tok] = []
    indent = -1  # -1: no token on this logical line yet
    line, line_start = 1, 0
    stack: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "eof"  # every alternative is a named group
        start = m.start(kind)
        if indent < 0 and not stack:
            lead = text[m.start() : start]
            indent = len(lead) if "\t" not in lead else _width(lead)
        if kind == "id" or kind == "qid" or kind == "str" or kind == "num":
            tokens.append(_Tok(kind, m.group(kind), line, start - line_start + 1, start))
            continue
        if kind == "op":
            tok = _Tok(kind, m.group(kind), line, start - line_start + 1, start)
            tokens.append(tok)
            if tok.text in _OPEN:
                stack.append(tok)
            elif tok.text in _CLOSE:
                if not stack or _OPEN[stack[-1].text] != tok.text:
                    raise ModelFormatError(f"{source}:{line}:{tok.col}: unbalanced {tok.text!r}")
                stack.pop()
            continue
        if kind == "nl":
            if not stack:
                if tokens:
                    lines.append(_Line(indent, tokens))
                    tokens = []
                indent = -1
            line, line_start = line + 1, m.end()
            continue
        if kind == "comment":
            if not tokens and not stack:
                indent = -1  # a comment does not set the indentation of its line
            body = m.group(kind)
            breaks = _NEWLINES.findall(body)
            if breaks:
                line += len(breaks)
                line_start = start + max(body.rfind("\n"), body.rfind("\r")) + 1
            continue
        if kind == "eof":
            break
        col = start - line_start + 1
        if kind == "unclosed":
            raise ModelFormatError(f"{source}:{line}:{col}: unterminated comment '/*'")
        char = m.group(kind)
        what = {'"': "unterminated quoted name", "'": "unterminated string"}.get(char, "unexpected character")
        raise ModelFormatError(f"{source}:{line}:{col}: {what} {char!r}")
    if stack:
        tok = stack[-1]
        raise ModelFormatError(f"{source}:{tok.line}:{tok.col}: {tok.text!r} is never closed")
    if tokens:
        lines.append(_Line(indent, tokens))
    return lines


def _width(lead: str) -> int:
    width = 0
    for ch in lead:
        width = width + 8 - width % 8 if ch == "\t" else width + 1
    return width
