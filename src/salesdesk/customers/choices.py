"""The department's vocabularies for customer files (R-1.1, R-2.1, R-3.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerType(models.TextChoices):
    END = "end", _("End customer")
    DISTRIBUTOR = "distributor", _("Distributor")
    GROUP = "group", _("Group company")


class Tier(models.TextChoices):
    KEY = "key", _("Key account")
    ORDINARY = "ordinary", _("Ordinary")


class CustomerStatus(models.TextChoices):
    LEAD = "lead", _("Lead")
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    NEWSPAPER = "newspaper", _("Newspaper")
    MAGAZINE = "magazine", _("Magazine")
    EXHIBITION = "exhibition", _("Exhibition")
    REFERRAL = "referral", _("Referral")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")


class Industry(models.TextChoices):
    FOOD = "food", _("Food and beverage")
    ELECTRONICS = "electronics", _("Electronics")
    APPLIANCES = "appliances", _("Household appliances")
    ECOMMERCE = "ecommerce", _("E-commerce and logistics")
    PHARMA = "pharma", _("Pharmaceuticals")
    CHEMICALS = "chemicals", _("Daily chemicals")
    FURNITURE = "furniture", _("Furniture")
    AGRICULTURE = "agriculture", _("Fresh produce")
    MACHINERY = "machinery", _("Machinery and hardware")
    TEXTILES = "textiles", _("Textiles and apparel")
    OTHER = "other", _("Other")


class DecisionRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    PURCHASER = "purchaser", _("Purchaser")
    USER = "user", _("User")
    FINANCE = "finance", _("Finance contact")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    FOUND = "found", _("Found")
    CONTACTED = "contacted", _("Contacted")
    SAMPLES_SENT = "samples_sent", _("Samples/brochure sent")
    QUOTING = "quoting", _("Quoting")
    TRIAL_ORDER = "trial_order", _("Trial order")
    WON = "won", _("Won")
    LOST = "lost", pgettext_lazy("lead stage", "Lost")


OPEN_STAGES = (Stage.FOUND, Stage.CONTACTED, Stage.SAMPLES_SENT, Stage.QUOTING, Stage.TRIAL_ORDER)
CLOSED_STAGES = (Stage.WON, Stage.LOST)


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery time")
    COMPETITOR = "competitor", _("Went to a competitor")
    NO_NEED = "no_need", _("No demand")
    NO_RESPONSE = "no_response", _("No response")
    CREDIT = "credit", _("Payment terms or credit")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    CALL = "call", _("Phone call")
    QQ = "qq", _("QQ")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit")
    GREETING = "greeting", _("Greeting")
    GIFT = "gift", _("Gift")


class FollowUpKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    RETURN_VISIT = "return_visit", _("Return visit")


class MailingKind(models.TextChoices):
    SAMPLE = "sample", _("Samples")
    BROCHURE = "brochure", _("Brochure")
    BOTH = "both", _("Samples and brochure")


class Province(models.TextChoices):
    BEIJING = "北京", _("Beijing")
    TIANJIN = "天津", _("Tianjin")
    HEBEI = "河北", _("Hebei")
    SHANXI = "山西", _("Shanxi")
    NEIMENGGU = "内蒙古", _("Inner Mongolia")
    LIAONING = "辽宁", _("Liaoning")
    JILIN = "吉林", _("Jilin")
    HEILONGJIANG = "黑龙江", _("Heilongjiang")
    SHANGHAI = "上海", _("Shanghai")
    JIANGSU = "江苏", _("Jiangsu")
    ZHEJIANG = "浙江", _("Zhejiang")
    ANHUI = "安徽", _("Anhui")
    FUJIAN = "福建", _("Fujian")
    JIANGXI = "江西", _("Jiangxi")
    SHANDONG = "山东", _("Shandong")
    HENAN = "河南", _("Henan")
    HUBEI = "湖北", _("Hubei")
    HUNAN = "湖南", _("Hunan")
    GUANGDONG = "广东", _("Guangdong")
    GUANGXI = "广西", _("Guangxi")
    HAINAN = "海南", _("Hainan")
    CHONGQING = "重庆", _("Chongqing")
    SICHUAN = "四川", _("Sichuan")
    GUIZHOU = "贵州", _("Guizhou")
    YUNNAN = "云南", _("Yunnan")
    XIZANG = "西藏", _("Tibet")
    SHAANXI = "陕西", _("Shaanxi")
    GANSU = "甘肃", _("Gansu")
    QINGHAI = "青海", _("Qinghai")
    NINGXIA = "宁夏", _("Ningxia")
    XINJIANG = "新疆", _("Xinjiang")
    HONGKONG = "香港", _("Hong Kong")
    MACAU = "澳门", _("Macau")
    TAIWAN = "台湾", _("Taiwan")
