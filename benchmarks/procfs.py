"""Memory figures of a process from Linux's /proc, for the benchmarks that print them.

WHY /proc and not ``resource.getrusage``: ``ru_maxrss`` of a child counts the high-water mark it
inherited across exec from this process (torch loaded, ~1 GB), and a server's memory while it
runs needs sampling; ``/proc/<pid>/status`` gives both VmRSS (now) and VmHWM (its own peak).
"""

from __future__ import annotations


def status_mb(field: str, pid: int | str = "self") -> float:
    """``field`` (``VmRSS``, ``VmHWM`` ...) of ``/proc/<pid>/status`` in MB; 0.0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
