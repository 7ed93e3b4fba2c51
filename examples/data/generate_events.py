"""Write ``examples/data/events.jsonl``: a seeded, realistic multi-channel event sample for the demo.

About three dozen customers over two years (2024-11-25 to 2026-11-20) across web, sales_rep, email, phone and
store: views and configurations, quotes, purchases with lines, amounts and margins, returns, support tickets
with their cost to serve, referrals, reviews, stated needs and feedback. On purpose, the file also holds:

- an anonymous web visitor (``anon-7f3a9c``) who browses, then logs in as ``c-1021`` and buys;
- a store walk-in known only by phone, whose generated profile merges when a rep records that phone on
  ``c-1030``; two profiles of the same person under different ids (``c-1012``, ``c-1033``) that only fuzzy
  matching suggests;
- a customer (``c-1017``) who objects to profiling, and marketing opt-ins;
- a few events sent twice (same event id) and a few invalid ones (naive timestamp, rating 7, unknown type,
  missing channel, bad email, purchase without margin); timestamps slightly out of order.

Run: ``python examples/data/generate_events.py`` (writes next to itself; same seed, same file).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "events.jsonl"
START = dt.datetime(2024, 11, 25, 9, 0, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC)

# (catalog, list price, margin rate, typical services (item, price, margin))
PRODUCTS: dict[str, tuple[float, float, list[tuple[str, float, float]]]] = {
    "ebike-urban": (4290.0, 0.27, [("bike_fit", 80.0, 55.0), ("first_inspection", 59.0, 35.0)]),
    "kitchen-modular": (
        11800.0,
        0.34,
        [("design_consultation", 190.0, 120.0), ("warranty_10y", 390.0, 300.0)],
    ),
    "laptop-pro14": (1690.0, 0.14, [("image_preload", 25.0, 20.0), ("admin_training", 450.0, 260.0)]),
    "valve-pn5": (164.0, 0.41, [("commissioning_support", 690.0, 380.0), ("spare_kit", 39.0, 22.0)]),
}
CONFIGS: dict[str, list[dict[str, Any]]] = {
    "ebike-urban": [
        {"frame": "alu_lowstep", "size": "m", "motor": "bosch_cx", "battery": "powertube_625"},
        {"frame": "alu_diamond", "size": "l", "motor": "bosch_performance", "battery": "powertube_500"},
        {"frame": "carbon_diamond", "size": "m", "motor": "bosch_cx", "battery": "powertube_800"},
    ],
    "kitchen-modular": [
        {"line": "premium", "base_units": {"drawer_600": 2, "base_600": 2}, "worktop": "quartz"},
        {"line": "essential", "base_units": {"base_600": 3}, "worktop": "laminate"},
        {"line": "signature", "base_units": {"drawer_800": 3}, "worktop": "ceramic", "fronts": "oak_veneer"},
    ],
    "laptop-pro14": [
        {"chassis": "alu_arctic_grey", "cpu": "core_ultra_7_265u", "ram": "ddr5_32", "storage": "ssd_1t"},
        {"chassis": "mg_storm_grey", "cpu": "core_ultra_5_235u", "ram": "ddr5_16", "storage": "ssd_512"},
    ],
    "valve-pn5": [
        {"medium": "dry_air", "body": "f52", "size": "s14", "actuation": "sol_spring", "seals": "nbr"},
        {"medium": "nitrogen", "body": "f53_cc", "size": "s18", "actuation": "sol_double", "seals": "fkm"},
    ],
}
NEEDS = [
    ("budget", 5000),
    ("attribute:weight_g", "light"),
    ("option:frame.alu_lowstep", True),
    ("delivery_weeks", 4),
    ("attribute:capacity_wh", "long range"),
    ("finish", "matt"),
    ("service:fleet_advisory", True),
]
TOPICS = [
    "delivery delay",
    "battery range",
    "installation question",
    "invoice copy",
    "warranty claim",
    "setup",
]


@dataclass
class Person:
    """One customer of the sample, with the persona that drives what they do."""

    customer_id: str
    persona: str
    name: str
    email: str
    phone: str
    address: str
    country: str
    products: list[str]
    events: list[dict[str, Any]] = field(default_factory=list)


PEOPLE = [
    # most valuable
    (
        "c-1001",
        "mvc",
        "Ana Sofia Ribeiro",
        "ana.ribeiro@example.pt",
        "+351 912 345 678",
        "Rua Augusta 112, 1100-053 Lisboa",
        "PT",
        ["kitchen-modular", "ebike-urban"],
    ),
    (
        "c-1002",
        "mvc",
        "Lars Eriksson",
        "lars.eriksson@example.se",
        "+46 70 123 45 67",
        "Drottninggatan 21, 111 51 Stockholm",
        "SE",
        ["laptop-pro14"],
    ),
    (
        "c-1003",
        "mvc",
        "Martín Gómez Ruiz",
        "martin.gomez@example.es",
        "+34 612 345 678",
        "Calle de Alcalá 45, 28014 Madrid",
        "ES",
        ["valve-pn5"],
    ),
    (
        "c-1004",
        "mvc",
        "Inês Carvalho",
        "ines.carvalho@example.pt",
        "913 456 789",
        "Avenida da Boavista 1500, 4100-114 Porto",
        "PT",
        ["ebike-urban", "kitchen-modular"],
    ),
    (
        "c-1005",
        "mvc",
        "Ferraz & Filhos Lda",
        "compras@ferrazfilhos.example.pt",
        "+351 222 123 456",
        "Zona Industrial da Maia, Lote 7, 4470-122 Maia",
        "PT",
        ["valve-pn5"],
    ),
    # most growable
    (
        "c-1006",
        "mgc",
        "Sofia Lindqvist",
        "sofia.lindqvist@example.se",
        "+46 73 987 65 43",
        "Kungsgatan 8, 411 19 Göteborg",
        "SE",
        ["ebike-urban"],
    ),
    (
        "c-1007",
        "mgc",
        "Pedro Almeida",
        "pedro.almeida@example.pt",
        "914 222 333",
        "Rua de Santa Catarina 300, 4000-443 Porto",
        "PT",
        ["kitchen-modular"],
    ),
    (
        "c-1008",
        "mgc",
        "Lucía Fernández",
        "lucia.fernandez@example.es",
        "+34 655 111 222",
        "Passeig de Gràcia 70, 08008 Barcelona",
        "ES",
        ["laptop-pro14"],
    ),
    (
        "c-1009",
        "mgc",
        "Oliver Berg",
        "oliver.berg@example.se",
        "+46 76 555 12 34",
        "Storgatan 3, 903 26 Umeå",
        "SE",
        ["ebike-urban"],
    ),
    (
        "c-1010",
        "mgc",
        "TecnoAgua SL",
        "pedidos@tecnoagua.example.es",
        "+34 961 234 567",
        "Polígono Fuente del Jarro, 46988 Paterna",
        "ES",
        ["valve-pn5"],
    ),
    (
        "c-1011",
        "mgc",
        "Beatriz Santos",
        "bia.santos@example.pt",
        "+351 915 000 111",
        "Rua do Carmo 9, 3000-098 Coimbra",
        "PT",
        ["laptop-pro14"],
    ),
    # standard
    (
        "c-1012",
        "standard",
        "João Pedro Martins",
        "joao.martins@example.pt",
        "+351 916 777 888",
        "Rua Direita 45, 3810-175 Aveiro",
        "PT",
        ["ebike-urban"],
    ),
    (
        "c-1013",
        "standard",
        "Elin Johansson",
        "elin.johansson@example.se",
        "+46 70 444 55 66",
        "Vasagatan 14, 411 24 Göteborg",
        "SE",
        ["kitchen-modular"],
    ),
    (
        "c-1014",
        "standard",
        "Carlos Navarro",
        "carlos.navarro@example.es",
        "+34 677 888 999",
        "Gran Vía 28, 48001 Bilbao",
        "ES",
        ["laptop-pro14"],
    ),
    (
        "c-1015",
        "standard",
        "Marta Sousa",
        "marta.sousa@example.pt",
        "917 123 123",
        "Rua da Sé 3, 7000-650 Évora",
        "PT",
        ["ebike-urban"],
    ),
    (
        "c-1016",
        "standard",
        "Nils Holm",
        "nils.holm@example.se",
        "+46 72 321 00 99",
        "Östra Hamngatan 5, 411 10 Göteborg",
        "SE",
        ["laptop-pro14"],
    ),
    (
        "c-1017",
        "standard",
        "Raquel Torres",
        "raquel.torres@example.es",
        "+34 644 123 987",
        "Calle Mayor 12, 28013 Madrid",
        "ES",
        ["kitchen-modular"],
    ),
    (
        "c-1018",
        "standard",
        "Tiago Fonseca",
        "tiago.fonseca@example.pt",
        "+351 918 555 444",
        "Rua Miguel Bombarda 200, 4050-377 Porto",
        "PT",
        ["valve-pn5"],
    ),
    (
        "c-1019",
        "standard",
        "Karin Nyström",
        "karin.nystrom@example.se",
        "+46 70 999 88 77",
        "Sveavägen 40, 111 34 Stockholm",
        "SE",
        ["ebike-urban"],
    ),
    (
        "c-1020",
        "standard",
        "Diego Herrera",
        "diego.herrera@example.es",
        "+34 699 000 321",
        "Avenida de la Constitución 5, 41004 Sevilla",
        "ES",
        ["ebike-urban"],
    ),
    (
        "c-1021",
        "standard",
        "Rita Monteiro",
        "rita.monteiro@example.pt",
        "+351 919 876 543",
        "Rua Cândido dos Reis 77, 4050-151 Porto",
        "PT",
        ["ebike-urban"],
    ),
    (
        "c-1022",
        "standard",
        "Gustav Lund",
        "gustav.lund@example.se",
        "+46 73 111 22 33",
        "Kyrkogatan 2, 222 22 Lund",
        "SE",
        ["kitchen-modular"],
    ),
    (
        "c-1023",
        "standard",
        "Helena Vaz",
        "helena.vaz@example.pt",
        "+351 932 100 200",
        "Largo do Chafariz 1, 8000-312 Faro",
        "PT",
        ["laptop-pro14"],
    ),
    (
        "c-1024",
        "standard",
        "Alba Romero",
        "alba.romero@example.es",
        "+34 633 444 555",
        "Calle Real 90, 15003 A Coruña",
        "ES",
        ["valve-pn5"],
    ),
    (
        "c-1025",
        "standard",
        "Miguel Costa",
        "miguel.costa@example.pt",
        "+351 961 234 567",
        "Rua do Comércio 15, 1100-150 Lisboa",
        "PT",
        ["ebike-urban"],
    ),
    (
        "c-1026",
        "standard",
        "Emma Sandberg",
        "emma.sandberg@example.se",
        "+46 76 888 77 66",
        "Stora Torget 4, 753 20 Uppsala",
        "SE",
        ["laptop-pro14"],
    ),
    # below zero
    (
        "c-1027",
        "below_zero",
        "Rui Barbosa",
        "rui.barbosa@example.pt",
        "+351 926 555 777",
        "Rua 5 de Outubro 33, 2500-111 Caldas da Rainha",
        "PT",
        ["ebike-urban"],
    ),
    (
        "c-1028",
        "below_zero",
        "Javier Molina",
        "javier.molina@example.es",
        "+34 622 777 333",
        "Calle Larios 4, 29005 Málaga",
        "ES",
        ["laptop-pro14"],
    ),
    (
        "c-1029",
        "below_zero",
        "Ingrid Olsson",
        "ingrid.olsson@example.se",
        "+46 70 654 32 10",
        "Hamngatan 11, 211 22 Malmö",
        "SE",
        ["kitchen-modular"],
    ),
    (
        "c-1030",
        "below_zero",
        "Paulo Henriques",
        "paulo.henriques@example.pt",
        "+351 965 432 100",
        "Rua do Sol 8, 2400-120 Leiria",
        "PT",
        ["valve-pn5"],
    ),
    # prospects (no purchase yet)
    (
        "c-1031",
        "prospect",
        "Clara Mendes",
        "clara.mendes@example.pt",
        "+351 911 000 999",
        "Rua das Flores 50, 4050-262 Porto",
        "PT",
        ["kitchen-modular"],
    ),
    (
        "c-1032",
        "prospect",
        "Axel Nordin",
        "axel.nordin@example.se",
        "+46 72 000 11 22",
        "Linnégatan 6, 413 04 Göteborg",
        "SE",
        ["ebike-urban"],
    ),
    # the same person as c-1012 under a second account (typo in the name, abbreviated street)
    (
        "c-1033",
        "standard",
        "Joao Pedro Martin",
        "jp.martins@example.com",
        "+351 936 777 888",
        "R. Direita 45, 3810-175 Aveiro",
        "PT",
        ["ebike-urban"],
    ),
    (
        "c-1034",
        "prospect",
        "Sara Lopes",
        "sara.lopes@example.pt",
        "+351 927 333 222",
        "Avenida Central 10, 4710-229 Braga",
        "PT",
        ["laptop-pro14"],
    ),
    (
        "c-1035",
        "standard",
        "Víctor Sanz",
        "victor.sanz@example.es",
        "+34 611 222 333",
        "Calle Colón 3, 46004 Valencia",
        "ES",
        ["kitchen-modular"],
    ),
    (
        "c-1036",
        "standard",
        "Maja Ek",
        "maja.ek@example.se",
        "+46 70 765 43 21",
        "Drottninggatan 90, 252 21 Helsingborg",
        "SE",
        ["ebike-urban"],
    ),
]


class Sample:
    """Builds the event list."""

    def __init__(self, seed: int = 20261123) -> None:
        self.rng = random.Random(seed)
        self.events: list[dict[str, Any]] = []
        self.counter = 0

    def when(self, lo: dt.datetime = START, hi: dt.datetime = END) -> dt.datetime:
        """A random moment between lo and hi, during opening hours."""
        seconds = self.rng.uniform(0, (hi - lo).total_seconds())
        moment = lo + dt.timedelta(seconds=seconds)
        return moment.replace(
            hour=self.rng.randint(8, 19), minute=self.rng.randint(0, 59), second=0, microsecond=0
        )

    def add(
        self, kind: str, who: Person | None, channel: str, ts: dt.datetime, **fields: Any
    ) -> dict[str, Any]:
        """Append an event; ``who=None`` needs ``anonymous_id`` in fields."""
        self.counter += 1
        offset = self.rng.choice([0, 0, 1, 2]) if who and who.country != "SE" else 1
        tz = dt.timezone(dt.timedelta(hours=offset))
        event: dict[str, Any] = {"event_id": f"ev-{self.counter:05d}", "type": kind, "channel": channel}
        if who is not None:
            event["customer_id"] = who.customer_id
        event["ts"] = ts.astimezone(tz).isoformat()
        event.update(fields)
        self.events.append(event)
        return event

    def traits(self, p: Person, *, variant: bool = False) -> dict[str, Any]:
        """What the person tells us (with formatting variants on other channels)."""
        email = p.email.upper() if variant else p.email
        phone = p.phone.replace(" ", "") if variant else p.phone
        return {
            "name": p.name,
            "email": email,
            "phone": phone,
            "address": p.address,
            "country": p.country,
            "language": {"PT": "pt", "ES": "es", "SE": "sv"}[p.country],
        }

    def configure(self, p: Person, ts: dt.datetime, catalog: str, channel: str = "web") -> dict[str, Any]:
        """A view and a configuration of one product."""
        config = self.rng.choice(CONFIGS[catalog])
        self.add("viewed", p, channel, ts, catalog=catalog, item=catalog, seconds=self.rng.randint(20, 600))
        partial = dict(list(config.items())[: self.rng.randint(2, len(config))])
        self.add(
            "configured",
            p,
            channel,
            ts + dt.timedelta(minutes=self.rng.randint(2, 30)),
            catalog=catalog,
            catalog_version="2026.11",
            selections=partial,
            complete=len(partial) == len(config),
        )
        return config

    def purchase(
        self,
        p: Person,
        ts: dt.datetime,
        catalog: str,
        channel: str,
        *,
        margin_rate: float | None = None,
        services: bool = True,
        quantity: int = 1,
    ) -> tuple[str, float, float]:
        """A quote, then an order with product and service lines."""
        price, rate, extras = PRODUCTS[catalog]
        config = self.configure(p, ts - dt.timedelta(days=self.rng.randint(3, 20)), catalog)
        quote_id = f"q-{self.counter + 1:05d}"
        unit = round(price * self.rng.uniform(0.85, 1.25), 2)
        self.add(
            "quote_requested",
            p,
            channel,
            ts - dt.timedelta(days=2),
            catalog=catalog,
            quote_id=quote_id,
            selections=config,
        )
        self.add(
            "quote_sent",
            p,
            "email",
            ts - dt.timedelta(days=1),
            quote_id=quote_id,
            catalog=catalog,
            total=round(unit * quantity, 2),
            currency="EUR",
        )
        lines: list[dict[str, Any]] = [
            {
                "item": catalog,
                "catalog": catalog,
                "quantity": quantity,
                "unit_price": unit,
                "unit_margin": round(unit * (margin_rate if margin_rate is not None else rate), 2),
                "selections": config,
            }
        ]
        if services:
            item, sprice, smargin = self.rng.choice(extras)
            lines.append(
                {
                    "item": item,
                    "catalog": catalog,
                    "quantity": 1,
                    "unit_price": sprice,
                    "unit_margin": smargin,
                }
            )
        total = round(sum(line["unit_price"] * line["quantity"] for line in lines), 2)
        margin = round(sum(line["unit_margin"] * line["quantity"] for line in lines), 2)
        order_id = f"o-{self.counter + 1:05d}"
        self.add("purchased", p, channel, ts, order_id=order_id, lines=lines, currency="EUR")
        return order_id, total, margin

    def ticket(self, p: Person, ts: dt.datetime, cost: float, channel: str = "phone") -> None:
        """A support case."""
        self.add(
            "support_ticket",
            p,
            channel,
            ts,
            ticket_id=f"t-{self.counter + 1:05d}",
            cost=cost,
            topic=self.rng.choice(TOPICS),
            minutes=int(cost / 0.9),
            resolved=self.rng.random() < 0.85,
        )


def build() -> list[dict[str, Any]]:
    """Every event of the sample, in file order."""
    s = Sample()
    rng = s.rng
    people = {
        pid: Person(pid, persona, name, email, phone, address, country, products)
        for pid, persona, name, email, phone, address, country, products in PEOPLE
    }
    channel_for = {
        "ebike-urban": "store",
        "kitchen-modular": "sales_rep",
        "laptop-pro14": "web",
        "valve-pn5": "sales_rep",
    }
    for p in people.values():
        first = s.when(START, START + dt.timedelta(days=200))
        if p.customer_id == "c-1021":
            continue  # the anonymous visitor below
        if p.customer_id == "c-1030":
            continue  # the store walk-in below
        s.add(
            "viewed",
            p,
            "web",
            first,
            catalog=p.products[0],
            item=p.products[0],
            seconds=rng.randint(30, 300),
            traits=s.traits(p),
        )
        purchases = {
            "mvc": rng.randint(5, 8),
            "mgc": rng.randint(2, 3),
            "standard": rng.randint(1, 2),
            "below_zero": rng.randint(1, 2),
            "prospect": 0,
        }[p.persona]
        for n in range(purchases):
            catalog = p.products[n % len(p.products)]
            if p.persona == "mgc":  # growing: later purchases, bigger baskets
                ts = s.when(START + dt.timedelta(days=250 + 150 * n), END)
            else:
                ts = s.when(first + dt.timedelta(days=20), END)
            qty = rng.randint(4, 12) if catalog == "valve-pn5" else 1
            if p.persona == "mgc" and n > 0 and catalog in ("laptop-pro14", "valve-pn5"):
                qty *= 3
            rate = rng.uniform(0.02, 0.06) if p.persona == "below_zero" else None
            order_id, total, margin = s.purchase(
                p, ts, catalog, channel_for[catalog], margin_rate=rate, quantity=qty
            )
            if p.persona == "below_zero" or rng.random() < 0.07:
                s.add(
                    "returned",
                    p,
                    "store",
                    ts + dt.timedelta(days=rng.randint(5, 40)),
                    order_id=order_id,
                    amount=round(total * rng.uniform(0.3, 1.0), 2),
                    margin=round(abs(margin) * rng.uniform(0.5, 1.0), 2),
                    reason=rng.choice(["defective", "wrong size", "changed mind", "late delivery"]),
                )
        views = {"mvc": 10, "mgc": 18, "standard": 6, "below_zero": 5, "prospect": 12}[p.persona]
        for _ in range(rng.randint(views // 2, views)):
            catalog = rng.choice(p.products)
            if rng.random() < 0.4:
                s.configure(p, s.when(first, END), catalog)
            else:
                s.add(
                    "viewed",
                    p,
                    "web",
                    s.when(first, END),
                    catalog=catalog,
                    item=catalog,
                    seconds=rng.randint(5, 400),
                )
        tickets = {"mvc": 1, "mgc": 1, "standard": 1, "below_zero": rng.randint(6, 9), "prospect": 0}[
            p.persona
        ]
        for _ in range(rng.randint(0, tickets) if p.persona != "below_zero" else tickets):
            cost = rng.uniform(60, 320) if p.persona == "below_zero" else rng.uniform(8, 45)
            s.ticket(p, s.when(first, END), round(cost, 2))
        if p.persona in ("mvc", "mgc", "standard") and rng.random() < 0.7:
            s.add(
                "review",
                p,
                "email",
                s.when(first, END),
                catalog=p.products[0],
                rating=rng.choice([5, 5, 4, 4, 3]),
                text=rng.choice(
                    [
                        "Exactly what I needed.",
                        "Great service from the rep.",
                        "Delivery took long.",
                        "Solid build, fair price.",
                    ]
                ),
            )
        if p.persona in ("mgc", "prospect") or rng.random() < 0.3:
            need, value = rng.choice(NEEDS)
            s.add(
                "stated_need",
                p,
                rng.choice(["sales_rep", "phone", "web"]),
                s.when(first, END),
                need=need,
                value=value,
                importance=round(rng.uniform(0.4, 1.0), 2),
                catalog=p.products[0],
            )
        if rng.random() < 0.35:
            s.add(
                "feedback",
                p,
                "email",
                s.when(first, END),
                text=rng.choice(
                    [
                        "Would like a financing option.",
                        "The configurator is easy to use.",
                        "Please call before delivery.",
                    ]
                ),
                score=rng.randint(4, 10),
                topic="service",
            )
        if rng.random() < 0.5:
            s.add("consent", p, "email", first + dt.timedelta(hours=1), purpose="marketing", granted=True)
    # Referrals: valuable customers bring others; some convert (the referred person bought).
    for referrer, referred, converted in [
        ("c-1001", "c-1007", True),
        ("c-1001", "c-1015", True),
        ("c-1002", "c-1016", True),
        ("c-1003", "c-1024", True),
        ("c-1004", "c-1031", False),
        ("c-1006", "c-1032", False),
        ("c-1009", "c-1036", True),
        ("c-1005", "c-1018", True),
    ]:
        s.add(
            "referral",
            people[referrer],
            rng.choice(["email", "web"]),
            s.when(START + dt.timedelta(days=30), END),
            referred_customer_id=referred,
            converted=converted,
        )
    # An anonymous visitor browses e-bikes for weeks, then logs in as c-1021 and buys.
    anon = "anon-7f3a9c"
    rita = people["c-1021"]
    t0 = dt.datetime(2025, 9, 2, 20, 15, tzinfo=dt.UTC)
    for day in range(0, 24, 3):
        s.add(
            "viewed",
            None,
            "web",
            t0 + dt.timedelta(days=day),
            anonymous_id=anon,
            catalog="ebike-urban",
            item="ebike-urban",
            seconds=rng.randint(30, 500),
        )
    s.add(
        "configured",
        None,
        "web",
        t0 + dt.timedelta(days=20),
        anonymous_id=anon,
        catalog="ebike-urban",
        selections=CONFIGS["ebike-urban"][0],
        complete=True,
    )
    s.add(
        "viewed",
        rita,
        "web",
        t0 + dt.timedelta(days=25),
        anonymous_id=anon,
        catalog="ebike-urban",
        item="ebike-urban",
        traits=s.traits(rita),
    )
    s.purchase(rita, t0 + dt.timedelta(days=31), "ebike-urban", "store")
    s.add(
        "review", rita, "email", t0 + dt.timedelta(days=60), catalog="ebike-urban", rating=5, text="Love it."
    )
    # Another visitor who never logs in.
    for day in range(0, 40, 8):
        s.add(
            "viewed",
            None,
            "web",
            dt.datetime(2026, 3, 1, 11, tzinfo=dt.UTC) + dt.timedelta(days=day),
            anonymous_id="anon-c0ffee",
            catalog="laptop-pro14",
            item="laptop-pro14",
            seconds=rng.randint(10, 200),
        )
    # A store walk-in known only by phone; later a rep records the same phone on account c-1030.
    paulo = people["c-1030"]
    walk_in = dt.datetime(2025, 2, 14, 10, 30, tzinfo=dt.UTC)
    s.add(
        "viewed",
        None,
        "store",
        walk_in,
        anonymous_id="store-kiosk-0412",
        catalog="valve-pn5",
        item="valve-pn5",
        traits={"name": paulo.name, "phone": "965 432 100"},
    )
    s.add(
        "stated_need",
        None,
        "store",
        walk_in + dt.timedelta(minutes=5),
        anonymous_id="store-kiosk-0412",
        need="attribute:pressure",
        value="16 bar",
        importance=0.9,
        catalog="valve-pn5",
    )
    s.add(
        "viewed",
        paulo,
        "sales_rep",
        walk_in + dt.timedelta(days=9),
        catalog="valve-pn5",
        item="valve-pn5",
        traits=s.traits(paulo, variant=True),
    )
    for _ in range(2):
        s.purchase(
            paulo,
            s.when(walk_in + dt.timedelta(days=30), END),
            "valve-pn5",
            "sales_rep",
            margin_rate=0.03,
            quantity=rng.randint(2, 6),
        )
    for _ in range(7):
        s.ticket(paulo, s.when(walk_in + dt.timedelta(days=30), END), round(rng.uniform(80, 260), 2))
    # c-1017 objects to profiling (by email).
    s.add(
        "consent",
        people["c-1017"],
        "email",
        dt.datetime(2026, 1, 10, 9, 5, tzinfo=dt.UTC),
        purpose="profiling",
        granted=False,
    )
    events = sorted(s.events, key=lambda e: dt.datetime.fromisoformat(e["ts"]))
    # Late deliveries: a few events arrive out of timestamp order.
    for _ in range(12):
        i = rng.randrange(len(events))
        j = min(len(events) - 1, i + rng.randint(5, 40))
        events.insert(j, events.pop(i))
    # At-least-once delivery: some events are sent twice.
    for i in rng.sample(range(len(events)), 6):
        events.insert(min(len(events), i + rng.randint(1, 30)), dict(events[i]))
    bad_ts = {
        "event_id": "ev-bad-1",
        "type": "viewed",
        "customer_id": "c-1002",
        "channel": "web",
        "ts": "2026-02-01T10:00:00",
        "catalog": "laptop-pro14",
    }
    bad_rating = {
        "event_id": "ev-bad-2",
        "type": "review",
        "customer_id": "c-1013",
        "channel": "email",
        "ts": "2026-02-03T10:00:00Z",
        "rating": 7,
    }
    bad_type = {
        "event_id": "ev-bad-3",
        "type": "clicked",
        "customer_id": "c-1014",
        "channel": "web",
        "ts": "2026-02-04T10:00:00Z",
    }
    bad_channel = {
        "event_id": "ev-bad-4",
        "type": "viewed",
        "customer_id": "c-1019",
        "ts": "2026-02-05T10:00:00Z",
    }
    bad_email = {
        "event_id": "ev-bad-5",
        "type": "viewed",
        "anonymous_id": "anon-x",
        "channel": "web",
        "ts": "2026-02-06T10:00:00Z",
        "traits": {"email": "not-an-email"},
    }
    bad_margin = {
        "event_id": "ev-bad-6",
        "type": "purchased",
        "customer_id": "c-1020",
        "channel": "store",
        "ts": "2026-02-07T10:00:00Z",
        "order_id": "o-bad",
        "lines": [{"item": "bell", "unit_price": 12}],
    }
    for bad in (bad_ts, bad_rating, bad_type, bad_channel, bad_email, bad_margin):
        events.insert(rng.randrange(len(events)), bad)
    return events


def main() -> None:
    """Write the sample."""
    events = build()
    with OUT.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    print(f"wrote {len(events)} events to {OUT}")


if __name__ == "__main__":
    main()
