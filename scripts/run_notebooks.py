#!/usr/bin/env python3
"""Execute Feedforward's notebooks headless with the GoNB kernel and check their outputs.

A notebook fails when
  * a cell raises an error (GoNB reports compile errors this way);
  * any output holds a Go panic, a compile error or "exit status N" (a panic in a
    GoNB cell does NOT raise an error in nbclient, so outputs are scanned);
  * a figure that a cell declares in its metadata ("feedforward": {"figures": [...]})
    is not displayed as a PNG by that cell (and, with --figures-dir, not saved).

Usage: run_notebooks.py [--mode quick|full] [--out DIR] [--figures-dir DIR] [NOTEBOOK ...]
"""
import argparse
import json
import os
import re
import shutil
import sys
import time

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
except ImportError as e:  # pragma: no cover - reported to the user
    sys.exit(f"run_notebooks: {e}. Run 'make setup' (it installs JupyterLab and nbclient into .venv).")

KERNEL = "gonb"
BAD = [
    (re.compile(r"^panic: ", re.M), "Go panic"),
    (re.compile(r"^goroutine \d+ \[", re.M), "Go panic (goroutine dump)"),
    (re.compile(r"exit status \d+"), "program exited with non-zero status"),
    (re.compile(r"^# command-line-arguments", re.M), "compile error"),
    (re.compile(r"\.go:\d+:\d+: "), "compile error"),
    (re.compile(r"failed to (parse|compile)", re.I), "GoNB failure"),
    # Notebook cells report failures they catch with fmt.Println("error:", err) and
    # return, so a line that starts with "error:" is a failed cell, not a demonstration.
    (re.compile(r"^error: ", re.M), "cell reported an error"),
]


def cell_text(cell):
    """All text a cell printed, streams joined (GoNB splits them into many pieces)."""
    parts = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            parts.append(o.text)
        elif o.output_type == "error":
            parts.append(o.ename + ": " + o.evalue + "\n" + "\n".join(o.traceback))
        elif o.output_type in ("display_data", "execute_result"):
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in o.data:
                    parts.append(str(o.data[mime]))
    return "".join(parts)


def png_count(cell):
    """How many PNG images the cell displayed."""
    n = 0
    for o in cell.get("outputs", []):
        if o.output_type in ("display_data", "execute_result", "update_display_data"):
            if "image/png" in o.get("data", {}):
                n += 1
            else:
                n += str(o.get("data", {}).get("text/html", "")).count("data:image/png;base64,")
    return n


def check(nb, name, figures_dir):
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        text = cell_text(cell)
        for pat, what in BAD:
            m = pat.search(text)
            if m:
                start = max(0, m.start() - 200)
                snippet = text[start:m.end() + 300].strip()
                problems.append(f"cell {i}: {what}:\n    " + snippet.replace("\n", "\n    "))
                break
        figs = cell.get("metadata", {}).get("feedforward", {}).get("figures", [])
        shown = png_count(cell)
        if shown < len(figs):
            problems.append(f"cell {i}: declares figures {figs} but displayed {shown} PNG(s)")
        if figures_dir:
            for f in figs:
                p = os.path.join(figures_dir, f + ".png")
                if not os.path.isfile(p):
                    problems.append(f"cell {i}: figure {f!r} was not saved as {p}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--mode", choices=["quick", "full"], default="quick")
    ap.add_argument("--out", help="write executed copies here")
    ap.add_argument("--figures-dir", help="save every declared figure as DIR/<notebook>/<name>.png and check it")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    nbs = args.notebooks or sorted(
        os.path.join(root, "notebooks", f) for f in os.listdir(os.path.join(root, "notebooks")) if f.endswith(".ipynb"))
    if not nbs:
        sys.exit("run_notebooks: no notebooks found in notebooks/")
    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        sys.exit("run_notebooks: the Jupyter kernel 'gonb' (Go (gonb)) is not installed. Run 'make setup'.")

    os.environ["FEEDFORWARD_MODE"] = args.mode
    os.environ.setdefault("GOMLX_NO_AUTO_INSTALL", "1")
    failed = []
    t_all = time.time()
    for path in nbs:
        name = os.path.splitext(os.path.basename(path))[0]
        figdir = None
        if args.figures_dir:
            figdir = os.path.abspath(os.path.join(args.figures_dir, name))
            # Start empty, so that a PNG left by an earlier run cannot pass the "saved" check.
            shutil.rmtree(figdir, ignore_errors=True)
            os.makedirs(figdir, exist_ok=True)
            os.environ["FEEDFORWARD_FIGURE_DIR"] = figdir
        else:
            os.environ.pop("FEEDFORWARD_FIGURE_DIR", None)
        nb = nbformat.read(path, as_version=4)
        print(f"notebook {name}: running in {args.mode} mode ...", flush=True)
        t0 = time.time()
        client = NotebookClient(nb, timeout=args.timeout, kernel_name=KERNEL,
                                resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        problems = []
        # The kernel's own log (GoNB logs every cell it runs) goes to a file, not the console,
        # so that failures stand out; its tail is printed when the notebook fails.
        log_path = os.path.join(args.out or os.path.join(root, "build"), name + ".kernel.log")
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        log = open(log_path, "w")
        try:
            client.execute(stdout=log, stderr=log)
        except CellExecutionError as e:
            problems.append("a cell raised an error:\n    " + str(e).strip()[-3000:].replace("\n", "\n    "))
        except (CellTimeoutError, DeadKernelError) as e:
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            log.close()
        problems += check(nb, name, figdir)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            nbformat.write(nb, os.path.join(args.out, os.path.basename(path)))
        dt = time.time() - t0
        if problems:
            failed.append(name)
            print(f"notebook {name}: FAILED after {dt:.0f}s", flush=True)
            for p in problems:
                print("  - " + p, flush=True)
            with open(log_path) as f:
                tail = f.readlines()[-15:]
            print(f"  kernel log ({log_path}), last lines:\n    " + "    ".join(tail), flush=True)
        else:
            print(f"notebook {name}: ok ({dt:.0f}s)", flush=True)
    total = len(nbs)
    print(f"notebooks took {time.time() - t_all:.0f}s")
    print(f"notebooks: {total - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
