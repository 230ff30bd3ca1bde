"""The API docs page renders in Chromium under its Content-Security-Policy, offline, from /docs and /docs/, and
passes axe-core with operations open, on a phone and on a desktop."""

import pytest
from axe_playwright_python.sync_playwright import Axe


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


@pytest.mark.parametrize("width", [390, 1366])
def test_the_docs_page_passes_axe_core_with_operations_open_at_both_widths(browser, base_url, width):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto("/docs")
        page.wait_for_selector(".swagger-ui .opblock-summary-path")
        assert page.locator("main #swagger-ui-container").count() == 1 and page.locator("h1").count() == 1
        for control in page.locator(".opblock-summary-control").all()[:2]:  # POST one and a roster
            control.click()
        page.wait_for_selector(".opblock-body .responses-table")
        page.wait_for_timeout(300)  # the observer names the responses regions as they are drawn
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
