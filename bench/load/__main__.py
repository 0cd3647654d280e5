"""`python -m bench.load` (`make load`): the CRM under load, on a database made for the run and dropped after it.

Runs (`--runs`, all by default):
- postgresql: gunicorn with 3 workers on PostgreSQL;
- sqlite: one app process with threads on a SQLite file, as `make run` serves;
- two-servers: two gunicorn processes (3 workers each) on two ports sharing one PostgreSQL database, with two
  mail workers delivering the outbox of the invitation send to a local SMTP sink meanwhile.
Each: 30 staff and 10 company users arriving at 10 per second, for 60 s; then a burst of 400 RSVP answers through
the public links from 20 clients; then the answers stored are counted. PostgreSQL: LOAD_DATABASE_URL (or
BENCH_DATABASE_URL; any database on the server, a new one is created beside it). Exits 1 when a target is missed.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.load import report
from bench.load.mail import mail_workers, smtp_sink, wait_for_outbox
from bench.load.setup import build, count_answers, outbox_state, run_database
from bench.serving import LOGS, ROOT, _free_port, flask_run, gunicorn
from crm.demo import DEMO_LOGINS

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
RUNS = ("postgresql", "sqlite", "two-servers")
DESCRIPTIONS = {
    "postgresql": "gunicorn, 3 workers, PostgreSQL",
    "sqlite": "one app process with threads (flask run, as make run serves), SQLite file",
    "two-servers": "two gunicorn processes (3 workers each) on two ports, one PostgreSQL, two mail workers",
}


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated, of {', '.join(RUNS)}")
    parser.add_argument("--seconds", type=int, default=60, help="how long the staff and company users work")
    parser.add_argument("--staff", type=int, default=30)
    parser.add_argument("--company-users", type=int, default=10)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users arriving per second")
    parser.add_argument("--arrivals", choices=("even", "batched"), default="even",
                        help="even: one person every 1/rate seconds; batched: as locust spawns them, "
                             "the rate at once each second")
    parser.add_argument("--burst", type=int, default=400, help="RSVP answers in the burst")
    parser.add_argument("--burst-clients", type=int, default=20)
    return parser.parse_args(argv)


def _tree_cpu(processes):
    """CPU seconds used so far by the processes and their children."""
    total = 0.0
    for process in processes:
        try:
            tree = [psutil.Process(process.pid)]
            tree += tree[0].children(recursive=True)
        except psutil.NoSuchProcess:
            continue
        for member in tree:
            try:
                times = member.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy():
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _locust(plan_path, hosts, classes, users, spawn_rate, seconds, label, extra_env):
    """Run locust headless (its CPU seconds measured: it is the only child reaped meanwhile); its samples."""
    samples_path = LOGS / f"load-{label}-samples.json"
    samples_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--users", str(users),
               "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s", "--stop-timeout", "10",
               "--only-summary", "--loglevel", "WARNING", *classes]
    env = {**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_SAMPLES": str(samples_path),
           "LOAD_HOSTS": ",".join(hosts), **extra_env}
    cpu_before = _children_cpu()
    with open(LOGS / f"load-{label}-locust.log", "w") as log:  # noqa: PTH123
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=log, check=False)
    if not samples_path.exists():
        raise RuntimeError(f"locust wrote no samples; see {LOGS / f'load-{label}-locust.log'}")
    import json

    return json.loads(samples_path.read_text()), _children_cpu() - cpu_before


#: Rounds of every page per server before the load, so that each worker has imported what it imports lazily and
#: compiled its templates: the load meets servers as they are in use, not just started.
WARMUP_ROUNDS = 4


def warm_up(server, plan):
    """Request each kind of page WARMUP_ROUNDS times, as demo staff and as the demo company user."""
    staff_pages = ["/companies/", "/companies/?q=holmen", f"/companies/{plan.company_ids[0]}", "/meetings/",
                   f"/meetings/{plan.meeting_id}", f"/meetings/{plan.meeting_id}/checkin", "/groups/",
                   f"/groups/{plan.group_slugs[0]}", "/contributions/"]
    for email, password, pages in ((DEMO_LOGINS[1][0], DEMO_LOGINS[1][1], staff_pages),
                                   (DEMO_LOGINS[2][0], DEMO_LOGINS[2][1], ["/portal/", "/portal/company",
                                                                           "/portal/meetings"])):
        server.cookies.clear()
        server.login(email, password)
        for _ in range(WARMUP_ROUNDS):
            for path in [*pages, plan.burst[0][0]]:
                answer = server.get(path)
                if answer.status != 200:
                    raise RuntimeError(f"warming up: {path} answered {answer.status}")
    server.cookies.clear()


def drive(args, name, url, plan, servers, sink=None):
    """The load, then the burst, against the running servers; the run's figures."""
    plan_path = plan.write(LOGS / f"load-{name}-plan.json")
    for server in servers:
        warm_up(server, plan)
    hosts = [f"http://127.0.0.1:{server.port}" for server in servers]
    processes = [server.process for server in servers]
    print(f"  {name}: {args.staff} staff + {args.company_users} company users for {args.seconds} s", file=sys.stderr)
    server_cpu, machine = _tree_cpu(processes), _machine_busy()
    started = time.monotonic()
    samples, locust_cpu = _locust(plan_path, hosts, ["StaffUser", "CompanyUser"], args.staff + args.company_users,
                                  args.spawn_rate, args.seconds, f"{name}-load",
                                  {"LOAD_STAFF": str(args.staff), "LOAD_COMPANY": str(args.company_users),
                                   "LOAD_ARRIVAL_RATE": str(args.spawn_rate) if args.arrivals == "even" else ""})
    wall = time.monotonic() - started
    server_cpu, machine = _tree_cpu(processes) - server_cpu, _machine_busy() - machine
    cores = psutil.cpu_count()
    cpu = {"locust_s": locust_cpu, "locust_core_pct": 100 * locust_cpu / wall,
           "locust_machine_pct": 100 * locust_cpu / machine if machine else 0.0, "servers_s": server_cpu,
           "machine_busy_pct": 100 * machine / (wall * cores), "cores": cores, "wall_s": wall,
           "servers_ms_per_request": 1000 * server_cpu / max(1, len(samples)), "load_average": os.getloadavg()}

    print(f"  {name}: burst of {len(plan.burst)} RSVP answers from {args.burst_clients} clients", file=sys.stderr)
    burst_since = datetime.now(UTC)
    burst_samples, _ = _locust(plan_path, hosts, ["RsvpClient"], args.burst_clients, args.burst_clients, 120,
                               f"{name}-burst", {})
    run = {
        "name": name, "description": DESCRIPTIONS[name], "users": args.staff + args.company_users,
        "spawn_rate": args.spawn_rate, "arrivals": args.arrivals, "seconds": args.seconds,
        "burst_clients": args.burst_clients,
        "judge_p95": name != "sqlite", "load": report.pages(samples), "load_requests": len(samples), "cpu": cpu,
        "timeline": report.timeline(samples),
        "burst": {"pages": report.pages(burst_samples), "seconds": report.span_seconds(burst_samples),
                  "answers": count_answers(url, plan, burst_since)},
    }
    if sink is not None:
        drain = wait_for_outbox(lambda: outbox_state(url)[0], timeout=180)
        by_status, sent_ids = outbox_state(url)
        received = dict(sink.received)
        run["mail"] = {
            "outbox": sum(by_status.values()), "by_status": by_status, "sent": len(sent_ids),
            "received": sum(received.values()), "distinct": len(received),
            "duplicates": sum(count - 1 for count in received.values() if count > 1),
            "lost": len(set(sent_ids) - set(received)), "not_sent": sum(by_status.values()) - len(sent_ids),
            "unknown": len(set(received) - set(sent_ids)), "drain_s": drain,
        }
    report.judge(run)
    return run


