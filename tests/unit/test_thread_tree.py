"""The reply tree: a flat list of posts becomes reading order with nesting depth."""

from __future__ import annotations

from dataclasses import dataclass

from forum.threads.tree import build_tree


@dataclass(frozen=True)
class P:
    id: int
    parent_id: int | None


def order(posts: list[P]) -> list[tuple[int, int]]:
    return [(node.item.id, node.depth) for node in build_tree(posts)]


def test_each_post_is_followed_by_its_replies_oldest_first():
    posts = [P(1, None), P(2, 1), P(3, 1), P(4, 2), P(5, 4), P(6, 3), P(7, 2)]
    assert order(posts) == [(1, 0), (2, 1), (4, 2), (5, 3), (7, 2), (3, 1), (6, 2)]


def test_input_order_does_not_matter():
    posts = [P(4, 2), P(3, 1), P(1, None), P(2, 1)]
    assert order(posts) == [(1, 0), (2, 1), (4, 2), (3, 1)]


def test_reply_whose_parent_is_missing_becomes_a_top_level_branch():
    assert order([P(1, None), P(5, 99), P(6, 5)]) == [(1, 0), (5, 0), (6, 1)]


def test_a_cycle_is_shown_once_rather_than_dropped_or_looping():
    result = order([P(1, None), P(2, 3), P(3, 2), P(4, 4)])
    assert sorted(post_id for post_id, _ in result) == [1, 2, 3, 4]
    assert result[0] == (1, 0)


def test_a_very_deep_chain_does_not_exhaust_the_recursion_limit():
    posts = [P(1, None)] + [P(n, n - 1) for n in range(2, 5002)]
    result = order(posts)
    assert result[-1] == (5001, 5000)
    assert len(result) == 5001


def test_no_posts_gives_an_empty_tree():
    assert build_tree([]) == []
