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
    }
