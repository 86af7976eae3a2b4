/* The console's Insights tab (admins only): charts drawn by Plotly (served from /console/plotly.min.js,
   the copy the plotly package ships, so no CDN), tables for the lists. Data: /console/api/insights. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; };
  const pct = (x) => x == null ? "–" : (100 * x).toFixed(1) + " %";
  const ci = (iv) => iv ? pct(iv.value) + " [" + pct(iv.low) + ", " + pct(iv.high) + "]" : "–";
  const diff = (iv) => iv ? ((iv.value >= 0 ? "+" : "") + (100 * iv.value).toFixed(2) + " pts [" +
    (100 * iv.low).toFixed(2) + ", " + (100 * iv.high).toFixed(2) + "]") : "control";
  const LAYOUT = { margin: { t: 36, r: 10, b: 40, l: 48 }, height: 260, legend: { orientation: "h" } };
  let plotly = null, days = 30;

  function loadPlotly() {
    if (plotly) return plotly;
    plotly = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = "/console/plotly.min.js"; s.onload = () => resolve(window.Plotly); s.onerror = reject;
      document.head.appendChild(s);
    });
    return plotly;
  }
  function chart(P, id, traces, title, extra) {
    P.newPlot(id, traces, Object.assign({}, LAYOUT, { title: { text: title, font: { size: 13 } } }, extra || {}),
              { displaylogo: false, responsive: true });
  }
  function table(head, rows) {
    return "<table class='ins'><tr>" + head.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" +
      rows.map((r) => "<tr>" + r.map((c) => "<td>" + c + "</td>").join("") + "</tr>").join("") + "</table>";
  }
  function skeleton() {
    return "<div class='ins-bar'>Period: " + [7, 30, 90].map((d) =>
      "<button data-days='" + d + "'" + (d === days ? " class='on'" : "") + ">" + d + " days</button>").join("") +
      " <span id='ins-status'></span></div>" +
      "<div class='ins-grid'>" +
      ["ins-days", "ins-scenes", "ins-languages", "ins-pos", "ins-variant", "ins-scene-funnel", "ins-latency",
       "ins-fallbacks", "ins-handoffs", "ins-exp"].map((id) => "<div class='ins-chart' id='" + id + "'></div>").join("") +
      "</div><h3>Experiments</h3><div id='ins-exp-table'></div>" +
      "<h3>Questions the assistant could not answer</h3><div id='ins-unanswered'></div>" +
      "<h3>Handoffs</h3><div id='ins-handoff-table'></div>" +
      "<h3>Model health</h3><div id='ins-model-table'></div>" +
      "<h3>Ranker retraining</h3><div id='ins-ranker'></div>";
  }
  function funnelTraces(groups, keys) {
    const rate = (k, a) => keys.map((g) => groups[g].shown ? groups[g][a] / groups[g].shown : 0);
    return [{ type: "bar", name: "click-through", x: keys, y: rate(keys, "click") },
            { type: "bar", name: "add to cart", x: keys, y: rate(keys, "add_to_cart") }];
  }
  async function draw(data) {
    const P = await loadPlotly();
    const a = data.activity;
    chart(P, "ins-days", [
      { type: "bar", name: "turns", x: a.days.map((d) => d.day), y: a.days.map((d) => d.turns) },
      { type: "scatter", mode: "lines+markers", name: "conversations", x: a.days.map((d) => d.day),
        y: a.days.map((d) => d.conversations) }], "Conversations and turns per day");
    chart(P, "ins-scenes", [{ type: "pie", labels: Object.keys(a.scenes), values: Object.values(a.scenes), hole: 0.4 }],
          "Scene mix");
    chart(P, "ins-languages", [{ type: "pie", labels: Object.keys(a.languages), values: Object.values(a.languages) }],
          "Languages");
    const f = data.funnel;
    chart(P, "ins-pos", funnelTraces(f.position, Object.keys(f.position)), "Funnel by position (per card shown)",
          { barmode: "group", yaxis: { tickformat: ".0%" }, xaxis: { title: { text: "position" } } });
    chart(P, "ins-variant", funnelTraces(f.variant, Object.keys(f.variant)), "Funnel by ranker variant",
          { barmode: "group", yaxis: { tickformat: ".0%" } });
    chart(P, "ins-scene-funnel", funnelTraces(f.scene, Object.keys(f.scene)), "Funnel by scene",
          { barmode: "group", yaxis: { tickformat: ".0%" } });
    const m = data.model;
    chart(P, "ins-latency", [
      { type: "bar", name: "p50", x: ["first card", "first token"], y: [m.first_card_ms.p50, m.first_token_ms.p50] },
      { type: "bar", name: "p95", x: ["first card", "first token"], y: [m.first_card_ms.p95, m.first_token_ms.p95] }],
      "Time to first card / token (ms)", { barmode: "group" });
    chart(P, "ins-fallbacks", [
      { type: "bar", name: "template fallbacks", x: m.days.map((d) => d.day), y: m.days.map((d) => d.template_fallbacks) },
      { type: "bar", name: "grounding removals", x: m.days.map((d) => d.day), y: m.days.map((d) => d.removed_sentences) }],
      "Template fallbacks and grounding removals per day", { barmode: "group" });
    const h = data.handoffs;
    chart(P, "ins-handoffs", [{ type: "bar", x: Object.keys(h.by_kind), y: Object.values(h.by_kind) }], "Handoffs by reason");
    const exps = data.experiments.experiments;
    const traces = [];
    exps.forEach((e) => {
      traces.push({ type: "bar", name: e.name + " click-through", x: e.arms.map((r) => e.name + ": " + r.arm),
        y: e.arms.map((r) => r.ctr.value),
        error_y: { type: "data", symmetric: false, array: e.arms.map((r) => r.ctr.high - r.ctr.value),
                   arrayminus: e.arms.map((r) => r.ctr.value - r.ctr.low) } });
      traces.push({ type: "bar", name: e.name + " add to cart", x: e.arms.map((r) => e.name + ": " + r.arm),
        y: e.arms.map((r) => r.atc.value),
        error_y: { type: "data", symmetric: false, array: e.arms.map((r) => r.atc.high - r.atc.value),
                   arrayminus: e.arms.map((r) => r.atc.value - r.atc.low) } });
    });
    chart(P, "ins-exp", traces, exps.length ? "Experiments (95 % intervals, clustered by shopper)" :
          "Experiments: none running", { barmode: "group", yaxis: { tickformat: ".0%" } });
  }
  function tables(data) {
    const ex = data.experiments;
    const rows = [];
    ex.experiments.forEach((e) => e.arms.forEach((r) => rows.push([
      esc(e.name), esc(r.arm) + (r.arm === e.control ? " (control)" : ""), r.shoppers, ci(r.ctr), ci(r.atc),
      diff(r.ctr_vs_control), diff(r.atc_vs_control),
      r.arm === e.control ? "" : (r.significant ? "<b>significant</b>" : "not significant")])));
    ex.holdout.forEach((r) => rows.push(["holdout (" + pct(ex.holdout_share) + ")", esc(r.arm), r.shoppers, ci(r.ctr),
      ci(r.atc), diff(r.ctr_vs_control), diff(r.atc_vs_control), r.arm === "in" ? "" : (r.significant ? "<b>significant</b>" : "not significant")]));
    $("ins-exp-table").innerHTML = rows.length ? table(["experiment", "arm", "shoppers", "click-through",
      "add to cart", "Δ click-through", "Δ add to cart", "vs control"], rows) : "<p>No experiment is running.</p>";
    const u = data.unanswered;
    $("ins-unanswered").innerHTML = "<p>" + Object.entries(u.totals).map(([k, n]) => esc(k) + ": " + n).join(" · ") + "</p>" +
      (u.groups.length ? table(["why", "question", "times", "conversations"], u.groups.map((g) => [esc(g.kind),
        esc(g.query), g.count, g.conversations.map((c) => "<a href='#' class='ins-open' data-id='" + esc(c) + "'>" +
        esc(c.slice(0, 8)) + "</a>").join(" ")])) : "<p>Nothing unanswered in this period.</p>");
    const h = data.handoffs;
    $("ins-handoff-table").innerHTML = table(["handoffs", "pick-up p50", "pick-up p95", "picked up", "resolved"],
      [[h.count, h.pickup_p50_s == null ? "–" : h.pickup_p50_s + " s", h.pickup_p95_s == null ? "–" : h.pickup_p95_s + " s",
        pct(h.picked_up_share), pct(h.resolved_share)]]);
    const m = data.model;
    $("ins-model-table").innerHTML = table(["", "p50", "p95", "turns"], [
      ["first card", m.first_card_ms.p50 + " ms", m.first_card_ms.p95 + " ms", m.first_card_ms.n],
      ["first token", m.first_token_ms.p50 + " ms", m.first_token_ms.p95 + " ms", m.first_token_ms.n]]) +
      "<p>Model sentences " + m.model_sentences + " · template fallbacks " + m.template_fallbacks +
      " · sentences removed by the grounding check " + m.removed_sentences + "</p>";
    $("ins-ranker").innerHTML = data.ranker.length ? table(["when", "candidate", "served before", "decision", "why"],
      data.ranker.map((r) => [esc(new Date(r.ts * 1000).toISOString().slice(0, 16).replace("T", " ")), esc(r.candidate),
        esc(r.current), r.promoted ? "<b>promoted</b>" : "kept the served model", esc(r.reason)])) :
      "<p>No retrain yet (<code>shopassist train ranker --from-events</code>).</p>";
    document.querySelectorAll(".ins-open").forEach((a) => a.onclick = (e) => {
      e.preventDefault(); window.ShopAssistInsights.show(false); window.openConvo(a.dataset.id);
    });
  }
  async function load() {
    $("ins-status").textContent = "loading…";
    const r = await fetch("/console/api/insights?days=" + days);
    const data = await r.json();
    if (!r.ok) { $("ins-status").textContent = (data.error && data.error.message) || r.statusText; return; }
    tables(data);
    await draw(data);
    $("ins-status").textContent = "updated " + new Date().toLocaleTimeString();
    $("insights").dataset.ready = "1";
  }
  function show(on) {
    $("insights").hidden = !on;
    $("app").style.display = on ? "none" : "grid";
    $("view-insights").classList.toggle("on", on);
    $("view-queue").classList.toggle("on", !on);
    if (on) {
      $("insights").innerHTML = skeleton();
      document.querySelectorAll(".ins-bar button").forEach((b) => b.onclick = () => { days = +b.dataset.days; show(true); });
      load().catch((e) => { $("ins-status").textContent = String(e); });
    }
  }
  window.ShopAssistInsights = {
    init(me) {
      $("view-insights").hidden = !me.is_admin;  // the API refuses others too (403)
      $("view-queue").onclick = () => show(false);
      $("view-insights").onclick = () => show(true);
    },
    show,
  };
})();
