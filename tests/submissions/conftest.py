"""Fixtures for the submission services: complete drafts on the sample taxonomy, and checks that nothing was written."""

from __future__ import annotations

import pytest
from submissions_helpers import PARENT, skill_data


@pytest.fixture
def contributor(make_user):
    user = make_user("contributor", "casey")
    user.first_name, user.last_name = "Casey", "Contributor"
    user.save()
    return user


@pytest.fixture
def ready_draft(sample_taxonomy):
    """ready_draft(owner, leaf_name=..., **overrides) -> a saved draft that submits cleanly unless overridden."""
    from taxonomy_app.contributions import contribution_start, contribution_update

    def make(owner, *, leaf_name: str = "plain_english", kind: str = "freeform_skill", data=None, **fields):
        draft = contribution_start(owner=owner, kind=kind)
        values = {"title": "Plain English rewrites", "description": "Five formal sentences, said plainly.",
                  "parent_path": PARENT, "leaf_name": leaf_name, "dco_signed_off": True, **fields}
        return contribution_update(contribution=draft, actor=owner, data=data or skill_data(), **values)

    return make


@pytest.fixture
def nothing_written(sample_taxonomy, settings):
    """Snapshot of main; calling the result asserts no branch, submission, revision or audit of a submit exists."""
    from labweb.models import AuditEvent
    from taxonomy_app.models import Revision, Submission

    main_head = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)

    def check() -> None:
        assert sample_taxonomy.branches("contrib/") == {}
        assert Submission.objects.count() == 0
        assert Revision.objects.count() == 0
        assert not AuditEvent.objects.filter(verb__startswith="submission.").exists()
        assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main_head
        assert sample_taxonomy.branches() == {settings.TAXONOMY_MAIN_BRANCH: main_head}

    return check
