"""Jurisdiction from the issuer's name: national, province or city, with the place name.

A province-level name at the start (广东省…, 北京市…, 新疆维吾尔自治区…) makes the document
provincial, unless a city follows it (广东省深圳市…); a city-level name (青岛市…, 延边朝鲜族
自治州…) makes it a city's. An issuer without a place name is national (国务院, 科学技术部,
全国人民代表大会常务委员会, 国家知识产权局 …).

Without an issuer that says it, a local regulation's title may: a 条例, 规定, 办法, 细则 or 规则
whose title opens with a province's full name (上海市漕河泾新兴技术开发区暂行条例) or a city's
(青岛市专利保护规定) is that place's (`jurisdiction_from_title`). So is a title that opens with the
place and names that place's own programme without a 关于 (东莞市企业研究开发财政补助,
东莞市科技服务机构奖励专题申报指南: the unsigned web reprints of a city's subsidy terms); a 关于 title
(江苏省关于…的意见, 关于…的通知) may be anyone's about the place and is not read. Short names (上海…)
are not read, and nothing else is guessed.
"""

from __future__ import annotations

import re

from retrieval.models import Jurisdiction

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
    "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区",
    "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "新疆生产建设兵团",
    "香港特别行政区", "澳门特别行政区",
)
_SHORT = {p[:-1] if p.endswith(("省", "市")) else p.replace("壮族自治区", "").replace("回族自治区", "")
          .replace("维吾尔自治区", "").replace("自治区", ""): p for p in PROVINCES}
_CITY = re.compile(r"^([\u4e00-\u9fff]{2,8}?(?:市|自治州|地区|盟|州))(?=[\u4e00-\u9fff]{2})")
_NATIONAL_PREFIXES = ("国务院", "全国", "中华人民共和国", "中共中央", "国家", "最高人民")


# a city's name opening a title: two to four characters before 市 or 自治州 (not …城市, a word)
_TITLE_CITY = re.compile(r"^([\u4e00-\u9fff]{2,4}?(?:市|自治州))(?=[\u4e00-\u9fff]{2})")
_LOCAL_RULE = re.compile(r"(?:条例|规定|办法|细则|规则)(?:[（(][^）)]{1,6}[)）])?$")


def jurisdiction_from_title(title: str | None) -> Jurisdiction | None:
    """The place a local regulation's or a place's own programme's title opens with, as its jurisdiction
    (see the module docstring)."""
    title = (title or "").strip()
    if not (_LOCAL_RULE.search(title) or "关于" not in title) or title.startswith(_NATIONAL_PREFIXES):
        return None
    for province in PROVINCES:
        if title.startswith(province):
            return _province_or_its_city(province, title[len(province):])
    city = _TITLE_CITY.match(title)
    if city is None or city.group(1).endswith("城市"):
        return None
    return Jurisdiction(level="city", place=city.group(1))


def _province_or_its_city(province: str, rest: str) -> Jurisdiction:
    city = _CITY.match(rest)
    if city and province not in ("北京市", "天津市", "上海市", "重庆市"):
        return Jurisdiction(level="city", place=city.group(1))
    return Jurisdiction(level="province", place=province)


def jurisdiction_of(issuer: str | None) -> Jurisdiction | None:
    if not issuer:
        return None
    name = issuer.split("、")[0].split(" ")[0].strip()
    if name.startswith(_NATIONAL_PREFIXES):
        return Jurisdiction(level="national", place="全国")
    for province in PROVINCES:
        for form in (province, *(short for short, full in _SHORT.items() if full == province)):
            if name.startswith(form):
                return _province_or_its_city(province, name[len(form):])
    city = _CITY.match(name)
    if city:
        return Jurisdiction(level="city", place=city.group(1))
    if re.search(r"(?:部|委员会|总局|局|署|院|办公厅|银行|中心)$", name):
        return Jurisdiction(level="national", place="全国")
    return None
