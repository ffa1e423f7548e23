"""The site search in the live preview: a search bundle per language, kept up to date.

``mkdocs serve`` builds each language into a folder of its own that nobody else sees,
and the site search indexes built HTML, so the preview's pages would ask for
``/<lang>/hd-search/…`` in vain ("search is not available"). Here, in a thread of its
own, each language is built once more by the engine into ``build/preview-search/``, the
published site's search step (``site_search.index_site``) indexes it, and each
language's bundle is swapped into place; the front server answers ``/<lang>/hd-search/…``
from there. A change in ``kb/`` asks for a refresh; changes that come while one runs
are folded into the next, so the search trails the pages by one build (seconds), never
piles up work.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from helpdesk.content.kb import KnowledgeBase
from helpdesk.errors import HelpdeskError
from helpdesk.publish import engine, site_search
from helpdesk.publish.build import swap_into_place
from helpdesk.publish.config import Project


class PreviewSearch:
    """Builds and indexes the preview's languages in the background on request."""

    def __init__(self, project: Project, languages: list[str], echo: Callable[[str], None]) -> None:
        self.project = project
        self.languages = languages
        self.root = project.work_dir / "preview-search"
        self._echo = echo
        self._wanted: KnowledgeBase | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="preview-search", daemon=True)

    def bundle(self, lang: str) -> Path:
        """Where ``/<lang>/hd-search/`` is served from (absent until the first index)."""
        return self.root / lang / site_search.BUNDLE

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=1)

    def refresh(self, kb: KnowledgeBase) -> None:
        """Index the pages as ``kb`` renders them, after the refresh under way if any."""
        with self._lock:
            self._wanted = kb
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                kb, self._wanted = self._wanted, None
            if kb is None or self._stop.is_set():
                continue
            try:
                self._index(kb)
            except HelpdeskError as exc:
                self._echo(f"search in the preview is not updated: {exc}")

    def _index(self, kb: KnowledgeBase) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=".indexing-", dir=self.root))
        try:
            for lang in self.languages:
                engine.run_build(
                    self.project.generated_config(lang),
                    fresh / lang,
                    cwd=self.project.root,
                    label=f"the '{lang}' site's search",
                )
            site_search.index_site(kb, fresh)
            for lang in self.languages:
                self.bundle(lang).parent.mkdir(parents=True, exist_ok=True)
                swap_into_place(fresh / lang / site_search.BUNDLE, self.bundle(lang))
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
