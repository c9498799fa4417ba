"""The pages in real Chromium with the network cut off: the profile shows the seed documents'
facts, search links to profiles and the explorer, the explorer expands nodes and highlights a
collaboration path, following from the page moves the count, and every page passes axe-core
with no serious or critical violation. Screenshots go to tests/screenshots/."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from conftest import REPO, SEEDS, OfflinePage
from scholargraph import auth
from scholargraph.graphdb.store import Store

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

SUBJECT = "researcher:will-grathwohl"
BEHRMANN = "researcher:jens-behrmann"
PROFILE_URL = f"/researchers/{SUBJECT}"
EXPLORE_URL = f"/explore?focus={SUBJECT}"
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"

HOMEPAGE: dict[str, Any] = yaml.safe_load((SEEDS / "homepage.yaml").read_text())
PROFILE_PAGE: dict[str, Any] = yaml.safe_load((SEEDS / "profile.yaml").read_text())


def _backend(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.id).split("-")[0]


def _is_api(url: str) -> bool:
    """The API endpoint, with or without a query string (persisted GETs carry one)."""
    return urlsplit(url).path == "/graphql"


def _graphql_requests(page: Page) -> list[tuple[str, str, str]]:
    """(method, URL, body) of every request the page makes to /graphql."""
    seen: list[tuple[str, str, str]] = []
    page.on(
        "request",
        lambda r: (
            seen.append((r.method, r.url, r.post_data or ""))
            if r.url.split("?")[0].endswith("/graphql")
            else None
        ),
    )
    return seen


async def _no_overflow(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    viewport = await page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


async def test_profile_shows_the_seed_facts(
    live_server: str, offline_page: OfflinePage, request: pytest.FixtureRequest
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    asked = _graphql_requests(page)
    response = await page.goto(f"{live_server}{PROFILE_URL}")
    assert response is not None and response.status == 200
    main = page.locator("main")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Will Grathwohl")

    snapshot = PROFILE_PAGE["snapshot"]
    await expect(main).to_contain_text(PROFILE_PAGE["profile"]["headline"])
    trust = page.locator("#trust")
    await expect(trust).to_contain_text(f"Trust {snapshot['trustScore']}")
    await expect(trust).to_contain_text(snapshot["trustLabel"])
    await expect(trust).to_contain_text(f"Verification {snapshot['verificationLevel']}")
    await expect(trust).to_contain_text("Unclaimed author")
    await expect(main).to_contain_text("Open to collaborate")
    quick = page.locator("#quick-read")
    for label in ("works", "followers", "topics", "close collaborators"):
        await expect(quick).to_contain_text(label)
    await expect(page.locator("#follow-count")).to_have_text("0")

    works = page.locator("#works")
    for paper in [*PROFILE_PAGE["papers"], *HOMEPAGE["papers"]]:
        await expect(works).to_contain_text(paper["title"])
    await expect(works).to_contain_text("arXiv")
    await expect(works).to_contain_text("ICLR")
    await expect(works).to_contain_text("Long oral presentation")
    await expect(works).to_contain_text("Best Paper Award")
    await expect(works).to_contain_text("* equal contribution")
    # Authors in byline order, with the equal-contribution marks of the seed.
    resnets = works.locator("li.work", has_text="Invertible Residual Networks")
    byline = await resnets.locator(".byline").inner_text()
    assert byline.startswith("Jens Behrmann*, Will Grathwohl*, Ricky T. Q. Chen"), byline
    for group in ("Conference papers", "Workshop papers", "Preprints"):
        await expect(works).to_contain_text(group)

    talks = page.locator("#talks")
    for talk in HOMEPAGE["talks"]:
        await expect(talks).to_contain_text(talk["title"])
    awards = page.locator("#awards")
    for award in HOMEPAGE["awards"]:
        await expect(awards).to_contain_text(award["name"])
    collaborators = page.locator("#collaborators")
    await expect(collaborators).to_contain_text("David Duvenaud")
    await expect(collaborators).to_contain_text("8 shared works")

    actions = page.locator("#actions")
    await expect(actions).to_contain_text("Log in to claim")
    await expect(actions).to_contain_text(
        "Claim this author entity first to unlock direct invitations."
    )
    explorer = page.get_by_role("link", name="Open full explorer")
    assert await explorer.get_attribute("href") == f"/explore?focus={SUBJECT.replace(':', '%3A')}"
    # The graph slice is drawn (Cytoscape's canvases) around the person.
    await expect(page.locator("#graph canvas").first).to_be_attached()
    await expect(page.locator("#graph")).to_contain_text("")
    await expect(page.locator("#graph .notice")).to_have_count(0)

    # An Automatic Persisted Query: a GET naming the hash; this new server does not know it
    # yet, so the page registers it with one POST. From then on a view is that one GET.
    assert [method for method, _, _ in asked] == ["GET", "POST"]
    assert "persistedQuery" in asked[0][1] and "query=" not in asked[0][1]
    assert '"persistedQuery"' in asked[1][2] and '"query"' in asked[1][2]
    asked.clear()
    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Will Grathwohl")
    assert [method for method, _, _ in asked] == ["GET"], "a view of the profile is one request"
    assert "persistedQuery" in asked[0][1]
    await offline_page.screenshot(f"profile-{_backend(request)}")
    assert offline_page.blocked == []
    assert offline_page.errors == []


async def test_profile_of_an_unknown_id_says_so(
    live_server: str, offline_page: OfflinePage
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    await page.goto(f"{live_server}/researchers/researcher:nobody-at-all")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Researcher not found")
    await expect(page.get_by_role("alert")).to_contain_text("researcher:nobody-at-all")
    assert offline_page.errors == []


async def test_pages_show_loading_then_an_error_when_the_api_is_down(
    live_server: str, offline_page: OfflinePage
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    release = asyncio.Event()

    async def slow(route: Route) -> None:
        await release.wait()
        await route.continue_()

    await page.route(_is_api, slow)
    await page.goto(f"{live_server}{PROFILE_URL}")
    await expect(page.locator("main")).to_contain_text("Loading the profile")
    assert await page.locator("main").get_attribute("aria-busy") == "true"
    release.set()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Will Grathwohl")
    # Waits for a held request still being let through, which would otherwise be handled by
    # the next route as well ("Route is already handled").
    await page.unroute_all(behavior="wait")

    async def down(route: Route) -> None:
        await route.abort("connectionrefused")

    await page.route(_is_api, down)
    for name, url, text in [
        ("profile", PROFILE_URL, "The profile could not be loaded"),
        ("explore", EXPLORE_URL, "The neighborhood could not be loaded"),
        ("home", "/?q=energy", "Search failed"),
    ]:
        await page.goto(f"{live_server}{url}")
        await expect(page.locator("main")).to_contain_text(text)
        await expect(page.get_by_role("alert").first).to_contain_text("cannot be reached")
        await offline_page.screenshot(f"{name}-api-down")
    # The aborted fetches are the only errors the console saw.
    assert all("Failed to load resource" in e or "fetch" in e for e in offline_page.errors)


async def test_search_links_to_profiles_and_the_explorer(
    live_server: str, offline_page: OfflinePage, request: pytest.FixtureRequest
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    await page.goto(f"{live_server}/")
    await page.get_by_label("Search the scholarly graph").fill("energy based models")
    results = page.locator("#results")
    await expect(results).to_contain_text("Energy-Based Models")
    await expect(page).to_have_url(re.compile(r"\?q=energy\+based\+models"))
    topic = results.locator("li", has_text="Energy-Based Models").first
    href = await topic.get_by_role("link", name=re.compile("Explore")).get_attribute("href")
    assert href is not None and href.startswith("/explore?focus=topic%3A")

    await page.get_by_label("Search the scholarly graph").fill("Grathwohl")
    await page.get_by_role("button", name="Search").click()
    hit = results.get_by_role("link", name="Will Grathwohl", exact=True)
    await expect(hit).to_have_attribute("href", "/researchers/researcher%3Awill-grathwohl")
    await expect(
        results.get_by_role("link", name="Explore in graph: Will Grathwohl")
    ).to_be_visible()
    await offline_page.screenshot(f"home-search-{_backend(request)}")
    await hit.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Will Grathwohl")
    assert offline_page.blocked == []
    assert offline_page.errors == []


async def _node_list(page: Page) -> list[str]:
    ids: list[str] = await page.locator("#node-list li[data-id]").evaluate_all(
        "(items) => items.map((li) => li.dataset.id)"
    )
    return ids


async def test_explorer_expands_filters_and_highlights_the_path(
    live_server: str, offline_page: OfflinePage, request: pytest.FixtureRequest
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    await page.goto(f"{live_server}{EXPLORE_URL}")
    node_list = page.locator("#node-list")
    await expect(node_list).to_contain_text("Will Grathwohl (focus)")
    first = await _node_list(page)
    assert BEHRMANN not in first, "Behrmann is two hops away"
    assert await page.locator("#graph canvas").count() >= 1
    drawn = await page.evaluate("document.getElementById('graph')._cyreg.cy.nodes().length")
    assert drawn == len(first)

    # Expanding the paper they share brings its authors in, Behrmann among them.
    resnets = node_list.locator("li", has_text="Invertible Residual Networks")
    await resnets.get_by_role("button", name="Expand").click()
    await expect(node_list.locator(f'li[data-id="{BEHRMANN}"]')).to_have_count(1)
    await expect(page).to_have_url(re.compile(r"expand=paper%3A"))

    # The path, picked through the search suggestions.
    await page.locator("#path-to").fill("Behrmann")
    option = page.get_by_role("option", name=re.compile("Jens Behrmann"))
    await option.click()
    await page.get_by_role("button", name="Show path").click()
    summary = page.locator("#path-summary")
    await expect(summary).to_contain_text("1 coauthorship apart")
    steps = await summary.locator("li").all_inner_texts()
    assert [s.split(" ", 1)[1] for s in steps] == [
        "Will Grathwohl",
        "Invertible Residual Networks",
        "Jens Behrmann",
    ]
    await expect(node_list.locator("li.on-path")).to_have_count(3)
    highlighted = await page.evaluate(
        "document.getElementById('graph')._cyreg.cy.$('.path').map((e) => e.id())"
    )
    assert SUBJECT in highlighted and BEHRMANN in highlighted
    assert sum("|AUTHORED|" in e for e in highlighted) == 2, highlighted
    query = parse_qs(urlsplit(page.url).query)
    assert query["path"] == [f"{SUBJECT},{BEHRMANN}"]
    await page.evaluate("window.scrollTo(0, 0)")
    await offline_page.screenshot(f"explore-path-{_backend(request)}")

    # The URL is the view: opened afresh, it shows the same expansion and path.
    shared = page.url
    await page.goto("about:blank")
    await page.goto(shared)
    await expect(page.locator("#path-summary")).to_contain_text("Jens Behrmann")
    await expect(node_list.locator(f'li[data-id="{BEHRMANN}"]')).to_have_count(1)

    # Filters and hops go to the URL and to the query.
    await page.get_by_label("Paper", exact=True).uncheck()
    await expect(page).to_have_url(re.compile(r"labels=RESEARCHER%2CVENUE"))
    await expect(node_list).to_contain_text("node(s) on screen")
    # Papers are filtered out but for the path's one (the expansion's center, too).
    await expect(node_list.locator("li .kind-paper")).to_have_count(1)
    await page.get_by_label("Hops").select_option("2")
    await expect(page).to_have_url(re.compile(r"hops=2"))
    assert offline_page.blocked == []
    assert offline_page.errors == []


async def test_explorer_says_when_the_api_truncated(
    live_server: str, offline_page: OfflinePage
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    await page.goto(f"{live_server}{EXPLORE_URL}&hops=2&limit=5")
    await expect(page.locator("#status")).to_contain_text("Truncated.")
    assert len(await _node_list(page)) == 6
    assert offline_page.errors == []


async def test_following_from_the_page_moves_the_count(
    live_server: str, offline_page: OfflinePage, seeded: Store, request: pytest.FixtureRequest
) -> None:
    from playwright.async_api import expect

    alice = (await auth.issue_token(seeded, "alice")).token
    bob = (await auth.issue_token(seeded, "bob")).token
    page = offline_page.page
    await page.goto(f"{live_server}{PROFILE_URL}")
    count = page.locator("#follow-count")
    await expect(count).to_have_text("0")

    # Signed out, the page says what to do instead of failing.
    await page.locator("#follow-button").click()
    await expect(page.locator("#action-message")).to_contain_text("Sign in")

    await page.get_by_label("API token").fill(alice)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#account")).to_contain_text("Signed in as alice")
    await page.locator("#follow-button").click()
    await expect(count).to_have_text("1")
    await expect(page.locator("#follow-button")).to_contain_text("Following")
    await expect(page.locator("#quick-read")).to_contain_text("1followers")
    await page.reload()  # the token stays for the tab; the count is the API's
    await expect(page.locator("#follow-count")).to_have_text("1")
    await expect(page.locator("#follow-button")).to_have_attribute("aria-pressed", "true")

    # Claiming with evidence that matches the record's GitHub link approves at once.
    await page.get_by_label("Evidence kind").select_option("github")
    await page.get_by_label("Evidence", exact=True).fill("wgrathwohl")
    await page.get_by_role("button", name="Claim this profile").click()
    await expect(page.locator("#trust")).to_contain_text("Claimed profile")
    await expect(page.locator("#actions")).to_contain_text("You own this profile.")
    await page.evaluate("window.scrollTo(0, 0)")
    await offline_page.screenshot(f"profile-signed-in-{_backend(request)}")

    # Bob owns no profile: the API refuses his invitation and the page shows why.
    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_label("API token").fill(bob)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#account")).to_contain_text("Signed in as bob")
    # The profile reloads for the new account; on failure this shows what the actions say.
    await expect(page.locator("#actions")).to_contain_text("Invite to collaborate")
    await page.get_by_label("Invitation message").fill("Shall we write about EBMs?")
    await page.get_by_role("button", name="Invite to collaborate").click()
    await expect(page.locator("#action-message")).to_contain_text("claim your own profile first")
    assert offline_page.blocked == []
    assert offline_page.errors == []


@pytest.mark.parametrize("path", ["/", PROFILE_URL, EXPLORE_URL])
async def test_pages_fit_a_phone(
    live_server: str, offline_page: OfflinePage, path: str, request: pytest.FixtureRequest
) -> None:
    from playwright.async_api import expect

    page = offline_page.page
    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto(f"{live_server}{path}")
    await expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    await expect(page.locator("main .notice-loading")).to_have_count(0)
    await _no_overflow(page)
    name = {"/": "home", PROFILE_URL: "profile", EXPLORE_URL: "explore"}[path]
    await offline_page.screenshot(f"{name}-phone-{_backend(request)}")
    assert offline_page.errors == []


@pytest.mark.parametrize(
    "path", ["/?q=Grathwohl", PROFILE_URL, f"{EXPLORE_URL}&path={SUBJECT},{BEHRMANN}"]
)
async def test_axe_finds_nothing_serious(
    live_server: str, offline_page: OfflinePage, path: str
) -> None:
    from playwright.async_api import expect

    if not AXE.is_file():
        pytest.skip("axe-core: web/node_modules is missing (`npm ci --prefix web`)")
    page = offline_page.page
    await page.goto(f"{live_server}{path}")
    await expect(page.locator("main .notice-loading")).to_have_count(0)
    await expect(page.locator("main h1")).to_be_visible()
    # add_script_tag(path=...) inserts an inline <script>, which the page's CSP refuses (as it
    # should); evaluating the source through the DevTools protocol is not subject to it.
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    results = await page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations.map("
        "(v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' '))})))"
    )
    serious = [v for v in results if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert offline_page.blocked == []
    assert offline_page.errors == []
