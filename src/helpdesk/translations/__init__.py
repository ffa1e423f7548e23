"""Tools for translators: what is translated, stale or missing, and marking a checked file.

``status.translation_status(kb)`` reports per language; ``mark.mark_current(paths, kb_root)``
records the source digest in translation files after a writer checked them. The file
format and the checks live with the content they translate: ``content.translation(s)``
for articles and taxonomy labels, ``releases.translation(s)`` for release notes.
"""
