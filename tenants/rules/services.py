"""Set or clear a county's override of a configurable rule."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from shared.accounts.models import User
from shared.standards.models import RuleParameter
from tenants.access.scope import Scope
from tenants.rules.display import shown, shown_unit, stored_text
from tenants.rules.models import RuleOverride
from zhdj.errors import AccessDenied, ApplicationError


def _require_admin(scope: Scope) -> None:
    if not scope.is_admin:
        raise AccessDenied("规则参数由区县管理员调整。")


def _parse(parameter: RuleParameter, raw: Any) -> Any:
    """The submitted value (in the unit the page shows: 元 for money rules) as JSON of the
    parameter's kind, or a Chinese error."""
    text = stored_text(parameter, str(raw).strip())
    kind = parameter.kind
    try:
        if kind == RuleParameter.Kind.INTEGER:
            value: Any = int(text)
        elif kind == RuleParameter.Kind.DECIMAL:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
        elif kind == RuleParameter.Kind.BOOLEAN:
            if text.lower() not in {"true", "false", "1", "0", "是", "否"}:
                raise ValueError
            value = text.lower() in {"true", "1", "是"}
        else:
            value = text
    except (ValueError, InvalidOperation):
        raise ApplicationError(
            f"「{parameter.name}」应为{parameter.get_kind_display()}", field="value"
        ) from None
    if kind in (RuleParameter.Kind.INTEGER, RuleParameter.Kind.DECIMAL):
        low, high, name = parameter.min_value, parameter.max_value, parameter.name
        unit = shown_unit(parameter)
        if low is not None and Decimal(str(value)) < Decimal(str(low)):
            low_text = shown(parameter, low)
            raise ApplicationError(f"「{name}」不能小于 {low_text}{unit}", field="value")
        if high is not None and Decimal(str(value)) > Decimal(str(high)):
            high_text = shown(parameter, high)
            raise ApplicationError(f"「{name}」不能大于 {high_text}{unit}", field="value")
        if kind == RuleParameter.Kind.DECIMAL:
            value = str(value)
    return value


@transaction.atomic
def rule_override_set(
    *, scope: Scope, key: str, value: Any, reason: str, actor: User | None
) -> RuleOverride:
    """The county's own value of a rule (本县取值): its administrator's decision."""
    _require_admin(scope)
    parameter = RuleParameter.objects.filter(key=key).first()
    if parameter is None:
        raise ApplicationError("没有这个规则参数", field="key")
    if not parameter.overridable:
        raise ApplicationError(f"「{parameter.name}」由市级统一规定，区县不能调整", field="key")
    if not reason.strip():
        raise ApplicationError("请填写调整依据（文件或会议决定）", field="reason")
    parsed = _parse(parameter, value)
    override, _ = RuleOverride.objects.update_or_create(
        key=key, defaults={"value": parsed, "reason": reason.strip(), "updated_by": actor}
    )
    return override


@transaction.atomic
def rule_override_clear(*, scope: Scope, key: str) -> None:
    """Return to the city default."""
    _require_admin(scope)
    RuleOverride.objects.filter(key=key).delete()
