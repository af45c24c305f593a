"""Pure: a thread's replies cut into pages of whole branches, with a bound on the posts a page
holds even when one branch alone is longer than a page (issue 16)."""

from __future__ import annotations

from forum.threads.service import Skeleton
from forum.threads.service import page_of_post
from forum.threads.service import paginate


def _shape(parents: dict[int, int | None]) -> Skeleton:
    """The same shape :func:`forum.threads.service.skeleton` reads from the database."""
    opening = min(post for post, parent in parents.items() if parent is None)
    heads, children = [], {}
    for post, parent in sorted(parents.items()):
        if post == opening:
            continue
        if parent is None or parent == opening or parent not in parents:
            heads.append(post)
        else:
            children.setdefault(parent, []).append(post)
    return Skeleton(opening, heads, children, dict(parents))


def _ids(part) -> list[int]:
    return [post for post, _ in part.posts]


def test_short_branches_stay_whole_and_pages_hold_at_most_per_page_branches():
    # Opening post 1; branches 2..6, each with one reply (10 + n).
    parents = {1: None, **dict.fromkeys(range(2, 7), 1), **{10 + n: n for n in range(2, 7)}}
    pages = paginate(_shape(parents), per_page=2, max_posts=100)
    assert [_ids(part) for part in pages] == [[2, 12, 3, 13], [4, 14, 5, 15], [6, 16]]
    assert not any(part.continues for part in pages)


def test_a_branch_that_would_overflow_the_page_starts_the_next_one_whole():
    parents = {1: None, 2: 1, 3: 1, 4: 3, 5: 4, 6: 1}
    pages = paginate(_shape(parents), per_page=50, max_posts=3)
    assert [_ids(part) for part in pages] == [[2], [3, 4, 5], [6]]


def test_a_giant_branch_goes_on_over_pages_in_reading_order_with_the_bound_kept():
    # Post 2 answers the opening post and has 250 replies, some answered in turn.
    parents: dict[int, int | None] = {1: None, 2: 1}
    parents.update(dict.fromkeys(range(100, 350), 2))
    parents.update({1000 + n: n for n in range(100, 110)})  # ten nested answers
    parents[5000] = 1  # a short branch after the giant one
    shape = _shape(parents)
    pages = paginate(shape, per_page=50, max_posts=40)
    assert all(len(part.posts) <= 40 for part in pages)
    reading = [post for part in pages for post in _ids(part)]
    # Every reply exactly once, each after the post it answers.
    assert sorted(reading) == sorted(set(parents) - {1})
    position = {post: n for n, post in enumerate(reading)}
    assert all(position[post] > position[parent] for post, parent in parents.items()
               if parent not in (None, 1))
    assert reading[:4] == [2, 100, 1100, 101]  # each post followed by its replies
    assert [part.continues for part in pages] == [False] + [True] * (len(pages) - 1)
    # The short branch shares the giant branch's last page.
    assert _ids(pages[-1])[-1] == 5000 and len(pages) == 7
    # Depth in the thread is kept across pages: 2 is 1 deep, its replies 2, theirs 3.
    depth = {post: d for part in pages for post, d in part.posts}
    assert (depth[2], depth[349], depth[1105]) == (1, 2, 3)
    assert page_of_post(pages, 349) == len(pages)
    assert page_of_post(pages, 2) == 1 and page_of_post(pages, 424242) == 1


def test_one_long_chain_of_replies_is_cut_too():
    parents: dict[int, int | None] = {1: None, 2: 1}
    parents.update({n: n - 1 for n in range(3, 303)})  # 2 <- 3 <- ... <- 302
    pages = paginate(_shape(parents), per_page=50, max_posts=100)
    assert [len(part.posts) for part in pages] == [100, 100, 100, 1]
    assert _ids(pages[1])[0] == 102


def test_a_thread_without_replies_has_one_empty_page():
    assert [part.posts for part in paginate(_shape({1: None}), 50, 100)] == [[]]
