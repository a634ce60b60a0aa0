from django.urls import path

from taxonomy_app import document_views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/documents/", document_views.panel, name="panel"),
    path("<int:pk>/documents/upload", document_views.upload, name="upload"),
    path("<int:pk>/documents/check", document_views.check, name="check"),
    path("<int:pk>/documents/text", document_views.text, name="text"),
]
