"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests and the bench.

`parse=False` keeps only each message's Message-ID (cheap enough for the 10,000-message
bench). `gate_after=N` makes the server stall the (N+1)th message at RCPT TO until `open_gate()`, so a
test can kill a worker at a known point in the middle of a batch: N messages accepted, one in
flight and not accepted.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>\r\n]+>)", re.M | re.I)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, sink: SMTPSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        sink = self.sink
        if (
            sink.gate_after is not None
            and sink.accepted_count() >= sink.gate_after
            and not sink.gate.is_set()
        ):
            sink.stalled.set()
            while not sink.gate.is_set():
                await asyncio.sleep(0.01)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.parse:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        else:
            found = MESSAGE_ID.search(envelope.content)
            message = {"Message-ID": found.group(1).decode() if found else None}
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPSink:
    def __init__(self, *, gate_after: int | None = None, parse: bool = True):
        self.parse = parse
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.gate_after = gate_after
        self.gate = threading.Event()
        self.stalled = threading.Event()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.gate.set()
        self.controller.stop()

    def open_gate(self) -> None:
        self.gate.set()

    def accepted_count(self) -> int:
        with self.lock:
            return len(self.messages)

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(message["Message-ID"] for message in self.messages)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.accepted_count() >= count:
                return True
            time.sleep(0.05)
        return self.accepted_count() >= count
