"""Safe YAML reading that remembers where every key and value came from.

Writers see errors as ``path:line:column``, so the loader keeps a map from each
value's location in the document (a tuple of keys and list indexes) to its position
in the file. Reading is deliberately stricter than plain PyYAML:

* only the safe constructors (a ``!!python/...`` tag is an error, never executed);
* numbers with a decimal point stay text, so ``19.99`` or ``20.10`` keep their digits;
* dates stay text until a model parses them (a bad date names its field);
* only ``true``/``false`` are booleans (``No`` in a table is the word, not False);
* duplicate keys are errors (PyYAML would silently keep the last one);
* aliases are expanded under a budget, so an alias bomb fails fast and small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:  # the C parser is ~17x faster here; the pure-Python one is the fallback
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    LIBYAML = False

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


Loc = tuple[str | int, ...]
MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000


class _StrictResolver(Resolver):
    """YAML 1.2-flavoured implicit typing: no floats, no yes/no booleans."""


_StrictResolver.yaml_implicit_resolvers = {}
for _first, _resolvers in Resolver.yaml_implicit_resolvers.items():
    _StrictResolver.yaml_implicit_resolvers[_first] = [
        (tag, regexp)
        for tag, regexp in _resolvers
        # Dates stay text too: the models parse them and name the field when one is wrong.
        if tag
        not in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = dict(
    _StrictResolver.yaml_implicit_resolvers
)


class _Loader(_Parser, _StrictResolver):  # type: ignore[misc,valid-type]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _StrictResolver.__init__(self)

    # The parser asks these for every node. PyYAML's versions serve path resolvers,
    # which this loader has none of; a tenth of a large KB's load went into them.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[0] if value else "", ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class YamlDocument:
    """A parsed YAML file: the data and where each part of it stands in the file."""

    path: Path
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> Position:
        """The position of ``loc``, or of its nearest located ancestor.

        With ``key=True`` a mapping entry reports the line of its key (where a writer
        looks for "unknown key" or "missing value" problems).
        """
        loc = tuple(loc)
        while True:
            if key and loc in self.key_positions:
                return Position(*self.key_positions[loc])
            if loc in self.positions:
                return Position(*self.positions[loc])
            if not loc:
                return Position(1, 1)
            loc = loc[:-1]


class YamlProblem(Exception):
    """The file is not YAML this loader will accept; carries the position."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            line,
            column,
        ) from None


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT_READER = SafeConstructor()


class _Builder:
    """Builds plain Python values from the node graph and records where each one stands.

    One pass does both jobs: PyYAML's own constructor would walk the graph a second time,
    and positions are kept as bare tuples because this runs for every value of every file.
    """

    def __init__(self) -> None:
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.key_positions: dict[Loc, tuple[int, int]] = {}
        self.budget = MAX_NODES

    def build(self, node: Node, loc: Loc) -> Any:
        self.budget -= 1
        mark = node.start_mark
        if self.budget < 0:
            # Point at the top-level key whose value blew up: the alias itself has no mark left.
            where = self.key_positions.get(loc[:1]) if loc else None
            raise YamlProblem(
                f"document expands to more than {MAX_NODES:,} values (an alias bomb?); "
                "write the values out or use fewer aliases",
                *(where or (mark.line + 1, mark.column + 1)),
            )
        if loc not in self.positions:
            self.positions[loc] = (mark.line + 1, mark.column + 1)
        tag = node.tag
        if isinstance(node, ScalarNode):
            if tag == _STR:
                return node.value
            if tag == _INT:
                return _INT_READER.construct_yaml_int(node)
            if tag == _BOOL:
                return node.value.lower() == "true"
            if tag == _NULL:
                return None
        elif isinstance(node, MappingNode) and tag == _MAP:
            return self._mapping(node, loc)
        elif isinstance(node, SequenceNode) and tag == _SEQ:
            return [self._child(item, (*loc, i)) for i, item in enumerate(node.value)]
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(
            f"tag '{shown}' is not allowed (only plain YAML values are read)",
            mark.line + 1,
            mark.column + 1,
        )

    def _mapping(self, node: MappingNode, loc: Loc) -> dict[str, Any]:
        out: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            where = (mark.line + 1, mark.column + 1)
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("mapping keys must be plain text", *where)
            key = key_node.value
            if key == "<<":
                raise YamlProblem("merge keys ('<<') are not supported", *where)
            if key in lines:
                raise YamlProblem(
                    f"duplicate key '{key}' (first defined on line {lines[key]})", *where
                )
            lines[key] = where[0]
            child = (*loc, key)
            if child not in self.key_positions:
                self.key_positions[child] = where
            out[key] = self._child(value_node, child)
        return out

    def _child(self, node: Node, loc: Loc) -> Any:
        # Most values are plain strings: handle them without the full dispatch (hot path).
        if node.tag == _STR and type(node) is ScalarNode and self.budget > 0:
            self.budget -= 1
            if loc not in self.positions:
                mark = node.start_mark
                self.positions[loc] = (mark.line + 1, mark.column + 1)
            return node.value
        return self.build(node, loc)


def parse_yaml(path: Path, raw: bytes | None = None) -> YamlDocument:
    """Read one YAML file into a :class:`YamlDocument`.

    Raises:
        YamlProblem: the file cannot be read as the strict YAML described above.
    """
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise YamlProblem(f"cannot read file: {exc.strerror}") from None
    text = _decode(raw)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise YamlProblem("file is empty; it should hold a YAML mapping")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlProblem("file is empty; it should hold a YAML mapping")
        builder = _Builder()
        data = builder.build(node, ())
        doc = YamlDocument(path, data, builder.positions, builder.key_positions)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and exc.context_mark is not None and mark.index >= len(text.rstrip()):
            # "Ran out of file" is reported at the end; the opening bracket is what to fix.
            mark = exc.context_mark
        message = _describe(exc, text, mark)
        if mark is None:
            raise YamlProblem(message) from None
        raise YamlProblem(message, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        raise YamlProblem(f"a value cannot be read: {exc}") from None
    finally:
        loader.dispose()
    return doc


def _describe(exc: yaml.MarkedYAMLError, text: str, mark: yaml.Mark | None) -> str:
    problem = exc.problem or "not valid YAML"
    if "could not determine a constructor" in problem:
        tag = problem.split("tag", 1)[-1].strip(" '!")
        tag = tag.replace("tag:yaml.org,2002:", "!")
        return f"tag '!{tag}' is not allowed (only plain YAML values are read)"
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return "a tab character is not allowed here; indent with spaces"
    context = f"{exc.context}: " if exc.context else ""
    return f"YAML syntax: {context}{problem}"
