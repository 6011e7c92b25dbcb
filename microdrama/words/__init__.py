"""The words: genre templates, the story grammar, model rewrites, text rules, content policy."""
