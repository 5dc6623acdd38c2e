"""gunicorn settings read from the working directory (the README's and the image's command).

Its access log goes through core.logs.GunicornLogger, which redacts the secret tokens in
manage-booking, feed and password-reset URLs (and in referrers) before a line is written.
"""

logger_class = "core.logs.GunicornLogger"
