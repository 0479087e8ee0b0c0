"""Member database pages (党员信息), all through the user's Scope."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.standards.selectors import code_name
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.members.forms import (
    PROTECTED,
    MemberForm,
    MemberSearchForm,
    RevealForm,
    StatusForm,
    UnlockForm,
)
from tenants.members.models import Member
from tenants.members.pickers import SOURCES as MEMBER_SOURCES
from tenants.members.pickers import member_results
from tenants.members.record_services import (
    member_completeness,
    record_add,
    record_form_class,
    record_remove,
    record_rows,
)
from tenants.members.records import RECORD_SETS
from tenants.members.reveal import REVEAL_MINUTES, reveal_active, reveal_end, reveal_grant
from tenants.members.selectors import MemberFilter, member_get, member_list
from tenants.members.services import (
    MASKS,
    member_change_status,
    member_create,
    member_may_reveal,
    member_reveal,
    member_reveal_check,
    member_update,
)
from tenants.members.validation import FIELD_LABELS
from zhdj.errors import AccessDenied, ApplicationError
from zhdj.pagination import CountingPaginator
from zhdj.web.access import scoped_page
from zhdj.web.forms import add_errors
from zhdj.web.privacy import no_store
from zhdj.web.query import filter_status

PAGE_SIZE = 30
LIST_COLUMNS = (
    "name", "sex", "org__name", "org__path", "category_code", "id_number", "phone",
    "party_status_code", "lost_contact",
)  # fmt: skip


def _get(scope: Scope, member_id: int, permission: str | None = None) -> Member:
    """A member the user may see (or act on with ``permission``); else 404."""
    member = member_get(scope, member_id, permission)
    if member is None:
        raise Http404("党员不存在")
    return member


@never_cache
@scoped_page()
def member_list_view(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    if not scope.has(Perm.MEMBERS_VIEW):
        # A member without a post has one record to see: their own (a login without a
        # member record has none: 403).
        if scope.member_id is None:
            raise AccessDenied("您没有可查看的党员信息。")
        return redirect("members:me")
    form = MemberSearchForm(request.GET or None, scope=scope)
    f = form.to_filter() if form.is_valid() else MemberFilter()
    # Only the columns the table shows: the address is not decrypted for nothing.
    rows = member_list(scope, f).only(*LIST_COLUMNS)
    if filter_status(form) != 200:
        rows = rows.none()  # a refused filter shows its errors and no one, never everyone
    page = CountingPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "scope": scope,
            "may_edit": scope.has(Perm.MEMBERS_EDIT),
        },
        status=filter_status(form),
    )


@scoped_page()
def member_options(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """A member picker's search (``static/js/picker.js``): ``?source=…&q=…``, within the
    user's scope, at most 20 answers."""
    source = request.GET.get("source", "scope")
    if source not in MEMBER_SOURCES:
        raise Http404("页面不存在")
    members = MEMBER_SOURCES[source](scope, {})
    results, more = member_results(members, request.GET.get("q", "")[:50])
    response = JsonResponse({"results": results, "more": more})
    response["Cache-Control"] = "private, no-store"
    return response


