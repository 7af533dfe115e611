import type { Env as LecternEnv } from "../../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends LecternEnv {}
  }
}
export {};
