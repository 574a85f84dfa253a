"""Reading budgets out of what shoppers type ("under ¥30", "50k", "fifty", "not too expensive")."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Optional

CURRENCIES = {
    "¥": "CNY", "￥": "CNY", "yuan": "CNY", "rmb": "CNY", "kuai": "CNY", "cny": "CNY", "元": "CNY", "块": "CNY",
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pounds": "GBP",
}
_UNITS = ("kg", "kilo", "kilos", "kilogram", "kilograms", "g", "gram", "grams", "jin", "pound of", "lb", "lbs",
          "year", "years", "yrs", "yo", "month", "months", "week", "weeks", "day", "days", "piece", "pieces",
          "box", "boxes", "bag", "bags", "pack", "packs", "bottle", "bottles", "jar", "jars", "tin", "tins",
          "people", "persons", "guests", "kids", "ml", "l", "litre", "litres", "liter", "liters", "cups", "%",
          "am", "pm", "o'clock", "minutes", "hours", "percent", "times", "of them", "dozen", "of us", "guests",
          "m", "cm", "mm", "metre", "metres", "meter", "meters", "inch", "inches", "in", "ft", "feet", "foot",
          "gb", "tb", "mb", "mah", "w", "watts", "v", "hz", "px", "children", "colleagues", "friends",
          "adults", "servings", "portions", "cups", "slices", "floor", "st", "street", "road", "rd", "th",
          "set", "sets", "gift", "gifts", "items", "pcs", "hampers", "baskets", "presents", "cans", "packets",
          "cartons", "sachets", "bars", "cases", "crates", "punnets", "tubs", "pots", "rolls", "sticks")
# Words before a number that make it an identifier, not money ("model 6", "room 12", "postcode 200031").
_ID_CUES = ("#", "no.", "number", "model", "room", "apt", "flat", "size", "page", "chapter", "route", "bus",
            "gate", "platform", "zip", "postcode", "post code", "code", "version", "iphone", "pixel", "galaxy",
            "order", "tel", "phone", "mobile", "call", "extension", "table", "seat", "year", "class of", "aged",
            "age", "vol", "volume", "episode", "season", "part", "level", "grade", "number of")
_STRICT_MAX_CUES = ("under", "below", "less than", "up to", "upto", "no more than", "at most", "not more than",
                    "not over", "max", "maximum")
_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1,
}
_SCALE = {"hundred": 100, "thousand": 1000, "k": 1000, "grand": 1000}
_MAX_CUES = ("under", "below", "less than", "max", "maximum", "up to", "upto", "no more than", "at most", "within",
             "not more than", "not over", "tops", "or less", "cap", "limit", "lower than", "cheaper than")
_AROUND_CUES = ("around", "about", "roughly", "approximately", "approx", "~", "ish", "or so", "something like")
_MIN_CUES = ("over", "more than", "at least", "above", "minimum", "min")
_MONEY_WORDS = ("budget", "spend", "cost", "price", "pay", "afford", "money", "cash", "worth")
_LOW_SENSITIVITY = ("doesn't matter", "does not matter", "dont matter", "don't matter", "no object", "don't care",
                    "dont care", "whatever it costs", "spare no expense", "no budget", "no limit", "any price",
                    "price is not", "not worried about", "money isn't", "whatever the price", "not an issue",
                    "doesnt matter", "no matter")
_HIGH_SENSITIVITY = ("cheap", "not too expensive", "not too pricey", "not too pricy", "not expensive", "affordable",
                     "tight", "budget", "low price", "inexpensive", "economical", "good value", "save money",
                     "bargain", "not pricey", "reasonable", "not too much")
# Said in answer to the budget question, these mean price is no concern.
_ANY_WHEN_ASKED = ("whatever", "anything", "any", "up to you", "you decide", "flexible", "not fussed", "no preference",
                   "no limit", "not bothered", "either way", "whatever is best", "don't mind", "dont mind")
_NORMAL = ("normal price", "usual price", "regular price", "whatever the normal", "standard price")

_NUM = r"(?:\d+(?:[.,]\d+)?\s*k?\b|\d+(?:[.,]\d+)?)"
_WORDNUM = r"(?:(?:" + "|".join(sorted((w for w in _SMALL if w != "a"), key=len, reverse=True)) + \
    r")(?:[\s-]+(?:" + "|".join(sorted(_SMALL, key=len, reverse=True)) + r"|hundred|thousand|grand))*" + \
    r"|a\s+(?:hundred|thousand|grand))"
AGE_RE = re.compile(
    r"\b(?:(?:she|he|they|mum|mom|dad|grandma|grandpa|mother|father)(?:'s|’s| is| are| turned| turns)\s+(?P<a>\d{2,3})"
    r"|(?P<b>\d{2,3})\s*(?:years?|yrs?|yo)\b(?:\s*old)?|in (?:her|his|their) (?P<c>[6-9]0)s)",
    re.IGNORECASE,
)
_AMOUNT_RE = re.compile(
    r"(?P<cur1>[¥￥$€£])?\s*(?P<num>" + _NUM + r"|\b" + _WORDNUM + r"\b)\s*(?P<cur2>yuan|rmb|kuai|cny|元|块|usd|dollars?|bucks|eur|euros?|gbp|pounds)?",
    re.IGNORECASE,
)


@dataclass
class Budget:
    """What a shopper said about price."""

    max: Optional[float] = None
    min: Optional[float] = None
    currency: Optional[str] = None
    sensitivity: str = "medium"  # low | medium | high
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The price dimension as the needs log stores it."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


def words_to_number(text: str) -> Optional[float]:
    """'two hundred' -> 200, 'fifty' -> 50, '1.5k' -> 1500, '50' -> 50."""
    t = text.lower().replace(",", "").strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*k", t)
    if m:
        return float(m.group(1)) * 1000
    try:
        return float(t)
    except ValueError:
        pass
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", t):
        if word in ("and", ""):
            continue
        if word in _SMALL:
            current += _SMALL[word]
            seen = True
        elif word in _SCALE:
            current = (current or 1) * _SCALE[word]
            if _SCALE[word] >= 1000:
                total, current = total + current, 0.0
            seen = True
        else:
            return None
    return total + current if seen else None


def _has(low: str, cues: tuple[str, ...]) -> bool:
    return any(re.search(r"(?<![a-z])" + re.escape(c) + r"(?![a-z])", low) for c in cues)


def find_amounts(text: str) -> list[tuple[int, int, float, Optional[str]]]:
    """Money-like numbers in `text` as (start, end, value, currency); quantities and ages are left out."""
    out = []
    ages = [(a.start(), a.end()) for a in AGE_RE.finditer(text)]
    for m in _AMOUNT_RE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in ages):
            continue
        raw = m.group("num")
        value = words_to_number(raw)
        if value is None or raw.strip().lower() in ("a", "one"):
            continue  # "the first one", "a box": not money
        after = text[m.end():m.end() + 12].lower().lstrip()
        cur = m.group("cur1") or m.group("cur2")
        if not cur and not_money(text, m.start("num"), m.end("num")):
            continue
        if not cur and any(re.match(re.escape(u) + r"\b", after) or after.startswith(u) and u in ("%",) for u in _UNITS):
            continue
        if not cur and re.match(r"\s*(st|nd|rd|th)\b", text[m.end():m.end() + 3].lower()):
            continue
        out.append((m.start(), m.end(), value, CURRENCIES.get(cur.lower()) if cur else None))
    return out


def not_money(text: str, start: int, end: int) -> bool:
    """True when the number at text[start:end] is an identifier, a size, a year, a phone or a postcode."""
    raw = text[start:end]
    start, end = start + len(raw) - len(raw.lstrip()), end - (len(raw) - len(raw.rstrip()))
    raw = raw.strip()
    digits = re.sub(r"\D", "", raw)
    before, after = text[max(0, start - 1):start], text[end:end + 1]
    if (before.isalpha() or after.isalpha()) and re.search(r"\d", raw) and not raw.lower().endswith("k"):
        return True  # "6a", "s23", "13pro"
    token = re.search(r"\S*$", text[:start]).group(0) + raw + re.match(r"\S*", text[end:]).group(0)
    if "@" in token or "/" in token or "www" in token.lower() or re.search(r"\d[-.]\d+[-.]\d", token):
        return True  # e-mail, web address, date, phone with dashes
    if len(digits) >= 5:
        return True  # postcode, phone number, order number
    if re.search(r"\d[\s-]\d{3,}", text[max(0, start - 4):end + 6]):
        return True  # spaced phone digits
    money_before = re.search(r"(?:budget|spend|under|up to|about|around|max|pay)\W*$", text[max(0, start - 12):start],
                             re.IGNORECASE)
    if len(digits) == 4 and 1900 <= int(digits) <= 2099 and "." not in raw and not money_before:
        return True  # a year or a title ("1922"), not "a budget of 2000"
    low_before = " " + text[max(0, start - 14):start].lower()
    if any(re.search(r"(?<![a-z])" + re.escape(c) + r"\s*$", low_before) for c in _ID_CUES):
        return True
    if '"' in text[max(0, start - 30):start] and '"' in text[end:end + 30]:
        return True  # inside a quoted title
    if re.search(r"\d[:.]$", text[max(0, start - 2):start]) and len(digits) == 2:
        return True  # the minutes of a time ("5:30")
    if _CLOCK_BEFORE.search(text[max(0, start - 40):start]) and re.fullmatch(r"\d{1,2}(?:[:.]\d{2})?", raw) \
            and int(re.split(r"[:.]", raw)[0]) <= 24:
        return True  # a time of day: "I wake around 3", "up at 5.30", "asleep till 4"
    return False


# Words after which a small number is a time of day, not money.
_CLOCK_BEFORE = re.compile(
    r"\b(?:wak(?:e|es|ing|en)|woke|up|asleep|sleep(?:s|ing)?|slept|bed|alarm|shift|leav(?:e|es|ing)|arriv(?:e|es|ing)|"
    r"land(?:s|ing)?|depart(?:s|ing)?|start(?:s|ing)?|finish(?:es|ing)?|open(?:s|ing)?|clos(?:e|es|ing)|"
    r"tonight|morning|evening|night|o'clock)"
    r"(?:\s+(?:\w+\s+){0,2}(?:at|around|about|by|till|until|before|after|past|gone))?\s*$",
    re.IGNORECASE,
)


_HEADCOUNT_RE = re.compile(
    r"\b(?P<n>\d{1,3}|" + "|".join(w for w in _SMALL if w not in ("a", "zero", "one")) + r")\s+"
    r"(?:or so\s+|-ish\s+)?(?:people|persons|guests|of us|adults|kids|children|colleagues|friends|staff|employees|"
    r"relatives|visitors|students|pax)\b", re.IGNORECASE,
)


def headcount(text: str) -> Optional[int]:
    """How many people the shopper is buying for ("for around 25 guests" -> 25), if said."""
    m = _HEADCOUNT_RE.search(text)
    if not m:
        return None
    value = words_to_number(m.group("n"))
    return int(value) if value and value >= 2 else None


_PRICED_AFTER = re.compile(r"\s*(?:each|apiece|a piece|per (?:person|head|box|set|gift|item)|a head|in total|total|"
                           r"all in|altogether|for (?:the lot|all of them|everything))\b", re.IGNORECASE)
_ROUGH_END = re.compile(r"(?:around|about|roughly|approximately|approx\.?)\s*$", re.IGNORECASE)
_NOT_ROUGH = re.compile(r"(?:'s|’s|\bis|\bare|\bturns|\bturning|\baged|\bage)\s+(?:around|about|roughly)\s*$",
                        re.IGNORECASE)


def _priced(text: str, amount: tuple[int, int, float, Optional[str]]) -> bool:
    """A number said the way prices are said: "300 each", "600 in total", or "for a client, about 400"."""
    start, end, value, _ = amount
    if _PRICED_AFTER.match(text[end:]):
        return True
    before, after = text[:start], text[end:].strip()
    ends_phrase = not after or after[0] in ",.;!?"
    rough = _ROUGH_END.search(before)
    said_with_more = bool(rough) and "," in before[:rough.start()]  # "for a client, about 400", not a bare "about 400"
    return value >= 20 and ends_phrase and said_with_more and not _NOT_ROUGH.search(before)


def parse_budget(text: str, asked_budget: bool = False, default_currency: str = "CNY") -> Optional[Budget]:
    """The budget in `text`, or None when it says nothing about price.

    A bare number counts as a budget only with a money cue (a currency, "under", "budget"...)
    or when the shopper was just asked about the budget.
    """
    low = " " + text.lower().strip() + " "
    amounts = find_amounts(text)
    money_cue = _has(low, _MONEY_WORDS) or any(a[3] for a in amounts) or any(
        re.search(r"(?<![a-z])" + re.escape(c) + r"\s*$", text[:a[0]].lower()) for a in amounts for c in _STRICT_MAX_CUES) \
        or any(_priced(text, a) for a in amounts)
    budget = Budget()
    if _has(low, _LOW_SENSITIVITY) or (asked_budget and not amounts and _has(low, _ANY_WHEN_ASKED)):
        budget.sensitivity, budget.note = "low", "price is not a concern"
    elif _has(low, _NORMAL):
        budget.sensitivity, budget.note = "medium", "normal price"
    elif _has(low, _HIGH_SENSITIVITY) and not _has(low, ("budget is", "budget of", "my budget")):
        budget.sensitivity, budget.note = "high", "wants it affordable"
    if amounts and (money_cue or asked_budget):
        priced = [a for a in amounts if a[3] or _priced(text, a)]
        values = [a[2] for a in priced + [a for a in amounts if a not in priced]]
        budget.currency = next((a[3] for a in amounts if a[3]), None) or default_currency
        if len(values) >= 2 and _has(low, ("between", "from", "to", "and", "-")):
            budget.min, budget.max = min(values[:2]), max(values[:2])
            note = f"between {budget.min:g} and {budget.max:g}"
        elif _has(low, _MIN_CUES) and not _has(low, _MAX_CUES):
            budget.min = values[0]
            note = f"at least {values[0]:g}"
        else:
            budget.max = values[0]
            note = (f"around {values[0]:g}" if _has(low, _AROUND_CUES) else
                    f"up to {values[0]:g}" if _has(low, _MAX_CUES) else f"{values[0]:g}")
        budget.note = note
        if budget.sensitivity == "low":
            budget.sensitivity = "medium"
    elif budget.note == "":
        return None
    return budget
