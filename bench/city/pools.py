"""Word pools and weights of the synthetic city (a county of northern Shaanxi, like the
city's real ones). Bench data only: plausible, not statistics.

Weights are relative; ``Weighted`` draws with one ``random()`` and a bisect.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


def fast_draws(rng: random.Random) -> tuple[Callable[[int, int], int], Callable[[Sequence[T]], T]]:
    """``(randint, choice)`` drawing exactly what ``rng.randint`` and ``rng.choice`` would
    (the same ``getrandbits`` calls: CPython's ``_randbelow_with_getrandbits``), in one
    Python frame instead of three; the member generator calls them ~8 times a row.
    tests/bench/test_people.py compares them with the originals on this interpreter."""
    getrandbits = rng.getrandbits

    def randint(a: int, b: int) -> int:
        n = b - a + 1
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return a + r

    def choice(seq: Sequence[T]) -> T:
        n = len(seq)
        if not n:
            raise IndexError("Cannot choose from an empty sequence")
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return seq[r]

    return randint, choice


class Weighted(Generic[T]):
    """A value drawn by relative weight: ``Weighted([(a, 3), (b, 1)]).draw(rng)``."""

    __slots__ = ("_cum", "_total", "_values")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._values = [v for v, w in pairs if w > 0]
        self._cum = list(itertools.accumulate(w for _, w in pairs if w > 0))
        self._total = self._cum[-1]

    def draw(self, rng: random.Random) -> T:
        return self._values[bisect.bisect_right(self._cum, rng.random() * self._total)]


# ------------------------------------------------------------------------------
# People: surnames (frequency per mille, roughly the national ranking, plus the local
# 拓 / 折 / 呼 / 党 / 惠 of northern Shaanxi) and given-name characters by sex and era.
# ------------------------------------------------------------------------------
SURNAMES: list[tuple[str, float]] = [
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 15),
    ("赵", 20), ("吴", 16), ("周", 16), ("徐", 13), ("孙", 13), ("马", 14), ("朱", 11),
    ("胡", 10), ("郭", 12), ("何", 9), ("林", 6), ("高", 14), ("罗", 8), ("郑", 7),
    ("梁", 8), ("谢", 6), ("宋", 6), ("唐", 6), ("许", 5), ("韩", 7), ("冯", 6),
    ("邓", 5), ("曹", 6), ("彭", 5), ("曾", 4), ("肖", 4), ("田", 5), ("董", 5),
    ("袁", 4), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 5),
    ("叶", 3), ("程", 4), ("苏", 4), ("魏", 5), ("吕", 4), ("丁", 3), ("任", 5),
    ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 2), ("谭", 2),
    ("陆", 2), ("汪", 2), ("范", 3), ("金", 2), ("石", 3), ("廖", 2), ("贾", 4),
    ("夏", 2), ("付", 2), ("方", 2), ("白", 5), ("邹", 2), ("孟", 2), ("秦", 3),
    ("薛", 3), ("闫", 4), ("段", 2), ("雷", 3), ("侯", 3), ("史", 2), ("贺", 4),
    ("郝", 3), ("武", 3), ("乔", 2), ("常", 3), ("霍", 2), ("慕", 1), ("党", 2),
    ("拓", 2), ("折", 1), ("呼", 1), ("惠", 2), ("艾", 1), ("井", 1), ("申", 1),
    ("牛", 2), ("尚", 1), ("康", 2), ("樊", 2), ("兰", 1), ("欧阳", 0.5), ("司马", 0.2),
]  # fmt: skip

GIVEN = {
    ("male", "old"): "建国军华明忠义德良兵红春生福贵发荣文志宏成龙平刚海林东山富强永胜玉保全"
    "中有学光世万金喜祥云庆占",
    ("male", "new"): "伟强军勇杰涛明超华辉斌波鹏飞峰磊亮浩宇博鑫晨旭俊帅凯鹏阳昊轩泽睿"
    "航宁琦诚毅嘉子楠",
    ("female", "old"): "秀英华丽兰桂芳玉珍凤霞梅红香荣琴莲萍翠芬娥彩云淑美花巧",
    ("female", "new"): "丽敏静燕艳娟霞芳玲萍婷雪慧洁莉娜倩颖琴欣怡佳悦雨蕾瑶妍晶璐涵彤琳欢露月媛",
}
NEW_ERA_FROM = 1975  # born from this year: the "new" given-name characters

# ------------------------------------------------------------------------------
# Places (村, 镇, 街道, 社区) in the style of the loess plateau: 刘家沟, 高家畔, 石峁 …
# ------------------------------------------------------------------------------
PLACE_HEAD = (
    "金银石马牛杨柳王李张刘高白黑红黄青大小上下前后东西南北新古双三五麻枣桃杏"
    "沙盐井寨庙龙凤鹿羊乔贺郝常薛霍呼拓党艾韩冯贾武崔惠雷"
)
PLACE_TAIL = "沟峁畔塔湾坪梁川渠岔洼滩坬岭台墕庄堡河崖界口圪湫"
STREET_NAMES = [
    "鼓楼",
    "青山",
    "新明",
    "航宇",
    "崇文",
    "驼峰",
    "上郡",
    "芹河",
    "金沙",
    "长城",
    "沙河",
    "明珠",
    "东沙",
    "西沙",
    "兴隆",
    "建业",
    "朝阳",
    "文化",
    "人民",
    "新华",
    "榆溪",
    "红山",
    "星元",
    "凌霄",
    "城关",
    "麟州",
    "滨河",
    "东山",
    "西山",
    "南关",
    "北关",
]
COMMUNITY_NAMES = [
    "新华",
    "建设",
    "文化",
    "阳光",
    "和平",
    "幸福",
    "春晖",
    "锦华",
    "世纪",
    "长城",
    "滨河",
    "金阳",
    "明珠",
    "丽景",
    "凯旋",
    "富康",
    "桃园",
    "梨园",
    "东方",
    "西苑",
    "南苑",
    "北苑",
    "青云",
    "朝阳",
    "兴华",
    "广济",
    "振兴",
    "龙泉",
    "新村",
    "花园",
    "育才",
    "永安",
    "福泰",
    "怡和",
    "康乐",
    "红旗",
    "胜利",
    "团结",
    "民主",
    "长安",
    "望湖",
    "金鼎",
    "银河",
    "佳苑",
    "惠民",
    "安居",
    "宏伟",
    "开元",
]
DEPARTMENTS = [
    "委办公室",
    "政府办公室",
    "纪委监委机关",
    "委组织部",
    "委宣传部",
    "委统战部",
    "委政法委",
    "发展和改革局",
    "教育局",
    "科技局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "林业局",
    "乡村振兴局",
    "信访局",
    "档案馆",
    "融媒体中心",
    "人民法院",
    "人民检察院",
    "人大常委会机关",
    "政协机关",
    "总工会",
    "团委",
    "妇联",
    "科协",
    "残联",
    "税务局",
    "气象局",
    "供电分公司",
    "能源局",
    "行政审批服务局",
    "城市管理执法局",
    "投资促进中心",
]
ORDINALS = "一二三四五六七八九十"
ENTERPRISE_TAIL = ("能源有限公司", "煤矿", "建筑工程有限公司", "农业专业合作社", "商贸有限公司",
                   "运输有限公司", "化工有限公司", "物流有限公司")  # fmt: skip
SOCIAL_TAIL = ("商会", "个体劳动者协会", "物业服务行业协会", "律师事务所", "民办学校")

# Large units (基层党委 → 党总支 → 党支部): (unit name, category, kind of its branches,
# its general branches).
LARGE_UNITS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("人民医院", "6", "health", ("内科", "外科", "医技", "行政后勤")),
    ("中学", "5", "school", ("高一年级", "高二年级", "高三年级")),
    ("能源集团有限公司", "1", "soe", ("煤矿", "电厂", "机关")),
    ("中医医院", "6", "health", ("临床", "医技")),
    ("城市投资发展集团有限公司", "1", "soe", ("建设", "运营")),
    ("职业教育中心", "5", "school", ("教学", "实训")),
    ("第二中学", "5", "school", ("初中部", "高中部")),
    ("供排水有限公司", "1", "soe", ("生产", "营销")),
]

ADDRESS_FORMAT = {
    "rural": "{town}{village}村{group}组{no}号",
    "urban": "{street}{community}社区{building}号楼{unit}单元{room}室",
    "town": "{town}{street}{no}号",
}
TOWN_STREETS = ("新街", "老街", "中街", "东街", "西街", "南街", "北街", "正街", "新区路")
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]
FLOW_DESTINATIONS = ("西安市", "北京市", "鄂尔多斯市", "银川市", "延安市", "太原市", "包头市",
                     "上海市", "深圳市", "宝鸡市")  # fmt: skip

# Ethnicity (GB/T 3304): 汉族 ~96 %, a few minorities.
ETHNICITY = Weighted(
    [("01", 960), ("03", 15), ("11", 8), ("02", 7), ("04", 1), ("06", 1), ("05", 1),
     ("08", 1), ("10", 1), ("15", 1), ("07", 1), ("14", 1), ("12", 1), ("13", 1)]
)  # fmt: skip


def place_names(rng: random.Random, count: int, taken: set[str], *, min_len: int = 2) -> list[str]:
    """``count`` place names not in ``taken`` (added to it): 2 characters (石峁), else
    家-names (刘家沟), else 3 characters (金石湾)."""
    out: list[str] = []
    heads, tails = PLACE_HEAD, PLACE_TAIL
    attempts = 0
    while len(out) < count:
        attempts += 1
        roll = rng.random()
        if attempts > 50 * count + 1000:
            name = f"{rng.choice(heads)}{rng.choice(heads)}{rng.choice(tails)}{len(taken)}"
        elif roll < 0.45 and min_len <= 2:
            name = rng.choice(heads) + rng.choice(tails)
        elif roll < 0.85:
            name = rng.choice(heads) + "家" + rng.choice(tails)
        else:
            name = rng.choice(heads) + rng.choice(heads) + rng.choice(tails)
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out
