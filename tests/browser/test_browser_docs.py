"""The API docs page renders in Chromium under its Content-Security-Policy, offline, from /docs and /docs/."""

import pytest


@pytest.mark.parametrize("path", ["/docs", "/docs/"])
def test_the_docs_page_renders_every_operation_without_a_csp_violation(page, base_url, path):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    response = page.goto(path)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .opblock-summary-path")
    assert "soleus-screen" in page.inner_text(".swagger-ui .info .title")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/v1/screenings" in paths and "/v1/screenings/batch" in paths
    assert not [text for text in messages if "Content Security Policy" in text], messages
    assert all(url.startswith(base_url) or url.startswith("data:") for url in page.requested)
