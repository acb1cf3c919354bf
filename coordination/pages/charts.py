"""A line chart drawn on the server as SVG: no script, no CDN, readable by screen readers
through the data table printed next to it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
POINTS_SHOWN = 31


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[tuple[float, float]]
    polyline: str
    target_y: float | None
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    left: int
    right: int
    top: int
    bottom: int

    @property
    def has_line(self) -> bool:
        """A line is drawn (and named in the legend) through two days or more."""
        return len(self.points) > 1

    @property
    def shows_points(self) -> bool:
        """Each day is marked with a dot up to a month of days; beyond that the line alone."""
        return len(self.points) <= POINTS_SHOWN


def percent_chart(
    series: list[tuple[datetime.date, float | None]], target: float | None = None
) -> Chart:
    """Percentages (0-100) by day. Days without a figure (no group) leave a gap in no point."""
    known = [(day, value) for day, value in series if value is not None]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if known:
        first, last = known[0][0], known[-1][0]
    else:
        first = last = datetime.date.today()
    span = max((last - first).days, 1)

    def x(day: datetime.date) -> float:
        return round(LEFT + plot_w * (day - first).days / span, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / 100), 1)

    points = [(x(day), y(value)) for day, value in known]
    step = max(len(known) // 6, 1)
    x_ticks = [Tick(x(day), day.strftime("%d.%m")) for day, _ in known[::step]]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{px},{py}" for px, py in points),
        target_y=y(target) if target is not None else None,
        y_ticks=[Tick(y(v), f"{v} %") for v in (0, 25, 50, 75, 100)],
        x_ticks=x_ticks,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
    )
