"""Side-by-side benchmark of slim-lambda against its peers on the seed workload.

``bash benchmarks/run.sh`` (or ``python -m benchmarks`` with the dev environment active)
prints the table and writes ``benchmarks/results/latest.json``. Modules:

- ``apps/app.py``   the CDK app both tools are synthesized from (configured by BENCH_* env)
- ``synth.py``      one real ``cdk synth``, timed; entry directories and handler edits
- ``scenarios.py``  first / warm / handler-change / many-functions synths, both tools
- ``bundles.py``    sizes, serverless-python-requirements' slim rules, cold imports
- ``table.py``      ratios, floors and the printed table
- ``run.py``        the command line
"""
