/** Every store, built once per bot around the injected KV binding. */
import type { Deps } from "../deps";
import { UserStore } from "./users";
import { UploadedDecks } from "./decks";
import { ScheduleIndex } from "./schedule";
import { ClassStore } from "./classes";
import { LecturerStore } from "./lecturers";
import { GroupQuizStore } from "./group-quiz";
import { DraftStore } from "./drafts";
import { PauseStore, RunStore } from "./runs";
import { PeopleStore } from "./people";
import { ClassDashStore } from "./class-dash";

export interface Stores {
  users: UserStore;
  decks: UploadedDecks;
  schedule: ScheduleIndex;
  classes: ClassStore;
  lecturers: LecturerStore;
  groupQuiz: GroupQuizStore;
  drafts: DraftStore;
  runs: RunStore;
  pause: PauseStore;
  people: PeopleStore;
  classDash: ClassDashStore;
}

export function createStores(kv: KVNamespace, deps: Deps): Stores {
  return {
    users: new UserStore(kv, deps),
    decks: new UploadedDecks(kv, deps),
    schedule: new ScheduleIndex(kv, deps),
    classes: new ClassStore(kv, deps),
    lecturers: new LecturerStore(kv, deps),
    groupQuiz: new GroupQuizStore(kv, deps),
    drafts: new DraftStore(kv, deps),
    runs: new RunStore(kv, deps),
    pause: new PauseStore(kv, deps),
    people: new PeopleStore(kv, deps),
    classDash: new ClassDashStore(kv, deps),
  };
}
