"""Every business rule of the customer-file services (R-1.1, R-1.2, R-1.4), tested directly."""

from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import translation

from salesdesk.accounts.roles import Role
from salesdesk.customers.choices import DecisionRole, Tier
from salesdesk.customers.completeness import CHECKS
from salesdesk.customers.models import Contact, Customer
from salesdesk.customers.services.customers import (
    contact_archive,
    contact_create,
    contact_update,
    customer_archive,
    customer_create,
    customer_refresh_completeness,
    customer_restore,
    customer_update,
)
from tests.factories import ContactFactory, CustomerFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# --- codes and names --------------------------------------------------------------------


def test_blank_code_gets_the_next_free_code(salesperson):
    first = customer_create(by=salesperson, data={"name": "杭州甲包装有限公司", "code": ""})
    second = customer_create(by=salesperson, data={"name": "宁波乙纸品有限公司"})
    assert first.code == "C000001"
    assert second.code == "C000002"


def test_typed_code_is_kept_and_must_be_unique(salesperson):
    CustomerFactory(code="K-001", owner=salesperson)
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "新公司", "code": "K-001"})
    assert "K-001" in errors_of(exc)["code"][0]
    assert Customer.objects.count() == 1
    assert (
        customer_create(by=salesperson, data={"name": "新公司", "code": " K-002 "}).code == "K-002"
    )


def test_blank_code_on_update_keeps_the_code(salesperson):
    customer = customer_create(by=salesperson, data={"name": "杭州甲包装有限公司"})
    customer_update(customer=customer, by=salesperson, data={"code": "", "city": "杭州"})
    customer.refresh_from_db()
    assert customer.code == "C000001"
    assert customer.city == "杭州"


def test_name_is_stripped_and_pinyin_stored(salesperson):
    customer = customer_create(by=salesperson, data={"name": "  杭州  包装有限公司 "})
    assert customer.name == "杭州 包装有限公司"
    assert customer.name_pinyin == "hangzhoubaozhuangyouxiangongsi"
    assert customer.name_initials == "hzbzyxgs"


def test_name_is_required(salesperson):
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "   "})
    assert "name" in errors_of(exc)
    assert Customer.objects.count() == 0


# --- credit code, phones, money ---------------------------------------------------------


def test_credit_code_is_normalized_and_checked(salesperson):
    code = make_credit_code(7)
    spaced = f"{code[:6]} {code[6:]}".lower()
    customer = customer_create(by=salesperson, data={"name": "甲公司", "credit_code": spaced})
    assert customer.credit_code == code

    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "乙公司", "credit_code": broken})
    assert "credit_code" in errors_of(exc)
    assert Customer.objects.count() == 1


def test_invoice_phone_is_normalized_and_checked(salesperson):
    customer = customer_create(
        by=salesperson, data={"name": "甲公司", "invoice_phone": "0571 8888 6666"}
    )
    assert customer.invoice_phone == "0571-88886666"
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "乙公司", "invoice_phone": "12345"})
    assert "invoice_phone" in errors_of(exc)


def test_credit_limit_cannot_be_negative(salesperson):
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "甲公司", "credit_limit": Decimal("-1.00")})
    assert "credit_limit" in errors_of(exc)
    customer = customer_create(
        by=salesperson, data={"name": "甲公司", "credit_limit": Decimal("50000.00")}
    )
    assert customer.credit_limit == Decimal("50000.00")


def test_choice_fields_are_checked(assistant):
    with pytest.raises(ValidationError) as exc:
        customer_create(by=assistant, data={"name": "甲公司", "tier": "gold"})
    assert "tier" in errors_of(exc)


# --- owners -----------------------------------------------------------------------------


def test_salesperson_owns_what_they_create(salesperson):
    customer = customer_create(by=salesperson, data={"name": "甲公司"})
    assert customer.owner == salesperson
    assert customer.created_by == salesperson


def test_salesperson_cannot_give_a_new_customer_away(salesperson, other_salesperson):
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "甲公司", "owner": other_salesperson})
    assert "owner" in errors_of(exc)
    assert Customer.objects.count() == 0


def test_salesperson_cannot_give_own_customer_away(salesperson, other_salesperson):
    customer = CustomerFactory(owner=salesperson)
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, by=salesperson, data={"owner": other_salesperson})
    assert "owner" in errors_of(exc)
    customer.refresh_from_db()
    assert customer.owner == salesperson


