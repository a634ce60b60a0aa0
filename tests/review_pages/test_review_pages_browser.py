"""The review journey in a real browser, with one browser context per person: a contributor's submission is
commented on one seed and sent back by a triager, revised through the form, approved, and merged by a
maintainer; the tree shows the new topic and main's history has the contributor's commit.

Screenshots go to test-artifacts/review-*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser_support import browser, new_page, screenshot  # noqa: F401 - browser is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery staple"
LEAF = "compositional_skills/linguistics/plain_english"


@pytest.fixture
def site(transactional_db, live_server, sample_taxonomy):
    return live_server.url


def _login(browser, site, username: str, errors: list[str]):
    page = new_page(browser, errors)
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def test_review_journey(browser, site, people, submit, settings):
    from playwright.sync_api import expect

    from taxonomy_app.models import Submission
    from taxonomy_app.repositories import get_taxonomy_repository

    errors: list[str] = []
    draft, submission = submit(people["author"])
    number = submission.pk

    # The triager finds it in the queue and opens it.
    reviewer = _login(browser, site, "triager-1", errors)
    reviewer.goto(f"{site}/reviews/")
    expect(reviewer.locator("table.queue")).to_contain_text(submission.title)
    reviewer.locator("#f-status").select_option("open")
    expect(reviewer).to_have_url(re.compile(r"/reviews/\?.*status=open"))
    expect(reviewer.locator("#queue-results")).to_contain_text(submission.title)
    screenshot(reviewer, "review-01-queue")
    reviewer.get_by_role("link", name=submission.title).click()
    reviewer.wait_for_url(f"{site}/reviews/{number}/")
    expect(reviewer.locator("#checks")).to_contain_text("ci mode: passes")
    screenshot(reviewer, "review-02-page")

    # A comment on example 2, started from a canned response, then a request for changes.
    reviewer.locator("#comment-anchor").select_option("seed-2")
    reviewer.locator("button.canned-response").first.click()
    expect(reviewer.locator("#comment-body")).not_to_have_value("")
    reviewer.locator("#comment-body").fill("Example 2 is still **too formal**: say it the way you would to a friend.")
    reviewer.get_by_role("button", name="Post comment").click()
    thread = reviewer.locator(".thread").first
    expect(thread).to_contain_text("example 2")
    expect(thread.locator("strong", has_text="too formal")).to_be_visible()
    reviewer.locator("summary", has_text="Request changes").click()
    reviewer.locator("#rc-message").fill("Please rewrite example 2 in plain words.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.locator(".state-card .status-pill")).to_have_text("changes requested")
    screenshot(reviewer, "review-03-changes-requested")

    # The contributor reads the comment on the review page, answers it and revises through the form.
    author = _login(browser, site, "contributor-1", errors)
    author.goto(f"{site}/reviews/{number}/")
    expect(author.locator(".thread").first).to_contain_text("too formal")
    expect(author.locator(".decisions button", has_text="Approve")).to_have_count(0)
    author.locator(".thread-actions summary", has_text="Reply").first.click()
    author.locator(".thread textarea[name=body]").first.fill("Rewritten, thanks!")
    author.locator(".thread button", has_text="Reply").first.click()
    expect(author.locator(".comment.reply")).to_contain_text("Rewritten, thanks!")
    author.goto(f"{site}/contribute/{draft.pk}/")
    author.locator("#seed-2-pair-1-answer").fill("Put simply: here is sentence 2, the way you would tell a friend.")
    author.get_by_role("button", name="Submit a new revision").click()
    author.wait_for_url(re.compile(rf"/contribute/submissions/{number}/$"))
    assert Submission.objects.get(pk=number).status == "open"

    # The triager sees revision 2 and its diff, and approves it.
    reviewer.goto(f"{site}/reviews/{number}/")
    expect(reviewer.locator("#h-content")).to_contain_text("revision 2 of 2")
    reviewer.locator("#diff-old").select_option("1")
    # Side by side: revision 1's line on the left, revision 2's on the right (only between revisions).
    expect(reviewer.locator("#diff .split-change td.old").first).to_contain_text("Here is sentence 2")
    expect(reviewer.locator("#diff")).to_contain_text("the way you would tell a friend")
    screenshot(reviewer, "review-04-revision-2")
    reviewer.get_by_role("button", name="Approve revision 2").click()
    expect(reviewer.locator(".state-card .status-pill")).to_have_text("approved")
    expect(reviewer.locator(".merge-button")).to_have_count(0)  # a triager cannot merge

    # The maintainer merges.
    maintainer = _login(browser, site, "maintainer-1", errors)
    maintainer.goto(f"{site}/reviews/{number}/")
    maintainer.get_by_role("button", name=re.compile(r"^Merge into")).click()
    expect(maintainer.locator(".state-card .status-pill")).to_have_text("merged")
    expect(maintainer.locator("#workspace")).to_contain_text("Merged into")
    screenshot(maintainer, "review-05-merged")

    # The tree shows the new topic and main has the contributor's commit.
    maintainer.goto(f"{site}/taxonomy/node/{LEAF}")
    expect(maintainer.locator("h1")).to_be_visible()
    expect(maintainer.locator("main")).to_contain_text("the way you would tell a friend")
    screenshot(maintainer, "review-06-leaf")
    log = get_taxonomy_repository().log(settings.TAXONOMY_MAIN_BRANCH, max_count=10)
    assert any(c.author_name == "Casey Contributor" for c in log), [(c.summary, c.author_name) for c in log]
    assert Submission.objects.get(pk=number).merged_commit == log[0].sha

    # The contributor's own view says so too.
    author.goto(f"{site}/reviews/{number}/")
    expect(author.locator(".state-card .status-pill")).to_have_text("merged")
    screenshot(author, "review-07-author-view")
    assert errors == []
