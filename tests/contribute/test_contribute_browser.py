"""A new person contributes a skill in a real browser: sign up, pick the place, write 5 examples, hear about a
duplicate question next to it, fix it, consent, submit, see the submission and find it in My contributions.

Screenshots go to test-artifacts/contribute-*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser_support import browser, new_page, screenshot  # noqa: F401 - browser is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTIONS = [
    "My neighbour invited me to a barbecue on Saturday, but I am busy. What can I reply?",
    "A colleague asked me to join a book club that meets every week. How do I say no kindly?",
    "How can I decline a wedding invitation from a distant cousin without hurting them?",
    "My manager invited the team to drinks after work, but I do not drink. What could I say?",
]




@pytest.fixture
def site(transactional_db, live_server, sample_taxonomy):
    return live_server.url




def shot(page, name: str, *, full_page: bool = True) -> None:
    screenshot(page, f"contribute-{name}", full_page=full_page)


def test_a_new_person_contributes_a_skill(browser, site):
    from django.contrib.auth.models import User
    from playwright.sync_api import expect

    from taxonomy_app.models import Submission
    from taxonomy_app.repositories import get_taxonomy_repository

    errors: list[str] = []
    page = new_page(browser, errors)

    # Sign up.
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Username").fill("robin")
    page.get_by_label("Your name").fill("Robin Writer")
    page.get_by_label("Email").fill("robin@example.test")
    page.get_by_label("Password", exact=True).fill("a long and unusual pass phrase 77")
    page.get_by_label("Password confirmation").fill("a long and unusual pass phrase 77")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{site}/taxonomy/")

    # The start page explains the choices; a skill it is.
    page.get_by_role("link", name="Contribute", exact=True).click()
    page.wait_for_url(f"{site}/contribute/")
    expect(page.get_by_role("heading", name="What would you like to teach?")).to_be_visible()
    expect(page.locator("table.mine")).to_have_count(0)
    shot(page, "01-start")
    page.get_by_role("button", name=re.compile(r"^skill A skill Something the model")).click()
    page.wait_for_url(re.compile(r"/contribute/\d+/$"))
    form_url = page.url
    expect(page.locator("h1")).to_have_text("Teach a skill")
    # A new form is not covered in red: empty-field messages wait until the person has been in the field.
    expect(page.locator(".field-msg .issue:visible")).to_have_count(0)
    expect(page.locator("#blockers .count")).to_have_text(re.compile(r"^\d+$"))
    shot(page, "02-empty-form")

    # Where it goes: the search finds categories by a word; the tree shows them all.
    page.locator("#picker-q").fill("writ")
    expect(page.locator("#picker-results")).to_contain_text("compositional_skills/linguistics/writing")
    page.locator("#picker-q").fill("")
    picker = page.locator("#path")
    picker.locator("summary", has_text=re.compile(r"^\s*linguistics")).click()
    writing = page.get_by_role("button", name="Put it in compositional_skills/linguistics/writing")
    writing.click()
    expect(page.locator("#picker-chosen")).to_contain_text("compositional_skills/linguistics/writing/")
    page.locator("#leaf_name").fill("Polite Refusals")
    expect(page.locator("#msg-leaf_name")).to_contain_text("lower-case letters")
    page.locator("#leaf_name").fill("polite_refusals")
    expect(page.locator("#msg-leaf_name")).to_be_empty()
    expect(page.locator("#picker-chosen")).to_contain_text("compositional_skills/linguistics/writing/polite_refusals")
    page.locator("#h-where").scroll_into_view_if_needed()
    shot(page, "02b-where-it-goes", full_page=False)

    page.locator("#title").fill("Decline invitations politely")
    page.locator("#task_description").fill("Write a short, friendly reply that declines an invitation.")

    # Five examples; the fifth repeats the first question.
    for n, question in enumerate(QUESTIONS + [QUESTIONS[0]], start=1):
        page.locator(f"#seed-{n}-pair-1-question").fill(question)
        page.locator(f"#seed-{n}-pair-1-answer").fill(
            f"Thank you so much for thinking of me! I cannot make it this time, but I hope it goes well ({n}).")
    duplicate = page.locator("#msg-seed-5-pair-1-question")
    expect(duplicate).to_contain_text("ask the same question")
    expect(page.locator("#msg-seed-1-pair-1-question")).to_contain_text("ask the same question")
    expect(page.locator("#count-seed-1-qna")).to_contain_text("/ 250 words")
    duplicate.scroll_into_view_if_needed()
    shot(page, "03-duplicate-question", full_page=False)

    page.locator("#seed-5-pair-1-question").fill("An old friend invited me to a concert I do not enjoy. What do I say?")
    expect(duplicate).to_be_empty()

    # Reordering without a page reload: example 1 moves down, the focus follows it.
    page.locator("#seed-1-down").click()
    expect(page.locator("#seed-2-pair-1-question")).to_have_value(QUESTIONS[0])
    expect(page.locator("#seed-1-pair-1-question")).to_have_value(QUESTIONS[1])
    expect(page.locator("#seed-2-down")).to_be_focused()
    assert page.url == form_url

    # Source and license, then the consent.
    page.get_by_role("button", name="I wrote these myself").click()
    expect(page.locator("#attribution-creators")).to_have_value("Robin Writer")
    expect(page.locator("#attribution-title")).to_have_value("Decline invitations politely")
    page.locator("#attribution-license").select_option("CC-BY-4.0")
    page.locator("#dco").check()
    expect(page.locator("#blockers")).to_contain_text("Nothing blocks submitting")
    expect(page.locator("#save-status")).to_contain_text("Saved")
    page.locator("details.preview summary").click()
    expect(page.locator("#preview-body")).to_contain_text("task_description: Write a short, friendly reply")
    shot(page, "04-ready")

    # Submit; the submission page shows the content, the revision and the branch.
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/contribute/submissions/\d+/$"))
    expect(page.locator("h1")).to_have_text("Decline invitations politely")
    expect(page.locator(".status-pill")).to_have_text("open")
    expect(page.locator(".seed-card")).to_have_count(5)
    expect(page.locator("ol.revisions li")).to_have_count(1)
    expect(page.locator("pre.diff .diff-add").first).to_be_visible()
    shot(page, "05-submission")

    submission = Submission.objects.get()
    assert submission.author == User.objects.get(username="robin")
    repo = get_taxonomy_repository()
    head = repo.resolve(submission.branch)
    assert head == submission.head_commit
    qna = repo.read_blob(head, "compositional_skills/linguistics/writing/polite_refusals/qna.yaml").decode()
    assert QUESTIONS[0] in qna and "created_by: robin" in qna
    assert "Signed-off-by: Robin Writer <robin@example.test>" in repo.commit_info(head).message

    # My contributions lists it with its status.
    page.get_by_role("link", name="My contributions", exact=True).click()
    page.wait_for_url(f"{site}/my/")
    row = page.locator("table.mine tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Decline invitations politely")
    expect(row).to_contain_text(f"#{submission.number} open")
    expect(row).to_contain_text("compositional_skills/linguistics/writing/polite_refusals")
    shot(page, "06-my-contributions")
    assert not errors, errors


DOCUMENT = """# Millbrook lighthouse

