"""The load test's figures: per page from locust's samples, the targets and verdicts, the printed tables."""

import json
from datetime import datetime

from bench.datasets import RESULTS
from bench.measure import percentile
from bench.report import _table, _verdict

#: "p95 per page under 300 ms" (issue: Under load and faults), logins included.
MAX_P95_MS = 300
MAX_BURST_S = 30


#: How the people arrived (python -m bench.load --arrivals).
ARRIVALS = {"even": "one after another", "batched": "in batches of the rate each second, as locust spawns"}


def pages(samples):
    """Per request name: requests, failures (with the statuses seen), p50, p95 and max in ms."""
    by_name = {}
    for name, ms, failed, status, _ended in samples:
        row = by_name.setdefault(name, {"name": name, "times": [], "failures": 0, "statuses": {}})
        row["times"].append(ms)
        row["failures"] += bool(failed)
        row["statuses"][str(status)] = row["statuses"].get(str(status), 0) + 1
    rows = []
    for row in by_name.values():
        times = sorted(row.pop("times"))
        rows.append({**row, "requests": len(times), "p50_ms": percentile(times, 50),
                     "p95_ms": percentile(times, 95), "max_ms": times[-1]})
    return sorted(rows, key=lambda row: row["name"])


def timeline(samples, step=10):
    """p50 and p95 of every request, by when it started: [(from s, requests, p50 ms, p95 ms)] per `step` seconds.
    Shows whether the wave of logins at the start holds up the pages behind it, and for how long."""
    if not samples:
        return []
    starts = [ended - ms / 1000 for _name, ms, _failed, _status, ended in samples]
    first = min(starts)
    buckets = {}
    for start, (_name, ms, *_rest) in zip(starts, samples, strict=True):
        buckets.setdefault(int((start - first) // step) * step, []).append(ms)
    return [(since, len(times), percentile(sorted(times), 50), percentile(sorted(times), 95))
            for since, times in sorted(buckets.items())]


def span_seconds(samples):
    """From the first request's start to the last one's end."""
    starts = [ended - ms / 1000 for _name, ms, _failed, _status, ended in samples]
    ends = [ended for *_rest, ended in samples]
    return max(ends) - min(starts) if samples else 0.0


def judge(run):
    """The run's misses against the targets, as short texts (also stored in the run)."""
    misses = []
    failed = sum(page["failures"] for page in run["load"] + run["burst"]["pages"])
    if failed:
        misses.append(f"{failed} failed requests")
    slow = [page for page in run["load"] if page["p95_ms"] >= MAX_P95_MS]
    if run["judge_p95"] and slow:  # the pages of the load; the burst has its own target, its time
        misses.append(f"p95 >= {MAX_P95_MS} ms on {len(slow)} of {len(run['load'])} pages (worst: "
                      f"{worst(run)['name']}, {worst(run)['p95_ms']:.0f} ms)")
    burst = run["burst"]
    if burst["seconds"] >= MAX_BURST_S:
        misses.append(f"burst {burst['seconds']:.1f} s")
    answers = burst["answers"]
    if answers["stored_as_sent"] != answers["sent"] or answers["audited_once"] != answers["sent"]:
        misses.append(f"RSVP answers stored {answers['stored_as_sent']}/{answers['sent']}, recorded once "
                      f"{answers['audited_once']}, twice {answers['audited_twice_or_more']}, "
                      f"missing {answers['missing']}")
    mail = run.get("mail")
    if mail and (mail["duplicates"] or mail["lost"] or mail["not_sent"]):
        misses.append(f"mail: {mail['duplicates']} sent twice, {mail['lost']} lost, {mail['not_sent']} not sent")
    run["misses"] = misses
    return misses


def worst(run):
    """The page of the load with the highest p95."""
    return max(run["load"], key=lambda page: page["p95_ms"])


def run_table(run):
    """One run: a line per page, then the burst, the CPU shares and the mail, then the verdict."""
    headers = ["page", "n", "failed", "p50 ms", "p95 ms", "max ms", "target", "verdict"]
    target = f"p95<{MAX_P95_MS}ms, 0 failed" if run["judge_p95"] else "0 failed"
    rows = []
    for page, in_burst in [(page, False) for page in run["load"]] + [(page, True) for page in run["burst"]["pages"]]:
        misses = []
        if page["failures"]:
            misses.append(f"{page['failures']} failed {page['statuses']}")
        if run["judge_p95"] and not in_burst and page["p95_ms"] >= MAX_P95_MS:
            misses.append(f"p95 {page['p95_ms']:.0f}ms")
        rows.append([page["name"], page["requests"], page["failures"], f"{page['p50_ms']:.0f}",
                     f"{page['p95_ms']:.0f}", f"{page['max_ms']:.0f}",
                     f"0 failed, burst<{MAX_BURST_S}s" if in_burst else target, _verdict(misses)])
    burst, cpu, answers = run["burst"], run["cpu"], run["burst"]["answers"]
    slowest = worst(run)
    lines = [
        f"== {run['name']}: {run['description']}",
        _table(headers, rows, right={1, 2, 3, 4, 5}),
        f"worst p95: {slowest['name']} ({slowest['p95_ms']:.0f} ms)",
        f"load: {run['users']} users arriving at {run['spawn_rate']}/s "
        f"({ARRIVALS[run.get('arrivals', 'batched')]}) for {run['seconds']} s, "
        f"{run['load_requests']} requests ({run['load_requests'] / run['seconds']:.1f}/s)",
        "all pages by start time (s: p50/p95 ms): " + ", ".join(
            f"{since}-{since + 10}: {p50:.0f}/{p95:.0f}" for since, _n, p50, p95 in run["timeline"]),
        f"burst: {answers['sent']} RSVP answers from {run['burst_clients']} clients in {burst['seconds']:.1f} s "
        f"(target < {MAX_BURST_S} s); stored as sent {answers['stored_as_sent']}, recorded exactly once "
        f"{answers['audited_once']}, more than once {answers['audited_twice_or_more']}, "
        f"missing {answers['missing']}",
        f"CPU during the load: load generator (locust) {cpu['locust_s']:.1f} s = {cpu['locust_core_pct']:.0f} % of one "
        f"core, {cpu['locust_machine_pct']:.0f} % of the machine's busy CPU; app servers {cpu['servers_s']:.1f} s "
        f"({cpu['servers_ms_per_request']:.0f} ms a request); machine busy {cpu['machine_busy_pct']:.0f} % of "
        f"{cpu['cores']} cores, load average {cpu['load_average'][0]:.1f} (other work on the machine included)",
    ]
    if run.get("mail"):
        mail = run["mail"]
        lines.append(f"mail: {mail['outbox']} mails in the outbox, {mail['sent']} marked sent, sink received "
                     f"{mail['received']} ({mail['distinct']} distinct), sent twice {mail['duplicates']}, lost "
                     f"{mail['lost']}, drained {mail['drain_s']:.0f} s after the burst")
    lines.append("verdict: " + _verdict(run["misses"]))
    return "\n".join(lines)


def write_json(result):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"load-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
