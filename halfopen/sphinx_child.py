"""Jupyter Book's build in a child process that can start before its input is final.

Before a rebuild reads its first page, Sphinx spends about a second on work that does not
depend on the executed notebooks: starting Python, importing Sphinx, Jupyter Book and the
extensions, reading the configuration and the table of contents, and loading the pickled
environment of the last build. :mod:`halfopen.build` therefore starts this process while
the chapters execute, and tells it to build once the executed notebooks are staged (or
stops it, when staging shows that the book's structure changed and a fresh build is
needed; a fresh child then starts and builds at once). ``docs/performance.md`` has the
measurements.

The child runs Jupyter Book's own command (``jupyter-book build ARGS``) unchanged, except
that the Sphinx application, once set up, waits for one line on stdin before it builds:

- ``go``: build now, then exit with Jupyter Book's exit code;
- anything else, or end of input: exit at once without building.

Everything the child writes before ``go`` is held back and written, in order, when the
line arrives, so an early start never mixes Sphinx's set-up messages into the runner's
progress, and a child that is stopped says nothing. Usage::

    python -m halfopen.sphinx_child build SRC --path-output OUT --builder html ...
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import IO, NoReturn


class _Held(io.TextIOBase):
    """A text stream that keeps what is written until :meth:`release`, then passes it on."""

    def __init__(self, real: IO[str]):
        self.real = real
        self.parts: list[str] = []
        self.held = True

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes):  # click writes bytes to a stream without a binary buffer
            text = text.decode(self.encoding, errors="replace")
        if self.held:
            self.parts.append(text)
        else:
            self.real.write(text)
        return len(text)

    def flush(self) -> None:
        if not self.held:
            self.real.flush()

    def release(self) -> None:
        self.held = False
        self.real.write("".join(self.parts))
        self.parts.clear()
        self.real.flush()

    def isatty(self) -> bool:  # Sphinx colours its output on a terminal
        return self.real.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.real.encoding


class _Decision:
    """The parent's one line on stdin, read once: build (``go``) or not."""

    def __init__(self, streams: list[_Held]):
        self.streams = streams
        self.answer: bool | None = None

    def go(self) -> bool:
        if self.answer is None:
            self.answer = sys.stdin.readline().strip() == "go"
            if self.answer:
                for s in self.streams:
                    s.release()
        return self.answer


#: First argument of a child set up while chapters execute: it yields the CPU to them.
BACKGROUND = "--background"


def main(argv: list[str]) -> NoReturn:
    """(In the child.) Set up Jupyter Book's build of ``argv``; build when told to.

    With :data:`BACKGROUND` first, the child lowers its CPU priority (``nice`` 10) for good,
    so that its set-up takes only CPU the chapters' kernels leave idle, and it uses the wait
    to warm the build's caches (:func:`halfopen.sphinx_ext.warm_up`). Once told to build
    it has the machine to itself (the chapters have finished and the parent waits), so the
    lower priority costs the build nothing there.
    """
    early = argv[:1] == [BACKGROUND]
    if early:
        if hasattr(os, "nice"):  # POSIX; elsewhere the child just competes for the CPU
            os.nice(10)
        argv = argv[1:]
    out, err = _Held(sys.stdout), _Held(sys.stderr)
    sys.stdout, sys.stderr = out, err
    decision = _Decision([out, err])
    code = 1
    try:
        import jupyter_book.sphinx as jb_sphinx
        from jupyter_book.cli.main import main as jupyter_book_main

        class WaitingSphinx(jb_sphinx.Sphinx):  # type: ignore[misc, valid-type]
            def build(self, force_all: bool = False, filenames: list[str] | None = None) -> None:
                if early:
                    from halfopen.sphinx_ext import warm_up

                    warm_up(self)  # while waiting anyway: fill the caches the build fills first
                if not decision.go():
                    _exit(0)
                super().build(force_all, filenames)

        # Jupyter Book builds with ``jupyter_book.sphinx.Sphinx``; everything else is its own.
        jb_sphinx.Sphinx = WaitingSphinx
        try:
            jupyter_book_main(argv, prog_name="jupyter-book")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report anything, after the parent's decision
        traceback.print_exc()
        code = 1
    # Set-up failed before Sphinx could wait: the parent still decides whether to hear it.
    if not decision.go():
        _exit(0)
    _exit(code)


def _exit(code: int) -> NoReturn:
    """Run the exit handlers, flush the output, and end the process without tearing down.

    Everything the build writes is closed by now; what is left is the interpreter's
    clean-up of Sphinx's modules and objects, which takes about 0.3 s and saves nothing.
    """
    import atexit

    atexit._run_exitfuncs()  # CPython's own, and what a normal exit runs first
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    os._exit(code)


class Child:
    """A started child, as the parent (:mod:`halfopen.build`) sees it."""

    def __init__(self, args: list[str]):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "halfopen.sphinx_child", *args], stdin=subprocess.PIPE, text=True
        )

    @classmethod
    def for_book(cls, src: Path, out: Path, early: bool = False) -> Child:
        """The strict HTML build of the staged book ``src`` into ``out`` (Jupyter Book's layout).

        ``early``: set up while chapters execute, at a lower CPU priority (see :func:`main`).
        """
        return cls(
            ([BACKGROUND] if early else [])
            + [
                "build",
                str(src),
                "--path-output",
                str(out),
                "--builder",
                "html",
                "--warningiserror",
                "--nitpick",
                "--keep-going",
            ]
        )

    def build(self) -> int:
        """Tell the child to build; wait for it; return its exit code."""
        sys.stdout.flush()  # what the parent printed comes before the child's output
        sys.stderr.flush()
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write("go\n")
            self.proc.stdin.close()
        except BrokenPipeError:  # it had already exited: its exit code says how
            pass
        return self.proc.wait()

    def stop(self) -> None:
        """Stop the child without a build (nothing it held back is shown)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass


if __name__ == "__main__":
    main(sys.argv[1:])
