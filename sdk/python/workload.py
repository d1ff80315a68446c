"""Workload identity federation from issuers outside Entra (issue 14) with azure-identity, unmodified.

Run by `cargo xtask sdk workload`, which starts a fresh mock-entra, writes token files of its
emulated GitHub Actions and AKS issuers and sets the WL_* variables (docs/sdk-setup.md). Every
credential below is built without arguments: it reads AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST, as in a GitHub job or an AKS pod.
"""

import base64
import json
import os
import sys
import traceback

from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DefaultAzureCredential, WorkloadIdentityCredential

ARM_SCOPE = "https://management.azure.com/.default"
TENANT = os.environ["WL_TENANT"]
GITHUB_APP = os.environ["WL_GITHUB_APP"]
K8S_APP = os.environ["WL_K8S_APP"]
SLASH_APP = os.environ["WL_SLASH_APP"]
GITHUB_TOKEN = os.environ["WL_GITHUB_TOKEN_FILE"]
K8S_TOKEN = os.environ["WL_K8S_TOKEN_FILE"]
WRONG_CASE_TOKEN = os.environ["WL_WRONG_CASE_TOKEN_FILE"]
ROTATED_TOKEN = os.environ["WL_ROTATED_TOKEN_FILE"]

# What a runner or a pod would not have.
for k in list(os.environ):
    if k.startswith("AZURE_") and k != "AZURE_AUTHORITY_HOST" or k in (
            "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET"):
        del os.environ[k]


class Workload:
    """The environment of one workload for the duration of a case."""

    def __init__(self, client_id, token_file):
        self.values = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": client_id,
                       "AZURE_FEDERATED_TOKEN_FILE": token_file}

    def __enter__(self):
        os.environ.update(self.values)

    def __exit__(self, *exc):
        for k in self.values:
            os.environ.pop(k, None)


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def assert_arm_token(token, client_id):
    c = claims(token)
    assert c["tid"] == TENANT, c
    assert c["aud"].rstrip("/") == "https://management.azure.com", c
    assert c.get("appid", c.get("azp")) == client_id, c


def expect_aadsts(code, call):
    try:
        call()
    except ClientAuthenticationError as e:
        assert f"AADSTS{code}:" in str(e), f"expected AADSTS{code} in: {e}"
        return
    raise AssertionError(f"expected AADSTS{code}, but the call succeeded")


def workload_identity_credential_with_a_github_token_file_gets_an_arm_token_in_litware():
    with Workload(GITHUB_APP, GITHUB_TOKEN):
        assert_arm_token(WorkloadIdentityCredential().get_token(ARM_SCOPE).token, GITHUB_APP)


def workload_identity_credential_with_a_projected_service_account_token_gets_an_arm_token_in_litware():
    with Workload(K8S_APP, K8S_TOKEN):
        assert_arm_token(WorkloadIdentityCredential().get_token(ARM_SCOPE).token, K8S_APP)


def default_azure_credential_picks_up_the_github_workload_from_the_environment():
    with Workload(GITHUB_APP, GITHUB_TOKEN):
        assert_arm_token(DefaultAzureCredential().get_token(ARM_SCOPE).token, GITHUB_APP)


def default_azure_credential_picks_up_the_aks_workload_from_the_environment():
    with Workload(K8S_APP, K8S_TOKEN):
        assert_arm_token(DefaultAzureCredential().get_token(ARM_SCOPE).token, K8S_APP)


def a_subject_differing_in_case_surfaces_aadsts700213():
    with Workload(GITHUB_APP, WRONG_CASE_TOKEN):
        expect_aadsts(700213, lambda: WorkloadIdentityCredential().get_token(ARM_SCOPE))


def a_fic_issuer_with_a_trailing_slash_surfaces_aadsts700211():
    with Workload(SLASH_APP, GITHUB_TOKEN):
        expect_aadsts(700211, lambda: WorkloadIdentityCredential().get_token(ARM_SCOPE))


def a_token_signed_with_a_rotated_out_key_surfaces_aadsts7000272():
    with Workload(GITHUB_APP, ROTATED_TOKEN):
        expect_aadsts(7000272, lambda: WorkloadIdentityCredential().get_token(ARM_SCOPE))


CASES = [
    workload_identity_credential_with_a_github_token_file_gets_an_arm_token_in_litware,
    workload_identity_credential_with_a_projected_service_account_token_gets_an_arm_token_in_litware,
    default_azure_credential_picks_up_the_github_workload_from_the_environment,
    default_azure_credential_picks_up_the_aks_workload_from_the_environment,
    a_subject_differing_in_case_surfaces_aadsts700213,
    a_fic_issuer_with_a_trailing_slash_surfaces_aadsts700211,
    a_token_signed_with_a_rotated_out_key_surfaces_aadsts7000272,
]


def main():
    failed = 0
    for case in CASES:
        name = case.__name__.replace("_", " ")
        try:
            case()
            print(f"  pass  {name}")
        except Exception:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"  FAIL  {name}\n{traceback.format_exc()}")
    print(f"workload (python): {len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
