from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from salesdesk.accounts import roles


@login_required
def home(request):
    """The first page after sign-in: customers for the roles that work on them."""
    if roles.reads_customers(request.user):
        return redirect("customers:list")
    return render(request, "core/home.html")
