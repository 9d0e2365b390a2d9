"""transition-stage never bypasses the approval policy (mreg's default: staging and production need one approval
from an approver); with a zero-approval policy it behaves exactly as on MLflow."""
import re
import urllib.parse

import pytest
from mlflow.exceptions import MlflowException

from conftest import as_user, eventually, move_to_stage, new_version, open_policy

pytestmark = pytest.mark.mreg_only

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def transition(target, tid):
    """GET /api/v1/transitions/<id>; the request may take a moment to reach the audit read models (distributed)."""
    reply = eventually(lambda: (lambda r: r if r[0] == 200 else None)(target.api("GET", f"/api/v1/transitions/{tid}", "admin")), 10)
    assert reply, f"transition {tid} never became readable: {target.api('GET', f'/api/v1/transitions/{tid}', 'admin')}"
    return reply[1]


def stage_of(client, name, version, expected):
    """The version's stage once it is `expected` (an approval may apply asynchronously), else its current stage."""
    return eventually(lambda: (lambda s: s if s == expected else None)(client.get_model_version(name, version).current_stage), 15) \
        or client.get_model_version(name, version).current_stage


def request_transition(client, name, version, stage, **kwargs) -> str:
    """transition_model_version_stage under an approval rule: an MlflowException naming the opened request."""
    with pytest.raises(MlflowException) as e:
        client.transition_model_version_stage(name, version, stage, **kwargs)
    message = str(e.value)
    ids = UUID.findall(message)
    assert ids, f"the error names the transition request: {message}"
    assert "approv" in message.lower(), f"the error says how to get it approved: {message}"
    return ids[0]


def test_transition_under_default_policy_opens_a_request_approved_by_an_approver(client, target, name, classic_run):
    new_version(client, name, classic_run)
    tid = request_transition(client, name, "1", "Production")
    assert client.get_model_version(name, "1").current_stage == "None", "nothing moves before the approval"

    req = transition(target, tid)
    assert (req["model"], req["version"], req["toStage"], req["status"], req["requestedBy"]) == (name, 1, "production", "pending", "alice")

    # a contributor cannot approve (and nobody approves their own request)
    status, body = target.api("POST", f"/api/v1/transitions/{tid}/approve", "alice", {"comment": "mine"})
    assert status == 403, body
    assert client.get_model_version(name, "1").current_stage == "None"

    status, body = target.api("POST", f"/api/v1/transitions/{tid}/approve", "bob", {"comment": "ship it"})
    assert status in (200, 202), body
    assert stage_of(client, name, "1", "Production") == "Production"
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["1"]


def test_approved_request_keeps_archive_existing_versions(client, target, name, classic_run):
    new_version(client, name, classic_run)
    new_version(client, name, classic_run)
    t1 = request_transition(client, name, "1", "Staging")
    assert target.api("POST", f"/api/v1/transitions/{t1}/approve", "bob", {})[0] in (200, 202)
    assert stage_of(client, name, "1", "Staging") == "Staging"
    t2 = request_transition(client, name, "2", "Staging", archive_existing_versions=True)
    assert transition(target, t2)["archiveExisting"] is True
    assert target.api("POST", f"/api/v1/transitions/{t2}/approve", "bob", {})[0] in (200, 202)
    assert stage_of(client, name, "2", "Staging") == "Staging"
    assert stage_of(client, name, "1", "Archived") == "Archived"


def test_rejected_request_changes_nothing(client, target, name, classic_run):
    new_version(client, name, classic_run)
    tid = request_transition(client, name, "1", "Staging")
    transition(target, tid)
    status, body = target.api("POST", f"/api/v1/transitions/{tid}/reject", "bob", {"comment": "not yet"})
    assert status in (200, 202), body
    assert eventually(lambda: transition(target, tid)["status"] == "rejected", 10), transition(target, tid)
    assert client.get_model_version(name, "1").current_stage == "None"


def test_stages_without_approval_apply_at_once_under_the_default_policy(client, name, classic_run):
    """The default policy needs no approval for archived (and development): those apply at once."""
    new_version(client, name, classic_run)
    move_to_stage(client, name, "1", "Archived")


def test_zero_approval_policy_behaves_as_mlflow(client, target, name, classic_run):
    for _ in range(2):
        new_version(client, name, classic_run)
    open_policy(target, name)
    status, policy = target.api("GET", f"/api/v1/models/{urllib.parse.quote(name)}/policy", "rita")
    assert status == 200 and policy["policy"]["production"]["requiredApprovals"] == 0, policy
    assert client.transition_model_version_stage(name, "1", "Production").current_stage == "Production"
    mv = client.transition_model_version_stage(name, "2", "Production", archive_existing_versions=True)
    assert mv.current_stage == "Production"
    assert client.get_model_version(name, "1").current_stage == "Archived"


def test_reader_and_approver_cannot_transition(client, target, name, classic_run):
    new_version(client, name, classic_run)
    open_policy(target, name)
    for user in ("rita", "bob"):
        with as_user(target, user):
            with pytest.raises(MlflowException) as e:
                client.transition_model_version_stage(name, "1", "Staging")
            assert e.value.error_code == "PERMISSION_DENIED", user
    assert client.get_model_version(name, "1").current_stage == "None"


def test_only_admin_sets_a_policy(target, client, name):
    client.create_registered_model(name)
    from conftest import OPEN_POLICY

    status, body = target.api("PUT", f"/api/v1/models/{urllib.parse.quote(name)}/policy", "alice", OPEN_POLICY)
    assert status == 403, body
