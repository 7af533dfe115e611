#!/usr/bin/env node
// npm start: the Lectern sandbox. Runs the Worker with `wrangler dev` (local KV in .wrangler/state,
// scheduled events on /__scheduled) against a local Telegram stand-in, and prints the page to open.
// No token and no Telegram account needed. Ctrl-C stops both.
//
//   npm start                  the sandbox (ports: LECTERN_PORT=8787 for the Worker, SANDBOX_PORT=8788)
//   npm start -- --real        real Telegram instead: wrangler dev with .dev.vars + the polling bridge
//   npm start -- --config X    use another wrangler config file
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function usage() {
  return `Usage: npm start [-- --real [--delete-webhook]] [-- --config wrangler.toml]

Starts the Worker (wrangler dev) and the Lectern sandbox, a local Telegram stand-in with a chat page.
Environment: LECTERN_PORT (Worker, default 8787), SANDBOX_PORT (sandbox page + Bot API, default 8788).
--real runs wrangler dev with your .dev.vars (real BOT_TOKEN) and bridges real Telegram to it.`;
}

/** @param {string} name @param {number} fallback */
function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`Lectern sandbox: ${name}=${raw} is not a port number.`);
    process.exit(1);
  }
  return port;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage());
    return 0;
  }
  if (!existsSync(join(ROOT, "node_modules")) || !existsSync(join(ROOT, "node_modules", ".bin", "wrangler"))) {
    console.error("Lectern: node_modules is missing — run npm install first.");
    return 1;
  }

  if (argv.includes("--real")) {
    const { main: bridgeMain } = await import("./bridge.mjs");
    return bridgeMain(argv.filter((a) => a !== "--real"));
  }

  let config;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--config" || a === "-c") config = argv[++i];
    else if (a?.startsWith("--config=")) config = a.slice("--config=".length);
    else {
      console.error(`Lectern sandbox: unknown option ${a}\n\n${usage()}`);
      return 1;
    }
  }
  const configPath = resolve(ROOT, config ?? "wrangler.toml");
  if (!existsSync(configPath)) {
    console.error(`Lectern sandbox: ${configPath} not found; the Worker needs its wrangler configuration.`);
    return 1;
  }

  // The Mini App's page (public/app/) is built from app/ before wrangler dev serves it.
  await (await import("./build-app.mjs")).buildApp();
  const { startSandbox } = await import("../sandbox/server.mjs");
  const { DAILY_CRON, sandboxWorkerVars, SANDBOX_USERS } = await import("../sandbox/config.mjs");
  const { isPortFree, readCrons, startWranglerDev, waitForHealthy, writeEnvFile } = await import("../sandbox/wrangler.mjs");
  const { prefixer } = await import("./bridge.mjs");

  const workerPort = portFromEnv("LECTERN_PORT", 8787);
  const sandboxPort = portFromEnv("SANDBOX_PORT", 8788);
  if (workerPort === sandboxPort) {
    console.error("Lectern sandbox: LECTERN_PORT and SANDBOX_PORT must differ.");
    return 1;
  }
  for (const [port, name, what] of /** @type {const} */ ([
    [workerPort, "LECTERN_PORT", "the Worker (wrangler dev)"],
    [sandboxPort, "SANDBOX_PORT", "the sandbox page"],
  ])) {
    if (!(await isPortFree(port))) {
      console.error(
        `Lectern sandbox: port ${port} (for ${what}) is already in use. ` +
          `Stop whatever uses it, or pick another port, e.g. ${name}=${port + 10} npm start`,
      );
      return 1;
    }
  }

  const crons = readCrons(configPath);
  if (crons.length > 0 && !crons.includes(DAILY_CRON)) {
    console.warn(
      `Lectern sandbox: warning: "Run the daily job now" uses cron "${DAILY_CRON}", but ${configPath} has ${JSON.stringify(crons)}. ` +
        "Update DAILY_CRON in sandbox/config.mjs.",
    );
  }

  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const sandbox = await startSandbox({
    port: sandboxPort,
    workerUrl,
    mode: "webhook",
    // Next to the Worker's local KV: deleting .wrangler/state resets both together.
    stateFile: join(ROOT, ".wrangler", "state", "sandbox-telegram.json"),
    log: (line) => console.log(line),
  });
  const envFile = writeEnvFile({ vars: sandboxWorkerVars({ sandboxUrl: sandbox.url }), root: ROOT });

  console.log(`Lectern sandbox: starting the Worker with wrangler dev on ${workerUrl} …`);
  const wrangler = startWranglerDev({
    root: ROOT,
    port: workerPort,
    envFile,
    config: config ? configPath : undefined,
    persistTo: join(".wrangler", "state"),
    onOutput: prefixer("[worker] "),
  });

  let stopping = false;
  /** @param {number} code */
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log("\nLectern sandbox: stopping…");
    await wrangler.stop();
    await sandbox.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGHUP", () => void shutdown(0));
  void wrangler.exited.then((code) => {
    if (stopping) return;
    console.error(`Lectern sandbox: wrangler dev exited unexpectedly (code ${code}). See its output above.`);
    void shutdown(typeof code === "number" && code !== 0 ? code : 1);
  });

  try {
    await waitForHealthy(`${workerUrl}/healthz`, { wrangler, timeoutMs: 180_000 });
  } catch (e) {
    if (stopping) return 0;
    const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    console.error(`Lectern sandbox: the Worker did not come up: ${reason}`);
    await shutdown(1);
    return 1;
  }

  const first = SANDBOX_USERS[0];
  console.log(
    [
      "",
      `Lectern sandbox: open ${sandbox.url} — chatting as ${first?.first_name ?? "Alice"}; Ctrl-C to stop`,
      `  Worker:  ${workerUrl} (wrangler dev, local KV in .wrangler/state, cron "${DAILY_CRON}" via the page's "Run the daily job now")`,
      `  Users:   ${SANDBOX_USERS.map((u) => `${u.displayName ?? u.first_name} (${u.id}, ${u.label})`).join(", ")}`,
      "  Chats and KV persist in .wrangler/state; delete that folder (while stopped) for a fresh start.",
      "",
    ].join("\n"),
  );
  return undefined; // keep running until Ctrl-C
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