def test_assistant_assigns_an_active_salesperson(assistant, salesperson, other_salesperson):
    customer = customer_create(by=assistant, data={"name": "甲公司", "owner": salesperson})
    assert customer.owner == salesperson
    customer_update(customer=customer, by=assistant, data={"owner": other_salesperson})
    customer.refresh_from_db()
    assert customer.owner == other_salesperson


def test_assistant_may_leave_a_file_without_owner(assistant):
    assert customer_create(by=assistant, data={"name": "甲公司"}).owner is None


@pytest.mark.parametrize("bad", ["director", "inactive"])
def test_owner_must_be_an_active_salesperson(assistant, director, bad):
    owner = director if bad == "director" else UserFactory(role=Role.SALESPERSON, is_active=False)
    with pytest.raises(ValidationError) as exc:
        customer_create(by=assistant, data={"name": "甲公司", "owner": owner})
    assert "owner" in errors_of(exc)
    assert Customer.objects.count() == 0


def test_owner_may_be_given_as_an_id(assistant, salesperson):
    customer = customer_create(by=assistant, data={"name": "甲公司", "owner": salesperson.pk})
    assert customer.owner == salesperson
    with pytest.raises(ValidationError) as exc:
        customer_create(by=assistant, data={"name": "乙公司", "owner": 999_999})
    assert "owner" in errors_of(exc)


@pytest.mark.parametrize("persona", ["director", "finance", "warehouse"])
def test_roles_without_the_right_cannot_write(request, persona, salesperson):
    user = request.getfixturevalue(persona)
    customer = CustomerFactory(owner=salesperson)
    with pytest.raises(PermissionDenied):
        customer_create(by=user, data={"name": "甲公司"})
    with pytest.raises(PermissionDenied):
        customer_update(customer=customer, by=user, data={"city": "宁波"})
    with pytest.raises(PermissionDenied):
        customer_archive(customer=customer, by=user)


def test_salesperson_cannot_change_another_salespersons_customer(salesperson, other_salesperson):
    theirs = CustomerFactory(owner=other_salesperson, city="杭州")
    with pytest.raises(PermissionDenied):
        customer_update(customer=theirs, by=salesperson, data={"city": "宁波"})
    with pytest.raises(PermissionDenied):
        customer_archive(customer=theirs, by=salesperson)
    with pytest.raises(PermissionDenied):
        contact_create(customer=theirs, by=salesperson, data={"name": "王经理"})
    theirs.refresh_from_db()
    assert theirs.city == "杭州"
    assert theirs.archived_at is None
    assert not Contact.objects.exists()


# --- duplicates -------------------------------------------------------------------------


def test_same_name_ignoring_spaces_is_flagged_with_the_existing_file(salesperson):
    existing = CustomerFactory(name="杭州 甲包装有限公司", owner=salesperson)
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "杭州甲包装 有限公司"})
    message = errors_of(exc)["name"][0]
    assert existing.code in message
    assert existing.name in message
    assert exc.value.error_dict["name"][0].code == "duplicate"
    assert Customer.objects.count() == 1


def test_same_credit_code_is_flagged(salesperson):
    existing = CustomerFactory(owner=salesperson)
    with pytest.raises(ValidationError) as exc:
        customer_create(
            by=salesperson, data={"name": "别的名字", "credit_code": existing.credit_code}
        )
    assert existing.code in errors_of(exc)["credit_code"][0]


def test_confirmed_duplicate_is_saved(salesperson):
    CustomerFactory(name="甲包装有限公司", owner=salesperson)
    customer_create(by=salesperson, data={"name": "甲包装有限公司"}, confirm_duplicate=True)
    assert Customer.objects.filter(name="甲包装有限公司").count() == 2


def test_duplicate_of_another_salesperson_does_not_reveal_the_file(salesperson, other_salesperson):
    theirs = CustomerFactory(name="宁波秘密纸业有限公司", owner=other_salesperson)
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            customer_create(
                by=salesperson,
                data={"name": "宁波秘密纸业有限公司", "credit_code": theirs.credit_code},
            )
        messages = errors_of(exc)["name"] + errors_of(exc)["credit_code"]
    assert len(messages) == 2
    for message in messages:
        assert theirs.name not in message
        assert theirs.code not in message
        assert "another salesperson" in message


def test_assistant_is_told_which_file_it_duplicates(assistant, other_salesperson):
    theirs = CustomerFactory(name="宁波秘密纸业有限公司", owner=other_salesperson)
    with pytest.raises(ValidationError) as exc:
        customer_create(by=assistant, data={"name": "宁波秘密纸业有限公司"})
    assert theirs.code in errors_of(exc)["name"][0]


