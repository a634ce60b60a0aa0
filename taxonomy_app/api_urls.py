from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from taxonomy_app import api, contribute_api

urlpatterns = [
    path("taxonomy/tree/", api.tree, name="api-taxonomy-tree"),
    path("taxonomy/search/", api.search, name="api-taxonomy-search"),
    path("taxonomy/nodes/<path:path>", api.node, name="api-taxonomy-node"),
    path("auth/token/", obtain_auth_token, name="api-auth-token"),
    path("contributions/", contribute_api.ContributionListCreate.as_view(), name="api-contributions"),
    path("contributions/<int:pk>/", contribute_api.ContributionDetail.as_view(), name="api-contribution"),
    path("contributions/<int:pk>/validate/", contribute_api.ContributionValidate.as_view(),
         name="api-contribution-validate"),
    path("contributions/<int:pk>/submit/", contribute_api.ContributionSubmit.as_view(),
         name="api-contribution-submit"),
]
