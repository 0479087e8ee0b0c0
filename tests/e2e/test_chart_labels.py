"""Bar charts show every category label (issue 15: 党内统计 dropped two thirds of them):
``static/js/charts.js`` rendered by Chromium with ECharts, at a desktop card's width and
a phone's, must draw each label in full (wrapped lines joined)."""

from __future__ import annotations

import json

import pytest

from tests.support.live import ROOT

PERIODS = [
    "1937年7月6日及以前",
    "1937年7月7日至1945年9月2日",
    "1945年9月3日至1949年9月",
    "1949年10月至1966年4月",
    "1966年5月至1976年10月",
    "1976年11月至1978年12月",
    "1979年1月至2002年10月",
    "2002年11月至2012年10月",
    "2012年11月及以后",
]
OCCUPATIONS = [
    "工人", "农牧渔民", "企业事业单位专业技术人员", "企业事业单位管理人员", "党政机关工作人员",
    "学生", "其他职业人员", "离退休人员", "未填写", "军人", "武警", "社会组织人员", "个体户",
]  # fmt: skip
SHORT = ["男", "女", "其他", "未填写"]


def _drawn(browser, width: int, labels: list[str]) -> tuple[list[str], float]:  # type: ignore[no-untyped-def]
    rows = [{"name": n, "value": i + 1} for i, n in enumerate(labels)]
    page = browser.new_page(viewport={"width": width + 40, "height": 900})
    try:
        page.set_content(
            f'<div id="c" style="width:{width}px;height:320px"></div>'
            f'<script type="application/json" id="d">{json.dumps(rows, ensure_ascii=False)}'
            "</script>"
        )
        page.add_script_tag(path=str(ROOT / "node_modules/echarts/dist/echarts.min.js"))
        page.add_script_tag(path=str(ROOT / "static/js/charts.js"))
        page.evaluate('zhdjBar("c", "d")')
        texts = page.eval_on_selector_all("#c svg text", "els => els.map(e => e.textContent)")
        height = page.eval_on_selector("#c", "el => el.clientHeight")
    finally:
        page.close()
    return texts, height


@pytest.mark.parametrize("width", [560, 330], ids=["desktop-1440", "phone-390"])
@pytest.mark.parametrize("labels", [PERIODS, OCCUPATIONS, SHORT], ids=["periods", "jobs", "short"])
def test_every_category_label_is_drawn(browser, width, labels):
    texts, height = _drawn(browser, width, labels)
    joined = "".join(texts)
    assert [label for label in labels if label not in joined] == []
    # Horizontal bars grow the chart so every label keeps its row.
    assert height >= min(320, len(labels) * 24)
