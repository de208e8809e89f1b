"""`salesdesk demo`: fill an empty database with a believable carton factory's sales department.

Each SalesDesk app may ship a `demo.py` with `build(ctx: DemoContext) -> None`; they run in
INSTALLED_APPS order (accounts first, then customers, then later modules that hang off
customers), inside one transaction. Every app draws from its own random stream
(`ctx.rng("<app>")`), so adding an app's demo never changes another app's data for a seed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

SIZES = {"small": 1, "large": 10}
DEFAULT_SEED = 2026
# No 0/O, 1/l/I: the password is read off a terminal and typed in.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class DemoContext:
    """What each app's demo builder gets: size, seed, clock, the users and what earlier apps made."""

    size: str
    seed: int
    password: str
    now: dt.datetime
    scale: int = 1
    users: dict[str, Any] = field(default_factory=dict)
    # Objects earlier builders made for later ones, e.g. data["customers"].
    data: dict[str, Any] = field(default_factory=dict)
    # (label, count) lines for the summary printed at the end.
    counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def rng(self, label: str) -> random.Random:
        """A random stream of its own per app: same seed and label, same numbers."""
        return random.Random(f"salesdesk-demo/{self.seed}/{label}")


def random_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))


def demo_builders() -> list[tuple[str, Any]]:
    """(app label, build function) of every SalesDesk app that has a demo module."""
    builders = []
    for config in apps.get_app_configs():
        if not config.name.startswith("salesdesk."):
            continue
        module_name = f"{config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        builders.append((config.label, importlib.import_module(module_name).build))
    return builders


def database_has_customers() -> bool:
    return apps.get_model("customers", "Customer").objects.exists()


@transaction.atomic
def build_demo(
    *,
    size: str = "small",
    seed: int = DEFAULT_SEED,
    password: str = "",
    now: dt.datetime | None = None,
) -> DemoContext:
    """Build the whole demo in one transaction and return what was made."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    ctx = DemoContext(
        size=size,
        seed=seed,
        password=password or random_password(),
        now=now or timezone.now(),
        scale=SIZES[size],
    )
    for _label, build in demo_builders():
        build(ctx)
    return ctx


class Command(BaseCommand):
    help = (
        "Fill an empty database with demo data: the users of a carton factory's sales "
        "department, customers with contacts, leads in every stage, sample mailings and a "
        "year of follow-ups. Refuses to run when customers exist (use --if-empty to skip quietly)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=list(SIZES),
            default="small",
            help="small: about 200 customers; large: about 2,000",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"same seed, same names, codes and numbers (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--password",
            default="",
            help="password of every demo user (default: a random one, printed once)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing, successfully, when any customer exists",
        )

    def handle(self, *args, size, seed, password, if_empty, **options):
        if database_has_customers():
            if if_empty:
                return
            raise CommandError(
                "The database already holds customers; the demo only fills an empty database. "
                "Use a fresh database (or --if-empty to skip quietly)."
            )
        ctx = build_demo(size=size, seed=seed, password=password)
        self._report(ctx, password_given=bool(password))

    def _report(self, ctx: DemoContext, *, password_given: bool) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS(f"SalesDesk demo ({ctx.size}, seed {ctx.seed}):"))
        for label, count in ctx.counts:
            out.write(f"  {count:>7,}  {label}")
        out.write("")
        rows = [("用户名 username", "角色 role", "姓名 name", "密码 password")]
        for user in ctx.users.values():
            fresh = getattr(user, "_demo_created", True)
            rows.append(
                (
                    user.username,
                    str(user.get_role_display()),
                    user.display_name,
                    ctx.password if fresh else "(existing user, unchanged)",
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            out.write(
                "  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
            )
        if not password_given:
            out.write("\nThe password is shown only now; set your own with --password.")


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
