"""The engine is UI-free: importing every diagnostics module never loads Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from helpdesk.cli import cli

MODULES = sorted(
    p.stem for p in (Path(__file__).parents[2] / "src/helpdesk/diagnostics").glob("*.py")
)


def test_no_textual_import() -> None:
    imports = "; ".join(f"import helpdesk.diagnostics.{m}" for m in MODULES if m != "__init__")
    code = f"import sys; {imports}; assert 'textual' not in sys.modules, 'textual imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_commands_have_help() -> None:
    for args in (["diagnose"], ["transcript", "verify"], ["trees", "report"], ["trees", "list"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and len(result.output) > 80, args
