"""`shopassist init`: write a store's profile (shopassist.toml) with fresh random site keys.

    shopassist init                                   # asks for what it needs
    shopassist init --name "Acme Outdoor" --currency USD --locale en_US --catalog-file products_export.csv \
        --policies policies --promotions promotions.toml --orders https://acme.example/api --origin https://acme.example

Registered by ui/cli/app.py like the other command modules (`register(app, bench, train)`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.store_profile import NewProfile, slug, write_profile
from retrieval.money import Money, MoneyError, check_currency


def suggested_locale(currency: str) -> str:
    """The usual locale of a currency's home country (SEK -> sv_SE, USD -> en_US), else en_US."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(f"und_{currency[:2]}"))
    except (UnknownLocaleError, ValueError):
        return "en_US"


def init_cmd(
    name: Annotated[str | None, typer.Option(help="the store's name, as the assistant says it")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code of the catalog's prices: USD, EUR, SEK...")]
    = None,
    locale: Annotated[str | None, typer.Option(help="how amounts are written: en_US ($24.99), sv_SE (1 349 kr)")]
    = None,
    language: Annotated[list[str] | None, typer.Option("--language", help="a language the assistant answers in "
                                                       "(repeatable; en, zh)")] = None,
    catalog_file: Annotated[list[str] | None, typer.Option("--catalog-file", help="a catalog export "
                                                           "(Shopify CSV...), repeatable")] = None,
    policies: Annotated[str | None, typer.Option(help="folder of Markdown policy files (## 1.1 Title sections)")]
    = None,
    promotions: Annotated[str | None, typer.Option(help="TOML file of coupons ([[coupon]] tables)")] = None,
    orders: Annotated[str | None, typer.Option(help="order source: a .json file, an SQLAlchemy URL or the "
                                               "base URL of the store's order API")] = None,
    origin: Annotated[list[str] | None, typer.Option("--origin", help="a page origin allowed to embed the widget, "
                                                     "e.g. https://shop.example (repeatable)")] = None,
    output: Annotated[Path, typer.Option(help="where to write the profile")] = Path("shopassist.toml"),
    force: Annotated[bool, typer.Option("--force", help="replace an existing profile (its keys stop working)")]
    = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="ask nothing: flags and defaults only")] = False,
) -> None:
    """Write this store's profile (shopassist.toml): name, currency, locale, languages, catalog exports, policies,
    promotions, order source, and freshly generated random site keys for the widget and server calls."""
    ask = not yes and sys.stdin.isatty()

    def value(current: str | None, prompt: str, default: str) -> str:
        if current is not None:
            return current
        return str(typer.prompt(prompt, default=default)) if ask else default

    if name is None and not ask:
        _fail("--name is required without a terminal to ask on (or run `shopassist init` interactively)")
    name = value(name, "Store name", "")
    try:
        currency = check_currency(value(currency, "Currency of the prices (ISO code)", "USD"))
        locale = value(locale, "Locale for amounts", suggested_locale(currency))
        languages = language or [s.strip() for s in value(None, "Languages (comma-separated)", "en").split(",")]
        files = catalog_file if catalog_file is not None else [
            f for f in [value(None, "Catalog export file (empty: later)", "")] if f]
        profile = NewProfile(
            name=name, currency=currency, locale=locale, languages=languages, catalog_files=files,
            policies=value(policies, "Policies folder (empty: none)", ""),
            promotions=value(promotions, "Promotions file (empty: no coupons)", ""),
            orders=value(orders, "Order source: JSON file, SQL URL or API URL (empty: none)", ""),
            origins=origin if origin is not None else [
                o for o in [value(None, "Store page origin allowed to embed the widget (empty: later)", "")] if o],
        )
        settings = write_profile(profile, output, overwrite=force)
    except (MoneyError, ValueError, FileExistsError) as exc:
        _fail(str(exc))
        return
    pk = profile.keys[0]
    money = Money(settings.store.currency, settings.store.locale)
    typer.echo(f"wrote {output.resolve()} (mode 600: it holds the secret keys)")
    typer.echo(f"store {settings.store.name}: prices like {money(1349)} and {money(24.99)}; "
               f"catalog index {settings.retrieval.catalog!r}")
    typer.echo(f'widget: <script src="https://YOUR-ASSISTANT-HOST/widget.js" data-site-key="{pk}" async></script>')
    store = settings.store
    for what, where in (("policies folder", store.policies), ("promotions file", store.promotions),
                        ("orders file", store.orders.path), *(("catalog export", f) for f in store.catalog_files)):
        if where and not Path(where).exists():
            typer.echo(f"note:   the {what} {where} does not exist yet (put it there before the assistant starts)")
    first = profile.catalog_files[0] if profile.catalog_files else "products_export.csv"
    typer.echo(f"next:   shopassist index --file {first} --catalog {settings.retrieval.catalog or slug(name)}")
    typer.echo("then:   bash scripts/run.sh   (or shopassist serve)")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)
