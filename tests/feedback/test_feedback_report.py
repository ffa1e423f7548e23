"""helpdesk report over a fixed database, transcripts and KB: the text form is compared
verbatim with a golden file; JSON and HTML carry the same facts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_support import TODAY, copy_kb, make_database, make_transcripts

from helpdesk.cli import cli

GOLDEN = Path(__file__).parent / "golden" / "report.txt"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("report")
    return {
        "kb": copy_kb(tmp),
        "db": make_database(tmp / "feedback.sqlite3"),
        "transcripts": make_transcripts(tmp / "transcripts"),
    }


def run_report(world: dict[str, Path], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--kb",
            str(world["kb"]),
            "--feedback-db",
            str(world["db"]),
            "--transcripts",
            str(world["transcripts"]),
            "--today",
            TODAY.isoformat(),
            *args,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_text_report_matches_the_golden_file(world: dict[str, Path]) -> None:
    code, out, err = run_report(world)
    assert code == 0, err
    if os.environ.get("HELPDESK_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")
    assert max(len(line) for line in out.splitlines()) <= 100


def test_the_json_report_holds_the_facts_a_writer_acts_on(world: dict[str, Path]) -> None:
    code, out, _ = run_report(world, "--format", "json")
    assert code == 0
    data = json.loads(out)
    pin = next(a for a in data["articles"] if a["article"] == "pin-login")
    assert (pin["votes"], pin["yes"], pin["yes_share"]) == (6, 2, 0.3333)
    assert pin["reasons"] == {"missing-info": 1, "outdated": 2, "hard-to-follow": 1}
    assert [c["lang"] for c in pin["latest_comments"]] == ["es", "en", "en"]
    groups = {(g["lang"], g["query"]): g for g in data["failed_searches"]}
    police = groups[("it", "schedina alloggiati")]
    assert (police["searches"], police["no_results"], police["abandoned"]) == (5, 4, 1)
    assert police["nearest"] is None
    code_group = groups[("en", "activation code")]
    assert code_group["wordings"] == {"activation code": 1, "activaton code": 1}
    assert code_group["nearest"]["article"] == "activate-device"
    assert [r["article"] for r in data["review_due"]] == ["pin-login"]
    states = {(t["article"], t["state"]) for t in data["translations"]}
    assert ("enable-mfa", "stale") in states and ("pin-login", "missing") in states
    trees = {t["tree"]: t for t in data["trees"]}
    assert trees["mfa-trouble"]["walks"] == 5
    assert sum(d["abandoned"] for d in trees["mfa-trouble"]["drop_off"].values()) == 1


def test_since_and_lang_narrow_the_feedback(world: dict[str, Path]) -> None:
    code, out, _ = run_report(world, "--format", "json", "--lang", "it")
    assert code == 0
    data = json.loads(out)
    assert data["votes"] == 1
    assert {g["lang"] for g in data["failed_searches"]} == {"it"}
    assert {t["lang"] for t in data["translations"]} == {"it"}
    code, out, _ = run_report(world, "--format", "json", "--since", "2026-11-21")
    # One item an hour from 20 November 08:00: the 17th vote arrived at midnight.
    assert [a["article"] for a in json.loads(out)["articles"]] == ["enable-mfa"]


def test_an_unknown_language_or_date_is_a_usage_error(world: dict[str, Path]) -> None:
    code, _, err = run_report(world, "--lang", "de")
    assert code == 2 and "--lang de" in err
    code, _, err = run_report(world, "--since", "yesterday")
    assert code == 2 and "not a date" in err


def test_the_report_is_written_into_the_output_folder(
    world: dict[str, Path], tmp_path: Path
) -> None:
    code, out, _ = run_report(world, "--format", "html", "--output", str(tmp_path / "out"))
    assert code == 0 and out == ""
    page = (tmp_path / "out" / "content-health.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 4
    assert "<script" not in page and "http://" not in page.replace(
        '"http://www.w3.org/2000/svg"', ""
    )


def test_a_database_not_created_yet_reads_as_no_feedback(
    world: dict[str, Path], tmp_path: Path
) -> None:
    missing = {**world, "db": tmp_path / "none.sqlite3"}
    code, out, err = run_report(missing)
    assert code == 0
    assert "no feedback database" in err and "No votes yet." in out
    assert not (tmp_path / "none.sqlite3").exists()


def test_a_file_that_is_not_a_database_is_a_clear_error(
    world: dict[str, Path], tmp_path: Path
) -> None:
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_text("not a database at all, just some text" * 50)
    code, _, err = run_report({**world, "db": bogus})
    assert code == 3  # the storage seam's StorageError
    assert f"cannot open the SQLite database {bogus}" in err
    assert "Traceback" not in err


@pytest.mark.browser
def test_the_html_report_opens_from_a_file_in_chromium_and_shows_its_charts(
    world: dict[str, Path], tmp_path: Path, chromium: Any
) -> None:
    code, _, err = run_report(world, "--format", "html", "--output", str(tmp_path))
    assert code == 0, err
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((tmp_path / "content-health.html").as_uri())
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() >= 4
    names = [charts.nth(i).get_attribute("aria-label") for i in range(charts.count())]
    assert "Votes per article, least helpful first" in names
    assert "How walks end, per tree" in names
    for i in range(charts.count()):  # drawn, with a visible size, not an empty box
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 20
    bars = page.locator("#votes svg rect.no")
    assert bars.count() >= 3
    assert page.locator("#searches td", has_text="schedina alloggiati").count() == 1
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert requests == [(tmp_path / "content-health.html").as_uri()]  # nothing else fetched
