"""The participation charts, drawn on the server as SVG with pygal.

Served as images (``<img src=...>``) from their own route with a policy for images only: the
page's Content-Security-Policy allows no inline styles, and pygal styles its SVG with a
``<style>`` element. pygal's script (tooltips, and its inline configuration) is left out: an
image never runs scripts, and nothing here needs them. Each chart has a ``<title>`` and a
``<desc>`` and the page gives the same numbers in a table, with the image's ``alt`` text
saying so.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pygal
from pygal.etree import etree as svg_etree
from pygal.style import Style

if TYPE_CHECKING:
    from forum.actions.participation import Participation

# pygal adds an import hook for its map plugins (unused here) that lacks find_spec, so every
# failed import elsewhere warns (an error under ``-W error``): take it out again at once,
# before anything else is imported.
sys.meta_path[:] = [finder for finder in sys.meta_path
                    if type(finder).__name__ != "PluginImportFixer"]

# GOV.UK colours; dark enough on white for WCAG's 3:1 for graphics.
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c",
              foreground_strong="#0b0c0c", foreground_subtle="#505a5f",
              font_family="arial, sans-serif", label_font_size=14, major_label_font_size=14,
              legend_font_size=14, title_font_size=18, value_font_size=12,
              colors=("#1d70b8", "#003078", "#d4351c", "#00703c"),
              # Solid fills, and white numbers on them (over 5:1 on both blues).
              opacity="1", opacity_hover="1", value_colors=("#ffffff", "#ffffff"))
# The two lines of the waits chart in colours told apart without the legend's help.
LINE_STYLE = Style(**{**STYLE.to_dict(), "colors": ("#1d70b8", "#d4351c")})
WIDTH = 800


def _svg(chart: pygal.graph.graph.Graph, description: str) -> bytes:
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    desc = svg_etree.Element("desc")
    desc.text = description
    tree.insert(0, desc)
    tree.set("role", "img")
    return svg_etree.tostring(tree, encoding="utf-8")


def _chart(kind: type, *, title: str, rows: int,
           style: Style = STYLE) -> pygal.graph.graph.Graph:
    return kind(js=[], style=style, title=title, width=WIDTH, height=max(260, 120 + 48 * rows),
                legend_at_bottom=True, print_values=True, disable_xml_declaration=True,
                show_y_guides=True, truncate_label=-1, truncate_legend=-1)


def posts_chart(numbers: Participation) -> bytes:
    """Approved posts per member over the last 4 and 12 weeks, as horizontal bars."""
    chart = _chart(pygal.HorizontalBar, title="Approved posts per member",
                   rows=len(numbers.members))
    # Horizontal bars run bottom to top: reverse, so the names read top down as in the table.
    members = list(reversed(numbers.members))
    chart.x_labels = [member.name for member in members]
    chart.add("Last 4 weeks", [member.short_total for member in members])
    chart.add("Last 12 weeks", [member.long_total for member in members])
    return _svg(chart, "Approved posts by each member of the set in the last 4 and 12 "
                       "weeks. The same numbers, by kind of post, are in the table below.")


def waits_chart(numbers: Participation) -> bytes:
    """Median and 90th-percentile hours posts waited for approval, per week, oldest first."""
    chart = _chart(pygal.Line, title="Hours posts waited for approval", rows=4,
                   style=LINE_STYLE)
    # From zero, with no line drawn across a week when nothing was approved; values are read
    # from the table (labels beside every dot would crowd the lines).
    chart.config(include_x_axis=True, allow_interruptions=True, print_values=False)
    weeks = list(reversed(numbers.weeks))
    chart.x_labels = [f"{week.week_of:%-d %b}" for week in weeks]

    def hours(value) -> float | None:
        return round(value.total_seconds() / 3600, 1) if value is not None else None

    chart.add("Median", [hours(week.median) for week in weeks])
    chart.add("90th percentile", [hours(week.p90) for week in weeks])
    return _svg(chart, "How long posts waited for a moderator's approval, per week of the "
                       "last 12: the median and the 90th percentile, in hours. The same "
                       "numbers are in the table below.")
