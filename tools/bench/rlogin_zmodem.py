#!/usr/bin/env python3
"""A ZMODEM transfer with no JavaScript in its path, for tools/bench/files.ts.

    rlogin_zmodem.py PORT HANDLE PASSWORD download|upload FILE DIR

Logs in over rlogin (RFC 1282: after the handshake the stream is 8-bit clean, with no
escaping to undo), opens the file areas, and prints "ready". On a line from stdin it
starts the transfer: Debian's rz (download FILE into DIR) or sz (upload DIR/FILE) runs
with the connection itself as its stdin and stdout, as a terminal program would. It
exits 0 once the transfer is done (an upload once the board has it in quarantine), or 1
saying why; files.ts times it.
"""
import re
import socket
import subprocess
import sys


def main() -> int:
    port, handle, password, mode, name, cwd = sys.argv[1:7]
    s = socket.create_connection(('127.0.0.1', int(port)), timeout=600, source_address=('127.0.0.2', 0))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b'\0' + handle.encode() + b'\0' + handle.encode() + b'\0ansi/38400\0')
    pending = b''

    def until(pattern: bytes) -> None:
        nonlocal pending
        while not re.search(pattern, pending):
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError(f'closed waiting for {pattern!r}: {pending[-300:]!r}')
            pending = (pending + chunk)[-65536:]
        pending = b''

    until(b'password:')
    s.sendall(password.encode() + b'\r')
    until(b'Command:')
    s.sendall(b'f')
    until(b'uit: ')
    s.sendall(b'd' if mode == 'download' else b'u')
    until(b'download from this area:' if mode == 'download' else b'Start your ZMODEM upload')
    print('ready', flush=True)
    sys.stdin.readline()
    if mode == 'download':
        s.sendall(name.encode() + b'\r')
        # The board answers with "rz\r" and ZRQINIT; nothing has been read past the prompt.
        cmd = ['rz', '-b', '-y']
    else:
        cmd = ['sz', '-b', name]
    # A Python socket with a timeout is non-blocking underneath; rz and sz need blocking I/O.
    s.setblocking(True)
    r = subprocess.run(cmd, stdin=s.fileno(), stdout=s.fileno(), stderr=subprocess.PIPE, cwd=cwd)
    s.settimeout(600)
    if r.returncode != 0:
        print(f'{cmd[0]} exited {r.returncode}: {r.stderr.decode(errors="replace")[-500:]}', file=sys.stderr)
        return 1
    if mode == 'upload':
        until(b'Describe ')
        s.sendall(b'bench upload\r')
        until(rb'1 file\(s\) received')
    s.close()
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001 - one line for the bench to show
        print(f'rlogin_zmodem: {e}', file=sys.stderr)
        sys.exit(1)
