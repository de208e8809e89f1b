"""Words and numbers of the demo's money: banks, payment notes, headquarters disputes."""

from __future__ import annotations

# Bank numbers (联行号) of the banks whose acceptance bills customers hand over; an electronic
# bank acceptance bill number is 30 digits: 1 + the bank's 12-digit number + date + 9 digits.
BILL_BANKS = (
    "102331000018",  # 工商银行
    "103331000012",  # 农业银行
    "104331000017",  # 中国银行
    "105331000010",  # 建设银行
    "308331012005",  # 招商银行
    "313331000014",  # 宁波银行
)

BANK_NOTES = ("货款", "支付货款", "{month}货款", "{month}货款", "{month}纸箱款", "")
PART_NOTES = ("部分货款", "{month}部分货款", "先付部分，余款下月付")
BALANCE_NOTES = ("余款", "{month}余款", "补付余款")
BILL_NOTES = ("银行承兑汇票，到期日 {due}", "承兑汇票背书转让，到期日 {due}")
CREDIT_NOTES = ("含预付货款", "整数付款，多余部分作预付款")
STRAINED_NOTES = ("先付一部分，其余等总部审批", "资金紧张，分批付款")

# Headquarters disputes (往年应付款清理, R-5.5): (kind, title, description, period, status,
# resolution) — amounts are drawn from the customer's own receivables.
DISPUTES = (
    (
        "missing_documents",
        "签收单缺失，总部财务不予付款",
        "总部财务核对往年应付款，要求每笔发货附客户签收单原件；{period}有{count}张签收单找不到，"
        "涉及金额由总部暂扣。已请仓库和物流公司查找回单。",
        "open",
        "",
    ),
    (
        "price",
        "调价后单价未获总部确认",
        "{period}原纸涨价后我方按新单价开票，分厂采购同意，但总部采购部认为调价函未经其盖章，"
        "按旧单价付款，差额挂账。",
        "waiting",
        "",
    ),
    (
        "missing_documents",
        "对账单未回签，余额不认",
        "总部要求年度对账单由分厂负责人签字盖章后才确认余额，{period}的对账单寄出后未回签。",
        "resolved",
        "补寄签收单复印件并由分厂盖章确认，总部已按对账单金额付清。",
    ),
    (
        "quantity",
        "入库数量与发货数量不符",
        "总部仓库入库记录比我方发货单少{count}箱，疑为运输途中破损未记录。",
        "open",
        "",
    ),
)
DOCUMENT_NAME = "缺失签收单清单.csv"
