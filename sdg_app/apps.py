from django.apps import AppConfig


class SdgAppConfig(AppConfig):
    name = "sdg_app"
    verbose_name = "Synthetic data generation"
