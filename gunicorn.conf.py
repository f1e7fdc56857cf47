"""gunicorn settings for the container and for benchmarks. Overridable with GUNICORN_CMD_ARGS."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Heartbeat files in memory: a container's /tmp may be a slow overlay and stall workers.
worker_tmp_dir = "/dev/shm"  # noqa: S108
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The access log never records who asked: no client address, no user agent, no referrer.
# Reporters must not be traceable through server logs.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
