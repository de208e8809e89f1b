"""Demo products of a corrugated-carton factory and the customers' sample approvals (core demo command).

About 80 products (x10 for --size large): three-, five- and seven-ply cartons, printed gift
boxes, mailer boxes, dividers, foam inserts and board, each with a realistic L×W×H, flute,
ply, paper combination and a list price with 4 places as the trade quotes it. A handful of
new products, and one product whose spec changed, need the customer's approval of a sample
before they ship (R-3.4): some approved, some awaiting the customer, one rejected with an
improvement request and sent again as revision 2.

Runs after the customers' builder; leaves `ctx.data["products"]`, `ctx.data["new_products"]`
and `ctx.data["approvals"]` for the orders' builder. Codes, names, specs and prices depend
only on the seed; dates are relative to the day of the build.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from salesdesk.core.demo_builder import DemoBuilder, write_with_history
from salesdesk.customers.choices import CustomerStatus, Tier
from salesdesk.customers.text import pinyin_of

from .choices import ApprovalStatus, Flute, Unit
from .models import Approval, Product

PRODUCTS_PER_SCALE = 80
PRICE_PLACES = Decimal("0.0001")
MIN_PRICE, MAX_PRICE = Decimal("0.3500"), Decimal("28.0000")

# category: (code prefix, share of the catalogue)
CATEGORIES = {
    "rsc3": ("ZX", 22),
    "rsc5": ("ZX", 18),
    "rsc7": ("ZX", 6),
    "gift": ("CH", 9),
    "mailer": ("FJ", 8),
    "divider": ("DK", 7),
    "foam": ("ZM", 6),
    "sheet": ("ZB", 4),
}
MATERIALS = {
    3: ("K=A", "K=A", "A=B", "B=B", "K=K"),
    5: ("K=A=A", "A=B=A", "K=K=A", "B=B=B"),
    7: ("K=A=A=A", "K=K=A=A"),
}
NEW_SUFFIXES = ("定制款", "加强型", "新款", "环保无印款", "双插盒款", "电商款")
NOTES = (
    "外箱印刷客户LOGO，单色",
    "双色印刷，需客户确认印版",
    "出口用，需做防潮处理",
    "客户专用规格，不对外销售",
    "常备库存款，随时可发",
    "",
    "",
    "",
)
APPROVED_FEEDBACK = (
    "样品尺寸合适，印刷颜色符合要求，同意批量生产",
    "抗压测试通过，可以下单",
    "样品已确认，内衬贴合度好",
    "颜色比上次略深，可以接受，同意生产",
)
REJECTED_FEEDBACK = "样品抗压不够，堆码三层后外箱变形；印刷套色有偏差"
IMPROVEMENT_REQUEST = "面纸改为K级牛卡，楞型由B楞改为BC楞提高抗压；印刷套色误差控制在1mm以内"


def build(ctx) -> None:
    """Products with specs and prices, and the customers' sample approvals of new ones."""
    CatalogBuilder(ctx).run()


def _price(value: Decimal) -> Decimal:
    value = min(max(value, MIN_PRICE), MAX_PRICE)
    return value.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


