from celery import shared_task

from taxonomy_app import services


@shared_task(name="taxonomy_app.tasks.index_sync")
def index_sync(full: bool = False) -> dict:
    result = services.index_sync(full=full)
    return {"old": result.old_commit, "new": result.new_commit, "added": len(result.leaves_added),
            "updated": len(result.leaves_updated), "removed": len(result.leaves_removed)}


@shared_task(name="taxonomy_app.tasks.document_check")
def document_check(contribution_id: int) -> dict:
    from taxonomy_app.knowledge_documents import document_check_run

    return document_check_run(contribution_id=contribution_id)
