"""Words of customer service: what makes a message a question about the store's service, not its products.

Two sources:

- a small hand-written core every store shares, in English and Chinese (refund/退款, return/退货,
  warranty/保修, shipping/运费, invoice/发票, cash on delivery/货到付款 ...). `STRONG` words alone make a
  message a service question; `WEAK` ones (order, pay, account, fee ...) only when most of its content
  words are service words ("will I be charged anything?" is; "cancel my table at the restaurant" is not);
- the distinctive words of the store's own policy documents: words its policies use that its catalog
  never does (a courier's name, a wallet, net banking, a PIN code ...), derived when the store loads
  (`SupportLexicon.from_texts`). They count like the weak core words.

Coupon words (coupon, promo code, 优惠券 ...) are the promotion scene's, read here too so the two never
compete for a message.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass, field

from retrieval.catalog import Product
from scene.need_reading import SHOPPING_WORDS

_TOKEN = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")

# Generic English words: grammar, asking, time, quantity. Never service words, never content.
STOPWORDS = frozenset(re.findall(r"\S+", """
a an the and or but if then so of to in on at by for from with without into onto about as than up down out off
over under after before within between during until via per is are was were be been being am do does did done
have has had having will would shall should can could may might must i me my mine we us our ours you your yours
u he him his she her it its they them their theirs this that these those there here what which who whom whose
when where why how whats what's how's it's i'm im i'd i've i'll don't dont doesn't didn't can't cant won't isn't
not no yes yeah ok okay please pls plz thanks thank hi hello hey any anything some something all each every
both either neither more most much many few lot lots very really just only also too even still already again
yet now ever never always get got getting give take make let know tell want need like would long soon far
one two three four five six seven eight nine ten first second last next other another same such own
day days week weeks month months year years hour hours time times minute minutes business working
though although however anyway actually well hmm um oh ah whether else
name names check open choose select page pages see shown show find look use used using way new part
sorry chat talk answer ask asked conversation assistant list say said read example instead unless except
work works worked happen happens come comes came go goes went mean means possible okay fine
""".lower()))

# Words that make a message a service question on their own (kept as stems, see `stem`).
_STRONG_WORDS = """
refund refunds refundable return returns returnable returned warranty guarantee exchange exchanged replacement
shipping shipped shipment shipments deliver delivery delivered deliveries invoice invoices receipt cod pincode
postcode zipcode cancellation cancellations complaint complain courier pickup dispatch dispatched damaged
defective faulty policy policies chargeback reimburse reimbursement undelivered
"""
# Words that are service words only when most of the message is.
_WEAK_WORDS = """
order orders ordered cancel cancelled canceled pay payment payments paid account accounts charge charged charges
fee fees contact password login signup sign address email mail phone card cards credit debit bank banking
wallet otp arrive arrived arrival late delayed delay status track tracked received receive broken wrong
missing lost pin postal zip customer service support agent helpline cash money express bill billing locked
register registration profile delete reply respond response move moved stuck
"""
# Words of the other scenes: the cart, coupons and deals, reviews, people.
_SCENE_WORDS = "cart basket checkout coupon coupons deal deals offer offers discount sale review reviews stock"

# Chinese service words (substrings). Strong: a service question alone; weak: with nothing else of substance.
ZH_STRONG = re.compile(
    r"退款|退货|退换|换货|退回|退钱|保修|质保|保换|运费|邮费|包邮|配送|送货|发货|物流|快递|发票|货到付款|投诉|售后"
    r"|手续费|邮编|到账|签收|取件|损坏|破损|坏了|有瑕疵|政策|退(?!出)"
)
ZH_WEAK = re.compile(
    r"订单|取消|付款|支付|信用卡|借记卡|银行卡|钱包|账户|账号|密码|注册|登录|地址|邮箱|电话|加急|到货|送达|到了吗|客服"
    r"|扣款|扣费|收费|费用|分期|回复|联系"
)
# Something received in a bad state ("my shoes arrived torn", "I got the wrong size", "收到的东西坏了"): a
# service question, whatever product it names. The state words alone also describe products ("ripped jeans").
PROBLEM = re.compile(
    r"\b(?:arrived|received|came|got|delivered|sent)\b.{0,40}\b(?:torn|ripped|broken|cracked|scratched|stained|dented"
    r"|damaged|defective|faulty|wrong|missing|used|dirty|leaking|incomplete|fake|expired)\b"
    r"|\b(?:wrong|damaged|broken|defective)\s+(?:item|product|size|colou?r|order|one|thing)\b"
    r"|收到.{0,8}(?:坏|破|裂|错|少|脏|旧|假)|(?:发错|少发|漏发|发成)",
    re.I,
)
# Coupons belong to the promotion scene (and "deals on <product>" to a search with a sale filter).
COUPONS = re.compile(
    r"\b(?:coupons?|promo(?:tion(?:al)?)?\s*codes?|promos?|vouchers?|(?:discount|offer|voucher)\s+codes?)\b"
    r"|优惠券|优惠码|折扣码|券",
    re.I,
)

# Deal words: a promotion, or a product search with a sale filter ("deals on headphones"); never support.
DEALS = re.compile(r"\b(?:deals?|offers?|sales?|discounts?|discounted|bargains?|promotions?)\b"
                   r"|优惠|折扣|打折|促销|活动|满减|特价|便宜", re.I)


def stem(word: str) -> str:
    """A crude English stem, enough to meet "refunds"/"refunded", "charged"/"charges", "shipping"/"ship"."""
    w = word.lower().strip("'-")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]  # "shipp" -> "ship"
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]  # "charge" -> "charg", like "charged"
    return w


STRONG = frozenset(stem(w) for w in _STRONG_WORDS.split())
WEAK = frozenset(stem(w) for w in _WEAK_WORDS.split()) - STRONG


def words(text: str) -> list[str]:
    """The lowercase English words of `text`."""
    return [t.lower() for t in _TOKEN.findall(text)]


def content_words(text: str) -> list[str]:
    """Stems of the words of `text` that are not grammar or asking words."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


