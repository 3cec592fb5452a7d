"""The table of results: one row a measure (value, baseline, ratio, target, pass/fail),
printed and written to bench/results.md with a description of the machine."""

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


@dataclass
class Row:
    number: int
    measure: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    passed: bool | None  # None: could not be measured (said in `note`)
    note: str = ""
    details: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "n/a"}[self.passed]


def _memory() -> str:
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        return f"{kb / 1024 / 1024:.1f} GiB"
    except OSError:
        return "?"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def machine(pg_version: str, extra: dict | None = None) -> dict:
    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus (nproc)": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg_version,
    }
    try:
        info["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parent.parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    info.update(extra or {})
    return info


HEADER = ["#", "measure", "value", "baseline", "ratio", "target", "result"]


def _cells(row: Row) -> list[str]:
    ratio = "-" if row.ratio is None else f"{row.ratio:.3g}"
    return [str(row.number), row.measure, row.value, row.baseline, ratio, row.target, row.verdict]


def table(rows: list[Row]) -> str:
    data = [HEADER] + [_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in data) for i in range(len(HEADER))]
    out = []
    for n, line in enumerate(data):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown(rows: list[Row], info: dict, command: str) -> str:
    lines = [
        "# cobudget benchmark results",
        "",
        f"Produced by `{command}` (bench/); every ratio is measured side by side with its baseline "
        "in the same run, on the same machine.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines += ["", "## Results", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(row)) + " |")
    lines += ["", "## Details", ""]
    for row in rows:
        lines.append(f"### {row.number}. {row.measure}")
        lines.append("")
        if row.note:
            lines.append(row.note)
            lines.append("")
        lines += [f"- {d}" for d in row.details]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
