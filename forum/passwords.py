"""Password rules: long enough, not too long, and not guessable (judged by zxcvbn)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" against online attacks
# zxcvbn refuses longer input (and slows down sharply); the first 72 characters decide.
ZXCVBN_MAX_LENGTH = 72
TOO_GUESSABLE = "This password is too common or easy to guess"


def zxcvbn(password: str, user_inputs: list[str]) -> dict[str, Any]:
    """zxcvbn's judgement, loaded on the first password checked: its word lists hold 12 MiB
    that a web worker serving pages never needs (issue 16)."""
    from zxcvbn import zxcvbn as judge

    return judge(password, user_inputs=user_inputs)


def _expand_user_inputs(user_inputs: Iterable[str | None]) -> list[str]:
    """The words of names and email addresses, so "camden" is found in a Camden password."""
    words: set[str] = set()
    for value in user_inputs:
        if not value:
            continue
        value = value.strip().lower()
        words.add(value)
        words.update(part for part in re.split(r"[^a-z0-9]+", value) if len(part) >= 3)
    return sorted(words)


def password_problems(password: str, user_inputs: Iterable[str | None] = ()) -> list[str]:
    """What is wrong with ``password``, as messages fit to show; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [f"Password must be {MIN_LENGTH} characters or more"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=_expand_user_inputs(user_inputs))
    if result["score"] >= MIN_SCORE:
        return []
    warning = (result.get("feedback") or {}).get("warning") or ""
    return [warning.rstrip(".") if warning else TOO_GUESSABLE]
