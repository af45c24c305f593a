"""The layout's links are built once per app and mount point (forum.templating.fixed_url):
a site served under a path prefix gets prefixed links, and the same app at the root does not
get the prefixed ones kept from before."""

from __future__ import annotations

import re


def _header_links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_layout_links_follow_the_mount_point(app, client):
    mounted = client.get("/sign-in", base_url="http://localhost/forum/")
    assert mounted.status_code == 200
    links = _header_links(mounted.get_data(as_text=True))
    assert "/forum/sign-in" in links
    assert any(link.startswith("/forum/static/css/forum.css?v=") for link in links)

    at_root = client.get("/sign-in")
    links = _header_links(at_root.get_data(as_text=True))
    assert "/sign-in" in links
    assert not any(link.startswith("/forum/") for link in links)
    assert any(link.startswith("/static/css/forum.css?v=") for link in links)
