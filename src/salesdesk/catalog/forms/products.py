"""Forms for products. They parse input; the rules live in catalog.services.products."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.core.forms import (
    BootstrapMixin,
    SectionsMixin,
    ServiceErrorsMixin,
    archived_field,
    archived_filter,
    sort_field,
)

from ..models import Product
from ..selectors.products import MONEY_SORTS, SORTS
from ..services.products import PRODUCT_FIELDS

_ProductFields = type(
    "_ProductFields",
    (forms.Form,),
    forms.fields_for_model(
        Product,
        fields=PRODUCT_FIELDS,
        widgets={"notes": forms.Textarea(attrs={"rows": 2})},
    ),
)


class ProductForm(SectionsMixin, ServiceErrorsMixin, BootstrapMixin, _ProductFields):
    """A product with its carton spec."""

    SECTIONS = (
        (_("Product"), ("code", "name", "unit", "list_price", "min_stock")),
        (_("Carton spec"), ("length_mm", "width_mm", "height_mm", "flute", "ply", "material")),
        (_("Sample approval"), ("is_new", "needs_approval")),
        (_("Notes"), ("notes",)),
    )

    def __init__(self, *args, product: Product | None = None, **kwargs):
        if product is not None:
            kwargs.setdefault("initial", forms.model_to_dict(product, fields=PRODUCT_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields["list_price"].required = False
        self.fields["min_stock"].required = False
        self.fields["list_price"].help_text = _("Yuan per unit, up to 4 decimal places.")
        self.fields["is_new"].help_text = _(
            "A new product needs each customer's sample approval before it ships."
        )
        self.fields["needs_approval"].help_text = _(
            "Clear it when the product no longer needs approval. Changing the size, flute, ply or material sets it again."
        )
        for name in ("length_mm", "width_mm", "height_mm"):
            self.fields[name].widget.attrs.setdefault("inputmode", "numeric")

    def product_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PRODUCT_FIELDS if name in self.fields}


_YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


class ProductFilterForm(BootstrapMixin, forms.Form):
    """The list's search box and filters (GET). Invalid values are ignored, not errors."""

    search = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.SearchInput(
            attrs={"placeholder": _("Code, name or pinyin"), "autocomplete": "off"}
        ),
    )
    is_new = forms.ChoiceField(choices=_YES_NO, required=False, label=_("New product"))
    needs_approval = forms.ChoiceField(choices=_YES_NO, required=False, label=_("Needs approval"))
    archived = archived_field(live=_("Live products"), archived=_("Archived products"))
    sort = sort_field(SORTS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not roles.sees_money(user):
            self.fields["sort"].choices = [
                c for c in self.fields["sort"].choices if c[0] not in MONEY_SORTS
            ]
        self.is_valid()

    def filters(self) -> dict:
        """Keyword arguments for catalog.selectors.products.product_list (valid values only)."""
        data = self.cleaned_data
        flag = {"1": True, "0": False}
        return {
            "search": data.get("search", ""),
            "is_new": flag.get(data.get("is_new", "")),
            "needs_approval": flag.get(data.get("needs_approval", "")),
            "archived": archived_filter(data.get("archived")),
            "sort": data.get("sort", ""),
        }
