"""Demo money for the carton factory's sales department (core demo command).

Every demo shipment owes its amount from its ship date, due after the customer's payment terms
(finance.services.receivables.due_date_for); most get finance's 8-digit invoice number. Payments
(回款) come by customer habit: most customers pay a ten-day batch within terms plus up to about
20 days, some habitually 30–90 days late, a few key accounts stopped paying months ago and owe
60–120+ days; mostly bank transfers, some bank acceptance bills (承兑汇票), some split in two.
Payments are allocated in date order exactly as finance.services.payments does (the customer's
open receivables, oldest due date first, then issue date, then id) and a couple of customers
keep unallocated credit. Stored columns (allocated and paid-on dates, payments' allocated sums,
orders' invoiced and paid amounts) are computed as the services compute them;
tests/test_demo_finance.py recomputes them from the rows. A few headquarters disputes, and
finance's ledger of last month (var/demo/finance-ledger.xlsx) with one planted difference of
each kind, for trying the reconciliation wizard.
"""

from .builder import FinanceBuilder


def build(ctx) -> None:
    """Receivables, invoices, payments and their allocation, disputes and finance's ledger."""
    FinanceBuilder(ctx).run()
