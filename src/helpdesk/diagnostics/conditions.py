"""The condition language of branch nodes: a tokenizer, a parser and an interpreter.

Support leads write conditions as short expressions::

    client == 'windows' and version >= v'20.0'
    user.mfa.state in ['enabled', 'suspended'] and not user.pin_set
    error.status == 404 or (device.status != 'active')

Grammar (lowest precedence first)::

    expr     := and ('or' and)*
    and      := not ('and' not)*
    not      := 'not' not | compare
    compare  := operand (OP operand)?        OP: == != < <= > >= in, not in
    operand  := name ('.' name)* | 'text' | "text" | v'1.5.1' | 123 | true | false | null
              | '[' operand (',' operand)* ']' | '(' expr ')'

Nothing is ever handed to Python's ``eval``: the parser builds a small tree of
dataclasses and :func:`evaluate` walks it over a plain mapping of values. A version
literal (``v'20.0'``) makes the comparison numeric per dotted part, so ``20.10`` is
newer than ``20.9``; ordering plain text is refused for the same reason. Ordering
with a missing value (``null``) is simply false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<version>v'[^']*'|v"[^"]*")
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<number>-?[0-9]+)(?![0-9A-Za-z_])
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],.])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)
_VERSION = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}


class ConditionError(ValueError):
    """A condition that cannot be parsed or evaluated; ``offset`` is 0-based in the text."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Version:
    parts: tuple[int, ...]

    @classmethod
    def parse(cls, text: str, what: str = "value") -> Version:
        if not _VERSION.match(text):
            raise ConditionError(f"{what} '{text}' is not a version like 20.0 or 1.5.1")
        return cls(tuple(int(p) for p in text.split(".")))

    def key(self, width: int) -> tuple[int, ...]:
        return self.parts + (0,) * (width - len(self.parts))


@dataclass(frozen=True)
class Ref:
    """A name with an optional path: ``user.mfa.state`` is ``Ref(('user', 'mfa', 'state'))``."""

    path: tuple[str, ...]
    offset: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class ListOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Expr
    right: Expr
    offset: int


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]


Expr = Ref | Literal | ListOf | Compare | Not | Logic


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    offset: int


