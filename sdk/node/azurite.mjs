// Azurite, Microsoft's Storage emulator, as an independent validator of mock-entra's tokens:
// started with HTTPS (the mock's server certificate, signed by the mock's CA) and `--oauth basic`,
// it must accept a Storage token obtained through the FIC exchange so that @azure/storage-blob
// can create and list a container. Run by `cargo xtask sdk azurite`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientAssertionCredential, ManagedIdentityCredential } from "@azure/identity";
import { AnonymousCredential, BlobServiceClient } from "@azure/storage-blob";

const env = process.env;
const need = (k) => {
  if (!env[k]) throw new Error(`environment variable ${k} is not set`);
  return env[k];
};
const AUTHORITY = need("AZURE_AUTHORITY_HOST").replace(/\/$/, "");
const CERT = need("SDK_SERVER_CERT");
const KEY = need("SDK_SERVER_KEY");
const MI_CLIENT_ID = need("SDK_MI_CLIENT_ID");
const APP = need("SDK_APP_CLIENT_ID");
const TARGET_TENANT = need("SDK_TARGET_TENANT_ID");
// Azurite serves one well-known account in path style.
const ACCOUNT = "devstoreaccount1";

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts azurite-blob and resolves once it says it is listening (60 s deadline). */
function startAzurite(port, location) {
  const bin = join(process.cwd(), "node_modules", ".bin", "azurite-blob");
  const args = ["--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", location,
    "--cert", CERT, "--key", KEY, "--oauth", "basic", "--skipApiVersionCheck", "--disableTelemetry"];
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 60 s:\n${output}`)), 60_000);
    const onData = (d) => {
      output += d;
      if (output.includes("successfully listen")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}):\n${output}`));
    });
  });
  ready.catch(() => {}); // awaited in main; this only keeps an early exit from being unhandled
  return { child, ready, output: () => output };
}

async function main() {
  const location = mkdtempSync(join(tmpdir(), "sdk-azurite-"));
  const port = await freePort();
  const azurite = startAzurite(port, location);
  const counts = { passed: 0, failed: 0 };
  const check = async (name, fn) => {
    try {
      await fn();
      counts.passed++;
      console.log(`  pass  ${name}`);
    } catch (e) {
      counts.failed++;
      console.log(`  FAIL  ${name}\n${e.stack ?? e}`);
    }
  };
  try {
    await azurite.ready;
    const url = `https://127.0.0.1:${port}/${ACCOUNT}`;
    const mi = new ManagedIdentityCredential({ clientId: MI_CLIENT_ID });
    const fic = new ClientAssertionCredential(
      TARGET_TENANT, APP, async () => (await mi.getToken("api://AzureADTokenExchange/.default")).token,
      { authorityHost: AUTHORITY, disableInstanceDiscovery: true });
    const name = `sdk-conformance-${Date.now()}`;

    await check("Azurite with --oauth basic refuses an anonymous request", async () => {
      const anon = new BlobServiceClient(url, new AnonymousCredential());
      let status;
      try {
        await anon.getContainerClient(name).create();
      } catch (e) {
        status = e.statusCode;
      }
      assert(status === 401 || status === 403, `anonymous create answered ${status}, expected 401/403`);
    });

    await check("a Storage token from the FIC exchange creates and lists a container in Azurite", async () => {
      const client = new BlobServiceClient(url, fic);
      await client.getContainerClient(name).create();
      const blob = client.getContainerClient(name).getBlockBlobClient("hello.txt");
      await blob.upload("hello from mock-entra", 21);
      const names = [];
      for await (const c of client.listContainers()) names.push(c.name);
      assert(names.includes(name), `${name} not in ${names}`);
      const blobs = [];
      for await (const b of client.getContainerClient(name).listBlobsFlat()) blobs.push(b.name);
      assert(blobs.includes("hello.txt"), `hello.txt not in ${blobs}`);
    });
  } catch (e) {
    counts.failed++;
    console.log(`  FAIL  Azurite setup\n${e.stack ?? e}`);
  } finally {
    if (azurite.child.exitCode === null) {
      const exited = new Promise((resolve) => azurite.child.once("exit", resolve));
      azurite.child.kill();
      await exited;
    }
    rmSync(location, { recursive: true, force: true, maxRetries: 5 });
  }
  console.log(`azurite: ${counts.passed} passed, ${counts.failed} failed`);
  process.exitCode = counts.failed ? 1 : 0;
}

await main();
