"""Each area imports only the areas below it: services that change posts announce it with
signals (forum.signals) instead of importing who is told, so there is no circle of imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

FORUM = Path(__file__).resolve().parents[2] / "forum"

# What each module (or every module of a package) must never import, even inside a function.
FORBIDDEN = {
    "permissions": {"actions", "auth", "admin", "challenges", "guides", "meetings", "moderation",
                    "notifications", "sets", "threads"},
    "notifications": {"admin", "auth", "guides", "meetings", "moderation", "sets", "threads"},
    "meetings/service.py": {"guides", "notifications", "sets", "threads"},
    # The lists and numbers of actions sit below the pages that show them (and notifications
    # use their dates): they import no area above them.
    "actions/states.py": {"events", "guides", "moderation", "notifications", "sets", "threads"},
    "actions/service.py": {"events", "guides", "moderation", "notifications", "sets",
                           "threads"},
    "actions/participation.py": {"events", "guides", "moderation", "notifications", "sets",
                                 "threads"},
    "moderation/service.py": {"guides", "notifications", "sets", "threads"},
    "moderation/queue.py": {"guides", "notifications", "sets", "threads"},
    "moderation/policy.py": {"guides", "notifications", "sets", "threads"},
    "threads/service.py": {"guides", "notifications", "sets"},
    # A challenge's thread page asks through forum.threads.extras (challenges fill it in).
    "threads": {"challenges"},
    "signals.py": {"challenges", "guides", "meetings", "moderation", "notifications", "sets",
                   "threads"},
    "challenges/service.py": {"guides", "moderation", "notifications", "sets"},
    # Search reads published guides; guides announce a new or re-credited version
    # (signals.guide_version_changed) and search indexes it.
    "guides": {"search"},
}


def _modules(target: str) -> list[Path]:
    path = FORUM / target
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _areas_imported(path: Path) -> set[str]:
    areas = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "forum" and len(parts) > 1:
                areas.add(parts[1])
    return areas


@pytest.mark.parametrize("target", sorted(FORBIDDEN))
def test_modules_import_no_area_above_them(target: str) -> None:
    for path in _modules(target):
        wrong = _areas_imported(path) & FORBIDDEN[target]
        assert not wrong, f"{path.relative_to(FORUM)} imports forum.{', forum.'.join(wrong)}"


@pytest.mark.parametrize(("module", "absent"), [
    ("forum.moderation.service", {"notifications", "guides"}),
    ("forum.threads.service", {"notifications", "guides"}),
    ("forum.notifications.service", {"threads", "moderation", "sets", "guides", "meetings"}),
    ("forum.meetings.service", {"notifications", "guides"}),
    ("forum.permissions", {"threads", "moderation", "notifications", "sets", "guides"}),
    ("forum.guides.compile", {"search"}),
    ("forum.guides.recredit", {"search"}),
])
def test_importing_an_area_does_not_load_the_areas_above_it(module: str, absent: set[str]):
    """Checked in a fresh interpreter: what actually gets loaded, packages' views included."""
    code = (f"import sys, {module}\n"
            "print(' '.join(sorted({n.split('.')[1] for n in sys.modules "
            "if n.startswith('forum.')})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout.split())
    assert not loaded & absent, f"importing {module} loads forum.{loaded & absent}"


def _area_graph() -> dict[str, set[str]]:
    """Which area (``forum.<area>``: a package or a top-level module) imports which, counting
    imports inside functions too: one put there to dodge a circle is still a circle."""
    graph: dict[str, set[str]] = {}
    for path in sorted(FORUM.rglob("*.py")):
        area = path.relative_to(FORUM).parts[0].removesuffix(".py")
        graph.setdefault(area, set()).update(_areas_imported(path) - {area})
    return graph


def _circles(graph: dict[str, set[str]], among: set[str]) -> list[list[str]]:
    """The strongly connected groups of more than one area, over the edges within ``among``."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(area: str) -> None:
        order[area] = low[area] = len(order)
        stack.append(area)
        for other in sorted(graph.get(area, set()) & among):
            if other not in order:
                visit(other)
                low[area] = min(low[area], low[other])
            elif other in stack:
                low[area] = min(low[area], order[other])
        if low[area] == order[area]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == area:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for area in sorted(among):
        if area not in order:
            visit(area)
    return circles


# The one pair allowed to import each other: forum.text is the interface, and loads its parser
# and cleaner (forum.text_render, which reads text's allowed tags) on first use, so pages that
# render no Markdown do not pay for importing them (tests/unit/test_import_weight.py).
ONE_UNIT = [["text", "text_render"]]


def test_no_areas_import_one_another_in_a_circle() -> None:
    """Counting imports inside functions too: the circles that were here (sets <-> threads
    through the set loader, files -> guides for the storage class, models -> files for the
    kinds of file) were each broken by moving the shared piece below both areas."""
    assert _circles(_area_graph(), set(_area_graph())) == ONE_UNIT
