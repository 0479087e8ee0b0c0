"""Pages of the question bank (题库) and the papers (考试) of those who run learning: list
and filter questions, write and edit one, retire it; make a fixed or a random paper,
publish it, and read its results (attempts, scores, pass rate, per member)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shared.learning.pages import form_page
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.learning.forms import PaperForm, QuestionFilterForm, QuestionForm
from tenants.learning.models import Attempt, Paper, Question
from tenants.learning.services import (
    paper_create,
    paper_publish,
    question_create,
    question_retire,
    question_update,
)
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError
from zhdj.web.access import scoped_page
from zhdj.web.query import MAX_ID, refuse_query

MANAGE = Perm.LEARNING_MANAGE
STEP = Organization.steplen
BANK_LIMIT = 500


def _question(scope: Scope, question_id: int) -> Question:
    question = (
        Question.objects.visible_to(scope, MANAGE).filter(pk=min(question_id, MAX_ID)).first()
    )
    if question is None:
        raise Http404("试题不存在")
    return question


def _paper(scope: Scope, paper_id: int) -> Paper:
    paper = (
        Paper.objects.visible_to(scope, MANAGE)
        .select_related("org")
        .filter(pk=min(paper_id, MAX_ID))
        .first()
    )
    if paper is None:
        raise Http404("考试不存在")
    return paper


def usable_questions(scope: Scope) -> list[Question]:
    """The active questions a paper of the user's may use: those of the organizations they
    run learning for and of the organizations above them (a county's bank serves all)."""
    qs = Question.objects.filter(active=True)
    if not scope.is_admin:
        paths = scope.paths(MANAGE)
        above = {p[:n] for p in paths for n in range(STEP, len(p), STEP)}
        mine = Q(org__path__in=above)
        for p in paths:
            mine |= Q(org__path__startswith=p)
        qs = qs.filter(mine, org__is_active=True)
    return list(qs.order_by("kind", "-created_at")[:BANK_LIMIT])


# -- the question bank ----------------------------------------------------------------------


@never_cache
@scoped_page(permission=MANAGE)
def questions(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = QuestionFilterForm(request.GET)
    if not form.is_valid():
        return refuse_query(request, form, title="题库", back=reverse("learning:manage-questions"))
    qs = Question.objects.visible_to(scope, MANAGE).select_related("org")
    d = form.cleaned_data
    if d.get("tag"):
        qs = qs.filter(tags__contains=[d["tag"]])
    if d.get("kind"):
        qs = qs.filter(kind=d["kind"])
    if d.get("active"):
        qs = qs.filter(active=d["active"] == "1")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learning/manage_questions.html",
        {"form": form, "page": page, "query": f"{query.urlencode()}&" if query else ""},
    )


@never_cache
@scoped_page(permission=MANAGE)
def question_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    # 保存并继续出题 comes back with the organization and type just used, as a choice.
    kept = {k: request.GET[k][:20] for k in ("org", "kind") if request.GET.get(k)}
    form = QuestionForm(request.POST or None, initial=kept, scope=scope)
    again = bool(request.POST.get("again"))
    return form_page(
        request,
        form,
        "learning/manage_question_form.html",
        save=lambda: question_create(
            scope,
            Organization.objects.get(pk=form.cleaned_data["org"]),
            form.data_for_service(),
            request.user,  # type: ignore[arg-type]
        ),
        done=lambda _: "试题已保存。",
        then=lambda _: (
            redirect(
                f"{reverse('learning:manage-question-new')}?"
                + urlencode({"org": form.cleaned_data["org"], "kind": form.cleaned_data["kind"]})
            )
            if again
            else redirect("learning:manage-questions")
        ),
        question=None,
    )


@never_cache
@scoped_page(permission=MANAGE)
def question_edit(request: HttpRequest, question_id: int, *, scope: Scope) -> HttpResponse:
    question = _question(scope, question_id)
    form = QuestionForm(
        request.POST or None,
        initial=QuestionForm.initial_of(question),
        scope=scope,
        editing=True,
    )
    return form_page(
        request,
        form,
        "learning/manage_question_form.html",
        save=lambda: question_update(scope, question, form.data_for_service()),
        done=lambda _: "试题已保存。",
        then=lambda _: redirect("learning:manage-questions"),
        question=question,
    )


@require_POST
@scoped_page(permission=MANAGE)
def question_retire_view(request: HttpRequest, question_id: int, *, scope: Scope) -> HttpResponse:
    question = _question(scope, question_id)
    active = request.POST.get("active") == "1"
    question_retire(scope, question, active)
    messages.success(request, "试题已重新启用。" if active else "试题已停用，今后组卷不再抽到它。")
    return redirect("learning:manage-questions")


# -- papers ------------------------------------------------------------------------------------


@never_cache
@scoped_page(permission=MANAGE)
def papers(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    page = Paginator(Paper.objects.visible_to(scope, MANAGE).select_related("org"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "learning/manage_papers.html", {"page": page})


@never_cache
@scoped_page(permission=MANAGE)
def paper_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    bank = usable_questions(scope)
    form = PaperForm(request.POST or None, scope=scope, questions=bank)
    return form_page(
        request,
        form,
        "learning/manage_paper_form.html",
        save=lambda: paper_create(
            scope,
            Organization.objects.get(pk=form.cleaned_data["org"]),
            form.data_for_service(),
            request.user,  # type: ignore[arg-type]
        ),
        done=lambda paper: f"已创建考试“{paper.title}”，核对后请发布。",
        then=lambda paper: redirect("learning:manage-paper", paper.pk),
        bank=bank,
    )


def _results(request: HttpRequest, paper: Paper, error: str = "") -> HttpResponse:
    attempts = list(
        Attempt.objects.filter(paper=paper)
        .exclude(state="open")
        .select_related("member__org")
        .order_by("member__org__path", "member__name_pinyin", "number")
    )
    people: dict[int, dict] = {}
    for a in attempts:
        row = people.setdefault(
            a.member_id,
            {"member": a.member, "attempts": 0, "best": None, "passed": False},
        )
        row["attempts"] += 1
        if a.score is not None and (row["best"] is None or a.score > row["best"]):
            row["best"] = a.score
        row["passed"] = row["passed"] or bool(a.passed)
    passed = sum(1 for r in people.values() if r["passed"])
    return render(
        request,
        "learning/manage_paper.html",
        {
            "paper": paper,
            "questions": list(
                Question.objects.filter(pk__in=paper.items.values("question_id")).order_by("kind")
            ),
            "quotas": [
                {**q, "kind_display": dict(Question._meta.get_field("kind").choices)[q["kind"]]}
                for q in paper.quotas
            ],
            "attempts": attempts,
            "people": list(people.values()),
            "passed": passed,
            "rate": round(100 * passed / len(people)) if people else None,
            "error": error,
        },
        status=400 if error else 200,
    )


@never_cache
@scoped_page(permission=MANAGE)
def paper_detail(request: HttpRequest, paper_id: int, *, scope: Scope) -> HttpResponse:
    return _results(request, _paper(scope, paper_id))


@require_POST
@scoped_page(permission=MANAGE)
def paper_publish_view(request: HttpRequest, paper_id: int, *, scope: Scope) -> HttpResponse:
    paper = _paper(scope, paper_id)
    published = request.POST.get("published") == "1"
    try:
        paper_publish(scope, paper, published)
    except ApplicationError as exc:
        return _results(request, paper, exc.message)
    messages.success(request, "考试已发布。" if published else "已撤回发布。")
    return redirect("learning:manage-paper", paper.pk)