def _env(url, base_url):
    # The secret key of bench_config, which signed the RSVP links of the plan's mails.
    return {"DATABASE_URL": url, "HOLME_ENV": "development", "SECRET_KEY": "bench", "BASE_URL": base_url,
            "MAIL_SERVER": ""}


def _build(args, url, base_url):
    print(f"  building the demo network on {url.split('@')[-1]}", file=sys.stderr)
    return build(url, staff=args.staff, company_users=args.company_users, burst=args.burst, base_url=base_url)


def run_postgresql(args, server_url):
    with run_database("postgresql", server_url) as url:
        port = _free_port()
        plan = _build(args, url, f"http://127.0.0.1:{port}")
        with gunicorn("wsgi:app", _env(url, f"http://127.0.0.1:{port}"), "load-postgresql", workers=3,
                      port=port) as server:
            return drive(args, "postgresql", url, plan, [server])


def run_sqlite(args, server_url):
    with run_database("sqlite", server_url) as url:
        plan = _build(args, url, "http://127.0.0.1")
        with flask_run(_env(url, "http://127.0.0.1"), "load-sqlite") as server:
            return drive(args, "sqlite", url, plan, [server])


def run_two_servers(args, server_url):
    with run_database("postgresql", server_url) as url, ExitStack() as stack:
        ports = [_free_port(), _free_port()]
        base_url = f"http://127.0.0.1:{ports[0]}"
        plan = _build(args, url, base_url)
        env = _env(url, base_url)
        servers = [stack.enter_context(gunicorn("wsgi:app", env, f"load-two-servers-{n}", workers=3, port=port))
                   for n, port in enumerate(ports, start=1)]
        sink, sink_port = stack.enter_context(smtp_sink())
        stack.enter_context(mail_workers(2, {**os.environ, **env}, sink_port))
        return drive(args, "two-servers", url, plan, servers, sink=sink)


RUNNERS = {"postgresql": run_postgresql, "sqlite": run_sqlite, "two-servers": run_two_servers}


def main(argv=None):
    args = _arguments(argv)
    server_url = os.environ.get("LOAD_DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER
    LOGS.mkdir(parents=True, exist_ok=True)
    result = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "arguments": vars(args),
              "environment": {"python": platform.python_version(), "platform": platform.platform(),
                              "cpus": os.cpu_count(), "load_average_before": os.getloadavg()},
              "runs": []}
    for name in args.runs.split(","):
        result["runs"].append(RUNNERS[name](args, server_url))
        print(report.run_table(result["runs"][-1]) + "\n")
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"written to {report.write_json(result)}")
    return 1 if any(run["misses"] for run in result["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
