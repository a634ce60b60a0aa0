from celery import shared_task

from taxonomy_app import services


@shared_task(name="taxonomy_app.tasks.index_sync")
def index_sync(full: bool = False) -> dict:
    result = services.index_sync(full=full)
    return {"old": result.old_commit, "new": result.new_commit, "added": len(result.leaves_added),
            "updated": len(result.leaves_updated), "removed": len(result.leaves_removed)}
