"""User-facing errors: one clear line per problem, exit code 2, never a traceback."""

from __future__ import annotations


# Every character `str.splitlines` breaks on, and the other C0 controls: a key or file name written
# with a YAML escape ("wage\nper_hour") must not split one problem over two lines of output.
_BREAKS = {c: repr(c)[1:-1] for c in map(chr, [*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, 0x85, 0x2028, 0x2029])}
_ESCAPE = str.maketrans(_BREAKS)


def one_line(text: str) -> str:
    """`text` with line breaks and control characters written as escapes (\\n, \\x00), so it stays one line."""
    return str(text).translate(_ESCAPE)


class UserError(Exception):
    """A mistake in what the user gave us (a file, a flag, a field).

    `problems` holds one line per problem, each already naming file, field and what is wrong,
    e.g. ``scenarios/x.yaml:12: human.wage_per_hour: must be >= 0 (got -5)``.
    The CLI prints each line and exits with status 2.
    """

    exit_code = 2
    # A file with thousands of mistakes is the wrong file, not thousands of things to read:
    # the first MAX_PROBLEMS lines, then one saying how many more.
    MAX_PROBLEMS = 20

    def __init__(self, problems: str | list[str], total: int | None = None):
        problems = [one_line(p) for p in ([problems] if isinstance(problems, str) else list(problems))]
        self.total = max(total or 0, len(problems))  # problems found, shown or not
        shown = problems[: self.MAX_PROBLEMS]
        if self.total > len(shown):
            more = self.total - len(shown)
            shown.append(f"... and {more:,} more problem{'s' if more > 1 else ''}")
        self.problems = shown
        super().__init__("\n".join(self.problems))

    @property
    def shown(self) -> list[str]:
        """The problem lines without the closing '... and N more' line."""
        return self.problems[: min(len(self.problems), self.total, self.MAX_PROBLEMS)]

    @classmethod
    def combine(cls, errors: list["UserError"]) -> "UserError":
        """Several files' problems as one error, counting what each one left unshown."""
        return cls([line for e in errors for line in e.shown], total=sum(e.total for e in errors))


class MissingExtraError(UserError):
    """A command needs an optional extra (e.g. torch for the benchmark) that is not installed."""

    def __init__(self, extra: str, missing: str, what: str):
        self.extra, self.missing, self.what = extra, missing, what
        super().__init__(
            f"{what} needs the optional '{extra}' extra ({missing} is not installed). "
            f"Install it with:  pip install 'artcost[{extra}]'   (or from a checkout: make install-{extra})"
        )

    def __reduce__(self):  # rebuilt from its own arguments: a Ray worker's error reaches the driver whole
        return (type(self), (self.extra, self.missing, self.what))


class ArgumentError(UserError):
    """A bad value of a named argument of a library call (`draws`, `seed`, ...).

    The message names the argument in the library's words, ``draws: need a whole number >= 2 (got 1)``;
    `argument` and `problem` let a front end name it its own way (the CLI says ``--draws: ...``).
    """

    def __init__(self, argument: str, problem: str, value: object | None = None):
        # `value`, when given, is what the caller passed, said after the name: 'ray_address 10.0.0.5: ...'
        self.argument, self.problem, self.value = argument, problem, value
        super().__init__(f"{argument}{'' if value is None else f' {value}'}: {problem}")

    def __reduce__(self):  # picklable (Ray, multiprocessing), as UserError is
        return (type(self), (self.argument, self.problem, self.value))
