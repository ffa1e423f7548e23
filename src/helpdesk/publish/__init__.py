"""From the KnowledgeBase to the static site: render pages, write changed files, run the engine."""
