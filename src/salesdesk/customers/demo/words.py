"""The demo's vocabulary: regions, company and person names, texts of the trade."""

from ..choices import (
    Channel,
    DecisionRole,
    Industry,
    LostReason,
    MailingKind,
    Source,
    Stage,
)

CUSTOMERS_PER_SCALE = 200

# fmt: off
# province, weight, salesperson, [(city, area code, division code, districts)]
REGIONS = (
    ("浙江", 30, "sales1", (
        ("杭州", "0571", "330100", ("余杭区", "萧山区", "滨江区", "西湖区", "临平区")),
        ("宁波", "0574", "330200", ("海曙区", "鄞州区", "北仑区", "慈溪市", "余姚市")),
        ("温州", "0577", "330300", ("瓯海区", "龙湾区", "乐清市", "瑞安市")),
        ("嘉兴", "0573", "330400", ("南湖区", "海宁市", "桐乡市")),
        ("湖州", "0572", "330500", ("吴兴区", "长兴县", "德清县")),
        ("绍兴", "0575", "330600", ("柯桥区", "上虞区", "诸暨市")),
        ("金华", "0579", "330700", ("义乌市", "永康市", "婺城区")),
        ("台州", "0576", "331000", ("黄岩区", "路桥区", "温岭市")),
    )),
    ("江苏", 20, "sales2", (
        ("苏州", "0512", "320500", ("吴中区", "吴江区", "昆山市", "常熟市", "张家港市")),
        ("无锡", "0510", "320200", ("新吴区", "江阴市", "宜兴市")),
        ("常州", "0519", "320400", ("武进区", "新北区")),
        ("南京", "025", "320100", ("江宁区", "浦口区")),
        ("南通", "0513", "320600", ("通州区", "海门区")),
    )),
    ("广东", 14, "sales3", (
        ("广州", "020", "440100", ("白云区", "番禺区", "花都区")),
        ("深圳", "0755", "440300", ("宝安区", "龙岗区", "龙华区")),
        ("东莞", "0769", "441900", ("长安镇", "虎门镇", "塘厦镇")),
        ("佛山", "0757", "440600", ("顺德区", "南海区")),
        ("中山", "0760", "442000", ("小榄镇", "古镇镇")),
    )),
    ("上海", 10, "sales2", (
        ("上海", "021", "310100", ("松江区", "嘉定区", "青浦区", "奉贤区", "闵行区", "浦东新区")),
    )),
    ("山东", 8, "sales2", (
        ("青岛", "0532", "370200", ("黄岛区", "城阳区", "即墨区")),
        ("济南", "0531", "370100", ("历城区", "章丘区")),
        ("潍坊", "0536", "370700", ("寿光市", "诸城市")),
        ("临沂", "0539", "371300", ("兰山区", "罗庄区")),
    )),
    ("安徽", 5, "sales1", (
        ("合肥", "0551", "340100", ("蜀山区", "肥西县")),
        ("芜湖", "0553", "340200", ("鸠江区", "弋江区")),
    )),
    ("福建", 5, "sales3", (
        ("厦门", "0592", "350200", ("集美区", "同安区")),
        ("泉州", "0595", "350500", ("晋江市", "石狮市")),
        ("福州", "0591", "350100", ("闽侯县", "仓山区")),
    )),
    ("河南", 3, "sales2", (("郑州", "0371", "410100", ("中牟县", "新郑市")),)),
    ("湖北", 3, "sales3", (("武汉", "027", "420100", ("东西湖区", "汉阳区")),)),
    ("四川", 3, "sales3", (("成都", "028", "510100", ("双流区", "新都区", "郫都区")),)),
    ("北京", 2, "sales2", (("北京", "010", "110100", ("大兴区", "顺义区")),)),
    ("天津", 2, "sales2", (("天津", "022", "120100", ("武清区", "西青区")),)),
    ("江西", 2, "sales1", (("南昌", "0791", "360100", ("南昌县", "青山湖区")),)),
    ("湖南", 2, "sales3", (("长沙", "0731", "430100", ("望城区", "长沙县")),)),
)
MUNICIPALITIES = {"上海", "北京", "天津"}

