"""MLflow's error codes (and their HTTP statuses) for the registry calls."""
import pytest
from mlflow.exceptions import MlflowException

from conftest import new_version


def raises(code, fn, *args, **kwargs):
    with pytest.raises(MlflowException) as e:
        fn(*args, **kwargs)
    assert e.value.error_code == code, f"{fn.__name__}{args}: {e.value}"
    return e.value


def test_resource_does_not_exist(client, name, classic_run):
    e = raises("RESOURCE_DOES_NOT_EXIST", client.get_registered_model, f"{name}-missing")
    assert e.get_http_status_code() == 404
    for fn, args in [
        (client.update_registered_model, (f"{name}-missing", "d")),
        (client.rename_registered_model, (f"{name}-missing", f"{name}-other")),
        (client.delete_registered_model, (f"{name}-missing",)),
        (client.set_registered_model_tag, (f"{name}-missing", "k", "v")),
        (client.get_model_version, (f"{name}-missing", "1")),
        (client.get_latest_versions, (f"{name}-missing",)),
    ]:
        raises("RESOURCE_DOES_NOT_EXIST", fn, *args)
    new_version(client, name, classic_run)
    raises("RESOURCE_DOES_NOT_EXIST", client.get_model_version, name, "2")
    raises("RESOURCE_DOES_NOT_EXIST", client.update_model_version, name, "2", "d")
    raises("RESOURCE_DOES_NOT_EXIST", client.set_model_version_tag, name, "2", "k", "v")
    raises("RESOURCE_DOES_NOT_EXIST", client.delete_model_version, name, "2")
    raises("RESOURCE_DOES_NOT_EXIST", client.get_model_version_download_uri, name, "2")
    raises("RESOURCE_DOES_NOT_EXIST", client.transition_model_version_stage, name, "2", "Staging")


def test_resource_already_exists(client, name):
    client.create_registered_model(name)
    e = raises("RESOURCE_ALREADY_EXISTS", client.create_registered_model, name)
    assert e.get_http_status_code() == 400
    client.create_registered_model(f"{name}-b")
    raises("RESOURCE_ALREADY_EXISTS", client.rename_registered_model, f"{name}-b", name)
    assert client.get_registered_model(f"{name}-b").name == f"{name}-b"


def test_invalid_parameter_value(client, name, classic_run):
    e = raises("INVALID_PARAMETER_VALUE", client.create_registered_model, "")
    assert e.get_http_status_code() == 400
    new_version(client, name, classic_run)
    raises("INVALID_PARAMETER_VALUE", client.get_model_version, name, "abc")
    raises("INVALID_PARAMETER_VALUE", client.transition_model_version_stage, name, "1", "Bogus")
    raises("INVALID_PARAMETER_VALUE", client.search_model_versions, "foo = 'bar'")
    # nothing was stored by the rejected calls
    assert [v.version for v in client.search_model_versions(f"name = '{name}'")] == ["1"]


def test_create_model_version_of_a_missing_model(client, name, classic_run):
    raises("RESOURCE_DOES_NOT_EXIST", client.create_model_version, f"{name}-missing",
           classic_run.model_source, run_id=classic_run.run_id)
