"""Customer files, contacts, the new-customer pipeline, mailings and follow-ups (R-1..R-3)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salesdesk.core.validators import validate_credit_code, validate_mobile, validate_phone

from .choices import (
    Channel,
    CustomerStatus,
    CustomerType,
    DecisionRole,
    FollowUpKind,
    Industry,
    LostReason,
    MailingKind,
    Province,
    Source,
    Stage,
    Tier,
)

USER = settings.AUTH_USER_MODEL


class Customer(models.Model):
    """One customer file on the department's standard template (R-1.1)."""

    code = models.CharField(_("customer code"), max_length=20, unique=True)
    name = models.CharField(_("full name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    # Stored at write time: pypinyin is slow per row and wrong for some surnames, so
    # searching must hit stored columns (see pitfalls).
    name_pinyin = models.CharField(max_length=300, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[validate_credit_code],
    )
    type = models.CharField(
        _("type"), max_length=20, choices=CustomerType.choices, default=CustomerType.END
    )
    # "key" sorts before "ordinary": ordering by tier puts key accounts first.
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.ORDINARY)
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    province = models.CharField(_("province"), max_length=10, choices=Province.choices, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    owner = models.ForeignKey(
        USER,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), null=True, blank=True
    )
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    invoice_title = models.CharField(_("invoice title"), max_length=100, blank=True)
    invoice_tax_number = models.CharField(_("taxpayer number"), max_length=20, blank=True)
    invoice_address = models.CharField(_("invoice address"), max_length=200, blank=True)
    invoice_phone = models.CharField(
        _("invoice phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    invoice_bank = models.CharField(_("bank"), max_length=100, blank=True)
    invoice_account = models.CharField(_("bank account"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    completeness = models.PositiveSmallIntegerField(_("completeness"), default=0, editable=False)
    # Kept by the order services: a customer list at 100k files cannot take MAX() per row.
    last_order_date = models.DateField(_("last order"), null=True, blank=True, editable=False)
    last_followup_at = models.DateTimeField(
        _("last follow-up"), null=True, blank=True, editable=False
    )
    next_followup_on = models.DateField(_("next follow-up"), null=True, blank=True, editable=False)
    next_followup_kind = models.CharField(
        _("next follow-up kind"),
        max_length=20,
        choices=FollowUpKind.choices,
        blank=True,
        editable=False,
    )
    next_followup_note = models.CharField(
        _("next step"), max_length=200, blank=True, editable=False
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["tier", "name", "id"]
        indexes = [
            # The lists read live files only; partial indexes keep archived ones out of the sort and count.
            models.Index(
                fields=["tier", "name", "id"],
                condition=Q(archived_at__isnull=True),
                name="customer_live_list_idx",
            ),
            models.Index(
                fields=["owner", "tier", "name", "id"],
                condition=Q(archived_at__isnull=True),
                name="customer_live_owner_idx",
            ),
            # The list filtered by region and status (the assistant's usual cut): counted and
            # paged in list order from this index (0.7 ms against 19 ms for 10k files of a
            # province at full scale); status alone skips through it.
            models.Index(
                fields=["province", "status", "tier", "name", "id"],
                condition=Q(archived_at__isnull=True),
                name="customer_live_region_idx",
            ),
            # Lists of rows hanging off customers (contacts, archived and live files together)
            # walk customers in this order and join their rows.
            models.Index(fields=["tier", "name", "id"], name="customer_tier_name_idx"),
            models.Index(
                fields=["tier", "completeness", "name", "id"],
                condition=Q(archived_at__isnull=True),
                name="customer_gaps_list_idx",
            ),
            models.Index(
                fields=["tier", "next_followup_on", "name", "id"],
                condition=Q(archived_at__isnull=True, next_followup_on__isnull=False),
                name="customer_due_idx",
            ),
            models.Index(fields=["next_followup_on"], name="customer_next_followup_idx"),
            models.Index(fields=["name"], name="customer_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True, archived_by__isnull=True)
                | Q(archived_at__isnull=False, archived_by__isnull=False),
                name="customer_archived_pair",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customer_credit_limit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_key_account(self) -> bool:
        return self.tier == Tier.KEY

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Contact(models.Model):
    """A person at a customer (R-1.1)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile"), max_length=20, blank=True, db_index=True, validators=[validate_mobile]
    )
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, db_index=True, validators=[validate_phone]
    )
    email = models.EmailField(_("email"), blank=True)
    qq = models.CharField(_("QQ"), max_length=15, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=50, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    decision_role = models.CharField(
        _("decision role"), max_length=20, choices=DecisionRole.choices, blank=True
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        indexes = [models.Index(fields=["name"], name="contact_name_idx")]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    """A customer's way from first found to won or lost (R-2.1). Its owner is the customer's."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="leads", verbose_name=_("customer")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.FOUND)
    lost_reason = models.CharField(
        _("lost reason"), max_length=20, choices=LostReason.choices, blank=True
    )
    lost_note = models.CharField(_("lost note"), max_length=200, blank=True)
    expected_value = models.DecimalField(
        _("expected annual value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stage_changed_at = models.DateTimeField(_("stage changed"), db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-stage_changed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(closed_at__isnull=True),
                name="lead_one_open_per_customer",
            ),
            models.CheckConstraint(
                condition=(Q(stage=Stage.LOST) & ~Q(lost_reason=""))
                | (~Q(stage=Stage.LOST) & Q(lost_reason="")),
                name="lead_lost_reason_iff_lost",
            ),
            models.CheckConstraint(
                condition=(Q(stage__in=[Stage.WON, Stage.LOST]) & Q(closed_at__isnull=False))
                | (~Q(stage__in=[Stage.WON, Stage.LOST]) & Q(closed_at__isnull=True)),
                name="lead_closed_iff_won_or_lost",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer.name} · {self.get_stage_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class LeadStageChange(models.Model):
    """Every move of a lead between stages, for the biweekly review (R-2.4)."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField(_("changed"), db_index=True)
    changed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage or '-'} → {self.to_stage}"


class Mailing(models.Model):
    """Samples or brochures posted to a customer and the feedback awaited (R-2.2)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="mailings", verbose_name=_("customer")
    )
    lead = models.ForeignKey(
        Lead,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailings",
        verbose_name=_("lead"),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=MailingKind.choices, default=MailingKind.SAMPLE
    )
    items = models.CharField(_("items sent"), max_length=200)
    courier = models.CharField(_("courier"), max_length=50)
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    sent_on = models.DateField(_("sent on"))
    feedback_due_on = models.DateField(_("feedback expected by"), null=True, blank=True)
    feedback_received_on = models.DateField(_("feedback received on"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-sent_on", "-id"]
        indexes = [
            models.Index(
                fields=["feedback_received_on", "feedback_due_on"], name="mailing_awaiting_idx"
            ),
            # The mailings list (key accounts read apart, selectors/key_first.py) walks it.
            models.Index(fields=["-sent_on", "-id"], name="mailing_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback_due_on__isnull=True)
                | Q(feedback_due_on__gte=models.F("sent_on")),
                name="mailing_feedback_due_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.customer.name} ({self.sent_on})"


class FollowUp(models.Model):
    """One contact with a customer: channel, outcome and the next step (R-3.1)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="followups", verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("contact"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(
        _("kind"), max_length=20, choices=FollowUpKind.choices, default=FollowUpKind.FOLLOW_UP
    )
    occurred_at = models.DateTimeField(_("when"))
    summary = models.TextField(_("what was said"))
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    next_date = models.DateField(_("next follow-up date"), null=True, blank=True)
    next_kind = models.CharField(
        _("next follow-up kind"), max_length=20, choices=FollowUpKind.choices, blank=True
    )
    next_action = models.CharField(_("next step"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="followup_customer_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="followup_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer.name} · {self.get_channel_display()} · {self.occurred_at:%Y-%m-%d}"
