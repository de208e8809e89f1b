"""Reads about people."""

from django.db.models import QuerySet

from .models import User
from .roles import OWNS_CUSTOMERS

# The columns a person's name is written from (User.__str__): what a list reading only its shown
# columns (QuerySet.only) must read of a related person.
NAME_FIELDS = ("display_name", "first_name", "last_name", "username")


def name_fields(path: str) -> tuple[str, ...]:
    """NAME_FIELDS of the person at `path` ("customer__owner"), for QuerySet.only()."""
    return tuple(f"{path}__{field}" for field in NAME_FIELDS)


def salesperson_list() -> QuerySet[User]:
    """Everyone who can own customers, for owner pickers and filters."""
    return User.objects.filter(role__in=OWNS_CUSTOMERS, is_active=True).order_by("username")


def salesperson_choices() -> QuerySet[User]:
    """salesperson_list reading only the names it shows, for the list pages' filters: the whole
    user row of 50 people on every list page view was a tenth of the order list's time."""
    return salesperson_list().only(*NAME_FIELDS)
