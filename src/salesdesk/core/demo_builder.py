"""Helpers of the apps' demo builders (see core.management.commands.demo).

Not named core/demo.py: that name would make core an app with a demo of its own."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

BATCH = 1000


class DemoBuilder:
    """What every app's builder starts from: the context, its own random stream and the clock."""

    label = ""  # the app's random stream: ctx.rng(label)

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng(self.label)
        self.now = ctx.now
        self.today = ctx.today
        self.tz = timezone.get_current_timezone()
        self.users = ctx.users


@contextmanager
def explicit_timestamps(*models):
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


def write_with_history(*batches) -> None:
    """Write each (model, objects) in turn with their history rows, dated and signed by each
    object's `_history_date` and `_history_user`, keeping the demo's own timestamps."""
    with explicit_timestamps(*(model for model, _objects in batches)):
        for model, objects in batches:
            bulk_create_with_history(objects, model, batch_size=BATCH)
