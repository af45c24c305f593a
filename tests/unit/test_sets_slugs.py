"""Web addresses (slugs) for learning sets, made from names and checked when chosen."""

from __future__ import annotations

import pytest

from forum.sets.service import slug_problem
from forum.sets.service import slugify


@pytest.mark.parametrize("name, slug", [
    ("Recruiting by sortition", "recruiting-by-sortition"),
    ("Café Assemblies!", "cafe-assemblies"),
    ("  Lots   of   space  ", "lots-of-space"),
    ("2025: Year in review", "2025-year-in-review"),
    ("Ünïcödé—dash", "unicode-dash"),
    ("!!!", ""),
    ("x" * 120, "x" * 80),
])
def test_slug_is_lowercase_hyphenated_ascii_from_the_name(name, slug):
    assert slugify(name) == slug


@pytest.mark.parametrize("slug, ok", [
    ("citizens-assemblies", True), ("a1", True), ("2025", True),
    ("a", False), ("Upper", False), ("two--hyphens", False), ("-lead", False),
    ("trail-", False), ("under_score", False), ("new", False), ("x" * 81, False),
])
def test_chosen_slugs_are_checked(slug, ok):
    assert (slug_problem(slug) is None) is ok
