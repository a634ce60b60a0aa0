"""In a real browser against a real server: log in, open the tree, read a leaf, search, sign up.

Screenshots go to test-artifacts/ (gitignored) so a person can look at the pages.
"""

from __future__ import annotations

import re

import pytest
from browser_support import browser, new_page, screenshot  # noqa: F401 - browser is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct horse battery staple"




@pytest.fixture
def site(live_server, sample_taxonomy, make_user):
    make_user("contributor", username="casey")
    return live_server.url




def shot(page, name: str, *, full_page: bool = True) -> None:
    screenshot(page, f"{name}", full_page=full_page)


def test_browse_read_and_search_as_a_contributor(browser, site):
    from playwright.sync_api import expect

    errors: list[str] = []
    page = new_page(browser, errors)

    page.goto(f"{site}/")
    expect(page.locator(".stat-number").first).to_have_text("8")
    shot(page, "01-home")

    # Log in through the form.
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/taxonomy/")
    expect(page.locator(".role-badge")).to_have_text("contributor")
    expect(page.locator(".who")).to_contain_text("casey")

    # Open the tree folder by folder: each click loads the children with htmx.
    tree = page.locator("nav.tree-root")
    expect(tree.locator(".tree-folder", has_text="linguistics")).to_have_count(0)
    tree.locator("summary", has_text="compositional_skills").click()
    linguistics = tree.locator("summary", has_text=re.compile(r"^\s*linguistics"))
    expect(linguistics).to_be_visible()
    linguistics.click()
    proverbs = tree.locator("summary", has_text=re.compile(r"^\s*proverbs"))
    expect(proverbs).to_be_visible()
    proverbs.click()
    leaf_link = tree.get_by_role("link", name="explaining_proverbs")
    expect(leaf_link).to_be_visible()
    expect(tree.locator(".badge.freeform_skill").first).to_be_visible()
    shot(page, "02-tree-expanded")

    # The leaf: seed cards, the lazily loaded history, then the YAML tab.
    leaf_link.click()
    page.wait_for_url(re.compile(r"/taxonomy/node/compositional_skills/linguistics/proverbs/explaining_proverbs$"))
    expect(page.locator("h1")).to_have_text("explaining_proverbs")
    expect(page.locator(".seed-card")).to_have_count(6)
    expect(page.locator(".seed-card").nth(1)).to_contain_text("Many hands make light work")
    expect(page.locator("ol.history li").first).to_contain_text("Sample taxonomy")
    expect(page.locator("ol.history")).to_contain_text("by LabWeb sample authors")
    expect(page.locator(".loading")).to_have_count(0)
    shot(page, "03-leaf")
    page.get_by_role("link", name="View YAML").click()
    page.wait_for_url(re.compile(r"\?tab=yaml$"))
    expect(page.locator("pre.yaml").first).to_contain_text("task_description:")
    expect(page.locator(".seed-card")).to_have_count(0)
    shot(page, "04-leaf-yaml")

    # A knowledge leaf links to its document inside LabWeb.
    page.goto(f"{site}/taxonomy/node/knowledge/science/astronomy/sundials")
    expect(page.locator(".seed-card")).to_have_count(5)
    shot(page, "05-knowledge-leaf", full_page=False)  # the page is long; the top is what matters
    page.get_by_role("link", name="astronomy/sundials.md").click()
    expect(page.locator("article.document-body h1")).to_have_text("Sundials: How a Shadow Tells the Time")
    shot(page, "06-document", full_page=False)

    # Search as you type (htmx), then the highlighted result.
    page.get_by_role("link", name="Search", exact=True).click()
    page.wait_for_url(f"{site}/taxonomy/search/")
    page.locator("#q").fill("gnomon")
    mark = page.locator("#search-results mark").first
    expect(mark).to_have_text(re.compile("gnomon", re.I))
    expect(page.locator("#search-results .meta")).to_contain_text("for “gnomon”")
    page.wait_for_url(re.compile(r"q=gnomon"))  # hx-push-url keeps the URL shareable
    shot(page, "07-search")
    page.locator("#type").select_option("freeform_skill")
    expect(page.locator("#search-results .meta")).to_contain_text("0 matches")
    page.locator("#type").select_option("knowledge")
    expect(page.locator("#search-results mark").first).to_be_visible()
    page.locator("#search-results .hit a").first.click()
    page.wait_for_url(re.compile(r"/taxonomy/node/knowledge/science/astronomy/sundials#seed-\d+$"))

    page.goto(f"{site}/taxonomy/coverage/")
    expect(page.locator("svg.bar-chart").first).to_be_visible()
    shot(page, "08-coverage")

    # Log out (a POST form in the header).
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert not errors, errors


def test_sign_up_through_the_form(browser, site):
    from django.contrib.auth.models import User
    from playwright.sync_api import expect

    errors: list[str] = []
    page = new_page(browser, errors)
    page.goto(f"{site}/")
    page.get_by_role("link", name="Sign up").click()
    page.wait_for_url(f"{site}/accounts/signup/")
    shot(page, "09-signup")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Your name").fill("New Comer")
    page.get_by_label("Email").fill("newcomer@example.test")
    page.get_by_label("Password", exact=True).fill("a long and unusual pass phrase 77")
    page.get_by_label("Password confirmation").fill("a long and unusual pass phrase 77")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{site}/taxonomy/")
    expect(page.locator(".who")).to_contain_text("newcomer")
    expect(page.locator(".role-badge")).to_have_text("contributor")
    shot(page, "10-after-signup")
    user = User.objects.get(username="newcomer")
    assert user.groups.filter(name="contributor").exists() and user.email == "newcomer@example.test"

    # A second account with the same email is refused with a message next to the field.
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Username").fill("copycat")
    page.get_by_label("Email").fill("NEWCOMER@example.test")
    page.get_by_label("Password", exact=True).fill("another long pass phrase 88")
    page.get_by_label("Password confirmation").fill("another long pass phrase 88")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_email-errors")).to_contain_text("An account with this email address already exists")
    shot(page, "11-signup-duplicate-email")
    assert not User.objects.filter(username="copycat").exists()
    assert not errors, errors
