"""Benchmark: load (parse, validate, resolve and type-check) a generated catalog of 2,000 options and 5,000 rules.

Prints a table and updates the "Catalog loading" section of docs/benchmarks.md. Target: < 1 s. Quick mode
(``BENCH_QUICK=1``): 500 options, 1,000 rules, one run, and the doc is left alone unless ``--doc``.

Run: ``.venv/bin/python benchmarks/catalog_load.py [--options 2000] [--rules 5000] [--repeat 5] [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

import configurator
from _docs import add_doc_options, pick, publish
from configurator.catalog.yamlsource import read_yaml

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Catalog loading"


def generate(n_options: int, n_rules: int, seed: int = 7) -> str:
    """A catalog YAML text with ``n_options`` options in modules of 20 and ``n_rules`` rules of every kind."""
    rng = random.Random(seed)
    per_module = 20
    n_modules = max(1, n_options // per_module)
    modules: dict[str, object] = {}
    refs: list[str] = []
    for m in range(n_modules):
        options: dict[str, object] = {}
        for o in range(per_module):
            options[f"o{o}"] = {
                "label": {
                    "en": f"Option {m}.{o}",
                    "pt": f"Opção {m}.{o}",
                    "es": f"Opción {m}.{o}",
                    "sv": f"Val {m}.{o}",
                },
                "price": f"{rng.randint(1, 2000)}.{rng.randint(0, 99):02d}",
                "attrs": {"weight_g": rng.randint(10, 5000), "colour": rng.choice(["red", "black", "sand"])},
            }
            refs.append(f"m{m}.o{o}")
        modules[f"m{m}"] = {
            "label": {"en": f"Module {m}", "pt": f"Módulo {m}", "es": f"Módulo {m}", "sv": f"Modul {m}"},
            "choose": "exactly_one" if m % 3 else "optional",
            "options": options,
        }
    rules: list[dict[str, object]] = []
    for i in range(n_rules):
        a, b, c = rng.sample(refs, 3)
        kind = i % 5
        rule: dict[str, object] = {"id": f"r{i}"}
        if kind == 0:
            rule.update({"if": a, "requires": f"{b} | {c}"})
        elif kind == 1:
            rule["excludes"] = [a, b]
        elif kind == 2:
            rule["constraint"] = f"{a} & {b} -> sum(weight_g) <= {rng.randint(50_000, 500_000)}"
        elif kind == 3:
            module = a.split(".")[0]
            rule["constraint"] = f'{module}.colour != "sand" | count({module}) <= 1'
        else:
            m1, m2 = rng.sample(range(n_modules), 2)
            rule["table"] = {
                "columns": [f"m{m1}", f"m{m2}"],
                "rows": [[f"o{rng.randrange(per_module)}", "*"], ["-", f"o{rng.randrange(per_module)}"]],
                "mode": "forbidden",
            }
        rule["message"] = {"en": f"Rule {i}", "pt": f"Regra {i}", "es": f"Regla {i}", "sv": f"Regel {i}"}
        rules.append(rule)
    document = {
        "catalog": "bench",
        "version": "1",
        "currency": "EUR",
        "locales": ["en", "pt", "es", "sv"],
        "attributes": {
            "weight_g": {"type": "int", "unit": "g"},
            "colour": {"type": "enum", "values": ["red", "black", "sand"]},
        },
        "modules": modules,
        "rules": rules,
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--options", type=int, default=pick(2000, 500))
    parser.add_argument("--rules", type=int, default=pick(5000, 1000))
    parser.add_argument("--repeat", type=int, default=pick(5, 1))
    add_doc_options(parser)
    args = parser.parse_args(argv)
    text = generate(args.options, args.rules)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(text, encoding="utf-8")
        parse_times, load_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            read_yaml(path)
            parse_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            catalog = configurator.load_catalog(path)
            load_times.append(time.perf_counter() - start)
    options = sum(len(m.options) for m in catalog.modules.values())
    size_kib = len(text.encode()) / 1024
    rows = [
        ("YAML parse with positions", statistics.median(parse_times), min(parse_times)),
        ("full load (parse, validate, resolve, type-check)", statistics.median(load_times), min(load_times)),
    ]
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
    lines = [
        SECTION,
        "",
        f"`benchmarks/catalog_load.py`: a generated catalog of {options:,} options in {len(catalog.modules)} modules "
        f"and {len(catalog.rules):,} rules of every kind ({size_kib:,.0f} KiB of YAML), median of {args.repeat} runs "
        f"on {machine}. Target: full load < 1 s.",
        "",
        "| step | median s | best s |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {median:.3f} | {best:.3f} |" for name, median, best in rows],
        "",
        f"Verdict: {'target met' if rows[1][1] < 1.0 else 'target missed'} ({rows[1][1]:.3f} s).",
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args, DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
