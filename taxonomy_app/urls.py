from django.urls import path

from taxonomy_app import views

app_name = "taxonomy"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("children/", views.tree_children, name="children"),
    path("search/", views.search, name="search"),
    path("coverage/", views.coverage, name="coverage"),
    path("reindex/", views.reindex, name="reindex"),
    path("documents/<str:commit>/<path:doc_path>", views.document, name="document"),
    path("history/<path:path>", views.history, name="history"),
    path("node/<path:path>", views.node, name="node"),
]
