"""Benchmark: customer search on a big tenant, per kind of query a rep types on a call.

A fresh SQLite file gets ``--customers`` synthetic customers (seeded): Portuguese, Spanish and Swedish first
names with accents, one or two surnames drawn from common real ones and a long tail of rare synthetic ones, an
email and a phone per customer (stored as identities, as ingestion stores them) and a company for 30 %. Then
``SqlStore.search_customers`` (the path of ``GET /customers?q=`` and ``configurator customers search``) answers,
for a sample of customers, the queries a rep would type: the full name, the name without accents in capitals,
the first name alone, the name with a misspelt surname, the email in capitals and its first 8 characters, the
phone in two other formats, the id and its prefix, and the company. Reported: the first search (it builds the
tenant's in-memory name index), then p50 / p95 per kind and overall, and how often the customer asked for is
the first hit where one customer is meant (full name, misspelt name, email, phone, id).

Prints a table and updates the "Customer search" section of docs/benchmarks.md. Target: p95 < 100 ms overall.

Quick mode (``BENCH_QUICK=1``): 20,000 customers and the doc is left alone unless ``--doc``.

Run: ``.venv/bin/python benchmarks/customer_search.py [--customers 100000] [--sample 60] [--seed 7]
[--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from sqlalchemy import text

from _docs import add_doc_options, machine, pick, publish
from configurator.storage import SqlStore, make_engine, upgrade
from configurator.storage.search import clear_name_indexes

SECTION = "## Customer search"


def words(text: str) -> list[str]:
    """The words of a text (the name lists below are written as prose)."""
    return text.split()


TENANT = "shop"
TARGET_MS = 100.0
FIRST = words(
    "Inês Ana João José Maria Miguel Sofia Beatriz Tiago Rui Pedro Carla Lúcia Márcio Gonçalo Raquel Sérgio "
    "Andreia Íris Björn Åsa Lars Karin Sven Álvaro Lucía Nuño Begoña Jesús Óscar Helena Mário Paulo Luís "
    "Catarina Filipa Mariana Leonor Matilde Diogo Rodrigo Duarte Tomás Afonso Martim Francisco Ângela "
    "Conceição Fátima Rosário Céu Zé Kristín Ólafur Søren Mette Jörg Günther Françoise Hélène Zoë"
)
REAL = words(
    "Carvalho Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa Fernandes Gonçalves "
    "Gomes Lopes Marques Alves Almeida Ribeiro Pinto Magalhães Simões Conceição Araújo Núñez García López "
    "Sánchez Jiménez Muñoz Lindqvist Ström Åberg Öberg Nyström Söderberg"
)
SYLLABLES = words(
    "ba be bi bo bu ca ce co cu da de do du fa fe fi fo ga go gu la le li lo lu ma me mi mo mu na ne no nu pa "
    "pe po ra re ri ro ru sa se si so ta te ti to va ve vi vo za zo lh nh ção ães ões"
)
EXACT_KINDS = ("name exact", "misspelt", "email", "phone", "id")
"""Kinds where one customer is meant: the first hit should be them (names may be shared by several)."""


def plain(value: str) -> str:
    """Without accents (what a rep types on a keyboard without them)."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def build(path: Path, n: int, rng: random.Random) -> tuple[SqlStore, list[dict[str, Any]]]:
    """A tenant of ``n`` synthetic customers with their email and phone identities."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    rare = sorted(
        {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(8000)}
    )
    surnames = REAL * 40 + rare
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    customers: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    for i in range(n):
        first, one, two = rng.choice(FIRST), rng.choice(surnames), rng.choice(surnames)
        name = f"{first} {one} {two}" if rng.random() < 0.6 else f"{first} {one}"
        email = plain(f"{first}.{one}{i}@example.pt").lower()
        phone = f"+3519{(i * 7919 + 12345) % 10**8:08d}"
        company = (
            f"{rng.choice(surnames)} {rng.choice(['Lda', 'SA', 'AB', 'SL'])}" if rng.random() < 0.3 else None
        )
        customer_id = f"c{i:06d}"
        customers.append(
            {
                "tenant": TENANT,
                "customer_id": customer_id,
                "origin": "external",
                "name": name,
                "email": email,
                "phone": phone,
                "extra": json.dumps({"company": company} if company else {}),
                "created_at": at,
            }
        )
        for kind, value in (("email", email), ("phone", phone)):
            identities.append(
                {"tenant": TENANT, "kind": kind, "value": value, "customer_id": customer_id, "created_at": at}
            )
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into customers (tenant, customer_id, origin, name, email, phone, extra, created_at) "
                "values (:tenant, :customer_id, :origin, :name, :email, :phone, :extra, :created_at)"
            ),
            customers,
        )
        connection.execute(
            text(
                "insert into identities (tenant, kind, value, customer_id, created_at) "
                "values (:tenant, :kind, :value, :customer_id, :created_at)"
            ),
            identities,
        )
    return SqlStore(engine, TENANT), customers


def misspell(word: str, rng: random.Random) -> str:
    """One letter dropped or replaced."""
    k = rng.randrange(1, len(word))
    return (
        word[:k] + word[k + 1 :] if rng.random() < 0.5 else word[:k] + rng.choice("aeiourst") + word[k + 1 :]
    )


def queries(customers: list[dict[str, Any]], sample: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, query, customer id meant) for a sample of customers."""
    found: list[tuple[str, str, str]] = []
    for c in rng.sample(customers, sample):
        name, email, phone, cid = c["name"], c["email"], c["phone"], c["customer_id"]
        first, *rest = name.split()
        found += [
            ("name exact", name, cid),
            ("name folded", plain(name).upper(), cid),
            ("first name", plain(first).lower(), cid),
            ("misspelt", " ".join([first, misspell(rest[0], rng), *rest[1:]]), cid),
            ("email", email.upper(), cid),
            ("email prefix", email[:8], cid),
            ("phone", "00" + phone[1:], cid),
            ("phone", f"{phone[4:7]} {phone[7:10]} {phone[10:]}", cid),
            ("id", cid, cid),
            ("id prefix", cid[:5], cid),
        ]
        company = json.loads(c["extra"]).get("company")
        if company:
            found.append(("company", company.lower(), cid))
    return found


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    """Build the tenant, time the queries, print the table and update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=pick(100_000, 20_000))
    parser.add_argument("--sample", type=int, default=pick(60, 20))
    parser.add_argument("--seed", type=int, default=7)
    add_doc_options(parser)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        store, customers = build(Path(folder) / "search.db", args.customers, rng)
        built = time.perf_counter() - started
        clear_name_indexes()
        started = time.perf_counter()
        store.search_customers("warm up")
        first = (time.perf_counter() - started) * 1e3
        times: dict[str, list[float]] = {}
        top: dict[str, list[bool]] = {}
        for kind, query, meant in queries(customers, args.sample, rng):
            started = time.perf_counter()
            hits = store.search_customers(query)
            times.setdefault(kind, []).append((time.perf_counter() - started) * 1e3)
            top.setdefault(kind, []).append(bool(hits) and hits[0].customer_id == meant)
    every = [t for ts in times.values() for t in ts]
    rows = [
        f"| {kind} | {len(ts)} | {pct(ts, 0.5):.1f} | {pct(ts, 0.95):.1f} | "
        + (f"{100 * sum(top[kind]) / len(top[kind]):.0f} %" if kind in EXACT_KINDS else "—")
        + " |"
        for kind, ts in times.items()
    ]
    p95 = pct(every, 0.95)
    lines = [
        SECTION,
        "",
        f"`benchmarks/customer_search.py --customers {args.customers} --sample {args.sample} --seed {args.seed}` "
        f"on {machine()}: a SQLite file of {args.customers:,} synthetic customers (built in {built:.0f} s), "
        "searched through `SqlStore.search_customers` (the path of `GET /customers?q=`). The first search builds "
        f"the tenant's in-memory name index: {first:,.0f} ms. *first hit*: how often the customer meant is the "
        "first hit, where one customer is meant (two customers may share a name).",
        "",
        "| query kind | queries | p50 ms | p95 ms | first hit |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
        f"| all | {len(every)} | {pct(every, 0.5):.1f} | {p95:.1f} | — |",
        "",
        f"- p95 {p95:.1f} ms over every query: target (< {TARGET_MS:.0f} ms) {'met' if p95 < TARGET_MS else 'NOT met'}.",
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
