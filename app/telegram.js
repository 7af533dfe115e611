// The Telegram side of the page: Telegram.WebApp inside Telegram (its script is loaded only there),
// or a small stand-in built from the same URL fragment when the Lectern sandbox opens the page
// (tgWebAppPlatform=lectern-sandbox) — so the page makes no request to telegram.org outside Telegram.

const TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js";
export const SANDBOX_PLATFORM = "lectern-sandbox";

function fragment() {
  try {
    return new URLSearchParams(location.hash.slice(1));
  } catch {
    return new URLSearchParams();
  }
}

function parseTheme(raw) {
  if (!raw || raw.length > 4000) return {};
  try {
    const t = JSON.parse(raw);
    return t && typeof t === "object" ? t : {};
  } catch {
    return {};
  }
}

function isDark(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return false;
  const n = parseInt(m[1], 16);
  const r = n >> 16, g = (n >> 8) & 255, b = n & 255;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}

/** The sandbox's stand-in for Telegram.WebApp: the fields this page uses, from the URL fragment. */
function sandboxWebApp(hash) {
  const initData = hash.get("tgWebAppData") || "";
  const themeParams = parseTheme(hash.get("tgWebAppThemeParams"));
  let user;
  try {
    user = JSON.parse(new URLSearchParams(initData).get("user") || "null") || undefined;
  } catch {
    user = undefined;
  }
  return {
    initData,
    initDataUnsafe: { user },
    themeParams,
    colorScheme: isDark(themeParams.bg_color) ? "dark" : "light",
    platform: SANDBOX_PLATFORM,
    version: hash.get("tgWebAppVersion") || "8.0",
    ready() {},
    expand() {},
    onEvent() {},
    HapticFeedback: { notificationOccurred() {} },
  };
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(s);
  });
}

/** Telegram.WebApp, or null when the page was opened outside Telegram and the sandbox. */
export async function webApp() {
  const hash = fragment();
  const platform = hash.get("tgWebAppPlatform");
  if (platform === SANDBOX_PLATFORM) {
    window.Telegram = { WebApp: sandboxWebApp(hash) };
    return window.Telegram.WebApp;
  }
  if (window.Telegram && window.Telegram.WebApp) return window.Telegram.WebApp;
  if (hash.has("tgWebAppData") || hash.has("tgWebAppVersion")) {
    await loadScript(TELEGRAM_SCRIPT); // really inside Telegram: its own script
    return window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.initData ? window.Telegram.WebApp : null;
  }
  return null;
}

const THEME_KEYS = [
  "bg_color", "text_color", "hint_color", "link_color", "button_color", "button_text_color", "secondary_bg_color",
  "header_bg_color", "accent_text_color", "section_bg_color", "section_header_text_color", "subtitle_text_color", "destructive_text_color",
];

/** themeParams → CSS variables (--tg-theme-bg-color …) and data-scheme="light|dark" on <html>. */
export function applyTheme(wa) {
  const root = document.documentElement;
  const theme = (wa && wa.themeParams) || {};
  for (const k of THEME_KEYS) {
    const v = theme[k];
    if (typeof v === "string" && /^#[0-9a-f]{3,8}$/i.test(v)) root.style.setProperty(`--tg-theme-${k.replace(/_/g, "-")}`, v);
  }
  const scheme = wa && wa.colorScheme ? wa.colorScheme : window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  root.dataset.scheme = scheme;
}