def tokenize(text: str) -> list[_Tok]:
    """Split a condition into tokens, refusing any character the language does not use."""
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            bad = text[pos]
            hint = " (use == to compare)" if bad == "=" else ""
            if bad in "'\"":
                raise ConditionError("unterminated quoted text", pos)
            raise ConditionError(f"unexpected character '{bad}'{hint}", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Tok(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.index]

    def take(self) -> _Tok:
        tok = self.tok
        self.index += 1
        return tok

    def at_word(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.text in words

    def expect(self, text: str) -> None:
        if self.tok.text != text:
            raise ConditionError(
                f"expected '{text}' but found {_describe(self.tok)}", self.tok.offset
            )
        self.take()

    def parse(self) -> Expr:
        if self.tok.kind == "end":
            raise ConditionError("the condition is empty", 0)
        expr = self.or_expr()
        if self.tok.kind != "end":
            raise ConditionError(
                f"unexpected {_describe(self.tok)}; join conditions with 'and' or 'or'",
                self.tok.offset,
            )
        return expr

    def or_expr(self) -> Expr:
        items = [self.and_expr()]
        while self.at_word("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Logic("or", tuple(items))

    def and_expr(self) -> Expr:
        items = [self.not_expr()]
        while self.at_word("and"):
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else Logic("and", tuple(items))

    def not_expr(self) -> Expr:
        if self.at_word("not"):
            self.take()
            return Not(self.not_expr())
        return self.compare()

    def compare(self) -> Expr:
        left = self.operand()
        tok = self.tok
        if tok.kind == "op" or self.at_word("in"):
            op = self.take().text
        elif self.at_word("not") and self.tokens[self.index + 1].text == "in":
            self.index += 2
            op = "not in"
        else:
            return left
        right = self.operand()
        if self.tok.kind == "op" or self.at_word("in"):
            raise ConditionError(
                "comparisons cannot be chained; join them with 'and'", self.tok.offset
            )
        return Compare(op, left, right, tok.offset)

    def operand(self) -> Expr:
        tok = self.take()
        if tok.kind == "string":
            return Literal(tok.text[1:-1])
        if tok.kind == "version":
            try:
                return Literal(Version.parse(tok.text[2:-1], "version literal"))
            except ConditionError as exc:
                raise ConditionError(exc.message, tok.offset) from None
        if tok.kind == "number":
            if self.tok.text == ".":
                raise ConditionError(
                    f"'{tok.text}.' starts a version; write versions as v'{tok.text}.0'",
                    tok.offset,
                )
            return Literal(int(tok.text))
        if tok.text == "(":
            inner = self.or_expr()
            self.expect(")")
            return inner
        if tok.text == "[":
            items = [self.operand()]
            while self.tok.text == ",":
                self.take()
                items.append(self.operand())
            self.expect("]")
            return ListOf(tuple(items))
        if tok.kind == "word" and tok.text in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[tok.text])
        if tok.kind == "word" and tok.text not in _KEYWORDS:
            path = [tok.text]
            while self.tok.text == ".":
                self.take()
                part = self.take()
                if part.kind == "number" and part.text.isdigit():
                    path.append(part.text)  # an item of a list: devices.items.0.id
                    continue
                if part.kind != "word" or part.text in _KEYWORDS:
                    raise ConditionError(
                        f"expected a field name after '.', found {_describe(part)}", part.offset
                    )
                path.append(part.text)
            return Ref(tuple(path), tok.offset)
        raise ConditionError(f"expected a value or a name but found {_describe(tok)}", tok.offset)


def _describe(tok: _Tok) -> str:
    return "the end of the condition" if tok.kind == "end" else f"'{tok.text}'"


def parse_condition(text: str) -> Expr:
    """Parse a condition into an expression tree.

    Raises:
        ConditionError: the text is not a condition; the message says why and ``offset`` where.
    """
    return _Parser(text).parse()


def references(expr: Expr) -> list[Ref]:
    """Every name the expression reads, in order (for the checker's data-flow pass)."""
    if isinstance(expr, Ref):
        return [expr]
    if isinstance(expr, ListOf):
        return [r for item in expr.items for r in references(item)]
    if isinstance(expr, Compare):
        return references(expr.left) + references(expr.right)
    if isinstance(expr, Not):
        return references(expr.operand)
    if isinstance(expr, Logic):
        return [r for item in expr.operands for r in references(item)]
    return []


def resolve(env: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` in ``env``; a missing field is ``None`` (null)."""
    value: Any = env.get(path[0])
    for part in path[1:]:
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            value = None
    return value


def evaluate(expr: Expr, env: Mapping[str, Any]) -> Any:
    """Evaluate a parsed condition over ``env`` (answers and facts by name).

    Raises:
        ConditionError: a comparison cannot be made (e.g. ordering two texts).
    """
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Ref):
        return resolve(env, expr.path)
    if isinstance(expr, ListOf):
        return [evaluate(item, env) for item in expr.items]
    if isinstance(expr, Not):
        return not _truthy(evaluate(expr.operand, env))
    if isinstance(expr, Logic):
        if expr.op == "and":
            return all(_truthy(evaluate(item, env)) for item in expr.operands)
        return any(_truthy(evaluate(item, env)) for item in expr.operands)
    return _compare(expr, evaluate(expr.left, env), evaluate(expr.right, env))


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != "" and value != [] and value != 0


def _compare(expr: Compare, left: Any, right: Any) -> bool:
    op = expr.op
    if op in ("in", "not in"):
        if isinstance(right, str) and isinstance(left, str):
            found = left in right
        elif isinstance(right, list):
            found = any(_equal(left, item) for item in right)
        elif right is None:
            found = False
        else:
            raise ConditionError(f"'{op}' needs a list or text on its right", expr.offset)
        return found if op == "in" else not found
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if left is None or right is None:
        return False
    if isinstance(left, Version) or isinstance(right, Version):
        x, y = _version_keys(left, right, expr.offset)
    elif _is_number(left) and _is_number(right):
        x, y = left, right
    else:
        raise ConditionError(
            f"'{op}' compares numbers or versions; write v'{left}' to compare versions",
            expr.offset,
        )
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _version_keys(left: Any, right: Any, offset: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Both sides as versions padded to one width (``20`` is ``20.0``), for comparing."""
    a, b = _as_version(left, offset), _as_version(right, offset)
    width = max(len(a.parts), len(b.parts))
    return a.key(width), b.key(width)


def _as_version(value: Any, offset: int) -> Version:
    if isinstance(value, Version):
        return value
    try:
        return Version.parse(str(value))
    except ConditionError as exc:
        raise ConditionError(exc.message, offset) from None


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, Version) or isinstance(right, Version):
        if left is None or right is None:
            return False
        try:
            a, b = _version_keys(left, right, 0)
        except ConditionError:
            return False
        return a == b
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return bool(left == right)
