"""Turning validation failures into ``path:line:column: message`` problems a writer can fix."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from helpdesk.content.yaml import Loc, YamlDocument, YamlProblem, parse_yaml
from helpdesk.errors import Problem, Severity, display_path

M = TypeVar("M", bound=BaseModel)


class ProblemList:
    """Collects every problem of a run; the loader never stops at the first one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: list[Problem] = []

    def path(self, path: Path) -> str:
        # Relative to the folder holding kb/ ("kb/articles/x.yaml"), unless that is the
        # file-system root, where an absolute path reads better than "etc/...".
        parent = self.root.resolve().parent
        return display_path(path, parent if parent != parent.parent else None)

    def at(
        self,
        doc: YamlDocument,
        loc: Loc,
        message: str,
        *,
        key: bool = False,
        severity: Severity = "error",
    ) -> None:
        pos = doc.position(loc, key=key)
        self.items.append(Problem(self.path(doc.path), pos.line, pos.column, message, severity))

    def file(
        self, path: Path, message: str, line: int = 1, column: int = 1, severity: Severity = "error"
    ) -> None:
        self.items.append(Problem(self.path(path), line, column, message, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]


def read_document(path: Path, problems: ProblemList) -> YamlDocument | None:
    """Parse one YAML file, adding a located problem instead of raising."""
    try:
        return parse_yaml(path)
    except YamlProblem as exc:
        problems.file(path, exc.message, exc.line, exc.column)
        return None


def yaml_files(folder: Path, problems: ProblemList) -> list[Path]:
    """The ``*.yaml`` files directly in ``folder``, sorted; a ``.yml`` file is a problem
    (it would otherwise be skipped without a word), hidden files and folders are ignored."""
    files: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix == ".yml":
            problems.file(path, "rename the file to end in .yaml; .yml files are not read")
        elif path.suffix == ".yaml":
            files.append(path)
    return files


def validate_document(
    doc: YamlDocument, model: type[M], problems: ProblemList, *, tags: Iterable[str] = ()
) -> M | None:
    """Validate ``doc.data`` into ``model``; on failure add one problem per error."""
    if not isinstance(doc.data, dict):
        problems.at(doc, (), f"the file must hold a mapping of keys, not {_kind(doc.data)}")
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        tag_names = set(tags)
        for error in exc.errors(include_url=False):
            loc = _yaml_loc(tuple(error["loc"]), tag_names)
            message, key = _message(error, loc, _vocabulary(model))
            problems.at(doc, loc, message, key=key)
        return None


def _yaml_loc(loc: tuple[Any, ...], tags: set[str]) -> Loc:
    """Drop the union tags pydantic inserts.

    ``('body', 0, 'steps', 'steps', 1)`` becomes ``('body', 0, 'steps', 1)``.
    """
    out: list[str | int] = []
    for index, part in enumerate(loc):
        if (
            isinstance(part, str)
            and part in tags
            and index > 0
            and isinstance(loc[index - 1], int)
            and index + 1 < len(loc)
            and loc[index + 1] == part
        ):
            continue
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        out.append(part)
    return tuple(out)


def _kind(value: Any) -> str:
    names = {str: "text", int: "a number", bool: "true/false", list: "a list", dict: "a mapping"}
    return names.get(type(value), "a date" if value is not None else "nothing")


def _field(loc: Loc) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return "value"


def _message(error: Any, loc: Loc, vocabulary: frozenset[str]) -> tuple[str, bool]:
    kind = error["type"]
    value = error.get("input")
    name = _field(loc)
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"missing required key '{loc[-1]}'", True
    if kind == "extra_forbidden":
        hint = difflib.get_close_matches(str(loc[-1]), sorted(vocabulary), n=1)
        suffix = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"unknown key '{loc[-1]}'{suffix}", True
    if kind == "block":
        found = ", ".join(f"'{k}'" for k in value) if isinstance(value, dict) else _kind(value)
        kinds = str(error["msg"]).rsplit(":", 1)[-1].replace(" ", "").split(",")
        hint = (
            difflib.get_close_matches(str(next(iter(value))), kinds, n=1)
            if isinstance(value, dict) and len(value) == 1
            else []
        )
        suffix = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{error['msg']} (found {found}){suffix}", False
    if kind == "union_tag_invalid":
        tag = ctx.get("tag", "?")
        expected = ctx.get("expected_tags", "")
        hint = difflib.get_close_matches(str(tag), [t.strip(" '") for t in expected.split(",")], 1)
        suffix = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"unknown block kind '{tag}'{suffix} (expected one of {expected})", True
    if kind == "literal_error":
        return f"'{value}' is not allowed for '{name}'; expected {ctx.get('expected')}", False
    if kind == "string_pattern_mismatch":
        if "a-z0-9" in str(ctx.get("pattern", "")):
            return (
                f"'{value}' is not a valid id for '{name}': use lowercase letters, digits "
                "and single hyphens (e.g. 'pin-login')"
            ), False
        return f"'{value}' is not a valid value for '{name}'", False
    if kind == "too_short" and int(ctx.get("min_length", 1)) > 1:
        count = len(value) if isinstance(value, list) else 0
        return f"'{name}' needs at least {ctx['min_length']} entries (count {count})", False
    if kind in ("string_too_short", "too_short"):
        return f"'{name}' must not be empty", False
    if kind.startswith("date_"):
        return f"'{name}' must be a date written YYYY-MM-DD (got {value!r})", False
    if kind == "value_error":
        return f"{name}: {str(error['msg']).removeprefix('Value error, ')}", False
    if kind.endswith("_type"):
        return f"'{name}' must be {_expected(kind)}, not {_kind(value)}", False
    return f"{name}: {error['msg']} (got {value!r})", False


def _expected(kind: str) -> str:
    return {
        "string_type": "text",
        "list_type": "a list",
        "dict_type": "a mapping",
        "model_type": "a mapping",
        "model_attributes_type": "a mapping",
        "int_type": "a whole number",
        "bool_type": "true or false",
    }.get(kind, kind.removesuffix("_type"))


@functools.cache
def _vocabulary(model: type[BaseModel]) -> frozenset[str]:
    """Every key any part of ``model`` accepts, to suggest the one a typo meant."""
    names: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(properties)
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    collect(model.model_json_schema())
    return frozenset(names)
