"""GET /api/v1/today/: the Today page (R-8.1) for other programs — the same sections, counts and
first items as the page, scoped the same way. Amounts are exact decimal strings ("1234.50")."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.accounts import roles
from salesdesk.api.errors import ErrorSerializer
from salesdesk.core.permissions import api_permission

from ..selectors.today import COUNT_CAP, ITEMS_SHOWN, SECTIONS, Item, today_page

TodayPermission = api_permission(lambda user: bool(roles.today_sections(user)))

TODAY_ITEM = {
    "id": serializers.IntegerField(
        help_text="The order, shipment, customer, lead, mailing or approval"
    ),
    "ref": serializers.CharField(help_text="Its number or short text"),
    "customer": inline_serializer(
        "TodayCustomer",
        {
            "id": serializers.IntegerField(),
            "name": serializers.CharField(),
            "key_account": serializers.BooleanField(),
        },
    ),
    "date": serializers.DateField(allow_null=True, help_text="The date that makes it due"),
    "at": serializers.DateTimeField(allow_null=True),
    "note": serializers.CharField(help_text="Status, risk, stage or kind, in words"),
    "text": serializers.CharField(),
    "person": serializers.CharField(help_text="The customer's owner"),
    "amount": serializers.CharField(
        allow_null=True, help_text="Overdue amount in yuan, 2 decimals (receivables only)"
    ),
    "url": serializers.CharField(help_text="The page where it is done"),
}
TodayAnswer = inline_serializer(
    "Today",
    {
        "date": serializers.DateField(),
        "total": serializers.IntegerField(),
        "sections": inline_serializer(
            "TodaySection",
            {
                "key": serializers.ChoiceField(choices=list(SECTIONS)),
                "title": serializers.CharField(),
                "count": serializers.IntegerField(
                    help_text=f"Items in the section, counted up to {COUNT_CAP + 1}"
                ),
                "capped": serializers.BooleanField(
                    help_text=f"True when there are more than {COUNT_CAP} (count is then {COUNT_CAP + 1})"
                ),
                "items": inline_serializer("TodayItem", TODAY_ITEM, many=True),
                "all_url": serializers.CharField(),
            },
            many=True,
        ),
    },
)


def item_json(item: Item) -> dict:
    return {
        "id": item.id,
        "ref": item.ref,
        "customer": {
            "id": item.customer_id,
            "name": item.customer,
            "key_account": item.key_account,
        },
        "date": item.date.isoformat() if item.date else None,
        "at": item.at.isoformat() if item.at else None,
        "note": item.note,
        "text": item.text,
        "person": item.person,
        "amount": None if item.amount is None else f"{item.amount:.2f}",
        "url": item.url,
    }


class TodayView(APIView):
    permission_classes = [TodayPermission]

    @extend_schema(
        summary="Today: this person's due work",
        description=(
            "Each section this person's role works on, with the number of items and the first "
            f"{ITEMS_SHOWN} (key accounts first); a salesperson gets own customers' items only. "
            f"Counts stop past {COUNT_CAP} (`capped`)."
        ),
        responses={
            200: TodayAnswer,
            401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
            403: OpenApiResponse(ErrorSerializer, description="The role has no Today page"),
        },
    )
    def get(self, request):
        today = today_page(user=request.user)
        return Response(
            {
                "date": today.moment.today.isoformat(),
                "total": today.total,
                "sections": [
                    {
                        "key": section.key,
                        "title": str(section.title),
                        "count": section.count,
                        "capped": section.capped,
                        "items": [item_json(item) for item in section.items],
                        "all_url": section.all_url,
                    }
                    for section in today.sections
                ],
            }
        )


def register(router) -> None:
    pass


def extra_urls() -> list:
    return [path("today/", TodayView.as_view(), name="api-today")]
