"""Helpers for the contribution tests: the form's fields as a browser posts them, and a complete valid POST."""

from __future__ import annotations

from html.parser import HTMLParser

HTMX = {"HX-Request": "true"}
SKILL_PARENT = "compositional_skills/linguistics/writing"
KNOWLEDGE_PARENT = "knowledge/science/astronomy"


class _FormFields(HTMLParser):
    """The fields a browser would post for the form with id `form_id` (elements inside it or naming it)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = 0
        self.fields: list[list] = []
        self._textarea: list | None = None
        self._select: list | None = None

    def _belongs(self, attrs: dict) -> bool:
        return attrs.get("form") == self.form_id or (self.inside and "form" not in attrs)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = 1
            return
        if not attrs.get("name") or "disabled" in attrs or not self._belongs(attrs):
            if tag == "option" and self._select is not None and "selected" in attrs:
                self._select[1] = attrs.get("value", "")
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind == "checkbox" and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            self.fields.append(self._textarea)
        elif tag == "select":
            self._select = [attrs["name"], ""]
            self.fields.append(self._select)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = 0
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_fields(html: str) -> dict[str, str]:
    """The contribution form's fields from a rendered page, as a dict (the browser's textarea newline rule applied)."""
    parser = _FormFields("contribution-form")
    parser.feed(html)
    fields = {}
    for name, value in parser.fields:
        fields[name] = value.removeprefix("\n")
    return fields


def filled_skill_post(questions: list[str] | None = None, **overrides) -> dict[str, str]:
    """A complete, valid POST for a freeform skill under SKILL_PARENT."""
    questions = questions or [f"How do I say no to invitation number {i}?" for i in range(1, 6)]
    post = {
        "parent_path": SKILL_PARENT, "leaf_name": "polite_refusals", "title": "Decline invitations politely",
        "description": "Short, kind replies that say no.", "dco-shown": "1", "dco": "on",
        "task_description": "Write a short, friendly reply that declines an invitation.",
        "seeds-count": str(len(questions)),
        "attribution-title": "Polite refusals", "attribution-link": "", "attribution-revision": "",
        "attribution-license": "CC-BY-4.0", "attribution-creators": "Owner Person",
    }
    for n, question in enumerate(questions, start=1):
        post[f"seed-{n}-pair-1-question"] = question
        post[f"seed-{n}-pair-1-answer"] = f"Thank you so much for asking; I cannot come this time ({n})."
    post.update(overrides)
    return post
