"""What the customer page shows under the file: follow-ups, leads, mailings.

Interface (owned by the pipeline/follow-ups work): customer_activity(customer=, user=) -> dict
rendered by templates/customers/_customer_activity.html.
"""


def customer_activity(*, customer, user) -> dict:
    return {}
