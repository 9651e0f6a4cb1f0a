"""The child process that loads hostile files under an audit hook, and the module name they use as bait."""
from __future__ import annotations

import textwrap

CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])          # where the bait module lives
    import graphcore.cli, graphcore.fileformat, graphcore.datasets, graphcore.engine, graphcore.stepthrough
    from graphcore import cli
    seen = []
    WATCH = ("exec", "compile", "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
             "os.fork", "ctypes.dlopen", "pickle.find_class", "marshal.loads", "import")
    import os
    def module_code(event, args):
        # Python compiling a library module from its own .py file is how imports work.
        name = args[1] if event == "compile" and isinstance(args[1], str) else ""
        return os.path.isfile(name) and not name.startswith(sys.argv[1])
    def hook(event, args):
        if event == "exec":
            return  # running a code object: its source was seen at "compile"
        if event == "compile" and not module_code(event, args):
            src = args[0]
            src = src.decode("utf-8", "replace") if isinstance(src, bytes) else str(src)
            seen.append([event, src])
        elif event.startswith(WATCH) and event != "compile":
            seen.append([event, repr(args)[:200]])
    # Warm up on a plain lesson first, so that lazily imported libraries (sympy for `check`)
    # are loaded before the hook starts listening.
    for argv in (["eval", sys.argv[2]], ["steps", sys.argv[2]], ["check", sys.argv[2]]):
        cli.main(argv)
    sys.addaudithook(hook)
    codes = []
    for path in sys.argv[3:]:
        for argv in (["eval", path], ["steps", path], ["check", path]):
            try:
                codes.append(cli.main(argv))
            except SystemExit as exc:
                codes.append(exc.code)
    sys.stdout.flush()
    print("\\nRESULT " + json.dumps({"events": seen, "codes": codes}))
""")

BAIT = "pwned_bait_module"
