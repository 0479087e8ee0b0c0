"""The API answers JSON even to a browser: DRF's browsable API is an English developer
page; developers have /api/docs/ (Swagger)."""

from __future__ import annotations

from tests.conftest import logged_in


def test_api_is_json_for_a_browser_and_swagger_still_works(db, alpha):  # type: ignore[no-untyped-def]
    client = logged_in(alpha.host, "admin")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/api/members/", HTTP_ACCEPT=browser)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "results" in response.json()
    assert client.get("/api/members/", {"format": "api"}).status_code == 404
    docs = client.get("/api/docs/", HTTP_ACCEPT=browser)
    assert docs.status_code == 200 and docs["Content-Type"].startswith("text/html")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content
