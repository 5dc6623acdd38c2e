"""gunicorn settings read from the working directory (the README's and the image's command).

Its access log goes through core.logs.GunicornLogger, which redacts the secret tokens in
manage-booking, feed and password-reset URLs (and in referrers) before a line is written.

Threads, not only processes: a booking spends most of its time waiting on PostgreSQL (the
clinic lock, the statements), so two threads per worker keep the cores busy without the memory
of more processes. Measured with bench/load.py (docs/decisions/0005-web-workers-and-load.md).
WEB_WORKERS and WEB_THREADS override the defaults.
"""

import multiprocessing
import os

logger_class = "core.logs.GunicornLogger"

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 2))
