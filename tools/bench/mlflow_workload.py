#!/usr/bin/env python3
"""The MLflow client workload of `npm run bench -- --mlflow`, written once and run against any tracking server.

    python tools/bench/mlflow_workload.py --tracking-uri http://127.0.0.1:5000 [--phases register,search,load,artifacts]

Uses only the official MLflow client (the pinned venv of tools/python/venv.sh), exactly as user code would:
MLFLOW_TRACKING_TOKEN (or MLFLOW_TRACKING_USERNAME/PASSWORD) from the environment authenticates it, the
tracking URI is the registry URI. Prints ONE JSON document on stdout (progress and the client's own output on
stderr); every phase that fails reports {"error": ...} instead of stopping the others. With --serve it reads
phase names from stdin instead and answers each with one JSON line (how the bench keeps one client process per
server for a whole run). Times are measured with time.perf_counter around
the client calls only (set-up such as logging the source model or writing the test file is not timed).

Phases (each runs on its own; `search` uses the model `register` made when there is one):
  register   log a small scikit-learn model in a run, create a registered model, then N sequential
             `MlflowClient.create_model_version(name, source, run_id)`: versions/s and latency p50/p95.
             --source runs (runs:/<run_id>/model, default) | artifacts (the logged model's mlflow-artifacts:
             location) | model-id (models:/<model_id>, with model_id).
  search     on the model of `register` (or its own, with --search-versions versions, when none exists):
             K x `search_model_versions("name = '<name>'")` (every version, one page),
             K x `search_model_versions("name = '<name>' AND tags.batch = '3'")` (a tenth of them),
             K x `search_registered_models("name LIKE '<prefix>%'")`; p50/p95 and result counts.
  load       log a small scikit-learn model, `mlflow.register_model("runs:/<run_id>/model", ...)`,
             `set_registered_model_alias(..., "champion", ...)`,
             one unmeasured load (imports), then K x `mlflow.pyfunc.load_model("models:/<name>@champion")`
             (resolves the alias, downloads the artifacts through the server, unpickles) + a predict check.
  artifacts  a file of M MiB of random bytes: `mlflow.log_artifact` in a run (one streamed PUT through the
             server's artifact proxy), then `mlflow.artifacts.download_artifacts` (one streamed GET); R
             repetitions, MiB/s of each, the median reported; the download is checked byte for byte (SHA-256).
"""
import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import traceback
import uuid

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")

PHASES = ("register", "search", "load", "artifacts")


def log(message):
    sys.stderr.write(f"[mlflow-workload] {message}\n")
    sys.stderr.flush()


