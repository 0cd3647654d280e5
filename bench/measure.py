"""Measuring pages: each scenario's path requested from the CRM and from the floor, one request at a time."""

import re
import statistics
import sys
import time

from bench.api import RATE_LIMIT as API_RATE_LIMIT
from bench.datasets import STAFF_EMAIL, STAFF_PASSWORD
from bench.portal import PORTAL_EMAIL, PORTAL_PASSWORD
from bench.serving import gunicorn

WARMUP = 5
#: A scenario stops early once it has run this long, if it has at least MIN_REQUESTS requests.
MIN_REQUESTS = 30
SQL_HEADER = "X-SQL-Statements"
#: "394 virksomheder" on the CRM's list and on the floor's ("Over 5.000 virksomheder" past the count's cap).
RESULT_COUNT = re.compile(r"(Over )?([\d.]+) virksomhed")


def percentile(values, percent):
    """The percentile by linear interpolation between the closest ranks (the "inclusive" method)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def sample(clients, path, requests, max_seconds, headers=None):
    """Latency (ms, send to last byte) and SQL statements of sequential GETs of `path` (with the request headers
    given) from each client.

    The clients take turns request by request, so a load elsewhere on the machine falls on all of them alike.
    """
    for _ in range(WARMUP):
        for client in clients:
            _checked(client.get(path, headers), path)
    latencies = [[] for _ in clients]
    statements = [[] for _ in clients]
    answers = [None for _ in clients]
    deadline = time.monotonic() + max_seconds
    for _ in range(requests):
        for index, client in enumerate(clients):
            answers[index] = answer = _checked(client.get(path, headers), path)
            latencies[index].append(answer.seconds * 1000)
            statements[index].append(int(answer.headers.get(SQL_HEADER, -1)))
        if time.monotonic() > deadline and len(latencies[0]) >= MIN_REQUESTS:
            break
    return [_summary(*measured) for measured in zip(latencies, statements, answers, strict=True)]


def _summary(latencies, statements, last):
    return {
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "mean_ms": statistics.fmean(latencies),
        "max_ms": max(latencies),
        "sql": sorted(set(statements)),
        "bytes": len(last.body),
        "result_count": _result_count(last.text),
    }


def _checked(answer, path):
    if answer.status != 200:
        raise RuntimeError(f"GET {path} answered {answer.status}")
    return answer


def _result_count(page):
    found = RESULT_COUNT.search(page)
    if found is None:
        return None
    number = int(found.group(2).replace(".", ""))
    return f"over {number}" if found.group(1) else number


LOGINS = {"staff": (STAFF_EMAIL, STAFF_PASSWORD), "company": (PORTAL_EMAIL, PORTAL_PASSWORD)}


def measure_pages(dataset, scenarios, *, requests, max_seconds):
    """Serve the CRM and the floor on the dataset, and measure every scenario on both; one result per scenario."""
    env = {"DATABASE_URL": dataset.url, "HOLME_ENV": "development", "SECRET_KEY": "bench", "HOLME_SQL_COUNT": "1",
           "API_RATE_LIMIT": API_RATE_LIMIT}
    label = f"{dataset.database}-scale-{dataset.scale}"
    results = []
    with gunicorn("wsgi:app", env, f"crm-{label}") as crm, gunicorn("bench.floor:create_app()", env,
                                                                     f"floor-{label}") as floor:
        logged_in = None
        for scenario in scenarios:
            if scenario.user != logged_in:
                crm.cookies.clear()
                crm.login(*LOGINS[scenario.user])
                logged_in = scenario.user
            path = scenario.path(dataset)
            print(f"  {dataset.database} scale {dataset.scale}: {scenario.name} ({path})", file=sys.stderr)
            clients = [crm, floor] if scenario.floor else [crm]
            measured = sample(clients, path, requests, max_seconds, scenario.headers)
            result = {"database": dataset.database, "scale": dataset.scale, "area": scenario.area,
                      "scenario": scenario.name, "path": path, "note": scenario.note(dataset), **measured[0]}
            if scenario.floor:
                result["floor"] = measured[1]
                result["floor_ratio"] = result["p95_ms"] / measured[1]["p95_ms"]
                if result["result_count"] != measured[1]["result_count"]:
                    print(f"  warning: {path} lists {result['result_count']} companies, its floor "
                          f"{measured[1]['result_count']}", file=sys.stderr)
            results.append(result)
    return results