# Trade names (字号) are built from two characters; famous brands avoided by construction.
BRAND_FIRST = "恒鑫华永金瑞宏嘉天万盛富新汇佳百康海德众博锦顺立聚润美长凯优绿星通荣合远鼎福祥兴隆昌丰泰益信诚"
BRAND_SECOND = "达源泰盛辉丰图禾成利民通美川纳润诚远程鑫发信泽青品宇和兴昌隆晟邦瑞旺业嘉力"

INDUSTRY_WEIGHTS = (
    (Industry.FOOD, 22), (Industry.ECOMMERCE, 15), (Industry.ELECTRONICS, 14),
    (Industry.APPLIANCES, 12), (Industry.MACHINERY, 8), (Industry.CHEMICALS, 7),
    (Industry.FURNITURE, 6), (Industry.PHARMA, 5), (Industry.AGRICULTURE, 5),
    (Industry.TEXTILES, 4), (Industry.OTHER, 2),
)
INDUSTRY_WORDS = {
    Industry.FOOD: ("食品", "饮料", "乳业", "调味品", "糕点", "茶业", "食品科技"),
    Industry.ECOMMERCE: ("电子商务", "供应链管理", "网络科技", "物流"),
    Industry.ELECTRONICS: ("电子", "电子科技", "光电", "智能科技"),
    Industry.APPLIANCES: ("电器", "家电", "厨具电器", "小家电"),
    Industry.MACHINERY: ("五金", "机械", "工具", "汽车配件"),
    Industry.CHEMICALS: ("日化", "化妆品", "洗涤用品"),
    Industry.FURNITURE: ("家具", "家居用品", "木业"),
    Industry.PHARMA: ("医药", "生物科技", "保健品"),
    Industry.AGRICULTURE: ("农产品", "果蔬", "水产", "生鲜配送"),
    Industry.TEXTILES: ("服饰", "纺织", "鞋业", "家纺"),
    Industry.OTHER: ("玩具", "文具", "灯饰", "工艺品"),
}
# What a short name keeps of a long industry word: 恒达化妆品 → 恒达日化.
SHORT_WORDS = {
    "化妆品": "日化", "洗涤用品": "日化", "厨具电器": "电器", "小家电": "电器", "电子商务": "电商",
    "供应链管理": "供应链", "网络科技": "网络", "电子科技": "电子", "智能科技": "智能",
    "食品科技": "食品", "调味品": "调味", "家居用品": "家居", "生物科技": "生物", "保健品": "保健",
    "农产品": "农业", "生鲜配送": "生鲜", "汽车配件": "汽配",
}
DISTRIBUTOR_WORDS = ("包装材料", "纸制品", "包装制品", "商贸")
SOURCE_WEIGHTS = (
    (Source.EXHIBITION, 24), (Source.REFERRAL, 22), (Source.WEBSITE, 18), (Source.PHONE, 16),
    (Source.WALK_IN, 8), (Source.MAGAZINE, 7), (Source.NEWSPAPER, 5),
)
ROADS = ("工业大道", "创业路", "兴业路", "科技大道", "发展大道", "纬二路", "经一路", "环城北路",
         "滨海大道", "新园路", "金谷北路", "园区路", "振兴路", "开发区东路")
BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行", "兴业银行")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦方"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "建华", "志强", "晓东", "海燕", "丽娟", "文杰", "俊",
         "婷", "雪梅", "国庆", "建国", "玉兰", "红梅", "小红", "宇", "浩", "鑫", "佳怡", "晨", "思远",
         "春生", "永康", "立新", "美玲", "伟民", "建军", "慧敏", "晓燕", "志刚")
