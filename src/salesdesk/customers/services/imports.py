"""Writes of the customer import (C-2): check a workbook, import it all or nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts import roles
from salesdesk.core import imports as engine
from salesdesk.core.imports import ImportResult
from salesdesk.core.models import ImportUpload

from .. import imports as customer_imports

KIND = customer_imports.KIND


def _ensure_may_import(by) -> None:
    if not roles.edits_customers(by):
        raise PermissionDenied(_("You may not import customers."))


def customer_import(
    *, by, content: bytes, filename: str = "", dry_run: bool = True
) -> ImportResult:
    """All or nothing: any error in any row of either sheet and nothing is written; a dry run
    never writes. Re-import updates by customer code and keeps the owner."""
    _ensure_may_import(by)
    return engine.run_import(
        build=lambda result: customer_imports.build_plan(by=by, content=content, result=result),
        apply=lambda plan: customer_imports.apply_plan(plan, by=by),
        dry_run=dry_run,
    )


def customer_import_upload(*, by, content: bytes, filename: str) -> ImportUpload:
    """Keep an uploaded customer workbook for its preview; only readable .xlsx files are kept."""
    _ensure_may_import(by)
    return engine.upload_store(by=by, kind=KIND, filename=filename, content=content)


@transaction.atomic
def customer_import_confirm(*, by, upload: ImportUpload) -> ImportResult:
    """Only the uploader confirms, once: checked again against today's data, then imported
    all or nothing; an invalid file stays unconfirmed."""
    _ensure_may_import(by)
    return engine.upload_confirm(
        by=by,
        upload=upload,
        run=lambda locked: customer_import(
            by=by, content=bytes(locked.content), filename=locked.filename, dry_run=False
        ),
    )


def import_template() -> bytes:
    """The .xlsx template: 客户 and 联系人 sheets with Chinese headers and an example row each,
    and a sheet of allowed values for the choice columns."""
    return customer_imports.template_bytes()
