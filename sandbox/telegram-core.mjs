// Lectern sandbox: an in-memory stand-in for the Telegram Bot API.
//
// Plain JavaScript with no Node-specific imports or globals, so that the same module runs in Node
// (the sandbox server, vitest in Node) and inside workerd (the Worker's integration tests, which
// hand `core.fetch` to grammY as `client.fetch`). Types live in telegram-core.d.mts.
//
// The validation rules and error texts follow Telegram's own (TDLib's HTML parser, the Bot API's
// keyboard and poll checks) where a bot is likely to trip over them; see the README in sandbox/.

const enc = new TextEncoder();
const dec = new TextDecoder();

// ---------------------------------------------------------------------------------------------
// Errors

/** An error that a Bot API method answers with. Thrown inside method handlers. */
class ApiFailure extends Error {
  /**
   * @param {number} code
   * @param {string} description
   * @param {Record<string, unknown>} [parameters]
   */
  constructor(code, description, parameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
  toJSON() {
    /** @type {Record<string, unknown>} */
    const out = { ok: false, error_code: this.code, description: this.description };
    if (this.parameters) out.parameters = this.parameters;
    return out;
  }
}

/** @param {string} what */
const badRequest = (what) => new ApiFailure(400, `Bad Request: ${what}`);
/** @param {string} what */
const forbidden = (what) => new ApiFailure(403, `Forbidden: ${what}`);

const DEFAULT_DESCRIPTIONS = /** @type {Record<number, string>} */ ({
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  420: "Flood",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
});

/**
 * Turns a fault description ({ error_code, description?, retry_after?, parameters? }) into the
 * object the Bot API answers with.
 * @param {any} fault
 */
function faultToError(fault) {
  const code = Number(fault.error_code ?? 500);
  /** @type {Record<string, unknown> | undefined} */
  let parameters = fault.parameters ? { ...fault.parameters } : undefined;
  if (fault.retry_after !== undefined) parameters = { ...parameters, retry_after: Number(fault.retry_after) };
  if (code === 429 && parameters?.retry_after === undefined) parameters = { ...parameters, retry_after: 1 };
  let description = fault.description;
  if (!description) {
    description =
      code === 429
        ? `Too Many Requests: retry after ${parameters?.retry_after}`
        : (DEFAULT_DESCRIPTIONS[code] ?? "Error");
  }
  /** @type {Record<string, unknown>} */
  const out = { ok: false, error_code: code, description };
  if (parameters) out.parameters = parameters;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** @param {unknown} v */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep copy of plain data (messages, updates). */
const clone = (/** @type {any} */ v) => (v === undefined ? undefined : structuredClone(v));

/** JSON with sorted keys and without undefined/null members: for "is this the same" checks. */
function canonical(/** @type {unknown} */ v) {
  return JSON.stringify(v, (_k, val) => {
    if (isObject(val)) {
      /** @type {Record<string, unknown>} */
      const sorted = {};
      for (const key of Object.keys(val).sort()) {
        const x = /** @type {Record<string, unknown>} */ (val)[key];
        if (x !== undefined && x !== null) sorted[key] = x;
      }
      return sorted;
    }
    return val;
  });
}

/** @param {string} s */
const utf8Length = (s) => enc.encode(s).length;

/**
 * Parameters arrive as JSON values, or as strings from query strings and forms: coerce.
 * @param {unknown} v
 * @returns {string | undefined}
 */
function asString(v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/**
 * @param {unknown} v
 * @returns {number | undefined}
 */
function asInt(v) {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v.trim());
  return undefined;
}

/** @param {unknown} v */
function asBool(v) {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v === "true" || v === "1" || v === "True";
  return false;
}

/**
 * JSON-typed parameters (reply_markup, entities, options, ...) may arrive serialised.
 * @param {unknown} v
 * @param {string} what for the error text
 */
function asJson(v, what) {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    throw badRequest(`can't parse ${what} JSON object`);
  }
}

const MIME_BY_EXT = /** @type {Record<string, string>} */ ({
  json: "application/json",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  txt: "text/plain",
  md: "text/markdown",
  html: "text/html",
  pdf: "application/pdf",
  zip: "application/zip",
  xml: "application/xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  mp4: "video/mp4",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  apkg: "application/octet-stream",
});

/** @param {string} name */
function extensionOf(name) {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(name);
  return m ? /** @type {string} */ (m[1]).toLowerCase() : "";
}

/**
 * The mime type Telegram reports for a document: the upload's own type unless it is the generic
 * one, otherwise guessed from the file name.
 * @param {string} fileName
 * @param {string | undefined} declared
 */
function mimeTypeFor(fileName, declared) {
  if (declared && declared !== "application/octet-stream") return declared.split(";")[0]?.trim() || declared;
  return MIME_BY_EXT[extensionOf(fileName)] ?? "application/octet-stream";
}

// ---------------------------------------------------------------------------------------------
// HTML parse mode (a port of TDLib's parse_html, which is what the Bot API runs)

const ALLOWED_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "s",
  "strike",
  "del",
  "u",
  "ins",
  "tg-spoiler",
  "tg-emoji",
  "span",
  "pre",
  "code",
  "blockquote",
]);

// Order of entities that start at the same offset and have the same length (TDLib's priorities).
const ENTITY_PRIORITY = /** @type {Record<string, number>} */ ({
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  mention: 50,
  hashtag: 50,
  cashtag: 50,
  bot_command: 50,
  url: 50,
  email: 50,
  phone_number: 50,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
});

/** @param {any[]} entities */
function sortEntities(entities) {
  entities.sort(
    (a, b) =>
      a.offset - b.offset ||
      b.length - a.length ||
      (ENTITY_PRIORITY[a.type] ?? 50) - (ENTITY_PRIORITY[b.type] ?? 50),
  );
  return entities;
}

