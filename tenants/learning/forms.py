"""Forms of the learning managers' pages (课程、题库、考试、统计): shapes only; the rules are
in the services (``tenants.learning.services``, ``shared.learning.authoring``). A form
turns what a person types (options one per line, the right ones ticked, fill-in answers
one line per blank) into the data the services take, and back for editing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from shared.learning.forms import CourseFields, years
from tenants.access.scope import Scope
from tenants.learning.models import Paper, Question, QuestionKind
from tenants.orgs.pickers import OrgPickerField
from tenants.rules.selectors import rule_value
from zhdj.errors import ApplicationError
from zhdj.validation.names import TextField

MAX_OPTIONS = 8
QUOTA_ROWS = 3
ALTERNATIVES = re.compile(r"[|｜]")
TAG_SPLIT = re.compile(r"[\s,，、;；]+")
DEFAULT_POINTS = {"single": 2, "multi": 3, "judge": 1, "fill": 2}


class DateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">``: the browser sends ``YYYY-MM-DDTHH:MM``."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):  # type: ignore[no-untyped-def]
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class CourseForm(CourseFields):
    org = OrgPickerField(label="发布组织", source="learning", as_pk=True)

    field_order = ["org", "title", "summary", "year", "audience", "required"]

    def __init__(self, *args: Any, scope: Scope, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["org"]  # a course stays with the organization that published it
        else:
            self.fields["org"].scope_to(scope)


# -- the question bank ------------------------------------------------------------------


def _right_choices() -> list[tuple[str, str]]:
    return [(str(n), f"第 {n} 项") for n in range(1, MAX_OPTIONS + 1)]


def split_tags(text: str) -> list[str]:
    return [t for t in TAG_SPLIT.split(text or "") if t]


class QuestionForm(forms.Form):
    org = OrgPickerField(label="所属组织", source="learning", as_pk=True)
    kind = forms.ChoiceField(label="题型", choices=QuestionKind.choices)
    stem = TextField(label="题干", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    options = TextField(
        label="选项",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"单选题、多选题：每行一个选项，最多 {MAX_OPTIONS} 个",
    )
    right = forms.MultipleChoiceField(
        label="正确选项",
        required=False,
        choices=_right_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="按选项的行序勾选；单选题只勾一个",
    )
    judge = forms.ChoiceField(
        label="判断题答案",
        required=False,
        choices=[("0", "正确"), ("1", "错误")],
        widget=forms.RadioSelect,
    )
    fills = TextField(
        label="填空题答案",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每个空一行；同一个空可接受的几种答案用“｜”隔开，例如：为人民服务｜全心全意为人民服务",
    )
    tags = TextField(
        label="标签", max_length=200, required=False, help_text="用空格或逗号隔开，例如：党章 党史"
    )
    difficulty = forms.TypedChoiceField(
        label="难度", coerce=int, choices=[(1, "易"), (2, "中"), (3, "难")], initial=2
    )
    explanation = TextField(
        label="解析", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, scope: Scope, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["org"]
        else:
            self.fields["org"].scope_to(scope)
        shown = {"options": "single multi", "right": "single multi", "judge": "judge"}
        for name, kinds in {**shown, "fills": "fill"}.items():
            self.fields[name].widget.attrs["data-show-if"] = f"kind={kinds}"

    @classmethod
    def initial_of(cls, q: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": q.kind,
            "stem": q.stem,
            "tags": " ".join(q.tags),
            "difficulty": q.difficulty,
            "explanation": q.explanation,
        }
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            initial["options"] = "\n".join(q.options)
            initial["right"] = [str(i + 1) for i in q.answer]
        elif q.kind == QuestionKind.JUDGE:
            initial["judge"] = str(q.answer[0]) if q.answer else ""
        else:
            initial["fills"] = "\n".join("｜".join(alts) for alts in q.answer)
        return initial

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        kind = d["kind"]
        options: list[str] = []
        answer: Any = []
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            options = [line.strip() for line in (d.get("options") or "").splitlines()]
            options = [o for o in options if o]
            answer = [int(n) - 1 for n in d.get("right") or []]
        elif kind == QuestionKind.JUDGE:
            answer = [int(d["judge"])] if d.get("judge") in ("0", "1") else []
        else:
            for line in (d.get("fills") or "").splitlines():
                alts = [a.strip() for a in ALTERNATIVES.split(line) if a.strip()]
                if alts:
                    answer.append(alts)
        return {
            "kind": kind,
            "stem": d["stem"],
            "options": options,
            "answer": answer,
            "explanation": d.get("explanation") or "",
            "tags": split_tags(d.get("tags") or ""),
            "difficulty": d.get("difficulty") or 2,
        }


class QuestionFilterForm(forms.Form):
    tag = TextField(label="标签", max_length=20, required=False)
    kind = forms.ChoiceField(label="题型", required=False)
    active = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "已停用")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部题型"), *QuestionKind.choices]


# -- papers ---------------------------------------------------------------------------------


class QuestionChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class PaperForm(forms.Form):
    org = OrgPickerField(label="考试组织", source="learning", as_pk=True)
    title = TextField(label="考试名称", max_length=100)
    mode = forms.ChoiceField(
        label="组卷方式", choices=Paper.Mode.choices, widget=forms.RadioSelect, initial="fixed"
    )
    questions = QuestionChoiceField(
        label="试题（固定试卷）",
        required=False,
        help_text="从题库勾选；只能用考试组织及其上级组织的启用试题",
    )
    points_single = forms.IntegerField(
        label="单选题每题分值", min_value=1, max_value=100, initial=2
    )
    points_multi = forms.IntegerField(label="多选题每题分值", min_value=1, max_value=100, initial=3)
    points_judge = forms.IntegerField(label="判断题每题分值", min_value=1, max_value=100, initial=1)
    points_fill = forms.IntegerField(label="填空题每题分值", min_value=1, max_value=100, initial=2)
    time_limit_minutes = forms.IntegerField(
        label="限时（分钟）", min_value=1, max_value=300, initial=30
    )
    opens_at = forms.DateTimeField(
        label="开始时间", widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    closes_at = forms.DateTimeField(
        label="截止时间", widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )
    pass_percent = forms.IntegerField(label="合格线（%）", min_value=0, max_value=100)
    max_attempts = forms.IntegerField(label="可考次数", min_value=1, max_value=20)

    def __init__(self, *args: Any, scope: Scope, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].scope_to(scope)
        self.fields["questions"].choices = [
            (str(q.pk), f"【{q.get_kind_display()}】{q.stem[:60]}") for q in questions
        ]
        self.fields["pass_percent"].initial = rule_value("learning.pass_percent")
        self.fields["max_attempts"].initial = rule_value("learning.max_attempts")
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["opens_at"].initial = now
        self.fields["closes_at"].initial = now + timedelta(days=7)
        self.fields["questions"].widget.attrs["data-show-if"] = "mode=fixed"
        for n in range(1, QUOTA_ROWS + 1):
            self.fields[f"quota_tag_{n}"] = TextField(
                label=f"第 {n} 条规则：标签", max_length=20, required=False
            )
            self.fields[f"quota_kind_{n}"] = forms.ChoiceField(
                label=f"第 {n} 条规则：题型",
                required=False,
                choices=[("", "请选择"), *QuestionKind.choices],
            )
            self.fields[f"quota_count_{n}"] = forms.IntegerField(
                label=f"第 {n} 条规则：题数", required=False, min_value=1, max_value=200
            )
            for name in ("tag", "kind", "count"):
                self.fields[f"quota_{name}_{n}"].widget.attrs["data-show-if"] = "mode=random"

    def quota_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"quota_tag_{n}"], self[f"quota_kind_{n}"], self[f"quota_count_{n}"])
            for n in range(1, QUOTA_ROWS + 1)
        ]

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        quotas = []
        for n in range(1, QUOTA_ROWS + 1):
            tag, kind, count = (
                d.get(f"quota_tag_{n}"),
                d.get(f"quota_kind_{n}"),
                d.get(f"quota_count_{n}"),
            )
            if tag or kind or count:
                quotas.append({"tag": tag or "", "kind": kind or "", "count": count})
        ids = [int(q) for q in d.get("questions") or []]
        kinds_used: set[str]
        if d["mode"] == Paper.Mode.RANDOM:
            kinds_used = {q["kind"] for q in quotas}
        else:
            kinds_used = set(
                Question.objects.filter(pk__in=ids).values_list("kind", flat=True).distinct()
            )
        points = {k: d[f"points_{k}"] for k in QuestionKind.values if k in kinds_used}
        return {
            "title": d["title"],
            "mode": d["mode"],
            "question_ids": ids,
            "quotas": quotas,
            "points": points,
            "time_limit_minutes": d["time_limit_minutes"],
            "opens_at": d["opens_at"],
            "closes_at": d["closes_at"],
            "pass_percent": d["pass_percent"],
            "max_attempts": d["max_attempts"],
        }


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, choices=years)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The year shown is the year selected: no year asked means this year, not the
        # list's first option (next year).
        if data is not None and not data.get("year"):
            data = data.copy()
            data["year"] = str(timezone.localdate().year)
        super().__init__(data, **kwargs)

    def year_or_now(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year


def chosen_year(query: Any) -> int:
    """The year a query string asks for (this year when none), or ApplicationError."""
    form = YearForm(query)
    if not form.is_valid():
        raise ApplicationError(
            f"年度应为列表中的年份，例如 {timezone.localdate().year}。", field="year"
        )
    return form.year_or_now()
