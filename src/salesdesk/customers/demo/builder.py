"""Plans the whole demo in memory, then writes it in bulk with history."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..models import Contact, Customer, FollowUp, Lead, LeadStageChange, Mailing
from .activity import ActivityMixin
from .files import FilesMixin

BATCH = 1000


@contextmanager
def _explicit_timestamps(*models):
    """Let bulk_create keep our created_at/updated_at: the demo spreads records over years."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Builder(FilesMixin, ActivityMixin):
    """Plans every record in memory (`plan`), then writes them in bulk (`write`)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng("customers")
        self.now = ctx.now
        self.today = ctx.today
        self.tz = timezone.get_current_timezone()
        self.users = ctx.users
        self.customers: list[Customer] = []
        self.contacts: dict[int, list[Contact]] = {}  # index in self.customers -> contacts
        self.leads: list[Lead] = []
        self.stage_changes: list[LeadStageChange] = []
        self.mailings: list[Mailing] = []
        self.followups: list[FollowUp] = []
        self._names: set[str] = set()
        self._codes: set[str] = set()
        self._festivals = self._festival_dates()

    # ---- writing ---------------------------------------------------------------------
    def write(self) -> None:
        for c in self.customers:
            c._history_date = c.created_at
            c._history_user = c.created_by
        contacts = []
        for index, customer in enumerate(self.customers):
            for contact in self.contacts[index]:
                contact.customer = customer
                contact._history_date = contact.created_at
                contact._history_user = customer.created_by
                contacts.append(contact)
        with _explicit_timestamps(Customer, Contact, Lead, Mailing, FollowUp):
            bulk_create_with_history(self.customers, Customer, batch_size=BATCH)
            bulk_create_with_history(contacts, Contact, batch_size=BATCH)
            bulk_create_with_history(self.leads, Lead, batch_size=BATCH)
            LeadStageChange.objects.bulk_create(self.stage_changes, batch_size=BATCH)
            bulk_create_with_history(self.mailings, Mailing, batch_size=BATCH)
            bulk_create_with_history(self.followups, FollowUp, batch_size=BATCH)
        self.ctx.data["customers"] = self.customers
        self.ctx.counts += [
            ("customers", len(self.customers)),
            ("contacts", len(contacts)),
            ("leads", len(self.leads)),
            ("mailings", len(self.mailings)),
            ("follow-ups", len(self.followups)),
        ]
