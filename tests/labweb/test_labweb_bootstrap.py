"""bootstrap: repositories with the sample taxonomy and demo accounts, safe to run on every start."""

from __future__ import annotations

import io
import re
import stat

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from labweb.bootstrap import DEMO_ACCOUNTS, ensure_demo_accounts, seed_repositories
from labweb.roles import user_role
from taxonomy_app.models import IndexState, TaxonomyNode

pytestmark = pytest.mark.django_db
ACCOUNT_LINE = re.compile(r"^  (\S+)\s+(\S+)\s+(contributor|triager|maintainer|admin)$")


def run_bootstrap(*args: str) -> str:
    out = io.StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


def printed_accounts(output: str) -> dict[str, tuple[str, str]]:
    accounts = {}
    for line in output.splitlines():
        match = ACCOUNT_LINE.match(line)
        if match:
            accounts[match[1]] = (match[2], match[3])
    return accounts


def test_bootstrap_command_seeds_everything_and_lists_working_accounts(repos, settings):
    taxonomy, documents = repos
    output = run_bootstrap()
    assert "documents repository seeded at" in output
    assert "taxonomy repository seeded at" in output
    assert "index built: 10 topics" in output
    assert "Demo accounts (username / password / role):" in output
    accounts = printed_accounts(output)
    assert {name: role for name, (_, role) in accounts.items()} == {u: r for u, r, _ in DEMO_ACCOUNTS}
    for username, (password, role) in accounts.items():
        user = authenticate(username=username, password=password)
        assert user is not None, f"the printed password of {username} does not work"
        assert user_role(user) == role
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="maintainer").is_staff

    secrets_file = settings.VAR_DIR / "demo-accounts.txt"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert secrets_file.read_text(encoding="utf-8") == "".join(
        f"{name} {accounts[name][0]}\n" for name, _, _ in DEMO_ACCOUNTS)

    assert taxonomy.resolve("main") and documents.resolve("main")
    assert TaxonomyNode.objects.filter(kind="leaf").count() == 10
    assert IndexState.objects.get(ref="main").commit_sha == taxonomy.resolve("main")


def test_bootstrap_twice_changes_nothing(repos, settings):
    taxonomy, documents = repos
    first = run_bootstrap()
    heads = (taxonomy.resolve("main"), documents.resolve("main"))
    file_before = (settings.VAR_DIR / "demo-accounts.txt").read_text(encoding="utf-8")
    users_before = {u.username: (u.pk, u.password) for u in User.objects.all()}
    nodes_before = dict(TaxonomyNode.objects.values_list("path", "id"))

    second = run_bootstrap()
    assert (taxonomy.resolve("main"), documents.resolve("main")) == heads
    assert len(taxonomy.log("main")) == 1 and len(documents.log("main")) == 1
    assert "seeded" not in second and "index built" not in second
    assert printed_accounts(second) == printed_accounts(first)
    assert (settings.VAR_DIR / "demo-accounts.txt").read_text(encoding="utf-8") == file_before
    assert {u.username: (u.pk, u.password) for u in User.objects.all()} == users_before
    assert dict(TaxonomyNode.objects.values_list("path", "id")) == nodes_before
    for username, (password, _) in printed_accounts(second).items():
        assert authenticate(username=username, password=password) is not None
    for username, _, _ in DEMO_ACCOUNTS:
        assert User.objects.get(username=username).groups.count() == 1


def test_bootstrap_repairs_a_changed_password_and_a_deleted_account(repos, settings):
    first = printed_accounts(run_bootstrap())
    triager = User.objects.get(username="triager")
    triager.set_password("changed by someone 123")
    triager.save()
    User.objects.filter(username="maintainer").delete()

    second = printed_accounts(run_bootstrap())
    assert second["contributor"] == first["contributor"]
    assert second["triager"][0] != first["triager"][0]
    for username, (password, role) in second.items():
        user = authenticate(username=username, password=password)
        assert user is not None and user_role(user) == role
    assert f"triager {second['triager'][0]}\n" in (settings.VAR_DIR / "demo-accounts.txt").read_text()


def test_no_demo_accounts_option(repos, settings):
    output = run_bootstrap("--no-demo-accounts")
    assert "taxonomy repository seeded at" in output
    assert "Demo accounts" not in output
    assert not User.objects.filter(username__in=[u for u, _, _ in DEMO_ACCOUNTS]).exists()
    assert not (settings.VAR_DIR / "demo-accounts.txt").exists()


def test_password_file_is_never_readable_by_others(repos, settings, monkeypatch):
    import os

    path = settings.VAR_DIR / "demo-accounts.txt"
    path.parent.mkdir(parents=True)
    path.write_text("stale garbage\n", encoding="utf-8")
    path.chmod(0o644)
    old_umask = os.umask(0)  # the most permissive umask a process can have
    try:
        ensure_demo_accounts()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").count("\n") == len(DEMO_ACCOUNTS)


def test_seed_repositories_writes_the_documents_repository_into_knowledge_leaves(repos):
    taxonomy, documents = repos
    seed_repositories()
    leaf = TaxonomyNode.objects.get(path="knowledge/science/astronomy/sundials")
    assert leaf.document["repo"] == settings_documents_url(documents)
    assert leaf.document["commit"] == documents.resolve("main")
    assert "__DOCS_" not in leaf.qna_yaml


def settings_documents_url(documents) -> str:
    return documents.path.resolve().as_uri()
