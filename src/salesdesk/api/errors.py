"""One error shape for the whole API.

    {"detail": "<summary>", "errors": [{"field": "mobile", "code": "invalid", "message": "..."}]}

`field` is the request field the message is about ("non_field_errors" when it is about the
whole request, nested fields joined with dots: "lines.0.quantity").
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


def _flatten(detail, prefix: str = "") -> list[dict]:
    items: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            items.extend(_flatten(value, name))
    elif isinstance(detail, list):
        if all(isinstance(v, exceptions.ErrorDetail | str) for v in detail):
            for v in detail:
                items.append(
                    {
                        "field": prefix or "non_field_errors",
                        "code": getattr(v, "code", "invalid"),
                        "message": str(v),
                    }
                )
        else:
            for index, value in enumerate(detail):
                items.extend(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items.append(
            {
                "field": prefix or "non_field_errors",
                "code": getattr(detail, "code", "invalid"),
                "message": str(detail),
            }
        )
    return items


def django_validation_error_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Services raise Django's ValidationError; the API answers it as a 400 naming the fields."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): [
                    str(m) for e in errors for m in e.messages
                ]
                for field, errors in exc.error_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        summary = _("The request has errors: %(fields)s") % {
            "fields": ", ".join(dict.fromkeys(e["field"] for e in errors))
        }
    else:
        detail = getattr(exc, "detail", str(exc))
        summary = str(detail) if not isinstance(detail, dict | list) else _("Request failed.")
        errors = [
            {
                "field": "non_field_errors",
                "code": getattr(exc, "default_code", "error"),
                "message": summary,
            }
        ]
    response.data = {"detail": summary, "errors": errors}
    return Response(response.data, status=response.status_code, headers=dict(response.headers))


def checked(form, names: dict | None = None) -> dict:
    """The cleaned data of a query-parameter form; a bad parameter answers 400 naming it
    (by its API name: `names` maps form field names to the API's where they differ)."""
    if not form.is_valid():
        names = names or {}
        raise serializers.ValidationError(
            {names.get(name, name): list(errors) for name, errors in form.errors.items()}
        )
    return form.cleaned_data
