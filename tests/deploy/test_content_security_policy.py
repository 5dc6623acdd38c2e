"""A Content-Security-Policy on every response, which the pages can live with: no inline
scripts or event handlers anywhere, and Swagger UI served from this site (no CDN)."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sign-in/",
        "/register/",
        "/password-reset/",
        "/api/v1/docs/",
        "/api/v1/schema/",
        "/api/v1/clinics/",
        "/admin/login/",
        "/health/",
        "/no-such-page/",
    ],
)
def test_every_response_carries_the_policy(db, path):
    response = Client().get(path)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no other origin
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_the_api_docs_load_swagger_ui_from_this_site(db):
    page = Client().get("/api/v1/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources
    )
    assert any("swagger-ui.css" in s for s in sources)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert "<style" not in page


def test_the_swagger_start_up_script_is_a_file_of_ours(db):
    response = Client().get("/api/v1/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in response.content.decode()


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for template in ROOT.glob("*/templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{template.relative_to(ROOT)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{template.relative_to(ROOT)}: inline event handler")
        if re.search(r"<style[\s>]", text):
            offenders.append(f"{template.relative_to(ROOT)}: <style> element")
        if re.search(r"href=[\"']javascript:", text):
            offenders.append(f"{template.relative_to(ROOT)}: javascript: link")
    assert not offenders, "\n".join(offenders)
