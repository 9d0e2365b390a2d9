"""mreg's roles through the MLflow door: MLFLOW_TRACKING_TOKEN (bearer) and MLFLOW_TRACKING_USERNAME/PASSWORD."""
import pytest
from mlflow.exceptions import MlflowException

from conftest import as_user, basic_auth, mreg_history

pytestmark = pytest.mark.mreg_only


def test_no_credentials_is_unauthenticated(client, target, name):
    with as_user(target, None):
        with pytest.raises(MlflowException) as e:
            client.search_registered_models()
        assert e.value.error_code == "UNAUTHENTICATED"
        assert e.value.get_http_status_code() == 401
        with pytest.raises(MlflowException) as e:
            client.create_registered_model(name)
        assert e.value.error_code == "UNAUTHENTICATED"
    with pytest.raises(MlflowException) as e:
        client.get_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST", "nothing was stored"


def test_raw_unauthenticated_answer_is_an_mlflow_error(target):
    status, body = target.api("GET", "/api/2.0/mlflow/registered-models/search?max_results=1", user=None)
    assert status == 401
    assert body["error_code"] == "UNAUTHENTICATED" and isinstance(body["message"], str)


def test_unknown_token_is_unauthenticated(client, target, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "not-a-token-of-this-registry")
    with pytest.raises(MlflowException) as e:
        client.search_registered_models()
    assert e.value.error_code == "UNAUTHENTICATED"


def test_reader_reads_but_cannot_write(client, target, name):
    client.create_registered_model(name)  # as alice
    with as_user(target, "rita"):
        assert client.get_registered_model(name).name == name
        assert [m.name for m in client.search_registered_models(filter_string=f"name = '{name}'")] == [name]
        for fn, args in [
            (client.create_registered_model, (f"{name}-by-rita",)),
            (client.update_registered_model, (name, "by rita")),
            (client.set_registered_model_tag, (name, "k", "v")),
            (client.delete_registered_model, (name,)),
        ]:
            with pytest.raises(MlflowException) as e:
                fn(*args)
            assert e.value.error_code == "PERMISSION_DENIED", fn.__name__
            assert e.value.get_http_status_code() == 403
    got = client.get_registered_model(name)
    assert got.tags == {} and not got.description


def test_approver_cannot_register(client, target, name):
    with as_user(target, "bob"):
        with pytest.raises(MlflowException) as e:
            client.create_registered_model(name)
        assert e.value.error_code == "PERMISSION_DENIED"


def test_basic_auth_with_the_token_as_password(client, target, name):
    with basic_auth("alice", target.tokens["alice"]):
        client.create_registered_model(name, description="via basic auth")
        assert client.get_registered_model(name).description == "via basic auth"
    registered = [e for e in mreg_history(target, name) if e["type"] == "ModelRegistered"]
    assert [e["actor"] for e in registered] == ["alice"]


def test_basic_auth_with_a_wrong_password_or_user(client, target, name):
    with basic_auth("alice", "wrong-password-0000000000"):
        with pytest.raises(MlflowException) as e:
            client.search_registered_models()
        assert e.value.error_code == "UNAUTHENTICATED"
    with basic_auth("mallory", target.tokens["alice"]):
        with pytest.raises(MlflowException) as e:
            client.create_registered_model(name)
        assert e.value.error_code == "UNAUTHENTICATED"


def test_basic_auth_reader_cannot_write(client, target, name):
    with basic_auth("rita", target.tokens["rita"]):
        with pytest.raises(MlflowException) as e:
            client.create_registered_model(name)
        assert e.value.error_code == "PERMISSION_DENIED"
