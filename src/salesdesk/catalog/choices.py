from django.db import models
from django.utils.translation import gettext_lazy as _


class Flute(models.TextChoices):
    """楞型: the corrugation profile of the board."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    E = "E", "E"
    F = "F", "F"
    AB = "AB", "AB"
    BC = "BC", "BC"
    BE = "BE", "BE"
    ABC = "ABC", "ABC"


class Ply(models.IntegerChoices):
    """层数: layers of paper in the board."""

    THREE = 3, _("3-ply")
    FIVE = 5, _("5-ply")
    SEVEN = 7, _("7-ply")


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    SET = "set", _("set")
    SHEET = "sheet", _("sheet")
    SQUARE_METRE = "m2", _("square metre")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the customer")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
