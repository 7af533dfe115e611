/** Lecturer pushes (see the classes feature). */
import type { Services } from "../services";

export async function pushTo(svc: Services, push: string, uids: number[]): Promise<void> {
  svc.deps.log({ t: "push", push, uids: uids.length, problem: "not implemented yet" });
}
