// Types for telegram-core.mjs: an in-memory stand-in for the Telegram Bot API.
import type {
  Chat,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  Poll,
  Update,
  User,
  UserFromGetMe,
} from "@grammyjs/types";

/** A person in the sandbox. Extra fields (label, role) are kept out of Telegram objects. */
export interface SandboxUser extends Partial<Pick<User, "last_name" | "username" | "language_code" | "is_premium">> {
  id: number;
  first_name: string;
  is_bot?: false;
  /** Has this user already opened the private chat with the bot (so the bot may write first)? */
  started?: boolean;
  /** Shown in the page's user switcher, e.g. "student". */
  label?: string;
  [extra: string]: unknown;
}

export interface SandboxGroup {
  id: number;
  title: string;
  /** Default: "supergroup" when the id starts with -100, else "group". */
  type?: "group" | "supergroup";
  /** User ids of the members (the bot is a member unless botMember is false). */
  members: number[];
  botMember?: boolean;
}

export interface CreateTelegramOptions {
  token: string;
  botInfo: UserFromGetMe;
  users: SandboxUser[];
  groups?: SandboxGroup[];
  /** Milliseconds since the epoch; `date` fields are derived from it. Default Date.now. */
  now?: () => number;
}

/** A file part from a multipart upload, or a file given directly to `handle`. */
export interface UploadedFile {
  filename: string;
  bytes: Uint8Array;
  mimeType?: string;
}

export type BotApiParams = Record<string, any>;

export interface BotApiSuccess<T = any> {
  ok: true;
  result: T;
}
export interface BotApiFailure {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}
export type BotApiResponse<T = any> = BotApiSuccess<T> | BotApiFailure;

/** What failNext / setFault make a method answer. */
export interface FaultSpec {
  error_code: number;
  /** Default: Telegram's text for the code ("Too Many Requests: retry after N" for 429). */
  description?: string;
  /** Put into parameters.retry_after (default 1 for 429). */
  retry_after?: number;
  parameters?: Record<string, unknown>;
}

export interface RecordedCall {
  method: string;
  params: BotApiParams;
  ok: boolean;
  /** now() at the call, in milliseconds. */
  at: number;
  result?: any;
  error?: { error_code: number; description: string };
}

export interface CallbackAnswer {
  callback_query_id: string;
  userId: number;
  chatId: number;
  messageId: number;
  text?: string;
  show_alert: boolean;
  url?: string;
  cache_time?: number;
  at: number;
}

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_name: string;
  mime_type: string;
  file_path: string;
  bytes: Uint8Array;
}

export interface ReplyKeyboardState {
  keyboard: { text: string }[][];
  one_time_keyboard: boolean;
  resize_keyboard: boolean;
  input_field_placeholder?: string;
}

export interface ChatInfo {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  first_name?: string;
  last_name?: string;
  username?: string;
  members: number[];
  botMember: boolean;
  /** Private chats: has the user written to the bot (so the bot may write)? */
  started: boolean;
  /** Private chats: has the user blocked the bot? */
  blocked: boolean;
  /** The reply keyboard the bot last set in this chat, if any. */
  replyKeyboard?: ReplyKeyboardState;
  /** The bot's sendChatAction, while it lasts (5 s or until its next message). */
  chatAction?: { action: string; until: number };
}

export interface WebhookState {
  url: string;
  secret_token?: string;
  allowed_updates?: string[];
  max_connections?: number;
}

export type TelegramEvent =
  | { type: "update"; update: Update }
  | { type: "call"; call: RecordedCall }
  | { type: "cleared"; chatId: number }
  | { type: "restored" };

export interface Telegram {
  readonly token: string;
  readonly botInfo: UserFromGetMe;