@dataclass(frozen=True)
class ServiceReading:
    """The service words of one message: strong ones, weak ones (core or the store's), and its content words."""

    strong: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    content: int = 0
    zh: bool = False

    @property
    def any(self) -> bool:
        return bool(self.strong or self.weak)

    @property
    def is_service(self) -> bool:
        """Strong words, or weak ones making up at least two thirds of the content words: "is there a fee for
        paying by card" is; "contact the bank about fraud activity on my card" is not."""
        if self.strong:
            return True
        if not self.weak:
            return False
        return len(self.weak) * 3 >= max(self.content, 1) * 2


@dataclass(frozen=True)
class SupportLexicon:
    """The generic core plus `store_words`: stems distinctive of one store's policies against its catalog."""

    store_words: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_texts(cls, policy_texts: Iterable[str], catalog_words: Set[str] = frozenset(),
                   exclude: Iterable[str] = ()) -> SupportLexicon:
        """Stems the policies use that no catalog word shares (see `catalog_words`): the catalog's own words
        ("watches", "shoes" in a warranty section) name products, not service. Shopping words every scene
        uses (price, stock, deal, cart ...) and `exclude` (the store's name) are left out too."""
        seen: set[str] = set()
        for text in policy_texts:
            seen.update(stem(w) for w in words(text) if w not in STOPWORDS and w not in SHOPPING_WORDS and len(w) > 2)
        left_out = {stem(w) for w in catalog_words} | {stem(w) for w in words(" ".join(exclude))}
        left_out |= {stem(w) for w in _SCENE_WORDS.split()}
        return cls(frozenset(w for w in seen - left_out - STRONG if len(w) > 2 and not COUPONS.search(w)))

    def read(self, text: str) -> ServiceReading:
        """The service words of `text` (English stems and Chinese substrings)."""
        content = content_words(text)
        strong = [w for w in content if w in STRONG]
        weak = [w for w in content if w not in STRONG and (w in WEAK or w in self.store_words)]
        zh_strong = ZH_STRONG.findall(text) + PROBLEM.findall(text)
        zh_weak = ZH_WEAK.findall(text)
        cjk = bool(_CJK.search(text))
        n_content = len(content)
        if cjk and zh_weak and not zh_strong:
            n_content += _zh_substance(text, zh_weak)
        return ServiceReading(strong=tuple(strong + zh_strong), weak=tuple(weak + zh_weak),
                              content=n_content, zh=cjk)


def catalog_words(products: Iterable[Product], min_products: int = 2) -> set[str]:
    """Words of at least `min_products` products (title, brand, category path, description, attributes):
    the catalog's vocabulary a store's policy words are told apart from."""
    df: Counter[str] = Counter()
    for p in products:
        said = " ".join([p.title, p.brand, p.description, " ".join(p.category_path), *p.attributes.keys(),
                         *p.attributes.values()])
        df.update(set(words(said)))
    return {w for w, n in df.items() if n >= min_products}


# Chinese characters of asking and grammar: what is left after them and the service words is substance.
_ZH_GRAMMAR = set("我你您的了吗呢吧啊呀么是有没能可以要想会就还也都在给把被让"
                  "多少几久什么怎样时候哪里到下请问这那个些一")


def _zh_substance(text: str, found: list[str]) -> int:
    """How many groups of Chinese characters other than grammar and `found` the message has (0 or 1 per 2 chars)."""
    rest = text
    for f in found:
        rest = rest.replace(f, " ")
    left = [ch for ch in rest if _CJK.match(ch) and ch not in _ZH_GRAMMAR]
    return (len(left) + 1) // 2
