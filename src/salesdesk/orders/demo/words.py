"""The orders demo's vocabulary: reasons, carriers, terms and notes of the trade."""

from salesdesk.customers.choices import Industry
from salesdesk.orders.choices import OrderChannel

ORDERS_PER_SCALE = 1500

# Which kinds of product each industry buys (category -> weight); see catalog/demo.py.
AFFINITY = {
    Industry.FOOD: {"rsc3": 3, "rsc5": 2, "gift": 2, "divider": 1, "mailer": 1},
    Industry.ECOMMERCE: {"mailer": 4, "rsc3": 3, "rsc5": 1, "foam": 1},
    Industry.ELECTRONICS: {"rsc5": 3, "foam": 3, "divider": 2, "rsc3": 1, "gift": 1},
    Industry.APPLIANCES: {"rsc5": 3, "rsc7": 2, "foam": 3, "divider": 1},
    Industry.PHARMA: {"rsc3": 3, "gift": 2, "divider": 1},
    Industry.CHEMICALS: {"rsc3": 3, "rsc5": 2, "divider": 1},
    Industry.FURNITURE: {"rsc7": 3, "rsc5": 2, "foam": 2, "sheet": 2},
    Industry.AGRICULTURE: {"rsc3": 3, "rsc5": 2, "gift": 2, "divider": 1},
    Industry.MACHINERY: {"rsc7": 3, "rsc5": 2, "sheet": 2, "foam": 1},
    Industry.TEXTILES: {"rsc3": 3, "rsc5": 2, "mailer": 2},
}
DISTRIBUTOR_AFFINITY = {"sheet": 3, "rsc3": 2, "rsc5": 2, "mailer": 2}
ANY_AFFINITY = {
    "rsc3": 3,
    "rsc5": 2,
    "rsc7": 1,
    "gift": 1,
    "mailer": 1,
    "divider": 1,
    "foam": 1,
    "sheet": 1,
}

# (low, high, step) of a line's quantity per category, in the product's unit.
QUANTITIES = {
    "rsc3": (300, 8000, 100),
    "rsc5": (200, 5000, 100),
    "rsc7": (50, 800, 10),
    "gift": (200, 3000, 50),
    "mailer": (500, 20000, 500),
    "divider": (1000, 20000, 500),
    "foam": (500, 10000, 100),
    "sheet": (200, 3000, 100),
}
SQUARE_METRES = (500, 5000, 100)

LINE_COUNTS = ((1, 40), (2, 25), (3, 18), (4, 10), (5, 7))
CHANNELS = (
    (OrderChannel.SALESPERSON, 62),
    (OrderChannel.PHONE, 18),
    (OrderChannel.ONLINE, 14),
    (OrderChannel.WALK_IN, 6),
)

CANCEL_REASONS = (
    "客户取消采购计划",
    "价格未谈拢",
    "重复下单，已合并到另一订单",
    "客户改用其他规格",
    "交期无法满足客户要求",
    "客户资金紧张，暂停下单",
)
# Production trouble behind a later promise: the reason goes on the production status too.
PRODUCTION_DELAYS = ("原纸供应延迟", "设备检修", "排产紧张，插单较多", "印版需重新制作")
LATER_BY_CUSTOMER = ("客户要求延后交货，仓库已满", "客户要求延后，等待其产品上线")
EARLIER_BY_CUSTOMER = ("客户要求提前交货", "客户生产计划提前，要求提前送货")
TRANSPORT_DELAYS = ("物流运力紧张，顺延发货",)

ORDER_NOTES = (
    "外箱印刷唛头，按客户提供的稿件",
    "送货前电话联系客户仓库",
    "分批送货，先发一半",
    "打包带捆扎，每捆50只",
    "需附出厂检验报告",
    "",
    "",
    "",
    "",
    "",
)
CONTRACT_TERMS = (
    "月结30天；含13%增值税专用发票；送货到客户仓库，运费由供方承担",
    "货到验收合格后60天付款；含税价；交货地点：需方工厂",
    "预付30%，发货前付清余款；含税含运",
    "月结60天；含13%增值税专用发票；质量问题7天内提出",
)
FRAME_TERMS = (
    "年度框架合同：按月下单，月结30天；含13%增值税专用发票；运费由供方承担；价格随原纸价格季度调整"
)

# Carriers: (name, weight, tracking number pattern); each has a fixed customer-service line.
CARRIERS = (
    ("德邦物流", 30, "DPK{12}"),
    ("顺丰速运", 15, "SF{13}"),
    ("安能物流", 20, "3{11}"),
    ("中通快运", 20, "ZTKY{10}"),
    ("壹米滴答", 15, "8{12}"),
)
MOBILE_PREFIXES = (
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "187",
    "188",
    "189",
    "177",
    "199",
)
RECEIVERS = ("仓库", "门卫代签", "前台")

FACTORY = "恒信纸品"
