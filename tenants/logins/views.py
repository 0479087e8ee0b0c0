"""The county's logins (登录账号): the list, one person's account, bulk issue, slips.

Every page needs ``accounts.manage`` somewhere (a county administrator has it all); the
people shown and acted on are those of the organizations where the user's posts carry
it. Passwords appear once, on the answer to the POST that made them (slips), never in a
page that can be opened again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.models import DevelopmentRecord
from tenants.imports.models import ImportJob
from tenants.logins.forms import AccountFilterForm, BulkForm, DeliveryForm
from tenants.logins.services import (
    PRINT,
    PRINT_LIMIT,
    SMS,
    Outcome,
    applicants,
    bulk_candidates,
    imported_people,
    login_disable,
    login_enable,
    login_issue,
    login_reset,
    logins_issue_bulk,
    manageable_orgs,
    person_of,
)
from tenants.logins.tasks import issue_logins_by_sms
from tenants.members.models import Member
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError
from zhdj.pagination import CountingPaginator
from zhdj.web.access import scoped_page
from zhdj.web.query import filter_status

PAGE_SIZE = 30
page = scoped_page(permission=Perm.ACCOUNTS_MANAGE)


def _people(scope: Scope, kind: str) -> QuerySet[Any]:
    orgs = manageable_orgs(scope).values("id")
    if kind == "applicant":
        return applicants().filter(org__in=orgs).select_related("org", "user")
    return Member.objects.filter(org__in=orgs).select_related("org", "user")


def _filtered(qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
    q = (data.get("q") or "").strip()
    if q:
        match = Q(name__contains=q) | Q(user__username__startswith=q.lower())
        if qs.model is Member:
            match |= Q(name_pinyin__startswith=q.lower()) | Q(name_initials__startswith=q.lower())
        qs = qs.filter(match)
    org = data.get("org")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    state = data.get("state")
    if state == "none":
        qs = qs.filter(user__isnull=True)
    elif state == "active":
        qs = qs.filter(user__is_active=True)
    elif state == "must_change":
        qs = qs.filter(user__is_active=True, user__must_change_password=True)
    elif state == "disabled":
        qs = qs.filter(user__is_active=False)
    return qs


@never_cache
@page
def account_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = AccountFilterForm(request.GET or None, scope=scope)
    data = form.cleaned_data if form.is_valid() else {}
    kind = data.get("kind") or "member"
    rows = _filtered(_people(scope, kind), data).order_by("org__path", "name", "pk")
    rows = rows.only("name", "org__name", "org__path", "user")
    if filter_status(form) != 200:
        rows = rows.none()
    paged = CountingPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "logins/list.html",
        {"form": form, "page": paged, "query": query.urlencode(), "kind": kind},
        status=filter_status(form),
    )


def _person(scope: Scope, kind: str, pk: int) -> Member | DevelopmentRecord:
    obj = _people(scope, kind).filter(pk=pk).first()
    if obj is None:
        raise Http404("人员不存在")
    return obj


def _detail_url(kind: str, pk: int) -> str:
    name = "logins:member" if kind == "member" else "logins:applicant"
    return reverse(name, args=[pk])


def _person_page(request: HttpRequest, scope: Scope, kind: str, pk: int) -> HttpResponse:
    obj = _person(scope, kind, pk)
    # A member who left normal standing, or an applicant whose record closed, keeps a
    # closed login: the page offers nothing the services would refuse.
    closed = obj.party_status_code != "normal" if kind == "member" else not obj.is_open
    return render(
        request,
        "logins/person.html",
        {
            "person": person_of(obj),
            "form": DeliveryForm(),
            "kind": kind,
            "pk": pk,
            "closed": closed,
        },
    )


def _slips(request: HttpRequest, outcome: Outcome, title: str) -> HttpResponse:
    response = render(
        request,
        "logins/slips.html",
        {
            "outcome": outcome,
            "title": title,
            "slips": [c for c in outcome.issued if outcome.delivery == PRINT or not c.sent],
            "login_url": request.build_absolute_uri(reverse("accounts:login")),
        },
    )
    response["Cache-Control"] = "no-store, private"
    return response


def _act(request: HttpRequest, scope: Scope, kind: str, pk: int, action: str) -> HttpResponse:
    obj = _person(scope, kind, pk)
    back = _detail_url(kind, pk)
    form = DeliveryForm(request.POST)
    try:
        if action in ("issue", "reset"):
            if not form.is_valid():
                raise ApplicationError(form.errors["delivery"][0], field="delivery")
            delivery = form.cleaned_data["delivery"]
            run = login_issue if action == "issue" else login_reset
            outcome = run(scope=scope, person=obj, delivery=delivery)
            if action == "issue" and outcome.skipped:
                messages.info(request, f"{obj.name}已有登录账号，未重复开通。")
                return redirect(back)
            title = "开通账号" if action == "issue" else "重置密码"
            if delivery == SMS and not outcome.unsent:
                messages.success(request, f"{title}成功，登录名和密码已通过短信发送给{obj.name}。")
                return redirect(back)
            return _slips(request, outcome, title)
        if action == "disable":
            login_disable(scope=scope, person=obj)
            messages.success(request, f"已停用{obj.name}的账号。")
        else:
            login_enable(scope=scope, person=obj)
            messages.success(request, f"已启用{obj.name}的账号。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(back)


def _action_view(kind: str, action: str) -> Any:
    @require_POST
    @page
    def view(request: HttpRequest, *, scope: Scope, **kwargs: int) -> HttpResponse:
        (pk,) = kwargs.values()
        return _act(request, scope, kind, pk, action)

    view.__name__ = view.__qualname__ = f"{kind}_{action}"
    return view


@never_cache
@page
def member_view(request: HttpRequest, *, scope: Scope, member_id: int) -> HttpResponse:
    return _person_page(request, scope, "member", member_id)


@never_cache
@page
def applicant_view(request: HttpRequest, *, scope: Scope, record_id: int) -> HttpResponse:
    return _person_page(request, scope, "applicant", record_id)


@never_cache
@page
def bulk(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """Issue logins to a whole organization (含下级) at once."""
    form = BulkForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        org = Organization.objects.get(pk=form.cleaned_data["org"].pk)
        delivery, applicants_too = (
            form.cleaned_data["delivery"],
            form.cleaned_data["applicants_too"],
        )
        waiting = len(bulk_candidates(org, applicants_too, without_login=True))
        if not scope.can(Perm.ACCOUNTS_MANAGE, org):
            form.add_error("org", "您无权为该组织的人员开通账号。")
        elif delivery == SMS and waiting:
            # Minutes of password hashing: a background job, the outcome in the bell.
            transaction.on_commit(
                lambda: issue_logins_by_sms.delay(request.user.pk, org.pk, applicants_too)
            )
            messages.success(
                request,
                f"正在为{org.name}的 {waiting} 人开通账号并发送短信，完成后将在消息中通知您。",
            )
            return redirect("logins:list")
        elif waiting > PRINT_LIMIT:
            form.add_error(
                None,
                f"共 {waiting} 人待开通，一次最多打印 {PRINT_LIMIT} 人的账号条；"
                "请选择下级组织分批打印，或改用短信发送。",
            )
        else:
            try:
                outcome = logins_issue_bulk(
                    scope=scope, org=org, delivery=delivery, applicants_too=applicants_too
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return _slips(request, outcome, f"批量开通账号：{org.name}")
    return render(request, "logins/bulk.html", {"form": form}, status=filter_status(form))


@never_cache
@page
def for_import(request: HttpRequest, job_id: object, *, scope: Scope) -> HttpResponse:
    """Issue logins to the members an Excel import wrote (the rows of the import)."""
    # The user's own import, as on the import pages: another user's job is not theirs.
    job = ImportJob.objects.filter(
        pk=job_id, state=ImportJob.State.SUCCEEDED, created_by=request.user
    ).first()
    if job is None:
        raise Http404("导入任务不存在或尚未完成")
    people = imported_people(scope, job.member_ids)
    waiting = [m for m in people if m.user_id is None]
    form = DeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        delivery = form.cleaned_data["delivery"]
        if not waiting:
            form.add_error(None, "本次导入的党员都已开通账号。")
        elif delivery == SMS:
            ids = [m.pk for m in people]
            transaction.on_commit(
                lambda: issue_logins_by_sms.delay(request.user.pk, None, False, ids)
            )
            messages.success(
                request, f"正在为 {len(waiting)} 人开通账号并发送短信，完成后将在消息中通知您。"
            )
            return redirect("logins:list")
        elif len(waiting) > PRINT_LIMIT:
            form.add_error(
                None,
                f"共 {len(waiting)} 人待开通，一次最多打印 {PRINT_LIMIT} 人的账号条；"
                "请在“批量开通”中按组织分批打印，或改用短信发送。",
            )
        else:
            try:
                outcome = logins_issue_bulk(scope=scope, people=waiting, delivery=delivery)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return _slips(request, outcome, f"为导入的党员开通账号：{job.original_name}")
    context = {"job": job, "form": form, "people": len(people), "waiting": len(waiting)}
    return render(request, "logins/import.html", context, status=filter_status(form))
