"""The page sweep's second process: one host's requests, as ``tests.support.sweep.run``
makes them in its own, on the same committed world (``python -m tests.support.sweep_child
JOB OUT``; the environment of ``tests.support.live.process_env``: the test database).

Django is set up as pytest-django sets it up for the tests (``setup_test_environment``:
DEBUG off, the test e-mail backend), so each answer is the one the test process would get.
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path


def main(job: Path, out: Path) -> None:
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    from tests.support import otp
    from tests.support.sweep import Sweep, quiet_request_log, sweep_host

    host, roles, plan, used_codes = pickle.loads(job.read_bytes())
    otp._last.update(used_codes)  # codes the test process used: never again
    cpu = time.process_time()
    sweep = Sweep()
    with quiet_request_log():
        sweep_host(sweep, host, roles, plan)
    out.write_bytes(pickle.dumps((sweep.results, time.process_time() - cpu, dict(otp._last))))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
