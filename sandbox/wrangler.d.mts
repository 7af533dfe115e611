import type { ChildProcess } from "node:child_process";

export const PROJECT_ROOT: string;
export const WORKER_CONFIG_KEYS: string[];
export function toDotenv(vars: Record<string, string>): string;
/** Writes a dotenv file (default <root>/.wrangler/sandbox.env) and returns its absolute path. */
export function writeEnvFile(opts: { vars: Record<string, string>; file?: string; root?: string }): string;
export function wranglerEnv(base?: Record<string, string | undefined>): Record<string, string>;

export interface WranglerDevOptions {
  port: number;
  /** Repository root (default: the one containing sandbox/). */
  root?: string;
  /** Default .wrangler/state (relative to root). */
  persistTo?: string;
  /** A dotenv file with the Worker's vars; when given, wrangler ignores .dev.vars. */
  envFile?: string;
  /** wrangler config file (default: wrangler.toml in root). */
  config?: string;
  inspectorPort?: number;
  logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
  extraArgs?: string[];
  /** Base environment (default process.env); the Worker's config keys are removed from it. */
  env?: Record<string, string | undefined>;
  onOutput?: (text: string) => void;
}

export interface WranglerDev {
  pid: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  readonly running: boolean;
  /** The last few KB of wrangler's output. */
  output(): string;
  /** SIGTERM to the process group, SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export function startWranglerDev(opts: WranglerDevOptions): WranglerDev;
export function waitForHealthy(
  url: string,
  opts?: { timeoutMs?: number; wrangler?: WranglerDev; signal?: AbortSignal },
): Promise<void>;
export function isPortFree(port: number): Promise<boolean>;
export function freePort(): Promise<number>;
export function readCrons(configPath?: string): string[];
