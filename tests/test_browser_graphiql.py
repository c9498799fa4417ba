"""GraphiQL in real Chromium with the network cut off: it loads, runs the README query, explores."""

from __future__ import annotations

import json

from conftest import OfflinePage, readme_query

README_QUERY = readme_query()


async def _editor_value(offline: OfflinePage, selector: str) -> str:
    # CodeMirror 5 draws only the visible lines; its instance holds the whole text.
    value: str = await offline.page.locator(selector).first.evaluate(
        "(element) => element.CodeMirror.getValue()"
    )
    return value


async def test_graphiql_runs_the_readme_query_offline(
    live_server: str, offline_page: OfflinePage, request: object
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    response = await page.goto(f"{live_server}/graphql")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in (await response.header_value("content-security-policy") or "")

    # The editor appears once the bundle ran; the schema once introspection came back.
    query_editor = page.locator(".graphiql-query-editor .CodeMirror")
    await query_editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    # insert_text types the whole query as one input: no auto-closed brackets get in the way.
    await page.keyboard.insert_text(README_QUERY)
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()

    result = page.locator(".result-window")
    await expect(result).to_contain_text('"name": "Will Grathwohl"')
    body = json.loads(await _editor_value(offline_page, ".result-window .CodeMirror"))
    assert "errors" not in body, body
    researcher = body["data"]["researcher"]
    assert researcher["name"] == "Will Grathwohl"
    titles = {edge["node"]["title"] for edge in researcher["works"]["edges"]}
    assert "Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One" in (
        titles
    )
    await expect(result).to_contain_text('"title": ')

    # The explorer plugin lists the root fields from the introspected schema.
    await page.get_by_role("button", name="Show GraphiQL Explorer").click()
    explorer = page.locator(".graphiql-explorer-root")
    await expect(explorer).to_contain_text("collaborationPath")
    await expect(explorer).to_contain_text("researcher")

    backend = request.node.callspec.id  # type: ignore[attr-defined]
    shot = await offline_page.screenshot(f"graphiql-readme-query-{backend}")
    assert shot.stat().st_size > 10_000

    assert offline_page.blocked == [], "requests tried to leave the machine"
    assert offline_page.errors == []


async def test_graphiql_dialogs_keep_to_the_content_security_policy(
    live_server: str, offline_page: OfflinePage
) -> None:
    # A dialog locks the page's scrolling with an inline <style>: the page's nonce admits it.
    page = offline_page.page
    await page.goto(f"{live_server}/graphql")
    await page.get_by_role("button", name="Open settings dialog").click()
    await page.get_by_role("dialog").wait_for()
    assert await page.locator("style[nonce]").count() >= 1
    await page.keyboard.press("Escape")
    await page.get_by_role("button", name="Open short keys dialog").click()
    await page.get_by_role("dialog").wait_for()
    await page.keyboard.press("Escape")
    assert offline_page.blocked == []
    assert offline_page.errors == []


async def test_graphiql_docs_show_descriptions(live_server: str, offline_page: OfflinePage) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    await page.goto(f"{live_server}/graphql")
    await page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    await docs.get_by_role("link", name="Query").click()
    # The schema's own descriptions, as tests/test_schema_descriptions.py requires them.
    await expect(docs).to_contain_text("Reading the graph: profiles, papers")
    await expect(docs).to_contain_text("collaborationPath")
    assert offline_page.blocked == []
    assert offline_page.errors == []
