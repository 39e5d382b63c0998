"""Line numbers for dotted paths in a TOML text that has already parsed.

``tomllib`` gives values without positions and ``tomlkit`` keeps the layout
but exposes no line numbers, so this scanner walks the text once and records
the line where each key, table header and array item starts. It runs only on
text ``tomllib`` accepted, so it need not diagnose anything: a path it cannot
place falls back to its nearest placed parent.
"""

from __future__ import annotations

import bisect
import tomllib

from servicekit._fileformat import Path

__all__ = ["line_of", "locate"]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.newlines = [k for k, c in enumerate(text) if c == "\n"]
        self.lines: dict[Path, int] = {}
        self.aot: dict[Path, int] = {}

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def mark(self, path: Path, pos: int) -> None:
        self.lines.setdefault(path, self.line(pos))

    def mark_keys(self, base: Path, keys: tuple[str, ...], pos: int) -> None:
        # A dotted key (a.b = 1) also places the tables it opens.
        for n in range(1, len(keys) + 1):
            self.mark((*base, *keys[:n]), pos)

    def skip(self, newlines: bool) -> None:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end
            else:
                return

    def string_end(self, start: int) -> int:
        s = self.s
        for quote in ('"""', "'''"):
            if s.startswith(quote, start):
                k = start + 3
                while True:
                    if quote == '"""' and s[k] == "\\":
                        k += 2
                        continue
                    if s.startswith(quote, k):
                        # Up to two quotes may close the content right before the delimiter.
                        while k + 3 < len(s) and s[k + 3] == quote[0]:
                            k += 1
                        return k + 3
                    k += 1
        quote = s[start]
        k = start + 1
        while s[k] != quote:
            k += 2 if quote == '"' and s[k] == "\\" else 1
        return k + 1

    def key(self) -> tuple[str, ...]:
        parts: list[str] = []
        s = self.s
        while True:
            self.skip(False)
            start = self.i
            if s[start] in "\"'":
                end = self.string_end(start)
                parts.append(tomllib.loads(f"k = {s[start:end]}")["k"])
            else:
                end = start
                while end < len(s) and s[end] in _BARE:
                    end += 1
                parts.append(s[start:end])
            self.i = end
            self.skip(False)
            if self.i < len(s) and s[self.i] == ".":
                self.i += 1
                continue
            return tuple(parts)

    def value(self, path: Path) -> None:
        s = self.s
        c = s[self.i]
        if c in "\"'":
            self.i = self.string_end(self.i)
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self.skip(True)
                if s[self.i] == "]":
                    self.i += 1
                    return
                self.mark((*path, index), self.i)
                self.value((*path, index))
                index += 1
                self.skip(True)
                if s[self.i] == ",":
                    self.i += 1
        elif c == "{":
            self.i += 1
            while True:
                self.skip(True)
                if s[self.i] == "}":
                    self.i += 1
                    return
                start = self.i
                keys = self.key()
                self.mark_keys(path, keys, start)
                self.i += 1  # '='
                self.skip(False)
                self.value((*path, *keys))
                self.skip(True)
                if s[self.i] == ",":
                    self.i += 1
        else:
            while self.i < len(s) and s[self.i] not in ",]}\n#":
                self.i += 1

    def header(self, start: int) -> Path:
        array = self.s.startswith("[[", self.i)
        self.i += 2 if array else 1
        keys = self.key()
        self.i += 2 if array else 1
        path: Path = ()
        for n, part in enumerate(keys):
            path = (*path, part)
            self.mark(path, start)
            last = n == len(keys) - 1
            if last and array:
                self.mark(path, start)
                index = self.aot.get(path, -1) + 1
                self.aot[path] = index
                path = (*path, index)
            elif path in self.aot:
                path = (*path, self.aot[path])
        self.mark(path, start)
        return path

    def run(self) -> dict[Path, int]:
        current: Path = ()
        while True:
            self.skip(True)
            if self.i >= len(self.s):
                return self.lines
            start = self.i
            if self.s[start] == "[":
                current = self.header(start)
                continue
            keys = self.key()
            self.mark_keys(current, keys, start)
            self.i += 1  # '='
            self.skip(False)
            self.value((*current, *keys))


def locate(text: str) -> dict[Path, int]:
    """Map each dotted path of a valid TOML text to the line (from 1) where it starts."""
    return _Scanner(text).run()


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, else of its nearest placed parent, else ``None``."""
    for cut in range(len(path), 0, -1):
        found = lines.get(path[:cut])
        if found is not None:
            return found
    return None
