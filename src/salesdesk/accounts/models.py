from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """A person who signs in. The role decides what they see (accounts.roles)."""

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.SALESPERSON
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_salesperson(self) -> bool:
        return self.role == Role.SALESPERSON
