"""nginx as a benchmark's peer: one worker in a prefix folder of its own
(its pid, error log and temporary files), serving the caller's `server`
block. What every bench's nginx shares is written here once; a bench says
only what differs: TLS, WebDAV PUTs, how many connections it holds."""

import os
import shutil
import subprocess
import textwrap
import time

from bench import tree, wait_port  # the suite's own, beside this script

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """{user}worker_processes 1;
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_rlimit_nofile {nofile};
events {{ worker_connections {connections}; }}
http {{
    access_log off;
    sendfile on;
    default_type application/octet-stream;
    keepalive_requests 1000000;
    client_body_temp_path {body};
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
{http}
    server {{
        listen 127.0.0.1:{port}{listen};
{server}
    }}
}}
"""

# A `location` that takes WebDAV PUTs of any size into the server's root.
DAV_PUT = """location / {
    dav_methods PUT;
    client_max_body_size 0;
}"""


class NginxPeer:
    """nginx on 127.0.0.1:`port`, its files in `d` (made if missing).

    `server`: the lines of the server block after `listen` (root, TLS,
    locations); `listen`: what follows the address (" ssl",
    " backlog=4096"); `http`: further lines for the http block. Lines are
    given unindented. Request
    bodies wait in `body_temp` (default: in `d`); a WebDAV PUT is renamed
    from there into place, so it belongs on the root's file system. With
    `user`, the worker runs as that user: in a user namespace only the
    caller's user is mapped, and nginx's default "nobody" is not."""

    def __init__(self, d, port, server, listen="", http="", connections=4096, body_temp=None, user=None):
        self.dir, self.port = d, port
        os.makedirs(d, exist_ok=True)
        body = body_temp or os.path.join(d, "body")
        os.makedirs(body, exist_ok=True)
        self.conf = os.path.join(d, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(CONF.format(user="user %s;\n" % user if user else "", d=d, port=port, listen=listen,
                                server=textwrap.indent(server, " " * 8), http=textwrap.indent(http, " " * 4),
                                connections=connections, nofile=max(1024, connections + 64), body=body))
        self.error_log = os.path.join(d, "error.log")
        self.proc = subprocess.Popen([NGINX, "-p", d, "-c", self.conf, "-e", self.error_log],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(port, 30, self.proc):
            self.stop()
            raise RuntimeError("nginx did not start: " + self.errors())
        self.worker = self._worker()

    def _worker(self):
        """The worker (it holds the connections and does the work)."""
        for _ in range(100):
            kids = tree(self.proc.pid)[1:]
            if kids:
                return kids[0]
            time.sleep(0.05)
        raise RuntimeError("nginx has no worker: " + self.errors())

    def pids(self):
        """The master and its worker."""
        return [self.proc.pid, self.worker]

    def errors(self):
        try:
            with open(self.error_log) as f:
                return f.read()[-300:]
        except OSError:
            return "(no error log)"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
