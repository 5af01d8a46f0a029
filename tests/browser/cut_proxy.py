"""A TCP relay on 127.0.0.1 between a browser and Ferry that can pace what
the browser sends, cut every connection at once and, while held, refuse new
ones: what a phone walking out of Wi-Fi range does to an upload or to its
page's event stream, on loopback."""

import socket
import threading
import time


class CutProxy:
    def __init__(self, target_port, bytes_per_second=None):
        self.target_port = target_port
        self.rate = bytes_per_second
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.open = []
        self.cuts = 0
        self.forwarded = 0  # bytes passed on to the server, every connection
        self.closing = False
        self.holding = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.holding:  # out of range: the browser sees the connection fail
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.open += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, self.rate, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, None, False), daemon=True).start()

    def _pipe(self, src, dst, rate, upstream):
        try:
            while True:
                data = src.recv(16384)
                if not data:
                    break
                dst.sendall(data)
                if upstream:
                    with self.lock:
                        self.forwarded += len(data)
                if rate:
                    time.sleep(len(data) / rate)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        """Drops every connection open now (both sides see it end)."""
        with self.lock:
            victims, self.open = self.open, []
            self.cuts += 1
        for s in victims:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def hold(self, on):
        """While on, each new connection is closed at once, unanswered."""
        self.holding = on

    def close(self):
        self.closing = True
        self.listener.close()
        self.cut()
