"""Plans the whole demo in memory, then writes it in bulk with history."""

from __future__ import annotations

from salesdesk.core.demo_builder import BATCH, DemoBuilder, write_with_history

from ..models import Contact, Customer, FollowUp, Lead, LeadStageChange, Mailing
from .activity import ActivityMixin
from .files import FilesMixin


class Builder(DemoBuilder, FilesMixin, ActivityMixin):
    """Plans every record in memory (`plan`), then writes them in bulk (`write`)."""

    label = "customers"

    def __init__(self, ctx):
        super().__init__(ctx)
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
        write_with_history(
            (Customer, self.customers),
            (Contact, contacts),
            (Lead, self.leads),
            (Mailing, self.mailings),
            (FollowUp, self.followups),
        )
        LeadStageChange.objects.bulk_create(self.stage_changes, batch_size=BATCH)
        self.ctx.data["customers"] = self.customers
        self.ctx.counts += [
            ("customers", len(self.customers)),
            ("contacts", len(contacts)),
            ("leads", len(self.leads)),
            ("mailings", len(self.mailings)),
            ("follow-ups", len(self.followups)),
        ]
