"""A cold `evsearch search` imports neither torch nor spaCy: the query vector comes from onnxruntime.

WHY: importing torch or spaCy alone costs 1.3-2 s, more than everything else a
cold search does (benchmarks/cold_start.py measures the time). A stray import
anywhere on the path (a module-level `import spacy`, sentence-transformers for
the query vector) would bring it back silently, so this runs the console
script's own entry point in a fresh interpreter, as a user does, and reads
sys.modules when the command has finished. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WRAPPER = """
import sys, atexit
atexit.register(lambda: sys.stderr.write("MODULES=" + ",".join(sorted(sys.modules)) + "\\n"))
from evsearch.api.cli import main
sys.argv = ["evsearch", *sys.argv[1:]]
main()
"""


def test_cold_search_imports_no_torch_and_no_spacy(fixture_index: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "EVSEARCH_BACKEND"}  # the default path
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, "search", "how are care leavers supported", "--index", str(fixture_index),
         "--json"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["hits"], "the search should find paragraphs in the fixture report"
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES="))
    modules = set(line.removeprefix("MODULES=").split(","))
    heavy = sorted(m for m in modules if m.split(".")[0] in {"torch", "spacy", "thinc", "sentence_transformers", "transformers"})
    assert heavy == []
    # the query vector came from the int8 ONNX graph, tokenised by `tokenizers`
    assert {"onnxruntime", "tokenizers"} <= modules
