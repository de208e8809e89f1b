"""Writes to customer files and their contacts (R-1.1, R-1.2, R-1.4).

Every function takes the acting person as `by`, checks what that role may do, keeps
history (django-simple-history, with the actor and a change reason) and raises
django.core.exceptions.ValidationError({field: [messages]}) on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.accounts.models import User
from salesdesk.core.validators import normalize_credit_code, normalize_phone

from ..codes import next_customer_codes
from ..completeness import score
from ..fields import CONTACT_FIELDS, CUSTOMER_FIELDS
from ..models import Contact, Customer
from ..text import pinyin_of

# Change reasons stored on history rows; customers.selectors.customers turns them into labels.
REASON_CREATE = "create"
REASON_UPDATE = "update"
REASON_ARCHIVE = "archive"
REASON_RESTORE = "restore"

DUPLICATE = "duplicate"
_QQ = re.compile(r"^[1-9][0-9]{4,11}$")
_SPACES = re.compile(r"[\s\u3000]+")


def name_key(name: str) -> str:
    """A name as the duplicate check compares it: no spaces (ASCII or full-width), lowercase."""
    return _SPACES.sub("", name or "").lower()


# --- permission -------------------------------------------------------------------------


def _require_editor(by, customer: Customer | None = None) -> None:
    if not roles.edits_customers(by):
        raise PermissionDenied(_("Your role cannot change customer files."))
    if customer is not None and not roles.sees_all_customers(by) and customer.owner_id != by.pk:
        raise PermissionDenied(_("This customer belongs to another salesperson."))


def _may_read(by, customer: Customer) -> bool:
    return roles.sees_all_customers(by) or (
        roles.reads_customers(by) and customer.owner_id == by.pk
    )


def _refuse_archived(customer: Customer) -> None:
    if customer.archived_at is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("This customer file is archived. Restore it before changing it.")
                ]
            }
        )


# --- helpers ----------------------------------------------------------------------------


def _check_keys(data: Mapping, allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _clean_str(value) -> str:
    return "" if value is None else str(value).strip()


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _full_clean(instance, errors: dict, *, exclude: Iterable[str] = (), prefix: str = "") -> None:
    """Run the model's own field checks (lengths, choices, validators) on fields not yet in error."""
    skip = {*exclude, *(k[len(prefix) :] for k in errors if k.startswith(prefix))}
    try:
        instance.full_clean(exclude=sorted(skip), validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            key = field if field == NON_FIELD_ERRORS else prefix + field
            for message in messages:
                _add(errors, key, message)


def _record(instance, by, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason


# --- customers --------------------------------------------------------------------------


def _apply_customer(customer: Customer, data: Mapping, errors: dict) -> None:
    """Copy the written fields onto the instance, normalized the department's way."""
    for field, value in data.items():
        if field == "owner":
            continue
        if field in ("payment_terms_days", "credit_limit"):
            setattr(customer, field, None if value in (None, "") else value)
            continue
        setattr(customer, field, _clean_str(value))
    if "name" in data:
        customer.name = re.sub(r"\s+", " ", customer.name)
        if not customer.name:
            _add(errors, "name", _("Enter the customer's full name."))
        customer.name_pinyin, customer.name_initials = pinyin_of(customer.name)
    if "credit_code" in data:
        customer.credit_code = normalize_credit_code(customer.credit_code)
    if "invoice_phone" in data:
        customer.invoice_phone = normalize_phone(customer.invoice_phone)
    if customer.credit_limit is not None:
        try:
            customer.credit_limit = Decimal(str(customer.credit_limit))
        except ArithmeticError:
            _add(errors, "credit_limit", _("Enter the credit limit as an amount in yuan."))
        else:
            if customer.credit_limit < 0:
                _add(errors, "credit_limit", _("The credit limit cannot be negative."))


def _resolve_owner(customer: Customer, data: Mapping, by, errors: dict) -> None:
    """A salesperson owns what they enter and cannot give it away; assigning is the office's job."""
    wanted = data.get("owner")
    if by.role in roles.OWNS_CUSTOMERS:
        wanted_id = wanted.pk if isinstance(wanted, User) else wanted
        if wanted_id is not None and wanted_id != by.pk:
            _add(
                errors,
                "owner",
                _(
                    "A salesperson owns the customers they enter and cannot give them to someone else."
                ),
            )
        customer.owner = by
        return
    if "owner" not in data:
        return
    if isinstance(wanted, int):
        wanted = User.objects.filter(pk=wanted).first()
        if wanted is None:
            _add(errors, "owner", _("There is no such person."))
            return
    if (wanted.pk if wanted else None) == customer.owner_id:
        return
    if not roles.assigns_owners(by):
        _add(errors, "owner", _("Only the sales assistant may assign a customer to a salesperson."))
    elif wanted is not None and (wanted.role not in roles.OWNS_CUSTOMERS or not wanted.is_active):
        _add(errors, "owner", _("The owner must be an active salesperson."))
    else:
        customer.owner = wanted


def _check_code(customer: Customer, errors: dict) -> None:
    if "code" in errors:
        return
    if not customer.code:
        customer.code = next_customer_codes(1)[0]
    elif Customer.objects.filter(code=customer.code).exclude(pk=customer.pk).exists():
        _add(
            errors,
            "code",
            _("The customer code %(code)s is already used by another file.")
            % {"code": customer.code},
        )


def _duplicates(customer: Customer) -> dict[str, Customer]:
    """Live files that are probably the same company: same name ignoring spaces, or same credit code."""
    others = (
        Customer.objects.filter(archived_at__isnull=True).exclude(pk=customer.pk).order_by("id")
    )
    found: dict[str, Customer] = {}
    key = name_key(customer.name)
    if key:
        squeezed = Lower(
            Replace(Replace("name", Value(" "), Value("")), Value("\u3000"), Value(""))
        )
        same = others.annotate(key=squeezed).filter(key=key).first()
        if same is not None:
            found["name"] = same
    if customer.credit_code:
        same = others.filter(credit_code=customer.credit_code).first()
        if same is not None:
            found["credit_code"] = same
    return found


def _check_duplicates(customer: Customer, by, errors: dict) -> None:
    """Warn on a likely duplicate; never name another salesperson's customer to someone who may not read it."""
    for field, other in _duplicates(customer).items():
        if field in errors:
            continue
        if _may_read(by, other):
            if field == "name":
                message = _("A customer with this name already exists: %(code)s %(name)s.")
            else:
                message = _(
                    "A customer with this unified social credit code already exists: %(code)s %(name)s."
                )
            message = message % {"code": other.code, "name": other.name}
        elif field == "name":
            message = _(
                "A customer with this name already exists and belongs to another salesperson. Ask the sales assistant before entering it again."
            )
        else:
            message = _(
                "A customer with this unified social credit code already exists and belongs to another salesperson. Ask the sales assistant before entering it again."
            )
        errors.setdefault(field, []).append(ValidationError(message, code=DUPLICATE))


def _save_customer(customer: Customer) -> None:
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Two people took the same code at once: tell the second one, as for a typed code.
        if Customer.objects.filter(code=customer.code).exclude(pk=customer.pk).exists():
            raise ValidationError(
                {
                    "code": [
                        _("The customer code %(code)s is already used by another file.")
                        % {"code": customer.code}
                    ]
                }
            ) from None
        raise


@transaction.atomic
def customer_create(
    *, by, data: Mapping, contacts: Iterable[Mapping] = (), confirm_duplicate: bool = False
) -> Customer:
    """Enter a new customer file: a code is given when blank, a salesperson owns it, likely duplicates are flagged."""
    _require_editor(by)
    _check_keys(data, CUSTOMER_FIELDS)
    errors: dict = {}
    customer = Customer(created_by=by)
    _apply_customer(customer, data, errors)
    _resolve_owner(customer, data, by, errors)
    _check_code(customer, errors)
    people = []
    for index, contact_data in enumerate(contacts):
        if not any(v not in (None, "", False) for v in contact_data.values()):
            continue  # an optional contact left empty
        contact = Contact()
        _apply_contact(contact, contact_data, errors, prefix=f"contacts.{index}.")
        people.append(contact)
    _full_clean(customer, errors, exclude=["owner"])
    if not confirm_duplicate:
        _check_duplicates(customer, by, errors)
    if errors:
        raise ValidationError(errors)
    if people and not any(p.is_primary for p in people):
        people[0].is_primary = True
    customer.completeness = score(customer, people)
    _record(customer, by, REASON_CREATE)
    _save_customer(customer)
    for contact in people:
        contact.customer = customer
        _record(contact, by, REASON_CREATE)
        contact.save()
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, by, data: Mapping, confirm_duplicate: bool = False
) -> Customer:
    """Change a file: only its owner or the office may; the owner changes only by assignment; duplicates are flagged."""
    _require_editor(by, customer)
    _refuse_archived(customer)
    _check_keys(data, CUSTOMER_FIELDS)
    old_name, old_credit_code = name_key(customer.name), customer.credit_code
    errors: dict = {}
    if "code" in data and not _clean_str(data["code"]):
        data = {k: v for k, v in data.items() if k != "code"}  # blank keeps the code it has
    _apply_customer(customer, data, errors)
    _resolve_owner(customer, data, by, errors)
    _check_code(customer, errors)
    _full_clean(customer, errors, exclude=["owner"])
    if not confirm_duplicate and (
        name_key(customer.name) != old_name or customer.credit_code != old_credit_code
    ):
        _check_duplicates(customer, by, errors)
    if errors:
        customer.refresh_from_db()
        raise ValidationError(errors)
    customer.completeness = score(
        customer, list(customer.contacts.filter(archived_at__isnull=True))
    )
    _record(customer, by, REASON_UPDATE)
    _save_customer(customer)
    return customer


@transaction.atomic
def customer_archive(*, customer: Customer, by) -> Customer:
    """Archive instead of delete: the file and its history stay, it leaves the working lists."""
    _require_editor(by, customer)
    if customer.archived_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This customer file is already archived.")]})
    customer.archived_at = timezone.now()
    customer.archived_by = by
    _record(customer, by, REASON_ARCHIVE)
    customer.save()
    return customer


@transaction.atomic
def customer_restore(*, customer: Customer, by) -> Customer:
    """Bring an archived file back into the working lists, with its history."""
    _require_editor(by, customer)
    if customer.archived_at is None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This customer file is not archived.")]})
    customer.archived_at = None
    customer.archived_by = None
    _record(customer, by, REASON_RESTORE)
    customer.save()
    return customer


@transaction.atomic
def customer_refresh_completeness(customer: Customer) -> int:
    """Store the file's completeness score (R-1.2) over its live contacts, for the gaps list."""
    value = score(customer, list(customer.contacts.filter(archived_at__isnull=True)))
    if value != customer.completeness:
        customer.completeness = value
        # A derived number, not somebody's edit: no history row, so the history shows people's changes.
        customer.save_without_historical_record(update_fields=["completeness"])
    return value


# --- contacts ---------------------------------------------------------------------------


def _apply_contact(contact: Contact, data: Mapping, errors: dict, *, prefix: str = "") -> None:
    _check_keys(data, CONTACT_FIELDS)
    for field, value in data.items():
        if field == "birthday":
            contact.birthday = value or None
        elif field == "is_primary":
            contact.is_primary = bool(value)
        else:
            setattr(contact, field, _clean_str(value))
    if "name" in data and not contact.name:
        _add(errors, prefix + "name", _("Enter the contact's name."))
    if "mobile" in data:
        contact.mobile = normalize_phone(contact.mobile)
    if "phone" in data:
        contact.phone = normalize_phone(contact.phone)
    if "email" in data:
        contact.email = contact.email.lower()
    if contact.qq and not _QQ.match(contact.qq):
        _add(errors, prefix + "qq", _("A QQ number is 5 to 12 digits."))
    _full_clean(contact, errors, exclude=["customer"], prefix=prefix)


def _one_primary(contact: Contact, by) -> None:
    """Only one primary contact per customer: the newly marked one takes over."""
    others = Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
        pk=contact.pk
    )
    for other in others:
        other.is_primary = False
        _record(other, by, REASON_UPDATE)
        other.save()


