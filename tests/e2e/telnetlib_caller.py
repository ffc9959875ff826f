#!/usr/bin/env python3
"""Python 3's telnetlib as a caller: it refuses every option and only answers when the
script reads, so it plays a slow, refusing client. Logs in, checks who's online, logs off.
usage: telnetlib_caller.py <port> <handle> <password> <other-handle>"""
import re
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import telnetlib  # noqa: E402  (removed in 3.13; 3.11 is on these machines)

port, handle, password, other = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
t = telnetlib.Telnet("127.0.0.1", int(port), timeout=20)


def need(pattern: bytes, what: str) -> bytes:
    idx, match, text = t.expect([re.compile(pattern, re.S)], timeout=20)
    if idx < 0:
        print(f"FAIL: {what}; got {text[-300:]!r}")
        sys.exit(1)
    return text


need(rb"login:", "no login prompt")
t.write(handle.encode() + b"\r\n")
need(rb"password:", "no password prompt")
t.write(password.encode() + b"\r\n")
need(rb"Command:", "no main menu")
t.write(b"w")
text = need(rb"press a key", "no who's online list")
if handle.encode() not in text or other.encode() not in text:
    print(f"FAIL: who's online lacks {handle} or {other}: {text[-600:]!r}")
    sys.exit(1)
t.write(b" ")
need(rb"Command:", "no menu after the list")
t.write(b"g")
need(rb"Goodbye", "no goodbye")
try:
    rest = t.read_all()
except EOFError:
    pass
print("OK")
