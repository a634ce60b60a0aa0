from rest_framework import serializers

from taxonomy_app.models import TaxonomyNode


class NodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaxonomyNode
        fields = ["path", "name", "depth", "kind", "leaf_type", "leaf_count", "seed_count", "qna_pair_count",
                  "is_valid"]


class LeafSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaxonomyNode
        fields = ["path", "name", "depth", "kind", "leaf_type", "version", "created_by", "task_description",
                  "domain", "document_outline", "document", "seed_count", "qna_pair_count", "contents",
                  "qna_yaml", "attribution", "is_valid", "validation", "indexed_commit"]


class SearchHitSerializer(serializers.Serializer):
    path = serializers.CharField()
    leaf_type = serializers.CharField()
    field = serializers.CharField()
    seed_index = serializers.IntegerField(allow_null=True)
    snippet_html = serializers.CharField(help_text="HTML-escaped text with <mark> around the matches")


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    total = serializers.IntegerField()
    backend = serializers.CharField()
    hits = SearchHitSerializer(many=True)
