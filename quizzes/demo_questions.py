"""The demo's question bank, written from the official text of the Anti-Organized Crime Law
(law/data/anti-organized-crime-law.zh.txt). Each question names the provision that decides it
(article, paragraph and item as the text numbers them: one paragraph per line, the items
（一）… belonging to the paragraph before them) and `basis`, words copied from that provision,
which tests/quizzes/test_demo.py finds there: a question cannot cite a provision that does not
say what it claims.

There is no official English text of the law; the English questions translate the Chinese
ones and paraphrase the provision."""

# Topic names, as editors write them in a quiz page's "draw from topics", in each language.
TOPICS_EN = {
    "总则": "General provisions",
    "有组织犯罪认定": "What counts as organized crime",
    "恶势力": "Vicious-force organisations",
    "预防和治理": "Prevention",
    "案件办理": "Handling cases",
    "财产处置": "Seized property",
    "国家工作人员涉黑": "Officials and organized crime",
    "举报与保护": "Reporting and protection",
    "法律责任": "Legal liability",
}

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"


def _q(key, kind, provision, basis, topics, zh, en, true=None):
    article, paragraph, item = (*provision, None, None)[:3]
    return {
        "key": key,
        "kind": kind,
        "article": article,
        "paragraph": paragraph,
        "item": item,
        "basis": basis,
        "topics": topics,
        "statement_is_true": bool(true),
        "zh": zh,
        "en": en,
    }


def _choice(text, options, explanation):
    """options: [(text, right)]."""
    return {"text": text, "options": options, "explanation": explanation}


def _statement(text, explanation):
    return {"text": text, "options": [], "explanation": explanation}


