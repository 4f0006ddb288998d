"""Each parsing variation of spreadsheets.md, on the pure cell parser."""

import datetime as dt

import pytest

from ingest.parsing.cells import parse_cell


@pytest.mark.parametrize(
    "raw, fmt, value, kind",
    [
        ("1,270,000", None, 1270000.0, "number"),
        ("24.42 ", None, 24.42, "number"),
        ("３３,１００", None, 33100.0, "number"),  # full-width digits and comma
        ("２４.４２", None, 24.42, "number"),
        ("３３，１００", None, 33100.0, "number"),  # full-width comma U+FF0C
        ("52.3%", None, 52.3, "number"),
        ("５２.３％", None, 52.3, "number"),
        ("-0.89%", None, -0.89, "number"),
        (0.8463, "0.00%", 84.63, "number"),  # fraction in a percent-formatted cell
        (0.8463, "0%", 84.63, "number"),
        (0.8463, "General", 0.8463, "number"),
        (0.8463, '0.00"%"', 0.8463, "number"),  # a literal "%" is not a percent format
        (1270000, None, 1270000.0, "number"),
        (0, None, 0.0, "number"),
        ("0", None, 0.0, "number"),
        ("—", None, None, "not_reported"),
        ("-", None, None, "not_reported"),
        ("－", None, None, "not_reported"),
        (None, None, None, "blank"),
        ("   ", None, None, "blank"),
        ("**.*%", None, None, "masked"),
        ("*****", None, None, "masked"),
        ("1**.*", None, None, "masked"),
        ("达标", None, None, "marker"),
        ("完成", None, None, "marker"),
        ("全部完成", None, None, "marker"),
        ("具备", None, None, "marker"),
        ("完成市下达任务", None, None, "text"),
        (dt.datetime(2020, 3, 15), None, None, "date"),
    ],
)
def test_parse_variations(raw, fmt, value, kind):
    p = parse_cell(raw, fmt)
    assert p.kind == kind
    if value is None:
        assert p.value is None
    else:
        assert p.value == pytest.approx(value, rel=1e-12)


def test_value_text_is_kept_as_written():
    assert parse_cell("３３,１００").value_text == "３３,１００"
    assert parse_cell(52300).value_text == "52300"
    assert parse_cell(18.85).value_text == "18.85"


def test_formula_without_cached_value_is_reported_not_guessed():
    p = parse_cell(None, None, formula_without_value=True)
    assert p.kind == "formula_no_cache" and p.value is None