# title, decision role, weight (first contact / further contacts)
TITLES = (
    ("采购经理", DecisionRole.PURCHASER, 30, 10),
    ("总经理", DecisionRole.DECISION_MAKER, 22, 6),
    ("老板", DecisionRole.DECISION_MAKER, 8, 2),
    ("副总经理", DecisionRole.DECISION_MAKER, 4, 5),
    ("采购专员", DecisionRole.PURCHASER, 12, 12),
    ("仓库主管", DecisionRole.USER, 6, 18),
    ("生产经理", DecisionRole.INFLUENCER, 6, 14),
    ("品管主管", DecisionRole.INFLUENCER, 4, 12),
    ("财务", DecisionRole.FINANCE, 4, 16),
    ("行政助理", DecisionRole.OTHER, 4, 5),
)
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186",
                   "187", "188", "189", "133", "180", "181", "177", "199", "130", "131", "132",
                   "155", "156", "185", "176", "182", "183", "157", "178")

STAGE_ORDER = (Stage.FOUND, Stage.CONTACTED, Stage.SAMPLES_SENT, Stage.QUOTING, Stage.TRIAL_ORDER)
LEAD_STAGE_WEIGHTS = (
    (Stage.FOUND, 12), (Stage.CONTACTED, 14), (Stage.SAMPLES_SENT, 16), (Stage.QUOTING, 14),
    (Stage.TRIAL_ORDER, 10), (Stage.WON, 19), (Stage.LOST, 15),
)
LEAD_SHARE = 0.42
LOST_NOTES = {
    LostReason.PRICE: ("客户嫌单价高，竞争对手报价低 8%", "五层箱报价高出客户预算，未谈拢"),
    LostReason.QUALITY: ("试单纸箱抗压不达标，客户不再考虑", "彩印色差超出客户标准"),
    LostReason.DELIVERY: ("客户要求 7 天交货，我方排产需 15 天", "旺季交期无法保证"),
    LostReason.COMPETITOR: ("客户选择了本地纸箱厂，运费更低", "客户集团指定了其他供应商"),
    LostReason.NO_NEED: ("客户今年包装改由集团统一采购", "客户产品线调整，暂不需要纸箱"),
    LostReason.NO_RESPONSE: ("多次联系未回复", "采购经理离职，新人不接电话"),
    LostReason.CREDIT: ("客户要求月结 90 天，超出公司政策", "客户信用不佳，财务不同意赊销"),
    LostReason.OTHER: ("客户工厂搬迁，暂停采购", "客户业务转型"),
}
LOST_WEIGHTS = (
    (LostReason.PRICE, 30), (LostReason.COMPETITOR, 18), (LostReason.DELIVERY, 12),
    (LostReason.NO_RESPONSE, 12), (LostReason.QUALITY, 9), (LostReason.CREDIT, 8),
    (LostReason.NO_NEED, 7), (LostReason.OTHER, 4),
)
COURIERS = (("顺丰速运", 55), ("中通快递", 30), ("德邦物流", 15))
MAILING_ITEMS = {
    MailingKind.SAMPLE: ("三层B楞纸箱样品 5 个", "五层BC楞纸箱样品 3 个", "彩印瓦楞纸盒样品 10 个",
                         "飞机盒样品 20 个", "七层重型纸箱样品 2 个", "三层E楞彩盒打样 5 个"),
    MailingKind.BROCHURE: ("公司画册 2 本", "产品目录及楞型色卡 1 套", "公司画册及报价单"),
    MailingKind.BOTH: ("公司画册 1 本 + 五层纸箱样品 3 个", "产品目录 + 彩印箱样品 5 个"),
}
FEEDBACK_GOOD = ("样品抗压测试通过，等待报价", "样品已收到，转交采购经理评估", "客户满意，准备试单",
                 "尺寸合适，要求降低克重再报价", "画册已收到，客户对彩印箱感兴趣")
FEEDBACK_BAD = ("客户认为印刷颜色偏淡，需调整", "纸板偏软，抗压未达标", "客户觉得样品做工一般")

