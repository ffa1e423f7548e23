"""Version ordering per product: numeric components, pre-releases first, trailing zeros ignored."""

from __future__ import annotations

import pytest

from helpdesk.releases.versions import VersionError, parse_range, parse_version


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("19.99", "20.0.0"),
        ("19.99", "20.0"),
        ("20.0.0", "20.0.10"),
        ("20.0.9", "20.0.10"),
        ("1.5", "1.5.1"),
        ("20.1.0-beta.2", "20.1.0-rc.1"),
        ("20.1.0-rc.1", "20.1.0"),
        ("20.1.0a1", "20.1.0b1"),
        ("20.0.10", "20.1.0-alpha"),
    ],
)
def test_numeric_order(lower: str, higher: str) -> None:
    assert parse_version(lower) < parse_version(higher)
    assert parse_version(higher) > parse_version(lower)


def test_sorting_a_mixed_list() -> None:
    versions = ["20.0.10", "19.99", "20.0.9", "20.0.0", "1.5.1", "20.0.1"]
    ordered = sorted(versions, key=parse_version)
    assert ordered == ["1.5.1", "19.99", "20.0.0", "20.0.1", "20.0.9", "20.0.10"]


def test_trailing_zeros_are_the_same_version() -> None:
    assert parse_version("20.0") == parse_version("20.0.0")
    assert hash(parse_version("20.0")) == hash(parse_version("20.0.0"))
    assert str(parse_version("20.0")) == "20.0"  # displayed as written


@pytest.mark.parametrize("text", ["", "v20", "20.x", "20.0X", "1..2", "1.2.3.4.5", "20.0-foo"])
def test_invalid_numeric_versions(text: str) -> None:
    with pytest.raises(VersionError, match="is not a version"):
        parse_version(text)


def test_unnumbered_products_take_labels() -> None:
    assert parse_version("2025-09", "none").text == "2025-09"
    assert parse_version("2025-09", "none") != parse_version("2025-10", "none")
    with pytest.raises(VersionError):
        parse_version("no spaces", "none")


def test_ranges() -> None:
    window = parse_range(">=19.99,<20.0.10")
    assert parse_version("19.99") in window
    assert parse_version("20.0.9") in window
    assert parse_version("20.0.10") not in window
    assert parse_version("19.98") not in window
    exact = parse_range("20.0")
    assert parse_version("20.0.0") in exact
    assert parse_version("20.0.1") not in exact
    with pytest.raises(VersionError, match="version range"):
        parse_range(">=")


def test_slug_is_an_html_id() -> None:
    assert parse_version("20.0.10").slug == "v20-0-10"
    assert parse_version("20.1.0-rc.1").slug == "v20-1-0-rc-1"
