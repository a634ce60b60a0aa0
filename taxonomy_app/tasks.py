from celery import shared_task

from taxonomy_app import contributions, services


@shared_task(name="taxonomy_app.tasks.index_sync")
def index_sync(full: bool = False) -> dict:
    result = services.index_sync(full=full)
    return {"old": result.old_commit, "new": result.new_commit, "added": len(result.leaves_added),
            "updated": len(result.leaves_updated), "removed": len(result.leaves_removed)}


@shared_task(name="taxonomy_app.tasks.document_check")
def document_check(contribution_id: int) -> dict:
    from taxonomy_app.knowledge_documents import document_check_run

    return document_check_run(contribution_id=contribution_id)


@shared_task(name="taxonomy_app.tasks.submissions_recover")
def submissions_recover() -> dict:
    """Periodic (beat): finish or undo submissions a crashed process left half written."""
    return contributions.submissions_recover()


@shared_task(name="taxonomy_app.tasks.submission_publish")
def submission_publish(submission_id: int) -> dict:
    """Push a submission to the configured forge; enqueued only when LABWEB_FORGE is not builtin."""
    from taxonomy_app import forge_service
    from taxonomy_app.models import Submission

    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return {"published": False, "reason": "no such submission"}
    result = forge_service.submission_publish(submission=submission)
    return {"published": result is not None, "external_url": result.external_url if result else ""}


@shared_task(name="taxonomy_app.tasks.submissions_forge_sync")
def submissions_forge_sync() -> dict:
    from taxonomy_app.forge_service import submissions_forge_sync as sync

    return sync()
