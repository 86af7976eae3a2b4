"""The human-readable report of `shopassist bench load` (the `--json` output is the summary dict itself)."""

from __future__ import annotations

from typing import Any

TARGET_TURNS_PER_S = 30.0
TARGET_P95_CARD_MS = 300.0


def _fmt(value: Any, unit: str = "") -> str:
    return "-" if value is None else f"{value:g}{unit}"


def print_report(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"bench load: {r['concurrency']} shoppers, llm={r['llm']}, {r['workers']} worker(s), "
                        f"think {r['think_ms']:g} ms, {r.get('database', 'sqlite')} + {r.get('vectors', '')}")
    for col in ("", "p50", "p95", "p99"):
        table.add_column(col, justify="left" if not col else "right")
    for label, key in (("first product card (ms)", "first_card_ms"), ("first text (ms)", "first_text_ms")):
        table.add_row(label, *(_fmt(r[f"{p}_{key}"]) for p in ("p50", "p95", "p99")))
    table.add_row("whole turn (ms)", _fmt(r["p50_turn_ms"]), _fmt(r["p95_turn_ms"]), "")
    console.print(table)
    console.print(
        f"{r['turns_ok']}/{r['turns']} turns + {r['cart_adds']} cart adds in {r['elapsed_s']} s: "
        f"[bold]{r['turns_per_s']} turns/s[/] (target >= {TARGET_TURNS_PER_S:g} with the fake LLM), "
        f"p95 first card {_fmt(r['p95_first_card_ms'])} ms (target <= {TARGET_P95_CARD_MS:g})")
    console.print(
        f"errors {r['errors']} ({r['error_rate']:.2%}) {r['error_kinds'] or ''}, cards after text "
        f"{r['cards_after_text']}, turns per shopper {r['shopper_turns_min']}..{r['shopper_turns_max']}, "
        f"starved {r['shoppers_starved']}, mean turn per shopper {_fmt(r['shopper_mean_turn_ms_min'])}.."
        f"{_fmt(r['shopper_mean_turn_ms_max'])} ms")
    console.print(
        f"server CPU {r['server_cpu_ms_per_request']} ms/request, client CPU {r['client_cpu_ms_per_request']} "
        f"ms/request; server RSS {r['rss_mb_start']} -> {r['rss_mb_end']} MB (startup {r['startup_s']} s)"
        + "".join(f", {k[7:]} {v} MB" for k, v in r.items() if k.startswith("rss_mb_") and k[7:] not in
                  ("start", "end")))
    console.print(f"load average {r.get('loadavg_start')} -> {r.get('loadavg_end')} on {r.get('cpu_count')} cores; "
                  f"requests per worker {r.get('requests_per_worker')}")
    if "acknowledged" in r:
        a = r["acknowledged"]
        console.print(f"acknowledged {a['acknowledged_turns']} turns and {a['acknowledged_cart_adds']} cart adds; "
                      f"missing from the database: {a['lost_messages']} messages, {a['lost_answers']} answers, "
                      f"{a['lost_cart_lines']} cart lines")
    if "restart" in r:
        console.print(f"worker restart: {r['restart']}")
    if "sweep" in r:
        console.print("sweep: " + ", ".join(f"{row['concurrency']}: {_fmt(row['p95_first_card_ms'])} ms "
                                            f"({row['turns_per_s']}/s)" for row in r["sweep"]))
        at = r["p95_over_1s_at"]
        console.print(f"p95 to first card passes 1 s at {at} shoppers" if at else
                      "p95 to first card stayed under 1 s over the whole sweep")
    if "soak" in r:
        s = r["soak"]
        console.print(
            f"soak {s['elapsed_s']} s: {s['turns_ok']} turns, {s['errors']} errors, RSS {s.get('rss_baseline_mb')} "
            f"-> {s.get('rss_soak_end_mb')} MB ({s.get('rss_change_pct')} %, slope {s.get('rss_slope_mb_per_min')} "
            f"MB/min): {'flat' if s.get('rss_flat') else 'NOT flat'}")
