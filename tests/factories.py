"""Factories for tests: believable Chinese data, valid codes and numbers."""

import datetime as dt
import random

import factory
from django.utils import timezone
from stdnum.cn import uscc

from salesdesk.accounts.models import User
from salesdesk.accounts.roles import Role
from salesdesk.customers import choices
from salesdesk.customers.models import Contact, Customer, FollowUp, Lead, Mailing
from salesdesk.customers.text import pinyin_of


def make_credit_code(seed: int) -> str:
    body = f"91330100{seed:09d}"[:17]
    return body + uscc.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    role = Role.SALESPERSON
    password = factory.django.Password("pw-for-tests")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"杭州第{n}包装有限公司")
    short_name = factory.Sequence(lambda n: f"杭包{n}")
    credit_code = factory.Sequence(make_credit_code)
    type = choices.CustomerType.END
    tier = choices.Tier.ORDINARY
    status = choices.CustomerStatus.ACTIVE
    source = choices.Source.EXHIBITION
    province = choices.Province.ZHEJIANG
    city = "杭州"
    address = "余杭区文一西路 1 号"
    industry = choices.Industry.FOOD
    owner = factory.SubFactory(UserFactory)
    payment_terms_days = 30

    @factory.lazy_attribute
    def name_pinyin(self):
        return pinyin_of(self.name)[0]

    @factory.lazy_attribute
    def name_initials(self):
        return pinyin_of(self.name)[1]


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name", locale="zh_CN")
    title = "采购经理"
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.Sequence(lambda n: f"buyer{n}@example.cn")
    decision_role = choices.DecisionRole.PURCHASER


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    customer = factory.SubFactory(CustomerFactory, status=choices.CustomerStatus.LEAD)
    stage = choices.Stage.FOUND
    stage_changed_at = factory.LazyFunction(timezone.now)


class MailingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailing

    customer = factory.SubFactory(CustomerFactory)
    kind = choices.MailingKind.SAMPLE
    items = "三层B楞纸箱样品 5 个"
    courier = "顺丰速运"
    tracking_number = factory.Sequence(lambda n: f"SF{n:012d}")
    sent_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    feedback_due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    customer = factory.SubFactory(CustomerFactory)
    channel = choices.Channel.CALL
    occurred_at = factory.LazyFunction(timezone.now)
    summary = "电话沟通下月订单"
    outcome = "客户有意向"


random.seed(0)
