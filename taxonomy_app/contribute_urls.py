from django.urls import path

from taxonomy_app import contribute_views as views

app_name = "contribute"

urlpatterns = [
    path("", views.start, name="start"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/rows/", views.rows, name="rows"),
    path("<int:pk>/picker/", views.picker, name="picker"),
    path("<int:pk>/picker/search/", views.picker_search, name="picker-search"),
    path("<int:pk>/document-fields/", views.document_fields, name="document-fields"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("submissions/<int:number>/", views.submission, name="submission"),
]
