"""A real SMTP server for mail tests: aiosmtpd on a free local port, keeping every message it accepts.

It can refuse given recipients with a permanent (550) or temporary (451) answer, answer slowly, and be
stopped and started again on the same port (a mail server that is down).
"""

import asyncio
import email
import socket
import threading
import time
from dataclasses import dataclass
from email import policy

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def parsed(self):
        return email.message_from_bytes(self.data, policy=policy.default)

    @property
    def message_id(self):
        return self.parsed()["Message-ID"]


class SMTPSink:
    """An SMTP server on 127.0.0.1:<port> that records what it accepts (thread-safe)."""

    def __init__(self, *, delay=0.0):
        self.host = "127.0.0.1"
        self.port = free_port()
        #: Seconds the server waits after DATA before it accepts a message.
        self.delay = delay
        #: Whether a message is kept before the delay (queued, the answer slow: a client dying in the delay never
        #: learns the message went) or only after it (a client dying in the delay takes the message with it).
        self.keeps_before_answering = False
        self._lock = threading.Lock()
        self._messages = []
        self._refusals = {}  # address -> [reply, times left or None for always]
        self._controller = None
        self._reading = 0  # messages between DATA and the server's answer

    # Control.
    def start(self):
        if self._controller is None:
            self._controller = Controller(self, hostname=self.host, port=self.port, enable_SMTPUTF8=True)
            self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self):
        return self._controller is not None

    def refuse(self, address, reply, times=None):
        """Answer RCPT TO:<address> with reply (e.g. "550 5.1.1 ..."), always or for the next `times` tries."""
        with self._lock:
            self._refusals[address.lower()] = [reply, times]

    def reset(self):
        with self._lock:
            self._messages.clear()
            self._refusals.clear()
        self.delay = 0.0
        self.keeps_before_answering = False

    # What arrived.
    @property
    def messages(self):
        with self._lock:
            return list(self._messages)

    @property
    def busy(self):
        """Whether the server is taking in a message right now (after DATA, before its answer)."""
        with self._lock:
            return self._reading > 0

    def message_ids(self):
        return [message.message_id for message in self.messages]

    def wait_for(self, count, timeout=20.0):
        """Wait until at least count messages have arrived; the messages (fails the test on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages
            if len(messages) >= count:
                return messages
            time.sleep(0.02)
        raise AssertionError(f"SMTP server got {len(self.messages)} messages, expected {count} within {timeout} s")

    def _keep(self, received):
        with self._lock:
            self._messages.append(received)

    # aiosmtpd handler hooks.
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            refusal = self._refusals.get(address.lower())
            if refusal is not None:
                reply, times = refusal
                if times is not None:
                    refusal[1] -= 1
                    if refusal[1] <= 0:
                        del self._refusals[address.lower()]
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self._reading += 1
        try:
            received = Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.original_content))
            if self.keeps_before_answering:  # queued at the final ".", then slow to say so
                self._keep(received)
            if self.delay:
                await asyncio.sleep(self.delay)  # a client that goes away now cancels this
            if not self.keeps_before_answering:
                self._keep(received)
            return "250 2.0.0 Message accepted for delivery"
        finally:
            with self._lock:
                self._reading -= 1
