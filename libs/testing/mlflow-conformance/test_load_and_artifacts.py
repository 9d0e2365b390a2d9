"""load_model + predict by version / alias / latest / stage, download_artifacts, artifacts through the proxy."""
import filecmp
import os
import tempfile

import mlflow
import pytest

from conftest import AWAIT_S, log_classic_run, open_policy, unique


@pytest.fixture(scope="module")
def served(target, trained):
    """One model with a classic version (1, alias champion, Production) and an MLflow 3 logged-model version (2)."""
    os.environ["MLFLOW_TRACKING_TOKEN"] = target.tokens["alice"]
    mlflow.set_tracking_uri(target.url)
    name = unique("served")
    run = log_classic_run(trained, unique("exp-served"))
    v1 = mlflow.register_model(f"runs:/{run.run_id}/model", name, await_registration_for=AWAIT_S)
    mlflow.set_experiment(unique("exp-served-logged"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(trained.model, name="model", registered_model_name=name,
                                        await_registration_for=AWAIT_S)
    client = mlflow.MlflowClient(tracking_uri=target.url)
    client.set_registered_model_alias(name, "champion", v1.version)
    open_policy(target, name)
    client.transition_model_version_stage(name, v1.version, "Production")
    return {"name": name, "run": run, "model_id": info.model_id}


def predicts(model, trained):
    return list(model.predict(trained.X)) == list(trained.expected)


def test_load_model_by_version(served, trained):
    assert predicts(mlflow.pyfunc.load_model(f"models:/{served['name']}/1"), trained)
    assert predicts(mlflow.pyfunc.load_model(f"models:/{served['name']}/2"), trained)


def test_load_model_by_alias(served, trained):
    model = mlflow.sklearn.load_model(f"models:/{served['name']}@champion")
    assert predicts(model, trained)
    assert type(model).__name__ == "LogisticRegression"


def test_load_model_latest(served, trained):
    assert predicts(mlflow.pyfunc.load_model(f"models:/{served['name']}/latest"), trained)


def test_load_model_by_stage(served, trained):
    assert predicts(mlflow.pyfunc.load_model(f"models:/{served['name']}/Production"), trained)
    assert predicts(mlflow.sklearn.load_model(f"models:/{served['name']}/production"), trained)


def test_load_logged_model_by_id(served, trained):
    assert predicts(mlflow.pyfunc.load_model(f"models:/{served['model_id']}"), trained)


def test_download_artifacts_of_a_version(served):
    local = mlflow.artifacts.download_artifacts(f"models:/{served['name']}/1")
    files = set(os.listdir(local))
    assert {"MLmodel", "requirements.txt", "python_env.yaml", "conda.yaml"} <= files
    assert any(f.startswith("model.") for f in files)


def test_download_artifacts_by_run_and_by_artifact_uri(served):
    run = served["run"]
    one = mlflow.artifacts.download_artifacts(run_id=run.run_id, artifact_path="model/MLmodel")
    assert os.path.basename(one) == "MLmodel" and os.path.getsize(one) > 0
    via_runs_uri = mlflow.artifacts.download_artifacts(f"runs:/{run.run_id}/model/MLmodel")
    assert filecmp.cmp(one, via_runs_uri, shallow=False)
    tree = mlflow.artifacts.download_artifacts(artifact_uri=run.model_source)
    assert filecmp.cmp(one, os.path.join(tree, "MLmodel"), shallow=False)


def test_artifact_bytes_round_trip(client):
    mlflow.set_experiment(unique("exp-bytes"))
    payload = os.urandom(3 * 1024 * 1024 + 17)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "weights.bin")
        with open(src, "wb") as f:
            f.write(payload)
        with open(os.path.join(d, "notes.txt"), "w") as f:
            f.write("hello")
        with mlflow.start_run() as run:
            mlflow.log_artifact(src, artifact_path="blobs")
            mlflow.log_artifact(os.path.join(d, "notes.txt"), artifact_path="blobs/sub")
    listed = {(a.path, a.is_dir) for a in client.list_artifacts(run.info.run_id, "blobs")}
    assert listed == {("blobs/weights.bin", False), ("blobs/sub", True)}
    sizes = {a.path: a.file_size for a in client.list_artifacts(run.info.run_id, "blobs") if not a.is_dir}
    assert sizes == {"blobs/weights.bin": len(payload)}
    got = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="blobs")
    with open(os.path.join(got, "weights.bin"), "rb") as f:
        assert f.read() == payload
    with open(os.path.join(got, "sub", "notes.txt")) as f:
        assert f.read() == "hello"
    assert client.list_artifacts(run.info.run_id, "nothing-here") == []
