"""Fixtures for the contributions API: token clients per role, and the GitHub forge wired to the recorded
contract (tests/forges/github_contract.py) and a local bare remote."""

from __future__ import annotations

import pytest
from forges.github_contract import REPO, TOKEN, bare_remote, github_contract  # noqa: F401 (fixtures)


@pytest.fixture
def api_for(make_user):
    """api_for(role, username=None) -> (APIClient sending that user's token, user); anonymous: no user."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(role: str, username: str | None = None):
        client = APIClient()
        if role == "anonymous":
            return client, None
        user = make_user(role, username)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client, user

    return make


@pytest.fixture
def owner_api(api_for):
    return api_for("contributor", "casey")


@pytest.fixture
def github_forge(settings, github_contract, bare_remote, eager_celery):  # noqa: F811 (fixtures)
    """LABWEB_FORGE=github on the contract server and a local bare remote; Celery runs tasks in-process."""
    settings.LABWEB_FORGE = "github"
    settings.GITHUB_REMOTE_URL = str(bare_remote)
    settings.GITHUB_REPO = REPO
    settings.GITHUB_TOKEN = TOKEN
    settings.GITHUB_API_URL = github_contract.url
    settings.GITHUB_TIMEOUT = 5
    return github_contract
