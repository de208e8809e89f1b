"""Customer codes: C000001, C000002, ... unless the department gives its own."""

from django.db.models.functions import Length

CODE_PREFIX = "C"
CODE_DIGITS = 6


def next_customer_codes(count: int = 1) -> list[str]:
    """The next `count` free codes in the C000000 series (call inside the writing transaction)."""
    from .models import Customer

    last = (
        Customer.objects.filter(code__regex=rf"^{CODE_PREFIX}[0-9]{{{CODE_DIGITS}}}$")
        .annotate(n=Length("code"))
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    start = int(last[len(CODE_PREFIX) :]) + 1 if last else 1
    return [f"{CODE_PREFIX}{n:0{CODE_DIGITS}d}" for n in range(start, start + count)]
