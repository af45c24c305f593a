"""Pure: a flat list of posts in, reading order with nesting depth out.

Works on anything with ``id`` and ``parent_id`` so it can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic
from typing import Protocol
from typing import TypeVar


class Node(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def parent_id(self) -> int | None: ...


T = TypeVar("T", bound=Node)


@dataclass(frozen=True)
class TreeNode(Generic[T]):
    item: T
    depth: int


def build_tree(items: Iterable[T]) -> list[TreeNode[T]]:
    """Depth-first reading order: each post followed by its replies, oldest reply first.

    Posts whose parent is missing from ``items`` (or absent) start a new top-level branch,
    in id order, so nothing is lost. Cycles cannot occur in stored data, but are broken
    anyway: every item appears exactly once.
    """
    ordered = sorted(items, key=lambda item: item.id)
    ids = {item.id for item in ordered}
    children: dict[int | None, list[T]] = {}
    for item in ordered:
        parent = item.parent_id if item.parent_id in ids and item.parent_id != item.id else None
        children.setdefault(parent, []).append(item)

    result: list[TreeNode[T]] = []
    seen: set[int] = set()

    def walk(root: T) -> None:
        # Iterative, so a very deep chain of replies cannot exhaust the recursion limit.
        stack: list[tuple[T, int]] = [(root, 0)]
        while stack:
            item, depth = stack.pop()
            if item.id in seen:
                continue
            seen.add(item.id)
            result.append(TreeNode(item, depth))
            for child in reversed(children.get(item.id, [])):
                stack.append((child, depth + 1))

    for root in children.get(None, []):
        walk(root)
    # Anything left belongs to a cycle; show it rather than drop it.
    for item in ordered:
        if item.id not in seen:
            walk(item)
    return result