@transaction.atomic
def contact_create(*, customer: Customer, by, data: Mapping) -> Contact:
    """Add a person to a customer file; the first one becomes the primary contact."""
    _require_editor(by, customer)
    _refuse_archived(customer)
    errors: dict = {}
    contact = Contact(customer=customer)
    _apply_contact(contact, data, errors)
    if "name" not in data:
        _add(errors, "name", _("Enter the contact's name."))
    if errors:
        raise ValidationError(errors)
    if not customer.contacts.filter(archived_at__isnull=True).exists():
        contact.is_primary = True
    _record(contact, by, REASON_CREATE)
    contact.save()
    if contact.is_primary:
        _one_primary(contact, by)
    customer_refresh_completeness(customer)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by, data: Mapping) -> Contact:
    """Change a contact of a file the person may edit."""
    customer = contact.customer
    _require_editor(by, customer)
    _refuse_archived(customer)
    if contact.archived_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This contact is archived.")]})
    errors: dict = {}
    _apply_contact(contact, data, errors)
    if errors:
        contact.refresh_from_db()
        raise ValidationError(errors)
    _record(contact, by, REASON_UPDATE)
    contact.save()
    if contact.is_primary:
        _one_primary(contact, by)
    customer_refresh_completeness(customer)
    return contact


@transaction.atomic
def contact_archive(*, contact: Contact, by) -> Contact:
    """Archive a contact who left: kept with history, no longer counted or offered."""
    customer = contact.customer
    _require_editor(by, customer)
    if contact.archived_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This contact is already archived.")]})
    contact.archived_at = timezone.now()
    contact.is_primary = False
    _record(contact, by, REASON_ARCHIVE)
    contact.save()
    customer_refresh_completeness(customer)
    return contact
