"""Fixtures for the forges: the GitHub contract server, a local bare remote, a source repository with a
submission branch. The forges are pure Python and their tests need no database; test_forges_service.py covers
the Django side (settings, the service, the audit trail)."""

from forge_fixtures import make_forge, source_repo  # noqa: F401 (fixtures)
from github_contract import bare_remote, github_contract  # noqa: F401 (fixtures)
