"""Forms for shipments, notices and receipts. They parse input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import BootstrapMixin, ServiceErrorsMixin

from ..choices import NoticeChannel

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


class ShipmentFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    notified = forms.ChoiceField(label=_("Customer notified"), choices=YES_NO, required=False)
    received = forms.ChoiceField(label=_("Received"), choices=YES_NO, required=False)
    date_from = forms.DateField(label=_("Shipped from"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Shipped to"), required=False, widget=DATE_WIDGET)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        flag = {"yes": True, "no": False}
        return {
            "search": data.get("q") or "",
            "notified": flag.get(data.get("notified") or ""),
            "received": flag.get(data.get("received") or ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "customer": data.get("customer"),
        }


class ShipmentForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    """The shipment header plus, per open order line, quantity shipped, checked and damaged."""

    ship_date = forms.DateField(label=_("Ship date"), widget=DATE_WIDGET)
    carrier = forms.CharField(label=_("Carrier"), max_length=50)
    carrier_phone = forms.CharField(label=_("Carrier phone"), max_length=30)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=50, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    HEADER = ("ship_date", "carrier", "carrier_phone", "tracking_number", "notes")

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ship_date"].initial = timezone.localdate()
        self.order_lines = list(lines)
        self._posted_lines: list[int] = []
        for line in self.order_lines:
            for kind, label in (
                ("quantity", _("Quantity shipped")),
                ("checked_quantity", _("Checked")),
                ("damaged_quantity", _("Damaged")),
            ):
                field = forms.IntegerField(label=label, required=False, min_value=0)
                field.widget.attrs.update(
                    {
                        "class": "form-control form-control-sm",
                        "inputmode": "numeric",
                        "aria-label": f"{label} · {line.line_no} {line.product.code}",
                    }
                )
                self.fields[f"{kind}_{line.pk}"] = field

    def line_rows(self) -> list[dict]:
        """Per open line: the line and its three bound fields (for the template)."""
        return [
            {
                "line": line,
                "quantity": self[f"quantity_{line.pk}"],
                "checked_quantity": self[f"checked_quantity_{line.pk}"],
                "damaged_quantity": self[f"damaged_quantity_{line.pk}"],
            }
            for line in self.order_lines
        ]

    def header(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.HEADER}

    def lines_data(self) -> list[dict]:
        """Lines with a quantity entered, in order; blank or 0 means 'not in this shipment'."""
        out = []
        self._posted_lines = []
        for line in self.order_lines:
            quantity = self.cleaned_data.get(f"quantity_{line.pk}")
            if not quantity:
                continue
            self._posted_lines.append(line.pk)
            out.append(
                {
                    "order_line": line.pk,
                    "quantity": quantity,
                    "checked_quantity": self.cleaned_data.get(f"checked_quantity_{line.pk}"),
                    "damaged_quantity": self.cleaned_data.get(f"damaged_quantity_{line.pk}") or 0,
                }
            )
        return out

    def service_field(self, key: str) -> str | None:
        if key.startswith("lines."):
            parts = key.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(self._posted_lines):
                pk = self._posted_lines[int(parts[1])]
                kind = "quantity" if parts[2] == "order_line" else parts[2]
                name = f"{kind}_{pk}"
                return name if name in self.fields else None
            return None
        return super().service_field(key)


class NoticeForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=NoticeChannel.choices, initial=NoticeChannel.EMAIL
    )
    recipients = forms.CharField(
        label=_("Sent to"),
        max_length=500,
        required=False,
        help_text=_("For a WeChat/QQ/SMS text: to whom you sent it."),
    )


class ReceiveForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    received_at = forms.DateTimeField(
        label=_("Signed for at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    received_by_name = forms.CharField(label=_("Signed for by"), max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
