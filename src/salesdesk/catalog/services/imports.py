"""Writes of the product import (R-4.1, C-2): check a workbook, import it all or nothing."""

from __future__ import annotations

from django.db import transaction

from salesdesk.core import imports as engine
from salesdesk.core.imports import ImportResult
from salesdesk.core.models import ImportUpload

from .. import imports as product_imports
from .products import require_product_editor

KIND = product_imports.KIND


def product_import(*, by, content: bytes, dry_run: bool = True) -> ImportResult:
    """All or nothing: any error in any row and nothing is written; a dry run never writes.
    Re-import updates by product code; a spec change makes a new revision that needs approval."""
    require_product_editor(by)
    return engine.run_import(
        build=lambda result: product_imports.build_plan(content=content, result=result),
        apply=lambda plan: product_imports.apply_plan(plan, by=by),
        dry_run=dry_run,
    )


def product_import_upload(*, by, content: bytes, filename: str) -> ImportUpload:
    """Keep an uploaded product workbook for its preview; only readable .xlsx files are kept."""
    require_product_editor(by)
    return engine.upload_store(by=by, kind=KIND, filename=filename, content=content)


@transaction.atomic
def product_import_confirm(*, by, upload: ImportUpload) -> ImportResult:
    """Only the uploader confirms, once: checked again against today's data, then imported
    all or nothing; an invalid file stays unconfirmed."""
    require_product_editor(by)
    return engine.upload_confirm(
        by=by,
        upload=upload,
        run=lambda locked: product_import(by=by, content=bytes(locked.content), dry_run=False),
    )


def import_template() -> bytes:
    """The .xlsx template: sheet 产品 with Chinese headers and an example row, and the allowed values."""
    return product_imports.template_bytes()
