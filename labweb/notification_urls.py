from django.urls import path

from labweb import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.notification_mark_all_read, name="read-all"),
    path("settings/", views.notification_settings, name="settings"),
    path("<int:pk>/open/", views.notification_open, name="open"),
]
