// Workload identity federation from issuers outside Entra (issue 14), with @azure/identity,
// @actions/core and axa-group's oauth2-mock-server, all unmodified. Run by
// `cargo xtask sdk workload`, which starts a fresh mock-entra, writes the token files of its
// emulated GitHub Actions and AKS issuers and sets the WL_* variables (docs/sdk-setup.md).
//
// Each environment-only case runs in a child process (`node workload.mjs <case>`) whose
// environment holds exactly what a GitHub runner or an AKS pod would see.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { getIDToken } from "@actions/core";
import { ClientAssertionCredential, DefaultAzureCredential, WorkloadIdentityCredential } from "@azure/identity";
import { OAuth2Server } from "oauth2-mock-server";

const env = process.env;
const ARM_SCOPE = "https://management.azure.com/.default";
const EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
const need = (k) => {
  if (!env[k]) throw new Error(`environment variable ${k} is not set`);
  return env[k];
};

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));
}

/// An ARM token of the tenant the environment names, for the client it names.
function assertArmToken(token, tenant, client) {
  const c = claims(token);
  assert(c.tid === tenant, `tid ${c.tid}, expected ${tenant}`);
  assert(c.aud === "https://management.azure.com/" || c.aud === "https://management.azure.com", `aud ${c.aud}`);
  assert((c.appid ?? c.azp) === client, `appid ${c.appid ?? c.azp}, expected ${client}`);
}

async function expectAadsts(code, promise) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert(error, `expected AADSTS${code}, but the call succeeded`);
  assert(String(error.message).includes(`AADSTS${code}:`), `expected AADSTS${code} in: ${error.message}`);
}

// Cases that run with the environment alone (in a child process each).
const ENV_CASES = {
  async "WorkloadIdentityCredential gets an ARM token from the environment"() {
    const token = (await new WorkloadIdentityCredential({ disableInstanceDiscovery: true }).getToken(ARM_SCOPE)).token;
    assertArmToken(token, need("AZURE_TENANT_ID"), need("AZURE_CLIENT_ID"));
  },
  async "DefaultAzureCredential picks workload identity up from the environment"() {
    const token = (await new DefaultAzureCredential({ disableInstanceDiscovery: true }).getToken(ARM_SCOPE)).token;
    assertArmToken(token, need("AZURE_TENANT_ID"), need("AZURE_CLIENT_ID"));
  },
  async "WorkloadIdentityCredential surfaces the expected AADSTS code"() {
    const code = Number(need("WL_EXPECT_AADSTS"));
    await expectAadsts(code, new WorkloadIdentityCredential({ disableInstanceDiscovery: true }).getToken(ARM_SCOPE));
  },
};

async function runEnvCase(label, names) {
  const counts = { passed: 0, failed: 0 };
  for (const name of names) {
    try {
      await ENV_CASES[name]();
      counts.passed++;
      console.log(`  pass  [${label}] ${name}`);
    } catch (e) {
      counts.failed++;
      console.log(`  FAIL  [${label}] ${name}\n${e.stack ?? e}`);
    }
  }
  console.log(`RESULT ${JSON.stringify(counts)}`);
}

// Variables a runner or a pod would not have: the child sees only its own.
const CLEAN = Object.fromEntries(
  Object.entries(env).filter(
    ([k]) =>
      !k.startsWith("WL_") &&
      !k.startsWith("AZURE_") &&
      !k.startsWith("ACTIONS_") &&
      !["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET"].includes(k),
  ),
);

const total = { passed: 0, failed: 0 };

function child(label, extra, names) {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, "--env-case", label, ...names], {
    env: { ...CLEAN, AZURE_AUTHORITY_HOST: need("AZURE_AUTHORITY_HOST"), ...extra },
    encoding: "utf8",
  });
  process.stdout.write(r.stdout.replace(/^RESULT .*$/m, ""));
  process.stderr.write(r.stderr);
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  const counts = line ? JSON.parse(line.slice(7)) : { passed: 0, failed: 1 };
  if (!line) console.log(`  FAIL  [${label}] the child process ended without a result (status ${r.status})`);
  total.passed += counts.passed;
  total.failed += counts.failed;
}

async function inProcess(name, fn) {
  try {
    await fn();
    total.passed++;
    console.log(`  pass  ${name}`);
  } catch (e) {
    total.failed++;
    console.log(`  FAIL  ${name}\n${e.stack ?? e}`);
  }
}

