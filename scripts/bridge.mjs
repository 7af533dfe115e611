#!/usr/bin/env node
// The polling bridge: lets the Worker running on a laptop (wrangler dev) talk to real Telegram
// without a public URL. It long-polls getUpdates with the bot's token and POSTs each update to the
// local webhook with the secret header, like Telegram's webhook delivery would.
//
//   npm run bridge                      bridge + (if nothing answers yet) wrangler dev with .dev.vars
//   npm run bridge -- --delete-webhook  first remove a webhook that blocks getUpdates
//   npm run bridge -- --webhook http://127.0.0.1:8787/telegram/webhook --no-worker
//
// Reads BOT_TOKEN, WEBHOOK_SECRET and TELEGRAM_API_ROOT (default https://api.telegram.org) from
// .dev.vars, then from the environment. The loop itself lives in sandbox/bridge.mjs.
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BridgeError, loadBridgeConfig, runBridge } from "../sandbox/bridge.mjs";

export * from "../sandbox/bridge.mjs";

// ---------------------------------------------------------------------------------------------
// Command line

/**
 * @param {string[]} argv
 */
function parseArgs(argv) {
  /** @type {{ webhook?: string, deleteWebhook: boolean, envFile?: string, noWorker: boolean, help: boolean }} */
  const args = { deleteWebhook: false, noWorker: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = /** @type {string} */ (argv[i]);
    if (a === "--webhook") args.webhook = argv[++i];
    else if (a.startsWith("--webhook=")) args.webhook = a.slice("--webhook=".length);
    else if (a === "--delete-webhook") args.deleteWebhook = true;
    else if (a === "--env-file") args.envFile = argv[++i];
    else if (a === "--no-worker") args.noWorker = true;
    else if (a === "--help" || a === "-h") args.help = true;
    else if (a === "--real") continue;
    else throw new BridgeError(`Unknown option ${a} (see --help)`);
  }
  return args;
}

/**
 * `npm run bridge` / `npm start -- --real`: makes sure a Worker runs locally (wrangler dev with
 * .dev.vars, unless one already answers or --no-worker), then bridges real Telegram to it.
 * @param {string[]} [argv]
 */
export async function main(argv = process.argv.slice(2)) {
  const args = parseArgs(argv);
  if (args.help) {
    console.log(`Usage: npm run bridge -- [--webhook URL] [--delete-webhook] [--env-file .dev.vars] [--no-worker]

Long-polls Telegram's getUpdates with your bot token and POSTs each update to the local Worker's
webhook with the secret header. Starts wrangler dev (with .dev.vars) first unless a Worker answers
already or --no-worker is given.`);
    return 0;
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const cfg = loadBridgeConfig({ file: resolve(root, args.envFile ?? ".dev.vars") });
  if (!cfg.token) {
    console.error(
      "Lectern bridge: no BOT_TOKEN. Create .dev.vars (see .dev.vars.example) with BOT_TOKEN from @BotFather,\n" +
        "WEBHOOK_SECRET and BOT_INFO, or use `npm start` for the local sandbox, which needs no token.",
    );
    return 1;
  }
  const port = Number(process.env.LECTERN_PORT || 8787);
  const webhookUrl = args.webhook ?? `http://127.0.0.1:${port}/telegram/webhook`;
  const origin = new URL(webhookUrl).origin;

  const controller = new AbortController();
  /** @type {import("../sandbox/wrangler.d.mts").WranglerDev | undefined} */
  let wrangler;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nLectern bridge: stopping…");
    controller.abort();
    await wrangler?.stop();
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());

  try {
    const up = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1500) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!up) {
      const local = /^(127\.0\.0\.1|localhost|\[::1\])$/.test(new URL(webhookUrl).hostname);
      if (args.noWorker || !local) {
        console.error(`Lectern bridge: nothing answers at ${origin}/healthz. Start the Worker first (npx wrangler dev).`);
        return 1;
      }
      const { startWranglerDev, waitForHealthy, isPortFree } = await import("../sandbox/wrangler.mjs");
      const workerPort = Number(new URL(webhookUrl).port || 80);
      if (!(await isPortFree(workerPort))) {
        console.error(`Lectern bridge: port ${workerPort} is in use but does not answer /healthz. Free it or set LECTERN_PORT.`);
        return 1;
      }
      if (!cfg.file) {
        console.error(`Lectern bridge: ${args.envFile ?? ".dev.vars"} is missing; wrangler dev needs it for the real bot's settings.`);
        return 1;
      }
      console.log(`Lectern bridge: starting the Worker with wrangler dev on port ${workerPort} (settings from .dev.vars)…`);
      wrangler = startWranglerDev({
        root,
        port: workerPort,
        // The Worker reads the same file as the bridge: .dev.vars by default (wrangler's own
        // lookup), or the --env-file given.
        envFile: args.envFile ? cfg.file : undefined,
        onOutput: prefixer("[worker] "),
      });
      void wrangler.exited.then((code) => {
        if (!stopping) {
          console.error(`Lectern bridge: wrangler dev exited (${code}).`);
          controller.abort();
        }
      });
      await waitForHealthy(`${origin}/healthz`, { wrangler, signal: controller.signal });
    }
    if (controller.signal.aborted) return stopping ? 0 : 1;
    console.log(
      `Lectern bridge: polling ${cfg.apiRoot} and delivering to ${webhookUrl}. Message your bot in Telegram; Ctrl-C to stop.`,
    );
    if (!cfg.secret) console.log("Lectern bridge: WEBHOOK_SECRET is not set; updates are sent without the secret header.");
    const stats = await runBridge({
      apiRoot: cfg.apiRoot,
      token: cfg.token,
      secret: cfg.secret,
      webhookUrl,
      signal: controller.signal,
      deleteWebhook: args.deleteWebhook,
      onUpdate: (u, ok) => console.log(`[bridge] update ${u.update_id} ${ok ? "delivered" : "FAILED"}`),
    });
    console.log(`Lectern bridge: stopped (${stats.delivered} delivered, ${stats.failed} failed).`);
    return 0;
  } catch (e) {
    if (e instanceof BridgeError) {
      console.error(`Lectern bridge: ${e.message}`);
      return 1;
    }
    if (stopping) return 0;
    throw e;
  } finally {
    await stop().catch(() => {});
  }
}

/** Prefixes each complete line of a stream of text. @param {string} prefix */
export function prefixer(prefix) {
  let partial = "";
  return (/** @type {string} */ text) => {
    const lines = (partial + text).split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? e.stack : e);
      process.exit(1);
    },
  );
}
