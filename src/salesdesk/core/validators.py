"""Checks for Chinese business data: credit codes and phone numbers."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "").upper()


def validate_credit_code(value: str) -> None:
    """Unified social credit code (统一社会信用代码): 18 characters with a check character."""
    if not value:
        return
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code (18 characters, check character wrong or missing)."
            ),
            code="invalid_credit_code",
            params={"value": value},
        ) from exc


def _parse(value: str):
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value: str) -> str:
    """Keep what people type, minus stray spaces; a valid number is written the Chinese way."""
    value = (value or "").strip()
    number = _parse(value)
    if number is None or number.country_code != 86:
        return value
    parts = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).split(" ")
    if phonenumbers.number_type(number) in _MOBILE_TYPES:
        return "".join(parts)  # 13812345678
    if parts[0] in ("400", "800"):
        return "-".join(parts)  # 400-820-8820
    return parts[0] + "-" + "".join(parts[1:])  # 0571-88886666


def validate_mobile(value: str) -> None:
    """A mainland Chinese mobile number, 11 digits starting with 1."""
    if not value:
        return
    number = _parse(value)
    if number is None or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("%(value)s is not a valid mobile number (11 digits starting with 1)."),
            code="invalid_mobile",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    """A landline with its area code (0571-88886666), a 400/800 number, or a mobile."""
    if not value:
        return
    if _parse(value) is None:
        raise ValidationError(
            _(
                "%(value)s is not a valid phone number (landline with area code, e.g. 0571-88886666, or a 400 number)."
            ),
            code="invalid_phone",
            params={"value": value},
        )
