/**
 * A Bot API call in a webhook's response body (a webhook reply — the Worker answers buttons so)
 * is made as Telegram makes it: through the given Bot API transport (the test's stand-in). The
 * response is handed back unread.
 */
import { webhookReplyCall } from "../../sandbox/telegram-core.mjs";

export async function runWebhookReply(res: Response, fetch: typeof globalThis.fetch, env: { TELEGRAM_API_ROOT?: string; BOT_TOKEN: string }): Promise<Response> {
  if (res.status !== 200 || !(res.headers.get("content-type") ?? "").includes("application/json")) return res;
  const text = await res.text();
  const call = webhookReplyCall(text);
  if (call) {
    await fetch(`${env.TELEGRAM_API_ROOT}/bot${env.BOT_TOKEN}/${call.method}`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call.params),
    });
  }
  return new Response(text, { status: res.status, headers: res.headers });
}
