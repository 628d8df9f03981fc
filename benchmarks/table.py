"""Medians, ratios, the floors of issue 4 and the printed table.

Times are medians of the samples. "net" subtracts the same tool's median synth of an
app with no function (CDK CLI + Python/jsii start-up + template validation), leaving
what the construct itself costs. The floors are judged on the total, the time a user
waits for; the net verdict is printed beside it for information.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

TOOL_NAMES = {"slim": "slim-lambda", "alpha": "PythonFunction"}
BUNDLE_ORDER = ("slim-lambda", "PythonFunction", "SPR slim+strip")


@dataclass(frozen=True)
class Floor:
    name: str
    value: float | None
    bound: float
    op: str  # "<=" or ">="
    net_value: float | None = None

    def passes(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def as_json(self) -> dict[str, Any]:
        return {"floor": self.name, "value": _r(self.value), "op": self.op, "bound": self.bound,
                "pass": self.passes(self.value), "net_value": _r(self.net_value),
                "net_pass": self.passes(self.net_value)}


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(x, nd)


def medians(samples: dict[str, dict[str, list[dict[str, Any]]]]
            ) -> dict[str, dict[str, float | None]]:
    return {tool: {sc: (statistics.median(s["seconds"] for s in runs) if runs else None)
                   for sc, runs in by_sc.items()} for tool, by_sc in samples.items()}


def net(med: dict[str, float | None], scenario: str) -> float | None:
    total, empty = med.get(scenario), med.get("empty")
    if total is None or empty is None:
        return None
    return max(total - empty, 0.0)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def ratios(med: dict[str, dict[str, float | None]]) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for tool, m in med.items():
        for kind, get in (("total", lambda sc, m=m: m.get(sc)),
                          ("net", lambda sc, m=m: net(m, sc))):
            out[f"{tool} {kind}"] = {
                "warm / first": ratio(get("warm"), get("first")),
                "handler / first": ratio(get("handler"), get("first")),
                "many / first": ratio(get("many"), get("first")),
            }
    s, a = med["slim"], med["alpha"]
    for kind, get_s, get_a in (("total", s.get, a.get),
                               ("net", lambda sc: net(s, sc), lambda sc: net(a, sc))):
        out[f"slim / alpha {kind}"] = {sc: ratio(get_s(sc), get_a(sc))
                                       for sc in ("first", "warm", "handler", "many")}
    return out


def floors(med: dict[str, dict[str, float | None]], bundles: dict[str, dict[str, Any]],
           n: int) -> list[Floor]:
    s, a = med["slim"], med["alpha"]
    ours = bundles["slim-lambda"]["cold_import_s"]
    theirs = bundles["PythonFunction"]["cold_import_s"]
    return [
        Floor("handler-change re-synth / PythonFunction's, same change",
              ratio(s["handler"], a["handler"]), 0.1, "<=",
              ratio(net(s, "handler"), net(a, "handler"))),
        Floor(f"{n} functions / one function, first synth, slim-lambda",
              ratio(s["many"], s["first"]), 1.5, "<=", ratio(net(s, "many"), net(s, "first"))),
        Floor("warm synth after rm -rf cdk.out / first synth, slim-lambda",
              ratio(s["warm"], s["first"]), 0.2, "<=", ratio(net(s, "warm"), net(s, "first"))),
        Floor("cold import: PythonFunction's / slim-lambda's", ratio(theirs, ours), 2.0, ">="),
    ]


def _f(x: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def _verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[ok]


def render(r: dict[str, Any]) -> str:
    med: dict[str, dict[str, float | None]] = r["synth_median"]
    rat: dict[str, dict[str, float | None]] = r["ratios"]
    s, a, n = med["slim"], med["alpha"], r["functions"]
    m = r["machine"]
    lines = [
        f"slim-lambda benchmark — {r['workload']}",
        f"  {m['when']}, {m['cpus']} cores, load average {m['load_start']} at start, "
        f"{m['load_end']} at end; CDK CLI {m['cdk']}",
        f"  slim-lambda {m['slim_lambda']} ({m['git']}) vs aws-lambda-python-alpha "
        f"{m['alpha']}",
        f"  build image for both: {r['image']} ({m['image_id'][:19]})",
        "",
        f"synth time, seconds: real `cdk synth --quiet`, median of {r['repeat']} "
        "(PythonFunction's (d) once)",
        "  net = total minus the same tool's synth of an app with no function",
        f"  {'scenario':44} {'slim-lambda':>14} {'PythonFunction':>16} {'slim / PF':>14}",
        f"  {'':44} {'total':>7}{'net':>7} {'total':>9}{'net':>7} {'total':>7}{'net':>7}",
    ]
    rows = (("empty", "no function: CDK + app start-up, validation"),
            ("first", "(a) first synth, empty cdk.out and caches"),
            ("warm", "(b) after rm -rf cdk.out, warm cache"),
            ("handler", "(c) after a one-line handler change"),
            ("many", f"(d) {n} functions, same requirements, empty"))
    for sc, label in rows:
        st = rat["slim / alpha total"].get(sc)
        sn = rat["slim / alpha net"].get(sc)
        ns = "" if sc == "empty" else _f(net(s, sc))
        na = "" if sc == "empty" else _f(net(a, sc))
        lines.append(f"  {label:44} {_f(s[sc]):>7}{ns:>7} {_f(a[sc]):>9}{na:>7} "
                     f"{_f(st, '{:.2f}') if sc != 'empty' else '':>7}"
                     f"{_f(sn, '{:.2f}') if sc != 'empty' else '':>7}")
    lines += ["", f"  {'ratio within a tool':44} {'slim-lambda':>14} {'PythonFunction':>16}",
              f"  {'':44} {'total':>7}{'net':>7} {'total':>9}{'net':>7}"]
    for key, label in (("warm / first", "warm after rm -rf cdk.out / first"),
                       ("handler / first", "handler change / first"),
                       ("many / first", f"{n} functions / one function")):
        lines.append(
            f"  {label:44} {_f(rat['slim total'][key], '{:.2f}'):>7}"
            f"{_f(rat['slim net'][key], '{:.2f}'):>7} "
            f"{_f(rat['alpha total'][key], '{:.2f}'):>9}{_f(rat['alpha net'][key], '{:.2f}'):>7}")
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

    lines += ["", "floors (issue 4): the verdict is on total synth time; net for information",
              f"  {'':6}{'floor':67} {'total':>6} {'net':>10}"]
    for fl in r["floors"]:
        net_part = "" if fl["net_value"] is None else (
            f"{fl['net_value']:.3f} {_verdict(fl['net_pass'])}")
        name = f"{fl['floor']} {fl['op']} {fl['bound']}"
        lines.append(f"  {_verdict(fl['pass']):4}  {name:67} {_f(fl['value'], '{:.3f}'):>6} "
                     f"{net_part:>10}")
    floor_of_cdk = ratio(s["empty"], a["handler"])
    if floor_of_cdk is not None and floor_of_cdk > 0.1:
        lines.append("  note: `cdk synth` of an app with no function alone takes "
                     f"{floor_of_cdk:.2f}x PythonFunction's")
        lines.append("  handler-change re-synth here: no construct can meet the first floor on "
                     "total time on")
        lines.append("  this machine; net is what the construct itself adds.")
    return "\n".join(lines)
