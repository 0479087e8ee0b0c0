"""The county administrator's page of configurable rules (规则参数)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tenants.access.scope import Scope
from tenants.rules.selectors import EffectiveRule, effective_rules
from tenants.rules.services import rule_override_clear, rule_override_set
from zhdj.errors import ApplicationError
from zhdj.validation.names import TextField
from zhdj.web.access import COUNTY_ADMIN, scoped_page
from zhdj.web.forms import add_errors


class OverrideForm(forms.Form):
    value = TextField(label="本县取值", max_length=200)
    reason = TextField(label="调整依据", max_length=200)


@scoped_page(COUNTY_ADMIN)
def rule_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    rules = effective_rules()
    domains: dict[str, list] = {}
    for rule in rules:
        domains.setdefault(rule.parameter.domain, []).append(rule)
    return render(request, "rules/list.html", {"domains": domains})


def _initial(rule: EffectiveRule) -> dict[str, str]:
    """The value in force as the county types it (是/否, 元 not 分) and the reason of
    the county's override: sent back unchanged, the form saves the same override."""
    return {"value": rule.shown_value, "reason": rule.override.reason if rule.override else ""}


@scoped_page(COUNTY_ADMIN)
def rule_edit(request: HttpRequest, key: str, *, scope: Scope) -> HttpResponse:
    rule = next((r for r in effective_rules(key) if r.parameter.key == key), None)
    if rule is None:
        raise Http404("没有这个规则参数")
    form = OverrideForm(request.POST or None, initial=_initial(rule))
    if request.method == "POST":
        if "clear" in request.POST:
            rule_override_clear(scope=scope, key=key)
            messages.success(request, f"「{rule.parameter.name}」已恢复为市级默认值")
            return redirect("rules:list")
        if form.is_valid():
            try:
                rule_override_set(
                    scope=scope,
                    key=key,
                    value=form.cleaned_data["value"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"「{rule.parameter.name}」已调整")
                return redirect("rules:list")
    return render(request, "rules/edit.html", {"rule": rule, "form": form})