  // --- Bot API side ---
  /** Runs one Bot API method (name case-insensitive) and answers as the Bot API does. */
  handle<T = any>(method: string, params?: BotApiParams): BotApiResponse<T>;
  /** The bytes behind a getFile file_path (what /file/bot<token>/<file_path> serves). */
  file(filePath: string): Uint8Array | undefined;
  /**
   * A complete fetch handler for `${apiRoot}/bot<token>/<method>` and
   * `${apiRoot}/file/bot<token>/<file_path>`; same arguments as the global fetch, so it can be
   * handed to grammY as `client.fetch`. getUpdates with `timeout` waits for an update.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;

  // --- users' side: each records and returns a real Update ---
  sendText(userId: number, text: string, opts?: { chatId?: number; replyToMessageId?: number }): Update;
  pressButton(userId: number, chatId: number, messageId: number, data: string): Update;
  /** poll_answer for non-anonymous polls; a `poll` update (new counts) for anonymous ones. */
  answerPoll(userId: number, pollId: string, optionIds: number[]): Update;
  uploadDocument(
    userId: number,
    doc: { fileName: string; mimeType?: string; bytes: Uint8Array | string; caption?: string },
    opts?: { chatId?: number },
  ): Update;
  /** Returns the my_chat_member update (member -> kicked). */
  blockBot(userId: number): Update;
  /** Returns the my_chat_member update (kicked -> member). */
  unblockBot(userId: number): Update;

  // --- faults ---
  /** The next `count` calls of `method` ("*" = any) answer this error instead of running. */
  failNext(method: string, error: FaultSpec, count?: number): void;
  /** Called on every call; return a FaultSpec to make that call fail. Pass undefined to clear. */
  setFault(fn: ((method: string, params: BotApiParams) => FaultSpec | undefined | null | void) | undefined): void;
  clearFaults(): void;

  // --- inspection ---
  readonly calls: RecordedCall[];
  readonly callbackAnswers: CallbackAnswer[];
  /** Every Update created, in order. */
  readonly updates: Update[];
  /** Increases on every change (update, call, cleared history). */
  readonly version: number;
  /** The chat's history (user and bot messages, deleted ones removed), as copies. */
  messages(chatId: number): Message[];
  message(chatId: number, messageId: number): Message | undefined;
  /** The raw HTML a bot message was sent with (parse_mode HTML), for rendering. */
  messageSource(chatId: number, messageId: number): { html?: string; parseMode?: string; caption?: boolean } | undefined;
  poll(pollId: string): Poll | undefined;
  /** Votes by user id. */
  pollVotes(pollId: string): Record<number, number[]>;
  fileInfo(fileId: string): StoredFile | undefined;
  chat(chatId: number): ChatInfo | undefined;
  chats(): number[];
  clearHistory(chatId: number): void;
  isBlocked(userId: number): boolean;
  readonly webhook: WebhookState | undefined;
  /** Commands set with setMyCommands for this scope/language (default scope when omitted). */
  commands(scope?: unknown, languageCode?: string): { command: string; description: string }[];
  /** Removes and returns every queued Update (what getUpdates would deliver). */
  takeUpdates(): Update[];
  /** The queued Updates, without removing them. */
  pendingUpdates(): Update[];
  /** Resolves when an update is queued ("update"), after timeoutMs ("timeout"), or on abort. */
  waitForUpdate(timeoutMs: number, signal?: AbortSignal): Promise<"update" | "timeout" | "aborted">;
  subscribe(listener: (event: TelegramEvent) => void): () => void;
  /**
   * Everything that lasts (chats and their histories, polls and votes, files, commands, webhook,
   * counters) as structured-clonable data (file bytes stay Uint8Array). Pending updates and
   * unanswered callback queries are not included.
   */
  snapshot(): TelegramSnapshot;
  /** Loads a snapshot taken with the same users/groups (chats not configured any more are skipped). */
  restore(snapshot: TelegramSnapshot): void;
}

export interface TelegramSnapshot {
  format: string;
  [key: string]: unknown;
}

export function createTelegram(options: CreateTelegramOptions): Telegram;

/**
 * Telegram's HTML parse mode: plain text plus entities (UTF-16 offsets), or throws an object
 * with `description` "Bad Request: can't parse entities: ..." and `code` 400.
 */
export function parseHtml(
  html: string,
  resolveUser?: (userId: number) => User | undefined,
): { text: string; entities: MessageEntity[] };

/** The Bot API call a webhook's response body carries, or null when it is not one. */
export function webhookReplyCall(text: string): { method: string; params: Record<string, unknown> } | null;
export function parseMultipart(body: Uint8Array, boundary: string): Record<string, string | UploadedFile>;

/** Query string + JSON / urlencoded / multipart body of a Bot API request. */
export function readParams(request: Request): Promise<Record<string, any>>;

export type { Chat, InlineKeyboardMarkup, Message, MessageEntity, Poll, Update, User, UserFromGetMe };
