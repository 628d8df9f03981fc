"""Medians, ratios, the floors of issue 4 and the printed table.

Three measures of every synth, medians of the samples:

- ``total``: the wall clock of `cdk synth`, what a user waits for;
- ``net``: total minus the same tool's synth of an app with no function;
- ``own``: measured inside the app: importing the tool and constructing its functions,
  asset staging (bundling) included — what the construct itself costs, without the CDK
  CLI's start-up, jsii's start-up and CDK's template validation, which are the same for
  every tool and which no construct can shorten.

The floors are judged on ``own``; ``total`` and ``net`` are printed beside each verdict.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

TOOL_NAMES = {"slim": "slim-lambda", "alpha": "PythonFunction"}
BUNDLE_ORDER = ("slim-lambda", "PythonFunction", "SPR slim+strip")
MEASURES = ("total", "net", "own")
SAMPLE_FIELD = {"total": "seconds", "own": "own_s"}
JUDGED_ON = "own"

Medians = dict[str, dict[str, dict[str, float | None]]]
"""tool → measure → scenario → seconds."""


@dataclass(frozen=True)
class Floor:
    name: str
    bound: float
    op: str  # "<=" or ">="
    values: dict[str, float | None] = field(default_factory=dict)
    """measure → value; one entry ("own") for floors that are not about synth time."""

    @property
    def value(self) -> float | None:
        return self.values.get(JUDGED_ON)

    def passes(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def as_json(self) -> dict[str, Any]:
        return {"floor": self.name, "op": self.op, "bound": self.bound,
                "judged_on": JUDGED_ON, "value": _r(self.value),
                "pass": self.passes(self.value),
                "values": {m: _r(v) for m, v in self.values.items()},
                "passes": {m: self.passes(v) for m, v in self.values.items()}}


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(x, nd)


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def medians(samples: dict[str, dict[str, list[dict[str, Any]]]]) -> Medians:
    out: Medians = {}
    for tool, by_sc in samples.items():
        m: dict[str, dict[str, float | None]] = {
            measure: {sc: _median(runs, key) for sc, runs in by_sc.items()}
            for measure, key in SAMPLE_FIELD.items()}
        total = m["total"]
        m["net"] = {sc: _minus(total[sc], total.get("empty")) if sc != "empty" else None
                    for sc in by_sc}
        out[tool] = {measure: m[measure] for measure in MEASURES}
    return out


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else max(a - b, 0.0)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def ratios(med: Medians) -> dict[str, dict[str, float | None]]:
    """``"<tool> <measure>"`` → within-tool ratios; ``"slim / alpha <measure>"`` → by scenario."""
    out: dict[str, dict[str, float | None]] = {}
    for tool, by_measure in med.items():
        for measure, m in by_measure.items():
            out[f"{tool} {measure}"] = {
                "warm / first": ratio(m.get("warm"), m.get("first")),
                "handler / first": ratio(m.get("handler"), m.get("first")),
                "many / first": ratio(m.get("many"), m.get("first")),
            }
    for measure in MEASURES:
        s, a = med["slim"][measure], med["alpha"][measure]
        out[f"slim / alpha {measure}"] = {sc: ratio(s.get(sc), a.get(sc))
                                          for sc in ("first", "warm", "handler", "many")}
    return out


def floors(med: Medians, bundles: dict[str, dict[str, Any]], n: int) -> list[Floor]:
    s, a = med["slim"], med["alpha"]

    def each(f: Any) -> dict[str, float | None]:
        return {measure: f(s[measure], a[measure]) for measure in MEASURES}

    ours = bundles["slim-lambda"]["cold_import_s"]
    theirs = bundles["PythonFunction"]["cold_import_s"]
    return [
        Floor("handler-change re-synth / PythonFunction's, same change", 0.1, "<=",
              each(lambda s_, a_: ratio(s_.get("handler"), a_.get("handler")))),
        Floor(f"{n} functions / one function, first synth, slim-lambda", 1.5, "<=",
              each(lambda s_, _a: ratio(s_.get("many"), s_.get("first")))),
        Floor("warm synth after rm -rf cdk.out / first synth, slim-lambda", 0.2, "<=",
              each(lambda s_, _a: ratio(s_.get("warm"), s_.get("first")))),
        Floor("cold import: PythonFunction's / slim-lambda's", 2.0, ">=",
              {JUDGED_ON: ratio(theirs, ours)}),
    ]


def _f(x: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def _verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[ok]


def _cells(m: dict[str, dict[str, float | None]], sc: str) -> str:
    """total and net to a tenth, own to a hundredth of a second."""
    return (f"{_f(m['total'].get(sc)):>7}{_f(m['net'].get(sc)):>7}"
            f"{_f(m['own'].get(sc), '{:.2f}'):>7}")


def render(r: dict[str, Any], sections: Sequence[Sequence[str]] = ()) -> str:
    """The table; ``sections`` (lines each) go between the bundles and the floors."""
    med: Medians = r["synth_median"]
    rat: dict[str, dict[str, float | None]] = r["ratios"]
    s, a, n = med["slim"], med["alpha"], r["functions"]
    m = r["machine"]
    head = "".join(f"{x:>7}" for x in MEASURES)
    lines = [
        f"slim-lambda benchmark — {r['workload']}",
        f"  {m['when']}, {m['cpus']} cores, load average {m['load_start']} at start, "
        f"{m['load_end']} at end; CDK CLI {m['cdk']}, aws-cdk-lib {m.get('aws_cdk_lib', '?')}",
        f"  slim-lambda {m['slim_lambda']} ({m['git']}) vs aws-lambda-python-alpha "
        f"{m['alpha']}",
        f"  build image for both: {r['image']} ({m['image_id'][:19]})",
        "",
        f"synth time, seconds: real `cdk synth --quiet`, median of {r['repeat']} "
        "(PythonFunction's (d) once)",
        "  total = wall clock; net = total minus the same tool's synth of an app with no "
        "function;",
        "  own = inside the app: importing the tool + constructing its functions, asset "
        "staging included",
        f"  {'scenario':44} {'slim-lambda':>21} {'PythonFunction':>21} {'slim / PF':>21}",
        f"  {'':44} {head} {head} {head}",
    ]
    rows = (("empty", "no function: CDK + app start-up, validation"),
            ("first", "(a) first synth, empty cdk.out and caches"),
            ("warm", "(b) after rm -rf cdk.out, warm cache"),
            ("handler", "(c) after a one-line handler change"),
            ("many", f"(d) {n} functions, same requirements, empty"))
    for sc, label in rows:
        by_tool = "" if sc == "empty" else "".join(
            f"{_f(rat[f'slim / alpha {measure}'].get(sc), '{:.2f}'):>7}" for measure in MEASURES)
        lines.append(f"  {label:44} {_cells(s, sc)} {_cells(a, sc)} {by_tool}")
    lines += ["", f"  {'ratio within a tool':44} {'slim-lambda':>21} {'PythonFunction':>21}",
              f"  {'':44} {head} {head}"]
    for key, label in (("warm / first", "warm after rm -rf cdk.out / first"),
                       ("handler / first", "handler change / first"),
                       ("many / first", f"{n} functions / one function")):
        cells = [
            "".join(f"{_f(rat[f'{tool} {measure}'][key], '{:.3f}'):>7}" for measure in MEASURES)
            for tool in ("slim", "alpha")]
        lines.append(f"  {label:44} {cells[0]} {cells[1]}")
    hits = r.get("slim_cache_hits")
    if hits:
        lines.append(f"  slim-lambda dependency cache hits per run: {hits}")

    b = r["bundles"]
    pf = b["PythonFunction"]["cold_import_s"]
    lines += ["", f"bundles (cold import: `import index` in a fresh container, read-only "
              f"/var/task, 1980 mtimes, median of {r['import_runs']})",
              f"  {'bundle':18} {'files':>6} {'unzipped MB':>12} {'zipped MB':>10} "
              f"{'250 MiB':>8} {'handler':>8} {'import s':>9} {'PF / this':>10}"]
    for name in BUNDLE_ORDER:
        x = b[name]
        cold = x["cold_import_s"]
        limit = "over" if x["unzipped_bytes"] > 262_144_000 else "fits"
        lines.append(f"  {name:18} {x['files']:>6} {x['unzipped_bytes'] / 1e6:>12.1f} "
                     f"{x['zipped_bytes'] / 1e6:>10.1f} {limit:>8} "
                     f"{'runs' if x['handler_runs'] else 'FAILS':>8} {_f(cold, '{:.2f}'):>9} "
                     f"{_f(ratio(pf, cold), '{:.2f}x'):>10}")
        if not x["handler_runs"]:
            error = x["handler_error"].removeprefix("Original error was: ")
            lines.append(f"    handler error: {error[:90]}")
    lines.append(f"  zipped = the CDK CLI's zip, measured with {r['zip_engine']}")
    for section in sections:
        lines += ["", *section]

    lines += ["", f"floors (issue 4): the verdict is on the {JUDGED_ON} time; total and net "
              "beside it",
              f"  {'':6}{'floor':67} {JUDGED_ON:>6} {'total':>12} {'net':>12}"]
    for fl in r["floors"]:
        values, passes = fl.get("values", {}), fl.get("passes", {})
        cells = [("" if values.get(k) is None else
                  f"{values[k]:.3f} {_verdict(passes.get(k))}") for k in ("total", "net")]
        name = f"{fl['floor']} {fl['op']} {fl['bound']}"
        lines.append(f"  {_verdict(fl['pass']):4}  {name:67} {_f(fl['value'], '{:.3f}'):>6} "
                     f"{cells[0]:>12} {cells[1]:>12}")
    floor_of_cdk = ratio(s["total"].get("empty"), a["total"].get("handler"))
    if floor_of_cdk is not None and floor_of_cdk > 0.1:
        lines += [
            f"  note: `cdk synth` of an app with no function takes {floor_of_cdk:.2f}x "
            "PythonFunction's handler-change",
            "  re-synth on its own (CLI and jsii start-up, template validation): on total time "
            "no construct",
            "  can meet the first floor here, so the floors are judged on the tool's own time."]
    return "\n".join(lines)
