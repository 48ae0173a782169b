"""layerkit's own fuzzer: generated projects (tests/fuzzing/), every command that needs
no network or buildah run in-process, and the promise checked on each result.

    python3 tests/fuzz.py --runs 10000 --seed 1 [--jobs 2] [--report FILE.json]
    python3 tests/fuzz.py --replay 1:42 --dir /tmp/case   # write one case again, rerun it

Options: --timeout S (a case running longer is a hang, default 5), --workdir DIR (default
/dev/shm), --no-shellcheck. Exit status 1 when a defect was found. The report (JSON) holds
the outcome counts per command and each defect once per signature (class: detail) with
the smallest case that showed it: its id for --replay, argv, mutations, files, excerpt.

The promise: bad input exits 2 with one `error: <file>: <key>: message` line per problem,
no traceback, nothing written; a generated file (Containerfile, unit, sysusers, workflow,
terminal and JSON output) never holds a control character, an unquoted shell expansion or
a value that does not read back as written. Cases run in worker processes; a case that
runs longer than --timeout is a hang (the worker is killed and replaced)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # layerkit, from a checkout

from fuzzing.runner import main_fuzz  # tests/, this file's folder, is on the path

if __name__ == "__main__":
    sys.exit(main_fuzz())
