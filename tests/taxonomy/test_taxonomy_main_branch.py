"""TAXONOMY_MAIN_BRANCH is configurable; every page and command must follow it, not a hard-coded "main"."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

LEAF = "compositional_skills/linguistics/proverbs/explaining_proverbs"


@pytest.fixture
def trunk_taxonomy(settings, db, repos):
    from labweb.bootstrap import seed_repositories

    settings.TAXONOMY_MAIN_BRANCH = "trunk"
    seed_repositories()
    taxonomy = repos[0]
    assert taxonomy.resolve("trunk") and taxonomy.resolve("main") is None
    return taxonomy


def test_pages_follow_the_configured_branch(trunk_taxonomy, client):
    head = trunk_taxonomy.resolve("trunk")
    assert f'title="{head}"' in client.get("/taxonomy/").content.decode()
    history = client.get(f"/taxonomy/history/{LEAF}").content.decode()
    assert "Sample taxonomy" in history and "No history found." not in history


def test_lint_without_arguments_follows_the_configured_branch(trunk_taxonomy):
    out = io.StringIO()
    call_command("taxonomy", "lint", "--format", "json", stdout=out)
    assert len(json.loads(out.getvalue())) == 10
