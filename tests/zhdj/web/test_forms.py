from __future__ import annotations

from django import forms

from zhdj.web.forms import FastSelect


class Pick(forms.Form):
    org = forms.ChoiceField(
        choices=[("", "——"), ("1", "甲<支部>"), ("2", "乙")], required=False, widget=FastSelect
    )


def test_fast_select_renders_escaped_options_and_the_selection():
    html = str(Pick({"org": "2"})["org"])
    assert html.startswith('<select name="org" id="id_org">')
    assert '<option value="1">甲&lt;支部&gt;</option>' in html
    assert '<option value="2" selected>乙</option>' in html
    assert str(Pick()["org"]).count(" selected") == 1  # the blank option, as Django does
