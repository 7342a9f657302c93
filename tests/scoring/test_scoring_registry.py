"""The 附2 registry as data: names exactly as printed, weights, and loud loading errors."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import scoring
from scoring import IncompleteRegistryError, RegistryError

# Transcribed from 国科发火〔2013〕388号 附2 (codes and leading spaces stripped).
PRINTED = """1.1万人拥有本科（含）学历以上人数 1.2企业万元销售收入中R&D经费支出 1.3国家级研发机构数 1.4国家级孵化器数
1.5内资控股企业万人当年新增发明专利授权数 1.6管委会当年财政支出中对科技的投入额 1.7人均技术合同交易额 1.8工业增加值率
1.9企业利润率 1.10园区管委会的体制机制创新和有效运作评价 1.11园区发展符合国家导向评价 2.1营业收入超30亿元高新技术企业数
2.2服务收入占营业总收入比例 2.3人均增加值 2.4高新技术企业数占企业总数比例 2.5国家级产业服务促进机构数
2.6万人当年新增的知识产权数（含注册商标） 2.7万人拥有的上市企业数量 2.8企业净资产利润率 2.9从业人员人均工资性收入占人均增加值比例
2.10园区科技金融发展状况评价 2.11园区战略性新兴产业和创新型集群培育和发展状况评价 3.1海外留学归国人员和外籍常驻人员占从业人员的比例
3.2高新技术企业出口额占园区营业收入的比例 3.3技术服务出口额占出口总额的比例 3.4企业设立的境外分支机构数 3.5万人当年新增欧美日注册商标数
3.6万人当年新增欧美日专利授权数 3.7企业累计参与制定产业国际标准数 3.8当年内资控股企业的海外直接投资额 3.9园区实施人才战略与政策的绩效评价
3.10园区宜居性和城市服务功能的完善程度评价 4.1从业人员数增长率 4.2从业人员中硕士和博士占比 4.3企业数量增长率 4.4企业上缴税收总额增长率
4.5当年新增投资总额 4.6单位增加值综合能耗 4.7园区“政产学研资介用”合作互动与知识产权保护评价 4.8园区参与评价工作所报数据的客观性、准确性和完整性评价"""


def test_forty_indicators_with_names_exactly_as_printed(registry) -> None:
    import re

    printed = dict(re.findall(r"(\d+\.\d+)(\S+)", PRINTED))
    assert {i.code: i.name for i in registry.indicators} == printed
    assert [len(p.indicators) for p in registry.primaries] == [11, 11, 10, 8]
    assert [p.weight for p in registry.primaries] == [30, 30, 20, 20]
    assert [p.coefficient_sum for p in registry.primaries] == [
        Decimal("10.9"),
        Decimal("11.0"),
        Decimal("10.0"),
        Decimal("8.0"),
    ]


def test_directions_sources_and_citations(registry) -> None:
    assert [i.code for i in registry.indicators if not i.higher_is_better] == ["4.6"]
    assert registry.indicator("2.3").citation == "国科发火〔2013〕388号 附2 2.3（赋权1.1，统计）"
    assert registry.indicator("园区发展符合国家导向评价").source == "定性"
    assert registry.indicator("4.7").source == "调查"


def test_unknown_indicator_message_names_the_registry(registry) -> None:
    with pytest.raises(
        scoring.UnknownKeyError, match=r"'2.13' is not in registry GKFH-2013-388-A2 \(known: 1.1 … 4.8"
    ):
        registry.indicator("2.13")


def _copy_config(tmp_path: Path) -> Path:
    src = Path(scoring.__file__).resolve().parent.parent / "config" / "scoring"
    dst = tmp_path / "scoring"
    shutil.copytree(src, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_wrong_coefficient_is_reported_with_file_and_line(tmp_path) -> None:
    cfg = _copy_config(tmp_path)
    reg = cfg / "registries" / "GKFH-2013-388-A2.yaml"
    _edit(
        reg,
        'code: "2.3", name: 人均增加值, coefficient: 1.1',
        'code: "2.3", name: 人均增加值, coefficient: 1.0',
    )
    with pytest.raises(RegistryError) as err:
        scoring.load_registry("GKFH-2013-388-A2", cfg)
    assert "GKFH-2013-388-A2.yaml line" in err.value.message and "2.3" in err.value.message


def test_bad_unit_and_direction_are_refused(tmp_path) -> None:
    cfg = _copy_config(tmp_path)
    reg = cfg / "registries" / "GKFH-2013-388-A2.yaml"
    _edit(reg, 'unit: 吨标准煤/万元, direction: "-"', 'unit: 吨标准煤/万元, direction: "down"')
    with pytest.raises(RegistryError, match=r"line \d+ \(indicator 4.6\): direction 'down'"):
        scoring.load_registry("GKFH-2013-388-A2", cfg)


def test_engine_refuses_an_incomplete_registry(tmp_path) -> None:
    cfg = _copy_config(tmp_path)
    reg = cfg / "registries" / "GKFH-2013-388-A2.yaml"
    _edit(reg, "weight: 20\n    coefficient_total: 8.0", "weight: null\n    coefficient_total: 8.0")
    _edit(reg, "weights_total: 100", "weights_total: 80")
    incomplete = scoring.load_registry("GKFH-2013-388-A2", cfg)
    assert not incomplete.complete
    with pytest.raises(IncompleteRegistryError, match="primary 4 weight"):
        scoring.score_cohort([{"park_id": "x", "year": 2020, "indicators": {"1.3": 1}}], incomplete)


def test_rule_pack_errors_name_file_and_line(tmp_path) -> None:
    cfg = _copy_config(tmp_path)
    _edit(cfg / "rules" / "GKFH-2013-388-A1.yaml", 'threshold: "0.20"', 'threshold: "20"')
    with pytest.raises(
        scoring.ConfigError, match=r"GKFH-2013-388-A1.yaml line \d+: threshold for ratio fact"
    ):
        scoring.load_rule_pack("GKFH-2013-388-A1", cfg)


def test_profiles_have_the_documented_defaults() -> None:
    default = scoring.load_profile()
    assert (default.normalisation, default.missing, str(default.coverage)) == ("minmax", "drop", "2/3")
    assert set(scoring.load_profiles()) >= {
        "default",
        "zero_fill",
        "median",
        "ratio_to_best",
        "zscore",
        "percentile",
        "log1p",
    }
