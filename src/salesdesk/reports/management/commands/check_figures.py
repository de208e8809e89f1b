"""`salesdesk check-figures [--month YYYY-MM]`: prove the report figures agree (R-8.7)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from salesdesk.reports.checks import check_figures
from salesdesk.reports.selectors.pack import parse_month


class Command(BaseCommand):
    help = (
        "Recompute each report's totals from the raw rows (orders, order lines, receivables, "
        "payment allocations) and compare them with the sales page, every breakdown, the "
        "ranking, the Excel exports, the monthly pack, the targets, the aging and collection "
        "reports and the monthly sales summary. Prints each disagreement; exit status 1 when "
        "there is any, 0 and 'no disagreement' otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month",
            default="",
            help="the month to check, YYYY-MM (default: the current month; the monthly "
            "summary is then checked for every month)",
        )

    def handle(self, *args, month: str = "", **options):
        first = None
        if month:
            first = parse_month(month)
            if first is None:
                raise CommandError(f"--month: expected YYYY-MM, e.g. 2026-10, not {month!r}")
        # Labels (sheet headers read back from the Excel exports) in one language.
        with translation.override("en"):
            result = check_figures(first)
        for item in result.disagreements:
            self.stdout.write(f"DISAGREEMENT {item}")
        if not result.ok:
            raise CommandError(
                f"{len(result.disagreements)} disagreement(s) in {result.checked} comparisons "
                f"for {result.month:%Y-%m}",
                returncode=1,
            )
        self.stdout.write(f"no disagreement: {result.checked} comparisons for {result.month:%Y-%m}")