def test_archived_files_are_not_duplicates(salesperson):
    CustomerFactory(
        name="甲包装有限公司",
        owner=salesperson,
        archived_at="2025-01-01T00:00:00Z",
        archived_by=salesperson,
    )
    assert customer_create(by=salesperson, data={"name": "甲包装有限公司"}).pk


def test_update_warns_only_when_name_or_credit_code_changes(salesperson):
    CustomerFactory(name="甲包装有限公司", owner=salesperson)
    twin = customer_create(by=salesperson, data={"name": "甲包装有限公司"}, confirm_duplicate=True)
    customer_update(customer=twin, by=salesperson, data={"name": "甲包装有限公司", "city": "杭州"})
    other = CustomerFactory(name="乙纸品有限公司", owner=salesperson)
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=other, by=salesperson, data={"name": "甲包装有限公司"})
    assert "name" in errors_of(exc)
    other.refresh_from_db()
    assert other.name == "乙纸品有限公司"


# --- archive and restore ----------------------------------------------------------------


def test_archive_keeps_the_file_and_marks_who(salesperson):
    customer = CustomerFactory(owner=salesperson)
    customer_archive(customer=customer, by=salesperson)
    customer.refresh_from_db()
    assert customer.archived_at is not None
    assert customer.archived_by == salesperson
    with pytest.raises(ValidationError) as exc:
        customer_archive(customer=customer, by=salesperson)
    assert NON_FIELD_ERRORS in errors_of(exc)


def test_restore_brings_the_file_back(salesperson):
    customer = CustomerFactory(owner=salesperson)
    customer_archive(customer=customer, by=salesperson)
    customer_restore(customer=customer, by=salesperson)
    customer.refresh_from_db()
    assert customer.archived_at is None
    assert customer.archived_by is None
    with pytest.raises(ValidationError):
        customer_restore(customer=customer, by=salesperson)


def test_archived_file_cannot_be_edited(salesperson):
    customer = CustomerFactory(owner=salesperson, city="杭州")
    customer_archive(customer=customer, by=salesperson)
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, by=salesperson, data={"city": "宁波"})
    assert NON_FIELD_ERRORS in errors_of(exc)
    with pytest.raises(ValidationError):
        contact_create(customer=customer, by=salesperson, data={"name": "王经理"})


# --- history ----------------------------------------------------------------------------


def test_every_write_keeps_history_with_who_and_why(salesperson, assistant):
    customer = customer_create(by=salesperson, data={"name": "甲公司"})
    customer_update(customer=customer, by=assistant, data={"city": "宁波"})
    customer_archive(customer=customer, by=assistant)
    rows = list(customer.history.order_by("history_date", "history_id"))
    assert [r.history_change_reason for r in rows] == ["create", "update", "archive"]
    assert [r.history_user for r in rows] == [salesperson, assistant, assistant]
    assert rows[1].city == "宁波"


# --- contacts ---------------------------------------------------------------------------


def test_create_with_a_first_contact(salesperson):
    customer = customer_create(
        by=salesperson,
        data={"name": "甲公司"},
        contacts=[
            {
                "name": " 王经理 ",
                "mobile": "138 1234 5678",
                "phone": "0571 8888 6666",
                "email": "Wang@Example.CN",
            }
        ],
    )
    contact = customer.contacts.get()
    assert contact.name == "王经理"
    assert contact.mobile == "13812345678"
    assert contact.phone == "0571-88886666"
    assert contact.email == "wang@example.cn"
    assert contact.is_primary
    assert contact.history.get().history_user == salesperson


def test_empty_first_contact_is_skipped(salesperson):
    customer = customer_create(
        by=salesperson, data={"name": "甲公司"}, contacts=[{"name": "", "mobile": ""}]
    )
    assert not customer.contacts.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mobile", "0571-88886666"),
        ("mobile", "1381234"),
        ("phone", "12345"),
        ("email", "not-an-email"),
        ("name", ""),
    ],
)
def test_bad_first_contact_saves_nothing(salesperson, field, value):
    contact = {"name": "王经理", "title": "采购", field: value}
    with pytest.raises(ValidationError) as exc:
        customer_create(by=salesperson, data={"name": "甲公司"}, contacts=[contact])
    assert f"contacts.0.{field}" in errors_of(exc)
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mobile", "12345"),
        ("phone", "abc"),
        ("email", "x@"),
        ("qq", "12ab"),
        ("name", " "),
        ("decision_role", "boss"),
    ],
)
def test_contact_create_checks_each_field(salesperson, field, value):
    customer = CustomerFactory(owner=salesperson)
    with pytest.raises(ValidationError) as exc:
        contact_create(customer=customer, by=salesperson, data={"name": "王经理", field: value})
    assert field in errors_of(exc)
    assert Contact.objects.count() == 0


