"""Keywords for the site's in-browser search (no Whoosh here: the publisher imports this).

Material's offline search only sees what is on a page. A customer typing "2FA" or
"passcode" should still land on the MFA or PIN article, so the publisher writes these
keywords into each page's front matter/meta. They come from three places a writer
already maintains: the article's tag titles, the tags' ``keywords``, and the synonym
groups that the title or the tags mention.
"""

from __future__ import annotations

import functools

from helpdesk.content.articles import Article
from helpdesk.content.kb import KnowledgeBase
from helpdesk.search.synonyms import SynonymTable
from helpdesk.search.words import words


@functools.lru_cache(maxsize=8)
def _table(groups: tuple[tuple[str, ...], ...]) -> SynonymTable:
    # Built once per set of groups: the publisher asks for every article of a build.
    return SynonymTable(groups)


def search_keywords(article: Article, kb: KnowledgeBase) -> list[str]:
    """Words a reader might search for that should find ``article``.

    Args:
        article: the article being published.
        kb: the knowledge base (for the taxonomy's tags and the synonym groups).

    Returns:
        Keywords in a stable order (tags first, then synonyms), without repeats
        (compared case-insensitively).
    """
    known_tags = {tag.id: tag for tag in kb.taxonomy.tags}
    tag_words: list[str] = []
    for tag_id in article.tags:
        tag = known_tags.get(tag_id)
        if tag is not None:
            tag_words += [tag.title, *tag.keywords]

    table = _table(tuple(tuple(group) for group in kb.synonyms.groups))
    synonym_words: list[str] = []
    for source in (article.title, *tag_words):
        for match in table.find(words(source)):
            synonym_words += table.members(match.group)

    title = article.title.casefold()
    seen: set[str] = set()
    out: list[str] = []
    for word in (*tag_words, *synonym_words):
        key = word.casefold()
        if key in seen or key == title:
            continue
        seen.add(key)
        out.append(word)
    return out
