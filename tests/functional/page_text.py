"""Comparing two pages that must say the same thing, apart from what changes on every response."""

from __future__ import annotations

import re


def without_nonce(page: str) -> str:
    """The page without its per-request Content-Security-Policy nonce."""
    return re.sub(r'nonce="[^"]*"', 'nonce=""', page)
