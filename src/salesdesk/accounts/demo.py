"""Demo users: one sales department, one person per role (see core/management/commands/demo.py)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from .models import User
from .roles import Role

# username, role, display name, mobile, region (salespeople only)
PEOPLE = (
    ("assistant", Role.ASSISTANT, "王丽娟", "13857410218", ""),
    ("commercial", Role.COMMERCIAL, "赵婷婷", "13957420735", ""),
    ("sales1", Role.SALESPERSON, "李建明", "13805746621", "浙江、安徽、江西"),
    ("sales2", Role.SALESPERSON, "张晓东", "13915126043", "江苏、上海、山东及华北"),
    ("sales3", Role.SALESPERSON, "周海涛", "13702658817", "广东、福建及华中、西南"),
    ("director", Role.DIRECTOR, "陈国华", "13605740086", ""),
    ("finance", Role.FINANCE, "刘敏", "13586620157", ""),
    ("warehouse", Role.WAREHOUSE, "孙强", "15057433902", ""),
    ("admin", Role.ADMIN, "系统管理员", "", ""),
)
SALESPEOPLE = ("sales1", "sales2", "sales3")


def build(ctx) -> None:
    """Create the department's users; people who already exist are left as they are."""
    existing = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
    # One hash for all: hashing is deliberately slow and every demo user shares the password.
    password_hash = make_password(ctx.password)
    new = []
    for username, role, display_name, mobile, _region in PEOPLE:
        if username in existing:
            continue
        new.append(
            User(
                username=username,
                role=role,
                display_name=display_name,
                last_name=display_name[:1] if role != Role.ADMIN else "",
                first_name=display_name[1:] if role != Role.ADMIN else "",
                email=f"{username}@hengxin-carton.example.cn",
                phone=mobile,
                password=password_hash,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
                date_joined=ctx.now,
            )
        )
    User.objects.bulk_create(new)
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
    for username, user in users.items():
        user._demo_created = username not in existing
    ctx.users = {p[0]: users[p[0]] for p in PEOPLE}
    ctx.counts.append(("users", len(new)))