class CatalogBuilder(DemoBuilder):
    label = "catalog"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.products: list[Product] = []
        self.approvals: list[Approval] = []
        self._names: set[str] = set()

    # ---- helpers ----------------------------------------------------------------------
    def _at(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(
            day, dt.time(self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45))), tzinfo=self.tz
        )
        return min(moment, self.now - dt.timedelta(minutes=self.rng.randint(5, 90)))

    def _rate(self, low: int, high: int) -> Decimal:
        """Yuan per square metre of board, drawn in fen."""
        return Decimal(self.rng.randint(low, high)) / 100

    def _size(self, length, width, height):
        rng = self.rng
        # Cartons are cut to the 5 mm; the longer side is the length.
        l_mm = rng.randrange(length[0], length[1] + 1, 5)
        w_mm = rng.randrange(width[0], min(width[1], l_mm) + 1, 5)
        h_mm = rng.randrange(height[0], height[1] + 1, 5) if height else None
        return l_mm, w_mm, h_mm

    @staticmethod
    def _rsc_area(l_mm: int, w_mm: int, h_mm: int) -> Decimal:
        """Board of a regular slotted carton in m²: (2L + 2W + glue flap) × (W + H)."""
        return Decimal((2 * l_mm + 2 * w_mm + 40) * (w_mm + h_mm + 10)) / 1_000_000

    # ---- specs per category -------------------------------------------------------------
    def _spec(self, category: str, attempt: int = 0) -> dict:
        rng = self.rng
        if category == "rsc3":
            flute = rng.choice((Flute.B, Flute.B, Flute.B, Flute.C, Flute.E))
            size = self._size((200, 600), (150, 450), (100, 400))
            printed = rng.random() < 0.3
            name = f"三层{flute}楞{'印刷' if printed else ''}纸箱"
            price = self._rsc_area(*size) * self._rate(260, 380) + (
                Decimal("0.15") if printed else 0
            )
            return dict(
                name=name,
                size=size,
                flute=flute,
                ply=3,
                material=rng.choice(MATERIALS[3]),
                price=price,
            )
        if category == "rsc5":
            flute = rng.choice((Flute.BC, Flute.BC, Flute.BC, Flute.AB, Flute.BE))
            size = self._size((300, 800), (250, 550), (200, 500))
            name = rng.choice(("五层{f}楞外箱", "五层{f}楞纸箱", "五层{f}楞印刷外箱")).format(
                f=flute
            )
            price = self._rsc_area(*size) * self._rate(420, 580)
            return dict(
                name=name,
                size=size,
                flute=flute,
                ply=5,
                material=rng.choice(MATERIALS[5]),
                price=price,
            )
        if category == "rsc7":
            size = self._size((500, 800), (400, 600), (300, 500))
            price = self._rsc_area(*size) * self._rate(680, 880)
            return dict(
                name="七层重型纸箱",
                size=size,
                flute=Flute.ABC,
                ply=7,
                material=rng.choice(MATERIALS[7]),
                price=price,
            )
        if category == "gift":
            flute = rng.choice((Flute.E, Flute.E, Flute.F))
            size = self._size((200, 450), (150, 350), (60, 150))
            theme = rng.choice(("", "", "中秋", "春节", "茶叶", "水果", "酒类"))
            name = f"彩印礼品盒{f'（{theme}款）' if theme else ''}"
            price = self._rsc_area(*size) * self._rate(900, 1800) + 1
            material = rng.choice(("350g白卡裱E楞", "300g灰底白板裱E楞", "250g铜版纸裱F楞"))
            return dict(name=name, size=size, flute=flute, ply=3, material=material, price=price)
        if category == "mailer":
            flute = rng.choice((Flute.E, Flute.E, Flute.B))
            size = self._size((150, 400), (100, 300), (40, 120))
            name = rng.choice(("飞机盒", "白色飞机盒", "印刷飞机盒"))
            price = (
                Decimal((size[0] * 2 + size[2] * 4) * (size[1] * 2 + size[2] * 3))
                / 1_000_000
                * self._rate(320, 420)
            )
            material = rng.choice(("K=A", "白牛卡=A", "A=B"))
            return dict(name=name, size=size, flute=flute, ply=3, material=material, price=price)
        if category == "divider":
            flute = rng.choice((Flute.B, Flute.E))
            size = self._size((200, 500), (150, 400), (60, 300))
            cells = rng.choice((4, 6, 9, 12, 15, 20))
            unit = Unit.SET
            name = f"刀卡 {cells}格"
            if rng.random() < 0.4:
                size, unit, name = (size[0], size[1], None), Unit.PIECE, "隔板"
            price = (
                Decimal(size[0] * (size[1] + (size[2] or 0) * cells // 2))
                / 1_000_000
                * self._rate(250, 340)
            )
            return dict(
                name=name,
                size=size,
                flute=flute,
                ply=3,
                material=rng.choice(("A=B", "B=B")),
                price=price,
                unit=unit,
            )
        if category == "foam":
            size = self._size((150, 600), (100, 450), (10, 50))
            density = rng.choice((18, 20, 25, 30))
            # Foam sells by volume: kg/m³ × m³ × ¥/kg, plus cutting.
            kilos = Decimal(size[0] * size[1] * size[2] * density) / 1_000_000_000
            price = kilos * self._rate(1800, 2600) + Decimal(self.rng.randint(10, 40)) / 100
            name = rng.choice(("珍珠棉内衬", "珍珠棉护角", "珍珠棉托盘"))
            return dict(
                name=name,
                size=size,
                flute="",
                ply=None,
                material=f"EPE珍珠棉 {density}kg/m³",
                price=price,
            )
        # sheet: a few sold by the square metre, the rest as cut sheets
        flute, ply = rng.choice(((Flute.BC, 5), (Flute.AB, 5), (Flute.B, 3), (Flute.E, 3)))
        if rng.random() < 0.3 and attempt < 10:
            return dict(
                name=f"{'五' if ply == 5 else '三'}层{flute}楞纸板（按平方）",
                size=(None, None, None),
                flute=flute,
                ply=ply,
                material=rng.choice(MATERIALS[ply]),
                price=self._rate(420, 560) if ply == 5 else self._rate(260, 360),
                unit=Unit.SQUARE_METRE,
            )
        size = (rng.randrange(1000, 2100, 100), rng.randrange(800, 1500, 100), None)
        price = (
            Decimal(size[0] * size[1])
            / 1_000_000
            * (self._rate(420, 560) if ply == 5 else self._rate(260, 360))
        )
        return dict(
            name=f"{'五' if ply == 5 else '三'}层{flute}楞纸板",
            size=size,
            flute=flute,
            ply=ply,
            material=rng.choice(MATERIALS[ply]),
            price=price,
            unit=Unit.SHEET,
        )

    def _product(self, category: str, *, suffix: str = "") -> Product:
        rng = self.rng
        for attempt in range(500):
            spec = self._spec(category, attempt)
            l_mm, w_mm, h_mm = spec["size"]
            dims = "×".join(str(d) for d in (l_mm, w_mm, h_mm) if d)
            name = " ".join(part for part in (spec["name"] + suffix, dims) if part)
            if name not in self._names:
                self._names.add(name)
                break
        else:
            raise RuntimeError(f"no unused product name left in category {category}")
        price = _price(spec["price"])
        if rng.random() < 0.4:  # many quotes stop at the tenth of a fen: ¥0.8560
            price = _price(price.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
        product = Product(
            name=name,
            length_mm=l_mm,
            width_mm=w_mm,
            height_mm=h_mm,
            flute=spec["flute"],
            ply=spec["ply"],
            material=spec["material"],
            unit=spec.get("unit", Unit.PIECE),
            list_price=price,
            notes=rng.choice(NOTES),
        )
        product.name_pinyin, product.name_initials = pinyin_of(product.name)
        product._demo_category = category
        return product

    def _code(self, product: Product, n: int) -> str:
        prefix = CATEGORIES[product._demo_category][0]
        middle = f"{product.ply or ''}{product.flute}" or "EPE"
        return f"{prefix}-{middle}-{n:04d}"

    # ---- planning -----------------------------------------------------------------------
    def run(self) -> None:
        self.plan_products()
        self.plan_approvals()
        self.write()

    def plan_products(self) -> None:
        rng = self.rng
        scale = self.ctx.scale
        n_new = 5 + scale
        n_standard = PRODUCTS_PER_SCALE * scale - n_new
        weight_sum = sum(w for _, w in CATEGORIES.values())
        categories = []
        for category, (_prefix, weight) in CATEGORIES.items():
            categories += [category] * max(1, round(n_standard * weight / weight_sum))
        categories = categories[:n_standard]
        rng.shuffle(categories)
        standard = []
        for category in categories:
            product = self._product(category)
            created = self.today - dt.timedelta(days=rng.randint(150, 2500))
            product.created_at = self._at(created)
            # A third are stock items the warehouse keeps a minimum of; the rest are made to order.
            if rng.random() < 0.35:
                product.min_stock = rng.randint(5, 50) * 100
            standard.append(product)
        new = []
        for i in range(n_new):
            category = rng.choice(("gift", "mailer", "rsc5", "rsc3", "gift", "foam"))
            product = self._product(category, suffix=rng.choice(NEW_SUFFIXES))
            # The first new product waits for a decision only days old; the others are older.
            created = self.today - dt.timedelta(
                days=rng.randint(12, 25) if i == 1 else rng.randint(30, 120)
            )
            product.created_at = self._at(created)
            product.is_new = product.needs_approval = True
            new.append(product)
        everything = sorted(standard + new, key=lambda p: p.created_at)
        for n, product in enumerate(everything, start=1):
            product.code = self._code(product, n)
            product.updated_at = product.created_at
        # One popular five-ply carton changed its spec lately: revision 2 needs approval again.
        changed = next(p for p in standard if p._demo_category == "rsc5")
        changed.revision = 2
        changed.needs_approval = True
        changed.updated_at = self._at(self.today - dt.timedelta(days=rng.randint(30, 60)))
        changed.notes = "第2版：面纸由A级改为K级牛卡，抗压提高，需客户重新确认样品"
        self.products = everything
        self.new_products = new
        self.changed_product = changed

    def _approvers(self, count: int, since: dt.datetime) -> list:
        """Active customers (key accounts likelier) who would try a new product."""
        customers = [
            c
            for c in self.ctx.data.get("customers", [])
            if c.status == CustomerStatus.ACTIVE
            and c.owner_id
            and c.archived_at is None
            and c.created_at < since
        ]
        if not customers:
            return []
        weights = [4 if c.tier == Tier.KEY else 1 for c in customers]
        chosen: list = []
        while len(chosen) < min(count, len(customers)):
            c = self.rng.choices(customers, weights=weights)[0]
            if c not in chosen:
                chosen.append(c)
        return chosen

    def _approval(self, customer, product, revision, status, sent_on, decided_on=None) -> Approval:
        rng = self.rng
        users = self.ctx.users
        created_by = users[rng.choice(("assistant", "assistant", "commercial"))]
        approval = Approval(
            customer=customer,
            product=product,
            revision=revision,
            status=status,
            sample_sent_on=sent_on,
            decided_on=decided_on,
            created_by=created_by,
        )
        approval.created_at = self._at(sent_on)
        if status != ApprovalStatus.PENDING:
            approval.decided_by = customer.owner if rng.random() < 0.5 else users["assistant"]
        if status == ApprovalStatus.APPROVED:
            approval.customer_feedback = rng.choice(APPROVED_FEEDBACK)
        elif status == ApprovalStatus.REJECTED:
            approval.customer_feedback = REJECTED_FEEDBACK
            approval.improvement_request = IMPROVEMENT_REQUEST
        approval._history_date = approval.created_at
        approval._history_user = created_by
        return approval

    def plan_approvals(self) -> None:
        rng = self.rng
        for i, product in enumerate(self.new_products):
            created_on = timezone.localdate(product.created_at)
            customers = self._approvers(1 if i < 2 else rng.randint(1, 3), product.created_at)
            for j, customer in enumerate(customers):
                sent_on = created_on + dt.timedelta(days=rng.randint(2, 8))
                if i == 0:
                    # Rejected with an improvement request; revision 2 went out as a new sample.
                    decided_on = min(sent_on + dt.timedelta(days=rng.randint(4, 8)), self.today)
                    self.approvals.append(
                        self._approval(
                            customer, product, 1, ApprovalStatus.REJECTED, sent_on, decided_on
                        )
                    )
                    product.revision = 2
                    resent = min(decided_on + dt.timedelta(days=rng.randint(5, 12)), self.today)
                    product.updated_at = self._at(resent)
                    self.approvals.append(
                        self._approval(customer, product, 2, ApprovalStatus.PENDING, resent)
                    )
                elif i == 1 or (j > 0 and rng.random() < 0.3):
                    self.approvals.append(
                        self._approval(
                            customer, product, 1, ApprovalStatus.PENDING, min(sent_on, self.today)
                        )
                    )
                else:
                    decided_on = min(sent_on + dt.timedelta(days=rng.randint(3, 12)), self.today)
                    self.approvals.append(
                        self._approval(
                            customer, product, 1, ApprovalStatus.APPROVED, sent_on, decided_on
                        )
                    )
        changed = self.changed_product
        changed_on = timezone.localdate(changed.updated_at)
        for j, customer in enumerate(self._approvers(3, changed.created_at)):
            sent_on = changed_on + dt.timedelta(days=rng.randint(1, 4))
            if j == 2:
                self.approvals.append(
                    self._approval(customer, changed, 2, ApprovalStatus.PENDING, sent_on)
                )
                continue
            decided_on = min(sent_on + dt.timedelta(days=rng.randint(3, 10)), self.today)
            self.approvals.append(
                self._approval(customer, changed, 2, ApprovalStatus.APPROVED, sent_on, decided_on)
            )

    # ---- writing ------------------------------------------------------------------------
    def write(self) -> None:
        users = self.ctx.users
        for product in self.products:
            product._history_date = product.created_at
            product._history_user = (
                users["assistant"] if self.rng.random() < 0.7 else users["commercial"]
            )
        write_with_history((Product, self.products), (Approval, self.approvals))
        self.ctx.data["products"] = self.products
        self.ctx.data["new_products"] = self.new_products + [self.changed_product]
        self.ctx.data["approvals"] = self.approvals
        self.ctx.counts += [
            ("products", len(self.products)),
            ("sample approvals", len(self.approvals)),
        ]
