#!/usr/bin/python3
"""Answers, on a private D-Bus, the part of Avahi's D-Bus API Ferry calls
(avahi-daemon/org.freedesktop.Avahi.Server.xml and
org.freedesktop.Avahi.EntryGroup.xml), and records what was announced.
Nothing is sent on any network: it only keeps the services in memory.

    fake_avahi.py BUS_ADDRESS HOST_FQDN

Besides Avahi's interfaces it offers org.ferry.FakeAvahi on "/":
Services() -> JSON list of the committed services ({name, type, port,
domain, host, group}); SetState(i) emits Server.StateChanged.
Prints "ready" on stdout once it owns org.freedesktop.Avahi.
"""

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

SERVER = "org.freedesktop.Avahi.Server"
GROUP = "org.freedesktop.Avahi.EntryGroup"
TEST = "org.ferry.FakeAvahi"
RUNNING, ESTABLISHED = 2, 2


class EntryGroup(dbus.service.Object):
    def __init__(self, bus, path, owner, server):
        super().__init__(bus, path)
        self.path, self.owner, self.server = path, owner, server
        self.pending, self.committed = [], []

    @dbus.service.method(GROUP, in_signature="iiussssqaay", out_signature="")
    def AddService(self, interface, protocol, flags, name, type_, domain, host, port, txt):
        self.pending.append({"name": str(name), "type": str(type_), "port": int(port),
                             "domain": str(domain), "host": str(host), "group": self.path})

    @dbus.service.method(GROUP, in_signature="", out_signature="")
    def Commit(self):
        self.committed = list(self.pending)
        self.StateChanged(ESTABLISHED, "")

    @dbus.service.method(GROUP, in_signature="", out_signature="")
    def Reset(self):
        self.pending, self.committed = [], []

    @dbus.service.method(GROUP, in_signature="", out_signature="")
    def Free(self):
        self.server.groups.pop(self.path, None)
        self.remove_from_connection()

    @dbus.service.method(GROUP, in_signature="", out_signature="i")
    def GetState(self):
        return ESTABLISHED if self.committed else 0

    @dbus.service.signal(GROUP, signature="is")
    def StateChanged(self, state, error):
        pass


class Server(dbus.service.Object):
    def __init__(self, bus, fqdn):
        super().__init__(bus, "/")
        self.bus, self.fqdn, self.state = bus, fqdn, RUNNING
        self.groups, self.count = {}, 0

    @dbus.service.method(SERVER, in_signature="", out_signature="i")
    def GetState(self):
        return self.state

    @dbus.service.method(SERVER, in_signature="", out_signature="s")
    def GetHostNameFqdn(self):
        return self.fqdn

    @dbus.service.method(SERVER, in_signature="s", out_signature="s")
    def GetAlternativeServiceName(self, name):
        return name + " #2"

    @dbus.service.method(SERVER, in_signature="", out_signature="o", sender_keyword="sender")
    def EntryGroupNew(self, sender=None):
        self.count += 1
        path = "/Client1/EntryGroup%d" % self.count
        self.groups[path] = EntryGroup(self.bus, path, sender, self)
        return dbus.ObjectPath(path)

    @dbus.service.signal(SERVER, signature="is")
    def StateChanged(self, state, error):
        pass

    @dbus.service.method(TEST, in_signature="", out_signature="s")
    def Services(self):
        return json.dumps([s for g in self.groups.values() for s in g.committed])

    @dbus.service.method(TEST, in_signature="i", out_signature="")
    def SetState(self, state):
        self.state = int(state)
        self.StateChanged(self.state, "")


def main():
    address, fqdn = sys.argv[1], sys.argv[2]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    server = Server(bus, fqdn)
    name = dbus.service.BusName("org.freedesktop.Avahi", bus)
    print("ready", flush=True)
    GLib.MainLoop().run()
    del name, server


if __name__ == "__main__":
    main()
