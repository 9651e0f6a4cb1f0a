"""``graphcore ARGS`` as its own process, without paying Python's start-up each time.

One server process imports the command line once; each call is a fork of it that runs
``graphcore.cli.main(argv)`` in the given folder with stdin from /dev/null and stdout/stderr
in files, exits with the command's code, and is killed when it outlives its time bound (a
FIFO or a device that is read would block for ever). What a call sees is what
``python -m graphcore ARGS`` sees (the same ``main``, its own process, its own file
descriptors), minus the interpreter's start-up; tests/reliability/test_cli_bad_input.py still
runs the real ``python -m graphcore`` on a sample of bad files.

About a hundred cases of the suite used to start a fresh interpreter each (~0.6 s of CPU).
"""
from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SERVER = r'''
import importlib, json, os, pkgutil, signal, sys, time, traceback
import graphcore.cli as cli
import graphcore.commands as commands
for m in pkgutil.iter_modules(commands.__path__):  # every child starts with them imported
    importlib.import_module(f"graphcore.commands.{m.name}")

def child(req):
    try:
        os.chdir(req["cwd"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, req["out"], os.O_WRONLY | os.O_TRUNC),
                                (2, req["err"], os.O_WRONLY | os.O_TRUNC)):
            os.dup2(os.open(path, flags), fd)
        sys.argv = [sys.argv[0], *req["argv"]]
        code = cli.main(req["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        child(req)
    deadline = time.monotonic() + req["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            rc = None
            break
        time.sleep(0.002)
    print(json.dumps({"rc": rc}), flush=True)
'''


class _Server:
    def __init__(self):
        self.proc = None
        self.folder = Path(tempfile.mkdtemp(prefix="graphcore-cli-"))

    def run(self, argv, cwd, timeout) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, env=dict(os.environ))
            atexit.register(self.close)
        out, err = self.folder / "out", self.folder / "err"
        out.write_bytes(b"")
        err.write_bytes(b"")
        req = {"argv": [str(a) for a in argv], "cwd": str(cwd), "timeout": timeout, "out": str(out), "err": str(err)}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        return {"rc": reply["rc"], "out": out.read_text(encoding="utf-8", errors="replace"),
                "err": err.read_text(encoding="utf-8", errors="replace")}

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


_SERVER = _Server()


def run_graphcore(*argv, cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Like ``subprocess.run([python, -m, graphcore, *argv], capture_output=True, text=True)``;
    raises subprocess.TimeoutExpired when the command outlives ``timeout`` (it is killed)."""
    got = _SERVER.run(argv, Path.cwd() if cwd is None else cwd, timeout)
    if got["rc"] is None:
        raise subprocess.TimeoutExpired(["graphcore", *map(str, argv)], timeout)
    return subprocess.CompletedProcess(["graphcore", *map(str, argv)], got["rc"], got["out"], got["err"])
