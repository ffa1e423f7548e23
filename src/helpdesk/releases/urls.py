"""Where release notes live on the site and in the generated docs folder.

Pages: ``release-notes/<product>/index.md`` (all versions, newest first),
``release-notes/<product>/<version>.md`` (one version) and
``release-notes/<product>/upgrade.md`` (the "upgrading from X to Y" view). Data:
``releases/<product>.json``, Atom feeds ``releases/<product>.xml`` and
``releases/feed.xml`` (every product), and the view's script ``releases/upgrade.js``.
"""

from __future__ import annotations

SECTION = "release-notes"
DATA = "releases"
FEED_ALL = f"{DATA}/feed.xml"
SCRIPT = f"{DATA}/upgrade.js"


def index_source() -> str:
    return f"{SECTION}/index.md"


def product_source(product: str) -> str:
    return f"{SECTION}/{product}/index.md"


def product_url(product: str) -> str:
    return f"{SECTION}/{product}/"


def version_source(product: str, version: str) -> str:
    return f"{SECTION}/{product}/{version}.md"


def version_url(product: str, version: str) -> str:
    return f"{SECTION}/{product}/{version}/"


def upgrade_source(product: str) -> str:
    return f"{SECTION}/{product}/upgrade.md"


def json_file(product: str) -> str:
    return f"{DATA}/{product}.json"


def feed_file(product: str) -> str:
    return f"{DATA}/{product}.xml"
