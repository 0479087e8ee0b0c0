"""The local settings (``make demo``) decide what base.py derives from DEBUG before base.py
reads it: the demo once ran with the payment double off, and every online payment was a 500."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "debug": settings.DEBUG,
    "double": settings.ZHDJ_PAYMENT_DOUBLE,
    "static": settings.ZHDJ_SERVE_STATIC,
    "key": settings.ZHDJ_PAY["MERCHANT_PRIVATE_KEY"],
}))
"""


def _settings(debug: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHDJ_PAY", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="zhdj.settings.local", PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    if debug is not None:
        env["DJANGO_DEBUG"] = debug
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("debug", "expected_debug"), [(None, True), ("0", False)])
def test_local_settings_pay_through_the_double_with_or_without_debug(debug, expected_debug):
    values = _settings(debug)
    assert values["debug"] is expected_debug
    assert values["double"] is True
    assert values["static"] is True
    assert Path(values["key"]).is_file()
