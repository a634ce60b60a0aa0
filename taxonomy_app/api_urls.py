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

# The review API (taxonomy_app.review_api): the queue, a submission, comments and every decision.
from taxonomy_app import review_api  # noqa: E402

urlpatterns += [
    path("reviews/", review_api.ReviewQueue.as_view(), name="api-reviews"),
    path("reviews/comments/<int:pk>/resolve/", review_api.CommentResolve.as_view(), name="api-review-comment-resolve"),
    path("reviews/<int:number>/", review_api.ReviewDetail.as_view(), name="api-review"),
    path("reviews/<int:number>/comments/", review_api.ReviewComments.as_view(), name="api-review-comments"),
    path("reviews/<int:number>/triage/", review_api.ReviewTriage.as_view(), name="api-review-triage"),
    path("reviews/<int:number>/assign/", review_api.ReviewAssign.as_view(), name="api-review-assign"),
    path("reviews/<int:number>/labels/", review_api.ReviewLabels.as_view(), name="api-review-labels"),
    path("reviews/<int:number>/request-changes/", review_api.ReviewRequestChanges.as_view(),
         name="api-review-request-changes"),
    path("reviews/<int:number>/approve/", review_api.ReviewApprove.as_view(), name="api-review-approve"),
    path("reviews/<int:number>/close/", review_api.ReviewClose.as_view(), name="api-review-close"),
    path("reviews/<int:number>/reopen/", review_api.ReviewReopen.as_view(), name="api-review-reopen"),
    path("reviews/<int:number>/merge/", review_api.ReviewMerge.as_view(), name="api-review-merge"),
]
