"""The Django admin for operators: canned responses are edited here; the rest is read-mostly."""

from django.contrib import admin

from taxonomy_app.models import CannedResponse, Contribution, Submission, TaxonomyNode


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "active")
    list_filter = ("active",)
    search_fields = ("title", "body")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "author", "kind", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "taxonomy_path", "branch")
    readonly_fields = [f.name for f in Submission._meta.fields]  # states change through the review services only


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "owner", "kind", "status", "updated_at")
    list_filter = ("status", "kind")
    readonly_fields = ("submission",)


@admin.register(TaxonomyNode)
class TaxonomyNodeAdmin(admin.ModelAdmin):
    list_display = ("path", "kind", "leaf_type", "seed_count", "is_valid")
    list_filter = ("kind", "leaf_type", "is_valid")
    search_fields = ("path",)
    readonly_fields = [f.name for f in TaxonomyNode._meta.fields]  # the index follows git; edit the taxonomy instead
