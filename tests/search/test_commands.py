"""``helpdesk search`` and ``helpdesk index`` as a person meets them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from helpdesk.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_is_a_list_of_hits(kb_dir: Path) -> None:
    code, out, err = run("search", "--kb", str(kb_dir), "--json", "pinn", "android")
    assert code == 0
    hits = json.loads(out)
    assert isinstance(hits, list) and hits[0]["id"] == "pin-login"
    assert {"id", "title", "summary", "url", "score", "snippet", "fallback"} <= set(hits[0])
    assert hits[0]["did_you_mean"] == "pin android"
    assert "building the search index" in err  # the missing index was built, on stderr


def test_text_output_is_a_table(kb_dir: Path) -> None:
    code, out, _ = run("search", "--kb", str(kb_dir), "--limit", "2", "2FA")
    assert code == 0
    assert "Turn on multi-factor" in out and "access-security/enable-mfa/" in out
    assert "Synonyms: 2FA" in out


def test_no_results_say_so_with_suggestions(kb_dir: Path) -> None:
    code, out, err = run("search", "--kb", str(kb_dir), "--platform", "web", "zzqx", "19.99")
    assert code == 1  # as grep: nothing matched
    assert "No results for 'zzqx 19.99'" in err
    assert "Try fewer words" in err and "Try without --platform web" in err
    assert out == ""
    code, out, err = run("search", "--kb", str(kb_dir), "--json", "zzqx")
    assert code == 1
    assert json.loads(out) == [] and "No results" in err


def test_bad_filter_is_a_usage_error(kb_dir: Path) -> None:
    code, _, err = run("search", "--kb", str(kb_dir), "--platform", "blackberry", "pin")
    assert code == 2
    assert "unknown platform 'blackberry'" in err and "android, ios, web, windows" in err


def test_agent_flag(kb_dir: Path) -> None:
    _, out, _ = run("search", "--kb", str(kb_dir), "--json", "suspend", "mfa")
    assert "suspend-mfa-agent" not in [h["id"] for h in json.loads(out)]
    _, out, _ = run("search", "--kb", str(kb_dir), "--json", "--agent", "suspend", "mfa")
    assert json.loads(out)[0]["id"] == "suspend-mfa-agent"


def test_index_command(kb_dir: Path) -> None:
    code, out, _ = run("index", "--kb", str(kb_dir))
    assert code == 0 and "6 added" in out
    code, out, _ = run("index", "--kb", str(kb_dir))
    assert "6 unchanged" in out
    code, out, err = run("index", "--kb", str(kb_dir), "--rebuild")
    assert "rebuilt" in out and "rebuild requested" in err


def test_broken_kb_is_a_clean_error(tmp_path: Path) -> None:
    code, _, err = run("search", "--kb", str(tmp_path / "nope"), "pin")
    assert code == 2 and "Traceback" not in err  # an error, never 1 ("no match")


def test_a_broken_knowledge_base_is_an_error_not_no_match(kb_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken-kb"
    shutil.copytree(kb_dir, broken, ignore=shutil.ignore_patterns(".cache"))
    first = sorted((broken / "articles").glob("*.yaml"))[0]
    first.write_text(first.read_text() + "\nnot: [closed\n")

    code, out, err = run("search", "--kb", str(broken), "pin")

    assert code == 2  # 1 would read as "nothing matched"
    assert first.name in err and out == ""


def test_a_language_from_helpdesk_lang_that_is_unknown_says_where_it_came_from(
    kb_dir: Path,
) -> None:
    result = CliRunner(env={"HELPDESK_LANG": "pt"}).invoke(
        cli, ["search", "--kb", str(kb_dir), "pin"]
    )
    assert result.exit_code == 2
    assert "unknown language 'pt'" in result.stderr and "from HELPDESK_LANG=pt" in result.stderr
    code, _, err = run("search", "--kb", str(kb_dir), "--lang", "pt", "pin")
    assert code == 2 and "HELPDESK_LANG" not in err  # typed on the command line: it says so


def test_an_added_language_is_named_when_its_search_falls_back_to_english(kb_dir: Path) -> None:
    # A fourth language is one line in the taxonomy; its messages need no code change.
    taxonomy = kb_dir / "taxonomy.yaml"
    taxonomy.write_text("languages: [en, pt]\n" + taxonomy.read_text(encoding="utf-8"))
    code, out, _ = run("search", "--kb", str(kb_dir), "--lang", "pt", "--agent", "suspend", "mfa")
    assert code == 0
    assert "Nothing in Portuguese for 'suspend mfa'; found in English:" in out
