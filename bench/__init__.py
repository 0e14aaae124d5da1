"""`make bench`: hot-path figures measured over HTTP against gunicorn, beside the raw SQL of the same work."""
