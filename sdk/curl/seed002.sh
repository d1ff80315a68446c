#!/usr/bin/env bash
# Seed 002's REST Client file, request for request, as curl with assertions.
#
# Environment (set by `cargo xtask sdk`, or by you for real Azure; see docs/sdk-setup.md):
#   AZURE_POD_IDENTITY_AUTHORITY_HOST  IMDS base (real Azure: http://169.254.169.254)
#   AZURE_AUTHORITY_HOST               Entra authority (real Azure: https://login.microsoftonline.com)
#   SDK_ARM_ENDPOINT                   ARM base (real Azure: https://management.azure.com)
#   SDK_CA_FILE                        CA bundle to trust (optional; real Azure: unset)
#   SDK_MI_CLIENT_ID                   the user-assigned identity's client id
#   SDK_HOME_TENANT_ID SDK_APP_CLIENT_ID                 Contoso and its multi-tenant app
#   SDK_TARGET_TENANT_ID SDK_TARGET_SUBSCRIPTION_ID      Litware
#   SDK_EXPECT_RESOURCE_GROUP          a resource group the app's service principal can read
#   SDK_OWN_APP_CLIENT_ID              optional: an app registered in Litware itself (expects AADSTS700236)
# The first three default to real Azure's endpoints.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
need() { [[ -n "${!1:-}" ]] || fail "environment variable $1 is not set"; }
# Real Azure's endpoints unless the mock's are exported.
: "${AZURE_POD_IDENTITY_AUTHORITY_HOST:=http://169.254.169.254}"
: "${AZURE_AUTHORITY_HOST:=https://login.microsoftonline.com}"
: "${SDK_ARM_ENDPOINT:=https://management.azure.com}"
for v in SDK_MI_CLIENT_ID \
  SDK_HOME_TENANT_ID SDK_APP_CLIENT_ID SDK_TARGET_TENANT_ID SDK_TARGET_SUBSCRIPTION_ID \
  SDK_EXPECT_RESOURCE_GROUP; do need "$v"; done

CURL=(curl -sS --max-time 30)
[[ -n "${SDK_CA_FILE:-}" ]] && CURL+=(--cacert "$SDK_CA_FILE")
IMDS="${AZURE_POD_IDENTITY_AUTHORITY_HOST%/}"
AUTH="${AZURE_AUTHORITY_HOST%/}"
ARM="${SDK_ARM_ENDPOINT%/}"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# request METHOD URL [curl args...]: body in $OUT, prints the HTTP status
request() {
  local method=$1 url=$2; shift 2
  "${CURL[@]}" -X "$method" -o "$OUT" -w '%{http_code}' "$@" "$url"
}

# token TENANT CLIENT_ID SCOPE ASSERTION: the seed's client_credentials POST
token() {
  request POST "$AUTH/$1/oauth2/v2.0/token" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode "scope=$3" \
    --data-urlencode "client_id=$2" \
    --data-urlencode 'client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer' \
    --data-urlencode "client_assertion=$4" \
    --data-urlencode 'grant_type=client_credentials'
}

echo "0. IMDS availability probe (what SDKs send without Metadata): 400, metadata header required"
status=$(request GET "$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://AzureADTokenExchange")
[[ $status == 400 ]] || fail "the probe answered $status, expected 400: $(cat "$OUT")"
# SDKs only need the 400 (any answer but 403 "unreachable" means IMDS is there); the text is IMDS's.
[[ $(jq -r .error_description "$OUT") == "Required metadata header not specified" ]] \
  || fail "the probe's answer does not say the metadata header is required: $(cat "$OUT")"
[[ $(jq -r .error "$OUT") == invalid_request ]] \
  || fail "the probe's error is not invalid_request (what Azure SDKs' IMDS doubles send): $(cat "$OUT")"

echo "1. IMDS: managed-identity token for api://AzureADTokenExchange"
status=$(request GET "$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://AzureADTokenExchange&client_id=$SDK_MI_CLIENT_ID" -H 'Metadata: true')
[[ $status == 200 ]] || fail "IMDS answered $status: $(cat "$OUT")"
MI_TOKEN=$(jq -er .access_token "$OUT") || fail "no access_token from IMDS"
[[ $(jq -r .resource "$OUT") == api://AzureADTokenExchange ]] || fail "IMDS resource is $(jq -r .resource "$OUT")"

echo "2. Storage token in the home tenant (Contoso)"
status=$(token "$SDK_HOME_TENANT_ID" "$SDK_APP_CLIENT_ID" https://storage.azure.com/.default "$MI_TOKEN")
[[ $status == 200 ]] || fail "home-tenant token answered $status: $(cat "$OUT")"
[[ $(jq -r .token_type "$OUT") == Bearer ]] || fail "token_type is not Bearer"

skipped=0
if [[ -n "${SDK_OWN_APP_CLIENT_ID:-}" ]]; then
  echo "3. The seed's mistake: an app created in Litware itself -> AADSTS700236"
  status=$(token "$SDK_TARGET_TENANT_ID" "$SDK_OWN_APP_CLIENT_ID" https://storage.azure.com/.default "$MI_TOKEN")
  # Entra answers invalid_client with 401 (400 for other errors); accept either, assert the code.
  [[ $status == 400 || $status == 401 ]] || fail "Litware Own App answered $status, expected 400/401: $(cat "$OUT")"
  jq -e '.error_codes | index(700236)' "$OUT" >/dev/null || fail "expected AADSTS700236, got $(cat "$OUT")"
  jq -r .error_description "$OUT" | grep -q '^AADSTS700236:' || fail "error_description lacks AADSTS700236"
else
  echo "3. skip: SDK_OWN_APP_CLIENT_ID not set"
  skipped=1
fi

echo "4. The fix: the multi-tenant app's service principal in Litware -> Storage token"
status=$(token "$SDK_TARGET_TENANT_ID" "$SDK_APP_CLIENT_ID" https://storage.azure.com/.default "$MI_TOKEN")
[[ $status == 200 ]] || fail "Litware storage token answered $status: $(cat "$OUT")"

echo "5. ARM token in Litware"
status=$(token "$SDK_TARGET_TENANT_ID" "$SDK_APP_CLIENT_ID" https://management.azure.com/.default "$MI_TOKEN")
[[ $status == 200 ]] || fail "Litware ARM token answered $status: $(cat "$OUT")"
ARM_TOKEN=$(jq -er .access_token "$OUT")

echo "6. ARM: resource groups of the Litware subscription"
status=$(request GET "$ARM/subscriptions/$SDK_TARGET_SUBSCRIPTION_ID/resourceGroups?api-version=2024-08-01" \
  -H 'Content-Type: application/json' -H "Authorization: Bearer $ARM_TOKEN")
[[ $status == 200 ]] || fail "resourceGroups answered $status: $(cat "$OUT")"
jq -e --arg rg "$SDK_EXPECT_RESOURCE_GROUP" '[.value[].name] | index($rg)' "$OUT" >/dev/null \
  || fail "$SDK_EXPECT_RESOURCE_GROUP not listed: $(jq -c '[.value[].name]' "$OUT")"

echo "seed002: $((7 - skipped)) passed, 0 failed, $skipped skipped"
