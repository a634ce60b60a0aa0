"""The Celery application. Broker: Redis when REDIS_URL/CELERY_BROKER_URL is set, else a SQLite file."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labweb.settings")

app = Celery("labweb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
