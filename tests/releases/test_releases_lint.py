"""Bad release files: every problem names the file and the line of the offending key."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.content.kb import load_kb
from helpdesk.errors import ContentError, Problem
from helpdesk.releases.catalog import releases_of


def _problems(kb_dir: Path) -> list[Problem]:
    with pytest.raises(ContentError) as info:
        load_kb(kb_dir)
    return [p for p in info.value.problems if p.severity == "error"]


def _write(kb_dir: Path, relative: str, text: str) -> None:
    path = kb_dir / "releases" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_fixture_kb_loads_with_releases_in_order(kb_dir: Path) -> None:
    kb = load_kb(kb_dir)
    versions = [r.release.version for r in releases_of(kb).by_product["client"]]
    assert versions == ["19.99", "20.0.0", "20.0.9", "20.0.10"]


def test_unknown_product(kb_dir: Path) -> None:
    _write(kb_dir, "client/21.0.yaml", 'summary: x\nproduct: toaster\nversion: "21.0"\n')
    [problem] = _problems(kb_dir)
    assert problem.path.endswith("releases/client/21.0.yaml")
    assert problem.line == 2
    assert "unknown product 'toaster'" in problem.message


def test_unknown_product_folder(kb_dir: Path) -> None:
    _write(kb_dir, "toaster/1.0.yaml", 'product: client\nversion: "1.0"\nsummary: x\n')
    [problem] = _problems(kb_dir)
    assert problem.path.endswith("releases/toaster/1.0.yaml")
    assert problem.line == 1
    assert "does not match the folder 'toaster'" in problem.message


def test_bad_version(kb_dir: Path) -> None:
    _write(kb_dir, "client/20.x.yaml", 'product: client\nsummary: x\nversion: "20.x"\n')
    [problem] = _problems(kb_dir)
    assert problem.path.endswith("releases/client/20.x.yaml")
    assert problem.line == 3
    assert "'20.x' is not a version" in problem.message


def test_file_name_must_match_version(kb_dir: Path) -> None:
    _write(kb_dir, "client/21.0.yaml", 'product: client\nversion: "21.1"\nsummary: x\n')
    [problem] = _problems(kb_dir)
    assert (problem.line, problem.path.endswith("client/21.0.yaml")) == (2, True)
    assert "does not match the file name" in problem.message


def test_duplicate_version_spelled_differently(kb_dir: Path) -> None:
    # 20.0 and 20.0.0 are the same version; the second file (in name order) is refused.
    _write(kb_dir, "client/20.0.yaml", 'product: client\nversion: "20.0"\nsummary: x\n')
    [problem] = _problems(kb_dir)
    assert problem.path.endswith("client/20.0.yaml")
    assert problem.line == 2
    assert "same version as" in problem.message and "20.0.0.yaml" in problem.message


def test_note_linking_a_missing_article(kb_dir: Path) -> None:
    _write(
        kb_dir,
        "client/21.0.yaml",
        "product: client\n"
        'version: "21.0"\n'
        "summary: x\n"
        "features:\n"
        "  - id: a\n"
        "    text: See [this](kb:nowhere).\n"
        "    articles: [set-pin, missing-article]\n",
    )
    problems = _problems(kb_dir)
    assert [(p.line, p.message) for p in problems] == [
        (6, "link to unknown article 'kb:nowhere'"),
        (7, "article 'missing-article' does not exist"),
    ]
    assert all(p.path.endswith("releases/client/21.0.yaml") for p in problems)


def test_bad_ranges_and_unknown_platform(kb_dir: Path) -> None:
    _write(
        kb_dir,
        "client/21.0.yaml",
        "product: client\n"
        'version: "21.0"\n'
        "summary: x\n"
        "known_issues:\n"
        "  - id: a\n"
        "    text: t\n"
        "    affects: '>=twenty'\n"
        "    fixed_in: soon\n"
        "    platforms: [amiga]\n",
    )
    problems = _problems(kb_dir)
    assert [p.line for p in problems] == [7, 8, 9]
    assert "not a version range" in problems[0].message
    assert "'soon' is not a version" in problems[1].message
    assert "unknown platform 'amiga'" in problems[2].message


def test_unknown_key_and_withdrawn_without_reason(kb_dir: Path) -> None:
    _write(
        kb_dir,
        "client/21.0.yaml",
        'product: client\nversion: "21.0"\nsummary: x\nfeaturez: []\n',
    )
    [problem] = _problems(kb_dir)
    assert (problem.line, problem.message) == (
        4,
        "unknown key 'featurez'; did you mean 'features'?",
    )


def test_known_issue_declared_twice(kb_dir: Path) -> None:
    _write(
        kb_dir,
        "client/21.0.yaml",
        "product: client\n"
        'version: "21.0"\n'
        "summary: x\n"
        "known_issues:\n"
        "  - id: printer-freeze\n"
        "    text: again\n",
    )
    [problem] = _problems(kb_dir)
    assert problem.line == 5
    assert "already declared in" in problem.message


def test_published_without_lock_entry(kb_dir: Path) -> None:
    path = kb_dir / "releases" / "client" / "19.99.yaml"
    path.write_text(
        path.read_text().replace("status: draft", "status: published\ndate: 2025-09-01")
    )
    [problem] = _problems(kb_dir)
    assert problem.line == 3
    assert "helpdesk release publish client 19.99" in problem.message


def test_unnumbered_product_takes_labels_ordered_by_date(kb_dir: Path) -> None:
    for label, date in (("2025-10", "2025-10-01"), ("2025-09", "2025-09-01")):
        _write(
            kb_dir,
            f"portal/{label}.yaml",
            f'product: portal\nversion: "{label}"\nsummary: x\ndate: {date}\n'
            "features:\n  - id: a\n    text: t\n",
        )
    kb = load_kb(kb_dir)
    assert [r.release.version for r in releases_of(kb).by_product["portal"]] == [
        "2025-09",
        "2025-10",
    ]


def test_unnumbered_product_cannot_have_ranges(kb_dir: Path) -> None:
    _write(
        kb_dir,
        "portal/2025-09.yaml",
        'product: portal\nversion: "2025-09"\nsummary: x\n'
        "features:\n  - id: a\n    text: t\n    affects: '>=1.0'\n",
    )
    [problem] = _problems(kb_dir)
    assert problem.line == 7 and "no version numbers" in problem.message


def test_schema_command_prints_the_release_schema() -> None:
    import json

    from click.testing import CliRunner

    from helpdesk.cli import cli

    result = CliRunner().invoke(cli, ["schema", "release"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert {"product", "version", "summary", "known_issues", "corrections"} <= set(
        schema["properties"]
    )
