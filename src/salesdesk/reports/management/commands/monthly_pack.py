"""`salesdesk manage monthly_pack --month 2026-10 --output pack.pdf`: the director's monthly
pack as a PDF, for a scheduled send (docs/user-guide.md has a cron line)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.reports.checks import TeamReader
from salesdesk.reports.pdf import pack_filename, render_pack_pdf
from salesdesk.reports.selectors.pack import monthly_pack, parse_month, previous_month


class Command(BaseCommand):
    help = (
        "Write the monthly pack (月报) of a month as one PDF: sales against last year, targets, "
        "the ranking, new customers, collection, overdue receivables and the top issues."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month",
            default="",
            help="YYYY-MM (default: the previous month, for a send on the 1st)",
        )
        parser.add_argument(
            "--output",
            default="",
            help="the PDF file to write (default: salesdesk-monthly-pack-YYYY-MM.pdf here)",
        )
        parser.add_argument(
            "--user",
            default="",
            help="username whose view the pack shows (a salesperson: their own figures); "
            "default: the department's, as the director sees it",
        )
        parser.add_argument("--language", default="zh-hans", help="zh-hans (default) or en")

    def handle(self, *args, month="", output="", user="", language="zh-hans", **options):
        today = timezone.localdate()
        first = parse_month(month) if month else previous_month(today)
        if first is None:
            raise CommandError(f"--month: expected YYYY-MM, e.g. 2026-10, not {month!r}")
        if first > today:
            raise CommandError(f"--month: {month} has not begun yet")
        reader = TeamReader()
        if user:
            reader = User.objects.filter(username=user).first()
            if reader is None:
                raise CommandError(f"--user: no user {user!r}")
            if not roles.reads_reports(reader):
                raise CommandError(f"--user: {user} may not read reports")
        with translation.override(language):
            pack = monthly_pack(user=reader, month=first, today=today)
            pdf = render_pack_pdf(pack)
        path = Path(output or pack_filename(pack))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
        self.stdout.write(f"wrote {path} ({len(pdf):,} bytes) for {first:%Y-%m}")
