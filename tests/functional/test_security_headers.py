"""Security headers on every kind of response, Secure cookies over HTTPS, and trusted proxies."""

from __future__ import annotations

import re

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.functional.guide_builders import build_guide


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_protected(response) -> None:
    directives = _directives(response)
    for name in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in directives.get(name, []), name
        assert "'unsafe-eval'" not in directives.get(name, []), name
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def _assert_no_inline_code(response) -> None:
    """Every script is a file or carries this response's nonce; no inline styles at all."""
    page = response.get_data(as_text=True)
    nonces = [value[len("'nonce-"):-1] for value in _directives(response)["script-src"]
              if value.startswith("'nonce-")]
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or any(f'nonce="{nonce}"' in tag for nonce in nonces), tag
    assert not re.search(r"<style\b", page)
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)


@pytest.fixture
def guide(app, world):
    with app.app_context():
        return build_guide(world, publish=True)


PAGES = [
    ("home", "anonymous", "/", 200),
    ("sign in", "anonymous", "/sign-in", 200),
    ("profile", "member", "/account/profile", 200),
    ("thread", "member", "/threads/{thread}", 200),
    ("moderation queue", "moderator", "/moderation/", 200),
    ("guide", "member", "/guides/{guide_slug}/", 200),
    ("not found", "member", "/no-such-page", 404),
    ("forbidden", "member", "/admin/", 403),
    ("method not allowed", "member", "/sign-out", 405),
]


@pytest.mark.parametrize(("name", "who", "url", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_sends_the_security_headers(client, world, guide, name, who, url, status):
    if who != "anonymous":
        client.sign_in_as(getattr(world, who))
    response = client.get(url.format(thread=world.thread.id, guide_slug=guide.slug))
    assert response.status_code == status
    _assert_protected(response)
    _assert_no_inline_code(response)


def test_the_nonce_is_new_for_every_response(client):
    first, second = (_directives(client.get("/"))["script-src"] for _ in range(2))
    assert first != second


def test_rate_limited_and_server_error_pages_send_them_too(app, client, world):
    @app.get("/boom")
    def boom():
        raise RuntimeError("broken")

    app.config["SIGN_IN_RATE_LIMIT"] = "1 per minute"
    client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    limited = client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert limited.status_code == 429
    _assert_protected(limited)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failed = client.get("/boom")
    assert failed.status_code == 500
    _assert_protected(failed)


@pytest.mark.parametrize("fmt", ["html", "markdown", "pdf"])
def test_downloads_send_them(client, world, guide, fmt):
    client.sign_in_as(world.member)
    download = client.get(f"/guides/{guide.slug}/v1/download/{fmt}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    _assert_protected(download)


def test_static_files_send_them(client):
    static = client.get("/static/css/forum.css")
    try:
        assert static.status_code == 200
        _assert_protected(static)
    finally:
        static.close()


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


# --- HTTPS: Secure cookies and HSTS ------------------------------------------------------


def _set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def _sign_in(client, **kwargs):
    return client.post("/sign-in", data={"email": "member@example.org",
                                         "password": DEFAULT_PASSWORD, "remember": "y"},
                       **kwargs)


def test_cookies_are_secure_when_the_site_is_served_over_https(make_app, world):
    https = make_app(PUBLIC_BASE_URL="https://sets.example.org")
    response = _sign_in(https.test_client(), base_url="https://localhost")
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert "; Secure" in cookies["session"]
    assert "; Secure" in cookies["remember_token"]
    assert "; HttpOnly" in cookies["remember_token"]
    hsts = https.test_client().get("/", base_url="https://localhost")
    assert hsts.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cookies_work_over_plain_http_in_development(app, world):
    cookies = _set_cookies(_sign_in(app.test_client()))
    assert "; Secure" not in cookies["session"]
    assert "; Secure" not in cookies["remember_token"]


# --- trusted proxies -----------------------------------------------------------------------


def _limited_after(client, addresses: list[str], **environ) -> list[int]:
    return [client.post("/sign-in", data={"email": "x@example.org", "password": "x"},
                        headers={"X-Forwarded-For": address}, environ_base=environ).status_code
            for address in addresses]


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(app, client):
    app.config["SIGN_IN_RATE_LIMIT"] = "2 per minute"
    # Someone sending a new made-up address each time is still one client.
    statuses = _limited_after(client, ["1.1.1.1", "2.2.2.2", "3.3.3.3"])
    assert statuses == [200, 200, 429]


def test_behind_one_proxy_the_real_client_address_is_counted(make_app, world):
    proxied = make_app(TRUSTED_PROXY_COUNT=1, SIGN_IN_RATE_LIMIT="2 per minute")
    client = proxied.test_client()
    # The proxy appends the address it saw; whatever the client put before it is not believed.
    spoofed = [f"{n}.{n}.{n}.{n}, 203.0.113.7" for n in range(1, 4)]
    assert _limited_after(client, spoofed, REMOTE_ADDR="10.0.0.1") == [200, 200, 429]
    # Another real client behind the same proxy has its own count.
    assert _limited_after(client, ["203.0.113.8"], REMOTE_ADDR="10.0.0.1") == [200]


@pytest.mark.parametrize(("name", "who", "url", "status"),
                         [page for page in PAGES if page[1] != "anonymous"],
                         ids=[page[0] for page in PAGES if page[1] != "anonymous"])
def test_pages_drawn_for_a_signed_in_person_are_kept_by_no_cache(client, world, guide, name,
                                                                 who, url, status):
    """On a shared computer, Back after signing out must not show the last person's pages
    (their queue, their drafts) from the browser's cache, nor may a shared cache keep them."""
    client.sign_in_as(getattr(world, who))
    response = client.get(url.format(thread=world.thread.id, guide_slug=guide.slug))
    assert response.status_code == status
    assert {"private", "no-store"} <= set(response.cache_control.keys()), name


def test_a_visitors_page_may_be_kept(client):
    """Nothing personal on it: the browser may keep the home page a visitor reads."""
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")
