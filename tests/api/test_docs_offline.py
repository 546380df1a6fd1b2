"""/docs and /redoc render from the package alone (no CDN), and redirects never name the Host header's site."""

from __future__ import annotations

import httpx
import pytest
from api_helpers import LiveServer

WAIT = 60
OPERATIONS = ("/search", "/reports/{report_id}", "/judgements")


def _requests(driver) -> list[str]:
    """Every URL the page loaded: the document and each resource (scripts, styles, fonts, fetches)."""
    return driver.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name));"
    )


@pytest.mark.browser
def test_swagger_ui_renders_every_operation_offline(chrome, live_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chrome.get(live_server.url + "/docs")
    WebDriverWait(chrome, WAIT).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= len(OPERATIONS))
    paths = {e.text for e in chrome.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert set(OPERATIONS) <= paths, paths
    loaded = _requests(chrome)
    assert any(u.endswith("/static/vendor/swagger-ui-bundle.js") for u in loaded)
    assert all(u.startswith(live_server.url) for u in loaded), [u for u in loaded if not u.startswith(live_server.url)]


@pytest.mark.browser
def test_redoc_renders_every_operation_offline(chrome, live_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chrome.get(live_server.url + "/redoc")
    WebDriverWait(chrome, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-section-id^='operation/']")) >= len(OPERATIONS)
    )
    text = chrome.find_element(By.TAG_NAME, "body").text
    assert "evsearch" in text and "/search" in chrome.page_source
    loaded = _requests(chrome)
    assert any(u.endswith("/static/vendor/redoc.standalone.js") for u in loaded)
    assert all(u.startswith(live_server.url) or u.startswith("blob:") for u in loaded), loaded


def test_redirects_are_relative_whatever_the_host_header(client: httpx.Client) -> None:
    for path in ("/static", "/search/?q=care"):
        response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert 300 <= response.status_code < 400, (path, response.status_code)
        location = response.headers["location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "evil.example" not in location
    assert client.get("/static", follow_redirects=False).headers["location"] == "/static/"
