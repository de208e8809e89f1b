"""Which fields of a customer file and a contact people write (services, API, export)."""

# What a person may write on a customer file; everything else is derived or kept by the system.
CUSTOMER_FIELDS = (
    "code",
    "name",
    "short_name",
    "credit_code",
    "type",
    "tier",
    "status",
    "source",
    "province",
    "city",
    "address",
    "industry",
    "owner",
    "payment_terms_days",
    "credit_limit",
    "invoice_title",
    "invoice_tax_number",
    "invoice_address",
    "invoice_phone",
    "invoice_bank",
    "invoice_account",
    "notes",
)
CONTACT_FIELDS = (
    "name",
    "title",
    "mobile",
    "phone",
    "email",
    "qq",
    "wechat",
    "birthday",
    "decision_role",
    "is_primary",
)

# The Excel export of the list: the company part of the template, then how the file stands.
EXPORT_FIELDS = (
    *CUSTOMER_FIELDS[: CUSTOMER_FIELDS.index("credit_limit") + 1],
    "completeness",
    "last_followup_at",
    "created_at",
)
# The first contact entered with a new file, and the contact columns of the export.
FIRST_CONTACT_FIELDS = CONTACT_FIELDS[:5]  # name, title, mobile, phone, email