const tenant = () => need("WL_TENANT");
const OK = [
  "WorkloadIdentityCredential gets an ARM token from the environment",
  "DefaultAzureCredential picks workload identity up from the environment",
];
const FAILS = ["WorkloadIdentityCredential surfaces the expected AADSTS code"];

async function main() {
  if (process.argv[2] === "--env-case") return runEnvCase(process.argv[3], process.argv.slice(4));
  const authority = need("AZURE_AUTHORITY_HOST");
  const wl = (tokenFile, client, extra = {}) => ({
    AZURE_TENANT_ID: tenant(),
    AZURE_CLIENT_ID: client,
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    ...extra,
  });

  child("github", wl(need("WL_GITHUB_TOKEN_FILE"), need("WL_GITHUB_APP")), OK);
  child("k8s", wl(need("WL_K8S_TOKEN_FILE"), need("WL_K8S_APP")), OK);
  child("subject case", wl(need("WL_WRONG_CASE_TOKEN_FILE"), need("WL_GITHUB_APP"), { WL_EXPECT_AADSTS: "700213" }), FAILS);
  child("issuer slash", wl(need("WL_GITHUB_TOKEN_FILE"), need("WL_SLASH_APP"), { WL_EXPECT_AADSTS: "700211" }), FAILS);
  child("rotated key", wl(need("WL_ROTATED_TOKEN_FILE"), need("WL_GITHUB_APP"), { WL_EXPECT_AADSTS: "7000272" }), FAILS);

  // A GitHub workflow: @actions/core asks the runner for an ID token, ClientAssertionCredential
  // exchanges it (azure/login does the same).
  await inProcess("@actions/core getIDToken() then ClientAssertionCredential gets an ARM token", async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = need("WL_ACTIONS_ID_TOKEN_REQUEST_URL");
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = need("WL_ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    const cred = new ClientAssertionCredential(tenant(), need("WL_GITHUB_APP"), () => getIDToken(EXCHANGE_AUDIENCE), {
      authorityHost: authority,
      disableInstanceDiscovery: true,
    });
    const token = (await cred.getToken(ARM_SCOPE)).token;
    assertArmToken(token, tenant(), need("WL_GITHUB_APP"));
  });

  // A real third-party identity provider: the mock fetches its discovery document and JWKS.
  const port = Number(need("WL_IDP_PORT"));
  const idpApp = need("WL_IDP_APP");
  const subject = need("WL_IDP_SUBJECT");
  const start = async () => {
    const server = new OAuth2Server();
    await server.issuer.keys.generate("RS256");
    await server.start(port, "127.0.0.1");
    return server;
  };
  const mint = (server) =>
    server.issuer.buildToken({
      scopesOrTransform: (_header, payload) => {
        payload.sub = subject;
        payload.aud = EXCHANGE_AUDIENCE;
      },
    });
  const exchange = (assertion) =>
    new ClientAssertionCredential(tenant(), idpApp, async () => assertion, {
      authorityHost: authority,
      disableInstanceDiscovery: true,
    }).getToken(ARM_SCOPE);
  let server = await start();
  const first = await mint(server);
  await inProcess("a FIC trusting oauth2-mock-server's issuer gets an ARM token", async () => {
    assertArmToken((await exchange(first)).token, tenant(), idpApp);
  });
  await server.stop();
  await inProcess("with oauth2-mock-server stopped, an uncached issuer is AADSTS50166", async () => {
    // Move the mock's clock past its key cache (5 minutes) so that it must fetch again.
    const r = await fetch(`${need("WL_HTTP_BASE")}/_mock/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ offsetSeconds: 600 }),
    });
    assert(r.ok, `clock answered ${r.status}`);
    await expectAadsts(50166, exchange(first));
  });
  // The provider comes back with a new key: a token signed with the old one is not in its JWKS.
  server = await start();
  await inProcess("a token signed with oauth2-mock-server's rotated-out key is AADSTS7000272", async () => {
    await expectAadsts(7000272, exchange(first));
    // and its new key works again
    assertArmToken((await exchange(await mint(server))).token, tenant(), idpApp);
  });
  await server.stop();

  console.log(`workload (node): ${total.passed} passed, ${total.failed} failed`);
  process.exitCode = total.failed ? 1 : 0;
}

await main();
