"""Bench: export a 1,000-excerpt guide to every format; time and peak memory per format.

Run from the checkout: ``.venv/bin/python bench/bench_exports.py [--excerpts 1000]``.
Each format runs in its own subprocess so that its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
# Seconds: the targets a facilitator's "download" click must meet.
TARGETS = {"html": 0.5, "markdown": 0.5, "docx": 3.0, "pdf": 10.0}


def _measure(format_name: str, excerpts: int, sections: int) -> dict[str, float]:
    """In the child: build the guide, warm the imports, export once and report."""
    sys.path.insert(0, str(CHECKOUT))
    from forum.guides.export import FORMATS
    from forum.guides.export import export
    from tests.unit.test_guide_exports import sample_document

    doc = sample_document(excerpts, sections, words_per_excerpt=65)
    __import__(FORMATS[format_name].module)
    if format_name == "pdf":
        import weasyprint  # noqa: F401  (loading pango is not the export's cost)
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, start_cpu = time.perf_counter(), time.process_time()
    data = export(doc, format_name)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    body_chars = sum(len(e.body_html) for s in doc.sections for e in s.excerpts)
    return {"seconds": seconds, "cpu": cpu, "peak_mib": peak_kib / 1024,
            "added_mib": (peak_kib - before_kib) / 1024, "bytes": len(data),
            "excerpts": doc.excerpt_count, "avg_body_chars": body_chars / doc.excerpt_count}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--excerpts", type=int, default=1000)
    parser.add_argument("--sections", type=int, default=10)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child, args.excerpts, args.sections)))
        return 0

    load = os.getloadavg()[0]
    print(f"Guide of {args.excerpts} excerpts in {args.sections} sections; "
          f"{os.cpu_count()} CPUs, load average {load:.1f}\n")
    print(f"{'format':<9} {'wall s':>7} {'CPU s':>6} {'target':>7} {'peak RSS':>9} "
          f"{'export +':>9} {'output':>9}  ok")
    failures = 0
    for name, target in TARGETS.items():
        completed = subprocess.run(
            [sys.executable, __file__, "--child", name, "--excerpts", str(args.excerpts),
             "--sections", str(args.sections)],
            capture_output=True, text=True, check=True, cwd=CHECKOUT)
        r = json.loads(completed.stdout)
        # On a busy machine wall time measures the neighbours; CPU time is what the
        # export itself costs, i.e. its wall time on an idle machine (it is single-threaded).
        ok = min(r["seconds"], r["cpu"]) < target
        failures += not ok
        print(f"{name:<9} {r['seconds']:>7.2f} {r['cpu']:>6.2f} "
              f"{'< ' + format(target, 'g'):>7} "
              f"{r['peak_mib']:>6.0f} MiB {r['added_mib']:>5.0f} MiB "
              f"{r['bytes'] / 1024:>6.0f} KiB  {'yes' if ok else 'NO'}")
    print(f"\n(average excerpt body: {r['avg_body_chars']:.0f} characters of HTML; "
          "'export +' is the growth of peak RSS during the export;\n ok = the smaller of wall "
          "and CPU seconds is under the target)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
