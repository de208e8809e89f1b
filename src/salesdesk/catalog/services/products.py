"""Writes to products (R-4.1) and the spec-change rule behind sample approval (R-3.4).

Every function takes the acting person as `by`, checks the role may keep products, keeps
history (django-simple-history, with the actor and a change reason) and raises
django.core.exceptions.ValidationError({field: [messages]}) on bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.customers.text import pinyin_of

from ..models import Product

# What a person may write on a product; pinyin, revision and stamps are kept by the system.
PRODUCT_FIELDS = (
    "code",
    "name",
    "length_mm",
    "width_mm",
    "height_mm",
    "flute",
    "ply",
    "material",
    "unit",
    "list_price",
    "min_stock",
    "is_new",
    "needs_approval",
    "notes",
)
# A change of any of these makes a new revision that customers must approve again.
SPEC_FIELDS = ("length_mm", "width_mm", "height_mm", "flute", "ply", "material")
DIMENSIONS = ("length_mm", "width_mm", "height_mm")
PRICE_PLACES = 4

REASON_CREATE = "create"
REASON_UPDATE = "update"
REASON_SPEC = "spec"
REASON_ARCHIVE = "archive"
REASON_RESTORE = "restore"
REASON_IMPORT = "Excel import"


def require_product_editor(by) -> None:
    if not roles.edits_products(by):
        raise PermissionDenied(_("Your role cannot change products."))


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _clean_str(value) -> str:
    return "" if value is None else str(value).strip()


def parse_price(value) -> Decimal:
    """A list price as Decimal yuan with at most four places; ValueError names the problem."""
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, float):
        value = repr(value)
    try:
        price = Decimal(str(value).strip().replace(",", "").lstrip("¥￥"))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Enter the list price as an amount in yuan, e.g. 0.8560.")) from None
    if not price.is_finite():
        raise ValueError(_("Enter the list price as an amount in yuan, e.g. 0.8560."))
    if price < 0:
        raise ValueError(_("The list price cannot be negative."))
    if price.as_tuple().exponent < -PRICE_PLACES and price != price.quantize(
        Decimal(1).scaleb(-PRICE_PLACES)
    ):
        raise ValueError(_("The list price has at most 4 decimal places."))
    if price >= Decimal(10) ** 8:
        raise ValueError(_("The list price is too large."))
    return price.quantize(Decimal(1).scaleb(-PRICE_PLACES))


def check_dimensions(values: Mapping, errors: dict, *, add=None) -> None:
    """L×W×H in whole millimetres above zero, given all three or none."""
    add = add or (lambda field, message: _add(errors, field, message))
    given = {f: values.get(f) for f in DIMENSIONS if values.get(f) not in (None, "")}
    for field, value in given.items():
        try:
            too_small = int(value) <= 0
        except (TypeError, ValueError):
            continue  # not a number: the model's own check names it
        if too_small:
            add(field, _("A dimension must be more than 0 mm."))
    if given and len(given) < len(DIMENSIONS):
        for field in DIMENSIONS:
            if field not in given:
                add(field, _("Enter length, width and height together, or none of them."))


def spec_changed(product: Product, old: Mapping) -> bool:
    return any(getattr(product, f) != old[f] for f in SPEC_FIELDS)


def _spec_of(product: Product) -> dict:
    return {f: getattr(product, f) for f in SPEC_FIELDS}


def _apply(product: Product, data: Mapping, errors: dict) -> None:
    """Copy written fields onto the instance, normalized; collect field errors."""
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        if field in DIMENSIONS or field in ("ply",):
            setattr(product, field, None if value in (None, "") else value)
        elif field == "min_stock":
            setattr(product, field, 0 if value in (None, "") else value)
        elif field in ("is_new", "needs_approval"):
            setattr(product, field, bool(value))
        elif field == "list_price":
            try:
                product.list_price = parse_price(value)
            except ValueError as exc:
                _add(errors, "list_price", exc.args[0])
        else:
            setattr(product, field, _clean_str(value))
    if "code" in data and not product.code:
        _add(errors, "code", _("Enter the product code."))
    if "name" in data:
        product.name = " ".join(product.name.split())
        if not product.name:
            _add(errors, "name", _("Enter the product name."))
        product.name_pinyin, product.name_initials = pinyin_of(product.name)
    check_dimensions({f: getattr(product, f) for f in DIMENSIONS}, errors)


def _check_code(product: Product, errors: dict) -> None:
    if "code" in errors or not product.code:
        return
    if Product.objects.filter(code=product.code).exclude(pk=product.pk).exists():
        _add(errors, "code", _code_taken(product.code))


def _code_taken(code: str):
    return _("The product code %(code)s is already used by another product.") % {"code": code}


def _full_clean(product: Product, errors: dict) -> None:
    """The model's own checks (lengths, choices, digits) on fields not yet in error."""
    try:
        product.full_clean(
            exclude=sorted(errors), validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                _add(errors, field, message)


def _save(product: Product, by, reason: str) -> None:
    product._history_user = by
    product._change_reason = reason
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        # Two people typed the same new code at once: tell the second one.
        if Product.objects.filter(code=product.code).exclude(pk=product.pk).exists():
            raise ValidationError({"code": [_code_taken(product.code)]}) from None
        raise


@transaction.atomic
def product_create(*, by, data: Mapping) -> Product:
    """Enter a product: the code is unique; a new product needs each customer's sample approval before it ships."""
    require_product_editor(by)
    errors: dict = {}
    product = Product()
    _apply(product, data, errors)
    if "code" not in data:
        _add(errors, "code", _("Enter the product code."))
    if "name" not in data:
        _add(errors, "name", _("Enter the product name."))
    _check_code(product, errors)
    _full_clean(product, errors)
    if errors:
        raise ValidationError(errors)
    if product.is_new:
        product.needs_approval = True
    _save(product, by, REASON_CREATE)
    return product


@transaction.atomic
def product_update(*, product: Product, by, data: Mapping) -> Product:
    """Change a product: a spec change (size, flute, ply, material) makes a new revision that needs approval again."""
    require_product_editor(by)
    if product.archived_at is not None:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This product is archived. Restore it before changing it.")]}
        )
    old_spec, was_new = _spec_of(product), product.is_new
    errors: dict = {}
    _apply(product, data, errors)
    _check_code(product, errors)
    _full_clean(product, errors)
    if errors:
        product.refresh_from_db()
        raise ValidationError(errors)
    reason = REASON_UPDATE
    if spec_changed(product, old_spec):
        product.revision += 1
        product.needs_approval = True
        reason = REASON_SPEC
    elif product.is_new and not was_new:
        product.needs_approval = True
    _save(product, by, reason)
    return product


@transaction.atomic
def product_archive(*, product: Product, by) -> Product:
    """Archive instead of delete: orders keep the product, new orders no longer offer it."""
    require_product_editor(by)
    if product.archived_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This product is already archived.")]})
    product.archived_at = timezone.now()
    _save(product, by, REASON_ARCHIVE)
    return product


@transaction.atomic
def product_restore(*, product: Product, by) -> Product:
    """Bring an archived product back into the list and the order entry."""
    require_product_editor(by)
    if product.archived_at is None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This product is not archived.")]})
    product.archived_at = None
    _save(product, by, REASON_RESTORE)
    return product
