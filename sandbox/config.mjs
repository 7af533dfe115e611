// The sandbox's fixed identities and settings. Plain data, no Node APIs: the Worker's tests may
// import it too. wrangler dev gets these through `.wrangler/sandbox.env` (see sandbox/wrangler.mjs).

export const SANDBOX_TOKEN = "7000000001:sandbox-token";
export const SANDBOX_SECRET = "sandbox-secret";

export const SANDBOX_BOT_INFO = Object.freeze({
  id: 7000000001,
  is_bot: /** @type {true} */ (true),
  first_name: "Lectern",
  username: "lectern_sandbox_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
});

/** Must stay equal to wrangler.toml's `[triggers] crons = ["*\/15 * * * *"]`. */
export const DAILY_CRON = "*/15 * * * *";

export const ALICE = 1001;
export const BOB = 1002;
export const CAROL = 3001;
export const CLASS_GROUP = -100200300;

export const SANDBOX_USERS = Object.freeze([
  { id: ALICE, is_bot: /** @type {false} */ (false), first_name: "Alice", username: "alice_student", language_code: "en", label: "student" },
  { id: BOB, is_bot: /** @type {false} */ (false), first_name: "Bob", username: "bob_student", language_code: "en", label: "student" },
  {
    id: CAROL,
    is_bot: /** @type {false} */ (false),
    first_name: "Carol",
    last_name: "Reyes",
    username: "dr_reyes",
    language_code: "en",
    label: "lecturer",
    displayName: "Dr. Carol Reyes",
  },
]);

export const SANDBOX_GROUPS = Object.freeze([
  { id: CLASS_GROUP, title: "Class group", type: /** @type {"supergroup"} */ ("supergroup"), members: [ALICE, BOB, CAROL] },
]);

export const DEFAULT_WORKER_PORT = 8787;
export const DEFAULT_SANDBOX_PORT = 8788;

/**
 * The Worker's configuration in sandbox mode (the names the Worker reads).
 * @param {{ sandboxUrl: string }} opts base URL of the sandbox's Bot API, e.g. http://127.0.0.1:8788
 */
export function sandboxWorkerVars({ sandboxUrl }) {
  return {
    BOT_TOKEN: SANDBOX_TOKEN,
    WEBHOOK_SECRET: SANDBOX_SECRET,
    BOT_INFO: JSON.stringify({
      id: SANDBOX_BOT_INFO.id,
      is_bot: true,
      first_name: SANDBOX_BOT_INFO.first_name,
      username: SANDBOX_BOT_INFO.username,
      can_join_groups: SANDBOX_BOT_INFO.can_join_groups,
      can_read_all_group_messages: SANDBOX_BOT_INFO.can_read_all_group_messages,
      supports_inline_queries: SANDBOX_BOT_INFO.supports_inline_queries,
    }),
    TELEGRAM_API_ROOT: sandboxUrl.replace(/\/+$/, ""),
    ADMIN_USER_IDS: String(CAROL),
    // The Mini App, through the sandbox (which passes /app/* to the Worker): web_app buttons open it.
    APP_URL: `${sandboxUrl.replace(/\/+$/, "")}/app/`,
  };
}
