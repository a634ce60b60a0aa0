from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from labweb import views
from labweb.env import env_bool
from taxonomy_app import contribute_views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("taxonomy/", include("taxonomy_app.urls")),
    path("contribute/", include("taxonomy_app.contribute_urls")),
    path("my/", contribute_views.my_contributions, name="my-contributions"),
    path("contribute/", include("taxonomy_app.document_urls")),
    path("api/", include("taxonomy_app.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("notifications/", include("labweb.notification_urls")),
    path("reviews/", include("taxonomy_app.review_urls")),
]

# A trivial page for bench/browse.py to compare latencies with; never served in a normal production setup.
if settings.DEBUG or env_bool("LABWEB_BENCH", False):
    urlpatterns.append(path("bench/ping", views.ping, name="bench-ping"))
