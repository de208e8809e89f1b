"""Factories for products and sample approvals."""

from decimal import Decimal

import factory

from salesdesk.catalog.choices import ApprovalStatus, Flute, Ply, Unit
from salesdesk.catalog.models import Approval, Product
from salesdesk.customers.text import pinyin_of
from tests.factories import CustomerFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"ZX-{n:05d}")
    name = factory.Sequence(lambda n: f"五层瓦楞纸箱{n}号")
    length_mm = 400
    width_mm = 300
    height_mm = 250
    flute = Flute.BC
    ply = Ply.FIVE
    material = "K=A=K"
    unit = Unit.PIECE
    list_price = Decimal("3.8560")
    min_stock = 500

    @factory.lazy_attribute
    def name_pinyin(self):
        return pinyin_of(self.name)[0]

    @factory.lazy_attribute
    def name_initials(self):
        return pinyin_of(self.name)[1]


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory, is_new=True, needs_approval=True)
    revision = factory.LazyAttribute(lambda o: o.product.revision)
    status = ApprovalStatus.PENDING
    sample_sent_on = None
