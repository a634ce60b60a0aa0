from django.urls import path

from taxonomy_app import review_views as views

app_name = "reviews"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("metrics", views.metrics, name="metrics"),
    path("audit", views.audit, name="audit"),
    path("<int:number>/", views.detail, name="detail"),
    path("<int:number>/<slug:action>/", views.act, name="act"),
]
