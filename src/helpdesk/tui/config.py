"""The agent's settings file, and where the terminal app keeps its data.

The file is human-edited TOML (``config.toml``) or YAML (``config.yaml``) in the user
config folder (``platformdirs``), or wherever ``HELPDESK_CONFIG`` points::

    api_url = "https://access.example.net"
    token = "hd_..."              # never echoed; HELPDESK_TOKEN or --token win over it
    theme = "textual-light"
    [keybindings]                 # binding id -> keys, see F1 in the app
    "walk.back" = "backspace,b"

A file that cannot be used is a ``ConfigError`` naming the file and the key: an agent
who typo'd ``api_ulr`` must hear about it, not silently land on the demo workspace.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpdesk.errors import ConfigError

APP_NAME = "helpdesk"
CONFIG_NAMES = ("config.toml", "config.yaml", "config.yml")
_KNOWN_KEYS = {"api_url", "token", "theme", "keybindings", "timeout"}


@dataclass(frozen=True)
class AgentConfig:
    """What the config file may set; every field is optional.

    Attributes:
        api_url: the access API to talk to; None means the embedded demo workspace.
        token: the bearer token for ``api_url``.
        theme: a Textual theme name (``textual-dark``, ``textual-light``, ...).
        keybindings: binding id -> comma-separated keys, handed to ``App.set_keymap``.
        timeout: seconds allowed for each API call.
        path: the file this came from, if any (for messages).
    """

    api_url: str | None = None
    token: str | None = None
    theme: str | None = None
    keybindings: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0
    path: Path | None = None


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def data_dir() -> Path:
    """Where the embedded database and saved walks live (``HELPDESK_DATA_DIR`` overrides)."""
    override = os.environ.get("HELPDESK_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


def config_path() -> Path | None:
    """The config file in use: ``HELPDESK_CONFIG`` or the first existing default name."""
    override = os.environ.get("HELPDESK_CONFIG")
    if override:
        return Path(override)
    folder = config_dir()
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None) -> AgentConfig:
    """Read the agent config; no file at the default places is not an error.

    Args:
        path: the file to read; None to look up ``HELPDESK_CONFIG`` and the defaults.

    Raises:
        ConfigError: the file is named but missing, unreadable, or has bad keys or values.
    """
    explicit = path is not None or bool(os.environ.get("HELPDESK_CONFIG"))
    path = path or config_path()
    if path is None:
        return AgentConfig()
    if not path.is_file():
        if explicit:
            raise ConfigError(f"{path}: config file not found (HELPDESK_CONFIG points here)")
        return AgentConfig()
    data = _parse(path)
    return _validate(data, path)


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from exc
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    if path.suffix in (".yaml", ".yml"):
        import yaml  # only YAML configs pay for PyYAML

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: the config file must be a mapping of keys to values")
        return data
    raise ConfigError(f"{path}: use a .toml or .yaml config file")


def _validate(data: dict[str, Any], path: Path) -> AgentConfig:
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KNOWN_KEYS))})"
        )
    for key in ("api_url", "token", "theme"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{path}: '{key}' must be a string")
    bindings = data.get("keybindings", {})
    if not isinstance(bindings, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in bindings.items()
    ):
        raise ConfigError(f"{path}: 'keybindings' must map binding ids to key strings")
    timeout = data.get("timeout", 10.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{path}: 'timeout' must be a positive number of seconds")
    return AgentConfig(
        api_url=data.get("api_url") or None,
        token=data.get("token") or None,
        theme=data.get("theme") or None,
        keybindings=dict(bindings),
        timeout=float(timeout),
        path=path,
    )
