from __future__ import annotations

import pytest

from forum.passwords import MAX_LENGTH
from forum.passwords import TOO_GUESSABLE
from forum.passwords import password_problems


@pytest.mark.parametrize("password", [
    "correct horse battery staple",
    "Tarn-Otter-Kettle-92",
    "x7#Qm!2vLp9@",
])
def test_long_unguessable_passwords_are_accepted(password):
    assert password_problems(password, ["fran@camden.gov.uk", "Fran", "Camden Council"]) == []


@pytest.mark.parametrize(("password", "expected"), [
    ("short", "Password must be 10 characters or more"),
    ("nine char", "Password must be 10 characters or more"),
    ("a" * (MAX_LENGTH + 1), f"Password must be {MAX_LENGTH} characters or fewer"),
])
def test_length_limits_are_explained(password, expected):
    assert password_problems(password) == [expected]


@pytest.mark.parametrize("password", [
    "password123",
    "qwertyuiop1",
    "aaaaaaaaaaaa",
    "1234567890",
    "iloveyou2024",
])
def test_common_or_repetitive_passwords_are_refused_with_a_reason(password):
    problems = password_problems(password)
    assert len(problems) == 1
    assert problems[0]


def test_password_made_from_the_users_own_details_is_refused():
    user_inputs = ["francesca.ng@tameside.gov.uk", "Francesca Ng", "Tameside"]
    assert password_problems("francescatameside", user_inputs) != []
    assert password_problems("francescatameside", []) == []


def test_fallback_message_is_used_when_zxcvbn_gives_no_warning(monkeypatch):
    import forum.passwords as passwords

    monkeypatch.setattr(passwords, "zxcvbn",
                        lambda password, user_inputs: {"score": 1, "feedback": {"warning": ""}})
    assert password_problems("something long enough") == [TOO_GUESSABLE]


def test_very_long_passwords_are_checked_without_error():
    assert password_problems("correct horse battery staple " * 8) == []
