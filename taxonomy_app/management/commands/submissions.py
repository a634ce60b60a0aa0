"""`manage.py submissions recover`: finish or undo submissions a crash left half written, report the rest."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from taxonomy_app.contributions import RECOVERY_GRACE, submissions_recover
from taxonomy_app.git import GitError


def _numbers(pks: list[int]) -> str:
    return ", ".join(f"#{pk}" for pk in pks)


class Command(BaseCommand):
    help = "Operator commands for submissions (pull requests on the taxonomy repository)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "recover",
            help=f"Finish submissions interrupted between the git write and the database write (left more than "
                 f"{int(RECOVERY_GRACE.total_seconds() // 60)} minutes ago), remove reservations whose branch was "
                 "never written, and report branches without a submission.")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_recover(self, **_):
        try:
            report = submissions_recover()
        except GitError as exc:
            raise CommandError(f"Recovery failed: {exc}") from exc
        lines = [
            ("finished", "Finished {n} interrupted submission(s) from their branch: {items}"),
            ("removed", "Removed {n} reservation(s) whose branch was never written: {items}"),
            ("revised", "Recorded {n} interrupted revision(s): {items}"),
        ]
        for key, template in lines:
            if report[key]:
                self.stdout.write(self.style.SUCCESS(template.format(n=len(report[key]),
                                                                     items=_numbers(report[key]))))
        for item in report["failed"]:
            self.stderr.write(self.style.ERROR(f"Could not repair #{item['submission']}: {item['error']}"))
        for item in report["missing_branches"]:
            self.stderr.write(self.style.WARNING(
                f"Submission #{item['submission']} is open but its branch {item['branch']} does not exist."))
        if report["orphan_branches"]:
            self.stderr.write(self.style.WARNING(
                f"{len(report['orphan_branches'])} branch(es) under contrib/ have no submission (left as they "
                f"are; delete them with git if they are not needed): {', '.join(report['orphan_branches'])}"))
        if not any(report.values()):
            self.stdout.write("Nothing to recover: every submission matches its branch.")
