"""The body of `shopassist bench dialogues` (ui/commands.py only parses the options and calls `main`)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from evaluation.dialogues.bench import DialogueResult, run_dialogues
from evaluation.dialogues.report import failures, summary, transcripts
from evaluation.dialogues.schema import DEFAULT_DATA, Dialogue, load_dialogues
from retrieval.errors import UserError


@dataclass(frozen=True)
class Options:
    data: Path = DEFAULT_DATA
    json_out: bool = False
    llm: str = "fake"  # fake | embedded (in process); with `api` the server decides
    api: str | None = None
    site_key: str = "pk_demo"
    hmac_secret: str = "demo-secret"
    split: str = "all"  # dev | test | all
    categories: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    limit: int | None = None
    verbose: bool = False
    report: Path | None = None


class BenchError(UserError):
    """A problem the user can fix (bad data file, unknown option value, API unreachable)."""


def select(dialogues: list[Dialogue], opts: Options) -> list[Dialogue]:
    out = [d for d in dialogues if opts.split in ("all", d.split)]
    if opts.categories:
        out = [d for d in out if d.category in opts.categories]
    if opts.ids:
        out = [d for d in out if d.id in opts.ids]
    return out[: opts.limit] if opts.limit else out


def run(opts: Options) -> tuple[dict[str, Any], list[DialogueResult]]:
    if opts.llm not in ("fake", "embedded"):
        raise BenchError(f"unknown --llm {opts.llm!r}: use fake or embedded")
    if opts.split not in ("dev", "test", "all"):
        raise BenchError(f"unknown --split {opts.split!r}: use dev, test or all")
    try:
        dialogues = select(load_dialogues(opts.data), opts)
    except (OSError, ValueError) as exc:
        raise BenchError(str(exc).splitlines()[0]) from exc
    if not dialogues:
        raise BenchError("no dialogue matches the selection")
    from retrieval.ingest import load_demo_catalog

    catalog = {p.id: p for p in load_demo_catalog()}
    player: Any
    if opts.api:
        from evaluation.dialogues.runner_api import ApiPlayer

        player = ApiPlayer(opts.api, site_key=opts.site_key, hmac_secret=opts.hmac_secret)
        try:
            model_state = player.wait_for_model()
        except httpx.HTTPError as exc:
            raise BenchError(f"the API at {opts.api} did not answer: {exc}") from exc
    else:
        from assistant.settings import config_path, load_settings
        from assistant.store_profile import demo_settings
        from evaluation.dialogues.runner_local import LocalPlayer

        # the bundled dialogues are the demo store's; other dialogues play on the configured store, if any
        cfg = load_settings() if opts.data != DEFAULT_DATA and config_path() is not None else demo_settings()
        try:
            player = LocalPlayer.build(cfg.ensure_data_dir(), opts.llm, cfg, opts.site_key)
        except RuntimeError as exc:
            raise BenchError(str(exc)) from exc
        model_state = player.model_state()

    def progress(r: DialogueResult) -> None:
        if not opts.json_out:
            print(f"{'PASS' if r.passed else 'fail'} {r.dialogue.id}", file=sys.stderr)

    try:
        results = run_dialogues(dialogues, player.play, catalog, progress)
    except httpx.HTTPError as exc:
        raise BenchError(f"the API at {opts.api} did not answer: {exc}") from exc
    finally:
        player.close()
    meta = {"mode": "api" if opts.api else "in_process", "llm": "server" if opts.api else opts.llm,
            "model_state": model_state, "data": str(opts.data), "split": opts.split}
    return summary(results, **meta), results


def main(opts: Options) -> None:
    """Run, print one JSON object (`--json`) or a table, and write the report file when asked."""
    numbers, results = run(opts)
    failed = failures(results)
    if opts.report is not None:
        opts.report.parent.mkdir(parents=True, exist_ok=True)
        opts.report.write_text(json.dumps({"summary": numbers, "failures": failed,
                                           "transcripts": transcripts(results)}, ensure_ascii=False, indent=1),
                               encoding="utf-8")
    if opts.json_out:
        print(json.dumps({**numbers, "failures": failed} if opts.verbose else numbers, ensure_ascii=False))
        return
    _print_table(numbers)
    if opts.verbose:
        for f in failed:
            print(f"FAIL {f['dialogue']} turn {f['turn']} [{f['check']}] {f['message']!r}\n"
                  f"     expected: {f['expected']}\n     got:      {f['got']}")


def _print_table(numbers: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    def pct(v: float | None) -> str:
        return "-" if v is None else f"{v:.1%}"

    table = Table(title=f"bench dialogues ({numbers['n']} dialogues, {numbers['turns']} turns, "
                        f"{numbers['mode']}, llm={numbers['llm']})")
    for col in ("group", "dialogues", "fully right", "checks right"):
        table.add_column(col, justify="left" if col == "group" else "right")
    table.add_row("all", str(numbers["n"]), pct(numbers["pass_rate"]), pct(numbers["check_pass_rate"]))
    for section in ("per_language", "per_split", "per_category"):
        for name, row in numbers[section].items():
            table.add_row(f"{section[4:]}: {name}", str(row["n"]), pct(row["pass_rate"]), pct(row["check_pass_rate"]))
    console = Console()
    console.print(table)
    console.print(f"first card p50 {numbers['p50_first_card_ms']} ms, p95 {numbers['p95_first_card_ms']} ms; "
                  f"turn p95 {numbers['p95_turn_ms']} ms; harness errors {numbers['harness_errors']}")
