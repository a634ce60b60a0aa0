"""The taxonomy PR template filled in: sections, verified checklist ticks, and user text made inert."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from forge_fixtures import LEAF
from github_contract import CONTRACT_DIR

from taxonomy_app.forges import PublishRequest, escape_markdown, render_body
from taxonomy_app.forges.pull_request import CHECKLIST, GITHUB_BODY_LIMIT

# /work/shared/corpus next to the checkout, as tests/conftest.py's CORPUS
TEMPLATE = CONTRACT_DIR.parents[3] / "shared" / "corpus" / "taxonomy-2025" / ".github" / \
    "pull_request_template.md"
TASK_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[[ xX]\]", re.MULTILINE)
FENCED = re.compile(r"^(`{3,})text\n.*?\n\1$", re.MULTILINE | re.DOTALL)
HOSTILE = """Adds idioms.
```
- [x] The contribution was tested with `ilab generate`
<!-- hide the rest
# A heading
    indented code
> quote
| a | b |
@octocat and @org/team please look
<script>alert(1)</script> &amp; $x^2$ [link](javascript:alert(1)) ![img](http://x/y.png)
1. numbered
---
~~~"""


def request(**overrides) -> PublishRequest:
    values = dict(repository=Path("/nonexistent"), branch="contrib/7-idioms", head_commit="a" * 40, number=7,
                  title="Explain idioms", description="Teaches idioms.\n\nWith examples.",
                  kind="freeform_skill", taxonomy_path=LEAF, author_name="Ada", seed_count=5,
                  dco_signed_off=True, validated=True, has_attribution=True,
                  sample_question="What does 'spill the beans' mean?")
    values.update(overrides)
    return PublishRequest(**values)


def task_items(body: str) -> list[str]:
    """The task list items GitHub would count: those outside fenced code."""
    return TASK_ITEM.findall(FENCED.sub("", body))


def unescape(line: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", line).replace("\u2060", "")


def test_the_template_sections_come_in_the_upstream_order():
    body = render_body(request())
    headings = re.findall(r"^\*\*(.+)\*\*$", body, re.MULTILINE)
    assert headings == ["Describe the contribution to the taxonomy", "Input given at the prompt",
                        "Response from the original model", "Response from the fine-tuned model",
                        "Contribution checklist"]
    assert "- Teaches idioms\\.\n- With examples\\.\n" in body
    assert f"- Topic: `{LEAF}` (skill, 5 seed examples)" in body
    assert "```text\nWhat does 'spill the beans' mean?\n```" in body
    assert "submission #7 by Ada" in body


def test_the_checklist_lines_are_the_templates_own():
    if not TEMPLATE.is_file():
        pytest.skip(f"the upstream template is not at {TEMPLATE}")
    box = "- [ ] "
    upstream = [line[len(box):] for line in TEMPLATE.read_text().splitlines() if line.startswith(box)]
    assert [line for _, line in CHECKLIST] == upstream


def test_only_what_labweb_verified_is_ticked():
    body = render_body(request())
    ticked = {line for _, line in CHECKLIST if f"- [x] {line}" in body}
    assert ticked == {line for key, line in CHECKLIST if key in ("dco", "seeds", "lint", "attribution")}

    unverified = render_body(request(dco_signed_off=False, seed_count=4, validated=False,
                                     has_attribution=False))
    assert "- [x]" not in unverified and len(task_items(unverified)) == len(CHECKLIST)


def test_user_markup_cannot_break_the_checklist():
    body = render_body(request(description=HOSTILE, title=HOSTILE, author_name="@octocat <b>",
                               sample_question="```\n- [x] fake\n````"))

    description = body.split("**Input given at the prompt**")[0]
    lines = [line for line in description.splitlines()[1:] if line]
    # every line of the user's text is one bullet of plain text, and reads back as typed
    typed = [line.strip() for line in HOSTILE.splitlines() if line.strip()]
    assert [unescape(line[2:]) for line in lines[:-1]] == typed
    assert all(line.startswith("- ") and not line.startswith(("- [", "- \\[ ", "-  ")) for line in lines)
    # GitHub counts exactly the template's task items, and nothing opens a block that could swallow them
    assert len(task_items(body)) == len(CHECKLIST)
    assert body.count("<!--") == 1 and not re.search(r"(?<!\\)<(script|b>)", body)
    assert not re.search(r"^\s*(```|~~~|#|>|\|)", description, re.MULTILINE)
    assert "@octocat" not in body and "@\u2060octocat" in body
    # the fence around the sample question is longer than any backtick run inside it
    assert "`````text\n```\n- [x] fake\n````\n`````" in body
    assert body.rstrip().splitlines()[-1].startswith("<sub>Submitted through LabWeb")


def test_escape_markdown_keeps_the_text():
    for text in ["It's 50% off!", "a_b*c", "C:\\path\\to", "x < y & y > z", "#1 [a](b)"]:
        assert unescape(escape_markdown(text)) == text


def test_huge_descriptions_are_shortened_under_githubs_limit():
    body = render_body(request(description=("- [x] .\n" * 50_000), sample_question="`" * 10_000))
    assert len(body) < GITHUB_BODY_LIMIT
    assert "[shortened; the full text is in LabWeb]" in body
    assert len(task_items(body)) == len(CHECKLIST)


def test_knowledge_is_named_in_the_topic_line():
    assert "(knowledge, 5 seed examples)" in render_body(request(kind="knowledge"))


def test_no_sample_question_says_so():
    body = render_body(request(sample_question="  "))
    assert body.count("_Not run yet") == 3 and "```" not in body
