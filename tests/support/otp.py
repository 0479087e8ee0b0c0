"""The second factor in tests: one helper used by every login of the test suite.

Every world user whose role requires 动态口令 (``User.OTP_ROLES``) has a confirmed TOTP
device with the same known secret, a 1-second step and a wide window, so that the suite
can log the same user in many times a minute: a code is accepted once (django-otp keeps
the last step used), and each login here takes the next second's code. ``code_for``
remembers the last step it handed out per (host, user) — rolled-back tests only move
the device's memory back, never forward — and waits when it would run ahead of the
window.

A user without a device (one a test created) is bound through the real page: the secret
is read from 绑定动态口令 and its code computed (the page's device has the usual 30 s step).
"""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from django_otp.oath import TOTP, hotp

WORLD_SECRET = "3132333435363738393031323334353637383930"  # RFC 6238's test key, tests only
WORLD_STEP = 1
WORLD_TOLERANCE = 120
VERIFY_PATH = "/accounts/otp/"
SETUP_PATH = "/accounts/otp/setup/"
_MARGIN = 5

_last: dict[tuple[str, str], int] = {}
_lock = threading.Lock()


def seed_device(user: Any) -> Any:
    """A confirmed world device for ``user`` (in the current schema)."""
    from shared.accounts.otp import device_with_secret

    return device_with_secret(
        user, WORLD_SECRET, name="测试动态口令", step=WORLD_STEP, tolerance=WORLD_TOLERANCE
    )


def seed_world_devices(schemas: list[str]) -> None:
    """Devices for every user of ``schemas`` whose role requires one."""
    from django_tenants.utils import schema_context

    from shared.accounts.models import User

    for schema in schemas:
        with schema_context(schema):
            for user in User.objects.filter(role__in=User.OTP_ROLES):
                seed_device(user)


def code_for(host: str, username: str) -> str:
    """The next unused code of a world device."""
    key = (host.split(":", maxsplit=1)[0], username)
    with _lock:
        while True:
            now = int(time.time())
            step = max(_last.get(key, 0) + 1, now - WORLD_TOLERANCE + _MARGIN)
            if step <= now + WORLD_TOLERANCE - _MARGIN:
                break
            time.sleep(step - (now + WORLD_TOLERANCE - _MARGIN))
        _last[key] = step
    return f"{hotp(bytes.fromhex(WORLD_SECRET), step):06d}"


def code_from_secret(secret: str, *, step: int = 30, ahead: int = 0) -> str:
    """The current code of a secret as shown on the binding page (base32, in groups);
    ``ahead=1``: the next step's, which the server accepts too (its window is ±1 step),
    for a second login within the step the binding used."""
    raw = re.sub(r"\s", "", secret).upper()
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    clock = TOTP(key, step=step)
    clock.time = time.time() + ahead * step
    return f"{clock.token():06d}"


def secret_on(page: str) -> str:
    match = re.search(r'data-testid="otp-secret" value="([A-Z2-7 ]+)"', page)
    assert match, "no secret on the binding page"
    return match.group(1)


def complete(
    post: Callable[[str, dict[str, str]], Any],
    get: Callable[[str], Any],
    response: Any,
    host: str,
    username: str,
) -> Any:
    """After the password step's ``response`` (a redirect): type the code, or bind a
    device when the role requires one. ``post``/``get`` are a test client's."""
    location = response.get("Location", "") if response.status_code == 302 else ""
    path = urlparse(location).path
    if path == VERIFY_PATH:
        done = post(location, {"code": code_for(host, username)})
        assert done.status_code == 302 and urlparse(done["Location"]).path != VERIFY_PATH, (
            f"动态验证码 of {username} on {host} refused"
        )
        return done
    if path == SETUP_PATH:
        page = get(location).content.decode()
        done = post(location, {"code": code_from_secret(secret_on(page))})
        assert done.status_code == 200 and "recovery-codes" in done.content.decode(), (
            f"binding of {username} on {host} failed"
        )
        return done
    return response


def login(client: Any, host: str, username: str, password: str) -> Any:
    """Password, then the second factor if any: a Django test client, signed in."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"login of {username} on {host} failed"
    complete(client.post, client.get, response, host, username)
    return response


def complete_in_page(page: Any, host: str, username: str) -> None:
    """The same in Chromium (Playwright), after the password form was sent."""
    path = urlparse(page.url).path
    if path == VERIFY_PATH:
        page.fill("#id_code", code_for(host, username))
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state("networkidle")
    elif path == SETUP_PATH:
        secret = page.locator("[data-testid=otp-secret]").input_value()
        page.fill("#id_code", code_from_secret(secret))
        page.get_by_role("button", name="完成绑定").click()
        page.get_by_test_id("otp-continue").click()
        page.wait_for_load_state("networkidle")
