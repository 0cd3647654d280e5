"""The mail side of the two-server run: a local SMTP sink that notes every Message-ID it is given, and the
`flask mail worker` processes that deliver the outbox to it."""

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager

from aiosmtpd.controller import Controller

from bench.serving import LOGS, ROOT, _free_port

SINK_NICE = 10
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Sink:
    """An aiosmtpd handler counting the messages it accepts by Message-ID.

    It stands for the mail relay, which in production runs on another machine: its thread runs at a low CPU
    priority, so that on this shared machine it takes only what the app servers leave.
    """

    def __init__(self):
        self.received = Counter()
        self.lock = threading.Lock()
        self.lowered = False

    async def handle_DATA(self, server, session, envelope):
        if not self.lowered:  # the controller's thread (Linux gives each thread its own niceness)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SINK_NICE)
            self.lowered = True
        found = MESSAGE_ID.search(envelope.original_content or envelope.content)
        with self.lock:
            self.received[found.group(1).decode() if found else "(none)"] += 1
        return "250 OK"

    @property
    def total(self):
        with self.lock:
            return sum(self.received.values())


@contextmanager
def smtp_sink():
    """A running sink on a free local port: (sink, port)."""
    sink, port = Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@contextmanager
def mail_workers(count, env, port):
    """`count` mail workers delivering the outbox to 127.0.0.1:`port`; stopped (SIGTERM, as an operator would)
    afterwards."""
    env = {**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker", "--poll-seconds", "0.5"]
    with ExitStack() as stack:
        processes = []
        for number in range(1, count + 1):
            log = stack.enter_context(open(LOGS / f"load-mail-worker-{number}.log", "w"))  # noqa: PTH123
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
        try:
            yield processes
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_for_outbox(state, timeout):
    """Wait until `state()` (the outbox by status) has nothing queued or sending; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        by_status = state()
        if not by_status.get("queued") and not by_status.get("sending"):
            break
        time.sleep(1)
    return time.monotonic() - started
