"""Reads about people."""

from django.db.models import QuerySet

from .models import User
from .roles import OWNS_CUSTOMERS


def salesperson_list() -> QuerySet[User]:
    """Everyone who can own customers, for owner pickers and filters."""
    return User.objects.filter(role__in=OWNS_CUSTOMERS, is_active=True).order_by("username")
