from django.urls import path

from taxonomy_app import api

urlpatterns = [
    path("taxonomy/tree/", api.tree, name="api-taxonomy-tree"),
    path("taxonomy/search/", api.search, name="api-taxonomy-search"),
    path("taxonomy/nodes/<path:path>", api.node, name="api-taxonomy-node"),
]