def percentile(values, p):
    """Nearest-rank percentile (the same rule as tools/bench/run.cjs)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-p * len(ordered) // 100)))
    return ordered[int(rank) - 1]


def ms_summary(seconds):
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"count": 0}
    return {
        "count": len(ms),
        "p50": round(percentile(ms, 50), 1),
        "p95": round(percentile(ms, 95), 1),
        "max": round(max(ms), 1),
        "mean": round(statistics.fmean(ms), 1),
    }


def short_error(error):
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 600 else text[:600] + "..."


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def passed(self):
        return time.monotonic() >= self.end


def tiny_sklearn_model():
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    x = rng.normal(size=(64, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    return LogisticRegression().fit(x, y), x[:5]


def log_source_model(mlflow, experiment):
    """Logs a small scikit-learn model in a new run of `experiment`; returns (run_id, model_info, sample)."""
    import sklearn

    mlflow.set_experiment(experiment)
    model, sample = tiny_sklearn_model()
    with mlflow.start_run() as run:
        mlflow.log_param("C", 1.0)
        mlflow.log_metric("accuracy", 0.97)
        # Explicit requirements: inferring them runs the model in a subprocess for seconds (not measured anyway).
        info = mlflow.sklearn.log_model(model, name="model", pip_requirements=[f"scikit-learn=={sklearn.__version__}"])
    return run.info.run_id, info, sample


def source_for(kind, run_id, info, client):
    if kind == "runs":
        return f"runs:/{run_id}/model", None
    if kind == "model-id":
        return f"models:/{info.model_id}", info.model_id
    if kind == "artifacts":
        return client.get_logged_model(info.model_id).artifact_location, info.model_id
    raise ValueError(f"unknown --source {kind}")


# ---- phases ----------------------------------------------------------------------------------------


class StatusWatch:
    """Counts, without changing anything, how often create answers PENDING_REGISTRATION and how often the
    client then polls model-versions/get (it sleeps 3 s between polls while the version stays pending)."""

    def __init__(self):
        from mlflow.store.model_registry.rest_store import RestStore

        self.pending = 0
        self.polls = 0
        self.store, self.create, self.get = RestStore, RestStore.create_model_version, RestStore.get_model_version
        watch = self

        def create(store, *a, **k):
            mv = watch.create(store, *a, **k)
            if mv.status == "PENDING_REGISTRATION":
                watch.pending += 1
            return mv

        def get(store, *a, **k):
            watch.polls += 1
            return watch.get(store, *a, **k)

        RestStore.create_model_version, RestStore.get_model_version = create, get

    def close(self):
        self.store.create_model_version, self.store.get_model_version = self.create, self.get


def phase_register(mlflow, client, args):
    name = args.model
    run_id, info, _ = log_source_model(mlflow, args.experiment)
    source, model_id = source_for(args.source, run_id, info, client)
    client.create_registered_model(name, tags={"team": "bench"}, description="bench model")
    watch = StatusWatch()
    latencies = []
    deadline = Deadline(args.cap_s)
    truncated = None
    started = time.perf_counter()
    try:
        for i in range(args.versions):
            if deadline.passed():
                truncated = f"time cap of {args.cap_s} s reached"
                break
            t0 = time.perf_counter()
            mv = client.create_model_version(
                name, source, run_id=run_id, tags={"batch": str(i % 10)}, model_id=model_id
            )
            latencies.append(time.perf_counter() - t0)
            if i == 0 and str(mv.version) != "1":
                raise RuntimeError(f"the first version of a new model is {mv.version!r}, not 1")
    finally:
        watch.close()
    seconds = time.perf_counter() - started
    result = {
        "model": name,
        "source": source.split("/")[0] + "/...",
        "versions": args.versions,
        "completed": len(latencies),
        "seconds": round(seconds, 2),
        "versionsPerSecond": round(len(latencies) / seconds, 1) if seconds > 0 else None,
        "latencyMs": ms_summary(latencies),
        # create answered PENDING_REGISTRATION; the client then polled model-versions/get this often in all
        "answeredPending": watch.pending,
        "readyPolls": watch.polls,
    }
    if truncated:
        result["truncated"] = truncated
    last = client.get_model_version(name, str(len(latencies))) if latencies else None
    if last is not None and last.status != "READY":
        result["lastStatus"] = last.status
    return result


def timed_calls(count, deadline, call):
    latencies, results = [], None
    for _ in range(count):
        if deadline.passed():
            break
        t0 = time.perf_counter()
        results = call()
        latencies.append(time.perf_counter() - t0)
    return latencies, results


def phase_search(mlflow, client, args):
    name = args.model
    try:
        client.get_registered_model(name)
    except Exception:  # no register phase ran on this server: make a smaller model of our own
        log(f"search: {name} does not exist, registering {args.search_versions} versions first")
        run_id, _, _ = log_source_model(mlflow, args.experiment)
        client.create_registered_model(name, tags={"team": "bench"})
        for i in range(args.search_versions):
            client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id, tags={"batch": str(i % 10)})
    prefix = name.rsplit("-", 1)[0]
    deadline = Deadline(args.cap_s)
    calls = {
        "searchModelVersionsByName": (
            lambda: client.search_model_versions(f"name = '{name}'"),
            f"search_model_versions(\"name = '{name}'\")",
        ),
        "searchModelVersionsByTag": (
            lambda: client.search_model_versions(f"name = '{name}' AND tags.batch = '3'"),
            f"search_model_versions(\"name = '{name}' AND tags.batch = '3'\")",
        ),
        "searchRegisteredModels": (
            lambda: client.search_registered_models(f"name LIKE '{prefix}%'", max_results=100),
            f"search_registered_models(\"name LIKE '{prefix}%'\", max_results=100)",
        ),
    }
    out = {}
    for key, (call, text) in calls.items():
        try:
            call()  # unmeasured: the first call of a kind
            latencies, results = timed_calls(args.search_calls, deadline, call)
            out[key] = {"call": text, "results": len(results) if results is not None else None, "latencyMs": ms_summary(latencies)}
            if len(latencies) < args.search_calls:
                out[key]["truncated"] = f"time cap of {args.cap_s} s reached"
        except Exception as error:  # one failing search does not hide the others
            out[key] = {"call": text, "error": short_error(error)}
    return out


def phase_load(mlflow, client, args):
    import numpy as np

    name = f"{args.model}-load"
    run_id, info, sample = log_source_model(mlflow, args.experiment)
    # As user code registers it: the client turns runs:/<run>/model into the logged model's models:/<model_id>
    # (a version whose source stays runs:/ would download the run's artifacts, where MLflow 3 keeps no model).
    mv = mlflow.register_model(f"runs:/{run_id}/model", name)
    client.set_registered_model_alias(name, "champion", mv.version)
    uri = f"models:/{name}@champion"
    expected = mlflow.sklearn.load_model(info.model_uri).predict(sample)
    # Loaded as users do, without dst_path: the client downloads into a fresh temporary folder each time
    # (created under ours, so they all go when the phase ends).
    saved = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="mreg-bench-load-") as tmp:
        tempfile.tempdir = tmp
        try:
            model = mlflow.pyfunc.load_model(uri)  # imports, unmeasured
            if not np.array_equal(model.predict(sample), expected):
                raise RuntimeError(f"{uri} predicts differently from the logged model")
            deadline = Deadline(args.cap_s)
            latencies = []
            for _ in range(args.loads):
                if deadline.passed():
                    break
                t0 = time.perf_counter()
                mlflow.pyfunc.load_model(uri)
                latencies.append(time.perf_counter() - t0)
        finally:
            tempfile.tempdir = saved
    result = {"uri": uri, "loads": args.loads, "completed": len(latencies), "latencyMs": ms_summary(latencies)}
    if len(latencies) < args.loads:
        result["truncated"] = f"time cap of {args.cap_s} s reached"
    return result


def write_random_file(path, mib):
    digest = hashlib.sha256()
    block = 1024 * 1024
    with open(path, "wb") as f:
        for _ in range(mib):
            chunk = os.urandom(block)
            digest.update(chunk)
            f.write(chunk)
    return digest.hexdigest()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def phase_artifacts(mlflow, client, args):
    mlflow.set_experiment(args.experiment)
    mib = args.artifact_mb
    uploads, downloads = [], []
    deadline = Deadline(args.cap_s)
    with tempfile.TemporaryDirectory(prefix="mreg-bench-artifact-") as tmp:
        src = os.path.join(tmp, "blob.bin")
        expected = write_random_file(src, mib)
        for r in range(args.artifact_repeats):
            if r > 0 and deadline.passed():
                break
            with mlflow.start_run() as run:
                t0 = time.perf_counter()
                mlflow.log_artifact(src, artifact_path="bench")
                uploads.append(time.perf_counter() - t0)
            dst = os.path.join(tmp, f"down-{r}")
            os.mkdir(dst)
            t0 = time.perf_counter()
            local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="bench/blob.bin", dst_path=dst)
            downloads.append(time.perf_counter() - t0)
            got = sha256_of(local)
            if got != expected:
                raise RuntimeError(f"downloaded {os.path.getsize(local)} bytes with SHA-256 {got}, uploaded {expected}")
            os.remove(local)
    rates = lambda secs: [mib / s for s in secs]  # noqa: E731
    result = {
        "mib": mib,
        "repeats": len(uploads),
        "uploadMiBPerSecond": round(statistics.median(rates(uploads)), 1),
        "downloadMiBPerSecond": round(statistics.median(rates(downloads)), 1),
        "uploadSeconds": [round(s, 2) for s in uploads],
        "downloadSeconds": [round(s, 2) for s in downloads],
    }
    if len(uploads) < args.artifact_repeats:
        result["truncated"] = f"time cap of {args.cap_s} s reached"
    return result


# ---- main ------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--model", default=f"bench-mlflow-{uuid.uuid4().hex[:8]}", help="registered model of register/search")
    parser.add_argument("--experiment", default="mreg-bench")
    parser.add_argument("--versions", type=int, default=200, help="register: versions of one model")
    parser.add_argument("--source", default="runs", choices=["runs", "artifacts", "model-id"])
    parser.add_argument("--search-calls", type=int, default=50, help="search: calls of each kind")
    parser.add_argument("--search-versions", type=int, default=50, help="search: versions when register did not run")
    parser.add_argument("--loads", type=int, default=20, help="load: measured loads by alias")
    parser.add_argument("--artifact-mb", type=int, default=100, help="artifacts: file size in MiB")
    parser.add_argument("--artifact-repeats", type=int, default=3)
    parser.add_argument("--cap-s", type=int, default=120, help="time cap per phase (stops taking new work)")
    parser.add_argument(
        "--serve",
        action="store_true",
        help='read phases from stdin, one a line ("register" or {"phase": "register", "capS": 60}), and answer each '
        'with one JSON line {"phase", "result"} on stdout: one client process per server for a whole run',
    )
    args = parser.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    for p in phases:
        if p not in PHASES:
            parser.error(f"unknown phase {p!r}; phases: {', '.join(PHASES)}")

    # The client prints to stdout (e.g. "View run ... at"): keep stdout for the JSON document alone.
    out = sys.stdout
    sys.stdout = sys.stderr
    import logging

    import mlflow
    from mlflow import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.WARNING)

    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_registry_uri(args.tracking_uri)
    client = MlflowClient(tracking_uri=args.tracking_uri, registry_uri=args.tracking_uri)
    runners = {"register": phase_register, "search": phase_search, "load": phase_load, "artifacts": phase_artifacts}

    def run(p):
        log(f"{p} against {args.tracking_uri}")
        t0 = time.perf_counter()
        try:
            result = runners[p](mlflow, client, args)
        except Exception as error:
            result = {"error": short_error(error)}
            log(f"{p} failed: {traceback.format_exc(limit=6)}")
        result["wallSeconds"] = round(time.perf_counter() - t0, 2)
        return result

    if args.serve:
        out.write(json.dumps({"ready": True, "client": f"mlflow {mlflow.__version__}"}) + "\n")
        out.flush()
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            command = json.loads(line) if line.startswith("{") else {"phase": line}
            p = command.get("phase")
            if "capS" in command:
                args.cap_s = int(command["capS"])
            result = run(p) if p in runners else {"error": f"unknown phase {p!r}"}
            out.write(json.dumps({"phase": p, "result": result}) + "\n")
            out.flush()
        return
    report = {"trackingUri": args.tracking_uri, "client": f"mlflow {mlflow.__version__}", "phases": {}}
    for p in phases:
        report["phases"][p] = run(p)
    out.write(json.dumps(report) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
