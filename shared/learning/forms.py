"""Forms of course authoring shared by the city's pages and the counties' (课程与课节):
shapes only; the checks are ``shared.learning.authoring``'s."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from shared.learning.catalogue import Audience, LessonKind
from shared.learning.media import MAX_MEDIA_MB
from zhdj.validation.names import TextField

ACCEPT = {
    LessonKind.VIDEO: "video/mp4",
    LessonKind.AUDIO: "audio/mpeg,audio/mp4,audio/wav",
    LessonKind.PDF: "application/pdf",
}


def years() -> list[tuple[int, str]]:
    this = timezone.localdate().year
    return [(y, f"{y} 年") for y in range(this + 1, this - 6, -1)]


class CourseFields(forms.Form):
    """The fields of a course, the city's and a county's alike."""

    title = TextField(label="课程名称", max_length=100)
    summary = TextField(
        label="课程简介", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    year = forms.TypedChoiceField(
        label="学习年度", coerce=int, choices=years, initial=lambda: timezone.localdate().year
    )
    audience = forms.ChoiceField(label="学习对象", choices=Audience.choices)
    required = forms.BooleanField(
        label="必修课程", required=False, initial=True, help_text="必修课程计入完成率统计"
    )

    def data_for_service(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data.get(k)
            for k in ("title", "summary", "year", "audience", "required")
        }


class LessonForm(forms.Form):
    title = TextField(label="课节名称", max_length=100)
    kind = forms.ChoiceField(label="形式", choices=LessonKind.choices)
    body = TextField(
        label="正文",
        max_length=50000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="图文课节必填；其他形式可写导读",
    )
    media = forms.FileField(
        label="文件",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(sorted({a for v in ACCEPT.values() for a in v.split(",")}))}
        ),
        help_text=f"视频为 MP4，音频为 MP3、M4A，文档为 PDF；不超过 {MAX_MEDIA_MB} MB。"
        "视频和音频的时长从文件读取",
    )
    reading_minutes = forms.IntegerField(
        label="学习时长（分钟）",
        required=False,
        min_value=1,
        max_value=240,
        help_text="图文和文档课节按此计学时；视频和音频不用填",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["media"].widget.attrs["data-show-if"] = "kind=video audio pdf"
        self.fields["reading_minutes"].widget.attrs["data-show-if"] = "kind=article pdf"

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "kind": d["kind"],
            "body": d.get("body") or "",
            "media": d.get("media") or None,
            "reading_minutes": d.get("reading_minutes"),
        }
