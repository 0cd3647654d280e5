"""The small bar charts: their geometry, and how the page writes them (accessible, no inline style or script)."""

import re

from crm.reports.charts import bar_chart
from crm.reports.figures import FIGURES
from tests.reports.conftest import YEAR


def test_bars_reach_the_top_for_the_largest_value_and_leave_gaps():
    chart = bar_chart([(2020, 0), (2021, 5), (2022, 10), (2023, None)], width=100, height=40, gap=4)
    # four bars of (100 - 3 gaps of 4) / 4 = 22 wide, at 0, 26, 52 and 78
    assert [(bar.x, bar.width) for bar in chart.bars] == [(0, 22), (26, 22), (52, 22), (78, 22)]
    assert [bar.height for bar in chart.bars] == [0, 20, 40, 0]
    assert [bar.y for bar in chart.bars] == [40, 20, 0, 40]


def test_a_chart_of_nothing_but_zeros_or_gaps_has_no_bars():
    assert all(bar.height == 0 for bar in bar_chart([(2020, 0), (2021, None)]).bars)


def test_each_figure_has_a_chart_that_reads_out_its_numbers(staff_client, built):
    page = staff_client.get(f"/reports/{YEAR}").get_data(as_text=True)
    charts = re.findall(r"<svg [^>]*role=\"img\".*?</svg>", page, re.S)  # the menu's icons are SVG too
    assert len(charts) == len(FIGURES) == 41
    invited = next(chart for chart in charts if 'id="graf-invited-title"' in chart)
    assert 'role="img"' in invited and 'aria-labelledby="graf-invited-title graf-invited-desc"' in invited
    assert "2020: 0; 2021: 0; 2022: 0; 2023: 2; 2024: 7" in invited
    # 2024's bar is the whole height; 2023's two companies are 2/7 of it
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', invited)]
    assert heights == [round(36 * 2 / 7, 1), 36.0]
    billed = next(chart for chart in charts if 'id="graf-billed-title"' in chart)
    assert "2024: 2.250,00 kr." in billed


def test_the_report_page_has_no_inline_style_or_script(staff_client, built):
    page = staff_client.get(f"/reports/{YEAR}").get_data(as_text=True)
    assert " style=" not in page and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)