# Follow-up texts: (channel, summary, outcome) per occasion.
STAGE_TOUCH = {
    Stage.CONTACTED: ((Channel.CALL, "首次电话联系，介绍我司瓦楞纸箱产品和产能", "客户有兴趣，要求寄样品和画册"),
                      (Channel.WECHAT, "加微信，发送公司简介和工厂照片", "客户愿意了解，约定寄样")),
    Stage.SAMPLES_SENT: ((Channel.WECHAT, "告知样品已寄出及快递单号", "客户确认收件地址"),
                         (Channel.CALL, "电话确认样品寄送，了解客户箱型需求", "客户收到后安排测试")),
    Stage.QUOTING: ((Channel.EMAIL, "发送三层、五层纸箱报价单", "客户对比中，下周回复"),
                    (Channel.WECHAT, "微信发送报价及付款条件", "客户要求单价再降 3%")),
    Stage.TRIAL_ORDER: ((Channel.VISIT, "上门拜访采购经理，确定试单数量和交期", "客户下试单 2000 只"),
                        (Channel.CALL, "跟进试单生产和交货安排", "试单已安排生产")),
    Stage.WON: ((Channel.VISIT, "拜访客户总经理，签订年度供货协议", "成交，按月下单"),
                (Channel.CALL, "试单反馈良好，确认批量订单", "成交，首批订单已下")),
    Stage.LOST: ((Channel.CALL, "电话了解客户最终决定", "客户不合作"),
                 (Channel.WECHAT, "微信跟进报价结果", "客户已选择其他供应商")),
}
ROUTINE_TOUCH = (
    (Channel.CALL, "电话沟通下月订单计划", "客户预计下月需求与本月持平"),
    (Channel.CALL, "电话确认上批货签收情况", "数量正确，无破损"),
    (Channel.CALL, "了解旺季备货计划", "客户旺季需求增加约 20%"),
    (Channel.WECHAT, "微信沟通彩印箱新设计稿", "客户确认设计稿"),
    (Channel.WECHAT, "微信回复客户交期问题", "客户接受新交期"),
    (Channel.QQ, "QQ发送新品纸箱目录", "客户转给采购部门"),
    (Channel.EMAIL, "邮件发送本月对账单", "客户核对无误"),
    (Channel.EMAIL, "邮件发送年度报价", "客户要求面谈"),
    (Channel.VISIT, "上门拜访，查看客户仓库纸箱使用情况", "建议改用五层箱减少破损"),
    (Channel.VISIT, "陪同总监拜访客户总经理", "客户同意增加采购份额"),
)
RETURN_VISIT_TOUCH = (
    (Channel.CALL, "回访：了解上批纸箱使用情况", "客户反馈质量稳定"),
    (Channel.VISIT, "回访：到客户仓库查看堆码和破损情况", "无明显问题，客户满意"),
    (Channel.CALL, "回访：新品包装使用反馈", "客户提出加厚内衬的建议"),
)
NEXT_ACTIONS = ("跟进下月订单", "发送新报价", "确认试单反馈", "约见采购经理", "寄送新样品",
                "核对对账单", "跟进付款", "了解旺季需求")
RETURN_VISIT_ACTIONS = ("回访了解纸箱使用情况", "回访新品包装反馈", "上门回访采购经理")
FESTIVALS = (  # name, lunar (month, day) or solar (month, day), gift
    ("春节", "lunar", (1, 1), "春节年货礼盒"),
    ("端午节", "lunar", (5, 5), "端午粽子礼盒"),
    ("中秋节", "lunar", (8, 15), "中秋月饼礼盒"),
    ("国庆节", "solar", (10, 1), ""),
    ("元旦", "solar", (1, 1), ""),
)
# fmt: on


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def split_by_weight(total: int, pairs) -> list:
    """Split `total` by weight (largest remainder), every value at least once."""
    weight_sum = sum(w for _, w in pairs)
    raw = [(v, total * w / weight_sum) for v, w in pairs]
    counts = {v: max(1, int(x)) for v, x in raw}
    by_remainder = sorted(raw, key=lambda vx: vx[1] - int(vx[1]), reverse=True)
    i = 0
    while sum(counts.values()) < total:
        counts[by_remainder[i % len(by_remainder)][0]] += 1
        i += 1
    return [v for v, _ in pairs for _ in range(counts[v])]
