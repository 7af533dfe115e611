// Running the Worker under `wrangler dev` for the sandbox (npm start) and for the browser tests.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file lives in <root>/sandbox/). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Names of the Worker's configuration; never inherited from the shell in sandbox mode. */
export const WORKER_CONFIG_KEYS = ["BOT_TOKEN", "WEBHOOK_SECRET", "BOT_INFO", "TELEGRAM_API_ROOT", "ADMIN_USER_IDS"];

/**
 * Serialises variables as a dotenv file wrangler reads with --env-file (values single-quoted, so
 * JSON stays literal).
 * @param {Record<string, string>} vars
 */
export function toDotenv(vars) {
  return (
    Object.entries(vars)
      .map(([k, v]) => {
        if (v.includes("'") || v.includes("\n")) throw new Error(`Cannot write ${k} to a dotenv file`);
        return `${k}='${v}'`;
      })
      .join("\n") + "\n"
  );
}

/**
 * Writes the sandbox's Worker configuration to a dotenv file (default .wrangler/sandbox.env).
 * Passing it with --env-file makes wrangler skip .dev.vars, so a real token there is not used.
 * @param {{ vars: Record<string, string>, file?: string, root?: string }} opts
 */
export function writeEnvFile({ vars, file, root = PROJECT_ROOT }) {
  const path = resolve(root, file ?? join(".wrangler", "sandbox.env"));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, toDotenv(vars), { mode: 0o600 });
  return path;
}

/**
 * The environment for the wrangler child: the shell's, minus the Worker's own settings (so a
 * BOT_TOKEN exported in the shell cannot leak in), with telemetry and remote lookups off.
 * @param {Record<string, string | undefined>} [base]
 */
export function wranglerEnv(base = process.env) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !WORKER_CONFIG_KEYS.includes(k)) env[k] = v;
  env.WRANGLER_SEND_METRICS = "false";
  env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  env.CLOUDFLARE_INCLUDE_PROCESS_ENV = "false";
  env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "true";
  env.WRANGLER_HIDE_BANNER = env.WRANGLER_HIDE_BANNER ?? "true";
  return env;
}

/**
 * Starts `wrangler dev` in its own process group.
 * @param {import("./wrangler.d.mts").WranglerDevOptions} opts
 * @returns {import("./wrangler.d.mts").WranglerDev}
 */
export function startWranglerDev(opts) {
  const root = opts.root ?? PROJECT_ROOT;
  const bin = join(root, "node_modules", ".bin", "wrangler");
  if (!existsSync(bin)) throw new Error("wrangler is not installed: run npm install first");
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--persist-to",
    resolve(root, opts.persistTo ?? join(".wrangler", "state")),
    "--test-scheduled",
    "--show-interactive-dev-session=false",
  ];
  if (opts.config) args.push("--config", resolve(root, opts.config));
  if (opts.envFile) args.push("--env-file", resolve(root, opts.envFile));
  if (opts.inspectorPort !== undefined) args.push("--inspector-port", String(opts.inspectorPort));
  if (opts.logLevel) args.push("--log-level", opts.logLevel);
  args.push(...(opts.extraArgs ?? []));

  const child = spawn(bin, args, {
    cwd: root,
    env: wranglerEnv(opts.env ?? process.env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so stop() can end wrangler and workerd together
  });
  const pid = /** @type {number} */ (child.pid);
  const onOutput = opts.onOutput ?? (() => {});
  let recent = "";
  /** @param {Buffer} chunk */
  const collect = (chunk) => {
    const text = chunk.toString("utf8");
    recent = (recent + text).slice(-8000);
    onOutput(text);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  /** @type {Promise<number | null>} */
  const exited = new Promise((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit(code ?? (signal ? 128 : null)));
    child.once("error", () => resolveExit(-1));
  });
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const killGroup = (/** @type {NodeJS.Signals} */ signal) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  // If this process dies without calling stop(), take the group down with it.
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);

  return {
    pid,
    child,
    exited,
    get running() {
      return running;
    },
    output: () => recent,
    async stop() {
      process.off("exit", onExit);
      killGroup("SIGTERM");
      const timeout = new Promise((r) => setTimeout(() => r("timeout"), 5000).unref());
      if ((await Promise.race([exited, timeout])) === "timeout") {
        killGroup("SIGKILL");
        await exited;
      }
      // workerd may outlive wrangler by a moment; make sure the whole group is gone.
      killGroup("SIGKILL");
    },
  };
}

/**
 * Waits until GET <url> answers 2xx, the child exits, or the time runs out.
 * @param {string} url
 * @param {{ timeoutMs?: number, wrangler?: import("./wrangler.d.mts").WranglerDev, signal?: AbortSignal }} [opts]
 */
export async function waitForHealthy(url, opts = {}) {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let last = "";
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new Error("aborted");
    if (opts.wrangler && !opts.wrangler.running) {
      throw new Error(`wrangler dev exited before ${url} answered.\n${opts.wrangler.output().slice(-3000)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${Math.round((opts.timeoutMs ?? 120_000) / 1000)} s (last: ${last})`);
}

/**
 * Is this TCP port free on 127.0.0.1?
 * @param {number} port
 */
export function isPortFree(port) {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", () => resolvePort(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort(true)));
  });
}

/** A port that was free a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The cron strings in wrangler.toml's [triggers] (empty when there is none).
 * @param {string} [configPath]
 */
export function readCrons(configPath = join(PROJECT_ROOT, "wrangler.toml")) {
  if (!existsSync(configPath)) return [];
  const text = readFileSync(configPath, "utf8");
  const m = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(text);
  if (!m) return [];
  return [.../** @type {string} */ (m[1]).matchAll(/"([^"]*)"|'([^']*)'/g)].map((x) => x[1] ?? x[2] ?? "");
}
