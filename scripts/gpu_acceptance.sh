#!/usr/bin/env bash
# The GPU acceptance run: everything xpnet claims about `--device cuda`, on a machine with an
# NVIDIA GPU, in one command and within ~8 minutes.
#
#   scripts/gpu_acceptance.sh OUTDIR            # logs, a summary and the benchmark's JSON in OUTDIR
#   GPU_ACCEPTANCE_DEVICE=cpu scripts/gpu_acceptance.sh OUTDIR   # a dry run of the plumbing, CPU
#
# In order, each part under its own `timeout` and inside one overall budget
# (GPU_ACCEPTANCE_BUDGET_S, default 480 s): nvidia-smi; a preflight that stops the run with one
# line when no GPU is usable; the fast paths' tests (tests/fast: cupy-fused, cupy-graph,
# torch-graph and, where JAX sees the GPU, jax-scan, each equal to the eager step, resumable,
# stoppable, never waiting for the GPU; a path that cannot be built FAILS there, through
# XPNET_FAST_REQUIRED); the GPU benchmarks against PyTorch eager on the same GPU (`python -m
# benchmarks measure gpu`: every fast path, host and GPU time apart, the size sweep), early so
# that the budget never skips them; the test suite on CuPy and on PyTorch's CUDA device; the
# examples
# with --device cuda; `xpnet train --step` of each fast path against --step eager (float64, 600
# steps, 1e-12) and, as the last part, in float32 against the CPU's test accuracy (2000 steps,
# within 0.02);
# `xpnet train --device cuda` on the bundled sample (float32, 10000 steps,
# against the same run on the CPU; float64, against the CPU to rounding) and `--grad numerical`;
# the GPU checks of the training step (tests/test_gpu.py: it never waits for the GPU, CuPy's pool
# does not grow, the numerical gradient is NumPy's), JAX's tests on its GPU and its compiled step
# timed against the eager one; the GPU benchmarks against PyTorch eager on the same GPU
# (`python -m benchmarks measure gpu`). OUTDIR/summary.txt has one line per part. Python is
# $PYTHON (default python3). A folder .whl of wheels (no network on the GPU machine:
# `python scripts/gpu_wheels.py download .whl` beforehand, ~21 MB) is installed first, each wheel
# whose distribution this Python lacks or has too old: array-api-compat, array-api-strict,
# array-api-extra, and nvmath-python (cupy-graph's cuBLAS handle) with the
# CUDA bindings it needs where the image has none of its own.
set -uo pipefail

OUTDIR=${1:?usage: scripts/gpu_acceptance.sh OUTDIR}
cd "$(dirname "$0")/.."
ROOT=$PWD
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
PY=${PYTHON:-python3}
DEVICE=${GPU_ACCEPTANCE_DEVICE:-cuda}
BUDGET=${GPU_ACCEPTANCE_BUDGET_S:-480}
START=$SECONDS
SUMMARY=$OUTDIR/summary.txt
: >"$SUMMARY"
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg PYTHONDONTWRITEBYTECODE=1
# JAX's GPU client takes 75% of the GPU when it starts, and CuPy's and torch's processes can
# start it too (`xpnet info` lists JAX's GPUs; examples/array_generic.py runs every backend)
export XLA_PYTHON_CLIENT_PREALLOCATE=false

note() { echo "$*" | tee -a "$SUMMARY"; }

