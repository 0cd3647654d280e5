"""A TCP forwarder a test puts between the app and PostgreSQL, to take the database away and bring it back.

The app's DATABASE_URL names the forwarder's port; every connection it accepts is relayed to the real server.
`cut()` is the database going away: every relayed connection is shut down in both directions (the app reads
end-of-file, the server ends the session and rolls back its open transaction) and the listening socket is closed,
so new connections are refused, as by a server that is restarting. `restore()` listens again on the same port.
The shared PostgreSQL server itself is never touched.
"""

import select
import socket
import threading
from contextlib import contextmanager


class Forwarder:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.host = "127.0.0.1"
        self.port = 0  # chosen at the first start
        self._lock = threading.Lock()
        self._sockets = set()
        self._pumps = set()
        self._listener = None
        self._acceptor = None
        self._stopping = threading.Event()
        #: Connections accepted since the start (each one a connection the app opened).
        self.accepted = 0

    # Control.
    def start(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._acceptor = threading.Thread(target=self._accept_loop, name="forwarder-accept", daemon=True)
        self._acceptor.start()
        return self

    def cut(self):
        """The database goes away: refuse new connections and break every open one; returns when all are gone."""
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
            self._acceptor = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, pumps = list(self._sockets), list(self._pumps)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone
        for pump in pumps:
            pump.join(timeout=5)

    def restore(self):
        """The database is back, on the same address (nothing to do if it never went)."""
        return self if self.running else self.start()

    stop = cut

    @property
    def running(self):
        return self._listener is not None

    @property
    def open_connections(self):
        with self._lock:
            return len(self._sockets) // 2

    @contextmanager
    def outage(self):
        self.cut()
        try:
            yield
        finally:
            self.restore()

    # Work.
    def _accept_loop(self):
        listener = self._listener
        while not self._stopping.is_set():
            readable, _, _ = select.select([listener], [], [], 0.05)
            if not readable or self._stopping.is_set():
                continue
            try:
                client, _ = listener.accept()
            except OSError:
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pump = threading.Thread(target=self._pump, args=(client, upstream), name="forwarder-pump", daemon=True)
            with self._lock:
                self.accepted += 1
                self._sockets.update((client, upstream))
                self._pumps.add(pump)
            pump.start()

    def _pump(self, client, upstream):
        peers = {client: upstream, upstream: client}
        try:
            while True:
                readable, _, _ = select.select(list(peers), [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except OSError:
            return
        finally:
            for sock in peers:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            with self._lock:
                self._sockets.difference_update(peers)
                self._pumps.discard(threading.current_thread())
