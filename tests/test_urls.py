"""Site-wide URL conventions: every page path ends in a slash, old slashless links still
arrive, and a missing page or a server error answers in the site's own layout."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db

# Not pages: a container probe (it must answer 200 without a redirect) and calendar files.
NOT_PAGES = ("healthz", "feeds/me/", "feeds/rota/")


def page_routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                routes += page_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            routes.append(route)
    return routes


def test_every_page_path_ends_in_a_slash() -> None:
    routes = [r for r in page_routes() if r and not r.startswith(NOT_PAGES)]
    assert routes and all(r.endswith("/") for r in routes), routes


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/login", "/login/"),
        ("/signup", "/signup/"),
        ("/me/duties", "/me/duties/"),
        ("/rotas", "/rotas/"),
        ("/rotas/pr-review?tz=utc", "/rotas/pr-review/?tz=utc"),
    ],
)
def test_an_old_slashless_link_redirects_to_the_page(client: Client, old: str, new: str) -> None:
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_login_and_the_rota_list_answer(client: Client) -> None:
    assert client.get("/login/").status_code == 200
    assert client.get("/rotas/").status_code == 200


def test_a_missing_page_is_a_friendly_404_in_the_site_layout(client: Client) -> None:
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-header"' in html and "rota/rota.css" in html
    assert "could not find that page" in html and 'href="/rotas/"' in html


def test_the_server_error_page_renders_without_a_request_context() -> None:
    # Django renders 500.html with an empty Context: no user, no request, no database.
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert 'class="site-header"' in html and "Something went wrong" in html


def test_pages_link_a_local_favicon(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/rota/favicon.svg"' in html
    assert finders.find("rota/favicon.svg")  # served from our static folder, no CDN