@no_store
@scoped_page()  # a post holder's members, or the user's own record
def member_detail(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    member = _get(scope, member_id)
    if member.pk == scope.member_id:
        request.nav_section = "members:me"  # the menu highlights 我的信息, not 党员信息
    context = {
        "member": member,
        "scope": scope,
        "may_manage": scope.can(Perm.MEMBERS_EDIT, member.org),
        "may_change_status": scope.can(Perm.MEMBERS_STATUS, member.org),
        "may_reveal": member_may_reveal(scope, member),
        "names": {
            "ethnicity": code_name("ethnicity", member.ethnicity_code),
            "education": code_name("education", member.education_code),
            "category": code_name("member_category", member.category_code),
            "status": code_name("party_status", member.party_status_code),
            "occupation": code_name("occupation", member.occupation_code),
        },
        "changes": member.status_changes.select_related("actor")[:20],
        "posts": member.posts.select_related("org").order_by("-started_at"),
        "reveal_form": RevealForm(),
        "record_sets": record_rows(member),
        "completeness": member_completeness(member),
    }
    return render(request, "members/detail.html", context)


@scoped_page(permission=Perm.MEMBERS_EDIT)
def record_add_view(
    request: HttpRequest, member_id: int, slug: str, *, scope: Scope
) -> HttpResponse:
    member = _get(scope, member_id, Perm.MEMBERS_EDIT)
    if slug not in RECORD_SETS:
        raise Http404("页面不存在")
    form = record_form_class(slug)(request.POST or None)
    # The form first, as member_new does: the service checks the same form again, and its
    # errors put back on a form that already has them would show each one twice.
    if request.method == "POST" and form.is_valid():
        try:
            record_add(scope=scope, member=member, slug=slug, data=request.POST)
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已添加。")
            return redirect("members:detail", member_id=member.pk)
    title = f"{member.name}：添加{RECORD_SETS[slug].model._meta.verbose_name}"
    back = reverse("members:detail", args=[member.pk])
    return render(request, "members/form.html", {"form": form, "title": title, "back": back})


@require_POST
@scoped_page(permission=Perm.MEMBERS_EDIT)
def record_remove_view(
    request: HttpRequest, member_id: int, slug: str, record_id: int, *, scope: Scope
) -> HttpResponse:
    member = _get(scope, member_id, Perm.MEMBERS_EDIT)
    try:
        record_remove(scope=scope, member=member, slug=slug, record_id=record_id)
    except AccessDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:detail", member_id=member.pk)


@scoped_page(permission=Perm.MEMBERS_EDIT)
def member_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = MemberForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_create(scope=scope, data=form.to_data())
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记党员“{member.name}”。")
            return redirect("members:detail", member_id=member.pk)
    back = reverse("members:list")
    return render(request, "members/form.html", {"form": form, "title": "登记党员", "back": back})


def _changes_protected(request: HttpRequest, member: Member) -> bool:
    """A form sent with full values after the password step ran out: a changed value there
    is not taken (the page asks for the password again), an unchanged one is harmless."""
    for name in PROTECTED:
        sent, stored = request.POST.get(name), getattr(member, name) or ""
        if sent is not None and sent.strip() not in (stored, MASKS[name](stored)):
            return True
    return False


@no_store
@scoped_page(permission=Perm.MEMBERS_EDIT)
def member_edit(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    """The edit form. The ID number, phone and address show masked and stay as stored
    until the password step (``member_unlock``); after it, for a few minutes and this
    member only, they show in full and can be changed."""
    member = _get(scope, member_id, Perm.MEMBERS_EDIT)
    revealed = reveal_active(request, member.pk)
    initial = {
        f: getattr(member, f) for f in MemberForm.base_fields if revealed or f not in PROTECTED
    }
    form = MemberForm(
        request.POST or None, scope=scope, initial=initial, kept=None if revealed else member
    )
    if request.method == "POST" and not revealed and _changes_protected(request, member):
        form.is_valid()
        form.add_error(
            None,
            f"查看完整信息已超过 {REVEAL_MINUTES} 分钟，"
            "请重新输入密码后再修改身份证号、手机号或家庭住址。",
        )
    elif request.method == "POST" and form.is_valid():
        try:
            member_update(scope=scope, member=member, data=form.to_data())
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            reveal_end(request, member.pk)
            messages.success(request, "已保存。")
            return redirect("members:detail", member_id=member.pk)
    back = reverse("members:detail", args=[member.pk])
    context = {
        "form": form,
        "title": f"修改 {member.name}",
        "back": back,
        "member": member,
        "revealed": revealed,
        "masked": [(FIELD_LABELS[f], MASKS[f](getattr(member, f))) for f in PROTECTED],
        "may_reveal": scope.may_reveal(member),
        "unlock_form": UnlockForm(),
        "minutes": REVEAL_MINUTES,
    }
    return render(request, "members/edit.html", context)


@no_store
@scoped_page(permission=Perm.MEMBERS_EDIT)
def member_unlock(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    """查看完整信息: the password step before the edit form shows a member's full values.
    The service refuses without members.reveal over the member and logs every attempt."""
    member = _get(scope, member_id, Perm.MEMBERS_EDIT)
    if not scope.may_reveal(member):
        raise AccessDenied("您的职务无权查看完整个人信息。")
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_reveal_check(
                scope=scope,
                member=member,
                fields=PROTECTED,
                user=request.user,
                password=form.cleaned_data["password"],
                request=request,
                purpose="修改信息时查看",
            )
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            reveal_grant(request, member.pk)
            messages.success(request, f"{REVEAL_MINUTES} 分钟内可查看和修改完整信息。")
            return redirect("members:edit", member_id=member.pk)
    context = {"form": form, "member": member, "minutes": REVEAL_MINUTES}
    return render(request, "members/unlock.html", context, status=400 if form.errors else 200)


@scoped_page(permission=Perm.MEMBERS_STATUS)
def member_status(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    member = _get(scope, member_id, Perm.MEMBERS_STATUS)
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = member_change_status(
                scope=scope, member=member, actor=request.user, **form.change_kwargs()
            )
        except AccessDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已办理“{change.get_action_display()}”。")
            return redirect("members:detail", member_id=member.pk)
    return render(request, "members/status.html", {"form": form, "member": member})


@no_store
@require_POST
@scoped_page()  # a post with members.reveal, or the member themselves: the service decides
def member_reveal_view(request: HttpRequest, member_id: int, *, scope: Scope) -> HttpResponse:
    member = _get(scope, member_id, Perm.MEMBERS_REVEAL)
    form = RevealForm(request.POST)
    value, error = None, None
    if form.is_valid():
        try:
            value = member_reveal(
                scope=scope,
                member=member,
                field=form.cleaned_data["field"],
                user=request.user,
                password=form.cleaned_data["password"],
                request=request,
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = "请选择字段并输入密码。"
    return render(
        request,
        "members/_revealed.html",
        {
            "member": member,
            "value": value,
            "error": error,
            "form": form,
        },
    )
