"""layerkit's own fuzzer (run it with tests/fuzz.py). Generation: values.py (hostile raw
material), grammar.py (valid projects), documents.py (TOML and JSON text), mutations.py
(hostile changes), cases.py (project + mutations + commands, replayable by id). Checks:
finding.py, syntax.py (shell and systemd), generated_files.py, checks.py (a command's
result), run_case.py (one case in-process). Running: pool.py (workers, timeouts),
report.py, runner.py (the command line)."""
