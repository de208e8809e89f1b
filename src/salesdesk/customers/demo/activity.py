"""What happened with each customer: leads and their moves, mailings, follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from .. import completeness
from ..choices import (
    Channel,
    CustomerStatus,
    FollowUpKind,
    LostReason,
    MailingKind,
    Stage,
    Tier,
)
from ..models import Customer, FollowUp, Lead, LeadStageChange, Mailing
from ..text import pinyin_of
from .words import (
    COURIERS,
    FEEDBACK_BAD,
    FEEDBACK_GOOD,
    LOST_NOTES,
    LOST_WEIGHTS,
    MAILING_ITEMS,
    NEXT_ACTIONS,
    RETURN_VISIT_ACTIONS,
    RETURN_VISIT_TOUCH,
    ROUTINE_TOUCH,
    STAGE_TOUCH,
    weighted,
)


class ActivityMixin:
    # ---- activity ----------------------------------------------------------------------
    def _plan_activity(self, p: dict) -> None:
        c: Customer = p["customer"]
        events: list[dict] = []
        if p["lead"]:
            events += self._plan_lead(p)
        events += self._routine_events(p)
        events += self._greeting_events(p)
        self._plan_extra_mailing(p)
        self._make_followups(p, events)
        index = len(self.customers)
        self.contacts[index] = p["contacts"]
        # Archive some long-lost customers, as the department does instead of deleting.
        if (
            p["profile"] == "established"
            and c.status == CustomerStatus.LOST
            and self.rng.random() < 0.3
        ):
            c.archived_at = max(c.last_followup_at or c.created_at, c.created_at) + dt.timedelta(
                days=30
            )
            c.archived_at = min(c.archived_at, self.now)
            c.archived_by = self.users["assistant"]
            c.next_followup_on, c.next_followup_kind, c.next_followup_note = None, "", ""
        c.completeness = completeness.score(c, p["contacts"])
        c.name_pinyin, c.name_initials = pinyin_of(c.name)
        c.updated_at = max(
            c.created_at, c.last_followup_at or c.created_at, c.archived_at or c.created_at
        )

    def _plan_lead(self, p: dict) -> list[dict]:
        rng = self.rng
        c: Customer = p["customer"]
        plan = p["lead"]
        path = plan["path"]
        final = plan["final"]
        actor = c.owner or self.users["assistant"]
        lead = Lead(
            customer=c,
            stage=final,
            expected_value=Decimal(rng.randint(5, 300) * 10000) * (3 if c.tier == Tier.KEY else 1),
            notes=f"年用量约 {rng.randint(2, 80)} 万只，主要为{rng.choice(('三层', '五层', '彩印', '重型'))}纸箱",
            created_at=path[0][1],
            created_by=c.created_by,
            stage_changed_at=path[-1][1],
        )
        if final == Stage.LOST:
            lead.lost_reason = weighted(rng, LOST_WEIGHTS)
            lead.lost_note = rng.choice(LOST_NOTES[lead.lost_reason])
        if final in (Stage.WON, Stage.LOST):
            lead.closed_at = path[-1][1]
        lead._history_date = path[0][1]
        lead._history_user = lead.created_by
        self.leads.append(lead)
        previous = ""
        events = []
        for i, (stage, when) in enumerate(path):
            self.stage_changes.append(
                LeadStageChange(
                    lead=lead,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=when,
                    changed_by=c.created_by if i == 0 else actor,
                    note=lead.lost_note if stage == Stage.LOST else "",
                )
            )
            previous = stage
            if stage in STAGE_TOUCH:
                channel, summary, outcome = rng.choice(STAGE_TOUCH[stage])
                if stage == Stage.LOST:
                    outcome = lead.lost_note
                events.append(
                    {"at": when, "channel": channel, "summary": summary, "outcome": outcome}
                )
            if stage == Stage.SAMPLES_SENT:
                following = path[i + 1][1] if i + 1 < len(path) else None
                self._plan_lead_mailing(c, lead, when, following, final)
        return events

    def _plan_lead_mailing(self, c, lead, when, following, final) -> None:
        rng = self.rng
        sent_on = timezone.localdate(when)
        kind = weighted(
            rng, ((MailingKind.SAMPLE, 55), (MailingKind.BOTH, 30), (MailingKind.BROCHURE, 15))
        )
        mailing = self._mailing(c, lead, kind, sent_on)
        if following is not None:
            latest = min(
                timezone.localdate(following),
                mailing.feedback_due_on + dt.timedelta(days=5),
                self.today,
            )
            if latest > sent_on + dt.timedelta(days=1):
                mailing.feedback_received_on = sent_on + dt.timedelta(
                    days=rng.randint(2, (latest - sent_on).days)
                )
                bad = final == Stage.LOST and lead.lost_reason == LostReason.QUALITY
                mailing.feedback = rng.choice(FEEDBACK_BAD if bad else FEEDBACK_GOOD)
        elif rng.random() < 0.25 and sent_on + dt.timedelta(days=3) <= self.today:
            mailing.feedback_received_on = sent_on + dt.timedelta(
                days=rng.randint(2, (self.today - sent_on).days)
            )
            mailing.feedback = rng.choice(FEEDBACK_GOOD)
        self.mailings.append(mailing)

    def _plan_extra_mailing(self, p: dict) -> None:
        """New-product samples and brochures for existing customers, unrelated to a lead."""
        rng = self.rng
        c: Customer = p["customer"]
        if (
            p["profile"] != "established"
            or c.status != CustomerStatus.ACTIVE
            or rng.random() > 0.12
        ):
            return
        sent_on = self._days_ago(rng.randint(0, 200))
        mailing = self._mailing(
            c, None, rng.choice((MailingKind.SAMPLE, MailingKind.BROCHURE)), sent_on
        )
        mailing.items = rng.choice(
            ("新品彩印箱样品 5 个", "新款蜂窝纸板样品 3 片", "年度产品画册 2 本")
        )
        if mailing.feedback_due_on < self.today and rng.random() < 0.8:
            mailing.feedback_received_on = mailing.feedback_due_on - dt.timedelta(
                days=rng.randint(0, 4)
            )
            mailing.feedback = rng.choice(FEEDBACK_GOOD)
        self.mailings.append(mailing)

    def _mailing(self, c, lead, kind, sent_on) -> Mailing:
        rng = self.rng
        courier = weighted(rng, COURIERS)
        tracking = {
            "顺丰速运": f"SF{rng.randrange(10**13):013d}",
            "中通快递": f"7{rng.randint(3, 8)}{rng.randrange(10**12):012d}",
            "德邦物流": f"DPK{rng.randrange(10**12):012d}",
        }[courier]
        created_by = c.owner if (c.owner and rng.random() < 0.4) else self.users["assistant"]
        created_at = self._at(sent_on)
        mailing = Mailing(
            customer=c,
            lead=lead,
            kind=kind,
            items=rng.choice(MAILING_ITEMS[kind]),
            courier=courier,
            tracking_number=tracking,
            sent_on=sent_on,
            feedback_due_on=sent_on + dt.timedelta(days=rng.randint(7, 14)),
            created_at=created_at,
            created_by=created_by,
        )
        mailing._history_date = created_at
        mailing._history_user = created_by
        return mailing

    def _routine_events(self, p: dict) -> list[dict]:
        rng = self.rng
        c: Customer = p["customer"]
        profile = p["profile"]
        if profile == "established":
            start = max(timezone.localdate(c.created_at), self._days_ago(365))
            end = self.today
            if c.status == CustomerStatus.DORMANT:
                end = self._days_ago(rng.randint(90, 200))
            elif c.status == CustomerStatus.LOST:
                end = self._days_ago(rng.randint(120, 300))
            cadence = (
                (12, 20)
                if c.tier == Tier.KEY
                else (60, 120)
                if c.status != CustomerStatus.ACTIVE
                else (20, 40)
            )
        elif profile == Stage.WON:
            start = timezone.localdate(p["lead"]["path"][-1][1]) + dt.timedelta(days=5)
            end = self.today
            cadence = (15, 30)
        elif profile in (Stage.SAMPLES_SENT, Stage.QUOTING, Stage.TRIAL_ORDER):
            # A few extra touches between the stage moves.
            start = timezone.localdate(p["lead"]["path"][0][1]) + dt.timedelta(days=3)
            end = timezone.localdate(p["lead"]["path"][-1][1])
            cadence = (20, 45)
        else:
            return []
        events = []
        day = start + dt.timedelta(days=rng.randint(0, cadence[1]))
        while day < end:
            if (
                rng.random() < 0.14
                and profile in ("established", Stage.WON)
                and c.status == CustomerStatus.ACTIVE
            ):
                channel, summary, outcome = rng.choice(RETURN_VISIT_TOUCH)
                kind = FollowUpKind.RETURN_VISIT
            else:
                channel, summary, outcome = rng.choice(ROUTINE_TOUCH)
                kind = FollowUpKind.FOLLOW_UP
            if c.status == CustomerStatus.LOST and day >= end - dt.timedelta(days=cadence[1]):
                outcome = "客户转向其他供应商，暂停合作"
            events.append(
                {
                    "at": self._at(day),
                    "channel": channel,
                    "summary": summary,
                    "outcome": outcome,
                    "kind": kind,
                }
            )
            day += dt.timedelta(days=rng.randint(*cadence))
        return events

    def _greeting_events(self, p: dict) -> list[dict]:
        rng = self.rng
        c: Customer = p["customer"]
        if c.status != CustomerStatus.ACTIVE:
            return []
        events = []
        for date, festival, gift in self._festivals:
            if timezone.localdate(c.created_at) >= date:
                continue
            key = c.tier == Tier.KEY
            if not key and (festival not in ("春节", "中秋节") or rng.random() > 0.7):
                continue
            day = min(date - dt.timedelta(days=rng.randint(1, 3)), self.today)
            events.append(
                {
                    "at": self._at(day),
                    "channel": Channel.GREETING,
                    "summary": f"{festival}问候，微信发送祝福",
                    "outcome": "客户回复感谢",
                    "greeting": True,
                }
            )
            if key and gift:
                gift_day = min(date - dt.timedelta(days=rng.randint(5, 10)), self.today)
                events.append(
                    {
                        "at": self._at(gift_day),
                        "channel": Channel.GIFT,
                        "summary": f"{festival}前送{gift}",
                        "outcome": "礼品已签收",
                        "greeting": True,
                    }
                )
        return events

    def _make_followups(self, p: dict, events: list[dict]) -> None:
        """FollowUp rows from events, each pointing at the next; the latest sets the customer's columns."""
        rng = self.rng
        c: Customer = p["customer"]
        # One follow-up per day and customer, so "the latest" is never a tie.
        by_day: dict[dt.date, dict] = {}
        for event in sorted(events, key=lambda e: e["at"]):
            by_day.setdefault(timezone.localdate(event["at"]), event)
        events = [e for _, e in sorted(by_day.items()) if e["at"] >= c.created_at]
        if not events:
            return
        contacts = p["contacts"]
        rows = []
        for i, event in enumerate(events):
            follow_up = FollowUp(
                customer=c,
                contact=rng.choice(contacts) if contacts else None,
                channel=event["channel"],
                kind=event.get("kind", FollowUpKind.FOLLOW_UP),
                occurred_at=event["at"],
                summary=event["summary"],
                outcome=event["outcome"],
                created_by=self._author(c, event),
            )
            follow_up.created_at = follow_up.occurred_at + dt.timedelta(minutes=rng.randint(1, 240))
            follow_up.created_at = min(follow_up.created_at, self.now)
            if i + 1 < len(events) and not event.get("greeting"):
                upcoming = events[i + 1]
                own_day = timezone.localdate(event["at"])
                planned = timezone.localdate(upcoming["at"]) + dt.timedelta(
                    days=rng.choice((0, 0, 0, -1, 1, 2))
                )
                follow_up.next_date = max(planned, own_day + dt.timedelta(days=1))
                if upcoming.get("kind") == FollowUpKind.RETURN_VISIT:
                    follow_up.next_kind = FollowUpKind.RETURN_VISIT
                    follow_up.next_action = rng.choice(RETURN_VISIT_ACTIONS)
                else:
                    follow_up.next_kind = FollowUpKind.FOLLOW_UP
                    follow_up.next_action = rng.choice(NEXT_ACTIONS)
            rows.append(follow_up)
        self._plan_next(p, rows[-1])
        for follow_up in rows:
            follow_up._history_date = follow_up.created_at
            follow_up._history_user = follow_up.created_by
        self.followups.extend(rows)
        latest = rows[-1]
        c.last_followup_at = latest.occurred_at
        c.next_followup_on = latest.next_date
        c.next_followup_kind = latest.next_kind
        c.next_followup_note = latest.next_action

    def _author(self, c: Customer, event: dict):
        if event.get("greeting") and self.rng.random() < 0.5:
            return self.users["assistant"]
        if c.owner is None or (event["channel"] == Channel.CALL and self.rng.random() < 0.25):
            return self.users["commercial"]
        return c.owner

    def _plan_next(self, p: dict, latest: FollowUp) -> None:
        """The next step on the latest follow-up: some due today, some overdue, most ahead."""
        rng = self.rng
        c: Customer = p["customer"]
        last_day = timezone.localdate(latest.occurred_at)
        latest.next_date, latest.next_kind, latest.next_action = None, "", ""
        if c.status == CustomerStatus.LOST:
            if rng.random() < 0.4:
                latest.next_date = max(
                    last_day + dt.timedelta(days=rng.randint(120, 180)),
                    self.today + dt.timedelta(days=1),
                )
                latest.next_kind = FollowUpKind.FOLLOW_UP
                latest.next_action = "半年后再联系，了解是否有新需求"
            return
        bucket = rng.random()
        if c.status == CustomerStatus.DORMANT:
            bucket = 0.0 if bucket < 0.5 else 0.9
        if bucket < 0.18:  # overdue
            earliest = max(last_day + dt.timedelta(days=1), self.today - dt.timedelta(days=30))
            if earliest <= self.today - dt.timedelta(days=1):
                latest.next_date = earliest + dt.timedelta(
                    days=rng.randint(0, (self.today - dt.timedelta(days=1) - earliest).days)
                )
            else:
                latest.next_date = self.today
        elif bucket < 0.28:
            latest.next_date = self.today
        elif bucket < 0.55:
            latest.next_date = self.today + dt.timedelta(days=rng.randint(1, 7))
        elif bucket < 0.93:
            latest.next_date = self.today + dt.timedelta(days=rng.randint(8, 45))
        else:
            return
        latest.next_date = max(latest.next_date, last_day)
        if c.status == CustomerStatus.ACTIVE and rng.random() < 0.15:
            latest.next_kind = FollowUpKind.RETURN_VISIT
            latest.next_action = rng.choice(RETURN_VISIT_ACTIONS)
        else:
            latest.next_kind = FollowUpKind.FOLLOW_UP
            latest.next_action = rng.choice(NEXT_ACTIONS)
