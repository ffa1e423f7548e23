"""The one loader: what a valid knowledge base turns into, and how it refuses the rest."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpdesk.cli import cli
from helpdesk.content.articles import StepsBlock, TabsBlock
from helpdesk.content.kb import load_kb
from helpdesk.content.yaml import parse_yaml
from helpdesk.errors import ContentError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb", target)
    return target


def test_a_valid_kb_loads_into_typed_articles(kb_dir: Path) -> None:
    kb = load_kb(kb_dir)

    assert sorted(kb.articles) == ["activate-device", "set-pin"]
    article = kb.articles["set-pin"]
    assert article.updated == dt.date(2025, 9, 15)
    assert article.applies_to == {"windows-client": ">=20.0"}
    tabs = article.body[1]
    assert isinstance(tabs, TabsBlock)
    assert [t.platform for t in tabs.tabs] == ["windows", "android"]
    steps = kb.articles["activate-device"].body[0]
    assert isinstance(steps, StepsBlock)
    assert steps.steps[0].note == "Only administrators can."
    assert steps.steps[1].text == "Type the code on the device."
    assert kb.warnings == []


def test_decimal_numbers_stay_text_and_yes_no_stay_words(tmp_path: Path) -> None:
    doc = parse_yaml(tmp_path / "x.yaml", b"version: 19.99\nnext: 20.10\nanswer: No\nn: 3\n")

    assert doc.data == {"version": "19.99", "next": "20.10", "answer": "No", "n": 3}


def test_positions_point_at_keys_and_values(tmp_path: Path) -> None:
    doc = parse_yaml(tmp_path / "x.yaml", b"a: 1\nb:\n  - c: x\n    d: y\n")

    assert doc.position(("b", 0, "d")).line == 4
    assert doc.position(("b", 0, "d")).column == 8
    assert doc.position(("b", 0, "d"), key=True).column == 5
    assert doc.position(("b", 0, "missing")).line == 3  # nearest located ancestor


def test_passed_review_date_warns_but_does_not_fail(kb_dir: Path) -> None:
    path = kb_dir / "articles" / "set-pin.yaml"
    path.write_text(path.read_text() + "review_by: 2024-01-01\n")

    kb = load_kb(kb_dir, today=dt.date(2026, 1, 1))

    assert len(kb.warnings) == 1
    assert "review date 2024-01-01 has passed" in kb.warnings[0].message
    result = CliRunner().invoke(cli, ["lint", "--kb", str(kb_dir)])
    assert result.exit_code == 0
    strict = CliRunner().invoke(cli, ["lint", "--kb", str(kb_dir), "--strict"])
    assert strict.exit_code == 1


def test_lint_json_lists_problems_with_positions(kb_dir: Path) -> None:
    shutil.copy(FIXTURES / "broken" / "unknown-key.yaml", kb_dir / "articles")

    result = CliRunner().invoke(cli, ["lint", "--kb", str(kb_dir), "--format", "json"])

    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems == [
        {
            "path": "kb/articles/unknown-key.yaml",
            "line": 4,
            "column": 1,
            "severity": "error",
            "message": "unknown key 'sumary'; did you mean 'summary'?",
        }
    ]


def test_missing_kb_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", "--kb", str(tmp_path / "nowhere")])

    assert result.exit_code == 1
    assert "knowledge base folder not found" in result.output


def test_missing_taxonomy_is_reported(kb_dir: Path) -> None:
    (kb_dir / "taxonomy.yaml").unlink()

    with pytest.raises(ContentError) as caught:
        load_kb(kb_dir)

    assert any("taxonomy.yaml is missing" in p.message for p in caught.value.problems)


def test_yml_files_are_not_silently_skipped(kb_dir: Path) -> None:
    shutil.copy(kb_dir / "articles" / "set-pin.yaml", kb_dir / "articles" / "copy.yml")

    with pytest.raises(ContentError) as caught:
        load_kb(kb_dir)

    assert "rename the file to end in .yaml" in caught.value.problems[0].message


def test_customer_articles_must_not_link_agent_only_ones(kb_dir: Path) -> None:
    path = kb_dir / "articles" / "activate-device.yaml"
    path.write_text(path.read_text() + "audience: agent\n")

    with pytest.raises(ContentError) as caught:
        load_kb(kb_dir)

    messages = [str(p) for p in caught.value.problems]
    assert any("kb:activate-device" in m and "not on the site" in m for m in messages)


def test_schema_article_is_a_json_schema_with_field_docs() -> None:
    result = CliRunner().invoke(cli, ["schema", "article"])

    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"id", "title", "summary", "category", "updated", "body"}
    assert "file name" in schema["properties"]["id"]["description"]


def test_unknown_schema_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["schema", "recipe"])

    assert result.exit_code == 2
