"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (see docs/DEPLOYMENT.md).

Each value can be changed through the environment without editing this file. Workers share
nothing but the database: sign-in throttling lives in the database and sessions in signed
cookies, so any worker can answer any request.
"""

import gc
import multiprocessing
import os

# Loopback only: nginx in front terminates TLS and forwards here (TRUSTED_PROXIES=1 for the app).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers, one request each at a time: the pages are CPU work (templates, statistics,
# charts, PDFs) more than waiting, and nginx buffers slow clients so a worker is never held by one.
# Two per core plus one, as gunicorn advises; GUNICORN_THREADS > 1 switches to threaded workers.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

# A briefing PDF of a large audit takes a few seconds to build; nothing legitimate takes a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Recycle each worker now and then so that memory taken by a large PDF or chart is given back;
# the jitter keeps the workers from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10

# Every worker builds its own app and its own database pool after the fork: no connection is
# ever shared between processes.
preload_app = False


def post_worker_init(worker):
    """Once a worker has built its app, put the objects made so far (modules, the app, its blueprints,
    the models' metadata: a few hundred thousand, all living as long as the worker) out of the garbage
    collector's reach. Otherwise every full collection walks them all again, and a page that makes many objects
    (the analysis, a long return form) sets off several such collections."""
    gc.collect()
    gc.freeze()


# The workers' heartbeat files on a memory file system, so a slow disk cannot stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Requests are logged to standard output for journald: the client's address (behind nginx, the one
# the app's ProxyFix took from X-Forwarded-For), method, path without the query string, status,
# size and time.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Headers larger than this are refused before the app sees them.
limit_request_line = 8190
limit_request_field_size = 8190
