from salesdesk.accounts import roles


def navigation(request):
    """What the header needs: which sections this person may open."""
    user = getattr(request, "user", None)
    return {
        "nav_reads_customers": roles.reads_customers(user),
        "nav_edits_customers": roles.edits_customers(user),
        "nav_reads_orders": roles.reads_orders(user),
        "nav_reads_products": roles.reads_products(user),
        "sees_money": roles.sees_money(user),
        "nav_reads_receivables": roles.reads_receivables(user),
        "nav_records_payments": roles.records_payments(user),
        "nav_reconciles": roles.reconciles(user),
        "nav_reads_reports": roles.reads_reports(user),
        **_today(user),
    }


def _today(user) -> dict:
    """The Today link and its count. The count comes from the per-person cache only (no query
    on every page); when the cache is cold the header fetches it by htmx (reports:today-badge)."""
    if not roles.today_sections(user):
        return {"nav_today": False}
    from salesdesk.reports.selectors.today import cached_total

    return {"nav_today": True, "nav_today_total": cached_total(user)}
