"""Versioned release notes: kb/releases/<product>/<version>.yaml -> lint, lock, site, feeds, search.

The pipeline, module by module: ``model`` (the file format), ``versions`` (ordering per
product), ``load`` (called by the one loader, ``content.kb.load_kb``), ``lock`` (the
publish freeze), ``catalog`` (what readers see on a given day: embargo, known issues
spread across releases), ``workflow`` + ``commands`` (``helpdesk release …``), and the
outputs: ``site`` (pages), ``export`` (JSON), ``feeds`` (Atom), ``documents`` (search).
"""
