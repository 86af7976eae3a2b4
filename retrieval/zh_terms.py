"""Chinese shopping words -> English search terms, for catalogs written in English.

The bundled MiniLM and BM25 only read English, so a Chinese request such as
"我想买一双防水的登山鞋" is searched as "waterproof hiking shoes". A longest-match
scan over this glossary is enough for product words; everything else in the
message (verbs, particles) is not a search term anyway.
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    # footwear
    "登山鞋": "hiking shoes", "运动鞋": "sports shoes", "跑鞋": "running shoes", "跑步鞋": "running shoes",
    "凉鞋": "sandals", "拖鞋": "slippers", "靴子": "boots", "高跟鞋": "heels", "皮鞋": "leather shoes",
    "帆布鞋": "canvas shoes", "平底鞋": "flats bellies", "鞋子": "shoes", "鞋": "shoes", "袜子": "socks",
    "靴": "boots", "女靴": "women boots", "男靴": "men boots", "女鞋": "women shoes", "男鞋": "men shoes",
    "童鞋": "kids shoes", "球鞋": "sports shoes", "板鞋": "sneakers", "布鞋": "canvas shoes",
    # clothing
    "连衣裙": "dress", "裙子": "skirt dress", "衬衫": "shirt", "T恤": "t-shirt", "t恤": "t-shirt",
    "夹克": "jacket", "外套": "jacket coat", "雨衣": "raincoat", "毛衣": "sweater", "卫衣": "sweatshirt",
    "牛仔裤": "jeans", "裤子": "trousers pants", "短裤": "shorts", "内衣": "innerwear", "睡衣": "nightwear",
    "纱丽": "saree", "库尔塔": "kurta", "上衣": "top", "背心": "vest", "文胸": "bra", "衣服": "clothing",
    # accessories
    "手表": "watch", "腕表": "wrist watch", "戒指": "ring", "项链": "necklace", "耳环": "earrings",
    "手链": "bracelet", "吊坠": "pendant", "首饰": "jewellery", "珠宝": "jewellery", "钻石": "diamond",
    "黄金": "gold", "白银": "silver", "太阳镜": "sunglasses", "墨镜": "sunglasses", "眼镜": "glasses",
    "钱包": "wallet", "手提包": "handbag", "背包": "backpack", "双肩包": "backpack", "包": "bag",
    "皮带": "belt", "腰带": "belt", "帽子": "cap hat", "围巾": "scarf", "领带": "tie",
    # electronics and home
    "手机壳": "mobile cover case", "手机": "mobile phone", "充电器": "charger", "耳机": "headphones earphones",
    "充电宝": "power bank", "数据线": "cable", "电脑": "computer laptop", "键盘": "keyboard", "鼠标": "mouse",
    "相机": "camera", "杯子": "mug cup", "马克杯": "mug", "咖啡杯": "coffee mug", "茶杯": "tea cup", "杯": "mug cup",
    "裙": "skirt dress", "半身裙": "skirt", "短裙": "skirt", "长裙": "dress", "包包": "bag", "挎包": "sling bag",
    "单肩包": "shoulder bag", "手拿包": "clutch", "钥匙扣": "key chain", "指甲油": "nail polish",
    "水杯": "water bottle", "水瓶": "bottle",
    "锅": "pan cookware", "刀": "knife", "床单": "bedsheet", "被子": "quilt blanket", "枕头": "pillow",
    "窗帘": "curtains", "地毯": "carpet rug", "灯": "lamp light", "椅子": "chair", "桌子": "table",
    "香水": "perfume", "口红": "lipstick", "化妆品": "makeup cosmetics", "洗发水": "shampoo", "面霜": "cream",
    "玩具": "toy", "笔": "pen", "笔记本": "notebook diary", "贴纸": "sticker", "汽车": "car", "摩托车": "bike",
    # properties
    "防水": "waterproof", "防风": "windproof", "透气": "breathable", "保暖": "warm winter", "轻便": "lightweight",
    "舒适": "comfortable", "纯棉": "cotton", "棉": "cotton", "真皮": "genuine leather", "皮革": "leather",
    "不锈钢": "stainless steel", "塑料": "plastic", "木": "wood", "丝绸": "silk", "羊毛": "wool",
    "男士": "men", "男": "men", "女士": "women", "女": "women", "儿童": "kids", "婴儿": "baby",
    "男孩": "boys", "女孩": "girls", "情侣": "couple",
    # people shoppers buy for: the group the catalog files their things under
    "老公": "men", "丈夫": "men", "男朋友": "men", "男友": "men", "爸爸": "men", "父亲": "men", "老爸": "men",
    "爷爷": "men", "哥哥": "men", "弟弟": "men", "老婆": "women", "妻子": "women", "太太": "women",
    "女朋友": "women", "女友": "women", "妈妈": "women", "母亲": "women", "老妈": "women", "奶奶": "women",
    "姐姐": "women", "妹妹": "women", "闺蜜": "women", "儿子": "boys", "女儿": "girls", "孩子": "kids",
    "小孩": "kids", "宝宝": "baby", "休闲": "casual", "正式": "formal", "派对": "party",
    "婚礼": "wedding", "运动": "sports", "户外": "outdoor", "登山": "hiking", "跑步": "running",
    "数字": "digital", "模拟": "analog", "智能": "smart", "无线": "wireless", "便携": "portable",
    "大号": "large", "小号": "small", "中号": "medium", "长袖": "full sleeve", "短袖": "short sleeve",
    "礼物": "gift",
    # colours (filters read them too; as words they help matching)
    "红色": "red", "黑色": "black", "白色": "white", "蓝色": "blue", "绿色": "green", "黄色": "yellow",
    "粉色": "pink", "紫色": "purple", "橙色": "orange", "棕色": "brown", "灰色": "grey", "金色": "gold",
    "银色": "silver",
}

_MAX_LEN = max(len(k) for k in GLOSSARY)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def segments(text: str) -> list[tuple[int, int, str]]:
    """(start, end, English term) of each glossary word in `text`, by the same longest-match scan."""
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(text):
        if has_cjk(text[i]):
            for size in range(min(_MAX_LEN, len(text) - i), 0, -1):
                term = GLOSSARY.get(text[i : i + size])
                if term:
                    out.append((i, i + size, term))
                    i += size
                    break
            else:
                i += 1
        else:
            i += 1
    return out


def translate_terms(text: str) -> str:
    """English search terms for the Chinese product words in `text`; Latin words are kept."""
    out: list[str] = []
    i = 0
    latin: list[str] = []
    while i < len(text):
        ch = text[i]
        if not has_cjk(ch):
            latin.append(ch)
            i += 1
            continue
        if latin:
            out.append("".join(latin))
            latin = []
        for size in range(min(_MAX_LEN, len(text) - i), 0, -1):
            term = GLOSSARY.get(text[i : i + size])
            if term:
                out.append(term)
                i += size
                break
        else:
            i += 1
    if latin:
        out.append("".join(latin))
    words: list[str] = []
    for chunk in out:
        for word in chunk.split():
            if word not in words:
                words.append(word)
    return " ".join(words)
