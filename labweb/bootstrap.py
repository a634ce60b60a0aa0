"""First-run setup for a development installation: repositories, sample taxonomy, demo accounts.

Idempotent: every step checks what exists and only adds what is missing, so `make run` can call it
on every start.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from labweb.roles import ADMIN, CONTRIBUTOR, MAINTAINER, TRIAGER, ensure_roles, user_assign_role
from taxonomy_app import services as taxonomy_services
from taxonomy_app.git import Author
from taxonomy_app.repositories import documents_repository_url, get_documents_repository, get_taxonomy_repository

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "taxonomy_app" / "sample_taxonomy"
SAMPLE_AUTHOR = Author(name="LabWeb sample authors", email="samples@labweb.invalid")
DEMO_ACCOUNTS = (
    ("contributor", CONTRIBUTOR, "Casey Contributor"),
    ("triager", TRIAGER, "Tara Triager"),
    ("maintainer", MAINTAINER, "Morgan Maintainer"),
    ("admin", ADMIN, "Alex Admin"),
)


@dataclass
class DemoAccount:
    username: str
    role: str
    password: str


def seed_repositories() -> list[str]:
    """Create the documents and taxonomy repositories with the sample content if they are empty."""
    done = []
    documents = get_documents_repository()
    docs_commit = documents.resolve("main")
    if docs_commit is None:
        docs_commit = documents.import_directory(SAMPLE_DIR / "documents", ref="main", author=SAMPLE_AUTHOR,
                                                 message="Sample knowledge documents")
        done.append(f"documents repository seeded at {docs_commit[:12]}")
    taxonomy = get_taxonomy_repository()
    if taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) is None:
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "taxonomy"
            shutil.copytree(SAMPLE_DIR / "taxonomy", tree)
            for qna in tree.rglob("qna.yaml"):
                text = qna.read_text(encoding="utf-8")
                qna.write_text(text.replace("__DOCS_REPO__", documents_repository_url())
                               .replace("__DOCS_COMMIT__", docs_commit), encoding="utf-8")
            commit = taxonomy.import_directory(tree, ref=settings.TAXONOMY_MAIN_BRANCH, author=SAMPLE_AUTHOR,
                                               message="Sample taxonomy")
        done.append(f"taxonomy repository seeded at {commit[:12]}")
    result = taxonomy_services.index_sync()
    if result.changed:
        done.append(f"index built: {len(result.leaves_added)} topics")
    return done


def _password_file() -> Path:
    return settings.VAR_DIR / "demo-accounts.txt"


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Demo users with random passwords, kept in var/demo-accounts.txt (readable by the owner only)."""
    ensure_roles()
    known: dict[str, str] = {}
    path = _password_file()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            username, _, password = line.partition(" ")
            known[username] = password
    accounts = []
    for username, role, full_name in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        password = known.get(username)
        if user is None or not password or not user.check_password(password):
            password = secrets.token_urlsafe(9)
            if user is None:
                user = User(username=username, email=f"{username}@labweb.invalid", first_name=full_name)
            user.set_password(password)
            user.is_superuser = role == ADMIN
            user.save()
        user_assign_role(user=user, role=role)
        accounts.append(DemoAccount(username=username, role=role, password=password))
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600, so the passwords are never readable by others, not even
    # for the moment between writing and a chmod; os.replace swaps it in atomically.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".demo-accounts-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{a.username} {a.password}\n" for a in accounts))
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return accounts
