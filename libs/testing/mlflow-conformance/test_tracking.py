"""The fluent tracking calls a training script makes around log_model."""
import mlflow
import pytest
from mlflow.exceptions import MlflowException

from conftest import unique


def test_experiment_create_get_by_name(client):
    name = unique("exp")
    exp_id = client.create_experiment(name, tags={"team": "risk"})
    exp = client.get_experiment(exp_id)
    assert exp.name == name and exp.lifecycle_stage == "active"
    assert exp.tags.get("team") == "risk"
    assert client.get_experiment_by_name(name).experiment_id == exp_id
    assert client.get_experiment_by_name(f"{name}-missing") is None
    with pytest.raises(MlflowException) as e:
        client.create_experiment(name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    # set_experiment finds it again instead of creating another one
    assert mlflow.set_experiment(name).experiment_id == exp_id


def test_run_params_metrics_tags(client):
    mlflow.set_experiment(unique("exp-run"))
    run = mlflow.start_run(run_name="training")
    mlflow.log_param("lr", 0.01)
    mlflow.log_params({"epochs": 3, "optimizer": "adam"})
    mlflow.log_metric("loss", 0.9, step=0)
    mlflow.log_metric("loss", 0.4, step=1)
    mlflow.log_metrics({"auc": 0.91})
    mlflow.set_tag("team", "risk")
    mlflow.set_tags({"stage": "dev"})
    assert mlflow.active_run().info.run_id == run.info.run_id
    mlflow.end_run()
    assert mlflow.active_run() is None

    got = client.get_run(run.info.run_id)
    assert got.info.status == "FINISHED"
    assert got.info.run_name == "training"
    assert got.info.end_time is not None and got.info.end_time >= got.info.start_time
    assert got.data.params == {"lr": "0.01", "epochs": "3", "optimizer": "adam"}
    assert got.data.metrics == {"loss": 0.4, "auc": 0.91}
    assert got.data.tags["team"] == "risk" and got.data.tags["stage"] == "dev"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == [(0, 0.9), (1, 0.4)]


def test_failed_run_status(client):
    mlflow.set_experiment(unique("exp-failed"))
    with pytest.raises(RuntimeError):
        with mlflow.start_run() as run:
            mlflow.log_param("x", "1")
            raise RuntimeError("training crashed")
    assert client.get_run(run.info.run_id).info.status == "FAILED"


def test_search_runs_of_an_experiment(client):
    exp = mlflow.set_experiment(unique("exp-search-runs"))
    ids = []
    for lr in ("0.1", "0.2"):
        with mlflow.start_run() as run:
            mlflow.log_param("lr", lr)
            mlflow.log_metric("auc", float(lr))
        ids.append(run.info.run_id)
    found = client.search_runs([exp.experiment_id])
    assert sorted(r.info.run_id for r in found) == sorted(ids)


def test_get_missing_run(client):
    with pytest.raises(MlflowException) as e:
        client.get_run("0" * 32)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
