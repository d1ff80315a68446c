#!/usr/bin/env bash
# The Azure CLI (`az`, unmodified, pinned in requirements.txt) against mock-entra: the workshop
# recipe of docs/sdk-setup.md, step by step. Run by `cargo xtask sdk azure-cli`, which starts a
# fresh mock-entra and sets:
#   MOCK_ENTRA_ARM         the mock's HTTPS origin (https://localhost:<port>), its Resource Manager
#   AZURE_CONFIG_DIR       an empty directory: az keeps its clouds, accounts and tokens there
#   REQUESTS_CA_BUNDLE     the mock's CA (<data-dir>/ca.pem)
#   SDK_IDENTITY_ENDPOINT, SDK_IDENTITY_HEADER  the App Service managed-identity endpoint
#   SDK_* ids              the default scenario's (see xtask/src/sdk.rs)
# az itself is configured by nothing but AZURE_CONFIG_DIR and REQUESTS_CA_BUNDLE; the App Service
# variables are set only on the `az login --identity` commands, as App Service sets them.
set -uo pipefail

: "${MOCK_ENTRA_ARM:?}" "${AZURE_CONFIG_DIR:?}" "${REQUESTS_CA_BUNDLE:?}"
: "${SDK_MI_CLIENT_ID:?}" "${SDK_APP_CLIENT_ID:?}" "${SDK_TARGET_TENANT_ID:?}" "${SDK_HOME_TENANT_ID:?}"
: "${SDK_TARGET_SUBSCRIPTION_ID:?}" "${SDK_EXPECT_RESOURCE_GROUP:?}" "${SDK_OWN_APP_CLIENT_ID:?}"
: "${SDK_IDENTITY_ENDPOINT:?}" "${SDK_IDENTITY_HEADER:?}"

passed=0
failed=0
out=""

# pass/fail bookkeeping: `check NAME COMMAND...` runs the command, keeps its stdout in $out.
check() {
  local name=$1
  shift
  local err
  err=$(mktemp)
  if out=$("$@" 2>"$err"); then
    passed=$((passed + 1))
    echo "  pass  $name"
  else
    failed=$((failed + 1))
    echo "  FAIL  $name"
    sed 's/^/        /' "$err"
    printf '%s\n' "$out" | sed 's/^/        /'
  fi
  rm -f "$err"
}

expect() { # expect NAME ACTUAL WANTED
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1))
    echo "  pass  $1"
  else
    failed=$((failed + 1))
    echo "  FAIL  $1: got '$2', expected '$3'"
  fi
}

# App Service's variables, for the commands run as the managed identity (az asks the endpoint
# again on each command, as it would on App Service).
as_app_service() { IDENTITY_ENDPOINT="$SDK_IDENTITY_ENDPOINT" IDENTITY_HEADER="$SDK_IDENTITY_HEADER" "$@"; }

# 1. The mock as a cloud, from its metadata endpoint (GET /metadata/endpoints?api-version=2022-09-01).
check "az cloud register reads the metadata endpoint" \
  az cloud register --name MockEntra --endpoint-resource-manager "$MOCK_ENTRA_ARM"
check "az cloud set selects it" az cloud set --name MockEntra
check "az cloud show gives the mock as login endpoint" \
  az cloud show --name MockEntra --query endpoints.activeDirectory --output tsv
expect "the login endpoint is the mock's origin" "$out" "$MOCK_ENTRA_ARM"
# MSAL would ask login.microsoftonline.com whether the mock's host is a valid authority.
check "az config turns instance discovery off" az config set core.instance_discovery=false

# 2. The identity's token for the exchange, through the App Service endpoint (seed 004's
#    Get-AzAccessToken -ResourceUrl api://AzureADTokenExchange). The user-assigned identity holds
#    no role, hence --allow-no-subscriptions.
check "az login --identity --client-id (user-assigned, App Service)" \
  as_app_service az login --identity --client-id "$SDK_MI_CLIENT_ID" --allow-no-subscriptions --output none