The Millbrook lighthouse was lit for the first time in 1871. Its lamp burned colza oil until 1904, when a
paraffin burner replaced it.

The tower is 31 metres tall and was painted with red and white bands in 1922 so that ships could see it by day.
"""

BROKEN_YAML = """version: 3
task_description: Tell the time from a sundial.
seed_examples:
  - question: What casts the shadow?
    answer: The gnomon.
  - question: [unclosed
"""


def test_knowledge_with_a_document_and_a_yaml_upload_with_an_error(browser, site, make_user, tmp_path):
    from playwright.sync_api import expect

    from taxonomy_app.models import Contribution

    make_user("contributor", "kim")
    errors: list[str] = []
    page = new_page(browser, errors)
    page.goto(f"{site}/accounts/login/?next=/contribute/")
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/contribute/")
    page.get_by_role("button", name=re.compile(r"Knowledge from a document")).click()
    page.wait_for_url(re.compile(r"/contribute/\d+/$"))
    expect(page.locator("h1")).to_have_text("Add knowledge from a document")
    expect(page.locator("#seed-5-pair-3-answer")).to_be_visible()

    # The documents panel (its own upload form) sits among the fields; the upload fills the document fields.
    document = tmp_path / "lighthouse.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    page.locator("#document-file").set_input_files(str(document))
    page.locator("#documents-panel").get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#document-fields")).to_contain_text("Your document is stored in LabWeb")
    page.get_by_role("button", name="Open to pick excerpts").click()
    reader = page.locator("pre.document-text")
    expect(reader).to_contain_text("colza oil")
    page.evaluate("""() => {
        const text = document.querySelector('pre.document-text').firstChild;
        const start = text.data.indexOf('The Millbrook');
        const range = document.createRange();
        range.setStart(text, start);
        range.setEnd(text, text.data.indexOf('replaced it.') + 'replaced it.'.length);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    page.get_by_role("button", name="Use selection").click()
    expect(page.locator("#seed-1-context")).to_have_value(re.compile(r"^The Millbrook lighthouse was lit"))
    expect(page.locator("#count-seed-1-context")).to_contain_text("24 / 500 words")
    page.locator("#seed-1-pair-1-question").fill("When was the Millbrook lighthouse first lit?")
    expect(page.locator("#save-status")).to_contain_text("Saved")
    page.locator("#seed-1-pair-1-answer").fill("In 1871.")
    expect(page.locator("#preview-body")).to_contain_text("In 1871.")
    contribution = Contribution.objects.get(owner__username="kim")
    assert contribution.data["document"]["patterns"] == [f"contributions/{contribution.pk}/lighthouse.md"]
    assert contribution.data["seeds"][0]["context"].startswith("The Millbrook lighthouse")
    page.locator("#h-document").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -80)")
    shot(page, "07-knowledge-document", full_page=False)
    page.locator("#seeds").scroll_into_view_if_needed()
    shot(page, "08-knowledge-excerpt", full_page=False)

    # A qna.yaml with an error: its line and column are shown, and the text can be fixed in place.
    page.get_by_role("link", name="Upload or paste a qna.yaml").click()
    page.locator("#upload-text").fill(BROKEN_YAML)
    page.get_by_role("button", name="Read it").click()
    expect(page.locator(".file-issues")).to_contain_text("line 7, column 1")
    expect(page.locator("#upload-text")).to_have_value(re.compile(r"\[unclosed"))
    shot(page, "09-upload-error")
    page.locator("#upload-text").fill(BROKEN_YAML.replace("[unclosed", "Which way does the gnomon point?"))
    page.get_by_role("button", name="Read it").click()
    expect(page.locator(".file-issues")).to_contain_text("needs at least 5 seed examples")
    expect(page.get_by_role("button", name="Open it as a new draft")).to_be_visible()
    shot(page, "10-upload-read")
    page.get_by_role("button", name="Open it as a new draft").click()
    page.wait_for_url(re.compile(r"/contribute/\d+/$"))
    expect(page.locator("h1")).to_have_text("Teach a skill")
    expect(page.locator("#seed-1-pair-1-question")).to_have_value("What casts the shadow?")
    expect(page.locator(".messages")).to_contain_text("opened as a new draft")
    assert not errors, errors
