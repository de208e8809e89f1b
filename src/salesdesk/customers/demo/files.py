"""Customer files and contacts: names, codes, numbers, gaps and each lead's path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from lunar_python import Lunar

from salesdesk.core.validators import validate_mobile, validate_phone

from ..choices import (
    CustomerStatus,
    CustomerType,
    Industry,
    Stage,
    Tier,
)
from ..codes import next_customer_codes
from ..models import Contact, Customer
from ..text import pinyin_of
from .words import (
    BANKS,
    BRAND_FIRST,
    BRAND_SECOND,
    CUSTOMERS_PER_SCALE,
    DISTRIBUTOR_WORDS,
    FESTIVALS,
    GIVEN,
    INDUSTRY_WEIGHTS,
    INDUSTRY_WORDS,
    LEAD_SHARE,
    LEAD_STAGE_WEIGHTS,
    MOBILE_PREFIXES,
    MUNICIPALITIES,
    REGIONS,
    ROADS,
    SHORT_WORDS,
    SOURCE_WEIGHTS,
    STAGE_ORDER,
    SURNAMES,
    TITLES,
    split_by_weight,
    weighted,
)


class FilesMixin:
    # ---- time helpers -------------------------------------------------------------------
    def _at(self, day: dt.date) -> dt.datetime:
        """A moment in office hours on `day` (never after now)."""
        moment = dt.datetime.combine(
            day,
            dt.time(self.rng.randint(8, 17), self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50))),
            tzinfo=self.tz,
        )
        return min(moment, self.now - dt.timedelta(minutes=self.rng.randint(5, 90)))

    def _days_ago(self, days: float) -> dt.date:
        return self.today - dt.timedelta(days=int(days))

    def _festival_dates(self) -> list[tuple[dt.date, str, str]]:
        start = self.today - dt.timedelta(days=365)
        found = []
        for year in (self.today.year - 1, self.today.year):
            for name, calendar, (month, day), gift in FESTIVALS:
                if calendar == "lunar":
                    solar = Lunar.fromYmd(year, month, day).getSolar()
                    date = dt.date(solar.getYear(), solar.getMonth(), solar.getDay())
                else:
                    date = dt.date(year, month, day)
                if start < date - dt.timedelta(days=3) and date - dt.timedelta(days=1) < self.today:
                    found.append((date, name, gift))
        return sorted(found)

    # ---- numbers and names --------------------------------------------------------------
    def _mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            try:
                validate_mobile(number)
            except ValidationError:  # an invalid draw is simply drawn again
                continue
            return number

    def _landline(self, area: str) -> str:
        for attempt in range(200):
            digits = 8 if attempt < 100 else 7
            number = f"{area}-{self.rng.choice('5678')}{self.rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            try:
                validate_phone(number)
            except ValidationError:
                continue
            return number
        raise RuntimeError(f"no valid landline found for area code {area}")

    def _credit_code(self, division: str) -> str:
        from stdnum.cn import uscc

        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            if self.rng.random() < 0.5:  # registered since 2015: "MA" organisation codes
                org = "MA" + "".join(self.rng.choice(alphabet) for _ in range(7))
            else:
                org = "".join(self.rng.choice("0123456789") for _ in range(9))
            body = "91" + division + org
            code = body + uscc.calc_check_digit(body)
            if code not in self._codes:
                self._codes.add(code)
                return code

    def _person_name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def _company(self, province, city, district, ctype, industry):
        """Full name, short name and trade name, unique across the demo."""
        rng = self.rng
        while True:
            brand = rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)
            city_prefix = city if city in MUNICIPALITIES else city + "市"
            if ctype == CustomerType.DISTRIBUTOR:
                word = rng.choice(DISTRIBUTOR_WORDS)
                form = rng.random()
                if form < 0.5:
                    name = f"{city_prefix}{brand}{word}有限公司"
                elif form < 0.8 and district.endswith("区"):
                    name = f"{city_prefix}{district}{brand}{word}经营部"
                else:
                    name = f"{city}{brand}{word}有限公司"
                short = city + brand
            else:
                word = rng.choice(INDUSTRY_WORDS[industry])
                if ctype == CustomerType.GROUP:
                    name = (
                        f"{province}{brand}{word}集团有限公司"
                        if rng.random() < 0.7
                        else f"{brand}集团有限公司"
                    )
                else:
                    form = rng.random()
                    if form < 0.5:
                        name = f"{city_prefix}{brand}{word}有限公司"
                    elif form < 0.75 and (district.endswith("区") and city not in MUNICIPALITIES):
                        name = f"{city_prefix}{district}{brand}{word}有限公司"
                    elif form < 0.9:
                        name = f"{province}{brand}{word}股份有限公司"
                    else:
                        name = f"{city}{brand}{word}有限公司"
                short = brand + SHORT_WORDS.get(word, word[:2])
            if name not in self._names:
                self._names.add(name)
                return name, short, brand

    # ---- planning -----------------------------------------------------------------------
    def plan(self) -> None:
        total = CUSTOMERS_PER_SCALE * self.ctx.scale
        n_leads = round(total * LEAD_SHARE)
        profiles = split_by_weight(n_leads, LEAD_STAGE_WEIGHTS) + ["established"] * (
            total - n_leads
        )
        self.rng.shuffle(profiles)
        region_weights = [(r, r[1]) for r in REGIONS]
        planned = []
        stage_seen: dict[str, int] = {}
        for profile in profiles:
            region = weighted(self.rng, region_weights)
            nth = stage_seen.get(profile, 0)
            stage_seen[profile] = nth + 1
            planned.append(self._plan_customer(profile, nth, region))
        # Codes follow the order customers came in, as they would have been handed out.
        planned.sort(key=lambda p: p["customer"].created_at)
        codes = next_customer_codes(len(planned))
        for code, p in zip(codes, planned, strict=True):
            p["customer"].code = code
        for p in planned:
            self._plan_activity(p)
            self.customers.append(p["customer"])

    def _plan_customer(self, profile: str, nth: int, region) -> dict:
        rng = self.rng
        province, _w, salesperson, cities = region
        city, area, division, districts = rng.choice(cities)
        district = rng.choice(districts)
        ctype = weighted(
            rng, ((CustomerType.END, 75), (CustomerType.DISTRIBUTOR, 18), (CustomerType.GROUP, 7))
        )
        industry = (
            weighted(rng, ((Industry.ECOMMERCE, 3), (Industry.OTHER, 2), (Industry.FOOD, 1)))
            if ctype == CustomerType.DISTRIBUTOR
            else weighted(rng, INDUSTRY_WEIGHTS)
        )
        name, short, brand = self._company(province, city, district, ctype, industry)

        lead_plan = None
        if profile == "established":
            status = weighted(
                rng,
                (
                    (CustomerStatus.ACTIVE, 70),
                    (CustomerStatus.DORMANT, 13),
                    (CustomerStatus.LOST, 7),
                    (CustomerStatus.PROSPECT, 10),
                ),
            )
            # Prospects: files opened (often from an exhibition list) but no lead started yet.
            created = self._days_ago(
                rng.randint(30, 400)
                if status == CustomerStatus.PROSPECT
                else rng.randint(400, 2200)
            )
            key_chance = 0.2 if status == CustomerStatus.ACTIVE else 0.03
        else:
            lead_plan = self._plan_lead_path(profile, nth)
            created = None
            # As the pipeline services set it: a lead until won (active) or lost.
            status = {Stage.WON: CustomerStatus.ACTIVE, Stage.LOST: CustomerStatus.LOST}.get(
                profile, CustomerStatus.LEAD
            )
            key_chance = {Stage.WON: 0.12, Stage.TRIAL_ORDER: 0.08, Stage.QUOTING: 0.05}.get(
                profile, 0
            )
        if ctype == CustomerType.GROUP:
            key_chance *= 2.5
        tier = Tier.KEY if rng.random() < key_chance else Tier.ORDINARY

        # How carefully the file was kept: early leads are often thin, key accounts complete.
        if tier == Tier.KEY:
            care = weighted(rng, (("complete", 85), ("partial", 15)))
        elif profile in (Stage.FOUND, Stage.CONTACTED):
            care = weighted(rng, (("complete", 15), ("partial", 40), ("sparse", 45)))
        else:
            care = weighted(rng, (("complete", 58), ("partial", 32), ("sparse", 10)))

        owner = self.users[salesperson]
        if profile in (Stage.FOUND, Stage.CONTACTED) and rng.random() < 0.12:
            owner = None  # walk-in and phone leads wait for the assistant to assign them
        created_by = (
            self.users["assistant"] if rng.random() < 0.6 else (owner or self.users["commercial"])
        )
        # A lead's customer file is opened when the lead is found.
        created_at = lead_plan["path"][0][1] if lead_plan else self._at(created)
        credit_code = self._credit_code(division)
        landline = self._landline(area)
        address = f"{district}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
        bank_city = next(
            (
                district[: -len(s)]
                for s in ("新区", "区", "市", "县", "镇")
                if district.endswith(s) and len(district) > len(s) + 1
            ),
            district,
        )
        province_prefix = "" if city in MUNICIPALITIES else f"{province}省{city}市"
        customer = Customer(
            name=name,
            short_name=short,
            credit_code=credit_code,
            type=ctype,
            tier=tier,
            status=status,
            source=weighted(rng, SOURCE_WEIGHTS),
            province=province,
            city=city,
            address=address,
            industry=industry,
            owner=owner,
            payment_terms_days=rng.choice((30, 30, 30, 45, 60, 60, 90, 0)),
            credit_limit=Decimal(rng.choice((5, 10, 20, 30, 50, 80, 100, 200)) * 10000)
            * (3 if tier == Tier.KEY else 1),
            invoice_title=name,
            invoice_tax_number=credit_code,
            invoice_address=f"{province_prefix or city}{address}",
            invoice_phone=landline,
            invoice_bank=f"{rng.choice(BANKS)}{city}{bank_city}支行",
            invoice_account=f"{rng.randint(1000, 9999)}{rng.randrange(10**15):015d}",
            created_at=created_at,
            created_by=created_by,
        )
        self._thin_out(customer, care)
        contacts = self._plan_contacts(customer, care, area, created_at, brand)
        return {
            "customer": customer,
            "contacts": contacts,
            "profile": profile,
            "lead": lead_plan,
            "care": care,
        }

    def _thin_out(self, c: Customer, care: str) -> None:
        """Leave gaps in the file, as real files have, so the gaps worklist has work."""
        rng = self.rng
        if care == "complete":
            return
        gaps = [
            "credit_code",
            "short_name",
            "invoice",
            "address",
            "payment_terms",
            "credit_limit",
            "source",
            "bank",
            "industry",
        ]
        drop = rng.sample(gaps, rng.randint(1, 3)) if care == "partial" else gaps[:-1]
        if "credit_code" in drop:
            c.credit_code = ""
            c.invoice_tax_number = ""
        if "short_name" in drop:
            c.short_name = ""
        if "invoice" in drop:
            c.invoice_title = c.invoice_tax_number = c.invoice_address = c.invoice_phone = ""
            c.invoice_bank = c.invoice_account = ""
        if "address" in drop:
            c.address = ""
        if "payment_terms" in drop:
            c.payment_terms_days = None
        if "credit_limit" in drop:
            c.credit_limit = None
        if "source" in drop:
            c.source = ""
        if "bank" in drop:
            c.invoice_bank = c.invoice_account = ""
        if "industry" in drop:
            c.industry = ""

    def _plan_contacts(self, customer, care, area, created_at, brand) -> list[Contact]:
        rng = self.rng
        if care == "sparse" and rng.random() < 0.3:
            return []
        count = 1 if care == "sparse" else weighted(rng, ((1, 45), (2, 40), (3, 15)))
        if customer.tier == Tier.KEY:
            count = max(count, 2)
        contacts = []
        used_names = set()
        domain = pinyin_of(brand)[0] + rng.choice(("", "pack", "group", "tech", "88")) + ".com"
        for i in range(count):
            name = self._person_name()
            while name in used_names:
                name = self._person_name()
            used_names.add(name)
            title, role = weighted(
                rng, [((t, r), w_first if i == 0 else w_more) for t, r, w_first, w_more in TITLES]
            )
            if care == "sparse":
                role = ""  # nobody asked who decides yet
            full_pinyin = pinyin_of(name)[0]
            mobile = self._mobile() if rng.random() < 0.88 else ""
            phone = (
                self._landline(area)
                if (rng.random() < 0.35 or not mobile and rng.random() < 0.6)
                else ""
            )
            qq = str(rng.randint(10_000_000, 2_999_999_999)) if rng.random() < 0.35 else ""
            mail_kind = rng.random()
            if mail_kind < 0.4:
                email = f"{full_pinyin}@{domain}"
            elif mail_kind < 0.6 and qq:
                email = f"{qq}@qq.com"
            elif mail_kind < 0.7:
                email = f"{full_pinyin}{rng.randint(1, 99)}@163.com"
            else:
                email = ""
            wechat = (
                (mobile if rng.random() < 0.5 else f"{full_pinyin}{rng.randint(10, 9999)}")
                if (mobile and rng.random() < 0.7)
                else ""
            )
            birthday = None
            if rng.random() < 0.35:
                birthday = dt.date(rng.randint(1965, 1996), rng.randint(1, 12), rng.randint(1, 28))
            joined = created_at + dt.timedelta(days=rng.randint(0, 200) if i else 0)
            joined = min(joined, self.now)
            contacts.append(
                Contact(
                    name=name,
                    title=title,
                    mobile=mobile,
                    phone=phone,
                    email=email,
                    qq=qq,
                    wechat=wechat,
                    birthday=birthday,
                    decision_role=role,
                    is_primary=(i == 0),
                    created_at=joined,
                    updated_at=joined,
                )
            )
        return contacts

    def _plan_lead_path(self, final: str, nth: int) -> dict:
        """The stages a lead went through and when: [(stage, datetime), ...]."""
        rng = self.rng
        if final in STAGE_ORDER:
            stages = list(STAGE_ORDER[: STAGE_ORDER.index(final) + 1])
            if final == Stage.SAMPLES_SENT and nth % 3 == 0:
                last_ago = rng.randint(1, 6)  # awaiting feedback, not yet due
            elif final == Stage.SAMPLES_SENT and nth % 3 == 1:
                last_ago = rng.randint(20, 40)  # feedback overdue
            else:
                bucket = rng.random()
                last_ago = (
                    rng.randint(0, 13)
                    if bucket < 0.4
                    else rng.randint(14, 45)
                    if bucket < 0.75
                    else rng.randint(46, 120)
                )
        else:
            reached = (
                STAGE_ORDER.index(Stage.TRIAL_ORDER) if final == Stage.WON else rng.randint(1, 4)
            )
            stages = list(STAGE_ORDER[: reached + 1])
            if final == Stage.WON and rng.random() < 0.3:
                stages.remove(Stage.TRIAL_ORDER)
            if rng.random() < 0.2 and Stage.SAMPLES_SENT in stages and len(stages) > 2:
                stages.remove(Stage.SAMPLES_SENT)
            stages.append(final)
            last_ago = (
                rng.randint(0, 13) if (nth % 4 == 0 or rng.random() < 0.2) else rng.randint(14, 300)
            )
        gaps = [rng.randint(4, 25) for _ in stages[1:]]
        span = sum(gaps)
        room = 360 - last_ago
        if span > room:  # keep the whole story inside the last year
            gaps = [max(2, g * room // span) for g in gaps]
        days = [last_ago + sum(gaps[i:]) for i in range(len(stages))]
        path = []
        for stage, ago in zip(stages, days, strict=True):
            path.append((stage, self._at(self._days_ago(ago))))
        # Moments must rise even when two fall on the same day.
        for i in range(1, len(path)):
            if path[i][1] <= path[i - 1][1]:
                path[i] = (path[i][0], path[i - 1][1] + dt.timedelta(hours=1))
        return {"final": final, "path": path}
