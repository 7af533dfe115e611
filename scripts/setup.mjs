#!/usr/bin/env node
// npm run setup -- <worker URL>
// After `npm run deploy`: tells Telegram where the bot lives (setWebhook with the secret token and
// the update types the bot handles), sets the bot's command menu, and stores the bot's getMe user
// as the BOT_INFO secret (so no update starts with a getMe call).
//
// BOT_TOKEN and WEBHOOK_SECRET are read from the environment, else from .dev.vars.
//   BOT_TOKEN=… WEBHOOK_SECRET=… npm run setup -- https://lectern.<you>.workers.dev
// Options: --dry-run (print what would be done), --no-secret (do not run `wrangler secret put BOT_INFO`)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

export const ALLOWED_UPDATES = ["message", "callback_query", "poll_answer", "my_chat_member"];

export const COMMANDS = [
  { command: "review", description: "Review today's cards" },
  { command: "quiz", description: "A short quiz from your decks" },
  { command: "decks", description: "Browse decks, subscribe" },
  { command: "stats", description: "Your progress, streak and forecast" },
  { command: "daily", description: "Daily quiz on or off" },
  { command: "settings", description: "Quiz time, timezone, limits" },
  { command: "join", description: "Join a class with a code" },
  { command: "export", description: "Your progress as CSV" },
  { command: "forget", description: "Delete everything stored about you" },
  { command: "help", description: "What Lectern can do" },
];
export const GROUP_COMMANDS = [
  { command: "quiz", description: "Lecturers: start a quiz for the group (/quiz <deck>)" },
  { command: "help", description: "What Lectern can do" },
];

function devVars() {
  if (!existsSync(".dev.vars")) return {};
  const out = {};
  for (const line of readFileSync(".dev.vars", "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

async function call(apiRoot, token, method, params) {
  const res = await fetch(`${apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params ?? {}),
  });
  const json = await res.json().catch(() => ({ ok: false, description: `HTTP ${res.status}` }));
  if (!json.ok) throw new Error(`${method} failed: ${json.description ?? res.status}`);
  return json.result;
}

async function main() {
  const args = process.argv.slice(2);
  const dry = args.includes("--dry-run");
  const noSecret = args.includes("--no-secret");
  const url = args.find((a) => !a.startsWith("--"));
  if (!url || !/^https:\/\/[^/]+/.test(url)) {
    console.error("Usage: npm run setup -- https://<your worker host>   (the URL `npm run deploy` printed)");
    return 2;
  }
  const vars = { ...devVars(), ...process.env };
  const token = vars.BOT_TOKEN, secret = vars.WEBHOOK_SECRET;
  const apiRoot = (vars.TELEGRAM_API_ROOT || "https://api.telegram.org").replace(/\/+$/, "");
  if (!token || !secret) {
    console.error("BOT_TOKEN and WEBHOOK_SECRET are needed (the same values you gave `wrangler secret put`): set them in the environment or in .dev.vars.");
    return 2;
  }
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    console.error("WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters), as Telegram requires.");
    return 2;
  }
  const webhook = `${url.replace(/\/+$/, "")}/telegram/webhook`;
  const appUrl = `${url.replace(/\/+$/, "")}/app/`;
  const plan = [
    `getMe → BOT_INFO${noSecret ? " (printed only)" : " → wrangler secret put BOT_INFO"}`,
    `setWebhook ${webhook} (secret_token set, allowed_updates ${ALLOWED_UPDATES.join(", ")})`,
    `setMyCommands: ${COMMANDS.length} private-chat commands, ${GROUP_COMMANDS.length} group commands`,
    `setChatMenuButton: "Dashboard" opens the Mini App at ${appUrl}`,
  ];
  if (dry) {
    console.log("Would do:\n  " + plan.join("\n  "));
    return 0;
  }
  const me = await call(apiRoot, token, "getMe");
  const botInfo = JSON.stringify(me);
  console.log(`Bot: @${me.username} (id ${me.id})`);
  if (noSecret) console.log(`BOT_INFO=${botInfo}`);
  else {
    const r = spawnSync(process.execPath, ["node_modules/.bin/wrangler", "secret", "put", "BOT_INFO"], {
      input: botInfo,
      stdio: ["pipe", "inherit", "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    if (r.status !== 0) {
      console.error(`Could not store BOT_INFO with wrangler; set it yourself: npx wrangler secret put BOT_INFO  (value: ${botInfo})`);
      return 1;
    }
  }
  await call(apiRoot, token, "setWebhook", { url: webhook, secret_token: secret, allowed_updates: ALLOWED_UPDATES, max_connections: 40 });
  await call(apiRoot, token, "setMyCommands", { commands: COMMANDS, scope: { type: "all_private_chats" } });
  await call(apiRoot, token, "setMyCommands", { commands: GROUP_COMMANDS, scope: { type: "all_group_chats" } });
  // The chat's menu button opens the Mini App (the dashboards); APP_URL gives /stats and /classstats their button.
  await call(apiRoot, token, "setChatMenuButton", { menu_button: { type: "web_app", text: "Dashboard", web_app: { url: appUrl } } });
  console.log(`Menu button: Dashboard → ${appUrl}. For the "📈 Open dashboard" buttons set APP_URL = "${appUrl}" in wrangler.toml's [vars] and deploy again.`);
  const info = await call(apiRoot, token, "getWebhookInfo");
  console.log(`Webhook: ${info.url} (pending updates: ${info.pending_update_count})`);
  console.log("Done. Open your bot in Telegram and send /start.");
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => process.exit(code), (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
