from django.core.management.base import BaseCommand

from labweb.bootstrap import ensure_demo_accounts, seed_repositories


class Command(BaseCommand):
    help = "Create the repositories with the sample taxonomy and the demo accounts (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo-accounts", action="store_true", help="Skip the demo users.")

    def handle(self, *args, no_demo_accounts: bool = False, **options):
        for line in seed_repositories():
            self.stdout.write(f"  {line}")
        if no_demo_accounts:
            return
        self.stdout.write(self.style.SUCCESS("Demo accounts (username / password / role):"))
        for account in ensure_demo_accounts():
            self.stdout.write(f"  {account.username:<12} {account.password:<14} {account.role}")