if compgen -G ".whl/*.whl" >/dev/null; then  # those of scripts/gpu_wheels.py this Python lacks
    mapfile -t WHEELS < <("$PY" scripts/gpu_wheels.py choose .whl)
    if ((${#WHEELS[@]})); then  # one pip call: --target replaces a folder (cuda/) two wheels share
        "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
            --target /tmp/xpnet-site "${WHEELS[@]}" || { note "FAIL wheels: pip install"; exit 1; }
        export PYTHONPATH=/tmp/xpnet-site${PYTHONPATH:+:$PYTHONPATH}
        note "wheels: installed $(printf '%s ' "${WHEELS[@]##*/}")"
    fi
fi
if ! "$PY" -c "import array_api_compat" 2>/dev/null; then
    note "FAIL setup: array-api-compat is not installed; on a machine without a network, run"\
        "'python scripts/gpu_wheels.py download .whl' where there is one and bring .whl along"
    exit 1
fi
"$PY" -c "import xpnet" 2>/dev/null || export PYTHONPATH=$ROOT/src${PYTHONPATH:+:$PYTHONPATH}

# part NAME SECONDS COMMAND...: run COMMAND (a program or a function of this script) with its
# output in OUTDIR/NAME.log, under a timeout that never passes the overall budget; one line in
# the summary.
part() {
    local name=$1 limit=$2
    shift 2
    local left=$((BUDGET - (SECONDS - START)))
    if ((left < 15)); then
        note "SKIP $name: the ${BUDGET} s budget is spent"
        return 0
    fi
    ((limit > left)) && limit=$left
    local t0=$SECONDS
    echo "=== $name (limit ${limit} s): $*" >"$OUTDIR/$name.log"
    if declare -F "$1" >/dev/null; then  # a function of this script: timeout needs a program
        set -- bash -c "$(declare -f "$1"); $(declare -p PY OUTDIR FLAGS STEPS); $(printf '%q ' "$@")"
    fi
    timeout -k 5 "$limit" "$@" >>"$OUTDIR/$name.log" 2>&1
    local code=$?
    local took=$((SECONDS - t0)) verdict=PASS
    ((code == 124 || code == 137)) && verdict="TIMEOUT"
    ((code != 0 && code != 124 && code != 137)) && verdict="FAIL(exit $code)"
    note "$verdict $name: ${took} s; $(tail -n 1 "$OUTDIR/$name.log" | cut -c1-160)"
    return $code
}

note "gpu_acceptance: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), device $DEVICE"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi >"$OUTDIR/nvidia-smi.txt" 2>&1
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/gpu: /' | tee -a "$SUMMARY"
else
    note "nvidia-smi: not found"
fi
"$PY" -c "import sys, numpy, array_api_compat; print('python', sys.version.split()[0], 'numpy', numpy.__version__, 'array-api-compat', array_api_compat.__version__)" | tee -a "$SUMMARY"

if [ "$DEVICE" = cpu ]; then  # the dry run: the same parts on CPU backends, the tests cut short
    CUPY=numpy TORCH=torch-cpu JAX=jax-cpu FLAGS=(--device cpu)
    TESTS=(tests/backends/test_devices.py tests/test_train.py)
    FAST_BACKENDS=numpy,torch-cpu  # the CPU stand-ins of the GPU paths
    FAST_REQUIRED=fused-twins-numpy,fused-cuda-on-cpu,torch-graph-form-cpu
    FAST_TESTS=(tests/fast/test_fast_paths.py -k "equals_the_reference and relu")  # cut short
    STEPS=(numpy:auto)
    "$PY" -c "import jax" 2>/dev/null && STEPS+=(jax:jax-scan)  # a real fast path, on the CPU
else  # tests/test_gpu.py runs in its own part, gpu-checks
    CUPY=cupy TORCH=torch-cuda JAX=jax-cuda FLAGS=(--device cuda)
    TESTS=(tests --ignore=tests/test_gpu.py --ignore=tests/fast)  # tests/fast: in tests-fast
    FAST_BACKENDS=cupy,torch-cuda
    FAST_REQUIRED=cupy-fused,cupy-graph,torch-graph
    FAST_TESTS=(tests/fast)
    if "$PY" -c "import jax; jax.devices('gpu')" 2>/dev/null; then
        FAST_BACKENDS+=,jax-cuda FAST_REQUIRED+=,jax-scan-cuda
    fi
    STEPS=(cupy:cupy-graph cupy:cupy-fused torch:torch-graph)
    if "$PY" -c "import jax; jax.devices('gpu')" 2>/dev/null; then
        STEPS+=(jax:jax-scan)
    fi
fi

preflight() {  # preflight DEVICE: a line for CuPy and one for PyTorch; exit 2 when neither can run
    "$PY" - "$1" <<'EOF'
import sys

from xpnet.backends import DeviceUnavailableError, get_backend

device, usable = sys.argv[1], False
for name in ("cupy", "torch"):
    try:  # a dry run: NumPy stands in for CuPy, torch-CPU for torch-CUDA
        stand_in = {"cupy": "numpy"}.get(name, name) if device == "cpu" else name
        backend = get_backend(device, backend=stand_in)
    except DeviceUnavailableError as error:
        print(f"{name}: not usable: {error}")
        continue
    usable = True
    print(f"{name}: {backend.describe()}")
if not usable:
    print("gpu_acceptance: no GPU is usable here (see the lines above); stopping before the first"
          " step that needs one")
    sys.exit(2)
EOF
}
if ! part preflight 60 preflight "$DEVICE"; then
    tail -n +2 "$OUTDIR/preflight.log"
    exit 2
fi
cat "$OUTDIR/preflight.log"

XDIST=()  # several test processes where pytest-xdist is installed (the GPU machine has it)
"$PY" -c "import xdist" 2>/dev/null && XDIST=(-n "${GPU_ACCEPTANCE_WORKERS:-6}")
# the fast paths, each against the eager step on its GPU backend (issue 20)
part tests-fast 150 env XPNET_BACKEND=$FAST_BACKENDS XPNET_FAST_REQUIRED=$FAST_REQUIRED \
    XLA_PYTHON_CLIENT_PREALLOCATE=false "$PY" -m pytest -q -p no:cacheprovider -rs "${XDIST[@]}" \
    "${FAST_TESTS[@]}"
part bench 170 env XLA_PYTHON_CLIENT_PREALLOCATE=false "$PY" -m benchmarks measure gpu \
    "${FLAGS[@]}" --json "$OUTDIR/bench_gpu.json"
part tests-cupy 200 env XPNET_BACKEND=$CUPY "$PY" -m pytest -q -p no:cacheprovider -rs "${XDIST[@]}" \
    "${TESTS[@]}"
# the tests that take no backend ran above already: here, those of the torch CUDA device
part tests-torch-cuda 150 env XPNET_BACKEND=$TORCH "$PY" -m pytest -q -p no:cacheprovider -rs \
    "${XDIST[@]}" -k "$TORCH" "${TESTS[@]}"

examples() {
    local script status=0
    for script in examples/*.py; do
        echo "--- $script ${FLAGS[*]}"
        "$PY" "$script" "${FLAGS[@]}" --out "$OUTDIR/examples/$(basename "$script" .py)" || status=1
    done
    return $status
}
part examples 90 examples

train() {  # train DTYPE ITERS NAME: the same run on the GPU and the CPU, then compared
    local dtype=$1 iters=$2 name=$3 common=(--dataset sample --seed 0 --no-plot --no-progress --overwrite)
    "$PY" -m xpnet train "${FLAGS[@]}" --dtype "$dtype" --iters "$iters" "${common[@]}" \
        --out "$OUTDIR/runs/$name-gpu" || return 1
    "$PY" -m xpnet train --device cpu --dtype "$dtype" --iters "$iters" "${common[@]}" \
        --out "$OUTDIR/runs/$name-cpu" || return 1
    "$PY" - "$OUTDIR/runs/$name-gpu" "$OUTDIR/runs/$name-cpu" "$dtype" <<'EOF'
import csv, sys
import numpy as np
gpu, cpu, dtype = sys.argv[1:]
def read(folder):
    rows = list(csv.DictReader(open(f"{folder}/metrics.csv")))
    losses = np.loadtxt(f"{folder}/loss.csv", delimiter=",", skiprows=1, ndmin=2)[:, -1]
    return rows[-1], losses
(g, gl), (c, cl) = read(gpu), read(cpu)
acc = abs(float(g["test_acc"]) - float(c["test_acc"]))
loss = float(np.max(np.abs(gl - cl)))
limit = {"float64": (0.0, 1e-8), "float32": (0.02, None)}[dtype]
ok = acc <= limit[0] and (limit[1] is None or loss <= limit[1])
print(f"{dtype}: test acc {g['test_acc']} here vs {c['test_acc']} on the CPU (|diff| {acc:.4f}),"
      f" max |loss diff| over {len(gl)} steps {loss:.2e}: {'agree' if ok else 'DISAGREE'}")
sys.exit(0 if ok else 1)
EOF
}
part train-float32 90 train float32 10000 f32
part train-float64 60 train float64 600 f64
steps() {  # each fast path through `xpnet train --step`, float64, against --step eager there
    local pair backend step common=(--dataset sample --seed 0 --iters 600 --dtype float64 --no-plot
        --no-progress --overwrite --hidden-size 20)
    for pair in "${STEPS[@]}"; do
        backend=${pair%%:*} step=${pair#*:}
        "$PY" -m xpnet train "${FLAGS[@]}" --backend "$backend" --step "$step" "${common[@]}" \
            --out "$OUTDIR/runs/step-$step" || return 1
        "$PY" -m xpnet train "${FLAGS[@]}" --backend "$backend" --step eager "${common[@]}" \
            --out "$OUTDIR/runs/step-$step-eager" || return 1
        "$PY" - "$OUTDIR/runs/step-$step" "$OUTDIR/runs/step-$step-eager" <<'EOF' || return 1
import json, sys
import numpy as np
fast, eager = sys.argv[1:]
path = json.load(open(f"{fast}/config.json"))["step"]
a, b = (np.loadtxt(f"{d}/loss.csv", delimiter=",", skiprows=1, ndmin=2)[:, -1] for d in (fast, eager))
worst = float(np.max(np.abs(a - b) / np.abs(b)))
print(f"--step {path}: 600 float64 steps, max relative loss difference to --step eager {worst:.1e}")
sys.exit(0 if worst <= 1e-12 else 1)
EOF
    done
}
part train-steps 90 steps
part train-numerical 60 "$PY" -m xpnet train "${FLAGS[@]}" --grad numerical --dataset sample \
    --iters 100 --seed 0 --no-plot --no-progress --overwrite --out "$OUTDIR/runs/numerical"
# the step never waits for the GPU, CuPy's pool does not grow, the numerical gradient is NumPy's
part gpu-checks 150 env XPNET_BACKEND=$CUPY,$TORCH "$PY" -m pytest -q -p no:cacheprovider -rs \
    tests/test_gpu.py
# JAX on its GPU: its tests there (the compiled step equals the eager one), then both timed
if ! "$PY" -c "import jax" 2>/dev/null; then
    note "SKIP jax: JAX is not installed"
elif [ "$DEVICE" != cpu ] && ! "$PY" -c "import jax; jax.devices('gpu')" 2>/dev/null; then
    note "SKIP jax: JAX sees no GPU"
else
    part tests-jax 150 env XPNET_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false "$PY" -m pytest -q \
        -p no:cacheprovider -rs -k "$JAX" tests/backends/test_jax.py
    part bench-jax 60 env XLA_PYTHON_CLIENT_PREALLOCATE=false "$PY" -m benchmarks measure jax \
        --quick "${FLAGS[@]}" --json "$OUTDIR/bench_jax.json"
fi

# last: where the budget runs short, this is what it skips
steps32() {  # each fast path in float32 through `xpnet train --step`: the CPU's test accuracy
    local pair backend step common=(--dataset sample --seed 0 --iters 2000 --dtype float32
        --no-plot --no-progress --overwrite)
    "$PY" -m xpnet train --device cpu --step eager "${common[@]}" --out "$OUTDIR/runs/f32-cpu" \
        || return 1
    for pair in "${STEPS[@]}"; do
        backend=${pair%%:*} step=${pair#*:}
        "$PY" -m xpnet train "${FLAGS[@]}" --backend "$backend" --step "$step" "${common[@]}" \
            --out "$OUTDIR/runs/f32-$step" || return 1
        "$PY" - "$OUTDIR/runs/f32-$step" "$OUTDIR/runs/f32-cpu" <<'EOF' || return 1
import csv, json, sys
fast, cpu = sys.argv[1:]
path = json.load(open(f"{fast}/config.json"))["step"]
here, there = (float(list(csv.DictReader(open(f"{d}/metrics.csv")))[-1]["test_acc"]) for d in (fast, cpu))
print(f"--step {path}: float32, 2000 steps, test acc {here:.4f} here vs {there:.4f} on the CPU"
      f" (|diff| {abs(here - there):.4f}): {'agree' if abs(here - there) <= 0.02 else 'DISAGREE'}")
sys.exit(0 if abs(here - there) <= 0.02 else 1)
EOF
    done
}
part train-steps-float32 60 steps32
note "gpu_acceptance: done in $((SECONDS - START)) s; $(grep -c '^PASS' "$SUMMARY") passed, $(grep -c -E '^(FAIL|TIMEOUT)' "$SUMMARY") failed or timed out"
grep -q -E '^(FAIL|TIMEOUT)' "$SUMMARY" && exit 1
exit 0
