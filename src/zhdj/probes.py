"""The health probes' addresses (docs/failure.md): answered on any host, without a session,
a tenant's state, a second factor or a password change standing in the way."""

from __future__ import annotations

# /livez: the process; /readyz: PostgreSQL and Redis; /healthz: the same as /readyz;
# /celeryz: beat's heartbeat run by a worker (Celery's own probe).
PROBE_PATHS = ("/healthz", "/livez", "/readyz", "/celeryz")
