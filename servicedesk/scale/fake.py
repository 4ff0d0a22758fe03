"""Fake data the apps' generators share: Chinese names, ID numbers, mobiles, time."""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import accumulate
from typing import Any

from servicedesk.scale.context import SHANGHAI

# Common surnames, most frequent first (about 85% of the population), then a few rare
# two-character ones. Weights fall off roughly as in the census tables.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严莫孔向常汤康易乔赖文樊牛兰殷柴岳齐申雒"
)
_SURNAME_WEIGHTS = [7.1, 7.0, 6.7, 5.4, 4.5, 3.1, 2.2, 2.0, 1.9, 1.9]
SURNAME_LIST = [*SURNAMES, "欧阳", "司马", "上官", "诸葛", "令狐"]
SURNAME_CUM = list(accumulate(
    _SURNAME_WEIGHTS
    + [1.3 * 0.965 ** k for k in range(len(SURNAMES) - len(_SURNAME_WEIGHTS))]
    + [0.03] * 5
))
_total = SURNAME_CUM[-1]

GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉玲桂英华建国文斌宇浩凯鹏飞波宁慧琳婷雪晨欣怡佳"
    "悦涵萱轩博俊志海燕红梅春兰秋菊东龙振思远嘉豪子梓雨浩然晓峰新民利荣兵林颖倩丹阳秀玉凤云莉"
    "亮成刚鑫毅彬帆蕾璐瑶琪露晶洁婧睿哲宏昊天泽楠蓉霖鸿旭昕瑞铭航翔德胜福庆祥安康宝贵"
)
ORG_WORDS = ("华信", "金辉", "鼎盛", "恒通", "博远", "长安", "秦川", "曲江", "汉唐", "万和",
             "盛世", "新城", "兴业", "永泰", "德丰")
ORG_KINDS = ("商贸有限公司", "科技有限公司", "物业管理有限公司", "餐饮管理有限公司",
             "建筑工程有限公司", "文化传媒有限公司", "药房", "幼儿园", "社区居委会")

# Resident ID area codes (weight): mostly Xi'an, some from the rest of Shaanxi and other
# provinces. A code is only used for birth years in which it existed (python-stdnum's
# table, which the register's validator uses): before 1983 Xi'an's districts were 610120.
ID_AREAS = {
    "610113": 8, "610103": 6, "610104": 5, "610102": 5, "610112": 4, "610111": 3,
    "610114": 1, "610115": 1, "610116": 2, "610122": 1, "610124": 1, "610125": 1,
    "610120": 20, "610121": 3, "612121": 1, "612122": 1, "612222": 1, "612223": 1,
    "610402": 1, "610302": 1, "610321": 1, "612301": 1, "612701": 1,
    "110101": 1, "310101": 1, "410102": 1, "620102": 1, "510104": 1, "420102": 1,
    "370102": 1, "130102": 1, "630102": 1, "410305": 1,
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
MOBILE_PREFIXES = tuple(str(p) for p in (
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
    166, 173, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199,
))


def chinese_name(rng: random.Random) -> str:
    surname = SURNAME_LIST[bisect(SURNAME_CUM, rng.random() * _total)]
    chars = GIVEN_CHARS
    given = chars[int(rng.random() * len(chars))]
    if rng.random() < 0.72:
        given += chars[int(rng.random() * len(chars))]
    return surname + given


def organization_name(rng: random.Random) -> str:
    return ("西安" + ORG_WORDS[int(rng.random() * len(ORG_WORDS))]
            + ORG_KINDS[int(rng.random() * len(ORG_KINDS))])


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_number(area: str, birth: date, seq: int) -> str:
    """An 18-digit resident ID number with a valid check digit (GB 11643)."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


class UniqueIdNumbers:
    """Distinct, valid ID numbers for subscriber 0, 1, 2…: an affine permutation of
    (birth day, sequence) pairs, so no two people share birth day and sequence, in O(1)
    memory; the area code is one that existed in the birth year."""

    FIRST_BIRTH = date(1945, 1, 1)
    LAST_BIRTH = date(2006, 12, 31)

    def __init__(self, rng: random.Random):
        from stdnum.cn import ric

        self.days = (self.LAST_BIRTH - self.FIRST_BIRTH).days + 1
        self.space = self.days * 1000
        self.a = _coprime_multiplier(rng, self.space)
        self.b = int(rng.random() * self.space)
        self.birth_ordinal = self.FIRST_BIRTH.toordinal()
        self.areas = {}
        for year in range(self.FIRST_BIRTH.year, self.LAST_BIRTH.year + 1):
            valid = {a: w for a, w in ID_AREAS.items()
                     if ric.is_valid(id_number(a, date(year, 6, 1), 123))}
            self.areas[year] = weighted_picker(list(valid), list(valid.values()))

    def __call__(self, i: int, rng: random.Random) -> str:
        combo = (self.a * i + self.b) % self.space
        birth = date.fromordinal(self.birth_ordinal + combo // 1000)
        return id_number(self.areas[birth.year](rng), birth, combo % 1000)


def mobile(rng: random.Random) -> str:
    return MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))] + (
        f"{int(rng.random() * 100_000_000):08d}"
    )


def _coprime_multiplier(rng: random.Random, modulus: int) -> int:
    """A multiplier that makes ``i -> (a*i + b) % modulus`` a permutation."""
    while True:
        a = int(modulus * (0.3 + 0.4 * rng.random())) | 1
        if math.gcd(a, modulus) == 1:
            return a


class AffinePermutation:
    """A bijection of range(size) that looks random, in O(1) memory."""

    def __init__(self, rng: random.Random, size: int):
        self.size = max(size, 1)
        self.a = _coprime_multiplier(rng, self.size) if self.size > 2 else 1
        self.b = int(rng.random() * self.size)

    def __call__(self, i: int) -> int:
        return (self.a * i + self.b) % self.size


def business_time(day: date, fraction: float) -> datetime:
    """A moment of the counter's opening hours (08:30-19:00) on ``day``."""
    minutes = 510 + int(fraction * 630)
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60,
                    int(fraction * 3600) % 60, tzinfo=SHANGHAI)


def weighted_picker(items: Sequence[Any], weights: Sequence[float]) -> Callable:
    """``pick(rng)`` returns one of ``items`` with the given relative weights."""
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    items = list(items)

    def pick(rng: random.Random):
        return items[bisect(cum, rng.random() * total)]

    return pick
