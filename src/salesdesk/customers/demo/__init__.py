"""Demo customers for a corrugated-carton factory's sales department (core demo command).

About 200 customers (x10 for --size large) across the provinces the factory sells to, with
contacts, leads in every stage and their stage history, sample and brochure mailings and a
year of follow-ups. Names, codes and numbers depend only on the seed; dates are relative to
the day the demo is built. Derived columns are computed the way the services compute them:
pinyin from text.pinyin_of, completeness from completeness.score, the next follow-up from
the latest follow-up.
"""

from .builder import Builder


def build(ctx) -> None:
    """Customers with contacts, leads, mailings and follow-ups for the demo department."""
    builder = Builder(ctx)
    builder.plan()
    builder.write()
