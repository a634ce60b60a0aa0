"""`manage.py taxonomy import|lint|sync`: operator commands for the taxonomy repository and index."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from taxonomy_app import services
from taxonomy_app.docsource import GitDocumentCheck
from taxonomy_app.git import GitError
from taxonomy_app.lint import LintSelectionError, files_in_git_diff, files_in_tree, lint_paths, lint_repository
from taxonomy_app.repositories import get_taxonomy_repository
from taxonomy_app.schema import ValidationMode
from taxonomy_app.schema.report import format_github, format_json, format_text

FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}


class Command(BaseCommand):
    help = "Import a taxonomy, lint qna.yaml files, or bring the index in step with main."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        imp = sub.add_parser("import", help="Load a directory or git repository as the taxonomy's main branch.")
        imp.add_argument("source", help="A directory, a git URL, a local repository or a git bundle.")
        imp.add_argument("--message", help="Commit message when importing a plain directory.")

        lint = sub.add_parser("lint", help="Validate qna.yaml files; exits 1 if any has an error.")
        lint.add_argument("paths", nargs="*", type=Path, help="Files or directories (default: the whole tree).")
        lint.add_argument("--taxonomy-root", type=Path, help="The taxonomy checkout the paths belong to.")
        lint.add_argument("--mode", choices=[m.value for m in ValidationMode], default="ci",
                          help="ilab = `ilab taxonomy diff`; ci = the upstream taxonomy CI; strict = LabWeb's "
                               "rules for new submissions.")
        lint.add_argument("--diff", metavar="BASE_REF", help="Only files changed against this git ref.")
        lint.add_argument("--format", choices=sorted(FORMATTERS), default="text")
        lint.add_argument("--check-documents", action="store_true",
                          help="Also clone each knowledge file's document repository and find its documents "
                               "(needs network access for remote repositories).")

        sync = sub.add_parser("sync", help="Update the index from main (incremental unless --full).")
        sync.add_argument("--full", action="store_true", help="Rebuild the whole index.")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_import(self, *, source: str, message: str | None, **_):
        try:
            result = services.taxonomy_import(source=source, message=message)
        except (GitError, OSError) as exc:
            raise CommandError(f"Import failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"main is now {(result.new_commit or '')[:12]}: {len(result.leaves_added)} topics added, "
            f"{len(result.leaves_updated)} updated, {len(result.leaves_removed)} removed"
            f"{' (full index rebuild)' if result.full_rebuild else ''}."))

    def handle_sync(self, *, full: bool, **_):
        result = services.index_sync(full=full)
        if not result.changed and not full:
            self.stdout.write(f"The index is already at {(result.new_commit or 'an empty main')[:12]}.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Index at {(result.new_commit or '')[:12]}: +{len(result.leaves_added)} "
            f"~{len(result.leaves_updated)} -{len(result.leaves_removed)}."))

    def handle_lint(self, *, paths: list[Path], taxonomy_root: Path | None, mode: str, diff: str | None,
                    format: str, check_documents: bool, **_):
        mode = ValidationMode(mode)
        checker = GitDocumentCheck(style="ilab") if check_documents else None
        try:
            if paths:
                results = lint_paths(paths, taxonomy_root=taxonomy_root, mode=mode, document_check=checker)
            elif taxonomy_root and diff:
                results = lint_paths(files_in_git_diff(taxonomy_root, diff, mode), taxonomy_root=taxonomy_root,
                                     mode=mode, document_check=checker)
            elif taxonomy_root:
                results = lint_paths(files_in_tree(taxonomy_root, mode), taxonomy_root=taxonomy_root, mode=mode,
                                     document_check=checker)
            else:
                results = lint_repository(get_taxonomy_repository(), ref=settings.TAXONOMY_MAIN_BRANCH, mode=mode,
                                          base_ref=diff, document_check=checker)
        except (LintSelectionError, GitError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(FORMATTERS[format](results))
        if any(not r.valid for r in results):
            sys.exit(1)
