"""Verdicts, the printed tables and the JSON file of a run."""

import json
from datetime import datetime

from bench.datasets import RESULTS


def judge_pages(results, scenarios):
    """Set each page result's target and verdict; SQL per request must also match the smallest scale's."""
    by_name = {scenario.name: scenario for scenario in scenarios}
    smallest = {}
    for result in sorted(results, key=lambda result: result["scale"]):
        smallest.setdefault((result["database"], result["scenario"]), result)
    for result in results:
        target = by_name[result["scenario"]].target
        result["target"] = target.describe(result["scale"])
        misses = target.misses(result)
        base = smallest[(result["database"], result["scenario"])]
        if base is not result:
            result["target"] += f", SQL same as scale {base['scale']}"
            if result["sql"] != base["sql"]:
                misses.append(f"SQL {_sql(result['sql'])} vs {_sql(base['sql'])}")
        result["misses"] = misses


def _sql(values):
    if not values:
        return "-"
    return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"


def _verdict(misses):
    return "OK" if not misses else "MISS: " + "; ".join(misses)


def _table(headers, rows, right):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = []
    for row in (headers, ["-" * width for width in widths], *rows):
        cells = [str(cell).rjust(width) if index in right else str(cell).ljust(width)
                 for index, (cell, width) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def pages_table(results):
    headers = ["database", "scale", "scenario", "path", "n", "p50 ms", "p95 ms", "floor p95", "ratio", "SQL/req",
               "floor SQL", "target", "verdict"]
    rows = []
    for result in results:
        floor = result.get("floor")
        scenario = result["scenario"] + (f" ({result['note']})" if result["note"] else "")
        rows.append([
            result["database"], result["scale"], scenario, result["path"], result["requests"],
            f"{result['p50_ms']:.1f}", f"{result['p95_ms']:.1f}",
            f"{floor['p95_ms']:.1f}" if floor else "-",
            f"{result['floor_ratio']:.2f}" if floor else "-",
            _sql(result["sql"]), _sql(floor["sql"]) if floor else "-",
            result["target"], _verdict(result["misses"]),
        ])
    return _table(headers, rows, right={1, 4, 5, 6, 7, 8, 9, 10})


def imports_table(results):
    headers = ["database", "rows", "import s", "bulk insert s", "ratio", "target", "verdict"]
    rows = [[result["database"], f"{result['rows']:,}", f"{result['import_s']:.3f}", f"{result['bulk_s']:.3f}",
             f"{result['ratio']:.1f}", result["target"], _verdict(result["misses"])] for result in results]
    return _table(headers, rows, right={1, 2, 3, 4})


def invitations_table(results):
    headers = ["database", "companies", "invite ms", "send ms", "commit ms", "total ms", "rounds (total ms)",
               "mails", "target", "verdict"]
    rows = [[result["database"], result["companies"], f"{result['invite_s'] * 1000:.0f}",
             f"{result['send_s'] * 1000:.0f}", f"{result['commit_s'] * 1000:.0f}",
             f"{result['total_s'] * 1000:.0f}", " ".join(f"{s * 1000:.0f}" for s in result["all_total_s"]),
             result["mails"], result["target"], _verdict(result["misses"])] for result in results]
    return ("Sending invitations: invite() + send_invitations() + commit, fresh database, median of rounds\n"
            + _table(headers, rows, right={1, 2, 3, 4, 5, 7}))


def write_json(run):
    """Write the whole run to bench/results/bench-<timestamp>.json; return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
