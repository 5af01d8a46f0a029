#!/usr/bin/python3
"""The Tornado peers of scripts/bench.sh, on today's Tornado (6.x).

    tornado_server.py static  PORT ROOT   # StaticFileHandler at /static/<name>
    tornado_server.py chunked PORT ROOT   # the seed's handler at /chunked/<name>

"chunked" is the seed's streaming design, the one Ferry grew out of: read
512 KB of the file, write it, wait until the socket has taken it (flush),
repeat; Content-Length is set from the file size. Both listen on 127.0.0.1
with a listen backlog of 4096 (Ferry's and nginx's in this benchmark), one
process, one thread, access log not configured (Tornado then drops it).
"""
import asyncio
import os
import sys

import tornado.iostream
import tornado.netutil
import tornado.web
from tornado.httpserver import HTTPServer

CHUNK = 512 * 1024


class ChunkedFileHandler(tornado.web.RequestHandler):
    def initialize(self, root):
        self.root = root

    async def get(self, name):
        path = os.path.join(self.root, os.path.basename(name))
        if not os.path.isfile(path):
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Length", str(os.path.getsize(path)))
        with open(path, "rb") as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                self.write(chunk)
                try:
                    await self.flush()
                except tornado.iostream.StreamClosedError:
                    return


async def main():
    mode, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "static":
        routes = [(r"/static/(.*)", tornado.web.StaticFileHandler, {"path": root})]
    elif mode == "chunked":
        routes = [(r"/chunked/(.*)", ChunkedFileHandler, {"root": root})]
    else:
        sys.exit("mode: static or chunked")
    app = tornado.web.Application(routes)
    server = HTTPServer(app)
    server.add_sockets(tornado.netutil.bind_sockets(port, "127.0.0.1", backlog=4096))
    print("listening", port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
