"""Read-only REST API over the taxonomy index."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from taxonomy_app import selectors
from taxonomy_app.models import TaxonomyNode
from taxonomy_app.serializers import LeafSerializer, NodeSerializer, SearchResultsSerializer


@extend_schema(
    summary="Children of a taxonomy node (the roots when no path is given)",
    parameters=[OpenApiParameter("path", OpenApiTypes.STR, description="e.g. compositional_skills/linguistics")],
    responses=NodeSerializer(many=True),
)
@api_view(["GET"])
@permission_classes([AllowAny])
def tree(request):
    path = request.query_params.get("path", "").strip("/")
    if path:
        selectors.node_get(path=path)
    return Response(NodeSerializer(selectors.tree_children(path=path or None), many=True).data)


@extend_schema(summary="One node; for a leaf, its parsed qna.yaml, attribution and check results",
               responses=LeafSerializer)
@api_view(["GET"])
@permission_classes([AllowAny])
def node(request, path: str):
    found = selectors.node_get(path=path)
    serializer = LeafSerializer if found.kind == TaxonomyNode.Kind.LEAF else NodeSerializer
    return Response(serializer(found).data)


@extend_schema(
    summary="Full-text search over task descriptions, questions, answers and contexts",
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, required=True),
        OpenApiParameter("type", OpenApiTypes.STR, enum=TaxonomyNode.LeafType.values),
        OpenApiParameter("limit", OpenApiTypes.INT),
        OpenApiParameter("offset", OpenApiTypes.INT),
    ],
    responses=SearchResultsSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def search(request):
    def bounded(name: str, default: int, top: int) -> int:
        try:
            return min(max(int(request.query_params.get(name, default)), 0), top)
        except ValueError:
            return default

    leaf_type = request.query_params.get("type", "")
    if leaf_type and leaf_type not in TaxonomyNode.LeafType.values:
        return Response({"detail": f"type must be one of {', '.join(TaxonomyNode.LeafType.values)}."}, status=400)
    results = selectors.taxonomy_search(query=request.query_params.get("q", "")[:200], leaf_type=leaf_type,
                                        limit=bounded("limit", 50, 200), offset=bounded("offset", 0, 100_000))
    return Response(SearchResultsSerializer(results).data)
