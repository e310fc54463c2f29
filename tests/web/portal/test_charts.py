"""The server-side SVG charts: geometry proportional to the data, nice axis maxima, escaping, empty data,
accessibility attributes — checked by parsing the markup."""
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from web.portal import charts

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup):
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


@pytest.mark.parametrize("value, expected", [
    (0, 1), (None, 1), (-3, 1), (0.3, 0.5), (1, 1), (7, 10), (12, 20), (23, 25), (26, 50), (99, 100), (100, 100),
    (101, 200), (1234, 2000), (2400, 2500),
])
def test_nice_max_rounds_up_to_1_2_2_5_5_times_a_power_of_ten(value, expected):
    assert charts.nice_max(value) == expected


def test_ticks_are_even_and_nice_from_zero_to_the_top():
    assert charts.ticks(20) == [0, 5, 10, 15, 20]
    assert charts.ticks(5) == [0, 1, 2, 3, 4, 5]
    assert charts.ticks(2.5) == [0, 0.5, 1, 1.5, 2, 2.5]
    assert charts.ticks(100) == [0, 20, 40, 60, 80, 100]
    assert charts.ticks(10, count=2) == [0, 5, 10]
    assert charts.ticks(2, integers=True) == [0, 1, 2] and charts.ticks(2) == [0, 0.5, 1, 1.5, 2]


def bar_lengths(svg, attr):
    return {g.get("data-label"): float(g.find("s:rect", NS).get(attr)) for g in svg.iter("{%s}g" % NS["s"])
            if g.get("class") == "bar"}


def test_horizontal_bars_are_proportional_to_the_values_on_a_nice_axis():
    svg = parse(charts.bar_chart([("质量", 12), ("服务", 6), ("价格", 3)], title="按类别"))
    lengths = bar_lengths(svg, "width")
    assert lengths["服务"] == pytest.approx(lengths["质量"] / 2, abs=0.1)
    assert lengths["价格"] == pytest.approx(lengths["质量"] / 4, abs=0.1)
    # the axis goes to 20 (nice_max of 12): the longest bar takes 12/20 of the plot
    labels = [t.text for t in svg.iter("{%s}text" % NS["s"])]
    assert "20" in labels and "0" in labels
    plot = charts.WIDTH - 130 - 60
    assert lengths["质量"] == pytest.approx(plot * 12 / 20, abs=0.1)


def test_vertical_bars_heights_are_proportional_and_stand_on_the_axis():
    svg = parse(charts.bar_chart([("A", 4), ("B", 8), ("C", 0)], title="等级", horizontal=False))
    bars = {g.get("data-label"): g.find("s:rect", NS) for g in svg.iter("{%s}g" % NS["s"]) if g.get("class") == "bar"}
    heights = {k: float(r.get("height")) for k, r in bars.items()}
    assert heights["A"] == pytest.approx(heights["B"] / 2, abs=0.1) and heights["C"] == 0
    bottoms = {round(float(r.get("y")) + float(r.get("height")), 1) for r in bars.values()}
    assert len(bottoms) == 1


def test_percent_axis_with_a_fixed_top():
    svg = parse(charts.bar_chart([("回复", 50), ("解决", 100)], title="达成率", percent=True, top=100))
    lengths = bar_lengths(svg, "width")
    assert lengths["回复"] == pytest.approx(lengths["解决"] / 2, abs=0.1)
    assert "100%" in str(charts.bar_chart([("x", 100)], title="t", percent=True, top=100))


def test_every_chart_is_an_accessible_scalable_image():
    for markup in (charts.bar_chart([("a", 1)], title="标题"), charts.line_chart(["1月"], [("s", [1])], title="标题"),
                   charts.stacked_bar_chart(["a"], [("s", [1])], title="标题"), charts.donut_chart([("a", 1)], title="标题")):
        svg = parse(markup)
        assert svg.get("role") == "img" and svg.get("width") == "100%" and svg.get("viewBox").startswith("0 0 ")
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find("s:title", NS).get("id") == title_id and svg.find("s:title", NS).text == "标题"
        assert svg.find("s:desc", NS).get("id") == desc_id
        assert "<script" not in str(markup) and "http" not in str(markup).replace("http://www.w3.org", "")


def test_labels_and_titles_are_escaped():
    evil = '<script>alert("x")</script>&'
    for markup in (charts.bar_chart([(evil, 1)], title=evil), charts.line_chart([evil], [(evil, [1])], title=evil),
                   charts.stacked_bar_chart([evil], [(evil, [1])], title=evil), charts.donut_chart([(evil, 2)], title=evil)):
        text = str(markup)
        assert "<script>" not in text and "&lt;script&gt;" in text
        parse(markup)  # still well-formed XML


def test_empty_data_draws_a_frame_with_the_text():
    for markup in (charts.bar_chart([], title="t", empty_text="暂无数据"),
                   charts.line_chart(["1月", "2月"], [("s", [None, None])], title="t", empty_text="暂无数据"),
                   charts.stacked_bar_chart(["a"], [("s", [0])], title="t", empty_text="暂无数据"),
                   charts.donut_chart([("a", 0)], title="t", empty_text="暂无数据")):
        svg = parse(markup)
        assert [t.text for t in svg.iter("{%s}text" % NS["s"]) if t.get("class") == "chart-empty"] == ["暂无数据"]


def test_line_chart_points_and_gaps():
    svg = parse(charts.line_chart(["7月", "8月", "9月", "10月"], [("回复", [100, None, 50, 75]), ("解决", [80, 90, 70, 60])],
                                  title="SLA", percent=True, top=100))
    series = {g.get("data-name"): g for g in svg.iter("{%s}g" % NS["s"]) if g.get("class") == "series"}
    assert set(series) == {"回复", "解决"}
    reply_points = series["回复"].findall("s:circle", NS)
    assert [p.get("data-value") for p in reply_points] == ["100", "50", "75"]
    assert len(series["回复"].findall("s:polyline", NS)) == 1  # 100 alone, then 50–75 joined
    assert len(series["解决"].findall("s:polyline", NS)) == 1
    ys = {p.get("data-value"): float(p.get("cy")) for p in reply_points}
    top, bottom = 40.0, 280.0 - 40.0
    assert ys["100"] == pytest.approx(top) and ys["50"] == pytest.approx((top + bottom) / 2)


def test_stacked_bars_add_up_to_the_total():
    svg = parse(charts.stacked_bar_chart(["销售部", "客服部"], [("逾期", [2, 1]), ("未逾期", [2, 3])], title="t"))
    stacks = [g for g in svg.iter("{%s}g" % NS["s"]) if g.get("class") == "stack"]
    assert [s.get("data-value") for s in stacks] == ["4", "4"]
    for stack in stacks:
        heights = [float(r.get("height")) for r in stack.findall("s:rect", NS)]
        assert sum(heights) == pytest.approx(200 * 4 / 5, abs=0.2)  # plot 200 high, axis nice_max(4) = 5


def test_donut_slices_have_shares():
    text = str(charts.donut_chart([("A", 3), ("B", 1)], title="t"))
    assert "75%" in text and "25%" in text
    assert len(re.findall(r'class="slice"', text)) == 2


def test_long_labels_are_cut_on_the_axis_but_whole_in_the_tooltip():
    label = "物业管理服务质量问题投诉"
    text = str(charts.bar_chart([(label, 3)], title="t"))
    assert f"<title>{label}：3</title>" in text and charts.short(label) + "</text>" in text