check "az account get-access-token for api://AzureADTokenExchange" \
  as_app_service az account get-access-token --resource api://AzureADTokenExchange --query accessToken --output tsv
mi_token=$out
check "az account clear forgets the identity's tenant-level account" az account clear

# 3. The multi-tenant app in Litware, with the identity's token as its federated credential.
check "az login --service-principal --federated-token into Litware" \
  az login --service-principal --username "$SDK_APP_CLIENT_ID" --tenant "$SDK_TARGET_TENANT_ID" \
  --federated-token "$mi_token" --output none
check "az account list shows the subscription the app holds a role in" \
  az account list --query "[].id" --output tsv
expect "the one subscription is Litware's" "$out" "$SDK_TARGET_SUBSCRIPTION_ID"
check "az group list lists what Reader on one group can read" \
  az group list --query "[].name" --output tsv
expect "the one group is $SDK_EXPECT_RESOURCE_GROUP" "$out" "$SDK_EXPECT_RESOURCE_GROUP"
lower_rg=$(printf '%s' "$SDK_EXPECT_RESOURCE_GROUP" | tr '[:upper:]' '[:lower:]')
check "az group show finds the group whatever its case" \
  az group show --name "$lower_rg" --query name --output tsv
expect "ARM answers with the group's own name" "$out" "$SDK_EXPECT_RESOURCE_GROUP"
check "az group exists (HEAD) says true for it" az group exists --name "$SDK_EXPECT_RESOURCE_GROUP"
expect "the group exists" "$out" "true"
# Reader on one group only: ARM authorises before it looks, so HEAD on any other group is 403.
if az group exists --name rg-nowhere-to-be-found 2>"$AZURE_CONFIG_DIR/exists.err"; then
  expect "az group exists on an unreadable group fails" "succeeded" "Forbidden"
else
  expect "az group exists on an unreadable group is 403" \
    "$(grep -o Forbidden "$AZURE_CONFIG_DIR/exists.err" | head -1)" "Forbidden"
fi
if az group show --name rg-litware-data --output none 2>"$AZURE_CONFIG_DIR/show.err"; then
  expect "az group show of an unreadable group fails" "succeeded" "AuthorizationFailed"
else
  expect "az group show of an unreadable group is AuthorizationFailed" \
    "$(grep -o AuthorizationFailed "$AZURE_CONFIG_DIR/show.err" | head -1)" "AuthorizationFailed"
fi
check "az account get-access-token (Resource Manager)" \
  az account get-access-token --query tenant --output tsv
expect "the ARM token is Litware's" "$out" "$SDK_TARGET_TENANT_ID"
check "az account get-access-token --resource-type ms-graph" \
  az account get-access-token --resource-type ms-graph --query tenant --output tsv
expect "the Graph token is Litware's" "$out" "$SDK_TARGET_TENANT_ID"

# 4. The negative case: Litware's own app trusting Contoso's identity.
if az login --service-principal --username "$SDK_OWN_APP_CLIENT_ID" --tenant "$SDK_TARGET_TENANT_ID" \
  --federated-token "$mi_token" --output none 2>"$AZURE_CONFIG_DIR/own-app.err"; then
  expect "az login with Litware's own app fails" "succeeded" "AADSTS700236"
else
  expect "az login with Litware's own app shows AADSTS700236" \
    "$(grep -o 'AADSTS700236' "$AZURE_CONFIG_DIR/own-app.err" | head -1)" "AADSTS700236"
fi

# 5. The App Service's system-assigned identity, Reader on its own resource group in Contoso.
check "az login --identity (system-assigned, App Service)" \
  as_app_service az login --identity --output none
check "az account show is Contoso's subscription" as_app_service az account show --query tenantId --output tsv
expect "the identity's tenant is Contoso" "$out" "$SDK_HOME_TENANT_ID"
check "az group list as the identity" as_app_service az group list --query "[].name" --output tsv
expect "the identity reads its own group" "$out" "rg-workloads"

echo "azure-cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
