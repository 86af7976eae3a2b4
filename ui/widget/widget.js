/* ShopAssist widget: <script src="https://STORE/widget.js" data-site-key="pk_..." async></script>
 * Options (data-* attributes or window.ShopAssistConfig): color, position (right|left), greeting, language (en|zh).
 * JS API: ShopAssist.open(), .close(), .identify(userId, userHash), .on("add_to_cart" | "message" | "handoff", fn).
 * Renders in a shadow root so the host page's CSS cannot break it; streams answers from the SSE API.
 * Prices arrive formatted by the server in the store's currency (card.price_text); the answer's light
 * formatting (**bold**, line breaks, "- " and "1. " lists) is rendered after escaping every character,
 * so no text from the catalog, the shopper or the model can inject markup. A product image that does
 * not load becomes a neat placeholder. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-site-key]");
  if (!script || window.ShopAssist && window.ShopAssist._loaded) return;
  var ds = script.dataset, extra = window.ShopAssistConfig || {};
  var opt = {
    siteKey: extra.siteKey || ds.siteKey || "",
    color: extra.color || ds.color || "#2563eb",
    position: (extra.position || ds.position || "right") === "left" ? "left" : "right",
    language: extra.language || ds.language || "en",
    greeting: extra.greeting || ds.greeting || ""
  };
  var T = {
    en: { title: "Shopping assistant", hello: "Hi! What are you looking for today?", send: "Send",
          person: "Talk to a person", add: "Add to cart", placeholder: "Ask about products…", added: "Added",
          noimg: "No image", oos: "out of stock" },
    zh: { title: "购物助手", hello: "你好！今天想买点什么？", send: "发送", person: "转人工", add: "加入购物车",
          placeholder: "问问商品…", added: "已加入", noimg: "暂无图片", oos: "缺货" }
  }[opt.language] || null;
  if (!T) { T = { title: "Shopping assistant", hello: "Hi! What are you looking for today?", send: "Send",
                  person: "Talk to a person", add: "Add to cart", placeholder: "Ask about products…", added: "Added",
                  noimg: "No image", oos: "out of stock" }; }
  var base = new URL(script.src, location.href).origin;
  var KEY = "shopassist:" + opt.siteKey;
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { saved = {}; }
  if (!saved.visitor) { saved.visitor = "v_" + Math.random().toString(36).slice(2) + Date.now().toString(36); }
  var identity = null, handlers = {}, lastId = 0, busy = false, pollTimer = null, status = "pending";
  function persist() { try { localStorage.setItem(KEY, JSON.stringify(saved)); } catch (e) { /* private mode */ } }
  persist();
  function emit(name, data) { (handlers[name] || []).forEach(function (fn) { try { fn(data); } catch (e) {} }); }
  function headers() {
    var h = { "Content-Type": "application/json", "X-Site-Key": opt.siteKey, "X-Visitor-Id": saved.visitor };
    if (identity) { h["X-User-Id"] = identity.userId; h["X-User-Hash"] = identity.userHash; }
    return h;
  }
  function api(method, path, body) {
    return fetch(base + path, { method: method, headers: headers(), body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }

  var host = document.createElement("div");
  host.id = "shopassist-widget";
  var root = host.attachShadow({ mode: "open" });
  var side = opt.position + ":20px";
  root.innerHTML =
    "<style>" +
    ":host{all:initial}*{box-sizing:border-box;font-family:system-ui,sans-serif}" +
    ".launcher{position:fixed;bottom:20px;" + side + ";width:56px;height:56px;border-radius:50%;border:0;" +
    "background:" + opt.color + ";color:#fff;font-size:24px;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.25);z-index:2147483000}" +
    ".panel{position:fixed;bottom:86px;" + side + ";width:360px;max-width:calc(100vw - 40px);height:520px;" +
    "max-height:calc(100vh - 110px);background:#fff;color:#111;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);" +
    "display:none;flex-direction:column;overflow:hidden;z-index:2147483000;font-size:14px}" +
    ".panel.open{display:flex}.head{background:" + opt.color + ";color:#fff;padding:10px 12px;display:flex;" +
    "align-items:center;justify-content:space-between}.head button{background:none;border:0;color:#fff;cursor:pointer}" +
    ".log{flex:1;overflow-y:auto;padding:10px;background:#f7f7f8}.msg{margin:6px 0;padding:8px 10px;border-radius:10px;" +
    "max-width:85%;white-space:pre-wrap;line-height:1.35}.user{background:" + opt.color + ";color:#fff;margin-left:auto}" +
    ".assistant{background:#fff;border:1px solid #e5e5e5}.agent{background:#fff7e6;border:1px solid #f5c16c}" +
    ".msg.fmt{white-space:normal}.fmt p{margin:0 0 6px}.fmt p:last-child{margin-bottom:0}" +
    ".fmt ul,.fmt ol{margin:4px 0 6px;padding-left:20px}.fmt li{margin:2px 0}" +
    ".cards{display:flex;gap:8px;overflow-x:auto;padding:4px 0}.card{min-width:150px;max-width:150px;background:#fff;" +
    "border:1px solid #ddd;border-radius:8px;padding:8px;font-size:12px}.card .t{font-weight:600;height:32px;overflow:hidden}" +
    ".card .img{height:96px;margin-bottom:6px;border-radius:6px;background:#f3f4f6;display:flex;align-items:center;" +
    "justify-content:center;overflow:hidden}.card .img img{width:100%;height:100%;object-fit:contain;background:#fff}" +
    ".card .ph{display:flex;flex-direction:column;align-items:center;gap:2px;color:#9ca3af;font-size:11px}" +
    ".card .ph svg{width:28px;height:28px}.card .was{color:#888;text-decoration:line-through;margin-left:4px}" +
    ".card .p{margin:4px 0}.card button{width:100%;background:" + opt.color + ";color:#fff;border:0;border-radius:6px;" +
    "padding:5px;cursor:pointer}.foot{display:flex;gap:6px;padding:8px;border-top:1px solid #eee}" +
    ".foot input{flex:1;padding:8px;border:1px solid #ccc;border-radius:6px;font-size:14px}" +
    ".foot button,.person{background:" + opt.color + ";color:#fff;border:0;border-radius:6px;padding:8px 10px;cursor:pointer}" +
    ".person{background:none;color:" + opt.color + ";padding:4px 10px;font-size:12px;text-align:left}" +
    ".err{color:#b91c1c}</style>" +
    "<button class='launcher' part='launcher' aria-label='" + T.title + "'>&#128172;</button>" +
    "<div class='panel' role='dialog' aria-label='" + T.title + "'><div class='head'><strong>" + T.title +
    "</strong><button class='close' aria-label='close'>&#10005;</button></div><div class='log'></div>" +
    "<button class='person'>" + T.person + "</button><form class='foot'><input class='input' maxlength='2000' " +
    "placeholder='" + T.placeholder + "'><button class='send' type='submit'>" + T.send + "</button></form></div>";
  var panel = root.querySelector(".panel"), log = root.querySelector(".log"), input = root.querySelector(".input");

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function inline(s) {  // s is already escaped: only tags we write ourselves are added
    return s.replace(/\*\*([^*\n]+?)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[\s(])\*([^*\s][^*\n]*?)\*(?=[\s.,;:!?)]|$)/g, "$1<em>$2</em>");
  }
  function formatText(raw) {
    var html = "", list = null;
    esc(raw).split("\n").forEach(function (line) {
      var m = line.match(/^\s*(?:[-*\u2022]|(\d+)[.)])\s+(.*)$/);
      if (m) {
        var tag = m[1] ? "ol" : "ul";
        if (list !== tag) { if (list) html += "</" + list + ">"; html += "<" + tag + ">"; list = tag; }
        html += "<li>" + inline(m[2]) + "</li>";
        return;
      }
      if (list) { html += "</" + list + ">"; list = null; }
      if (line.trim()) html += "<p>" + inline(line) + "</p>";
    });
    return html + (list ? "</" + list + ">" : "");
  }
  function bubble(role, text, formatted) {
    var d = document.createElement("div");
    d.className = "msg " + role + (formatted ? " fmt" : "");
    d.raw = text;
    if (formatted) d.innerHTML = formatText(text); else d.textContent = text;
    log.appendChild(d);
    log.scrollTop = log.scrollHeight;
    return d;
  }
  var PLACEHOLDER = "<svg viewBox='0 0 24 24' fill='none' stroke='currentColor' stroke-width='1.5' aria-hidden='true'>" +
    "<rect x='3' y='4' width='18' height='16' rx='2'/><circle cx='9' cy='10' r='2'/><path d='M21 17l-5-5-9 8'/></svg>";
  function placeholder(box) {
    box.innerHTML = "";
    var ph = document.createElement("div"); ph.className = "ph";
    ph.innerHTML = PLACEHOLDER;  // a constant: no catalog text goes through innerHTML
    var label = document.createElement("span"); label.textContent = T.noimg;
    ph.appendChild(label); box.appendChild(ph);
  }
  function image(c) {
    var box = document.createElement("div"); box.className = "img";
    if (!c.image_url) { placeholder(box); return box; }
    var img = document.createElement("img");
    img.alt = ""; img.loading = "lazy"; img.referrerPolicy = "no-referrer";
    img.addEventListener("error", function () { placeholder(box); });
    img.src = c.image_url;
    box.appendChild(img);
    return box;
  }
  function cards(list) {
    var row = document.createElement("div");
    row.className = "cards";
    list.forEach(function (c) {
      var el = document.createElement("div");
      el.className = "card";
      el.dataset.productId = c.id;
      var t = document.createElement("div"); t.className = "t"; t.textContent = c.title;
      t.onclick = function () { clicked(c); };  // the store's insights count clicks by card position
      var p = document.createElement("div"); p.className = "p";
      p.textContent = (c.price_text || String(c.price)) + (c.in_stock ? "" : " · " + T.oos);
      if (c.list_price_text) {
        var was = document.createElement("span"); was.className = "was"; was.textContent = c.list_price_text;
        p.appendChild(was);
      }
      var b = document.createElement("button"); b.className = "add"; b.textContent = T.add;
      b.onclick = function () { addToCart(c, b); };
      el.appendChild(image(c)); el.appendChild(t); el.appendChild(p); el.appendChild(b);
      row.appendChild(el);
    });
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }
  function clicked(card) {
    api("POST", "/v1/events", { conversation_id: saved.conversation, type: "click", product_id: card.id })
      .catch(function () {});
    if (card.url) window.open(card.url, "_blank", "noopener");
  }
  function addToCart(card, button) {
    api("POST", "/v1/cart/items", { product_id: card.id, quantity: 1, conversation_id: saved.conversation })
      .then(function (res) {
        button.textContent = T.added + " \u2713";
        var cart = (res.events || []).filter(function (e) { return e.type === "cart"; })[0];
        emit("add_to_cart", { product: card, cart: cart });
      }).catch(function (e) { bubble("assistant err", (e.error && e.error.message) || "Could not add it."); });
  }
  function render(m) {
    lastId = Math.max(lastId, m.id);
    if (m.payload && m.payload.products && m.payload.products.cards) cards(m.payload.products.cards);
    if (m.content) bubble(m.role === "user" ? "user" : m.role, m.content, m.role !== "user");
  }
  function ensureConversation() {
    if (saved.conversation) {
      return api("GET", "/v1/conversations/" + saved.conversation).then(function (c) {
        status = c.status; c.messages.forEach(render); if (status === "agent" || status === "open") startPolling();
        return c;
      }).catch(function () { saved.conversation = null; return ensureConversation(); });
    }
    return api("POST", "/v1/conversations", { language: opt.language === "zh" ? "zh" : "en" }).then(function (c) {
      saved.conversation = c.id; persist(); bubble("assistant", opt.greeting || T.hello); return c;
    });
  }
  var ready = null;
  function problem(e) { return (e && e.error && e.error.message) || "Connection problem, please try again."; }
  function start() {
    if (!ready) {
      ready = ensureConversation().catch(function (e) { ready = null; bubble("assistant err", problem(e)); throw { shown: true }; });
    }
    return ready;
  }
  function poll(afterTurn) {
    if (!saved.conversation || busy) return;
    api("GET", "/v1/conversations/" + saved.conversation + "?after=" + lastId).then(function (c) {
      status = c.status;
      c.messages.forEach(function (m) {
        // after a streamed turn the bot's messages are already on screen; a person's replies are new
        if (m.role === "user" || (afterTurn && m.role === "assistant")) lastId = Math.max(lastId, m.id);
        else render(m);
      });
      if (status !== "agent" && status !== "open") stopPolling();
    }).catch(function () {});
  }
  function startPolling() { if (!pollTimer) pollTimer = setInterval(function () { poll(false); }, 2500); }
  function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

  function send(text) {
    if (busy || !text) return;
    busy = true;
    bubble("user", text);
    start().then(function () {
      return fetch(base + "/v1/conversations/" + saved.conversation + "/messages",
                   { method: "POST", headers: headers(), body: JSON.stringify({ message: text }) });
    }).then(function (res) {
      if (!res.ok) return res.json().then(function (j) { throw j; });
      var reader = res.body.getReader(), dec = new TextDecoder(), buf = "", answer = null;
      function handle(block) {
        var type = "", data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event: ") === 0) type = line.slice(7);
          else if (line.indexOf("data: ") === 0) data += line.slice(6);
        });
        if (!data) return;
        var ev = JSON.parse(data);
        if (type === "products") cards(ev.cards);
        else if (type === "text_delta") {
          if (!answer) answer = bubble("assistant", "", true);
          answer.raw += ev.text; answer.innerHTML = formatText(answer.raw); log.scrollTop = log.scrollHeight;
        }
        else if (type === "error") bubble("assistant err", ev.message);
        else if (type === "handoff") { emit("handoff", ev); startPolling(); }
        else if (type === "done") { if (ev.message_id) lastId = Math.max(lastId, ev.message_id); emit("message", ev); }
      }
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) { if (buf.trim()) handle(buf); return; }
          buf += dec.decode(r.value, { stream: true });
          var i;
          while ((i = buf.indexOf("\n\n")) >= 0) { handle(buf.slice(0, i)); buf = buf.slice(i + 2); }
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      if (!e || !e.shown) bubble("assistant err", problem(e));
    }).then(function () { busy = false; poll(true); });
  }
  root.querySelector(".foot").addEventListener("submit", function (e) { e.preventDefault(); var v = input.value.trim(); input.value = ""; send(v); });
  root.querySelector(".person").addEventListener("click", function () {
    start().then(function () { return api("POST", "/v1/conversations/" + saved.conversation + "/handoff", {}); })
      .then(function (r) {
        r.events.forEach(function (e) { if (e.type === "text_delta") bubble("assistant", e.text); if (e.type === "handoff") emit("handoff", e); });
        startPolling();
      }).catch(function (e) { if (!e || !e.shown) bubble("assistant err", problem(e)); });
  });
  function open() { panel.classList.add("open"); saved.open = true; persist(); start().catch(function () {}); input.focus(); }
  function close() { panel.classList.remove("open"); saved.open = false; persist(); }
  root.querySelector(".launcher").addEventListener("click", function () { panel.classList.contains("open") ? close() : open(); });
  root.querySelector(".close").addEventListener("click", close);

  function mount() { document.body.appendChild(host); if (saved.open) open(); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
  window.ShopAssist = {
    _loaded: true, open: open, close: close,
    identify: function (userId, userHash) {
      identity = { userId: String(userId), userHash: String(userHash) };
      saved.conversation = null; ready = null; lastId = 0; log.innerHTML = ""; persist();
      if (panel.classList.contains("open")) start().catch(function () {});
    },
    on: function (name, fn) { (handlers[name] = handlers[name] || []).push(fn); }
  };
})();