def test_first_contact_is_primary_and_a_new_primary_takes_over(salesperson):
    customer = CustomerFactory(owner=salesperson)
    first = contact_create(customer=customer, by=salesperson, data={"name": "王经理"})
    second = contact_create(customer=customer, by=salesperson, data={"name": "李主管"})
    assert first.is_primary and not second.is_primary
    contact_update(contact=second, by=salesperson, data={"is_primary": True})
    first.refresh_from_db()
    assert not first.is_primary
    assert Contact.objects.get(pk=second.pk).is_primary


def test_contacts_move_the_completeness_score(salesperson):
    customer = CustomerFactory(owner=salesperson)
    customer_refresh_completeness(customer)
    without = customer.completeness
    contact = contact_create(
        customer=customer,
        by=salesperson,
        data={
            "name": "王总",
            "mobile": "13812345678",
            "decision_role": DecisionRole.DECISION_MAKER,
        },
    )
    customer.refresh_from_db()
    # a contact, with a phone, who decides: three template items more
    assert customer.completeness == round(100 * (len(CHECKS) * without / 100 + 3) / len(CHECKS))
    contact_archive(contact=contact, by=salesperson)
    customer.refresh_from_db()
    assert customer.completeness == without


def test_refresh_completeness_counts_live_contacts_only(salesperson):
    customer = CustomerFactory(owner=salesperson, completeness=0)
    ContactFactory(customer=customer, archived_at="2025-01-01T00:00:00Z")
    with_archived_only = customer_refresh_completeness(customer)
    ContactFactory(customer=customer)
    with_live = customer_refresh_completeness(customer)
    assert with_live > with_archived_only
    customer.refresh_from_db()
    assert customer.completeness == with_live


def test_full_file_scores_100(assistant, salesperson):
    customer = customer_create(
        by=assistant,
        data={
            "name": "甲公司",
            "short_name": "甲",
            "credit_code": make_credit_code(1),
            "source": "exhibition",
            "province": "浙江",
            "city": "杭州",
            "address": "文一西路 1 号",
            "industry": "food",
            "owner": salesperson,
            "payment_terms_days": 30,
            "credit_limit": Decimal("100000"),
            "invoice_title": "甲公司",
            "invoice_tax_number": make_credit_code(1),
            "invoice_address": "杭州",
            "invoice_phone": "0571-88886666",
            "invoice_bank": "工商银行",
            "invoice_account": "1202020209000012345",
            "tier": Tier.KEY,
        },
        contacts=[{"name": "王总", "mobile": "13812345678"}],
    )
    assert customer.completeness < 100  # no decision maker yet
    contact_update(
        contact=customer.contacts.get(),
        by=assistant,
        data={"decision_role": DecisionRole.DECISION_MAKER},
    )
    customer.refresh_from_db()
    assert customer.completeness == 100


def test_contact_update_checks_and_saves_nothing_on_error(salesperson):
    contact = ContactFactory(customer=CustomerFactory(owner=salesperson), mobile="13812345678")
    with pytest.raises(ValidationError) as exc:
        contact_update(contact=contact, by=salesperson, data={"mobile": "999"})
    assert "mobile" in errors_of(exc)
    contact.refresh_from_db()
    assert contact.mobile == "13812345678"


def test_contact_archive_keeps_the_contact(salesperson):
    contact = ContactFactory(customer=CustomerFactory(owner=salesperson), is_primary=True)
    contact_archive(contact=contact, by=salesperson)
    contact.refresh_from_db()
    assert contact.archived_at is not None
    assert not contact.is_primary
    with pytest.raises(ValidationError):
        contact_archive(contact=contact, by=salesperson)
    with pytest.raises(ValidationError):
        contact_update(contact=contact, by=salesperson, data={"title": "经理"})


def test_other_salesperson_cannot_touch_contacts(salesperson, other_salesperson):
    contact = ContactFactory(customer=CustomerFactory(owner=other_salesperson), title="经理")
    with pytest.raises(PermissionDenied):
        contact_update(contact=contact, by=salesperson, data={"title": "总监"})
    with pytest.raises(PermissionDenied):
        contact_archive(contact=contact, by=salesperson)
    contact.refresh_from_db()
    assert contact.title == "经理" and contact.archived_at is None
