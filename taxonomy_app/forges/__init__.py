"""Forges: where a submission is published besides LabWeb. Pure Python: no Django here.

* ``BuiltinForge`` (the default) keeps submissions in LabWeb only and needs no network.
* ``GitHubForge`` pushes the submission's branch to a remote, opens a pull request through GitHub's REST API
  with the taxonomy's pull request template filled in (``pull_request.render_body``), labels it, and reads
  its state back.

Both take a ``PublishRequest`` and give a ``PublishResult``; ``sync`` gives a ``ForgeState``. Every failure
is a ``ForgeError`` whose message says what the forge answered.
"""

from .base import BuiltinForge, Forge, ForgeError, ForgeState, PublishRequest, PublishResult
from .github import GitHubForge, pull_number_from_url
from .pull_request import escape_markdown, render_body

__all__ = [
    "BuiltinForge",
    "Forge",
    "ForgeError",
    "ForgeState",
    "GitHubForge",
    "PublishRequest",
    "PublishResult",
    "escape_markdown",
    "pull_number_from_url",
    "render_body",
]
