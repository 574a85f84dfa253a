"""Shopping situations the synthetic needs log is drawn from (stated request versus underlying need)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Product:
    """A product a recommendation can name."""

    sku: str
    name: str  # the shop's canonical name, as need records keep it
    price: float
    reason: str
    local: str = ""  # the name in the shopper's language, when it is not the canonical one

    @property
    def said(self) -> str:
        """The name as the shopper reads it."""
        return self.local or self.name


@dataclass(frozen=True)
class Situation:
    """One kind of shopper: what they ask for, what they need, what fits."""

    stated: str
    asks: tuple[str, ...]
    underlying: str
    recipient: Optional[str]
    situation: Optional[str]
    answers: tuple[str, ...]
    functional: tuple[str, ...]
    formal: tuple[str, ...]
    emotional: tuple[str, ...]
    budget: tuple[int, int]
    products: tuple[Product, ...] = ()
    occasion: Optional[str] = None
    weight: float = 1.0
    unmet_rate: float = 0.0
    sensitivity: str = "medium"


P = Product
SITUATIONS: tuple[Situation, ...] = (
    Situation("dates", ("Do you have dates?", "I'm looking for dates.", "dates please"),
              "something sour for a pregnant daughter-in-law's cravings", "daughter-in-law",
              "pregnant, craving sour food",
              ("They're for my daughter-in-law, she's expecting and only wants sour things.",
               "My daughter-in-law is pregnant, she keeps asking for something sour."),
              ("sour taste", "safe during pregnancy"), ("fresh",), ("caring for an expecting family member",),
              (30, 80), (P("FR-JUJ-SOUR", "Sour jujubes", 35.0, "tart and fresh, a classic pregnancy craving"),
                         P("FR-KIWI-GRN", "Green kiwi fruit", 28.0, "tangy, rich in folate and vitamin C")),
              weight=9),
    Situation("dates", ("Have you got soft dates?", "dates for my dad"),
              "a soft sweet snack for an elderly father with weak teeth", "father", "elderly, weak teeth",
              ("My father is 82 and can't chew hard things.",), ("soft texture", "sweet", "easy to chew"),
              ("pitted",), ("respect for parents",), (40, 120),
              (P("FR-DATE-MED", "Medjool dates, pitted", 68.0, "soft, naturally sweet, no stones"),), weight=5),
    Situation("dates", ("red dates?", "Do you sell red dates?"),
              "iron-rich food for a sister recovering after giving birth", "sister", "postpartum recovery",
              ("My sister just had a baby and the doctor said she needs iron.",), ("iron rich", "warming"),
              ("dried", "no additives"), ("looking after family",), (30, 90),
              (P("FR-DATE-RED", "Red dates", 32.0, "traditional for postpartum recovery"),
               P("DR-GOJI", "Ningxia goji berries", 45.0, "pairs with red dates in a warming soup")), weight=3),
    Situation("chocolate", ("Where is the chocolate?", "I want a box of chocolates."),
              "a low-sugar treat for a diabetic mother", "mother", "diabetic",
              ("It's for my mum, she's diabetic but loves sweets.",), ("low sugar", "satisfying sweet taste"),
              ("gift box",), ("care for a parent's health",), (40, 120),
              (P("CH-DARK-SF", "Sugar-free dark chocolate", 45.0, "sweetened with erythritol, no sugar spike"),
               P("NT-MIX-UNS", "Unsalted mixed nuts", 58.0, "a filling treat with little sugar")), weight=6),
    Situation("wine", ("Do you have red wine?", "a bottle of wine"), "a gift to thank a new boss", "boss",
              "new job, thanking for help", ("It's for my new boss, to say thank you.",),
              ("pairs with dinner",), ("elegant packaging", "known brand"), ("gratitude", "making a good impression"),
              (150, 400), (P("WN-RED-GIFT", "Cabernet gift box", 268.0, "well-known estate in a wooden box"),
                           P("TE-LONGJ-GIFT", "Longjing tea gift set", 198.0, "a refined gift for any boss")),
              occasion="thank-you gift", weight=5, sensitivity="low"),
    Situation("milk", ("milk?", "Where's the milk?"), "lactose-free milk for a lactose-intolerant son", "son",
              "lactose intolerant", ("My son gets a stomach ache from normal milk.",), ("lactose free", "calcium"),
              ("fresh", "small bottles"), ("keeping a child healthy",), (15, 40),
              (P("DA-MILK-LF", "Lactose-free milk 1 L", 18.0, "all the calcium, none of the lactose"),), weight=4),
    Situation("flowers", ("Do you sell flowers?", "roses"), "an anniversary present for a wife", "wife",
              "10th wedding anniversary", ("It's our tenth anniversary on Friday.",), ("long-lasting",),
              ("beautiful presentation",), ("romance", "showing love"), (100, 300),
              (P("GF-ROSE-BOX", "Preserved rose box", 199.0, "lasts a year, arrives gift-wrapped"),
               P("CH-TRUF-12", "Chocolate truffles, 12", 88.0, "a sweet addition to the flowers")),
              occasion="anniversary", weight=4, sensitivity="low"),
    Situation("snacks", ("some snacks", "Where are the snacks?"), "healthy snacks for a child's lunchbox",
              "daughter", "school lunches, picky eater", ("For my daughter's school lunchbox, she's picky.",),
              ("healthy", "no added sugar"), ("single portions",), ("a parent's care",), (20, 60),
              (P("SN-APL-CHP", "Apple chips, 10 bags", 15.0, "crunchy, no added sugar"),
               P("SN-YOG-RAI", "Yogurt raisins", 22.0, "kids love them, single portions")), weight=5),
    Situation("tea", ("I need some tea.", "green tea please"), "something to help a grandmother sleep better",
              "grandmother", "trouble sleeping", ("Grandma sleeps badly, she drinks tea at night.",),
              ("caffeine free", "calming"), ("loose leaf",), ("care for an elder",), (40, 100),
              (P("TE-CHAM", "Chamomile flowers", 36.0, "caffeine-free and calming"),
               P("TE-JUJ-LONG", "Jujube and longan tea", 42.0, "a traditional bedtime infusion")), weight=4),
    Situation("fruit basket", ("a fruit basket", "Do you make fruit baskets?"),
              "a get-well gift for a colleague recovering from surgery", "colleague", "recovering from surgery",
              ("A colleague had an operation, we're visiting her in hospital.",), ("easy to eat", "nutritious"),
              ("neat basket",), ("sympathy", "team support"), (100, 250),
              (P("FR-BASKET-M", "Seasonal fruit basket", 158.0, "soft fruit, ready to eat, hospital friendly"),),
              occasion="hospital visit", weight=4),
    Situation("rice", ("rice", "a bag of rice"), "fragrant rice for a big family dinner", "family",
              "hosting relatives", ("We have twelve relatives coming on Sunday.",), ("fragrant", "good quality"),
              ("5 kg bag", "known origin"), ("hospitality",), (50, 120),
              (P("GR-RICE-JAS", "Jasmine rice 5 kg", 69.0, "fragrant, from Thailand"),), weight=3),
    Situation("honey", ("honey?", "Do you have honey?"), "something to soothe a husband's cough", "husband",
              "sore throat", ("My husband has had a cough for a week.",), ("soothing throat", "natural"),
              ("pure", "origin labelled"), ("caring for a partner",), (30, 80),
              (P("HN-LOQUAT", "Honey loquat syrup", 48.0, "a classic for sore throats"),
               P("HN-ACACIA", "Acacia honey", 56.0, "pure, mild, stirs into warm water")), weight=3),
    Situation("apples", ("apples", "nice apples"), "a gift for a first visit to new in-laws", "in-laws",
              "first visit to the in-laws", ("I'm meeting my girlfriend's parents for the first time.",),
              ("crisp", "sweet"), ("premium grade", "gift box"), ("good impression", "respect"), (80, 200),
              (P("FR-APL-FUJI-BOX", "Fuji apples gift box", 128.0, "apples mean peace; a safe, generous gift"),),
              occasion="family visit", weight=3),
    Situation("candy", ("candy", "sweets for a party"), "sweets to share at a wedding", "guests", "wedding",
              ("We're getting married next month, 150 guests.",), ("shareable",),
              ("red packaging", "individually wrapped"), ("celebration", "good luck"), (60, 200),
              (P("CA-WED-RED", "Wedding candy, red boxes of 50", 88.0, "red boxes for luck, wrapped one by one"),),
              occasion="wedding", weight=2),
    Situation("nuts", ("walnuts", "Do you have nuts?"), "brain food for a son studying for exams", "son",
              "exam season", ("My son has his exams in two weeks.",), ("energy", "focus"),
              ("unsalted", "resealable bag"), ("encouragement",), (30, 80),
              (P("NT-WAL", "Walnuts 500 g", 52.0, "brain food, unsalted, resealable"),), weight=3),
    Situation("coffee", ("coffee beans", "coffee"), "a thank-you gift for a coffee-loving teacher", "teacher",
              "end of term", ("My daughter's teacher loves coffee, it's the end of term.",), ("quality beans",),
              ("gift packaging",), ("gratitude",), (60, 150),
              (P("CF-BEAN-GIFT", "Single-origin coffee gift tin", 118.0, "freshly roasted, gift tin"),),
              occasion="Teachers' Day", weight=2),
    Situation("kiwi", ("kiwis", "kiwi fruit"), "vitamin C for a child with a cold", "son", "has a cold",
              ("My little boy has a cold.",), ("vitamin C", "easy to eat"), ("ripe",), ("comforting a sick child",),
              (20, 50), (P("FR-KIWI-GLD", "Golden kiwi fruit", 32.0, "sweet, soft and full of vitamin C"),), weight=2),
    # Requests the shop could not supply: the list of products to stock next.
    Situation("sugar-free mooncakes", ("Do you have sugar-free mooncakes?", "mooncakes without sugar"),
              "a Mid-Autumn treat for a diabetic grandfather", "grandfather", "diabetic",
              ("Grandpa is diabetic but it's Mid-Autumn.",), ("sugar free",), ("gift box",), ("family reunion",),
              (80, 200), (P("CH-DARK-SF", "Sugar-free dark chocolate", 45.0, "no sugar; the closest we have"),),
              occasion="Mid-Autumn Festival", weight=3.5, unmet_rate=0.8),
    Situation("durian", ("Do you have durian?", "fresh durian"), "a durian for a friend's birthday party",
              "friend", "birthday party", ("My friend adores durian, it's her birthday.",), ("ripe", "strong flavour"),
              ("whole fruit",), ("celebration",), (100, 300), weight=3.2, unmet_rate=0.95, occasion="birthday"),
    Situation("organic baby formula", ("organic infant formula", "baby formula"),
              "organic formula for a six-month-old baby", "baby", "six months old",
              ("For my six-month-old, the doctor said organic.",), ("organic", "age 6-12 months"),
              ("sealed tin", "imported"), ("a parent's worry",), (200, 400), weight=2.6, unmet_rate=1.0,
              sensitivity="low"),
    Situation("gluten-free cake", ("gluten-free cake", "a cake without gluten"),
              "a birthday cake for a friend with coeliac disease", "friend", "coeliac disease",
              ("My friend can't eat gluten and it's his birthday.",), ("gluten free",), ("whole cake",),
              ("celebration",), (80, 200), weight=2.2, unmet_rate=1.0, occasion="birthday"),
    Situation("halal beef jerky", ("halal jerky", "beef jerky, halal"), "a halal snack for a Muslim colleague",
              "colleague", "eats halal", ("A colleague is Muslim, I want to bring snacks for the team.",),
              ("halal certified",), ("sealed pack",), ("respect", "team spirit"), (40, 100), weight=2,
              unmet_rate=1.0),
    Situation("kombucha", ("kombucha", "Do you have kombucha?"), "a fermented drink for gut health", None,
              "bloating", ("I read it's good for digestion.",), ("probiotic", "low sugar"), ("chilled",), (),
              (15, 40), (P("DA-YOG-PLN", "Plain live yogurt", 12.0, "live cultures for digestion"),),
              weight=1.5, unmet_rate=0.7),
    Situation("oat milk", ("oat milk", "Do you sell oat milk?"), "dairy-free milk for a vegan guest", "guest",
              "vegan", ("A friend staying with us is vegan.",), ("dairy free",), ("1 L carton",), ("hospitality",),
              (15, 40), (P("DA-SOY-MLK", "Soy milk 1 L", 12.0, "dairy-free; we have no oat milk yet"),),
              weight=1.8, unmet_rate=0.6),
)

# Chinese shoppers: their own words (request, need, lines) in Chinese; dimensions, recipient and situation in the
# shop's canonical words, as the discovery writes them.
ZH_SITUATIONS: tuple[Situation, ...] = (
    Situation("枣", ("老板，有枣吗？", "有没有枣？", "想买点枣"), "给怀孕的儿媳妇解馋的酸味零食", "daughter-in-law",
              "pregnant, craving sour food",
              ("给我儿媳妇买的，她怀孕了，就想吃酸的。", "儿媳妇怀孕了，老说想吃点酸的。"),
              ("sour taste", "safe during pregnancy"), ("fresh",), ("caring for an expecting family member",),
              (30, 80), (P("FR-JUJ-SOUR", "Sour jujubes", 35.0, "酸爽开胃，孕期常见的口味", "酸枣"),
                         P("FR-KIWI-GRN", "Green kiwi fruit", 28.0, "酸甜可口，富含叶酸", "绿心猕猴桃")),
              weight=6),
    Situation("月饼", ("有月饼吗？", "中秋的月饼有没有？"), "中秋送给客户的体面礼物", "client", "business gift",
              ("中秋节要送客户，得拿得出手。", "送生意上的朋友，包装要好看。"), ("good taste",),
              ("gift box", "elegant packaging"), ("gratitude", "making a good impression"), (150, 400),
              (P("MC-GIFT-BOX", "Mooncake gift box", 188.0, "老字号，礼盒包装很体面", "月饼礼盒"),),
              occasion="Mid-Autumn Festival", weight=5, sensitivity="low"),
    Situation("礼盒", ("有水果礼盒吗？", "想要个礼盒"), "去医院探望同事带的水果礼盒", "colleague",
              "recovering from surgery", ("同事做了手术，我们去医院看她。",), ("easy to eat", "nutritious"),
              ("neat basket",), ("sympathy", "team support"), (100, 250),
              (P("FR-BASKET-M", "Seasonal fruit basket", 158.0, "软糯好入口，适合探病", "时令水果礼篮"),),
              occasion="hospital visit", weight=4),
    Situation("红枣", ("红枣有吗？", "来点红枣"), "给坐月子的姐姐补气血", "sister", "postpartum recovery",
              ("我姐刚生完孩子，在坐月子。",), ("iron rich", "warming"), ("dried", "no additives"),
              ("looking after family",), (30, 90),
              (P("FR-DATE-RED", "Red dates", 32.0, "月子里常用，温补", "红枣"),
               P("DR-GOJI", "Ningxia goji berries", 45.0, "和红枣一起煲汤", "宁夏枸杞")), weight=3),
    Situation("茶叶", ("有茶叶吗？", "想买点茶"), "帮奶奶睡得更好的晚间饮品", "grandmother", "trouble sleeping",
              ("奶奶晚上睡不好，又爱喝茶。",), ("caffeine free", "calming"), ("loose leaf",), ("care for an elder",),
              (40, 100), (P("TE-JUJ-LONG", "Jujube and longan tea", 42.0, "传统的睡前茶饮", "红枣桂圆茶"),), weight=3),
    Situation("牛奶", ("牛奶在哪？", "有牛奶吗"), "给乳糖不耐受的儿子喝的牛奶", "son", "lactose intolerant",
              ("我儿子一喝普通牛奶就肚子疼。",), ("lactose free", "calcium"), ("fresh",), ("keeping a child healthy",),
              (15, 40), (P("DA-MILK-LF", "Lactose-free milk 1 L", 18.0, "钙一样多，不含乳糖", "无乳糖牛奶"),), weight=3),
    # Requests the shop could not supply.
    Situation("无糖月饼", ("有无糖月饼吗？", "不含糖的月饼有没有"), "给有糖尿病的爷爷过中秋的点心", "grandfather",
              "diabetic", ("爷爷有糖尿病，可中秋总得吃口月饼。",), ("sugar free",), ("gift box",), ("family reunion",),
              (80, 200), (P("CH-DARK-SF", "Sugar-free dark chocolate", 45.0, "不含糖，是我们最接近的选择", "无糖黑巧克力"),),
              occasion="Mid-Autumn Festival", weight=3, unmet_rate=0.8),
    Situation("榴莲", ("有榴莲吗？", "新鲜榴莲有吗"), "朋友生日聚会上的榴莲", "friend", "birthday party",
              ("我朋友特别爱吃榴莲，今天她生日。",), ("ripe", "strong flavour"), ("whole fruit",), ("celebration",),
              (100, 300), weight=2, unmet_rate=0.95, occasion="birthday"),
)
SITUATIONS_BY_LANGUAGE: dict[str, tuple[Situation, ...]] = {"en": SITUATIONS, "zh": ZH_SITUATIONS}


@dataclass(frozen=True)
class Phrasing:
    """The sentences of a synthetic conversation in one language."""

    ask_who: str
    ask_budget: str
    budget: str  # {budget}
    price_note: str  # {budget}
    offer_item: str  # {name} {price} {reason}
    offer_sep: str
    offer: str  # {underlying} {offer}
    none: str  # {stated}
    take: str  # {name}
    decline: str
    contact_lines: tuple[str, ...]


CONTACT_LINES = (
    "Can you call me when it's in? My number is {phone}.",
    "Please text me on {phone} if you get some.",
    "You can e-mail me at {email} when it arrives.",
    "My WeChat is linked to {phone}, message me please.",
)
ZH_CONTACT_LINES = (
    "到货了给我打电话吧，我的号码是 {phone}。",
    "有货的话发短信到 {phone}。",
    "到了发邮件给我：{email}。",
    "我微信就是 {phone}，到货了说一声。",
)
PHRASINGS: dict[str, Phrasing] = {
    "en": Phrasing(
        "Happy to help. Who is it for, and what is it for?", "Roughly what budget do you have in mind?",
        "Around {budget} yuan.", "around {budget}", "{name} at {price:.0f} CNY ({reason})", "; ",
        "For {underlying}, I'd suggest: {offer}.", "Sorry, we have no {stated} at the moment. I've noted the request.",
        "Perfect, I'll take the {name}.", "Hmm, that's not quite it, thanks anyway.", CONTACT_LINES),
    "zh": Phrasing(
        "好的！请问是给谁买的？做什么用呢？", "预算大概多少？", "{budget}块左右吧。", "{budget}块左右",
        "{name}，{price:.0f}元（{reason}）", "；", "想找{underlying}的话，推荐您：{offer}。",
        "抱歉，店里暂时没有{stated}，已经帮您记下了。", "好，就要{name}了。", "嗯，不太合适，谢谢。", ZH_CONTACT_LINES),
}
FIRST_NAMES = ("li.wei", "wang.fang", "zhang.min", "chen.jie", "liu.yang", "anna.k", "mei", "tom.h")
