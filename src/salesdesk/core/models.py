"""Shared records: an uploaded import sheet waiting between preview and confirm (C-2)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportUpload(models.Model):
    """An .xlsx file someone uploaded to import; kept in the database (not on disk) so any
    app server can show the preview and apply it on confirm."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind=""), name="import_upload_kind_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class NumberSequence(models.Model):
    """The last number used in a document series (orders SO2026000001, shipments ...)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}: {self.last}"
