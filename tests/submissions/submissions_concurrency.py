"""Concurrent submits, shared by the tests (in-process threads) and by a subprocess on a SQLite file database.

Run as a script (`python submissions_concurrency.py many|double N`), it sets up a fresh installation in
$LABWEB_VAR_DIR (migrate + sample taxonomy), runs the scenario and prints its result as JSON.
"""

from __future__ import annotations

import threading
from pathlib import Path

SUBMITTERS_PARENT = "compositional_skills/linguistics"


def make_drafts(count: int, *, same_owner: bool = False) -> list[int]:
    """`count` complete drafts, each by its own contributor (or all by one) with its own leaf name."""
    from django.contrib.auth.models import User

    from labweb.roles import ensure_roles, user_assign_role
    from taxonomy_app.contributions import contribution_start, contribution_update
    from taxonomy_app.qna import Attribution, ContributionData, QuestionAnswer, Seed

    ensure_roles()
    drafts = []
    owner = None
    for index in range(count):
        if owner is None or not same_owner:
            owner = User.objects.create_user(f"concurrent-{index}", email=f"c{index}@example.test",
                                             first_name="Concurrent", last_name=f"Contributor {index}")
            user_assign_role(user=owner, role="contributor")
        data = ContributionData(
            kind="freeform_skill",
            task_description=f"Answer questions about topic number {index} in plain words.",
            seeds=[Seed(pairs=[QuestionAnswer(f"What is fact {i} about topic {index}?",
                                              f"Fact {i} about topic {index} is simple.")]) for i in range(1, 6)],
            attribution=Attribution(title=f"Topic {index}", license="CC-BY-4.0", creators="Concurrent"),
        )
        draft = contribution_start(owner=owner, kind="freeform_skill")
        contribution_update(contribution=draft, actor=owner, data=data, title=f"Topic {index}",
                            parent_path=SUBMITTERS_PARENT, leaf_name=f"topic_{index}", dco_signed_off=True)
        drafts.append(draft.pk)
    return drafts


def submit_concurrently(draft_ids: list[int], *, timeout: float = 120) -> list[tuple[int, str]]:
    """Submit every draft id from its own thread, all released at once. Returns (draft id, outcome) pairs:
    "ok:<submission pk>", "refused:<rules>" or "error:<exception>"."""
    from django.db import connection

    from taxonomy_app.contributions import ContributionInvalid, contribution_submit
    from taxonomy_app.models import Contribution

    loaded = [Contribution.objects.select_related("owner").get(pk=pk) for pk in draft_ids]
    start = threading.Barrier(len(loaded))
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def submit(draft) -> None:
        try:
            start.wait(timeout=timeout)
            submission = contribution_submit(contribution=draft, actor=draft.owner)
            outcome = f"ok:{submission.pk}"
        except ContributionInvalid as exc:
            outcome = "refused:" + ",".join(issue.rule for issue in exc.issues)
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            outcome = f"error:{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append((draft.pk, outcome))

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in loaded]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a submit thread hung"
    return sorted(outcomes)


def state() -> dict:
    """What the database and the repository hold after a scenario, for the tests' assertions."""
    from django.conf import settings

    from taxonomy_app.models import Contribution, Revision, Submission
    from taxonomy_app.repositories import get_taxonomy_repository

    repo = get_taxonomy_repository()
    main = repo.resolve(settings.TAXONOMY_MAIN_BRANCH)
    branches = repo.branches("contrib/")
    return {
        "main": main,
        "main_log": [c.sha for c in repo.log(settings.TAXONOMY_MAIN_BRANCH, max_count=10)],
        "branches": branches,
        "branch_parents": {name: list(repo.commit_info(sha).parents) for name, sha in branches.items()},
        "submissions": list(Submission.objects.order_by("pk").values("pk", "status", "branch", "head_commit",
                                                                     "base_commit", "taxonomy_path")),
        "revisions": list(Revision.objects.order_by("pk").values_list("submission_id", "number", "commit_sha")),
        "contributions": list(Contribution.objects.order_by("pk").values_list("pk", "status", "submission_id")),
    }


def _main(scenario: str, count: int) -> None:
    import json
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labweb.settings")
    django.setup()
    from django.core.management import call_command

    from labweb.bootstrap import seed_repositories

    call_command("migrate", verbosity=0)
    seed_repositories()
    before = state()
    drafts = make_drafts(2 if scenario == "double" else count)
    if scenario == "double":
        drafts = [drafts[0]] * count
    outcomes = submit_concurrently(drafts)
    print(json.dumps({"before": before, "outcomes": outcomes, "after": state()}))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    _main(sys.argv[1], int(sys.argv[2]))
