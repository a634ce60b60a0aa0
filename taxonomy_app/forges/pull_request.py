"""The taxonomy's pull request template (``.github/pull_request_template.md``) filled in from a submission.

The contributor's words are kept but made inert: every Markdown construct in them is escaped, so a
description cannot open a code block or comment that swallows the checklist, add task items that GitHub
would count, or @-mention people. The headings and checklist lines are the upstream template's own, so
triagers see the form they know.
"""

from __future__ import annotations

import re

from .base import PublishRequest

DESCRIPTION_LIMIT = 20_000
SAMPLE_LIMIT = 2_000
GITHUB_BODY_LIMIT = 65_536  # characters; the limits above keep a body well under it even fully escaped

_CONTRIBUTING_LEGAL = "https://github.com/instructlab/taxonomy/blob/main/CONTRIBUTING.md#legal"
_AVOID_TOPICS = "https://github.com/instructlab/taxonomy/blob/main/docs/SKILLS_GUIDE.md#avoid-these-topics"

# (key, the template's line). LabWeb ticks a line only when what it committed proves it.
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("generate", "The contribution was tested with `ilab generate`"),
    ("generate_clean", "No errors or warnings were produced by `ilab generate`"),
    ("dco", f"All [commits are signed off]({_CONTRIBUTING_LEGAL}) (DCO)"),
    ("seeds", "The `qna.yaml` file contains at least 5 `seed_examples`"),
    ("lint", "The `qna.yaml` file was [linted](https://yamllint.com) and "
             "[prettified](https://onlineyamltools.com/prettify-yaml) "
             "([yaml-validator](https://jsonformatter.org/yaml-validator) can do both)"),
    ("attribution", "An `attribution.txt` file in the same folder as the `qna.yaml` file"),
    ("pii", "Content does not include PII or otherwise sensitive or confidential information"),
    ("avoid_topics", f"Content does not include anything documented in the project's [Avoid these Topics]"
                     f"({_AVOID_TOPICS}) guidelines"),
)
MIN_SEEDS = 5

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start or shape syntax
# (GitHub adds ~~strike~~, tables with |, $math$ and :emoji: to CommonMark's).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_WORD_JOINER = "\u2060"


def _clean(text: str, limit: int) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > limit:
        text = text[:limit].rstrip() + " [shortened; the full text is in LabWeb]"
    return text


def escape_markdown(line: str) -> str:
    """One line of user text rendered literally by GitHub: no syntax, no mentions, no leading indent."""
    escaped = _SPECIAL.sub(r"\\\1", line.strip())
    return _MENTION.sub("@" + _WORD_JOINER, escaped)


def code_block(text: str) -> str:
    """A fenced block that no backtick run in `text` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def checklist_ticks(submission: PublishRequest) -> dict[str, bool]:
    return {
        "dco": submission.dco_signed_off,
        "seeds": submission.seed_count >= MIN_SEEDS,
        "lint": submission.validated,
        "attribution": submission.has_attribution,
    }


def render_body(submission: PublishRequest) -> str:
    description = _clean(submission.description, DESCRIPTION_LIMIT)
    bullets = [f"- {escape_markdown(line)}" for line in description.split("\n") if line.strip()]
    what = "skill" if submission.is_skill else "knowledge"
    bullets.append(f"- Topic: `{submission.taxonomy_path}` ({what}, {submission.seed_count} seed examples)")

    question = _clean(submission.sample_question, SAMPLE_LIMIT).strip()
    not_run = "_Not run yet: LabWeb adds model responses when a precheck has run._"
    ticks = checklist_ticks(submission)
    checklist = [f"- [{'x' if ticks.get(key) else ' '}] {line}" for key, line in CHECKLIST]
    author = escape_markdown(_clean(submission.author_name, 200)) or "a contributor"

    parts = [
        "**Describe the contribution to the taxonomy**",
        "\n".join(bullets),
        "**Input given at the prompt**",
        code_block(question) if question else not_run,
        "**Response from the original model**",
        not_run,
        "**Response from the fine-tuned model**",
        not_run,
        "**Contribution checklist**",
        "<!-- Ticked items were checked by LabWeb when this was submitted; the others need a person. -->",
        "\n".join(checklist),
        "---",
        f"<sub>Submitted through LabWeb as submission #{submission.number} by {author}.</sub>",
    ]
    return "\n\n".join(parts) + "\n"
