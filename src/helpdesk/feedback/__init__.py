"""What readers tell writers: the feedback service, its store and the content health report.

The pipeline, in module order::

    site.py       the widget's endpoint and strings on the help site (feedback.js reads them)
    models.py     the wire contract of ``POST /v1/feedback`` (votes and searches)
    catalog.py    the article ids and languages the service accepts (from the one KB loader)
    limits.py     per-client rate limits keyed on a daily-salted hash (no address kept)
    store.py      the repository: add feedback, read it back for the report
    app.py        the FastAPI app (public, anonymous, separate from the access API)
    report/       the writers' content health report (text, JSON, HTML with SVG charts)

Nothing outside this package imports it except the command line, so the site and the
content loader stay free of the service.
"""
