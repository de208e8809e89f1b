from salesdesk.accounts import roles


def navigation(request):
    """What the header needs: which sections this person may open."""
    user = getattr(request, "user", None)
    return {
        "nav_reads_customers": roles.reads_customers(user),
        "nav_edits_customers": roles.edits_customers(user),
    }