/** @param {number} c */
const isSpace = (c) => c === 32 || c === 9 || c === 13 || c === 10 || c === 0 || c === 11;
/** @param {number} c */
const isDigit = (c) => c >= 48 && c <= 57;
/** @param {number} c */
const isAlpha = (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** @param {number} c */
const isAlnum = (c) => isAlpha(c) || isDigit(c);
/** @param {number} c */
const isHex = (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Checks a link the way Telegram does for <a href> and url buttons; returns "" when invalid.
 * @param {string} raw
 */
function checkedLink(raw) {
  const url = raw.trim();
  if (!url || /[\s<>"]/.test(url)) return "";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === "tg" || scheme === "ton") return /^[a-z]+:\/\/./i.test(url) ? url : "";
  const full = scheme ? url : `http://${url}`;
  const s = scheme ?? "http";
  if (s !== "http" && s !== "https") return "";
  try {
    const parsed = new URL(full);
    if (!parsed.hostname) return "";
    const host = parsed.hostname;
    if (!host.includes(".") && host !== "localhost" && !host.startsWith("[")) return "";
    return full;
  } catch {
    return "";
  }
}

/**
 * Parses Telegram-flavoured HTML. Returns the plain text and Bot API entities (UTF-16 offsets),
 * or throws an ApiFailure "Bad Request: can't parse entities: ..." exactly where Telegram does.
 * @param {string} html
 * @param {(userId: number) => any} [resolveUser] for tg://user?id= links
 */
export function parseHtml(html, resolveUser) {
  const src = enc.encode(html);
  const n = src.length;
  const at = (/** @type {number} */ i) => (i < n ? /** @type {number} */ (src[i]) : 0);
  const fail = (/** @type {string} */ msg) => badRequest(`can't parse entities: ${msg}`);
  const lower = (/** @type {number} */ from, /** @type {number} */ to) =>
    dec.decode(src.subarray(from, to)).toLowerCase();

  /** @type {number[]} */
  const out = [];
  /** @type {any[]} */
  const entities = [];
  let utf16 = 0;
  /** @type {{tag: string, arg: string, offset: number, outPos: number}[]} */
  const stack = [];

  /** Decodes an HTML entity at `pos`; returns [code, newPos] or undefined when not an entity. */
  const decodeEntity = (/** @type {number} */ pos) => {
    let end = pos + 1;
    let res = 0;
    if (at(pos + 1) === 35 /* # */) {
      end++;
      if (at(pos + 2) === 120 /* x */) {
        end++;
        while (isHex(at(end))) res = res * 16 + parseInt(String.fromCharCode(at(end++)), 16);
      } else {
        while (isDigit(at(end))) res = res * 10 + (at(end++) - 48);
      }
      if (res === 0 || res >= 0x10ffff || end - pos >= 10) return undefined;
    } else {
      while (isAlpha(at(end))) end++;
      const name = dec.decode(src.subarray(pos + 1, end));
      if (name === "lt") res = 60;
      else if (name === "gt") res = 62;
      else if (name === "amp") res = 38;
      else if (name === "quot") res = 34;
      else return undefined; // unsupported named entities stay literal text, as in Telegram
    }
    if (at(end) === 59 /* ; */) end++;
    return /** @type {[number, number]} */ ([res, end]);
  };
  const pushCode = (/** @type {number} */ code) => {
    for (const b of enc.encode(String.fromCodePoint(code))) out.push(b);
    utf16 += code > 0xffff ? 2 : 1;
  };

  for (let i = 0; i < n; i++) {
    const c = at(i);
    if (c === 38 /* & */) {
      const decoded = decodeEntity(i);
      if (decoded) {
        pushCode(decoded[0]);
        i = decoded[1] - 1;
        continue;
      }
    }
    if (c !== 60 /* < */) {
      if ((c & 0xc0) !== 0x80) utf16 += c >= 0xf0 ? 2 : 1;
      out.push(c);
      continue;
    }
    const begin = i++;
    if (at(i) !== 47 /* / */) {
      // start tag
      while (!isSpace(at(i)) && at(i) !== 62) i++;
      if (i >= n) throw fail(`Unclosed start tag at byte offset ${begin}`);
      const tag = lower(begin + 1, i);
      if (!ALLOWED_TAGS.has(tag)) throw fail(`Unsupported start tag "${tag}" at byte offset ${begin}`);
      let arg = "";
      while (at(i) !== 62 /* > */) {
        while (i < n && isSpace(at(i))) i++;
        if (at(i) === 62) break;
        const attrBegin = i;
        while (!isSpace(at(i)) && at(i) !== 61 /* = */ && at(i) !== 62) i++;
        const attr = dec.decode(src.subarray(attrBegin, i));
        if (!attr) throw fail(`Empty attribute name in the tag "${tag}" at byte offset ${begin}`);
        while (i < n && isSpace(at(i))) i++;
        if (at(i) !== 61) {
          if (tag === "blockquote" && attr.toLowerCase() === "expandable") {
            arg = "expandable";
            continue;
          }
          throw fail(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${begin}`);
        }
        i++;
        while (i < n && isSpace(at(i))) i++;
        if (i >= n) throw fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);
        let value;
        if (at(i) !== 39 && at(i) !== 34) {
          const tokenBegin = i;
          while (isAlnum(at(i)) || at(i) === 46 || at(i) === 45) i++;
          value = lower(tokenBegin, i);
          if (!isSpace(at(i)) && at(i) !== 62) throw fail(`Unexpected end of name token at byte offset ${tokenBegin}`);
        } else {
          const quote = at(i++);
          /** @type {number[]} */
          const bytes = [];
          while (at(i) !== quote && i < n) {
            if (at(i) === 38) {
              const decoded = decodeEntity(i);
              if (decoded) {
                for (const b of enc.encode(String.fromCodePoint(decoded[0]))) bytes.push(b);
                i = decoded[1];
                continue;
              }
            }
            bytes.push(at(i++));
          }
          if (at(i) === quote) i++;
          value = dec.decode(new Uint8Array(bytes));
        }
        if (i >= n) throw fail(`Unclosed start tag at byte offset ${begin}`);
        if (tag === "a" && attr === "href") arg = value;
        else if (tag === "code" && attr === "class" && value.startsWith("language-")) arg = value.slice(9);
        else if (tag === "span" && attr === "class" && value.startsWith("tg-")) arg = value.slice(3);
        else if (tag === "tg-emoji" && attr === "emoji-id") arg = value;
      }
      if (tag === "span" && arg !== "spoiler") {
        throw fail(`Tag "span" must have class "tg-spoiler" at byte offset ${begin}`);
      }
      stack.push({ tag, arg, offset: utf16, outPos: out.length });
    } else {
      // end tag
      if (stack.length === 0) throw fail(`Unexpected end tag at byte offset ${begin}`);
      while (!isSpace(at(i)) && at(i) !== 62) i++;
      const endTag = lower(begin + 2, i);
      while (i < n && isSpace(at(i))) i++;
      if (at(i) !== 62) throw fail(`Unclosed end tag at byte offset ${begin}`);
      const open = /** @type {(typeof stack)[number]} */ (stack[stack.length - 1]);
      if (endTag && endTag !== open.tag) {
        throw fail(`Unmatched end tag at byte offset ${begin}, expected "</${open.tag}>", found "</${endTag}>"`);
      }
      if (utf16 > open.offset) {
        const offset = open.offset;
        const length = utf16 - offset;
        const t = open.tag;
        const last = entities[entities.length - 1];
        if (t === "i" || t === "em") entities.push({ type: "italic", offset, length });
        else if (t === "b" || t === "strong") entities.push({ type: "bold", offset, length });
        else if (t === "s" || t === "strike" || t === "del") entities.push({ type: "strikethrough", offset, length });
        else if (t === "u" || t === "ins") entities.push({ type: "underline", offset, length });
        else if (t === "tg-spoiler" || t === "span") entities.push({ type: "spoiler", offset, length });
        else if (t === "blockquote") {
          entities.push({ type: open.arg === "expandable" ? "expandable_blockquote" : "blockquote", offset, length });
        } else if (t === "tg-emoji") {
          if (!/^-?\d{1,19}$/.test(open.arg) || /^-?0+$/.test(open.arg)) {
            throw fail("Invalid custom emoji identifier specified");
          }
          entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: open.arg });
        } else if (t === "a") {
          let url = open.arg;
          if (!url) url = dec.decode(new Uint8Array(out.slice(open.outPos)));
          const mention = /^tg:\/\/user\?id=(\d+)$/i.exec(url.trim());
          const user = mention && resolveUser ? resolveUser(Number(mention[1])) : undefined;
          if (user) entities.push({ type: "text_mention", offset, length, user });
          else {
            const checked = checkedLink(url);
            if (checked) entities.push({ type: "text_link", offset, length, url: checked });
          }
        } else if (t === "pre") {
          if (last && last.type === "code" && last.offset === offset && last.length === length && last.language) {
            last.type = "pre";
          } else {
            entities.push({ type: "pre", offset, length });
          }
        } else if (t === "code") {
          if (last && last.type === "pre" && last.offset === offset && last.length === length && open.arg) {
            last.language = open.arg;
          } else {
            /** @type {any} */
            const e = { type: "code", offset, length };
            if (open.arg) e.language = open.arg;
            entities.push(e);
          }
        }
      }
      stack.pop();
    }
  }
  if (stack.length > 0) {
    throw fail(`Can't find end tag corresponding to start tag ${stack[stack.length - 1]?.tag}`);
  }
  for (const e of entities) if (e.type === "code") delete e.language;
  const text = dec.decode(new Uint8Array(out));
  if (text.includes("\uFFFD") && !html.includes("\uFFFD")) {
    throw fail(
      "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
    );
  }
  return { text, entities: sortEntities(entities) };
}

/**
 * What Telegram does to every text after entity parsing: leading and trailing whitespace is cut
 * and entities are clipped to what remains (empty ones dropped).
 * @param {string} text
 * @param {any[]} entities
 */
function trimFormatted(text, entities) {
  const lead = /^[ \t\r\n\v\f]*/.exec(text)?.[0].length ?? 0;
  const trail = /[ \t\r\n\v\f]*$/.exec(text.slice(lead))?.[0].length ?? 0;
  const trimmed = text.slice(lead, text.length - trail);
  const out = [];
  for (const e of entities) {
    const start = Math.max(0, e.offset - lead);
    const end = Math.min(trimmed.length, e.offset + e.length - lead);
    if (end > start) out.push({ ...e, offset: start, length: end - start });
  }
  return { text: trimmed, entities: sortEntities(out) };
}

/**
 * Validates explicitly passed entities (the `entities` parameter instead of parse_mode).
 * @param {unknown} raw
 * @param {string} text
 * @param {string} what
 */
function explicitEntities(raw, text, what) {
  const list = asJson(raw, what);
  if (!Array.isArray(list)) throw badRequest(`can't parse ${what} JSON object`);
  const out = [];
  for (const e of list) {
    if (!isObject(e) || typeof e.type !== "string") throw badRequest("can't parse MessageEntity: type not found");
    const offset = asInt(e.offset);
    const length = asInt(e.length);
    if (offset === undefined || length === undefined) throw badRequest("can't parse MessageEntity: offset or length not found");
    if (offset < 0 || length <= 0 || offset + length > text.length) continue;
    /** @type {any} */
    const copy = { ...e, offset, length };
    if (copy.type === "text_link") {
      const url = checkedLink(String(copy.url ?? ""));
      if (!url) throw badRequest(`entity URL '${copy.url ?? ""}' is invalid: Wrong HTTP URL`);
      copy.url = url;
    }
    out.push(copy);
  }
  return sortEntities(out);
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data (written by hand: grammY writes `content-disposition:form-data;name="x";
// filename=a.txt`, without spaces or quotes, which some built-in parsers reject)

/**
 * @param {Uint8Array} hay
 * @param {Uint8Array} needle
 * @param {number} from
 */
function indexOfBytes(hay, needle, from) {
  const first = /** @type {number} */ (needle[0]);
  const last = hay.length - needle.length;
  let i = from;
  while (i <= last) {
    i = hay.indexOf(first, i);
    if (i < 0 || i > last) return -1;
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i++;
  }
  return -1;
}

/**
 * Parses a header parameter list such as `form-data; name="a"; filename=b.txt`.
 * @param {string} value
 */
function headerParams(value) {
  /** @type {Record<string, string>} */
  const params = {};
  const re = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  let m;
  while ((m = re.exec(value))) {
    let v = /** @type {string} */ (m[2]).trim();
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params[/** @type {string} */ (m[1]).toLowerCase()] = v;
  }
  return params;
}

/**
 * The Bot API call a webhook's response body carries (a webhook reply: Telegram runs it as a call),
 * or null when the body is not one (empty, not JSON, no method).
 * @param {string} text
 * @returns {{ method: string, params: Record<string, unknown> } | null}
 */
export function webhookReplyCall(text) {
  if (!text.trim().startsWith("{")) return null;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!body || typeof body.method !== "string") return null;
  const { method, ...params } = body;
  return { method, params };
}

/**
 * Parses a multipart/form-data body into fields: strings for plain fields, and
 * `{ filename, bytes, mimeType }` for file parts.
 * @param {Uint8Array} body
 * @param {string} boundary
 * @returns {Record<string, string | { filename: string, bytes: Uint8Array, mimeType?: string }>}
 */
export function parseMultipart(body, boundary) {
  /** @type {Record<string, any>} */
  const fields = {};
  const delimiter = enc.encode(`--${boundary}`);
  const nextDelimiter = enc.encode(`\r\n--${boundary}`);
  const headerEnd = enc.encode("\r\n\r\n");
  let pos = indexOfBytes(body, delimiter, 0);
  if (pos < 0) throw badRequest("can't parse multipart/form-data request");
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 45 && body[pos + 1] === 45) break; // closing "--"
    while (body[pos] === 32 || body[pos] === 9) pos++;
    if (body[pos] === 13 && body[pos + 1] === 10) pos += 2;
    const hEnd = indexOfBytes(body, headerEnd, pos);
    if (hEnd < 0) throw badRequest("can't parse multipart/form-data request");
    /** @type {Record<string, string>} */
    const headers = {};
    for (const line of dec.decode(body.subarray(pos, hEnd)).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = hEnd + 4;
    const end = indexOfBytes(body, nextDelimiter, start);
    if (end < 0) throw badRequest("can't parse multipart/form-data request");
    const content = body.slice(start, end);
    const disposition = headerParams(headers["content-disposition"] ?? "");
    const name = disposition.name;
    if (name !== undefined) {
      if (disposition.filename !== undefined) {
        /** @type {any} */
        const file = { filename: disposition.filename, bytes: content };
        if (headers["content-type"]) file.mimeType = headers["content-type"];
        fields[name] = file;
      } else {
        fields[name] = dec.decode(content);
      }
    }
    pos = end + nextDelimiter.length;
  }
  return fields;
}

/**
 * Reads a Bot API request's parameters: the query string, then the body (JSON,
 * x-www-form-urlencoded or multipart/form-data).
 * @param {Request} request
 * @returns {Promise<Record<string, any>>}
 */
export async function readParams(request) {
  const url = new URL(request.url);
  /** @type {Record<string, any>} */
  const params = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  if (request.method === "GET" || request.method === "HEAD") return params;
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length === 0) return params;
  if (type.startsWith("multipart/form-data")) {
    // The boundary is case-sensitive: read it from the header as sent.
    const boundary = headerParams(request.headers.get("content-type") ?? "").boundary;
    if (!boundary) throw badRequest("can't parse multipart/form-data request: no boundary");
    Object.assign(params, parseMultipart(body, boundary));
  } else if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(dec.decode(body))) params[k] = v;
  } else {
    let parsed;
    try {
      parsed = JSON.parse(dec.decode(body));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (!isObject(parsed)) throw badRequest("can't parse JSON object");
    Object.assign(params, parsed);
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// The stand-in

const ALL_UPDATE_TYPES = [
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "business_connection",
  "business_message",
  "edited_business_message",
  "deleted_business_messages",
  "message_reaction",
  "message_reaction_count",
  "inline_query",
  "chosen_inline_result",
  "callback_query",
  "shipping_query",
  "pre_checkout_query",
  "purchased_paid_media",
  "poll",
  "poll_answer",
  "my_chat_member",
  "chat_member",
  "chat_join_request",
  "chat_boost",
  "removed_chat_boost",
];
// What Telegram sends when allowed_updates is unset or empty.
const DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES.filter(
  (t) => t !== "chat_member" && t !== "message_reaction" && t !== "message_reaction_count",
);

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const BUTTON_ACTIONS = [
  "callback_data",
  "url",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

const USER_FIELDS = ["id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium"];

/** @param {any} u */
function telegramUser(u) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const k of USER_FIELDS) if (u[k] !== undefined) out[k] = u[k];
  if (out.is_bot === undefined) out.is_bot = false;
  return out;
}

const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const MAX_LONG_POLL_SECONDS = 50;

/**
 * Creates an in-memory Telegram: a Bot API for one bot and the users who talk to it.
 * @param {import("./telegram-core.d.mts").CreateTelegramOptions} options
 * @returns {import("./telegram-core.d.mts").Telegram}
 */
export function createTelegram(options) {
  const { token, botInfo, users = [], groups = [], now = () => Date.now() } = options;
  if (!token || typeof token !== "string") throw new Error("createTelegram: token is required");
  if (!botInfo || typeof botInfo.id !== "number") throw new Error("createTelegram: botInfo (getMe result) is required");
  const botUser = telegramUser({ ...botInfo, is_bot: true });
  const seconds = () => Math.floor(now() / 1000);

  /** @type {Map<number, any>} */
  const usersById = new Map();
  for (const u of users) usersById.set(u.id, u);

  /**
   * @typedef {{ id: number, type: "private" | "group" | "supergroup", title?: string, user?: any,
   *   members: Set<number>, botMember: boolean, started: boolean, blocked: boolean, nextMessageId: number,
   *   history: any[], sources: Map<number, { html?: string, parseMode?: string }>,
   *   replyKeyboard: any, chatAction: { action: string, until: number } | undefined, chatInstance: string }} ChatState
   */
  /** @type {Map<number, ChatState>} */
  const chats = new Map();
  let chatInstanceSeq = 0;
  const newChatInstance = () => `-${(7_123_456_789_000_000n + BigInt(++chatInstanceSeq) * 1_000_003n).toString()}`;
  for (const u of users) {
    chats.set(u.id, {
      id: u.id,
      type: "private",
      user: u,
      members: new Set([u.id]),
      botMember: true,
      started: Boolean(u.started),
      blocked: false,
      nextMessageId: 1,
      history: [],
      sources: new Map(),
      replyKeyboard: undefined,
      chatAction: undefined,
      chatInstance: newChatInstance(),
    });
  }
  for (const g of groups) {
    chats.set(g.id, {
      id: g.id,
      type: g.type ?? (String(g.id).startsWith("-100") ? "supergroup" : "group"),
      title: g.title,
      members: new Set(g.members ?? []),
      botMember: g.botMember ?? true,
      started: true,
      blocked: false,
      nextMessageId: 1,
      history: [],
      sources: new Map(),
      replyKeyboard: undefined,
      chatAction: undefined,
      chatInstance: newChatInstance(),
    });
  }

  /** @param {ChatState} chat */
  function chatObject(chat) {
    if (chat.type === "private") {
      const u = chat.user;
      /** @type {Record<string, unknown>} */
      const c = { id: chat.id, first_name: u.first_name };
      if (u.last_name !== undefined) c.last_name = u.last_name;
      if (u.username !== undefined) c.username = u.username;
      c.type = "private";
      return c;
    }
    return { id: chat.id, title: chat.title, type: chat.type };
  }

  /** @param {number} userId */
  function userObject(userId) {
    const u = usersById.get(userId);
    if (!u) throw new Error(`Unknown sandbox user ${userId}`);
    return telegramUser(u);
  }

  // --- state ------------------------------------------------------------------------------
  /** @type {any[]} */
  const updates = [];
  /** @type {any[]} */
  const pending = [];
  let nextUpdateId = 100_000_001;
  /** @type {string[] | undefined} */
  let allowedUpdates;
  /** @type {any[]} */
  const calls = [];
  /** @type {any[]} */
  const callbackAnswers = [];
  /** @type {Map<string, { userId: number, chatId: number, messageId: number, answered: boolean, at: number }>} */
  const callbackQueries = new Map();
  let callbackSeq = 0;
  /** @type {Map<string, { poll: any, chatId: number, messageId: number, votes: Map<number, number[]> }>} */
  const polls = new Map();
  let pollSeq = 0;
  /** @type {Map<string, { file_id: string, file_unique_id: string, file_name: string, mime_type: string, bytes: Uint8Array, file_path: string }>} */
  const files = new Map();
  /** @type {Map<string, string>} file_path -> file_id */
  const filesByPath = new Map();
  let fileSeq = 0;
  /** @type {Map<string, any[]>} */
  const commands = new Map();
  /** @type {{ url: string, secret_token?: string, allowed_updates?: string[], max_connections?: number, drop_pending_updates?: boolean } | undefined} */
  let webhook;
  /** @type {{ method: string, error: any, remaining: number }[]} */
  const queuedFaults = [];
  /** @type {((method: string, params: Record<string, any>) => any) | undefined} */
  let faultFn;
  /** @type {Set<(event: any) => void>} */
  const listeners = new Set();
  let version = 0;
  /** @type {Set<(reason: string) => void>} */
  const updateWaiters = new Set();
  /** @type {((reason: string) => void) | undefined} */
  let activeLongPoll;

  /** @param {any} event */
  function emit(event) {
    version++;
    for (const fn of [...listeners]) {
      try {
        fn(event);
      } catch {
        // a listener's failure is not the bot's problem
      }
    }
  }

  /** @param {Record<string, unknown>} body */
  function recordUpdate(body) {
    const update = { update_id: nextUpdateId++, ...body };
    updates.push(update);
    pending.push(update);
    for (const wake of [...updateWaiters]) wake("update");
    emit({ type: "update", update: clone(update) });
    return clone(update);
  }

  /** @param {number | string | undefined} chatId */
  function findChat(chatId) {
    if (chatId === undefined || chatId === "") return undefined;
    const id = asInt(chatId);
    return id === undefined ? undefined : chats.get(id);
  }

  /** @param {unknown} chatIdParam */
  function chatForBot(chatIdParam) {
    if (chatIdParam === undefined || chatIdParam === null || chatIdParam === "") throw badRequest("chat_id is empty");
    const chat = findChat(/** @type {any} */ (chatIdParam));
    if (!chat) throw badRequest("chat not found");
    return chat;
  }

  /** The bot may write into this chat, or Telegram refuses. @param {ChatState} chat */
  function assertCanWrite(chat) {
    if (chat.type === "private") {
      if (chat.blocked) throw forbidden("bot was blocked by the user");
      if (!chat.started) throw forbidden("bot can't initiate conversation with a user");
    } else if (!chat.botMember) {
      throw forbidden(chat.type === "supergroup" ? "bot is not a member of the supergroup chat" : "bot is not a member of the group chat");
    }
  }

  /**
   * @param {ChatState} chat
   * @param {Record<string, unknown>} fields
   * @param {any} from
   * @param {{ html?: string, parseMode?: string }} [source]
   */
  function storeMessage(chat, fields, from, source) {
    const message = {
      message_id: chat.nextMessageId++,
      from,
      chat: chatObject(chat),
      date: seconds(),
      ...fields,
    };
    chat.history.push(message);
    if (source && source.html !== undefined) chat.sources.set(message.message_id, source);
    return message;
  }

  /** @param {ChatState} chat @param {number | undefined} messageId */
  function findMessage(chat, messageId) {
    if (messageId === undefined) return undefined;
    return chat.history.find((m) => m.message_id === messageId);
  }

  /** Builds text + entities for a bot message from text/parse_mode/entities parameters. */
  function formatted(
    /** @type {unknown} */ rawText,
    /** @type {unknown} */ parseMode,
    /** @type {unknown} */ rawEntities,
    /** @type {string} */ entitiesWhat,
  ) {
    const text = asString(rawText) ?? "";
    const mode = asString(parseMode);
    if (mode) {
      const m = mode.toLowerCase();
      if (m === "html") {
        const parsed = parseHtml(text, (id) => (usersById.has(id) ? userObject(id) : undefined));
        const trimmed = trimFormatted(parsed.text, parsed.entities);
        return { ...trimmed, source: { html: text, parseMode: "HTML" } };
      }
      if (m === "markdown" || m === "markdownv2") {
        throw badRequest(
          `can't parse entities: the Lectern sandbox implements only parse_mode "HTML" (got "${mode}")`,
        );
      }
      throw badRequest("unsupported parse_mode");
    }
    const entities = rawEntities === undefined || rawEntities === null ? [] : explicitEntities(rawEntities, text, entitiesWhat);
    return { ...trimFormatted(text, entities), source: undefined };
  }

  /** Validates reply_markup; returns [inline markup for the message, reply keyboard change]. */
  function replyMarkup(/** @type {unknown} */ raw) {
    if (raw === undefined || raw === null || raw === "") return { inline: undefined, keyboard: undefined };
    const markup = asJson(raw, "reply keyboard markup");
    if (!isObject(markup)) throw badRequest("can't parse reply keyboard markup JSON object");
    if ("inline_keyboard" in markup) {
      const rows = markup.inline_keyboard;
      if (!Array.isArray(rows)) throw badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array");
      const outRows = [];
      let total = 0;
      for (const row of rows) {
        if (!Array.isArray(row)) throw badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
        const outRow = [];
        for (const button of row) {
          if (!isObject(button)) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
          if (!("text" in button)) throw badRequest("can't parse inline keyboard button: Can't find field \"text\"");
          if (typeof button.text !== "string") {
            throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
          }
          if (button.text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID");
          const action = BUTTON_ACTIONS.find((k) => button[k] !== undefined && button[k] !== null && button[k] !== "");
          if (!action) {
            throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
          }
          /** @type {Record<string, unknown>} */
          const out = { text: button.text };
          if (action === "callback_data") {
            const data = asString(button.callback_data) ?? "";
            const bytes = utf8Length(data);
            if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
            out.callback_data = data;
          } else if (action === "url") {
            const url = checkedLink(String(button.url));
            if (!url) throw badRequest("BUTTON_URL_INVALID");
            out.url = url;
          } else {
            out[action] = button[action];
          }
          if (button.style !== undefined) out.style = button.style;
          outRow.push(out);
          total++;
        }
        if (outRow.length > 0) outRows.push(outRow);
      }
      if (total > 100) throw badRequest("reply markup is too long");
      return { inline: outRows.length > 0 ? { inline_keyboard: outRows } : undefined, keyboard: undefined };
    }
    if ("keyboard" in markup) {
      const rows = markup.keyboard;
      if (!Array.isArray(rows)) throw badRequest("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array");
      const outRows = rows.map((row) => {
        if (!Array.isArray(row)) throw badRequest("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays");
        return row.map((b) => {
          const text = typeof b === "string" ? b : isObject(b) ? asString(b.text) : undefined;
          if (!text) throw badRequest("can't parse keyboard button: Field \"text\" must be of type String");
          return { text };
        });
      });
      return {
        inline: undefined,
        keyboard: {
          keyboard: outRows,
          one_time_keyboard: asBool(markup.one_time_keyboard),
          resize_keyboard: asBool(markup.resize_keyboard),
          input_field_placeholder: asString(markup.input_field_placeholder),
        },
      };
    }
    if ("remove_keyboard" in markup) return { inline: undefined, keyboard: null };
    if ("force_reply" in markup) return { inline: undefined, keyboard: undefined };
    throw badRequest("can't parse reply keyboard markup JSON object");
  }

  /** @param {ChatState} chat @param {any} keyboard */
  function applyKeyboard(chat, keyboard) {
    if (keyboard === null) chat.replyKeyboard = undefined;
    else if (keyboard !== undefined) chat.replyKeyboard = keyboard;
  }

  /** Resolves the message a bot method targets (chat_id + message_id). */
  function botTarget(/** @type {Record<string, any>} */ p, /** @type {string} */ notFound) {
    if (p.inline_message_id !== undefined) throw badRequest("MESSAGE_ID_INVALID");
    const chat = chatForBot(p.chat_id);
    const messageId = asInt(p.message_id);
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const message = findMessage(chat, messageId);
    if (!message) throw badRequest(notFound);
    return { chat, message };
  }

  /** Stores a file and returns its record. */
  function storeFile(/** @type {string} */ fileName, /** @type {string | undefined} */ mimeType, /** @type {Uint8Array} */ bytes) {
    const n = ++fileSeq;
    const seq = String(n).padStart(6, "0");
    const fileId = `BQACAgIAAxkBAAIsandbox${seq}${hashish(fileName + n)}`;
    const ext = extensionOf(fileName);
    const record = {
      file_id: fileId,
      file_unique_id: `AgADsb${seq}`,
      file_name: fileName,
      mime_type: mimeTypeFor(fileName, mimeType),
      bytes,
      file_path: `documents/file_${n}${ext ? "." + ext : ""}`,
    };
    files.set(fileId, record);
    filesByPath.set(record.file_path, fileId);
    return record;
  }

  /** @param {{ file_id: string, file_unique_id: string, file_name: string, mime_type: string, bytes: Uint8Array }} f */
  const documentObject = (f) => ({
    file_name: f.file_name,
    mime_type: f.mime_type,
    file_id: f.file_id,
    file_unique_id: f.file_unique_id,
    file_size: f.bytes.length,
  });

  /** Resolves an InputFile parameter: an upload, attach://name, or a file_id. */
  function inputFile(/** @type {Record<string, any>} */ p, /** @type {string} */ field) {
    let value = p[field];
    if (value === undefined || value === null || value === "") throw badRequest(`there is no ${field} in the request`);
    if (typeof value === "string" && value.startsWith("attach://")) {
      value = p[value.slice("attach://".length)];
      if (value === undefined) throw badRequest(`there is no ${field} in the request`);
    }
    if (isObject(value) && value.bytes instanceof Uint8Array) {
      if (value.bytes.length === 0) throw badRequest("file must be non-empty");
      const name = asString(value.filename) || `${field}.dat`;
      return storeFile(name, asString(value.mimeType), value.bytes);
    }
    if (typeof value === "string") {
      if (/^https?:\/\//i.test(value)) throw badRequest("wrong file identifier/HTTP URL specified");
      const existing = files.get(value);
      if (!existing) throw badRequest("wrong file identifier/HTTP URL specified");
      return existing;
    }
    throw badRequest(`there is no ${field} in the request`);
  }

  // --- Bot API methods --------------------------------------------------------------------
  /** @type {Record<string, (p: Record<string, any>) => any>} */
  const methods = {
    getMe: () => clone(botInfo),

    logOut: () => true,
    close: () => true,

    sendMessage(p) {
      const chat = chatForBot(p.chat_id);
      if (asString(p.text) === undefined) throw badRequest("message text is empty");
      const { text, entities, source } = formatted(p.text, p.parse_mode, p.entities, "entities");
      if (text.length === 0) throw badRequest("message text is empty");
      if (text.length > 4096) throw badRequest("message is too long");
      const { inline, keyboard } = replyMarkup(p.reply_markup);
      assertCanWrite(chat);
      /** @type {Record<string, unknown>} */
      const fields = { text };
      if (entities.length) fields.entities = entities;
      if (inline) fields.reply_markup = inline;
      const lp = asJson(p.link_preview_options, "link preview options");
      if (isObject(lp)) fields.link_preview_options = lp;
      const reply = replyTarget(chat, p);
      if (reply) fields.reply_to_message = reply;
      applyKeyboard(chat, keyboard);
      chat.chatAction = undefined;
      const message = storeMessage(chat, fields, botUser, source);
      return clone(message);
    },

    editMessageText(p) {
      const { chat, message } = botTarget(p, "message to edit not found");
      if (asString(p.text) === undefined) throw badRequest("message text is empty");
      const { text, entities, source } = formatted(p.text, p.parse_mode, p.entities, "entities");
      if (text.length === 0) throw badRequest("message text is empty");
      if (text.length > 4096) throw badRequest("message is too long");
      const { inline } = replyMarkup(p.reply_markup);
      if (message.from?.id !== botUser.id) throw badRequest("message can't be edited");
      if (message.text === undefined) throw badRequest("there is no text in the message to edit");
      if (
        message.text === text &&
        canonical(message.entities ?? []) === canonical(entities) &&
        canonical(message.reply_markup ?? null) === canonical(inline ?? null)
      ) {
        throw badRequest(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
      message.text = text;
      if (entities.length) message.entities = entities;
      else delete message.entities;
      if (inline) message.reply_markup = inline;
      else delete message.reply_markup;
      message.edit_date = seconds();
      if (source) chat.sources.set(message.message_id, source);
      else chat.sources.delete(message.message_id);
      return clone(message);
    },

    editMessageReplyMarkup(p) {
      const { message } = botTarget(p, "message to edit not found");
      const { inline } = replyMarkup(p.reply_markup);
      if (message.from?.id !== botUser.id) throw badRequest("message can't be edited");
      if (canonical(message.reply_markup ?? null) === canonical(inline ?? null)) {
        throw badRequest(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
      if (inline) message.reply_markup = inline;
      else delete message.reply_markup;
      message.edit_date = seconds();
      return clone(message);
    },

    editMessageCaption(p) {
      const { chat, message } = botTarget(p, "message to edit not found");
      const { text, entities, source } = formatted(p.caption ?? "", p.parse_mode, p.caption_entities, "caption entities");
      if (text.length > 1024) throw badRequest("message caption is too long");
      const { inline } = replyMarkup(p.reply_markup);
      if (message.from?.id !== botUser.id) throw badRequest("message can't be edited");
      if (message.document === undefined) throw badRequest("there is no caption in the message to edit");
      if (
        (message.caption ?? "") === text &&
        canonical(message.caption_entities ?? []) === canonical(entities) &&
        canonical(message.reply_markup ?? null) === canonical(inline ?? null)
      ) {
        throw badRequest(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
      if (text) message.caption = text;
      else delete message.caption;
      if (entities.length) message.caption_entities = entities;
      else delete message.caption_entities;
      if (inline) message.reply_markup = inline;
      else delete message.reply_markup;
      message.edit_date = seconds();
      if (source) chat.sources.set(message.message_id, { ...source, caption: true });
      return clone(message);
    },

    deleteMessage(p) {
      const chat = chatForBot(p.chat_id);
      const messageId = asInt(p.message_id);
      const index = chat.history.findIndex((m) => m.message_id === messageId);
      if (index < 0) throw badRequest("message to delete not found");
      const message = chat.history[index];
      if (chat.type !== "private" && message.from?.id !== botUser.id) throw badRequest("message can't be deleted");
      chat.history.splice(index, 1);
      chat.sources.delete(message.message_id);
      return true;
    },

    deleteMessages(p) {
      const chat = chatForBot(p.chat_id);
      const ids = asJson(p.message_ids, "message identifiers");
      if (!Array.isArray(ids) || ids.length === 0) throw badRequest("message identifiers are not specified");
      for (const id of ids) {
        const index = chat.history.findIndex((m) => m.message_id === asInt(id));
        if (index >= 0) {
          chat.sources.delete(chat.history[index].message_id);
          chat.history.splice(index, 1);
        }
      }
      return true;
    },

    answerCallbackQuery(p) {
      const id = asString(p.callback_query_id);
      const query = id === undefined ? undefined : callbackQueries.get(id);
      if (!query || query.answered) {
        throw badRequest("query is too old and response timeout expired or query ID is invalid");
      }
      const text = asString(p.text);
      if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
      query.answered = true;
      /** @type {Record<string, unknown>} */
      const answer = {
        callback_query_id: id,
        userId: query.userId,
        chatId: query.chatId,
        messageId: query.messageId,
        show_alert: asBool(p.show_alert),
        at: now(),
      };
      if (text !== undefined) answer.text = text;
      if (p.url !== undefined) answer.url = asString(p.url);
      if (p.cache_time !== undefined) answer.cache_time = asInt(p.cache_time);
      callbackAnswers.push(answer);
      return true;
    },

    sendPoll(p) {
      const chat = chatForBot(p.chat_id);
      const questionParsed = formatted(p.question ?? "", undefined, p.question_entities, "question entities");
      const question = questionParsed.text;
      if (!question) throw badRequest("poll question must be non-empty");
      if (question.length > 300) throw badRequest("poll question length must not exceed 300");
      const rawOptions = asJson(p.options, "poll options");
      if (!Array.isArray(rawOptions)) throw badRequest("poll must have at least 2 option");
      const texts = rawOptions.map((o) => {
        const t = typeof o === "string" ? o : isObject(o) ? asString(o.text) : undefined;
        return (t ?? "").trim();
      });
      if (texts.length < 2) throw badRequest("poll must have at least 2 option");
      if (texts.length > 12) throw badRequest("poll can't have more than 12 options");
      if (texts.some((t) => t.length === 0)) throw badRequest("poll options must be non-empty");
      if (texts.some((t) => t.length > 100)) throw badRequest("poll options length must not exceed 100");
      const type = asString(p.type) ?? "regular";
      if (type !== "regular" && type !== "quiz") throw badRequest("poll type must be either \"regular\" or \"quiz\"");
      const multiple = asBool(p.allows_multiple_answers);
      /** @type {number[] | undefined} */
      let correct;
      const rawCorrect = p.correct_option_ids !== undefined ? asJson(p.correct_option_ids, "correct option identifiers") : undefined;
      if (rawCorrect !== undefined && rawCorrect !== null) {
        const list = Array.isArray(rawCorrect) ? rawCorrect : [rawCorrect];
        correct = list.map((x) => asInt(x) ?? -1);
      } else if (p.correct_option_id !== undefined && p.correct_option_id !== null) {
        correct = [asInt(p.correct_option_id) ?? -1];
      }
      if (type === "quiz") {
        if (!correct || correct.length === 0) throw badRequest("wrong correct option id");
        for (let i = 0; i < correct.length; i++) {
          const c = /** @type {number} */ (correct[i]);
          if (c < 0 || c >= texts.length) throw badRequest("wrong correct option id");
          if (i > 0 && c <= /** @type {number} */ (correct[i - 1])) throw badRequest("wrong correct option id");
        }
        if (correct.length > 1 && !multiple) throw badRequest("wrong correct option id");
      } else {
        correct = undefined;
      }
      let explanation;
      if (p.explanation !== undefined && p.explanation !== null && p.explanation !== "") {
        if (type !== "quiz") throw badRequest("explanation can be specified only for quizzes");
        explanation = formatted(p.explanation, p.explanation_parse_mode, p.explanation_entities, "explanation entities");
        if (explanation.text.length > 200) throw badRequest("explanation is too long");
        if ((explanation.text.match(/\n/g) ?? []).length > 2) throw badRequest("explanation must contain at most 2 line feeds");
      }
      const { inline, keyboard } = replyMarkup(p.reply_markup);
      assertCanWrite(chat);
      const pollId = `5${String(4_210_000_000_000_000 + ++pollSeq).padStart(18, "0")}`;
      const isAnonymous = p.is_anonymous === undefined ? true : asBool(p.is_anonymous);
      /** @type {Record<string, unknown>} */
      const poll = {
        id: pollId,
        question,
        options: texts.map((text, i) => ({ persistent_id: String(i), text, voter_count: 0 })),
        total_voter_count: 0,
        is_closed: asBool(p.is_closed),
        is_anonymous: isAnonymous,
        type,
        allows_multiple_answers: multiple,
        allows_revoting: p.allows_revoting === undefined ? type !== "quiz" : asBool(p.allows_revoting),
        members_only: false,
      };
      if (questionParsed.entities.length) poll.question_entities = questionParsed.entities;
      if (correct) poll.correct_option_ids = correct;
      if (explanation && explanation.text) {
        poll.explanation = explanation.text;
        if (explanation.entities.length) poll.explanation_entities = explanation.entities;
      }
      const openPeriod = asInt(p.open_period);
      if (openPeriod !== undefined) {
        if (openPeriod < 5 || openPeriod > 2_628_000) throw badRequest("wrong open period specified");
        poll.open_period = openPeriod;
        poll.close_date = seconds() + openPeriod;
      }
      /** @type {Record<string, unknown>} */
      const fields = { poll };
      if (inline) fields.reply_markup = inline;
      applyKeyboard(chat, keyboard);
      chat.chatAction = undefined;
      const message = storeMessage(chat, fields, botUser);
      polls.set(pollId, { poll, chatId: chat.id, messageId: message.message_id, votes: new Map() });
      return clone(message);
    },

    stopPoll(p) {
      const chat = chatForBot(p.chat_id);
      const message = findMessage(chat, asInt(p.message_id));
      if (!message || !message.poll) throw badRequest("message with poll to stop not found");
      if (message.from?.id !== botUser.id) throw badRequest("poll can't be stopped");
      const { inline } = replyMarkup(p.reply_markup);
      const poll = message.poll;
      if (poll.is_closed) throw badRequest("poll has already been closed");
      poll.is_closed = true;
      if (inline) message.reply_markup = inline;
      else delete message.reply_markup;
      return clone(poll);
    },

    sendDocument(p) {
      const chat = chatForBot(p.chat_id);
      const { text, entities, source } = formatted(p.caption ?? "", p.parse_mode, p.caption_entities, "caption entities");
      if (text.length > 1024) throw badRequest("message caption is too long");
      const { inline, keyboard } = replyMarkup(p.reply_markup);
      const file = inputFile(p, "document");
      assertCanWrite(chat);
      /** @type {Record<string, unknown>} */
      const fields = { document: documentObject(file) };
      if (text) fields.caption = text;
      if (entities.length) fields.caption_entities = entities;
      if (inline) fields.reply_markup = inline;
      const reply = replyTarget(chat, p);
      if (reply) fields.reply_to_message = reply;
      applyKeyboard(chat, keyboard);
      chat.chatAction = undefined;
      const message = storeMessage(chat, fields, botUser, source ? { ...source, caption: true } : undefined);
      return clone(message);
    },

    getFile(p) {
      const id = asString(p.file_id);
      const file = id === undefined ? undefined : files.get(id);
      if (!file) throw badRequest("invalid file_id");
      if (file.bytes.length > MAX_DOWNLOAD_BYTES) throw badRequest("file is too big");
      return {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_size: file.bytes.length,
        file_path: file.file_path,
      };
    },

    sendChatAction(p) {
      const chat = chatForBot(p.chat_id);
      const action = asString(p.action);
      if (!action) throw badRequest("action is empty"); // matches Telegram for a missing action
      if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
      assertCanWrite(chat);
      chat.chatAction = { action, until: now() + 5000 };
      return true;
    },

    setMyCommands(p) {
      const list = asJson(p.commands, "commands");
      if (!Array.isArray(list)) throw badRequest("can't parse commands JSON object");
      if (list.length > 100) throw badRequest("too many commands specified");
      const out = list.map((c) => {
        const command = isObject(c) ? asString(c.command) ?? "" : "";
        const description = isObject(c) ? asString(c.description) ?? "" : "";
        if (!/^[a-z0-9_]{1,32}$/.test(command.replace(/^\//, ""))) throw badRequest("BOT_COMMAND_INVALID");
        if (description.trim().length < 1 || description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        return { command: command.replace(/^\//, ""), description };
      });
      commands.set(commandsKey(p), out);
      return true;
    },

    getMyCommands(p) {
      return clone(commands.get(commandsKey(p)) ?? []);
    },

    deleteMyCommands(p) {
      commands.delete(commandsKey(p));
      return true;
    },

    setWebhook(p) {
      const url = asString(p.url) ?? "";
      if (url === "") {
        webhook = undefined;
      } else {
        // Telegram wants HTTPS; plain http is let through for loopback addresses only (local setups).
        const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url);
        if (!/^https:\/\/./i.test(url) && !loopback) throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
        const secret = asString(p.secret_token);
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest("bad webhook: secret token contains unallowed characters");
        const allowed = p.allowed_updates === undefined ? undefined : asJson(p.allowed_updates, "allowed updates");
        webhook = { url };
        if (secret !== undefined) webhook.secret_token = secret;
        if (Array.isArray(allowed)) {
          webhook.allowed_updates = allowed.map(String);
          allowedUpdates = allowed.length ? allowed.map(String) : undefined;
        }
        const max = asInt(p.max_connections);
        if (max !== undefined) webhook.max_connections = max;
      }
      if (asBool(p.drop_pending_updates)) pending.length = 0;
      return true;
    },

    deleteWebhook(p) {
      webhook = undefined;
      if (asBool(p.drop_pending_updates)) pending.length = 0;
      return true;
    },

    getWebhookInfo() {
      /** @type {Record<string, unknown>} */
      const info = { url: webhook?.url ?? "", has_custom_certificate: false, pending_update_count: pending.length };
      if (webhook?.max_connections !== undefined) info.max_connections = webhook.max_connections;
      if (webhook?.allowed_updates) info.allowed_updates = [...webhook.allowed_updates];
      return info;
    },

    getUpdates(p) {
      if (webhook) {
        throw new ApiFailure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      }
      return clone(collectUpdates(p));
    },

    getChat(p) {
      const chat = chatForBot(p.chat_id);
      return { ...chatObject(chat), accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false } };
    },

    getChatMember(p) {
      const chat = chatForBot(p.chat_id);
      const userId = asInt(p.user_id);
      if (userId === botUser.id) return { user: clone(botUser), status: chat.botMember ? "member" : "left" };
      if (userId === undefined || !usersById.has(userId)) throw badRequest("user not found");
      const member = chat.members.has(userId);
      return { user: userObject(userId), status: member ? "member" : "left" };
    },

    leaveChat(p) {
      const chat = chatForBot(p.chat_id);
      if (chat.type === "private") throw badRequest("chat member status can't be changed in private chats");
      chat.botMember = false;
      return true;
    },
  };

  /** @param {Record<string, any>} p */
  function commandsKey(p) {
    const scope = asJson(p.scope, "bot command scope");
    const scopeKey = isObject(scope) ? canonical(scope) : canonical({ type: "default" });
    return `${scopeKey}|${asString(p.language_code) ?? ""}`;
  }

  /** reply_parameters / reply_to_message_id → the replied-to message (without its own reply). */
  function replyTarget(/** @type {ChatState} */ chat, /** @type {Record<string, any>} */ p) {
    const rp = asJson(p.reply_parameters, "reply parameters");
    const id = isObject(rp) ? asInt(rp.message_id) : asInt(p.reply_to_message_id);
    if (id === undefined) return undefined;
    const target = findMessage(chat, id);
    if (!target) {
      if (isObject(rp) && asBool(rp.allow_sending_without_reply)) return undefined;
      throw badRequest("message to be replied not found");
    }
    const copy = clone(target);
    delete copy.reply_to_message;
    return copy;
  }

  /** getUpdates without the long poll: confirms `offset`, applies allowed_updates, returns up to `limit`. */
  function collectUpdates(/** @type {Record<string, any>} */ p) {
    const offset = asInt(p.offset);
    if (p.allowed_updates !== undefined) {
      const list = asJson(p.allowed_updates, "allowed updates");
      if (Array.isArray(list)) allowedUpdates = list.length ? list.map(String) : undefined;
    }
    if (offset !== undefined && offset > 0) {
      while (pending.length && pending[0].update_id < offset) pending.shift();
    } else if (offset !== undefined && offset < 0) {
      const keep = -offset;
      if (pending.length > keep) pending.splice(0, pending.length - keep);
    }
    const allowed = new Set(allowedUpdates ?? DEFAULT_UPDATE_TYPES);
    for (let i = pending.length - 1; i >= 0; i--) {
      const type = Object.keys(pending[i]).find((k) => k !== "update_id");
      if (type && !allowed.has(type)) pending.splice(i, 1);
    }
    let limit = asInt(p.limit) ?? 100;
    if (limit < 1 || limit > 100) limit = 100;
    return pending.slice(0, limit);
  }

  const methodIndex = new Map(Object.keys(methods).map((k) => [k.toLowerCase(), k]));

  /**
   * Runs one Bot API method call.
   * @param {string} method
   * @param {Record<string, any>} [params]
   */
  function handle(method, params = {}) {
    const name = methodIndex.get(String(method).toLowerCase());
    const at = now();
    /** @type {any} */
    let response;
    if (!name) {
      response = { ok: false, error_code: 404, description: "Not Found" };
    } else {
      const fault = takeFault(name, params);
      if (fault) response = fault;
      else {
        try {
          response = { ok: true, result: /** @type {any} */ (methods)[name](params) };
        } catch (e) {
          if (e instanceof ApiFailure) response = e.toJSON();
          else response = { ok: false, error_code: 500, description: `Internal Server Error: ${e instanceof Error ? e.message : String(e)}` };
        }
      }
    }
    /** @type {any} */
    const call = { method: name ?? method, params, ok: response.ok, at };
    if (response.ok) call.result = response.result;
    else call.error = { error_code: response.error_code, description: response.description };
    calls.push(call);
    emit({ type: "call", call });
    return response;
  }

  /** @param {string} method @param {Record<string, any>} params */
  function takeFault(method, params) {
    const lower = method.toLowerCase();
    const index = queuedFaults.findIndex((f) => f.method === "*" || f.method === lower);
    if (index >= 0) {
      const f = /** @type {(typeof queuedFaults)[number]} */ (queuedFaults[index]);
      f.remaining--;
      if (f.remaining <= 0) queuedFaults.splice(index, 1);
      return faultToError(f.error);
    }
    if (faultFn) {
      const result = faultFn(method, params);
      if (result) return faultToError(result);
    }
    return undefined;
  }

  /** @param {number} ms */
  function waitForUpdate(ms, /** @type {AbortSignal | undefined} */ signal) {
    return new Promise((resolve) => {
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timer;
      const done = (/** @type {string} */ reason) => {
        updateWaiters.delete(done);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(reason);
      };
      const onAbort = () => done("aborted");
      updateWaiters.add(done);
      timer = setTimeout(() => done("timeout"), ms);
      if (signal) {
        if (signal.aborted) done("aborted");
        else signal.addEventListener("abort", onAbort);
      }
    });
  }

  /** @param {unknown} body @param {number} [status] */
  function json(body, status = 200) {
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  }

  /**
   * A fetch handler for `${apiRoot}/bot<token>/<method>` and `${apiRoot}/file/bot<token>/<path>`.
   * Accepts the same arguments as the global fetch.
   * @param {Request | string | URL} input
   * @param {RequestInit} [init]
   */
  async function fetchHandler(input, init) {
    /** @type {Request} */
    let request;
    if (typeof Request !== "undefined" && input instanceof Request && init === undefined) request = input;
    else {
      /** @type {any} */
      const i = init ? { ...init } : undefined;
      if (i && i.body !== undefined && i.body !== null && typeof i.body === "object" && !("byteLength" in i.body) && !(typeof FormData !== "undefined" && i.body instanceof FormData) && !(typeof URLSearchParams !== "undefined" && i.body instanceof URLSearchParams)) {
        i.duplex = "half"; // a stream body (grammY's multipart upload)
      }
      request = new Request(/** @type {any} */ (input), i);
    }
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    const fileMatch = /\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (fileMatch) {
      if (fileMatch[1] !== token) return json({ ok: false, error_code: 401, description: "Unauthorized" }, 401);
      const bytes = file(/** @type {string} */ (fileMatch[2]));
      if (!bytes) return json({ ok: false, error_code: 404, description: "Not Found" }, 404);
      const record = files.get(filesByPath.get(/** @type {string} */ (fileMatch[2])) ?? "");
      return new Response(bytes, {
        status: 200,
        headers: { "content-type": record?.mime_type ?? "application/octet-stream", "content-length": String(bytes.length) },
      });
    }
    const m = /\/bot([^/]+)\/([^/]*)$/.exec(path);
    if (!m) return json({ ok: false, error_code: 404, description: "Not Found" }, 404);
    if (m[1] !== token) return json({ ok: false, error_code: 401, description: "Unauthorized" }, 401);
    const method = /** @type {string} */ (m[2]);
    if (!methodIndex.has(method.toLowerCase())) return json({ ok: false, error_code: 404, description: "Not Found" }, 404);
    /** @type {Record<string, any>} */
    let params;
    try {
      params = await readParams(request);
    } catch (e) {
      const body = e instanceof ApiFailure ? e.toJSON() : { ok: false, error_code: 400, description: "Bad Request: can't parse request" };
      return json(body, /** @type {number} */ (body.error_code));
    }
    if (method.toLowerCase() === "getupdates") {
      const timeout = Math.min(Math.max(asInt(params.timeout) ?? 0, 0), MAX_LONG_POLL_SECONDS);
      if (activeLongPoll) activeLongPoll("conflict");
      if (timeout > 0 && !webhook && queuedFaults.length === 0 && !faultFn) {
        let ready = false;
        try {
          ready = collectUpdates(params).length > 0;
        } catch {
          ready = true; // let handle() report it
        }
        if (!ready) {
          /** @type {(reason: string) => void} */
          let supersede = () => {};
          const conflict = new Promise((resolve) => {
            supersede = resolve;
          });
          activeLongPoll = supersede;
          const reason = await Promise.race([waitForUpdate(timeout * 1000, request.signal), conflict]);
          if (activeLongPoll === supersede) activeLongPoll = undefined;
          if (reason === "conflict") {
            return json(
              { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" },
              409,
            );
          }
        }
      }
    }
    const response = handle(method, params);
    return json(response, response.ok ? 200 : response.error_code);
  }

  /** @param {string} filePath */
  function file(filePath) {
    const id = filesByPath.get(filePath.replace(/^\/+/, ""));
    const record = id ? files.get(id) : undefined;
    return record ? record.bytes.slice() : undefined;
  }

  // --- users' side ------------------------------------------------------------------------

  /** @param {number} userId @param {number | undefined} chatId */
  function userChat(userId, chatId) {
    if (!usersById.has(userId)) throw new Error(`Unknown sandbox user ${userId}`);
    const id = chatId ?? userId;
    const chat = chats.get(id);
    if (!chat) throw new Error(`Unknown chat ${id}`);
    if (chat.type === "private" && chat.id !== userId) throw new Error(`User ${userId} cannot write in ${id}'s private chat`);
    if (chat.type !== "private" && !chat.members.has(userId)) throw new Error(`User ${userId} is not a member of chat ${id}`);
    if (chat.type === "private" && chat.blocked) throw new Error(`User ${userId} has blocked the bot; call unblockBot(${userId}) first`);
    if (chat.type !== "private" && !chat.botMember) throw new Error(`The bot is not a member of chat ${id}`);
    return chat;
  }

  /**
   * @param {number} userId
   * @param {string} text
   * @param {{ chatId?: number, replyToMessageId?: number }} [opts]
   */
  function sendText(userId, text, opts = {}) {
    const chat = userChat(userId, opts.chatId);
    if (typeof text !== "string" || text.length === 0) throw new Error("sendText: text must be a non-empty string");
    /** @type {Record<string, unknown>} */
    const fields = { text };
    const command = /^\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_\/<>])/.exec(text);
    if (command) fields.entities = [{ offset: 0, length: command[0].length, type: "bot_command" }];
    if (opts.replyToMessageId !== undefined) {
      const target = findMessage(chat, opts.replyToMessageId);
      if (!target) throw new Error(`No message ${opts.replyToMessageId} in chat ${chat.id}`);
      const copy = clone(target);
      delete copy.reply_to_message;
      fields.reply_to_message = copy;
    }
    chat.started = true;
    const message = storeMessage(chat, fields, userObject(userId));
    return recordUpdate({ message: clone(message) });
  }

  /**
   * @param {number} userId
   * @param {number} chatId
   * @param {number} messageId
   * @param {string} data
   */
  function pressButton(userId, chatId, messageId, data) {
    const chat = userChat(userId, chatId);
    const message = findMessage(chat, messageId);
    if (!message) throw new Error(`No message ${messageId} in chat ${chatId}`);
    const buttons = (message.reply_markup?.inline_keyboard ?? []).flat();
    if (!buttons.some((/** @type {any} */ b) => b.callback_data === data)) {
      throw new Error(`Message ${messageId} in chat ${chatId} has no callback button with data ${JSON.stringify(data)}`);
    }
    const id = String(4_300_000_000_000_000_000n + BigInt(userId) * 1_000_000n + BigInt(++callbackSeq));
    callbackQueries.set(id, { userId, chatId: chat.id, messageId, answered: false, at: now() });
    return recordUpdate({
      callback_query: {
        id,
        from: userObject(userId),
        message: clone(message),
        chat_instance: chat.chatInstance,
        data,
      },
    });
  }

  /**
   * @param {number} userId
   * @param {string} pollId
   * @param {number[]} optionIds
   */
  function answerPoll(userId, pollId, optionIds) {
    const entry = polls.get(pollId);
    if (!entry) throw new Error(`Unknown poll ${pollId}`);
    const chat = userChat(userId, entry.chatId);
    const poll = entry.poll;
    if (poll.is_closed) throw new Error(`Poll ${pollId} is closed`);
    if (poll.close_date !== undefined && seconds() >= poll.close_date) {
      poll.is_closed = true;
      throw new Error(`Poll ${pollId} is closed (open_period has passed)`);
    }
    if (!Array.isArray(optionIds)) throw new Error("answerPoll: optionIds must be an array");
    const ids = [...new Set(optionIds)].sort((a, b) => a - b);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= poll.options.length) throw new Error(`Poll ${pollId} has no option ${id}`);
    }
    if (ids.length > 1 && !poll.allows_multiple_answers) throw new Error(`Poll ${pollId} allows one answer only`);
    const previous = entry.votes.get(userId);
    if (previous && previous.length > 0 && !poll.allows_revoting) throw new Error(`User ${userId} has already answered poll ${pollId}`);
    if (ids.length === 0 && !(previous && previous.length)) throw new Error("answerPoll: no vote to retract");
    if (previous) for (const id of previous) poll.options[id].voter_count--;
    for (const id of ids) poll.options[id].voter_count++;
    if (ids.length === 0) entry.votes.delete(userId);
    else entry.votes.set(userId, ids);
    poll.total_voter_count = entry.votes.size;
    void chat;
    if (poll.is_anonymous) return recordUpdate({ poll: clone(poll) });
    return recordUpdate({
      poll_answer: {
        poll_id: pollId,
        user: userObject(userId),
        option_ids: ids,
        option_persistent_ids: ids.map((i) => poll.options[i].persistent_id),
      },
    });
  }

  /**
   * @param {number} userId
   * @param {{ fileName: string, mimeType?: string, bytes: Uint8Array | string, caption?: string }} doc
   * @param {{ chatId?: number }} [opts]
   */
  function uploadDocument(userId, doc, opts = {}) {
    const chat = userChat(userId, opts.chatId);
    const bytes = typeof doc.bytes === "string" ? enc.encode(doc.bytes) : doc.bytes;
    if (!(bytes instanceof Uint8Array)) throw new Error("uploadDocument: bytes must be a Uint8Array or a string");
    if (!doc.fileName) throw new Error("uploadDocument: fileName is required");
    const record = storeFile(doc.fileName, doc.mimeType, bytes);
    /** @type {Record<string, unknown>} */
    const fields = { document: documentObject(record) };
    if (doc.caption) fields.caption = doc.caption;
    chat.started = true;
    const message = storeMessage(chat, fields, userObject(userId));
    return recordUpdate({ message: clone(message) });
  }

  /** @param {number} userId @param {"kicked" | "member"} status */
  function memberChange(userId, status) {
    const chat = chats.get(userId);
    if (!chat || chat.type !== "private") throw new Error(`Unknown sandbox user ${userId}`);
    const old = status === "kicked" ? { user: clone(botUser), status: "member" } : { user: clone(botUser), status: "kicked", until_date: 0 };
    const neu = status === "kicked" ? { user: clone(botUser), status: "kicked", until_date: 0 } : { user: clone(botUser), status: "member" };
    return recordUpdate({
      my_chat_member: {
        chat: chatObject(chat),
        from: userObject(userId),
        date: seconds(),
        old_chat_member: old,
        new_chat_member: neu,
      },
    });
  }

  /** @param {number} userId */
  function blockBot(userId) {
    const chat = chats.get(userId);
    if (!chat || chat.type !== "private") throw new Error(`Unknown sandbox user ${userId}`);
    if (chat.blocked) throw new Error(`User ${userId} has already blocked the bot`);
    chat.blocked = true;
    return memberChange(userId, "kicked");
  }

  /** @param {number} userId */
  function unblockBot(userId) {
    const chat = chats.get(userId);
    if (!chat || chat.type !== "private") throw new Error(`Unknown sandbox user ${userId}`);
    if (!chat.blocked) throw new Error(`User ${userId} has not blocked the bot`);
    chat.blocked = false;
    chat.started = true;
    return memberChange(userId, "member");
  }

  // --- the object -------------------------------------------------------------------------
  return {
    token,
    botInfo: clone(botInfo),
    handle,
    file,
    fetch: fetchHandler,
    sendText,
    pressButton,
    answerPoll,
    uploadDocument,
    blockBot,
    unblockBot,
    failNext(method, error, count = 1) {
      queuedFaults.push({ method: method === "*" ? "*" : String(method).toLowerCase(), error, remaining: count });
    },
    setFault(fn) {
      faultFn = fn ?? undefined;
    },
    clearFaults() {
      queuedFaults.length = 0;
      faultFn = undefined;
    },
    get calls() {
      return calls;
    },
    get callbackAnswers() {
      return callbackAnswers;
    },
    get updates() {
      return updates;
    },
    get version() {
      return version;
    },
    messages(chatId) {
      const chat = chats.get(chatId);
      if (!chat) throw new Error(`Unknown chat ${chatId}`);
      return clone(chat.history);
    },
    message(chatId, messageId) {
      const chat = chats.get(chatId);
      return chat ? clone(findMessage(chat, messageId)) : undefined;
    },
    messageSource(chatId, messageId) {
      const chat = chats.get(chatId);
      const source = chat?.sources.get(messageId);
      return source ? { ...source } : undefined;
    },
    poll(pollId) {
      return clone(polls.get(pollId)?.poll);
    },
    pollVotes(pollId) {
      const entry = polls.get(pollId);
      /** @type {Record<number, number[]>} */
      const out = {};
      if (entry) for (const [user, ids] of entry.votes) out[user] = [...ids];
      return out;
    },
    fileInfo(fileId) {
      const record = files.get(fileId);
      return record ? { ...record, bytes: record.bytes.slice() } : undefined;
    },
    chat(chatId) {
      const chat = chats.get(chatId);
      if (!chat) return undefined;
      return {
        ...chatObject(chat),
        members: [...chat.members],
        botMember: chat.botMember,
        started: chat.started,
        blocked: chat.blocked,
        replyKeyboard: clone(chat.replyKeyboard),
        chatAction: chat.chatAction && chat.chatAction.until > now() ? { ...chat.chatAction } : undefined,
      };
    },
    chats() {
      return [...chats.keys()];
    },
    clearHistory(chatId) {
      const chat = chats.get(chatId);
      if (!chat) throw new Error(`Unknown chat ${chatId}`);
      chat.history = [];
      chat.sources.clear();
      emit({ type: "cleared", chatId });
    },
    isBlocked(userId) {
      return Boolean(chats.get(userId)?.blocked);
    },
    get webhook() {
      return webhook ? { ...webhook } : undefined;
    },
    commands(scope, languageCode) {
      return clone(commands.get(commandsKey({ scope, language_code: languageCode })) ?? []);
    },
    takeUpdates() {
      return pending.splice(0, pending.length).map(clone);
    },
    pendingUpdates() {
      return pending.map(clone);
    },
    waitForUpdate(timeoutMs, signal) {
      if (pending.length > 0) return Promise.resolve("update");
      return /** @type {Promise<any>} */ (waitForUpdate(timeoutMs, signal));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    snapshot() {
      return clone({
        format: SNAPSHOT_FORMAT,
        counters: { nextUpdateId, pollSeq, fileSeq, callbackSeq, chatInstanceSeq },
        chats: [...chats.values()].map((c) => ({
          id: c.id,
          started: c.started,
          blocked: c.blocked,
          botMember: c.botMember,
          nextMessageId: c.nextMessageId,
          history: c.history,
          sources: [...c.sources.entries()],
          replyKeyboard: c.replyKeyboard,
          chatInstance: c.chatInstance,
        })),
        polls: [...polls.entries()].map(([id, e]) => ({ id, chatId: e.chatId, messageId: e.messageId, poll: e.poll, votes: [...e.votes.entries()] })),
        files: [...files.values()],
        commands: [...commands.entries()],
        webhook,
        allowedUpdates,
      });
    },
    restore(snap) {
      if (!snap || snap.format !== SNAPSHOT_FORMAT) throw new Error("restore: not a snapshot of this sandbox version");
      const data = clone(snap);
      nextUpdateId = Math.max(nextUpdateId, data.counters.nextUpdateId);
      pollSeq = data.counters.pollSeq;
      fileSeq = data.counters.fileSeq;
      callbackSeq = data.counters.callbackSeq;
      chatInstanceSeq = data.counters.chatInstanceSeq;
      for (const saved of data.chats) {
        const chat = chats.get(saved.id);
        if (!chat) continue; // a chat that is no longer configured
        chat.started = saved.started;
        chat.blocked = saved.blocked;
        chat.botMember = saved.botMember;
        chat.nextMessageId = saved.nextMessageId;
        chat.history = saved.history;
        chat.sources = new Map(saved.sources);
        chat.replyKeyboard = saved.replyKeyboard;
        chat.chatInstance = saved.chatInstance;
      }
      polls.clear();
      for (const p of data.polls) {
        // the poll object is shared with its message, so votes update both
        const chat = chats.get(p.chatId);
        if (!chat) continue;
        const message = findMessage(chat, p.messageId);
        const poll = message?.poll ?? p.poll;
        polls.set(p.id, { poll, chatId: p.chatId, messageId: p.messageId, votes: new Map(p.votes) });
      }
      files.clear();
      filesByPath.clear();
      for (const f of data.files) {
        files.set(f.file_id, f);
        filesByPath.set(f.file_path, f.file_id);
      }
      commands.clear();
      for (const [k, v] of data.commands) commands.set(k, v);
      webhook = data.webhook ?? undefined;
      allowedUpdates = data.allowedUpdates ?? undefined;
      emit({ type: "restored" });
    },
  };
}

const SNAPSHOT_FORMAT = "lectern-sandbox-telegram/1";

/** A short deterministic letter string (keeps generated file_ids from looking sequential). */
function hashish(/** @type {string} */ s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let out = "";
  for (let i = 0; i < 8; i++) {
    out += alphabet[h & 63];
    h = (h >>> 6) | ((h & 63) << 26);
  }
  return out;
}
