"""Dialogues about the store's policies: questions routed to support, and answers faithful to the policy."""

from __future__ import annotations

from evaluation.dialogues.authoring.dsl import BOOTS, WATCH, D, T, cards, cites, lang, never, says, scene

ROUTING = "support_routing"
FAITHFUL = "policy_faithful"

TEN_DAYS = ["10 days", "10-day", "ten days"]
TEN_DAYS_ZH = ["10天", "10 天", "十天"]

SUPPORT_ROUTING = [
    D("route-return-policy-first", ROUTING, "en",
      T("What is your return policy?", scene("support"), cites("3.1", "3.2", "4.1"), says(TEN_DAYS))),
    D("route-return-window", ROUTING, "en",
      T("how many days do i have to return something", scene("support"), cites("3.1"), says(TEN_DAYS))),
    D("route-delivery-speed", ROUTING, "en",
      T("how fast is delivery?", scene("support"), cites("2.2", "2.1"), says(["3 to 5 business days"]))),
    D("route-damaged-item", ROUTING, "en",
      T("the item I received is damaged", scene("support"), cites("3.3", "4.2", "4.1"),
        says(["48 hours", "report a problem"]), never("Which product do you mean"))),
    D("route-package-broken", ROUTING, "en",
      T("my package arrived broken, what do i do now??", scene("support"), cites("3.3", "4.2", "4.1"),
        says(["48 hours", "report a problem"]))),
    D("route-credit-cards", ROUTING, "en",
      T("do u accept credit cards", scene("support"), cites("5.1"), says(["credit", "Visa"]))),
    D("route-cod-greeting", ROUTING, "en",
      T("hello! quick question - can i pay cash on delivery?", scene("support"), cites("5.3", "5.1"),
        says("cash on delivery"))),
    D("route-cancellation-fee", ROUTING, "en",
      T("is there a cancellation fee", scene("support"), cites("1.4", "1.3"),
        says(["no cancellation fee", "₹99", "is free"]))),
    D("route-return-window-mid", ROUTING, "en",
      T("boots for women", cards(2, **BOOTS, audience="women")),
      T("btw whats the return window for shoes?", scene("support"), cites("3.1"), says(TEN_DAYS))),
    D("route-warranty-watch", ROUTING, "en",
      T("do watches come with a warranty?", scene("support"), cites("7.1"), says(["1 year", "one year"]))),
    D("route-invoice-download", ROUTING, "en",
      T("how do i download my invoice", scene("support"), cites("6.2", "6.1"), says(["Download PDF", "Invoice"]))),
    D("route-track-how", ROUTING, "en",
      T("how can I track my order?", scene("support"), cites("1.5"), says("My Orders"))),
    D("route-returns-after-search", ROUTING, "en",
      T("mens watch under 1500", cards(2, **WATCH, audience="men", max_price=1500)),
      T("if it doesn't fit can i send it back?", scene("support"), cites("3.1", "3.2"), says(TEN_DAYS))),
    D("route-zh-return-policy", ROUTING, "zh",
      T("退货政策是什么？", scene("support"), cites("3.1", "3.2", "4.1"), lang("zh"), says(TEN_DAYS_ZH))),
    D("route-zh-delivery-speed", ROUTING, "zh",
      T("发货要多久？", scene("support"), cites("2.2"), lang("zh"), says(["3到5", "3-5", "3 到 5", "3至5"]))),
    D("route-zh-damaged", ROUTING, "zh",
      T("收到的东西坏了怎么办", scene("support"), cites("3.3", "4.2", "4.1"), lang("zh"))),
    D("route-zh-cod", ROUTING, "zh",
      T("可以货到付款吗", scene("support"), cites("5.3", "5.1"), lang("zh"), says("货到付款"))),
]

POLICY_FAITHFUL = [
    D("faith-shipping-cost", FAITHFUL, "en",
      T("how much is shipping?", scene("support"), cites("2.3", "2.1"), says("₹40", "₹499"),
        never("₹50", "₹60", "₹30", "₹100"))),
    D("faith-free-delivery", FAITHFUL, "en",
      T("is delivery free?", scene("support"), cites("2.3", "2.1"), says("₹499"), never("always free"))),
    D("faith-express-cost", FAITHFUL, "en",
      T("what does express delivery cost", scene("support"), cites("2.1", "2.3"), says("₹99"))),
    D("faith-card-refund-time", FAITHFUL, "en",
      T("how long do refunds to a credit card take", scene("support"), cites("4.3"),
        says(["5 to 7 business days", "5-7 business days"]))),
    D("faith-cancel-after-ship-fee", FAITHFUL, "en",
      T("if i cancel after it shipped do you charge a fee?", scene("support"), cites("1.4"), says("₹99"))),
    D("faith-cod-fee", FAITHFUL, "en",
      T("whats the COD handling fee", scene("support"), cites("5.3", "2.3"), says("₹20"))),
    D("faith-opened-lipstick", FAITHFUL, "en",
      T("can I return a lipstick I already opened?", scene("support"), cites("3.3"),
        says(["cannot be returned", "can't be returned", "not be returned", "non-returnable"]),
        never("yes, you can return", "you can return a lipstick you already opened", "opened items can be returned"))),
    D("faith-exchange-size", FAITHFUL, "en",
      T("the shoes are too small, can i exchange for another size", scene("support"), cites("3.1"),
        says(TEN_DAYS))),
    D("faith-same-day", FAITHFUL, "en",
      T("do you have same day delivery? how much?", scene("support"), cites("2.1"), says("₹149"))),
    D("faith-zh-shipping", FAITHFUL, "zh",
      T("运费怎么算？", scene("support"), cites("2.3", "2.1"), lang("zh"), says("₹40", "₹499"),
        never("₹50", "₹100", "₹30"))),
    D("faith-zh-express", FAITHFUL, "zh",
      T("加急配送多少钱？", scene("support"), cites("2.1", "2.3"), lang("zh"), says("₹99"))),
    D("faith-zh-upi-refund", FAITHFUL, "zh",
      T("UPI退款多久到账？", scene("support"), cites("4.3"), lang("zh"), says(["1到2", "1-2", "1 到 2", "1至2"]))),
    D("faith-zh-cancel-fee", FAITHFUL, "zh",
      T("取消订单要手续费吗？", scene("support"), cites("1.4", "1.3"), lang("zh"), says(["免费", "不收", "₹99"]))),
    D("faith-zh-cod-fee", FAITHFUL, "zh",
      T("货到付款有手续费吗", scene("support"), cites("5.3", "2.3"), lang("zh"), says("₹20"))),
]

