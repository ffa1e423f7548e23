"""Translations against their sources: staleness, structure, files that cannot be translations.

The fixture KB (``fixtures/translations/kb``) has one source article with every block
kind and its Italian and Spanish translations. Each file in
``fixtures/translations/divergence`` is that Spanish translation with one structural
mistake; its first line says what and where lint must report it (``expect L:C: text``),
and it must be the only error: one mistake, one message.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpdesk.cli import cli
from helpdesk.content.kb import load_kb
from helpdesk.errors import ConfigError, ContentError, Problem

FIXTURES = Path(__file__).parent / "fixtures" / "translations"
DIVERGENCE = sorted((FIXTURES / "divergence").glob("*.yaml"))
REAL_KB = Path(__file__).parents[2] / "kb"
EXPECT_RE = re.compile(r"expect (\d+):(\d+): (.+)$")


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "kb", tmp_path / "kb"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def errors_of(kb_dir: Path) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        load_kb(kb_dir)
    return [p for p in caught.value.problems if p.severity == "error"]


def mark(*paths: Path) -> None:
    code, _, err = run("translations", "mark-current", *map(str, paths))
    assert code == 0, err


def test_the_fixture_translations_load_and_localize(kb_dir: Path) -> None:
    kb = load_kb(kb_dir)
    assert kb.languages == ["en", "it", "es"]
    local = kb.localized_article("set-pin", "it")
    assert (local.state, local.text_lang) == ("stale", "it")  # never marked current yet
    assert local.article.title == "Impostare il PIN"
    assert local.article.category == "access-security"  # metadata from the source
    assert local.article.related == ["activate-device"]
    missing = kb.localized_article("activate-device", "it")
    assert (missing.state, missing.text_lang) == ("missing", "en")
    assert missing.article.title == "Activate a device"
    assert kb.localized_article("set-pin", "en").state == "current"
    with pytest.raises(ConfigError, match="unknown language 'pt' \\(known: en, it, es\\)"):
        kb.localized_article("set-pin", "pt")


def test_a_translation_never_marked_current_is_a_warning_until_it_is(kb_dir: Path) -> None:
    warnings = [str(w) for w in load_kb(kb_dir).warnings]
    assert any("set-pin.it.yaml" in w and "never marked current" in w for w in warnings)
    mark(kb_dir / "articles" / "set-pin.it.yaml", kb_dir / "articles" / "set-pin.es.yaml")
    text = (kb_dir / "articles" / "set-pin.it.yaml").read_text(encoding="utf-8")
    assert re.search(r"^lang: it\nsource_digest: sha256:[0-9a-f]{16}\.\S+\ntitle:", text, re.M)
    kb = load_kb(kb_dir)
    assert kb.warnings == []
    assert kb.localized_article("set-pin", "it").state == "current"


@pytest.mark.parametrize("fixture", DIVERGENCE, ids=[p.stem for p in DIVERGENCE])
def test_structural_divergence_is_one_located_error(kb_dir: Path, fixture: Path) -> None:
    expected = EXPECT_RE.search(fixture.read_text(encoding="utf-8").splitlines()[0])
    assert expected, f"{fixture.name}: first line must say 'expect L:C: message'"
    target = kb_dir / "articles" / "set-pin.es.yaml"
    shutil.copyfile(fixture, target)
    errors = errors_of(kb_dir)
    assert len(errors) == 1, "\n".join(map(str, errors))
    error = errors[0]
    assert error.path == "kb/articles/set-pin.es.yaml"
    assert (error.line, error.column) == (int(expected[1]), int(expected[2]))
    assert error.message.startswith(expected[3].strip())


def test_mark_current_refuses_a_diverged_translation_and_writes_nothing(kb_dir: Path) -> None:
    target = kb_dir / "articles" / "set-pin.es.yaml"
    shutil.copyfile(FIXTURES / "divergence" / "steps-count.yaml", target)
    before = target.read_bytes()
    code, _, err = run("translations", "mark-current", str(target))
    assert code == 1
    assert "set-pin.es.yaml:10:7: 2 step(s) but block 3 of the source has 3" in err
    assert target.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("set-pin.es.yaml", ("lang: es", "lang: it"), "2:7: lang 'it' but the file name says 'es'"),
        (
            "set-pin.es.yaml",
            ("kb:activate-device)", "kb:activate-devise)"),
            "6:16: link to unknown",
        ),
        ("set-pin.pt.yaml", None, "1:1: unknown language 'pt' in the file name"),
        ("set-pin.en.yaml", None, "1:1: 'en' is the source language"),
    ],
    ids=["lang-contradicts-name", "unknown-link", "unknown-language", "source-language"],
)
def test_mark_current_refuses_what_lint_refuses_and_writes_nothing(
    kb_dir: Path, name: str, edit: tuple[str, str] | None, message: str
) -> None:
    target = kb_dir / "articles" / name
    text = (kb_dir / "articles" / "set-pin.es.yaml").read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    target.write_text(text, encoding="utf-8")
    code, out, err = run("translations", "mark-current", str(target))
    assert code == 1, out
    assert f"kb/articles/{name}:{message}" in err
    assert err.count(f"kb/articles/{name}:") == 1  # lint's one message, not a second one
    assert target.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ghost.it.yaml", "translation of 'ghost', but there is no article kb/articles/ghost.yaml"),
        ("set-pin.en.yaml", "'en' is the source language"),
        ("set-pin.pt.yaml", "unknown language 'pt' in the file name (languages: en, it, es)"),
    ],
)
def test_files_that_cannot_be_translations_are_errors_naming_the_file(
    kb_dir: Path, name: str, message: str
) -> None:
    shutil.copyfile(kb_dir / "articles" / "set-pin.it.yaml", kb_dir / "articles" / name)
    errors = errors_of(kb_dir)
    assert [(e.path, e.line) for e in errors] == [(f"kb/articles/{name}", 1)]
    assert message in errors[0].message


def test_taxonomy_labels_must_name_known_ids_and_fall_back_to_english(kb_dir: Path) -> None:
    labels = kb_dir / "taxonomy.it.yaml"
    labels.write_text(
        "lang: it\ncategories:\n  access-security: {title: Accesso e sicurezza}\n"
        "tags:\n  pin: {title: PIN, keywords: [codice personale]}\n",
        encoding="utf-8",
    )
    local = load_kb(kb_dir).localized_taxonomy("it")
    assert local.title("categories", "access-security") == "Accesso e sicurezza"
    assert local.title("platforms", "windows") == "Windows"  # not translated: English
    assert "platforms.windows" in local.missing
    assert "categories.access-security.description" in local.missing
    labels.write_text("lang: it\ntags:\n  pinn: {title: PIN}\n", encoding="utf-8")
    [error] = errors_of(kb_dir)
    assert str(error) == "kb/taxonomy.it.yaml:3:3: unknown tags id 'pinn' (not in kb/taxonomy.yaml)"


def test_a_source_edit_makes_every_translation_stale_and_mark_current_clears_it(
    tmp_path: Path,
) -> None:
    kb_dir = Path(
        shutil.copytree(REAL_KB, tmp_path / "kb", ignore=shutil.ignore_patterns(".cache"))
    )
    translations = sorted((kb_dir / "articles").glob("pin-login.*.yaml"))
    assert [p.name for p in translations] == ["pin-login.es.yaml", "pin-login.it.yaml"]
    mark(*translations)
    assert not [w for w in load_kb(kb_dir).warnings if "pin-login." in w.path]

    source = kb_dir / "articles" / "pin-login.yaml"
    text = source.read_text(encoding="utf-8")
    edited = text.replace("Create your PIN in the Workspace (below).", "Create a PIN (below).")
    assert edited != text
    source.write_text(edited, encoding="utf-8")
    step_line = next(i for i, line in enumerate(edited.splitlines(), 1) if "Create a PIN" in line)

    stale = [w for w in load_kb(kb_dir).warnings if "pin-login." in w.path]
    assert sorted(w.path for w in stale) == [f"kb/articles/{p.name}" for p in translations]
    for warning in stale:
        assert warning.message.startswith("stale: the source changed since this translation")
        # The step itself, at its own line in pin-login.yaml.
        assert re.search(
            rf"body block \d+ \(steps\), step \d+ changed "
            rf"\(kb/articles/pin-login\.yaml:{step_line}\)",
            warning.message,
        ), warning.message
        # The date is said to be the source's own `updated` field.
        assert re.search(r"the source's `updated` date is 2025-\d\d-\d\d", warning.message)
        assert "title changed" not in warning.message
    code, out, _ = run("lint", "--kb", str(kb_dir), "--strict")
    assert code == 1 and "pin-login.it.yaml" in out

    code, out, _ = run("translations", "status", "--kb", str(kb_dir), "--format", "json")
    assert code == 0
    italian = json.loads(out)["languages"]["it"]["articles"]
    entry = next(item for item in italian if item["id"] == "pin-login")
    assert entry["state"] == "stale" and entry["source_changed"].startswith("2025-")

    mark(*translations)
    assert not [w for w in load_kb(kb_dir).warnings if "pin-login." in w.path]


def test_status_is_a_usage_error_for_an_unknown_language(kb_dir: Path) -> None:
    code, _, err = run("translations", "status", "--kb", str(kb_dir), "--lang", "pt")
    assert code == 2
    assert "unknown language 'pt' (known: en, it, es)" in err


def test_status_of_the_source_language_is_a_usage_error_naming_the_translations(
    kb_dir: Path,
) -> None:
    code, out, err = run("translations", "status", "--kb", str(kb_dir), "--lang", "en")
    assert (code, out) == (2, "")
    assert "'en' is the source language" in err and "(translation languages: it, es)" in err


def _real_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REAL_KB, tmp_path / "kb", ignore=shutil.ignore_patterns(".cache")))


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("summary:", "unknown key 'sumary'; did you mean 'summary'?"),
        ("related: [", "YAML syntax"),
    ],
    ids=["typo", "yaml-syntax"],
)
def test_one_mistake_in_an_article_gives_one_message(
    tmp_path: Path, broken: str, message: str
) -> None:
    # Other articles, translations, release notes and trees link pin-login: a broken
    # pin-login is still known by its id, so none of them reports it missing.
    kb_dir = _real_copy(tmp_path)
    source = kb_dir / "articles" / "pin-login.yaml"
    text = source.read_text(encoding="utf-8")
    replacement = {"summary:": "sumary:", "related: [": "related: [[["}[broken]
    source.write_text(text.replace(broken, replacement, 1), encoding="utf-8")
    errors = errors_of(kb_dir)
    assert len(errors) == 1, "\n".join(map(str, errors))
    assert errors[0].path == "kb/articles/pin-login.yaml"
    assert message in errors[0].message


def test_the_mark_current_command_lint_suggests_runs_from_where_the_writer_is(
    kb_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(kb_dir / "articles")  # not the folder holding kb/
    warning = next(w for w in load_kb(kb_dir).warnings if w.path.endswith("set-pin.it.yaml"))
    command = re.search(r"`helpdesk translations mark-current (\S+)`", warning.message)
    assert command, warning.message
    assert Path(command[1]).resolve() == (kb_dir / "articles" / "set-pin.it.yaml").resolve()
    code, _, err = run("translations", "mark-current", command[1])
    assert code == 0, err


def stale_messages(kb_dir: Path, name: str) -> list[str]:
    return [w.message for w in load_kb(kb_dir).warnings if f"{name}." in w.path]


def test_a_stale_warning_names_the_tab_that_changed(tmp_path: Path) -> None:
    kb_dir = Path(
        shutil.copytree(REAL_KB, tmp_path / "kb", ignore=shutil.ignore_patterns(".cache"))
    )
    tabs = next(
        p
        for p in sorted((kb_dir / "articles").glob("*.yaml"))
        if p.stem.count(".") == 0
        and "  - tabs:" in p.read_text()
        and list(p.parent.glob(f"{p.stem}.*.yaml"))
    )
    mark(*sorted(tabs.parent.glob(f"{tabs.stem}.*.yaml")))
    lines = tabs.read_text(encoding="utf-8").splitlines(keepends=True)
    platform = next(i for i, line in enumerate(lines) if "platform:" in line)
    name = lines[platform].split("platform:")[1].strip()
    # The tab's first plain-text step ("- Start the ..."), edited in place.
    text_line = next(
        i for i in range(platform + 1, len(lines)) if re.match(r"\s+- [A-Z]", lines[i])
    )
    lines[text_line] = lines[text_line].rstrip("\n") + " Now also this.\n"
    tabs.write_text("".join(lines), encoding="utf-8")
    message = stale_messages(kb_dir, tabs.stem)[0]
    assert re.search(rf"body block \d+ \(tabs\), the {name} tab changed", message), message


def test_a_digest_written_before_items_had_codes_still_names_the_block(tmp_path: Path) -> None:
    kb_dir = Path(
        shutil.copytree(REAL_KB, tmp_path / "kb", ignore=shutil.ignore_patterns(".cache"))
    )
    translation = kb_dir / "articles" / "pin-login.it.yaml"
    mark(translation)
    text = translation.read_text(encoding="utf-8")
    recorded = re.search(r"^source_digest: (\S+)$", text, re.M)
    assert recorded and recorded.group(1).count(".") == 2  # whole . parts . items
    older = recorded.group(1).rsplit(".", 1)[0]
    translation.write_text(text.replace(recorded.group(1), older), encoding="utf-8")
    assert not stale_messages(kb_dir, "pin-login.it")  # still current
    source = kb_dir / "articles" / "pin-login.yaml"
    source.write_text(
        source.read_text().replace("Create your PIN in the Workspace (below).", "Make a PIN.")
    )
    [message] = stale_messages(kb_dir, "pin-login.it")
    assert re.search(r"body block \d+ \(steps\) changed", message), message
