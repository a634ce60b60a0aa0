"""Run LabWeb for development: migrate, bootstrap, a Celery worker, and the web server on 127.0.0.1:8000."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start LabWeb with its embedded defaults (SQLite, SQLite-file broker, local git repositories)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="Do not start a Celery worker.")
        parser.add_argument("--no-reload", action="store_true", help="Do not restart on code changes.")

    def handle(self, *args, addrport: str, no_worker: bool, no_reload: bool, **options):
        # With the autoreloader this command runs twice (watcher + server child); only the watcher sets up.
        if os.environ.get("RUN_MAIN") != "true":
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            call_command("migrate", interactive=False, verbosity=0)
            call_command("bootstrap")
            if not no_worker:
                self._start_worker()
            self.stdout.write(self.style.SUCCESS(f"LabWeb is starting at http://{addrport}/"))
        call_command("runserver", addrport, use_reloader=not no_reload)

    def _start_worker(self) -> None:
        broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
        self.stdout.write(f"Starting a Celery worker with beat (queues default,gpu; broker {broker})")
        worker = subprocess.Popen(
            # -B runs the periodic tasks (celery beat) inside this one development worker.
            [sys.executable, "-m", "celery", "-A", "labweb", "worker", "-Q", "default,gpu", "-B",
             "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
             "--concurrency", "1", "--loglevel", "INFO", "--hostname", "labweb-dev@%h"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "labweb.settings"},
        )

        def stop_worker() -> None:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()

        atexit.register(stop_worker)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
