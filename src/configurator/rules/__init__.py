"""Rule language: parser (no eval), typed AST, resolution and type checking, evaluation."""

from configurator.rules.ast import Expr, to_text
from configurator.rules.evaluate import Environment, MappingEnvironment, evaluate
from configurator.rules.parser import parse_expression
from configurator.rules.types import TIERS, Symbols, ValueType, compile_expression

__all__ = [
    "TIERS",
    "Environment",
    "Expr",
    "MappingEnvironment",
    "Symbols",
    "ValueType",
    "compile_expression",
    "evaluate",
    "parse_expression",
    "to_text",
]
