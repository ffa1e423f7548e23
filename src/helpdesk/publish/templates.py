"""The Jinja2 environment over ``kb/templates/`` that turns models into Markdown.

Templates are strict: a missing variable is an error (``StrictUndefined``), never a
blank in a published page. Output is Markdown, not HTML, so nothing is auto-escaped;
the filters below escape exactly what each Markdown construct needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import jinja2

from helpdesk.errors import BuildError, ContentError, Problem, display_path
from helpdesk.publish import i18n

TEMPLATES_FOLDER = "templates"

_OPERATORS = {">=": "≥", "<=": "≤", "==": "=", "!=": "≠", "~=": "~", "===": "=", ">": ">", "<": "<"}


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every language's environment in this process.

    The code Jinja compiles does not depend on the catalog (``_()`` looks the installed
    gettext up at render time), so the languages' environments compile each template
    once between them; a bucket is keyed by the template's name and source checksum, so
    an edited template (``helpdesk serve``) is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


def make_env(templates_dir: Path, lang: str = "en", source: str = "en") -> jinja2.Environment:
    """The environment every page of one language is rendered with.

    UI strings go through ``{{ _("...") }}`` (``jinja2.ext.i18n``, new-style gettext:
    ``_("%(n)s articles", n=3)`` formats after translating), with the catalog of
    ``lang`` from ``kb/templates/locale``; dates (``longdate``) follow the language too.
    ``lang`` is also a global, for templates that link to other languages.

    Args:
        templates_dir: usually ``kb/templates``.
        lang: the pages' language.
        source: the source language (its strings are the templates' own).

    Raises:
        ContentError: when the folder does not exist, or the language's catalog is broken.
    """
    if not templates_dir.is_dir():
        raise ContentError(
            [Problem(display_path(templates_dir), 1, 1, "templates folder not found")]
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        # Templates are line-oriented Markdown: a line holding only a block tag
        # should leave no blank line or stray indent behind.
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=_BYTECODE,
    )
    catalog = i18n.translations(templates_dir, lang, source)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    env.globals[_PLAIN_GETTEXT] = catalog.gettext
    fast = _new_style(catalog.gettext)
    env.globals.update(_=fast, gettext=fast)
    env.filters.update(
        yaml=yaml_string,
        quoted=quoted,
        cell=table_cell,
        alt=alt_text,
        longdate=lambda value: i18n.long_date(value, lang),
        version_range=version_range,
        rstrip=str.rstrip,
    )
    env.globals.update(kind=block_kind, has_notes=has_notes, lang=lang, source_lang=source)
    return env


def _new_style(translate: Callable[[str], str]) -> Callable[..., str]:
    """``_()`` as the i18n extension's new-style gettext does it (translate, then ``%`` the
    keywords in, always, so ``%%`` is a percent sign), as a plain function.

    The extension's own ``_`` is an alias that looks ``gettext`` up in the context and
    calls it through the context, which calls the catalog through the context again:
    three context calls for each of the ten or so strings of every page. Output is
    never auto-escaped here (``autoescape=False``), which is the one thing the
    extension's version adds.
    """

    def gettext(message: str, /, **variables: Any) -> str:
        return translate(message) % variables

    return gettext


_PLAIN_GETTEXT = "hd_gettext"


def gettext_of(env: jinja2.Environment) -> Callable[[str], str]:
    """The environment's catalog as a plain function, for strings made in Python."""
    found = env.globals.get(_PLAIN_GETTEXT)
    if not callable(found):
        return str
    return cast("Callable[[str], str]", found)


def render(template: str | jinja2.Template, env: jinja2.Environment, **context: Any) -> str:
    """Render one template; template mistakes become errors that name the template line.

    Args:
        template: a template name under the templates folder, or one already loaded.
        env: the environment to load a named template from.
        **context: the template's variables.

    Raises:
        ContentError: a template has a syntax error (``path:line:column``).
        BuildError: a template failed while rendering (e.g. an undefined variable).
    """
    try:
        if isinstance(template, str):
            template = env.get_template(template)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        path = display_path(Path(exc.filename)) if exc.filename else str(template)
        raise ContentError([Problem(path, exc.lineno, 1, exc.message or "syntax error")]) from None
    except jinja2.TemplateError as exc:
        where = _template_location(exc) or str(template)
        raise BuildError(f"{where}: template error: {exc}") from None


def load_template(env: jinja2.Environment, name: str) -> jinja2.Template:
    """Load (and compile) a template once; syntax errors name the template line."""
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        path = display_path(Path(exc.filename)) if exc.filename else name
        raise ContentError([Problem(path, exc.lineno, 1, exc.message or "syntax error")]) from None
    except jinja2.TemplateNotFound:
        raise ContentError([Problem(name, 1, 1, "template not found")]) from None


def _template_location(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame; Jinja maps its frames to template lines."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = f"{display_path(Path(filename))}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


_KINDS: dict[type, str] = {}


def block_kind(block: object) -> str:
    """A body block's kind: the name of its only field (``paragraph``, ``steps``, ...)."""
    cls = type(block)
    kind = _KINDS.get(cls)
    if kind is None:  # once per block class: reading model_fields is slow in pydantic 2.11+
        fields: dict[str, object] = cls.model_fields  # type: ignore[attr-defined]
        kind = _KINDS[cls] = next(iter(fields))
    return kind


def has_notes(steps: list[Any]) -> bool:
    """Whether any step carries a note (then the list is loose, so notes sit under steps)."""
    return any(step.note for step in steps)


def yaml_string(value: object) -> str:
    """A front-matter value: a JSON string is a valid double-quoted YAML scalar."""
    return json.dumps(str(value), ensure_ascii=False)


def quoted(value: object) -> str:
    """A title for ``!!! kind "title"`` or ``=== "label"``; those lines cannot escape quotes."""
    return '"' + str(value).replace('"', "'").replace("\n", " ") + '"'


def table_cell(value: object) -> str:
    """A pipe-table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def alt_text(value: object) -> str:
    return str(value).replace("[", "(").replace("]", ")").replace("\n", " ")


def version_range(spec: str) -> str:
    """``>=1.5,<2`` -> ``≥ 1.5, < 2`` for a reader, not a parser."""
    parts = []
    for clause in spec.split(","):
        clause = clause.strip()
        op = next(
            (o for o in sorted(_OPERATORS, key=len, reverse=True) if clause.startswith(o)), ""
        )
        parts.append(f"{_OPERATORS[op]} {clause[len(op) :].strip()}" if op else clause)
    return ", ".join(parts)
