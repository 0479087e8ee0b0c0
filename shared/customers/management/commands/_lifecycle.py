"""What the lifecycle commands share: the county by its identifier, the operator, and
refusals printed in Chinese with a non-zero exit code."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from shared.customers.models import Tenant
from shared.customers.trail import Actor
from zhdj.errors import ApplicationError

LABELS = {"domain": "域名", "confirm_name": "区县全称", "backup_confirmed": "备份确认"}


def county(schema: str) -> Tenant:
    tenant = Tenant.objects.filter(schema_name=(schema or "").strip()).first()
    if tenant is None:
        raise CommandError(f"没有标识为“{schema}”的区县。")
    return tenant


def actor(command: str, opts: dict[str, Any], keys: tuple[str, ...]) -> Actor:
    """The operator (``--by``, and the machine's user) and the command as it was given."""
    argv = ["manage.py", command]
    for key in keys:
        value = opts.get(key)
        if value is True:
            argv.append(f"--{key.replace('_', '-')}")
        elif value not in (None, False, ""):
            argv += [f"--{key.replace('_', '-')}", str(value)]
    return Actor.command(argv, by=opts.get("by") or "")


def refused(title: str, exc: ApplicationError) -> CommandError:
    errors = exc.extra.get("errors") or {exc.field or "__all__": [exc.message]}
    lines = [
        f"{LABELS[field]}：{message}" if field in LABELS else message
        for field, messages in errors.items()
        for message in messages
    ]
    return CommandError(f"{title}：\n  " + "\n  ".join(lines))
