"""A KB article on its own screen, opened from search: read it, copy its link."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

from helpdesk.tui.preview import article_markdown

if TYPE_CHECKING:
    from helpdesk.tui.app import HelpdeskApp


class ArticleScreen(Screen[None]):
    """The article previewed as Markdown; ``y`` copies its public link."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="article.back"),
        Binding("y", "copy_link", "Copy link", id="article.copy_link"),
    ]

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article_id = article_id

    def compose(self) -> ComposeResult:
        app: HelpdeskApp = self.app  # type: ignore[assignment]
        catalog = app.catalog
        article = catalog.article(self.article_id) if catalog else None
        yield Header(icon="?")
        with VerticalScroll(id="article-scroll"):
            if catalog is None or article is None:
                yield Markdown(f"Article `{self.article_id}` not found.")
            else:
                shown, _ = catalog.localized(article, app.language)
                url = catalog.public_url(article, app.language)
                yield Markdown(article_markdown(shown, url=url))
        yield Footer(compact=True)

    def action_copy_link(self) -> None:
        app: HelpdeskApp = self.app  # type: ignore[assignment]
        catalog = app.catalog
        article = catalog.article(self.article_id) if catalog else None
        url = catalog.public_url(article, app.language) if catalog and article else None
        if url is None:
            self.notify("This article is for agents only; it has no public link.")
            return
        app.copy_to_clipboard(url)
        self.notify(url, title="Link copied")
