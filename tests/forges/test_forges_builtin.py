"""The built-in forge: the default, which publishes nothing and never touches the network or git."""

from __future__ import annotations

import socket
import subprocess

import pytest
from forge_fixtures import publish_request

from taxonomy_app.forges import BuiltinForge, ForgeError, PublishResult


def test_builtin_forge_does_nothing(source_repo, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the built-in forge must not use the network or run git")

    request = publish_request(source_repo)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)

    assert BuiltinForge().publish(request) == PublishResult(external_url="", external_id="")
    assert BuiltinForge.name == "builtin"


def test_builtin_forge_has_nothing_to_sync():
    with pytest.raises(ForgeError, match="nothing to sync"):
        BuiltinForge().sync("1")