QUESTIONS = [
    _q(
        "art2-definition",
        SINGLE,
        (2, 1),
        "《中华人民共和国刑法》第二百九十四条规定的组织、领导、参加黑社会性质组织犯罪",
        ("总则", "有组织犯罪认定"),
        _choice(
            "本法所称有组织犯罪，包括《中华人民共和国刑法》哪一条规定的组织、领导、参加黑社会"
            "性质组织犯罪？",
            [
                ("第二百九十四条", True),
                ("第二百七十四条", False),
                ("第二百三十四条", False),
                ("第三百零三条", False),
            ],
            "第二条第一款：本法所称有组织犯罪，是指《中华人民共和国刑法》第二百九十四条规定的"
            "组织、领导、参加黑社会性质组织犯罪，以及黑社会性质组织、恶势力组织实施的犯罪。",
        ),
        _choice(
            "Organized crime in this Law includes organising, leading or joining a mafia-style "
            "organisation as defined by which article of the Criminal Law?",
            [
                ("Article 294", True),
                ("Article 274", False),
                ("Article 234", False),
                ("Article 303", False),
            ],
            "Article 2(1): organized crime means the crimes of organising, leading or joining a "
            "mafia-style organisation under Article 294 of the Criminal Law, and crimes "
            "committed by mafia-style or vicious-force organisations.",
        ),
    ),
    _q(
        "art2-vicious-force",
        MULTIPLE,
        (2, 2),
        "经常纠集在一起，以暴力、威胁或者其他手段，在一定区域或者行业领域内多次实施违法犯罪活动",
        ("恶势力", "有组织犯罪认定"),
        _choice(
            "根据本法对恶势力组织的定义，下列哪些属于恶势力组织的特征？",
            [
                ("经常纠集在一起", True),
                ("以暴力、威胁或者其他手段实施违法犯罪活动", True),
                ("在一定区域或者行业领域内多次实施违法犯罪活动", True),
                ("已经形成黑社会性质组织", False),
            ],
            "第二条第二款：恶势力组织是指经常纠集在一起，以暴力、威胁或者其他手段，在一定区域"
            "或者行业领域内多次实施违法犯罪活动，为非作恶，欺压群众，扰乱社会秩序、经济秩序，"
            "造成较为恶劣的社会影响，但尚未形成黑社会性质组织的犯罪组织。",
        ),
        _choice(
            "Under this Law's definition, which of these mark a vicious-force organisation?",
            [
                ("Its members often gather together", True),
                ("It commits crimes by violence, threats or other means", True),
                ("It repeatedly commits crimes in a certain area or line of business", True),
                ("It has already become a mafia-style organisation", False),
            ],
            "Article 2(2): a vicious-force organisation often gathers together and, by "
            "violence, threats or other means, repeatedly commits crimes in an area or line of "
            "business, bullying people and disturbing social and economic order with a fairly "
            "bad social impact, but has not yet become a mafia-style organisation.",
        ),
    ),
    _q(
        "art2-abroad",
        TRUE_FALSE,
        (2, 3),
        "境外的黑社会组织到中华人民共和国境内发展组织成员、实施犯罪",
        ("总则",),
        _statement(
            "境外的黑社会组织到中华人民共和国境内发展组织成员、实施犯罪的，不适用本法。",
            "错误。第二条第三款：境外的黑社会组织到中华人民共和国境内发展组织成员、实施犯罪，"
            "以及在境外对中华人民共和国国家或者公民犯罪的，适用本法。",
        ),
        _statement(
            "This Law does not apply to a foreign criminal syndicate that recruits members or "
            "commits crimes inside the People's Republic of China.",
            "False. Article 2(3): the Law applies to foreign criminal syndicates that recruit "
            "members or commit crimes in China, and to their crimes abroad against China or its "
            "citizens.",
        ),
        true=False,
    ),
    _q(
        "art4-principles",
        MULTIPLE,
        (4,),
        "坚持专门工作与群众路线相结合，坚持专项治理与系统治理相结合，坚持与反腐败相结合",
        ("总则",),
        _choice(
            "反有组织犯罪工作应当坚持哪些“相结合”？",
            [
                ("专门工作与群众路线相结合", True),
                ("专项治理与系统治理相结合", True),
                ("与反腐败相结合", True),
                ("以惩治为主、预防为辅", False),
            ],
            "第四条：反有组织犯罪工作应当坚持专门工作与群众路线相结合，坚持专项治理与系统治理"
            "相结合，坚持与反腐败相结合，坚持与加强基层组织建设相结合，惩防并举、标本兼治。",
        ),
        _choice(
            "Which principles must the work against organized crime combine?",
            [
                ("Specialised work with the mass line (the public's involvement)", True),
                ("Targeted campaigns with systematic governance", True),
                ("The fight against corruption", True),
                ("Punishment first, prevention second", False),
            ],
            "Article 4: the work combines specialised work with the mass line, targeted "
            "campaigns with systematic governance, and goes with the fight against corruption "
            "and the strengthening of grassroots organisations, punishing and preventing alike "
            "and treating both symptoms and root causes.",
        ),
    ),
    _q(
        "art7-duty",
        TRUE_FALSE,
        (7, 1),
        "任何单位和个人都有协助、配合有关部门开展反有组织犯罪工作的义务",
        ("总则", "举报与保护"),
        _statement(
            "任何单位和个人都有协助、配合有关部门开展反有组织犯罪工作的义务。",
            "正确。第七条第一款作此规定；第二款规定，国家依法对协助、配合反有组织犯罪工作的"
            "单位和个人给予保护。",
        ),
        _statement(
            "Every organisation and every person has a duty to assist and cooperate with the "
            "authorities' work against organized crime.",
            "True. Article 7(1) says so; Article 7(2) adds that the State protects, by law, "
            "those who assist and cooperate.",
        ),
        true=True,
    ),
    _q(
        "art8-reward",
        SINGLE,
        (8, 2),
        "按照国家有关规定给予表彰、奖励",
        ("举报与保护",),
        _choice(
            "对举报有组织犯罪或者在反有组织犯罪工作中作出突出贡献的单位和个人，本法规定如何对待？",
            [
                ("按照国家有关规定给予表彰、奖励", True),
                ("由举报人自行向被举报人索取补偿", False),
                ("只作登记，不予表彰", False),
                ("一律公开其姓名和住址", False),
            ],
            "第八条第二款：对举报有组织犯罪或者在反有组织犯罪工作中作出突出贡献的单位和个人，"
            "按照国家有关规定给予表彰、奖励。第一款规定，国家鼓励单位和个人举报有组织犯罪。",
        ),
        _choice(
            "What does the Law provide for organisations and people who report organized crime "
            "or make an outstanding contribution to the fight against it?",
            [
                ("Commendation and rewards under the State's rules", True),
                ("They claim compensation from the people they reported", False),
                ("They are registered but not commended", False),
                ("Their names and addresses are always made public", False),
            ],
            "Article 8(2): they are commended and rewarded under the State's rules. Article "
            "8(1): the State encourages reporting organized crime.",
        ),
    ),
    _q(
        "art11-school",
        SINGLE,
        (11, 2),
        "并向公安机关和教育行政部门报告",
        ("预防和治理",),
        _choice(
            "学校发现学生参加有组织犯罪活动的，除及时制止、采取防范措施外，还应当向哪些部门报告？",
            [
                ("公安机关和教育行政部门", True),
                ("民政部门", False),
                ("市场监管部门", False),
                ("无须报告，告知家长即可", False),
            ],
            "第十一条第二款：学校发现有组织犯罪侵害学生人身、财产安全，妨害校园及周边秩序的，"
            "有组织犯罪组织在学生中发展成员的，或者学生参加有组织犯罪活动的，应当及时制止，"
            "采取防范措施，并向公安机关和教育行政部门报告。",
        ),
        _choice(
            "A school finds that a student takes part in organized crime. Besides stopping it "
            "and taking precautions, whom must it report to?",
            [
                ("The police and the education authorities", True),
                ("The civil affairs department", False),
                ("The market regulator", False),
                ("Nobody: telling the parents is enough", False),
            ],
            "Article 11(2): the school stops it at once, takes precautions and reports to the "
            "public security organs and the education administration.",
        ),
    ),
    _q(
        "art12-candidates",
        SINGLE,
        (12,),
        "民政部门应当会同监察机关、公安机关等有关部门，对村民委员会、居民委员会成员候选人资格"
        "进行审查",
        ("预防和治理",),
        _choice(
            "哪个部门应当会同监察机关、公安机关等有关部门，对村民委员会、居民委员会成员候选人"
            "资格进行审查？",
            [
                ("民政部门", True),
                ("教育行政部门", False),
                ("人民法院", False),
                ("金融监管部门", False),
            ],
            "第十二条：民政部门应当会同监察机关、公安机关等有关部门，对村民委员会、居民委员会"
            "成员候选人资格进行审查，发现因实施有组织犯罪受过刑事处罚的，应当依照有关规定及时"
            "作出处理；发现有组织犯罪线索的，应当及时向公安机关报告。",
        ),
        _choice(
            "Which department, with the supervisory commissions, the police and others, vets "
            "the candidates for village and residents' committees?",
            [
                ("Civil affairs", True),
                ("Education", False),
                ("The people's courts", False),
                ("Financial regulation", False),
            ],
            "Article 12: the civil affairs departments vet the candidates together with the "
            "supervisory organs, the police and others, deal with those punished for organized "
            "crime, and report clues of organized crime to the police.",
        ),
    ),
    _q(
        "art16-online",
        TRUE_FALSE,
        (16, 1),
        "应当立即停止传输，采取消除等处置措施，保存相关记录，并向公安机关或者有关部门报告",
        ("预防和治理",),
        _statement(
            "互联网服务提供者发现含有宣扬、诱导有组织犯罪内容的信息的，应当立即停止传输，采取"
            "消除等处置措施，保存相关记录，并向公安机关或者有关部门报告。",
            "正确。第十六条第一款规定了电信业务经营者、互联网服务提供者的这一义务。",
        ),
        _statement(
            "An internet service provider that finds content promoting or inciting organized "
            "crime must stop its transmission at once, delete it, keep records and report to "
            "the police or the competent authority.",
            "True. Article 16(1) puts this duty on telecom operators and internet service "
            "providers.",
        ),
        true=True,
    ),
    _q(
        "art19-reporting-period",
        SINGLE,
        (19,),
        "报告期限不超过五年",
        ("预防和治理",),
        _choice(
            "对因组织、领导黑社会性质组织被判处刑罚的人员，设区的市级以上公安机关可以决定其自"
            "刑罚执行完毕之日起向公安机关报告个人财产及日常活动。报告期限不超过多久？",
            [("三年", False), ("五年", True), ("十年", False), ("终身", False)],
            "第十九条：报告期限不超过五年。不按照决定如实报告的，依照第七十条处理。",
        ),
        _choice(
            "A person sentenced for organising or leading a mafia-style organisation may be "
            "required to report their property and daily activities to the police after "
            "serving the sentence. For at most how long?",
            [
                ("Three years", False),
                ("Five years", True),
                ("Ten years", False),
                ("For life", False),
            ],
            "Article 19: a public security organ at or above the level of a city with "
            "districts may so decide; the period is at most five years.",
        ),
    ),
    _q(
        "art22-strict",
        MULTIPLE,
        (22, 2),
        "应当严格掌握取保候审、不起诉、缓刑、减刑、假释和暂予监外执行的适用条件",
        ("案件办理",),
        _choice(
            "对有组织犯罪的组织者、领导者和骨干成员，本法要求严格掌握下列哪些措施的适用条件？",
            [
                ("取保候审", True),
                ("缓刑", True),
                ("假释", True),
                ("剥夺政治权利", False),
            ],
            "第二十二条第二款：应当严格掌握取保候审、不起诉、缓刑、减刑、假释和暂予监外执行的"
            "适用条件，充分适用剥夺政治权利、没收财产、罚金等刑罚。剥夺政治权利是应当充分适用"
            "的刑罚，不是严格掌握的对象。",
        ),
        _choice(
            "For the organisers, leaders and core members of organized crime, the Law requires "
            "strict conditions for which of these?",
            [
                ("Bail pending trial", True),
                ("Suspended sentences", True),
                ("Parole", True),
                ("Deprivation of political rights", False),
            ],
            "Article 22(2): bail, non-prosecution, suspended sentences, commutation, parole and "
            "serving a sentence outside prison are strictly applied; deprivation of political "
            "rights, confiscation of property and fines are to be fully applied.",
        ),
    ),
    _q(
        "art22-leniency",
        TRUE_FALSE,
        (22, 3),
        "自愿如实供述自己的罪行，承认指控的犯罪事实，愿意接受处罚的，可以依法从宽处理",
        ("案件办理",),
        _statement(
            "有组织犯罪的犯罪嫌疑人、被告人自愿如实供述自己的罪行，承认指控的犯罪事实，愿意"
            "接受处罚的，可以依法从宽处理。",
            "正确。第二十二条第三款作此规定；第一款要求办理有组织犯罪案件坚持宽严相济。",
        ),
        _statement(
            "A suspect or defendant in an organized crime case who truthfully confesses, admits "
            "the facts charged and accepts punishment may be dealt with leniently.",
            "True. Article 22(3); Article 22(1) asks for leniency and severity each where due.",
        ),
        true=True,
    ),
    _q(
        "art23-online",
        TRUE_FALSE,
        (23, 1),
        "利用网络实施的犯罪，符合本法第二条规定的，应当认定为有组织犯罪",
        ("有组织犯罪认定",),
        _statement(
            "利用网络实施的犯罪，即使符合本法第二条的规定，也不能认定为有组织犯罪。",
            "错误。第二十三条第一款：利用网络实施的犯罪，符合本法第二条规定的，应当认定为"
            "有组织犯罪。",
        ),
        _statement(
            "A crime committed over the internet cannot be organized crime, even when it meets "
            "Article 2 of this Law.",
            "False. Article 23(1): a crime committed over the internet that meets Article 2 is "
            "organized crime.",
        ),
        true=False,
    ),
    _q(
        "art23-soft-violence",
        MULTIPLE,
        (23, 2),
        "有组织地进行滋扰、纠缠、哄闹、聚众造势等，对他人形成心理强制",
        ("有组织犯罪认定", "恶势力"),
        _choice(
            "为谋取非法利益或者形成非法影响，有组织地进行下列哪些行为，对他人形成心理强制，"
            "足以限制人身自由、危及人身财产安全，影响正常社会秩序、经济秩序的，可以认定为"
            "有组织犯罪的犯罪手段？",
            [("滋扰", True), ("纠缠", True), ("聚众造势", True), ("依法提起民事诉讼", False)],
            "第二十三条第二款列举了滋扰、纠缠、哄闹、聚众造势等手段（常称“软暴力”）。依法"
            "提起诉讼是行使权利，不在其中。",
        ),
        _choice(
            "Which of these, done in an organised way to gain illegal profit or influence and "
            "putting others under psychological coercion, can be a means of organized crime?",
            [
                ("Harassment", True),
                ("Pestering", True),
                ("Gathering a crowd to intimidate", True),
                ("Bringing a civil lawsuit", False),
            ],
            "Article 23(2) names harassing, pestering, making a commotion and gathering crowds "
            "(often called 'soft violence'). Suing in court is exercising a right.",
        ),
    ),
    _q(
        "art27-query",
        SINGLE,
        (27, 1),
        "经县级以上公安机关负责人批准，可以查询嫌疑人员的存款、汇款、债券、股票、基金份额等"
        "财产信息",
        ("财产处置", "案件办理"),
        _choice(
            "公安机关核查有组织犯罪线索，查询嫌疑人员的存款、汇款等财产信息，须经谁批准？",
            [
                ("县级以上公安机关负责人", True),
                ("人民法院院长", False),
                ("嫌疑人员本人", False),
                ("无须任何批准", False),
            ],
            "第二十七条第一款：经县级以上公安机关负责人批准，可以查询嫌疑人员的存款、汇款、"
            "债券、股票、基金份额等财产信息。",
        ),
        _choice(
            "Checking a clue of organized crime, the police want to look up a suspect's "
            "deposits and remittances. Whose approval do they need?",
            [
                ("The head of a public security organ at or above county level", True),
                ("The president of a people's court", False),
                ("The suspect's own consent", False),
                ("No approval at all", False),
            ],
            "Article 27(1): with the approval of the head of a public security organ at or above "
            "county level.",
        ),
    ),
    _q(
        "art27-emergency",
        SINGLE,
        (27, 2),
        "期限不得超过四十八小时",
        ("财产处置", "案件办理"),
        _choice(
            "公安机关核查黑社会性质组织犯罪线索，发现涉案财产有灭失、转移的紧急风险，经批准"
            "采取紧急止付或者临时冻结、临时扣押的紧急措施，期限不得超过多久？",
            [("二十四小时", False), ("四十八小时", True), ("七日", False), ("三十日", False)],
            "第二十七条第二款：经设区的市级以上公安机关负责人批准，可以采取紧急措施，期限不得"
            "超过四十八小时。期限届满或者适用紧急措施的情形消失的，应当立即解除。",
        ),
        _choice(
            "When property in a mafia-style case risks being lost or moved, the police may "
            "urgently stop payment or temporarily freeze or seize it. For at most how long?",
            [("24 hours", False), ("48 hours", True), ("7 days", False), ("30 days", False)],
            "Article 27(2): with the approval of the head of a public security organ at or above "
            "the level of a city with districts, for at most 48 hours; lifted at once when the "
            "time is up or the emergency is over.",
        ),
    ),
    _q(
        "art33-recovery",
        TRUE_FALSE,
        (33, 1, 4),
        "协助追缴、没收尚未掌握的赃款赃物的",
        ("案件办理",),
        _statement(
            "犯罪嫌疑人积极配合有组织犯罪案件的侦查，协助追缴、没收尚未掌握的赃款赃物的，可以"
            "依法从宽处罚。",
            "正确。第三十三条第一款第四项；但对有组织犯罪的组织者、领导者应当严格适用。",
        ),
        _statement(
            "A suspect who actively cooperates with the investigation and helps recover stolen "
            "money and goods the authorities had not found may be punished leniently.",
            "True. Article 33(1), item 4; for organisers and leaders it is applied strictly.",
        ),
        true=True,
    ),
    _q(
        "art33-leaders",
        TRUE_FALSE,
        (33, 1),
        "但对有组织犯罪的组织者、领导者应当严格适用",
        ("案件办理",),
        _statement(
            "有组织犯罪的组织者、领导者即使积极配合侦查、提供重要线索，也一律不得从宽处罚。",
            "错误。第三十三条第一款规定有所列情形之一的可以依法从宽处罚，对组织者、领导者"
            "“应当严格适用”，并非一律不得从宽。",
        ),
        _statement(
            "Organisers and leaders of organized crime can never be treated leniently, however "
            "much they help the investigation.",
            "False. Article 33(1) allows leniency for the cooperation it lists and says it is "
            "applied strictly to organisers and leaders, not that it is ruled out.",
        ),
        true=False,
    ),
    _q(
        "art34-confiscation",
        SINGLE,
        (34,),
        "对黑社会性质组织的组织者、领导者，应当依法并处没收财产",
        ("财产处置",),
        _choice(
            "对黑社会性质组织的组织者、领导者，本法规定应当依法并处什么？",
            [("没收财产", True), ("罚金", False), ("驱逐出境", False), ("训诫", False)],
            "第三十四条：对黑社会性质组织的组织者、领导者，应当依法并处没收财产。对其他组织"
            "成员，根据其地位、作用等，可以依法并处罚金或者没收财产。",
        ),
        _choice(
            "What must be imposed, in addition, on the organisers and leaders of a mafia-style "
            "organisation?",
            [
                ("Confiscation of property", True),
                ("A fine", False),
                ("Deportation", False),
                ("A reprimand", False),
            ],
            "Article 34: confiscation of property for organisers and leaders; for other "
            "members, a fine or confiscation may be added according to their role.",
        ),
    ),
    _q(
        "art35-elsewhere",
        TRUE_FALSE,
        (35, 2),
        "应当跨省、自治区、直辖市异地执行刑罚",
        ("案件办理",),
        _statement(
            "黑社会性质组织的组织者、领导者被判处十年以上有期徒刑的，应当跨省、自治区、"
            "直辖市异地执行刑罚。",
            "正确。第三十五条第二款：组织者、领导者或者恶势力组织的首要分子被判处十年以上有期"
            "徒刑、无期徒刑、死刑缓期二年执行的，应当跨省、自治区、直辖市异地执行刑罚。",
        ),
        _statement(
            "A leader of a mafia-style organisation sentenced to ten years or more serves the "
            "sentence in another province.",
            "True. Article 35(2): organisers, leaders and ringleaders of vicious-force "
            "organisations sentenced to ten years or more, life, or death with a two-year "
            "reprieve serve their sentences outside their province.",
        ),
        true=True,
    ),
    _q(
        "art41-return",
        SINGLE,
        (41, 1),
        "经查明确实与案件无关的财物，应当在三日以内解除查封、扣押、冻结，予以退还",
        ("财产处置",),
        _choice(
            "经查明确实与案件无关的财物，应当在多少日以内解除查封、扣押、冻结，予以退还？",
            [("三日", True), ("七日", False), ("十五日", False), ("三十日", False)],
            "第四十一条第一款：不得查封、扣押、冻结与案件无关的财物。经查明确实与案件无关的"
            "财物，应当在三日以内解除查封、扣押、冻结，予以退还。",
        ),
        _choice(
            "Property found to have nothing to do with the case must be released and returned "
            "within how many days?",
            [("3 days", True), ("7 days", False), ("15 days", False), ("30 days", False)],
            "Article 41(1): property unrelated to the case may not be seized; once found "
            "unrelated, it is released and returned within three days.",
        ),
    ),
    _q(
        "art41-living",
        TRUE_FALSE,
        (41, 2),
        "应当为犯罪嫌疑人、被告人及其扶养的家属保留必需的生活费用和物品",
        ("财产处置",),
        _statement(
            "查封、扣押、冻结涉案财物，应当为犯罪嫌疑人、被告人及其扶养的家属保留必需的生活"
            "费用和物品。",
            "正确。第四十一条第二款作此规定。",
        ),
        _statement(
            "When property is seized or frozen, what the suspect and the family they support "
            "need to live on must be left to them.",
            "True. Article 41(2).",
        ),
        true=True,
    ),
    _q(
        "art43-early-sale",
        MULTIPLE,
        (43, 1),
        "可以依法先行出售、变现或者变卖、拍卖",
        ("财产处置",),
        _choice(
            "经县级以上公安机关、人民检察院或者人民法院主要负责人批准，下列哪些财产可以依法"
            "先行出售、变现或者变卖、拍卖？",
            [
                ("易损毁、灭失、变质等不宜长期保存的物品", True),
                ("有效期即将届满的汇票、本票、支票等", True),
                (
                    "经权利人申请，出售不损害国家利益、被害人利益，不影响诉讼正常进行的债券、股票、"
                    "基金份额等财产",
                    True,
                ),
                ("犯罪嫌疑人家属的合法财产", False),
            ],
            "第四十三条第一款列举了三项：不宜长期保存的物品；有效期即将届满的汇票、本票、支票"
            "等；经权利人申请且符合条件的债券、股票、基金份额等。所得价款由扣押、冻结机关保管，"
            "并及时告知犯罪嫌疑人、被告人或者其近亲属。",
        ),
        _choice(
            "With the approval of the head of the police, procuratorate or court at or above "
            "county level, which may be sold before judgment?",
            [
                ("Goods that perish or spoil and cannot be kept long", True),
                ("Bills of exchange, promissory notes and cheques about to expire", True),
                (
                    "Bonds, shares and fund units, at the owner's request, where selling harms "
                    "neither the State nor the victims nor the proceedings",
                    True,
                ),
                ("The lawful property of the suspect's relatives", False),
            ],
            "Article 43(1) lists these three; the proceeds are kept by the seizing authority "
            "and the suspect or close relatives are told.",
        ),
    ),
    _q(
        "art45-equivalent",
        TRUE_FALSE,
        (45, 2),
        "可以追缴、没收其他等值财产或者混合财产中的等值部分",
        ("财产处置",),
        _statement(
            "依法应当追缴、没收的涉案财产无法找到的，可以追缴、没收其他等值财产。",
            "正确。第四十五条第二款：涉案财产无法找到、灭失或者与其他合法财产混合且不可分割"
            "的，可以追缴、没收其他等值财产或者混合财产中的等值部分。",
        ),
        _statement(
            "When property that must be confiscated cannot be found, other property of the "
            "same value may be confiscated instead.",
            "True. Article 45(2), which also covers property lost or inseparably mixed with "
            "lawful property.",
        ),
        true=True,
    ),
    _q(
        "art46-family",
        TRUE_FALSE,
        (46, 1, 2),
        "有组织犯罪组织成员的家庭财产中实际用于支持有组织犯罪活动的部分",
        ("财产处置",),
        _statement(
            "有组织犯罪组织成员的家庭财产，应当全部予以追缴、没收。",
            "错误。第四十六条第一款第二项只规定追缴、没收家庭财产中“实际用于支持有组织犯罪"
            "活动的部分”；第四十一条还要求严格区分本人财产与其家属的财产。",
        ),
        _statement(
            "All the family property of a member of an organized crime group must be confiscated.",
            "False. Article 46(1), item 2, covers only the part of the family property actually "
            "used to support organized crime; Article 41 requires the member's property to be "
            "told apart from the family's.",
        ),
        true=False,
    ),
    _q(
        "art47-fugitive",
        SINGLE,
        (47,),
        "在通缉一年后不能到案",
        ("财产处置",),
        _choice(
            "黑社会性质组织犯罪案件的犯罪嫌疑人逃匿，在通缉多久后不能到案的，可以依照刑事诉讼"
            "法规定的违法所得没收程序办理？",
            [("六个月", False), ("一年", True), ("二年", False), ("三年", False)],
            "第四十七条：犯罪嫌疑人、被告人逃匿，在通缉一年后不能到案，或者死亡，依照刑法"
            "规定应当追缴其违法所得及其他涉案财产的，依照刑事诉讼法的没收程序办理。",
        ),
        _choice(
            "A suspect in a mafia-style case has fled. After how long on the wanted list can "
            "the criminal procedure for confiscating illegal gains be used?",
            [
                ("Six months", False),
                ("One year", True),
                ("Two years", False),
                ("Three years", False),
            ],
            "Article 47: when the suspect cannot be brought in one year after being put on the "
            "wanted list, or has died, the illegal gains are confiscated under the Criminal "
            "Procedure Law's procedure for such cases.",
        ),
    ),
    _q(
        "art50-conduct",
        MULTIPLE,
        (50, 1),
        "利用职权或者职务上的影响干预反有组织犯罪工作的",
        ("国家工作人员涉黑",),
        _choice(
            "国家工作人员有下列哪些行为的，应当全面调查，依法作出处理？",
            [
                ("包庇有组织犯罪组织、纵容有组织犯罪活动", True),
                ("在查办有组织犯罪案件工作中失职渎职", True),
                ("利用职权或者职务上的影响干预反有组织犯罪工作", True),
                ("依法拒绝他人为涉案人员说情", False),
            ],
            "第五十条第一款列举了六项，包括组织、领导、参加有组织犯罪活动，为其提供帮助，包庇、"
            "纵容，失职渎职，利用职权或者职务上的影响干预反有组织犯罪工作等。",
        ),
        _choice(
            "Which acts of a public official must be fully investigated and dealt with?",
            [
                ("Shielding an organized crime group or conniving at its crimes", True),
                ("Dereliction of duty in investigating organized crime", True),
                (
                    "Using their position or influence to interfere with the fight against "
                    "organized crime",
                    True,
                ),
                ("Refusing, as the law requires, to intercede for a suspect", False),
            ],
            "Article 50(1) lists six kinds of conduct, among them taking part in organized "
            "crime, helping it, shielding or conniving at it, dereliction of duty and "
            "interference.",
        ),
    ),
    _q(
        "art50-heavier",
        SINGLE,
        (50, 2),
        "国家工作人员组织、领导、参加有组织犯罪的，应当依法从重处罚",
        ("国家工作人员涉黑",),
        _choice(
            "国家工作人员组织、领导、参加有组织犯罪的，应当依法如何处罚？",
            [("从重处罚", True), ("从轻处罚", False), ("减轻处罚", False), ("免除处罚", False)],
            "第五十条第二款：国家工作人员组织、领导、参加有组织犯罪的，应当依法从重处罚。",
        ),
        _choice(
            "How is a public official who organises, leads or joins organized crime punished?",
            [
                ("More heavily", True),
                ("More lightly", False),
                ("Below the minimum", False),
                ("Not at all", False),
            ],
            "Article 50(2): more heavily, according to law.",
        ),
    ),
    _q(
        "art51-right-to-report",
        TRUE_FALSE,
        (51, 2),
        "有权向监察机关、人民检察院、公安机关等部门报案、控告、举报",
        ("国家工作人员涉黑", "举报与保护"),
        _statement(
            "任何单位和个人发现国家工作人员与有组织犯罪有关的违法犯罪行为，有权向监察机关、"
            "人民检察院、公安机关等部门报案、控告、举报。",
            "正确。第五十一条第二款作此规定，并要求有关部门接到报案、控告、举报后及时处理。",
        ),
        _statement(
            "Anyone who finds a public official involved in organized crime has the right to "
            "report it to the supervisory commission, the procuratorate or the police.",
            "True. Article 51(2); the authorities must deal with the report promptly.",
        ),
        true=True,
    ),
    _q(
        "art52-tip-off",
        SINGLE,
        (52, 1, 2),
        "向违法犯罪人员通风报信，阻碍案件查处",
        ("国家工作人员涉黑",),
        _choice(
            "依法查办有组织犯罪案件的国家工作人员，下列哪项行为是本法明令禁止的？",
            [
                ("向违法犯罪人员通风报信，阻碍案件查处", True),
                ("依法受理群众举报", False),
                ("按规定移送犯罪线索", False),
                ("为举报人保密", False),
            ],
            "第五十二条第一款第二项：不得向违法犯罪人员通风报信，阻碍案件查处。有此行为的，"
            "依照第七十五条追究责任。",
        ),
        _choice(
            "Which of these does the Law forbid to officials handling organized crime cases?",
            [
                ("Tipping off offenders and obstructing the investigation", True),
                ("Accepting reports from the public", False),
                ("Passing clues on as the rules require", False),
                ("Keeping reporters' identities confidential", False),
            ],
            "Article 52(1), item 2; Article 75 sets the liability for it.",
        ),
    ),
    _q(
        "art61-protection",
        MULTIPLE,
        (61, 1),
        "采取下列一项或者多项保护措施",
        ("举报与保护",),
        _choice(
            "因举报有组织犯罪活动，本人或者其近亲属的人身安全面临危险的，可以采取下列哪些"
            "保护措施？",
            [
                ("不公开真实姓名、住址和工作单位等个人信息", True),
                ("采取不暴露外貌、真实声音等出庭作证措施", True),
                ("禁止特定的人接触被保护人员", True),
                ("公开举报人姓名以示表彰", False),
            ],
            "第六十一条第一款列举了六项保护措施，包括不公开个人信息、不暴露外貌和真实声音的"
            "出庭作证措施、禁止特定的人接触、对人身和住宅专门保护、变更身份和重新安排住所与"
            "工作单位等。",
        ),
        _choice(
            "When reporting organized crime puts a reporter or their close relatives in danger, "
            "which protective measures may be taken?",
            [
                ("Not disclosing their real name, address or workplace", True),
                ("Testifying without showing their face or real voice", True),
                ("Forbidding certain people to contact them", True),
                ("Publishing the reporter's name as an honour", False),
            ],
            "Article 61(1) lists six measures, among them these three, protection of the person "
            "and home, and a new identity, home and workplace.",
        ),
    ),
    _q(
        "art62-identity",
        SINGLE,
        (62, 1),
        "变更被保护人员身份的，由国务院公安部门批准和组织实施",
        ("举报与保护",),
        _choice(
            "根据本法第六十一条第五项规定变更被保护人员身份的，由谁批准和组织实施？",
            [
                ("国务院公安部门", True),
                ("县级公安机关", False),
                ("人民法院", False),
                ("居民委员会", False),
            ],
            "第六十二条第一款：变更被保护人员身份的，由国务院公安部门批准和组织实施；第六十一"
            "条第三项、第四项规定的保护措施，由公安机关执行。",
        ),
        _choice(
            "Who approves and carries out giving a protected person a new identity?",
            [
                ("The public security department of the State Council", True),
                ("A county police bureau", False),
                ("A people's court", False),
                ("A residents' committee", False),
            ],
            "Article 62(1): the public security department of the State Council; the "
            "measures of Article 61, items 3 and 4, are carried out by the police.",
        ),
    ),
    _q(
        "art67-minors",
        TRUE_FALSE,
        (67,),
        "教唆、诱骗未成年人实施有组织犯罪",
        ("法律责任",),
        _statement(
            "教唆、诱骗未成年人实施有组织犯罪的，依法从重追究刑事责任。",
            "正确。第六十七条：发展未成年人参加黑社会性质组织、境外的黑社会组织，教唆、诱骗"
            "未成年人实施有组织犯罪，或者实施有组织犯罪侵害未成年人合法权益的，依法从重追究"
            "刑事责任。",
        ),
        _statement(
            "Inciting or luring a minor into organized crime is punished more heavily.",
            "True. Article 67, which also covers recruiting minors into mafia-style or foreign "
            "criminal groups and organized crime against minors' rights.",
        ),
        true=True,
    ),
    _q(
        "art69-vicious-member",
        SINGLE,
        (69, 1, 2),
        "积极参加恶势力组织的",
        ("恶势力", "法律责任"),
        _choice(
            "积极参加恶势力组织，尚不构成犯罪的，由公安机关如何处罚（情节不属较重）？",
            [
                ("处五日以上十日以下拘留，可以并处一万元以下罚款", True),
                ("只给予警告", False),
                ("处十五日以上三十日以下拘留", False),
                ("不予处罚", False),
            ],
            "第六十九条第一款第二项：积极参加恶势力组织，尚不构成犯罪的，由公安机关处五日以上"
            "十日以下拘留，可以并处一万元以下罚款；情节较重的，处十日以上十五日以下拘留，并处"
            "一万元以上三万元以下罚款。",
        ),
        _choice(
            "Someone actively takes part in a vicious-force organisation, short of a crime and "
            "not a serious case. What may the police impose?",
            [
                ("Detention of 5 to 10 days, with a fine of up to 10,000 yuan possible", True),
                ("A warning only", False),
                ("Detention of 15 to 30 days", False),
                ("Nothing", False),
            ],
            "Article 69(1), item 2: 5 to 10 days' detention and possibly a fine of up to "
            "10,000 yuan; in a serious case 10 to 15 days and a fine of 10,000 to 30,000 yuan.",
        ),
    ),
    _q(
        "art76-review",
        TRUE_FALSE,
        (76,),
        "可以依法申请行政复议或者提起行政诉讼",
        ("法律责任",),
        _statement(
            "对依照本法作出的行政处罚决定不服的，只能向作出决定的机关申诉，不能提起行政诉讼。",
            "错误。第七十六条：有关单位和个人对依照本法作出的行政处罚和行政强制措施决定不服"
            "的，可以依法申请行政复议或者提起行政诉讼。",
        ),
        _statement(
            "A fine imposed under this Law can only be appealed to the authority that imposed "
            "it, never taken to court.",
            "False. Article 76: administrative review or an administrative lawsuit may be "
            "sought against penalties and enforcement measures under this Law.",
        ),
        true=False,
    ),
    _q(
        "art77-in-force",
        SINGLE,
        (77,),
        "本法自2022年5月1日起施行",
        ("总则",),
        _choice(
            "《中华人民共和国反有组织犯罪法》自何时起施行？",
            [
                ("2021年12月24日", False),
                ("2022年1月1日", False),
                ("2022年5月1日", True),
                ("2022年12月24日", False),
            ],
            "第七十七条：本法自2022年5月1日起施行。该法于2021年12月24日由第十三届全国人民"
            "代表大会常务委员会第三十二次会议通过。",
        ),
        _choice(
            "When did the Anti-Organized Crime Law come into force?",
            [
                ("24 December 2021", False),
                ("1 January 2022", False),
                ("1 May 2022", True),
                ("24 December 2022", False),
            ],
            "Article 77: on 1 May 2022. It was adopted on 24 December 2021 by the Standing "
            "Committee of the 13th National People's Congress.",
        ),
    ),
]
