"""Authorization for views: a signed-in person whose role passes a check, else 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def role_required(check: Callable[[object], bool]):
    """View decorator: anonymous → login page; role fails `check` → 403.

    Rows outside the person's scope are not a permission question: selectors leave them
    out, so fetching one gives 404.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def api_permission(read: Callable[[object], bool], write: Callable[[object], bool] | None = None):
    """A DRF permission class: `read` for safe methods, `write` (default `read`) for the rest."""

    class RolePermission(BasePermission):
        def has_permission(self, request, view):
            if not request.user or not request.user.is_authenticated:
                return False
            check = read if request.method in ("GET", "HEAD", "OPTIONS") else (write or read)
            return check(request.user)

    return RolePermission
